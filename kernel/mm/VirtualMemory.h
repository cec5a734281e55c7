#pragma once

// The kernel's virtual memory: its own Sv39/Sv48 page tables, built at boot
// to replace the loader's (kernel/mm/VirtualMemory.cpp), and the calls that
// change them.
//
// Layout (boot/AddressSpace.h): the kernel image at its KASLR base, mapped
// W^X from the linker's segment bounds (text RX, rodata R, data and .bss
// RW); the direct map of physical memory, RW and never executable; and
// nothing else. The loader's identity map of its own text is *not* carried
// over. Every kernel mapping is global (G) and never user-accessible (U = 0).
// The top 2 GiB of the address space (kernel_scratch_base) are for mappings
// made at run time: the first 1.5 GiB for the virtual-memory tests, the last
// 512 MiB the engine area (kernel/Platform.cpp: the engine's code and linear
// memories while it runs in the kernel's own address space).
//
// Pages are 4 KiB; map() uses 2 MiB and 1 GiB leaves by itself wherever the
// virtual address, the physical address and the remaining size allow it.
// Huge pages are never split: unmap() or protect() of part of a huge page
// fails with "would split huge page" (ErrorCode::Unsupported) and changes
// nothing. Every call checks the whole range first, so a failing call leaves
// the tables as they were (map() rolls back if it runs out of frames).
//
// Page-table frames come from the frame allocator; unmap() gives back
// intermediate tables that become empty. Every change is followed by
// tlb_shootdown().
//
// Not thread-safe yet: one hart runs the kernel.

#include <arch/riscv64/Paging.h>
#include <base/Result.h>
#include <base/Integers.h>
#include <boot/BootInfo.h>

namespace k23::kernel {

enum class Protection : u8 {
    None = 0, // mapped (the frame stays reserved) but every access faults
    Read = 1 << 0,
    Write = 1 << 1, // implies Read (W without R is reserved, privileged spec §4.3.1)
    Execute = 1 << 2,
    ReadWrite = Read | Write,
    ReadExecute = Read | Execute,
};

constexpr Protection operator|(Protection a, Protection b) noexcept
{
    return static_cast<Protection>(static_cast<u8>(a) | static_cast<u8>(b));
}
constexpr bool has(Protection set, Protection bit) noexcept
{
    return (static_cast<u8>(set) & static_cast<u8>(bit)) != 0;
}

// Free kernel virtual space for run-time mappings: the top 2 GiB, which the
// loader leaves unused in both Sv39 and Sv48 (boot/AddressSpace.h).
inline constexpr u64 kernel_scratch_base = 0xffff'ffff'8000'0000ull;
inline constexpr u64 kernel_scratch_size = 2ull << 30;
inline constexpr u64 kernel_engine_area_size = 512ull << 20;
inline constexpr u64 kernel_engine_area_base = kernel_scratch_base + kernel_scratch_size - kernel_engine_area_size;

struct Translation {
    u64 physical { 0 };  // of the byte at the virtual address asked about
    u64 page_size { 0 }; // 4 KiB, 2 MiB or 1 GiB
    Protection protection { Protection::None };
};

class VirtualMemory {
public:
    // Builds the kernel's tables from the BootInfo and the linker symbols,
    // switches satp to them and flushes the TLB. The paging mode is the one
    // the loader chose (read from satp).
    [[nodiscard]] Result<void> initialize(const boot::BootInfo&) noexcept;

    // Maps [virtual_address, +size) to [physical, +size). All three must be
    // 4 KiB aligned (InvalidArgument); no page of the range may be mapped
    // (AlreadyExists); running out of frames for tables is OutOfMemory.
    [[nodiscard]] Result<void> map(u64 virtual_address, u64 physical, u64 size, Protection) noexcept;
    // Removes the mappings of the range; every page must be mapped
    // (NotFound). The mapped frames are the caller's; empty tables are freed.
    [[nodiscard]] Result<void> unmap(u64 virtual_address, u64 size) noexcept;
    // Changes the protection of every page of the range (all mapped).
    [[nodiscard]] Result<void> protect(u64 virtual_address, u64 size, Protection) noexcept;

