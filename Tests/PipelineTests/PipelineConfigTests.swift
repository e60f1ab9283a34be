import Foundation
import Pipeline
import XCTest

final class PipelineConfigTests: XCTestCase {
    /// The repo's own pipeline.yaml, found from this file's place in the checkout.
    let defaultFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("pipeline.yaml").path

    // MARK: - The default file

    func testTheDefaultFileLoadsToTheDefaults() throws {
        XCTAssertEqual(try PipelineConfig.load(file: defaultFile), PipelineConfig())
        XCTAssertEqual(try PipelineConfig.load(file: nil), PipelineConfig())
    }

    func testTheDefaultFileIsTheDocumentedDefaultsWithACommentOnEveryKey() throws {
        let expected = PipelineConfig().printEffective()
        let actual = try String(contentsOfFile: defaultFile, encoding: .utf8)
        if actual != expected {
            let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline.yaml")
            try expected.write(to: fresh, atomically: true, encoding: .utf8)
            XCTFail("pipeline.yaml is out of date with the keys in ConfigKeys.swift; the current text is in \(fresh.path)")
        }
        let lines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var commented = 0
        for (index, line) in lines.enumerated()
        where !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") && line.contains(":") && index > 0 {
            XCTAssertTrue(lines[index - 1].trimmingCharacters(in: .whitespaces).hasPrefix("#"), "no comment above: \(line)")
            commented += 1
        }
        XCTAssertEqual(commented, PipelineConfig.keyPaths.count + 7, "every key and section")  // 7 sections
    }

    func testTheReferenceTableHasARowPerKey() {
        let table = PipelineConfig.markdownReference()
        let rows = table.split(separator: "\n").dropFirst(2)
        XCTAssertEqual(rows.count, PipelineConfig.keyPaths.count)
        XCTAssertTrue(table.contains("| `output.mode` | `overlay` | segmentation \\| overlay \\| side-by-side |"), table)
    }

    // MARK: - Errors: one line, with the file, line and column

    func testEveryKindOfErrorNamesTheFileLineAndColumn() {
        let cases: [(yaml: String, line: Int, column: Int, message: String)] = [
            ("output:\n  mdoe: overlay\n", 2, 3, "unknown key 'mdoe' in 'output'; did you mean 'mode'?"),
            ("ouput:\n  mode: overlay\n", 1, 1, "unknown key 'ouput'; did you mean 'output'?"),
            ("output:\n  colour: red\n", 2, 3,
             "unknown key 'colour' in 'output' (known: codec, container, crf, masks, mode, overwrite, path, preset, tracks)"),
            ("queues:\n  track: four\n", 2, 10, "queues.track: expected an integer in 1…1024, got four"),
            ("output:\n  crf: \"18\"\n", 2, 8, "output.crf: expected an integer in 0…63, got \"18\""),
            ("output:\n  crf: 80\n", 2, 8, "output.crf: expected an integer in 0…63, got 80"),
            ("output:\n  mode: overlap\n", 2, 9,
             "output.mode: expected segmentation | overlay | side-by-side, got overlap"),
            ("output:\n  overwrite: yes\n", 2, 14, "output.overwrite: expected true or false, got yes"),
            ("preparation:\n  threshold: 0\n", 2, 14,
             "preparation.threshold: expected a number above 0.0 to 1.0, got 0"),
            ("progress:\n  interval: .nan\n", 2, 13,
             "progress.interval: expected a number from 0.1 to 3600.0, got .nan"),
            ("tracker:\n  model: null\n", 2, 10, "tracker.model: expected a path, got null"),
            ("tracker:\n  components: [1, 2]\n", 2, 15,
             "tracker.components: expected an integer in 1…32, or null, got a list"),
            ("output:\n  mode:\n    a: b\n", 3, 5,
             "output.mode: expected segmentation | overlay | side-by-side, got a mapping"),
            ("input:\n  raw:\n    size: 640by480\n", 3, 11,
             "input.raw.size: expected a size WIDTHxHEIGHT (each 1…16384), or null, got 640by480"),
            ("output: overlay\n", 1, 9,
             "'output' must be a mapping of keys (path, mode, codec, container, crf, preset, overwrite, masks, tracks), got 'overlay'"),
            ("- input\n- output\n", 1, 1,
             "the configuration must be a mapping of sections (input, preparation, tracker, output, queues, progress), got a list"),
            ("? [a, b]\n: c\n", 1, 3, "keys must be plain names"),
            ("output:\n  crf: 18\n  crf: 20\n", 2, 3, "duplicate key 'crf'"),
            ("input:\n  path: a.mp4\noutput:\n  path: ./a.mp4\n", 4, 9, "output.path: the output would replace the input a.mp4"),
            ("output:\n  path: out.webm\n  codec: h264\n", 3, 10,
             "output.codec: a webm file cannot hold h264 (it holds vp9)"),
            ("output:\n  path: x.mp4\n  masks: x.mp4\n", 3, 10, "output.masks: x.mp4 is also output.path"),
        ]
        for example in cases {
            XCTAssertThrowsError(try PipelineConfig.parse(yaml: example.yaml, file: "conf.yaml"), example.yaml) { error in
                guard case let PipelineError.invalidConfig(file, line, column, message) = error else {
                    return XCTFail("\(example.yaml): \(error)")
                }
                XCTAssertEqual(file, "conf.yaml")
                XCTAssertEqual(message, example.message, example.yaml)
                XCTAssertEqual(line, example.line, "line, \(example.yaml)")
                XCTAssertEqual(column, example.column, "column, \(example.yaml)")
                XCTAssertEqual((error as? PipelineError)?.exitCode, 78)
                XCTAssertFalse("\(error)".contains("\n"), "one line: \(error)")
            }
        }
    }

    func testAYAMLSyntaxErrorIsOneLineWithItsPosition() {
        XCTAssertThrowsError(try PipelineConfig.parse(yaml: "output:\n  mode: [overlay\n", file: "bad.yaml")) { error in
            guard case let PipelineError.invalidConfig(file, line, _, message) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "bad.yaml")
            XCTAssertEqual(line, 3)
            XCTAssertTrue(message.hasPrefix("YAML syntax: "), message)
            XCTAssertTrue("\(error)".hasPrefix("bad.yaml:3:"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"), "\(error)")
        }
        XCTAssertThrowsError(try PipelineConfig.parse(yaml: "output:\n\tmode: overlay\n")) { error in
            guard case let PipelineError.invalidConfig(_, line, column, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual([line, column], [2, 1])
        }
    }

    func testAMissingOrUnreadableFile() throws {
        XCTAssertThrowsError(try PipelineConfig.load(file: "/nonexistent/pipeline.yaml")) { error in
            XCTAssertEqual("\(error)", "/nonexistent/pipeline.yaml: cannot read the configuration: no such file")
            XCTAssertEqual((error as? PipelineError)?.exitCode, 66)
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        XCTAssertThrowsError(try PipelineConfig.load(file: directory.path)) { error in
            XCTAssertEqual("\(error)", "\(directory.path): cannot read the configuration: it is a directory")
        }
        let binary = directory.appendingPathComponent("binary.yaml")
        try Data([0xFF, 0xFE, 0x00, 0xC3, 0x28]).write(to: binary)
        XCTAssertThrowsError(try PipelineConfig.load(file: binary.path)) { error in
            XCTAssertTrue("\(error)".hasPrefix(binary.path + ":"), "\(error)")
        }
    }

    // MARK: - What loads

    func testAnEmptyFileAndEmptySectionsKeepTheDefaults() throws {
        XCTAssertEqual(try PipelineConfig.parse(yaml: ""), PipelineConfig())
        XCTAssertEqual(try PipelineConfig.parse(yaml: "# nothing\n"), PipelineConfig())
        XCTAssertEqual(try PipelineConfig.parse(yaml: "output:\nqueues:\n"), PipelineConfig())
    }

    func testAFileChangesOnlyTheKeysItHolds() throws {
        let config = try PipelineConfig.parse(yaml: """
            input:
              path: "-"
              raw: {size: 64x48, pixel_format: rgb24, fps: 30}
            tracker:
              components: 5
              scene_cut: null
            output:
              mode: side-by-side
              masks: 'out/masks'
            """)
        var expected = PipelineConfig()
        expected.input.path = "-"
        expected.input.rawSize = FrameSize(width: 64, height: 48)
        expected.input.rawPixelFormat = .rgb24
        expected.input.rawFramesPerSecond = 30
        expected.tracker.components = 5
        expected.tracker.sceneCutThreshold = nil
        expected.output.mode = .sideBySide
        expected.output.masks = "out/masks"
        XCTAssertEqual(config, expected)
    }

    // MARK: - Overrides

    func testOverridesApplyOverTheFile() throws {
        let config = try PipelineConfig.parse(
            yaml: "output:\n  mode: segmentation\n  crf: 30\n",
            overrides: ["output.mode": "overlay", "tracker.components": "3", "output.tracks": "t.txt",
                        "tracker.scene_cut": "null", "input.path": "-"])
        XCTAssertEqual(config.output.mode, .overlay)
        XCTAssertEqual(config.output.crf, 30, "keys not overridden keep the file's value")
        XCTAssertEqual(config.tracker.components, 3)
        XCTAssertEqual(config.output.tracks, "t.txt")
        XCTAssertNil(config.tracker.sceneCutThreshold)
        XCTAssertEqual(config.input.path, "-")
    }

    func testBadOverridesAreOneLineErrorsNamingTheOverride() {
        let cases: [([String: String], String)] = [
            (["output.mdoe": "overlay"], "override 'output.mdoe=overlay': unknown key 'output.mdoe'; did you mean 'output.mode'?"),
            (["output.crf": "-1"], "override 'output.crf=-1': output.crf: expected an integer in 0…63, got -1"),
            (["tracker.components": "many"],
             "override 'tracker.components=many': tracker.components: expected an integer in 1…32, or null, got many"),
            // Conflicts with the file are blamed on the override.
            (["output.path": "clip.webm"], "override 'output.path=clip.webm': output.codec: a webm file cannot hold h264 (it holds vp9)"),
        ]
        for (overrides, message) in cases {
            XCTAssertThrowsError(try PipelineConfig.parse(yaml: "output:\n  codec: h264\n", overrides: overrides)) { error in
                XCTAssertEqual("\(error)", message)
                XCTAssertEqual((error as? PipelineError)?.exitCode, 64)
            }
        }
    }

    func testSettersInCodeAreValidatedTheSameWay() throws {
        var config = PipelineConfig()
        try config.set("output.crf", to: "18")
        XCTAssertEqual(config.output.crf, 18)
        XCTAssertThrowsError(try config.set("output.crf", to: "high"))
        config.queues.write = 0
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertEqual("\(error)", "override 'queues.write=0': queues.write: expected an integer in 1…1024, got 0")
        }
        config.queues.write = 2
        config.output.container = .gif
        config.output.codec = .h264
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertEqual("\(error)", "override 'output.codec=h264': output.codec: a gif file cannot hold h264 (it holds gif)")
        }
        config.output.codec = .gif
        XCTAssertNoThrow(try config.validate())
    }

    // MARK: - Printing

    func testThePrintedConfigurationReadsBackTheSame() throws {
        var config = PipelineConfig()
        config.input.path = "-"
        config.input.rawSize = FrameSize(width: 33, height: 17)
        config.input.rawPixelFormat = .yuv420p
        config.input.rawFramesPerSecond = 29.97
        config.preparation.binarize = .threshold
        config.preparation.threshold = 0.35
        config.preparation.invert = true
        config.preparation.maxInputSize = 1920
        config.tracker.model = "models/we\"ird \\ name: #1.safetensors"
        config.tracker.components = 4
        config.tracker.emStepsPerFrame = 3
        config.tracker.warmupSteps = 7
        config.tracker.sceneCutThreshold = nil
        config.output.path = "out dir/clip.mkv"
        config.output.mode = .sideBySide
        config.output.codec = .ffv1
        config.output.container = .mkv
        config.output.crf = 0
        config.output.preset = .veryslow
        config.output.overwrite = true
        config.output.masks = "null"  // a directory really named "null" stays a string
        config.output.tracks = "tracks.txt"
        (config.queues.prepare, config.queues.track, config.queues.render) = (1, 2, 3)
        (config.queues.write, config.queues.masks, config.queues.tracks) = (5, 6, 7)
        config.progress.display = .lines
        config.progress.interval = 0.5
        config.progress.stats = true
        XCTAssertNotEqual(config, PipelineConfig())

        for comments in [true, false] {
            let yaml = config.printEffective(comments: comments)
            XCTAssertEqual(try PipelineConfig.parse(yaml: yaml), config, yaml)
        }
        let plain = config.printEffective(comments: false)
        XCTAssertTrue(plain.hasPrefix("input:\n  path: \"-\"\n  raw:\n    size: 33x17\n"), plain)
        XCTAssertTrue(plain.contains("\n  masks: \"null\"\n"), plain)
    }
}

extension PipelineConfigTests {
    func testTheOutputPathDefaultsToBesideTheInput() {
        var config = PipelineConfig()
        XCTAssertNil(config.resolvedOutputPath)
        config.input.path = "clips/a.mov"
        XCTAssertEqual(config.resolvedOutputPath, "clips/a-tracked.mp4")
        config.input.path = "video.mp4"
        XCTAssertEqual(config.resolvedOutputPath, "video-tracked.mp4")
        config.input.path = "-"
        XCTAssertEqual(config.resolvedOutputPath, "tracked.mp4")
        config.output.path = "out.mkv"
        XCTAssertEqual(config.resolvedOutputPath, "out.mkv")
    }
}
