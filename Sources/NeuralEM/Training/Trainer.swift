import Autodiff
import Datasets
import Foundation
import Layers

/// What the trainer tells its caller as it goes (the command line draws a progress bar from these).
public enum TrainingEvent: Sendable {
    /// After every optimiser step.
    case step(step: Int, loss: Float, stepsPerSecond: Double, elapsed: TimeInterval)
    /// After every validation.
    case validated(step: Int, loss: Double, amiMean: Double, amiLast: Double, improved: Bool)
    /// A checkpoint was written.
    case checkpoint(step: Int, path: String)
}

/// Why training ended.
public enum TrainingStop: String, Sendable {
    case maxSteps = "reached max_steps"
    case maxTime = "reached max_minutes"
    case earlyStopping = "early stopping: the validation score (select_by) stopped improving"
    case interrupted = "interrupted"
}

/// The outcome of a training run.
public struct TrainingSummary: Sendable {
    public let steps: Int
    public let wallSeconds: Double
    public let stop: TrainingStop
    public let best: EvaluationResult?
    public let bestStep: Int
    public let modelPath: String
}

/// A run that cannot go on.
public enum TrainingError: Error, CustomStringConvertible {
    case diverged(step: Int, checkpoint: String?)

    public var description: String {
        switch self {
        case let .diverged(step, checkpoint?):
            return "training diverged at step \(step) (loss is not finite); the last good checkpoint is \(checkpoint)"
        case let .diverged(step, nil):
            return "training diverged at step \(step) (loss is not finite) before any checkpoint was written"
        }
    }

    public var exitCode: Int32 { 1 }
}

/// Unsupervised training of an N-EM model, as the reference's `nem.py`: Adam on the step-weighted N-EM
/// loss, fresh input noise every step, validation on a fixed set, early stopping on the validation loss.
///
/// A run lives in a directory: `checkpoint.safetensors` (weights, Adam state and progress, written every
/// `checkpoint_minutes` and at the end, so that `resume` continues a run in a later sitting),
/// `best.safetensors` (the weights with the lowest validation loss so far: the final model) and
/// `log.csv` (step, wall time, training loss, validation loss and AMI: a time-to-AMI curve).
/// Everything random derives from the seeds and the step number, so a run is reproducible and a resumed
/// run continues as it would have.
public final class Trainer {
    public let config: TrainingConfig
    public let model: NEMModel
    public let directory: URL
    private let optimizer: Adam
    private var data: TrainingData
    private var progress = Progress()
    private var bestResult: EvaluationResult?

    public var checkpointURL: URL { directory.appendingPathComponent("checkpoint.safetensors") }
    public var bestURL: URL { directory.appendingPathComponent("best.safetensors") }
    public var logURL: URL { directory.appendingPathComponent("log.csv") }

    /// Prepares a run in `directory`: a fresh one, or with `resume` the one whose checkpoint is there.
    /// - Parameter initialWeights: a model file whose weights a fresh run starts from instead of the
    ///   initialiser (the reference's `net_path`: stages of a curriculum over data, K or sequence length).
    ///   Its network, frame shape and likelihood must be the configuration's; K and steps may differ.
    /// - Parameter source: training batches and the validation set to use instead of `config.data`
    ///   (for data made in code).
    public init(config: TrainingConfig, directory: URL, resume: Bool, initialWeights: URL? = nil,
                source: (train: any SequenceSource, validation: [Batch])? = nil) throws {
        try config.validate()
        self.config = config
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var rng = SeededRNG.derived(seed: config.training.seed, stream: 0x1217)
        model = try NEMModel(config: config.model, rng: &rng)
        let named = model.network.namedParameters
        optimizer = Adam(namedParameters: named, learningRate: config.optimizer.learningRate,
                         beta1: config.optimizer.beta1, beta2: config.optimizer.beta2, epsilon: config.optimizer.epsilon,
                         weightDecay: config.optimizer.weightDecay ?? 0,
                         learningRateScales: try config.optimizer.scales(for: named.map(\.name)))
        let checkpoint = directory.appendingPathComponent("checkpoint.safetensors")
        if resume {
            progress = try Self.restore(from: checkpoint, config: config, model: model, optimizer: optimizer)
        } else if FileManager.default.fileExists(atPath: checkpoint.path) {
            throw ConfigError.mismatch("\(directory.path) already holds a training run; pass --resume to continue it or choose another directory")
        } else if let initialWeights {
            try Self.initialise(model, from: initialWeights)
        }
        if let source {
            data = TrainingData(train: source.train, validation: source.validation, description: "data made in code")
        } else {
            data = try TrainingData(config: config, startStep: progress.step)
        }
        if !resume { try "step,wall_seconds,train_loss,valid_loss,valid_ami_mean,valid_ami_last,valid_ami_mean_arithmetic\n".write(to: logURL, atomically: true, encoding: .utf8) }
    }

