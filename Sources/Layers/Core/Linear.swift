import Autodiff

/// A fully connected layer: y = x·W + b, W (inputSize, outputSize), x (B, inputSize) → (B, outputSize).
public struct Linear: Layer {
    public let weight: Tensor
    public let bias: Tensor?

    /// Xavier-uniform weight and zero bias, as the reference's `slim.fully_connected`.
    public init(inputSize: Int, outputSize: Int, bias: Bool = true, rng: inout SeededRNG) {
        weight = parameter(xavierUniform([inputSize, outputSize], fanIn: inputSize, fanOut: outputSize, rng: &rng))
        self.bias = bias ? parameter(.zeros([outputSize])) : nil
    }

    public var inputSize: Int { weight.shape[0] }
    public var outputSize: Int { weight.shape[1] }

    public func callAsFunction(_ x: Tensor) -> Tensor { affine(x, weight, bias) }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}
