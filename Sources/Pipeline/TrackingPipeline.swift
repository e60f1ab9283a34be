import Autodiff
import Foundation
import NeuralEM
import VideoIO

/// The `nem track` pipeline, assembled in one place from a `PipelineConfig`:
///
///     file/stdin ─► read ─► prepare ─► track ─┬─► render ─► write ─► video
///                                             ├─► masks  ─► DIR/00000.png …   (output.masks)
///                                             └─► tracks ─► FILE (MOT rows)   (output.tracks)
///
/// Building does every check that can be done before a frame is decoded, in this order: the
/// model (loads, takes one channel, K at most the model's), the input (opens, frames at least the
/// model's size), the outputs (creatable; the video is opened under a temporary name). Any
/// failure is a `PipelineError.stageFailed` naming the stage, and leaves nothing behind.
///
///     let pipeline = try TrackingPipeline(config: config)
///     let report = try pipeline.run(stop: .onInterrupt())
public final class TrackingPipeline {
    public let config: PipelineConfig
    public let model: NEMModel
    /// K used by the tracker.
    public let components: Int
    /// The opened input (its size, frame rate, frame count when known, warnings after the run).
    public let reader: VideoReader
    /// The video being written.
    public let outputPath: String
    /// Size of the output video's frames.
    public let outputSize: (width: Int, height: Int)
    private let graph: StageGraph

    /// Loads the model, opens the input and the outputs, and assembles the graph. Sets the
    /// process's engine threads (OpenBLAS and the engine's loops) to `tracker.threads`.
    /// - Parameter standardInput: the descriptor read for input "-" (a test passes a pipe's).
    public init(config: PipelineConfig, standardInput: Int32 = 0) throws(PipelineError) {
        self.config = config
        try config.validate()
        guard let inputPath = config.input.path else {
            throw .stageFailed(stage: "read", underlying: ConfigError.invalid(key: "input.path", reason: "no input: give a video file or - for stdin"))
        }
        guard let outputPath = config.resolvedOutputPath else {
            throw .stageFailed(stage: "write", underlying: ConfigError.invalid(key: "output.path", reason: "no output path"))
        }
        self.outputPath = outputPath

        let model = try Self.stage("track") { try Self.loadModel(config.tracker) }
        self.model = model
        let (height, width) = (model.config.frameShape[0], model.config.frameShape[1])
        let components = config.tracker.components ?? model.config.components
        self.components = components
        let tracker = try Self.stage("track") {
            try Tracker(model: model, components: components, stepsPerFrame: config.tracker.emStepsPerFrame,
                        warmupSteps: config.tracker.warmupSteps ?? model.config.warmupSteps ?? PipelineConfig.Tracker.defaultWarmupSteps, restarts: config.tracker.restarts, restartScope: config.tracker.restartScope,
                        restartVote: config.tracker.restartVote,
                        sceneCutThreshold: config.tracker.sceneCutThreshold)
        }

        BLAS.setThreadCount(config.tracker.threads)
        Parallelism.threadCount = config.tracker.threads

        let source: VideoReader.Input = inputPath == "-" && standardInput != 0
            ? .fileDescriptor(standardInput, name: "stdin") : .path(inputPath)
        let reader = try Self.stage("read") { try VideoReader(source, options: config.readerOptions) }
        self.reader = reader
        try Self.stage("prepare") {
            guard reader.width >= width, reader.height >= height else {
                throw ConfigError.mismatch(
                    "\(reader.name): frames are \(reader.width)×\(reader.height), smaller than the \(width)×\(height) the model \(config.tracker.model) takes")
            }
        }

        let render = RenderStage(mode: config.renderMode, sourceWidth: reader.width, sourceHeight: reader.height,
                                 components: components)
        outputSize = render.outputSize(modelWidth: width, modelHeight: height)
        let size = outputSize
        let writer = try Self.stage("write") {
            try VideoWriter(path: outputPath, width: size.width, height: size.height,
                            options: config.writerOptions(frameRate: reader.frameRate))
        }
        // From here on an error must remove what was opened: the writer's temporary file goes with
        // `cancel()`, the track writer's likewise, the masks folder if this run made it.
        var tracks: TrackWriter?
        var masks: MaskSink?
        do {
            if let path = config.output.tracks {
                tracks = try Self.stage("tracks") {
                    try TrackWriter(path: path, sourceWidth: reader.width, sourceHeight: reader.height,
                                    overwrite: config.output.overwrite)
                }
            }
            if let folder = config.output.masks {
                let existed = FileManager.default.fileExists(atPath: folder)
                masks = try Self.stage("masks") {
                    MaskSink(writer: try MaskWriter(folder: folder, width: reader.width, height: reader.height,
                                                    overwrite: config.output.overwrite),
                             createdFolder: !existed)
                }
            }
        } catch {
            writer.cancel()
            tracks?.cancel()
            throw error
        }

        let queues = config.queues
        let graph = StageGraph()
        let frames = graph.source("read", ReadStage(reader: reader, maxSide: config.preparation.maxInputSize))
        let prepared = graph.stage(
            "prepare",
            PrepareStage(width: width, height: height, binarization: config.binarization,
                         greyInput: model.config.readsGreyFrames,
                         keepSource: config.output.mode != .segmentation, name: reader.name),
            input: frames, capacity: queues.prepare)
        let labelled = graph.stage("track", TrackStage(tracker: tracker), input: prepared, capacity: queues.track)
        if let masks { graph.stage("masks", masks, input: labelled, capacity: queues.masks) }
        if let tracks { graph.stage("tracks", TrackSink(writer: tracks), input: labelled, capacity: queues.tracks) }
        let rendered = graph.stage("render", render, input: labelled, capacity: queues.render)
        graph.stage("write", WriteStage(writer: writer), input: rendered, capacity: queues.write)
        self.graph = graph
    }

    /// Live per-stage statistics (frames so far), readable from any thread while `run` runs.
    public var monitor: GraphMonitor { graph.monitor }

    /// Runs until the input ends, `stop` is signalled (outputs kept, playable), or a stage fails
    /// (outputs removed). Call once.
    public func run(stop: StopSignal? = nil) throws(PipelineError) -> GraphReport {
        try graph.run(stop: stop)
    }

    /// Loads `tracker.model` and checks that the pipeline can feed it.
    private static func loadModel(_ settings: PipelineConfig.Tracker) throws -> NEMModel {
        let (model, _) = try NEMModel.load(from: URL(fileURLWithPath: settings.model))
        let shape = model.config.frameShape
        guard shape[2] == 1 else {
            throw ConfigError.mismatch("\(settings.model): the model takes \(shape[2]) channels; the pipeline feeds it grey frames (1 channel)")
        }
        if let k = settings.components, k > model.config.components {
            throw ConfigError.invalid(
                key: "tracker.components",
                reason: "K = \(k) is more than the \(model.config.components) components the model \(settings.model) was trained with")
        }
        return model
    }

    /// Runs a building step, naming `stage` in its error.
    private static func stage<T>(_ stage: String, _ body: () throws -> T) throws(PipelineError) -> T {
        do { return try body() } catch let error as PipelineError { throw error } catch {
            throw .stageFailed(stage: stage, underlying: error)
        }
    }
}
