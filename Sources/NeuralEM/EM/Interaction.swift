import Autodiff
import Layers

/// R-NEM's interaction between the K components (van Steenkiste et al., ICLR 2018): each component
/// learns what the others' states mean for its own next prediction, e.g. where a neighbour's edge is.
///
///     θ̂_k     = elu(LN(θ_k·W_enc + b))                           (B·K, P)    each state encoded
///     ξ_{k,i} = elu(LN(θ̂_k·W_receiver + θ̂_i·W_sender + b))       (B·K·K, P)  the pair's embedding
///     e_{k,i} = elu(LN(ξ_{k,i}·W_effect + b))                    (B·K·K, P)  what i does to k
///     α_{k,i} = sigmoid(tanh(ξ_{k,i}·W_att + b)·w + b)          (B·K·K, 1)  how much it matters
///     E_k     = Σ_{i≠k} α_{k,i} e_{k,i} / (K − 1)                 (B·K, P)    the mean over the others
///     output  = E_k·W_cell                                        (B·K, M)    added to the RNN's pre-activation
///
/// The embedding of the concatenation [θ̂_k, θ̂_i] is written as two products, one per side, that
/// broadcast over the pair grid. R-NEM sums the effects; the mean keeps their size independent of K, so
/// a model trained with K = 3 can run with K = 5 (with a sum, E doubles there: docs/experiments.md).
/// W_cell starts at zero, so a network warm-started from one without interaction computes what it did
/// until training moves W_cell (the others learn from then on).
public struct Interaction: ParameterContainer {
    public let encode: Linear, encodeNorm: LayerNorm
    public let receiver: Linear, sender: Linear, pairNorm: LayerNorm
    public let effect: Linear, effectNorm: LayerNorm
    public let attentionHidden: Linear, attention: Linear
    /// W_cell (P, M), no bias: zero at initialisation.
    public let cellWeight: Tensor

    /// - Parameters: thetaSize M, the RNN's state; units P, the width of every interaction layer.
    public init(thetaSize: Int, units: Int, rng: inout SeededRNG) {
        encode = Linear(inputSize: thetaSize, outputSize: units, rng: &rng)
        encodeNorm = LayerNorm(channels: units)
        receiver = Linear(inputSize: units, outputSize: units, rng: &rng)
        sender = Linear(inputSize: units, outputSize: units, bias: false, rng: &rng)
        pairNorm = LayerNorm(channels: units)
        effect = Linear(inputSize: units, outputSize: units, rng: &rng)
        effectNorm = LayerNorm(channels: units)
        attentionHidden = Linear(inputSize: units, outputSize: units, rng: &rng)
        attention = Linear(inputSize: units, outputSize: 1, rng: &rng)
        cellWeight = Tensor.zeros([units, thetaSize])
        cellWeight.requiresGrad = true
    }

    public var units: Int { encode.outputSize }

    /// θ (B·K, M) of K components per sample → the others' mean effect on each, E·W_cell (B·K, M).
    public func callAsFunction(theta: Tensor, components k: Int) -> Tensor {
        let rows = theta.shape[0], p = units
        precondition(k > 0 && rows % k == 0, "Interaction: \(rows) rows of θ are not a whole number of \(k) components")
        let b = rows / k
        let encoded = elu(encodeNorm(encode(theta)))
        let pairs = receiver(encoded).reshaped([b, k, 1, p]) + sender(encoded).reshaped([b, 1, k, p])
        let embedding = elu(pairNorm(pairs.reshaped([b * k * k, p])))
        let effects = elu(effectNorm(effect(embedding))).reshaped([b, k, k, p])
        let weights = sigmoid(attention(tanh(attentionHidden(embedding)))).reshaped([b, k, k, 1])
        let averaged = sum(effects * (weights * Interaction.othersMask(k)), axes: [2]) / Float(max(k - 1, 1))
        return matmul(averaged.reshaped([rows, p]), cellWeight)
    }

    /// (1, K, K, 1): 1 where sender i ≠ receiver k, 0 on the diagonal (no component acts on itself).
    static func othersMask(_ k: Int) -> Tensor {
        Tensor(shape: [1, k, k, 1], scalars: (0..<(k * k)).map { $0 / k == $0 % k ? 0 : 1 })
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        let layers: [(String, any ParameterContainer)] = [
            ("encode", encode), ("encode.ln", encodeNorm), ("receiver", receiver), ("sender", sender), ("pair.ln", pairNorm),
            ("effect", effect), ("effect.ln", effectNorm), ("attention.hidden", attentionHidden), ("attention", attention),
        ]
        return layers.flatMap { prefix, layer in layer.namedParameters.map { ("\(prefix).\($0.name)", $0.tensor) } }
            + [("cell.weight", cellWeight)]
    }
}
