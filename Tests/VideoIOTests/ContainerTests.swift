import Foundation
import XCTest
import VideoIO

/// Every container the writer picks from a file name decodes back with its frame count,
/// size, rate and (within the codec's loss) its pictures.
final class ContainerTests: XCTestCase {
    /// (extension, codec FFmpeg reports, largest mean error per byte allowed)
    private let containers: [(String, String, Double)] = [
        ("mp4", "h264", 6), ("mov", "h264", 6), ("mkv", "ffv1", 0), ("nut", "ffv1", 0),
        ("webm", "vp9", 8), ("gif", "gif", 30), ("avi", "mpeg4", 8), ("ts", "h264", 6),
        ("h264", "h264", 6), ("y4m", "rawvideo", 6),
    ]

    func testEveryContainerRoundTrips() throws {
        let folder = try temporaryFolder(self)
        for (fileExtension, codec, tolerance) in containers {
            let path = "\(folder)/clip.\(fileExtension)"
            let written = try writeSynthetic(path, width: 48, height: 32, count: 8,
                                             options: .init(frameRate: FrameRate(10), preset: fileExtension == "webm" ? "8" : nil))
            let (reader, frames) = try readAll(.path(path))
            XCTAssertEqual(reader.codec, codec, fileExtension)
            XCTAssertEqual(reader.width, 48, fileExtension)
            XCTAssertEqual(reader.height, 32, fileExtension)
            XCTAssertEqual(frames.count, 8, fileExtension)
            XCTAssertEqual(reader.frameRate.fps, 10, accuracy: 0.01, fileExtension)
            XCTAssertEqual(reader.skippedFrames, 0, fileExtension)
            for (frame, original) in zip(frames, written) {
                let error = difference(try XCTUnwrap(frame.source), original).mean
                XCTAssertLessThanOrEqual(error, tolerance, "\(fileExtension) frame \(frame.index)")
            }
            XCTAssertEqual(frames.map(\.timestamp), (0..<8).map { Double($0) / 10 }, accuracy: 0.011)
        }
    }

    func testFragmentedMP4() throws {
        let path = try temporaryFolder(self) + "/fragmented.mp4"
        try writeSynthetic(path, width: 32, height: 32, count: 5,
                           options: .init(muxerOptions: ["movflags": "frag_keyframe+empty_moov"]))
        XCTAssertEqual(try readAll(.path(path)).frames.count, 5)
    }

    func testOddSizeIsExactInFFV1AndPaddedInH264() throws {
        let folder = try temporaryFolder(self)
        let exact = try writeSynthetic(folder + "/odd.mkv", width: 33, height: 17, count: 3)
        let (ffv1, ffv1Frames) = try readAll(.path(folder + "/odd.mkv"))
        XCTAssertEqual([ffv1.width, ffv1.height], [33, 17])
        XCTAssertEqual(ffv1Frames.map { $0.source! }, exact)

        let writer = try VideoWriter(path: folder + "/odd.mp4", width: 33, height: 17, options: .init(crf: 10))
        XCTAssertEqual([writer.encodedWidth, writer.encodedHeight], [34, 18])
        for index in 0..<3 { try writer.write(syntheticFrame(width: 33, height: 17, index: index)) }
        try writer.finish()
        let (h264, h264Frames) = try readAll(.path(folder + "/odd.mp4"))
        XCTAssertEqual([h264.width, h264.height], [34, 18])
        XCTAssertEqual(h264Frames.count, 3)
        // The padding repeats the last column and row.
        let source = try XCTUnwrap(h264Frames.first?.source)
        for y in 0..<18 {
            let last = source[32, min(y, 16)], padding = source[33, y]
            XCTAssertLessThanOrEqual(abs(Int(last.g) - Int(padding.g)), 12, "row \(y)")
        }
    }

    func testTenBitAnd444Sources() throws {
        let folder = try temporaryFolder(self)
        for (name, pixelFormat) in [("ten.mkv", "yuv420p10le"), ("full.mp4", "yuv444p"), ("ffv1-10.mkv", "yuv444p10le")] {
            let codec = name.hasPrefix("ffv1") ? "ffv1" : "libx264"
            let written = try writeSynthetic(folder + "/" + name, width: 40, height: 24, count: 4,
                                             options: .init(codec: codec, pixelFormat: pixelFormat, crf: codec == "ffv1" ? nil : 12))
            let reader = try VideoReader(.path(folder + "/" + name))
            let preparer = FramePreparer(width: 8, height: 8)
            var count = 0
            while let frame = try reader.nextFrame() {
                XCTAssertEqual(frame.pixelFormat, pixelFormat, name)
                let source = try XCTUnwrap(try preparer.prepare(frame).source)
                XCTAssertLessThan(difference(source, written[frame.index]).mean, 4, "\(name) frame \(frame.index)")
                count += 1
            }
            XCTAssertEqual(count, 4, name)
        }
    }

    func testVariableFrameRateTimestampsCarryOver() throws {
        let folder = try temporaryFolder(self)
        let timestamps = [0, 0.04, 0.1, 0.3, 0.31, 0.5, 1.25]
        for name in ["vfr.mkv", "vfr.mp4"] {
            try writeSynthetic(folder + "/" + name, width: 32, height: 32, count: timestamps.count,
                               options: .init(frameRate: FrameRate(25)), timestamps: timestamps)
            let (_, frames) = try readAll(.path(folder + "/" + name))
            XCTAssertEqual(frames.map(\.timestamp), timestamps, accuracy: 0.0011)
        }
    }

    /// A file with audio and video (made by the ffmpeg tool: our writer has no audio).
    func testAudioAndVideoFileDecodesTheVideo() throws {
        let path = try temporaryFolder(self) + "/av.mp4"
        try runTool(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=64x48:r=10:d=1",
                     "-f", "lavfi", "-i", "sine=d=1", "-c:v", "libx264", "-preset", "ultrafast",
                     "-c:a", "aac", "-shortest", path])
        let (reader, frames) = try readAll(.path(path))
        XCTAssertEqual(reader.codec, "h264")
        XCTAssertEqual(frames.count, 10)
        XCTAssertEqual([reader.width, reader.height], [64, 48])
    }
}
