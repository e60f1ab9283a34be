// Sums and means over axes. Backward broadcasts the gradient back over the reduced axes.

/// `axes` with negatives counted from the end, checked against `rank`, sorted and unique.
func normalizedAxes(_ axes: [Int], rank: Int, op: String) -> [Int] {
    let out = axes.map { $0 < 0 ? $0 + rank : $0 }
    precondition(out.allSatisfy { (0..<rank).contains($0) }, "\(op): axes \(axes) out of range for rank \(rank)")
    precondition(Set(out).count == out.count, "\(op): repeated axis in \(axes)")
    return out.sorted()
}

/// `g` (of `shape` with 1s) stretched to `target` (no gradient recorded).
func broadcastTo<T>(_ g: TensorOf<T>, _ target: [Int]) -> TensorOf<T> {
    let out = TensorOf<T>.uninitialized(target)
    if out.count == 0 { return out }
    let loop = StridedLoop(shape: target, operandStrides: [broadcastStrides(g.shape, to: target), contiguousStrides(target)])
    T.kernels.copy(g.storage.base, out.storage.base, loop)
    return out
}

/// Sum over `axes` (negative axes count from the end); with `keepDims` the reduced axes stay as 1s.
public func sum<T>(_ x: TensorOf<T>, axes: [Int], keepDims: Bool = false) -> TensorOf<T> {
    let axes = normalizedAxes(axes, rank: x.rank, op: "sum")
    var kept = x.shape
    for a in axes { kept[a] = 1 }
    let reduced = sumToShape(x, kept)
    let result = reduced === x ? x.copy() : reduced
    let shape = keepDims ? kept : x.shape.indices.filter { !axes.contains($0) }.map { x.shape[$0] }
    let out = TensorOf<T>(shape: shape, storage: result.storage)
    guard recordsGradient(x) else { return out }
    return out.recorded("sum", [x]) { g, _ in
        [broadcastTo(TensorOf<T>(shape: kept, storage: g.storage), x.shape)]
    }
}

/// Sum of all elements, as a rank-0 tensor.
public func sum<T>(_ x: TensorOf<T>) -> TensorOf<T> { sum(x, axes: Array(0..<x.rank)) }

/// Mean over `axes`.
public func mean<T>(_ x: TensorOf<T>, axes: [Int], keepDims: Bool = false) -> TensorOf<T> {
    let n = normalizedAxes(axes, rank: x.rank, op: "mean").reduce(1) { $0 * x.shape[$1] }
    return sum(x, axes: axes, keepDims: keepDims) * T(1 / Double(n))
}

/// Mean of all elements, as a rank-0 tensor.
public func mean<T>(_ x: TensorOf<T>) -> TensorOf<T> { sum(x) * T(1 / Double(Swift.max(1, x.count))) }
