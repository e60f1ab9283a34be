import Foundation
import Autodiff

/// The kinds of synthetic data, with the paper's defaults.
public enum DatasetKind: String, CaseIterable, Sendable {
    case staticShapes = "static-shapes"
    case flyingShapes = "flying-shapes"
    case flyingMNIST = "flying-mnist"

    /// 28×28 for shapes, 24×24 for MNIST digits.
    public var defaultSize: (height: Int, width: Int) { self == .flyingMNIST ? (24, 24) : (28, 28) }
    /// 3 shapes, 2 digits.
    public var defaultObjects: Int { self == .flyingMNIST ? 2 : 3 }
    /// 1 for static images, 21 for sequences (the reference reads 20 EM steps + 1).
    public var defaultFrames: Int { self == .staticShapes ? 1 : 21 }
    /// Binary data gets bitflip noise and a Bernoulli likelihood; grey data masked-uniform noise and a Gaussian.
    public var isBinary: Bool { self != .flyingMNIST }
}

/// What a generator makes: canvas size, frames, objects per sequence.
public struct GeneratorOptions: Sendable, Equatable {
    public var height: Int
    public var width: Int
    public var frames: Int
    public var objects: Int
    /// Speed range in pixels per frame for moving objects (direction uniform on the circle).
    public var speed: ClosedRange<Double>

    public init(height: Int, width: Int, frames: Int, objects: Int, speed: ClosedRange<Double> = 1...2) {
        self.height = height; self.width = width; self.frames = frames; self.objects = objects; self.speed = speed
    }

    /// The paper's defaults for `kind`.
    public init(defaultsFor kind: DatasetKind) {
        self.init(height: kind.defaultSize.height, width: kind.defaultSize.width,
                  frames: kind.defaultFrames, objects: kind.defaultObjects)
    }

    /// Checks the options for objects of at most `largest` and about `typicalArea` pixels (bounding box).
    /// "Fit" means every object fits the canvas and their boxes together cover at most the canvas area.
    func validate(kind: DatasetKind, largest: (height: Int, width: Int), typicalArea: Double) throws {
        let name = kind.rawValue
        guard frames >= 1 else { throw DatasetError.invalidOptions("\(name): --frames must be at least 1, got \(frames)") }
        if kind == .staticShapes && frames != 1 {
            throw DatasetError.invalidOptions("\(name): static images have 1 frame, got --frames \(frames) (use flying-shapes for sequences)")
        }
        guard objects >= 1 else { throw DatasetError.invalidOptions("\(name): --objects must be at least 1, got \(objects)") }
        guard height >= largest.height, width >= largest.width else {
            throw DatasetError.invalidOptions("\(name): a \(height)×\(width) canvas is smaller than its objects (up to \(largest.height)×\(largest.width))")
        }
        let fit = min(255, Int(Double(height * width) / typicalArea))
        guard objects <= fit else {
            throw DatasetError.invalidOptions("\(name): \(objects) objects do not fit on a \(height)×\(width) canvas (at most \(fit) objects of about \(Int(typicalArea.rounded())) pixels)")
        }
        guard speed.lowerBound >= 0, speed.upperBound < Double(min(height, width)) else {
            throw DatasetError.invalidOptions("\(name): speed \(speed) px/frame must be ≥ 0 and below the canvas size")
        }
    }
}

/// One object of a generated sequence, as drawn.
public struct ObjectTrack: Sendable, Equatable {
    /// Group id in `groups` (1-based, in drawing order).
    public let id: Int
    public let sprite: String
    public let height: Int
    public let width: Int
    /// Top-left corner in each frame.
    public let positions: [Position]
    /// Initial velocity in pixels per frame (components flip sign at bounces); zero for static images.
    public let velocityY: Double, velocityX: Double
    /// Wall reflections over the sequence.
    public let bounces: Int

    public struct Position: Sendable, Equatable { public let y: Int, x: Int }
}

/// One generated sequence, in the file's per-sequence chunk layout.
public struct GeneratedSequence: Sendable {
    /// // (T, H, W, C), values in [0, 1]
    public var features: [Float]
    /// Object ids, 0 = unscored. // (T, H, W, C)
    public var groups: [UInt8]
    /// Objects covering each pixel. // (T, H, W, C)
    public var overlaps: [UInt8]
    public var tracks: [ObjectTrack]
}

/// A deterministic source of sequences: sequence `index` of `split` depends only on
/// (seed, split, index), so any number of threads produce the same data in any order.
public protocol SequenceGenerator: Sendable {
    var kind: DatasetKind { get }
    var options: GeneratorOptions { get }
    /// Splits the generator can make (flying MNIST needs the matching IDX files).
    var availableSplits: [Split] { get }
    func sequence(split: Split, index: Int, seed: UInt64) -> GeneratedSequence
}

extension SequenceGenerator {
    public var channels: Int { 1 }
    public var availableSplits: [Split] { Split.allCases }

    /// The shape of a split of `count` sequences.
    public func shape(sequences count: Int) -> SplitShape {
        SplitShape(frames: options.frames, sequences: count, height: options.height, width: options.width, channels: channels)
    }

    /// The random stream of one sequence.
    func rng(split: Split, index: Int, seed: UInt64) -> SeededRNG {
        SeededRNG.derived(seed: seed, stream: split.streamID << 40 | UInt64(index))
    }
}

/// Shared by the moving-object generators: start anywhere the object fits, move with a random
/// direction and a speed in `options.speed`, bounce, and draw each frame with `draw`.
func makeMovingSequence(sprites: [Sprite], options: GeneratorOptions, rng: inout SeededRNG,
                        draw: ([Placement], Int, inout GeneratedSequence) -> Void) -> GeneratedSequence {
    let frameSize = options.height * options.width
    var sequence = GeneratedSequence(features: .init(repeating: 0, count: options.frames * frameSize),
                                     groups: .init(repeating: 0, count: options.frames * frameSize),
                                     overlaps: .init(repeating: 0, count: options.frames * frameSize), tracks: [])
    for (k, sprite) in sprites.enumerated() {
        let motion = BouncingMotion(limitY: Double(options.height - sprite.height), limitX: Double(options.width - sprite.width))
        let startY = rng.nextDouble() * motion.limitY, startX = rng.nextDouble() * motion.limitX
        let angle = rng.nextDouble() * 2 * .pi
        let speed = options.speed.lowerBound + rng.nextDouble() * (options.speed.upperBound - options.speed.lowerBound)
        let vy = options.frames > 1 ? speed * sin(angle) : 0, vx = options.frames > 1 ? speed * cos(angle) : 0
        let path = motion.trajectory(startY: startY, startX: startX, velocityY: vy, velocityX: vx, frames: options.frames)
        sequence.tracks.append(ObjectTrack(id: k + 1, sprite: sprite.name, height: sprite.height, width: sprite.width,
                                           positions: path.positions.map { .init(y: $0.y, x: $0.x) },
                                           velocityY: vy, velocityX: vx, bounces: path.bounces))
    }
    for frame in 0..<options.frames {
        let placements = zip(sprites, sequence.tracks).map { sprite, track in
            Placement(sprite: sprite, y: track.positions[frame].y, x: track.positions[frame].x, id: UInt8(track.id))
        }
        draw(placements, frame * frameSize, &sequence)
    }
    return sequence
}
