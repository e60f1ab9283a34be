import VideoIO

/// The head of the flow: decodes frames from a file or stdin with a `VideoReader`.
///
/// The reader is opened before the graph runs (so a missing or unreadable input fails before
/// any output is created); this source only pulls frames from it. Frames whose longer side is
/// above `maxSide` are refused.
public struct ReadStage: Source {
    public let reader: VideoReader
    /// `preparation.max_input_size`: the longest side accepted, in pixels.
    public let maxSide: Int

    public init(reader: VideoReader, maxSide: Int = 8192) {
        self.reader = reader
        self.maxSide = maxSide
    }

    public mutating func next() throws -> VideoFrame? {
        guard let frame = try reader.nextFrame() else { return nil }
        guard max(frame.width, frame.height) <= maxSide else {
            throw VideoIOError.badConfiguration(
                path: reader.name,
                reason: "frame \(frame.index) is \(frame.width)×\(frame.height), above preparation.max_input_size (\(maxSide) pixels a side)")
        }
        return frame
    }
}
