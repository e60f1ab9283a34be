internal import CZlib

/// One sequence turned into the three compressed chunks the file stores for it.
/// Encoding is pure and thread-safe, so workers compress in parallel and the (serial)
/// HDF5 writer only copies bytes.
public struct EncodedSequence: Sendable {
    public let featureType: FeatureType
    /// Elements per dataset: T·H·W·C.
    public let sequenceSize: Int
    /// zlib streams, exactly what HDF5's deflate filter stores.
    let features: [UInt8], groups: [UInt8], overlaps: [UInt8]
}

public enum SequenceEncoder {
    /// zlib level of the stored chunks (h5py's default for gzip).
    static let deflateLevel: Int32 = 4

    /// Encodes a generated sequence: features as float32 or as round(value·255) uint8.
    public static func encode(_ sequence: GeneratedSequence, as featureType: FeatureType) -> EncodedSequence {
        let features: [UInt8]
        switch featureType {
        case .uint8:
            let bytes = sequence.features.map { UInt8(($0 * 255).rounded().clamped(to: 0...255)) }
            features = deflate(bytes)
        case .float32:
            // Little-endian IEEE-754, the byte order of the stored type.
            let bits = sequence.features.map { $0.bitPattern.littleEndian }
            features = bits.withUnsafeBytes { deflate(Array($0)) }
        }
        return EncodedSequence(featureType: featureType, sequenceSize: sequence.features.count,
                               features: features, groups: deflate(sequence.groups), overlaps: deflate(sequence.overlaps))
    }

    /// zlib `compress2` of `bytes`.
    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = compress2(&output, &length, bytes, uLong(bytes.count), deflateLevel)
        // compress2 only fails for lack of memory or a bad level; the buffer is compressBound-sized.
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        output.removeSubrange(Int(length)...)
        return output
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
