import Foundation
import XCTest
import VideoIO

final class RoundTripTests: XCTestCase {
    func testFFV1InMatroskaIsBitExact() throws {
        let path = try temporaryFolder(self) + "/exact.mkv"
        let written = try writeSynthetic(path, width: 48, height: 32, count: 6, options: .init(frameRate: FrameRate(24)))
        let (reader, frames) = try readAll(.path(path))
        XCTAssertEqual(reader.codec, "ffv1")
        XCTAssertEqual(frames.count, 6)
        XCTAssertEqual(reader.frameRate, FrameRate(24))
        for (frame, original) in zip(frames, written) {
            XCTAssertEqual(frame.source, original, "frame \(frame.index) differs")
        }
        XCTAssertEqual(frames.map(\.timestamp), (0..<6).map { Double($0) / 24 }, accuracy: 0.001)
    }

    func testH264InMP4IsWithinCodecTolerance() throws {
        let path = try temporaryFolder(self) + "/lossy.mp4"
        let written = try writeSynthetic(path, width: 64, height: 48, count: 10,
                                         options: .init(frameRate: FrameRate(30000, 1001), crf: 18, preset: "veryfast"))
        let (reader, frames) = try readAll(.path(path))
        XCTAssertEqual(reader.codec, "h264")
        XCTAssertEqual(reader.frameCount, 10)
        XCTAssertEqual(reader.frameRate, FrameRate(30000, 1001))
        XCTAssertEqual(frames.count, 10)
        for (frame, original) in zip(frames, written) {
            let source = try XCTUnwrap(frame.source)
            XCTAssertEqual(source.width, 64)
            XCTAssertEqual(source.height, 48)
            let diff = difference(source, original)
            XCTAssertLessThan(diff.mean, 4, "frame \(frame.index): mean error \(diff.mean)")
        }
    }
}

func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "counts differ", file: file, line: line)
    for (x, y) in zip(a, b) where abs(x - y) > accuracy {
        XCTFail("\(a) != \(b)", file: file, line: line)
        return
    }
}
