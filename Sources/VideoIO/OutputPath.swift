import Foundation

/// An output written under a temporary name in its destination folder and renamed to its
/// final name only when complete, so a failed or interrupted run never leaves a half file
/// under the final name.
struct OutputPath {
    /// Where the finished file goes.
    let path: String
    /// Where it is written until then (hidden, same folder, so the rename is atomic).
    let temporaryPath: String
    let overwrite: Bool

    /// Checks that `path` can be created (refusing an existing one unless `overwrite`) and
    /// picks the temporary name.
    init(_ path: String, overwrite: Bool) throws {
        self.path = path
        self.overwrite = overwrite
        try Self.checkCreatable(path, overwrite: overwrite)
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let tag = String(UInt64.random(in: 0..<(1 << 40)), radix: 36)
        temporaryPath = folder + "/." + url.lastPathComponent + ".partial-" + tag
    }

    /// Moves the finished temporary file to the final name.
    func commit() throws {
        // Checked again: the final name may have appeared while we were writing.
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            discard()
            throw VideoIOError.outputExists(path: path)
        }
        if rename(temporaryPath, path) != 0 {
            let reason = posixMessage(errno)
            discard()
            throw VideoIOError.outputNotCreatable(path: path, reason: reason)
        }
    }

    /// Removes the temporary file, if any.
    func discard() {
        unlink(temporaryPath)
    }

    /// Refuses an output that exists (without `overwrite`), is a folder, or whose folder is
    /// missing or not writable.
    static func checkCreatable(_ path: String, overwrite: Bool) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            if isFolder.boolValue { throw VideoIOError.outputNotCreatable(path: path, reason: "is a folder") }
            if !overwrite { throw VideoIOError.outputExists(path: path) }
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try checkWritableFolder(folder, for: path)
    }

    /// Refuses a folder that is missing, not a folder, or not writable.
    static func checkWritableFolder(_ folder: String, for path: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
            throw VideoIOError.outputNotCreatable(path: path, reason: "folder \(folder) does not exist")
        }
        guard isFolder.boolValue else {
            throw VideoIOError.outputNotCreatable(path: path, reason: "\(folder) is not a folder")
        }
        if access(folder, W_OK) != 0 {
            throw VideoIOError.outputNotCreatable(path: path, reason: "folder \(folder): \(posixMessage(errno))")
        }
    }
}
