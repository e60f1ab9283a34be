import Autodiff
import Foundation

// MARK: - Restarts carried through the sequence (`restart_scope: sequence`)

/// R EM runs per sequence, each started by its own restart search on the first frame
/// (``NEMCell/restartSearches(firstFrame:components:rng:)``). Run 0 then reads the frames as given (the
/// tracker's clean frames, or evaluation's inputs with its noise); every other run reads its own copy of each
/// clean frame corrupted by the model's training noise, so that the runs explore different groupings all
/// along. Each frame is labelled by the run whose grouping explains that frame best: the highest
/// classification log-likelihood Σ_pixels Σ_k γ_k log P(x | ψ_k) (Celeux and Govaert's criterion for
/// choosing a partition; it is the mixture log-likelihood minus the entropy of γ, so it prefers the grouping
/// that gives each pixel clearly to one component), or by the vote of the best few (``NEMCell/restartVote``).
/// All runs go on, so one that falls behind may lead again later. No gradients: for evaluation and tracking.
public struct Hypotheses {
    public let cell: NEMCell
    /// R, runs per sequence.
    public let count: Int
    /// B, sequences.
    public let sequences: Int
    /// Every run, sequence-major (element b·R + r is run r of sequence b): θ (B·R·K, M), ψ (B·R, K, H, W, C),
    /// γ (B·R, K, H, W, 1).
    public private(set) var state: EMState
    /// γ₀ of every run: (B·R, K, H, W, 1)
    public let draws: Tensor

    /// What labels a frame: per sequence, the leading run and its ψ and γ.
    public struct Choice {
        /// Per sequence, the leading run r (0..<R).
        public let leaders: [Int]
        /// ψ of the leaders: (B, K, H, W, C)
        public let predictions: Tensor
        /// γ of the leaders against the frame, or the vote of the best runs (``votedGamma(_:scores:leaders:runs:voters:)``)
        /// when the cell has a `restartVote`: (B, K, H, W, 1)
        public let gamma: Tensor
    }

    /// Starts the cell's `restarts` runs per sequence on the clean first frame x₀ (B, 1, H, W, C): each its
    /// γ₀ and the cell's warm-up on its own noisy copy of x₀.
    public init(cell: NEMCell, firstFrame: Tensor, components: Int, rng: inout SeededRNG) {
        let searches = cell.restartSearches(firstFrame: firstFrame, components: components, rng: &rng)
        self.cell = cell
        count = cell.restarts
        sequences = firstFrame.shape[0]
        state = searches.state
        draws = searches.draws
    }

    /// One EM step of every run, scored against `target`: run 0 reads `input`, the others their own noisy copies
    /// of the clean frame `clean`. input, clean, target (B, 1, H, W, C)
    public mutating func step(input: Tensor, clean: Tensor, target: Tensor, rng: inout SeededRNG) {
        var inputs = cell.restartNoise.apply(to: repeatedSlices(clean, times: count).scalars, rng: &rng)
        let given = input.scalars, frame = given.count / sequences
        for b in 0..<sequences {
            for i in 0..<frame { inputs[b * count * frame + i] = given[b * frame + i] }
        }
        let noisy = Tensor(shape: [sequences * count] + Array(input.shape.dropFirst()), scalars: inputs)
        let next = withoutGradients { cell(input: noisy, target: repeatedSlices(target, times: count), state: state) }
        state = next
    }

    /// The E-step of every run against `target` (B, 1, H, W, C) from its current ψ, and the run per sequence
    /// whose grouping explains `target` best, or the runs `keeping` names (one per sequence).
    public mutating func expect(target: Tensor, keeping kept: [Int]? = nil) -> Choice {
        withoutGradients {
            let probabilities = pixelProbabilities(predictions: state.predictions, target: repeatedSlices(target, times: count),
                                                   likelihood: cell.likelihood, eSigma: cell.eSigma)  // (B·R, K, H, W, 1)
            let gamma = probabilities / sum(probabilities, axes: [1], keepDims: true)
            let scores = classificationLogLikelihoods(probabilities: probabilities, gamma: gamma)
            let leaders = kept ?? (0..<sequences).map { b in
                (0..<count).max { scores[b * count + $0] < scores[b * count + $1] }!
            }
            state = EMState(theta: state.theta, predictions: state.predictions, gamma: gamma)
            let labels = cell.restartVote > 1
                ? votedGamma(gamma, scores: scores, leaders: leaders, runs: count, voters: cell.restartVote)
                : selected(gamma, of: leaders)
            return Choice(leaders: leaders, predictions: selected(state.predictions, of: leaders), gamma: labels)
        }
    }

