import Foundation
import XCTest
import VideoIO

/// Reading through a pipe (what `nem … -` does with stdin): no seeking, no file size.
final class PipeTests: XCTestCase {
    func testStreamingContainersDecodeThroughAPipe() throws {
        let folder = try temporaryFolder(self)
        let streams: [(String, VideoWriter.Options)] = [
            ("y4m", .init(frameRate: FrameRate(10))),
            ("mkv", .init(frameRate: FrameRate(10))),
            ("nut", .init(frameRate: FrameRate(10))),
            ("ts", .init(frameRate: FrameRate(10), preset: "ultrafast")),
            ("h264", .init(frameRate: FrameRate(10), preset: "ultrafast")),
            ("mp4", .init(frameRate: FrameRate(10), preset: "ultrafast",
                          muxerOptions: ["movflags": "frag_keyframe+empty_moov+default_base_moof"])),
        ]
        for (fileExtension, options) in streams {
            let path = "\(folder)/stream.\(fileExtension)"
            let written = try writeSynthetic(path, width: 48, height: 32, count: 12, options: options)
            let readEnd = pipeFeeding(try Data(contentsOf: URL(fileURLWithPath: path)))
            defer { close(readEnd) }
            let (reader, frames) = try readAll(.fileDescriptor(readEnd, name: "stdin"))
            XCTAssertEqual(reader.name, "stdin")
            XCTAssertEqual(frames.count, 12, fileExtension)
            XCTAssertEqual([reader.width, reader.height], [48, 32], fileExtension)
            for (frame, original) in zip(frames, written) {
                XCTAssertLessThan(difference(try XCTUnwrap(frame.source), original).mean, 6, "\(fileExtension) \(frame.index)")
            }
        }
    }

    func testRawFramesThroughAPipe() throws {
        let (width, height) = (20, 10)
        let images = (0..<5).map { syntheticFrame(width: width, height: height, index: $0) }
        for pixelFormat in RawVideoFormat.PixelFormat.allCases {
            var bytes = Data()
            for image in images { bytes.append(contentsOf: rawBytes(image, pixelFormat)) }
            let format = RawVideoFormat(width: width, height: height, pixelFormat: pixelFormat, frameRate: FrameRate(15))
            XCTAssertEqual(bytes.count, 5 * format.frameBytes)
            let readEnd = pipeFeeding(bytes)
            defer { close(readEnd) }
            let (reader, frames) = try readAll(.fileDescriptor(readEnd, name: "stdin"), options: .init(raw: format))
            XCTAssertEqual(frames.count, 5, pixelFormat.rawValue)
            XCTAssertEqual(reader.frameRate, FrameRate(15))
            XCTAssertEqual(frames.map(\.timestamp), (0..<5).map { Double($0) / 15 }, accuracy: 1e-9)
            for (frame, image) in zip(frames, images) {
                let source = try XCTUnwrap(frame.source)
                switch pixelFormat {
                case .rgb24: XCTAssertEqual(source, image)
                case .gray: XCTAssertEqual(source.pixels, rawBytes(image, .gray).flatMap { [$0, $0, $0] })
                case .yuv420p: XCTAssertLessThan(difference(source, image).mean, 12)   // chroma at half resolution
                }
            }
        }
    }

    /// "-" reads standard input: a pipe is put on descriptor 0 for the length of the test.
    func testDashReadsStandardInput() throws {
        let path = try temporaryFolder(self) + "/stdin.nut"
        let written = try writeSynthetic(path, width: 24, height: 16, count: 4)
        let readEnd = pipeFeeding(try Data(contentsOf: URL(fileURLWithPath: path)))
        let savedStdin = dup(0)
        XCTAssertEqual(dup2(readEnd, 0), 0)
        close(readEnd)
        defer { dup2(savedStdin, 0); close(savedStdin) }
        let (reader, frames) = try readAll(.path("-"))
        XCTAssertEqual(reader.name, "stdin")
        XCTAssertEqual(frames.compactMap(\.source), written)
    }

    func testRawFormatParsing() {
        XCTAssertTrue(RawVideoFormat.parseSize("640x480")! == (640, 480))
        XCTAssertNil(RawVideoFormat.parseSize("640x"))
        XCTAssertNil(RawVideoFormat.parseSize("0x10"))
        XCTAssertEqual(FrameRate(approximating: 29.97), FrameRate(30000, 1001))
        XCTAssertEqual(FrameRate(approximating: 25), FrameRate(25))
        XCTAssertEqual(FrameRate(approximating: 12.5), FrameRate(12500, 1000))
        XCTAssertEqual(RawVideoFormat(width: 5, height: 3, pixelFormat: .yuv420p, frameRate: FrameRate(1)).frameBytes, 15 + 2 * 6)
    }

    func testEmptyPipeIsAnErrorNotAHang() throws {
        let readEnd = pipeFeeding(Data())
        defer { close(readEnd) }
        XCTAssertThrowsError(try VideoReader(.fileDescriptor(readEnd, name: "stdin"))) { error in
            XCTAssertEqual(error as? VideoIOError, .empty(path: "stdin"))
            XCTAssertEqual((error as? VideoIOError)?.exitCode, 65)
        }
    }

    /// A raw stream cut inside its first frame has no decodable frame.
    func testRawPipeShorterThanOneFrame() throws {
        let format = RawVideoFormat(width: 64, height: 48, pixelFormat: .yuv420p, frameRate: FrameRate(25))
        let readEnd = pipeFeeding(Data(repeating: 128, count: 1000))
        defer { close(readEnd) }
        let reader = try VideoReader(.fileDescriptor(readEnd, name: "stdin"), options: .init(raw: format))
        XCTAssertThrowsError(try reader.nextFrame()) { error in
            guard case .noDecodableFrames("stdin", _)? = error as? VideoIOError else { return XCTFail("\(error)") }
            XCTAssertEqual((error as? VideoIOError)?.exitCode, 65)
        }
    }

    /// The bytes of `image` in a raw layout (BT.601 limited range for yuv420p, as FFmpeg's default).
    private func rawBytes(_ image: RGBImage, _ format: RawVideoFormat.PixelFormat) -> [UInt8] {
        let pixels = image.pixels
        func luma(_ i: Int) -> Double { 0.299 * Double(pixels[i]) + 0.587 * Double(pixels[i + 1]) + 0.114 * Double(pixels[i + 2]) }
        switch format {
        case .rgb24:
            return pixels
        case .gray:
            return (0..<(image.width * image.height)).map { UInt8(luma($0 * 3).rounded()) }
        case .yuv420p:
            var y = [UInt8](), u = [UInt8](), v = [UInt8]()
            for i in 0..<(image.width * image.height) { y.append(UInt8((16 + luma(i * 3) * 219 / 255).rounded())) }
            for cy in stride(from: 0, to: image.height, by: 2) {
                for cx in stride(from: 0, to: image.width, by: 2) {
                    // Chroma of the 2 × 2 block's mean colour.
                    var (r, g, b) = (0.0, 0.0, 0.0)
                    for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                        let i = (min(cy + dy, image.height - 1) * image.width + min(cx + dx, image.width - 1)) * 3
                        r += Double(pixels[i]) / 4; g += Double(pixels[i + 1]) / 4; b += Double(pixels[i + 2]) / 4
                    }
                    u.append(UInt8((128 + (-0.1687 * r - 0.3313 * g + 0.5 * b) * 224 / 255).rounded()))
                    v.append(UInt8((128 + (0.5 * r - 0.4187 * g - 0.0813 * b) * 224 / 255).rounded()))
                }
            }
            return y + u + v
        }
    }
}
