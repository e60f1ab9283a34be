import Autodiff
import Datasets
import Layers

/// Everything `nem train` needs, as written in a training YAML file (snake_case keys) and stored in
/// every checkpoint. Presets for the reference experiments are in ``TrainingPreset``.
public struct TrainingConfig: Codable, Sendable, Equatable {
    public var model: ModelConfig
    public var loss: LossConfig
    public var noise: NoiseConfig
    public var optimizer: OptimizerConfig
    public var training: ScheduleConfig
    public var data: DataConfig

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, loss, noise, optimizer, training, data
    }

    public init(model: ModelConfig, loss: LossConfig, noise: NoiseConfig, optimizer: OptimizerConfig = .init(),
                training: ScheduleConfig = .init(), data: DataConfig) {
        self.model = model
        self.loss = loss
        self.noise = noise
        self.optimizer = optimizer
        self.training = training
        self.data = data
    }
}

/// The model: the EM settings and the inner network in the reference's vocabulary.
public struct ModelConfig: Codable, Sendable, Equatable {
    /// K, the number of components.
    public var components: Int
    /// T, the number of EM steps (a sequence supplies T + 1 frames: step t reads frame t, predicts t + 1).
    public var steps: Int
    public var likelihood: Likelihood
    /// σ of the Gaussian E-step.
    public var eSigma: Float = 0.25
    /// ψ₀.
    public var predictionInit: Float = 0
    /// How γ₀ is drawn; nil means random (the reference). Optional, as the next, so that configurations
    /// stored before it existed still load. See ``NEMCell/initialState(firstInput:components:rng:)``.
    public var initialGamma: InitialGamma?
    /// A random γ₀ drawn on a coarse G×G grid and upsampled (spatially smooth), or nil: per pixel.
    public var initialGammaGrid: Int?
    /// A random γ₀ blended with the k-means one, γ₀ = (1 − s)·random + s·k-means: the random draw stays, and the
    /// k-means part tips each object towards a different component; nil or 0: the random γ₀ alone.
    public var initialGammaKMeansShare: Float?
    /// EM steps on the first frame alone before a sequence's steps (nil: none, the reference); the tracker
    /// runs the same on a stream's first frame. See ``NEMCell/unroll(inputs:targets:components:stepWeights:loss:rng:initialState:warmupSteps:)``.
    public var warmupSteps: Int?
    /// Searches for a start on the first frame when evaluating and tracking (nil: 1, the reference); training
    /// rollouts draw one γ₀ as always. See ``NEMCell/restartedStart(firstFrame:components:rng:)``.
    public var restarts: Int?
    /// Whether the restarts end on the first frame (nil: `first_frame`) or go on through the sequence, each
    /// frame labelled by the run that explains it best (`sequence`; ``Hypotheses``).
    public var restartScope: RestartScope?
    /// With `restart_scope: sequence`, how many runs label a frame: the leader and the next best, matched to the
    /// leader's components and averaged (nil: 1, the leader alone). See ``votedGamma(_:scores:leaders:runs:voters:)``.
    public var restartVote: Int?
    /// Grey frames become binary before anything else reads them (x ≥ `binarize` → 1, else 0), in training,
    /// validation, evaluation and tracking: a Bernoulli model of grey data such as flying MNIST (nil: frames
    /// as they come, the reference).
    public var binarize: Float?
    /// (H, W, C) of a frame.
    public var frameShape: [Int]
    public var network: NetworkSpec

