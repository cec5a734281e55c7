#pragma once

// Invariant checks. VERIFY stays on in every build: a broken invariant in a
// kernel must stop the machine, not corrupt it. Recoverable conditions
// (bad input, out of memory) are Result errors, never VERIFY failures.

// platform_panic (base/Platform.h) prints the message and location and
// never returns.
#include <base/Platform.h>

#define K23_STRINGIFY_IMPL(x) #x
#define K23_STRINGIFY(x) K23_STRINGIFY_IMPL(x)

#define VERIFY(expr)                                                                      \
    (__builtin_expect(!(expr), 0)                                                         \
            ? ::k23::platform_panic("VERIFY(" #expr ") failed", __FILE__, __LINE__)        \
            : (void)0)

#define VERIFY_NOT_REACHED() ::k23::platform_panic("VERIFY_NOT_REACHED()", __FILE__, __LINE__)

#define TODO() ::k23::platform_panic("TODO()", __FILE__, __LINE__)
