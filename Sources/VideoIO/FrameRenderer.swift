internal import CFFmpeg

/// What a rendered frame shows.
public enum RenderMode: String, Sendable, CaseIterable {
    /// Each pixel in its component's colour (background black), at the source's size.
    case segmentation
    /// Component colours blended over the source frame, at the source's size.
    case overlay
    /// Four panels for inspecting a model: input | binarized | prediction | segmentation.
    case sideBySide = "side-by-side"
}

/// Draws label maps (at the model's size) as video frames.
///
/// Masks are upscaled nearest-neighbour, so every output pixel has exactly one label. Not
/// thread-safe: one renderer per queue.
public final class FrameRenderer: @unchecked Sendable {
    public let mode: RenderMode
    public let palette: Palette
    /// Weight of the component colour in `overlay` (0: source only, 1: colours only).
    public let opacity: Double
    /// Panel height in `side-by-side`: the model's size times the largest whole factor that fits.
    public let panelHeight: Int

    /// Gap between side-by-side panels, in pixels, and its grey.
    private static let gap = 4
    private static let gapGrey: UInt8 = 64
    private let panelScaler = Scaler(flags: SWS_AREA)
    private var panelScratch: [UInt8] = []

    public init(mode: RenderMode, palette: Palette = .distinct, opacity: Double = 0.5, panelHeight: Int = 240) {
        self.mode = mode
        self.palette = palette
        self.opacity = min(max(opacity, 0), 1)
        self.panelHeight = panelHeight
    }

    /// Size of the frames `render` returns for a source and a model size.
    public func outputSize(sourceWidth: Int, sourceHeight: Int, modelWidth: Int, modelHeight: Int)
        -> (width: Int, height: Int) {
        switch mode {
        case .segmentation, .overlay:
            return (sourceWidth, sourceHeight)
        case .sideBySide:
            let scale = max(1, panelHeight / modelHeight)
            return (4 * modelWidth * scale + 3 * Self.gap, modelHeight * scale)
        }
    }

    /// One output frame.
    /// - Parameters:
    ///   - labels: (h, w) component per pixel at the model's size, 0 = background.
    ///   - source: the input frame at its own size.
    ///   - binarized: (h, w) the model's 0/1 input (side-by-side only).
    ///   - predictions: (h, w) the model's predicted pixels in [0, 1] (side-by-side only).
    public func render(labels: LabelMap, source: RGBImage, binarized: [Float]? = nil,
                       predictions: [Float]? = nil) -> RGBImage {
        let size = outputSize(sourceWidth: source.width, sourceHeight: source.height,
                              modelWidth: labels.width, modelHeight: labels.height)
        var output = RGBImage(width: size.width, height: size.height)
        render(labels: labels, source: source, binarized: binarized, predictions: predictions, into: &output)
        return output
    }

    /// `render`, reusing `output`'s memory when it has the right size (no allocation per frame
    /// in `segmentation` and `overlay`).
    public func render(labels: LabelMap, source: RGBImage, binarized: [Float]? = nil,
                       predictions: [Float]? = nil, into output: inout RGBImage) {
        if mode == .sideBySide {
            output = sideBySide(labels: labels, source: source, binarized: binarized, predictions: predictions)
            return
        }
        if output.width != source.width || output.height != source.height {
            output = RGBImage(width: source.width, height: source.height)
        }
        if mode == .overlay {
            source.pixels.withUnsafeBytes { from in
                output.pixels.withUnsafeMutableBytes { $0.copyMemory(from: from) }
            }
        }
        paint(labels, into: &output, blend: mode == .overlay)
    }

    /// Labels upscaled to the image's size, in palette colours, blended over it or not.
    /// Works in spans: each model pixel covers a run of output columns with one label, so
    /// background runs are skipped when blending and each labelled run is one tight loop.
    private func paint(_ labels: LabelMap, into image: inout RGBImage, blend: Bool) {
        let (width, height) = (image.width, image.height)
        let alpha = blend ? Int((opacity * 256).rounded()) : 256, keep = 256 - alpha
        // Per label: the colour times alpha, so a blended byte is (byte × keep + term) >> 8.
        let terms: [(Int, Int, Int)] = (0..<256).map {
            let colour = palette.colour($0)
            return (Int(colour.r) * alpha, Int(colour.g) * alpha, Int(colour.b) * alpha)
        }
        // Output columns [spans[m], spans[m + 1]) show model column m (nearest: x·w/W = m).
        let spans = (0...labels.width).map { (($0 * width) + labels.width - 1) / labels.width }
        image.pixels.withUnsafeMutableBufferPointer { out in
            guard let out = out.baseAddress else { return }
            labels.labels.withUnsafeBufferPointer { map in
                for y in 0..<height {
                    let modelRow = (y * labels.height / height) * labels.width
                    let row = out + y * width * 3
                    for column in 0..<labels.width {
                        let label = Int(map[modelRow + column])
                        if label == 0 && blend { continue }
                        let (r, g, b) = terms[label]
                        var pixel = row + spans[column] * 3
                        for _ in spans[column]..<spans[column + 1] {
                            pixel[0] = UInt8(truncatingIfNeeded: (Int(pixel[0]) * keep + r) >> 8)
                            pixel[1] = UInt8(truncatingIfNeeded: (Int(pixel[1]) * keep + g) >> 8)
                            pixel[2] = UInt8(truncatingIfNeeded: (Int(pixel[2]) * keep + b) >> 8)
                            pixel += 3
                        }
                    }
                }
            }
        }
    }

