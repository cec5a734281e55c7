#include <boot/BootMemory.h>

namespace k23::boot {

void BootMemory::add_ram(u64 base, u64 size) noexcept
{
    if (size == 0 || m_ram_count == max_ram_ranges || base + size < base)
        return;
    // Keep the list sorted by base (insertion sort; a handful of entries).
    usize i = m_ram_count++;
    while (i > 0 && m_ram[i - 1].base > base) {
        m_ram[i] = m_ram[i - 1];
        --i;
    }
    m_ram[i] = { base, base + size };
}

Result<void> BootMemory::reserve(u64 base, u64 size, Use use) noexcept
{
    if (size == 0)
        return {};
    if (m_reserved_count == max_reservations)
        return Error::from_code(ErrorCode::Exhausted, "too many reserved memory ranges");
    u64 end = base + size < base ? ~0ull : base + size;
    m_reserved[m_reserved_count++] = { { base, end }, use };
    return {};
}

u64 BootMemory::ram_end() const noexcept
{
    u64 end = 0;
    for (usize i = 0; i < m_ram_count; ++i)
        end = m_ram[i].end > end ? m_ram[i].end : end;
    return end;
}

bool BootMemory::is_ram(u64 base, u64 size) const noexcept
{
    for (usize i = 0; i < m_ram_count; ++i) {
        if (base >= m_ram[i].base && size <= m_ram[i].end - base)
            return true;
    }
    return false;
}

Result<u64> BootMemory::allocate(u64 size, u64 alignment, Use use) noexcept
{
    size = align_up(size, 4096);
    for (usize r = 0; r < m_ram_count; ++r) {
        u64 candidate = align_up(m_ram[r].base, alignment);
        bool moved = true;
        while (moved) {
            moved = false;
            if (candidate < m_ram[r].base || candidate + size > m_ram[r].end || candidate + size < candidate)
                break;
            for (usize i = 0; i < m_reserved_count; ++i) {
                const auto& taken = m_reserved[i].range;
                if (candidate < taken.end && taken.base < candidate + size) {
                    candidate = align_up(taken.end, alignment);
                    moved = true;
                    break;
                }
            }
        }
        if (moved || candidate + size > m_ram[r].end || candidate < m_ram[r].base)
            continue;
        TRY(reserve(candidate, size, use));
        return candidate;
    }
    return Error::formatted(ErrorCode::OutOfMemory, "out of memory: no free {} KiB block aligned to {} KiB"_sv,
        size / 1024, alignment / 1024);
}

usize BootMemory::usable_map(boot::MemoryRange* out, usize capacity) const noexcept
{
    // Work list of free ranges, split by each reservation in turn.
    static constexpr usize work_capacity = max_ram_ranges + 2 * max_reservations;
    Range work[work_capacity];
    usize count = 0;
    for (usize i = 0; i < m_ram_count; ++i)
        work[count++] = m_ram[i];
    for (usize r = 0; r < m_reserved_count; ++r) {
        if (m_reserved[r].use == Use::Scratch)
            continue;
        auto const cut = m_reserved[r].range;
        for (usize i = 0; i < count; ++i) {
            Range range = work[i];
            if (cut.end <= range.base || range.end <= cut.base)
                continue;
            // Replace range by what is left of it on either side of cut.
            Range left { range.base, cut.base };
            Range right { cut.end, range.end };
            bool keep_left = cut.base > range.base;
            bool keep_right = cut.end < range.end;
            if (keep_left && keep_right && count < work_capacity) {
                work[i] = left;
                work[count++] = right;
            } else if (keep_left) {
                work[i] = left;
            } else if (keep_right) {
                work[i] = right;
            } else {
                work[i] = work[--count];
                --i;
            }
        }
    }
    // Page-align inward, drop the empty ones, sort by base.
    usize written = 0;
    for (usize i = 0; i < count; ++i) {
        u64 base = align_up(work[i].base, 4096);
        u64 end = align_down(work[i].end, 4096);
        if (end <= base || written == capacity)
            continue;
        usize j = written++;
        while (j > 0 && out[j - 1].base > base) {
            out[j] = out[j - 1];
            --j;
        }
        out[j] = { base, end - base };
    }
    return written;
}

} // namespace k23::boot
