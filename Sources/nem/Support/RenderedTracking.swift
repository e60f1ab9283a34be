import Datasets
import Foundation
import NeuralEM
import Pipeline
import VideoIO

/// Runs `nem track`'s pipeline on a generated sequence rendered as an enlarged H.264 video, and
/// reads the exported masks back at the sequence's own size, for scoring against its groups.
struct RenderedTracking {
    let model: String
    /// The folder the videos and masks go to (one sub-folder per sequence).
    let work: String
    /// Enlargement of the rendered video (10: 28×28 becomes 280×280).
    let scale: Int
    var components: Int?
    /// `tracker.warmup_steps`; nil: the pipeline's default.
    var warmupSteps: Int?

    /// Labels per frame at the sequence's size, (T, H·W), as read back from the exported PNG masks.
    func track(_ video: SequenceVideo, name: String) throws -> [[UInt8]] {
        let folder = work + "/" + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try video.write(to: folder + "/input.mp4", scale: scale)
        var config = PipelineConfig.maskExport(input: folder + "/input.mp4", folder: folder, model: model, components: components)
        if let warmupSteps { config.tracker.warmupSteps = warmupSteps }
        _ = try TrackingPipeline(config: config).run()
        return try (0..<video.frames).map { t in
            try readMask(String(format: "%@/masks/%05d.png", folder, t), width: video.width, height: video.height)
        }
    }

    /// The labels of a mask PNG sampled at the centre of each `scale × scale` block.
    private func readMask(_ path: String, width: Int, height: Int) throws -> [UInt8] {
        let reader = try VideoReader(.path(path))
        guard let indices = try reader.nextFrame()?.paletteIndices()?.indices else {
            throw ConfigError.mismatch("\(path): not an indexed PNG mask")
        }
        let rowBytes = reader.width
        return (0..<(width * height)).map { p in
            indices[(p / width * scale + scale / 2) * rowBytes + p % width * scale + scale / 2]
        }
    }
}

/// The ground-truth groups of frame `t` as scored (0: background or overlap, not scored). (H·W)
func scoredGroups(_ video: SequenceVideo, frame t: Int) -> [Int32] {
    let pixels = video.height * video.width
    return (0..<pixels).map { Int32(video.sequence.groups[t * pixels + $0]) }
}

/// AMI (`max` normalisation, background excluded) of each frame's labels against its groups.
func frameAMI(_ labels: [[UInt8]], _ video: SequenceVideo) -> [Double] {
    labels.indices.map { t in
        scoreLabels(predicted: labels[t].map(Int32.init), groups: scoredGroups(video, frame: t), batch: 1,
                    pixels: labels[t].count).amiMax[0]
    }
}

extension PipelineConfig {
    /// `nem track INPUT` writing FOLDER/tracked.mp4 (fast preset) and FOLDER/masks, quietly: how the
    /// scoring benchmarks run the pipeline.
    static func maskExport(input: String, folder: String, model: String, components: Int?) -> PipelineConfig {
        var config = PipelineConfig()
        config.input.path = input
        config.output.path = folder + "/tracked.mp4"
        config.output.preset = .ultrafast
        config.output.masks = folder + "/masks"
        config.tracker.model = model
        config.tracker.components = components
        config.progress.display = .none
        return config
    }
}
