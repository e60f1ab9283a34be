/// The three top-level groups of the original files.
public enum Split: String, CaseIterable, Sendable, Codable {
    case training, validation, test

    /// A small number per split, used to derive independent random streams.
    var streamID: UInt64 {
        switch self {
        case .training: return 1
        case .validation: return 2
        case .test: return 3
        }
    }
}

/// The element type of a stored `features` dataset.
public enum FeatureType: String, CaseIterable, Sendable {
    /// Values in [0, 1], the original files' type.
    case float32
    /// Values 0...255 meaning value/255: our compact files (4× smaller before compression).
    case uint8
}

/// Shape of one split: `features` and `groups` are both (T, N, H, W, C).
public struct SplitShape: Equatable, Sendable, CustomStringConvertible {
    public var frames: Int      // T
    public var sequences: Int   // N
    public var height: Int      // H
    public var width: Int       // W
    public var channels: Int    // C

    public init(frames: Int, sequences: Int, height: Int, width: Int, channels: Int) {
        self.frames = frames; self.sequences = sequences
        self.height = height; self.width = width; self.channels = channels
    }

    /// Elements of one frame of one sequence: H·W·C.
    public var frameSize: Int { height * width * channels }
    /// Elements of one sequence: T·H·W·C.
    public var sequenceSize: Int { frames * frameSize }

    var dims: [UInt64] { [frames, sequences, height, width, channels].map(UInt64.init) }

    public var description: String { "(\(frames), \(sequences), \(height), \(width), \(channels))" }
}

/// A mini-batch in the layout the trainer consumes: plain arrays, time-major like the files.
public struct Batch: Sendable, Equatable {
    /// Pixel values in [0, 1]. // (T, B, H, W, C)
    public var features: [Float]
    /// Object ids, 0 = unscored (background, and overlaps where the data kind says so). // (T, B, H, W, C)
    public var groups: [Int32]
    public var t: Int, b: Int, h: Int, w: Int, c: Int

    public init(features: [Float], groups: [Int32], t: Int, b: Int, h: Int, w: Int, c: Int) {
        precondition(features.count == t * b * h * w * c && groups.count == features.count,
                     "Batch arrays must hold T·B·H·W·C elements")
        self.features = features; self.groups = groups
        self.t = t; self.b = b; self.h = h; self.w = w; self.c = c
    }

    /// Elements of one frame of one sequence: H·W·C.
    public var frameSize: Int { h * w * c }
}
