#pragma once

// The kernel's side of the platform interface (base/Platform.h): what other
// kernel code needs to see of it.

#include <base/Platform.h>
#include <base/Result.h>
#include <base/Integers.h>

namespace k23::kernel {

// A linear memory in the kernel's engine area reserves at most this much
// address space; memory.grow past it fails (kernel/Platform.cpp).
inline constexpr u64 kernel_memory_reservation_cap = 64ull << 20;

// Address space left in the engine area (tests check it comes back).
[[nodiscard]] usize engine_area_free_bytes() noexcept;

// The engine's fault handler (platform_install_fault_handler), or nullptr.
[[nodiscard]] FaultHandler installed_fault_handler() noexcept;

// A kernel stack of `size` bytes (page multiple) with an unmapped guard
// page below it, in the engine area: a guest's own kernel stack
// (kernel/Guest.h). Its frames are not zeroed (no guest ever sees them).
struct KernelStack {
    u64 base { 0 }; // lowest mapped byte; base - PAGE_SIZE is the guard
    u64 size { 0 };
    [[nodiscard]] u64 top() const noexcept { return base + size; }
};
[[nodiscard]] Result<KernelStack> kernel_stack_allocate(usize size) noexcept;
void kernel_stack_release(KernelStack& stack) noexcept;

} // namespace k23::kernel
