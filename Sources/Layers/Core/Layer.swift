import Autodiff

/// Something that owns trainable tensors, each under a stable name (used as the checkpoint key).
public protocol ParameterContainer: Sendable {
    /// Parameters in a fixed order, with names relative to the owner ("weight", "ln.gain", "2.bias").
    var namedParameters: [(name: String, tensor: Tensor)] { get }
}

extension ParameterContainer {
    /// The parameters alone, in the order of ``namedParameters``.
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// Total number of trainable scalars.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.tensor.count } }
}

/// A function of one batch-first tensor with trainable parameters.
public protocol Layer: ParameterContainer {
    /// Applies the layer to a batch: (B, …) → (B, …).
    func callAsFunction(_ x: Tensor) -> Tensor
}

/// A new leaf parameter that requires gradients.
func parameter(_ tensor: Tensor) -> Tensor {
    tensor.requiresGrad = true
    return tensor
}

/// Xavier/Glorot uniform initialisation (TensorFlow's default for slim layers and
/// BasicRNNCell): U(−l, l) with l = √(6 / (fanIn + fanOut)).
public func xavierUniform(_ shape: [Int], fanIn: Int, fanOut: Int, rng: inout SeededRNG) -> Tensor {
    let limit = (6 / Double(max(1, fanIn + fanOut))).squareRoot()
    return Tensor(randomUniform: shape, in: -limit...limit, using: &rng)
}
