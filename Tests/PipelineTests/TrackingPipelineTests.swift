import Autodiff
import Foundation
import NeuralEM
import Pipeline
import VideoIO
import XCTest

/// The whole `nem track` graph on tiny generated videos: outputs, stdin, stop, failures and bad input.
final class TrackingPipelineTests: XCTestCase {
    func testEndToEndWritesAPlayableVideoMasksAndTracks() throws {
        let folder = try temporaryFolder(self)
        var config = trackingConfig(input: try writeSmallVideo(in: folder, frames: 12), model: try saveSmallModel(in: folder), folder: folder)
        config.output.masks = folder + "/masks"
        config.output.tracks = folder + "/tracks.txt"
        let pipeline = try TrackingPipeline(config: config)
        let report = try pipeline.run()
        XCTAssertEqual(report.outcome, .completed)
        XCTAssertEqual(report.stages.map(\.name), ["read", "prepare", "track", "masks", "tracks", "render", "write"])
        XCTAssertTrue(report.stages.allSatisfy { $0.frames == 12 })
        let video = try readBack(folder + "/out.mp4")
        XCTAssertEqual([video.frames, video.width, video.height], [12, 64, 64])
        XCTAssertEqual(listing(folder + "/masks").count, 12)
        let rows = try String(contentsOfFile: folder + "/tracks.txt", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.first?.split(separator: ",").first, "1")
        XCTAssertEqual(rows.last?.split(separator: ",").first, "12")
        XCTAssertFalse(listing(folder).contains { $0.hasPrefix(".") }, "no temporary file left: \(listing(folder))")
    }

    func testTimestampsAndFrameRateAreCarriedOver() throws {
        let folder = try temporaryFolder(self)
        let input = folder + "/in.mkv"
        try smallSequence(frames: 6).write(to: input, scale: 4, frameRate: FrameRate(10))
        var config = trackingConfig(input: input, model: try saveSmallModel(in: folder), folder: folder)
        config.output.path = folder + "/out.mkv"
        _ = try TrackingPipeline(config: config).run()
        let reader = try VideoReader(.path(folder + "/out.mkv"))
        var stamps: [Double] = []
        while let frame = try reader.nextFrame() { stamps.append(frame.timestamp) }
        XCTAssertEqual(reader.frameRate, FrameRate(10))
        XCTAssertEqual(stamps.count, 6)
        for (t, stamp) in stamps.enumerated() { XCTAssertEqual(stamp, Double(t) / 10, accuracy: 1e-3) }
    }

