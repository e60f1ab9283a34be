import ArgumentParser
import Foundation
import NeuralEM

/// `nem bench step`: seconds per training step of a preset (data, noise, the unrolled EM steps, E-step,
/// loss, backward, Adam), next to the PyTorch re-implementation's figure for the flying-shapes network.
struct BenchStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step", abstract: "Seconds per training step (flying shapes: B = 64, K = 3, T = 20) next to PyTorch's.")

    @Option(help: "Preset to time.") var preset: String = TrainingPreset.flyingShapes.rawValue
    @Option(name: .customLong("batch-size"), help: "B.") var batchSize = 64
    @Option(help: "K.") var components: Int?
    @Option(help: "EM steps T.") var steps: Int?
    @Option(help: "Timed steps after one warm-up step (the median is reported).") var repetitions = 5

    func run() throws {
        try reportingErrors("bench step") {
            guard let chosen = TrainingPreset(rawValue: preset) else {
                throw ValidationError("--preset must be one of \(TrainingPreset.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard repetitions >= 1, batchSize >= 1 else { throw ValidationError("--repetitions and --batch-size must be positive") }
            var config = chosen.config
            config.training.batchSize = batchSize
            config.training.maxSteps = repetitions + 1
            config.training.validateEvery = Int.max / 2
            config.training.validationSequences = 1
            config.training.checkpointMinutes = 1e6
            if let components { config.model.components = components }
            if let steps { config.model.steps = steps }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nem-bench-step-\(ProcessInfo.processInfo.processIdentifier)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let trainer = try Trainer(config: config, directory: directory, resume: false)
            var seconds: [Double] = []
            _ = try trainer.run { event in
                if case let .step(step, _, stepsPerSecond, _) = event, step > 1 { seconds.append(1 / stepsPerSecond) }
            }
            let median = seconds.sorted()[seconds.count / 2]
            print(String(format: "%@: B = %d, K = %d, T = %d, %d parameters", chosen.rawValue, batchSize,
                         config.model.components, config.model.steps, trainer.model.network.parameterCount))
            print(String(format: "training step: %.2f s median of %d (min %.2f, max %.2f)", median, seconds.count,
                         seconds.min() ?? 0, seconds.max() ?? 0))
            if chosen == .flyingShapes && batchSize == 64 && config.model.components == 3 && config.model.steps == 20 {
                print(String(format: "PyTorch re-implementation of the reference on this machine: 4.2–4.9 s per step (%.2f× its 4.2 s)", median / 4.2))
            }
        }
    }
}
