import Foundation
import NeuralEM

/// The typed configuration of a `nem track` run: `pipeline.yaml`, then command-line overrides.
///
/// Every key has a default (`PipelineConfig()` is the file at the top of the repo), so a
/// `pipeline.yaml` need only hold what it changes. Load with `PipelineConfig.load(file:overrides:)`;
/// the keys, their values and their documentation live in one table (`ConfigKeys.swift`),
/// which also prints the effective configuration and the README's reference table.
public struct PipelineConfig: Equatable, Sendable {
    public var input = Input()
    public var preparation = Preparation()
    public var tracker = Tracker()
    public var output = Output()
    public var queues = Queues()
    public var progress = Progress()

    public init() {}

    /// Where frames come from.
    public struct Input: Equatable, Sendable {
        /// A video file, or "-" for stdin; `nil` when the command line gives it.
        public var path: String?
        /// Frames are raw (no container) of this size; `nil`: the input is a container.
        public var rawSize: FrameSize?
        public var rawPixelFormat = RawPixelFormat.gray
        public var rawFramesPerSecond = 25.0
    }

    /// How frames become the model's input: grey, scaled to the model's size, binarized.
    public struct Preparation: Equatable, Sendable {
        public var binarize = Binarization.auto
        /// The fixed threshold, as a fraction of full intensity, for `binarize: threshold`.
        public var threshold = 0.5
        /// Objects are dark on a light background.
        public var invert = false
        /// Frames whose longer side exceeds this many pixels are refused.
        public var maxInputSize = 8192
    }

    /// The RNN-EM tracker.
    public struct Tracker: Equatable, Sendable {
        public var model = "samples/models/flying-shapes.safetensors"
        /// K; `nil`: the model's own.
        public var components: Int?
        public var emStepsPerFrame = 1
        /// Extra EM steps on the first frame after a reset (0: none, as batch evaluation); `nil`: the model's
        /// `model.warmup_steps` (what it was trained with), or ``defaultWarmupSteps`` when it has none, which
        /// brings the first frames' grouping up to that of later ones for a model trained without (docs/track.md).
        public var warmupSteps: Int?
        public static let defaultWarmupSteps = 20
        /// Searches for a start on a first frame, the best kept (`nil`: the model's).
        public var restarts: Int?
        /// Whether the restarts end on the first frame or go on through the stream (`nil`: the model's).
        public var restartScope: RestartScope?
        /// How many of the carried runs label a frame (`nil`: the model's `model.restart_vote`).
        public var restartVote: Int?
        /// Threads for the tracker's matrix products (process-wide: OpenBLAS and the engine's loops).
        public var threads = 1
        /// Reset θ when this fraction of pixels changes between two frames; `nil`: never.
        public var sceneCutThreshold: Double? = 0.5
    }

    /// What is written.
    public struct Output: Equatable, Sendable {
        /// The video; `nil`: beside the input's name (`video.mp4` → `video-tracked.mp4`).
        public var path: String?
        public var mode = RenderMode.overlay
        public var codec = VideoCodec.auto
        public var container = VideoContainer.auto
        public var crf = 23
        public var preset = EncoderPreset.medium
        public var overwrite = false
        /// A directory for per-frame PNG label masks; `nil`: none.
        public var masks: String?
        /// A MOT-format tracks file; `nil`: none.
        public var tracks: String?
    }

    /// Capacity of the queue in front of each stage (frames waiting for it).
    public struct Queues: Equatable, Sendable {
        public var prepare = 4
        public var track = 4
        public var render = 4
        public var write = 8
        public var masks = 8
        public var tracks = 8
    }

    /// What the command prints while it runs.
    public struct Progress: Equatable, Sendable {
        public var display = ProgressDisplay.auto
        /// Seconds between plain progress lines.
        public var interval = 2.0
        /// Print per-stage statistics at the end (`--stats`).
        public var stats = false
    }
}

/// A frame size, written `WIDTHxHEIGHT`.
public struct FrameSize: Equatable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Parses `640x480`.
    public init?(_ text: String) {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]),
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        self.init(width: width, height: height)
    }

    public var description: String { "\(width)x\(height)" }
}

public enum RawPixelFormat: String, CaseIterable, Sendable {
    case gray, rgb24, yuv420p
}

public enum Binarization: String, CaseIterable, Sendable {
    /// Otsu on the first frames, then that threshold fixed.
    case auto
    /// `preparation.threshold`.
    case threshold
    /// Otsu on every frame.
    case otsu
}

public enum RenderMode: String, CaseIterable, Sendable {
    /// A colour per label.
    case segmentation
    /// Labels blended on the source frame.
    case overlay
    /// Input | binarized | prediction | segmentation.
    case sideBySide = "side-by-side"
}

public enum VideoCodec: String, CaseIterable, Sendable {
    case auto, h264, hevc, mpeg4, vp9, ffv1, gif
}

public enum VideoContainer: String, CaseIterable, Sendable {
    case auto, mp4, mov, mkv, webm, avi, gif

    /// The container a file name implies (`nil` for an unknown extension).
    public init?(pathExtension: String) {
        guard let container = VideoContainer(rawValue: pathExtension.lowercased()), container != .auto
        else { return nil }
        self = container
    }
}

public enum EncoderPreset: String, CaseIterable, Sendable {
    case ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow
}

public enum ProgressDisplay: String, CaseIterable, Sendable {
    /// A bar on a terminal, plain lines otherwise.
    case auto
    case bar, lines, none
}

extension PipelineConfig {
    /// The video to write: `output.path`, or the input's name with `-tracked.mp4`
    /// (`clips/a.mov` → `clips/a-tracked.mp4`; stdin → `tracked.mp4`); `nil` without an input.
    public var resolvedOutputPath: String? {
        if let path = output.path { return path }
        guard let input = input.path else { return nil }
        guard input != "-" else { return "tracked.mp4" }
        let name = (input as NSString).lastPathComponent
        let stem = (name as NSString).deletingPathExtension
        let directory = (input as NSString).deletingLastPathComponent
        let file = (stem.isEmpty ? name : stem) + "-tracked.mp4"
        return directory.isEmpty ? file : (directory as NSString).appendingPathComponent(file)
    }
}
