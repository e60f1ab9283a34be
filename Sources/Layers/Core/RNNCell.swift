import Autodiff

/// The reference's recurrent cell: a basic RNN with ONE weight over the concatenation
/// [input, state] and a bias, z = [x, h]·W + b, W (inputSize + hiddenSize, hiddenSize).
/// new state = act(z); output = act(LN(z)) with `layerNorm`, else act(z). (TF's BasicRNNCell with
/// a linear activation, wrapped in LayerNormWrapper(output) and ActivationFunctionWrappers.)
public struct RNNCell: ParameterContainer {
    public let weight: Tensor
    public let bias: Tensor
    public let norm: LayerNorm?
    public let activation: Activation

    public init(inputSize: Int, hiddenSize: Int, layerNorm: Bool, activation: Activation = .sigmoid, rng: inout SeededRNG) {
        precondition(activation != .output, "the RNN cell's activation must be concrete, not '*'")
        weight = parameter(xavierUniform([inputSize + hiddenSize, hiddenSize], fanIn: inputSize + hiddenSize,
                                         fanOut: hiddenSize, rng: &rng))
        bias = parameter(.zeros([hiddenSize]))
        norm = layerNorm ? LayerNorm(channels: hiddenSize) : nil
        self.activation = activation
    }

    public var inputSize: Int { weight.shape[0] - hiddenSize }
    public var hiddenSize: Int { weight.shape[1] }

    /// One step: input (B, inputSize), state (B, hiddenSize) → output and new state, both (B, hiddenSize).
    /// `added` (B, hiddenSize), when given, joins the pre-activation z (R-NEM's interaction term).
    public func callAsFunction(_ input: Tensor, state: Tensor, added: Tensor? = nil) -> (output: Tensor, state: Tensor) {
        precondition(input.rank == 2 && state.rank == 2 && input.shape[0] == state.shape[0]
                     && input.shape[1] == inputSize && state.shape[1] == hiddenSize,
                     "RNNCell(\(inputSize) → \(hiddenSize)) called with input \(input.shape) and state \(state.shape)")
        let linear = affine(concat([input, state], axis: 1), weight, bias)
        let z = added.map { linear + $0 } ?? linear
        let newState = activation(z)
        guard let norm else { return (newState, newState) }
        return (activation(norm(z)), newState)
    }

    /// The initial state: zeros (B, hiddenSize).
    public func zeroState(batchSize: Int) -> Tensor { .zeros([batchSize, hiddenSize]) }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight), ("bias", bias)] + (norm?.namedParameters.map { ("ln." + $0.name, $0.tensor) } ?? [])
    }
}
