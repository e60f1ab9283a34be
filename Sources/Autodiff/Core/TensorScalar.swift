internal import CBLAS
internal import CKernels
import Foundation

/// The element types a tensor can hold: `Float` for models, `Double` for gradient checks.
///
/// Every hot loop of the engine lives in a ``KernelTable`` built once per scalar type, so generic
/// op code dispatches once per op and the loops themselves run fully specialised.
public protocol TensorScalar: BinaryFloatingPoint, Sendable {
    /// The engine's loops specialised for this type.
    static var kernels: KernelTable<Self> { get }
}

/// What the kernels need from a scalar type beyond `BinaryFloatingPoint`: the elementary
/// functions and BLAS. Internal, so C types stay inside this module.
protocol KernelScalar: TensorScalar {
    static func expValue(_ x: Self) -> Self
    static func logValue(_ x: Self) -> Self
    static func tanhValue(_ x: Self) -> Self
    /// C = alpha · op(A) · op(B) + beta · C, row-major (cblas_?gemm).
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

/// Products of a few rows with a large matrix (the tracker's K rows through an fc layer): they are
/// bound by reading the matrix, so they take CKernels' product, which reads it once for all rows,
/// where the CPU has it, else one sgemv per row; sgemm would pack all of the matrix on every call.
enum FewRows {
    static let maximumRows = 4
    static let minimumMatrixSize = 1 << 14
    /// Whether the CPU runs CKernels' products (AVX2, FMA, F16C), checked once.
    static let kernelAvailable = nem_small_rows_gemm_available() != 0

    /// Rows up to which a matrix's binary16 copy (``TensorOf/keepHalfPrecisionCopy()``) still beats sgemm, in
    /// blocks of `maximumRows` that each read it: the tracker's K rows of each of R restarts carried through
    /// a stream (R·K = 12 for the shipped flying-shapes model).
    static let maximumRowsWithHalfCopy = 16

    static func applies(m: Int, n: Int, k: Int) -> Bool { m <= maximumRows && n * k >= minimumMatrixSize }
}

extension Float: KernelScalar {
    /// e^x without a libm call and without branches, so loops over it vectorise: Cephes' expf
    /// (x = n·ln2 + r, |r| ≤ ln2/2, degree-6 polynomial for e^r, then the exponent bits set to n),
    /// within 2 ulp of the correctly rounded result; ±inf, 0 and NaN where expf gives them.
    @inline(__always) static func expValue(_ x: Float) -> Float {
        let clamped = Swift.min(Swift.max(x, -87.33654), 88.72283)
        // Round x·log2(e) to an integer by adding 1.5·2^23: the low mantissa bits then hold n.
        let shifted = clamped * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * r * r + r + 1
        let scale = Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
        let value = p * scale
        return x > 88.72283 ? .infinity : (x < -87.33654 ? 0 : value)
    }
    @inline(__always) static func logValue(_ x: Float) -> Float { Foundation.log(x) }
    @inline(__always) static func tanhValue(_ x: Float) -> Float { Foundation.tanh(x) }
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if FewRows.applies(m: m, n: n, k: k) {
            if FewRows.kernelAvailable && !transposeB {
                nem_small_rows_gemm(m, n, k, alpha, a, transposeA ? 1 : lda, transposeA ? lda : 1, b, ldb, beta, c, ldc)
                return
            }
            for i in 0..<m {
                // Row i of op(A): row i of A, or column i of A (stride lda) when transposed.
                let row = transposeA ? a + i : a + i * lda
                let stride = Int32(transposeA ? lda : 1)
                // c_i = alpha·op(B)ᵀ·a_i: op(B) = B (K, N) → Bᵀ·a_i; op(B) = Bᵀ with B (N, K) → B·a_i.
                cblas_sgemv(CblasRowMajor, transposeB ? CblasNoTrans : CblasTrans, Int32(transposeB ? n : k),
                            Int32(transposeB ? k : n), alpha, b, Int32(ldb), row, stride, beta, c + i * ldc, 1)
            }
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

extension Double: KernelScalar {
    @inline(__always) static func expValue(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) static func logValue(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always) static func tanhValue(_ x: Double) -> Double { Foundation.tanh(x) }
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                     a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                     beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

extension Float: TensorScalar {
    public static let kernels = KernelTable<Float>.specialised()
}

extension Double: TensorScalar {
    public static let kernels = KernelTable<Double>.specialised()
}
