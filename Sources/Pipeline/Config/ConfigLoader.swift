import Foundation
import Yams

extension PipelineConfig {
    /// Reads `file` (YAML) over the defaults, applies `overrides` (dotted keys such as
    /// `"output.mode": "overlay"`), and validates it all before anything runs.
    /// - Parameter file: `nil` for the defaults alone.
    /// - Throws: one `PipelineError` for the first problem, with the file, line and column
    ///   (or the override) where it was written.
    public static func load(file: String?, overrides: [String: String] = [:]) throws(PipelineError) -> PipelineConfig {
        guard let file else { return try parse(yaml: "", overrides: overrides) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw .configUnreadable(file: file, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .configUnreadable(file: file, reason: "it is a directory") }
        let yaml: String
        do { yaml = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw .configUnreadable(file: file, reason: "not readable UTF-8 text")
        }
        return try parse(yaml: yaml, file: file, overrides: overrides)
    }

    /// `load`, from YAML text; `file` names it in errors.
    public static func parse(yaml: String, file: String = "pipeline.yaml",
                             overrides: [String: String] = [:]) throws(PipelineError) -> PipelineConfig {
        var loader = ConfigLoader()
        try loader.read(yaml: yaml, file: file)
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) { try loader.override(key, value) }
        try loader.check()
        return loader.config
    }

    /// Sets one dotted key from text, as a command-line override does (`output.crf`, `"18"`).
    /// Call `validate()` when done.
    public mutating func set(_ key: String, to value: String) throws(PipelineError) {
        var loader = ConfigLoader(config: self)
        try loader.override(key, value)
        self = loader.config
    }

    /// Checks every value and the keys that depend on each other; use it after setting
    /// properties in code (loading already does).
    public func validate() throws(PipelineError) {
        try ConfigLoader(config: self).check()
    }
}

/// Walks the YAML node tree key by key (keeping each node's line and column for messages),
/// applies overrides, and checks the result.
struct ConfigLoader {
    var config: PipelineConfig
    /// Where each key that is not a default was set, for messages about it.
    private var origins: [String: Origin] = [:]
    private let keys: [String: ConfigKey]
    /// "input", "input.raw", "output", ...
    private let sections: Set<String>

    private enum Origin {
        case file(String, Mark)
        case override(String)
    }

    init(config: PipelineConfig = PipelineConfig()) {
        self.config = config
        let all = PipelineConfig.keys
        keys = Dictionary(uniqueKeysWithValues: all.map { ($0.path, $0) })
        var sections = Set<String>()
        for key in all {
            var section = key.section
            while !section.isEmpty {
                sections.insert(section)
                section = section.split(separator: ".").dropLast().joined(separator: ".")
            }
        }
        self.sections = sections
    }

    mutating func read(yaml: String, file: String) throws(PipelineError) {
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch { throw syntaxError(error, file: file) }
        guard let root else { return }  // an empty file: the defaults
        try walk(root, section: "", file: file)
    }

    mutating func override(_ path: String, _ value: String) throws(PipelineError) {
        let written = "\(path)=\(value)"
        guard let key = keys[path] else {
            throw .invalidOverride(written, message: "unknown key '\(path)'" + suggestion(path, among: Array(keys.keys)))
        }
        do { try key.assign(&config, ScalarText(text: value, quoted: false)) } catch {
            throw .invalidOverride(written, message: error.message)
        }
        origins[path] = .override(written)
    }

    /// Every value acceptable, then the keys that depend on each other.
    func check() throws(PipelineError) {
        for key in PipelineConfig.keys where !key.isValid(config) {
            throw error(at: [key.path], "\(key.path): expected \(key.values), got \(key.render(config))")
        }
        if let (involved, message) = firstConflict() { throw error(at: involved, message) }
    }

    // MARK: - The YAML tree

    private mutating func walk(_ node: Node, section: String, file: String) throws(PipelineError) {
        switch node {
        case let .mapping(mapping):
            for (keyNode, value) in mapping {
                guard case let .scalar(scalar) = keyNode else {
                    throw located(file, keyNode, "keys must be plain names" + inSection(section))
                }
                let path = section.isEmpty ? scalar.string : "\(section).\(scalar.string)"
                if sections.contains(path) {
                    try walk(value, section: path, file: file)
                } else if let key = keys[path] {
                    try assign(key, value, file: file)
                } else {
                    throw located(file, keyNode, "unknown key '\(scalar.string)'" + inSection(section)
                        + suggestion(scalar.string, among: children(of: section)))
                }
            }
        case let .scalar(scalar) where ScalarText(scalar).isNull:
            return  // `output:` with nothing under it
        default:
            let expected = section.isEmpty
                ? "the configuration must be a mapping of sections"
                : "'\(section)' must be a mapping of keys"
            throw located(file, node, "\(expected) (\(children(of: section).joined(separator: ", "))), got \(kind(of: node))")
        }
    }

    private mutating func assign(_ key: ConfigKey, _ node: Node, file: String) throws(PipelineError) {
        guard case let .scalar(scalar) = node else {
            throw located(file, node, "\(key.path): expected \(key.values), got \(kind(of: node))")
        }
        do { try key.assign(&config, ScalarText(scalar)) } catch { throw located(file, node, error.message) }
        if let mark = node.mark { origins[key.path] = .file(file, mark) }
    }

