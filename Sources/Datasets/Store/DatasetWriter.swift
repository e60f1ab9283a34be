internal import CHDF5
import Foundation

/// Writes a dataset file in the original layout, chunked one sequence per chunk and
/// deflate-compressed, so that reading a shuffled batch touches exactly one chunk per sequence.
///
/// The file is written under a temporary name in the destination folder and renamed onto
/// `path` by `finish()`; a writer dropped before `finish()` removes its temporary file.
public final class DatasetWriter {
    /// The final path.
    public let path: String
    /// Where the file is written until `finish()`.
    public let temporaryPath: String
    private var file: H5Handle?
    private var splitWriters: [SplitWriter] = []

    /// Creates the temporary file. Throws `.cannotCreate` if `path` exists and `overwrite` is false,
    /// if its folder does not exist or is not writable.
    public init(path: String, overwrite: Bool) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw DatasetError.cannotCreate(path: path, reason: "a directory of that name exists") }
            if !overwrite { throw DatasetError.cannotCreate(path: path, reason: "file exists (use --overwrite to replace it)") }
        }
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError.cannotCreate(path: path, reason: "folder \(folder) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw DatasetError.cannotCreate(path: path, reason: "folder \(folder) is not writable")
        }
        temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)").path
        let temporaryPath = temporaryPath
        file = try withHDF5 {
            let id = H5Fcreate(temporaryPath, nem_h5f_acc_trunc(), hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
            if id < 0 { throw DatasetError.cannotCreate(path: path, reason: hdf5ErrorMessage()) }
            return try H5Handle(id, .file, path: path, "create the file")
        }
    }

    deinit {
        if file != nil {
            splitWriters.forEach { $0.close() }
            file = nil
            try? FileManager.default.removeItem(atPath: temporaryPath)
        }
    }

    /// Stores a UTF-8 string attribute on the file's root (h5py reads it as `str`).
    public func setAttribute(_ name: String, _ value: String) throws {
        guard let file else { throw DatasetError.cannotCreate(path: path, reason: "writer already finished") }
        try withHDF5 {
            let type = try H5Handle(H5Tcopy(nem_h5t_c_s1()), .datatype, path: path, "make a string type")
            try check(H5Tset_size(type.id, Int(bitPattern: UInt.max)), path: path, "make a string type")
            try check(H5Tset_cset(type.id, H5T_CSET_UTF8), path: path, "make a string type")
            let space = try H5Handle(H5Screate(H5S_SCALAR), .dataspace, path: path, "write attribute '\(name)'")
            if H5Aexists(file.id, name) > 0 { try check(H5Adelete(file.id, name), path: path, "replace attribute '\(name)'") }
            let attribute = try H5Handle(H5Acreate2(file.id, name, type.id, space.id, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)),
                                         .attribute, path: path, "write attribute '\(name)'")
            try value.withCString { pointer in
                var text: UnsafePointer<CChar>? = pointer
                try check(H5Awrite(attribute.id, type.id, &text), path: path, "write attribute '\(name)'")
            }
        }
    }

    /// Creates group `split` with `features`, `groups` and `overlaps` of `shape`, chunked
    /// (T, 1, H, W, C) and deflate-compressed. `groups` and `overlaps` are uint8.
    public func createSplit(_ split: Split, shape: SplitShape, featureType: FeatureType) throws -> SplitWriter {
        guard let file else { throw DatasetError.cannotCreate(path: path, reason: "writer already finished") }
        guard shape.sequences > 0, shape.frames > 0, shape.frameSize > 0 else {
            throw DatasetError.invalidOptions("\(path): cannot create an empty split \(split.rawValue) \(shape)")
        }
        let writer = try withHDF5 {
            let group = try H5Handle(H5Gcreate2(file.id, split.rawValue, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT)),
                                     .group, path: path, "create group '\(split.rawValue)'")
            var dims = shape.dims.map { hsize_t($0) }
            var chunk = dims
            chunk[1] = 1
            let space = try H5Handle(H5Screate_simple(5, &dims, nil), .dataspace, path: path, "create a dataspace")
            let creation = try H5Handle(H5Pcreate(nem_h5p_dataset_create()), .propertyList, path: path, "create a dataset-creation list")
            try check(H5Pset_chunk(creation.id, 5, &chunk), path: path, "set chunking")
            try check(H5Pset_deflate(creation.id, UInt32(SequenceEncoder.deflateLevel)), path: path, "set deflate compression")
            func create(_ name: String, _ type: hid_t) throws -> H5Handle {
                try H5Handle(H5Dcreate2(group.id, name, type, space.id, hid_t(H5P_DEFAULT), creation.id, hid_t(H5P_DEFAULT)),
                             .dataset, path: path, "create dataset '\(split.rawValue)/\(name)'")
            }
            // Native types are little-endian IEEE/unsigned on every platform we build for, which is
            // what the pre-compressed chunks hold.
            let features = try create("features", featureType == .float32 ? nem_h5t_native_float() : nem_h5t_native_uint8())
            return SplitWriter(path: path, split: split, shape: shape, featureType: featureType,
                               features: features, groups: try create("groups", nem_h5t_native_uint8()),
                               overlaps: try create("overlaps", nem_h5t_native_uint8()))
        }
        splitWriters.append(writer)
        return writer
    }

    /// Flushes, closes and renames the temporary file onto `path`.
    public func finish() throws {
        guard let file else { throw DatasetError.cannotCreate(path: path, reason: "writer already finished") }
        if let incomplete = splitWriters.first(where: { $0.written < $0.shape.sequences }) {
            throw DatasetError.cannotCreate(path: path, reason: "split \(incomplete.split.rawValue) has \(incomplete.written) of \(incomplete.shape.sequences) sequences written")
        }
        try withHDF5 {
            try check(H5Fflush(file.id, H5F_SCOPE_GLOBAL), path: path, "flush the file")
        }
        splitWriters.forEach { $0.close() }
        self.file = nil
        if rename(temporaryPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporaryPath)
            throw DatasetError.cannotCreate(path: path, reason: "rename from \(temporaryPath) failed: \(reason)")
        }
    }
}

