internal import CHDF5
import Foundation

/// A dataset file in the original Neural-EM layout, opened for reading.
///
/// Layout: top-level groups `training`, `validation`, `test` (any subset), each holding
/// `features` (T, N, H, W, C) float in [0, 1] or uint8 meaning value/255, `groups`
/// (T, N, H, W, C) integer object ids with 0 = unscored, and optionally `overlaps`
/// (T, N, H, W, C), how many objects cover each pixel. Nothing is read until asked for:
/// `SplitReader.read(sequences:)` reads only the hyperslabs of the requested sequences.
///
/// Sendable: its state is immutable and every libhdf5 call runs under one process-wide lock,
/// so a loader may prefetch on another thread.
public final class DatasetFile: @unchecked Sendable {
    /// The path as given.
    public let path: String
    /// The splits present in the file, in the order training, validation, test.
    public let splits: [Split]
    let file: H5Handle

    /// Opens `path` read-only. Throws `.missing` (no file / unreadable), `.notHDF5`, or
    /// `.missingEntry` when none of the three split groups is present.
    public init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError.missing(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw DatasetError.missing(path: path, reason: "is a directory, not a file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw DatasetError.missing(path: path, reason: "cannot be read (permission denied)")
        }
        (file, splits) = try withHDF5 {
            guard H5Fis_hdf5(path) > 0 else {
                _ = hdf5ErrorMessage()
                throw DatasetError.notHDF5(path: path)
            }
            let access = try H5Handle(H5Pcreate(nem_h5p_file_access()), .propertyList, path: path, "create a file-access list")
            let file = try H5Handle(H5Fopen(path, nem_h5f_acc_rdonly(), access.id), .file, path: path, "open the file")
            let splits = Split.allCases.filter { H5Lexists(file.id, $0.rawValue, hid_t(H5P_DEFAULT)) > 0 }
            guard !splits.isEmpty else {
                throw DatasetError.missingEntry(path: path, entry: "training")
            }
            return (file, splits)
        }
    }

    /// Opens one split's datasets and checks their shapes agree.
    public func split(_ split: Split) throws -> SplitReader {
        guard splits.contains(split) else { throw DatasetError.missingEntry(path: path, entry: split.rawValue) }
        return try SplitReader(file: self, split: split)
    }

    /// A string attribute of the file's root (our generators record `kind`, `seed`, `objects`, …);
    /// nil when absent or not a string.
    public func attribute(_ name: String) -> String? {
        withHDF5 { readStringAttribute(file.id, name: name) }
    }
}

/// One split of a `DatasetFile`: lazy, hyperslab-at-a-time access to its sequences.
/// Sendable for the same reason as `DatasetFile`.
public final class SplitReader: @unchecked Sendable {
    public let split: Split
    /// The file's path, for messages.
    public let path: String
    /// (T, N, H, W, C) of `features`, equal to that of `groups` (checked on open).
    public let shape: SplitShape
    /// The stored element type of `features`, e.g. "float32" or "uint8".
    public let featuresType: String
    /// The stored element type of `groups`.
    public let groupsType: String
    /// Whether the split has an `overlaps` dataset.
    public var hasOverlaps: Bool { overlaps != nil }

    private let features: H5Handle
    private let groups: H5Handle
    private let overlaps: H5Handle?
    /// uint8 features hold value·255 and are scaled back on read.
    private let featuresAreBytes: Bool

    fileprivate init(file: DatasetFile, split: Split) throws {
        self.split = split
        self.path = file.path
        let path = file.path
        let name = split.rawValue
        (features, groups, overlaps, shape, featuresType, groupsType, featuresAreBytes) = try withHDF5 {
            let group = try H5Handle(H5Gopen2(file.file.id, name, hid_t(H5P_DEFAULT)), .group, path: path, "open group '\(name)'")
            let access = try chunkCacheAccessList(path: path)
            func open(_ dataset: String, required: Bool) throws -> H5Handle? {
                guard H5Lexists(group.id, dataset, hid_t(H5P_DEFAULT)) > 0 else {
                    if required { throw DatasetError.missingEntry(path: path, entry: "\(name)/\(dataset)") }
                    return nil
                }
                return try H5Handle(H5Dopen2(group.id, dataset, access.id), .dataset,
                                    path: path, "open dataset '\(name)/\(dataset)'")
            }
            let features = try open("features", required: true)!
            let groups = try open("groups", required: true)!
            let overlaps = try open("overlaps", required: false)
            let dims = try datasetDims(features, path: path, name: "\(name)/features")
            guard dims.count == 5 else {
                throw DatasetError.badLayout(path: path, reason: "\(name)/features has rank \(dims.count) \(format(dims)), expected 5: (T, N, H, W, C)")
            }
            for (other, label) in [(groups, "groups"), (overlaps, "overlaps")] {
                guard let other else { continue }
                let otherDims = try datasetDims(other, path: path, name: "\(name)/\(label)")
                guard otherDims == dims else {
                    throw DatasetError.badLayout(path: path, reason: "\(name)/\(label) has shape \(format(otherDims)) but \(name)/features has \(format(dims))")
                }
            }
            let shape = SplitShape(frames: dims[0], sequences: dims[1], height: dims[2], width: dims[3], channels: dims[4])
            let featuresKind = try elementType(features, path: path)
            let groupsKind = try elementType(groups, path: path)
            let bytes: Bool
            switch featuresKind {
            case .float: bytes = false
            case .unsigned(1): bytes = true
            default:
                throw DatasetError.badLayout(path: path, reason: "\(name)/features has type \(featuresKind), expected float32/float64 in [0, 1] or uint8 (value/255)")
            }
            if case .other = groupsKind {
                throw DatasetError.badLayout(path: path, reason: "\(name)/groups has type \(groupsKind), expected integer object ids")
            }
            return (features, groups, overlaps, shape, featuresKind.description, groupsKind.description, bytes)
        }
    }

