#ifndef NEM_CZLIB_SHIM_H
#define NEM_CZLIB_SHIM_H
#include <zlib.h>
#endif
