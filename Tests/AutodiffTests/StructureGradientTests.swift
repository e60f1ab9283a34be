import Autodiff
import XCTest

final class StructureGradientTests: XCTestCase {
    func testReductions() {
        let x = randomInput([2, 3, 4], seed: 30)
        checkGradients("sum all", [x]) { sum($0[0]) }
        checkGradients("sum axis 1", [x]) { sum($0[0], axes: [1]) }
        checkGradients("sum axes 0,2 keepDims", [x]) { sum($0[0], axes: [0, 2], keepDims: true) }
        checkGradients("sum axis -1", [x]) { sum($0[0], axes: [-1]) }
        checkGradients("mean all", [x]) { mean($0[0]) }
        checkGradients("mean axes 1,2", [x]) { mean($0[0], axes: [1, 2]) }
    }

    func testReductionValues() {
        let x = TensorOf<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(sum(x).scalar, 21)
        XCTAssertEqual(sum(x, axes: [0]).scalars, [5, 7, 9])
        XCTAssertEqual(sum(x, axes: [1], keepDims: true).shape, [2, 1])
        XCTAssertEqual(sum(x, axes: [1]).scalars, [6, 15])
        XCTAssertEqual(mean(x, axes: [0]).scalars, [2.5, 3.5, 4.5])
    }

    func testReshapePermuteConcatSplit() {
        let x = randomInput([2, 3, 4], seed: 31)
        checkGradients("reshape", [x]) { $0[0].reshaped([4, -1]) * $0[0].reshaped([4, 6]) }
        checkGradients("permute", [x]) { $0[0].permuted([2, 0, 1]) }
        checkGradients("transpose", [randomInput([3, 5], seed: 32)]) { $0[0].transposed() }
        let y = randomInput([2, 5, 4], seed: 33)
        checkGradients("concat axis 1", [x, y]) { concat([$0[0], $0[1]], axis: 1) }
        checkGradients("concat axis -1", [x, x]) { concat([$0[0], $0[1] * 2], axis: -1) }
        checkGradients("split", [y]) { inputs in
            let parts = split(inputs[0], sizes: [1, 3, 1], axis: 1)
            return parts[0] * 2 + parts[2] - sum(parts[1], axes: [1], keepDims: true)
        }
    }

    func testShapeOpValues() {
        let x = TensorOf<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(x.permuted([1, 0]).scalars, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(concat([x, x], axis: 1).scalars, [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
        let parts = split(x, sizes: [2, 1], axis: 1)
        XCTAssertEqual(parts.map(\.scalars), [[1, 2, 4, 5], [3, 6]])
        XCTAssertEqual(x.reshaped([-1]).shape, [6])
    }

    func testMatmulAllTransposes() {
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                let a = randomInput(transposeA ? [4, 3] : [3, 4], seed: 40)
                let b = randomInput(transposeB ? [5, 4] : [4, 5], seed: 41)
                checkGradients("matmul tA=\(transposeA) tB=\(transposeB)", [a, b]) {
                    matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB)
                }
            }
        }
        let a = TensorOf<Double>(shape: [2, 2], scalars: [1, 2, 3, 4])
        XCTAssertEqual(matmul(a, a).scalars, [7, 10, 15, 22])
        XCTAssertEqual(matmul(a, a, transposeA: true).scalars, [10, 14, 14, 20])
    }

    func testAffine() {
        let x = randomInput([6, 4], seed: 42), w = randomInput([4, 3], seed: 43), b = randomInput([3], seed: 44)
        checkGradients("affine", [x, w, b]) { affine($0[0], $0[1], $0[2]) }
        checkGradients("affine without bias", [x, w]) { affine($0[0], $0[1], nil) }
    }

    func testComposite() {
        // A small two-layer network, as the layers use the ops.
        let x = randomInput([4, 5], seed: 45), w1 = randomInput([5, 6], seed: 46), w2 = randomInput([6, 2], seed: 47)
        let gain = randomInput([6], seed: 48), bias = randomInput([6], seed: 49)
        checkGradients("composite", [x, w1, w2, gain, bias]) { p in
            let h = elu(layerNorm(matmul(p[0], p[1]), gain: p[3], bias: p[4], epsilon: 1e-12))
            return sigmoid(matmul(h, p[2]))
        }
    }

    func testNothingIsRecordedWithoutGradients() {
        let p = randomInput([3], seed: 50)
        p.requiresGrad = true
        XCTAssertFalse((randomInput([3], seed: 51) * 2).requiresGrad)
        XCTAssertTrue((p * 2).requiresGrad)
        XCTAssertFalse(withoutGradients { p * 2 }.requiresGrad)
        XCTAssertFalse(p.detached().requiresGrad)
    }
}
