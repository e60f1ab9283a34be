import ArgumentParser
import Datasets
import Foundation
import NeuralEM
import Pipeline

/// `nem bench identity`: do objects keep their identity over a long stream? Long flying-shapes
/// streams are rendered 10× with H.264 and tracked by the pipeline; from the exported masks it
/// prints the AMI over frames 2–21 and over the last 100 frames (target: within 0.03), and the
/// colour swaps: how often an object's majority label changes from one frame to the next.
struct BenchIdentity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity", abstract: "AMI early vs late and colour swaps over long tracked streams.")

    @Option(help: "The model (.safetensors).") var model = "samples/models/flying-shapes.safetensors"
    @Option(help: "Frames per stream.") var frames = 1000
    @Option(help: "Streams (each a different sequence).") var streams = 3
    @Option(help: "Generator seed.") var seed: UInt64 = 2027
    @Option(help: "Enlargement of the rendered videos.") var scale = 10
    @Option(help: "An object counts in a frame when at least this many of its pixels are scored.") var minimumPixels = 5
    @Option(help: "tracker.warmup_steps: extra EM steps on the first frame (default: the pipeline's).")
    var warmupSteps: Int?

    func run() throws {
        try reportingErrors("bench identity") {
            guard frames >= 121, streams > 0 else { throw ValidationError("--frames must be at least 121, --streams positive") }
            let (loaded, _) = try NEMModel.load(from: URL(fileURLWithPath: model))
            let (height, width) = (loaded.config.frameShape[0], loaded.config.frameShape[1])
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("nem-identity-\(getpid())").path
            defer { try? FileManager.default.removeItem(atPath: work) }
            let generator = try FlyingShapes(options: GeneratorOptions(height: height, width: width, frames: frames, objects: 3))
            let tracking = RenderedTracking(model: model, work: work, scale: scale, warmupSteps: warmupSteps)
            var early = 0.0, late = 0.0, swaps = 0, visible = 0
            for stream in 0..<streams {
                let video = SequenceVideo(generator.sequence(split: .test, index: stream, seed: seed), frames: frames,
                                          height: height, width: width)
                let labels = try tracking.track(video, name: "stream-\(stream)")
                let ami = frameAMI(labels, video)
                let (e, l) = (mean(ami[1...20]), mean(ami[(frames - 100)...]))
                let (s, v) = colourSwaps(labels, video)
                print(String(format: "stream %d: AMI frames 2–21 %.4f, last 100 %.4f (difference %+.4f); %d colour swaps in %d object-frames",
                             stream, e, l, l - e, s, v))
                early += e / Double(streams); late += l / Double(streams); swaps += s; visible += v
            }
            print(String(format: "%d streams of %d frames, model %@, %d warm-up steps: AMI frames 2–21 %.4f, last 100 frames %.4f, difference %+.4f (target within ±0.03): %@",
                         streams, frames, model, warmupSteps ?? loaded.config.warmupSteps ?? PipelineConfig.Tracker.defaultWarmupSteps, early, late, late - early, abs(late - early) <= 0.03 ? "met" : "NOT met"))
            print(String(format: "colour swaps: %d in %d object-frames (%.3f%%): an object's majority label changed from one frame to the next",
                         swaps, visible, 100 * Double(swaps) / Double(max(visible, 1))))
        }
    }

    /// For each object in each frame where it has at least `minimumPixels` scored pixels in this
    /// and the previous frame: whether its majority label changed. Returns (changes, object-frames).
    private func colourSwaps(_ labels: [[UInt8]], _ video: SequenceVideo) -> (Int, Int) {
        var previous: [Int32: UInt8] = [:]
        var swaps = 0, counted = 0
        for t in labels.indices {
            let groups = scoredGroups(video, frame: t)
            var votes: [Int32: [UInt8: Int]] = [:]
            for (group, label) in zip(groups, labels[t]) where group != 0 && label != 0 { votes[group, default: [:]][label, default: 0] += 1 }
            var current: [Int32: UInt8] = [:]
            for (group, counts) in votes where counts.values.reduce(0, +) >= minimumPixels {
                current[group] = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
            }
            for (group, label) in current {
                guard let before = previous[group] else { continue }
                counted += 1
                if before != label { swaps += 1 }
            }
            previous = current
        }
        return (swaps, counted)
    }

    private func mean(_ values: ArraySlice<Double>) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }
}
