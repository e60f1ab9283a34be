import Foundation

/// The tensor every model uses: 32-bit floats.
public typealias Tensor = TensorOf<Float>

/// A dense, row-major, contiguous n-dimensional array with reverse-mode gradients.
///
/// Tensors have reference semantics: a parameter held by a layer and by an optimizer is one object,
/// and `withUnsafeMutableBufferPointer` writes in place (visible to every tensor sharing the storage,
/// e.g. a reshape of it). Values produced by ops are never mutated by the engine afterwards.
///
/// Gradients: mark a leaf with `requiresGrad = true`; every op on a tensor that requires gradients
/// records how to differentiate itself, and ``backward()`` on a scalar result fills ``grad`` of every
/// leaf it depends on (adding to what is there, so a tensor used twice gets both contributions).
/// Ops whose inputs do not require gradients record nothing and cost nothing extra.
///
/// A tensor may be sent to another thread, but must not be mutated (or differentiated) from two
/// threads at once.
public final class TensorOf<Scalar: TensorScalar>: @unchecked Sendable {
    /// Extent of each axis; `[]` for a scalar.
    public let shape: [Int]
    /// Number of elements (product of `shape`).
    public let count: Int
    let storage: TensorStorage<Scalar>
    /// How this tensor was computed, when gradients flow through it; nil for leaves and constants.
    var node: GraphNode<Scalar>?
    private var leafRequiresGrad = false
    private var accumulatedGrad: TensorOf?
    /// Whether `accumulatedGrad` owns its storage exclusively (then backward may add into it in place).
    var gradIsOwned = false
    /// This matrix's values as binary16, for products of a few rows with it (``keepHalfPrecisionCopy()``).
    var halfPrecisionCopy: HalfPrecisionCopy?

    init(shape: [Int], storage: TensorStorage<Scalar>) {
        precondition(shape.allSatisfy { $0 >= 0 }, "tensor shape \(shape) has a negative extent")
        let count = shape.reduce(1, *)
        precondition(count <= storage.count, "shape \(shape) needs \(count) scalars, storage holds \(storage.count)")
        self.shape = shape
        self.count = count
        self.storage = storage
    }

    /// A tensor of `shape` holding `scalars` in row-major order.
    public convenience init(shape: [Int], scalars: [Scalar]) {
        let count = shape.reduce(1, *)
        precondition(scalars.count == count, "shape \(shape) needs \(count) scalars, got \(scalars.count)")
        self.init(shape: shape, storage: TensorStorage(count: count))
        scalars.withUnsafeBufferPointer { storage.base.update(from: $0.baseAddress!, count: count) }
    }

