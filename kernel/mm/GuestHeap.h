#pragma once

// A guest's engine heap: the allocator behind the platform hooks while a
// guest is current (kernel/mm/GuestSpace.h). It lives in the guest's engine
// region (kernel/mm/UserAddressSpace.h, "Split address spaces") and is made
// of one area per class of memory, each at an address GuestSpace picks at
// random (guest ASLR):
//
//   area              kernel view         guest view       serves
//   Private           S-mode RW (U = 0)   not mapped       platform_allocate
//   ExposedReadOnly   S-mode RW (U = 0)   U+R              platform_allocate_exposed(ReadOnly)
//   ExposedReadWrite  S-mode RW (U = 0)   U+RW             platform_allocate_exposed(ReadWrite)
//   Stack             S-mode RW (U = 0)   U+RW             the same, for runs of guest_stack_min_size or more
//   Code              RW, then R          U+RX once published  platform_code_*
//
// (§4.3.1: U decides whether U-mode may touch a leaf; S-mode may touch the
// U = 0 ones whatever sstatus.SUM says.) Areas never share a page, so a
// private object never shares a page with an exposed one, nor a read-only
// exposed object with a writable one.
//
// Inside an area:
// - small blocks (up to 2 KiB, alignment up to 2 KiB) come from size
//   classes; a slab is one page of blocks of one class. Slab bookkeeping
//   (a free bitmap per slab, found through a two-level directory by page
//   number) lives in the kernel heap, never in the area: a guest that
//   scribbles over its exposed ReadWrite pages cannot steer the allocator.
//   Freed blocks are reused; a slab whose last block is freed gives its
//   frame back unless it is its class's only slab with room.
// - bigger blocks are page runs (first fit over a bitmap of the area's
//   pages) with an unmapped guard page below and above each run.
// - frames are mapped when a slab or run is created and unmapped when it
//   goes: an area holds frames only for what is allocated. Fresh frames are
//   zeroed; a reused block is not.
// - frees are checked (the block must be allocated, its class must match the
//   size freed): a bad free is a broken invariant (VERIFY).
//
// All of it is thrown away at once by release(): the address space's
// destroy() frees every frame the areas mapped. Not thread-safe (one hart
// runs the kernel).

#include <base/Platform.h>
#include <base/Result.h>
#include <base/Integers.h>
#include <kernel/mm/UserAddressSpace.h>

namespace k23::kernel {

enum class GuestArea : u8 {
    Private,
    ExposedReadOnly,
    ExposedReadWrite,
    Stack,
    Code,
};
inline constexpr usize guest_area_count = 5;
[[nodiscard]] const char* guest_area_name(GuestArea) noexcept;

// Exposed ReadWrite allocations this large or larger are the guest's stacks
// (the engine allocates its guest stack of at least 512 KiB with
// platform_allocate_exposed(size, 16, Exposure::ReadWrite)) and go to the
// Stack area.
inline constexpr usize guest_stack_min_size = 512 * 1024;
// Pages of a stack mapped when it is allocated (the top: where the engine
// puts an invocation's arguments); the rest are committed on first touch.
inline constexpr u64 stack_eager_pages = 4;
// Blocks up to this size (and alignment) come from size classes.
inline constexpr usize guest_small_block_max = 2048;

// A first-fit allocator of page runs over one page-aligned window, one bit a
// page (set: reserved). The first and the last page of the window are never
// handed out, so runs of two windows placed side by side never touch.
class PageRuns {
public:
    [[nodiscard]] Result<void> initialize(u64 base, u64 size) noexcept;
    void release() noexcept;

    // `pages` pages whose first is aligned to `alignment` (a power of two,
    // at least a page). `guarded`: the pages just below and above are
    // reserved too and stay unmapped (guard pages).
    [[nodiscard]] Result<u64> allocate(u64 pages, u64 alignment, bool guarded) noexcept;
    // A run from allocate() with the same pages and guarded.
    void free(u64 address, u64 pages, bool guarded) noexcept;
    [[nodiscard]] bool is_reserved(u64 address) const noexcept;

