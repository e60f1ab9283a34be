import ArgumentParser
import Autodiff
import Datasets
import Foundation
import NeuralEM
import Pipeline
import VideoIO

/// `nem bench pipeline`: the whole `nem track` pipeline on a 640×480 H.264 input writing an H.264
/// overlay, against `ffmpeg` transcoding the same file with the same codec settings (libx264,
/// same preset and CRF, yuv420p, +faststart), side by side in one run, medians of `--runs`.
/// The target is a ratio ≤ 1.5.
///
/// The input is flying shapes (3, on a 48×64 canvas enlarged 10×) over a gradient with changing
/// grain, so that decoding and encoding cost about what camera footage costs.
struct BenchPipeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline", abstract: "nem track (640×480 H.264 in, H.264 overlay out) against ffmpeg transcoding the same file.")

    static let target = 1.5

    @Option(help: "The model (default: samples/models/flying-shapes.safetensors if present, else the architecture in code).")
    var model: String?
    @Option(help: "Frames in the generated input.") var frames = 300
    @Option(help: "Timed runs of each side (medians are reported).") var runs = 3
    @Option(help: "x264 preset (both sides).") var preset = "medium"
    @Option(help: "x264 CRF (both sides).") var crf = 23
    @Option(help: "Folder for the input and outputs (default: a temporary folder, removed after).") var folder: String?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard frames > 0, runs > 0 else { throw ValidationError("--frames and --runs must be positive") }
        guard EncoderPreset(rawValue: preset) != nil else { throw ValidationError("--preset must be an x264 preset") }
    }

    func run() throws {
        try reportingErrors("bench pipeline") {
            let work = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("nem-bench-pipeline-\(getpid())").path
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            defer { if folder == nil { try? FileManager.default.removeItem(atPath: work) } }
            let input = work + "/input.mp4"
            try makeInput(input)
            let modelPath = try resolveModel(in: work)
            log("input: \(input), \(frames) frames 640×480 H.264; model: \(modelPath)")

            var config = PipelineConfig()
            config.input.path = input
            config.output.path = work + "/ours.mp4"
            config.output.overwrite = true
            config.output.crf = crf
            config.output.preset = EncoderPreset(rawValue: preset) ?? .medium
            config.output.mode = .overlay
            config.tracker.model = modelPath
            config.progress.display = .none

            var ours: [Double] = [], theirs: [Double] = [], ourCPU: [Double] = [], theirCPU: [Double] = []
            var reports: [GraphReport] = []
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds, cpuStart = cpuSeconds(RUSAGE_SELF)
                reports.append(try TrackingPipeline(config: config).run())
                ours.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                ourCPU.append(cpuSeconds(RUSAGE_SELF) - cpuStart)
                let childStart = cpuSeconds(RUSAGE_CHILDREN)
                theirs.append(try ffmpegTranscode(input, to: work + "/ffmpeg.mp4"))
                theirCPU.append(cpuSeconds(RUSAGE_CHILDREN) - childStart)
            }
            let (a, b) = (median(ours), median(theirs))
            let cpuRatio = median(ourCPU) / median(theirCPU)
            let middle = reports[ours.firstIndex(of: a) ?? 0]
            if json {
                let object: [String: Any] = ["frames": frames, "runs": runs, "preset": preset, "crf": crf,
                                             "nem_seconds": ours, "ffmpeg_seconds": theirs, "nem_median": a, "ffmpeg_median": b,
                                             "ratio": a / b, "cpu_ratio": cpuRatio, "nem_cpu_seconds": ourCPU, "ffmpeg_cpu_seconds": theirCPU, "target": Self.target, "bottleneck": middle.bottleneck?.name ?? ""]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            print(String(format: "nem track (read, 28×28, track K = 3, overlay, x264 %@ CRF %d): median %.2f s (%.0f frames/s); runs %@",
                         preset, crf, a, Double(frames) / a, list(ours)))
            print(String(format: "ffmpeg -i in.mp4 -c:v libx264 -preset %@ -crf %d:              median %.2f s (%.0f frames/s); runs %@",
                         preset, crf, b, Double(frames) / b, list(theirs)))
            print(String(format: "ratio %.2f (target ≤ %.1f): %@", a / b, Self.target, a / b <= Self.target ? "met" : "NOT met"))
            print(String(format: "CPU time (user + system): nem %.2f s, ffmpeg %.2f s (medians), ratio %.2f", median(ourCPU), median(theirCPU), cpuRatio))
            print("stages of the median nem run:\n" + middle.formattedStats())
        }
    }

    /// Seconds `ffmpeg` takes to transcode `input` with the settings the pipeline writes with.
    private func ffmpegTranscode(_ input: String, to output: String) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", input, "-c:v", "libx264", "-preset", preset,
                             "-crf", "\(crf)", "-pix_fmt", "yuv420p", "-movflags", "+faststart", output]
        let start = DispatchTime.now().uptimeNanoseconds
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("ffmpeg failed (exit \(process.terminationStatus)); is ffmpeg installed?")
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Flying shapes on a 48×64 canvas enlarged 10× (640×480), bright on a grainy gradient.
    private func makeInput(_ path: String) throws {
        let (height, width, scale) = (48, 64, 10)
        let generator = try FlyingShapes(options: GeneratorOptions(height: height, width: width, frames: frames, objects: 3))
        let sequence = generator.sequence(split: .test, index: 0, seed: 3)
        let writer = try VideoWriter(path: path, width: width * scale, height: height * scale,
                                     options: .init(frameRate: FrameRate(30), crf: 20, preset: "veryfast", overwrite: true))
        var pixels = [UInt8](repeating: 0, count: width * scale * height * scale * 3)
        for t in 0..<frames {
            for y in 0..<(height * scale) {
                for x in 0..<(width * scale) {
                    let lit = sequence.features[(t * height + y / scale) * width + x / scale] > 0
                    let grain = UInt8(truncatingIfNeeded: ((x &* 73_856_093) ^ (y &* 19_349_663) ^ (t &* 83_492_791)) >> 7 & 15)
                    let i = (y * width * scale + x) * 3
                    pixels[i] = (lit ? 220 : UInt8(20 + x / 16)) + grain
                    pixels[i + 1] = (lit ? 200 : UInt8(20 + y / 16)) + grain
                    pixels[i + 2] = (lit ? 180 : 40) + grain
                }
            }
            try writer.write(RGBImage(width: width * scale, height: height * scale, pixels: pixels))
        }
        try writer.finish()
    }

    /// The given or shipped model, else the flying-shapes architecture initialised in code, saved in `work`.
    private func resolveModel(in work: String) throws -> String {
        let shipped = "samples/models/flying-shapes.safetensors"
        if let model { return model }
        if FileManager.default.fileExists(atPath: shipped) { return shipped }
        var rng = SeededRNG(seed: 1)
        let path = work + "/flying-shapes-untrained.safetensors"
        try NEMModel(config: TrainingPreset.flyingShapes.config.model, rng: &rng).save(to: URL(fileURLWithPath: path))
        return path
    }

    /// User + system CPU seconds of this process (`RUSAGE_SELF`) or of its waited-for children.
    private func cpuSeconds(_ who: __rusage_who) -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(who.rawValue), &usage)
        let seconds = { (t: timeval) in Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    private func list(_ values: [Double]) -> String { values.map { String(format: "%.2f", $0) }.joined(separator: ", ") }
    private func log(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}
