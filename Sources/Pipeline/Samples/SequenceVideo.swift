import Datasets
import VideoIO

/// Writes a generated sequence as a video, enlarged nearest-neighbour so every model pixel becomes a
/// `scale × scale` block, with its ground truth as indexed PNG masks at the video's size.
///
/// Masks follow the DAVIS layout `nem track --masks` writes: 0 background, 1…n the object drawn
/// there, 255 ("void") where objects overlap (unscored, as in the datasets).
public struct SequenceVideo {
    public let sequence: GeneratedSequence
    /// (T, H, W) of the sequence (one channel).
    public let frames: Int
    public let height: Int
    public let width: Int

    public init(_ sequence: GeneratedSequence, frames: Int, height: Int, width: Int) {
        precondition(sequence.features.count == frames * height * width, "SequenceVideo: one channel of \(frames)×\(height)×\(width) expected")
        self.sequence = sequence
        self.frames = frames
        self.height = height
        self.width = width
    }

    /// The label map of frame `t`: (H, W) object ids, 255 on overlaps.
    public func groundTruth(frame t: Int) -> LabelMap {
        let pixels = height * width
        var labels = [UInt8](repeating: 0, count: pixels)
        for p in 0..<pixels {
            let i = t * pixels + p
            labels[p] = sequence.groups[i] != 0 ? sequence.groups[i] : sequence.features[i] > 0 ? 255 : 0
        }
        return LabelMap(width: width, height: height, labels: labels)
    }

    /// Frame `t` enlarged `scale` times, white objects on black.
    public func image(frame t: Int, scale: Int) -> RGBImage {
        let (outWidth, outHeight) = (width * scale, height * scale)
        var pixels = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                let value = sequence.features[(t * height + y / scale) * width + x / scale]
                let byte = UInt8(max(0, min(255, (value * 255).rounded())))
                let o = (y * outWidth + x) * 3
                pixels[o] = byte; pixels[o + 1] = byte; pixels[o + 2] = byte
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: pixels)
    }

    /// Writes the video (codec from the extension; H.264 for .mp4 at `crf`) and, with `masks`, the
    /// ground-truth PNGs into that folder.
    public func write(to path: String, scale: Int, frameRate: FrameRate = FrameRate(25), crf: Int? = nil,
                      masks: String? = nil, overwrite: Bool = false) throws {
        let writer = try VideoWriter(path: path, width: width * scale, height: height * scale,
                                     options: .init(frameRate: frameRate, crf: crf, overwrite: overwrite))
        let maskWriter = try masks.map {
            try MaskWriter(folder: $0, width: width * scale, height: height * scale, overwrite: overwrite)
        }
        for t in 0..<frames {
            try writer.write(image(frame: t, scale: scale))
            try maskWriter?.write(groundTruth(frame: t), index: t)
        }
        try writer.finish()
    }
}
