import Autodiff

/// A sequential network built from a spec in the reference's vocabulary (see ``LayerSpec``).
///
/// Input (B, ∏inputShape) or (B, inputShape…); output (B, outputShape…). Parameters are named
/// "<prefix>.<layer index>.<parameter>", e.g. "encoder.1.weight", "encoder.1.ln.gain", with the
/// index of the layer in the spec (reshapes count), so names stay stable for a spec.
public struct Network: Layer {
    public let specs: [LayerSpec]
    /// Per-sample input shape, e.g. [784] or [28, 28, 1].
    public let inputShape: [Int]
    /// Per-sample output shape.
    public let outputShape: [Int]
    public let prefix: String
    private let stages: [Stage]

    /// One built layer: its transform and its parameters.
    private struct Stage: Sendable {
        let index: Int
        let layers: [any Layer]
        let activation: Activation
        /// Per-sample shape of the output, for reshapes.
        let outputShape: [Int]
    }

    /// Builds the layers of `specs` for per-sample inputs of `inputShape`, resolving the
    /// activation `*` to `outputActivation` (sigmoid for Bernoulli data, linear for Gaussian).
    /// Throws ``NetworkSpecError`` naming the first layer that cannot be built.
    public init(spec specs: [LayerSpec], inputShape: [Int], outputActivation: Activation = .sigmoid,
                prefix: String = "", rng: inout SeededRNG) throws {
        precondition(outputActivation != .output, "outputActivation must be a concrete activation")
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw NetworkSpecError.invalidLayer(index: 0, name: specs.first?.name ?? "input", reason: "invalid input shape \(inputShape)")
        }
        var shape = inputShape
        var stages: [Stage] = []
        for (index, spec) in specs.enumerated() {
            let stage = try Network.build(spec, index: index, inputShape: shape, outputActivation: outputActivation, rng: &rng)
            shape = stage.outputShape
            stages.append(stage)
        }
        self.specs = specs
        self.inputShape = inputShape
        self.outputShape = shape
        self.prefix = prefix
        self.stages = stages
    }

    private static func build(_ spec: LayerSpec, index: Int, inputShape shape: [Int], outputActivation: Activation,
                              rng: inout SeededRNG) throws -> Stage {
        func fail(_ reason: String) -> NetworkSpecError { .invalidLayer(index: index, name: spec.name, reason: reason) }
        func required<V>(_ value: V?, _ field: String) throws -> V {
            guard let value else { throw fail("needs '\(field)'") }
            return value
        }
        func pair(_ values: [Int]?, _ field: String, default fallback: (Int, Int)) throws -> (Int, Int) {
            guard let values else { return fallback }
            guard values.count == 2, values.allSatisfy({ $0 > 0 }) else { throw fail("'\(field)' must be two positive integers, got \(values)") }
            return (values[0], values[1])
        }
        let count = shape.reduce(1, *)
        let ln = spec.ln ?? false
        switch spec.name {
        case "input_norm":
            return Stage(index: index, layers: [InputNorm()], activation: .linear, outputShape: shape)
        case "reshape":
            switch try required(spec.shape, "shape") {
            case .flatten:
                return Stage(index: index, layers: [], activation: .linear, outputShape: [count])
            case let .dims(dims):
                guard !dims.isEmpty, dims.allSatisfy({ $0 > 0 }), dims.reduce(1, *) == count else {
                    throw fail("cannot reshape \(shape) (\(count) values) to \(dims)")
                }
                return Stage(index: index, layers: [], activation: .linear, outputShape: dims)
            }
        case "fc", "conv", "r_conv":
            let size = try required(spec.size, "size")
            guard size > 0 else { throw fail("'size' must be positive, got \(size)") }
            var activation = try required(spec.act, "act")
            if activation == .output { activation = outputActivation }
            var layers: [any Layer]
            var outShape: [Int]
            if spec.name == "fc" {
                guard shape.count == 1 else { throw fail("needs a flat input, got \(shape); add {name: reshape, shape: -1} before it") }
                layers = [Linear(inputSize: shape[0], outputSize: size, rng: &rng)]
                outShape = [size]
            } else {
                guard shape.count == 3 else { throw fail("needs an (H, W, C) input, got \(shape); add {name: reshape, shape: [H, W, C]} before it") }
                let kernel = try pair(spec.kernel, "kernel", default: (4, 4))
                let stride = try pair(spec.stride, "stride", default: (2, 2))
                if spec.name == "conv" {
                    layers = [Conv2D(inChannels: shape[2], outChannels: size, kernel: kernel, strides: stride, rng: &rng)]
                    outShape = [(shape[0] + stride.0 - 1) / stride.0, (shape[1] + stride.1 - 1) / stride.1, size]
                } else {
                    guard stride == (2, 2) else { throw fail("r_conv supports resizing by stride [2, 2] only, got \(spec.stride ?? [])") }
                    layers = [ResizeConv2D(inChannels: shape[2], outChannels: size, kernel: kernel, rng: &rng)]
                    outShape = [2 * shape[0], 2 * shape[1], size]
                }
            }
            if ln { layers.append(LayerNorm(channels: size)) }
            return Stage(index: index, layers: layers, activation: activation, outputShape: outShape)
        case "rnn":
            throw fail("the recurrent cell is not a sequential layer; build it with RNNCell")
        default:
            throw fail("unknown layer name (expected fc, conv, r_conv, reshape, input_norm)")
        }
    }

    /// x (B, inputShape…) or (B, ∏inputShape) → (B, outputShape…).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let perSample = inputShape.reduce(1, *)
        precondition(x.rank >= 1 && x.count == x.shape[0] * perSample,
                     "network for inputs \(inputShape) called with a tensor of shape \(x.shape)")
        let batch = x.shape[0]
        var h = x.shape == [batch] + inputShape ? x : x.reshaped([batch] + inputShape)
        for stage in stages {
            for layer in stage.layers { h = layer(h) }
            h = stage.activation(h)
            if h.shape != [batch] + stage.outputShape { h = h.reshaped([batch] + stage.outputShape) }
        }
        return h
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        let head = prefix.isEmpty ? "" : prefix + "."
        return stages.flatMap { stage -> [(name: String, tensor: Tensor)] in
            var names: [(name: String, tensor: Tensor)] = []
            for layer in stage.layers {
                let sub = layer is LayerNorm ? "ln." : ""
                names += layer.namedParameters.map { ("\(head)\(stage.index).\(sub)\($0.name)", $0.tensor) }
            }
            return names
        }
    }
}
