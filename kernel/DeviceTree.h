#pragma once

#include <base/StringView.h>
#include <base/Types.h>
#include <kernel/Console.h>

namespace k23::kernel {

struct MemoryRegion {
    u64 base { 0 };
    u64 size { 0 };
};

// What the kernel needs from the device tree, parsed once at boot. Strings
// point into the device tree blob, which stays where the firmware put it.
struct PlatformInfo {
    static constexpr usize max_memory_regions = 16;

    const void* fdt { nullptr };
    u64 boot_hart_id { 0 };
    StringView bootargs;

    bool has_uart { false };
    UartConfig uart;

    MemoryRegion memory[max_memory_regions];
    usize memory_region_count { 0 };

    usize cpu_count { 0 };
    StringView boot_hart_isa; // "riscv,isa" of the boot hart's cpu node
    u64 timebase_frequency { 0 };

    bool has_test_finisher { false };
    uptr test_finisher_base { 0 };

    [[nodiscard]] u64 total_memory() const noexcept;
    // True if the single-letter part of the ISA string names `extension`
    // (e.g. 'v'); "rv64imafdcvh_zicsr..." has v and h.
    [[nodiscard]] bool isa_has(char extension) const noexcept;
};

// Parses the flattened device tree at `fdt`. Returns nullptr on success, or a
// description of what is wrong with the blob.
[[nodiscard]] const char* parse_device_tree(const void* fdt, u64 boot_hart_id, PlatformInfo& out) noexcept;

// The platform the kernel booted on (filled in by kernel_main).
extern PlatformInfo g_platform;

} // namespace k23::kernel
