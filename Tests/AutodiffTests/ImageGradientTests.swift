import Autodiff
import XCTest

final class ImageGradientTests: XCTestCase {
    func testConv2dSamePaddingStrides() {
        let x = randomInput([2, 5, 6, 3], seed: 60)
        for (kernel, stride) in [(4, 1), (4, 2), (3, 1), (3, 2), (1, 1)] {
            let w = randomInput([kernel, kernel, 3, 2], seed: 61), b = randomInput([2], seed: 62)
            checkGradients("conv2d k\(kernel) s\(stride)", [x, w, b]) {
                conv2d($0[0], filter: $0[1], bias: $0[2], strides: (stride, stride))
            }
        }
        let w = randomInput([2, 3, 3, 4], seed: 63)
        checkGradients("conv2d valid 2x3 s(2,1)", [x, w]) { conv2d($0[0], filter: $0[1], strides: (2, 1), padding: .valid) }
    }

    func testSamePaddingFollowsTensorFlow() {
        // 1 channel of ones, a 4×4 filter of ones: each output counts the input pixels its window
        // covers. For in = 5, stride 2: out = 3, pad_total = max(2·2 + 4 − 5, 0) = 3, top 1, bottom 2.
        let x = TensorOf<Double>.ones([1, 5, 5, 1]), w = TensorOf<Double>.ones([4, 4, 1, 1])
        let y = conv2d(x, filter: w, strides: (2, 2))
        XCTAssertEqual(y.shape, [1, 3, 3, 1])
        // Rows covered per output row: [-1, 2] → 3, [1, 4] → 4, [3, 6] → 2.
        XCTAssertEqual(y.scalars, [9, 12, 6, 12, 16, 8, 6, 8, 4])
        // Stride 1, in = 4: pad_total = 3 → top 1, bottom 2: windows [-1,2],[0,3],[1,4],[2,5].
        let z = conv2d(TensorOf<Double>.ones([1, 4, 1, 1]), filter: TensorOf<Double>.ones([4, 1, 1, 1]))
        XCTAssertEqual(z.scalars, [3, 4, 3, 2])
    }

    func testResize2x() {
        let x = TensorOf<Double>(shape: [1, 2, 2, 1], scalars: [1, 2, 3, 4])
        XCTAssertEqual(resize2x(x).scalars, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        checkGradients("resize2x", [randomInput([2, 3, 2, 3], seed: 64)]) { resize2x($0[0]) }
    }

    func testResizeConvEqualsResizeThenConv() {
        for kernel in [4, 3, 2, 5] {
            let x = randomInput([2, 4, 3, 3], seed: 65), w = randomInput([kernel, kernel, 3, 2], seed: 66)
            let b = randomInput([2], seed: 67)
            let fused = resizeConv2d(x, filter: w, bias: b)
            let plain = conv2d(resize2x(x), filter: w, bias: b)
            XCTAssertEqual(fused.shape, plain.shape)
            let error = zip(fused.scalars, plain.scalars).map { Swift.abs($0 - $1) }.max()!
            XCTAssertLessThan(error, 1e-12, "kernel \(kernel)")
            checkGradients("resizeConv2d k\(kernel)", [x, w, b]) { resizeConv2d($0[0], filter: $0[1], bias: $0[2]) }
        }
    }

    func testLayerNorm() {
        let x = randomInput([3, 2, 2, 4], seed: 70), gain = randomInput([4], seed: 71), bias = randomInput([4], seed: 72)
        checkGradients("layerNorm NHWC", [x, gain, bias]) { layerNorm($0[0], gain: $0[1], bias: $0[2]) }
        checkGradients("layerNorm rows", [randomInput([3, 7], seed: 73), randomInput([7], seed: 74), randomInput([7], seed: 75)]) {
            layerNorm($0[0], gain: $0[1], bias: $0[2])
        }
        // Each sample is normalised over all its values: mean 0, variance 1 with unit gain.
        let y = layerNorm(x, gain: .ones([4]), bias: .zeros([4]))
        for sample in split(y.reshaped([3, 16]), sizes: [1, 1, 1], axis: 0) {
            XCTAssertEqual(mean(sample).scalar, 0, accuracy: 1e-12)
            XCTAssertEqual(mean(square(sample)).scalar, 1, accuracy: 1e-9)
        }
    }
}
