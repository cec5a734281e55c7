#pragma once

// What the loader handed over (boot/BootInfo.h), and the address
// translations that follow from it. The kernel runs at a random upper-half
// base with the MMU on; physical memory (RAM and devices) is reached through
// the direct map: virtual = physical + BootInfo.direct_map_offset.

#include <base/Integers.h>
#include <boot/BootInfo.h>

namespace k23::kernel {

// Checks magic, version and size, and records the BootInfo. Returns nullptr
// on success, or what is wrong (the caller panics).
[[nodiscard]] const char* boot_info_install(const boot::BootInfo* info) noexcept;

[[nodiscard]] const boot::BootInfo& boot_info() noexcept;

// Boot cost to the first guest instruction (./k23 bench): instret just
// before the first entry into U-mode (Guest::run_here notes it, once), 0
// until a guest has run. Exact under QEMU -icount shift=0; against
// BootInfo.loader_entry_instret.
void boot_note_first_guest_entry() noexcept;
[[nodiscard]] u64 boot_first_guest_instret() noexcept;

// Physical address -> its address in the direct map.
[[nodiscard]] uptr phys_to_virt(u64 physical) noexcept;
template<typename T>
[[nodiscard]] T* phys_to_virt_pointer(u64 physical) noexcept
{
    return reinterpret_cast<T*>(phys_to_virt(physical));
}
// A kernel-image or direct-map virtual address -> physical; 0 for anything
// else (e.g. the loader's identity-mapped text).
[[nodiscard]] u64 virt_to_phys(const void* address) noexcept;

} // namespace k23::kernel
