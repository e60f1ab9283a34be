import Autodiff
import Datasets
import Foundation

/// Scores of a model on a set of sequences, as the reference's `compute_AMI_scores` (AMI per image of
/// the pixels whose true group is not 0, averaged over images, per EM step; the random initial γ is not
/// scored), plus the loss and the next-step-prediction cross-entropy.
public struct EvaluationResult: Sendable {
    /// Mean AMI (max normalisation, as the paper's scikit-learn 0.18) per step 1…T.
    public var amiPerStep: [Double]
    /// Mean AMI (arithmetic normalisation, today's scikit-learn default) per step 1…T.
    public var amiArithmeticPerStep: [Double]
    /// Mean AMI (max normalisation) of γ₀ against the groups of frame 0: what the start alone gets right
    /// (about 0 for a random γ₀).
    public var amiInitial: Double
    /// Mean adjusted Rand index per step.
    public var ariPerStep: [Double]
    /// Mean max_k γ over scored pixels, per step.
    public var confidencePerStep: [Double]
    /// The training loss (step-weighted sum of per-step losses), averaged over batches.
    public var loss: Double
    /// Next-step prediction: binary cross-entropy (nats per frame, summed over pixels) between x_{t+1} and
    /// the mixture Σ_k γ_{t−1,k} ψ_{t,k}, whose γ comes from the step before (so it never sees x_{t+1}),
    /// averaged over images and steps.
    public var bce: Double
    /// Sequences scored.
    public var sequences: Int
    /// Per sequence, in order: its AMI (max normalisation) at each step.
    public var perSequence: [SequenceAMI] = []

    public var amiMean: Double { average(amiPerStep) }
    public var amiLast: Double { amiPerStep.last ?? .nan }
    public var amiMeanArithmetic: Double { average(amiArithmeticPerStep) }
    public var amiLastArithmetic: Double { amiArithmeticPerStep.last ?? .nan }
    public var ariMean: Double { average(ariPerStep) }
    public var ariLast: Double { ariPerStep.last ?? .nan }
    public var confidenceMean: Double { average(confidencePerStep) }
    public var confidenceLast: Double { confidencePerStep.last ?? .nan }

    /// The flat JSON object of `nem eval --json`.
    public var json: [String: Any] {
        ["ami_mean": amiMean, "ami_last": amiLast, "ami_mean_arithmetic": amiMeanArithmetic,
         "ami_last_arithmetic": amiLastArithmetic, "ari_mean": ariMean, "ari_last": ariLast,
         "ami_per_step": amiPerStep, "ami_initial": amiInitial, "ami_arithmetic_per_step": amiArithmeticPerStep,
         "confidence_mean": confidenceMean, "confidence_last": confidenceLast,
         "bce": bce, "loss": loss, "sequences": sequences]
    }
}

/// One sequence's AMI (max normalisation) at each step 1…T.
public struct SequenceAMI: Sendable {
    public var amiPerStep: [Double]
    public var mean: Double { average(amiPerStep) }
    public var last: Double { amiPerStep.last ?? .nan }
}

private func average(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count) }

/// Accumulates per-batch scores into an ``EvaluationResult`` weighted by batch size.
struct EvaluationAccumulator {
    private var sums: (ami: [Double], amiArithmetic: [Double], ari: [Double], confidence: [Double]) = ([], [], [], [])
    private var lossSum = 0.0, bceSum = 0.0, initialSum = 0.0, images = 0
    private var perSequence: [SequenceAMI] = []

