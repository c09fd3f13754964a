#pragma once
#include <zlib.h>

/* deflateInit2 / inflateInit2 are macros; these wrap them for Swift. */
static inline int cube_deflateInit2(z_streamp strm, int level, int windowBits) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}

static inline int cube_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
