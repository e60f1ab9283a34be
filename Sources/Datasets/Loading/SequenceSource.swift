import Autodiff
import Foundation

/// Where the trainer gets mini-batches: a file (`BatchLoader`) or a generator (`GeneratedSource`).
public protocol SequenceSource {
    /// (H, W, C) of every frame.
    var frameShape: (height: Int, width: Int, channels: Int) { get }
    /// T of every batch.
    var frames: Int { get }
    /// Binary data (shapes) or grey data (MNIST): picks the likelihood and the noise model.
    var isBinary: Bool { get }
    /// The next `size` sequences as a batch (T, B, H, W, C).
    mutating func nextBatch(size: Int) throws -> Batch
}

/// Streams freshly generated sequences straight to training, no file involved: batch after
/// batch takes the next indices of `split`, so the stream is the same for a seed as the
/// file `DatasetGeneration` would write (sequence i is identical in both).
public struct GeneratedSource: SequenceSource, Sendable {
    public let generator: any SequenceGenerator
    public let split: Split
    public let seed: UInt64
    /// Index of the next sequence to generate.
    public private(set) var nextIndex: Int

    public init(generator: any SequenceGenerator, split: Split = .training, seed: UInt64, startIndex: Int = 0) throws {
        guard generator.availableSplits.contains(split) else {
            throw DatasetError.invalidOptions("\(generator.kind.rawValue) cannot make the \(split.rawValue) split")
        }
        self.generator = generator; self.split = split; self.seed = seed; self.nextIndex = startIndex
    }

    public var frameShape: (height: Int, width: Int, channels: Int) {
        (generator.options.height, generator.options.width, generator.channels)
    }
    public var frames: Int { generator.options.frames }
    public var isBinary: Bool { generator.kind.isBinary }

    public mutating func nextBatch(size: Int) throws -> Batch {
        guard size > 0 else { throw DatasetError.invalidOptions("batch size must be positive, got \(size)") }
        let (t, h, w, c) = (frames, frameShape.height, frameShape.width, frameShape.channels)
        let frameSize = h * w * c
        var features = [Float](repeating: 0, count: t * size * frameSize)
        var groups = [Int32](repeating: 0, count: features.count)
        let (generator, split, seed, start) = (generator, split, seed, nextIndex)
        let sequences = parallelMap(size, workers: ProcessInfo.processInfo.activeProcessorCount) { b in
            generator.sequence(split: split, index: start + b, seed: seed)
        }
        for (b, sequence) in sequences.enumerated() {
            for f in 0..<t {
                let src = f * frameSize, dst = (f * size + b) * frameSize  // (T, H·W·C) → (T, B, H·W·C)
                for i in 0..<frameSize {
                    features[dst + i] = sequence.features[src + i]
                    groups[dst + i] = Int32(sequence.groups[src + i])
                }
            }
        }
        nextIndex += size
        return Batch(features: features, groups: groups, t: t, b: size, h: h, w: w, c: c)
    }
}