    mutating func add(rollout: Rollout, batch: FrameBatch, initialGamma: Tensor, components: Int) {
        let steps = rollout.gammas.count
        let b = batch.batch
        let pixels = rollout.gammas[0].count / (b * components)
        let frameValues = batch.targets[0].count
        let initialScores = scoreGamma(gamma: initialGamma.scalars, groups: Array(batch.groups[0..<frameValues]), batch: b,
                                       components: components, pixels: pixels)
        initialSum += initialScores.amiMax.reduce(0, +)
        if sums.ami.isEmpty {
            sums = ([Double](repeating: 0, count: steps), [Double](repeating: 0, count: steps),
                    [Double](repeating: 0, count: steps), [Double](repeating: 0, count: steps))
        }
        var sequenceSteps = [[Double]](repeating: [], count: b)
        for t in 0..<steps {
            let groups = Array(batch.groups[(t + 1) * frameValues..<(t + 2) * frameValues])
            let scores = scoreGamma(gamma: rollout.gammas[t].scalars, groups: groups, batch: b,
                                    components: components, pixels: pixels)
            sums.ami[t] += scores.amiMax.reduce(0, +)
            sums.amiArithmetic[t] += scores.amiArithmetic.reduce(0, +)
            sums.ari[t] += scores.ari.reduce(0, +)
            sums.confidence[t] += scores.confidence.reduce(0, +)
            for i in 0..<b { sequenceSteps[i].append(scores.amiMax[i]) }
            let previousGamma = rollout.mixingGammas?[t] ?? (t == 0 ? rollout.startGamma : rollout.gammas[t - 1])
            bceSum += nextStepCrossEntropy(gamma: previousGamma, predictions: rollout.predictions[t],
                                           target: batch.targets[t + 1])
        }
        perSequence += sequenceSteps.map { SequenceAMI(amiPerStep: $0) }
        lossSum += Double(rollout.loss.scalar) * Double(b)
        images += b
    }

    var result: EvaluationResult {
        let n = Double(max(images, 1))
        let steps = Double(max(sums.ami.count, 1))
        return EvaluationResult(amiPerStep: sums.ami.map { $0 / n }, amiArithmeticPerStep: sums.amiArithmetic.map { $0 / n },
                                amiInitial: initialSum / n, ariPerStep: sums.ari.map { $0 / n }, confidencePerStep: sums.confidence.map { $0 / n },
                                loss: lossSum / n, bce: bceSum / (n * steps), sequences: images, perSequence: perSequence)
    }
}

/// Σ over images of the cross-entropy (summed over pixels) of x under the mixture Σ_k γ_k ψ_k, clipped
/// to [1e-6, 1 − 1e-6]. γ (B, K, H, W, 1), ψ (B, K, H, W, C), x (B, 1, H, W, C).
func nextStepCrossEntropy(gamma: Tensor, predictions: Tensor, target: Tensor) -> Double {
    let mixture = sum(predictions * gamma, axes: [1], keepDims: true)
    let p = clip(mixture, min: 1e-6, max: 1 - 1e-6)
    return Double(sum(-(target * log(p) + (1 - target) * log(1 - p))).scalar)
}

extension NEMModel {
    /// Evaluates the model on `batches` (no gradients), with `components` (may differ from training),
    /// `steps` EM steps, the input `noise` (fresh per step, from `seed`) and γ₀ drawn the model's way or
    /// as `initialGamma` says, then `warmupSteps` EM steps on frame 0 alone (input x̃₀, target x₀; default the
    /// model's, 0 in the paper's protocol) before the T scored steps, as the tracker does on a first frame;
    /// with `restarts` R > 1 (default the model's) the start is the best of R searches on frame 0 instead, see
    /// ``NEMCell/restartedStart(firstFrame:components:rng:)``; with `restartScope` `sequence` (default the model's)
    /// the R searches go on through the sequence as ``Hypotheses``: the first reads the inputs with `noise`, the
    /// others their own copies of each frame with the model's training noise, and `restartVote` (default the
    /// model's) of them label each frame.
    public func evaluate(batches: [Batch], components: Int? = nil, steps: Int? = nil, initialGamma: InitialGamma? = nil,
                         warmupSteps: Int? = nil, restarts: Int? = nil, restartScope: RestartScope? = nil, restartVote: Int? = nil,
                         noise: NoiseModel, loss: LossConfig, seed: UInt64) throws -> EvaluationResult {
        var iterator = batches.makeIterator()
        return try evaluate(components: components, steps: steps, initialGamma: initialGamma, warmupSteps: warmupSteps, restarts: restarts,
                            restartScope: restartScope, restartVote: restartVote, noise: noise, loss: loss, seed: seed) { iterator.next() }
    }

