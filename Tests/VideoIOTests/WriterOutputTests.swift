import Foundation
import XCTest
import VideoIO

/// Outputs appear under their final name only when complete; bad destinations are refused
/// before any work, with exit code 73 (or 78 for bad settings).
final class WriterOutputTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = try temporaryFolder(self)
    }

    private func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    func testExistingOutputIsRefusedWithoutOverwrite() throws {
        let path = folder + "/out.mkv"
        try writeSynthetic(path, width: 16, height: 16, count: 2)
        XCTAssertThrowsError(try VideoWriter(path: path, width: 16, height: 16)) { error in
            XCTAssertEqual(error as? VideoIOError, .outputExists(path: path))
            XCTAssertEqual((error as? VideoIOError)?.exitCode, 73)
            XCTAssertEqual((error as? VideoIOError)?.description, "\(path): output exists; pass --overwrite to replace it")
        }
        try writeSynthetic(path, width: 16, height: 16, count: 3, options: .init(overwrite: true))
        XCTAssertEqual(try readAll(.path(path)).frames.count, 3)
        XCTAssertEqual(try contents(), ["out.mkv"])
    }

    func testUnwritableOutputs() throws {
        let notAFolder = folder + "/plain.txt"
        try "x".write(toFile: notAFolder, atomically: true, encoding: .utf8)
        for path in [folder + "/missing/out.mp4", notAFolder + "/out.mp4", folder] {
            XCTAssertThrowsError(try VideoWriter(path: path, width: 16, height: 16)) { error in
                guard case .outputNotCreatable(path, _)? = error as? VideoIOError else { return XCTFail("\(error)") }
                XCTAssertEqual((error as? VideoIOError)?.exitCode, 73)
            }
        }
        XCTAssertEqual(try contents(), ["plain.txt"])
    }

    func testBadSettingsAreConfigurationErrors() {
        let settings: [(String, VideoWriter.Options)] = [
            ("out.xyz", .init()),
            ("out.mp4", .init(codec: "no-such-codec")),
            ("out.mp4", .init(pixelFormat: "rgb48be")),
            ("out.mp4", .init(preset: "warp-speed")),
            ("out.webm", .init(codec: "libx264")),
            ("out.mp4", .init(frameRate: FrameRate(0))),
        ]
        for (name, options) in settings {
            XCTAssertThrowsError(try VideoWriter(path: folder + "/" + name, width: 16, height: 16, options: options)) { error in
                XCTAssertEqual((error as? VideoIOError)?.exitCode, 78, "\(name) \(error)")
            }
        }
        XCTAssertEqual(try contents(), [])
    }

    /// Nothing under the final name until `finish`; `cancel` and a dropped writer leave nothing.
    func testNoHalfWrittenOutput() throws {
        let path = folder + "/out.mp4"
        var writer: VideoWriter? = try VideoWriter(path: path, width: 32, height: 32)
        for index in 0..<5 { try writer?.write(syntheticFrame(width: 32, height: 32, index: index)) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertEqual(try contents().count, 1)    // the hidden temporary file
        XCTAssertTrue(try contents()[0].hasPrefix(".out.mp4.partial-"))
        writer?.cancel()
        XCTAssertEqual(try contents(), [])

        writer = try VideoWriter(path: path, width: 32, height: 32)
        try writer?.write(syntheticFrame(width: 32, height: 32, index: 0))
        writer = nil
        XCTAssertEqual(try contents(), [])
    }

    /// What the CLI does on SIGINT: stop feeding frames and `finish()`: a playable file with
    /// every frame written so far, checked by our reader and by ffprobe.
    func testStoppingEarlyLeavesAPlayableFile() throws {
        let path = folder + "/stopped.mp4"
        let writer = try VideoWriter(path: path, width: 64, height: 48, options: .init(frameRate: FrameRate(30)))
        for index in 0..<7 { try writer.write(syntheticFrame(width: 64, height: 48, index: index)) }
        try writer.finish()
        XCTAssertEqual(try readAll(.path(path)).frames.count, 7)
        let probe = try runTool(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                                 "-show_entries", "stream=codec_name,nb_read_frames,pix_fmt", "-of", "csv=p=0", path])
        XCTAssertEqual(probe.trimmingCharacters(in: .whitespacesAndNewlines), "h264,yuv420p,7")
        // +faststart: the index (moov) comes before the media data (mdat).
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let moov = try XCTUnwrap(bytes.range(of: Data("moov".utf8))).lowerBound
        let mdat = try XCTUnwrap(bytes.range(of: Data("mdat".utf8))).lowerBound
        XCTAssertLessThan(moov, mdat)
    }

    func testCRFChangesTheSize() throws {
        var sizes: [Int] = []
        for crf in [10, 40] {
            let path = folder + "/crf\(crf).mp4"
            try writeSynthetic(path, width: 64, height: 48, count: 10, options: .init(crf: crf, preset: "ultrafast"))
            sizes.append(try Data(contentsOf: URL(fileURLWithPath: path)).count)
        }
        XCTAssertGreaterThan(sizes[0], sizes[1] * 2)
    }
}
