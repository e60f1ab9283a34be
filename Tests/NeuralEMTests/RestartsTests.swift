import Autodiff
import Datasets
import Layers
import XCTest
@testable import NeuralEM

/// Restarts: R searches for a start on frame 0 per sequence, the one whose warm-up explains the frame best is kept.
final class RestartsTests: XCTestCase {
    private func model(restarts: Int?) throws -> NEMModel { try smallRestartingModel(restarts: restarts) }

    /// The first frames of `count` flying-shapes sequences, (count, 1, 28, 28, 1).
    private func firstFrames(_ count: Int) throws -> Tensor {
        let generator = try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: 2, objects: 3))
        let values = (0..<count).flatMap { Array(generator.sequence(split: .test, index: $0, seed: 9).features[0..<784]) }
        return Tensor(shape: [count, 1, 28, 28, 1], scalars: values)
    }

    func testTheKeptSearchIsTheOneWhoseWarmUpExplainsFrameZeroBest() throws {
        let cell = try model(restarts: 4).cell()
        XCTAssertEqual(cell.restartNoise, .bitflip(probability: 0.2), "the training noise, 0.2 when the file does not say")
        let x = try firstFrames(3)
        var rng = SeededRNG(seed: 4), same = SeededRNG(seed: 4)
        let kept = cell.restartedStart(firstFrame: x, components: 3, rng: &rng)
        XCTAssertEqual(kept.state.gamma.shape, [3, 3, 28, 28, 1])
        XCTAssertEqual(kept.state.theta.shape, [9, 16])
        XCTAssertEqual(kept.initialGamma.shape, [3, 3, 28, 28, 1])
        // The same draws (noisy copies, then γ₀), each search warmed up alone (batch 1) and scored on the clean frame.
        let copies = repeatedSlices(x, times: 4)
        let noisy = cell.restartNoise.apply(to: copies.scalars, rng: &same)
        XCTAssertNotEqual(noisy, copies.scalars)
        let draws = cell.initialState(firstInput: Tensor(shape: copies.shape, scalars: noisy), components: 3, rng: &same)
        let gammas = draws.gamma.scalars, slice = 3 * 784
        withoutGradients {
            for b in 0..<3 {
                let frame = Tensor(shape: [1, 1, 28, 28, 1], scalars: Array(x.scalars[b * 784..<(b + 1) * 784]))
                func search(_ r: Int) -> EMState {
                    let e = b * 4 + r
                    let input = Tensor(shape: [1, 1, 28, 28, 1], scalars: Array(noisy[e * 784..<(e + 1) * 784]))
                    var state = EMState(theta: cell.network.initialTheta(rows: 3), predictions: Tensor(filling: 0, shape: [1, 3, 28, 28, 1]),
                                        gamma: Tensor(shape: [1, 3, 28, 28, 1], scalars: Array(gammas[e * slice..<(e + 1) * slice])))
                    for _ in 0..<2 { state = cell(input: input, target: frame, state: state) }
                    return state
                }
                let searches = (0..<4).map(search)
                let scores = searches.map { cell.frameLogLikelihoods(predictions: $0.predictions, target: frame)[0] }
                XCTAssertGreaterThan(Set(scores.map { Float($0) }).count, 1, "the searches differ")
                let best = scores.indices.max { scores[$0] < scores[$1] }!
                XCTAssertTrue(Array(kept.initialGamma.scalars[b * slice..<(b + 1) * slice])
                              == Array(gammas[(b * 4 + best) * slice..<(b * 4 + best + 1) * slice]), "γ₀ of sequence \(b): not search \(best)'s")
                let keptGamma = Array(kept.state.gamma.scalars[b * slice..<(b + 1) * slice])
                let gap = zip(keptGamma, searches[best].gamma.scalars).map { Swift.abs($0 - $1) }.max()!
                XCTAssertLessThan(gap, 1e-4, "γ after the warm-up of sequence \(b)")
            }
        }
    }

    func testFrameLogLikelihoodIsTheMixtureOfTheComponents() {
        var rng = SeededRNG(seed: 1)
        let cell = NEMCell(network: NEMUpdateNetwork(inputSize: 2, thetaSize: 1, rng: &rng), likelihood: .bernoulli,
                           gradientGamma: false, frameShape: [1, 2, 1])
        // Two pixels x = (1, 0); ψ₁ = (0.9, 0.2), ψ₂ = (0.5, 0.5): log((0.9+0.5)/2 + ε) + log((0.8+0.5)/2 + ε).
        let psi = Tensor(shape: [1, 2, 1, 2, 1], scalars: [0.9, 0.2, 0.5, 0.5])
        let x = Tensor(shape: [1, 1, 1, 2, 1], scalars: [1, 0])
        let expected = log(0.7 + 1e-6 / 2) + log(0.65 + 1e-6 / 2)
        XCTAssertEqual(cell.frameLogLikelihoods(predictions: psi, target: x)[0], expected, accuracy: 1e-5)
    }

    func testTheTrackerKeepsTheSameStartAsBatchEvaluation() throws {
        let model = try model(restarts: 3)
        let generator = try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: 5, objects: 3))
        let features = generator.sequence(split: .test, index: 1, seed: 9).features
        let frames = (0..<5).map { Array(features[$0 * 784..<($0 + 1) * 784]) }
        let tracker = try Tracker(model: model, warmupSteps: 2, seed: 5)
        XCTAssertEqual(tracker.restarts, 3, "the model's")
        let tracked = frames.map { tracker.track($0) }

        var rng = SeededRNG(seed: 5)
        let cell = model.cell()
        let x = frames.map { Tensor(shape: [1, 1, 28, 28, 1], scalars: $0) }
        let rollout = withoutGradients {
            let start = cell.restartedStart(firstFrame: x[0], components: 3, rng: &rng)
            return cell.unroll(inputs: x, targets: x, components: 3, stepWeights: .init(repeating: 1, count: 4),
                               loss: LossSettings(gradientGamma: false), rng: &rng, initialState: start.state, warmupSteps: 0)
        }
        for t in 1..<frames.count { XCTAssertEqual(tracked[t].gamma, rollout.gammas[t - 1].scalars, "γ of frame \(t)") }
        XCTAssertThrowsError(try Tracker(model: model, restarts: 0))
        XCTAssertThrowsError(try NEMModel(config: ModelConfig(components: 3, steps: 4, likelihood: .bernoulli, restarts: 0,
                                                              frameShape: [28, 28, 1], network: model.config.network),
                                          rng: &rng))
    }
}
