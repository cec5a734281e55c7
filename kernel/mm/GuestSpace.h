#pragma once

// A guest's address space as the engine sees it (DESIGN.md "Guests in the
// kernel"). The kernel runs one engine (jit::Engine + wasm::Store) per
// guest, and everything that engine allocates for the guest lives in the
// guest's user half, at the same address for the kernel and for the guest,
// but with different permissions. So a GuestSpace is a split
// UserAddressSpace (kernel/mm/UserAddressSpace.h: a guest root and a
// kernel-view root, each under its own ASID) plus a GuestHeap
// (kernel/mm/GuestHeap.h) in its engine region:
//
//   what                      kernel view (S-mode)   guest view (U-mode)
//   private engine objects    RW, U = 0              -
//   exposed ReadOnly objects  RW, U = 0              U+R
//   exposed ReadWrite objects RW, U = 0              U+RW
//   stacks (exposed RW runs)  RW, U = 0              U+RW
//   code                      RW, then R             U+RX once published
//   linear memories           U+RW (shared leaves)   U+RW
//
// (privileged spec 1.12 §4.3.1 for U/R/W/X; the kernel reaches U pages, i.e.
// linear memories, only with sstatus.SUM set, §4.1.1.2.)
//
// Guest ASLR: the engine region is one root slot chosen at random (1 GiB
// under Sv39, 512 GiB under Sv48); inside it the five heap areas get
// independent random addresses; each linear memory gets an independent
// random address in the rest of the user half. With the boot argument
// `debug.aslr` each placement is logged as a line starting `guest aslr:`.
//
// Linear memories: a memory whose maximum is at most 4 GiB reserves 8 GiB
// (DESIGN.md "Execution model": 4 GiB reachable + guard, so no bounds
// checks); a larger one reserves its maximum, capped at
// guest_memory64_reservation_cap (growing past the reservation fails, as
// memory.grow may). The reservation never moves. Reserve and grow only
// move the accessible bound; a page is committed (a zeroed frame) on first
// touch: a fault inside the accessible size, from the guest or from the
// kernel working on the memory with sstatus.SUM, maps it (commit_on_fault)
// and the access is retried; a fault beyond it stays a fault (the engine
// reports `out of bounds memory access`). Copy-on-write of data segments
// is a later step.
//
// The platform hooks (base/Platform.h) serve the guest that is *current*:
// a GuestSpace::Scope makes its guest current and activates its kernel view;
// outside any Scope they behave as they always did (mimalloc heap, the
// kernel's engine area). Frees route by address: inside a Scope a pointer in
// the current guest's area goes to its heap, anything else to mimalloc.
// Engine objects allocated inside a Scope live in the guest's user half, so
// they may be touched only while that guest's kernel view is active, i.e.
// inside a Scope of that guest.
//
// destroy() returns every frame: the frame allocator's free count after it
// equals the count before create() (the heap's bookkeeping is kernel-heap
// memory, given back too). Not thread-safe: one hart runs the kernel, and
// "current" is one global for now (per hart with SMP).

#include <base/Platform.h>
#include <base/Result.h>
#include <base/Integers.h>
#include <kernel/mm/GuestHeap.h>
#include <kernel/mm/UserAddressSpace.h>

namespace k23::kernel {

inline constexpr u64 guest_memory32_reservation = 8ull << 30;
// The largest reservation for a memory whose maximum is above 4 GiB.
inline constexpr u64 guest_memory64_reservation_cap = 16ull << 30;

// The sizes of the heap's areas (inside a 1 GiB engine region at least).
inline constexpr u64 guest_private_area_size = 256ull << 20;
inline constexpr u64 guest_exposed_read_only_area_size = 32ull << 20;
inline constexpr u64 guest_exposed_read_write_area_size = 64ull << 20;
inline constexpr u64 guest_stack_area_size = 64ull << 20;
inline constexpr u64 guest_code_area_size = 64ull << 20;

// What contains() checks a range against.
enum class GuestRegion : u8 {
    Private,          // the private area, pages mapped in the kernel view
    ExposedReadOnly,  // the exposed ReadOnly area, pages mapped for the guest
    ExposedReadWrite, // the exposed ReadWrite area (not the stacks), likewise
    Stack,            // the stack area, likewise
    Code,             // published code
    LinearMemory,     // [base, base + accessible) of one linear memory
    MemoryReservation, // [base, base + reserved) of one (a fault there past
                       // the accessible size is out of bounds memory access)
};

struct GuestSpaceStats {
    usize table_frames { 0 }; // page tables of both roots
    usize data_frames { 0 };  // frames mapped for the heap and the memories
    GuestAreaStats areas[guest_area_count] {};
    usize memories { 0 };
    u64 memory_bytes_accessible { 0 };
    u64 memory_bytes_reserved { 0 }; // address space

