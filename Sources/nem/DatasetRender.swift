import ArgumentParser
import Datasets
import Foundation
import Pipeline

/// `nem dataset render`: one generated sequence as a video with its ground-truth masks (how
/// samples/ is made, and what `nem bench reproduce` scores the pipeline on).
struct DatasetRender: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a generated flying-shapes sequence as a video (enlarged), with ground-truth masks.",
        discussion: """
            The sample in samples/ is made with:
              nem dataset render --frames 80 --scale 10 --seed 7 -o samples/flying-shapes.mp4 --masks samples/flying-shapes-masks
            """)

    @Option(help: "Frames.") var frames = 80
    @Option(help: "Shapes.") var objects = 3
    @Option(help: "Enlargement: each 28×28 pixel becomes a SCALE×SCALE block.") var scale = 10
    @Option(help: "Random seed (the sequence is index --index of the test split).") var seed: UInt64 = 7
    @Option(help: "Sequence index in the test split.") var index = 0
    @Option(help: "Frame rate.") var fps = 25
    @Option(help: "Constant rate factor (H.264: 0–51).") var crf: Int?
    @Option(name: .shortAndLong, help: "The video (.mp4: H.264).") var output: String
    @Option(help: "Folder for the ground-truth masks (00000.png …).") var masks: String?
    @Flag(help: "Replace existing outputs.") var overwrite = false

    func run() throws {
        try reportingErrors("dataset render") {
            guard scale >= 1, fps >= 1 else { throw ValidationError("--scale and --fps must be positive") }
            let generator = try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: frames, objects: objects))
            let sequence = generator.sequence(split: .test, index: index, seed: seed)
            try SequenceVideo(sequence, frames: frames, height: 28, width: 28)
                .write(to: output, scale: scale, frameRate: .init(fps), crf: crf, masks: masks, overwrite: overwrite)
            print("\(output): \(frames) frames, \(28 * scale)×\(28 * scale), \(objects) shapes (seed \(seed), test sequence \(index))"
                  + (masks.map { "; masks in \($0)/" } ?? ""))
        }
    }
}