    /// A rank-0 tensor holding `scalar`.
    public convenience init(_ scalar: Scalar) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A tensor of `shape` with every element `value`.
    public convenience init(filling value: Scalar, shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(count: shape.reduce(1, *)))
        Scalar.kernels.fill(storage.base, value, count)
    }

    /// A tensor of `shape` whose scalars `body` writes (every one of them) without a copy.
    public convenience init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Scalar>) throws -> Void) rethrows {
        self.init(shape: shape, storage: TensorStorage(count: shape.reduce(1, *)))
        try body(UnsafeMutableBufferPointer(start: storage.base, count: count))
    }

    /// A tensor of `shape` with elements drawn uniformly from `range`.
    public convenience init(randomUniform shape: [Int], in range: ClosedRange<Double>, using rng: inout SeededRNG) {
        self.init(shape: shape, storage: TensorStorage(count: shape.reduce(1, *)))
        for i in 0..<count { storage.base[i] = Scalar(rng.uniform(in: range)) }
    }

    /// A tensor of `shape` with elements drawn from N(mean, std²).
    public convenience init(randomNormal shape: [Int], mean: Double = 0, standardDeviation: Double = 1, using rng: inout SeededRNG) {
        self.init(shape: shape, storage: TensorStorage(count: shape.reduce(1, *)))
        for i in 0..<count { storage.base[i] = Scalar(rng.normal(mean: mean, standardDeviation: standardDeviation)) }
    }

    /// The same values in another scalar type (e.g. a Float tensor as Double for a gradient check).
    public convenience init<Other: TensorScalar>(converting other: TensorOf<Other>) {
        self.init(shape: other.shape, storage: TensorStorage(count: other.count))
        for i in 0..<count { storage.base[i] = Scalar(other.storage.base[i]) }
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> TensorOf {
        TensorOf(shape: shape, storage: .zeroed(count: shape.reduce(1, *)))
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> TensorOf { TensorOf(filling: 1, shape: shape) }

    /// Number of axes.
    public var rank: Int { shape.count }

    /// A copy of the elements in row-major order.
    public var scalars: [Scalar] { Array(UnsafeBufferPointer(start: storage.base, count: count)) }

    /// The only element of a one-element tensor.
    public var scalar: Scalar {
        precondition(count == 1, "scalar of a tensor of shape \(shape) (\(count) elements)")
        return storage.base[0]
    }

    /// Reads the elements in place.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: count))
    }

    /// Writes the elements in place (an optimizer step, loading a checkpoint). Every tensor sharing
    /// this storage sees the change; do not use it on values a recorded graph still needs.
    public func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: storage.base, count: count))
    }

    /// A deep copy with no gradient history.
    public func copy() -> TensorOf {
        let out = TensorOf(shape: shape, storage: TensorStorage(count: count))
        out.storage.base.update(from: storage.base, count: count)
        return out
    }

    /// The same values, cut off from the gradient graph (shares storage; no copy).
    public func detached() -> TensorOf { TensorOf(shape: shape, storage: storage) }

    // MARK: Gradients

    /// Whether gradients flow to this tensor. Settable on leaves (parameters); results of ops
    /// require gradients exactly when one of their inputs did while recording was enabled.
    public var requiresGrad: Bool {
        get { node != nil || leafRequiresGrad }
        set {
            precondition(node == nil, "requiresGrad can only be set on a leaf tensor, not on the result of \(node!.op)")
            leafRequiresGrad = newValue
        }
    }

    /// The gradient accumulated by ``backward()`` (nil until a backward pass reaches this leaf).
    /// Set it to nil to start accumulating afresh.
    public var grad: TensorOf? {
        get { accumulatedGrad }
        set {
            accumulatedGrad = newValue
            gradIsOwned = false
        }
    }

    /// Adds `g` to the accumulated gradient: takes `g` as it is the first time, copies on the second
    /// contribution, and adds in place from then on (so shared gradient buffers are never written).
    func accumulateGrad(_ g: TensorOf) {
        precondition(g.shape == shape, "gradient of shape \(g.shape) for a tensor of shape \(shape)")
        guard let current = accumulatedGrad else {
            accumulatedGrad = g
            gradIsOwned = false
            return
        }
        if gradIsOwned {
            addInPlace(current, g)
        } else {
            accumulatedGrad = elementwiseSum(current, g)
            gradIsOwned = true
        }
    }
}

extension TensorOf: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        let more = count > 8 ? ", … (\(count) values)" : ""
        return "Tensor\(shape)[\(shown)\(more)]"
    }
}

/// `x` cut off from the gradient graph: gradients do not flow back through the result.
public func stopGradient<T>(_ x: TensorOf<T>) -> TensorOf<T> { x.detached() }

/// dst += src for tensors of one shape (no gradient recorded).
func addInPlace<T>(_ dst: TensorOf<T>, _ src: TensorOf<T>) {
    let loop = StridedLoop(shape: [dst.count], operandStrides: [[1], [1], [1]])
    T.kernels.binary(.add, dst.storage.base, src.storage.base, dst.storage.base, loop)
}

/// a + b for tensors of one shape, as a new tensor (no gradient recorded).
func elementwiseSum<T>(_ a: TensorOf<T>, _ b: TensorOf<T>) -> TensorOf<T> {
    let out = TensorOf<T>(shape: a.shape, storage: TensorStorage(count: a.count))
    let loop = StridedLoop(shape: [a.count], operandStrides: [[1], [1], [1]])
    T.kernels.binary(.add, a.storage.base, b.storage.base, out.storage.base, loop)
    return out
}
