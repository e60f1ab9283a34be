/// The order of `candidate`'s components that overlaps `reference` most: the result r has
/// candidate component r[k] play reference component k, maximising Σ_k Σ_p reference[k, p] · candidate[r[k], p].
/// Exhaustive over the K! orders for K ≤ 7, greedy (largest overlap first) above. Both γ are (K, P).
/// The tracker uses it to keep each object's colour when the run that labels the frames changes.
func matchedOrder(reference: [Float], candidate: [Float], components k: Int) -> [Int] {
    let pixels = reference.count / max(k, 1)
    precondition(reference.count == k * pixels && candidate.count == reference.count, "matchedOrder: γ must both be (K, P)")
    // overlap[i][j] = Σ_p reference[i, p] · candidate[j, p]
    let overlap = (0..<k).map { i in
        (0..<k).map { j in
            var s: Float = 0
            for p in 0..<pixels { s += reference[i * pixels + p] * candidate[j * pixels + p] }
            return s
        }
    }
    if k <= 7 {
        var best = Array(0..<k), bestScore = -Float.infinity
        var order = Array(0..<k)
        func visit(_ position: Int, _ score: Float) {
            if position == k {
                if score > bestScore { bestScore = score; best = order }
                return
            }
            for i in position..<k {
                order.swapAt(position, i)
                visit(position + 1, score + overlap[position][order[position]])
                order.swapAt(position, i)
            }
        }
        visit(0, 0)
        return best
    }
    var order = [Int](repeating: -1, count: k), taken = Set<Int>()
    let pairs = (0..<k).flatMap { i in (0..<k).map { j in (i, j) } }.sorted { overlap[$0.0][$0.1] > overlap[$1.0][$1.1] }
    for (i, j) in pairs where order[i] < 0 && !taken.contains(j) {
        order[i] = j
        taken.insert(j)
    }
    return order
}

/// Rows of a (K, P) array in `order`: row k of the result is row order[k] of `values`.
func reordered(_ values: [Float], order: [Int]) -> [Float] {
    let row = values.count / max(order.count, 1)
    var out = [Float](repeating: 0, count: values.count)
    for (k, source) in order.enumerated() {
        for p in 0..<row { out[k * row + p] = values[source * row + p] }
    }
    return out
}
