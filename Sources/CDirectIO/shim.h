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
