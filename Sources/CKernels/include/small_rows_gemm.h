#ifndef NEM_SMALL_ROWS_GEMM_H
#define NEM_SMALL_ROWS_GEMM_H

#include <stdint.h>

/// Whether this CPU runs the products below (x86-64 with AVX2, FMA and F16C); 0 elsewhere.
int nem_small_rows_gemm_available(void);

/// C = alpha · A · B + beta · C for m ≤ 4 rows, row-major: A (m, k) with element (i, p) at
/// a[i·a_row_stride + p·a_column_stride] (so a transposed A is a pair of strides), B (k, n) with
/// leading dimension ldb, C (m, n) with leading dimension ldc. B is read once, row after row, for all
/// m rows together: the tracker's K rows through a large fc layer are bound by reading B, and
/// cblas_sgemv would read it m times, cblas_sgemm pack it. Call only where
/// `nem_small_rows_gemm_available()` is non-zero; m outside 1...4 does nothing.
void nem_small_rows_gemm(long m, long n, long k, float alpha,
                         const float *a, long a_row_stride, long a_column_stride,
                         const float *b, long ldb, float beta, float *c, long ldc);

/// The same with B held as IEEE binary16 bit patterns (half the bytes to read); arithmetic in float.
void nem_small_rows_gemm_half_b(long m, long n, long k, float alpha,
                                const float *a, long a_row_stride, long a_column_stride,
                                const uint16_t *b, long ldb, float beta, float *c, long ldc);

/// Writes x[0 ..< n] as binary16 bit patterns into `half` and returns 1 if every value is exactly a
/// binary16 (so the copy holds the same numbers), 0 otherwise (the copy is then not to be used).
/// Call only where `nem_small_rows_gemm_available()` is non-zero.
int nem_binary16_exact_copy(const float *x, uint16_t *half, long n);

#endif
