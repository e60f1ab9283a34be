/// Elementwise functions of one tensor (the scalar operands of `x + 2`, `1 - x`, `3 / x` included).
enum UnaryOp: Sendable {
    case neg, exp, log, sigmoid, tanh, relu, elu, square, abs, sqrt
    /// Clamps to [lo, hi]; the gradient passes only inside (TensorFlow's clip_by_value).
    case clip(lo: Double, hi: Double)
    /// y = scale · x + shift.
    case affine(scale: Double, shift: Double)
    /// y = scale / x.
    case reciprocal(scale: Double)
}

/// Elementwise functions of two (broadcast) tensors.
enum BinaryOp: Sendable { case add, sub, mul, div }

/// Shape of one 2-D convolution over NHWC images with an HWIO filter, padding already resolved.
struct ConvGeometry: Sendable, Equatable {
    var batch, height, width, inChannels: Int
    var kernelHeight, kernelWidth: Int
    var strideY, strideX: Int
    var padTop, padLeft: Int
    var outHeight, outWidth: Int

    /// Columns of the im2col matrix: one per filter tap and input channel.
    var patchSize: Int { kernelHeight * kernelWidth * inChannels }
    var outPixelsPerImage: Int { outHeight * outWidth }
}

/// The engine's loops for one scalar type, built once (``TensorScalar/kernels``) from generic
/// functions instantiated at a concrete type, so no loop ever dispatches per element.
public final class KernelTable<T: TensorScalar>: Sendable {
    let unary: @Sendable (UnaryOp, UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void
    /// (op, x, y, dy, dx, n): dx = dy · f'(x), with y = f(x) at hand.
    let unaryBackward: @Sendable (UnaryOp, UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void
    /// (op, a, b, out, loop): operands 0, 1, 2 of `loop` are a, b, out.
    let binary: @Sendable (BinaryOp, UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>, StridedLoop) -> Void
    /// (src, dst, loop): dst[o1] += src[o0] over the loop (dst broadcast where its stride is 0).
    let accumulate: @Sendable (UnsafePointer<T>, UnsafeMutablePointer<T>, StridedLoop) -> Void
    /// (src, dst, loop): dst[o1] = src[o0] (gathers for permutations and broadcasts).
    let copy: @Sendable (UnsafePointer<T>, UnsafeMutablePointer<T>, StridedLoop) -> Void
    let fill: @Sendable (UnsafeMutablePointer<T>, T, Int) -> Void
    let gemm: @Sendable (_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
                         UnsafePointer<T>, _ lda: Int, UnsafePointer<T>, _ ldb: Int, _ beta: T,
                         UnsafeMutablePointer<T>, _ ldc: Int) -> Void
    /// (image, cols, geometry, images): patches of `images` images starting at `image`.
    let im2col: @Sendable (UnsafePointer<T>, UnsafeMutablePointer<T>, ConvGeometry, Int) -> Void
    /// (cols, image, geometry, images): scatter-adds patches back (the adjoint of im2col).
    let col2im: @Sendable (UnsafePointer<T>, UnsafeMutablePointer<T>, ConvGeometry, Int) -> Void
    /// (x, gain, bias, y, mean, rstd, rows, rowSize, channels, epsilon).
    let layerNormForward: @Sendable (UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>,
                                     UnsafeMutablePointer<T>, UnsafeMutablePointer<T>, Int, Int, Int, T) -> Void
    /// (x, gain, dy, mean, rstd, dx?, dgain, dbias, rows, rowSize, channels): dgain/dbias are overwritten.
    let layerNormBackward: @Sendable (UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>,
                                      UnsafePointer<T>, UnsafeMutablePointer<T>?, UnsafeMutablePointer<T>,
                                      UnsafeMutablePointer<T>, Int, Int, Int) -> Void

    init(unary: @escaping @Sendable (UnaryOp, UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void,
         unaryBackward: @escaping @Sendable (UnaryOp, UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void,
         binary: @escaping @Sendable (BinaryOp, UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>, StridedLoop) -> Void,
         accumulate: @escaping @Sendable (UnsafePointer<T>, UnsafeMutablePointer<T>, StridedLoop) -> Void,
         copy: @escaping @Sendable (UnsafePointer<T>, UnsafeMutablePointer<T>, StridedLoop) -> Void,
         fill: @escaping @Sendable (UnsafeMutablePointer<T>, T, Int) -> Void,
         gemm: @escaping @Sendable (Bool, Bool, Int, Int, Int, T, UnsafePointer<T>, Int, UnsafePointer<T>, Int, T, UnsafeMutablePointer<T>, Int) -> Void,
         im2col: @escaping @Sendable (UnsafePointer<T>, UnsafeMutablePointer<T>, ConvGeometry, Int) -> Void,
         col2im: @escaping @Sendable (UnsafePointer<T>, UnsafeMutablePointer<T>, ConvGeometry, Int) -> Void,
         layerNormForward: @escaping @Sendable (UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>,
                                                UnsafeMutablePointer<T>, UnsafeMutablePointer<T>, Int, Int, Int, T) -> Void,
         layerNormBackward: @escaping @Sendable (UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>,
                                                 UnsafePointer<T>, UnsafeMutablePointer<T>?, UnsafeMutablePointer<T>,
                                                 UnsafeMutablePointer<T>, Int, Int, Int) -> Void) {
        self.unary = unary
        self.unaryBackward = unaryBackward
        self.binary = binary
        self.accumulate = accumulate
        self.copy = copy
        self.fill = fill
        self.gemm = gemm
        self.im2col = im2col
        self.col2im = col2im
        self.layerNormForward = layerNormForward
        self.layerNormBackward = layerNormBackward
    }
}

extension KernelTable where T: KernelScalar {
    /// The table whose entries are the generic kernels instantiated at `T`.
    static func specialised() -> KernelTable<T> {
        KernelTable(
            unary: { unaryKernel($0, $1, $2, $3) },
            unaryBackward: { unaryBackwardKernel($0, $1, $2, $3, $4, $5) },
            binary: { binaryKernel($0, $1, $2, $3, $4) },
            accumulate: { accumulateKernel($0, $1, $2) },
            copy: { copyKernel($0, $1, $2) },
            fill: { pointer, value, n in for i in 0..<n { pointer[i] = value } },
            gemm: { T.gemm(transposeA: $0, transposeB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7,
                           b: $8, ldb: $9, beta: $10, c: $11, ldc: $12) },
            im2col: { im2colKernel($0, $1, $2, $3) },
            col2im: { col2imKernel($0, $1, $2, $3) },
            layerNormForward: { layerNormForwardKernel($0, $1, $2, $3, $4, $5, $6, $7, $8, $9) },
            layerNormBackward: { layerNormBackwardKernel($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) })
    }
}
