/// Adjusted Rand index of two labelings, exactly as scikit-learn's `adjusted_rand_score`:
/// from the pair confusion matrix (tn, fp; fn, tp),
/// ARI = 2(tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)), and 1.0 when fn = fp = 0
/// (identical partitions, a single sample, or no samples).
public func adjustedRandIndex<A: Hashable & Comparable, B: Hashable & Comparable>(_ labelsTrue: [A], _ labelsPred: [B]) -> Double {
    let table = ContingencyTable(labelsTrue, labelsPred)
    let n = table.samples
    var sumSquares = 0, weightedByColumns = 0, weightedByRows = 0
    for cell in table.cells {
        sumSquares += cell.count * cell.count
        weightedByColumns += cell.count * table.columnSums[cell.column]
        weightedByRows += cell.count * table.rowSums[cell.row]
    }
    let tp = sumSquares - n
    let fp = weightedByColumns - sumSquares
    let fn = weightedByRows - sumSquares
    let tn = n * n - fp - fn - sumSquares
    if fn == 0 && fp == 0 { return 1.0 }
    // The products reach n⁴ (beyond Int64 from n ≈ 55,000); scikit-learn uses Python integers.
    if #available(macOS 15, *) {
        let (tp, fp, fn, tn) = (Int128(tp), Int128(fp), Int128(fn), Int128(tn))
        return 2.0 * Double(tp * tn - fn * fp) / Double((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))
    } else {
        let (tp, fp, fn, tn) = (Double(tp), Double(fp), Double(fn), Double(tn))
        return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))
    }
}
