/// A scalar as written in `pipeline.yaml` or in an override; quoted text is never null,
/// a number or a boolean.
struct ScalarText {
    var text: String
    var quoted: Bool

    var isNull: Bool { !quoted && ["", "~", "null", "Null", "NULL"].contains(text) }
}

/// How one kind of value is read, checked and written back.
struct ValueKind<Value> {
    /// For messages and the reference table: "an integer in 1…1024".
    let describe: String
    /// The value, or `nil` when `text` is not one (wrong type or out of range).
    let parse: (ScalarText) -> Value?
    /// Whether a value set in code (a typed setter) is acceptable.
    let accepts: (Value) -> Bool
    /// As written in YAML; `parse` reads it back to the same value.
    let render: (Value) -> String
}

extension ValueKind where Value == Int {
    static func integer(_ range: ClosedRange<Int>) -> ValueKind {
        ValueKind(
            describe: "an integer in \(range.lowerBound)…\(range.upperBound)",
            parse: { $0.quoted ? nil : Int($0.text).flatMap { range.contains($0) ? $0 : nil } },
            accepts: range.contains, render: String.init)
    }
}

extension ValueKind where Value == Double {
    /// A finite number in `range`, excluding the lower bound when `open`.
    static func number(_ range: ClosedRange<Double>, openBelow: Bool = false) -> ValueKind {
        let accepts = { (value: Double) in
            value.isFinite && range.contains(value) && !(openBelow && value == range.lowerBound)
        }
        let lower = openBelow ? "above \(range.lowerBound)" : "from \(range.lowerBound)"
        return ValueKind(
            describe: "a number \(lower) to \(range.upperBound)",
            parse: { $0.quoted ? nil : Double($0.text).flatMap { accepts($0) ? $0 : nil } },
            accepts: accepts, render: { "\($0)" })
    }
}

extension ValueKind where Value == Bool {
    static var boolean: ValueKind {
        ValueKind(
            describe: "true or false",
            parse: { text in
                guard !text.quoted else { return nil }
                switch text.text {
                case "true", "True", "TRUE": return true
                case "false", "False", "FALSE": return false
                default: return nil
                }
            },
            accepts: { _ in true }, render: { "\($0)" })
    }
}

extension ValueKind where Value == String {
    /// A non-empty path; written double-quoted so that "-" and odd characters survive.
    static var path: ValueKind {
        ValueKind(
            describe: "a path",
            parse: { $0.isNull || $0.text.isEmpty ? nil : $0.text },
            accepts: { !$0.isEmpty }, render: doubleQuoted)
    }
}

extension ValueKind where Value == FrameSize {
    static var size: ValueKind {
        let range = 1...16384
        let accepts = { (size: FrameSize) in range.contains(size.width) && range.contains(size.height) }
        return ValueKind(
            describe: "a size WIDTHxHEIGHT (each 1…16384)",
            parse: { FrameSize($0.text).flatMap { accepts($0) ? $0 : nil } },
            accepts: accepts, render: \.description)
    }
}

extension ValueKind where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    static var choice: ValueKind {
        ValueKind(
            describe: Value.allCases.map(\.rawValue).joined(separator: " | "),
            parse: { Value(rawValue: $0.text) },
            accepts: { _ in true }, render: \.rawValue)
    }
}

extension ValueKind {
    /// `kind`, or `null` meaning `nullMeans`.
    static func optional<Wrapped>(_ kind: ValueKind<Wrapped>) -> ValueKind where Value == Wrapped? {
        ValueKind(
            describe: "\(kind.describe), or null",
            parse: { text in text.isNull ? .some(nil) : kind.parse(text).map { .some($0) } },
            accepts: { $0.map(kind.accepts) ?? true },
            render: { $0.map(kind.render) ?? "null" })
    }
}

/// One key of `pipeline.yaml`: its dotted path, what it accepts, and its documentation.
struct ConfigKey {
    /// "output.mode".
    let path: String
    /// The comment printed above it and the "meaning" column of the reference table.
    let doc: String
    /// "an integer in 1…1024", "segmentation | overlay | side-by-side".
    let values: String
    /// Sets the key from text; the message says what was expected.
    let assign: (inout PipelineConfig, ScalarText) throws(ConfigProblem) -> Void
    /// The value in `config`, as written in YAML.
    let render: (PipelineConfig) -> String
    /// Whether the value in `config` is acceptable (it may have been set in code).
    let isValid: (PipelineConfig) -> Bool

    init<Value>(_ path: String, _ keyPath: WritableKeyPath<PipelineConfig, Value>,
                _ kind: ValueKind<Value>, _ doc: String) {
        self.path = path
        self.doc = doc
        values = kind.describe
        assign = { config, text throws(ConfigProblem) in
            guard let value = kind.parse(text) else {
                let shown = text.quoted ? "\"\(text.text)\"" : text.text.isEmpty ? "nothing" : text.text
                throw ConfigProblem("\(path): expected \(kind.describe), got \(shown)")
            }
            config[keyPath: keyPath] = value
        }
        render = { kind.render($0[keyPath: keyPath]) }
        isValid = { kind.accepts($0[keyPath: keyPath]) }
    }

    /// The section path: "input.raw" for "input.raw.size".
    var section: String { path.split(separator: ".").dropLast().joined(separator: ".") }
    /// The last component: "size" for "input.raw.size".
    var name: String { String(path.split(separator: ".").last ?? "") }
}

/// What is wrong with a key or value; the loader adds where it was written.
struct ConfigProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// `text` in YAML double quotes, escaped so that it reads back unchanged.
func doubleQuoted(_ text: String) -> String {
    var quoted = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": quoted += "\\\""
        case "\\": quoted += "\\\\"
        case "\n": quoted += "\\n"
        case "\t": quoted += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            quoted += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
        default: quoted.unicodeScalars.append(scalar)
        }
    }
    return quoted + "\""
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
