import Foundation

/// How AMI normalises by the two labelings' entropies (scikit-learn's `average_method`).
public enum AMINormalization: String, CaseIterable, Sendable {
    /// max(H(U), H(V)): scikit-learn < 0.22 and so the paper's numbers.
    case max
    /// (H(U) + H(V)) / 2: scikit-learn's default since 0.22.
    case arithmetic
    case geometric
    case min
}

/// Adjusted mutual information of two labelings, exactly as scikit-learn's
/// `adjusted_mutual_info_score(labels_true, labels_pred, average_method=…)` computes it:
/// (MI − E[MI]) / (mean(H(U), H(V)) − E[MI]), with the exact expected mutual information under
/// the hypergeometric model. Both labelings a single cluster (or both empty) → 1.0; only one of
/// them a single cluster → 0.0.
public func adjustedMutualInformation<A: Hashable & Comparable, B: Hashable & Comparable>(
    _ labelsTrue: [A], _ labelsPred: [B], normalization: AMINormalization = .arithmetic
) -> Double {
    MutualInformationTerms(labelsTrue, labelsPred).adjusted(normalization)
}

/// MI, E[MI] and the two entropies of a pair of labelings: computed once, normalised any way.
struct MutualInformationTerms {
    /// nil when scikit-learn's special cases decide the score without them.
    private let special: Double?
    let mutualInformation: Double
    let expectedMutualInformation: Double
    let entropyTrue: Double
    let entropyPred: Double

    init<A: Hashable & Comparable, B: Hashable & Comparable>(_ labelsTrue: [A], _ labelsPred: [B]) {
        let table = ContingencyTable(labelsTrue, labelsPred)
        let classes = table.rowSums.count, clusters = table.columnSums.count
        if (classes == 1 && clusters == 1) || (classes == 0 && clusters == 0) {
            special = 1.0
        } else if classes == 1 || clusters == 1 {
            special = 0.0
        } else {
            special = nil
        }
        guard special == nil else {
            (mutualInformation, expectedMutualInformation, entropyTrue, entropyPred) = (0, 0, 0, 0)
            return
        }
        mutualInformation = Self.mutualInformation(table)
        expectedMutualInformation = Self.expectedMutualInformation(table)
        entropyTrue = Self.entropy(table.rowSums)
        entropyPred = Self.entropy(table.columnSums)
    }

    /// AMI with the given normalisation, clamping as scikit-learn does so that a perfect match
    /// (normaliser = E[MI]) gives ±eps/eps rather than 0/0.
    func adjusted(_ normalization: AMINormalization) -> Double {
        if let special { return special }
        let (u, v) = (entropyTrue, entropyPred)
        let normalizer: Double
        switch normalization {
        case .max: normalizer = Swift.max(u, v)
        case .arithmetic: normalizer = (u + v) / 2
        case .geometric: normalizer = (u * v).squareRoot()
        case .min: normalizer = Swift.min(u, v)
        }
        let eps = Double.ulpOfOne
        func awayFromZero(_ x: Double) -> Double { x < 0 ? Swift.min(x, -eps) : Swift.max(x, eps) }
        return awayFromZero(mutualInformation - expectedMutualInformation) / awayFromZero(normalizer - expectedMutualInformation)
    }

    /// `mutual_info_score` on the sparse table: Σ n_ij/n · (log n_ij − log n + log n + log n − log a_i b_j),
    /// terms below eps in magnitude set to 0, the sum clipped at 0.
    static func mutualInformation(_ table: ContingencyTable) -> Double {
        let n = Double(table.samples)
        let logN = log(n)
        let terms = table.cells.map { cell -> Double in
            let p = Double(cell.count) / n
            let logOuter = -log(Double(table.rowSums[cell.row] * table.columnSums[cell.column])) + logN + logN
            let term = p * (log(Double(cell.count)) - logN) + p * logOuter
            return abs(term) < Double.ulpOfOne ? 0 : term
        }
        return Swift.max(pairwiseSum(terms[...]), 0)
    }

    /// `expected_mutual_information` (scikit-learn's `_expected_mutual_info_fast.pyx`): the sum over
    /// cells and feasible n_ij of n_ij/N · log(N·n_ij / a_i b_j) · P(n_ij), the hypergeometric
    /// probability evaluated through log-gamma terms.
    static func expectedMutualInformation(_ table: ContingencyTable) -> Double {
        let a = table.rowSums, b = table.columnSums
        guard a.count > 1, b.count > 1 else { return 0 }
        let n = table.samples
        let largest = Swift.max(a.max()!, b.max()!)
        // logFactorial[k] = lgamma(k + 1) for 0 ≤ k ≤ n.
        let logFactorial: [Double] = (0...n).map { k -> Double in lgamma(Double(k) + 1) }
        let logN = log(Double(n))
        let logA = a.map { log(Double($0)) }, logB = b.map { log(Double($0)) }
        let logNnij = (0...largest).map { logN + log(Double(Swift.max($0, 1))) }
        var emi = 0.0
        for i in a.indices {
            for j in b.indices {
                let start = Swift.max(1, a[i] - n + b[j]), end = Swift.min(a[i], b[j])
                guard start <= end else { continue }
                        let numerator = logFactorial[a[i]] + logFactorial[b[j]] + logFactorial[n - a[i]] + logFactorial[n - b[j]]
                for nij in start...end {
                    let term2 = logNnij[nij] - logA[i] - logB[j]
                    // Same association as scikit-learn: numerator − (lgamma(nij+1) + lgamma(N+1)) − … term by term.
                    var gln = numerator - (logFactorial[nij] + logFactorial[n])
                    gln -= logFactorial[a[i] - nij]
                    gln -= logFactorial[b[j] - nij]
                    gln -= logFactorial[n - a[i] - b[j] + nij]
                    emi += Double(nij) / Double(n) * term2 * exp(gln)
                }
            }
        }
        return emi
    }

    /// `_entropy`: −Σ p_i (log c_i − log Σc) over the label counts; one label → 0.
    static func entropy(_ counts: [Int]) -> Double {
        if counts.isEmpty { return 1.0 }
        if counts.count == 1 { return 0.0 }
        let total = Double(counts.reduce(0, +))
        let logTotal = log(total)
        return -pairwiseSum(counts.map { Double($0) / total * (log(Double($0)) - logTotal) }[...])
    }

    /// numpy's pairwise summation (`np.sum` of a contiguous float64 array), so sums round as scikit-learn's do:
    /// below 8 terms a plain loop; up to 128, eight interleaved partial sums combined as a tree; beyond, halves.
    static func pairwiseSum(_ x: ArraySlice<Double>) -> Double {
        let n = x.count, s = x.startIndex
        if n < 8 {
            return x.reduce(0, +)
        } else if n <= 128 {
            var r = Array(x[s..<s + 8])
            var i = 8
            while i < n - n % 8 {
                for k in 0..<8 { r[k] += x[s + i + k] }
                i += 8
            }
            var result = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n { result += x[s + i]; i += 1 }
            return result
        } else {
            var half = n / 2
            half -= half % 8
            return pairwiseSum(x[s..<s + half]) + pairwiseSum(x[(s + half)...])
        }
    }
}
