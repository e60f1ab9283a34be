/// An iteration space over up to three operands with their own strides, with size-1 dimensions
/// dropped and neighbouring dimensions merged wherever every operand is contiguous across them,
/// so that broadcasting, reductions and permutations run long inner loops.
struct StridedLoop: Sendable {
    /// Iteration extents, outermost first; never empty.
    private(set) var dims: [Int]
    /// `strides[operand][dim]` in elements; 0 where that operand is broadcast.
    private(set) var strides: [[Int]]

    /// `shape` is the iteration space; `operandStrides[k]` has one stride per dimension of `shape`.
    init(shape: [Int], operandStrides: [[Int]]) {
        var dims: [Int] = []
        var strides = Array(repeating: [Int](), count: operandStrides.count)
        for (d, extent) in shape.enumerated() where extent != 1 {
            if let last = dims.indices.last,
               operandStrides.indices.allSatisfy({ strides[$0][last] == operandStrides[$0][d] * extent }) {
                dims[last] *= extent
                for k in operandStrides.indices { strides[k][last] = operandStrides[k][d] }
            } else {
                dims.append(extent)
                for k in operandStrides.indices { strides[k].append(operandStrides[k][d]) }
            }
        }
        if dims.isEmpty {
            dims = [1]
            strides = strides.map { _ in [0] }
        }
        self.dims = dims
        self.strides = strides
    }

    func innerStride(_ operand: Int) -> Int { strides[operand][dims.count - 1] }

    /// Calls `body` with each operand's base offset for every position of the outer dimensions
    /// (restricted to `outerRange` of the outermost one) and the number of inner elements; the body
    /// runs the inner dimension itself (`innerStride(k)` apart).
    @inline(__always)
    func forEachRun(outerRange: Range<Int>? = nil, _ body: (_ o0: Int, _ o1: Int, _ o2: Int, _ count: Int) -> Void) {
        let outer = dims.count - 1
        let s0 = strides[0], s1 = strides.count > 1 ? strides[1] : Array(repeating: 0, count: dims.count)
        let s2 = strides.count > 2 ? strides[2] : Array(repeating: 0, count: dims.count)
        let range = outerRange ?? 0..<dims[0]
        if outer == 0 {
            // One dimension: the range is a piece of the inner run.
            body(range.lowerBound * s0[0], range.lowerBound * s1[0], range.lowerBound * s2[0], range.count)
            return
        }
        if range.isEmpty { return }
        var index = Array(repeating: 0, count: outer)
        index[0] = range.lowerBound
        var o0 = range.lowerBound * s0[0], o1 = range.lowerBound * s1[0], o2 = range.lowerBound * s2[0]
        let innerCount = dims[outer]
        while true {
            body(o0, o1, o2, innerCount)
            var d = outer - 1
            while true {
                index[d] += 1
                o0 += s0[d]; o1 += s1[d]; o2 += s2[d]
                if index[d] < (d == 0 ? range.upperBound : dims[d]) { break }
                if d == 0 { return }
                o0 -= s0[d] * dims[d]; o1 -= s1[d] * dims[d]; o2 -= s2[d] * dims[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    /// `forEachRun` split over threads along the outermost dimension. Only for kernels whose
    /// writes for different outermost indices never overlap.
    @inline(__always)
    func parallelForEachRun(_ body: (_ o0: Int, _ o1: Int, _ o2: Int, _ count: Int) -> Void) {
        let total = dims.reduce(1, *)
        let grain = Swift.max(1, dims[0] * elementwiseGrain / Swift.max(1, total))
        parallelChunks(dims[0], minimumPerThread: grain) { range in forEachRun(outerRange: range, body) }
    }
}

/// Row-major strides of a contiguous tensor of `shape`.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = Array(repeating: 1, count: shape.count)
    var s = 1
    for d in shape.indices.reversed() {
        strides[d] = s
        s *= shape[d]
    }
    return strides
}

/// Strides that read a tensor of `shape` as if it had the (broadcast) shape `target`:
/// `shape` is aligned to the right of `target`, and size-1 or missing dimensions get stride 0.
func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let own = contiguousStrides(shape)
    let offset = target.count - shape.count
    return target.indices.map { d in
        d < offset || shape[d - offset] == 1 ? 0 : own[d - offset]
    }
}