    [[nodiscard]] u64 base() const noexcept { return m_base; }
    [[nodiscard]] u64 size() const noexcept { return m_pages * riscv64::PAGE_SIZE; }
    [[nodiscard]] bool contains(u64 address) const noexcept { return address - m_base < size(); }
    [[nodiscard]] u64 reserved_pages() const noexcept { return m_reserved; }

private:
    [[nodiscard]] bool test(u64 index) const noexcept { return m_bitmap[index / 64] & (1ull << (index % 64)); }
    void set_range(u64 first, u64 count, bool reserved) noexcept;
    // The first reserved page in [first, first + count), or first + count.
    [[nodiscard]] u64 first_reserved(u64 first, u64 count) const noexcept;

    u64 m_base { 0 };
    u64 m_pages { 0 };
    u64* m_bitmap { nullptr };
    u64 m_reserved { 0 };
};

struct GuestAreaStats {
    usize bytes_in_use { 0 }; // blocks (rounded to their class) and runs (whole pages)
    usize allocations { 0 };  // live blocks and runs
    usize frames { 0 };       // pages mapped for the area (slabs and runs)
    usize slabs { 0 };
};

// One area of the heap.
class GuestHeapArea {
public:
    static constexpr usize class_count = 24; // small size classes
    GuestHeapArea() noexcept = default;
    GuestHeapArea(const GuestHeapArea&) = delete;
    GuestHeapArea& operator=(const GuestHeapArea&) = delete;

    [[nodiscard]] Result<void> initialize(UserAddressSpace&, GuestArea, u64 base, u64 size) noexcept;
    // Forgets everything (the frames go with the address space).
    void release() noexcept;

    // Blocks (not for Code): nullptr when out of memory or address space.
    [[nodiscard]] void* allocate(usize size, usize alignment) noexcept;
    void deallocate(void* pointer, usize size, usize alignment) noexcept;

    // Code: a guarded page run mapped RW in the kernel view only; publish
    // makes it R there and U+RX in the guest view; release unmaps it.
    [[nodiscard]] Result<u64> allocate_code(usize size) noexcept;
    [[nodiscard]] Result<void> publish_code(u64 address, usize size) noexcept;
    void release_code(u64 address, usize size) noexcept;

    // Stack runs are committed lazily: allocate maps the top
    // stack_eager_pages, and a fault on another page of a live run maps it
    // (commit_stack_page: true = retry). Deallocate unmaps what was mapped.
    [[nodiscard]] bool commit_stack_page(u64 address) noexcept;
    // [address, +size) lies in one live lazily committed stack run.
    [[nodiscard]] bool in_stack_run(u64 address, u64 size) const noexcept;

    [[nodiscard]] GuestArea kind() const noexcept { return m_kind; }
    [[nodiscard]] u64 base() const noexcept { return m_runs.base(); }
    [[nodiscard]] u64 size() const noexcept { return m_runs.size(); }
    [[nodiscard]] bool contains(u64 address) const noexcept { return m_space != nullptr && m_runs.contains(address); }
    [[nodiscard]] const GuestAreaStats& stats() const noexcept { return m_stats; }

private:
    struct Slab;
    static constexpr usize directory_leaf_entries = 512;

    [[nodiscard]] Result<void> map_pages(u64 address, u64 pages) noexcept;
    void unmap_pages(u64 address, u64 pages) noexcept;
    [[nodiscard]] void* allocate_small(usize class_index) noexcept;
    void deallocate_small(u64 address, usize class_index) noexcept;
    [[nodiscard]] Slab* new_slab(usize class_index) noexcept;
    void free_slab(Slab*) noexcept;
    [[nodiscard]] Slab** directory_slot(u64 page_address, bool create) noexcept;
    void list_push(Slab*) noexcept;
    void list_remove(Slab*) noexcept;

    struct StackRun {
        u64 base { 0 };
        u64 pages { 0 };
    };
    static constexpr usize max_stack_runs = 8;

    UserAddressSpace* m_space { nullptr };
    GuestArea m_kind { GuestArea::Private };
    StackRun m_stack_runs[max_stack_runs] {};
    PageRuns m_runs;
    Slab* m_partial[class_count] {}; // per class: slabs with a free block
    Slab*** m_directory { nullptr };   // page number / 512 -> 512 slab pointers
    usize m_directory_size { 0 };
    GuestAreaStats m_stats;
};

} // namespace k23::kernel
