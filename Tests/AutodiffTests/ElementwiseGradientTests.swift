import Autodiff
import XCTest

final class ElementwiseGradientTests: XCTestCase {
    let shape = [3, 5]

    func testUnaryOps() {
        let x = randomInput(shape, seed: 1)
        checkGradients("neg", [x]) { -$0[0] }
        checkGradients("exp", [x]) { exp($0[0]) }
        checkGradients("sigmoid", [x * 4]) { sigmoid($0[0]) }
        checkGradients("tanh", [x * 2]) { tanh($0[0]) }
        checkGradients("relu", [x]) { relu($0[0]) }
        checkGradients("elu", [x * 2]) { elu($0[0]) }
        checkGradients("square", [x]) { square($0[0]) }
        checkGradients("abs", [x]) { abs($0[0]) }
        let positive = randomInput(shape, seed: 2, positive: true)
        checkGradients("log", [positive]) { log($0[0]) }
        checkGradients("sqrt", [positive]) { sqrt($0[0]) }
    }

    func testClipPassesGradientOnlyInside() {
        // Values in ±[0.2, 1] clipped to [-0.5, 0.6]: some inside, some outside, none on the edges.
        let x = randomInput(shape, seed: 3)
        checkGradients("clip", [x]) { clip($0[0], min: -0.5, max: 0.6) }
        let leaf = TensorOf<Double>(shape: [4], scalars: [-2, -0.1, 0.3, 5])
        leaf.requiresGrad = true
        sum(clip(leaf, min: -1, max: 1)).backward()
        XCTAssertEqual(leaf.grad?.scalars, [0, 1, 1, 0])
    }

    func testScalarOperands() {
        let x = randomInput(shape, seed: 4)
        checkGradients("x + s", [x]) { $0[0] + 1.5 }
        checkGradients("s + x", [x]) { 1.5 + $0[0] }
        checkGradients("x - s", [x]) { $0[0] - 0.7 }
        checkGradients("s - x", [x]) { 0.7 - $0[0] }
        checkGradients("x * s", [x]) { $0[0] * -3 }
        checkGradients("s * x", [x]) { -3 * $0[0] }
        checkGradients("x / s", [x]) { $0[0] / 4 }
        checkGradients("s / x", [x]) { 2 / $0[0] }
    }

    func testBinaryOpsWithBroadcasting() {
        let cases: [([Int], [Int])] = [
            ([2, 3, 4], [2, 3, 4]),        // same shape
            ([2, 3, 4], [4]),              // bias over the last axis
            ([2, 1, 4], [1, 3, 1]),        // both stretched
            ([2, 3, 4, 5, 1], [2, 1, 4, 5, 2]), // γ (B, K, H, W, 1) against x (B, 1, H, W, C)
            ([3, 4], []),                  // rank-0 operand
        ]
        for (index, (sa, sb)) in cases.enumerated() {
            let a = randomInput(sa, seed: 10 + UInt64(index)), b = randomInput(sb, seed: 20 + UInt64(index))
            checkGradients("+ \(sa) \(sb)", [a, b]) { $0[0] + $0[1] }
            checkGradients("- \(sa) \(sb)", [a, b]) { $0[0] - $0[1] }
            checkGradients("* \(sa) \(sb)", [a, b]) { $0[0] * $0[1] }
            checkGradients("/ \(sa) \(sb)", [a, b]) { $0[0] / $0[1] }
            checkGradients("/ \(sb) \(sa)", [b, a]) { $0[0] / $0[1] }
        }
    }

    func testBroadcastValues() {
        let a = TensorOf<Double>(shape: [2, 1], scalars: [1, 2])
        let b = TensorOf<Double>(shape: [3], scalars: [10, 20, 30])
        XCTAssertEqual((a + b).shape, [2, 3])
        XCTAssertEqual((a + b).scalars, [11, 21, 31, 12, 22, 32])
        XCTAssertEqual((b - a).scalars, [9, 19, 29, 8, 18, 28])
    }

    func testGradientAccumulatesWhenATensorIsUsedTwice() {
        // d/dx Σ (x·x + x) = 2x + 1, through two uses of x in one op and a third in another.
        let x = TensorOf<Double>(shape: [3], scalars: [0.5, -1, 2])
        x.requiresGrad = true
        sum(x * x + x).backward()
        XCTAssertEqual(x.grad?.scalars, [2, -1, 5])
        // A second backward adds onto the first until the gradient is reset.
        sum(x * 3).backward()
        XCTAssertEqual(x.grad?.scalars, [5, 2, 8])
        x.grad = nil
        sum(x).backward()
        XCTAssertEqual(x.grad?.scalars, [1, 1, 1])
    }

    func testStopGradientBlocksTheFlow() {
        let leaf = TensorOf<Double>(shape: [2], scalars: [3, 4])
        leaf.requiresGrad = true
        sum(leaf * stopGradient(leaf)).backward()
        XCTAssertEqual(leaf.grad?.scalars, [3, 4]) // d/dx (x·c) = c, not 2x
    }
}
