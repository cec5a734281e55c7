/* Force-included into every zstd source built by cmake/deps/zstd.cmake.
 *
 * zstd's lib/common/zstd_deps.h is the documented place to cut libc out: each
 * of its sections is guarded by a macro we define here first, so the guarded
 * #include <stdlib.h>/<stdio.h> never happens. k23 only decompresses, into a
 * caller-provided static DCtx (ZSTD_initStaticDCtx), so zstd's own allocation
 * hooks are never reached and return nothing. */
#ifndef K23_ZSTD_FREESTANDING_H
#define K23_ZSTD_FREESTANDING_H

#include <stddef.h>

#define ZSTD_DEPS_MALLOC
#define ZSTD_malloc(s) ((void)(s), (void*)0)
#define ZSTD_calloc(n, s) ((void)(n), (void)(s), (void*)0)
#define ZSTD_free(p) ((void)(p))

#endif /* K23_ZSTD_FREESTANDING_H */
