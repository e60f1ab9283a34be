// Elementwise + − × ÷ of two tensors, broadcasting NumPy-style: shapes are aligned on the right
// and an axis of extent 1 (or a missing one) stretches to the other operand's extent. The backward
// pass sums each gradient over the axes its operand was stretched along.

/// The broadcast shape of `a` and `b`, or nil when they are incompatible.
func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    var out = Array(repeating: 1, count: rank)
    for d in 0..<rank {
        let x = d - (rank - a.count) >= 0 ? a[d - (rank - a.count)] : 1
        let y = d - (rank - b.count) >= 0 ? b[d - (rank - b.count)] : 1
        guard x == y || x == 1 || y == 1 else { return nil }
        out[d] = x == 1 ? y : x
    }
    return out
}

/// a ⊕ b with broadcasting, no gradient recorded.
func broadcastBinary<T>(_ op: BinaryOp, _ a: TensorOf<T>, _ b: TensorOf<T>, shape: [Int]) -> TensorOf<T> {
    let out = TensorOf<T>.uninitialized(shape)
    let loop = StridedLoop(shape: shape, operandStrides: [broadcastStrides(a.shape, to: shape),
                                                          broadcastStrides(b.shape, to: shape),
                                                          contiguousStrides(shape)])
    T.kernels.binary(op, a.storage.base, b.storage.base, out.storage.base, loop)
    return out
}

/// `g` (of a broadcast shape) summed down to `shape`; `g` itself when nothing was broadcast.
func sumToShape<T>(_ g: TensorOf<T>, _ shape: [Int]) -> TensorOf<T> {
    if g.shape == shape { return g }
    let out = TensorOf<T>.zeros(shape)
    if out.count == 0 { return out }
    let loop = StridedLoop(shape: g.shape, operandStrides: [contiguousStrides(g.shape), broadcastStrides(shape, to: g.shape)])
    T.kernels.accumulate(g.storage.base, out.storage.base, loop)
    return out
}

private func binary<T>(_ op: BinaryOp, _ symbol: String, _ a: TensorOf<T>, _ b: TensorOf<T>) -> TensorOf<T> {
    guard let shape = broadcastShape(a.shape, b.shape) else {
        preconditionFailure("\(symbol): shapes \(a.shape) and \(b.shape) do not broadcast")
    }
    let out = broadcastBinary(op, a, b, shape: shape)
    guard recordsGradient(a, b) else { return out }
    return out.recorded(symbol, [a, b]) { g, out in
        let needA = a.requiresGrad, needB = b.requiresGrad
        switch op {
        case .add:
            return [needA ? sumToShape(g, a.shape) : nil, needB ? sumToShape(g, b.shape) : nil]
        case .sub:
            return [needA ? sumToShape(g, a.shape) : nil, needB ? sumToShape(-g.detached(), b.shape) : nil]
        case .mul:
            return [needA ? sumToShape(broadcastBinary(.mul, g, b, shape: shape), a.shape) : nil,
                    needB ? sumToShape(broadcastBinary(.mul, g, a, shape: shape), b.shape) : nil]
        case .div:
            // d(a/b)/db = −(a/b)/b = −out/b.
            let db: TensorOf<T>? = needB
                ? sumToShape(-broadcastBinary(.div, broadcastBinary(.mul, g, out, shape: shape), b, shape: shape), b.shape)
                : nil
            return [needA ? sumToShape(broadcastBinary(.div, g, b, shape: shape), a.shape) : nil, db]
        }
    }
}

extension TensorOf {
    public static func + (a: TensorOf, b: TensorOf) -> TensorOf { binary(.add, "+", a, b) }
    public static func - (a: TensorOf, b: TensorOf) -> TensorOf { binary(.sub, "-", a, b) }
    public static func * (a: TensorOf, b: TensorOf) -> TensorOf { binary(.mul, "*", a, b) }
    public static func / (a: TensorOf, b: TensorOf) -> TensorOf { binary(.div, "/", a, b) }
}
