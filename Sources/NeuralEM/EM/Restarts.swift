import Autodiff
import Datasets
import Foundation

// MARK: - Restarts: the usual cure for EM's local optima

/// What the restarts kept for each sequence.
public struct RestartedStart {
    /// γ₀ of the kept draw: (B, K, H, W, 1)
    public let initialGamma: Tensor
    /// The state after the kept draw's warm-up, from which the sequence's steps go on.
    public let state: EMState
}

/// How far the restarts go.
public enum RestartScope: String, Codable, Sendable, CaseIterable {
    /// The search whose warm-up explains frame 0 best is kept, the others dropped, as EM with random restarts
    /// keeps its best run (the default).
    case firstFrame = "first_frame"
    /// All R searches go on through the sequence and each frame is labelled by the one whose grouping explains
    /// it best (``Hypotheses``).
    case sequence
}

/// All R searches of a batch: element b·R + r is search r of sequence b.
struct RestartSearches {
    /// γ₀ of each search: (B·R, K, H, W, 1)
    let draws: Tensor
    /// The state after each search's warm-up.
    let state: EMState
    /// x₀ repeated R times: (B·R, 1, H, W, C)
    let target: Tensor
}

extension NEMCell {
    /// R = `restarts` searches for a start on the first frame: R γ₀ per sequence, each followed by the cell's
    /// warm-up (EM steps on frame 0 alone) on its own copy of the frame corrupted by `restartNoise` (the
    /// noise the model was trained with, so that the R searches explore different groupings even on a clean
    /// frame), scored against the clean frame. No gradients.
    /// - Parameter firstFrame: the clean first frame x₀, (B, 1, H, W, C)
    func restartSearches(firstFrame: Tensor, components: Int, rng: inout SeededRNG) -> RestartSearches {
        withoutGradients {
            // Each sequence R times, sequence-major: element b·R + r is restart r of sequence b.
            let target = repeatedSlices(firstFrame, times: restarts)
            let input = Tensor(shape: target.shape, scalars: restartNoise.apply(to: target.scalars, rng: &rng))
            let draws = initialState(firstInput: input, components: components, rng: &rng)
            var state = draws
            for _ in 0..<warmupSteps { state = self(input: input, target: target, state: state) }
            return RestartSearches(draws: draws.gamma, state: state, target: target)
        }
    }

    /// The restarts' start (``RestartScope/firstFrame``): of the ``restartSearches(firstFrame:components:rng:)``,
    /// per sequence the one whose grouping explains frame 0 best, the highest mixture log-likelihood
    /// Σ_pixels log (1/K) Σ_k P(x₀ | ψ_k), as EM with random restarts keeps its best run. For evaluation and tracking.
    /// - Parameter firstFrame: the clean first frame x₀, (B, 1, H, W, C)
    /// - Returns: batch B
    public func restartedStart(firstFrame: Tensor, components: Int, rng: inout SeededRNG) -> RestartedStart {
        withoutGradients {
            let searches = restartSearches(firstFrame: firstFrame, components: components, rng: &rng)
            let scores = frameLogLikelihoods(predictions: searches.state.predictions, target: searches.target)
            let kept = (0..<firstFrame.shape[0]).map { b in
                b * restarts + (0..<restarts).max { scores[b * restarts + $0] < scores[b * restarts + $1] }!
            }
            let state = searches.state
            return RestartedStart(
                initialGamma: selectedSlices(searches.draws, perElement: 1, elements: kept),
                state: EMState(theta: selectedSlices(state.theta, perElement: components, elements: kept),
                               predictions: selectedSlices(state.predictions, perElement: 1, elements: kept),
                               gamma: selectedSlices(state.gamma, perElement: 1, elements: kept)))
        }
    }

    /// Σ_pixels log (1/K) Σ_k P(x | ψ_k) per batch element: how well the K predictions together explain x.
    /// ψ (B, K, H, W, C), x (B, 1, H, W, C) → B numbers
    func frameLogLikelihoods(predictions: Tensor, target: Tensor) -> [Double] {
        let (batch, k) = (predictions.shape[0], predictions.shape[1])
        let probabilities = pixelProbabilities(predictions: predictions, target: target, likelihood: likelihood, eSigma: eSigma)
        let mixture = (sum(probabilities, axes: [1]) * (1 / Float(k))).scalars  // (B, H, W, 1)
        let pixels = mixture.count / batch
        return (0..<batch).map { b in mixture[b * pixels..<(b + 1) * pixels].reduce(0.0) { $0 + log(Double($1)) } }
    }
}

/// Each slice along axis 0 repeated `times` times in place: (B, …) → (B·times, …).
func repeatedSlices(_ x: Tensor, times: Int) -> Tensor {
    let slice = x.count / x.shape[0]
    let values = x.scalars
    return Tensor(shape: [x.shape[0] * times] + x.shape.dropFirst()) { out in
        for b in 0..<x.shape[0] {
            for r in 0..<times {
                let to = (b * times + r) * slice
                for i in 0..<slice { out[to + i] = values[b * slice + i] }
            }
        }
    }
}

/// The blocks of `perElement` slices along axis 0 that belong to `elements`, in that order:
/// (E·perElement, …) → (elements.count·perElement, …).
func selectedSlices(_ x: Tensor, perElement: Int, elements: [Int]) -> Tensor {
    let block = x.count / x.shape[0] * perElement
    let values = x.scalars
    return Tensor(shape: [elements.count * perElement] + x.shape.dropFirst()) { out in
        for (i, e) in elements.enumerated() {
            for j in 0..<block { out[i * block + j] = values[e * block + j] }
        }
    }
}
