/// Another generator's sequences centred on a larger empty canvas: the same objects, motion and groups, with
/// a border of background (0) around them. For training a model on frames larger than the data it is scored
/// on (`data.canvas` in a training configuration; `scripts/pad_dataset.py` does the same to a file).
public struct CentredGenerator: SequenceGenerator {
    public let inner: any SequenceGenerator
    /// The inner generator's options with the larger canvas.
    public let options: GeneratorOptions
    private let top: Int, left: Int

    /// - Parameters: height, width: the larger canvas, at least the inner one's.
    public init(_ inner: any SequenceGenerator, height: Int, width: Int) throws {
        let small = inner.options
        guard height >= small.height, width >= small.width else {
            throw DatasetError.invalidOptions("a \(small.height)×\(small.width) canvas cannot be centred on a smaller \(height)×\(width) frame")
        }
        self.inner = inner
        var options = small
        options.height = height
        options.width = width
        self.options = options
        top = (height - small.height) / 2
        left = (width - small.width) / 2
    }

    public var kind: DatasetKind { inner.kind }
    public var availableSplits: [Split] { inner.availableSplits }

    public func sequence(split: Split, index: Int, seed: UInt64) -> GeneratedSequence {
        let small = inner.sequence(split: split, index: index, seed: seed)
        let (h, w, H, W) = (inner.options.height, inner.options.width, options.height, options.width)
        let frames = small.features.count / (h * w)
        func centred<T: Numeric>(_ values: [T]) -> [T] {
            var out = [T](repeating: 0, count: frames * H * W)
            for t in 0..<frames {
                for y in 0..<h {
                    let from = (t * h + y) * w, to = (t * H + top + y) * W + left
                    out[to..<to + w] = values[from..<from + w]
                }
            }
            return out
        }
        let tracks = small.tracks.map { track in
            ObjectTrack(id: track.id, sprite: track.sprite, height: track.height, width: track.width,
                        positions: track.positions.map { .init(y: $0.y + top, x: $0.x + left) },
                        velocityY: track.velocityY, velocityX: track.velocityX, bounces: track.bounces)
        }
        return GeneratedSequence(features: centred(small.features), groups: centred(small.groups),
                                 overlaps: centred(small.overlaps), tracks: tracks)
    }
}
