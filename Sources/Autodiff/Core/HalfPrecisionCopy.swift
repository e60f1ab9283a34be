internal import CKernels

/// A matrix's values as IEEE binary16, kept beside a `Float` tensor for products of a few rows with it
/// (``TensorOf/keepHalfPrecisionCopy()``): such products are bound by reading the matrix, and this
/// copy is half the bytes. Kept only when every value is exactly a binary16, so products with it equal
/// those with the float values up to the order of the sums.
final class HalfPrecisionCopy: @unchecked Sendable {
    /// The matrix (K, N), row-major, as binary16 bit patterns.
    let bits: [UInt16]
    let columns: Int

    init?(_ values: UnsafeBufferPointer<Float>, columns: Int) {
        guard FewRows.kernelAvailable, let base = values.baseAddress else { return nil }
        var exact = false
        let bits = [UInt16](unsafeUninitializedCapacity: values.count) { buffer, count in
            exact = nem_binary16_exact_copy(base, buffer.baseAddress!, values.count) != 0
            count = values.count
        }
        guard exact else { return nil }
        self.bits = bits
        self.columns = columns
    }

    /// c (m, N) = alpha · op(a) · B + beta · c, op(a) (m, K) (`a` is (K, m) when transposed), in blocks of
    /// at most ``FewRows/maximumRows`` rows, each reading the binary16 matrix once.
    func product(m: Int, k: Int, transposeA: Bool, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                 beta: Float, c: UnsafeMutablePointer<Float>) {
        bits.withUnsafeBufferPointer { b in
            for first in stride(from: 0, to: m, by: FewRows.maximumRows) {
                let rows = Swift.min(FewRows.maximumRows, m - first)
                // Row i of op(a) starts at a + i·lda, or at a + i when a is transposed.
                nem_small_rows_gemm_half_b(rows, columns, k, alpha, a + (transposeA ? first : first * lda),
                                           transposeA ? 1 : lda, transposeA ? lda : 1,
                                           b.baseAddress!, columns, beta, c + first * columns, columns)
            }
        }
    }
}

extension TensorOf where Scalar == Float {
    /// Keeps a binary16 copy of this matrix beside it, so that products of at most four rows with it
    /// (`x·W`, W this tensor) read half the bytes: the streaming tracker's K rows through the large fc
    /// layers are bound by reading the weights. Kept only when every value is exactly a binary16 (a
    /// model saved with `--half`), so results are those of the float values, and where the CPU has the
    /// kernel (AVX2, FMA, F16C). The tensor's values must not change afterwards: call it on the weights
    /// of a model that is only run, never trained.
    /// - Returns: whether the copy is kept.
    @discardableResult
    public func keepHalfPrecisionCopy() -> Bool {
        guard rank == 2 else { return false }
        halfPrecisionCopy = UnsafeBufferPointer(start: storage.base, count: count).withMemoryRebound(to: Float.self) {
            HalfPrecisionCopy($0, columns: shape[1])
        }
        return halfPrecisionCopy != nil
    }
}
