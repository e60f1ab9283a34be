internal import CFFmpeg

/// A frame made ready for the model, with what rendering needs next to it.
public struct PreparedFrame: Sendable {
    public let index: Int
    public let timestamp: Double
    /// (H, W) model input: 1 for foreground, 0 for background.
    public var input: [Float]
    /// (H, W) grey at the model's size, before thresholding (and before `invert`).
    public var grey: [UInt8]
    /// The threshold that made `input` from `grey`.
    public var threshold: UInt8
    /// The frame at its own size in RGB, for overlays; nil unless asked for.
    public var source: RGBImage?
}

/// Turns decoded frames into model input: grey, scaled to the model's size with swscale's
/// area averaging straight from the decoder's pixel format, then binarized.
///
/// One swscale context per conversion is kept and reused; frames of a new size or format
/// rebuild it. Not thread-safe: one preparer per queue.
public final class FramePreparer: @unchecked Sendable {
    /// The model's input size.
    public let width: Int
    public let height: Int
    /// Whether `prepare` also returns the source frame in RGB.
    public let keepsSource: Bool
    private var binarizer: Binarizer
    private let greyScaler = Scaler(flags: SWS_AREA)
    private let rgbScaler = Scaler(flags: SWS_BILINEAR | SWS_ACCURATE_RND | SWS_BITEXACT)
    private let greyStride: Int
    private var greyScratch: [UInt8]
    private var rgbScratch: [UInt8] = []

    /// - Parameters:
    ///   - width, height: the model's input size (e.g. 28 × 28).
    ///   - keepSource: also convert each frame to RGB at its own size (for overlays).
    public init(width: Int, height: Int, binarization: Binarization = Binarization(), keepSource: Bool = true) {
        precondition(width > 0 && height > 0, "FramePreparer: model size \(width)×\(height)")
        self.width = width
        self.height = height
        self.keepsSource = keepSource
        binarizer = Binarizer(binarization)
        greyStride = (width + 63) / 64 * 64
        // Scratch planes are padded (stride and one extra row): swscale's vector code may
        // write past the end of a row.
        greyScratch = [UInt8](repeating: 0, count: greyStride * (height + 1))
    }

    /// Grey, scaled, binarized (and RGB at source size when `keepSource`).
    public func prepare(_ frame: VideoFrame) throws -> PreparedFrame {
        let decoded = UnsafePointer(frame.box.frame)
        var grey = [UInt8](repeating: 0, count: width * height)
        try convert(decoded, frame: frame, scaler: greyScaler, scratch: &greyScratch, stride: greyStride,
                    width: width, height: height, format: AV_PIX_FMT_GRAY8, into: &grey)
        var input = [Float](repeating: 0, count: width * height)
        let threshold = binarizer.binarize(grey, into: &input)
        var source: RGBImage?
        if keepsSource {
            let rowBytes = frame.width * 3
            let stride = (rowBytes + 63) / 64 * 64
            if rgbScratch.count < stride * (frame.height + 1) {
                rgbScratch = [UInt8](repeating: 0, count: stride * (frame.height + 1))
            }
            var pixels = [UInt8](repeating: 0, count: rowBytes * frame.height)
            try convert(decoded, frame: frame, scaler: rgbScaler, scratch: &rgbScratch, stride: stride,
                        width: frame.width, height: frame.height, format: AV_PIX_FMT_RGB24, into: &pixels)
            source = RGBImage(width: frame.width, height: frame.height, pixels: pixels)
        }
        return PreparedFrame(index: frame.index, timestamp: frame.timestamp, input: input, grey: grey,
                             threshold: threshold, source: source)
    }

    /// Converts `decoded` into the packed plane `output` (rows of `output.count / height` bytes)
    /// by way of the padded `scratch`.
    private func convert(_ decoded: UnsafePointer<AVFrame>, frame: VideoFrame, scaler: Scaler,
                         scratch: inout [UInt8], stride: Int, width: Int, height: Int,
                         format: AVPixelFormat, into output: inout [UInt8]) throws {
        let converted = scratch.withUnsafeMutableBufferPointer { buffer -> Bool in
            var planes: [UnsafeMutablePointer<UInt8>?] = [buffer.baseAddress, nil, nil, nil]
            var strides: [Int32] = [Int32(stride), 0, 0, 0]
            return scaler.scale(frame: decoded, into: &planes, strides: &strides,
                                width: width, height: height, format: format)
        }
        guard converted else {
            throw VideoIOError.badConfiguration(
                path: "frame \(frame.index)",
                reason: "swscale cannot convert \(frame.pixelFormat) \(frame.width)×\(frame.height) to \(pixelFormatName(format))")
        }
        let rowBytes = output.count / height
        scratch.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                for y in 0..<height {
                    (destination.baseAddress! + y * rowBytes)
                        .update(from: source.baseAddress! + y * stride, count: rowBytes)
                }
            }
        }
    }
}
