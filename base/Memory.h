#pragma once

// Placement new and the raw-memory helpers base/ uses instead of libc
// headers; the allocation hooks themselves are in base/Platform.h.

#include <base/Platform.h>
#include <base/StdLibExtras.h>
#include <base/Integers.h>

// Placement new: take the standard one when a C++ library is present (hosted
// builds include <new> anyway, and a second definition would clash); the
// kernel builds with -nostdinc++ and gets ours.
#if __has_include(<new>)
#    include <new>
#else
[[nodiscard]] inline void* operator new(usize, void* where) noexcept { return where; }
[[nodiscard]] inline void* operator new[](usize, void* where) noexcept { return where; }
inline void operator delete(void*, void*) noexcept { }
inline void operator delete[](void*, void*) noexcept { }
#endif

namespace k23 {

// mem* through compiler builtins: no libc header needed, and the compiler
// still lowers them to the platform's memcpy/memset/memmove/memcmp.
inline void copy_bytes(void* dest, const void* src, usize n) noexcept { if (n) __builtin_memcpy(dest, src, n); }
inline void move_bytes(void* dest, const void* src, usize n) noexcept { if (n) __builtin_memmove(dest, src, n); }
inline void fill_bytes(void* dest, u8 value, usize n) noexcept { if (n) __builtin_memset(dest, value, n); }
[[nodiscard]] inline int compare_bytes(const void* a, const void* b, usize n) noexcept { return n ? __builtin_memcmp(a, b, n) : 0; }

template<typename T, typename... Args>
T* construct_at(T* where, Args&&... args) noexcept
{
    return new (where) T(k23::forward<Args>(args)...);
}

template<typename T>
void destroy_at(T* object) noexcept
{
    if constexpr (!IsTriviallyDestructible<T>)
        object->~T();
}

} // namespace k23
