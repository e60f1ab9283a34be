import Autodiff

/// An activation function by its name in the reference's network specs.
public enum Activation: String, Codable, Sendable, CaseIterable {
    case linear, relu, elu, sigmoid, tanh
    /// The reference's `*`: the output distribution's activation (sigmoid for Bernoulli data,
    /// linear for Gaussian data), resolved when the network is built.
    case output = "*"

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let value = Activation(rawValue: name) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "unknown activation '\(name)' (expected one of \(Activation.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self = value
    }

    /// Applies the activation; `output` must have been resolved to a concrete one before.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .linear: return x
        case .relu: return Autodiff.relu(x)
        case .elu: return Autodiff.elu(x)
        case .sigmoid: return Autodiff.sigmoid(x)
        case .tanh: return Autodiff.tanh(x)
        case .output: preconditionFailure("the output activation '*' must be resolved before it is applied")
        }
    }
}
