import Foundation
import Layers
import Yams

/// Reads a training configuration from YAML: an optional `preset: NAME` to start from, and any of the
/// sections `model`, `loss`, `noise`, `optimizer`, `training`, `data` with the keys they change
/// (mappings merge key by key; a list, such as a network's layers, replaces the preset's whole list).
///
/// Every problem is reported before any work starts, as one ``ConfigError/file(path:line:column:reason:)``
/// with the line and column of the offending key: YAML syntax, an unknown key, a value of the wrong
/// type, an impossible value.
public enum TrainingConfigFile {
    public static func load(path: String, base: TrainingConfig? = nil) throws -> TrainingConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError.file(path: path, line: nil, column: nil, reason: "cannot read the file")
        }
        return try parse(text, path: path, base: base)
    }

    /// Parses `text` (from `path`, for messages) on top of `base` (a `preset:` key in the text wins).
    public static func parse(_ text: String, path: String, base: TrainingConfig? = nil) throws -> TrainingConfig {
        let node: Node
        let values: Any?
        do {
            node = try Yams.compose(yaml: text) ?? Node.mapping(Node.Mapping([]))
            values = try Yams.load(yaml: text)
        } catch let error as YamlError {
            throw ConfigError.file(path: path, line: error.mark?.line, column: error.mark?.column,
                                   reason: "not valid YAML: \(error.problem)")
        }
        guard node.mapping != nil, let user = (values ?? [String: Any]()) as? [String: Any] else {
            throw ConfigError.file(path: path, line: node.mark?.line, column: node.mark?.column,
                                   reason: "expected a mapping of sections (model, loss, noise, optimizer, training, data)")
        }
        func fail(_ keyPath: [String], _ reason: String) -> ConfigError {
            let mark = Self.node(at: keyPath, in: node)?.mark
            return .file(path: path, line: mark?.line, column: mark?.column, reason: reason)
        }

        var start = base
        if let name = user["preset"] {
            guard let name = name as? String, let preset = TrainingPreset(rawValue: name) else {
                throw fail(["preset"], "preset: expected one of \(TrainingPreset.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            start = preset.config
        }
        try checkKeys(node, schema: schema, path: [], fail: fail)

        var merged: [String: Any] = [:]
        if let start {
            let data = try JSONEncoder().encode(start)
            merged = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        }
        merged = deepMerge(merged, user.filter { $0.key != "preset" })
        let config: TrainingConfig
        do {
            let data = try JSONSerialization.data(withJSONObject: merged)
            config = try JSONDecoder().decode(TrainingConfig.self, from: data)
        } catch let error as DecodingError {
            let (keyPath, reason) = describe(error)
            throw fail(keyPath, "\(keyPath.joined(separator: ".")): \(reason)")
        }
        do {
            try config.validate()
        } catch let ConfigError.invalid(key, reason) {
            throw fail(key.split(separator: ".").map(String.init), "\(key): \(reason)")
        } catch let error as NetworkSpecError {
            throw fail(["model", "network"], "model.network: \(error)")
        }
        return config
    }

    // MARK: - Schema

    /// The keys allowed in each mapping; `layers` marks a list of layer specs.
    private indirect enum Schema {
        case keys([String: Schema])
        case layers
        case value
    }

    private static let layerKeys: Set<String> = ["name", "size", "act", "ln", "stride", "kernel", "shape"]

    private static var schema: Schema {
        func leaves<K: CaseIterable & RawRepresentable>(_: K.Type, except nested: [String: Schema] = [:]) -> Schema where K.RawValue == String {
            .keys(Dictionary(uniqueKeysWithValues: K.allCases.map { ($0.rawValue, nested[$0.rawValue] ?? .value) }))
        }
        let network = leaves(NetworkSpec.CodingKeys.self, except: ["input": .layers, "recurrent": .layers, "output": .layers])
        return .keys([
            "preset": .value,
            "model": leaves(ModelConfig.CodingKeys.self, except: ["network": network]),
            "loss": leaves(LossConfig.CodingKeys.self),
            "noise": leaves(NoiseConfig.CodingKeys.self),
            "optimizer": leaves(OptimizerConfig.CodingKeys.self),
            "training": leaves(ScheduleConfig.CodingKeys.self),
            "data": leaves(DataConfig.CodingKeys.self),
        ])
    }

    private static func checkKeys(_ node: Node, schema: Schema, path: [String], fail: ([String], String) -> ConfigError) throws {
        switch schema {
        case .value:
            return
        case .layers:
            guard let items = node.sequence else {
                throw fail(path, "\(path.joined(separator: ".")): expected a list of layers")
            }
            for (i, item) in items.enumerated() {
                guard let mapping = item.mapping else {
                    throw failAt(item.mark, "\(path.joined(separator: "."))[\(i)]: expected a layer mapping such as {name: fc, size: 512, act: relu}", fail: fail)
                }
                for (key, _) in mapping {
                    guard let name = key.string, layerKeys.contains(name) else {
                        let mark = key.mark
                        throw failAt(mark, "\(path.joined(separator: "."))[\(i)]: unknown layer key '\(key.string ?? "?")' (expected \(layerKeys.sorted().joined(separator: ", ")))", fail: fail)
                    }
                }
            }
        case .keys(let allowed):
            guard let mapping = node.mapping else {
                throw fail(path, "\(path.isEmpty ? "the file" : path.joined(separator: ".")): expected a mapping")
            }
            for (key, value) in mapping {
                let name = key.string ?? "?"
                guard let sub = allowed[name] else {
                    let place = path.isEmpty ? "" : path.joined(separator: ".") + "."
                    throw failAt(key.mark, "unknown key '\(place)\(name)' (expected one of \(allowed.keys.sorted().joined(separator: ", ")))", fail: fail)
                }
                try checkKeys(value, schema: sub, path: path + [name], fail: fail)
            }
        }
    }

    /// An error at `mark`, with the file's path taken from `fail`.
    private static func failAt(_ mark: Mark?, _ reason: String, fail: ([String], String) -> ConfigError) -> ConfigError {
        guard case let .file(path, _, _, _) = fail([], "") else { return .invalid(key: "", reason: reason) }
        return .file(path: path, line: mark?.line, column: mark?.column, reason: reason)
    }

    // MARK: - Helpers

    private static func node(at path: [String], in root: Node) -> Node? {
        // The deepest node along the path that the file has (a key set only by the preset has none).
        var current = root
        var found: Node?
        for key in path {
            if let mapping = current.mapping, let next = mapping[key] {
                current = next
            } else if let sequence = current.sequence, let index = Int(key), sequence.indices.contains(index) {
                current = sequence[index]
            } else {
                return found
            }
            found = current
        }
        return found
    }

    private static func deepMerge(_ base: [String: Any], _ overlay: [String: Any]) -> [String: Any] {
        var result = base
        for (key, value) in overlay {
            if let a = result[key] as? [String: Any], let b = value as? [String: Any] {
                result[key] = deepMerge(a, b)
            } else {
                result[key] = value
            }
        }
        return result
    }

    /// The key path and a readable cause of a decoding error.
    private static func describe(_ error: DecodingError) -> ([String], String) {
        func keys(_ path: [any CodingKey]) -> [String] { path.map { $0.intValue.map(String.init) ?? $0.stringValue } }
        switch error {
        case let .typeMismatch(type, context):
            return (keys(context.codingPath), "expected \(readable(type))")
        case let .valueNotFound(type, context):
            return (keys(context.codingPath), "missing value, expected \(readable(type))")
        case let .keyNotFound(key, context):
            return (keys(context.codingPath), "missing key '\(key.stringValue)'")
        case let .dataCorrupted(context):
            return (keys(context.codingPath), context.debugDescription)
        @unknown default:
            return ([], "\(error)")
        }
    }

    private static func readable(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "an integer"
        case is Float.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default: return "\(type)"
        }
    }
}

private extension YamlError {
    var mark: Mark? {
        switch self {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _): return mark
        default: return nil
        }
    }

    var problem: String {
        switch self {
        case let .scanner(_, problem, _, _), let .parser(_, problem, _, _), let .composer(_, problem, _, _): return problem
        default: return "\(self)"
        }
    }
}
