#pragma once

#include <base/Result.h>
#include <base/Span.h>
#include <base/Integers.h>

namespace k23::kernel {

constexpr usize frame_size = 4096;
constexpr usize huge_frame_size = 2 * 1024 * 1024;

// A range of physical memory: [base, base + size).
struct PhysicalRange {
    uptr base { 0 };
    usize size { 0 };
    [[nodiscard]] uptr end() const noexcept { return base + size; }
};

// The physical frame allocator: 4 KiB frames over a list of usable ranges,
// one bitmap per range (a set bit is a frame in use), kept in the first
// frames of the range itself so the allocator needs no memory of its own.
//
// Its input is only a list of ranges, so it does not care where they came
// from (today: the loader's BootInfo memory map, see kernel/main.cpp). The
// ranges, and so every frame address it hands out, are addresses the kernel
// can touch: with the MMU on, direct-map addresses.
//
// Running out is an error (Result), never a hang; a double free or a free
// of a frame the allocator does not own is a broken invariant (VERIFY).
// Not thread-safe yet: one hart runs the kernel.
class PhysicalMemory {
public:
    static constexpr usize max_zones = 32;

    // Takes over `ranges` (unaligned edges are trimmed to whole frames;
    // ranges too small to hold a bitmap and a frame are ignored). Fails if
    // there are more ranges than max_zones.
    Result<void> initialize(Span<PhysicalRange const> ranges) noexcept;

    // One frame.
    Result<uptr> allocate_frame() noexcept;
    // `count` contiguous frames starting at a multiple of `alignment` (a
    // power of two, at least frame_size): huge_frame_size / huge_frame_size
    // for a 2 MiB page.
    Result<uptr> allocate_frames(usize count, usize alignment = frame_size) noexcept;

    void free_frame(uptr address) noexcept { free_frames(address, 1); }
    void free_frames(uptr address, usize count) noexcept;

    [[nodiscard]] bool owns(uptr address) const noexcept;
    [[nodiscard]] bool is_allocated(uptr address) const noexcept;
    [[nodiscard]] usize free_frame_count() const noexcept { return m_free_frames; }
    [[nodiscard]] usize total_frame_count() const noexcept { return m_total_frames; }
    [[nodiscard]] usize zone_count() const noexcept { return m_zone_count; }

private:
    struct Zone {
        uptr base { 0 };        // first frame the zone hands out
        usize frame_count { 0 };
        u64* bitmap { nullptr }; // ceil(frame_count / 64) words; bits past the end stay set
        usize free { 0 };
        usize next_word { 0 }; // where single-frame searches start
    };

    bool test(const Zone&, usize index) const noexcept;
    void set_range(Zone&, usize first, usize count, bool used) noexcept;
    Zone* zone_for(uptr address) noexcept;
    const Zone* zone_for(uptr address) const noexcept;

    Zone m_zones[max_zones];
    usize m_zone_count { 0 };
    usize m_free_frames { 0 };
    usize m_total_frames { 0 };
};

// The kernel's frame allocator, over all usable RAM.
[[nodiscard]] PhysicalMemory& physical_memory() noexcept;

} // namespace k23::kernel
