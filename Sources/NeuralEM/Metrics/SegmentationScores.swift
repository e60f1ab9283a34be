/// Per-image scores of a batch, as the reference's `evaluate_groups` (Neural-EM `utils.py`):
/// predicted label = argmax_k γ (the first k on ties, as numpy), pixels whose true group is 0 are
/// left out, the score is computed per image and averaged over images.
public struct SegmentationScores: Sendable, Equatable {
    /// AMI normalised by max(H(U), H(V)) (the paper's scikit-learn 0.18) per image. // (B)
    public var amiMax: [Double]
    /// AMI normalised by the arithmetic mean (scikit-learn ≥ 0.22) per image. // (B)
    public var amiArithmetic: [Double]
    /// Adjusted Rand index per image. // (B)
    public var ari: [Double]
    /// Mean of max_k γ over the scored pixels per image (1 for hard labels). // (B)
    public var confidence: [Double]

    public var meanAMIMax: Double { mean(amiMax) }
    public var meanAMIArithmetic: Double { mean(amiArithmetic) }
    public var meanARI: Double { mean(ari) }
    public var meanConfidence: Double { mean(confidence) }

    /// The mean AMI under `normalization` (max or arithmetic).
    public func meanAMI(_ normalization: AMINormalization) -> Double {
        normalization == .max ? meanAMIMax : meanAMIArithmetic
    }
}

/// Scores γ against true groups for one batch.
/// - Parameters:
///   - gamma: responsibilities // (B, K, P), P = H·W pixels (γ has one channel)
///   - groups: true object ids, 0 = not scored // (B, P)
/// Images without any scored pixel get AMI = ARI = 1 (scikit-learn's value for empty labelings)
/// and confidence 0.
public func scoreGamma(gamma: [Float], groups: [Int32], batch: Int, components: Int, pixels: Int) -> SegmentationScores {
    precondition(gamma.count == batch * components * pixels, "gamma must be (B, K, P) = (\(batch), \(components), \(pixels))")
    precondition(groups.count == batch * pixels, "groups must be (B, P) = (\(batch), \(pixels))")
    var labels = [Int32](repeating: 0, count: batch * pixels)
    var confidence = [Float](repeating: 0, count: batch * pixels)
    for b in 0..<batch {
        for p in 0..<pixels {
            var best = 0
            var bestValue = gamma[b * components * pixels + p]
            for k in 1..<max(components, 1) {
                let value = gamma[(b * components + k) * pixels + p]
                if value > bestValue { best = k; bestValue = value }
            }
            labels[b * pixels + p] = Int32(best)
            confidence[b * pixels + p] = bestValue
        }
    }
    return scoreLabels(predicted: labels, groups: groups, batch: batch, pixels: pixels, confidence: confidence)
}

/// Scores predicted labels against true groups for one batch (both (B, P)); group-0 pixels are left out.
public func scoreLabels(predicted: [Int32], groups: [Int32], batch: Int, pixels: Int) -> SegmentationScores {
    scoreLabels(predicted: predicted, groups: groups, batch: batch, pixels: pixels, confidence: nil)
}

private func scoreLabels(predicted: [Int32], groups: [Int32], batch: Int, pixels: Int, confidence: [Float]?) -> SegmentationScores {
    precondition(predicted.count == batch * pixels && groups.count == batch * pixels, "labels must be (B, P) = (\(batch), \(pixels))")
    var scores = SegmentationScores(amiMax: [], amiArithmetic: [], ari: [], confidence: [])
    for b in 0..<batch {
        var truth: [Int32] = [], guess: [Int32] = []
        var confidenceSum = 0.0
        for p in b * pixels..<(b + 1) * pixels where groups[p] != 0 {
            truth.append(groups[p])
            guess.append(predicted[p])
            confidenceSum += Double(confidence?[p] ?? 1)
        }
        let terms = MutualInformationTerms(truth, guess)
        scores.amiMax.append(terms.adjusted(.max))
        scores.amiArithmetic.append(terms.adjusted(.arithmetic))
        scores.ari.append(adjustedRandIndex(truth, guess))
        scores.confidence.append(truth.isEmpty ? 0 : confidenceSum / Double(truth.count))
    }
    return scores
}

/// Scores of a sequence batch step by step, as the reference's `compute_AMI_scores`: the batch
/// mean per step, the mean over steps (all steps weigh the same, as `nem.sequential` does) and
/// the last step.
public struct SequenceScores: Sendable, Equatable {
    /// One entry per scored step.
    public var steps: [SegmentationScores]

    /// Mean over steps of the batch-mean AMI.
    public func meanAMI(_ normalization: AMINormalization) -> Double { mean(steps.map { $0.meanAMI(normalization) }) }
    /// Batch-mean AMI of the last step.
    public func lastAMI(_ normalization: AMINormalization) -> Double { steps.last?.meanAMI(normalization) ?? .nan }
    public var meanARI: Double { mean(steps.map(\.meanARI)) }
    public var lastARI: Double { steps.last?.meanARI ?? .nan }
    public var meanConfidence: Double { mean(steps.map(\.meanConfidence)) }
    public var lastConfidence: Double { steps.last?.meanConfidence ?? .nan }
}

/// Scores γ of every EM step against the groups of the frame it was computed against.
/// - Parameters:
///   - gammas: // (T, B, K, P)
///   - groups: // (T, B, P), groups[t] being the target frame of step t
///   - skipInitial: leave out step 0, the random initial γ (the reference does).
public func scoreGammaSequence(gammas: [Float], groups: [Int32], steps: Int, batch: Int, components: Int, pixels: Int,
                               skipInitial: Bool = true) -> SequenceScores {
    precondition(gammas.count == steps * batch * components * pixels, "gammas must be (T, B, K, P)")
    precondition(groups.count == steps * batch * pixels, "groups must be (T, B, P)")
    let gammaStep = batch * components * pixels, groupStep = batch * pixels
    return SequenceScores(steps: ((skipInitial ? 1 : 0)..<steps).map { t in
        scoreGamma(gamma: Array(gammas[t * gammaStep..<(t + 1) * gammaStep]), groups: Array(groups[t * groupStep..<(t + 1) * groupStep]),
                   batch: batch, components: components, pixels: pixels)
    })
}

private func mean(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count) }
