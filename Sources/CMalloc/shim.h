#pragma once
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
/// Makes glibc return large freed buffers to the system at once: a fixed mmap threshold
/// (no dynamic growth), a small trim threshold and at most two arenas.
static inline void cube_release_freed_memory_promptly(void) {
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024);
    mallopt(M_ARENA_MAX, 2);
}
#else
static inline void cube_release_freed_memory_promptly(void) {}
#endif
