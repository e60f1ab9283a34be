import ArgumentParser
import Autodiff
import Datasets
import Foundation
import Layers
import NeuralEM

/// `nem bench tracker`: throughput of the streaming tracker alone, one stream, 28×28, K = 3, the
/// flying-shapes network (the shipped model when present, else the same architecture initialised
/// in code — the speed does not depend on the weights), one EM step per frame, no video I/O.
/// Reported as the median of `--runs` runs, next to the 156 frames/s of a PyTorch re-implementation
/// of the reference at batch 1 on this machine (the target is 3×, ≥ 470 frames/s), followed by
/// where a frame's time goes: each layer of the inner network at K rows, the E-step and the rest.
struct BenchTracker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracker", abstract: "Tracker-only frames/s (28×28, K = 3, flying-shapes network), with a per-layer profile.")

    static let pytorchFramesPerSecond = 156.0
    static let target = 470.0

    @Option(help: "The model (default: samples/models/flying-shapes.safetensors if present, else the architecture in code).")
    var model: String?
    @Option(help: "Frames per timed run.") var frames = 400
    @Option(help: "Timed runs (the median is reported).") var runs = 5
    @Option(help: "Threads for OpenBLAS and the engine's loops (1, as nem track's tracker.threads default: fastest for one stream).")
    var threads = 1
    @Option(name: .customLong("restart-scope"), help: "first_frame or sequence (default: the model's); with sequence every frame runs the model's R restarts.")
    var restartScope: RestartScope?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard frames > 0, runs > 0 else { throw ValidationError("--frames and --runs must be positive") }
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
    }

    func run() throws {
        try reportingErrors("bench tracker") {
            BLAS.setThreadCount(threads)
            Parallelism.threadCount = threads
            let (model, source) = try loadModel()
            guard model.config.frameShape == [28, 28, 1] else {
                throw ConfigError.mismatch("\(source): takes \(model.config.frameShape) frames; this benchmark is for 28×28×1 models")
            }
            let stream = try flyingShapes(frames: frames)
            let tracker = try Tracker(model: model, components: 3, restartScope: restartScope, sceneCutThreshold: nil)
            let halfMatrices = model.keepHalfPrecisionWeights()  // what the tracker did: reports how many
            for frame in stream.prefix(20) { _ = tracker.track(frame) }  // warm-up
            var rates: [Double] = []
            for _ in 0..<runs {
                tracker.reset()
                let start = DispatchTime.now().uptimeNanoseconds
                for frame in stream { _ = tracker.track(frame) }
                rates.append(Double(frames) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
            }
            let fps = median(rates)
            let profile = try profileFrame(model: model, frame: stream[stream.count / 2], halfWeights: halfMatrices > 0)
            let flops = 3 * Self.networkFlops(model.config.network)
            let runsPerFrame = tracker.restartScope == .sequence ? tracker.restarts : 1
            report(fps: fps, rates: rates, source: source, runsPerFrame: runsPerFrame, halfMatrices: halfMatrices, profile: profile.parts,
                   wholeStep: profile.wholeStep, flopsPerFrame: flops)
        }
    }

    private func report(fps: Double, rates: [Double], source: String, runsPerFrame: Int, halfMatrices: Int, profile: [(String, Double)],
                        wholeStep: Double, flopsPerFrame: Double) {
        let frameMilliseconds = 1000 / fps
        let profiled = profile.reduce(0) { $0 + $1.1 }
        if json {
            var object: [String: Any] = [
                "model": source, "runs_per_frame": runsPerFrame, "frames": frames, "runs": runs, "frames_per_second": fps, "all_runs": rates,
                "pytorch_frames_per_second": Self.pytorchFramesPerSecond, "speedup": fps / Self.pytorchFramesPerSecond,
                "target_frames_per_second": Self.target, "gflops": flopsPerFrame.isFinite ? flopsPerFrame * fps / 1e9 : NSNull(),
                "blas_threads": BLAS.threadCount, "blas_core": BLAS.coreName, "engine_threads": Parallelism.threadCount,
                "binary16_weight_matrices": halfMatrices,
            ]
            object["profile_ms"] = Dictionary(profile, uniquingKeysWith: { a, _ in a })
            object["em_step_ms"] = wholeStep
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                print(String(decoding: data, as: UTF8.self))
            }
            return
        }
        print("tracker: \(source); 28×28, K = 3, 1 EM step per frame\(runsPerFrame > 1 ? " in each of \(runsPerFrame) runs (restart_scope sequence)" : ""), one stream; BLAS threads \(BLAS.threadCount) (\(BLAS.coreName) kernels), engine threads \(Parallelism.threadCount)")
        print(halfMatrices > 0 ? "weights: \(halfMatrices) matrices read as binary16 (their exact values: the model was saved with --half)"
                               : "weights: read as 32-bit floats (binary16 copies need a model saved with --half and AVX2, FMA, F16C)")
        print(String(format: "%.0f frames/s (%.2f ms/frame; median of %d runs × %d frames: %@)", fps, frameMilliseconds, runs, frames,
                     rates.map { String(format: "%.0f", $0) }.joined(separator: ", ")))
        print(String(format: "vs PyTorch re-implementation at batch 1: %.0f frames/s → %.2f× (target ≥ %.0f frames/s, 3×): %@",
                     Self.pytorchFramesPerSecond, fps / Self.pytorchFramesPerSecond, Self.target, fps >= Self.target ? "met" : "NOT met"))
        if flopsPerFrame.isFinite {
            print(String(format: "arithmetic: %.1f MFLOP/frame → %.2f GFLOP/s", flopsPerFrame / 1e6, flopsPerFrame * fps / 1e9))
        }
        print("where a frame's time goes (median ms, each part timed alone at K = 3 rows):")
        for (name, ms) in profile {
            print("  " + padded(name) + String(format: " %7.3f ms  %5.1f%%", ms, 100 * ms / max(profiled, 1e-9)))
        }
        print("  " + padded("sum of the parts") + String(format: " %7.3f ms", profiled))
        print("  " + padded("one whole EM step (NEMCell) alone") + String(format: " %7.3f ms", wholeStep))
        print("  " + padded("a frame in the stream (Tracker.track)") + String(format: " %7.3f ms", frameMilliseconds))
    }

    private func loadModel() throws -> (NEMModel, String) {
        let shipped = "samples/models/flying-shapes.safetensors"
        if let path = model ?? (FileManager.default.fileExists(atPath: shipped) ? shipped : nil) {
            return (try NEMModel.load(from: URL(fileURLWithPath: path)).model, path)
        }
        var rng = SeededRNG(seed: 1)
        return (try NEMModel(config: TrainingPreset.flyingShapes.config.model, rng: &rng),
                "flying-shapes architecture initialised in code (no model file)")
    }

    /// One flying-shapes stream of `frames` frames (28×28, 3 shapes), as the tracker takes them.
    private func flyingShapes(frames: Int) throws -> [[Float]] {
        let generator = try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: frames, objects: 3))
        let features = generator.sequence(split: .test, index: 0, seed: 1).features
        return (0..<frames).map { Array(features[$0 * 784..<($0 + 1) * 784]) }
    }

    /// Times each piece of one frame alone: every encoder and decoder layer (rebuilt alone with the
    /// same shapes, so the weights do not matter, rounded to binary16 and read so as the tracker reads
    /// the model's when `halfWeights`), the RNN cell, the E-step and masked deltas.
    private func profileFrame(model: NEMModel, frame: [Float], halfWeights: Bool) throws -> (parts: [(String, Double)], wholeStep: Double) {
        let spec = model.config.network
        var rng = SeededRNG(seed: 2)
        var parts: [(String, Double)] = []
        var wholeStep = 0.0
        try withoutGradients {
            var x = Tensor(randomUniform: [3, 784], in: 0...1, using: &rng)
            for (label, layers, hidden) in [("encoder", spec.input, false), ("decoder", spec.output, true)] {
                if hidden, let rnn = spec.recurrent.first {
                    let cell = RNNCell(inputSize: x.count / 3, hiddenSize: rnn.size ?? 0, layerNorm: rnn.ln ?? false, rng: &rng)
                    if halfWeights { keepHalfPrecisionCopies(of: cell.namedParameters.map(\.tensor)) }
                    let input = x.reshaped([3, x.count / 3]), state = cell.zeroState(batchSize: 3)
                    parts.append(("RNN \(input.shape[1])→\(cell.hiddenSize)", time { _ = cell(input, state: state) }))
                    x = cell(input, state: state).output
                }
                var shape = [x.count / 3]
                for (index, layer) in layers.enumerated() {
                    let network = try Network(spec: [layer], inputShape: shape, rng: &rng)
                    if halfWeights { keepHalfPrecisionCopies(of: network.namedParameters.map(\.tensor)) }
                    let input = x
                    if layer.name != "reshape" {
                        parts.append(("\(label).\(index) \(describe(layer)) \(shape)", time { _ = network(input) }))
                    }
                    x = network(input)
                    shape = network.outputShape
                }
            }
            let cell = model.cell()
            var state = cell.initialState(firstInput: Tensor(shape: [1, 1, 28, 28, 1], scalars: frame), components: 3, rng: &rng)
            let target = Tensor(shape: [1, 1, 28, 28, 1], scalars: frame)
            parts.append(("E-step (K = 3)", time {
                _ = eStep(predictions: state.predictions, target: target, likelihood: cell.likelihood, eSigma: cell.eSigma)
            }))
            parts.append(("masked deltas", time { _ = cell.maskedDeltas(input: target, state: state) }))
            state = cell(input: target, target: target, state: state)
            let current = state
            wholeStep = time { _ = cell(input: target, target: target, state: current) }
        }
        return (parts, wholeStep)
    }

    /// Rounds the weights to binary16 and keeps the copies the tracker would keep.
    private func keepHalfPrecisionCopies(of tensors: [Tensor]) {
        for tensor in tensors {
            tensor.withUnsafeMutableBufferPointer { values in
                for i in values.indices { values[i] = Float(Float16(values[i])) }
            }
            tensor.keepHalfPrecisionCopy()
        }
    }

    private func padded(_ text: String) -> String { text + String(repeating: " ", count: max(0, 38 - text.count)) }

    private func describe(_ layer: LayerSpec) -> String {
        "\(layer.name)\(layer.size.map { " \($0)" } ?? "")\(layer.ln == true ? " ln" : "")"
    }

    /// Median milliseconds of `body` over 200 calls after 20 warm-up calls.
    private func time(_ body: () -> Void) -> Double {
        for _ in 0..<20 { body() }
        var samples: [Double] = []
        for _ in 0..<200 {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return median(samples)
    }

    private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    /// Multiply-adds ×2 of one component's pass through the reference flying-shapes network.
    static func networkFlops(_ spec: NetworkSpec) -> Double {
        // conv 28→14 (32 ch, 4×4×1), conv 14→7 (64, 4×4×32), fc 3136→512, RNN (512+100)→100,
        // fc 100→512, fc 512→3136, r_conv 14×14 (32, 4×4×64), r_conv 28×28 (1, 4×4×32).
        guard spec.withoutInteraction == TrainingPreset.flyingShapes.config.model.network else { return .nan }
        var macs: [Double] = [14 * 14 * 32 * 16, 7 * 7 * 64 * 16 * 32, 3136 * 512, 612 * 100,
                              100 * 512, 512 * 3136, 14 * 14 * 32 * 16 * 64, 28 * 28 * 16 * 32]
        if let p = spec.interaction.map(Double.init) {
            // R-NEM with K = 3: encode 100→P, both sides of the pair P→P, then per pair (K of them per
            // component) effect P→P and attention P→P→1, and W_cell P→100.
            macs += [100 * p, 2 * p * p, 3 * (2 * p * p + p), p * 100]
        }
        return 2 * macs.reduce(0, +)
    }
}