    func testReadsAStreamPipedOnStandardInput() throws {
        let folder = try temporaryFolder(self)
        let y4m = folder + "/in.y4m"
        try smallSequence(frames: 8).write(to: y4m, scale: 4)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: y4m))
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let writing = Thread { [fds] in
            let handle = FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
            handle.write(bytes)
            try? handle.close()
        }
        writing.start()
        defer { close(fds[0]) }
        let config = trackingConfig(input: "-", model: try saveSmallModel(in: folder), folder: folder)
        let report = try TrackingPipeline(config: config, standardInput: fds[0]).run()
        XCTAssertEqual(report.stages.last?.frames, 8)
        XCTAssertEqual(try readBack(folder + "/out.mp4").frames, 8)
    }

    func testAStopKeepsAPlayableVideoOfTheFramesSoFar() throws {
        let folder = try temporaryFolder(self)
        let reader = try VideoReader(.path(try writeSmallVideo(in: folder, frames: 40)))
        let writer = try VideoWriter(path: folder + "/out.mp4", width: 64, height: 64)
        let stop = StopSignal()
        let graph = StageGraph(queueCapacity: 2)
        let frames = graph.source("read", ReadStage(reader: reader))
        let stopping = graph.stage("stop at 5", StopAt(frame: 5, signal: stop), input: frames)
        let rendered = graph.stage("render", SourceImage(), input: stopping)
        graph.stage("write", WriteStage(writer: writer), input: rendered)
        let report = try graph.run(stop: stop)
        XCTAssertEqual(report.outcome, .interrupted)
        let written = try readBack(folder + "/out.mp4").frames
        XCTAssertGreaterThanOrEqual(written, 6)
        XCTAssertLessThan(written, 40)
    }

    func testAStageThatThrowsCancelsTheGraphAndLeavesNoOutputs() throws {
        let folder = try temporaryFolder(self)
        let input = try writeSmallVideo(in: folder, frames: 30)
        let (model, _) = try NEMModel.load(from: URL(fileURLWithPath: try saveSmallModel(in: folder)))
        let reader = try VideoReader(.path(input))
        let graph = StageGraph(queueCapacity: 2)
        let frames = graph.source("read", ReadStage(reader: reader))
        let prepared = graph.stage("prepare", PrepareStage(width: modelSide, height: modelSide, binarization: .init(),
                                                           greyInput: false, keepSource: true, name: input), input: frames)
        let labelled = graph.stage("track", TrackStage(tracker: try Tracker(model: model)), input: prepared)
        let failing = graph.stage("fails", FailingStage<LabelledFrame>(failAt: 10), input: labelled)
        graph.stage("masks", MaskSink(writer: try MaskWriter(folder: folder + "/masks", width: 64, height: 64), createdFolder: true),
                    input: labelled)
        graph.stage("tracks", TrackSink(writer: try TrackWriter(path: folder + "/tracks.txt", sourceWidth: 64, sourceHeight: 64)),
                    input: labelled)
        let rendered = graph.stage("render", RenderStage(mode: .overlay, sourceWidth: 64, sourceHeight: 64, components: 3), input: failing)
        graph.stage("write", WriteStage(writer: try VideoWriter(path: folder + "/out.mp4", width: 64, height: 64)), input: rendered)
        XCTAssertThrowsError(try graph.run()) { error in
            XCTAssertEqual("\(error)", "fails: boom: frame 10")
        }
        XCTAssertEqual(listing(folder).filter { !$0.hasSuffix(".safetensors") }, ["input.mp4"])
    }

    // MARK: bad input: one line naming the stage and the file, its exit code, nothing written

    private func assertRefused(_ config: PipelineConfig, folder: String, stage: String, exitCode: Int32, contains text: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        let before = listing(folder)
        XCTAssertThrowsError(try TrackingPipeline(config: config), file: file, line: line) { error in
            guard let error = error as? PipelineError, case let .stageFailed(name, _) = error else {
                return XCTFail("not a stage failure: \(error)", file: file, line: line)
            }
            XCTAssertEqual(name, stage, file: file, line: line)
            XCTAssertEqual(error.exitCode, exitCode, "\(error)", file: file, line: line)
            XCTAssertTrue(error.description.contains(text), error.description, file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), file: file, line: line)
        }
        XCTAssertEqual(listing(folder), before, "nothing written", file: file, line: line)
    }

    func testMissingOrIncompatibleModelsAreRefusedBeforeRunning() throws {
        let folder = try temporaryFolder(self)
        let input = try writeSmallVideo(in: folder)
        assertRefused(trackingConfig(input: input, model: folder + "/none.safetensors", folder: folder), folder: folder,
                      stage: "track", exitCode: 66, contains: "none.safetensors")
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: folder + "/junk.safetensors"))
        assertRefused(trackingConfig(input: input, model: folder + "/junk.safetensors", folder: folder), folder: folder,
                      stage: "track", exitCode: 65, contains: "junk.safetensors")
        let rgb = try saveSmallModel(in: folder, channels: 3, name: "rgb.safetensors")
        assertRefused(trackingConfig(input: input, model: rgb, folder: folder), folder: folder,
                      stage: "track", exitCode: 65, contains: "takes 3 channels")
        var tooMany = trackingConfig(input: input, model: try saveSmallModel(in: folder), folder: folder)
        tooMany.tracker.components = 4
        assertRefused(tooMany, folder: folder, stage: "track", exitCode: 78, contains: "K = 4 is more than the 3 components")
    }

    func testInputsAndOutputsThatCannotWorkAreRefusedBeforeRunning() throws {
        let folder = try temporaryFolder(self)
        let model = try saveSmallModel(in: folder)
        assertRefused(trackingConfig(input: folder + "/missing.mp4", model: model, folder: folder), folder: folder,
                      stage: "read", exitCode: 66, contains: "missing.mp4: no such file")
        let tiny = folder + "/tiny.mp4"
        try VideoWriter(path: tiny, width: 8, height: 8).finishing { try $0.write(RGBImage(width: 8, height: 8)) }
        assertRefused(trackingConfig(input: tiny, model: model, folder: folder), folder: folder,
                      stage: "prepare", exitCode: 65, contains: "frames are 8×8, smaller than the 16×16")

        let input = try writeSmallVideo(in: folder)
        var existing = trackingConfig(input: input, model: model, folder: folder)
        try Data("taken".utf8).write(to: URL(fileURLWithPath: folder + "/taken.mp4"))
        existing.output.path = folder + "/taken.mp4"
        assertRefused(existing, folder: folder, stage: "write", exitCode: 73, contains: "output exists")
        var noFolder = trackingConfig(input: input, model: model, folder: folder)
        noFolder.output.path = folder + "/no/such/out.mp4"
        assertRefused(noFolder, folder: folder, stage: "write", exitCode: 73, contains: "cannot create output")
        // A masks "folder" that is a file: the video's temporary file opened before it is removed too.
        var badMasks = trackingConfig(input: input, model: model, folder: folder)
        badMasks.output.masks = input
        badMasks.output.tracks = folder + "/tracks.txt"
        assertRefused(badMasks, folder: folder, stage: "masks", exitCode: 73, contains: "is not a folder")
    }

    func testConfigurationErrorsNameTheFileLineAndColumn() throws {
        let folder = try temporaryFolder(self)
        XCTAssertThrowsError(try PipelineConfig.parse(yaml: "tracker:\n  componets: 3\n", file: "p.yaml")) { error in
            XCTAssertEqual((error as? PipelineError)?.exitCode, 78)
            XCTAssertTrue("\(error)".hasPrefix("p.yaml:2:3: unknown key 'componets'"), "\(error)")
        }
        var noInput = trackingConfig(input: "x", model: try saveSmallModel(in: folder), folder: folder)
        noInput.input.path = nil
        noInput.output.path = nil
        assertRefused(noInput, folder: folder, stage: "read", exitCode: 78, contains: "no input")
    }
}

