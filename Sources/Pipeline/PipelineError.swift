import Layers
import NeuralEM
import VideoIO

/// Why a pipeline did not run to the end. `description` is the one line to show the user.
public enum PipelineError: Error, CustomStringConvertible {
    /// A stage threw: the graph was cancelled, drained and finalised; this is its first error.
    case stageFailed(stage: String, underlying: any Error)
    /// `pipeline.yaml` is malformed or holds a key, type or value the pipeline does not accept.
    case invalidConfig(file: String, line: Int, column: Int, message: String)
    /// A command-line override (`output.mode=overlay`) names no key or holds a bad value.
    case invalidOverride(String, message: String)
    /// The configuration file cannot be read.
    case configUnreadable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .stageFailed(stage, underlying):
            return "\(stage): \(underlying)"
        case let .invalidConfig(file, line, column, message):
            return "\(file):\(line):\(column): \(message)"
        case let .invalidOverride(text, message):
            return "override '\(text)': \(message)"
        case let .configUnreadable(file, reason):
            return "\(file): cannot read the configuration: \(reason)"
        }
    }

    /// sysexits-style: 78 bad configuration, 64 bad command line, 66 unreadable file;
    /// a stage's failure exits with its underlying error's code.
    public var exitCode: Int32 {
        switch self {
        case let .stageFailed(_, underlying): return exitCode(of: underlying)
        case .invalidConfig: return 78
        case .invalidOverride: return 64
        case .configUnreadable: return 66
        }
    }

    /// The exit code of an error a stage threw: that of its kind (VideoIO, checkpoints, model
    /// configuration); anything else exits with 1.
    private func exitCode(of error: any Error) -> Int32 {
        switch error {
        case let error as PipelineError: return error.exitCode
        case let error as VideoIOError: return error.exitCode
        case let error as CheckpointError: return error.exitCode
        case let error as ConfigError: return error.exitCode
        case let error as NetworkSpecError: return error.exitCode
        default: return 1
        }
    }
}
