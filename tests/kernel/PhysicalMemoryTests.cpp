// The physical frame allocator (kernel/mm/PhysicalMemory.h). Tests on a
// private instance run over frames borrowed from the kernel's allocator, so
// they can exhaust it without starving the kernel.

#include <base/Memory.h>
#include <kernel/KTest.h>
#include <kernel/mm/PhysicalMemory.h>

using namespace k23;
using namespace k23::kernel;

namespace {

// A private allocator over `frames` frames taken from the kernel's.
struct PrivateFrames {
    uptr region { 0 };
    usize frames { 0 };
    PhysicalMemory allocator;

    bool create(usize count, usize alignment = frame_size) noexcept
    {
        auto borrowed = physical_memory().allocate_frames(count, alignment);
        if (borrowed.is_error())
            return false;
        region = borrowed.value();
        frames = count;
        PhysicalRange range { region, count * frame_size };
        return !allocator.initialize(Span<PhysicalRange const>(&range, 1)).is_error();
    }
    ~PrivateFrames()
    {
        if (region != 0)
            physical_memory().free_frames(region, frames);
    }
};

} // namespace

KTEST(frame_private_exhaustion_is_an_error)
{
    PrivateFrames pool;
    KASSERT(pool.create(64));
    // One frame holds the bitmap.
    KEXPECT_EQ(pool.allocator.total_frame_count(), 63u);
    usize count = 0;
    uptr previous = 0;
    while (true) {
        auto frame = pool.allocator.allocate_frame();
        if (frame.is_error()) {
            KEXPECT(frame.error().code() == ErrorCode::OutOfMemory);
            break;
        }
        KEXPECT_EQ(frame.value() % frame_size, 0u);
        KEXPECT(frame.value() >= pool.region && frame.value() < pool.region + 64 * frame_size);
        KEXPECT_NE(frame.value(), previous);
        previous = frame.value();
        KASSERT(++count <= 63);
    }
    KEXPECT_EQ(count, 63u);
    KEXPECT_EQ(pool.allocator.free_frame_count(), 0u);
    // Still an error, not a hang, when asked again or for a run.
    KEXPECT(pool.allocator.allocate_frame().is_error());
    KEXPECT(pool.allocator.allocate_frames(2).is_error());
}

KTEST(frame_private_reuse_after_free)
{
    PrivateFrames pool;
    KASSERT(pool.create(16));
    uptr frames[15];
    for (auto& frame : frames)
        frame = MUST(pool.allocator.allocate_frame());
    KEXPECT(pool.allocator.allocate_frame().is_error());
    pool.allocator.free_frame(frames[7]);
    KEXPECT(!pool.allocator.is_allocated(frames[7]));
    auto again = pool.allocator.allocate_frame();
    KASSERT(!again.is_error());
    KEXPECT_EQ(again.value(), frames[7]);
    for (auto frame : frames)
        pool.allocator.free_frame(frame);
    KEXPECT_EQ(pool.allocator.free_frame_count(), 15u);
    // A run of every frame fits again once all are back.
    auto run = pool.allocator.allocate_frames(15);
    KEXPECT(!run.is_error());
}

KTEST(frame_private_aligned_runs)
{
    // 6 MiB + a frame, 2 MiB aligned: after the bitmap frame the first
    // 2 MiB boundary inside is region + 2 MiB.
    PrivateFrames pool;
    usize count = 3 * (huge_frame_size / frame_size) + 1;
    KASSERT(pool.create(count, huge_frame_size));
    auto huge = pool.allocator.allocate_frames(huge_frame_size / frame_size, huge_frame_size);
    KASSERT(!huge.is_error());
    KEXPECT_EQ(huge.value() % huge_frame_size, 0u);
    KEXPECT_EQ(huge.value(), pool.region + huge_frame_size);
    // A used frame inside the next candidate pushes the run past it.
    uptr single = MUST(pool.allocator.allocate_frame());
    KEXPECT_EQ(single, pool.region + frame_size);
    auto second = pool.allocator.allocate_frames(huge_frame_size / frame_size, huge_frame_size);
    KASSERT(!second.is_error());
    KEXPECT_EQ(second.value(), pool.region + 2 * huge_frame_size);
    // No third aligned 2 MiB run fits.
    KEXPECT(pool.allocator.allocate_frames(huge_frame_size / frame_size, huge_frame_size).is_error());
    auto small_aligned = pool.allocator.allocate_frames(3, 16 * frame_size);
    KASSERT(!small_aligned.is_error());
    KEXPECT_EQ(small_aligned.value() % (16 * frame_size), 0u);
    KEXPECT(pool.allocator.allocate_frames(1, 3000).is_error()); // not a power of two >= 4 KiB
    KEXPECT(pool.allocator.allocate_frames(0).is_error());
    pool.allocator.free_frames(huge.value(), huge_frame_size / frame_size);
    auto reused = pool.allocator.allocate_frames(huge_frame_size / frame_size, huge_frame_size);
    KEXPECT(!reused.is_error() && reused.value() == huge.value());
}

