// Elementwise functions of one tensor. Each op's forward and backward are the two kernels of one
// UnaryOp case (ElementwiseKernels.swift), applied here with the gradient recorded.

extension TensorOf {
    /// A tensor of `shape` whose contents the caller writes completely.
    static func uninitialized(_ shape: [Int]) -> TensorOf {
        TensorOf(shape: shape, storage: TensorStorage(count: shape.reduce(1, *)))
    }
}

/// y = f(x) elementwise, with dy/dx from the same op's backward kernel.
func unary<T>(_ op: UnaryOp, _ name: String, _ x: TensorOf<T>) -> TensorOf<T> {
    let y = TensorOf<T>.uninitialized(x.shape)
    T.kernels.unary(op, x.storage.base, y.storage.base, x.count)
    guard recordsGradient(x) else { return y }
    return y.recorded(name, [x]) { g, y in
        let dx = TensorOf<T>.uninitialized(x.shape)
        T.kernels.unaryBackward(op, x.storage.base, y.storage.base, g.storage.base, dx.storage.base, x.count)
        return [dx]
    }
}

/// e^x.
public func exp<T>(_ x: TensorOf<T>) -> TensorOf<T> { unary(.exp, "exp", x) }
/// Natural logarithm.
public func log<T>(_ x: TensorOf<T>) -> TensorOf<T> { unary(.log, "log", x) }
/// 1 / (1 + e^-x), computed without overflow for either sign.
public func sigmoid<T>(_ x: TensorOf<T>) -> TensorOf<T> { unary(.sigmoid, "sigmoid", x) }
/// Hyperbolic tangent.
public func tanh<T>(_ x: TensorOf<T>) -> TensorOf<T> { unary(.tanh, "tanh", x) }
/// max(x, 0); gradient 0 at x ≤ 0.
public func relu<T>(_ x: TensorOf<T>) -> TensorOf<T> { unary(.relu, "relu", x) }
/// x for x > 0, e^x − 1 otherwise.
public func elu<T>(_ x: TensorOf<T>) -> TensorOf<T> { unary(.elu, "elu", x) }
/// x².
public func square<T>(_ x: TensorOf<T>) -> TensorOf<T> { unary(.square, "square", x) }
/// |x|; gradient sign(x) (0 at 0).
public func abs<T>(_ x: TensorOf<T>) -> TensorOf<T> { unary(.abs, "abs", x) }
/// √x.
public func sqrt<T>(_ x: TensorOf<T>) -> TensorOf<T> { unary(.sqrt, "sqrt", x) }

/// x clamped to [min, max]. Like TensorFlow's clip_by_value, the gradient is passed where
/// min ≤ x ≤ max and is zero outside.
public func clip<T>(_ x: TensorOf<T>, min: T, max: T) -> TensorOf<T> {
    precondition(min <= max, "clip: min \(min) is greater than max \(max)")
    return unary(.clip(lo: Double(min), hi: Double(max)), "clip", x)
}

extension TensorOf {
    public static prefix func - (x: TensorOf) -> TensorOf { unary(.neg, "neg", x) }

    public static func + (x: TensorOf, s: Scalar) -> TensorOf { unary(.affine(scale: 1, shift: Double(s)), "add scalar", x) }
    public static func + (s: Scalar, x: TensorOf) -> TensorOf { x + s }
    public static func - (x: TensorOf, s: Scalar) -> TensorOf { unary(.affine(scale: 1, shift: -Double(s)), "sub scalar", x) }
    public static func - (s: Scalar, x: TensorOf) -> TensorOf { unary(.affine(scale: -1, shift: Double(s)), "scalar sub", x) }
    public static func * (x: TensorOf, s: Scalar) -> TensorOf { unary(.affine(scale: Double(s), shift: 0), "mul scalar", x) }
    public static func * (s: Scalar, x: TensorOf) -> TensorOf { x * s }
    public static func / (x: TensorOf, s: Scalar) -> TensorOf { unary(.affine(scale: 1 / Double(s), shift: 0), "div scalar", x) }
    public static func / (s: Scalar, x: TensorOf) -> TensorOf { unary(.reciprocal(scale: Double(s)), "scalar div", x) }
}
