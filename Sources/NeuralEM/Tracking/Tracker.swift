import Autodiff
import Foundation

/// What the tracker says about one frame.
public struct TrackedFrame: Sendable {
    /// Frame number since the tracker started (0-based).
    public let index: Int
    /// Per pixel: 0 for background (not foreground in the binarized frame), else 1 + argmax_k γ. (H·W)
    public let labels: [UInt8]
    /// Per pixel: γ of its label (0 for background). (H·W)
    public let confidence: [Float]
    /// γ of every component, (K, H·W).
    public let gamma: [Float]
    /// ψ, each component's prediction of the NEXT frame, (K, H·W·C).
    public let predictions: [Float]
    /// Whether the state was reset before this frame (first frame, scene cut, or on request).
    public let wasReset: Bool
}

/// Runs a trained RNN-EM model on a stream of frames of any length, one EM step per frame (by default),
/// carrying θ (the K hidden states), ψ and γ from frame to frame, as the model was trained on sequences:
///
///     frame x_t arrives:   γ_t = E-step(ψ_{t−1}, x_t)          (random for the first frame)
///                          ψ_t, θ_t = f(γ_t ⊙ (x_t − ψ_{t−1}), θ_{t−1})
///     labels of frame t:   argmax_k γ_t on foreground pixels, 0 elsewhere
///
/// so the γ of frame t equals the γ that batch evaluation of the same model computes at step t − 1 against
/// target frame t (for the same noise-free input and initial γ). θ, ψ and γ are bounded (sigmoids and a
/// normalised ratio), so the state stays finite however long the stream. Not thread-safe: one stream per
/// tracker, used from one queue.
public final class Tracker: @unchecked Sendable {
    public let model: NEMModel
    /// K, which may differ from training.
    public let components: Int
    /// EM steps run on each frame (1 by default: one step per frame, as in training).
    public let stepsPerFrame: Int
    /// Extra EM steps run on the first frame after a reset (input and target both that frame) before
    /// tracking goes on: without them the first frames are labelled from an inference that has only just
    /// started (0 by default, as in training and batch evaluation).
    public let warmupSteps: Int
    /// Searches for a start on a first frame, of which the one whose warm-up explains the frame best is kept
    /// (``NEMCell/restartedStart(firstFrame:components:rng:)``).
    public let restarts: Int
    /// Whether the restarts end on a first frame or go on through the stream (``Hypotheses``): then every run
    /// reads its own noisy copy of each frame, each frame is labelled by the run whose grouping explains it
    /// best, and when another run takes the lead its components are reordered to overlap the last run's, so
    /// that each object keeps its colour.
    public let restartScope: RestartScope
    /// How many of the carried runs label a frame (``NEMCell/restartVote``).
    public var restartVote: Int { cell.restartVote }
    /// Reset the state when more than this fraction of pixels changes between consecutive frames (nil: never).
    public let sceneCutThreshold: Double?
    private let cell: NEMCell
    private let seed: UInt64
    private var rng: SeededRNG
    private var state: EMState?
    /// The runs when the restarts go through the stream, the one that labels the frames, and per run the
    /// order in which its components are shown.
    private var runs: Hypotheses?
    private var leader = 0
    private var orders: [[Int]] = []
    private var framesSinceStart = 0
    private var previousFrame: [Float]?
    private var frameIndex = 0
    private var resetRequested = false

    /// - Parameters:
    ///   - restarts: searches for a start on a first frame; nil: the model's (1 unless it says otherwise)
    ///   - restartScope: nil: the model's (first frame unless it says otherwise)
    ///   - restartVote: runs that label a frame when they go on through the sequence; nil: the model's (1 unless it says otherwise)
    public init(model: NEMModel, components: Int? = nil, stepsPerFrame: Int = 1, warmupSteps: Int = 0, restarts: Int? = nil,
                restartScope: RestartScope? = nil, restartVote: Int? = nil, sceneCutThreshold: Double? = nil, seed: UInt64 = 1) throws {
        let k = components ?? model.config.components
        guard k >= 1 else { throw ConfigError.invalid(key: "tracker.components", reason: "K must be at least 1, got \(k)") }
        guard k <= 255 else { throw ConfigError.invalid(key: "tracker.components", reason: "at most 255 components fit 8-bit labels, got \(k)") }
        guard stepsPerFrame >= 1 else {
            throw ConfigError.invalid(key: "tracker.steps_per_frame", reason: "must be at least 1, got \(stepsPerFrame)")
        }
        guard warmupSteps >= 0 else {
            throw ConfigError.invalid(key: "tracker.warmup_steps", reason: "must not be negative, got \(warmupSteps)")
        }
        let restarts = restarts ?? model.config.restarts ?? 1
        guard restarts >= 1 else { throw ConfigError.invalid(key: "tracker.restarts", reason: "must be at least 1, got \(restarts)") }
        self.restarts = restarts
        self.restartScope = restartScope ?? model.config.restartScope ?? .firstFrame
        self.model = model
        self.components = k
        self.stepsPerFrame = stepsPerFrame
        self.warmupSteps = warmupSteps
        self.sceneCutThreshold = sceneCutThreshold
        self.seed = seed
        rng = SeededRNG(seed: seed)
        if let restartVote, restartVote < 1 {
            throw ConfigError.invalid(key: "tracker.restart_vote", reason: "must be at least 1, got \(restartVote)")
        }
        cell = model.cell(warmupSteps: warmupSteps, restarts: restarts, restartScope: self.restartScope, restartVote: restartVote)
        model.keepHalfPrecisionWeights()  // K rows through the large fc layers: bound by reading the weights
    }

