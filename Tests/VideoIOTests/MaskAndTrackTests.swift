import Foundation
import XCTest
import VideoIO

final class MaskAndTrackTests: XCTestCase {
    /// (5, 7) labels: background, component 1 on the left, 2 at the bottom right, 3 one pixel.
    private let labels = LabelMap(width: 7, height: 5, labels: [
        0, 1, 1, 0, 0, 0, 0,
        0, 1, 1, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 2, 2,
        0, 0, 0, 0, 0, 2, 2,
        3, 0, 0, 0, 0, 2, 2,
    ])

    /// Labels upscaled ×3 nearest-neighbour, as the masks should hold them.
    private var upscaled: [UInt8] {
        (0..<15).flatMap { y in (0..<21).map { x in labels.labels[(y / 3) * 7 + x / 3] } }
    }

    func testIndexedPNGMasksReadBackByUsPillowAndFFprobe() throws {
        let folder = try temporaryFolder(self) + "/masks"
        let writer = try MaskWriter(folder: folder, width: 21, height: 15)
        for index in 0..<3 { try writer.write(labels, index: index) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(),
                       ["00000.png", "00001.png", "00002.png"])

        // Our reader.
        let reader = try VideoReader(.path(folder + "/00001.png"))
        XCTAssertEqual(reader.codec, "png")
        let frame = try XCTUnwrap(reader.nextFrame())
        XCTAssertEqual(frame.pixelFormat, "pal8")
        let (indices, palette) = try XCTUnwrap(frame.paletteIndices())
        XCTAssertEqual(indices, upscaled)
        XCTAssertEqual(palette, Palette.davis.colours)

        // Pillow.
        let script = """
        import sys; from PIL import Image
        im = Image.open(sys.argv[1])
        print(im.mode, im.size[0], im.size[1])
        print(list(im.getdata()))
        print(im.getpalette()[:12])
        """
        let lines = try runTool([systemPython, "-c", script, folder + "/00002.png"]).split(separator: "\n")
        guard lines.count == 3 else { return XCTFail("Pillow printed \(lines.count) lines, 3 expected") }
        XCTAssertEqual(lines.first, "P 21 15")
        XCTAssertEqual(String(lines[1]), "[" + upscaled.map(String.init).joined(separator: ", ") + "]")
        XCTAssertEqual(String(lines[2]), "[0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0]")

        // ffprobe.
        let probe = try runTool(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,pix_fmt,width,height",
                                 "-of", "csv=p=0", folder + "/00000.png"])
        XCTAssertEqual(probe.trimmingCharacters(in: .whitespacesAndNewlines), "png,21,15,pal8")
    }

    func testMaskFolderIsNotOverwrittenUnlessAsked() throws {
        let folder = try temporaryFolder(self) + "/masks"
        try MaskWriter(folder: folder, width: 7, height: 5).write(labels, index: 0)
        XCTAssertThrowsError(try MaskWriter(folder: folder, width: 7, height: 5)) { error in
            XCTAssertEqual((error as? VideoIOError)?.exitCode, 73)
        }
        XCTAssertNoThrow(try MaskWriter(folder: folder, width: 7, height: 5, overwrite: true).write(labels, index: 0))
        XCTAssertThrowsError(try MaskWriter(folder: folder + "/no/such", width: 7, height: 5)) { error in
            XCTAssertEqual((error as? VideoIOError)?.exitCode, 73)
        }
    }

    func testMOTTracks() throws {
        let path = try temporaryFolder(self) + "/tracks.txt"
        let writer = try TrackWriter(path: path, sourceWidth: 70, sourceHeight: 50)
        var confidence = [Float](repeating: 0.5, count: 35)
        confidence[1] = 1.0                                   // component 1: mean of 1, .5, .5, .5
        try writer.write(frame: 0, labels: labels, confidence: confidence)
        try writer.write(frame: 1, labels: LabelMap(width: 7, height: 5, labels: [UInt8](repeating: 0, count: 35)),
                         confidence: confidence)
        var shifted = labels.labels
        shifted[0] = 2
        try writer.write(frame: 2, labels: LabelMap(width: 7, height: 5, labels: shifted), confidence: confidence)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        try writer.finish()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text, """
        1,1,10,0,20,20,0.6250,-1,-1,-1
        1,2,50,20,20,30,0.5000,-1,-1,-1
        1,3,0,40,10,10,0.5000,-1,-1,-1
        3,1,10,0,20,20,0.6250,-1,-1,-1
        3,2,0,0,70,50,0.5000,-1,-1,-1
        3,3,0,40,10,10,0.5000,-1,-1,-1

        """)
        XCTAssertThrowsError(try TrackWriter(path: path, sourceWidth: 70, sourceHeight: 50)) { error in
            XCTAssertEqual(error as? VideoIOError, .outputExists(path: path))
        }
    }
}
