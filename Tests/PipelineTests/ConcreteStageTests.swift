import Foundation
import NeuralEM
import Pipeline
import VideoIO
import XCTest

/// Each concrete stage alone, through `StageHarness` / `SourceHarness`, on a tiny generated video.
final class ConcreteStageTests: XCTestCase {
    private func frames(_ folder: String, count: Int = 6) throws -> (reader: VideoReader, frames: [VideoFrame]) {
        let reader = try VideoReader(.path(try writeSmallVideo(in: folder, frames: count)))
        var harness = SourceHarness(ReadStage(reader: reader))
        return (reader, try harness.run())
    }

    private func prepared(_ folder: String, count: Int = 6, keepSource: Bool = true) throws -> [PreparedFrame] {
        let (reader, decoded) = try frames(folder, count: count)
        var harness = StageHarness(PrepareStage(width: modelSide, height: modelSide, binarization: .init(threshold: .fixed(127)),
                                                greyInput: false, keepSource: keepSource, name: reader.name))
        return try harness.run(decoded)
    }

    private func labelled(_ folder: String, count: Int = 6) throws -> [LabelledFrame] {
        let (model, _) = try NEMModel.load(from: URL(fileURLWithPath: try saveSmallModel(in: folder)))
        var harness = StageHarness(TrackStage(tracker: try Tracker(model: model)))
        return try harness.run(try prepared(folder, count: count))
    }

    func testReadGivesEveryFrameInOrderAndRefusesFramesAboveTheSizeLimit() throws {
        let folder = try temporaryFolder(self)
        let (_, decoded) = try frames(folder, count: 7)
        XCTAssertEqual(decoded.map(\.index), Array(0..<7))
        XCTAssertTrue(decoded.allSatisfy { $0.width == 64 && $0.height == 64 })
        var limited = SourceHarness(ReadStage(reader: try VideoReader(.path(folder + "/input.mp4")), maxSide: 32))
        XCTAssertThrowsError(try limited.run()) { error in
            XCTAssertTrue("\(error)".contains("above preparation.max_input_size (32"), "\(error)")
        }
    }

    func testPrepareScalesToTheModelAndBinarizesLikeTheGroundTruth() throws {
        let folder = try temporaryFolder(self)
        let frames = try prepared(folder)
        let truth = try smallSequence(frames: 6)
        for frame in frames {
            XCTAssertEqual(frame.input.count, modelSide * modelSide)
            XCTAssertEqual(frame.source?.width, 64)
            // 4×4 blocks of white survive H.264 and area averaging: the 0/1 input is the sequence's.
            let expected = truth.groundTruth(frame: frame.index).labels.map { $0 == 0 ? Float(0) : 1 }
            let differing = zip(frame.input, expected).filter { $0 != $1 }.count
            XCTAssertLessThanOrEqual(differing, 2, "frame \(frame.index)")
        }
        XCTAssertNil(try prepared(try temporaryFolder(self), keepSource: false).first?.source)
    }

    func testPrepareGivesGreyValuesToAModelThatTakesThem() throws {
        let folder = try temporaryFolder(self)
        let (reader, decoded) = try frames(folder)
        var harness = StageHarness(PrepareStage(width: modelSide, height: modelSide, binarization: .init(), greyInput: true,
                                                keepSource: false, name: reader.name))
        let frame = try harness.feed(decoded[0])
        XCTAssertEqual(frame.input, frame.grey.map { Float($0) / 255 })
    }

    func testTrackLabelsForegroundWithComponentsAndBackgroundZero() throws {
        let folder = try temporaryFolder(self)
        let frames = try labelled(folder)
        XCTAssertEqual(frames.map(\.prepared.index), Array(0..<6))
        for frame in frames {
            XCTAssertEqual(frame.tracked.labels.count, modelSide * modelSide)
            XCTAssertEqual(frame.tracked.gamma.count, 3 * modelSide * modelSide)
            for (label, input) in zip(frame.tracked.labels, frame.prepared.input) {
                XCTAssertEqual(label == 0, input < 0.5)
                XCTAssertLessThanOrEqual(label, 3)
            }
        }
        XCTAssertTrue(frames[0].tracked.wasReset)
        XCTAssertFalse(frames[1].tracked.wasReset)
    }

