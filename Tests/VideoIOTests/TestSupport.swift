import Foundation
import XCTest
import VideoIO

/// A fresh folder under the system's temporary folder, removed when the test ends.
func temporaryFolder(_ test: XCTestCase) throws -> String {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("videoio-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
    return folder
}

/// Deterministic test pictures: a dark background with a gradient, a light square that moves
/// with `index` and a coloured bar, so every frame differs and has sharp edges.
func syntheticFrame(width: Int, height: Int, index: Int) -> RGBImage {
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    let side = max(2, min(width, height) / 3)
    let left = (index * 3) % max(1, width - side)
    let top = (index * 2) % max(1, height - side)
    for y in 0..<height {
        for x in 0..<width {
            let i = (y * width + x) * 3
            var r = UInt8(20 + (x * 40) / width), g = UInt8(10 + (y * 30) / height), b = UInt8(30)
            if x >= left && x < left + side && y >= top && y < top + side {
                r = 230; g = 220; b = 210
            }
            if y < height / 6 { r = 200; g = 40; b = UInt8((index * 17) % 256) }
            pixels[i] = r; pixels[i + 1] = g; pixels[i + 2] = b
        }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
}

/// Writes `count` synthetic frames with our writer and returns them.
@discardableResult
func writeSynthetic(_ path: String, width: Int, height: Int, count: Int,
                    options: VideoWriter.Options = .init(), timestamps: [Double]? = nil) throws -> [RGBImage] {
    let writer = try VideoWriter(path: path, width: width, height: height, options: options)
    var frames: [RGBImage] = []
    for index in 0..<count {
        let frame = syntheticFrame(width: width, height: height, index: index)
        try writer.write(frame, timestamp: timestamps?[index])
        frames.append(frame)
    }
    try writer.finish()
    return frames
}

/// Reads every frame as RGB at its own size.
func readAll(_ input: VideoReader.Input, options: VideoReader.Options = .init())
    throws -> (reader: VideoReader, frames: [PreparedFrame]) {
    let reader = try VideoReader(input, options: options)
    let preparer = FramePreparer(width: 8, height: 8, binarization: .init(threshold: .otsu))
    var frames: [PreparedFrame] = []
    while let frame = try reader.nextFrame() { frames.append(try preparer.prepare(frame)) }
    return (reader, frames)
}

/// Largest absolute difference between two images' bytes, and the mean.
func difference(_ a: RGBImage, _ b: RGBImage) -> (max: Int, mean: Double) {
    precondition(a.width == b.width && a.height == b.height)
    var worst = 0, total = 0
    for i in a.pixels.indices {
        let d = abs(Int(a.pixels[i]) - Int(b.pixels[i]))
        worst = max(worst, d)
        total += d
    }
    return (worst, Double(total) / Double(a.pixels.count))
}

/// Runs a command line tool (ffmpeg, python3) and returns its standard output; fails the
/// test with its standard error when it exits non-zero.
@discardableResult
func runTool(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    if process.terminationStatus != 0 {
        XCTFail("\(arguments.joined(separator: " ")) failed: \(String(decoding: errorData, as: UTF8.self))", file: file, line: line)
    }
    return text
}

/// A pipe whose write end is fed `bytes` from a background thread and then closed, like a
/// program piping a video into `nem`. Returns the read end (closed by the caller).
func pipeFeeding(_ bytes: Data) -> Int32 {
    var fds: [Int32] = [0, 0]
    precondition(pipe(&fds) == 0)
    let writeEnd = fds[1]
    let thread = Thread {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(writeEnd, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
        close(writeEnd)
    }
    thread.start()
    return fds[0]
}

/// Debian's Python, where scripts/setup installs the modules the tests check files with (NumPy, h5py,
/// Pillow): a `python3` earlier on PATH (pyenv, a virtual environment) may lack them.
let systemPython = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
