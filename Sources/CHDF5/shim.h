#pragma once
#include <hdf5.h>
#include <stdint.h>
#include <string.h>

/*
 * Accessors for libhdf5 macros that Swift cannot import (most expand to a call of
 * H5open() followed by a global), and small helpers that hide API differences between
 * HDF5 1.10 and 1.12+ (versioned functions, iteration callbacks with versioned structs).
 * Everything here is static inline; nothing is exported.
 */

/* ---- library ---------------------------------------------------------------------- */

/** Initializes the library (idempotent). */
static inline herr_t cube_H5open(void) { return H5open(); }

/** Turns off the automatic printing of the calling thread's error stack. */
static inline herr_t cube_H5E_silence(void) { return H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/**
 * Asks for file locking but ignores file systems where locking is disabled (HDF5
 * 1.10.7+; a no-op before).
 */
static inline herr_t cube_H5P_set_lenient_file_locking(hid_t fapl) {
#if H5_VERSION_GE(1, 10, 7)
    return H5Pset_file_locking(fapl, 1, 1);
#else
    (void)fapl;
    return 0;
#endif
}

/** Whether `path` is an HDF5 file (positive), not one (zero), or cannot be checked (negative). */
static inline htri_t cube_H5F_is_hdf5(const char *path) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Fis_accessible(path, H5P_DEFAULT);
#else
    return H5Fis_hdf5(path);
#endif
}

/** Clears the calling thread's error stack. */
static inline herr_t cube_H5E_clear(void) { return H5Eclear2(H5E_DEFAULT); }

/* ---- constants ---------------------------------------------------------------------- */

static inline hid_t cube_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t cube_H5S_ALL(void) { return H5S_ALL; }
static inline hid_t cube_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline unsigned cube_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned cube_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned cube_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline size_t cube_H5T_VARIABLE(void) { return H5T_VARIABLE; }
static inline haddr_t cube_HADDR_UNDEF(void) { return HADDR_UNDEF; }
static inline hsize_t cube_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }
static inline unsigned cube_H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS(void) { return H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS; }
static inline unsigned cube_H5P_CRT_ORDER_TRACKED(void) { return H5P_CRT_ORDER_TRACKED; }
static inline unsigned cube_H5P_CRT_ORDER_INDEXED(void) { return H5P_CRT_ORDER_INDEXED; }

/* ---- property list classes ---------------------------------------------------------- */

static inline hid_t cube_H5P_FILE_CREATE(void) { return H5P_FILE_CREATE; }
static inline hid_t cube_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t cube_H5P_GROUP_CREATE(void) { return H5P_GROUP_CREATE; }
static inline hid_t cube_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t cube_H5P_DATASET_XFER(void) { return H5P_DATASET_XFER; }
static inline hid_t cube_H5P_ATTRIBUTE_CREATE(void) { return H5P_ATTRIBUTE_CREATE; }
static inline hid_t cube_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }

/* ---- native types ------------------------------------------------------------------- */

static inline hid_t cube_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t cube_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t cube_H5T_NATIVE_INT16(void) { return H5T_NATIVE_INT16; }
static inline hid_t cube_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t cube_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t cube_H5T_NATIVE_UINT32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t cube_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t cube_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t cube_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t cube_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t cube_H5T_NATIVE_INT(void) { return H5T_NATIVE_INT; }
static inline hid_t cube_H5T_NATIVE_HBOOL(void) { return H5T_NATIVE_HBOOL; }

/* ---- standard (file) types ---------------------------------------------------------- */

static inline hid_t cube_H5T_STD_I8LE(void) { return H5T_STD_I8LE; }
static inline hid_t cube_H5T_STD_I8BE(void) { return H5T_STD_I8BE; }
static inline hid_t cube_H5T_STD_U8LE(void) { return H5T_STD_U8LE; }
static inline hid_t cube_H5T_STD_U8BE(void) { return H5T_STD_U8BE; }
static inline hid_t cube_H5T_STD_I16LE(void) { return H5T_STD_I16LE; }
static inline hid_t cube_H5T_STD_I16BE(void) { return H5T_STD_I16BE; }
static inline hid_t cube_H5T_STD_U16LE(void) { return H5T_STD_U16LE; }
static inline hid_t cube_H5T_STD_U16BE(void) { return H5T_STD_U16BE; }
static inline hid_t cube_H5T_STD_I32LE(void) { return H5T_STD_I32LE; }
static inline hid_t cube_H5T_STD_I32BE(void) { return H5T_STD_I32BE; }
static inline hid_t cube_H5T_STD_U32LE(void) { return H5T_STD_U32LE; }
static inline hid_t cube_H5T_STD_U32BE(void) { return H5T_STD_U32BE; }
static inline hid_t cube_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
static inline hid_t cube_H5T_STD_I64BE(void) { return H5T_STD_I64BE; }
static inline hid_t cube_H5T_STD_U64LE(void) { return H5T_STD_U64LE; }
static inline hid_t cube_H5T_STD_U64BE(void) { return H5T_STD_U64BE; }
static inline hid_t cube_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t cube_H5T_IEEE_F32BE(void) { return H5T_IEEE_F32BE; }
static inline hid_t cube_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }
static inline hid_t cube_H5T_IEEE_F64BE(void) { return H5T_IEEE_F64BE; }
static inline hid_t cube_H5T_C_S1(void) { return H5T_C_S1; }
static inline hid_t cube_H5T_STD_REF_OBJ(void) { return H5T_STD_REF_OBJ; }

