// A few rows times a large matrix, reading the matrix once (see include/small_rows_gemm.h).
#include "small_rows_gemm.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

int nem_small_rows_gemm_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
}

#define NEM_TARGET __attribute__((target("avx2,fma,f16c")))

/// Columns per block: a block of C (M × 512 floats, ≤ 8 KiB) stays in L1 while B's rows stream by.
enum { COLUMN_BLOCK = 512 };

/// Eight floats of B from element `j` of a row: float, or binary16 widened by F16C.
NEM_TARGET __attribute__((always_inline))
static inline __m256 load8(const void *row, long j, const int half) {
    return half ? _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)row + j)))
                : _mm256_loadu_ps((const float *)row + j);
}

NEM_TARGET __attribute__((always_inline))
static inline float load1(const void *row, long j, const int half) {
    return half ? _cvtsh_ss(((const uint16_t *)row)[j]) : ((const float *)row)[j];
}

/// Row p of B, from column j0, for either element type.
__attribute__((always_inline))
static inline const void *row_of(const void *b, long p, long ldb, long j0, const int half) {
    return half ? (const void *)((const uint16_t *)b + p * ldb + j0) : (const void *)((const float *)b + p * ldb + j0);
}

/// C[:, j0 ..< j0 + width] += Σ_p alpha · A[:, p] · B[p, j0 ..< j0 + width] for a constant M and
/// element type (inlined per pair, so the loops over rows unroll and the accumulators live in
/// registers). B's rows go by four at a time: per 8 columns, 4 loads of B, M loads and M stores of C,
/// 4·M fused multiply-adds.
NEM_TARGET __attribute__((always_inline))
static inline void accumulate_block(const int M, const int half, long j0, long width, long k, float alpha,
                                    const float *a, long ars, long acs, const void *b, long ldb,
                                    float *c, long ldc) {
    long p = 0;
    for (; p + 4 <= k; p += 4) {
        float s[4][4];
        __m256 v[4][4];
        for (int r = 0; r < M; r++) {
            for (int q = 0; q < 4; q++) {
                s[r][q] = alpha * a[r * ars + (p + q) * acs];
                v[r][q] = _mm256_set1_ps(s[r][q]);
            }
        }
        const void *b0 = row_of(b, p, ldb, j0, half), *b1 = row_of(b, p + 1, ldb, j0, half);
        const void *b2 = row_of(b, p + 2, ldb, j0, half), *b3 = row_of(b, p + 3, ldb, j0, half);
        long j = 0;
        for (; j + 8 <= width; j += 8) {
            __m256 x0 = load8(b0, j, half), x1 = load8(b1, j, half), x2 = load8(b2, j, half), x3 = load8(b3, j, half);
            for (int r = 0; r < M; r++) {
                float *out = c + r * ldc + j0 + j;
                __m256 sum = _mm256_loadu_ps(out);
                sum = _mm256_fmadd_ps(v[r][0], x0, sum);
                sum = _mm256_fmadd_ps(v[r][1], x1, sum);
                sum = _mm256_fmadd_ps(v[r][2], x2, sum);
                sum = _mm256_fmadd_ps(v[r][3], x3, sum);
                _mm256_storeu_ps(out, sum);
            }
        }
        for (; j < width; j++) {
            const float x0 = load1(b0, j, half), x1 = load1(b1, j, half), x2 = load1(b2, j, half), x3 = load1(b3, j, half);
            for (int r = 0; r < M; r++) {
                c[r * ldc + j0 + j] += s[r][0] * x0 + s[r][1] * x1 + s[r][2] * x2 + s[r][3] * x3;
            }
        }
    }
    for (; p < k; p++) {
        const void *b0 = row_of(b, p, ldb, j0, half);
        for (int r = 0; r < M; r++) {
            const float s = alpha * a[r * ars + p * acs];
            const __m256 v = _mm256_set1_ps(s);
            float *out = c + r * ldc + j0;
            long j = 0;
            for (; j + 8 <= width; j += 8) {
                _mm256_storeu_ps(out + j, _mm256_fmadd_ps(v, load8(b0, j, half), _mm256_loadu_ps(out + j)));
            }
            for (; j < width; j++) out[j] += s * load1(b0, j, half);
        }
    }
}

