import ArgumentParser
import Foundation
import NeuralEM
import Pipeline

/// `nem train`: unsupervised training of an N-EM model from a preset or a YAML configuration.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train an N-EM / RNN-EM model without labels.",
        discussion: "Presets: \(TrainingPreset.allCases.map(\.rawValue).joined(separator: ", ")). A run lives in --run-dir (checkpoint, best model, log.csv); --resume continues it.")

    @Option(help: "Start from this preset.") var preset: String?
    @Option(help: "A training configuration in YAML (keys as the preset's; 'preset: NAME' to start from one).") var config: String?
    @Option(name: .customLong("run-dir"), help: "Directory of the run (checkpoints, best model, log.csv).") var runDirectory: String
    @Flag(help: "Continue the run in --run-dir from its checkpoint.") var resume = false
    @Option(name: .customLong("init-from"), help: "Start a fresh run from this model's weights (same network; K, steps and data may differ): stages of a curriculum.")
    var initFrom: String?
    @Option(help: "Override model.components (K).") var components: Int?
    @Option(help: "Override model.steps (T).") var steps: Int?
    @Option(name: .customLong("max-steps"), help: "Override training.max_steps.") var maxSteps: Int?
    @Option(name: .customLong("max-minutes"), help: "Override training.max_minutes.") var maxMinutes: Double?
    @Option(name: .customLong("validate-every"), help: "Override training.validate_every.") var validateEvery: Int?
    @Option(name: .customLong("validation-sequences"), help: "Override training.validation_sequences.") var validationSequences: Int?
    @Option(name: .customLong("batch-size"), help: "Override training.batch_size.") var batchSize: Int?
    @Option(name: .customLong("learning-rate"), help: "Override optimizer.learning_rate.") var learningRate: Float?
    @Option(help: "Override training.seed.") var seed: UInt64?
    @Option(name: .shortAndLong, help: "Copy the best model here when training ends.") var output: String?
    @Flag(help: "Write the -o model with half-precision (F16) weights: half the size, for shipping.") var half = false
    @Flag(help: "No progress output.") var quiet = false

    func run() throws {
        try reportingErrors("train") { try train() }
    }

    private func train() throws {
        var base: TrainingConfig?
        if let preset {
            guard let chosen = TrainingPreset(rawValue: preset) else {
                throw ValidationError("--preset must be one of \(TrainingPreset.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            base = chosen.config
        }
        var config: TrainingConfig
        if let path = self.config {
            config = try TrainingConfigFile.load(path: path, base: base)
        } else if let base {
            config = base
        } else {
            throw ValidationError("give --preset or --config (presets: \(TrainingPreset.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let maxSteps { config.training.maxSteps = maxSteps }
        if let maxMinutes { config.training.maxMinutes = maxMinutes }
        if let validateEvery { config.training.validateEvery = validateEvery }
        if let validationSequences { config.training.validationSequences = validationSequences }
        if let batchSize { config.training.batchSize = batchSize }
        if let learningRate { config.optimizer.learningRate = learningRate }
        if let seed { config.training.seed = seed }
        if let components { config.model.components = components }
        if let steps { config.model.steps = steps }
        if initFrom != nil && resume { throw ValidationError("--init-from starts a fresh run; it cannot be combined with --resume") }
        let trainer = try Trainer(config: config, directory: URL(fileURLWithPath: runDirectory), resume: resume,
                                  initialWeights: initFrom.map { URL(fileURLWithPath: $0) })
        let quiet = self.quiet
        var lastLine = Date.distantPast
        var recent: [Float] = []
        // Ctrl-C or SIGTERM: finish the current step, write the checkpoint, exit 130 (a second Ctrl-C ends at once).
        let interrupt = StopSignal.onInterrupt()
        let summary = try trainer.run(stopRequested: { interrupt.isStopped }) { event in
            guard !quiet else { return }
            switch event {
            case let .step(step, loss, stepsPerSecond, elapsed):
                recent.append(loss)
                if recent.count > 50 { recent.removeFirst() }
                if Date().timeIntervalSince(lastLine) > 30 {
                    lastLine = Date()
                    let mean = recent.reduce(0, +) / Float(recent.count)
                    log(String(format: "step %d  loss %.2f  %.2f steps/s  %@ elapsed", step, mean, stepsPerSecond, clock(elapsed)))
                }
            case let .validated(step, loss, amiMean, amiLast, improved):
                log(String(format: "step %d  validation loss %.2f  AMI mean %.3f  last %.3f%@", step, loss, amiMean, amiLast, improved ? "  (best)" : ""))
            case .checkpoint:
                break
            }
        }
        if let output {
            let (best, _) = try NEMModel.load(from: URL(fileURLWithPath: summary.modelPath))
            try best.save(to: URL(fileURLWithPath: output), halfPrecision: half)
        }
        if summary.stop == .interrupted {
            log("interrupted at step \(summary.steps); checkpoint written: continue with --resume")
            throw ExitCode(130)
        }
        log("done: \(summary.steps) steps in \(clock(summary.wallSeconds)) (\(summary.stop.rawValue)); best at step \(summary.bestStep): " +
            String(format: "AMI mean %.3f, last %.3f", summary.best?.amiMean ?? .nan, summary.best?.amiLast ?? .nan))
    }
}

private func log(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }

private func clock(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
}
