internal import CFFmpeg

/// One decoded frame, in presentation order.
///
/// The pixels stay in the decoder's own format (no copy); `FramePreparer` converts them for
/// the model and keeps an RGB copy for overlays.
public struct VideoFrame: Sendable {
    /// 0, 1, 2, … in the order frames are returned (frames skipped as corrupt are not counted).
    public let index: Int
    /// Presentation time in seconds since the start of the stream.
    public let timestamp: Double
    let box: FrameBox

    init(index: Int, timestamp: Double, box: FrameBox) {
        self.index = index
        self.timestamp = timestamp
        self.box = box
    }

    public var width: Int { Int(box.frame.pointee.width) }
    public var height: Int { Int(box.frame.pointee.height) }

    /// The decoder's pixel format, by FFmpeg's name ("yuv420p", "yuv420p10le", "pal8", …).
    public var pixelFormat: String { pixelFormatName(AVPixelFormat(box.frame.pointee.format)) }

    /// For palette images (`pal8`, e.g. indexed PNG masks): the (H, W) indices and the
    /// 256-colour palette. Nil for any other pixel format.
    public func paletteIndices() -> (indices: [UInt8], palette: [RGB])? {
        let frame = box.frame.pointee
        guard AVPixelFormat(frame.format) == AV_PIX_FMT_PAL8,
              let plane = frame.data.0, let paletteBytes = frame.data.1 else { return nil }
        let (width, height, stride) = (Int(frame.width), Int(frame.height), Int(frame.linesize.0))
        var indices = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width { indices[y * width + x] = plane[y * stride + x] }
        }
        // The palette is 256 native-endian 0xAARRGGBB words.
        let palette = paletteBytes.withMemoryRebound(to: UInt32.self, capacity: 256) { words in
            (0..<256).map { i in
                let argb = words[i]
                return RGB(UInt8(truncatingIfNeeded: argb >> 16), UInt8(truncatingIfNeeded: argb >> 8),
                           UInt8(truncatingIfNeeded: argb))
            }
        }
        return (indices, palette)
    }
}
