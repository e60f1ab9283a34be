/// A checkpoint file that cannot be read, is malformed, does not fit the network, or cannot be written.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The file is missing or unreadable.
    case unreadable(path: String, reason: String)
    /// The file is not a valid safetensors file.
    case invalid(path: String, reason: String)
    /// The file is valid but its tensors or metadata do not match what is being loaded.
    case mismatch(path: String, reason: String)
    /// The output cannot be created (exists without overwrite, or unwritable).
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "\(path): cannot read checkpoint: \(reason)"
        case let .invalid(path, reason): return "\(path): not a valid safetensors file: \(reason)"
        case let .mismatch(path, reason): return "\(path): checkpoint does not match: \(reason)"
        case let .unwritable(path, reason): return "\(path): cannot write checkpoint: \(reason)"
        }
    }

    /// sysexits: 66 input missing/unreadable, 65 bad input data, 73 output cannot be created.
    public var exitCode: Int32 {
        switch self {
        case .unreadable: return 66
        case .invalid, .mismatch: return 65
        case .unwritable: return 73
        }
    }
}
