import Foundation
import XCTest
import Datasets

/// The generators' documented statistics (issue 3: "objects per image, shape sizes, fraction of
/// overlap pixels, velocities and bounces (no object leaves the canvas)"), see notes/data.md.
final class GeneratorStatisticsTests: XCTestCase {
    /// Per-pixel probability that one uniformly placed, uniformly chosen shape covers it. // (H, W)
    func coverageProbability(height: Int, width: Int) -> [Double] {
        var q = [Double](repeating: 0, count: height * width)
        for sprite in Shapes.all {
            let positions = Double((height - sprite.height + 1) * (width - sprite.width + 1))
            for y in 0...(height - sprite.height) {
                for x in 0...(width - sprite.width) {
                    for sy in 0..<sprite.height {
                        for sx in 0..<sprite.width where sprite.values[sy * sprite.width + sx] > 0 {
                            q[(y + sy) * width + x + sx] += 1 / (positions * Double(Shapes.all.count))
                        }
                    }
                }
            }
        }
        return q
    }

    func testShapeBitmapsAreTheTaggerRecipe() {
        XCTAssertEqual(Shapes.all.map(\.name), ["square", "up-triangle", "down-triangle"])
        XCTAssertEqual(Shapes.all.map { [$0.height, $0.width] }, [[7, 7], [7, 12], [7, 12]])
        XCTAssertEqual(Shapes.all.map(\.pixelCount), [40, 48, 48])
        XCTAssertEqual(Array(Shapes.upTriangle.values[0..<12]), Array(Shapes.downTriangle.values[72..<84]))
    }

    func testStaticShapesObjectsSizesAndOverlapFractionMatchTheRecipe() throws {
        let generator = try StaticShapes()  // 28×28, 3 shapes, 1 frame
        let (h, w, images) = (28, 28, 3000)
        var foreground = 0, overlapping = 0
        var shapeCounts: [String: Int] = [:]
        for index in 0..<images {
            let s = generator.sequence(split: .training, index: index, seed: 5)
            XCTAssertEqual(s.tracks.count, 3, "objects per image")
            for track in s.tracks {
                shapeCounts[track.sprite, default: 0] += 1
                let sprite = try XCTUnwrap(Shapes.all.first { $0.name == track.sprite })
                XCTAssertEqual([track.height, track.width], [sprite.height, sprite.width])
                let p = track.positions[0]
                XCTAssertTrue((0...(h - sprite.height)).contains(p.y) && (0...(w - sprite.width)).contains(p.x), "fully inside")
                // Each object's pixels are its group, except where another object overlaps (group 0).
                var own = 0, overlapped = 0
                for sy in 0..<sprite.height {
                    for sx in 0..<sprite.width where sprite.values[sy * sprite.width + sx] > 0 {
                        let i = (p.y + sy) * w + p.x + sx
                        XCTAssertEqual(s.features[i], 1)
                        if s.overlaps[i] >= 2 { overlapped += 1; XCTAssertEqual(s.groups[i], 0) } else { own += s.groups[i] == UInt8(track.id) ? 1 : 0 }
                    }
                }
                XCTAssertEqual(own + overlapped, sprite.pixelCount)
            }
            for i in 0..<h * w {
                XCTAssertEqual(s.features[i] > 0, s.overlaps[i] > 0)
                foreground += s.overlaps[i] > 0 ? 1 : 0
                overlapping += s.overlaps[i] >= 2 ? 1 : 0
            }
        }
        for name in ["square", "up-triangle", "down-triangle"] {
            XCTAssertEqual(Double(shapeCounts[name]!) / Double(3 * images), 1 / 3, accuracy: 0.02, "\(name) chosen uniformly")
        }
        // Independent, exact expectations from the per-pixel coverage probability q of one shape.
        let q = coverageProbability(height: h, width: w)
        let expectedForeground = q.map { 1 - pow(1 - $0, 3) }.reduce(0, +) / Double(h * w)
        let expectedOverlap = q.map { 1 - pow(1 - $0, 3) - 3 * $0 * pow(1 - $0, 2) }.reduce(0, +) / Double(h * w)
        let measuredForeground = Double(foreground) / Double(images * h * w)
        let measuredOverlap = Double(overlapping) / Double(images * h * w)
        XCTAssertEqual(measuredForeground, expectedForeground, accuracy: 0.02 * expectedForeground)
        XCTAssertEqual(measuredOverlap, expectedOverlap, accuracy: 0.08 * expectedOverlap)
        // The documented figures (notes/data.md): ≈16% foreground, ≈1.3% overlap pixels.
        XCTAssertEqual(expectedForeground, 0.16, accuracy: 0.01)
        XCTAssertEqual(expectedOverlap, 0.013, accuracy: 0.002)
    }

