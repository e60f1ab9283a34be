import Foundation
import XCTest
import VideoIO

/// Each bad input ends in one line naming the file and the cause, with an exit code by kind,
/// never a crash or a hang; damaged frames inside a readable file are skipped and counted.
final class BadInputTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = try temporaryFolder(self)
    }

    /// Opens and reads `path` to the end; the error it throws.
    private func readError(_ path: String, options: VideoReader.Options = .init(),
                           file: StaticString = #filePath, line: UInt = #line) -> VideoIOError? {
        do {
            _ = try readAll(.path(path), options: options)
            XCTFail("\(path) was read without an error", file: file, line: line)
            return nil
        } catch let error as VideoIOError {
            XCTAssertTrue(error.description.hasPrefix(path + ": "), error.description, file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), file: file, line: line)
            return error
        } catch {
            XCTFail("not a VideoIOError: \(error)", file: file, line: line)
            return nil
        }
    }

    func testMissingPath() {
        let path = folder + "/nothing.mp4"
        XCTAssertEqual(readError(path), .missing(path: path))
        XCTAssertEqual(readError(path)?.exitCode, 66)
    }

    func testDirectory() {
        XCTAssertEqual(readError(folder), .unreadable(path: folder, reason: "is a directory"))
        XCTAssertEqual(readError(folder)?.exitCode, 66)
    }

    func testEmptyFile() throws {
        let path = folder + "/empty.mp4"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
        XCTAssertEqual(readError(path), .empty(path: path))
        XCTAssertEqual(readError(path)?.exitCode, 65)
    }

    func testTextFileNamedMP4() throws {
        let path = folder + "/notes.mp4"
        try "These are notes, not a video.\n".write(toFile: path, atomically: true, encoding: .utf8)
        guard case .notVideo? = readError(path) else { return XCTFail() }
        XCTAssertEqual(readError(path)?.exitCode, 65)
    }

    func testRandomBytes() throws {
        let path = folder + "/random.mkv"
        var generator = SplitMix64(seed: 4)
        try Data((0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(readError(path)?.exitCode, 65)
    }

    /// Made by the ffmpeg tool: our writer writes no audio.
    func testAudioOnlyFile() throws {
        let path = folder + "/tone.m4a"
        try runTool(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=d=0.5", "-c:a", "aac", path])
        XCTAssertEqual(readError(path), .noVideoStream(path: path))
        XCTAssertEqual(readError(path)?.exitCode, 65)
    }

    func testFileCutInsideItsHeader() throws {
        let path = folder + "/header.mp4"
        try writeSynthetic(path, width: 48, height: 32, count: 10)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(300).write(to: URL(fileURLWithPath: path))
        let error = readError(path)
        guard case .notVideo? = error else { return XCTFail("\(String(describing: error))") }
    }

    /// A file cut in the middle: the frames before the cut, and a warning saying so.
    func testTruncatedFileKeepsItsFirstFramesAndWarns() throws {
        let path = folder + "/cut.mp4"
        try writeSynthetic(path, width: 96, height: 64, count: 30, options: .init(preset: "ultrafast"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count * 6 / 10).write(to: URL(fileURLWithPath: path))
        let (reader, frames) = try readAll(.path(path))
        XCTAssertGreaterThan(frames.count, 5)
        XCTAssertLessThan(frames.count, 30)
        XCTAssertTrue(reader.warnings.contains { $0.hasPrefix(path) && $0.contains("of 30 frames (truncated file?)") },
                      "\(reader.warnings)")
    }

    /// Garbage in the middle of a stream: damaged frames are skipped and counted, the rest read.
    func testCorruptMiddleIsSkippedAndCounted() throws {
        for name in ["middle.ts", "middle.mp4"] {
            let path = folder + "/" + name
            try writeSynthetic(path, width: 96, height: 64, count: 30, options: .init(preset: "ultrafast"))
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            var generator = SplitMix64(seed: 7)
            for i in (bytes.count / 2)..<(bytes.count / 2 + bytes.count / 20) {
                bytes[i] = UInt8.random(in: 0...255, using: &generator)
            }
            try bytes.write(to: URL(fileURLWithPath: path))
            let (reader, frames) = try readAll(.path(path))
            XCTAssertGreaterThan(frames.count, 15, name)
            XCTAssertGreaterThan(reader.skippedFrames, 0, name)
            XCTAssertTrue(reader.warnings.contains { $0.contains("corrupt frame") && $0.contains("skipped") }, "\(reader.warnings)")
            XCTAssertEqual(frames.map(\.index), Array(0..<frames.count), name)
        }
    }

    /// A container whose every frame is garbage.
    func testZeroDecodableFrames() throws {
        let path = folder + "/garbage.mp4"
        try writeSynthetic(path, width: 96, height: 64, count: 10, options: .init(preset: "ultrafast"))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let mdat = try XCTUnwrap(bytes.range(of: Data("mdat".utf8))).upperBound
        var generator = SplitMix64(seed: 11)
        for i in mdat..<bytes.count { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        try bytes.write(to: URL(fileURLWithPath: path))
        guard case .noDecodableFrames(path, let skipped)? = readError(path) else { return XCTFail() }
        XCTAssertGreaterThan(skipped, 0)
        XCTAssertEqual(readError(path)?.exitCode, 65)
    }

    func testFramesAboveTheSizeLimit() throws {
        let path = folder + "/big.mkv"
        try writeSynthetic(path, width: 48, height: 32, count: 2)
        XCTAssertEqual(readError(path, options: .init(maxPixels: 1000)),
                       .frameTooLarge(path: path, width: 48, height: 32, maxPixels: 1000))
        XCTAssertEqual(readError(path, options: .init(maxPixels: 1000))?.exitCode, 65)
        XCTAssertEqual(try readAll(.path(path), options: .init(maxPixels: 48 * 32)).frames.count, 2)
    }

    func testBadRawFormat() {
        let raw = RawVideoFormat(width: 0, height: 10, pixelFormat: .gray, frameRate: FrameRate(25))
        XCTAssertThrowsError(try VideoReader(.fileDescriptor(0, name: "stdin"), options: .init(raw: raw))) { error in
            XCTAssertEqual((error as? VideoIOError)?.exitCode, 78)
        }
    }
}

/// SplitMix64: a small seeded generator so test data is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
