#pragma once

// Builds the kernel's first page tables (Sv39 or Sv48) while the MMU is off:
// tables are physical pages from BootMemory, reached by their physical
// address.

#include <arch/riscv64/Paging.h>
#include <base/Result.h>
#include <boot/BootMemory.h>

namespace k23::loader {

class PageTables {
public:
    PageTables(boot::BootMemory& memory, riscv64::PagingMode mode) noexcept
        : m_memory(memory)
        , m_mode(mode)
    {
    }

    [[nodiscard]] Result<void> initialize() noexcept;

    // Maps [virtual_address, +size) to [physical, +size) with leaves of
    // `page_size` (4 KiB, 2 MiB or 1 GiB); all three must be aligned to it.
    // `flags` are the leaf's R/W/X/G bits; V, A and D are added. Refuses to
    // replace an existing mapping.
    [[nodiscard]] Result<void> map(u64 virtual_address, u64 physical, u64 size, u64 flags, u64 page_size) noexcept;

    [[nodiscard]] u64 root() const noexcept { return m_root; }
    [[nodiscard]] u64 satp() const noexcept { return riscv64::make_satp(m_mode, m_root); }
    [[nodiscard]] usize table_count() const noexcept { return m_tables; }

private:
    [[nodiscard]] Result<u64> new_table() noexcept;

    boot::BootMemory& m_memory;
    riscv64::PagingMode m_mode;
    u64 m_root { 0 };
    usize m_tables { 0 };
};

} // namespace k23::loader
