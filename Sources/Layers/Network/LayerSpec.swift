import Foundation

/// One layer of a network spec, in the reference's own vocabulary (`network.py`):
/// `{name: "conv", size: 32, act: "elu", stride: [2, 2], kernel: [4, 4], ln: true}`.
///
/// Names: `fc` (fully connected), `conv` (SAME convolution), `r_conv` (resize ×stride then a
/// stride-1 SAME convolution), `reshape` (`shape: -1` flattens, `shape: [7, 7, 64]` unflattens),
/// `input_norm` (standardise each sample), `rnn` (the recurrent cell; not part of a sequential
/// ``Network``). Order inside a layer is linear → LayerNorm (if `ln`) → activation. JSON (and
/// YAML) round-trips: absent fields stay absent.
public struct LayerSpec: Codable, Equatable, Sendable {
    public var name: String
    public var size: Int?
    public var act: Activation?
    public var ln: Bool?
    public var stride: [Int]?
    public var kernel: [Int]?
    public var shape: ReshapeTarget?

    public init(name: String, size: Int? = nil, act: Activation? = nil, ln: Bool? = nil,
                stride: [Int]? = nil, kernel: [Int]? = nil, shape: ReshapeTarget? = nil) {
        self.name = name
        self.size = size
        self.act = act
        self.ln = ln
        self.stride = stride
        self.kernel = kernel
        self.shape = shape
    }

    public static func fc(_ size: Int, act: Activation, ln: Bool = false) -> LayerSpec {
        LayerSpec(name: "fc", size: size, act: act, ln: ln)
    }
    public static func conv(_ size: Int, act: Activation, ln: Bool = false, stride: [Int] = [2, 2], kernel: [Int] = [4, 4]) -> LayerSpec {
        LayerSpec(name: "conv", size: size, act: act, ln: ln, stride: stride, kernel: kernel)
    }
    public static func resizeConv(_ size: Int, act: Activation, ln: Bool = false, stride: [Int] = [2, 2], kernel: [Int] = [4, 4]) -> LayerSpec {
        LayerSpec(name: "r_conv", size: size, act: act, ln: ln, stride: stride, kernel: kernel)
    }
    public static func rnn(_ size: Int, act: Activation = .sigmoid, ln: Bool = false) -> LayerSpec {
        LayerSpec(name: "rnn", size: size, act: act, ln: ln)
    }
    public static func reshape(_ shape: [Int]) -> LayerSpec { LayerSpec(name: "reshape", shape: .dims(shape)) }
    public static let flatten = LayerSpec(name: "reshape", shape: .flatten)
    public static let inputNorm = LayerSpec(name: "input_norm")

    /// Specs as compact JSON (for checkpoint metadata).
    public static func json(_ specs: [LayerSpec]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain values cannot fail.
        let data = (try? encoder.encode(specs)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Specs from JSON; the error names what is wrong.
    public static func decode(json: String) throws -> [LayerSpec] {
        do {
            return try JSONDecoder().decode([LayerSpec].self, from: Data(json.utf8))
        } catch let error as DecodingError {
            throw NetworkSpecError.undecodable(describe(error))
        } catch {
            throw NetworkSpecError.undecodable("\(error)")
        }
    }
}

/// The `shape` of a `reshape` layer: `-1` (flatten) or the per-sample shape.
public enum ReshapeTarget: Codable, Equatable, Sendable {
    case flatten
    case dims([Int])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let v = try? container.decode(Int.self) {
            guard v == -1 else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "reshape shape \(v): expected -1 or a list of extents")
            }
            self = .flatten
        } else {
            self = .dims(try container.decode([Int].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .flatten: try container.encode(-1)
        case let .dims(d): try container.encode(d)
        }
    }
}

/// A spec that does not describe a buildable network.
public enum NetworkSpecError: Error, CustomStringConvertible, Equatable {
    /// Layer `index` (named `name`) cannot be built: `reason`.
    case invalidLayer(index: Int, name: String, reason: String)
    /// The spec text is not a list of layers.
    case undecodable(String)

    public var description: String {
        switch self {
        case let .invalidLayer(index, name, reason): return "network spec layer \(index) (\(name)): \(reason)"
        case let .undecodable(reason): return "network spec: \(reason)"
        }
    }

    /// sysexits EX_CONFIG.
    public var exitCode: Int32 { 78 }
}

/// A one-line account of a decoding error: where (the coding path) and what.
func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
        let p = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return p.isEmpty ? "" : " at \(p)"
    }
    switch error {
    case let .dataCorrupted(c): return "\(c.debugDescription)\(path(c))"
    case let .keyNotFound(key, c): return "missing '\(key.stringValue)'\(path(c))"
    case let .typeMismatch(type, c): return "expected \(type)\(path(c)): \(c.debugDescription)"
    case let .valueNotFound(type, c): return "missing \(type)\(path(c))"
    @unknown default: return "\(error)"
    }
}
