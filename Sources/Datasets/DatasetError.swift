/// Everything that can go wrong reading, writing or generating a dataset, as one line that
/// names the file (or the option) and the cause.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// The file or directory does not exist or cannot be read.
    case missing(path: String, reason: String)
    /// The file exists but is not an HDF5 file.
    case notHDF5(path: String)
    /// The file is HDF5 but lacks a split group or a dataset of the original layout.
    case missingEntry(path: String, entry: String)
    /// The file's contents do not fit the layout (shapes, ranks, dtypes, values).
    case badLayout(path: String, reason: String)
    /// The MNIST directory holds no valid IDX files, or one of them is damaged.
    case badMNIST(path: String, reason: String)
    /// An HDF5 call failed; `operation` says what we were doing, `message` is the library's.
    case hdf5(path: String, operation: String, message: String)
    /// The output cannot be created (exists without overwrite, unwritable folder, rename failed).
    case cannotCreate(path: String, reason: String)
    /// Options that cannot work together (more objects than fit, zero frames, empty splits).
    case invalidOptions(String)

    public var description: String {
        switch self {
        case let .missing(path, reason): return "\(path): \(reason)"
        case let .notHDF5(path): return "\(path): not an HDF5 file"
        case let .missingEntry(path, entry): return "\(path): no '\(entry)' in the file (expected the original layout: training|validation|test / features, groups)"
        case let .badLayout(path, reason): return "\(path): \(reason)"
        case let .badMNIST(path, reason): return "\(path): \(reason)"
        case let .hdf5(path, operation, message): return "\(path): HDF5 could not \(operation): \(message)"
        case let .cannotCreate(path, reason): return "\(path): cannot create output: \(reason)"
        case let .invalidOptions(reason): return reason
        }
    }

    /// sysexits-style exit code for the command line.
    public var exitCode: Int32 {
        switch self {
        case .invalidOptions: return 64
        case .notHDF5, .missingEntry, .badLayout, .badMNIST: return 65
        case .missing: return 66
        case .cannotCreate: return 73
        case .hdf5: return 1
        }
    }
}
