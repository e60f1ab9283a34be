import Autodiff

// MARK: - The vote of the best runs (`restart_vote`)

/// The γ that labels each sequence's frame when M runs vote (``ModelConfig/restartVote``): the leader and the
/// M − 1 runs that explain the frame next best, each run's components first put in the leader's order (the
/// order with the largest overlap, ``matchedOrder(reference:candidate:components:)``, as the tracker keeps its
/// colours), then averaged. The runs' own states are untouched; only the labels change. For evaluation and
/// tracking.
/// - Parameters:
///   - gamma: every run's γ against the frame, sequence-major: (B·R, K, H, W, 1)
///   - scores: every run's classification log-likelihood of the frame, B·R
///   - leaders: per sequence, the leading run r (0..<R)
///   - runs: R
///   - voters: M (at most R vote)
/// - Returns: (B, K, H, W, 1)
func votedGamma(_ gamma: Tensor, scores: [Double], leaders: [Int], runs: Int, voters: Int) -> Tensor {
    let sequences = leaders.count, components = gamma.shape[1]
    let values = gamma.scalars, size = values.count / (sequences * runs)
    func run(_ b: Int, _ r: Int) -> [Float] { Array(values[(b * runs + r) * size..<(b * runs + r + 1) * size]) }
    return Tensor(shape: [sequences] + Array(gamma.shape.dropFirst())) { out in
        for b in 0..<sequences {
            let leader = run(b, leaders[b])
            let others = (0..<runs).filter { $0 != leaders[b] }.sorted { scores[b * runs + $0] > scores[b * runs + $1] }
            var total = leader
            for r in others.prefix(max(voters, 1) - 1) {
                let candidate = run(b, r)
                let aligned = reordered(candidate, order: matchedOrder(reference: leader, candidate: candidate, components: components))
                for i in 0..<size { total[i] += aligned[i] }
            }
            let count = Float(min(max(voters, 1), runs))
            for i in 0..<size { out[b * size + i] = total[i] / count }
        }
    }
}