    public init(components: Int, steps: Int, likelihood: Likelihood, eSigma: Float = 0.25, predictionInit: Float = 0,
                initialGamma: InitialGamma? = nil, initialGammaGrid: Int? = nil, initialGammaKMeansShare: Float? = nil,
                warmupSteps: Int? = nil, restarts: Int? = nil, restartScope: RestartScope? = nil, restartVote: Int? = nil,
                binarize: Float? = nil, frameShape: [Int], network: NetworkSpec) {
        self.components = components
        self.steps = steps
        self.likelihood = likelihood
        self.eSigma = eSigma
        self.predictionInit = predictionInit
        self.initialGamma = initialGamma
        self.initialGammaGrid = initialGammaGrid
        self.initialGammaKMeansShare = initialGammaKMeansShare
        self.warmupSteps = warmupSteps
        self.restarts = restarts
        self.restartScope = restartScope
        self.restartVote = restartVote
        self.binarize = binarize
        self.frameShape = frameShape
        self.network = network
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case components, steps, likelihood, eSigma = "e_sigma", predictionInit = "prediction_init"
        case initialGamma = "initial_gamma", initialGammaGrid = "initial_gamma_grid"
        case initialGammaKMeansShare = "initial_gamma_kmeans_share", warmupSteps = "warmup_steps", restarts
        case restartScope = "restart_scope", restartVote = "restart_vote", binarize
        case frameShape = "frame_shape", network
    }
}

/// The loss (the reference's `nem.loss_*`, `pixel_prior`, `gradient_gamma`).
public struct LossConfig: Codable, Sendable, Equatable {
    public var interWeight: Float = 1
    public var pixelPrior: Float = 0
    /// Gradients through γ: true for static data, false for sequences.
    public var gradientGamma: Bool
    /// `last` for static data, `all` for sequences, or a list of T weights.
    public var stepWeights: StepWeights

    public init(interWeight: Float = 1, pixelPrior: Float = 0, gradientGamma: Bool, stepWeights: StepWeights) {
        self.interWeight = interWeight
        self.pixelPrior = pixelPrior
        self.gradientGamma = gradientGamma
        self.stepWeights = stepWeights
    }

    public var settings: LossSettings {
        LossSettings(interWeight: interWeight, pixelPrior: pixelPrior, gradientGamma: gradientGamma)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case interWeight = "inter_weight", pixelPrior = "pixel_prior", gradientGamma = "gradient_gamma"
        case stepWeights = "step_weights"
    }
}

/// Input noise, applied to the network's input only (targets stay clean), fresh every step, also when
/// evaluating.
public struct NoiseConfig: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case none, bitflip, maskedUniform = "masked_uniform" }
    public var type: Kind
    public var probability: Float
    /// When set, each training step draws its batch's probability uniformly from [min_probability,
    /// probability], so that the model also sees cleaner frames than the reference's fixed level (what a
    /// tracker gets); validation, evaluation and restarts use `probability`. nil: always `probability`.
    public var minProbability: Float?

    public init(type: Kind, probability: Float, minProbability: Float? = nil) {
        self.type = type
        self.probability = probability
        self.minProbability = minProbability
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, probability, minProbability = "min_probability"
    }

    public var model: NoiseModel {
        switch type {
        case .none: return .none
        case .bitflip: return .bitflip(probability: probability)
        case .maskedUniform: return .maskedUniform(probability: probability)
        }
    }

    /// The noise of one training step: `model`, or with `min_probability` the same kind at a probability drawn
    /// from `rng` uniformly in [min_probability, probability].
    public func trainingModel(rng: inout SeededRNG) -> NoiseModel {
        guard let low = minProbability else { return model }
        var drawn = self
        drawn.probability = low + (probability - low) * rng.nextFloat()
        return drawn.model
    }
}

/// Adam with TensorFlow's defaults.
public struct OptimizerConfig: Codable, Sendable, Equatable {
    public var learningRate: Float = 1e-3
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    /// Decoupled weight decay (AdamW) on the weight matrices and kernels; nil (the reference) = none.
    /// Optional so that configurations stored before it existed still load.
    public var weightDecay: Float?
    /// Factors on the learning rate by parameter-name prefix (the longest matching prefix wins, 1 where
    /// none matches), e.g. ["interaction.": 10] to train a new R-NEM interaction faster than the
    /// warm-started network around it; nil: one learning rate for all.
    public var learningRateScales: [String: Float]?

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float? = nil, learningRateScales: [String: Float]? = nil) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.learningRateScales = learningRateScales
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case learningRate = "learning_rate", beta1, beta2, epsilon, weightDecay = "weight_decay"
        case learningRateScales = "learning_rate_scales"
    }

    /// The factor of each named parameter (see ``learningRateScales``). Throws when a prefix matches none.
    public func scales(for names: [String]) throws -> [Float] {
        let prefixes = (learningRateScales ?? [:]).sorted { $0.key.count > $1.key.count }
        for (prefix, _) in prefixes where !names.contains(where: { $0.hasPrefix(prefix) }) {
            throw ConfigError.invalid(key: "optimizer.learning_rate_scales", reason: "'\(prefix)' is the start of no parameter's name")
        }
        return names.map { name in prefixes.first { name.hasPrefix($0.key) }?.value ?? 1 }
    }
}

