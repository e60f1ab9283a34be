// Matrix products through BLAS gemm, and the fused affine map of a fully connected layer.

/// C = op(A)·op(B) into a new matrix, no gradient recorded. `a` is (M, K) or, transposed, (K, M).
func gemm<T>(_ a: TensorOf<T>, _ b: TensorOf<T>, transposeA: Bool, transposeB: Bool,
             accumulatingInto c: TensorOf<T>? = nil) -> TensorOf<T> {
    let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    precondition(k == k2, "matmul of \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : ""): inner extents \(k) and \(k2) differ")
    let out = c ?? TensorOf<T>.uninitialized([m, n])
    if m == 0 || n == 0 { return out }
    if k == 0 {
        if c == nil { T.kernels.fill(out.storage.base, 0, out.count) }
        return out
    }
    if !transposeB, m <= FewRows.maximumRowsWithHalfCopy, n * k >= FewRows.minimumMatrixSize, let half = b.halfPrecisionCopy {
        // Only Float tensors hold a binary16 copy, so T is Float here.
        half.product(m: m, k: k, transposeA: transposeA, alpha: 1,
                     a: UnsafeRawPointer(a.storage.base).assumingMemoryBound(to: Float.self), lda: Swift.max(1, a.shape[1]),
                     beta: c == nil ? 0 : 1, c: UnsafeMutableRawPointer(out.storage.base).assumingMemoryBound(to: Float.self))
        return out
    }
    T.kernels.gemm(transposeA, transposeB, m, n, k, 1, a.storage.base, Swift.max(1, a.shape[1]),
                   b.storage.base, Swift.max(1, b.shape[1]), c == nil ? 0 : 1, out.storage.base, n)
    return out
}

/// The matrix product op(a)·op(b) of two rank-2 tensors (cblas ?gemm).
public func matmul<T>(_ a: TensorOf<T>, _ b: TensorOf<T>, transposeA: Bool = false, transposeB: Bool = false) -> TensorOf<T> {
    precondition(a.rank == 2 && b.rank == 2, "matmul of shapes \(a.shape) and \(b.shape): both must be matrices")
    let out = gemm(a, b, transposeA: transposeA, transposeB: transposeB)
    guard recordsGradient(a, b) else { return out }
    return out.recorded("matmul", [a, b]) { g, _ in
        // C = op(A)·op(B): dop(A) = G·op(B)ᵀ, dop(B) = op(A)ᵀ·G, transposed back where A or B was.
        let da: TensorOf<T>? = !a.requiresGrad ? nil
            : transposeA ? gemm(b, g, transposeA: transposeB, transposeB: true)
                         : gemm(g, b, transposeA: false, transposeB: !transposeB)
        let db: TensorOf<T>? = !b.requiresGrad ? nil
            : transposeB ? gemm(g, a, transposeA: true, transposeB: transposeA)
                         : gemm(a, g, transposeA: !transposeA, transposeB: false)
        return [da, db]
    }
}

/// x·W + b for x (M, K), W (K, N) and b (N): the bias is written first and gemm adds onto it,
/// so the fully connected layer makes one pass over its output.
public func affine<T>(_ x: TensorOf<T>, _ weight: TensorOf<T>, _ bias: TensorOf<T>?) -> TensorOf<T> {
    precondition(x.rank == 2 && weight.rank == 2 && x.shape[1] == weight.shape[0],
                 "affine of input \(x.shape) with weight \(weight.shape): expected (M, K) and (K, N)")
    let n = weight.shape[1]
    var out: TensorOf<T>
    if let bias {
        precondition(bias.shape == [n], "affine bias of shape \(bias.shape) for \(n) outputs")
        out = broadcastTo(bias, [x.shape[0], n])
        out = gemm(x, weight, transposeA: false, transposeB: false, accumulatingInto: out)
    } else {
        out = gemm(x, weight, transposeA: false, transposeB: false)
    }
    let inputs = [x, weight] + (bias.map { [$0] } ?? [])
    guard recordsGradient(inputs) else { return out }
    return out.recorded("affine", inputs) { g, _ in
        let dx = x.requiresGrad ? gemm(g, weight, transposeA: false, transposeB: true) : nil
        let dw = weight.requiresGrad ? gemm(x, g, transposeA: true, transposeB: false) : nil
        guard let bias else { return [dx, dw] }
        return [dx, dw, bias.requiresGrad ? sumToShape(g, [1, n]).reshapedValue([n]) : nil]
    }
}

extension TensorOf {
    /// The same storage with another shape, no gradient recorded.
    func reshapedValue(_ shape: [Int]) -> TensorOf { TensorOf(shape: shape, storage: storage) }
}
