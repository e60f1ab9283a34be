import Autodiff
import Foundation

/// Named tensors and string metadata in the safetensors format (huggingface/safetensors):
///
///     8 bytes   N, the header length, unsigned little-endian
///     N bytes   JSON: {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …,
///                      "__metadata__": {"key": "value", …}}, padded with spaces to a multiple of 8
///     rest      the tensors' bytes, little-endian, offsets relative to the end of the header
///
/// Reading accepts F32, F64, F16, I64, I32, I16, I8, U8 and BOOL (converted to Float) and checks
/// the header strictly: every tensor's byte range matches its dtype and shape, and the ranges
/// tile the data without gaps or overlaps. Writing produces F32, names in sorted order.
public struct SafeTensors {
    public var tensors: [String: Tensor]
    public var metadata: [String: String]

    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Reads a file; errors name the file and what is wrong with it.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            let reason = FileManager.default.fileExists(atPath: url.path) ? "unreadable" : "no such file"
            throw CheckpointError.unreadable(path: url.path, reason: reason)
        }
        try self.init(data: data, source: url.path)
    }

    /// Parses the bytes of a safetensors file; `source` names it in errors.
    public init(data: Data, source: String) throws {
        func invalid(_ reason: String) -> CheckpointError { .invalid(path: source, reason: reason) }
        guard data.count >= 8 else { throw invalid("\(data.count) bytes, shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= 100_000_000 else { throw invalid("header length \(headerLength) exceeds 100 MB") }
        guard 8 + Int(headerLength) <= data.count else {
            throw invalid("header length \(headerLength) runs past the end of the file (\(data.count) bytes): truncated?")
        }
        let headerBytes = data.subdata(in: data.startIndex + 8 ..< data.startIndex + 8 + Int(headerLength))
        guard headerBytes.first == UInt8(ascii: "{") else { throw invalid("header does not start with '{'") }
        guard let header = (try? JSONSerialization.jsonObject(with: headerBytes)) as? [String: Any] else {
            throw invalid("header is not a JSON object")
        }
        let buffer = data.subdata(in: data.startIndex + 8 + Int(headerLength) ..< data.endIndex)

        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let fields = value as? [String: Any] else { throw invalid("__metadata__ is not an object") }
                for (key, field) in fields {
                    guard let text = field as? String else { throw invalid("__metadata__ value '\(key)' is not a string") }
                    metadata[key] = text
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw invalid("entry '\(name)' is not an object") }
            guard let dtypeName = info["dtype"] as? String else { throw invalid("tensor '\(name)' has no dtype") }
            guard let dtype = DType(rawValue: dtypeName) else { throw invalid("tensor '\(name)' has unsupported dtype \(dtypeName)") }
            guard let shape = SafeTensors.integers(info["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw invalid("tensor '\(name)' has no valid shape")
            }
            guard let offsets = SafeTensors.integers(info["data_offsets"]), offsets.count == 2,
                  offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw invalid("tensor '\(name)' has no valid data_offsets")
            }
            var elements = 1
            for extent in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
                guard !overflow else { throw invalid("tensor '\(name)' shape \(shape) overflows") }
                elements = product
            }
            guard elements.multipliedReportingOverflow(by: dtype.size) == (offsets[1] - offsets[0], false) else {
                throw invalid("tensor '\(name)' of \(dtypeName) \(shape) needs \(elements * dtype.size) bytes, data_offsets give \(offsets[1] - offsets[0])")
            }
            entries.append((name, dtype, shape, offsets[0], offsets[1]))
        }
        // The byte ranges must tile the data buffer exactly.
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var position = 0
        for entry in entries {
            guard entry.begin == position else {
                throw invalid(entry.begin < position ? "tensor '\(entry.name)' overlaps the previous tensor"
                                                     : "gap in the data before tensor '\(entry.name)'")
            }
            position = entry.end
        }
        guard position == buffer.count else {
            throw invalid(position > buffer.count
                ? "tensor data needs \(position) bytes, the file holds \(buffer.count): truncated?"
                : "\(buffer.count - position) bytes of data after the last tensor")
        }
        var tensors: [String: Tensor] = [:]
        buffer.withUnsafeBytes { raw in
            for entry in entries {
                let bytes = UnsafeRawBufferPointer(rebasing: raw[entry.begin..<entry.end])
                tensors[entry.name] = Tensor(shape: entry.shape) { entry.dtype.decode(bytes, into: $0) }
            }
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func integers(_ value: Any?) -> [Int]? {
        guard let list = value as? [Any] else { return nil }
        var out: [Int] = []
        for element in list {
            guard let number = element as? NSNumber, let v = Int(exactly: number.doubleValue) else { return nil }
            out.append(v)
        }
        return out
    }

    /// The file's bytes: tensors in sorted name order, as F32, or as F16 with `halfPrecision`
    /// (half the size, about 3 significant digits: for shipping trained weights).
    public func serialized(halfPrecision: Bool = false) -> Data {
        let names = tensors.keys.sorted()
        let width = halfPrecision ? 2 : 4
        var header: [String: Any] = [:]
        var offset = 0
        for name in names {
            let t = tensors[name]!
            header[name] = ["dtype": halfPrecision ? "F16" : "F32", "shape": t.shape,
                            "data_offsets": [offset, offset + width * t.count]] as [String: Any]
            offset += width * t.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        // Plain strings, numbers and arrays always serialise.
        var json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        json.append(contentsOf: Array(repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for name in names {
            tensors[name]!.withUnsafeBufferPointer { values in
                if halfPrecision {
                    var bits = values.map { Float16($0).bitPattern.littleEndian }
                    bits.withUnsafeMutableBytes { out.append(contentsOf: $0) }
                } else {
                    var bits = values.map { $0.bitPattern.littleEndian }
                    bits.withUnsafeMutableBytes { out.append(contentsOf: $0) }
                }
            }
        }
        return out
    }

    /// Writes the file through a temporary name in the same folder, renamed into place when
    /// complete. Without `overwrite` an existing file is an error.
    public func write(to url: URL, overwrite: Bool = false, halfPrecision: Bool = false) throws {
        let path = url.path
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw CheckpointError.unwritable(path: path, reason: "file exists (use --overwrite to replace it)")
        }
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).partial")
        do {
            try serialized(halfPrecision: halfPrecision).write(to: temporary)
        } catch {
            throw CheckpointError.unwritable(path: path, reason: "cannot create a file in \(folder.path)")
        }
        guard rename(temporary.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CheckpointError.unwritable(path: path, reason: reason)
        }
    }
}

/// Element types a safetensors file may hold, as far as this reader converts them to Float.
enum DType: String {
    case F64, F32, F16, I64, I32, I16, I8, U8, BOOL

    var size: Int {
        switch self {
        case .F64, .I64: return 8
        case .F32, .I32: return 4
        case .F16, .I16: return 2
        case .I8, .U8, .BOOL: return 1
        }
    }

    /// Little-endian `bytes` converted into `out`.
    func decode(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Float>) {
        func load<I: FixedWidthInteger>(_ type: I.Type, _ i: Int) -> I {
            I(littleEndian: bytes.loadUnaligned(fromByteOffset: i * MemoryLayout<I>.size, as: I.self))
        }
        for i in 0..<out.count {
            switch self {
            case .F64: out[i] = Float(Double(bitPattern: load(UInt64.self, i)))
            case .F32: out[i] = Float(bitPattern: load(UInt32.self, i))
            case .F16: out[i] = Float(Float16(bitPattern: load(UInt16.self, i)))
            case .I64: out[i] = Float(load(Int64.self, i))
            case .I32: out[i] = Float(load(Int32.self, i))
            case .I16: out[i] = Float(load(Int16.self, i))
            case .I8: out[i] = Float(load(Int8.self, i))
            case .U8, .BOOL: out[i] = Float(load(UInt8.self, i))
            }
        }
    }
}
