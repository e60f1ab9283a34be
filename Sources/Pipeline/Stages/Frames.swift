import NeuralEM
import VideoIO

/// A frame after the tracker: what the model saw and what it said, with the source for rendering.
public struct LabelledFrame: Sendable {
    /// The prepared frame: index, timestamp, model input (H·W), source RGB (for overlays).
    public let prepared: PreparedFrame
    /// Labels (H·W, 0 = background), confidence, γ (K, H·W) and ψ (K, H·W·C).
    public let tracked: TrackedFrame
    /// The model's input size.
    public let width: Int
    public let height: Int

    public init(prepared: PreparedFrame, tracked: TrackedFrame, width: Int, height: Int) {
        self.prepared = prepared
        self.tracked = tracked
        self.width = width
        self.height = height
    }

    /// The labels as a map at the model's size.
    public var labelMap: LabelMap { LabelMap(width: width, height: height, labels: tracked.labels) }
}

/// A frame drawn for the output video, with the input's timestamp.
public struct RenderedFrame: Sendable {
    public let index: Int
    public let timestamp: Double
    public let image: RGBImage

    public init(index: Int, timestamp: Double, image: RGBImage) {
        self.index = index
        self.timestamp = timestamp
        self.image = image
    }
}
