// Elementwise loops: forward and backward of every UnaryOp side by side, broadcast binary ops,
// strided accumulation (reductions, broadcast gradients) and strided copies (permute, broadcast).

@inline(__always)
func sigmoidValue<T: KernelScalar>(_ x: T) -> T {
    // Stable for both signs (never exponentiates a large positive number), and branch-free.
    let e = T.expValue(-Swift.abs(x))
    let s = 1 / (1 + e)
    return x >= 0 ? s : e * s
}

func unaryKernel<T: KernelScalar>(_ op: UnaryOp, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
    parallelChunks(n, minimumPerThread: elementwiseGrain) { range in
        unaryRun(op, x + range.lowerBound, y + range.lowerBound, range.count)
    }
}

@inline(__always)
private func unaryRun<T: KernelScalar>(_ op: UnaryOp, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
    switch op {
    case .neg: for i in 0..<n { y[i] = -x[i] }
    case .exp: for i in 0..<n { y[i] = T.expValue(x[i]) }
    case .log: for i in 0..<n { y[i] = T.logValue(x[i]) }
    case .sigmoid: for i in 0..<n { y[i] = sigmoidValue(x[i]) }
    case .tanh: for i in 0..<n { y[i] = T.tanhValue(x[i]) }
    case .relu: for i in 0..<n { y[i] = x[i] > 0 ? x[i] : 0 }
    case .elu: for i in 0..<n { let v = x[i], e = T.expValue(Swift.min(v, 0)) - 1; y[i] = v > 0 ? v : e }
    case .square: for i in 0..<n { y[i] = x[i] * x[i] }
    case .abs: for i in 0..<n { y[i] = Swift.abs(x[i]) }
    case .sqrt: for i in 0..<n { y[i] = x[i].squareRoot() }
    case let .clip(lo, hi):
        let l = T(lo), h = T(hi)
        for i in 0..<n { y[i] = Swift.min(Swift.max(x[i], l), h) }
    case let .affine(scale, shift):
        let a = T(scale), b = T(shift)
        for i in 0..<n { y[i] = a * x[i] + b }
    case let .reciprocal(scale):
        let a = T(scale)
        for i in 0..<n { y[i] = a / x[i] }
    }
}

func unaryBackwardKernel<T: KernelScalar>(_ op: UnaryOp, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>,
                                          _ dy: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>, _ n: Int) {
    parallelChunks(n, minimumPerThread: elementwiseGrain) { r in
        let o = r.lowerBound
        unaryBackwardRun(op, x + o, y + o, dy + o, dx + o, r.count)
    }
}

@inline(__always)
private func unaryBackwardRun<T: KernelScalar>(_ op: UnaryOp, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>,
                                               _ dy: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>, _ n: Int) {
    switch op {
    case .neg: for i in 0..<n { dx[i] = -dy[i] }
    case .exp: for i in 0..<n { dx[i] = dy[i] * y[i] }
    case .log: for i in 0..<n { dx[i] = dy[i] / x[i] }
    case .sigmoid: for i in 0..<n { dx[i] = dy[i] * y[i] * (1 - y[i]) }
    case .tanh: for i in 0..<n { dx[i] = dy[i] * (1 - y[i] * y[i]) }
    // Both operands are loaded unconditionally so the selects vectorise.
    case .relu: for i in 0..<n { let g = dy[i]; dx[i] = x[i] > 0 ? g : 0 }
    case .elu: for i in 0..<n { dx[i] = dy[i] * Swift.min(y[i] + 1, 1) }  // 1 for x > 0, e^x otherwise
    case .square: for i in 0..<n { dx[i] = 2 * x[i] * dy[i] }
    case .abs: for i in 0..<n { let g = dy[i], v = x[i]; dx[i] = v > 0 ? g : (v < 0 ? -g : 0) }
    case .sqrt: for i in 0..<n { dx[i] = dy[i] / (2 * y[i]) }
    case let .clip(lo, hi):
        let l = T(lo), h = T(hi)
        for i in 0..<n { let g = dy[i], v = x[i]; dx[i] = v >= l && v <= h ? g : 0 }
    case let .affine(scale, _):
        let a = T(scale)
        for i in 0..<n { dx[i] = a * dy[i] }
    case .reciprocal:
        for i in 0..<n { dx[i] = -dy[i] * y[i] / x[i] }
    }
}

