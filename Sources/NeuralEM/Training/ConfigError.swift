/// A training or evaluation configuration that cannot work: reported before any work starts.
public enum ConfigError: Error, CustomStringConvertible, Equatable {
    /// A key whose value is impossible.
    case invalid(key: String, reason: String)
    /// The model and the data (or the request) do not fit together.
    case mismatch(String)
    /// The configuration file cannot be read or parsed (with its position).
    case file(path: String, line: Int?, column: Int?, reason: String)

    public var description: String {
        switch self {
        case let .invalid(key, reason): return "configuration: \(key): \(reason)"
        case let .mismatch(reason): return reason
        case let .file(path, line?, column?, reason): return "\(path):\(line):\(column): \(reason)"
        case let .file(path, _, _, reason): return "\(path): \(reason)"
        }
    }

    /// sysexits: 78 bad configuration, 65 when the data do not fit the model.
    public var exitCode: Int32 {
        switch self {
        case .mismatch: return 65
        default: return 78
        }
    }
}
