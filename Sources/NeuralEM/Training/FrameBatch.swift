import Autodiff
import Datasets

/// A batch of sequences turned into what the EM cell reads: per frame, the noisy input and the clean
/// target as (B, 1, H, W, C) tensors, and the true groups for scoring.
struct FrameBatch {
    /// T + 1 noisy frames, each (B, 1, H, W, C).
    let inputs: [Tensor]
    /// T + 1 clean frames, each (B, 1, H, W, C).
    let targets: [Tensor]
    /// (T + 1, B, H·W·C) true object ids, 0 = unscored.
    let groups: [Int32]
    let batch: Int

    /// - Parameters:
    ///   - frames: T + 1; a static batch (T = 1) is tiled over the frames, as the reference tiles static
    ///     images over EM steps, before fresh noise is drawn for every frame.
    ///   - binarize: the model's ``ModelConfig/binarize`` level: values ≥ it become 1, the rest 0, before the noise.
    init(_ data: Batch, frames: Int, frameShape: [Int], binarize: Float? = nil, noise: inout NoiseSource) throws {
        guard [data.h, data.w, data.c] == frameShape else {
            throw ConfigError.mismatch("the data's frames are \(data.h)×\(data.w)×\(data.c), the model takes \(frameShape[0])×\(frameShape[1])×\(frameShape[2])")
        }
        guard data.t >= frames || data.t == 1 else {
            throw ConfigError.mismatch("the data have \(data.t) frames per sequence, \(frames - 1) EM steps need \(frames)")
        }
        let frameCount = data.b * data.frameSize
        var clean = [Float](), groups = [Int32]()
        clean.reserveCapacity(frames * frameCount)
        groups.reserveCapacity(frames * frameCount)
        for t in 0..<frames {
            let source = (data.t == 1 ? 0 : t) * frameCount
            clean += data.features[source..<source + frameCount]
            groups += data.groups[source..<source + frameCount]
        }
        clean = ModelConfig.binarized(clean, at: binarize)
        let noisy = noise.corrupt(clean)
        let shape = [data.b, 1] + frameShape
        func frame(_ values: [Float], _ t: Int) -> Tensor {
            Tensor(shape: shape) { buffer in
                values.withUnsafeBufferPointer { src in
                    _ = buffer.update(fromContentsOf: UnsafeBufferPointer(rebasing: src[t * frameCount..<(t + 1) * frameCount]))
                }
            }
        }
        inputs = (0..<frames).map { frame(noisy, $0) }
        targets = (0..<frames).map { frame(clean, $0) }
        self.groups = groups
        batch = data.b
    }
}
