import Foundation

/// Generates a whole dataset file: sequences are made and compressed on all cores in blocks,
/// then written by one thread (libhdf5 is serial). The result is byte-for-byte independent of
/// the number of threads, because each sequence depends only on (seed, split, index).
public enum DatasetGeneration {
    /// Sequences generated per parallel block.
    static let blockSize = 512

    /// Writes `counts` sequences per split (splits with 0 are left out) to `path`.
    /// `progress(done, total)` is called after every block, on the calling thread.
    public static func generate(_ generator: any SequenceGenerator, counts: [Split: Int], seed: UInt64,
                                featureType: FeatureType, to path: String, overwrite: Bool = false,
                                threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                                progress: (Int, Int) -> Void = { _, _ in }) throws {
        let splits = Split.allCases.filter { (counts[$0] ?? 0) > 0 }
        guard !splits.isEmpty else { throw DatasetError.invalidOptions("\(path): every split has 0 sequences; nothing to generate") }
        if let bad = counts.first(where: { $0.value < 0 }) {
            throw DatasetError.invalidOptions("\(path): \(bad.key.rawValue) count must be ≥ 0, got \(bad.value)")
        }
        if let missing = splits.first(where: { !generator.availableSplits.contains($0) }) {
            throw DatasetError.invalidOptions("\(path): \(generator.kind.rawValue) cannot make the \(missing.rawValue) split")
        }
        let writer = try DatasetWriter(path: path, overwrite: overwrite)
        let options = generator.options
        let attributes = [
            ("kind", generator.kind.rawValue), ("seed", String(seed)), ("objects", String(options.objects)),
            ("frames", String(options.frames)), ("size", "\(options.height)x\(options.width)"),
            ("binary", generator.kind.isBinary ? "true" : "false"), ("feature_type", featureType.rawValue),
            ("speed", "\(options.speed.lowerBound)-\(options.speed.upperBound) px/frame"),
            ("overlaps_scored", "false"),
        ]
        for (name, value) in attributes { try writer.setAttribute(name, value) }

        let total = splits.reduce(0) { $0 + counts[$1]! }
        var done = 0
        progress(done, total)
        let workers = max(1, threads)
        for split in splits {
            let count = counts[split]!
            let splitWriter = try writer.createSplit(split, shape: generator.shape(sequences: count), featureType: featureType)
            for blockStart in stride(from: 0, to: count, by: blockSize) {
                let n = min(blockSize, count - blockStart)
                let encoded = encodeBlock(generator, split: split, range: blockStart..<blockStart + n, seed: seed,
                                          featureType: featureType, workers: workers)
                for (i, sequence) in encoded.enumerated() { try splitWriter.write(sequence, at: blockStart + i) }
                done += n
                progress(done, total)
            }
        }
        try writer.finish()
    }

    /// Generates and encodes `range` of `split` on `workers` threads.
    static func encodeBlock(_ generator: any SequenceGenerator, split: Split, range: Range<Int>, seed: UInt64,
                            featureType: FeatureType, workers: Int) -> [EncodedSequence] {
        parallelMap(range.count, workers: workers) { i in
            SequenceEncoder.encode(generator.sequence(split: split, index: range.lowerBound + i, seed: seed), as: featureType)
        }
    }
}
