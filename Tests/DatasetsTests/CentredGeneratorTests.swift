import XCTest
@testable import Datasets

/// `CentredGenerator`: another generator's sequences on a larger empty canvas.
final class CentredGeneratorTests: XCTestCase {
    func testSequencesAreCentredWithABorderOfBackground() throws {
        let inner = try FlyingShapes(options: GeneratorOptions(height: 20, width: 22, frames: 3, objects: 3))
        let centred = try CentredGenerator(inner, height: 28, width: 28)
        XCTAssertEqual(centred.options.height, 28)
        XCTAssertEqual(centred.options.width, 28)
        XCTAssertEqual(centred.kind, .flyingShapes)
        let small = inner.sequence(split: .test, index: 5, seed: 3)
        let large = centred.sequence(split: .test, index: 5, seed: 3)
        XCTAssertEqual(large.features.count, 3 * 28 * 28)
        let (top, left) = (4, 3)
        for t in 0..<3 {
            for y in 0..<28 {
                for x in 0..<28 {
                    let i = (t * 28 + y) * 28 + x
                    let inside = (top..<top + 20).contains(y) && (left..<left + 22).contains(x)
                    let j = (t * 20 + y - top) * 22 + x - left
                    XCTAssertEqual(large.features[i], inside ? small.features[j] : 0, "frame \(t) pixel (\(y), \(x))")
                    XCTAssertEqual(large.groups[i], inside ? small.groups[j] : 0)
                    XCTAssertEqual(large.overlaps[i], inside ? small.overlaps[j] : 0)
                }
            }
        }
        XCTAssertEqual(large.features.reduce(0, +), small.features.reduce(0, +), "nothing is lost")
        XCTAssertEqual(large.tracks.map { $0.positions.map(\.y) }, small.tracks.map { $0.positions.map { $0.y + top } })
        XCTAssertEqual(large.tracks.map { $0.positions.map(\.x) }, small.tracks.map { $0.positions.map { $0.x + left } })
    }

    func testASmallerFrameIsRefused() throws {
        let inner = try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: 2, objects: 3))
        XCTAssertThrowsError(try CentredGenerator(inner, height: 24, width: 28)) { error in
            XCTAssertTrue("\(error)".contains("cannot be centred"), "\(error)")
        }
    }
}
