import ArgumentParser
import Datasets
import Foundation

/// `nem dataset …`: make and inspect datasets in the original Neural-EM HDF5 layout.
struct Dataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate and inspect datasets in the original HDF5 layout.",
        subcommands: [DatasetGenerate.self, DatasetInfo.self, DatasetBench.self, DatasetRender.self]
    )
}

struct DatasetGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate static shapes, flying shapes or flying MNIST into an HDF5 file.",
        discussion: """
        KIND is static-shapes (28×28, 3 shapes, 1 frame), flying-shapes (28×28, 3 shapes, 21 frames) \
        or flying-mnist (24×24, 2 digits, 21 frames; needs --mnist). The same seed gives the same file \
        whatever the number of threads.
        """)

    @Argument(help: "static-shapes, flying-shapes or flying-mnist.")
    var kind: String

    @Option(help: "Objects per sequence (default 3 shapes, 2 digits).")
    var objects: Int?

    @Option(help: "Frames per sequence (default 1 for static-shapes, 21 otherwise).")
    var frames: Int?

    @Option(help: "Canvas size HxW (default 28x28 for shapes, 24x24 for flying-mnist).")
    var size: String?

    @Option(help: "Object speed range MIN-MAX in pixels per frame.")
    var speed: String = "1-2"

    @Option(help: "Training sequences.")
    var train: Int = 50_000

    @Option(help: "Validation sequences.")
    var valid: Int = 10_000

    @Option(help: "Test sequences.")
    var test: Int = 10_000

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Directory with the MNIST IDX files (gzipped or not), for flying-mnist.")
    var mnist: String?

    @Option(help: "Stored type of features: uint8 (value·255, compact) or float32 (as the original files).")
    var dtype: String = "uint8"

    @Option(help: "Worker threads; the data does not depend on it.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .shortAndLong, help: "Output HDF5 file.")
    var output: String

    @Flag(help: "Replace the output file if it exists.")
    var overwrite = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        try reportingErrors("dataset generate") {
            guard let kind = DatasetKind(rawValue: kind) else {
                throw DatasetError.invalidOptions("unknown dataset kind '\(kind)' (use \(DatasetKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let featureType = FeatureType(rawValue: dtype) else {
                throw DatasetError.invalidOptions("--dtype must be uint8 or float32, got '\(dtype)'")
            }
            var options = GeneratorOptions(defaultsFor: kind)
            if let objects { options.objects = objects }
            if let frames { options.frames = frames }
            if let size {
                guard let (h, w) = parsePair(size, separator: "x", as: Int.init) else {
                    throw DatasetError.invalidOptions("--size must look like 28x28, got '\(size)'")
                }
                options.height = h; options.width = w
            }
            guard let (low, high) = parsePair(speed, separator: "-", as: Double.init), low <= high else {
                throw DatasetError.invalidOptions("--speed must look like 1-2 (MIN-MAX pixels per frame), got '\(speed)'")
            }
            options.speed = low...high
            let counts: [Split: Int] = [.training: train, .validation: valid, .test: test]
            let generator: any SequenceGenerator
            switch kind {
            case .staticShapes: generator = try StaticShapes(options: options)
            case .flyingShapes: generator = try FlyingShapes(options: options)
            case .flyingMNIST:
                guard let mnist else { throw DatasetError.invalidOptions("flying-mnist needs --mnist DIR (a directory of MNIST IDX files)") }
                let needed = Set(counts.filter { $0.value > 0 }.keys)
                generator = try FlyingMNIST(options: options, digits: MNISTDigits(directory: mnist, splits: needed))
            }
            let start = Date()
            var progress = ProgressLine(label: "generating \(kind.rawValue)", unit: "seq", quiet: quiet)
            try DatasetGeneration.generate(generator, counts: counts, seed: seed, featureType: featureType,
                                           to: output, overwrite: overwrite, threads: threads) { done, total in
                progress.update(done: done, total: total)
            }
            progress.finish()
            if !quiet {
                let bytes = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
                let seconds = Date().timeIntervalSince(start)
                print(String(format: "wrote %@: %d/%d/%d sequences of %d×%d×%d×1, %@ features, %.1f MB, in %.1f s",
                             output, train, valid, test, options.frames, options.height, options.width, dtype,
                             Double(bytes) / 1e6, seconds))
            }
        }
    }
}