/// rows_<M>_<half>: the whole product, block of columns after block.
#define NEM_ROWS_KERNEL(M, HALF)                                                                    \
    NEM_TARGET static void rows_##M##_##HALF(long n, long k, float alpha, const float *a, long ars,  \
                                             long acs, const void *b, long ldb, float *c, long ldc) { \
        for (long j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {                                             \
            const long width = n - j0 < COLUMN_BLOCK ? n - j0 : COLUMN_BLOCK;                       \
            accumulate_block(M, HALF, j0, width, k, alpha, a, ars, acs, b, ldb, c, ldc);            \
        }                                                                                           \
    }
NEM_ROWS_KERNEL(1, 0)
NEM_ROWS_KERNEL(2, 0)
NEM_ROWS_KERNEL(3, 0)
NEM_ROWS_KERNEL(4, 0)
NEM_ROWS_KERNEL(1, 1)
NEM_ROWS_KERNEL(2, 1)
NEM_ROWS_KERNEL(3, 1)
NEM_ROWS_KERNEL(4, 1)

/// C = beta · C first (beta 0 ignores C's old values, NaN included, as BLAS does).
static void scale_c(long m, long n, float beta, float *c, long ldc) {
    for (long r = 0; r < m; r++) {
        float *row = c + r * ldc;
        if (beta == 0) {
            memset(row, 0, (size_t)n * sizeof(float));
        } else if (beta != 1) {
            for (long j = 0; j < n; j++) row[j] *= beta;
        }
    }
}

/// Both entry points: B as float (half 0) or as binary16 bit patterns (half 1).
static void small_rows_gemm(long m, long n, long k, float alpha, const float *a, long a_row_stride,
                            long a_column_stride, const void *b, const int half, long ldb, float beta, float *c, long ldc) {
    if (m < 1 || m > 4) return;
    scale_c(m, n, beta, c, ldc);
    typedef void (*rows_kernel)(long, long, float, const float *, long, long, const void *, long, float *, long);
    static const rows_kernel kernels[2][4] = {{rows_1_0, rows_2_0, rows_3_0, rows_4_0},
                                              {rows_1_1, rows_2_1, rows_3_1, rows_4_1}};
    kernels[half][m - 1](n, k, alpha, a, a_row_stride, a_column_stride, b, ldb, c, ldc);
}

void nem_small_rows_gemm(long m, long n, long k, float alpha,
                         const float *a, long a_row_stride, long a_column_stride,
                         const float *b, long ldb, float beta, float *c, long ldc) {
    small_rows_gemm(m, n, k, alpha, a, a_row_stride, a_column_stride, b, 0, ldb, beta, c, ldc);
}

void nem_small_rows_gemm_half_b(long m, long n, long k, float alpha,
                                const float *a, long a_row_stride, long a_column_stride,
                                const uint16_t *b, long ldb, float beta, float *c, long ldc) {
    small_rows_gemm(m, n, k, alpha, a, a_row_stride, a_column_stride, b, 1, ldb, beta, c, ldc);
}

NEM_TARGET
int nem_binary16_exact_copy(const float *x, uint16_t *half, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 values = _mm256_loadu_ps(x + i);
        const __m128i bits = _mm256_cvtps_ph(values, _MM_FROUND_TO_NEAREST_INT);
        // Back to float: equal (ordered) in all eight lanes, or a value was rounded (or NaN).
        if (_mm256_movemask_ps(_mm256_cmp_ps(_mm256_cvtph_ps(bits), values, _CMP_EQ_OQ)) != 0xFF) return 0;
        _mm_storeu_si128((__m128i *)(half + i), bits);
    }
    for (; i < n; i++) {
        const unsigned short bits = _cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT);
        if (!(_cvtsh_ss(bits) == x[i])) return 0;
        half[i] = bits;
    }
    return 1;
}

#else

int nem_small_rows_gemm_available(void) { return 0; }

int nem_binary16_exact_copy(const float *x, uint16_t *half, long n) {
    (void)x; (void)half; (void)n;
    return 0;
}

void nem_small_rows_gemm(long m, long n, long k, float alpha,
                         const float *a, long a_row_stride, long a_column_stride,
                         const float *b, long ldb, float beta, float *c, long ldc) {
    (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)a_row_stride; (void)a_column_stride;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc;
}

void nem_small_rows_gemm_half_b(long m, long n, long k, float alpha,
                                const float *a, long a_row_stride, long a_column_stride,
                                const uint16_t *b, long ldb, float beta, float *c, long ldc) {
    (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)a_row_stride; (void)a_column_stride;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc;
}

#endif
