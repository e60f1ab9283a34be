import Autodiff

/// Mini-batches of sequences from one split of a file, for training and evaluation.
///
/// With `shuffle`, each epoch visits the sequences in a fresh seeded permutation (epoch e uses
/// stream e of `seed`, so a run is reproducible and resumable); a batch never straddles two epochs:
/// the remainder of an epoch smaller than the batch is skipped, as the reference does. Without
/// `shuffle` the order is 0, 1, 2, … (evaluation). Each batch reads only its sequences' hyperslabs.
public struct BatchLoader: SequenceSource, Sendable {
    public let reader: SplitReader
    public let seed: UInt64
    public let shuffle: Bool
    /// Sequences used: the whole split, or its first `limit` (the reference validates on 1000).
    public let sequences: Int
    /// T of every batch: the file's frames, its first `frames`, or a T = 1 image repeated (static data).
    public let frames: Int
    public let isBinary: Bool
    /// Completed epochs.
    public private(set) var epoch = 0
    private var order: [Int] = []
    private var position = 0

    /// - Parameters:
    ///   - frames: nil = all of the file's frames; fewer reads the first `frames`; more is allowed only
    ///     for static files (T = 1), whose image is repeated, as the reference tiles static data over EM steps.
    ///   - isBinary: nil = from the file's `binary` attribute, else true (the original shapes files are binary).
    public init(file: DatasetFile, split: Split, seed: UInt64, shuffle: Bool = true, frames: Int? = nil,
                limit: Int? = nil, isBinary: Bool? = nil) throws {
        reader = try file.split(split)
        self.seed = seed
        self.shuffle = shuffle
        let stored = reader.shape.frames
        let frames = frames ?? stored
        guard frames >= 1, frames <= stored || stored == 1 else {
            throw DatasetError.invalidOptions("\(file.path): \(split.rawValue) has \(stored) frames, cannot read \(frames)")
        }
        self.frames = frames
        sequences = min(limit ?? reader.shape.sequences, reader.shape.sequences)
        guard sequences > 0 else { throw DatasetError.badLayout(path: file.path, reason: "\(split.rawValue) holds no sequences") }
        self.isBinary = isBinary ?? (file.attribute("binary").map { $0 == "true" } ?? true)
        order = makeOrder()
    }

    public var frameShape: (height: Int, width: Int, channels: Int) {
        (reader.shape.height, reader.shape.width, reader.shape.channels)
    }

    /// Whole batches per epoch.
    public func batchesPerEpoch(size: Int) -> Int { sequences / max(1, size) }

    public mutating func nextBatch(size: Int) throws -> Batch {
        guard size > 0, size <= sequences else {
            throw DatasetError.invalidOptions("\(reader.path): batch size \(size) must be in 1...\(sequences) (sequences in \(reader.split.rawValue))")
        }
        if position + size > order.count {
            epoch += 1
            order = makeOrder()
            position = 0
        }
        let indices = Array(order[position..<position + size])
        position += size
        let stored = reader.shape.frames
        let batch = try reader.read(sequences: indices, frames: 0..<min(frames, stored))
        return frames > stored ? Self.repeatFrames(batch, to: frames) : batch
    }

    private func makeOrder() -> [Int] {
        var order = Array(0..<sequences)
        if shuffle {
            var rng = SeededRNG.derived(seed: seed, stream: UInt64(epoch))
            order.shuffle(using: &rng)
        }
        return order
    }

    /// (1, B, ·) → (T, B, ·)
    static func repeatFrames(_ batch: Batch, to frames: Int) -> Batch {
        Batch(features: Array([[Float]](repeating: batch.features, count: frames).joined()),
              groups: Array([[Int32]](repeating: batch.groups, count: frames).joined()),
              t: frames, b: batch.b, h: batch.h, w: batch.w, c: batch.c)
    }
}
