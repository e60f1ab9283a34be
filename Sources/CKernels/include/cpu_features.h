#ifndef NEM_CPU_FEATURES_H
#define NEM_CPU_FEATURES_H

/// The OpenBLAS core type (a value for OPENBLAS_CORETYPE) whose kernels this CPU runs best among
/// those OpenBLAS 0.3.x ships for x86-64: "SkylakeX" with AVX-512 (F, CD, BW, DQ, VL, enabled by the
/// OS), "Haswell" with AVX2 and FMA; NULL when neither, or off x86-64.
const char *nem_openblas_core_for_this_cpu(void);

#endif