/* ---- error stack -------------------------------------------------------------------- */

/** State of one walk over the error stack. */
typedef struct {
    char *top;
    size_t top_size;
    char *inner;
    size_t inner_size;
    unsigned count;
} cube__h5_error_walk;

static herr_t cube__h5_error_walk_cb(unsigned n, const H5E_error2_t *err, void *data) {
    cube__h5_error_walk *walk = (cube__h5_error_walk *)data;
    const char *desc = (err && err->desc) ? err->desc : "";
    if (walk->count == 0 && walk->top_size > 0) {
        strncpy(walk->top, desc, walk->top_size - 1);
        walk->top[walk->top_size - 1] = 0;
    }
    if (walk->inner_size > 0) {
        strncpy(walk->inner, desc, walk->inner_size - 1);
        walk->inner[walk->inner_size - 1] = 0;
    }
    walk->count += 1;
    (void)n;
    return 0;
}

/**
 * Copies the description of the calling thread's outermost error (the API call that
 * failed) into `top` and of its innermost one (where it was first detected) into
 * `inner`; returns how many errors the stack holds.
 */
static inline unsigned cube_H5E_messages(char *top, size_t top_size, char *inner, size_t inner_size) {
    cube__h5_error_walk walk = {top, top_size, inner, inner_size, 0};
    if (top_size > 0) top[0] = 0;
    if (inner_size > 0) inner[0] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, cube__h5_error_walk_cb, &walk);
    return walk.count;
}

/* ---- links -------------------------------------------------------------------------- */

/** Receives one link name and its type (H5L_TYPE_HARD, _SOFT, _EXTERNAL, ...). */
typedef void (*cube_link_callback)(const char *name, int link_type, void *context);

typedef struct {
    cube_link_callback callback;
    void *context;
} cube__link_walk;