/// Requests a stop when frame `frame` passes (as Ctrl-C would).
private struct StopAt: Stage {
    let frame: Int
    let signal: StopSignal

    mutating func process(_ item: VideoFrame) throws -> VideoFrame {
        if item.index == frame { signal.stop() }
        return item
    }
}

/// Decoded frames as RGB at their own size.
private struct SourceImage: Stage {
    private let preparer = FramePreparer(width: 4, height: 4)

    mutating func process(_ item: VideoFrame) throws -> RenderedFrame {
        let source = try preparer.prepare(item).source ?? RGBImage(width: item.width, height: item.height)
        return RenderedFrame(index: item.index, timestamp: item.timestamp, image: source)
    }
}

extension VideoWriter {
    /// Runs `body` with the writer, then finishes the file.
    func finishing(_ body: (VideoWriter) throws -> Void) throws {
        try body(self)
        try finish()
    }
}

/// The pipeline reproduces the model exactly when the video is lossless: its masks are the
/// argmax of the γ that batch evaluation computes for the same frames and initial γ.
final class PipelineReproductionTests: XCTestCase {
    func testMasksOfALosslessVideoAreTheArgmaxOfBatchEvaluation() throws {
        let folder = try temporaryFolder(self)
        let frames = 8
        let video = try smallSequence(frames: frames, seed: 9)
        try video.write(to: folder + "/in.mkv", scale: 4)  // FFV1: lossless
        let modelPath = try saveSmallModel(in: folder)
        var config = trackingConfig(input: folder + "/in.mkv", model: modelPath, folder: folder)
        config.output.masks = folder + "/masks"
        config.tracker.sceneCutThreshold = nil
        config.tracker.warmupSteps = 0  // batch evaluation has none
        _ = try TrackingPipeline(config: config).run()

        let (model, _) = try NEMModel.load(from: URL(fileURLWithPath: modelPath))
        let pixels = modelSide * modelSide
        let inputs = (0..<frames).map {
            Tensor(shape: [1, 1, modelSide, modelSide, 1], scalars: Array(video.sequence.features[$0 * pixels..<($0 + 1) * pixels]))
        }
        var rng = SeededRNG(seed: 1)  // the tracker's default seed: the same initial γ
        let cell = model.cell()
        let initial = cell.initialState(firstInput: inputs[0], components: 3, rng: &rng)
        let rollout = withoutGradients {
            cell.unroll(inputs: inputs, targets: inputs, components: 3, stepWeights: .init(repeating: 1, count: frames - 1),
                        loss: LossSettings(gradientGamma: false), rng: &rng, initialState: initial)
        }
        for t in 1..<frames {
            let mask = try VideoReader(.path(String(format: "%@/masks/%05d.png", folder, t)))
            let indices = try XCTUnwrap(try mask.nextFrame()?.paletteIndices()).indices
            let gamma = rollout.gammas[t - 1].scalars  // (K, H·W)
            for p in 0..<pixels {
                let expected: UInt8 = video.sequence.features[t * pixels + p] < 0.5 ? 0
                    : UInt8(1 + (0..<3).max { gamma[$0 * pixels + p] < gamma[$1 * pixels + p] }!)
                XCTAssertEqual(indices[(p / modelSide * 4) * 64 + p % modelSide * 4], expected, "frame \(t), pixel \(p)")
            }
        }
    }
}
