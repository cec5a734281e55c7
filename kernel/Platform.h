#pragma once

// The kernel's side of the platform interface (base/Platform.h): what other
// kernel code needs to see of it.

#include <base/Platform.h>
#include <base/Types.h>

namespace k23::kernel {

// A linear memory in the kernel's engine area reserves at most this much
// address space; memory.grow past it fails (kernel/Platform.cpp).
inline constexpr u64 kernel_memory_reservation_cap = 64ull << 20;

// Address space left in the engine area (tests check it comes back).
[[nodiscard]] usize engine_area_free_bytes() noexcept;

// The engine's fault handler (platform_install_fault_handler), or nullptr.
[[nodiscard]] FaultHandler installed_fault_handler() noexcept;

} // namespace k23::kernel
