#pragma once

// The hand-off from the loader to the kernel. The loader fills one BootInfo
// in a page of its own (kept out of the memory map), switches to its page
// tables and jumps to the kernel's entry with a0 = the BootInfo's address in
// the direct map (virtual: physical + direct_map_offset). Every field is
// plain data at a fixed offset (static_asserts below): bump `version` on any
// change.

#include <base/Integers.h>

namespace k23::boot {

inline constexpr u64 boot_info_magic = 0x4f464e4954304f42ull; // bytes "BO0TINFO" (little-endian)
inline constexpr u32 boot_info_version = 2; // 2: loader_entry_instret

struct MemoryRange {
    u64 base;
    u64 size;
};
static_assert(sizeof(MemoryRange) == 16);

enum class EntropySource : u32 {
    None = 0,
    DeviceTreeRngSeed = 1, // /chosen/rng-seed
    ZkrSeedCsr = 2,        // the Zkr `seed` CSR
    TimerJitter = 3,       // rdtime jitter (weak: logged as such)
};

struct BootInfo {
    static constexpr usize max_memory_ranges = 64;

    u64 magic;                 // boot_info_magic
    u32 version;               // boot_info_version
    u32 size;                  // sizeof(BootInfo)
    u64 hart_id;               // the boot hart (a0 from the firmware)
    u64 dtb_physical;          // the device tree blob (a1 from the firmware)
    u64 dtb_size;              // its totalsize
    u64 kernel_physical_base;  // where the kernel's segments are, 2 MiB aligned
    u64 kernel_size;           // bytes from the base: all segments, .bss included
    u64 kernel_virtual_base;   // where the loader mapped it (KASLR), 2 MiB aligned
    u64 direct_map_offset;     // virtual = physical + direct_map_offset
    u64 direct_map_size;       // physical [0, direct_map_size) is mapped RW, not X
    u64 paging_mode;           // satp.MODE: 8 = Sv39, 9 = Sv48
    u64 root_page_table;       // physical address of the active root table
    u64 loader_physical_base;  // the loader image, its page tables and this page
    u64 loader_size;           //   (not in memory_map)
    u64 symbol_table;          // virtual address of .k23_symtab, or 0
    u64 symbol_table_size;     // its size in bytes, or 0
    u8 entropy[32];            // fresh random bytes, not the ones KASLR used
    EntropySource entropy_source;
    u32 memory_range_count;
    MemoryRange memory_map[max_memory_ranges]; // usable RAM, sorted, disjoint
    u64 loader_entry_instret;  // rdinstret as the loader's entry read it first thing
};

static_assert(__builtin_offsetof(BootInfo, magic) == 0);
static_assert(__builtin_offsetof(BootInfo, version) == 8);
static_assert(__builtin_offsetof(BootInfo, size) == 12);
static_assert(__builtin_offsetof(BootInfo, hart_id) == 16);
static_assert(__builtin_offsetof(BootInfo, dtb_physical) == 24);
static_assert(__builtin_offsetof(BootInfo, dtb_size) == 32);
static_assert(__builtin_offsetof(BootInfo, kernel_physical_base) == 40);
static_assert(__builtin_offsetof(BootInfo, kernel_size) == 48);
static_assert(__builtin_offsetof(BootInfo, kernel_virtual_base) == 56);
static_assert(__builtin_offsetof(BootInfo, direct_map_offset) == 64);
static_assert(__builtin_offsetof(BootInfo, direct_map_size) == 72);
static_assert(__builtin_offsetof(BootInfo, paging_mode) == 80);
static_assert(__builtin_offsetof(BootInfo, root_page_table) == 88);
static_assert(__builtin_offsetof(BootInfo, loader_physical_base) == 96);
static_assert(__builtin_offsetof(BootInfo, loader_size) == 104);
static_assert(__builtin_offsetof(BootInfo, symbol_table) == 112);
static_assert(__builtin_offsetof(BootInfo, symbol_table_size) == 120);
static_assert(__builtin_offsetof(BootInfo, entropy) == 128);
static_assert(__builtin_offsetof(BootInfo, entropy_source) == 160);
static_assert(__builtin_offsetof(BootInfo, memory_range_count) == 164);
static_assert(__builtin_offsetof(BootInfo, memory_map) == 168);
static_assert(__builtin_offsetof(BootInfo, loader_entry_instret) == 168 + 16 * BootInfo::max_memory_ranges);
static_assert(sizeof(BootInfo) == 168 + 16 * BootInfo::max_memory_ranges + 8);
static_assert(sizeof(BootInfo) <= 4096, "BootInfo lives in one page");

} // namespace k23::boot