    [[nodiscard]] usize frames() const noexcept { return table_frames + data_frames; }
    [[nodiscard]] const GuestAreaStats& area(GuestArea which) const noexcept { return areas[static_cast<usize>(which)]; }
};

// Where guest ASLR put things.
struct GuestLayout {
    u64 engine_region_base { 0 };
    u64 engine_region_size { 0 };
    u64 area_base[guest_area_count] {};
    u64 area_size[guest_area_count] {};
};

class GuestSpace {
public:
    GuestSpace() noexcept = default;
    ~GuestSpace() noexcept { destroy(); }
    GuestSpace(const GuestSpace&) = delete;
    GuestSpace& operator=(const GuestSpace&) = delete;

    // Both roots, ASIDs, the engine region and the heap's areas (random).
    [[nodiscard]] Result<void> create() noexcept;
    // Returns every frame and ASID. Must not be current (no Scope open).
    void destroy() noexcept;
    [[nodiscard]] bool is_created() const noexcept { return m_space.is_created(); }

    // satp = the guest root: right before entering U-mode.
    void activate_guest_view() noexcept { m_space.activate(View::Guest); }
    // satp = the kernel-view root: right after a trap from U-mode, and
    // while the kernel works for the guest (Scope does it).
    void activate_kernel_view() noexcept { m_space.activate(View::Kernel); }

    // Makes `space` current for the platform hooks and activates its kernel
    // view; the destructor restores what was before (the previous current
    // guest's kernel view, or the kernel's tables and no current guest).
    // Scopes nest (of the same guest or another).
    class Scope {
    public:
        explicit Scope(GuestSpace& space) noexcept;
        ~Scope() noexcept;
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        GuestSpace* m_previous;
    };

    // ---- the platform hooks' guest side (kernel/Heap.cpp, kernel/Platform.cpp)
    [[nodiscard]] void* allocate(usize size, usize alignment) noexcept;
    void deallocate(void* pointer, usize size, usize alignment) noexcept;
    [[nodiscard]] void* allocate_exposed(usize size, usize alignment, Exposure) noexcept;
    void deallocate_exposed(void* pointer, usize size, usize alignment, Exposure) noexcept;
    [[nodiscard]] Result<u8*> code_allocate(usize size) noexcept;
    [[nodiscard]] Result<void> code_publish(u8* code, usize size) noexcept;
    void code_release(u8* code, usize size) noexcept;
    [[nodiscard]] Result<MemoryReservation> memory_reserve(usize initial, usize maximum) noexcept;
    [[nodiscard]] Result<void> memory_grow(MemoryReservation&, usize new_size) noexcept;
    // A page fault at `address`: true when it lies inside a memory's
    // accessible size or a stack (not its guard pages) and a zeroed page is
    // now mapped there (retry the access); false for every other fault.
    [[nodiscard]] bool commit_on_fault(u64 address) noexcept;
    void memory_release(MemoryReservation&) noexcept;

    // Whether `address` lies in one of the heap's areas (routing frees).
    [[nodiscard]] bool in_area(GuestArea, u64 address) const noexcept;
    // Whether the whole of [address, +size) lies in `region` (see
    // GuestRegion), e.g. to validate a pointer that comes from U-mode.
    // size 0 is a range of one byte.
    [[nodiscard]] bool contains(u64 address, u64 size, GuestRegion) const noexcept;

    [[nodiscard]] GuestSpaceStats stats() const noexcept;
    [[nodiscard]] GuestLayout layout() const noexcept;
    [[nodiscard]] UserAddressSpace& address_space() noexcept { return m_space; }
    [[nodiscard]] const UserAddressSpace& address_space() const noexcept { return m_space; }

private:
    struct Memory {
        u64 base { 0 };
        u64 reserved { 0 };
        u64 accessible { 0 };
        u64 committed { 0 }; // page-rounded accessible
    };

    [[nodiscard]] GuestHeapArea& area(GuestArea which) noexcept { return m_areas[static_cast<usize>(which)]; }
    [[nodiscard]] const GuestHeapArea& area(GuestArea which) const noexcept { return m_areas[static_cast<usize>(which)]; }
    [[nodiscard]] GuestHeapArea& exposed_area(usize size, Exposure) noexcept;
    [[nodiscard]] Result<void> place_areas() noexcept;
    [[nodiscard]] Result<u64> place_memory(u64 size) noexcept;
    [[nodiscard]] bool memory_range_is_free(u64 base, u64 size) const noexcept;
    [[nodiscard]] Memory* find_memory(u64 base) noexcept;
    [[nodiscard]] bool pages_mapped(u64 address, u64 size, View) const noexcept;

    UserAddressSpace m_space;
    GuestHeapArea m_areas[guest_area_count];
    Memory* m_memories { nullptr }; // kernel heap, m_memory_capacity entries
    usize m_memory_count { 0 };
    usize m_memory_capacity { 0 };
    usize m_scopes { 0 }; // open Scopes of this guest
};

// The guest the platform hooks serve now, or nullptr.
[[nodiscard]] GuestSpace* current_guest_space() noexcept;
// The scheduler's switch (kernel/Scheduler.h): makes `space` current as
// the thread that resumes had it, without touching satp (restored with it).
void set_current_guest_space(GuestSpace* space) noexcept;

// Whether the boot argument `debug.aslr` asks for `guest aslr:` lines.
[[nodiscard]] bool guest_aslr_logging() noexcept;

} // namespace k23::kernel
