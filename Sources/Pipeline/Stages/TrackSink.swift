import VideoIO

/// Writes the tracks (MOT Challenge rows: frame, id = component, box in source pixels, mean γ).
public struct TrackSink: Stage {
    public let writer: TrackWriter

    public init(writer: TrackWriter) { self.writer = writer }

    public mutating func process(_ frame: LabelledFrame) throws {
        try writer.write(frame: frame.prepared.index, labels: frame.labelMap, confidence: frame.tracked.confidence)
    }

    public mutating func finish(_ outcome: GraphOutcome) throws {
        if outcome.keepsOutputs { try writer.finish() } else { writer.cancel() }
    }
}
