#pragma once

// The kernel as the loader sees it: a position-independent ELF64 RISC-V
// executable (ET_DYN, linked at 0) whose only dynamic relocations are
// R_RISCV_RELATIVE. Field layouts from the System V ABI (gABI) "ELF Object
// Files" chapter and the RISC-V ELF psABI ("Relocations").

#include <base/Result.h>
#include <base/Integers.h>

namespace k23::loader {

struct KernelSegment {
    u64 file_offset;
    u64 virtual_offset; // from the kernel's base (p_vaddr; it is linked at 0)
    u64 file_size;
    u64 memory_size;
    u32 flags;          // PF_R / PF_W / PF_X
};

struct KernelElf {
    static constexpr usize max_segments = 8;
    const u8* bytes { nullptr };
    u64 size { 0 };
    u64 entry { 0 };          // offset from the base
    u64 image_size { 0 };     // span of all segments, page aligned
    KernelSegment segments[max_segments] {};
    usize segment_count { 0 };
    u64 dynamic_offset { 0 }; // PT_DYNAMIC's p_vaddr, or 0 if none
    u64 dynamic_size { 0 };
    u64 symbol_table_offset { 0 }; // .k23_symtab's sh_addr, if allocated
    u64 symbol_table_size { 0 };
};

inline constexpr u32 PF_X = 1;
inline constexpr u32 PF_W = 2;
inline constexpr u32 PF_R = 4;

// Checks the headers and the segment layout (page-aligned, non-overlapping,
// never writable and executable at once).
[[nodiscard]] Result<KernelElf> parse_kernel_elf(const u8* bytes, u64 size) noexcept;

// Copies the segments to `physical` (identity-mapped: the MMU is still off),
// zeroes the rest of image_size, and applies the relocations for a kernel
// running at `virtual_base`. Returns the number of relocations applied.
[[nodiscard]] Result<u64> load_kernel(const KernelElf&, u64 physical, u64 virtual_base) noexcept;

} // namespace k23::loader
