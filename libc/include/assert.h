/* The <assert.h> of k23's freestanding builds: assert() compiles to nothing
 * (third-party C such as zstd's xxhash includes it; k23's own code uses
 * VERIFY from base/Assertions.h). */
#ifndef K23_LIBC_ASSERT_H
#define K23_LIBC_ASSERT_H
#define assert(condition) ((void)0)
#endif
