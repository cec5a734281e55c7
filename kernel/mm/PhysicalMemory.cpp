#include <base/Assertions.h>
#include <base/Memory.h>
#include <kernel/Panic.h>
#include <kernel/mm/PhysicalMemory.h>

namespace k23::kernel {

namespace {

constexpr uptr align_up(uptr value, usize alignment) noexcept { return (value + alignment - 1) & ~(uptr(alignment) - 1); }
constexpr uptr align_down(uptr value, usize alignment) noexcept { return value & ~(uptr(alignment) - 1); }

PhysicalMemory s_physical_memory;

Error out_of_frames() noexcept
{
    return Error::from_code(ErrorCode::OutOfMemory, "no free physical frames");
}

} // namespace

PhysicalMemory& physical_memory() noexcept { return s_physical_memory; }

Result<void> PhysicalMemory::initialize(Span<PhysicalRange const> ranges) noexcept
{
    m_zone_count = 0;
    m_free_frames = 0;
    m_total_frames = 0;
    for (const auto& range : ranges) {
        uptr base = align_up(range.base, frame_size);
        uptr end = align_down(range.base + range.size, frame_size);
        if (end <= base)
            continue;
        usize frames = (end - base) / frame_size;
        usize words = (frames + 63) / 64;
        usize bitmap_frames = (words * sizeof(u64) + frame_size - 1) / frame_size;
        if (frames <= bitmap_frames)
            continue;
        if (m_zone_count == max_zones)
            return Error::from_code(ErrorCode::OutOfRange, "too many physical memory ranges");

        Zone& zone = m_zones[m_zone_count++];
        zone.bitmap = reinterpret_cast<u64*>(base);
        zone.base = base + bitmap_frames * frame_size;
        zone.frame_count = frames - bitmap_frames;
        zone.free = zone.frame_count;
        zone.next_word = 0;
        fill_bytes(zone.bitmap, 0, words * sizeof(u64));
        // The tail bits of the last word (and the bitmap's own frames'
        // worth, which we do not track) read as used, so word scans never
        // hand out a frame past the end.
        usize tracked_words = (zone.frame_count + 63) / 64;
        if (zone.frame_count % 64 != 0)
            zone.bitmap[tracked_words - 1] = ~u64(0) << (zone.frame_count % 64);
        m_free_frames += zone.frame_count;
        m_total_frames += zone.frame_count;
    }
    return {};
}

bool PhysicalMemory::test(const Zone& zone, usize index) const noexcept
{
    return (zone.bitmap[index / 64] >> (index % 64)) & 1;
}

void PhysicalMemory::set_range(Zone& zone, usize first, usize count, bool used) noexcept
{
    for (usize index = first; index < first + count; ++index) {
        u64 bit = u64(1) << (index % 64);
        u64& word = zone.bitmap[index / 64];
        if (used) {
            VERIFY(!(word & bit));
            word |= bit;
        } else {
            // A frame freed twice, or never handed out.
            VERIFY(word & bit);
            word &= ~bit;
        }
    }
    if (used) {
        zone.free -= count;
        m_free_frames -= count;
    } else {
        zone.free += count;
        m_free_frames += count;
    }
}

Result<uptr> PhysicalMemory::allocate_frame() noexcept
{
    for (usize z = 0; z < m_zone_count; ++z) {
        Zone& zone = m_zones[z];
        if (zone.free == 0)
            continue;
        usize words = (zone.frame_count + 63) / 64;
        // Start where the last search succeeded, wrap around once.
        for (usize step = 0; step < words; ++step) {
            usize w = (zone.next_word + step) % words;
            u64 word = zone.bitmap[w];
            if (word == ~u64(0))
                continue;
            usize index = w * 64 + static_cast<usize>(__builtin_ctzll(~word));
            set_range(zone, index, 1, true);
            zone.next_word = w;
            return zone.base + index * frame_size;
        }
    }
    return out_of_frames();
}

Result<uptr> PhysicalMemory::allocate_frames(usize count, usize alignment) noexcept
{
    if (count == 0 || alignment < frame_size || (alignment & (alignment - 1)) != 0)
        return Error::from_code(ErrorCode::InvalidArgument, "bad frame count or alignment");
    if (count == 1 && alignment == frame_size)
        return allocate_frame();
    if (count > m_free_frames)
        return out_of_frames();

    for (usize z = 0; z < m_zone_count; ++z) {
        Zone& zone = m_zones[z];
        if (zone.free < count)
            continue;
        uptr zone_end = zone.base + zone.frame_count * frame_size;
        uptr candidate = align_up(zone.base, alignment);
        while (candidate < zone_end && (zone_end - candidate) / frame_size >= count) {
            usize first = (candidate - zone.base) / frame_size;
            // Find the last used frame in the run, if any; the next
            // candidate is the first aligned address after it.
            usize blocker = ~usize(0);
            for (usize index = first + count; index > first; --index) {
                if (test(zone, index - 1)) {
                    blocker = index - 1;
                    break;
                }
            }
            if (blocker == ~usize(0)) {
                set_range(zone, first, count, true);
                return candidate;
            }
            candidate = align_up(zone.base + (blocker + 1) * frame_size, alignment);
        }
    }
    return out_of_frames();
}

PhysicalMemory::Zone* PhysicalMemory::zone_for(uptr address) noexcept
{
    for (usize z = 0; z < m_zone_count; ++z) {
        Zone& zone = m_zones[z];
        if (address >= zone.base && (address - zone.base) / frame_size < zone.frame_count)
            return &zone;
    }
    return nullptr;
}

const PhysicalMemory::Zone* PhysicalMemory::zone_for(uptr address) const noexcept
{
    return const_cast<PhysicalMemory*>(this)->zone_for(address);
}

bool PhysicalMemory::owns(uptr address) const noexcept { return zone_for(address) != nullptr; }

bool PhysicalMemory::is_allocated(uptr address) const noexcept
{
    const auto* zone = zone_for(address);
    return zone != nullptr && test(*zone, (address - zone->base) / frame_size);
}

void PhysicalMemory::free_frames(uptr address, usize count) noexcept
{
    VERIFY(address % frame_size == 0);
    Zone* zone = zone_for(address);
    VERIFY(zone != nullptr);
    usize first = (address - zone->base) / frame_size;
    VERIFY(count <= zone->frame_count - first);
    set_range(*zone, first, count, false);
    // Let single-frame searches find the hole again soon.
    if (first / 64 < zone->next_word)
        zone->next_word = first / 64;
}

} // namespace k23::kernel
