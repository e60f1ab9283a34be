import Autodiff

/// The two-term N-EM training loss of one step and its parts, each already summed over
/// (K, H, W, C) and averaged over the batch.
public struct StepLoss {
    /// intra + interWeight · inter
    public let total: Tensor
    /// Σ γ · (−log P(x | ψ)): the expected negative log-likelihood.
    public let intra: Tensor
    /// Σ (1 − γ) · KL(P(x) ‖ P(x | ψ)): pushes components to explain nothing outside their pixels.
    public let inter: Tensor
}

/// The loss's settings (the reference's `nem.loss_*`, `pixel_prior` and `gradient_gamma`).
public struct LossSettings: Codable, Sendable, Equatable {
    /// w in intra + w · inter (1.0; 0.2 for flying MNIST).
    public var interWeight: Float = 1
    /// Mean of the pixel prior: Bernoulli p (0) or Gaussian μ (0).
    public var pixelPrior: Float = 0
    /// Let gradients flow through γ (static data) or stop them (sequences).
    public var gradientGamma: Bool = true

    public init(interWeight: Float = 1, pixelPrior: Float = 0, gradientGamma: Bool = true) {
        self.interWeight = interWeight
        self.pixelPrior = pixelPrior
        self.gradientGamma = gradientGamma
    }
}

/// Elementwise intra-cluster loss −log P(x | ψ): binary cross-entropy with ψ clipped to
/// [1e-6, 1 − 1e-6], or the squared error (ψ − x)²/2 of a unit-variance Gaussian.
/// ψ (B, K, H, W, C), x (B, 1, H, W, C) → (B, K, H, W, C)
public func intraLoss(predictions: Tensor, target: Tensor, likelihood: Likelihood) -> Tensor {
    switch likelihood {
    case .bernoulli:
        let clipped = clip(predictions, min: 1e-6, max: 1 - 1e-6)
        return -(target * log(clipped) + (1 - target) * log(1 - clipped))
    case .gaussian:
        return square(predictions - target) * 0.5
    }
}

/// Elementwise inter-cluster loss KL(prior ‖ P(· | ψ)) against the pixel prior: for a Bernoulli prior
/// p, p·log(p/ψ) + (1−p)·log((1−p)/(1−ψ)) with the reference's clipping (−log(1 − ψ) for p = 0); for a
/// unit-variance Gaussian prior μ, (ψ − μ)²/2.
/// ψ (B, K, H, W, C) → (B, K, H, W, C)
public func interLoss(predictions: Tensor, prior: Float, likelihood: Likelihood) -> Tensor {
    switch likelihood {
    case .bernoulli:
        let onTerm = clip(prior / clip(predictions, min: 1e-6, max: 1e6), min: 1e-6, max: 1e6)
        let offTerm = clip((1 - prior) / clip(1 - predictions, min: 1e-6, max: 1e6), min: 1e-6, max: 1e6)
        let off = log(offTerm) * (1 - prior)
        return prior == 0 ? off : log(onTerm) * prior + off
    case .gaussian:
        return square(predictions - prior) * 0.5
    }
}

/// One step's loss: (Σ γ·intra + w·Σ (1−γ)·inter) / B, with γ (B, K, H, W, 1) broadcast over channels
/// and stopped from carrying gradients unless `settings.gradientGamma`.
/// - Parameters:
///   - predictions: ψ, (B, K, H, W, C)
///   - gamma: γ, (B, K, H, W, 1)
///   - target: x, (B, 1, H, W, C)
public func outerLoss(predictions: Tensor, gamma: Tensor, target: Tensor, likelihood: Likelihood,
                      settings: LossSettings) -> StepLoss {
    let batch = Float(predictions.shape[0])
    let gamma = settings.gradientGamma ? gamma : stopGradient(gamma)
    let intra = sum(intraLoss(predictions: predictions, target: target, likelihood: likelihood) * gamma) / batch
    let inter = sum(interLoss(predictions: predictions, prior: settings.pixelPrior, likelihood: likelihood) * (1 - gamma)) / batch
    return StepLoss(total: intra + inter * settings.interWeight, intra: intra, inter: inter)
}
