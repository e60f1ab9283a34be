import Autodiff
import Layers

/// The inner network in the reference's own vocabulary (`network.py`): `input` layers (the encoder),
/// one `recurrent` layer (`rnn`), `output` layers (the decoder), or the N-EM formulation.
public struct NetworkSpec: Codable, Sendable, Equatable {
    public var input: [LayerSpec]
    public var recurrent: [LayerSpec]
    public var output: [LayerSpec]
    /// N-EM: the hand-derived gradient-ascent update with tied weights instead of a learned encoder.
    public var nemFormulation: Bool
    /// R-NEM: the width of an ``Interaction`` between the components' states (RNN-EM only); nil: none,
    /// as the reference's RNN-EM.
    public var interaction: Int?

    public init(input: [LayerSpec], recurrent: [LayerSpec], output: [LayerSpec], nemFormulation: Bool = false,
                interaction: Int? = nil) {
        self.input = input
        self.recurrent = recurrent
        self.output = output
        self.nemFormulation = nemFormulation
        self.interaction = interaction
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case input, recurrent, output, nemFormulation = "use_nem_formulation", interaction
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        input = try c.decodeIfPresent([LayerSpec].self, forKey: .input) ?? []
        recurrent = try c.decode([LayerSpec].self, forKey: .recurrent)
        output = try c.decodeIfPresent([LayerSpec].self, forKey: .output) ?? []
        nemFormulation = try c.decodeIfPresent(Bool.self, forKey: .nemFormulation) ?? false
        interaction = try c.decodeIfPresent(Int.self, forKey: .interaction)
    }

    /// The same network without R-NEM's interaction.
    public var withoutInteraction: NetworkSpec {
        var plain = self
        plain.interaction = nil
        return plain
    }

    /// Builds the inner network for frames of `frameShape` (H, W, C).
    public func build(frameShape: [Int], likelihood: Likelihood, rng: inout SeededRNG) throws -> any InnerNetwork {
        guard recurrent.count == 1, recurrent[0].name == "rnn", let size = recurrent[0].size, size > 0 else {
            throw NetworkSpecError.invalidLayer(index: 0, name: recurrent.first?.name ?? "recurrent",
                                                reason: "the recurrent part must be exactly one 'rnn' layer with a positive 'size'")
        }
        if let interaction, interaction <= 0 || nemFormulation {
            throw NetworkSpecError.invalidLayer(index: 0, name: "interaction",
                                                reason: nemFormulation ? "N-EM has no interaction; it needs RNN-EM" : "'interaction' must be positive, got \(interaction)")
        }
        let pixels = frameShape.reduce(1, *)
        if nemFormulation {
            return NEMUpdateNetwork(inputSize: pixels, thetaSize: size, rng: &rng)
        }
        return try RNNEMNetwork(spec: self, inputSize: pixels, likelihood: likelihood, rng: &rng)
    }
}

/// RNN-EM: a learned encoder, the reference's recurrent cell, and a decoder, applied to the masked
/// deltas of all K components at once.
///
///     deltas (B·K, D) → encoder → (B·K, E) → RNN with θ (B·K, M) → (B·K, M) → decoder → ψ (B·K, D)
///
/// With `interaction` (R-NEM), the RNN's pre-activation also receives ``Interaction`` of the old θ.
public final class RNNEMNetwork: InnerNetwork, Sendable {
    public let encoder: Network
    public let cell: RNNCell
    public let decoder: Network
    public let interaction: Interaction?

    public init(spec: NetworkSpec, inputSize: Int, likelihood: Likelihood, rng: inout SeededRNG) throws {
        let rnn = spec.recurrent[0]
        let outputActivation: Activation = likelihood == .bernoulli ? .sigmoid : .linear
        encoder = try Network(spec: spec.input, inputShape: [inputSize], outputActivation: outputActivation,
                              prefix: "encoder", rng: &rng)
        let encoded = encoder.outputShape.reduce(1, *)
        let activation = rnn.act == nil || rnn.act == .output ? Activation.sigmoid : rnn.act!
        cell = RNNCell(inputSize: encoded, hiddenSize: rnn.size ?? 0, layerNorm: rnn.ln ?? false,
                       activation: activation, rng: &rng)
        decoder = try Network(spec: spec.output, inputShape: [cell.hiddenSize], outputActivation: outputActivation,
                              prefix: "decoder", rng: &rng)
        let thetaSize = cell.hiddenSize
        interaction = spec.interaction.map { Interaction(thetaSize: thetaSize, units: $0, rng: &rng) }
        guard decoder.outputShape.reduce(1, *) == inputSize else {
            throw NetworkSpecError.invalidLayer(index: spec.output.count - 1, name: spec.output.last?.name ?? "output",
                                                reason: "the decoder produces \(decoder.outputShape) per component, the frame has \(inputSize) values")
        }
    }

    public var thetaSize: Int { cell.hiddenSize }

    public func initialTheta(rows: Int) -> Tensor { cell.zeroState(batchSize: rows) }

    public func callAsFunction(_ deltas: Tensor, theta: Tensor, components: Int) -> (predictions: Tensor, theta: Tensor) {
        let encoded = encoder(deltas)
        let flat = encoded.rank == 2 ? encoded : encoded.reshaped([encoded.shape[0], encoded.count / encoded.shape[0]])
        let effects = interaction.map { $0(theta: theta, components: components) }
        let (output, state) = cell(flat, state: theta, added: effects)
        let decoded = decoder(output)
        return (decoded.reshaped([deltas.shape[0], deltas.shape[1]]), state)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        encoder.namedParameters + cell.namedParameters.map { ("recurrent.0." + $0.name, $0.tensor) } + decoder.namedParameters
            + (interaction?.namedParameters.map { ("interaction." + $0.name, $0.tensor) } ?? [])
    }
}
