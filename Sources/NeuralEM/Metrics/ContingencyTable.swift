/// The contingency table of two labelings, as scikit-learn's `contingency_matrix(sparse=True)`:
/// rows are the sorted distinct true labels, columns the sorted distinct predicted labels,
/// and only non-zero cells are kept, in row-major order.
struct ContingencyTable {
    /// Samples: n.
    let samples: Int
    /// Row sums a_i (sizes of the true classes), by sorted label.
    let rowSums: [Int]
    /// Column sums b_j (sizes of the predicted clusters), by sorted label.
    let columnSums: [Int]
    /// Non-zero cells (i, j, n_ij) in row-major order.
    let cells: [(row: Int, column: Int, count: Int)]

    init<A: Hashable & Comparable, B: Hashable & Comparable>(_ labelsTrue: [A], _ labelsPred: [B]) {
        precondition(labelsTrue.count == labelsPred.count,
                     "labelings must have the same length, got \(labelsTrue.count) and \(labelsPred.count)")
        let classes = Self.denseIndex(labelsTrue), clusters = Self.denseIndex(labelsPred)
        samples = labelsTrue.count
        var rowSums = [Int](repeating: 0, count: classes.count)
        var columnSums = [Int](repeating: 0, count: clusters.count)
        var counts: [Int: Int] = [:]
        for (a, b) in zip(labelsTrue, labelsPred) {
            let i = classes.index[a]!, j = clusters.index[b]!
            rowSums[i] += 1
            columnSums[j] += 1
            counts[i * clusters.count + j, default: 0] += 1
        }
        self.rowSums = rowSums
        self.columnSums = columnSums
        cells = counts.keys.sorted().map { ($0 / clusters.count, $0 % clusters.count, counts[$0]!) }
    }

    /// Distinct labels in sorted order (as `np.unique`) and each label's position.
    private static func denseIndex<L: Hashable & Comparable>(_ labels: [L]) -> (count: Int, index: [L: Int]) {
        let sorted = Array(Set(labels)).sorted()
        return (sorted.count, Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, $0) }))
    }
}
