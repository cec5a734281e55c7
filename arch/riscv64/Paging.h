#pragma once

// The Sv39 and Sv48 page-table formats and satp. Section numbers refer to the
// RISC-V Privileged Architecture, version 20211203 (privileged spec 1.12),
// Volume II.

#include <base/Integers.h>

namespace k23::riscv64 {

inline constexpr u64 PAGE_SIZE = 4096;       // §4.3.1: 4 KiB pages
inline constexpr u64 PAGE_SHIFT = 12;
inline constexpr u64 PTES_PER_TABLE = 512;   // §4.4.1: a table is one page of 8-byte PTEs
inline constexpr u64 VPN_BITS = 9;           // §4.4.1: VPN[i] is 9 bits wide in Sv39/Sv48
inline constexpr u64 MEGAPAGE_SIZE = 2ull << 20; // §4.4.1: a leaf at level 1 maps 2 MiB
inline constexpr u64 GIGAPAGE_SIZE = 1ull << 30; // §4.4.1: a leaf at level 2 maps 1 GiB

// Page-table entry bits, §4.4.1, Figure 4.21 (Sv39 PTE); Sv48 uses the same
// low bits and PPN position (§4.5.1, Figure 4.24).
namespace Pte {
inline constexpr u64 V = 1ull << 0; // valid
inline constexpr u64 R = 1ull << 1; // readable
inline constexpr u64 W = 1ull << 2; // writable (W without R is reserved)
inline constexpr u64 X = 1ull << 3; // executable; R = W = X = 0 means "pointer to next level"
inline constexpr u64 U = 1ull << 4; // user-mode accessible
inline constexpr u64 G = 1ull << 5; // global mapping
inline constexpr u64 A = 1ull << 6; // accessed (§4.3.1: may fault if clear; we set it)
inline constexpr u64 D = 1ull << 7; // dirty (likewise)
inline constexpr u64 PPN_SHIFT = 10; // PPN occupies bits 53:10
inline constexpr u64 PPN_MASK = ((1ull << 44) - 1) << PPN_SHIFT;
}

constexpr u64 pte_from_physical(u64 physical, u64 flags) noexcept
{
    return ((physical >> PAGE_SHIFT) << Pte::PPN_SHIFT) | flags;
}

constexpr u64 pte_physical(u64 pte) noexcept
{
    return ((pte & Pte::PPN_MASK) >> Pte::PPN_SHIFT) << PAGE_SHIFT;
}

constexpr bool pte_is_leaf(u64 pte) noexcept { return (pte & (Pte::R | Pte::W | Pte::X)) != 0; }

// satp for RV64, §4.1.11, Figure 4.12: MODE in 63:60, ASID in 59:44, PPN of
// the root table in 43:0; MODE values from Table 4.4.
enum class PagingMode : u64 {
    Bare = 0,
    Sv39 = 8,
    Sv48 = 9,
};

namespace Satp {
inline constexpr u64 MODE_SHIFT = 60;
inline constexpr u64 ASID_SHIFT = 44;
inline constexpr u64 PPN_MASK = (1ull << 44) - 1;
inline constexpr u64 ASID_MASK = 0xffffull << ASID_SHIFT;
}

constexpr u64 make_satp(PagingMode mode, u64 root_physical, u64 asid = 0) noexcept
{
    return (static_cast<u64>(mode) << Satp::MODE_SHIFT) | (asid << Satp::ASID_SHIFT)
        | ((root_physical >> PAGE_SHIFT) & Satp::PPN_MASK);
}

// Number of page-table levels: 3 for Sv39 (§4.4), 4 for Sv48 (§4.5).
constexpr u32 paging_levels(PagingMode mode) noexcept { return mode == PagingMode::Sv48 ? 4 : 3; }

// Virtual addresses must be sign-extended from bit 38 (Sv39, §4.4.1) or bit 47
// (Sv48, §4.5.1): the "upper half" starts here.
constexpr u64 upper_half_start(PagingMode mode) noexcept
{
    return mode == PagingMode::Sv48 ? 0xffff'8000'0000'0000ull : 0xffff'ffc0'0000'0000ull;
}

constexpr u64 vpn_index(u64 virtual_address, u32 level) noexcept
{
    return (virtual_address >> (PAGE_SHIFT + VPN_BITS * level)) & (PTES_PER_TABLE - 1);
}

static_assert(make_satp(PagingMode::Sv39, 0x8020'0000) == ((8ull << 60) | 0x80200));
static_assert(pte_physical(pte_from_physical(0x8040'1000, Pte::V | Pte::R)) == 0x8040'1000);

// sfence.vma with no operands: order all earlier page-table stores before
// later translations, for every address space (§4.2.1).
inline void sfence_vma_all() noexcept { asm volatile("sfence.vma zero, zero" ::: "memory"); }

} // namespace k23::riscv64