    /// Reads the given sequences (any order, repeats allowed) and the frames in `frames`
    /// (all by default) as one batch: (T, B, H, W, C) with B = `sequences.count`.
    /// Only those hyperslabs are read from the file.
    public func read(sequences: [Int], frames: Range<Int>? = nil) throws -> Batch {
        let frames = frames ?? 0..<shape.frames
        guard frames.lowerBound >= 0, frames.upperBound <= shape.frames, !frames.isEmpty else {
            throw DatasetError.invalidOptions("\(path): frames \(frames) out of range 0..<\(shape.frames) in \(split.rawValue)")
        }
        if let bad = sequences.first(where: { $0 < 0 || $0 >= shape.sequences }) {
            throw DatasetError.invalidOptions("\(path): sequence \(bad) out of range 0..<\(shape.sequences) in \(split.rawValue)")
        }
        let unique = Array(Set(sequences)).sorted()
        let t = frames.count, frameSize = shape.frameSize
        var features = [Float](repeating: 0, count: t * unique.count * frameSize)
        var groups = [Int32](repeating: 0, count: features.count)
        if !unique.isEmpty {
            try withHDF5 {
                if featuresAreBytes {
                    var bytes = [UInt8](repeating: 0, count: features.count)
                    try readSelection(self.features, "features", unique, frames, nem_h5t_native_uint8(), &bytes)
                    for i in bytes.indices { features[i] = Float(bytes[i]) * (1 / 255) }
                } else {
                    try readSelection(self.features, "features", unique, frames, nem_h5t_native_float(), &features)
                }
                try readSelection(self.groups, "groups", unique, frames, nem_h5t_native_int32(), &groups)
            }
        }
        if unique == sequences {
            return Batch(features: features, groups: groups, t: t, b: unique.count, h: shape.height, w: shape.width, c: shape.channels)
        }
        // Gather into the requested order. // (T, U, ·) → (T, B, ·)
        let slot = Dictionary(uniqueKeysWithValues: unique.enumerated().map { ($1, $0) })
        let b = sequences.count
        var outFeatures = [Float](repeating: 0, count: t * b * frameSize)
        var outGroups = [Int32](repeating: 0, count: outFeatures.count)
        for f in 0..<t {
            for (j, s) in sequences.enumerated() {
                let src = (f * unique.count + slot[s]!) * frameSize, dst = (f * b + j) * frameSize
                outFeatures[dst..<dst + frameSize] = features[src..<src + frameSize]
                outGroups[dst..<dst + frameSize] = groups[src..<src + frameSize]
            }
        }
        return Batch(features: outFeatures, groups: outGroups, t: t, b: b, h: shape.height, w: shape.width, c: shape.channels)
    }

    /// Reads `overlaps` for a contiguous range of sequences: (T, n, H, W, C); nil if the split has none.
    public func readOverlaps(sequences: Range<Int>) throws -> [UInt8]? {
        guard let overlaps else { return nil }
        guard sequences.lowerBound >= 0, sequences.upperBound <= shape.sequences else {
            throw DatasetError.invalidOptions("\(path): sequences \(sequences) out of range 0..<\(shape.sequences)")
        }
        var counts = [UInt8](repeating: 0, count: shape.frames * sequences.count * shape.frameSize)
        guard !sequences.isEmpty else { return counts }
        try withHDF5 {
            try readSelection(overlaps, "overlaps", Array(sequences), 0..<shape.frames, nem_h5t_native_uint8(), &counts)
        }
        return counts
    }