    /// Trains until `max_steps`, `max_minutes`, early stopping or `stopRequested()` (asked before every
    /// step; a true answer ends the run after the current step with a checkpoint, as an interrupt).
    public func run(stopRequested: () -> Bool = { false }, _ report: (TrainingEvent) -> Void) throws -> TrainingSummary {
        let schedule = config.training
        let start = Date()
        var lastCheckpoint = Date()
        var lossSinceValidation = 0.0, stepsSinceValidation = 0
        var stop = TrainingStop.maxSteps
        let cell = model.cell(gradientGamma: config.loss.gradientGamma)
        let weights = config.loss.stepWeights.weights(steps: config.model.steps)
        func elapsed() -> Double { progress.previousSeconds + Date().timeIntervalSince(start) }

        while progress.step < schedule.maxSteps {
            if stopRequested() { stop = .interrupted; break }
            if schedule.maxMinutes > 0 && elapsed() >= schedule.maxMinutes * 60 { stop = .maxTime; break }
            let stepStart = Date()
            var levelRNG = SeededRNG.derived(seed: schedule.seed ^ 0x401_5E, stream: UInt64(progress.step))
            var noise = NoiseSource(model: config.noise.trainingModel(rng: &levelRNG),
                                    seed: schedule.seed &+ 0x9E37_79B9 &* UInt64(progress.step + 1))
            var rng = SeededRNG.derived(seed: schedule.seed ^ 0x5EED, stream: UInt64(progress.step))
            let batch = try FrameBatch(try data.train.nextBatch(size: schedule.batchSize), frames: config.model.steps + 1,
                                       frameShape: config.model.frameShape, binarize: config.model.binarize, noise: &noise)
            OpProfile.mark()
            let rollout = cell.unroll(inputs: batch.inputs, targets: batch.targets, components: config.model.components,
                                      stepWeights: weights, loss: config.loss.settings, rng: &rng)
            let loss = rollout.loss.scalar
            guard loss.isFinite else {
                throw TrainingError.diverged(step: progress.step + 1, checkpoint: FileManager.default.fileExists(atPath: checkpointURL.path) ? checkpointURL.path : nil)
            }
            rollout.loss.backward()
            optimizer.step()
            optimizer.zeroGradients()
            progress.step += 1
            lossSinceValidation += Double(loss)
            stepsSinceValidation += 1
            report(.step(step: progress.step, loss: loss, stepsPerSecond: 1 / max(Date().timeIntervalSince(stepStart), 1e-9), elapsed: elapsed()))

            if progress.step % schedule.validateEvery == 0 || progress.step == schedule.maxSteps {
                let result = try validate()
                let score = (schedule.selectBy ?? .loss).score(result)
                let improved = score < progress.bestScore
                if improved {
                    progress.bestScore = score
                    progress.bestStep = progress.step
                    bestResult = result
                    progress.validationsWithoutImprovement = 0
                    try saveBest(result: result, wallSeconds: elapsed())
                } else {
                    progress.validationsWithoutImprovement += 1
                }
                try appendLog(trainLoss: lossSinceValidation / Double(max(stepsSinceValidation, 1)), result: result, wallSeconds: elapsed())
                lossSinceValidation = 0
                stepsSinceValidation = 0
                report(.validated(step: progress.step, loss: result.loss, amiMean: result.amiMean, amiLast: result.amiLast, improved: improved))
                if progress.validationsWithoutImprovement >= schedule.patience { stop = .earlyStopping; break }
            }
            if Date().timeIntervalSince(lastCheckpoint) >= schedule.checkpointMinutes * 60 {
                try saveCheckpoint(wallSeconds: elapsed())
                lastCheckpoint = Date()
                report(.checkpoint(step: progress.step, path: checkpointURL.path))
            }
        }
        try saveCheckpoint(wallSeconds: elapsed())
        report(.checkpoint(step: progress.step, path: checkpointURL.path))
        if bestResult == nil && !FileManager.default.fileExists(atPath: bestURL.path) {
            let result = try validate()
            bestResult = result
            progress.bestStep = progress.step
            try saveBest(result: result, wallSeconds: elapsed())
        }
        return TrainingSummary(steps: progress.step, wallSeconds: elapsed(), stop: stop, best: bestResult, bestStep: progress.bestStep,
                               modelPath: bestURL.path)
    }

    /// Loss and scores on the fixed validation set, with noise from a fixed seed, at the schedule's
    /// validation K and steps (the model's unless set).
    public func validate() throws -> EvaluationResult {
        try model.evaluate(batches: data.validation, components: config.training.validationComponents,
                           steps: config.training.validationSteps, noise: config.noise.model, loss: config.loss,
                           seed: config.training.seed ^ 0xA11D)
    }

