import NeuralEM
import VideoIO

/// Runs the RNN-EM `Tracker` on each prepared frame, in order, carrying θ, ψ and γ across frames.
public struct TrackStage: Stage {
    public let tracker: Tracker
    private let width: Int
    private let height: Int

    /// - Parameter tracker: a tracker for the model whose input size the frames were prepared to.
    public init(tracker: Tracker) {
        self.tracker = tracker
        height = tracker.frameShape[0]
        width = tracker.frameShape[1]
    }

    public mutating func process(_ frame: PreparedFrame) throws -> LabelledFrame {
        LabelledFrame(prepared: frame, tracked: tracker.track(frame.input), width: width, height: height)
    }
}