    func testFlyingShapesMoveAtConstantSpeedAndBounceWithoutLeavingTheCanvas() throws {
        let generator = try FlyingShapes()  // 28×28, 3 shapes, 21 frames, 1–2 px/frame
        let (h, w, t) = (28, 28, 21)
        var objects = 0, bouncing = 0, overlapping = 0, pixels = 0
        var meanVX = 0.0, meanVY = 0.0
        for index in 0..<400 {
            let s = generator.sequence(split: .validation, index: index, seed: 9)
            XCTAssertEqual(s.tracks.count, 3, "objects per sequence")
            XCTAssertEqual(s.features.count, t * h * w)
            for track in s.tracks {
                objects += 1
                let speed = (track.velocityX * track.velocityX + track.velocityY * track.velocityY).squareRoot()
                XCTAssertTrue((1.0...2.0).contains(speed), "speed \(speed)")
                meanVX += track.velocityX; meanVY += track.velocityY
                XCTAssertEqual(track.positions.count, t)
                for p in track.positions {
                    XCTAssertTrue((0...(h - track.height)).contains(p.y) && (0...(w - track.width)).contains(p.x), "left the canvas: \(p)")
                }
                for (a, b) in zip(track.positions, track.positions.dropFirst()) {
                    // A step moves |v| per axis (reflection keeps the distance), ±1 px of rounding.
                    XCTAssertLessThanOrEqual(Double(abs(b.x - a.x)), abs(track.velocityX) + 1)
                    XCTAssertLessThanOrEqual(Double(abs(b.y - a.y)), abs(track.velocityY) + 1)
                }
                if track.bounces == 0 {
                    // Constant velocity: the whole path is (T − 1)·v, ±1 px of rounding at the ends.
                    XCTAssertEqual(Double(track.positions[t - 1].x - track.positions[0].x), Double(t - 1) * track.velocityX, accuracy: 1)
                    XCTAssertEqual(Double(track.positions[t - 1].y - track.positions[0].y), Double(t - 1) * track.velocityY, accuracy: 1)
                } else {
                    bouncing += 1
                }
            }
            overlapping += s.overlaps.reduce(0) { $0 + ($1 >= 2 ? 1 : 0) }
            pixels += s.overlaps.count
            // Binary data, overlaps unscored, as for static shapes.
            for i in s.features.indices {
                XCTAssertEqual(s.features[i] > 0, s.overlaps[i] > 0)
                if s.overlaps[i] >= 2 { XCTAssertEqual(s.groups[i], 0) }
            }
        }
        XCTAssertGreaterThan(Double(bouncing) / Double(objects), 0.95, "almost every object bounces within 21 frames (measured 99.9%)")
        XCTAssertEqual(meanVX / Double(objects), 0, accuracy: 0.15, "directions uniform")
        XCTAssertEqual(meanVY / Double(objects), 0, accuracy: 0.15, "directions uniform")
        // Bouncing keeps positions uniform, so overlaps stay near the static figure (notes/data.md: ≈1.4%).
        XCTAssertEqual(Double(overlapping) / Double(pixels), 0.014, accuracy: 0.003)
    }

    func testObjectsThatDoNotBounceMoveInAStraightLineAtConstantVelocity() throws {
        // On a 60×60 canvas over 10 frames most objects never reach a wall.
        let generator = try FlyingShapes(options: GeneratorOptions(height: 60, width: 60, frames: 10, objects: 1))
        var straight = 0
        for index in 0..<300 {
            let track = generator.sequence(split: .training, index: index, seed: 4).tracks[0]
            guard track.bounces == 0 else { continue }
            straight += 1
            for (t, p) in track.positions.enumerated() {
                XCTAssertEqual(Double(p.x - track.positions[0].x), Double(t) * track.velocityX, accuracy: 1)
                XCTAssertEqual(Double(p.y - track.positions[0].y), Double(t) * track.velocityY, accuracy: 1)
            }
        }
        XCTAssertGreaterThan(straight, 100)
    }

