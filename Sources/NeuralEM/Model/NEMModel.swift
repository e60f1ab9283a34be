import Autodiff
import Foundation
import Datasets
import Layers

/// A trained (or freshly initialised) N-EM model: its configuration and inner network.
///
/// Saved as one self-describing `.safetensors` file: the parameters as tensors, and in `__metadata__`
/// `nem.format` (this layout's version), `nem.model` (``ModelConfig`` as JSON: K, steps, frame shape,
/// likelihood, network spec) and any further facts (`nem.training`, `nem.scores`, ...), so that
/// `nem track --model m.safetensors` and `nem eval` need nothing else. Python's `safetensors` opens it.
public final class NEMModel {
    public static let formatVersion = "1"

    public let config: ModelConfig
    public let network: any InnerNetwork
    /// Free-form facts stored with the model (training data, command, wall time, scores).
    public var metadata: [String: String]

    /// A new model with freshly initialised weights (Xavier-uniform, zero biases).
    public init(config: ModelConfig, rng: inout SeededRNG, metadata: [String: String] = [:]) throws {
        try config.validate()
        self.config = config
        network = try config.network.build(frameShape: config.frameShape, likelihood: config.likelihood, rng: &rng)
        self.metadata = metadata
    }

    /// The EM cell for this model; `gradientGamma` only matters when training. `initialGamma` replaces
    /// the model's way of drawing γ₀ (e.g. to score a model trained with a random γ₀ from a k-means one).
    /// `warmupSteps`, `restarts`, `restartScope` and `restartVote` replace the model's warm-up on frame 0, its number
    /// of searches for a start there (``NEMCell/restartedStart(firstFrame:components:rng:)``), how far they go
    /// (``Hypotheses``) and how many of them label a frame.
    public func cell(gradientGamma: Bool = false, initialGamma: InitialGamma? = nil, warmupSteps: Int? = nil,
                     restarts: Int? = nil, restartScope: RestartScope? = nil, restartVote: Int? = nil) -> NEMCell {
        var start = config
        if let initialGamma { start.start(by: initialGamma) }
        return NEMCell(network: network, likelihood: config.likelihood, eSigma: config.eSigma, gradientGamma: gradientGamma,
                       predictionInit: config.predictionInit, initialGamma: start.initialGamma ?? .random,
                       initialGammaGrid: start.initialGammaGrid, kMeansShare: start.initialGammaKMeansShare ?? 0, warmupSteps: warmupSteps ?? config.warmupSteps ?? 0,
                       restarts: restarts ?? config.restarts ?? 1,
                       restartScope: restartScope ?? config.restartScope ?? .firstFrame,
                       restartVote: restartVote ?? config.restartVote ?? 1, restartNoise: trainingNoise, frameShape: config.frameShape)
    }

    /// Keeps a binary16 copy beside each weight matrix that is exactly binary16 (a model saved with
    /// `--half`), so the tracker's few-row products read half the bytes (``TensorOf/keepHalfPrecisionCopy()``).
    /// Only for a model that is run, not trained, from now on.
    /// - Returns: how many matrices keep a copy.
    @discardableResult
    public func keepHalfPrecisionWeights() -> Int {
        network.namedParameters.filter { $0.tensor.keepHalfPrecisionCopy() }.count
    }

    /// Parameters by name, as stored in the file.
    public var tensors: [String: Tensor] {
        Dictionary(network.namedParameters.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    }

    /// The `__metadata__` this model is saved with.
    public var fileMetadata: [String: String] { fileMetadata(storing: config) }

    /// The `__metadata__` with `stored` as the file's `nem.model`.
    private func fileMetadata(storing stored: ModelConfig) -> [String: String] {
        var all = metadata
        all["nem.format"] = Self.formatVersion
        all["nem.model"] = stored.json
        return all
    }

    /// Writes the model (temporary name, renamed when complete); `halfPrecision` stores F16 weights
    /// (half the size, for shipping; they load back as Float). `adjusting` changes what the file stores as
    /// the model's inference defaults, which the weights do not depend on: the number of EM steps (what
    /// `nem eval` runs unless told otherwise, e.g. 20 for a model trained on 40-step sequences), the
    /// restarts (``ModelConfig/restarts``), the rule for γ₀. The result is validated before anything is written.
    public func save(to url: URL, overwrite: Bool = true, extraTensors: [String: Tensor] = [:],
                     extraMetadata: [String: String] = [:], halfPrecision: Bool = false,
                     adjusting adjust: (inout ModelConfig) -> Void = { _ in }) throws {
        var stored = config
        adjust(&stored)
        try stored.validate()
        let tensors = self.tensors.merging(extraTensors) { a, _ in a }
        try SafeTensors(tensors: tensors, metadata: fileMetadata(storing: stored).merging(extraMetadata) { _, b in b })
            .write(to: url, overwrite: overwrite, halfPrecision: halfPrecision)
    }

    /// Loads a model file written by ``save(to:overwrite:extraTensors:extraMetadata:halfPrecision:adjusting:)``; errors name the
    /// file and, for a mismatch, the first tensor that does not fit.
    public static func load(from url: URL) throws -> (model: NEMModel, file: SafeTensors) {
        let file = try SafeTensors(contentsOf: url)
        guard let json = file.metadata["nem.model"] else {
            throw CheckpointError.mismatch(path: url.path, reason: "no 'nem.model' entry in __metadata__: not a NeuralEM model")
        }
        let config: ModelConfig
        do {
            config = try JSONDecoder().decode(ModelConfig.self, from: Data(json.utf8))
        } catch {
            throw CheckpointError.mismatch(path: url.path, reason: "unreadable 'nem.model' metadata: \(error)")
        }
        var rng = SeededRNG(seed: 0)
        let model: NEMModel
        do {
            model = try NEMModel(config: config, rng: &rng, metadata: file.metadata.filter { !["nem.model", "nem.format"].contains($0.key) })
        } catch {
            throw CheckpointError.mismatch(path: url.path, reason: "\(error)")
        }
        try model.network.loadParameters(from: file.tensors, source: url.path)
        return (model, file)
    }
}

extension ModelConfig {
    /// Whether the model reads grey frames: a Gaussian model, or one that binarizes them at its own level.
    /// (A Bernoulli model reads 0/1 frames either way.)
    public var readsGreyFrames: Bool { likelihood == .gaussian || binarize != nil }