@inline(__always)
func apply<T: KernelScalar>(_ op: BinaryOp, _ a: T, _ b: T) -> T {
    switch op {
    case .add: return a + b
    case .sub: return a - b
    case .mul: return a * b
    case .div: return a / b
    }
}

func binaryKernel<T: KernelScalar>(_ op: BinaryOp, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                                   _ out: UnsafeMutablePointer<T>, _ loop: StridedLoop) {
    let sa = loop.innerStride(0), sb = loop.innerStride(1), so = loop.innerStride(2)
    // One specialised inner loop per common stride pattern; the switch hoists `op` out of it.
    @inline(__always) func run(_ op: BinaryOp) {
        loop.parallelForEachRun { oa, ob, oo, n in
            let pa = a + oa, pb = b + ob, po = out + oo
            if sa == 1 && sb == 1 && so == 1 {
                for i in 0..<n { po[i] = apply(op, pa[i], pb[i]) }
            } else if sa == 1 && sb == 0 && so == 1 {
                let v = pb[0]
                for i in 0..<n { po[i] = apply(op, pa[i], v) }
            } else if sa == 0 && sb == 1 && so == 1 {
                let v = pa[0]
                for i in 0..<n { po[i] = apply(op, v, pb[i]) }
            } else {
                for i in 0..<n { po[i * so] = apply(op, pa[i * sa], pb[i * sb]) }
            }
        }
    }
    switch op {
    case .add: run(.add)
    case .sub: run(.sub)
    case .mul: run(.mul)
    case .div: run(.div)
    }
}

func accumulateKernel<T: KernelScalar>(_ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>, _ loop: StridedLoop) {
    let ss = loop.innerStride(0), sd = loop.innerStride(1)
    // Threads may split the outermost dimension only where it indexes distinct destinations.
    @inline(__always) func run(_ os: Int, _ od: Int, _ n: Int) {
        let ps = src + os, pd = dst + od
        if sd == 0 {
            pd[0] += ss == 1 ? contiguousSum(ps, n) : (0..<n).reduce(0) { $0 + ps[$1 * ss] }
        } else if ss == 1 && sd == 1 {
            for i in 0..<n { pd[i] += ps[i] }
        } else {
            for i in 0..<n { pd[i * sd] += ps[i * ss] }
        }
    }
    if loop.strides[1][0] != 0 {
        loop.parallelForEachRun { os, od, _, n in run(os, od, n) }
    } else {
        loop.forEachRun { os, od, _, n in run(os, od, n) }
    }
}

func copyKernel<T: KernelScalar>(_ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>, _ loop: StridedLoop) {
    let ss = loop.innerStride(0), sd = loop.innerStride(1)
    loop.parallelForEachRun { os, od, _, n in
        let ps = src + os, pd = dst + od
        if ss == 1 && sd == 1 {
            pd.update(from: ps, count: n)
        } else if ss == 0 {
            let v = ps[0]
            for i in 0..<n { pd[i * sd] = v }
        } else {
            for i in 0..<n { pd[i * sd] = ps[i * ss] }
        }
    }
}

/// Σ p[0..<n] with eight interleaved partial sums: vectorisable, and each partial sum adds only
/// n/8 terms, so Float sums of long runs stay accurate.
@inline(__always)
func contiguousSum<T: KernelScalar>(_ p: UnsafePointer<T>, _ n: Int) -> T {
    var lanes = (T(0), T(0), T(0), T(0), T(0), T(0), T(0), T(0))
    var i = 0
    while i + 8 <= n {
        lanes.0 += p[i]; lanes.1 += p[i + 1]; lanes.2 += p[i + 2]; lanes.3 += p[i + 3]
        lanes.4 += p[i + 4]; lanes.5 += p[i + 5]; lanes.6 += p[i + 6]; lanes.7 += p[i + 7]
        i += 8
    }
    var tail: T = 0
    while i < n { tail += p[i]; i += 1 }
    return ((lanes.0 + lanes.1) + (lanes.2 + lanes.3)) + ((lanes.4 + lanes.5) + (lanes.6 + lanes.7)) + tail
}
