import Foundation
import XCTest
import VideoIO

final class PreparationTests: XCTestCase {
    /// Between-class variance of splitting at t, in Double, the textbook way.
    private func betweenVariance(_ histogram: [Int], _ t: Int) -> Double {
        let total = Double(histogram.reduce(0, +))
        let low = histogram[0...t].reduce(0, +), high = Int(total) - low
        if low == 0 || high == 0 { return 0 }
        let lowMean = (0...t).reduce(0.0) { $0 + Double($1 * histogram[$1]) } / Double(low)
        let highMean = ((t + 1)..<256).reduce(0.0) { $0 + Double($1 * histogram[$1]) } / Double(high)
        return Double(low) / total * Double(high) / total * (lowMean - highMean) * (lowMean - highMean)
    }

    func testOtsuMaximisesTheBetweenClassVariance() {
        var generator = SplitMix64(seed: 3)
        for _ in 0..<20 {
            var histogram = [Int](repeating: 0, count: 256)
            let (a, b) = (Int.random(in: 20...100, using: &generator), Int.random(in: 140...240, using: &generator))
            for _ in 0..<500 {
                let centre = Bool.random(using: &generator) ? a : b
                histogram[min(255, max(0, centre + Int.random(in: -15...15, using: &generator)))] += 1
            }
            let t = Int(otsuThreshold(histogram))
            let best = (0..<255).map { betweenVariance(histogram, $0) }.max()!
            XCTAssertEqual(betweenVariance(histogram, t), best, accuracy: best * 1e-9)
        }
    }

    func testOtsuPicksTheMiddleOfAnEmptyGapAndHandlesOneLevel() {
        var histogram = [Int](repeating: 0, count: 256)
        histogram[50] = 100; histogram[200] = 60
        XCTAssertEqual(otsuThreshold(histogram), 124)          // middle of 50…199
        var flat = [Int](repeating: 0, count: 256)
        flat[90] = 10
        XCTAssertEqual(otsuThreshold(flat), 90)                // every pixel 0
    }

    func testFixedInvertAndAutoThresholds() {
        let grey: [UInt8] = [10, 100, 200, 250]
        var input = [Float](repeating: 0, count: 4)
        var fixed = Binarizer(Binarization(threshold: .fixed(100)))
        XCTAssertEqual(fixed.binarize(grey, into: &input), 100)
        XCTAssertEqual(input, [0, 0, 1, 1])
        var inverted = Binarizer(Binarization(threshold: .fixed(100), invert: true))
        inverted.binarize(grey, into: &input)
        XCTAssertEqual(input, [1, 1, 0, 0])                    // 255 − g > 100

        var auto = Binarizer(Binarization(threshold: .auto(frames: 2)))
        let first = auto.binarize([20, 20, 220, 220], into: &input)
        let second = auto.binarize([30, 30, 210, 210], into: &input)
        XCTAssertEqual(input, [0, 0, 1, 1])
        // Frozen after two frames: a frame of mid greys keeps the threshold (Otsu alone would move).
        let third = auto.binarize([120, 130, 140, 150], into: &input)
        XCTAssertEqual(third, second)
        XCTAssertTrue((30..<210).contains(Int(first)))
        var otsu = Binarizer(Binarization(threshold: .otsu))
        XCTAssertNotEqual(otsu.binarize([120, 130, 140, 150], into: &input), third)
    }

    /// Scaling to the model's size averages areas: a 3 × 3 block of the source becomes one pixel.
    func testPreparedFrameIsAreaAveragedGreyAndBinarized() throws {
        let (width, height) = (84, 42)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let value: UInt8 = x < 42 ? 255 : ((x + y) % 2 == 0 ? 255 : 0)   // white | checkerboard
                let i = (y * width + x) * 3
                pixels[i] = value; pixels[i + 1] = value; pixels[i + 2] = value
            }
        }
        let image = RGBImage(width: width, height: height, pixels: pixels)
        let path = try temporaryFolder(self) + "/halves.mkv"
        let writer = try VideoWriter(path: path, width: width, height: height)
        try writer.write(image)
        try writer.finish()

        let reader = try VideoReader(.path(path))
        let preparer = FramePreparer(width: 28, height: 14, binarization: .init(threshold: .fixed(200)))
        let prepared = try preparer.prepare(try XCTUnwrap(reader.nextFrame()))
        XCTAssertEqual(prepared.source, image)
        XCTAssertEqual(prepared.grey.count, 28 * 14)
        for y in 0..<14 {
            for x in 0..<28 {
                let grey = Int(prepared.grey[y * 28 + x])
                if x < 14 { XCTAssertEqual(grey, 255) } else { XCTAssertEqual(grey, 127, accuracy: 30, "(\(x), \(y))") }
                XCTAssertEqual(prepared.input[y * 28 + x], x < 14 ? 1 : 0)
            }
        }
    }

    func testSourceIsOptional() throws {
        let path = try temporaryFolder(self) + "/clip.mkv"
        try writeSynthetic(path, width: 32, height: 32, count: 1)
        let reader = try VideoReader(.path(path))
        let prepared = try FramePreparer(width: 8, height: 8, keepSource: false).prepare(try XCTUnwrap(reader.nextFrame()))
        XCTAssertNil(prepared.source)
        XCTAssertEqual(prepared.input.count, 64)
    }
}
