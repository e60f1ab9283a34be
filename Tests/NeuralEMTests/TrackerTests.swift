import Autodiff
import Datasets
import Foundation
import Layers
import NeuralEM
import XCTest

/// The streaming tracker against batch evaluation of the same model, and its state handling.
final class TrackerTests: XCTestCase {
    private func smallModel(components: Int = 3) throws -> NEMModel {
        var rng = SeededRNG(seed: 11)
        let network = NetworkSpec(input: [.reshape([28, 28, 1]), .conv(8, act: .elu, ln: true), .flatten, .fc(32, act: .elu, ln: true)],
                                  recurrent: [.rnn(16, ln: true)],
                                  output: [.fc(7 * 7 * 4, act: .relu, ln: true), .reshape([7, 7, 4]),
                                           .resizeConv(4, act: .relu, ln: true), .resizeConv(1, act: .output), .flatten])
        return try NEMModel(config: ModelConfig(components: components, steps: 6, likelihood: .bernoulli,
                                                frameShape: [28, 28, 1], network: network), rng: &rng)
    }

    private func sequence(frames: Int) throws -> [[Float]] {
        let generator = try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: frames, objects: 3))
        let features = generator.sequence(split: .test, index: 3, seed: 42).features
        return (0..<frames).map { Array(features[$0 * 784..<($0 + 1) * 784]) }
    }

    /// The batch rollout of `frames` (input frame t, target frame t + 1, K = 3, no noise), as `nem eval`
    /// runs a sequence, from the γ₀ that a tracker seeded with `seed` draws.
    private func batchEvaluation(of model: NEMModel, on frames: [[Float]], seed: UInt64) -> Rollout {
        var rng = SeededRNG(seed: seed)
        let cell = model.cell()
        let tensors = frames.map { Tensor(shape: [1, 1, 28, 28, 1], scalars: $0) }
        let initial = cell.initialState(firstInput: tensors[0], components: 3, rng: &rng)
        return withoutGradients {
            cell.unroll(inputs: tensors, targets: tensors, components: 3, stepWeights: .init(repeating: 1, count: frames.count - 1),
                        loss: LossSettings(gradientGamma: false), rng: &rng, initialState: initial)
        }
    }

    func testPerFrameGammaEqualsBatchEvaluationOfTheSameSequence() throws {
        let model = try smallModel()
        let frames = try sequence(frames: 7)
        let tracker = try Tracker(model: model, seed: 5)
        let tracked = frames.map { tracker.track($0) }
        let rollout = batchEvaluation(of: model, on: frames, seed: 5)
        for t in 1..<frames.count {
            XCTAssertEqual(tracked[t].gamma, rollout.gammas[t - 1].scalars, "γ of frame \(t)")
            XCTAssertEqual(tracked[t - 1].predictions, rollout.predictions[t - 1].scalars, "ψ after frame \(t - 1)")
        }
    }

    func testBinary16WeightsTrackAsTheirFloatValuesEvaluate() throws {
        // A model whose weights are exactly binary16 (as `nem model export --half` writes them): the
        // tracker keeps binary16 copies of its weight matrices and reads those, and still gives the γ
        // of batch evaluation of another instance of the same model holding float weights only.
        func halfModel() throws -> NEMModel {
            let model = try smallModel()
            for (_, tensor) in model.network.namedParameters {
                tensor.withUnsafeMutableBufferPointer { values in
                    for i in values.indices { values[i] = Float(Float16(values[i])) }
                }
            }
            return model
        }
        let model = try halfModel(), floatModel = try halfModel()
        let frames = try sequence(frames: 5)
        let tracker = try Tracker(model: model, seed: 5)
        let tracked = frames.map { tracker.track($0) }
        if FileManager.default.fileExists(atPath: "/proc/cpuinfo"),
           let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           ["avx2", "fma", "f16c"].allSatisfy({ info.contains(" \($0)") }) {
            XCTAssertGreaterThan(model.keepHalfPrecisionWeights(), 0, "weight matrices keep a binary16 copy")
        }
        let rollout = batchEvaluation(of: floatModel, on: frames, seed: 5)
        for t in 1..<frames.count {
            XCTAssertEqual(tracked[t].gamma, rollout.gammas[t - 1].scalars, "γ of frame \(t)")
        }
    }

    /// A tracker with three warm-up steps over `count` frames, and what its seed gives by hand: the cell,
    /// the frames as (1, 1, 28, 28, 1) tensors and the initial state.
    private func warmedUpTracking(frames count: Int) throws -> (model: NEMModel, tracked: [TrackedFrame], cell: NEMCell,
                                                                 x: [Tensor], start: EMState) {
        let model = try smallModel()
        let frames = try sequence(frames: count)
        let tracker = try Tracker(model: model, warmupSteps: 3, seed: 5)
        let tracked = frames.map { tracker.track($0) }
        var rng = SeededRNG(seed: 5)
        let cell = model.cell()
        let x = frames.map { Tensor(shape: [1, 1, 28, 28, 1], scalars: $0) }
        return (model, tracked, cell, x, cell.initialState(firstInput: x[0], components: 3, rng: &rng))
    }

    func testWarmupStepsRunOnTheFirstFrameOnlyThenTrackingGoesOnFromThere() throws {
        let (model, tracked, cell, x, start) = try warmedUpTracking(frames: 4)
        // By hand: γ₀, three steps on frame 0 against itself, the regular step on frame 0, then one step a frame.
        var state = start
        withoutGradients {
            for _ in 0..<4 { state = cell(input: x[0], target: x[0], state: state) }
            XCTAssertEqual(tracked[0].gamma, state.gamma.scalars, "γ shown for the first frame")
            XCTAssertEqual(tracked[0].predictions, state.predictions.scalars)
            for t in 1..<x.count {
                let gamma = eStep(predictions: state.predictions, target: x[t], likelihood: cell.likelihood, eSigma: cell.eSigma)
                XCTAssertEqual(tracked[t].gamma, gamma.scalars, "γ of frame \(t)")
                state = cell(input: x[t], target: x[t], state: EMState(theta: state.theta, predictions: state.predictions, gamma: gamma))
            }
        }
        XCTAssertThrowsError(try Tracker(model: model, warmupSteps: -1))
    }

    func testWarmupInTheRolloutIsTheTrackersWarmupAndAddsItsLosses() throws {
        let (_, tracked, cell, x, initial) = try warmedUpTracking(frames: 5)
        var rng = SeededRNG(seed: 0)  // unused: the rollouts start from given states
        let settings = LossSettings(gradientGamma: false)
        let weights = [Float](repeating: 1, count: 4)
        withoutGradients {
            let warmed = cell.unroll(inputs: x, targets: x, components: 3, stepWeights: weights, loss: settings, rng: &rng,
                                     initialState: initial, warmupSteps: 3)
            for t in 1..<x.count { XCTAssertEqual(tracked[t].gamma, warmed.gammas[t - 1].scalars, "γ of frame \(t)") }
            // By hand: three steps on frame 0 against itself, each adding its loss, then the plain rollout.
            var state = initial
            var warmupLoss: Float = 0
            for _ in 0..<3 {
                state = cell(input: x[0], target: x[0], state: state)
                warmupLoss += outerLoss(predictions: state.predictions, gamma: state.gamma, target: x[0],
                                        likelihood: cell.likelihood, settings: settings).total.scalar
            }
            XCTAssertEqual(warmed.startGamma.scalars, state.gamma.scalars)
            let plain = cell.unroll(inputs: x, targets: x, components: 3, stepWeights: weights, loss: settings, rng: &rng,
                                    initialState: state, warmupSteps: 0)
            XCTAssertEqual(plain.gammas.map(\.scalars), warmed.gammas.map(\.scalars))
            XCTAssertEqual(warmed.loss.scalar, plain.loss.scalar + warmupLoss, accuracy: abs(warmed.loss.scalar) * 1e-5)
        }
    }

    func testLabelsAreArgmaxGammaOnForegroundAndZeroElsewhere() throws {
        let tracker = try Tracker(model: try smallModel(), seed: 1)
        let frames = try sequence(frames: 3)
        for frame in frames {
            let out = tracker.track(frame)
            for p in 0..<784 {
                if frame[p] < 0.5 {
                    XCTAssertEqual(out.labels[p], 0)
                } else {
                    let gammas = (0..<3).map { out.gamma[$0 * 784 + p] }
                    XCTAssertEqual(Int(out.labels[p]) - 1, gammas.firstIndex(of: gammas.max()!))
                    XCTAssertEqual(out.confidence[p], gammas.max()!)
                }
            }
        }
    }

    func testResetStartsOverAndSceneCutsReset() throws {
        let frames = try sequence(frames: 4)
        let tracker = try Tracker(model: try smallModel(), sceneCutThreshold: 0.5, seed: 2)
        XCTAssertTrue(tracker.track(frames[0]).wasReset)
        XCTAssertFalse(tracker.track(frames[1]).wasReset)
        tracker.reset()
        XCTAssertTrue(tracker.track(frames[2]).wasReset)
        let inverted = frames[3].map { 1 - $0 }  // every pixel changes: a scene cut
        XCTAssertTrue(tracker.track(inverted).wasReset)
    }

    func testLongStreamStaysFinite() throws {
        let tracker = try Tracker(model: try smallModel(components: 2), seed: 3)
        let frames = try sequence(frames: 21)
        for i in 0..<2000 {
            let out = tracker.track(frames[i % 21])
            if i % 500 == 499 {
                XCTAssertTrue(out.gamma.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
                XCTAssertTrue(out.predictions.allSatisfy { $0.isFinite })
            }
        }
    }

    func testRefusesImpossibleComponents() throws {
        XCTAssertThrowsError(try Tracker(model: try smallModel(), components: 0))
        XCTAssertThrowsError(try Tracker(model: try smallModel(), stepsPerFrame: 0))
    }
}