    /// (H, W, C) of the frames the model takes.
    public var frameShape: [Int] { model.config.frameShape }

    /// Forget θ, ψ and γ before the next frame (as at the start of a stream).
    public func reset() { resetRequested = true }

    /// Processes the next frame: binarized (or grey, for a Gaussian model) values in [0, 1], (H·W·C); a model
    /// with ``ModelConfig/binarize`` binarizes grey frames at its own level first.
    public func track(_ frame: [Float]) -> TrackedFrame {
        let frame = ModelConfig.binarized(frame, at: model.config.binarize)
        let shape = frameShape
        precondition(frame.count == shape.reduce(1, *), "tracker: a frame of \(frame.count) values for a model taking \(shape)")
        var wasReset = (state == nil && runs == nil) || resetRequested
        if let previous = previousFrame, let threshold = sceneCutThreshold, changedFraction(previous, frame) > threshold {
            wasReset = true
        }
        resetRequested = false
        previousFrame = frame
        return withoutGradients {
            let x = Tensor(shape: [1, 1] + shape, scalars: frame)
            if restarts > 1, restartScope == .sequence { return trackRuns(x, frame: frame, wasReset: wasReset) }
            if wasReset || state == nil {
                if restarts > 1 {
                    state = cell.restartedStart(firstFrame: x, components: components, rng: &rng).state
                } else {
                    var start = cell.initialState(firstInput: x, components: components, rng: &rng)
                    for _ in 0..<warmupSteps { start = cell(input: x, target: x, state: start) }
                    state = start
                }
            } else if let current = state {
                state = EMState(theta: current.theta, predictions: current.predictions,
                                gamma: eStep(predictions: current.predictions, target: x, likelihood: cell.likelihood, eSigma: cell.eSigma))
            }
            var current = state!
            let gamma = current.gamma
            for _ in 0..<stepsPerFrame {
                current = cell(input: x, target: x, state: current)
            }
            state = current
            // The labels of a first frame come from its E-step against the last prediction (what the cell
            // just computed), not from the random γ₀.
            let shown = wasReset ? current.gamma : gamma
            defer { frameIndex += 1 }
            return label(frame: frame, gamma: shown.scalars, predictions: current.predictions.scalars, wasReset: wasReset)
        }
    }

    /// One frame with the restarts carried through the stream (``Hypotheses``).
    private func trackRuns(_ x: Tensor, frame: [Float], wasReset: Bool) -> TrackedFrame {
        var runs: Hypotheses
        let gamma: Tensor
        if wasReset || self.runs == nil {
            runs = Hypotheses(cell: cell, firstFrame: x, components: components, rng: &rng)
            // The run whose warm-up explains the first frame best labels it, as evaluation picks its first
            // leader: after the next step the predictions are already of the next frame.
            leader = runs.expect(target: x).leaders[0]
            for _ in 0..<stepsPerFrame { runs.step(input: x, clean: x, target: x, rng: &rng) }
            // A first frame is labelled from its E-step against the last prediction, as without the runs.
            gamma = runs.selected(runs.state.gamma, of: [leader])
            orders = Array(repeating: Array(0..<components), count: runs.count)
            framesSinceStart = 0
        } else {
            runs = self.runs!
            // γ_t of every run, from its ψ_{t−1}; the frame after a first one keeps the first one's leader, as
            // evaluation's first step does.
            let choice = runs.expect(target: x, keeping: framesSinceStart == 1 ? [leader] : nil)
            gamma = choice.gamma
            let next = choice.leaders[0]
            if next != leader {
                let gammas = runs.state.gamma.scalars, size = gammas.count / runs.count
                let shown = reordered(Array(gammas[leader * size..<(leader + 1) * size]), order: orders[leader])
                orders[next] = matchedOrder(reference: shown, candidate: Array(gammas[next * size..<(next + 1) * size]),
                                            components: components)
                leader = next
            }
            for _ in 0..<stepsPerFrame { runs.step(input: x, clean: x, target: x, rng: &rng) }
        }
        self.runs = runs
        framesSinceStart += 1
        let predictions = runs.selected(runs.state.predictions, of: [leader]).scalars
        defer { frameIndex += 1 }
        return label(frame: frame, gamma: reordered(gamma.scalars, order: orders[leader]),
                     predictions: reordered(predictions, order: orders[leader]), wasReset: wasReset)
    }

    private func label(frame: [Float], gamma: [Float], predictions: [Float], wasReset: Bool) -> TrackedFrame {
        let pixels = frameShape[0] * frameShape[1]
        let channels = frameShape[2]
        var labels = [UInt8](repeating: 0, count: pixels)
        var confidence = [Float](repeating: 0, count: pixels)
        for p in 0..<pixels {
            var foreground = false
            for c in 0..<channels where frame[p * channels + c] >= 0.5 { foreground = true }
            guard foreground else { continue }
            var best = 0
            for k in 1..<components where gamma[k * pixels + p] > gamma[best * pixels + p] { best = k }
            labels[p] = UInt8(best + 1)
            confidence[p] = gamma[best * pixels + p]
        }
        return TrackedFrame(index: frameIndex, labels: labels, confidence: confidence, gamma: gamma,
                            predictions: predictions, wasReset: wasReset)
    }

    private func changedFraction(_ a: [Float], _ b: [Float]) -> Double {
        var changed = 0
        for i in a.indices where Swift.abs(a[i] - b[i]) >= 0.5 { changed += 1 }
        return Double(changed) / Double(max(a.count, 1))
    }
}
