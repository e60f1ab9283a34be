import VideoIO

/// Decoded frame → model input: grey, scaled to the model's size (area averaging), binarized by the pipeline's
/// `binarization`, or kept grey in [0, 1] for a model that takes grey values (a Gaussian one, or one that
/// binarizes at its own level, `model.binarize`); keeps the RGB source for overlays.
///
/// Every frame must have the size of the first (the output video has one size).
public struct PrepareStage: Stage {
    private let preparer: FramePreparer
    private let greyInput: Bool
    private let invert: Bool
    private let name: String
    private var size: (width: Int, height: Int)?

    /// - Parameters:
    ///   - width, height: the model's input size.
    ///   - greyInput: hand the model grey values instead of the 0/1 mask.
    ///   - keepSource: convert each frame to RGB at its own size too (overlay, side-by-side).
    ///   - name: the input's name, for messages.
    public init(width: Int, height: Int, binarization: VideoIO.Binarization, greyInput: Bool,
                keepSource: Bool, name: String) {
        preparer = FramePreparer(width: width, height: height, binarization: binarization, keepSource: keepSource)
        self.greyInput = greyInput
        invert = binarization.invert
        self.name = name
    }

    public mutating func process(_ frame: VideoFrame) throws -> PreparedFrame {
        if let size, size != (frame.width, frame.height) {
            throw VideoIOError.badConfiguration(
                path: name, reason: "frame \(frame.index) is \(frame.width)×\(frame.height) but the video began at \(size.width)×\(size.height); a size change is not supported")
        }
        size = (frame.width, frame.height)
        var prepared = try preparer.prepare(frame)
        if greyInput {
            // Grey values, not the 0/1 mask. (H·W)
            prepared.input = prepared.grey.map { Float(invert ? 255 - $0 : $0) / 255 }
        }
        return prepared
    }
}
