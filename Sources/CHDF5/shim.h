#ifndef NEM_CHDF5_SHIM_H
#define NEM_CHDF5_SHIM_H
#include <hdf5.h>
#endif
