/// An 8-bit RGB image, rows packed top to bottom with no padding.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// (H, W, 3) bytes: R, G, B of each pixel in row-major order.
    public var pixels: [UInt8]

    /// An image of `pixels` (H·W·3 bytes).
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3,
                     "RGBImage: \(pixels.count) bytes for \(width)×\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image filled with one colour.
    public init(width: Int, height: Int, fill: RGB = RGB(0, 0, 0)) {
        precondition(width > 0 && height > 0, "RGBImage: empty size \(width)×\(height)")
        self.width = width
        self.height = height
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: pixels.count, by: 3) {
            pixels[i] = fill.r; pixels[i + 1] = fill.g; pixels[i + 2] = fill.b
        }
        self.pixels = pixels
    }

    /// The colour at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> RGB {
        let i = (y * width + x) * 3
        return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
    }
}

/// One 8-bit RGB colour.
public struct RGB: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r; self.g = g; self.b = b
    }

    public var description: String { "(\(r), \(g), \(b))" }
}

/// A segmentation at the model's size: one component label per pixel, 0 = background,
/// 1…K = components.
public struct LabelMap: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// (H, W) labels in row-major order.
    public var labels: [UInt8]

    public init(width: Int, height: Int, labels: [UInt8]) {
        precondition(width > 0 && height > 0 && labels.count == width * height,
                     "LabelMap: \(labels.count) labels for \(width)×\(height)")
        self.width = width
        self.height = height
        self.labels = labels
    }
}
