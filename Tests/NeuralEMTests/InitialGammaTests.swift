import Autodiff
import XCTest
@testable import NeuralEM

/// γ₀ by k-means over the first frame: each component starts on one compact part of the foreground.
final class InitialGammaTests: XCTestCase {
    /// A 28×28 frame with two filled squares, (5…10)² and (17…22)², optionally with bit-flip noise.
    private func twoSquares(noise: Float = 0, seed: UInt64 = 1) -> [Float] {
        var rng = SeededRNG(seed: seed)
        return (0..<28 * 28).map { p in
            let (y, x) = (p / 28, p % 28)
            let inside = (5...10).contains(y) && (5...10).contains(x) || (17...22).contains(y) && (17...22).contains(x)
            let value: Float = inside ? 1 : 0
            return rng.nextFloat() < noise ? 1 - value : value
        }
    }

    private func argmax(_ gamma: [Float], pixel p: Int, components k: Int) -> Int {
        (0..<k).max { gamma[$0 * 784 + p] < gamma[$1 * 784 + p] }!
    }

    func testTwoSeparateSquaresGetOneComponentEach() {
        for noise: Float in [0, 0.2] {
            var rng = SeededRNG(seed: 3)
            let frames = Tensor(shape: [1, 1, 28, 28, 1], scalars: twoSquares(noise: noise))
            let gamma = kMeansGamma(frames: frames, components: 2, rng: &rng).scalars
            let first = argmax(gamma, pixel: 7 * 28 + 7, components: 2)
            let second = argmax(gamma, pixel: 20 * 28 + 20, components: 2)
            XCTAssertNotEqual(first, second, "noise \(noise)")
            for y in 5...10 { for x in 5...10 { XCTAssertEqual(argmax(gamma, pixel: y * 28 + x, components: 2), first) } }
            for y in 17...22 { for x in 17...22 { XCTAssertEqual(argmax(gamma, pixel: y * 28 + x, components: 2), second) } }
            // Confident inside the squares: they are far apart compared with s = 2 pixels.
            XCTAssertGreaterThan(gamma[first * 784 + 7 * 28 + 7], 0.99)
        }
    }

    func testGammaIsNormalisedSeededAndDefinedForAnEmptyFrame() {
        let frames = Tensor(shape: [2, 1, 28, 28, 1], scalars: twoSquares() + [Float](repeating: 0, count: 784))
        var a = SeededRNG(seed: 7), b = SeededRNG(seed: 7)
        let gamma = kMeansGamma(frames: frames, components: 3, rng: &a)
        XCTAssertEqual(gamma.shape, [2, 3, 28, 28, 1])
        XCTAssertEqual(gamma.scalars, kMeansGamma(frames: frames, components: 3, rng: &b).scalars)
        for s in sum(gamma, axes: [1]).scalars { XCTAssertEqual(s, 1, accuracy: 1e-5) }
        XCTAssertTrue(gamma.scalars.allSatisfy { $0.isFinite })
    }

    func testNoisePixelsAloneCarryNoWeight() {
        // A lone foreground pixel has a 3×3 mean of 1/9 < ½; a filled square's inside has 1.
        let weights = foregroundWeights(twoSquares(), height: 28, width: 28, channels: 1)
        XCTAssertEqual(weights[7 * 28 + 7], 0.5, accuracy: 1e-6)
        var lone = [Float](repeating: 0, count: 784)
        lone[0] = 1; lone[400] = 1
        lone[100] = 1; lone[101] = 1; lone[128] = 1; lone[129] = 1; lone[156] = 1; lone[157] = 1
        let w = foregroundWeights(lone, height: 28, width: 28, channels: 1)
        XCTAssertEqual(w[400], 0)
        XCTAssertGreaterThan(w[129], 0)
    }

    func testTheCellUsesTheFirstInputWhenTheModelSaysKMeans() {
        var rng = SeededRNG(seed: 5)
        let network = NEMUpdateNetwork(inputSize: 28 * 28, thetaSize: 2, rng: &rng)
        let cell = NEMCell(network: network, likelihood: .bernoulli, gradientGamma: false, initialGamma: .kmeans,
                           frameShape: [28, 28, 1])
        let frames = Tensor(shape: [1, 1, 28, 28, 1], scalars: twoSquares())
        var a = SeededRNG(seed: 2), b = SeededRNG(seed: 2)
        XCTAssertEqual(cell.initialState(firstInput: frames, components: 2, rng: &a).gamma.scalars,
                       kMeansGamma(frames: frames, components: 2, rng: &b).scalars)
    }

    /// γ₀ = (1 − s)·random + s·k-means: the random part is drawn first from the same generator, then the
    /// k-means part, so both can be recomputed here from one seed.
    func testABlendedStartMixesTheRandomAndTheKMeansStarts() {
        var rng = SeededRNG(seed: 5)
        let network = NEMUpdateNetwork(inputSize: 28 * 28, thetaSize: 2, rng: &rng)
        let frames = Tensor(shape: [1, 1, 28, 28, 1], scalars: twoSquares())
        let random = NEMCell(network: network, likelihood: .bernoulli, gradientGamma: false, frameShape: [28, 28, 1])
        for share: Float in [0.25, 1] {
            let blended = NEMCell(network: network, likelihood: .bernoulli, gradientGamma: false, kMeansShare: share,
                                  frameShape: [28, 28, 1])
            var a = SeededRNG(seed: 2), b = SeededRNG(seed: 2)
            let gamma = blended.initialState(firstInput: frames, components: 2, rng: &a).gamma.scalars
            let alone = random.initialState(firstInput: frames, components: 2, rng: &b).gamma.scalars
            let kmeans = kMeansGamma(frames: frames, components: 2, rng: &b).scalars
            for i in gamma.indices { XCTAssertEqual(gamma[i], (1 - share) * alone[i] + share * kmeans[i], accuracy: 1e-6) }
            for p in 0..<784 { XCTAssertEqual(gamma[p] + gamma[784 + p], 1, accuracy: 1e-5) }
        }
    }
}
