import Autodiff
import Datasets
import Foundation
import Layers
import NeuralEM
import Pipeline
import VideoIO
import XCTest

// Small models made in code, tiny generated videos written with VideoWriter, and a temporary
// folder per test: no trained model and no file from outside the test is needed.

/// A fresh folder, removed when the test ends.
func temporaryFolder(_ test: XCTestCase) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("nem-pipeline-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url.path
}

/// Model frames are 16×16 (one channel): small enough that a frame takes well under a millisecond.
let modelSide = 16

/// A small RNN-EM model (random weights, seeded) taking 16×16×1 frames, saved to `folder`.
@discardableResult
func saveSmallModel(in folder: String, components: Int = 3, channels: Int = 1, likelihood: Likelihood = .bernoulli,
                    name: String = "model.safetensors") throws -> String {
    var rng = SeededRNG(seed: 3)
    let pixels = modelSide * modelSide * channels
    let network = NetworkSpec(input: [.reshape([modelSide, modelSide, channels]), .flatten, .fc(24, act: .elu, ln: true)],
                              recurrent: [.rnn(12, ln: true)],
                              output: [.fc(pixels, act: .output)])
    let model = try NEMModel(config: ModelConfig(components: components, steps: 4, likelihood: likelihood,
                                                 frameShape: [modelSide, modelSide, channels], network: network), rng: &rng)
    let path = folder + "/" + name
    try model.save(to: URL(fileURLWithPath: path))
    return path
}

/// A flying-shapes sequence on a 16×16 canvas (2 shapes), seeded.
func smallSequence(frames: Int, seed: UInt64 = 5) throws -> SequenceVideo {
    let generator = try FlyingShapes(options: GeneratorOptions(height: modelSide, width: modelSide, frames: frames, objects: 2))
    return SequenceVideo(generator.sequence(split: .test, index: 0, seed: seed), frames: frames, height: modelSide, width: modelSide)
}

/// Writes `frames` frames of a small flying-shapes video at 4× (64×64) to `folder/name` and returns its path.
@discardableResult
func writeSmallVideo(in folder: String, frames: Int = 12, name: String = "input.mp4") throws -> String {
    let path = folder + "/" + name
    try smallSequence(frames: frames).write(to: path, scale: 4)
    return path
}

/// Frame count and size of a video, read back with our reader.
func readBack(_ path: String) throws -> (frames: Int, width: Int, height: Int) {
    let reader = try VideoReader(.path(path))
    var frames = 0
    while try reader.nextFrame() != nil { frames += 1 }
    return (frames, reader.width, reader.height)
}

/// A configuration for `input` → `folder/out.mp4` with the model at `model`.
func trackingConfig(input: String, model: String, folder: String) -> PipelineConfig {
    var config = PipelineConfig()
    config.input.path = input
    config.output.path = folder + "/out.mp4"
    config.output.preset = .ultrafast
    config.tracker.model = model
    config.progress.display = .none
    return config
}

/// The files in `folder` (sorted), hidden ones included.
func listing(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
}

/// Passes frames through until `failAt`, then throws.
struct FailingStage<Item: Sendable>: Stage {
    let failAt: Int
    private var seen = 0

    init(failAt: Int) { self.failAt = failAt }

    mutating func process(_ item: Item) throws -> Item {
        defer { seen += 1 }
        if seen == failAt { throw Boom(what: "frame \(seen)") }
        return item
    }
}
