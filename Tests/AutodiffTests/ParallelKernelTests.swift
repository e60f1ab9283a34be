import Autodiff
import XCTest

/// Big tensors split over threads must give what one thread gives.
final class ParallelKernelTests: XCTestCase {
    func run(threads: Int) -> [[Float]] {
        let saved = Parallelism.threadCount
        Parallelism.threadCount = threads
        defer { Parallelism.threadCount = saved }
        var rng = SeededRNG(seed: 3)
        let x = Tensor(randomNormal: [48, 14, 14, 8], using: &rng)                // 75264 values
        let w = Tensor(randomNormal: [4, 4, 8, 16], standardDeviation: 0.2, using: &rng)
        let up = Tensor(randomNormal: [4, 4, 8, 4], standardDeviation: 0.2, using: &rng)
        let gain = Tensor(randomNormal: [16], using: &rng), bias = Tensor(randomNormal: [16], using: &rng)
        let gamma = Tensor(randomUniform: [48, 14, 14, 1], in: 0...1, using: &rng)
        for t in [x, w, up, gain, bias] { t.requiresGrad = true }
        let h = elu(layerNorm(conv2d(x, filter: w, strides: (1, 1)), gain: gain, bias: bias))  // (48, 14, 14, 16)
        let masked = h * gamma - sigmoid(h).permuted([0, 2, 1, 3])
        let r = resizeConv2d(x, filter: up)                                                    // (48, 28, 28, 4)
        let loss = sum(square(masked)) + sum(relu(r) * 0.5) + sum(sum(masked, axes: [0]))
        loss.backward()
        return [loss.scalars, masked.scalars, r.scalars] + [x, w, up, gain, bias].map { $0.grad!.scalars }
    }

    func testFourPartsMatchOne() {
        let serial = run(threads: 1), parallel = run(threads: 4)
        for (index, (a, b)) in zip(serial, parallel).enumerated() {
            let scale = a.map(Swift.abs).max()!
            let error = zip(a, b).map { Swift.abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(error, 1e-5 * scale, "result \(index)")
        }
    }
}