    private func sideBySide(labels: LabelMap, source: RGBImage, binarized: [Float]?, predictions: [Float]?) -> RGBImage {
        let (width, height) = outputSize(sourceWidth: source.width, sourceHeight: source.height,
                                         modelWidth: labels.width, modelHeight: labels.height)
        let panelWidth = (width - 3 * Self.gap) / 4
        var canvas = RGBImage(width: width, height: height, fill: RGB(Self.gapGrey, Self.gapGrey, Self.gapGrey))
        let count = labels.width * labels.height
        let panels = [
            scaledSource(source, width: panelWidth, height: height),
            greyPanel(binarized ?? [Float](repeating: 0, count: count), labels, width: panelWidth, height: height),
            greyPanel(predictions ?? [Float](repeating: 0, count: count), labels, width: panelWidth, height: height),
            segmentationPanel(labels, width: panelWidth, height: height),
        ]
        for (number, panel) in panels.enumerated() {
            let left = number * (panelWidth + Self.gap)
            for y in 0..<height {
                let from = y * panelWidth * 3, to = (y * width + left) * 3
                canvas.pixels.replaceSubrange(to..<(to + panelWidth * 3), with: panel.pixels[from..<(from + panelWidth * 3)])
            }
        }
        return canvas
    }

    private func segmentationPanel(_ labels: LabelMap, width: Int, height: Int) -> RGBImage {
        var panel = RGBImage(width: width, height: height)
        paint(labels, into: &panel, blend: false)
        return panel
    }

    /// Values in [0, 1] at the model's size as grey, upscaled nearest-neighbour.
    private func greyPanel(_ values: [Float], _ labels: LabelMap, width: Int, height: Int) -> RGBImage {
        precondition(values.count == labels.width * labels.height, "FrameRenderer: map of \(values.count) values for \(labels.width)×\(labels.height)")
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            let row = (y * labels.height / height) * labels.width
            for x in 0..<width {
                let value = values[row + x * labels.width / width]
                let grey = UInt8((min(max(value, 0), 1) * 255).rounded())
                let i = (y * width + x) * 3
                pixels[i] = grey; pixels[i + 1] = grey; pixels[i + 2] = grey
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The source shrunk (area averaging) or enlarged to one panel.
    private func scaledSource(_ source: RGBImage, width: Int, height: Int) -> RGBImage {
        let stride = (width * 3 + 63) / 64 * 64
        if panelScratch.count < stride * (height + 1) { panelScratch = [UInt8](repeating: 0, count: stride * (height + 1)) }
        let scaled = source.pixels.withUnsafeBufferPointer { pixels in
            panelScratch.withUnsafeMutableBufferPointer { scratch in
                var sourcePlanes: [UnsafePointer<UInt8>?] = [pixels.baseAddress, nil, nil, nil]
                var sourceStrides: [Int32] = [Int32(source.width * 3), 0, 0, 0]
                var planes: [UnsafeMutablePointer<UInt8>?] = [scratch.baseAddress, nil, nil, nil]
                var strides: [Int32] = [Int32(stride), 0, 0, 0]
                return panelScaler.scale(source: &sourcePlanes, sourceStrides: &sourceStrides, sourceWidth: source.width,
                                         sourceHeight: source.height, sourceFormat: AV_PIX_FMT_RGB24,
                                         destination: &planes, destinationStrides: &strides,
                                         width: width, height: height, format: AV_PIX_FMT_RGB24)
            }
        }
        guard scaled else { return RGBImage(width: width, height: height) }   // RGB→RGB never fails
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            pixels.replaceSubrange((y * width * 3)..<((y + 1) * width * 3),
                                   with: panelScratch[(y * stride)..<(y * stride + width * 3)])
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