struct DatasetInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print a dataset file's splits, shapes, dtypes, object counts and overlap fraction.")

    @Argument(help: "An HDF5 file in the original layout (ours or the paper's).")
    var file: String

    @Option(help: "Sequences per split to measure the statistics on.")
    var sample: Int = 1000

    func run() throws {
        try reportingErrors("dataset info") {
            let dataset = try DatasetFile(path: file)
            let attributes = ["kind", "seed", "objects", "frames", "size", "speed", "feature_type"]
                .compactMap { name in dataset.attribute(name).map { "\(name) \($0)" } }
            // Measure every split before printing, so a damaged file prints only its error.
            let summaries = try dataset.splits.map { try SplitSummary(file: dataset, split: $0, sample: max(1, sample)) }
            print("\(file)" + (attributes.isEmpty ? "" : "  (" + attributes.joined(separator: ", ") + ")"))
            print(row(["split", "sequences", "frames", "H×W×C", "features", "groups", "scored obj/seq", "foreground", "overlap px", "unscored fg"]))
            for s in summaries {
                let split = s.split
                let objects = String(format: "%d / %.2f / %d", s.objectsPerSequence.min, s.objectsPerSequence.mean, s.objectsPerSequence.max)
                print(row([split.rawValue, String(s.shape.sequences), String(s.shape.frames),
                           "\(s.shape.height)×\(s.shape.width)×\(s.shape.channels)",
                           s.featuresType + (s.featuresType == "uint8" ? "/255" : ""), s.groupsType, objects,
                           percent(s.foregroundFraction), s.overlapFraction.map(percent) ?? "n/a", percent(s.unscoredForegroundFraction)]))
            }
            print("scored obj/seq is min / mean / max distinct group ids; statistics from the first \(sample) sequences of each split")
        }
    }

    private func row(_ cells: [String]) -> String {
        let widths = [10, 10, 7, 9, 11, 7, 20, 11, 11, 11]
        return zip(cells, widths).map { $0.padding(toLength: max($1, $0.count), withPad: " ", startingAt: 0) }.joined(separator: " ").trimmingCharacters(in: .whitespaces)
    }

    private func percent(_ x: Double) -> String { String(format: "%.2f%%", 100 * x) }
}

struct DatasetBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time shuffled mini-batch loading from a file (and noise), as the trainer does it.")

    @Argument(help: "An HDF5 file in the original layout.")
    var file: String

    @Option(help: "Split to read.")
    var split: String = "training"

    @Option(help: "Sequences per batch.")
    var batch: Int = 64

    @Option(help: "Batches to time.")
    var batches: Int = 50

    @Option(help: "Random seed of the shuffle.")
    var seed: UInt64 = 1

    func run() throws {
        try reportingErrors("dataset bench") {
            guard let split = Split(rawValue: split) else {
                throw DatasetError.invalidOptions("--split must be training, validation or test, got '\(split)'")
            }
            guard batches > 0 else { throw DatasetError.invalidOptions("--batches must be positive, got \(batches)") }
            var loader = try BatchLoader(file: DatasetFile(path: file), split: split, seed: seed)
            var noise = NoiseSource(model: .reference(binary: loader.isBinary), seed: seed)
            var loadTimes: [Double] = [], noiseTimes: [Double] = []
            for _ in 0..<batches {
                let t0 = Date()
                let next = try loader.nextBatch(size: batch)
                let t1 = Date()
                _ = noise.corrupt(next.features)
                loadTimes.append(t1.timeIntervalSince(t0)); noiseTimes.append(Date().timeIntervalSince(t1))
            }
            func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] * 1000 }
            print(String(format: "%@ %@: %d shuffled batches of %d×%d×%d×%d×%d: load median %.2f ms (max %.2f ms), noise median %.2f ms",
                         file, split.rawValue, batches, loader.frames, batch, loader.frameShape.height, loader.frameShape.width,
                         loader.frameShape.channels, median(loadTimes), (loadTimes.max() ?? 0) * 1000, median(noiseTimes)))
        }
    }
}

/// "28x28" → (28, 28); nil unless both halves parse.
private func parsePair<T>(_ text: String, separator: Character, as parse: (String) -> T?) -> (T, T)? {
    let parts = text.split(separator: separator, omittingEmptySubsequences: false)
    guard parts.count == 2, let first = parse(String(parts[0])), let second = parse(String(parts[1])) else { return nil }
    return (first, second)
}