KTEST(frame_ranges_skip_gaps_and_tiny_ranges)
{
    PrivateFrames pool;
    KASSERT(pool.create(40));
    // Two usable ranges with a hole between them, one too small for a
    // bitmap plus a frame, and one with unaligned edges.
    PhysicalRange ranges[] = {
        { pool.region, 8 * frame_size },
        { pool.region + 10 * frame_size, frame_size },
        { pool.region + 20 * frame_size + 100, 10 * frame_size },
    };
    PhysicalMemory allocator;
    KASSERT(!allocator.initialize(Span<PhysicalRange const>(ranges, 3)).is_error());
    KEXPECT_EQ(allocator.zone_count(), 2u);
    // 8 - 1 bitmap frame, then [21, 30) whole frames - 1 bitmap frame.
    KEXPECT_EQ(allocator.total_frame_count(), 7u + 8u);
    usize count = 0;
    while (true) {
        auto frame = allocator.allocate_frame();
        if (frame.is_error())
            break;
        uptr f = frame.value();
        bool in_first = f >= pool.region + frame_size && f < pool.region + 8 * frame_size;
        bool in_third = f >= pool.region + 22 * frame_size && f < pool.region + 30 * frame_size;
        KEXPECT(in_first || in_third);
        ++count;
    }
    KEXPECT_EQ(count, 15u);
    // A run cannot span the hole.
    allocator.free_frame(pool.region + 7 * frame_size);
    allocator.free_frame(pool.region + 22 * frame_size);
    KEXPECT(allocator.allocate_frames(2).is_error());
}

KTEST(frame_global_covers_usable_ram)
{
    // Every free frame of the kernel's allocator is real, writable RAM:
    // take them all, chaining each to the previous one through its first
    // word (no other memory needed), then walk the chain to give them back.
    auto& memory = physical_memory();
    usize free_before = memory.free_frame_count();
    KASSERT(free_before > 0);
    uptr chain = 0;
    usize count = 0;
    while (true) {
        auto frame = memory.allocate_frame();
        if (frame.is_error())
            break;
        *reinterpret_cast<volatile uptr*>(frame.value()) = chain;
        *reinterpret_cast<volatile u64*>(frame.value() + frame_size - 8) = frame.value() ^ 0x5a5a5a5a;
        chain = frame.value();
        ++count;
    }
    KEXPECT_EQ(count, free_before);
    KEXPECT_EQ(memory.free_frame_count(), 0u);
    usize intact = 0;
    while (chain != 0) {
        uptr next = *reinterpret_cast<volatile uptr*>(chain);
        if (*reinterpret_cast<volatile u64*>(chain + frame_size - 8) == (chain ^ 0x5a5a5a5a))
            ++intact;
        memory.free_frame(chain);
        chain = next;
    }
    KEXPECT_EQ(intact, count);
    KEXPECT_EQ(memory.free_frame_count(), free_before);
    // And a 2 MiB page is still available afterwards.
    auto huge = memory.allocate_frames(huge_frame_size / frame_size, huge_frame_size);
    KASSERT(!huge.is_error());
    memory.free_frames(huge.value(), huge_frame_size / frame_size);
}

KTEST_MANUAL(frame_double_free_panics)
{
    auto frame = MUST(physical_memory().allocate_frame());
    physical_memory().free_frame(frame);
    physical_memory().free_frame(frame); // VERIFY failure: the kernel panics
}
