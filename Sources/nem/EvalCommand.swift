import ArgumentParser
import Datasets
import Foundation
import NeuralEM
import VideoIO

/// `nem eval`: scores a model on a dataset file as the paper does (AMI per step, background excluded).
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a model on an HDF5 dataset: AMI per EM step (both normalisations), ARI, confidence, next-step BCE.")

    @Option(help: "The model (.safetensors).") var model: String
    @Option(help: "The dataset (.h5, original layout).") var data: String
    @Option(help: "Split to score: training, validation or test.") var split: String = "test"
    @Option(help: "K, the number of components (may differ from training).") var components: Int?
    @Option(help: "EM steps (default: the model's).") var steps: Int?
    @Option(name: .customLong("initial-gamma"), help: "How γ₀ is drawn: random or kmeans (default: the model's).")
    var initialGamma: InitialGamma?
    @Option(name: .customLong("warmup-steps"), help: "EM steps on frame 0 alone before the scored steps, as `nem track` (default: the model's; 0 is the paper's protocol).")
    var warmupSteps: Int?
    @Option(help: "Searches for a start on frame 0 per sequence, each from its own γ₀ on its own noisy copy of the frame; the one whose warm-up explains the frame best is kept (default: the model's; 1 is the paper's protocol).")
    var restarts: Int?
    @Option(name: .customLong("restart-scope"), help: "first_frame: keep the best search after frame 0; sequence: carry all searches through the sequence, each on its own noisy copy of every frame, and label each frame by the one whose grouping explains it best (default: the model's).")
    var restartScope: RestartScope?
    @Option(name: .customLong("restart-vote"), help: "With the restarts carried through the sequence, label each frame by the vote of this many runs that explain it best, each matched to the best one's components (default: the model's; 1: the best alone).")
    var restartVote: Int?
    @Option(help: "Input noise probability (default: the training noise; 0 = none).") var noise: Float?
    @Option(help: "Score only the first N sequences.") var limit: Int?
    @Option(name: .customLong("batch-size"), help: "Sequences per batch.") var batchSize: Int = 100
    @Option(help: "Seed of the initial γ and the noise.") var seed: UInt64 = 1
    @Option(name: .customLong("per-sequence"), help: "Also write each sequence's AMI (mean over steps, last step, then each step 1…T) to this CSV file.")
    var perSequence: String?
    @Flag(help: "Print one flat JSON object.") var json = false
    @Flag(help: "No progress output.") var quiet = false

    func run() throws {
        try reportingErrors("eval") {
            guard let split = Split(rawValue: split) else {
                throw ValidationError("--split must be training, validation or test")
            }
            let (model, _) = try NEMModel.load(from: URL(fileURLWithPath: self.model))
            if let restartVote, restartVote > 1, (restartScope ?? model.config.restartScope) != .sequence {
                throw ValidationError("--restart-vote needs the runs carried through the sequence (--restart-scope sequence, or a model that stores it)")
            }
            let file = try DatasetFile(path: data)
            let steps = steps ?? model.config.steps
            let loader = try BatchLoader(file: file, split: split, seed: 0, shuffle: false,
                                         frames: nil, limit: limit)
            try checkCompatible(model: model, loader: loader, steps: steps)
            if let perSequence { try checkWritable(perSequence) }
            let probability = noise ?? model.trainingConfig?.noise.probability ?? 0.2
            guard (0...1).contains(probability) else { throw ValidationError("--noise must be in [0, 1]") }
            var progress = ProgressLine(label: "scoring \(split.rawValue)", unit: "seq", quiet: quiet || json)
            let total = loader.sequences
            let result = try model.evaluate(source: loader, sequences: total, batchSize: max(1, batchSize),
                                            components: components, steps: steps, initialGamma: initialGamma, warmupSteps: warmupSteps,
                                            restarts: restarts, restartScope: restartScope, restartVote: restartVote,
                                            noise: model.noise(probability: probability),
                                            loss: model.lossConfig, seed: seed) { progress.update(done: $0, total: total) }
            progress.finish()
            if let perSequence {
                let header = (["sequence", "ami_mean", "ami_last"] + (1...steps).map { "ami_step_\($0)" }).joined(separator: ",")
                let rows = result.perSequence.enumerated().map { index, scores in
                    ([String(index)] + ([scores.mean, scores.last] + scores.amiPerStep).map { String(format: "%.6f", $0) })
                        .joined(separator: ",")
                }
                // Written under a temporary name and moved into place: never a half-written file under the final name.
                do {
                    try Data((([header] + rows).joined(separator: "\n") + "\n").utf8)
                        .write(to: URL(fileURLWithPath: perSequence), options: .atomic)
                } catch {
                    throw VideoIOError.outputNotCreatable(path: perSequence, reason: error.localizedDescription)
                }
            }
            if json {
                let data = try JSONSerialization.data(withJSONObject: result.json, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(String(format: "%@ on %@ (%@, %d sequences, K = %d, %d steps, noise %.2f)", self.model, data, split.rawValue,
                             result.sequences, components ?? model.config.components, steps, probability))
                print(String(format: "AMI (max normalisation):        mean over steps %.4f, last step %.4f", result.amiMean, result.amiLast))
                print(String(format: "AMI (arithmetic normalisation): mean over steps %.4f, last step %.4f", result.amiMeanArithmetic, result.amiLastArithmetic))
                print(String(format: "ARI: mean %.4f, last %.4f; confidence: mean %.4f, last %.4f", result.ariMean, result.ariLast, result.confidenceMean, result.confidenceLast))
                print(String(format: "next-step BCE %.2f nats/frame; loss %.2f", result.bce, result.loss))
                print(String(format: "AMI of γ₀ alone (frame 0): %.4f", result.amiInitial))
                print("AMI per step: " + result.amiPerStep.map { String(format: "%.3f", $0) }.joined(separator: " "))
            }
        }
    }

    /// Refuses, before any work, a --per-sequence file that could not be written: a folder, or in a folder
    /// that is missing or not writable.
    private func checkWritable(_ path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw VideoIOError.outputNotCreatable(path: path, reason: "folder \(folder) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw VideoIOError.outputNotCreatable(path: path, reason: "folder \(folder) is not writable")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw VideoIOError.outputNotCreatable(path: path, reason: "is a folder")
        }
    }

    /// Refuses, before any work, data the model cannot take.
    private func checkCompatible(model: NEMModel, loader: BatchLoader, steps: Int) throws {
        let shape = loader.frameShape
        guard [shape.height, shape.width, shape.channels] == model.config.frameShape else {
            let smaller = shape.height <= model.config.frameShape[0] && shape.width <= model.config.frameShape[1]
                && shape.channels == model.config.frameShape[2]
            throw ConfigError.mismatch("\(data): frames are \(shape.height)×\(shape.width)×\(shape.channels), the model \(self.model) takes \(model.config.frameShape.map(String.init).joined(separator: "×"))\(smaller ? " (scripts/pad_dataset.py centres them on its canvas)" : "")")
        }
        guard loader.isBinary ? model.config.likelihood == .bernoulli : model.config.readsGreyFrames else {
            throw ConfigError.mismatch("\(data): \(loader.isBinary ? "binary" : "grey") data, the model \(self.model) has a \(model.config.likelihood.rawValue) likelihood\(loader.isBinary ? "" : " and no binarize level")")
        }
        let stored = loader.reader.shape.frames
        guard stored == 1 || stored >= steps + 1 else {
            throw ConfigError.mismatch("\(data): \(stored) frames per sequence, \(steps) EM steps need \(steps + 1)")
        }
        if let components { guard components >= 1 else { throw ValidationError("--components must be at least 1") } }
    }
}

extension InitialGamma: ExpressibleByArgument {}
extension RestartScope: ExpressibleByArgument {}
