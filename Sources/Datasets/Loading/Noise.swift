import Autodiff

/// The reference's input noise (`add_noise` in Neural-EM's nem.py), applied to the network's input
/// only; the clean frames stay the targets.
public enum NoiseModel: Sendable, Equatable {
    case none
    /// Each pixel flips (x ↦ 1 − x) with probability p: for binary data.
    case bitflip(probability: Float)
    /// Each pixel is replaced by U(0, 1) with probability p: for grey data.
    case maskedUniform(probability: Float)

    /// The reference's choice ("data" noise): bitflip for binary data, masked uniform for grey, p = 0.2.
    public static func reference(binary: Bool, probability: Float = 0.2) -> NoiseModel {
        binary ? .bitflip(probability: probability) : .maskedUniform(probability: probability)
    }

    /// Corrupts `features` with fresh draws from `rng`.
    public func apply(to features: [Float], rng: inout SeededRNG) -> [Float] {
        switch self {
        case .none:
            return features
        case .bitflip(let p):
            // data XOR n for binary data: x + n − 2·x·n.
            return features.map { x in rng.nextFloat() < p ? 1 - x : x }
        case .maskedUniform(let p):
            return features.map { x in
                let masked = rng.nextFloat() < p
                let u = rng.nextFloat()
                return masked ? u : x
            }
        }
    }
}

/// A noise model with its own seeded stream: every call draws fresh noise, reproducibly for a seed.
public struct NoiseSource: Sendable {
    public let model: NoiseModel
    private var rng: SeededRNG

    public init(model: NoiseModel, seed: UInt64) {
        self.model = model
        rng = SeededRNG.derived(seed: seed, stream: 0x4E01_5E)
    }

    /// Fresh noise on `features` (any layout; applied per element).
    public mutating func corrupt(_ features: [Float]) -> [Float] { model.apply(to: features, rng: &rng) }
}
