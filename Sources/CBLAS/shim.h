#ifndef NEM_CBLAS_SHIM_H
#define NEM_CBLAS_SHIM_H
#include <cblas.h>
#endif