/// How long and how often: batches, validation, early stopping and checkpoints.
public struct ScheduleConfig: Codable, Sendable, Equatable {
    public var batchSize: Int = 64
    /// Stop after this many optimiser steps (the reference's 500 epochs is far beyond a CPU's budget).
    public var maxSteps: Int = 100_000
    /// Stop after this much wall time (minutes), 0 = no limit.
    public var maxMinutes: Double = 0
    /// Validate every this many steps.
    public var validateEvery: Int = 500
    /// Validate on the first this many validation sequences (the reference: 1000).
    public var validationSequences: Int = 1000
    /// Validate with this many components instead of the model's K (nil: K): train with more components
    /// than the data has objects, as the reference README does, and pick the model by the K it is scored at.
    public var validationComponents: Int?
    /// Validate with this many EM steps instead of the model's (nil: all of them; at most the model's):
    /// train on long sequences, pick the model by the horizon it is scored on.
    public var validationSteps: Int?
    /// Early stopping: stop after this many validations without a better `select_by` score.
    public var patience: Int = 10
    /// What "better" means for `best.safetensors` and early stopping: the validation loss (nil or `loss`,
    /// the reference) or the validation AMI (`ami_last`, `ami_mean`), for runs whose grouping decays while
    /// the loss still falls (docs/experiments.md).
    public var selectBy: Selection?
    /// Write a checkpoint at least this often (minutes).
    public var checkpointMinutes: Double = 5
    public var seed: UInt64 = 1

    public init(batchSize: Int = 64, maxSteps: Int = 100_000, maxMinutes: Double = 0, validateEvery: Int = 500,
                validationSequences: Int = 1000, patience: Int = 10, checkpointMinutes: Double = 5, seed: UInt64 = 1) {
        self.batchSize = batchSize
        self.maxSteps = maxSteps
        self.maxMinutes = maxMinutes
        self.validateEvery = validateEvery
        self.validationSequences = validationSequences
        self.patience = patience
        self.checkpointMinutes = checkpointMinutes
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case batchSize = "batch_size", maxSteps = "max_steps", maxMinutes = "max_minutes"
        case validateEvery = "validate_every", validationSequences = "validation_sequences", patience
        case checkpointMinutes = "checkpoint_minutes", seed, selectBy = "select_by"
        case validationComponents = "validation_components", validationSteps = "validation_steps"
    }

    /// The validation score that picks the best model.
    public enum Selection: String, Codable, Sendable, CaseIterable {
        case loss, amiLast = "ami_last", amiMean = "ami_mean"

        /// Lower is better.
        public func score(_ result: EvaluationResult) -> Double {
            switch self {
            case .loss: return result.loss
            case .amiLast: return -result.amiLast
            case .amiMean: return -result.amiMean
            }
        }
    }
}

/// Where batches come from: a generator streaming fresh sequences, or an HDF5 file in the original layout.
public struct DataConfig: Codable, Sendable, Equatable {
    /// `static-shapes`, `flying-shapes`, `flying-mnist` (generated), or nil when `file` is given.
    public var generator: String?
    /// An HDF5 file in the original layout (training and validation splits).
    public var file: String?
    /// Objects per sequence (generator).
    public var objects: Int?
    /// Directory of MNIST IDX files (flying MNIST).
    public var mnist: String?
    /// Flying MNIST: draw digits from only the first N images of each split (the reference's curriculum:
    /// 20, then 500, then all, each stage warm-started from the last with `--init-from`).
    public var variations: Int?
    /// The generator's canvas [H, W], centred on the model's larger frame with a border of background
    /// (nil: the model's frame): e.g. the 24×24 flying-MNIST canvas for a model of 28×28 frames.
    public var canvas: [Int]?
    /// Seed of the generated training and validation data.
    public var seed: UInt64 = 1

