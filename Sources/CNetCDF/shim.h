#pragma once
#include <stddef.h>
#include <netcdf.h>
#include <netcdf_filter.h>

/* NC_GLOBAL as a plain int, so Swift sees the same type everywhere. */
static inline int cube_nc_global(void) { return NC_GLOBAL; }

/* The largest atomic type id; larger ids are user-defined types. */
static inline int cube_nc_max_atomic_type(void) { return NC_MAX_ATOMIC_TYPE; }