    func testFlyingMNISTDigitsStayOnCanvasAndOverlapsAreUnscored() throws {
        let folder = try makeTemporaryFolder(self)
        let digits = try MNISTDigits(directory: try writeTinyMNIST(in: folder, train: 24, test: 8), splits: Set(Split.allCases))
        let generator = try FlyingMNIST(digits: digits)  // 24×24, 2 digits, 21 frames
        for split in Split.allCases {
            for index in 0..<60 {
                let s = generator.sequence(split: split, index: index, seed: 2)
                XCTAssertEqual(s.tracks.count, 2)
                for track in s.tracks {
                    XCTAssertLessThanOrEqual(track.height, 14); XCTAssertLessThanOrEqual(track.width, 14)
                    for p in track.positions {
                        XCTAssertTrue((0...(24 - track.height)).contains(p.y) && (0...(24 - track.width)).contains(p.x))
                    }
                    // Training digits are images 0..<20 of the training file, validation its last sixth (20..<24).
                    let image = Int(track.sprite.split(separator: " ").last!)!
                    switch split {
                    case .training: XCTAssertLessThan(image, 20)
                    case .validation: XCTAssertGreaterThanOrEqual(image, 20)
                    case .test: XCTAssertLessThan(image, 8)
                    }
                }
                for i in s.features.indices {
                    XCTAssertTrue((0...1).contains(s.features[i]))
                    // A pixel is covered where some digit reaches 0.1 (its value is the brightest digit's) and
                    // scored exactly where one digit covers it.
                    let covered = s.features[i] >= 0.1
                    XCTAssertEqual(s.overlaps[i] > 0, covered)
                    XCTAssertEqual(s.groups[i] > 0, s.overlaps[i] == 1)
                }
            }
        }
    }

    func testFlyingMNISTVariationsDrawFromTheFirstDigitsOfEachSplit() throws {
        let folder = try makeTemporaryFolder(self)
        let digits = try MNISTDigits(directory: try writeTinyMNIST(in: folder, train: 24, test: 8), splits: Set(Split.allCases))
        let generator = try FlyingMNIST(digits: digits, variations: 3)
        var seen: [Split: Set<Int>] = [:]
        for split in Split.allCases {
            for index in 0..<40 {
                for track in generator.sequence(split: split, index: index, seed: 5).tracks {
                    seen[split, default: []].insert(Int(track.sprite.split(separator: " ").last!)!)
                }
            }
        }
        XCTAssertEqual(seen[.training], [0, 1, 2], "training digits: the first 3 of images 0..<20")
        XCTAssertEqual(seen[.validation], [20, 21, 22], "validation digits: the first 3 of its sixth (20..<24)")
        XCTAssertEqual(seen[.test], [0, 1, 2])
        XCTAssertThrowsError(try FlyingMNIST(digits: digits, variations: 0)) { error in
            XCTAssertTrue("\(error)".contains("variations must be at least 1"), "\(error)")
        }
    }

    func testSequencesAreDeterministicForASeedAndDifferAcrossSeedsAndSplits() throws {
        let generator = try FlyingShapes()
        let a = generator.sequence(split: .training, index: 17, seed: 1)
        XCTAssertEqual(a.features, generator.sequence(split: .training, index: 17, seed: 1).features)
        XCTAssertEqual(a.tracks, generator.sequence(split: .training, index: 17, seed: 1).tracks)
        XCTAssertNotEqual(a.features, generator.sequence(split: .training, index: 17, seed: 2).features)
        XCTAssertNotEqual(a.features, generator.sequence(split: .test, index: 17, seed: 1).features)
        XCTAssertNotEqual(a.features, generator.sequence(split: .training, index: 18, seed: 1).features)
    }

    func testIDXReaderReadsGzippedAndPlainFilesAlike() throws {
        let folder = try makeTemporaryFolder(self)
        let raw = idxImages(count: 5)
        try Data(raw).write(to: URL(fileURLWithPath: folder + "/plain"))
        try Data(gzipStored(raw)).write(to: URL(fileURLWithPath: folder + "/packed.gz"))
        let plain = try IDXImages(path: folder + "/plain"), packed = try IDXImages(path: folder + "/packed.gz")
        XCTAssertEqual([plain.count, plain.rows, plain.columns], [5, 28, 28])
        XCTAssertEqual(plain.pixels, packed.pixels)
        XCTAssertEqual(plain.pixels, Array(raw[16...]))
    }
}