    enum CodingKeys: String, CodingKey, CaseIterable {
        case generator, file, objects, mnist, variations, canvas, seed
    }

    public init(generator: String? = nil, file: String? = nil, objects: Int? = nil, mnist: String? = nil,
                variations: Int? = nil, canvas: [Int]? = nil, seed: UInt64 = 1) {
        self.generator = generator
        self.file = file
        self.objects = objects
        self.mnist = mnist
        self.variations = variations
        self.canvas = canvas
        self.seed = seed
    }
}

extension TrainingConfig {
    /// Checks every value that cannot work, naming its key, before any work starts.
    public func validate() throws {
        try model.validate()
        func check(_ ok: Bool, _ key: String, _ reason: @autoclosure () -> String) throws {
            if !ok { throw ConfigError.invalid(key: key, reason: reason()) }
        }
        try check(training.batchSize >= 1, "training.batch_size", "must be at least 1, got \(training.batchSize)")
        try check(training.maxSteps >= 1, "training.max_steps", "must be at least 1, got \(training.maxSteps)")
        try check(training.validateEvery >= 1, "training.validate_every", "must be at least 1, got \(training.validateEvery)")
        try check(training.validationSequences >= 1, "training.validation_sequences", "must be at least 1, got \(training.validationSequences)")
        if let k = training.validationComponents {
            try check(k >= 1, "training.validation_components", "K must be at least 1, got \(k)")
        }
        if let steps = training.validationSteps {
            try check((1...model.steps).contains(steps), "training.validation_steps",
                      "must be between 1 and model.steps (\(model.steps)), got \(steps)")
            if case .explicit = loss.stepWeights {
                try check(steps == model.steps, "training.validation_steps",
                          "loss.step_weights lists one weight per model step; validate on all \(model.steps)")
            }
        }
        try check(training.patience >= 1, "training.patience", "must be at least 1, got \(training.patience)")
        try check(training.checkpointMinutes > 0, "training.checkpoint_minutes", "must be positive, got \(training.checkpointMinutes)")
        try check(optimizer.learningRate > 0, "optimizer.learning_rate", "must be positive, got \(optimizer.learningRate)")
        for (prefix, scale) in optimizer.learningRateScales ?? [:] {
            try check(scale > 0, "optimizer.learning_rate_scales", "'\(prefix)': must be positive, got \(scale)")
        }
        if let decay = optimizer.weightDecay {
            try check(decay >= 0 && decay < 1, "optimizer.weight_decay", "must be in [0, 1), got \(decay)")
        }
        try check((0...1).contains(noise.probability), "noise.probability", "must be in [0, 1], got \(noise.probability)")
        if let low = noise.minProbability {
            try check((0...noise.probability).contains(low), "noise.min_probability",
                      "must be in [0, noise.probability = \(noise.probability)], got \(low)")
        }
        try check(loss.interWeight >= 0, "loss.inter_weight", "must not be negative, got \(loss.interWeight)")
        if case .explicit(let w) = loss.stepWeights {
            try check(w.count == model.steps, "loss.step_weights", "\(w.count) weights for \(model.steps) steps")
        }
        try check((data.file == nil) != (data.generator == nil), "data", "give exactly one of 'file' and 'generator'")
        if let objects = data.objects { try check(objects >= 1, "data.objects", "must be at least 1, got \(objects)") }
        if let canvas = data.canvas {
            try check(data.generator != nil, "data.canvas", "applies to a generator, not to a file")
            try check(canvas.count == 2 && canvas[0] >= 1 && canvas[1] >= 1 && canvas[0] <= model.frameShape[0]
                      && canvas[1] <= model.frameShape[1], "data.canvas",
                      "expected [H, W] no larger than the model's \(model.frameShape[0])×\(model.frameShape[1]) frame, got \(canvas)")
        }
        if let variations = data.variations {
            try check(data.generator == DatasetKind.flyingMNIST.rawValue, "data.variations", "only flying-mnist draws from a set of digits")
            try check(variations >= 1, "data.variations", "must be at least 1, got \(variations)")
        }
    }
}