#if H5_VERSION_GE(1, 12, 0)
static herr_t cube__link_walk_cb(hid_t group, const char *name, const H5L_info2_t *info, void *data) {
#else
static herr_t cube__link_walk_cb(hid_t group, const char *name, const H5L_info_t *info, void *data) {
#endif
    cube__link_walk *walk = (cube__link_walk *)data;
    walk->callback(name, info ? (int)info->type : -1, walk->context);
    (void)group;
    return 0;
}

/**
 * Calls `callback` for every link of `group` in increasing order of creation (when
 * `by_creation_order`) or of name.
 */
static inline herr_t cube_H5L_iterate(hid_t group, int by_creation_order, cube_link_callback callback, void *context) {
    cube__link_walk walk = {callback, context};
    hsize_t index = 0;
    H5_index_t kind = by_creation_order ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
#if H5_VERSION_GE(1, 12, 0)
    return H5Literate2(group, kind, H5_ITER_INC, &index, cube__link_walk_cb, &walk);
#else
    return H5Literate(group, kind, H5_ITER_INC, &index, cube__link_walk_cb, &walk);
#endif
}

static inline int cube_H5L_TYPE_HARD(void) { return H5L_TYPE_HARD; }
static inline int cube_H5L_TYPE_SOFT(void) { return H5L_TYPE_SOFT; }

/* ---- attributes --------------------------------------------------------------------- */

/** Receives one attribute name. */
typedef void (*cube_name_callback)(const char *name, void *context);

typedef struct {
    cube_name_callback callback;
    void *context;
} cube__name_walk;

static herr_t cube__attr_walk_cb(hid_t location, const char *name, const H5A_info_t *info, void *data) {
    cube__name_walk *walk = (cube__name_walk *)data;
    walk->callback(name, walk->context);
    (void)location;
    (void)info;
    return 0;
}

/**
 * Calls `callback` for every attribute of `object` in increasing order of creation
 * (when `by_creation_order`) or of name.
 */
static inline herr_t cube_H5A_iterate(hid_t object, int by_creation_order, cube_name_callback callback, void *context) {
    cube__name_walk walk = {callback, context};
    hsize_t index = 0;
    H5_index_t kind = by_creation_order ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
    return H5Aiterate2(object, kind, H5_ITER_INC, &index, cube__attr_walk_cb, &walk);
}

/* ---- objects and references --------------------------------------------------------- */

/** The file number and address of an open object: equal pairs mean the same object. */
static inline herr_t cube_H5O_identity(hid_t object, unsigned long *fileno, uint64_t *address) {
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    herr_t status = H5Oget_info3(object, &info, H5O_INFO_BASIC);
    if (status < 0) return status;
    *fileno = info.fileno;
    uint64_t a = 0;
    memcpy(&a, &info.token, sizeof(a) < sizeof(info.token) ? sizeof(a) : sizeof(info.token));
    *address = a;
    return status;
#elif H5_VERSION_GE(1, 10, 3)
    H5O_info_t info;
    herr_t status = H5Oget_info2(object, &info, H5O_INFO_BASIC);
    if (status < 0) return status;
    *fileno = info.fileno;
    *address = (uint64_t)info.addr;
    return status;
#else
    H5O_info_t info;
    herr_t status = H5Oget_info(object, &info);
    if (status < 0) return status;
    *fileno = info.fileno;
    *address = (uint64_t)info.addr;
    return status;
#endif
}

/** Opens the object an object reference (`hobj_ref_t`) points to. */
static inline hid_t cube_H5R_open_object(hid_t location, const void *reference) {
    return H5Rdereference2(location, H5P_DEFAULT, H5R_OBJECT, reference);
}

/** Writes an object reference (`hobj_ref_t`) to the object at `name` into `reference`. */
static inline herr_t cube_H5R_create_object(void *reference, hid_t location, const char *name) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Rcreate(reference, location, name, H5R_OBJECT1, -1);
#else
    return H5Rcreate(reference, location, name, H5R_OBJECT, -1);
#endif
}

/** Size in bytes of one object reference (`hobj_ref_t`). */
static inline size_t cube_H5R_object_reference_size(void) { return sizeof(hobj_ref_t); }

/** Frees the variable-length data H5Dread/H5Aread allocated in `buffer`. */
static inline herr_t cube_H5vlen_reclaim(hid_t type, hid_t space, void *buffer) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Treclaim(type, space, H5P_DEFAULT, buffer);
#else
    return H5Dvlen_reclaim(type, space, H5P_DEFAULT, buffer);
#endif
}

/** Size of `hvl_t`, the in-memory form of one variable-length sequence. */
static inline size_t cube_hvl_t_size(void) { return sizeof(hvl_t); }

/* ---- raw chunks --------------------------------------------------------------------- */

/** Reads the stored (still filtered) bytes of the chunk at element `offset`. */
static inline herr_t cube_H5Dread_chunk(hid_t dataset, const hsize_t *offset, uint32_t *filter_mask, void *buffer) {
    return H5Dread_chunk(dataset, H5P_DEFAULT, offset, filter_mask, buffer);
}

/** Writes stored (already filtered) bytes of the chunk at element `offset`. */
static inline herr_t cube_H5Dwrite_chunk(hid_t dataset, uint32_t filter_mask, const hsize_t *offset, size_t size, const void *buffer) {
    return H5Dwrite_chunk(dataset, H5P_DEFAULT, filter_mask, offset, size, buffer);
}

/**
 * The stored size in bytes of the chunk at element `offset` (an index lookup). HDF5 1.10
 * fails for chunks never written; newer versions may report 0.
 */
static inline herr_t cube_H5Dchunk_stored_size(hid_t dataset, const hsize_t *offset, hsize_t *size) {
    *size = 0;
    return H5Dget_chunk_storage_size(dataset, offset, size);
}

/**
 * The filter mask, file address and stored size of the chunk at element `offset`; the
 * address is HADDR_UNDEF when the chunk was never written. Slow: libhdf5 walks every
 * chunk of the dataset to answer.
 */
static inline herr_t cube_H5Dchunk_info(hid_t dataset, const hsize_t *offset, unsigned *filter_mask, uint64_t *address, hsize_t *size) {
    haddr_t a = HADDR_UNDEF;
    hsize_t s = 0;
    unsigned m = 0;
    herr_t status = H5Dget_chunk_info_by_coord(dataset, offset, &m, &a, &s);
    *filter_mask = m;
    *address = (uint64_t)a;
    *size = s;
    return status;
}
