#ifndef NEM_CHDF5_SHIM_H
#define NEM_CHDF5_SHIM_H
#include <hdf5.h>

// HDF5's predefined types, property-list classes and file-access flags are macros that call
// H5open() before reading a global; Swift cannot import them, so each is wrapped here.
static inline hid_t nem_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t nem_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t nem_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t nem_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t nem_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t nem_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t nem_h5p_dataset_access(void) { return H5P_DATASET_ACCESS; }
static inline hid_t nem_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline unsigned nem_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned nem_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }

#endif