    /// Evaluates the first `sequences` sequences of `source`, reading one batch of `batchSize` at a time.
    public func evaluate(source: some SequenceSource, sequences: Int, batchSize: Int, components: Int? = nil,
                         steps: Int? = nil, initialGamma: InitialGamma? = nil, warmupSteps: Int? = nil, restarts: Int? = nil,
                         restartScope: RestartScope? = nil, restartVote: Int? = nil, noise: NoiseModel,
                         loss: LossConfig, seed: UInt64, progress: (Int) -> Void = { _ in }) throws -> EvaluationResult {
        var source = source
        var done = 0
        return try evaluate(components: components, steps: steps, initialGamma: initialGamma, warmupSteps: warmupSteps, restarts: restarts,
                            restartScope: restartScope, restartVote: restartVote, noise: noise, loss: loss, seed: seed) {
            guard done < sequences else { return nil }
            let batch = try source.nextBatch(size: min(batchSize, sequences - done))
            done += batch.b
            progress(done)
            return batch
        }
    }

    private func evaluate(components: Int?, steps: Int?, initialGamma: InitialGamma?, warmupSteps: Int?, restarts: Int?,
                          restartScope: RestartScope?, restartVote: Int?, noise: NoiseModel, loss: LossConfig, seed: UInt64,
                          next: () throws -> Batch?) throws -> EvaluationResult {
        let k = components ?? config.components
        let steps = steps ?? config.steps
        guard k >= 1 else { throw ConfigError.invalid(key: "components", reason: "K must be at least 1, got \(k)") }
        guard steps >= 1 else { throw ConfigError.invalid(key: "steps", reason: "at least one EM step is needed, got \(steps)") }
        let weights = loss.stepWeights.weights(steps: steps)
        if let warmupSteps, warmupSteps < 0 {
            throw ConfigError.invalid(key: "warmup_steps", reason: "must not be negative, got \(warmupSteps)")
        }
        guard weights.count == steps else {
            throw ConfigError.invalid(key: "loss.step_weights", reason: "\(weights.count) weights for \(steps) steps")
        }
        if let restarts, restarts < 1 {
            throw ConfigError.invalid(key: "restarts", reason: "must be at least 1, got \(restarts)")
        }
        if let restartVote, restartVote < 1 {
            throw ConfigError.invalid(key: "restart_vote", reason: "must be at least 1, got \(restartVote)")
        }
        let cell = self.cell(initialGamma: initialGamma, warmupSteps: warmupSteps, restarts: restarts, restartScope: restartScope,
                             restartVote: restartVote)
        var accumulator = EvaluationAccumulator()
        var noiseSource = NoiseSource(model: noise, seed: seed)
        var rng = SeededRNG.derived(seed: seed, stream: 0x6A33A)
        try withoutGradients {
            while let data = try next() {
                let batch = try FrameBatch(data, frames: steps + 1, frameShape: config.frameShape, binarize: config.binarize,
                                           noise: &noiseSource)
                let rollout: Rollout, initialGamma: Tensor
                if cell.restarts > 1, cell.restartScope == .sequence {
                    (rollout, initialGamma) = cell.unrollHypotheses(inputs: batch.inputs, targets: batch.targets, components: k, stepWeights: weights,
                                                                    loss: loss.settings, rng: &rng)
                } else if cell.restarts > 1 {
                    let start = cell.restartedStart(firstFrame: batch.targets[0], components: k, rng: &rng)
                    rollout = cell.unroll(inputs: batch.inputs, targets: batch.targets, components: k, stepWeights: weights,
                                          loss: loss.settings, rng: &rng, initialState: start.state, warmupSteps: 0)
                    initialGamma = start.initialGamma
                } else {
                    let initial = cell.initialState(firstInput: batch.inputs[0], components: k, rng: &rng)
                    rollout = cell.unroll(inputs: batch.inputs, targets: batch.targets, components: k, stepWeights: weights,
                                          loss: loss.settings, rng: &rng, initialState: initial)
                    initialGamma = initial.gamma
                }
                accumulator.add(rollout: rollout, batch: batch, initialGamma: initialGamma, components: k)
            }
        }
        return accumulator.result
    }
}
