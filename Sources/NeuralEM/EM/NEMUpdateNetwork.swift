import Autodiff
import Layers

/// N-EM: the inner network is one step of gradient ascent on the γ-weighted Bernoulli log-likelihood
/// of a one-layer decoder ψ = sigmoid(σ(z)·Wᵀ), so encoder and decoder share W (tied weights):
///
///     z' = z + lr · σ(z)(1 − σ(z)) · (δ · W)      θ = z: (B·K, M), δ: (B·K, D), W: (D, M)
///     ψ  = sigmoid(σ(z') · Wᵀ)                    (B·K, D)
///
/// with a learned scalar step size lr, as the reference's `NEMCell` + `NEMOutputWrapper`.
public final class NEMUpdateNetwork: InnerNetwork, Sendable {
    /// W: (D, M), Xavier-uniform, no bias.
    public let weight: Tensor
    /// lr: (1, 1). The reference draws it Xavier-uniform in (−√3, √3); we start at 1 so that the first
    /// steps ascend the likelihood rather than descend it.
    public let stepSize: Tensor
    public let thetaSize: Int

    public init(inputSize: Int, thetaSize: Int, rng: inout SeededRNG) {
        let limit = (6.0 / Double(inputSize + thetaSize)).squareRoot()
        weight = Tensor(randomUniform: [inputSize, thetaSize], in: -limit...limit, using: &rng)
        stepSize = Tensor(filling: 1, shape: [1, 1])
        self.thetaSize = thetaSize
        weight.requiresGrad = true
        stepSize.requiresGrad = true
    }

    public func initialTheta(rows: Int) -> Tensor { Tensor.zeros([rows, thetaSize]) }

    public func callAsFunction(_ deltas: Tensor, theta: Tensor, components _: Int) -> (predictions: Tensor, theta: Tensor) {
        let s = sigmoid(theta)
        let z = theta + stepSize * (s * (1 - s)) * matmul(deltas, weight)
        let predictions = sigmoid(matmul(sigmoid(z), weight, transposeB: true))
        return (predictions, z)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("nem.weight", weight), ("nem.step_size", stepSize)]
    }
}
