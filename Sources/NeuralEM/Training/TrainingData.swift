import Datasets
import Foundation

/// The training stream and the fixed validation set of a configuration.
struct TrainingData {
    /// Batches for training, endless (a generator) or epoch after epoch (a file).
    var train: any SequenceSource
    /// The first `validationSequences` validation sequences, in batches, read once.
    let validation: [Batch]
    /// What the data are, for model cards (`nem.training` metadata).
    let description: String

    /// Data made in code.
    init(train: any SequenceSource, validation: [Batch], description: String) {
        self.train = train
        self.validation = validation
        self.description = description
    }

    /// - Parameter startStep: the optimiser step training resumes at (a generator continues where it left
    ///   off; a file's shuffle restarts from a seed derived from the step).
    init(config: TrainingConfig, startStep: Int) throws {
        let data = config.data
        let batchSize = config.training.batchSize
        let validationCount = config.training.validationSequences
        let frames = config.model.steps + 1
        if let path = data.file {
            guard data.generator == nil else {
                throw ConfigError.invalid(key: "data", reason: "give either 'file' or 'generator', not both")
            }
            let file = try DatasetFile(path: path)
            let shuffleSeed = startStep == 0 ? config.training.seed : config.training.seed &+ UInt64(startStep)
            train = try BatchLoader(file: file, split: .training, seed: shuffleSeed, shuffle: true, frames: nil)
            let loader = try BatchLoader(file: file, split: .validation, seed: 0, shuffle: false, frames: nil,
                                         limit: validationCount)
            validation = try Self.batches(from: loader, count: min(validationCount, loader.sequences), size: batchSize)
            description = "file \(path)"
        } else {
            let generator = try Self.generator(data, frameShape: config.model.frameShape, frames: frames)
            train = try GeneratedSource(generator: generator, split: .training, seed: data.seed,
                                        startIndex: startStep * batchSize)
            let validationSource = try GeneratedSource(generator: generator, split: .validation, seed: data.seed)
            validation = try Self.batches(from: validationSource, count: validationCount, size: batchSize)
            description = "\(generator.kind.rawValue), \(generator.options.objects) objects, seed \(data.seed), generated on the fly"
        }
    }

    /// A generator for `data.generator` making frames of `frameShape` (H, W, C).
    static func generator(_ data: DataConfig, frameShape: [Int], frames: Int) throws -> any SequenceGenerator {
        guard let name = data.generator, let kind = DatasetKind(rawValue: name) else {
            throw ConfigError.invalid(key: "data.generator",
                                      reason: "expected one of \(DatasetKind.allCases.map(\.rawValue).joined(separator: ", ")), got \(data.generator ?? "nothing")")
        }
        var options = GeneratorOptions(defaultsFor: kind)
        options.height = data.canvas?[0] ?? frameShape[0]
        options.width = data.canvas?[1] ?? frameShape[1]
        if kind != .staticShapes { options.frames = frames }
        if let objects = data.objects { options.objects = objects }
        let generator = try Self.generator(kind, options: options, data: data)
        return data.canvas == nil ? generator : try CentredGenerator(generator, height: frameShape[0], width: frameShape[1])
    }

    /// The generator of `kind` with `options`.
    private static func generator(_ kind: DatasetKind, options: GeneratorOptions, data: DataConfig) throws -> any SequenceGenerator {
        switch kind {
        case .staticShapes: return try StaticShapes(options: options)
        case .flyingShapes: return try FlyingShapes(options: options)
        case .flyingMNIST:
            guard let directory = data.mnist else {
                throw ConfigError.invalid(key: "data.mnist", reason: "flying MNIST needs the directory of the MNIST IDX files")
            }
            return try FlyingMNIST(options: options, digits: MNISTDigits(directory: directory, splits: [.training, .validation]),
                                   variations: data.variations)
        }
    }

    /// `count` sequences from `source` in batches of at most `size`.
    static func batches(from source: some SequenceSource, count: Int, size: Int) throws -> [Batch] {
        var source = source
        var batches: [Batch] = []
        var remaining = count
        while remaining > 0 {
            let n = min(size, remaining)
            batches.append(try source.nextBatch(size: n))
            remaining -= n
        }
        return batches
    }
}