    /// The names directly under `section`.
    private func children(of section: String) -> [String] {
        let prefix = section.isEmpty ? "" : section + "."
        var names: [String] = []
        for path in PipelineConfig.keys.map(\.path) + sections.sorted() where path.hasPrefix(prefix) {
            let name = String(path.dropFirst(prefix.count).split(separator: ".")[0])
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    // MARK: - Keys that depend on each other

    /// The first pair of values that cannot go together, with the keys involved.
    private func firstConflict() -> ([String], String)? {
        let output = config.output
        if let input = config.input.path, input != "-", let path = output.path, samePath(input, path) {
            return (["output.path", "input.path"], "output.path: the output would replace the input \(input)")
        }
        let named: [(String, String?)] = [("output.path", output.path), ("output.masks", output.masks),
                                          ("output.tracks", output.tracks)]
        for (index, (key, path)) in named.enumerated() {
            for (other, otherPath) in named[(index + 1)...] {
                if let path, let otherPath, samePath(path, otherPath) {
                    return ([other, key], "\(other): \(otherPath) is also \(key)")
                }
            }
        }
        let container = output.container != .auto ? output.container
            : output.path.flatMap { VideoContainer(pathExtension: URL(fileURLWithPath: $0).pathExtension) }
        if let container, output.codec != .auto, !container.holds(output.codec) {
            let holds = VideoCodec.allCases.filter { $0 != .auto && container.holds($0) }.map(\.rawValue).joined(separator: ", ")
            return (["output.codec", "output.container", "output.path"],
                    "output.codec: a \(container.rawValue) file cannot hold \(output.codec.rawValue) (it holds \(holds))")
        }
        return nil
    }

    private func samePath(_ a: String, _ b: String) -> Bool {
        URL(fileURLWithPath: a).standardizedFileURL.path == URL(fileURLWithPath: b).standardizedFileURL.path
    }

    // MARK: - Errors

    /// The problem, placed where the first involved key was set (an override first, then the file).
    private func error(at involved: [String], _ message: String) -> PipelineError {
        for key in involved { if case let .override(written) = origins[key] { return .invalidOverride(written, message: message) } }
        for key in involved {
            if case let .file(file, mark) = origins[key] {
                return .invalidConfig(file: file, line: mark.line, column: mark.column, message: message)
            }
        }
        let key = involved[0]
        return .invalidOverride("\(key)=\(keys[key]?.render(config) ?? "")", message: message)
    }

    private func located(_ file: String, _ node: Node, _ message: String) -> PipelineError {
        .invalidConfig(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1, message: message)
    }

    private func syntaxError(_ error: any Error, file: String) -> PipelineError {
        switch error {
        case let YamlError.scanner(context, problem, mark, _),
             let YamlError.parser(context, problem, mark, _),
             let YamlError.composer(context, problem, mark, _):
            let detail = context.map { "\(problem) (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? problem
            return .invalidConfig(file: file, line: mark.line, column: mark.column, message: "YAML syntax: \(detail)")
        case let YamlError.duplicatedKeysInMapping(duplicates, context):
            return .invalidConfig(file: file, line: context.mark.line, column: context.mark.column,
                                  message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))")
        case let YamlError.reader(problem, offset, _, yaml):
            let (line, column) = offset.map { position(ofOffset: $0, in: yaml) } ?? (1, 1)
            return .invalidConfig(file: file, line: line, column: column, message: "YAML: \(problem)")
        default:
            return .invalidConfig(file: file, line: 1, column: 1, message: "YAML: \(error)")
        }
    }

    private func inSection(_ section: String) -> String { section.isEmpty ? "" : " in '\(section)'" }
}

extension ScalarText {
    init(_ scalar: Node.Scalar) {
        self.init(text: scalar.string, quoted: scalar.style != .plain && scalar.style != .any)
    }
}

private func kind(of node: Node) -> String {
    switch node {
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    case let .scalar(scalar): return scalar.string.isEmpty ? "nothing" : "'\(scalar.string)'"
    }
}

/// "; did you mean 'mode'?" when a known name is a typo away from `name`.
private func suggestion(_ name: String, among names: [String]) -> String {
    let scored = names.map { ($0, editDistance(name.lowercased(), $0.lowercased())) }
    guard let (best, distance) = scored.min(by: { $0.1 < $1.1 }), distance <= max(1, best.count / 3)
    else { return names.isEmpty ? "" : " (known: \(names.sorted().joined(separator: ", ")))" }
    return "; did you mean '\(best)'?"
}

/// Edit distance counting an insertion, a deletion, a substitution or a swap of two
/// neighbours as one edit (optimal string alignment).
private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
        }
    }
    return d[a.count][b.count]
}

/// 1-based line and column of a character offset.
private func position(ofOffset offset: Int, in text: String) -> (Int, Int) {
    var line = 1, column = 1
    for character in text.prefix(offset) {
        if character == "\n" { line += 1; column = 1 } else { column += 1 }
    }
    return (line, column)
}
