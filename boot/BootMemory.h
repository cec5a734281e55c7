#pragma once

// The loader's view of physical memory: RAM from the device tree, the ranges
// that are taken (firmware, device tree, reserved-memory, the image, what the
// loader allocates), a first-fit allocator over what is left, and the usable
// memory map handed to the kernel.

#include <base/Result.h>
#include <base/Integers.h>
#include <boot/BootInfo.h>

namespace k23::boot {

enum class Use : u8 {
    Firmware,  // reserved by the platform: never handed out, never usable
    Loader,    // the loader image, page tables, BootInfo: kept from the kernel
    Kernel,    // the kernel's segments
    Scratch,   // loader working memory: usable by the kernel after hand-off
    Initrd,    // the initial ramdisk (/chosen/linux,initrd-*): kept for the kernel, which reads it through the direct map
};

class BootMemory {
public:
    static constexpr usize max_ram_ranges = 16;
    static constexpr usize max_reservations = 64;

    void add_ram(u64 base, u64 size) noexcept;
    Result<void> reserve(u64 base, u64 size, Use use) noexcept;
    // Lowest `alignment`-aligned free range of `size` bytes, recorded as `use`.
    Result<u64> allocate(u64 size, u64 alignment, Use use) noexcept;

    [[nodiscard]] usize ram_count() const noexcept { return m_ram_count; }
    [[nodiscard]] boot::MemoryRange ram(usize i) const noexcept { return { m_ram[i].base, m_ram[i].end - m_ram[i].base }; }
    [[nodiscard]] u64 ram_end() const noexcept;
    [[nodiscard]] bool is_ram(u64 base, u64 size) const noexcept;

    // RAM minus every reservation except Scratch, sorted; returns the count
    // (at most `capacity`; smaller leftovers are dropped).
    usize usable_map(boot::MemoryRange* out, usize capacity) const noexcept;

private:
    struct Range {
        u64 base;
        u64 end;
    };
    struct Reservation {
        Range range;
        Use use;
    };
    Range m_ram[max_ram_ranges] {};
    usize m_ram_count { 0 };
    Reservation m_reserved[max_reservations] {};
    usize m_reserved_count { 0 };
};

constexpr u64 align_up(u64 value, u64 alignment) noexcept { return (value + alignment - 1) & ~(alignment - 1); }
constexpr u64 align_down(u64 value, u64 alignment) noexcept { return value & ~(alignment - 1); }

} // namespace k23::boot
