import ArgumentParser
import Datasets
import Foundation
import NeuralEM
import Pipeline

/// `nem bench reproduce`: does the pipeline reproduce the model? The same flying-shapes sequences
/// are scored twice: by batch evaluation (exactly `nem eval --noise 0` on a dataset file of them)
/// and through the pipeline (each rendered 10× with H.264, tracked, its exported masks read back).
/// Both are AMI with `max` normalisation, background excluded, over frames 2…T; the target is a
/// difference ≤ 0.02.
struct BenchReproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce", abstract: "AMI of the pipeline's exported masks against nem eval --noise 0 on the same sequences.")

    @Option(help: "The model (.safetensors).") var model = "samples/models/flying-shapes.safetensors"
    @Option(help: "Sequences (test split of the generator).") var sequences = 100
    @Option(help: "Frames per sequence (default: the model's EM steps + 1).") var frames: Int?
    @Option(help: "Generator seed (the training data used seed 1; any seed gives sequences the model has not seen in order).")
    var seed: UInt64 = 2026
    @Option(help: "Enlargement of the rendered videos.") var scale = 10
    @Option(help: "Folder for the dataset file and the videos (default: a temporary folder, removed after).") var folder: String?
    @Flag(help: "No progress output.") var quiet = false

    func run() throws {
        try reportingErrors("bench reproduce") {
            guard sequences > 0, scale > 0 else { throw ValidationError("--sequences and --scale must be positive") }
            let (loaded, _) = try NEMModel.load(from: URL(fileURLWithPath: model))
            guard loaded.config.frameShape[2] == 1, loaded.config.likelihood == .bernoulli else {
                throw ConfigError.mismatch("\(model): a binary one-channel model is needed for flying shapes")
            }
            let (height, width) = (loaded.config.frameShape[0], loaded.config.frameShape[1])
            let frames = frames ?? loaded.config.steps + 1
            guard frames >= 2 else { throw ValidationError("--frames must be at least 2") }
            let work = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("nem-reproduce-\(getpid())").path
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            defer { if folder == nil { try? FileManager.default.removeItem(atPath: work) } }

            // Batch evaluation, as nem eval does it, on a dataset file of the sequences.
            let generator = try FlyingShapes(options: GeneratorOptions(height: height, width: width, frames: frames, objects: 3))
            let data = work + "/sequences.h5"
            try DatasetGeneration.generate(generator, counts: [.test: sequences], seed: seed, featureType: .uint8, to: data,
                                           overwrite: true)
            let loader = try BatchLoader(file: try DatasetFile(path: data), split: .test, seed: 0, shuffle: false, frames: nil, limit: nil)
            let evaluation = try loaded.evaluate(source: loader, sequences: sequences, batchSize: 100, steps: frames - 1,
                                                 noise: .none, loss: loaded.lossConfig, seed: 1)

            // The pipeline, sequence by sequence, with the warm-up steps batch evaluation runs (the model's own,
            // none for most models), not the pipeline's default: it must reproduce the batch evaluation.
            let tracking = RenderedTracking(model: model, work: work, scale: scale, warmupSteps: loaded.config.warmupSteps ?? 0)
            var progress = ProgressLine(label: "tracking rendered sequences", unit: "seq", quiet: quiet)
            var perFrame = [Double](repeating: 0, count: frames)
            for index in 0..<sequences {
                let video = SequenceVideo(generator.sequence(split: .test, index: index, seed: seed), frames: frames,
                                          height: height, width: width)
                let scores = frameAMI(try tracking.track(video, name: "sequence-\(index)"), video)
                for t in 0..<frames { perFrame[t] += scores[t] / Double(sequences) }
                progress.update(done: index + 1, total: sequences)
            }
            progress.finish()
            let pipelineAMI = perFrame[1...].reduce(0, +) / Double(frames - 1)
            let difference = pipelineAMI - evaluation.amiMean
            print("\(sequences) flying-shapes sequences of \(frames) frames (test split, seed \(seed)), model \(model), K = \(loaded.config.components)")
            print(String(format: "nem eval --noise 0 (batch):                    AMI %.4f (max normalisation, mean over steps = frames 2…%d)", evaluation.amiMean, frames))
            print(String(format: "pipeline (%d×, H.264, exported masks read back): AMI %.4f (frames 2…%d)", scale, pipelineAMI, frames))
            print(String(format: "difference %+.4f (target within ±0.02): %@", difference, abs(difference) <= 0.02 ? "met" : "NOT met"))
            print("pipeline AMI per frame: " + perFrame.map { String(format: "%.3f", $0) }.joined(separator: " "))
            print("same batch figure: nem dataset generate flying-shapes --frames \(frames) --train 0 --valid 0 --test \(sequences) --seed \(seed) -o seq.h5 && nem eval --model \(model) --data seq.h5 --noise 0 --steps \(frames - 1)")
        }
    }
}
