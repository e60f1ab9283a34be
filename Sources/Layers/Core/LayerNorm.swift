import Autodiff

/// Layer normalisation over all non-batch axes with a gain and bias per channel (last axis), as
/// the reference's `slim.layer_norm` (ε = 1e-12): (B, …, C) → (B, …, C).
public struct LayerNorm: Layer {
    public let gain: Tensor
    public let bias: Tensor
    public let epsilon: Float

    /// Gain ones, bias zeros.
    public init(channels: Int, epsilon: Float = 1e-12) {
        gain = parameter(.ones([channels]))
        bias = parameter(.zeros([channels]))
        self.epsilon = epsilon
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { layerNorm(x, gain: gain, bias: bias, epsilon: epsilon) }

    public var namedParameters: [(name: String, tensor: Tensor)] { [("gain", gain), ("bias", bias)] }
}

/// Standardises each sample over all its values, as the reference's `input_norm`:
/// (x − mean) / √(var + ε). The reference has no ε (a constant input gives NaN there); ε = 1e-12
/// keeps such inputs at 0 and changes nothing else measurable.
public struct InputNorm: Layer {
    public let epsilon: Float

    public init(epsilon: Float = 1e-12) { self.epsilon = epsilon }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let axes = Array(1..<x.rank)
        let centred = x - mean(x, axes: axes, keepDims: true)
        let variance = mean(square(centred), axes: axes, keepDims: true)
        return centred / sqrt(variance + epsilon)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { [] }
}
