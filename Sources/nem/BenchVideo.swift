import ArgumentParser
import Foundation
import VideoIO

/// `nem bench video`: our reading and writing against the `ffmpeg` command line doing the same
/// work on the same 640×480 H.264 input, side by side in one run (medians of `--runs`).
///
/// - read: decode + scale to 28×28 (area) + binarize (auto Otsu), against
///   `ffmpeg -i in.mp4 -vf scale=28:28 -f null -`;
/// - write: render overlays + encode H.264 mp4, against `ffmpeg` encoding the same overlay
///   frames (raw RGB from a file) with the same codec, preset, CRF and pixel format.
struct BenchVideo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "video", abstract: "Video read/write speed against the ffmpeg command line.")

    @Option(help: "Frames in the generated 640×480 input.") var frames = 300
    @Option(help: "Timed runs of each side; medians are reported.") var runs = 5
    @Option(help: "x264 preset for the write benchmark (both sides).") var preset = "medium"
    @Option(help: "x264 CRF for the write benchmark (both sides).") var crf = 23
    @Option(help: "Folder for the input and outputs (default: a new temporary folder, removed after).")
    var folder: String?
    @Flag(help: "Print one JSON object instead of lines.") var json = false

    func validate() throws {
        guard frames > 0, runs > 0 else { throw ValidationError("--frames and --runs must be positive") }
    }

    func run() throws {
        let work = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("nem-bench-video-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { if folder == nil { try? FileManager.default.removeItem(atPath: work) } }
        let input = work + "/input.mp4"
        let (width, height, rate) = (640, 480, FrameRate(30))
        try makeInput(input, width: width, height: height, frameRate: rate)
        log("input: \(input), \(frames) frames \(width)×\(height) H.264 at \(rate) fps")

        // Read: decode + 28×28 + binarize.
        var ourReads: [Timing] = [], ffmpegReads: [Timing] = []
        var framesRead = 0
        for _ in 0..<runs {
            ourReads.append(try time { framesRead = try readAndPrepare(input) })
            ffmpegReads.append(try time { try ffmpeg(["-i", input, "-vf", "scale=28:28", "-f", "null", "-"]) })
        }

        // Write: overlay frames, prepared once; both sides encode the same frames.
        let (sources, labels, timestamps) = try overlayInputs(input)
        let renderer = FrameRenderer(mode: .overlay)
        var overlays: [RGBImage] = []
        let renderTime = try time { overlays = sources.indices.map { renderer.render(labels: labels[$0], source: sources[$0]) } }
        let rawOverlays = work + "/overlay.rgb"
        try writeRaw(overlays, to: rawOverlays)
        overlays = []
        log(String(format: "overlay rendering alone: %.3f s for %d frames", renderTime.wall, sources.count))
        var ourWrites: [Timing] = [], ffmpegWrites: [Timing] = []
        for _ in 0..<runs {
            ourWrites.append(try time {
                let writer = try VideoWriter(path: work + "/ours.mp4", width: width, height: height,
                                             options: .init(frameRate: rate, crf: crf, preset: preset, overwrite: true))
                var overlay = RGBImage(width: width, height: height)
                for index in sources.indices {
                    renderer.render(labels: labels[index], source: sources[index], into: &overlay)
                    try writer.write(overlay, timestamp: timestamps[index])
                }
                try writer.finish()
            })
            ffmpegWrites.append(try time {
                try ffmpeg(["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(width)x\(height)", "-framerate", "\(rate)",
                            "-i", rawOverlays, "-c:v", "libx264", "-preset", preset, "-crf", "\(crf)",
                            "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-y", work + "/ffmpeg.mp4"])
            })
        }
        try report(framesRead: framesRead, reads: (ourReads, ffmpegReads), writes: (ourWrites, ffmpegWrites))
    }

    /// A 640×480 H.264 clip of moving shapes on a gradient with changing grain (so it costs
    /// about what camera footage costs to decode: ~1.5 MB for 300 frames), made with our writer.
    private func makeInput(_ path: String, width: Int, height: Int, frameRate: FrameRate) throws {
        let writer = try VideoWriter(path: path, width: width, height: height,
                                     options: .init(frameRate: frameRate, crf: 20, preset: "veryfast", overwrite: true))
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for index in 0..<frames {
            for y in 0..<height {
                for x in 0..<width {
                    let i = (y * width + x) * 3
                    let inDisc = (x - 120 - 2 * index % 400) * (x - 120 - 2 * index % 400) + (y - 240) * (y - 240) < 60 * 60
                    let inSquare = x > 380 && x < 480 && (y + index) % 480 > 100 && (y + index) % 480 < 200
                    let lit = inDisc || inSquare
                    let grain = UInt8(truncatingIfNeeded: ((x &* 73_856_093) ^ (y &* 19_349_663) ^ (index &* 83_492_791)) >> 7 & 15)
                    pixels[i] = (lit ? 220 : UInt8(20 + x / 16)) + grain
                    pixels[i + 1] = (lit ? (inDisc ? 190 : 90) : UInt8(20 + y / 16)) + grain
                    pixels[i + 2] = (lit ? 60 : 40) + grain
                }
            }
            try writer.write(RGBImage(width: width, height: height, pixels: pixels))
        }
        try writer.finish()
    }

    /// Reads every frame at 28×28, binarized; returns the frame count.
    private func readAndPrepare(_ path: String) throws -> Int {
        let reader = try VideoReader(.path(path))
        let preparer = FramePreparer(width: 28, height: 28, binarization: .init(threshold: .auto(frames: 5)), keepSource: false)
        var count = 0
        while let frame = try reader.nextFrame() {
            _ = try preparer.prepare(frame)
            count += 1
        }
        return count
    }

    /// Source frames, label maps (foreground split into three vertical bands) and timestamps.
    private func overlayInputs(_ path: String) throws -> ([RGBImage], [LabelMap], [Double]) {
        let reader = try VideoReader(.path(path))
        let preparer = FramePreparer(width: 28, height: 28, binarization: .init(threshold: .auto(frames: 5)))
        var sources: [RGBImage] = [], labels: [LabelMap] = [], timestamps: [Double] = []
        while let frame = try reader.nextFrame() {
            let prepared = try preparer.prepare(frame)
            guard let source = prepared.source else { continue }
            sources.append(source)
            labels.append(LabelMap(width: 28, height: 28, labels: (0..<784).map {
                prepared.input[$0] > 0 ? UInt8(1 + ($0 % 28) / 10) : 0
            }))
            timestamps.append(prepared.timestamp)
        }
        return (sources, labels, timestamps)
    }

    private func writeRaw(_ images: [RGBImage], to path: String) throws {
        var data = Data()
        data.reserveCapacity(images.reduce(0) { $0 + $1.pixels.count })
        for image in images { data.append(contentsOf: image.pixels) }
        try data.write(to: URL(fileURLWithPath: path))
    }

    private func ffmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin"] + arguments
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            throw ValidationError("ffmpeg \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
    }

    /// Wall-clock seconds and CPU seconds (user + system, this process and its children) of `body`.
    private func time(_ body: () throws -> Void) throws -> Timing {
        let (startWall, startCPU) = (DispatchTime.now().uptimeNanoseconds, cpuSeconds())
        try body()
        return Timing(wall: Double(DispatchTime.now().uptimeNanoseconds - startWall) / 1e9, cpu: cpuSeconds() - startCPU)
    }

    private func cpuSeconds() -> Double {
        var total = 0.0
        for who in [RUSAGE_SELF, RUSAGE_CHILDREN] {
            var usage = rusage()
            getrusage(who.rawValue, &usage)
            total += Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        }
        return total
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    private func report(framesRead: Int, reads: ([Timing], [Timing]), writes: ([Timing], [Timing])) throws {
        func summary(_ ours: [Timing], _ theirs: [Timing]) -> [String: Double] {
            let (wall, ffmpegWall) = (median(ours.map(\.wall)), median(theirs.map(\.wall)))
            let (cpu, ffmpegCPU) = (median(ours.map(\.cpu)), median(theirs.map(\.cpu)))
            return ["nem_s": wall, "ffmpeg_s": ffmpegWall, "ratio": wall / ffmpegWall,
                    "nem_cpu_s": cpu, "ffmpeg_cpu_s": ffmpegCPU, "cpu_ratio": cpu / ffmpegCPU, "target": 1.2]
        }
        let read = summary(reads.0, reads.1), write = summary(writes.0, writes.1)
        if json {
            let object: [String: Any] = ["frames": framesRead, "runs": runs, "preset": preset, "crf": crf,
                                         "read": read, "write": write]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        func line(_ name: String, _ figures: [String: Double]) -> String {
            String(format: "%@  nem %.3f s (%.0f fps)  ffmpeg %.3f s (%.0f fps)  ratio %.2f (target ≤ 1.20); CPU time ratio %.2f",
                   name, figures["nem_s"]!, Double(framesRead) / figures["nem_s"]!, figures["ffmpeg_s"]!,
                   Double(framesRead) / figures["ffmpeg_s"]!, figures["ratio"]!, figures["cpu_ratio"]!)
        }
        print("medians of \(runs) runs, \(framesRead) frames 640×480:")
        print(line("read+28×28+binarize", read))
        print(line("overlay write (x264 \(preset) crf \(crf))", write))
    }

    private func log(_ message: String) {
        if !json { print(message) }
    }
}

/// How long one timed run took.
private struct Timing {
    /// Wall-clock seconds.
    var wall: Double
    /// CPU seconds, user + system, over all threads (and child processes).
    var cpu: Double
}
