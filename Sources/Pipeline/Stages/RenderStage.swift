import VideoIO

/// Draws each labelled frame in the configured mode (segmentation, overlay, side-by-side).
public struct RenderStage: Stage {
    private let renderer: FrameRenderer
    /// Stands in for the source in `segmentation` mode, which needs only its size.
    private let blank: RGBImage
    private let components: Int

    /// - Parameters:
    ///   - sourceWidth, sourceHeight: the input's size.
    ///   - components: K, to mix the predictions for the side-by-side panel.
    public init(mode: VideoIO.RenderMode, sourceWidth: Int, sourceHeight: Int, components: Int) {
        renderer = FrameRenderer(mode: mode)
        blank = RGBImage(width: sourceWidth, height: sourceHeight)
        self.components = components
    }

    /// Size of the rendered frames for a model of `modelWidth × modelHeight`.
    public func outputSize(modelWidth: Int, modelHeight: Int) -> (width: Int, height: Int) {
        renderer.outputSize(sourceWidth: blank.width, sourceHeight: blank.height, modelWidth: modelWidth, modelHeight: modelHeight)
    }

    public mutating func process(_ frame: LabelledFrame) throws -> RenderedFrame {
        let source = frame.prepared.source ?? blank
        let image: RGBImage
        if renderer.mode == .sideBySide {
            image = renderer.render(labels: frame.labelMap, source: source, binarized: frame.prepared.input,
                                    predictions: reconstruction(frame))
        } else {
            image = renderer.render(labels: frame.labelMap, source: source)
        }
        return RenderedFrame(index: frame.prepared.index, timestamp: frame.prepared.timestamp, image: image)
    }

    /// Σ_k γ_k ψ_k of the first channel: the model's picture of the frame. (H·W)
    private func reconstruction(_ frame: LabelledFrame) -> [Float] {
        let pixels = frame.width * frame.height
        let channels = frame.tracked.predictions.count / max(1, components * pixels)
        var mixed = [Float](repeating: 0, count: pixels)
        for k in 0..<components {
            for p in 0..<pixels {
                mixed[p] += frame.tracked.gamma[k * pixels + p] * frame.tracked.predictions[(k * pixels + p) * channels]
            }
        }
        return mixed
    }
}
