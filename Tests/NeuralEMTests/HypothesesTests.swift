import Autodiff
import Datasets
import Layers
import XCTest
@testable import NeuralEM

/// Restarts carried through the sequence: R runs per sequence, each frame labelled by the run whose grouping
/// explains it best.
final class HypothesesTests: XCTestCase {
    private func model(restarts: Int) throws -> NEMModel { try smallRestartingModel(restarts: restarts, restartScope: .sequence) }

    /// `frames` frames of `count` flying-shapes sequences, each (count, 1, 28, 28, 1).
    private func frames(_ count: Int, frames: Int) throws -> [Tensor] {
        let generator = try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: frames, objects: 3))
        let sequences = (0..<count).map { generator.sequence(split: .test, index: $0, seed: 9).features }
        return (0..<frames).map { t in
            Tensor(shape: [count, 1, 28, 28, 1], scalars: sequences.flatMap { Array($0[t * 784..<(t + 1) * 784]) })
        }
    }

    func testClassificationLogLikelihoodIsTheMixtureLogLikelihoodMinusTheEntropyOfGamma() {
        // One element, K = 2, two pixels: p = (0.9, 0.3) and (0.2, 0.2).
        let p = Tensor(shape: [1, 2, 1, 2, 1], scalars: [0.9, 0.2, 0.3, 0.2])
        let gamma = p / sum(p, axes: [1], keepDims: true)
        let first = 0.9 * log(0.9) / 1.2 + 0.3 * log(0.3) / 1.2  // Σ_k γ_k log p_k of pixel 1
        let second = log(0.2)  // γ = (½, ½), both log 0.2
        XCTAssertEqual(classificationLogLikelihoods(probabilities: p, gamma: gamma)[0], first + second, accuracy: 1e-5)
        // = log Σ_k p_k − H(γ) per pixel
        let entropy = -(0.75 * log(0.75) + 0.25 * log(0.25)) - log(0.5)
        XCTAssertEqual(first + second, log(1.2) + log(0.4) - entropy, accuracy: 1e-9)
    }

    func testEveryRunGoesOnAloneRunZeroOnTheGivenFramesAndTheBestLabelsEachFrame() throws {
        let cell = try model(restarts: 3).cell()
        XCTAssertEqual(cell.restartScope, .sequence, "the model's")
        let x = try frames(2, frames: 3)
        var rng = SeededRNG(seed: 4), same = SeededRNG(seed: 4)
        var runs = Hypotheses(cell: cell, firstFrame: x[0], components: 3, rng: &rng)
        runs.step(input: x[0], clean: x[0], target: x[1], rng: &rng)
        runs.step(input: x[1], clean: x[1], target: x[2], rng: &rng)
        let choice = runs.expect(target: x[2])

        // The same draws, each run alone (batch 1): its search on frame 0, then two steps.
        let copies = repeatedSlices(x[0], times: 3)
        let noisy0 = cell.restartNoise.apply(to: copies.scalars, rng: &same)
        let draws = cell.initialState(firstInput: Tensor(shape: copies.shape, scalars: noisy0), components: 3, rng: &same)
        let noisy1 = cell.restartNoise.apply(to: repeatedSlices(x[0], times: 3).scalars, rng: &same)
        let noisy2 = cell.restartNoise.apply(to: repeatedSlices(x[1], times: 3).scalars, rng: &same)
        let slice = 3 * 784
        func frame(_ values: [Float], _ e: Int) -> Tensor { Tensor(shape: [1, 1, 28, 28, 1], scalars: Array(values[e * 784..<(e + 1) * 784])) }
        withoutGradients {
            for b in 0..<2 {
                var scores: [Double] = []
                for r in 0..<3 {
                    let e = b * 3 + r
                    var state = EMState(theta: cell.network.initialTheta(rows: 3), predictions: Tensor(filling: 0, shape: [1, 3, 28, 28, 1]),
                                        gamma: Tensor(shape: [1, 3, 28, 28, 1], scalars: Array(draws.gamma.scalars[e * slice..<(e + 1) * slice])))
                    for _ in 0..<2 { state = cell(input: frame(noisy0, e), target: frame(x[0].scalars, b), state: state) }
                    // Run 0 reads the frames as given, the others their own noisy copies.
                    state = cell(input: r == 0 ? frame(x[0].scalars, b) : frame(noisy1, e), target: frame(x[1].scalars, b), state: state)
                    state = cell(input: r == 0 ? frame(x[1].scalars, b) : frame(noisy2, e), target: frame(x[2].scalars, b), state: state)
                    let gap = zip(Array(runs.state.gamma.scalars[e * slice..<(e + 1) * slice]), state.gamma.scalars).map { Swift.abs($0 - $1) }.max()!
                    XCTAssertLessThan(gap, 1e-4, "γ of run \(r) of sequence \(b)")
                    let p = pixelProbabilities(predictions: state.predictions, target: frame(x[2].scalars, b), likelihood: cell.likelihood, eSigma: cell.eSigma)
                    scores.append(classificationLogLikelihoods(probabilities: p, gamma: state.gamma)[0])
                }
                XCTAssertGreaterThan(Set(scores.map { Float($0) }).count, 1, "the runs differ")
                let best = scores.indices.max { scores[$0] < scores[$1] }!
                XCTAssertEqual(choice.leaders[b], best, "the leader of sequence \(b)")
                XCTAssertEqual(Array(choice.gamma.scalars[b * slice..<(b + 1) * slice]),
                               Array(runs.state.gamma.scalars[(b * 3 + best) * slice..<(b * 3 + best + 1) * slice]))
            }
        }
    }

    func testEvaluationScoresTheLeadersAndTheirOwnNextStepPredictions() throws {
        let model = try model(restarts: 3)
        let x = try frames(2, frames: 5)
        var rng = SeededRNG(seed: 8)
        let (rollout, initialGamma) = model.cell().unrollHypotheses(inputs: x, targets: x, components: 3, stepWeights: [1, 1, 1, 1],
                                                                    loss: LossSettings(gradientGamma: false), rng: &rng)
        XCTAssertEqual(rollout.gammas.count, 4)
        XCTAssertEqual(rollout.gammas[0].shape, [2, 3, 28, 28, 1])
        XCTAssertEqual(rollout.predictions[3].shape, [2, 3, 28, 28, 1])
        XCTAssertEqual(initialGamma.shape, [2, 3, 28, 28, 1])
        XCTAssertEqual(rollout.mixingGammas?.count, 4, "each step's ψ is weighed by its own run's γ of the step before")
        let loss = rollout.stepLosses.map(\.total).reduce(0, +)
        XCTAssertEqual(rollout.loss.scalar, loss, accuracy: 1e-3 * Swift.abs(loss))
        // The same model and data through `evaluate` with the scope stored in the model: finite scores, one row a sequence.
        let batch = Batch(features: x.flatMap(\.scalars), groups: [Int32](repeating: 1, count: 5 * 2 * 784), t: 5, b: 2, h: 28, w: 28, c: 1)
        let result = try model.evaluate(batches: [batch], noise: .none, loss: LossConfig(gradientGamma: false, stepWeights: .all), seed: 3)
        XCTAssertEqual(result.perSequence.count, 2)
        XCTAssertTrue(result.bce.isFinite && result.loss.isFinite)
    }

    func testTheTrackerShowsTheLeadersGammaOfBatchEvaluationInAFixedColourOrder() throws {
        let model = try model(restarts: 3)
        let x = try frames(1, frames: 6)
        let tracker = try Tracker(model: model, warmupSteps: 2, seed: 5)
        XCTAssertEqual(tracker.restartScope, .sequence, "the model's")
        let tracked = x.map { tracker.track($0.scalars) }
        var rng = SeededRNG(seed: 5)
        let (rollout, _) = model.cell(warmupSteps: 2).unrollHypotheses(inputs: x, targets: x, components: 3, stepWeights: [1, 1, 1, 1, 1],
                                                                      loss: LossSettings(gradientGamma: false), rng: &rng)
        for t in 1..<x.count {
            let expected = rollout.gammas[t - 1].scalars, shown = tracked[t].gamma
            // Each shown component is one of the leader's, each used once.
            var used = Set<Int>()
            for k in 0..<3 {
                let j = (0..<3).first { j in
                    !used.contains(j) && (0..<784).allSatisfy { Swift.abs(shown[k * 784 + $0] - expected[j * 784 + $0]) < 1e-4 }
                }
                XCTAssertNotNil(j, "frame \(t): component \(k) is none of the leader's left")
                j.map { _ = used.insert($0) }
            }
        }
        // Frame 0: the run whose warm-up explains it best, after the frame's own step (the same draws).
        var same = SeededRNG(seed: 5)
        var runs = Hypotheses(cell: model.cell(warmupSteps: 2), firstFrame: x[0], components: 3, rng: &same)
        let first = runs.expect(target: x[0]).leaders
        runs.step(input: x[0], clean: x[0], target: x[0], rng: &same)
        XCTAssertEqual(tracked[0].gamma, runs.selected(runs.state.gamma, of: first).scalars, "frame 0")
        // Frame 1 keeps frame 0's leader (its prediction of frame 1 has not seen motion yet), in the same colours.
        XCTAssertEqual(tracked[1].gamma, runs.expect(target: x[1], keeping: first).gamma.scalars, "frame 1")
        XCTAssertNoThrow(try Tracker(model: model, restartScope: .firstFrame))
        XCTAssertEqual(try Tracker(model: model, restartVote: 2).restartVote, 2, "tracker.restart_vote")
        XCTAssertEqual(tracker.restartVote, 1, "the model's")
        XCTAssertThrowsError(try Tracker(model: model, restartVote: 0))
    }

    func testAVoteAveragesTheBestRunsInTheLeadersComponentOrder() {
        // One sequence, R = 3, K = 2, 4 pixels: run 0 leads; run 2 has the same grouping with its components swapped and
        // pixel 2 undecided; run 1 explains the frame worst and is left out of a vote of two.
        let leader: [Float] = [1, 1, 0, 0, 0, 0, 1, 1], worst = [Float](repeating: 0.5, count: 8)
        let swapped: [Float] = [0, 0, 0.5, 1, 1, 1, 0.5, 0]
        let gamma = Tensor(shape: [3, 2, 1, 4, 1], scalars: leader + worst + swapped)
        let two = votedGamma(gamma, scores: [-1, -9, -2], leaders: [0], runs: 3, voters: 2)
        XCTAssertEqual(two.shape, [1, 2, 1, 4, 1])
        XCTAssertEqual(two.scalars, [1, 1, 0.25, 0, 0, 0, 0.75, 1])
        // More voters than runs: every run votes.
        let all = votedGamma(gamma, scores: [-1, -9, -2], leaders: [0], runs: 3, voters: 5).scalars
        let expected: [Float] = [2.5, 2.5, 1, 0.5, 0.5, 0.5, 2, 2.5].map { $0 / 3 }
        for (a, b) in zip(all, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        // A leader kept from frame 0 votes even when others score higher; the best of the others joins it.
        let kept = votedGamma(gamma, scores: [-1, -9, -2], leaders: [1], runs: 3, voters: 2).scalars
        XCTAssertEqual(kept, zip(worst, leader).map { ($0 + $1) / 2 })
        // Two sequences are voted apart.
        let pair = Tensor(shape: [6, 2, 1, 4, 1], scalars: leader + worst + swapped + swapped + worst + leader)
        XCTAssertEqual(votedGamma(pair, scores: [-1, -9, -2, -2, -9, -1], leaders: [0, 2], runs: 3, voters: 2).scalars,
                       [1, 1, 0.25, 0, 0, 0, 0.75, 1] + [1, 1, 0.25, 0, 0, 0, 0.75, 1])
    }

    func testACellWithAVoteLabelsEachFrameByTheVote() throws {
        let model = try model(restarts: 3)
        let x = try frames(2, frames: 2)
        var rng = SeededRNG(seed: 4)
        var runs = Hypotheses(cell: model.cell(restartVote: 3), firstFrame: x[0], components: 3, rng: &rng)
        runs.step(input: x[0], clean: x[0], target: x[1], rng: &rng)
        let choice = runs.expect(target: x[1])
        withoutGradients {
            let p = pixelProbabilities(predictions: runs.state.predictions, target: repeatedSlices(x[1], times: 3),
                                       likelihood: runs.cell.likelihood, eSigma: runs.cell.eSigma)
            let scores = classificationLogLikelihoods(probabilities: p, gamma: runs.state.gamma)
            XCTAssertEqual(choice.gamma.scalars,
                           votedGamma(runs.state.gamma, scores: scores, leaders: choice.leaders, runs: 3, voters: 3).scalars)
        }
        XCTAssertNotEqual(choice.gamma.scalars, runs.selected(runs.state.gamma, of: choice.leaders).scalars, "not the leader alone")
    }

    func testAComponentOrderFollowsTheOverlapOfTheGroupings() {
        // Reference rows one-hot over 4 pixels' blocks; the candidate the same rows in another order, blurred.
        for k in [3, 8] {
            let pixels = 4 * k
            let reference = (0..<k).flatMap { i in (0..<pixels).map { p in p / 4 == i ? Float(1) : 0 } }
            let truth = Array((0..<k).reversed()).shuffledDeterministically()
            // candidate row truth[i] is reference row i, plus a little of every pixel
            var candidate = [Float](repeating: 0.01, count: k * pixels)
            for i in 0..<k { for p in 0..<pixels where reference[i * pixels + p] == 1 { candidate[truth[i] * pixels + p] = 0.9 } }
            let order = matchedOrder(reference: reference, candidate: candidate, components: k)
            XCTAssertEqual(order, truth, "K = \(k)")
            XCTAssertEqual(reordered(candidate, order: order).enumerated().filter { $0.element == 0.9 }.map { $0.offset },
                           reference.enumerated().filter { $0.element == 1 }.map { $0.offset })
        }
    }
}

private extension Array where Element == Int {
    /// A fixed reordering (a rotation by one after a swap of the first two), so the test is deterministic.
    func shuffledDeterministically() -> [Int] {
        var a = self
        a.swapAt(0, 1)
        return Array(a[1...] + a[..<1])
    }
}
