import Autodiff
import XCTest
import NeuralEM

/// The E-step, the masked deltas and both loss terms against values computed by hand.
final class EMStepTests: XCTestCase {
    /// B = 1, K = 2, one pixel, one channel.
    private func pixel(_ values: [Float], k: Int = 2) -> Tensor { Tensor(shape: [1, k, 1, 1, 1], scalars: values) }

    func testBernoulliEStepIsAPlainRatioOfLikelihoodsPlusEpsilon() {
        // x = 1: p_k = ψ_k + 1e-6 → γ = (0.8 + ε, 0.2 + ε) / (1 + 2ε)
        let gamma = eStep(predictions: pixel([0.8, 0.2]), target: Tensor(shape: [1, 1, 1, 1, 1], scalars: [1]),
                          likelihood: .bernoulli, eSigma: 0.25).scalars
        XCTAssertEqual(gamma[0], Float((0.8 + 1e-6) / (1 + 2e-6)), accuracy: 1e-7)
        XCTAssertEqual(gamma[1], Float((0.2 + 1e-6) / (1 + 2e-6)), accuracy: 1e-7)
        // x = 0: p_k = 1 − ψ_k
        let off = eStep(predictions: pixel([0.8, 0.2]), target: Tensor(shape: [1, 1, 1, 1, 1], scalars: [0]),
                        likelihood: .bernoulli, eSigma: 0.25).scalars
        XCTAssertEqual(off[0], Float((0.2 + 1e-6) / (1 + 2e-6)), accuracy: 1e-7)
    }

    func testGaussianEStepUsesESigmaAsTemperature() {
        // x = 0.5, μ = (0.5, 0.75), σ = 0.25: N ratio = exp(0) : exp(−0.25²/(2·0.25²)) = 1 : e^(−1/2)
        let gamma = eStep(predictions: pixel([0.5, 0.75]), target: Tensor(shape: [1, 1, 1, 1, 1], scalars: [0.5]),
                          likelihood: .gaussian, eSigma: 0.25).scalars
        let n = 1 / (2 * Double.pi * 0.0625).squareRoot()
        let p0 = n + 1e-6, p1 = n * Foundation.exp(-0.5) + 1e-6
        XCTAssertEqual(Double(gamma[0]), p0 / (p0 + p1), accuracy: 1e-6)
        XCTAssertEqual(Double(gamma[1]), p1 / (p0 + p1), accuracy: 1e-6)
    }

    func testEStepSumsProbabilitiesOverChannels() {
        // Two channels, x = (1, 0): p_k = ψ_k,0 + (1 − ψ_k,1) + ε
        let predictions = Tensor(shape: [1, 2, 1, 1, 2], scalars: [0.9, 0.1, 0.3, 0.6])
        let gamma = eStep(predictions: predictions, target: Tensor(shape: [1, 1, 1, 1, 2], scalars: [1, 0]),
                          likelihood: .bernoulli, eSigma: 0.25)
        XCTAssertEqual(gamma.shape, [1, 2, 1, 1, 1])
        let p0 = 0.9 + 0.9 + 1e-6, p1 = 0.3 + 0.4 + 1e-6
        XCTAssertEqual(Double(gamma.scalars[0]), p0 / (p0 + p1), accuracy: 1e-6)
    }

    func testMaskedDeltasAreDataMinusPredictionTimesGamma() {
        var rng = SeededRNG(seed: 1)
        let network = NEMUpdateNetwork(inputSize: 1, thetaSize: 1, rng: &rng)
        let cell = NEMCell(network: network, likelihood: .bernoulli, gradientGamma: false, frameShape: [1, 1, 1])
        let state = EMState(theta: .zeros([2, 1]), predictions: pixel([0.25, 0.5]), gamma: pixel([0.75, 0.25]))
        let deltas = cell.maskedDeltas(input: Tensor(shape: [1, 1, 1, 1, 1], scalars: [1]), state: state).scalars
        XCTAssertEqual(deltas, [0.75 * 0.75, 0.5 * 0.25])
    }

    func testIntraLossIsClippedBinaryCrossEntropy() {
        let target = Tensor(shape: [1, 1, 1, 1, 1], scalars: [1])
        let loss = intraLoss(predictions: pixel([0.5, 0]), target: target, likelihood: .bernoulli).scalars
        XCTAssertEqual(loss[0], -Foundation.log(0.5), accuracy: 1e-6)
        XCTAssertEqual(loss[1], -Foundation.log(Float(1e-6)), accuracy: 1e-3)  // ψ = 0 is clipped to 1e-6
        let gaussian = intraLoss(predictions: pixel([0.5, 0]), target: target, likelihood: .gaussian).scalars
        XCTAssertEqual(gaussian, [0.125, 0.5])
    }

    func testInterLossIsKLFromThePixelPrior() {
        // prior p = 0: −log(1 − ψ); ψ = 1 is clipped at 1 − ψ = 1e-6.
        let loss = interLoss(predictions: pixel([0.25, 1]), prior: 0, likelihood: .bernoulli).scalars
        XCTAssertEqual(loss[0], -Foundation.log(0.75), accuracy: 1e-6)
        XCTAssertEqual(loss[1], -Foundation.log(Float(1e-6)), accuracy: 1e-3)
        // prior p = 0.5, ψ = 0.25: 0.5·log(0.5/0.25) + 0.5·log(0.5/0.75)
        let half = interLoss(predictions: pixel([0.25, 0.25]), prior: 0.5, likelihood: .bernoulli).scalars
        XCTAssertEqual(half[0], 0.5 * Foundation.log(2) + 0.5 * Foundation.log(Float(2) / 3), accuracy: 1e-6)
        XCTAssertEqual(interLoss(predictions: pixel([0.5, -1]), prior: 0, likelihood: .gaussian).scalars, [0.125, 0.5])
    }

