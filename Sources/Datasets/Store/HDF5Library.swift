internal import CHDF5
import Foundation

/// The serial build of libhdf5 is not thread-safe: every call into it runs under this lock.
/// It is recursive because handles close themselves in `deinit`, which may run inside a locked call.
private let hdf5Lock = NSRecursiveLock()

/// One-time library setup: open the library and switch off its automatic error-stack printing
/// (its multi-line traces go to stderr otherwise); failures become one-line `DatasetError`s instead.
private let hdf5Initialised: Bool = {
    H5open()
    H5Eset_auto2(hid_t(H5E_DEFAULT), nil, nil)
    return true
}()

/// Runs `body` with the HDF5 lock held and the library initialised.
@discardableResult
func withHDF5<T>(_ body: () throws -> T) rethrows -> T {
    _ = hdf5Initialised
    hdf5Lock.lock()
    defer { hdf5Lock.unlock() }
    return try body()
}

/// The most specific message on HDF5's current error stack (e.g. "file signature not found"),
/// and clears the stack. Call with the lock held, right after a failed call.
func hdf5ErrorMessage() -> String {
    let stack = H5Eget_current_stack()
    guard stack >= 0 else { return "unknown error" }
    defer { H5Eclose_stack(stack) }
    final class Messages { var lines: [String] = [] }
    let messages = Messages()
    let walker: H5E_walk2_t = { _, entry, clientData in
        guard let entry, let clientData, let desc = entry.pointee.desc else { return 0 }
        let box = Unmanaged<Messages>.fromOpaque(clientData).takeUnretainedValue()
        box.lines.append(String(cString: desc))
        return 0
    }
    _ = withExtendedLifetime(messages) {
        H5Ewalk2(stack, H5E_WALK_UPWARD, walker, Unmanaged.passUnretained(messages).toOpaque())
    }
    let useful = messages.lines.first { !$0.isEmpty } ?? "unknown error"
    return useful
}

/// Turns a negative HDF5 return value into `DatasetError.hdf5` naming the file and the operation.
@discardableResult
func check<T: BinaryInteger>(_ result: T, path: String, _ operation: @autoclosure () -> String) throws -> T {
    if result < 0 {
        throw DatasetError.hdf5(path: path, operation: operation(), message: hdf5ErrorMessage())
    }
    return result
}

/// An HDF5 identifier that closes itself with the call that matches its kind.
/// Immutable, and only used under the HDF5 lock, hence Sendable.
final class H5Handle: @unchecked Sendable {
    enum Kind { case file, group, dataset, dataspace, datatype, propertyList, attribute }
    let id: hid_t
    private let kind: Kind

    /// Takes ownership of `id`; throws if the call that produced it failed.
    init(_ id: hid_t, _ kind: Kind, path: String, _ operation: @autoclosure () -> String) throws {
        if id < 0 {
            throw DatasetError.hdf5(path: path, operation: operation(), message: hdf5ErrorMessage())
        }
        self.id = id
        self.kind = kind
    }

    deinit {
        withHDF5 {
            switch kind {
            case .file: _ = H5Fclose(id)
            case .group: _ = H5Gclose(id)
            case .dataset: _ = H5Dclose(id)
            case .dataspace: _ = H5Sclose(id)
            case .datatype: _ = H5Tclose(id)
            case .propertyList: _ = H5Pclose(id)
            case .attribute: _ = H5Aclose(id)
            }
        }
    }
}
