import Autodiff
import Datasets

/// What one (RN)N-EM step carries to the next.
public struct EMState {
    /// θ, the K hidden states: (B·K, M)
    public var theta: Tensor
    /// ψ, each component's pixel-wise distribution parameters: (B, K, H, W, C)
    public var predictions: Tensor
    /// γ, the responsibilities: (B, K, H, W, 1)
    public var gamma: Tensor

    public init(theta: Tensor, predictions: Tensor, gamma: Tensor) {
        self.theta = theta
        self.predictions = predictions
        self.gamma = gamma
    }

    /// Batch size B.
    public var batch: Int { predictions.shape[0] }
    /// Number of components K.
    public var components: Int { predictions.shape[1] }
}

/// One step of (RN)N-EM, exactly as the reference's `NEMCell`:
///
///     δ      = (x̃_t − ψ_old) ⊙ γ_old            masked deltas, (B, K, H, W, C)
///     ψ, θ   = f(δ reshaped to (B·K, D), θ_old)  the inner network, run once on all K copies
///     γ      = E-step of ψ against x_{t+1}        (B, K, H, W, 1)
///
/// The K copies of the inner network share every weight; only the random initial γ breaks their symmetry.
public struct NEMCell {
    public let network: any InnerNetwork
    public let likelihood: Likelihood
    /// σ of the Gaussian E-step (a temperature); unused for Bernoulli data.
    public let eSigma: Float
    /// Whether gradients flow through γ into the masked deltas.
    public let gradientGamma: Bool
    /// ψ₀, the initial prediction everywhere.
    public let predictionInit: Float
    /// How γ₀ is drawn: at random (the reference) or by k-means over the first frame.
    public let initialGamma: InitialGamma
    /// A random γ₀ drawn on a G×G grid and upsampled, or nil: drawn per pixel (the reference).
    public let initialGammaGrid: Int?
    /// The k-means start's share in a random γ₀, γ₀ = (1 − s)·random + s·k-means; 0: random alone (the reference).
    public let kMeansShare: Float
    /// EM steps on the first frame alone (input x̃₀, target x₀) before a sequence's T steps; 0: the reference.
    public let warmupSteps: Int
    /// Searches for a start on the first frame when evaluating or tracking, the best kept; 1: the reference.
    /// See ``restartedStart(firstFrame:components:rng:)``.
    public let restarts: Int
    /// Whether the restarts end on the first frame or go on through the sequence (``Hypotheses``).
    public let restartScope: RestartScope
    /// How many runs label a frame when the restarts go on through the sequence: the leader and the next best,
    /// their γ matched to the leader's components and averaged (``votedGamma(_:scores:leaders:runs:voters:)``);
    /// 1: the leader alone.
    public let restartVote: Int
    /// The noise on each restart's copy of the first frame (the model's training noise).
    public let restartNoise: NoiseModel
    /// (H, W, C) of a frame.
    public let frameShape: [Int]

    public init(network: any InnerNetwork, likelihood: Likelihood, eSigma: Float = 0.25,
                gradientGamma: Bool, predictionInit: Float = 0, initialGamma: InitialGamma = .random, initialGammaGrid: Int? = nil,
                kMeansShare: Float = 0, warmupSteps: Int = 0, restarts: Int = 1, restartScope: RestartScope = .firstFrame, restartVote: Int = 1,
                restartNoise: NoiseModel = .none, frameShape: [Int]) {
        precondition(restarts >= 1, "NEMCell: \(restarts) restarts")
        precondition(restartVote >= 1, "NEMCell: a vote of \(restartVote) runs")
        self.network = network
        self.likelihood = likelihood
        self.eSigma = eSigma
        self.gradientGamma = gradientGamma
        self.predictionInit = predictionInit
        self.initialGamma = initialGamma
        self.initialGammaGrid = initialGammaGrid
        self.kMeansShare = kMeansShare
        self.warmupSteps = warmupSteps
        self.restarts = restarts
        self.restartScope = restartScope
        self.restartVote = restartVote
        self.restartNoise = restartNoise
        self.frameShape = frameShape
    }

    /// θ₀ = 0, ψ₀ = `predictionInit`, and γ₀ (all ones when K = 1):
    /// - random: |N(0, 1)| normalised over K, drawn per pixel as the reference, or with `initialGammaGrid`
    ///   = G on a G×G grid per component and bilinearly upsampled to H×W, so that each component starts
    ///   out owning a few smooth regions of the frame; with `kMeansShare` s > 0, blended with the k-means
    ///   start as (1 − s)·random + s·k-means;
    /// - kmeans: ``kMeansGamma(frames:components:rng:)`` of `firstInput`, the frame the first step reads.
    /// - Parameter firstInput: x̃₀ (B, 1, H, W, C), which also gives the batch size B
    public func initialState(firstInput: Tensor, components: Int, rng: inout SeededRNG) -> EMState {
        let batch = firstInput.shape[0]
        let gammaShape = [batch, components] + frameShape.dropLast() + [1]
        let gamma: Tensor
        if components == 1 {
            gamma = Tensor.ones(gammaShape)
        } else if initialGamma == .kmeans {
            gamma = kMeansGamma(frames: firstInput, components: components, rng: &rng)
        } else {
            let magnitudes: Tensor
            if let grid = initialGammaGrid {
                let coarse = abs(Tensor(randomNormal: [batch * components, grid, grid], using: &rng))
                magnitudes = bilinearUpsampled(coarse, height: frameShape[0], width: frameShape[1]).reshaped(gammaShape)
            } else {
                magnitudes = abs(Tensor(randomNormal: gammaShape, using: &rng))
            }
            let random = magnitudes / sum(magnitudes, axes: [1], keepDims: true)
            gamma = kMeansShare > 0
                ? (1 - kMeansShare) * random + kMeansShare * kMeansGamma(frames: firstInput, components: components, rng: &rng)
                : random
        }
        return EMState(theta: network.initialTheta(rows: batch * components),
                       predictions: Tensor(filling: predictionInit, shape: [batch, components] + frameShape),
                       gamma: gamma)
    }

    /// γ ⊙ (x̃ − ψ): the data minus each component's prediction, masked by its responsibilities.
    /// input (B, 1, H, W, C), ψ (B, K, H, W, C), γ (B, K, H, W, 1) → (B, K, H, W, C)
    public func maskedDeltas(input: Tensor, state: EMState) -> Tensor {
        let gamma = gradientGamma ? state.gamma : stopGradient(state.gamma)
        return (input - state.predictions) * gamma
    }

    /// One EM step: input x̃_t (B, 1, H, W, C), target x_{t+1} (B, 1, H, W, C).
    public func callAsFunction(input: Tensor, target: Tensor, state: EMState) -> EMState {
        let (b, k) = (state.batch, state.components)
        let deltas = maskedDeltas(input: input, state: state).reshaped([b * k, frameShape.reduce(1, *)])
        let (predictions, theta) = network(deltas, theta: state.theta, components: k)
        let psi = predictions.reshaped([b, k] + frameShape)
        let gamma = eStep(predictions: psi, target: target, likelihood: likelihood, eSigma: eSigma)
        return EMState(theta: theta, predictions: psi, gamma: gamma)
    }
}