    func testOuterLossWeighsIntraByGammaAndInterByOneMinusGammaPerBatch() {
        // B = 2 identical images: the sums over the batch are divided by B.
        let predictions = Tensor(shape: [2, 2, 1, 1, 1], scalars: [0.5, 0.25, 0.5, 0.25])
        let gamma = Tensor(shape: [2, 2, 1, 1, 1], scalars: [0.75, 0.25, 0.75, 0.25])
        let target = Tensor(shape: [2, 1, 1, 1, 1], scalars: [1, 1])
        let loss = outerLoss(predictions: predictions, gamma: gamma, target: target, likelihood: .bernoulli,
                             settings: LossSettings(interWeight: 0.5))
        let intra = 0.75 * -Foundation.log(0.5) + 0.25 * -Foundation.log(0.25)
        let inter = 0.25 * -Foundation.log(0.5) + 0.75 * -Foundation.log(0.75)
        XCTAssertEqual(Double(loss.intra.scalar), intra, accuracy: 1e-5)
        XCTAssertEqual(Double(loss.inter.scalar), inter, accuracy: 1e-5)
        XCTAssertEqual(Double(loss.total.scalar), intra + 0.5 * inter, accuracy: 1e-5)
    }

    func testInitialGammaIsNormalisedOverComponentsAndOnesForOneComponent() {
        var rng = SeededRNG(seed: 3)
        let network = NEMUpdateNetwork(inputSize: 4, thetaSize: 2, rng: &rng)
        let cell = NEMCell(network: network, likelihood: .bernoulli, gradientGamma: false, frameShape: [2, 2, 1])
        let state = cell.initialState(firstInput: .zeros([2, 1, 2, 2, 1]), components: 3, rng: &rng)
        XCTAssertEqual(state.gamma.shape, [2, 3, 2, 2, 1])
        let sums = sum(state.gamma, axes: [1]).scalars
        for s in sums { XCTAssertEqual(s, 1, accuracy: 1e-6) }
        XCTAssertTrue(state.predictions.scalars.allSatisfy { $0 == 0 })
        XCTAssertTrue(state.theta.scalars.allSatisfy { $0 == 0 })
        XCTAssertTrue(cell.initialState(firstInput: .zeros([1, 1, 2, 2, 1]), components: 1, rng: &rng).gamma.scalars.allSatisfy { $0 == 1 })
    }

    func testSmoothInitialGammaIsNormalisedSmoothAndSeeded() {
        var rng = SeededRNG(seed: 5)
        let network = NEMUpdateNetwork(inputSize: 28 * 28, thetaSize: 2, rng: &rng)
        let cell = NEMCell(network: network, likelihood: .bernoulli, gradientGamma: false, initialGammaGrid: 3,
                           frameShape: [28, 28, 1])
        var first = SeededRNG(seed: 9), second = SeededRNG(seed: 9)
        let gamma = cell.initialState(firstInput: .zeros([2, 1, 28, 28, 1]), components: 3, rng: &first).gamma
        XCTAssertEqual(gamma.shape, [2, 3, 28, 28, 1])
        XCTAssertEqual(gamma.scalars, cell.initialState(firstInput: .zeros([2, 1, 28, 28, 1]), components: 3, rng: &second).gamma.scalars)
        for s in sum(gamma, axes: [1]).scalars { XCTAssertEqual(s, 1, accuracy: 1e-5) }
        // Smooth: horizontal neighbours differ far less than in the per-pixel draw, where they are independent.
        func meanNeighbourStep(_ g: [Float]) -> Float {
            var total: Float = 0, count = 0
            for row in 0..<(g.count / 28) { for x in 1..<28 { total += abs(g[row * 28 + x] - g[row * 28 + x - 1]); count += 1 } }
            return total / Float(count)
        }
        let perPixel = NEMCell(network: network, likelihood: .bernoulli, gradientGamma: false, frameShape: [28, 28, 1])
        var third = SeededRNG(seed: 9)
        let rough = meanNeighbourStep(perPixel.initialState(firstInput: .zeros([2, 1, 28, 28, 1]), components: 3, rng: &third).gamma.scalars)
        XCTAssertLessThan(meanNeighbourStep(gamma.scalars), rough / 5)
    }

    func testBilinearUpsamplingKeepsGridValuesAtCellCentresAndInterpolatesBetween() {
        // A 2×2 grid on a 4×4 frame: cell centres at pixel 0.5 and 2.5 → pixels 0 and 3 are clamped to the
        // grid values, pixels 1 and 2 lie a quarter and three quarters of the way between them.
        let grid = Tensor(shape: [1, 2, 2], scalars: [0, 4, 8, 12])
        let up = bilinearUpsampled(grid, height: 4, width: 4).scalars
        XCTAssertEqual(Array(up[0..<4]), [0, 1, 3, 4])
        XCTAssertEqual(Array(up[12..<16]), [8, 9, 11, 12])
        XCTAssertEqual(up[4], 2, accuracy: 1e-6)
    }
}