    // What the tables say about one address (NotFound if unmapped).
    [[nodiscard]] Result<Translation> translate(u64 virtual_address) const noexcept;

    // Gives every empty upper-half entry of the root table a (empty) next-
    // level table, and keeps those tables for good (unmap() never frees
    // them). Why: a user address space (kernel/mm/UserAddressSpace.h) has
    // its own root table whose upper half is a *copy* of these 256 root
    // entries. With every one of them filled in at boot and never changed
    // again, a kernel mapping made later only ever changes tables below the
    // root, which all address spaces share by pointer, so it is visible in
    // every address space at once and no root table needs updating.
    // Costs one frame per empty root entry (under 1 MiB). The price under
    // Sv39: a 1 GiB leaf is a root entry, so run-time mappings made after
    // this use 2 MiB leaves at most (the boot-time direct map keeps its
    // 1 GiB leaves, which are shared like any other root entry).
    [[nodiscard]] Result<void> preallocate_upper_half() noexcept;
    [[nodiscard]] bool upper_half_is_shared() const noexcept { return m_upper_half_pinned; }
    // The root table through the direct map (for address spaces and audits).
    [[nodiscard]] const u64* root_table() const noexcept { return m_root_table; }

    [[nodiscard]] riscv64::PagingMode mode() const noexcept { return m_mode; }
    [[nodiscard]] u64 root_physical() const noexcept { return m_root; }
    [[nodiscard]] usize table_frame_count() const noexcept { return m_table_frames; }
    [[nodiscard]] bool is_initialized() const noexcept { return m_root != 0; }

private:
    // One walk down to the entry that maps `virtual_address`, following the
    // translation process of the privileged spec (see VirtualMemory.cpp).
    struct Walk {
        u64* tables[4] {};  // tables[level]: the table visited at that level
        u64* entry { nullptr }; // the leaf (or no-access leaf) entry, if found
        u32 level { 0 };        // the level of `entry`
    };
    [[nodiscard]] bool walk(u64 virtual_address, Walk&) const noexcept;
    // Checks that every page of the range is mapped and no huge leaf sticks
    // out of it.
    [[nodiscard]] Result<void> check_fully_mapped(u64 virtual_address, u64 size) const noexcept;
    [[nodiscard]] Result<u64*> new_table() noexcept;
    void free_table(u64* table) noexcept;
    [[nodiscard]] u64* table_at(u64 entry) const noexcept;
    [[nodiscard]] Result<void> check_range(u64 virtual_address, u64 size) const noexcept;
    [[nodiscard]] Result<void> map_one(u64 virtual_address, u64 page_size, u64 entry) noexcept;
    bool unmap_one(u64 virtual_address, u64& page_size) noexcept;
    bool prune_empty_tables(u64 virtual_address, const Walk&) noexcept;

    riscv64::PagingMode m_mode { riscv64::PagingMode::Sv39 };
    u64 m_root { 0 };          // physical
    u64* m_root_table { nullptr }; // its direct-map address
    u64 m_direct_map_offset { 0 };
    usize m_table_frames { 0 };
    bool m_upper_half_pinned { false };
};

// The kernel's address space (valid after kernel_main set it up).
[[nodiscard]] VirtualMemory& kernel_virtual_memory() noexcept;

// Makes this hart (and, with SMP, later every hart) drop stale translations
// for [virtual_address, +size). Today: a local sfence.vma per page, or one
// for everything past a threshold. SMP: an IPI to the other harts (SBI RFENCE
// remote_sfence_vma) comes here later.
void tlb_shootdown(u64 virtual_address, u64 size) noexcept;
// After a change to non-leaf entries (a table freed): everything, every hart.
void tlb_shootdown_all() noexcept;

} // namespace k23::kernel
