import ArgumentParser
import Foundation
import NeuralEM
import Pipeline
import VideoIO

/// `nem bench heldout`: the pipeline on videos from another generator (scripts/independent_flying_shapes.py:
/// `seq-NNN.mp4` with ground truth in `seq-NNN-masks/`), scored as `nem bench reproduce` scores
/// its own: AMI (`max` normalisation) of the exported masks against the truth, at the videos' size,
/// background and overlaps excluded, frames 2…T.
struct BenchHeldOut: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heldout", abstract: "AMI of nem track's masks on held-out videos with ground-truth masks.")

    @Option(help: "The model (.safetensors).") var model = "samples/models/flying-shapes.safetensors"
    @Option(help: "Folder of seq-NNN.mp4 videos, each with its seq-NNN-masks/ folder.") var data: String
    @Option(help: "K (default: the model's).") var components: Int?

    func run() throws {
        try reportingErrors("bench heldout") {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: data, isDirectory: &isFolder) else { throw VideoIOError.missing(path: data) }
            guard isFolder.boolValue else { throw VideoIOError.unreadable(path: data, reason: "not a folder") }
            let videos = try FileManager.default.contentsOfDirectory(atPath: data)
                .filter { $0.hasPrefix("seq-") && $0.hasSuffix(".mp4") }.sorted()
            guard !videos.isEmpty else { throw ConfigError.mismatch("\(data): no seq-NNN.mp4 videos") }
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("nem-heldout-\(getpid())").path
            defer { try? FileManager.default.removeItem(atPath: work) }
            var scores: [Double] = []
            for video in videos {
                let stem = String(video.dropLast(4))
                let output = work + "/" + stem
                try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
                let report = try TrackingPipeline(config: .maskExport(input: data + "/" + video, folder: output, model: model,
                                                                      components: components)).run()
                let frames = report.stages.last?.frames ?? 0
                var perFrame: [Double] = []
                for t in 1..<frames {
                    let name = String(format: "%05d.png", t)
                    let truth = try readMask(data + "/" + stem + "-masks/" + name)
                    let predicted = try readMask(output + "/masks/" + name)
                    guard truth.count == predicted.count else {
                        throw ConfigError.mismatch("\(data)/\(stem)-masks/\(name): its size differs from the video's")
                    }
                    let groups = truth.map { $0 == 255 ? Int32(0) : Int32($0) }
                    perFrame.append(scoreLabels(predicted: predicted.map(Int32.init), groups: groups, batch: 1,
                                                pixels: groups.count).amiMax[0])
                }
                let ami = perFrame.reduce(0, +) / Double(max(perFrame.count, 1))
                scores.append(ami)
                print(String(format: "%@: %d frames, AMI frames 2…%d %.4f", video, frames, frames, ami))
                try? FileManager.default.removeItem(atPath: output)
            }
            print(String(format: "%d held-out videos in %@, model %@: mean AMI %.4f (max normalisation, background and overlaps excluded, frames 2…T)",
                         scores.count, data, model, scores.reduce(0, +) / Double(scores.count)))
        }
    }

    private func readMask(_ path: String) throws -> [UInt8] {
        guard let indices = try VideoReader(.path(path)).nextFrame()?.paletteIndices()?.indices else {
            throw ConfigError.mismatch("\(path): not an indexed PNG mask")
        }
        return indices
    }
}
