// Reshape, permute, concat and split. Reshape shares storage; the others copy.

extension TensorOf {
    /// The same elements viewed with `newShape` (one extent may be −1: inferred). Shares storage.
    public func reshaped(_ newShape: [Int]) -> TensorOf {
        var shape = newShape
        let inferred = shape.indices.filter { shape[$0] == -1 }
        precondition(inferred.count <= 1 && shape.allSatisfy({ $0 >= -1 }), "reshape of \(self.shape) to invalid shape \(newShape)")
        if let i = inferred.first {
            let known = shape.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "cannot reshape \(self.shape) (\(count) elements) to \(newShape)")
            shape[i] = count / known
        }
        precondition(shape.reduce(1, *) == count, "cannot reshape \(self.shape) (\(count) elements) to \(newShape)")
        let out = TensorOf(shape: shape, storage: storage)
        guard recordsGradient(self) else { return out }
        let original = self.shape
        return out.recorded("reshape", [self]) { g, _ in [TensorOf(shape: original, storage: g.storage)] }
    }

    /// Axes reordered: axis d of the result is axis `permutation[d]` of this tensor.
    public func permuted(_ permutation: [Int]) -> TensorOf {
        precondition(permutation.sorted() == Array(0..<rank), "permute of a rank-\(rank) tensor \(shape) by \(permutation)")
        let newShape = permutation.map { shape[$0] }
        let own = contiguousStrides(shape)
        let out = TensorOf.uninitialized(newShape)
        if count > 0 {
            let loop = StridedLoop(shape: newShape, operandStrides: [permutation.map { own[$0] }, contiguousStrides(newShape)])
            Scalar.kernels.copy(storage.base, out.storage.base, loop)
        }
        guard recordsGradient(self) else { return out }
        var inverse = permutation
        for (d, p) in permutation.enumerated() { inverse[p] = d }
        return out.recorded("permute", [self]) { [inverse] g, _ in [g.detached().permuted(inverse)] }
    }

    /// The transpose of a matrix.
    public func transposed() -> TensorOf {
        precondition(rank == 2, "transposed() of a tensor of shape \(shape); use permuted(_:)")
        return permuted([1, 0])
    }
}

/// Joins `tensors` along `axis`; all other extents must agree.
public func concat<T>(_ tensors: [TensorOf<T>], axis: Int) -> TensorOf<T> {
    precondition(!tensors.isEmpty, "concat of no tensors")
    let first = tensors[0]
    let axis = axis < 0 ? axis + first.rank : axis
    precondition((0..<first.rank).contains(axis), "concat axis \(axis) out of range for shape \(first.shape)")
    for t in tensors {
        var a = t.shape, b = first.shape
        precondition(a.count == b.count, "concat of shapes \(first.shape) and \(t.shape)")
        a[axis] = 0; b[axis] = 0
        precondition(a == b, "concat along axis \(axis) of shapes \(first.shape) and \(t.shape)")
    }
    let sizes = tensors.map { $0.shape[axis] }
    var shape = first.shape
    shape[axis] = sizes.reduce(0, +)
    let outer = first.shape[..<axis].reduce(1, *)
    let inner = first.shape[(axis + 1)...].reduce(1, *)
    let out = TensorOf<T>.uninitialized(shape)
    let rowLength = shape[axis] * inner
    var column = 0
    for t in tensors {
        let length = t.shape[axis] * inner
        for o in 0..<outer {
            (out.storage.base + o * rowLength + column).update(from: t.storage.base + o * length, count: length)
        }
        column += length
    }
    guard recordsGradient(tensors) else { return out }
    return out.recorded("concat", tensors) { g, _ in
        splitValues(g, sizes: sizes, axis: axis).enumerated().map { tensors[$0.offset].requiresGrad ? $0.element : nil }
    }
}

/// Pieces of `x` along `axis` (no gradient recorded).
private func splitValues<T>(_ x: TensorOf<T>, sizes: [Int], axis: Int) -> [TensorOf<T>] {
    let outer = x.shape[..<axis].reduce(1, *)
    let inner = x.shape[(axis + 1)...].reduce(1, *)
    let rowLength = x.shape[axis] * inner
    var column = 0
    return sizes.map { size in
        var shape = x.shape
        shape[axis] = size
        let piece = TensorOf<T>.uninitialized(shape)
        let length = size * inner
        for o in 0..<outer {
            (piece.storage.base + o * length).update(from: x.storage.base + o * rowLength + column, count: length)
        }
        column += length
        return piece
    }
}

/// Cuts `x` along `axis` into pieces of the given `sizes` (which must add up to that extent).
public func split<T>(_ x: TensorOf<T>, sizes: [Int], axis: Int) -> [TensorOf<T>] {
    let axis = axis < 0 ? axis + x.rank : axis
    precondition((0..<x.rank).contains(axis), "split axis \(axis) out of range for shape \(x.shape)")
    precondition(sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == x.shape[axis],
                 "split sizes \(sizes) do not add up to extent \(x.shape[axis]) of axis \(axis) of \(x.shape)")
    let pieces = splitValues(x, sizes: sizes, axis: axis)
    guard recordsGradient(x) else { return pieces }
    let offsets = sizes.reduce(into: [0]) { $0.append($0.last! + $1) }
    // Each piece's backward writes its gradient into a zero tensor of x's shape.
    return pieces.enumerated().map { index, piece in
        piece.recorded("split", [x]) { g, _ in
            let dx = TensorOf<T>.zeros(x.shape)
            let outer = x.shape[..<axis].reduce(1, *)
            let inner = x.shape[(axis + 1)...].reduce(1, *)
            let rowLength = x.shape[axis] * inner, length = sizes[index] * inner
            for o in 0..<outer {
                (dx.storage.base + o * rowLength + offsets[index] * inner).update(from: g.storage.base + o * length, count: length)
            }
            return [dx]
        }
    }
}
