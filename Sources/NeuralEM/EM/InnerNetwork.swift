import Autodiff
import Layers

/// The network f that every component runs on its masked deltas: (B·K, D) → (B·K, D) predictions ψ,
/// carrying a hidden state θ (B·K, M) from step to step. RNN-EM learns it (``RNNEMNetwork``); N-EM
/// derives it from the decoder (``NEMUpdateNetwork``).
public protocol InnerNetwork: AnyObject, ParameterContainer {
    /// M, the size of one component's θ.
    var thetaSize: Int { get }
    /// The initial θ for `rows` = B·K components.
    func initialTheta(rows: Int) -> Tensor
    /// deltas (B·K, D), θ (B·K, M) of K components per sample → ψ (B·K, D), θ' (B·K, M)
    func callAsFunction(_ deltas: Tensor, theta: Tensor, components: Int) -> (predictions: Tensor, theta: Tensor)
}
