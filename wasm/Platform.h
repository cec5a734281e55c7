#pragma once

// The platform interface of the wasm runtime (DESIGN.md: generic code talks
// to a small platform interface). Linear memories come from here. Until the
// JIT needs guard-page reservations (8 GiB per 32-bit memory) the default
// implementation in wasm/Platform.cpp uses base/'s platform_allocate and
// grows by copying; hosted/ and the kernel will provide reserve/commit/
// protect versions later.

#include <base/Result.h>
#include <base/Types.h>

namespace k23::wasm {

struct MemoryReservation {
    u8* base { nullptr };
    usize accessible { 0 }; // bytes readable and writable from base
    usize reserved { 0 };   // bytes of address space held
};

// Reserves room for up to `maximum` bytes and makes `initial` accessible
// and zeroed.
[[nodiscard]] Result<MemoryReservation> platform_memory_reserve(usize initial, usize maximum) noexcept;
// Makes the first `new_size` bytes accessible (new bytes zeroed); may move
// the memory when the platform cannot reserve up front.
[[nodiscard]] Result<void> platform_memory_grow(MemoryReservation& reservation, usize new_size) noexcept;
void platform_memory_release(MemoryReservation& reservation) noexcept;

} // namespace k23::wasm
