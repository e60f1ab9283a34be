import Autodiff

/// The pixel distribution of a component: Bernoulli means for binary data, Gaussian means for grey data.
public enum Likelihood: String, Codable, Sendable, CaseIterable {
    case bernoulli, gaussian
}

/// Pixel-wise probability of the target under each component's prediction, summed over channels, plus
/// ε so that no γ becomes exactly 0 (the reference's `compute_em_probabilities`).
/// - Parameters:
///   - predictions: ψ, (B, K, H, W, C)
///   - target: x, (B, 1, H, W, C), broadcast over K
/// - Returns: (B, K, H, W, 1)
func pixelProbabilities(predictions: Tensor, target: Tensor, likelihood: Likelihood, eSigma: Float,
                        epsilon: Float = 1e-6) -> Tensor {
    let probabilities: Tensor
    switch likelihood {
    case .bernoulli:
        probabilities = target * predictions + (1 - target) * (1 - predictions)
    case .gaussian:
        let variance = eSigma * eSigma
        let normaliser = 1 / (2 * Float.pi * variance).squareRoot()
        probabilities = exp(square(target - predictions) * (-1 / (2 * variance))) * normaliser
    }
    return sum(probabilities, axes: [4], keepDims: true) + epsilon
}

/// The E-step: responsibilities γ_{i,k} = p_{i,k} / Σ_k p_{i,k}, a plain ratio without mixing
/// proportions, as in the reference.
/// - Parameters:
///   - predictions: ψ, (B, K, H, W, C)
///   - target: x, (B, 1, H, W, C)
/// - Returns: γ, (B, K, H, W, 1)
public func eStep(predictions: Tensor, target: Tensor, likelihood: Likelihood, eSigma: Float) -> Tensor {
    let probabilities = pixelProbabilities(predictions: predictions, target: target,
                                           likelihood: likelihood, eSigma: eSigma)
    return probabilities / sum(probabilities, axes: [1], keepDims: true)
}