    /// Reads frames × sorted unique `sequences` of `dataset` into `buffer` (T', U, H, W, C).
    /// Consecutive sequences are merged into one block and each block is one `H5Dread`: a union of
    /// many hyperslabs in one read is ~25× slower in libhdf5 1.10 (h5py's fancy indexing shows the same).
    private func readSelection<T>(_ dataset: H5Handle, _ name: String, _ sequences: [Int], _ frames: Range<Int>,
                                  _ memoryType: hid_t, _ buffer: inout [T]) throws {
        let label = "read \(split.rawValue)/\(name)"
        let fileSpace = try H5Handle(H5Dget_space(dataset.id), .dataspace, path: path, label)
        var memoryDims: [hsize_t] = [hsize_t(frames.count), hsize_t(sequences.count), hsize_t(shape.height), hsize_t(shape.width), hsize_t(shape.channels)]
        let memorySpace = try H5Handle(H5Screate_simple(5, &memoryDims, nil), .dataspace, path: path, label)
        var count: [hsize_t] = [1, 1, 1, 1, 1]
        try buffer.withUnsafeMutableBytes { raw in
            var i = 0
            while i < sequences.count {
                var j = i + 1
                while j < sequences.count && sequences[j] == sequences[j - 1] + 1 { j += 1 }
                var block: [hsize_t] = [hsize_t(frames.count), hsize_t(j - i), hsize_t(shape.height), hsize_t(shape.width), hsize_t(shape.channels)]
                var fileStart: [hsize_t] = [hsize_t(frames.lowerBound), hsize_t(sequences[i]), 0, 0, 0]
                var memoryStart: [hsize_t] = [0, hsize_t(i), 0, 0, 0]
                try check(H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &fileStart, nil, &count, &block), path: path, label)
                try check(H5Sselect_hyperslab(memorySpace.id, H5S_SELECT_SET, &memoryStart, nil, &count, &block), path: path, label)
                try check(H5Dread(dataset.id, memoryType, memorySpace.id, fileSpace.id, hid_t(H5P_DEFAULT), raw.baseAddress), path: path, label)
                i = j
            }
        }
    }
}

// MARK: - Helpers (call with the HDF5 lock held)

/// A dataset-access list with a chunk cache large enough that a batch never decompresses a chunk twice,
/// also for files chunked across several sequences (h5py's automatic chunking, the Tagger files).
private func chunkCacheAccessList(path: String) throws -> H5Handle {
    let access = try H5Handle(H5Pcreate(nem_h5p_dataset_access()), .propertyList, path: path, "create a dataset-access list")
    try check(H5Pset_chunk_cache(access.id, 12_421, 32 << 20, 1.0), path: path, "set the chunk cache")
    return access
}

private func datasetDims(_ dataset: H5Handle, path: String, name: String) throws -> [Int] {
    let space = try H5Handle(H5Dget_space(dataset.id), .dataspace, path: path, "read the shape of \(name)")
    let rank = try check(H5Sget_simple_extent_ndims(space.id), path: path, "read the shape of \(name)")
    var dims = [hsize_t](repeating: 0, count: Int(rank))
    try check(H5Sget_simple_extent_dims(space.id, &dims, nil), path: path, "read the shape of \(name)")
    return dims.map { Int($0) }
}

private func format(_ dims: [Int]) -> String { "(" + dims.map(String.init).joined(separator: ", ") + ")" }

/// The stored element type of a dataset, in numpy's words.
enum ElementType: CustomStringConvertible, Equatable {
    case float(Int), signed(Int), unsigned(Int), other(String)
    var description: String {
        switch self {
        case .float(let n): return "float\(n * 8)"
        case .signed(let n): return "int\(n * 8)"
        case .unsigned(let n): return "uint\(n * 8)"
        case .other(let s): return s
        }
    }
}

private func elementType(_ dataset: H5Handle, path: String) throws -> ElementType {
    let type = try H5Handle(H5Dget_type(dataset.id), .datatype, path: path, "read a dataset's type")
    let size = H5Tget_size(type.id)
    switch H5Tget_class(type.id) {
    case H5T_FLOAT: return .float(size)
    case H5T_INTEGER: return H5Tget_sign(type.id) == H5T_SGN_NONE ? .unsigned(size) : .signed(size)
    case H5T_STRING: return .other("string")
    case H5T_COMPOUND: return .other("compound")
    default: return .other("non-numeric")
    }
}

/// Reads a string attribute (variable- or fixed-length) of `object`; nil if absent or not a string.
func readStringAttribute(_ object: hid_t, name: String) -> String? {
    guard H5Aexists(object, name) > 0 else { return nil }
    let attribute = H5Aopen(object, name, hid_t(H5P_DEFAULT))
    guard attribute >= 0 else { _ = hdf5ErrorMessage(); return nil }
    defer { H5Aclose(attribute) }
    let type = H5Aget_type(attribute)
    guard type >= 0 else { return nil }
    defer { H5Tclose(type) }
    guard H5Tget_class(type) == H5T_STRING else { return nil }
    if H5Tis_variable_str(type) > 0 {
        var value: UnsafeMutablePointer<CChar>? = nil
        guard H5Aread(attribute, type, &value) >= 0, let value else { return nil }
        defer { H5free_memory(value) }
        return String(cString: value)
    }
    let size = H5Tget_size(type)
    var bytes = [UInt8](repeating: 0, count: size + 1)
    guard H5Aread(attribute, type, &bytes) >= 0 else { return nil }
    return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
}