/// Writes one split's sequences as pre-compressed chunks (see `SequenceEncoder`).
public final class SplitWriter {
    public let split: Split
    public let shape: SplitShape
    public let featureType: FeatureType
    private let path: String
    private var features, groups, overlaps: H5Handle?
    private var writtenSequences = Set<Int>()
    /// How many distinct sequences have been written.
    public var written: Int { writtenSequences.count }

    fileprivate init(path: String, split: Split, shape: SplitShape, featureType: FeatureType,
                     features: H5Handle, groups: H5Handle, overlaps: H5Handle) {
        self.path = path; self.split = split; self.shape = shape; self.featureType = featureType
        self.features = features; self.groups = groups; self.overlaps = overlaps
    }

    fileprivate func close() { features = nil; groups = nil; overlaps = nil }

    /// Writes sequence `index` (its chunk in each of the three datasets).
    public func write(_ sequence: EncodedSequence, at index: Int) throws {
        guard let features, let groups, let overlaps else {
            throw DatasetError.cannotCreate(path: path, reason: "writer already finished")
        }
        guard (0..<shape.sequences).contains(index) else {
            throw DatasetError.invalidOptions("\(path): sequence \(index) out of range 0..<\(shape.sequences) in \(split.rawValue)")
        }
        guard sequence.featureType == featureType, sequence.sequenceSize == shape.sequenceSize else {
            throw DatasetError.invalidOptions("\(path): sequence of \(sequence.sequenceSize) \(sequence.featureType) values does not fit \(split.rawValue) \(shape) \(featureType)")
        }
        try withHDF5 {
            var offset: [hsize_t] = [0, hsize_t(index), 0, 0, 0]
            for (dataset, bytes, name) in [(features, sequence.features, "features"), (groups, sequence.groups, "groups"),
                                           (overlaps, sequence.overlaps, "overlaps")] {
                try bytes.withUnsafeBytes { raw in
                    _ = try check(H5Dwrite_chunk(dataset.id, hid_t(H5P_DEFAULT), 0, &offset, raw.count, raw.baseAddress),
                              path: path, "write \(split.rawValue)/\(name)")
                }
            }
        }
        writtenSequences.insert(index)
    }
}
