import Autodiff
import Foundation
import XCTest

/// The Float kernels have their own code paths (a branch-free exp, Float row sums): checked here
/// against libm and the Double path.
final class FloatKernelTests: XCTestCase {
    func testExpIsWithinTwoUlpOfLibm() {
        let inputs = stride(from: -87.0, through: 88.0, by: 0.013).map(Float.init) + [0, -0, 1e-8, -1e-8, 0.5, -0.5]
        let ours = exp(Tensor(shape: [inputs.count], scalars: inputs)).scalars
        for (x, y) in zip(inputs, ours) {
            let reference = Foundation.exp(x)
            XCTAssertLessThanOrEqual(Swift.abs(y - reference), 2 * reference.ulp, "exp(\(x)) = \(y), libm \(reference)")
        }
        let edges = exp(Tensor(shape: [5], scalars: [100, -100, .infinity, -.infinity, .nan])).scalars
        XCTAssertEqual(Array(edges.prefix(4)), [.infinity, 0, .infinity, 0])
        XCTAssertTrue(edges[4].isNaN)
    }

    func testFloatActivationsAgreeWithDouble() {
        var rng = SeededRNG(seed: 1)
        let x = Tensor(randomNormal: [1000], standardDeviation: 6, using: &rng)
        let xd = TensorOf<Double>(converting: x)
        for (name, float, double) in [("sigmoid", sigmoid(x), sigmoid(xd)), ("elu", elu(x), elu(xd)), ("exp", exp(x / 4), exp(xd / 4))] {
            for (a, b) in zip(float.scalars, double.scalars) {
                XCTAssertEqual(Double(a), b, accuracy: 3e-7 * Swift.max(1, Swift.abs(b)), name)
            }
        }
    }

    func testFloatLayerNormAgreesWithDouble() {
        // Rows of 6272 values (the first conv layer of flying shapes) with a large common offset.
        var rng = SeededRNG(seed: 2)
        let x = Tensor(randomNormal: [3, 14, 14, 32], mean: 40, standardDeviation: 2, using: &rng)
        let gain = Tensor(randomNormal: [32], using: &rng), bias = Tensor(randomNormal: [32], using: &rng)
        let y = layerNorm(x, gain: gain, bias: bias)
        let yd = layerNorm(TensorOf<Double>(converting: x), gain: .init(converting: gain), bias: .init(converting: bias))
        let error = zip(y.scalars, yd.scalars).map { Swift.abs(Double($0) - $1) }.max()!
        XCTAssertLessThan(error, 1e-5)
    }

    func testFewRowProductsAgreeWithDouble() {
        // M ≤ 4 rows against a large matrix take the sgemv path, M = 5 sgemm: every transpose, with and
        // without accumulation (affine), forward and backward.
        var rng = SeededRNG(seed: 3)
        for m in [1, 3, 4, 5] {
            for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = Tensor(randomNormal: transposeA ? [300, m] : [m, 300], using: &rng)
                let b = Tensor(randomNormal: transposeB ? [200, 300] : [300, 200], using: &rng)
                let product = matmul(a, b, transposeA: transposeA, transposeB: transposeB)
                let reference = matmul(TensorOf<Double>(converting: a), TensorOf<Double>(converting: b),
                                       transposeA: transposeA, transposeB: transposeB)
                XCTAssertEqual(product.shape, [m, 200])
                let error = zip(product.scalars, reference.scalars).map { Swift.abs(Double($0) - $1) }.max()!
                XCTAssertLessThan(error, 1e-4, "m \(m) transposeA \(transposeA) transposeB \(transposeB)")
            }
            let x = Tensor(randomNormal: [m, 300], using: &rng), w = Tensor(randomNormal: [300, 200], using: &rng)
            let bias = Tensor(randomNormal: [200], using: &rng)
            let y = affine(x, w, bias)
            let yd = affine(TensorOf<Double>(converting: x), .init(converting: w), .init(converting: bias))
            let error = zip(y.scalars, yd.scalars).map { Swift.abs(Double($0) - $1) }.max()!
            XCTAssertLessThan(error, 1e-4, "affine, m \(m)")
        }
    }
}