    // MARK: - Files

    private func appendLog(trainLoss: Double, result: EvaluationResult, wallSeconds: Double) throws {
        let row = String(format: "%d,%.1f,%.4f,%.4f,%.4f,%.4f,%.4f\n", progress.step, wallSeconds, trainLoss, result.loss,
                         result.amiMean, result.amiLast, result.amiMeanArithmetic)
        let handle = try FileHandle(forWritingTo: logURL)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(row.utf8))
    }

    private var configJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try! encoder.encode(config), as: UTF8.self)
    }

    private func saveBest(result: EvaluationResult, wallSeconds: Double) throws {
        try model.save(to: bestURL, extraMetadata: [
            "nem.training": configJSON,
            "nem.data": data.description,
            "nem.step": String(progress.step),
            "nem.wall_seconds": String(format: "%.0f", wallSeconds),
            "nem.validation": String(format: "loss %.4f, AMI mean %.4f, AMI last %.4f (max normalisation)",
                                     result.loss, result.amiMean, result.amiLast),
        ])
    }

    private func saveCheckpoint(wallSeconds: Double) throws {
        try model.save(to: checkpointURL, extraTensors: optimizer.stateTensors, extraMetadata: [
            "nem.training": configJSON,
            "nem.step": String(progress.step),
            "nem.adam_timestep": String(optimizer.timestep),
            "nem.wall_seconds": String(wallSeconds),
            "nem.best_score": String(progress.bestScore),
            "nem.best_step": String(progress.bestStep),
            "nem.stale_validations": String(progress.validationsWithoutImprovement),
        ])
    }

    /// Where a run stands: what a checkpoint stores besides weights and Adam state.
    private struct Progress {
        var step = 0
        /// Wall time of earlier sittings.
        var previousSeconds = 0.0
        /// The best validation score so far (`select_by`; lower is better).
        var bestScore = Double.infinity
        var bestStep = 0
        var validationsWithoutImprovement = 0
    }

    /// Copies the weights of the model in `url` into `model` (a warm start), after checking that the
    /// two have the same network, frame shape and likelihood. A configuration may add R-NEM's
    /// interaction to a model without one: the interaction keeps its initial (inactive) weights.
    private static func initialise(_ model: NEMModel, from url: URL) throws {
        let (source, _) = try NEMModel.load(from: url)
        let wanted = model.config, given = source.config
        let addsInteraction = wanted.network.interaction != nil && given.network.interaction == nil
        let sameNetwork = addsInteraction ? wanted.network.withoutInteraction == given.network : wanted.network == given.network
        for (differs, what) in [(!sameNetwork, "network"), (wanted.frameShape != given.frameShape, "frame shape"),
                                (wanted.likelihood != given.likelihood, "likelihood")] where differs {
            throw CheckpointError.mismatch(path: url.path, reason: "cannot start from this model: its \(what) differs from the configuration's")
        }
        try model.network.loadParameters(from: source.network.parameterDictionary, source: url.path,
                                         including: { !addsInteraction || !$0.hasPrefix("interaction.") })
    }

    private static func restore(from checkpoint: URL, config: TrainingConfig, model: NEMModel, optimizer: Adam) throws -> Progress {
        guard FileManager.default.fileExists(atPath: checkpoint.path) else {
            throw ConfigError.mismatch("\(checkpoint.path): no checkpoint to resume from")
        }
        let file = try SafeTensors(contentsOf: checkpoint)
        guard let saved = file.metadata["nem.training"],
              let savedConfig = try? JSONDecoder().decode(TrainingConfig.self, from: Data(saved.utf8)) else {
            throw CheckpointError.mismatch(path: checkpoint.path, reason: "no training configuration in __metadata__")
        }
        guard savedConfig.model == config.model else {
            throw CheckpointError.mismatch(path: checkpoint.path, reason: "the checkpoint's model differs from the configuration's")
        }
        try model.network.loadParameters(from: file.tensors, source: checkpoint.path)
        try optimizer.loadState(file.tensors, timestep: Int(file.metadata["nem.adam_timestep"] ?? "") ?? 0, source: checkpoint.path)
        return Progress(step: Int(file.metadata["nem.step"] ?? "") ?? 0,
                        previousSeconds: Double(file.metadata["nem.wall_seconds"] ?? "") ?? 0,
                        bestScore: Double(file.metadata["nem.best_score"] ?? file.metadata["nem.best_loss"] ?? "") ?? .infinity,
                        bestStep: Int(file.metadata["nem.best_step"] ?? "") ?? 0,
                        validationsWithoutImprovement: Int(file.metadata["nem.stale_validations"] ?? "") ?? 0)
    }
}