    /// The slices of `runs` (one run r per sequence) of a per-run tensor: (B·R, …) → (B, …).
    public func selected(_ x: Tensor, of runs: [Int]) -> Tensor {
        selectedSlices(x, perElement: 1, elements: runs.enumerated().map { $0.offset * count + $0.element })
    }
}

/// Σ_pixels Σ_k γ_k log p_k per batch element: p (E, K, H, W, 1) the pixel probabilities, γ their E-step.
func classificationLogLikelihoods(probabilities: Tensor, gamma: Tensor) -> [Double] {
    let elements = probabilities.shape[0]
    let terms = sum(log(probabilities) * gamma, axes: [1]).scalars  // (E, H, W, 1)
    let pixels = terms.count / elements
    return (0..<elements).map { e in terms[e * pixels..<(e + 1) * pixels].reduce(0.0) { $0 + Double($1) } }
}

extension NEMCell {
    /// T = `targets.count − 1` EM steps of ``Hypotheses`` (R = `restarts` runs per sequence), each step's γ and
    /// ψ those of the run that leads at that step; the loss is the leaders' loss. For evaluation. The first
    /// step keeps the run whose warm-up explains frame 0 best: its prediction of frame 1, made before any run
    /// has seen motion, says little about its grouping (step 1: 0.755 → 0.799 on the seed-777 test set).
    /// - Parameters:
    ///   - inputs: T + 1 frames as evaluation gives them (with its noise), read by run 0, each (B, 1, H, W, C)
    ///   - targets: T + 1 clean frames, each (B, 1, H, W, C)
    /// - Returns: the rollout and the γ₀ of the run that leads on frame 0
    func unrollHypotheses(inputs: [Tensor], targets: [Tensor], components: Int, stepWeights: [Float], loss settings: LossSettings,
                          rng: inout SeededRNG) -> (rollout: Rollout, initialGamma: Tensor) {
        withoutGradients {
            var runs = Hypotheses(cell: self, firstFrame: targets[0], components: components, rng: &rng)
            let start = runs.expect(target: targets[0])
            var total = 0 as Float
            var stepLosses: [(total: Float, intra: Float, inter: Float)] = []
            var gammas: [Tensor] = [], predictions: [Tensor] = [], mixingGammas: [Tensor] = []
            for t in 0..<(targets.count - 1) {
                let before = runs.state.gamma  // γ_{t−1} of every run, which weighs its ψ_t in the next-step prediction
                runs.step(input: inputs[t], clean: targets[t], target: targets[t + 1], rng: &rng)
                let choice = runs.expect(target: targets[t + 1], keeping: t == 0 ? start.leaders : nil)
                mixingGammas.append(runs.selected(before, of: choice.leaders))
                let loss = outerLoss(predictions: choice.predictions, gamma: choice.gamma, target: targets[t + 1],
                                     likelihood: likelihood, settings: settings)
                stepLosses.append((loss.total.scalar, loss.intra.scalar, loss.inter.scalar))
                total += stepWeights[t] * loss.total.scalar
                gammas.append(choice.gamma)
                predictions.append(choice.predictions)
            }
            let rollout = Rollout(loss: Tensor(total), stepLosses: stepLosses, startGamma: start.gamma, gammas: gammas,
                                  predictions: predictions, finalState: runs.state, mixingGammas: mixingGammas)
            return (rollout, runs.selected(runs.draws, of: start.leaders))
        }
    }
}
