import Autodiff
import XCTest

/// The one gradient check every op goes through: the analytic gradient of
/// L = Σ f(inputs) ⊙ R (R a fixed random tensor, so no gradient is trivially uniform) is compared,
/// in Double, with central finite differences (L(x + h) − L(x − h)) / 2h for every element of every
/// input. The error of one element is |analytic − numeric| / max(|analytic|, |numeric|, 1e-8),
/// and the largest must stay below `tolerance`.
func checkGradients(_ name: String, _ inputs: [TensorOf<Double>], tolerance: Double = 1e-6, step: Double = 1e-5,
                    file: StaticString = #filePath, line: UInt = #line,
                    _ f: ([TensorOf<Double>]) -> TensorOf<Double>) {
    let leaves = inputs.map { input -> TensorOf<Double> in
        let leaf = input.copy()
        leaf.requiresGrad = true
        return leaf
    }
    let output = f(leaves)
    var rng = SeededRNG(seed: 99)
    let weights = TensorOf<Double>(randomUniform: output.shape, in: 0.5...1.5, using: &rng)
    sum(output * weights).backward()

    func loss() -> Double {
        withoutGradients { zip(f(leaves).scalars, weights.scalars).reduce(0) { $0 + $1.0 * $1.1 } }
    }
    var worst = 0.0, worstAt = ""
    for (k, leaf) in leaves.enumerated() {
        guard let grad = leaf.grad else {
            XCTFail("\(name): input \(k) received no gradient", file: file, line: line)
            continue
        }
        XCTAssertEqual(grad.shape, leaf.shape, "\(name): gradient shape of input \(k)", file: file, line: line)
        let analytic = grad.scalars
        for i in 0..<leaf.count {
            let original = leaf.scalars[i]
            leaf.withUnsafeMutableBufferPointer { $0[i] = original + step }
            let plus = loss()
            leaf.withUnsafeMutableBufferPointer { $0[i] = original - step }
            let minus = loss()
            leaf.withUnsafeMutableBufferPointer { $0[i] = original }
            let numeric = (plus - minus) / (2 * step)
            let error = Swift.abs(analytic[i] - numeric) / max(Swift.abs(analytic[i]), Swift.abs(numeric), 1e-8)
            if error > worst { worst = error; worstAt = "input \(k)[\(i)]: analytic \(analytic[i]), numeric \(numeric)" }
        }
    }
    XCTAssertLessThan(worst, tolerance, "\(name): worst relative gradient error \(worst) at \(worstAt)", file: file, line: line)
}

/// Random values of magnitude in [0.2, 1] with random signs: away from zero and from the kinks of
/// relu, abs and elu, so finite differences are well defined.
func randomInput(_ shape: [Int], seed: UInt64, positive: Bool = false) -> TensorOf<Double> {
    var rng = SeededRNG(seed: seed)
    let count = shape.reduce(1, *)
    let values = (0..<count).map { _ -> Double in
        let magnitude = 0.2 + 0.8 * rng.nextDouble()
        return positive || rng.nextDouble() < 0.5 ? magnitude : -magnitude
    }
    return TensorOf<Double>(shape: shape, scalars: values)
}
