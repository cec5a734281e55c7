#include <arch/riscv64/Paging.h>
#include <base/Assertions.h>
#include <kernel/mm/AddressRanges.h>

namespace k23::kernel {

using riscv64::PAGE_SIZE;

namespace {

constexpr u64 page_round(u64 size) noexcept { return (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

} // namespace

void AddressRanges::initialize(u64 base, u64 size) noexcept
{
    VERIFY(base % PAGE_SIZE == 0 && size % PAGE_SIZE == 0 && size > 0);
    m_base = base;
    m_size = size;
    m_free[0] = { base, size };
    m_count = 1;
    m_leaked = 0;
}

Result<u64> AddressRanges::allocate(u64 size) noexcept
{
    if (size == 0 || size > m_size)
        return Error::formatted(ErrorCode::OutOfMemory, "cannot reserve {} bytes of address space"_sv, size);
    size = page_round(size);
    for (usize i = 0; i < m_count; ++i) {
        Range& range = m_free[i];
        if (range.size < size)
            continue;
        u64 base = range.base;
        range.base += size;
        range.size -= size;
        if (range.size == 0) {
            for (usize j = i + 1; j < m_count; ++j)
                m_free[j - 1] = m_free[j];
            --m_count;
        }
        return base;
    }
    return Error::formatted(ErrorCode::OutOfMemory, "no free range of {} bytes of address space"_sv, size);
}

void AddressRanges::free(u64 base, u64 size) noexcept
{
    size = page_round(size);
    if (size == 0)
        return;
    VERIFY(base >= m_base && base - m_base <= m_size - size);
    // The first free range above `base`; the freed range must not overlap
    // either neighbour (a double free is a broken invariant).
    usize at = 0;
    while (at < m_count && m_free[at].base < base)
        ++at;
    VERIFY(at == 0 || m_free[at - 1].base + m_free[at - 1].size <= base);
    VERIFY(at == m_count || base + size <= m_free[at].base);
    bool joins_below = at > 0 && m_free[at - 1].base + m_free[at - 1].size == base;
    bool joins_above = at < m_count && base + size == m_free[at].base;
    if (joins_below && joins_above) {
        m_free[at - 1].size += size + m_free[at].size;
        for (usize j = at + 1; j < m_count; ++j)
            m_free[j - 1] = m_free[j];
        --m_count;
    } else if (joins_below) {
        m_free[at - 1].size += size;
    } else if (joins_above) {
        m_free[at].base = base;
        m_free[at].size += size;
    } else if (m_count < max_free_ranges) {
        for (usize j = m_count; j > at; --j)
            m_free[j] = m_free[j - 1];
        m_free[at] = { base, size };
        ++m_count;
    } else {
        m_leaked += size;
    }
}

u64 AddressRanges::free_bytes() const noexcept
{
    u64 total = 0;
    for (usize i = 0; i < m_count; ++i)
        total += m_free[i].size;
    return total;
}

} // namespace k23::kernel
