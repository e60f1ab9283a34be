import VideoIO

/// Encodes rendered frames with a `VideoWriter` (opened before the run, under a temporary name),
/// carrying each frame's timestamp over. When the graph completes or is interrupted the encoder is
/// flushed and the file renamed into place (playable); when it fails the temporary file is removed.
public struct WriteStage: Stage {
    public let writer: VideoWriter

    public init(writer: VideoWriter) { self.writer = writer }

    public mutating func process(_ frame: RenderedFrame) throws {
        try writer.write(frame.image, timestamp: frame.timestamp)
    }

    public mutating func finish(_ outcome: GraphOutcome) throws {
        if outcome.keepsOutputs { try writer.finish() } else { writer.cancel() }
    }
}
