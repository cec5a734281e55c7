#pragma once

// The kernel's virtual address-space layout, shared by the loader (which
// builds it) and the kernel (which checks it). Upper half only:
//
//   Sv39 (upper half 0xffffffc0_00000000.., 256 GiB)
//     0xffffffc0_00000000  direct map of physical memory (up to 128 GiB)
//     0xffffffe0_00000000  KASLR window for the kernel image, 2 MiB slots
//     0xffffffff_80000000  top 2 GiB: left unused
//   Sv48 (upper half 0xffff8000_00000000.., 128 TiB)
//     0xffff8000_00000000  direct map (up to 64 TiB)
//     0xffffc000_00000000  KASLR window
//     0xffffffff_80000000  top 2 GiB: left unused
//
// The direct map and the KASLR window are disjoint by construction.

#include <arch/riscv64/Paging.h>
#include <base/Integers.h>

namespace k23::boot {

using riscv64::PagingMode;

inline constexpr u64 kernel_alignment = riscv64::MEGAPAGE_SIZE;

constexpr u64 direct_map_base(PagingMode mode) noexcept { return riscv64::upper_half_start(mode); }

constexpr u64 direct_map_limit(PagingMode mode) noexcept
{
    return mode == PagingMode::Sv48 ? (64ull << 40) : (128ull << 30);
}

constexpr u64 kaslr_window_start(PagingMode mode) noexcept
{
    return direct_map_base(mode) + direct_map_limit(mode);
}

constexpr u64 kaslr_window_end(PagingMode) noexcept { return 0xffff'ffff'8000'0000ull; }

// The kernel's virtual base for a random 64-bit value: a 2 MiB-aligned slot
// in the KASLR window with room for `kernel_size` bytes. Returns 0 if the
// kernel does not fit at all.
constexpr u64 choose_kernel_base(PagingMode mode, u64 random, u64 kernel_size) noexcept
{
    u64 start = kaslr_window_start(mode);
    u64 end = kaslr_window_end(mode);
    u64 size = (kernel_size + kernel_alignment - 1) & ~(kernel_alignment - 1);
    if (size == 0 || size > end - start)
        return 0;
    u64 slots = (end - start - size) / kernel_alignment + 1;
    return start + (random % slots) * kernel_alignment;
}

static_assert(kaslr_window_start(PagingMode::Sv39) == 0xffff'ffe0'0000'0000ull);
static_assert(kaslr_window_start(PagingMode::Sv48) == 0xffff'c000'0000'0000ull);
static_assert(choose_kernel_base(PagingMode::Sv39, 0, 4096) == 0xffff'ffe0'0000'0000ull);
static_assert(choose_kernel_base(PagingMode::Sv39, ~0ull, 1ull << 21) + (1ull << 21) <= kaslr_window_end(PagingMode::Sv39));

} // namespace k23::boot
