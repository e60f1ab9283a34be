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
        // M ≤ 4 rows against a large matrix take the few-rows path (CKernels where the CPU has AVX2 and
        // FMA, else sgemv per row), M = 5 sgemm: every transpose, with and without accumulation
        // (affine), sizes with and without a remainder of the kernel's 8 columns and 4 rows of B.
        var rng = SeededRNG(seed: 3)
        for (k, n) in [(300, 200), (301, 203)] {
            for m in [1, 2, 3, 4, 5] {
                for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                    let a = Tensor(randomNormal: transposeA ? [k, m] : [m, k], using: &rng)
                    let b = Tensor(randomNormal: transposeB ? [n, k] : [k, n], using: &rng)
                    let product = matmul(a, b, transposeA: transposeA, transposeB: transposeB)
                    let reference = matmul(TensorOf<Double>(converting: a), TensorOf<Double>(converting: b),
                                           transposeA: transposeA, transposeB: transposeB)
                    XCTAssertEqual(product.shape, [m, n])
                    let error = zip(product.scalars, reference.scalars).map { Swift.abs(Double($0) - $1) }.max()!
                    XCTAssertLessThan(error, 1e-4, "k \(k) n \(n) m \(m) transposeA \(transposeA) transposeB \(transposeB)")
                }
                let x = Tensor(randomNormal: [m, k], using: &rng), w = Tensor(randomNormal: [k, n], using: &rng)
                let bias = Tensor(randomNormal: [n], using: &rng)
                let y = affine(x, w, bias)
                let yd = affine(TensorOf<Double>(converting: x), .init(converting: w), .init(converting: bias))
                let error = zip(y.scalars, yd.scalars).map { Swift.abs(Double($0) - $1) }.max()!
                XCTAssertLessThan(error, 1e-4, "affine, k \(k) n \(n) m \(m)")
            }
        }
    }

    func testHalfPrecisionCopyOfExactWeightsGivesTheFloatProducts() {
        // Weights that are exactly binary16 keep a copy (where the CPU has AVX2, FMA and F16C); products
        // of up to four rows then read it, and equal those with the float weights bit for bit (the same
        // kernel and order of sums, only the loads differ). Five to sixteen rows read it in blocks of four
        // (equal to the float products up to the order of the sums); more rows, or B transposed, ignore it.
        var rng = SeededRNG(seed: 4)
        let cpuHasKernel = Self.cpuFlags.isSuperset(of: ["avx2", "fma", "f16c"])
        let notHalf = Tensor(randomNormal: [301, 203], using: &rng)
        XCTAssertFalse(notHalf.keepHalfPrecisionCopy(), "values that are not binary16 keep no copy")
        let values = Tensor(randomNormal: [301, 203], using: &rng).scalars.map { Float(Float16($0)) }
        let weight = Tensor(shape: [301, 203], scalars: values), plain = Tensor(shape: [301, 203], scalars: values)
        XCTAssertEqual(weight.keepHalfPrecisionCopy(), cpuHasKernel)
        let bias = Tensor(randomNormal: [203], using: &rng)
        for m in [1, 2, 3, 4, 5, 12, 16, 17] {
            let x = Tensor(randomNormal: [m, 301], using: &rng)
            let xt = Tensor(randomNormal: [301, m], using: &rng)
            let product = matmul(xt, weight, transposeA: true)
            if m <= 4 || m > 16 {
                XCTAssertEqual(affine(x, weight, bias).scalars, affine(x, plain, bias).scalars, "affine, m \(m)")
                XCTAssertEqual(product.scalars, matmul(xt, plain, transposeA: true).scalars, "Aᵀ·W, m \(m)")
            } else {
                let y = affine(x, weight, bias), yd = affine(TensorOf<Double>(converting: x), .init(converting: plain), .init(converting: bias))
                XCTAssertLessThan(zip(y.scalars, yd.scalars).map { Swift.abs(Double($0) - $1) }.max()!, 1e-4, "affine in blocks, m \(m)")
            }
            let reference = matmul(TensorOf<Double>(converting: xt), TensorOf<Double>(converting: plain), transposeA: true)
            let error = zip(product.scalars, reference.scalars).map { Swift.abs(Double($0) - $1) }.max()!
            XCTAssertLessThan(error, 1e-4, "Aᵀ·W against double, m \(m)")
        }
        let y = Tensor(randomNormal: [3, 203], using: &rng)
        XCTAssertEqual(matmul(y, weight, transposeB: true).scalars, matmul(y, plain, transposeB: true).scalars, "y·Wᵀ")
    }

    /// The CPU's feature flags from /proc/cpuinfo (empty where there is none).
    static let cpuFlags: Set<String> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: ":").last.map { $0.split(separator: " ").map(String.init) } ?? [])
    }()
}
