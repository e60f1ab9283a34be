import Autodiff

/// How much each EM step's loss counts: only the last (static data) or all equally (sequences),
/// or explicit weights.
public enum StepWeights: Codable, Sendable, Equatable {
    case last
    case all
    case explicit([Float])

    /// One weight per step.
    public func weights(steps: Int) -> [Float] {
        switch self {
        case .last: return (0..<steps).map { $0 == steps - 1 ? 1 : 0 }
        case .all: return [Float](repeating: 1, count: steps)
        case .explicit(let w): return w
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let name = try? container.decode(String.self) {
            switch name {
            case "last": self = .last
            case "all": self = .all
            default:
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected last, all or a list of weights, got \(name)")
            }
        } else {
            self = .explicit(try container.decode([Float].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .last: try container.encode("last")
        case .all: try container.encode("all")
        case .explicit(let w): try container.encode(w)
        }
    }
}

/// Everything an unrolled run of EM steps produced.
public struct Rollout {
    /// Σ_t w_t · loss_t, the training objective (a scalar tensor on the tape).
    public let loss: Tensor
    /// Per step: (total, intra, inter), unweighted, as plain numbers.
    public let stepLosses: [(total: Float, intra: Float, inter: Float)]
    /// γ before step 1 (γ₀, or γ after the warm-up steps): (B, K, H, W, 1).
    public let startGamma: Tensor
    /// γ after each step t = 1…T: (B, K, H, W, 1) each.
    public let gammas: [Tensor]
    /// ψ after each step: (B, K, H, W, C) each.
    public let predictions: [Tensor]
    /// The state after the last step.
    public let finalState: EMState
    /// Per step, the γ that weighs that step's ψ in the next-step prediction, when it is not the previous
    /// step's γ (``Hypotheses``, where the run that leads may change between steps); nil: the previous step's.
    public var mixingGammas: [Tensor]? = nil
}

extension NEMCell {
    /// Runs T = `frames.count − 1` EM steps: step t reads the (noisy) input x̃_t and is scored against
    /// the clean target x_{t+1} (next-step prediction; for static data the frames are one image tiled).
    /// - Parameters:
    ///   - inputs: T + 1 noisy frames, each (B, 1, H, W, C)
    ///   - targets: T + 1 clean frames, each (B, 1, H, W, C)
    ///   - components: K
    ///   - stepWeights: the loss weight of each of the T steps
    ///   - warmupSteps: steps on frame 0 alone (input x̃₀, target x₀) before the T steps, default the cell's;
    ///     their losses count with the first step's weight, their γ are not in ``Rollout/gammas``
    public func unroll(inputs: [Tensor], targets: [Tensor], components: Int, stepWeights: [Float],
                       loss settings: LossSettings, rng: inout SeededRNG,
                       initialState: EMState? = nil, warmupSteps: Int? = nil) -> Rollout {
        let steps = inputs.count - 1
        precondition(targets.count == inputs.count && stepWeights.count == steps,
                      "unroll: \(inputs.count) inputs, \(targets.count) targets and \(stepWeights.count) weights for \(steps) steps")
        var state = initialState ?? self.initialState(firstInput: inputs[0], components: components, rng: &rng)
        var total: Tensor?
        func add(_ loss: Tensor, weight: Float) {
            guard weight != 0 else { return }
            let weighted = weight == 1 ? loss : loss * weight
            total = total.map { $0 + weighted } ?? weighted
        }
        for _ in 0..<(warmupSteps ?? self.warmupSteps) {
            state = self(input: inputs[0], target: targets[0], state: state)
            add(outerLoss(predictions: state.predictions, gamma: state.gamma, target: targets[0],
                          likelihood: likelihood, settings: settings).total, weight: stepWeights[0])
        }
        let startGamma = state.gamma
        var stepLosses: [(total: Float, intra: Float, inter: Float)] = []
        var gammas: [Tensor] = [], predictions: [Tensor] = []
        for t in 0..<steps {
            state = self(input: inputs[t], target: targets[t + 1], state: state)
            let loss = outerLoss(predictions: state.predictions, gamma: state.gamma, target: targets[t + 1],
                                 likelihood: likelihood, settings: settings)
            stepLosses.append((loss.total.scalar, loss.intra.scalar, loss.inter.scalar))
            add(loss.total, weight: stepWeights[t])
            gammas.append(state.gamma)
            predictions.append(state.predictions)
        }
        return Rollout(loss: total ?? Tensor(0), stepLosses: stepLosses, startGamma: startGamma, gammas: gammas,
                       predictions: predictions, finalState: state)
    }
}
