#pragma once
#include <stddef.h>
#include <stdint.h>
#include <dlfcn.h>
#include <netcdf.h>
#include <netcdf_filter.h>

/* NC_GLOBAL as a plain int, so Swift sees the same type everywhere. */
static inline int cube_nc_global(void) { return NC_GLOBAL; }

/* The largest atomic type id; larger ids are user-defined types. */
static inline int cube_nc_max_atomic_type(void) { return NC_MAX_ATOMIC_TYPE; }

/*
 * Turns off HDF5's automatic error-stack printing for the calling thread.
 *
 * libnetcdf disables it once, on the thread that first initializes it; with a thread-safe
 * HDF5 the setting is per thread, so calls from other threads print "HDF5-DIAG" stacks
 * for errors libnetcdf expects and handles (netCDF 4.9.0 probes optional attributes that
 * way on every open). The HDF5 symbol is looked up at run time so this module links only
 * libnetcdf; without HDF5 it does nothing. Cheap after the first call on each thread.
 */
static inline void cube_nc_silence_hdf5_errors(void) {
    static _Thread_local int done = 0;
    if (done) return;
    done = 1;
    typedef int (*set_auto_fn)(int64_t, void *, void *);
    void *self = dlopen(NULL, RTLD_NOW);
    if (!self) return;
    set_auto_fn set_auto = (set_auto_fn)dlsym(self, "H5Eset_auto2");
    if (set_auto) (void)set_auto(0 /* H5E_DEFAULT */, NULL, NULL);
    dlclose(self);
}