    func testRenderDrawsAtTheSourceSizeOrAsFourPanels() throws {
        let folder = try temporaryFolder(self)
        let frames = try labelled(folder, count: 3)
        for mode in [VideoIO.RenderMode.segmentation, .overlay] {
            var harness = StageHarness(RenderStage(mode: mode, sourceWidth: 64, sourceHeight: 64, components: 3))
            let rendered = try harness.run(frames)
            XCTAssertEqual(rendered.map(\.index), [0, 1, 2])
            XCTAssertEqual(rendered.map(\.timestamp), frames.map(\.prepared.timestamp))
            XCTAssertTrue(rendered.allSatisfy { $0.image.width == 64 && $0.image.height == 64 })
            // A labelled pixel is drawn in its component's colour in segmentation mode.
            if mode == .segmentation, let p = frames[1].tracked.labels.firstIndex(where: { $0 != 0 }) {
                let (x, y) = (p % modelSide * 4, p / modelSide * 4)
                XCTAssertEqual(rendered[1].image[x, y], Palette.distinct.colour(Int(frames[1].tracked.labels[p])))
            }
        }
        let stage = RenderStage(mode: .sideBySide, sourceWidth: 64, sourceHeight: 64, components: 3)
        var harness = StageHarness(stage)
        let size = stage.outputSize(modelWidth: modelSide, modelHeight: modelSide)
        let image = try harness.feed(frames[0]).image
        XCTAssertEqual([image.width, image.height], [size.width, size.height])
        XCTAssertGreaterThan(image.width, 4 * image.height - 1)
    }

    func testWriteMakesAPlayableFileOnlyWhenTheRunDidNotFail() throws {
        let folder = try temporaryFolder(self)
        let images = (0..<5).map { RenderedFrame(index: $0, timestamp: Double($0) / 25, image: RGBImage(width: 32, height: 24, fill: RGB(200, 10, 10))) }
        var good = StageHarness(WriteStage(writer: try VideoWriter(path: folder + "/good.mp4", width: 32, height: 24)))
        _ = try good.run(images)
        XCTAssertEqual(try readBack(folder + "/good.mp4").frames, 5)

        var failed = StageHarness(WriteStage(writer: try VideoWriter(path: folder + "/failed.mp4", width: 32, height: 24)))
        for image in images { try failed.feed(image) }
        try failed.finish(.failed)
        XCTAssertEqual(listing(folder), ["good.mp4"], "no file, not even the temporary one, after a failure")
    }

    func testMaskAndTrackSinksWriteAtSourceSizeAndCleanUpAfterAFailure() throws {
        let folder = try temporaryFolder(self)
        let frames = try labelled(folder, count: 4)
        var masks = StageHarness(MaskSink(writer: try MaskWriter(folder: folder + "/masks", width: 64, height: 64), createdFolder: true))
        _ = try masks.run(frames)
        XCTAssertEqual(listing(folder + "/masks"), ["00000.png", "00001.png", "00002.png", "00003.png"])
        let png = try VideoReader(.path(folder + "/masks/00002.png"))
        XCTAssertEqual([png.width, png.height], [64, 64])
        // Labels come back enlarged 4× (nearest-neighbour).
        let indices = try XCTUnwrap(try png.nextFrame()?.paletteIndices()).indices
        for p in 0..<(modelSide * modelSide) {
            XCTAssertEqual(indices[(p / modelSide * 4) * 64 + p % modelSide * 4], frames[2].tracked.labels[p])
        }

        var tracks = StageHarness(TrackSink(writer: try TrackWriter(path: folder + "/tracks.txt", sourceWidth: 64, sourceHeight: 64)))
        _ = try tracks.run(frames)
        let rows = try String(contentsOfFile: folder + "/tracks.txt", encoding: .utf8).split(separator: "\n")
        let expected = frames.map { Set($0.tracked.labels.filter { $0 != 0 }).count }.reduce(0, +)
        XCTAssertEqual(rows.count, expected)
        XCTAssertTrue(rows.allSatisfy { $0.hasSuffix(",-1,-1,-1") })

        var failedMasks = StageHarness(MaskSink(writer: try MaskWriter(folder: folder + "/masks2", width: 64, height: 64), createdFolder: true))
        var failedTracks = StageHarness(TrackSink(writer: try TrackWriter(path: folder + "/tracks2.txt", sourceWidth: 64, sourceHeight: 64)))
        for frame in frames {
            try failedMasks.feed(frame)
            try failedTracks.feed(frame)
        }
        try failedMasks.finish(.failed)
        try failedTracks.finish(.failed)
        XCTAssertEqual(listing(folder).filter { !$0.hasSuffix(".safetensors") }, ["input.mp4", "masks", "tracks.txt"])
    }
}
