import Autodiff

extension Shapes {
    /// Largest bounding box of the three shapes.
    static let largest = (height: 7, width: 12)
    /// Mean bounding-box area (49 + 84 + 84) / 3 ≈ 72 px: the "fit" rule's object size.
    static let typicalArea = Double(all.map { $0.height * $0.width }.reduce(0, +)) / Double(all.count)
}

/// Static shapes (the Tagger recipe): `objects` shapes chosen uniformly among square, up- and
/// down-triangle, each at a uniform integer position fully inside the canvas; one frame.
/// Pixels covered by any shape are 1; pixels covered by two or more are group 0 (unscored).
public struct StaticShapes: SequenceGenerator {
    public let kind = DatasetKind.staticShapes
    public let options: GeneratorOptions

    public init(options: GeneratorOptions = .init(defaultsFor: .staticShapes)) throws {
        try options.validate(kind: .staticShapes, largest: Shapes.largest, typicalArea: Shapes.typicalArea)
        self.options = options
    }

    public func sequence(split: Split, index: Int, seed: UInt64) -> GeneratedSequence {
        var rng = rng(split: split, index: index, seed: seed)
        let size = options.height * options.width
        var sequence = GeneratedSequence(features: .init(repeating: 0, count: size), groups: .init(repeating: 0, count: size),
                                         overlaps: .init(repeating: 0, count: size), tracks: [])
        var placements: [Placement] = []
        for k in 0..<options.objects {
            let sprite = Shapes.all[rng.nextInt(below: Shapes.all.count)]
            let y = rng.nextInt(below: options.height - sprite.height + 1)
            let x = rng.nextInt(below: options.width - sprite.width + 1)
            placements.append(Placement(sprite: sprite, y: y, x: x, id: UInt8(k + 1)))
            sequence.tracks.append(ObjectTrack(id: k + 1, sprite: sprite.name, height: sprite.height, width: sprite.width,
                                               positions: [.init(y: y, x: x)], velocityY: 0, velocityX: 0, bounces: 0))
        }
        Compositor.drawBinary(placements, height: options.height, width: options.width, offset: 0,
                              features: &sequence.features, groups: &sequence.groups, overlaps: &sequence.overlaps)
        return sequence
    }
}

/// Flying shapes: the same shapes, each starting at a uniform position inside the canvas and moving
/// with constant speed (uniform in `options.speed`, default 1–2 px/frame) in a uniform direction,
/// bouncing off the borders (see `BouncingMotion`). Overlaps are allowed and, as for static shapes,
/// are foreground with group 0 (unscored).
public struct FlyingShapes: SequenceGenerator {
    public let kind = DatasetKind.flyingShapes
    public let options: GeneratorOptions

    public init(options: GeneratorOptions = .init(defaultsFor: .flyingShapes)) throws {
        try options.validate(kind: .flyingShapes, largest: Shapes.largest, typicalArea: Shapes.typicalArea)
        self.options = options
    }

    public func sequence(split: Split, index: Int, seed: UInt64) -> GeneratedSequence {
        var rng = rng(split: split, index: index, seed: seed)
        let sprites = (0..<options.objects).map { _ in Shapes.all[rng.nextInt(below: Shapes.all.count)] }
        let (h, w) = (options.height, options.width)
        return makeMovingSequence(sprites: sprites, options: options, rng: &rng) { placements, offset, sequence in
            Compositor.drawBinary(placements, height: h, width: w, offset: offset,
                                  features: &sequence.features, groups: &sequence.groups, overlaps: &sequence.overlaps)
        }
    }
}
