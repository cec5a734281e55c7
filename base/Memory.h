#pragma once

// The allocation hooks every platform provides, plus placement new and the
// raw-memory helpers base/ uses instead of libc headers.

#include <base/StdLibExtras.h>
#include <base/Types.h>

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

// Returns nullptr when the memory is not available; never aborts. alignment
// is a power of two. size may be any value (absurd sizes just fail).
[[nodiscard]] void* platform_allocate(usize size, usize alignment) noexcept;

// p came from platform_allocate(size, alignment) with the same size and
// alignment. p may be nullptr (no-op).
void platform_deallocate(void* p, usize size, usize alignment) noexcept;

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
