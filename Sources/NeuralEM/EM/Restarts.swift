import Autodiff
import Foundation

// MARK: - Restarts: the usual cure for EM's local optima

extension NEMCell {
    /// The state a sequence starts from, before its warm-up. With `restarts` R = 1 one γ₀ drawn as
    /// ``initialState(firstInput:components:rng:)`` draws it. With R > 1 it draws R γ₀ per sequence, runs the
    /// cell's warm-up (EM steps on frame 0 alone) from each, and keeps per sequence the γ₀ whose warm-up
    /// explains frame 0 best: the highest mixture log-likelihood Σ_pixels log (1/K) Σ_k P(x₀ | ψ_k), as EM
    /// with random restarts keeps its best run. The choice carries no gradient; the caller runs the warm-up
    /// again from the chosen γ₀ (on the tape when training).
    /// - Parameters:
    ///   - firstInput: x̃₀ (B, 1, H, W, C), what the warm-up reads
    ///   - firstTarget: x₀ (B, 1, H, W, C), what it is scored against
    /// - Returns: the chosen initial state, batch B
    public func startingState(firstInput: Tensor, firstTarget: Tensor, components: Int, rng: inout SeededRNG) -> EMState {
        guard restarts > 1 else { return initialState(firstInput: firstInput, components: components, rng: &rng) }
        return withoutGradients {
            let batch = firstInput.shape[0]
            // Each sequence R times, sequence-major: element b·R + r is restart r of sequence b.
            let input = repeatedSlices(firstInput, times: restarts)
            let target = repeatedSlices(firstTarget, times: restarts)
            let draws = initialState(firstInput: input, components: components, rng: &rng)
            var state = draws
            for _ in 0..<warmupSteps { state = self(input: input, target: target, state: state) }
            let scores = frameLogLikelihoods(predictions: state.predictions, target: target)
            let chosen = (0..<batch).map { b in
                b * restarts + (0..<restarts).max { scores[b * restarts + $0] < scores[b * restarts + $1] }!
            }
            return EMState(theta: selectedSlices(draws.theta, perElement: components, elements: chosen),
                           predictions: selectedSlices(draws.predictions, perElement: 1, elements: chosen),
                           gamma: selectedSlices(draws.gamma, perElement: 1, elements: chosen))
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
