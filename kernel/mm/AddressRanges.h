#pragma once

// A first-fit allocator of page-aligned virtual address ranges inside one
// window (the kernel's engine area today; a guest's user half later). It
// hands out address space only: mapping frames is the caller's business.
// Free ranges are kept sorted and coalesced in a fixed array, so it needs no
// heap. Not thread-safe (one hart runs the kernel).

#include <base/Result.h>
#include <base/Integers.h>

namespace k23::kernel {

class AddressRanges {
public:
    static constexpr usize max_free_ranges = 128;

    // The window [base, base + size), both page aligned, all free.
    void initialize(u64 base, u64 size) noexcept;

    // `size` bytes (rounded up to pages) at the lowest free address;
    // OutOfMemory when no free range is large enough.
    [[nodiscard]] Result<u64> allocate(u64 size) noexcept;
    // Gives back a range from allocate() (same size). When the list is full
    // and the range touches no free neighbour, its address space is leaked
    // (counted in leaked_bytes()) rather than stopping the kernel.
    void free(u64 base, u64 size) noexcept;

    [[nodiscard]] u64 free_bytes() const noexcept;
    [[nodiscard]] u64 leaked_bytes() const noexcept { return m_leaked; }
    [[nodiscard]] bool contains(u64 address) const noexcept { return address >= m_base && address - m_base < m_size; }

private:
    struct Range {
        u64 base { 0 };
        u64 size { 0 };
    };
    Range m_free[max_free_ranges];
    usize m_count { 0 };
    u64 m_base { 0 };
    u64 m_size { 0 };
    u64 m_leaked { 0 };
};

} // namespace k23::kernel
