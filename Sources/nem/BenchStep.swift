import ArgumentParser
import Autodiff
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
    @Flag(help: "Also print where a step's time goes, op by op (forward and backward).") var profile = false

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
            let profile = self.profile
            _ = try trainer.run { event in
                guard case let .step(step, _, stepsPerSecond, _) = event else { return }
                if step > 1 { seconds.append(1 / stepsPerSecond) }
                if step == 1 && profile { OpProfile.reset(); OpProfile.isEnabled = true }  // after the warm-up step
            }
            OpProfile.isEnabled = false
            let median = seconds.sorted()[seconds.count / 2]
            print(String(format: "%@: B = %d, K = %d, T = %d, %d parameters; OpenBLAS %d threads (%@ kernels)", chosen.rawValue,
                         batchSize, config.model.components, config.model.steps, trainer.model.network.parameterCount,
                         BLAS.threadCount, BLAS.coreName))
            print(String(format: "training step: %.2f s median of %d (min %.2f, max %.2f)", median, seconds.count,
                         seconds.min() ?? 0, seconds.max() ?? 0))
            if chosen == .flyingShapes && batchSize == 64 && config.model.components == 3 && config.model.steps == 20 {
                print(String(format: "PyTorch re-implementation of the reference on this machine: 4.2–4.9 s per step (%.2f× its 4.2 s)", median / 4.2))
            }
            if profile { printProfile(steps: seconds.count, totalSeconds: seconds.reduce(0, +)) }
        }
    }

    /// The op table: per step, forward and backward milliseconds and the share of the step, most
    /// expensive first; what no op accounts for (data, noise, Adam, the backward pass's bookkeeping) last.
    private func printProfile(steps: Int, totalSeconds: Double) {
        let entries = OpProfile.entries
        let perStep = 1000 / Double(max(steps, 1))
        let stepMilliseconds = totalSeconds * perStep
        print("where a step's time goes (ms per step, mean of \(steps) steps; forward = time since the previous recorded op):")
        print("  op                      calls   forward   backward    share")
        var accounted = 0.0
        for entry in entries {
            let forward = entry.forwardSeconds * perStep, backward = entry.backwardSeconds * perStep
            accounted += forward + backward
            print("  " + entry.op.padding(toLength: 22, withPad: " ", startingAt: 0)
                  + String(format: " %6d %9.1f %10.1f %7.1f%%", entry.calls / max(steps, 1), forward, backward,
                           100 * (forward + backward) / stepMilliseconds))
        }
        print("  " + "other (data, Adam, …)".padding(toLength: 29, withPad: " ", startingAt: 0)
              + String(format: " %20.1f %7.1f%%", stepMilliseconds - accounted, 100 * (stepMilliseconds - accounted) / stepMilliseconds))
    }
}