    /// `values` as the model reads them: 1 where ≥ `level`, else 0 (``binarize``); unchanged when `level` is nil.
    static func binarized(_ values: [Float], at level: Float?) -> [Float] {
        guard let level else { return values }
        return values.map { $0 >= level ? 1 : 0 }
    }

    /// Starts from γ₀ drawn by `rule` alone: a k-means start has no random grid, so choosing it drops the
    /// grid, and either rule drops a blend of the two.
    public mutating func start(by rule: InitialGamma) {
        initialGamma = rule
        initialGammaKMeansShare = nil
        if rule == .kmeans { initialGammaGrid = nil }
    }

    /// The configuration as compact JSON (stored in model files).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// Checks what the network builder cannot: K, steps and the frame shape.
    public func validate() throws {
        guard components >= 1 else { throw ConfigError.invalid(key: "model.components", reason: "K must be at least 1, got \(components)") }
        guard steps >= 1 else { throw ConfigError.invalid(key: "model.steps", reason: "at least one EM step is needed, got \(steps)") }
        guard frameShape.count == 3, frameShape.allSatisfy({ $0 > 0 }) else {
            throw ConfigError.invalid(key: "model.frame_shape", reason: "expected [H, W, C] with positive sizes, got \(frameShape)")
        }
        guard eSigma > 0 else { throw ConfigError.invalid(key: "model.e_sigma", reason: "must be positive, got \(eSigma)") }
        if let grid = initialGammaGrid, !(1...min(frameShape[0], frameShape[1])).contains(grid) {
            throw ConfigError.invalid(key: "model.initial_gamma_grid",
                                      reason: "must be between 1 and the frame's smaller side (\(min(frameShape[0], frameShape[1]))), got \(grid)")
        }
        if let warmup = warmupSteps, warmup < 0 {
            throw ConfigError.invalid(key: "model.warmup_steps", reason: "must not be negative, got \(warmup)")
        }
        if let restarts, restarts < 1 {
            throw ConfigError.invalid(key: "model.restarts", reason: "must be at least 1, got \(restarts)")
        }
        if let vote = restartVote, !(1...(restarts ?? 1)).contains(vote) {
            throw ConfigError.invalid(key: "model.restart_vote", reason: "must be between 1 and model.restarts (\(restarts ?? 1)), got \(vote)")
        }
        if let vote = restartVote, vote > 1, restartScope != .sequence {
            throw ConfigError.invalid(key: "model.restart_vote", reason: "a vote needs the runs carried through the sequence (model.restart_scope: sequence)")
        }
        if let binarize, !(binarize > 0 && binarize <= 1) {
            throw ConfigError.invalid(key: "model.binarize", reason: "must be in (0, 1], got \(binarize)")
        }
        if let share = initialGammaKMeansShare {
            guard (0...1).contains(share) else {
                throw ConfigError.invalid(key: "model.initial_gamma_kmeans_share", reason: "must be in [0, 1], got \(share)")
            }
            guard initialGamma != .kmeans else {
                throw ConfigError.invalid(key: "model.initial_gamma_kmeans_share", reason: "blends a random γ₀ with the k-means one; it does not apply to initial_gamma: kmeans")
            }
        }
        if initialGamma == .kmeans, initialGammaGrid != nil {
            throw ConfigError.invalid(key: "model.initial_gamma_grid", reason: "applies to a random γ₀ only, not to initial_gamma: kmeans")
        }
    }
}

extension NEMModel {
    /// The configuration the model was trained with, when its file records one (`nem.training`).
    public var trainingConfig: TrainingConfig? {
        metadata["nem.training"].flatMap { try? JSONDecoder().decode(TrainingConfig.self, from: Data($0.utf8)) }
    }

    /// The loss the model was trained with, or the reference's for its kind of data.
    public var lossConfig: LossConfig {
        trainingConfig?.loss ?? LossConfig(interWeight: config.likelihood == .gaussian ? 0.2 : 1,
                                           gradientGamma: false, stepWeights: .all)
    }

    /// The noise the model was trained with (bitflip or masked uniform 0.2 when its file does not say).
    public var trainingNoise: NoiseModel { trainingConfig?.noise.model ?? noise(probability: 0.2) }

    /// The reference's input noise for this model's data with probability `probability`.
    public func noise(probability: Float) -> NoiseModel {
        probability == 0 ? .none
            : config.likelihood == .bernoulli ? .bitflip(probability: probability) : .maskedUniform(probability: probability)
    }
}
