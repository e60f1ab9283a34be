import Autodiff
import Foundation

/// Adam in TensorFlow's form (tf.train.AdamOptimizer, whose defaults these are):
///   t += 1; lr_t = lr·√(1 − β2^t)/(1 − β1^t)
///   m += (g − m)·(1 − β1);  v += (g² − v)·(1 − β2);  θ −= lr_t·m/(√v + ε)
/// ε is TF's "epsilon hat" (added to √v, not to the bias-corrected √v̂ as in Kingma & Ba / PyTorch).
/// Parameters without a gradient are left alone (as TF skips variables with no gradient).
/// Optional decoupled weight decay (AdamW, Loshchilov & Hutter): θ −= lr·λ·θ on each parameter of rank ≥ 2
/// (weight matrices and kernels; biases and LayerNorm gains and biases are not decayed). λ = 0 is Adam.
/// Each parameter may learn at its own multiple of the learning rate (`learningRateScales`), e.g. a new
/// part of a warm-started network faster than the rest.
public final class Adam {
    public let parameters: [Tensor]
    /// One name per parameter, for the optimizer state in a checkpoint.
    public let names: [String]
    public var learningRate: Float
    public let beta1, beta2, epsilon: Float
    /// λ of the decoupled weight decay.
    public let weightDecay: Float
    /// One factor per parameter on `learningRate` (and on its weight decay); 1 for all by default.
    public let learningRateScales: [Float]
    /// Number of steps taken (t).
    public private(set) var timestep = 0
    private let m: [Tensor], v: [Tensor]

    public init(parameters: [Tensor], names: [String]? = nil, learningRate: Float = 1e-3,
                beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0,
                learningRateScales: [Float]? = nil) {
        precondition(names == nil || names!.count == parameters.count, "Adam: \(names!.count) names for \(parameters.count) parameters")
        precondition(learningRateScales == nil || learningRateScales!.count == parameters.count,
                     "Adam: \(learningRateScales!.count) learning-rate scales for \(parameters.count) parameters")
        self.parameters = parameters
        self.names = names ?? parameters.indices.map { "p\($0)" }
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.learningRateScales = learningRateScales ?? Array(repeating: 1, count: parameters.count)
        m = parameters.map { .zeros($0.shape) }
        v = parameters.map { .zeros($0.shape) }
    }

    public convenience init(namedParameters: [(name: String, tensor: Tensor)], learningRate: Float = 1e-3,
                            beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0,
                            learningRateScales: [Float]? = nil) {
        self.init(parameters: namedParameters.map(\.tensor), names: namedParameters.map(\.name),
                  learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
                  learningRateScales: learningRateScales)
    }

    /// Applies one update from the parameters' accumulated gradients.
    public func step() {
        timestep += 1
        let t = Double(timestep)
        let correction2: Double = 1 - pow(Double(beta2), t)
        let correction1: Double = 1 - pow(Double(beta1), t)
        let lrT = Float(Double(learningRate) * correction2.squareRoot() / correction1)
        let (oneMinusBeta1, oneMinusBeta2, eps) = (1 - beta1, 1 - beta2, epsilon)
        for (index, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            precondition(grad.shape == p.shape, "Adam: gradient \(grad.shape) for parameter \(names[index]) of shape \(p.shape)")
            let scale = learningRateScales[index], lrP = lrT * scale
            let keep: Float = p.shape.count >= 2 ? 1 - learningRate * scale * weightDecay : 1
            grad.withUnsafeBufferPointer { g in
                m[index].withUnsafeMutableBufferPointer { m in
                    v[index].withUnsafeMutableBufferPointer { v in
                        p.withUnsafeMutableBufferPointer { theta in
                            for i in 0..<theta.count {
                                m[i] += (g[i] - m[i]) * oneMinusBeta1
                                v[i] += (g[i] * g[i] - v[i]) * oneMinusBeta2
                                theta[i] = theta[i] * keep - lrP * m[i] / (v[i].squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Clears the gradients of all parameters (call after `step()`).
    public func zeroGradients() {
        for p in parameters { p.grad = nil }
    }

    /// The moment estimates as "adam.m.<name>" and "adam.v.<name>" (the timestep goes with them,
    /// e.g. into the checkpoint metadata), for resuming training.
    public var stateTensors: [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (index, name) in names.enumerated() {
            out["adam.m.\(name)"] = m[index]
            out["adam.v.\(name)"] = v[index]
        }
        return out
    }

    /// Restores the state saved by ``stateTensors`` and ``timestep``. Checks every tensor before
    /// changing anything; the error names the first missing or mismatching one.
    public func loadState(_ tensors: [String: Tensor], timestep: Int, source: String) throws {
        guard timestep >= 0 else { throw CheckpointError.mismatch(path: source, reason: "negative Adam timestep \(timestep)") }
        let pairs = names.indices.flatMap { i in [("adam.m.\(names[i])", m[i]), ("adam.v.\(names[i])", v[i])] }
        try copyTensors(pairs, from: tensors, source: source)
        self.timestep = timestep
    }
}
