#pragma once
// O_DIRECT is only declared with _GNU_SOURCE, which Swift's Glibc module does not set.
#if defined(__linux__)
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
/// The open flag that makes reads and writes bypass the page cache, or 0 where there is none.
static inline int cube_o_direct(void) { return O_DIRECT; }
#else
static inline int cube_o_direct(void) { return 0; }
#endif

#if defined(__linux__)
// Declared here rather than through <unistd.h>: a system header included by this module
// would have its declarations (sysconf's constants, say) belong to it, hidden from Swift
// code that imports Glibc but not this module.
extern long syscall(long number, ...);
/// How many pages of the first `length` bytes of `fd` are in the page cache, from the
/// `cachestat` system call (Linux 6.5 and later: number 451 on every architecture), or -1
/// where the kernel does not have it. Unlike `mmap` + `mincore` it takes no lock on the
/// process's address space, which page faults of other threads wait for.
static inline long long cube_cached_pages(int fd, unsigned long long length) {
    struct { unsigned long long offset, length; } range = { 0, length };
    struct { unsigned long long cache, dirty, writeback, evicted, recently_evicted; } stat;
    if (syscall(451, fd, &range, &stat, 0) != 0) return -1;
    return (long long)stat.cache;
}
#else
static inline long long cube_cached_pages(int fd, unsigned long long length) { (void)fd; (void)length; return -1; }
#endif
