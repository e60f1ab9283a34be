import ArgumentParser
import Foundation
import Pipeline

/// `nem track`: segments and tracks the objects of a video (or of frames piped on stdin) with a
/// trained model and writes a video in which every object keeps its colour, plus masks and tracks
/// on request. Settings come from `pipeline.yaml`; flags override its keys.
struct Track: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Segment and track objects in a video with an RNN-EM model.",
        discussion: """
            Reads pipeline.yaml (from the current folder, else the repository's top) unless --config \
            names another file; flags override its keys. Examples:
              nem track samples/flying-shapes.mp4 -o tracked.mp4
              ffmpeg -i in.mov -f nut - | nem track - -o out.mp4 --masks masks/
              cat frames.gray | nem track - --raw 64x64 --pix-fmt gray --fps 25 -o out.mkv
            """)

    @Argument(help: "The video to track, or - for standard input (default: input.path of the configuration).")
    var input: String?
    @Option(name: [.short, .customLong("output")], help: "The video to write (default: INPUT-tracked.mp4 beside the input).")
    var output: String?
    @Option(help: "The pipeline configuration (default: ./pipeline.yaml, else the repository's).")
    var config: String?
    @Option(help: "The model (.safetensors); overrides tracker.model.") var model: String?
    @Option(help: "K, the number of objects to track (at most the model's).") var components: Int?
    @Option(help: "segmentation, overlay or side-by-side.") var mode: String?
    @Option(help: "Write per-frame label masks (PNG) into this folder.") var masks: String?
    @Option(help: "Write the tracks (MOT Challenge rows) to this file.") var tracks: String?
    @Option(help: "Raw frames on the input: their size, WIDTHxHEIGHT.") var raw: String?
    @Option(name: .customLong("pix-fmt"), help: "Pixel format of raw frames: gray, rgb24 or yuv420p.") var pixelFormat: String?
    @Option(help: "Frame rate of raw frames.") var fps: String?
    @Flag(help: "Replace existing outputs.") var overwrite = false
    @Flag(help: "Print per-stage statistics at the end (frames, busy time, waits; the bottleneck).") var stats = false
    @Flag(help: "No progress and no summary; errors only.") var quiet = false
    @Flag(name: .customLong("print-config"), help: "Print the configuration in effect (YAML) and exit.")
    var printConfig = false

    func run() throws {
        try reportingErrors("track") {
            let config = try effectiveConfig()
            if printConfig {
                print(config.printEffective(), terminator: "")
                return
            }
            let pipeline = try TrackingPipeline(config: config)
            try TrackRun(pipeline: pipeline, quiet: quiet).run()
        }
    }

    /// pipeline.yaml (found or given), the flags over it, and a relative model path of the file
    /// read against the file's folder.
    func effectiveConfig() throws -> PipelineConfig {
        let file = try config ?? Self.defaultConfigFile()
        var overrides: [String: String] = [:]
        overrides["input.path"] = input
        overrides["output.path"] = output
        overrides["tracker.model"] = model
        overrides["tracker.components"] = components.map(String.init)
        overrides["output.mode"] = mode
        overrides["output.masks"] = masks
        overrides["output.tracks"] = tracks
        overrides["input.raw.size"] = raw
        overrides["input.raw.pixel_format"] = pixelFormat
        overrides["input.raw.fps"] = fps
        if overwrite { overrides["output.overwrite"] = "true" }
        if stats { overrides["progress.stats"] = "true" }
        if quiet { overrides["progress.display"] = "none" }
        var config = try PipelineConfig.load(file: file, overrides: overrides)
        if model == nil, let file, !config.tracker.model.hasPrefix("/") {
            let folder = (file as NSString).deletingLastPathComponent
            if !folder.isEmpty && !FileManager.default.fileExists(atPath: config.tracker.model) {
                config.tracker.model = (folder as NSString).appendingPathComponent(config.tracker.model)
            }
        }
        return config
    }

    /// ./pipeline.yaml, else the one at the top of the repository this `nem` was built in
    /// (found above the executable), else none (the defaults).
    static func defaultConfigFile() throws -> String? {
        let manager = FileManager.default
        if manager.fileExists(atPath: "pipeline.yaml") { return "pipeline.yaml" }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("pipeline.yaml").path
            if manager.fileExists(atPath: candidate) && manager.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return candidate
            }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }
}
