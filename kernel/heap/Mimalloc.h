#pragma once

// The part of mimalloc's API the kernel calls. <mimalloc.h> itself cannot
// be included from the kernel's C++: under __cplusplus it pulls in <cstddef>
// and <utility> for its STL allocator, and the kernel has no C++ library.
// These match mimalloc 2.0.9's declarations.

#include <base/Integers.h>

extern "C" {
struct mi_heap_s;
void* mi_malloc_aligned(usize size, usize alignment) noexcept;
void mi_free(void* pointer) noexcept;
void mi_collect(bool force) noexcept;
void mi_process_init() noexcept;
mi_heap_s* mi_heap_get_default() noexcept;
}
