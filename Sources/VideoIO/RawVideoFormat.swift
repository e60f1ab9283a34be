/// Uncompressed frames with no container (e.g. `--raw 640x480 --pix-fmt gray --fps 30` on
/// stdin): the reader must be told their size, pixel layout and rate.
public struct RawVideoFormat: Sendable, Equatable {
    /// Pixel layouts accepted for raw input.
    public enum PixelFormat: String, Sendable, CaseIterable {
        /// One byte per pixel.
        case gray
        /// Three bytes per pixel: R, G, B.
        case rgb24
        /// Planar Y, then U and V at half width and height (I420).
        case yuv420p
    }

    public var width: Int
    public var height: Int
    public var pixelFormat: PixelFormat
    public var frameRate: FrameRate

    public init(width: Int, height: Int, pixelFormat: PixelFormat, frameRate: FrameRate) {
        self.width = width
        self.height = height
        self.pixelFormat = pixelFormat
        self.frameRate = frameRate
    }

    /// Parses "WxH" (e.g. "640x480").
    public static func parseSize(_ text: String) -> (width: Int, height: Int)? {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]),
              width > 0, height > 0 else { return nil }
        return (width, height)
    }

    /// Bytes in one frame.
    public var frameBytes: Int {
        switch pixelFormat {
        case .gray: return width * height
        case .rgb24: return width * height * 3
        case .yuv420p: return width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2)
        }
    }
}
