// A guest's address space as the engine sees it (kernel/mm/GuestSpace.h).

#include <arch/riscv64/Csr.h>
#include <base/Assertions.h>
#include <base/Memory.h>
#include <kernel/BootArgs.h>
#include <kernel/Console.h>
#include <kernel/DeviceTree.h>
#include <kernel/heap/Mimalloc.h>
#include <kernel/mm/AslrRandom.h>
#include <kernel/mm/GuestSpace.h>

namespace k23::kernel {

using riscv64::PAGE_SIZE;

namespace {

GuestSpace* s_current = nullptr;
int s_aslr_logging = -1; // unknown yet

constexpr u64 page_round(u64 size) noexcept { return (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }
constexpr usize random_tries = 32;

// A page-aligned base for `size` bytes in [low, high) at random where
// is_free(base) agrees; after random_tries misses, the lowest of `low` and
// the candidates candidate(i) (ends of what is already placed) that fits.
template<typename IsFree, typename Candidate>
Result<u64> place_randomly(u64 low, u64 high, u64 size, IsFree is_free, usize candidates, Candidate candidate) noexcept
{
    if (high <= low || size > high - low)
        return Error::formatted(ErrorCode::OutOfMemory, "guest space: no room for {:#x} bytes"_sv, size);
    u64 slots = (high - low - size) / PAGE_SIZE + 1;
    for (usize i = 0; i < random_tries; ++i) {
        u64 base = low + aslr_random_below(slots) * PAGE_SIZE;
        if (is_free(base))
            return base;
    }
    u64 best = ~0ull;
    auto consider = [&](u64 base) noexcept {
        if (base >= low && base <= high - size && base < best && is_free(base))
            best = base;
    };
    consider(low);
    for (usize i = 0; i < candidates; ++i)
        consider(candidate(i));
    if (best == ~0ull)
        return Error::formatted(ErrorCode::OutOfMemory, "guest space: no free range of {:#x} bytes"_sv, size);
    return best;
}

bool overlaps(u64 a, u64 a_size, u64 b, u64 b_size) noexcept { return a < b + b_size && b < a + a_size; }

constexpr u64 area_sizes[guest_area_count] = {
    guest_private_area_size,
    guest_exposed_read_only_area_size,
    guest_exposed_read_write_area_size,
    guest_stack_area_size,
    guest_code_area_size,
};

} // namespace

GuestSpace* current_guest_space() noexcept { return s_current; }
void set_current_guest_space(GuestSpace* space) noexcept { s_current = space; }

bool guest_aslr_logging() noexcept
{
    if (s_aslr_logging < 0)
        s_aslr_logging = BootArgs(g_platform.bootargs).has("debug.aslr"_sv) ? 1 : 0;
    return s_aslr_logging == 1;
}

// ---------------------------------------------------------------- life

Result<void> GuestSpace::create() noexcept
{
    VERIFY(!is_created());
    // The engine region: a root slot in 1..255 (slot 0 holds page 0).
    u32 slot = static_cast<u32>(1 + aslr_random_below(riscv64::PTES_PER_TABLE / 2 - 1));
    TRY(m_space.create_split(slot));
    if (auto placed = place_areas(); placed.is_error()) {
        destroy();
        return placed.release_error();
    }
    if (guest_aslr_logging()) {
        auto layout = this->layout();
        kprintln("guest aslr: engine region {:#x} (+{:#x}) {} {:#x} {} {:#x} {} {:#x} {} {:#x} {} {:#x}"_sv,
            layout.engine_region_base, layout.engine_region_size,
            guest_area_name(GuestArea::Private), layout.area_base[0],
            guest_area_name(GuestArea::ExposedReadOnly), layout.area_base[1],
            guest_area_name(GuestArea::ExposedReadWrite), layout.area_base[2],
            guest_area_name(GuestArea::Stack), layout.area_base[3],
            guest_area_name(GuestArea::Code), layout.area_base[4]);
    }
    return {};
}

Result<void> GuestSpace::place_areas() noexcept
{
    u64 region = m_space.engine_region_base();
    u64 region_size = m_space.engine_region_size();
    // Areas may touch: an area never hands out its first or last page.
    for (usize i = 0; i < guest_area_count; ++i) {
        u64 size = area_sizes[i];
        auto is_free = [&](u64 base) noexcept {
            for (usize j = 0; j < i; ++j) {
                if (overlaps(base, size, m_areas[j].base(), m_areas[j].size()))
                    return false;
            }
            return true;
        };
        auto end_of = [&](usize j) noexcept { return m_areas[j].base() + m_areas[j].size(); };
        u64 base = TRY(place_randomly(region, region + region_size, size, is_free, i, end_of));
        TRY(m_areas[i].initialize(m_space, static_cast<GuestArea>(i), base, size));
    }
    return {};
}

void GuestSpace::destroy() noexcept
{
    if (!is_created())
        return;
    VERIFY(s_current != this && m_scopes == 0);
    for (auto& heap_area : m_areas)
        heap_area.release();
    if (m_memories != nullptr)
        mi_free(m_memories);
    m_memories = nullptr;
    m_memory_count = 0;
    m_memory_capacity = 0;
    // Every frame the areas and memories mapped is the address space's.
    m_space.destroy();
}


GuestSpace::Scope::Scope(GuestSpace& space) noexcept
    : m_previous(s_current)
{
    VERIFY(space.is_created());
    ++space.m_scopes;
    s_current = &space;
    space.activate_kernel_view();
}

GuestSpace::Scope::~Scope() noexcept
{
    VERIFY(s_current != nullptr && s_current->m_scopes > 0);
    --s_current->m_scopes;
    s_current = m_previous;
    if (m_previous != nullptr)
        m_previous->activate_kernel_view();
    else
        activate_kernel_address_space();
}

// ---------------------------------------------------------------- heap

bool GuestSpace::in_area(GuestArea which, u64 address) const noexcept { return area(which).contains(address); }

GuestHeapArea& GuestSpace::exposed_area(usize size, Exposure exposure) noexcept
{
    if (exposure == Exposure::ReadOnly)
        return area(GuestArea::ExposedReadOnly);
    return size >= guest_stack_min_size ? area(GuestArea::Stack) : area(GuestArea::ExposedReadWrite);
}

void* GuestSpace::allocate(usize size, usize alignment) noexcept { return area(GuestArea::Private).allocate(size, alignment); }

void GuestSpace::deallocate(void* pointer, usize size, usize alignment) noexcept
{
    area(GuestArea::Private).deallocate(pointer, size, alignment);
}

void* GuestSpace::allocate_exposed(usize size, usize alignment, Exposure exposure) noexcept
{
    return exposed_area(size, exposure).allocate(size, alignment);
}

void GuestSpace::deallocate_exposed(void* pointer, usize size, usize alignment, Exposure exposure) noexcept
{
    exposed_area(size, exposure).deallocate(pointer, size, alignment);
}

Result<u8*> GuestSpace::code_allocate(usize size) noexcept
{
    u64 address = TRY(area(GuestArea::Code).allocate_code(size));
    return reinterpret_cast<u8*>(address);
}

Result<void> GuestSpace::code_publish(u8* code, usize size) noexcept
{
    return area(GuestArea::Code).publish_code(reinterpret_cast<u64>(code), size);
}

void GuestSpace::code_release(u8* code, usize size) noexcept
{
    if (code != nullptr)
        area(GuestArea::Code).release_code(reinterpret_cast<u64>(code), size);
}

// ---------------------------------------------------------------- memories

bool GuestSpace::memory_range_is_free(u64 base, u64 size) const noexcept
{
    // One unmapped page at least between a memory and anything else.
    u64 low = base - PAGE_SIZE;
    u64 span = size + 2 * PAGE_SIZE;
    if (overlaps(low, span, m_space.engine_region_base(), m_space.engine_region_size()))
        return false;
    for (usize i = 0; i < m_memory_count; ++i) {
        if (overlaps(low, span, m_memories[i].base, m_memories[i].reserved))
            return false;
    }
    return true;
}

Result<u64> GuestSpace::place_memory(u64 size) noexcept
{
    auto is_free = [&](u64 base) noexcept { return memory_range_is_free(base, size); };
    auto end_of = [&](usize i) noexcept {
        if (i == m_memory_count)
            return m_space.engine_region_base() + m_space.engine_region_size() + PAGE_SIZE;
        return m_memories[i].base + m_memories[i].reserved + PAGE_SIZE;
    };
    // Page 0 and the page above it stay free: a null pointer faults.
    return place_randomly(user_space_start + PAGE_SIZE, user_half_end() - PAGE_SIZE, size, is_free, m_memory_count + 1, end_of);
}

GuestSpace::Memory* GuestSpace::find_memory(u64 base) noexcept
{
    for (usize i = 0; i < m_memory_count; ++i) {
        if (m_memories[i].base == base)
            return &m_memories[i];
    }
    return nullptr;
}

Result<MemoryReservation> GuestSpace::memory_reserve(usize initial, usize maximum) noexcept
{
    VERIFY(is_created());
    u64 wanted = maximum > initial ? maximum : initial;
    u64 reserved = guest_memory32_reservation;
    if (wanted > (4ull << 30))
        reserved = wanted > guest_memory64_reservation_cap ? guest_memory64_reservation_cap : page_round(wanted);
    if (initial > reserved)
        return Error::formatted(ErrorCode::OutOfMemory, "linear memory of {} bytes exceeds the guest's reservation cap"_sv, initial);
    if (m_memory_count == m_memory_capacity) {
        usize capacity = m_memory_capacity ? 2 * m_memory_capacity : 8;
        auto* grown = static_cast<Memory*>(mi_malloc_aligned(capacity * sizeof(Memory), alignof(Memory)));
        if (grown == nullptr)
            return Error::from_code(ErrorCode::OutOfMemory, "guest space: no memory for the list of linear memories");
        if (m_memory_count != 0)
            copy_bytes(grown, m_memories, m_memory_count * sizeof(Memory));
        if (m_memories != nullptr)
            mi_free(m_memories);
        m_memories = grown;
        m_memory_capacity = capacity;
    }
    u64 base = TRY(place_memory(reserved));
    // Nothing is mapped yet: pages are committed on first touch
    // (commit_on_fault), so a large memory costs only what it uses.
    m_memories[m_memory_count++] = Memory { base, reserved, initial, page_round(initial) };
    if (guest_aslr_logging())
        kprintln("guest aslr: memory {:#x} (+{:#x})"_sv, base, reserved);
    MemoryReservation reservation;
    reservation.base = reinterpret_cast<u8*>(base);
    reservation.accessible = initial;
    reservation.reserved = reserved;
    return reservation;
}

Result<void> GuestSpace::memory_grow(MemoryReservation& reservation, usize new_size) noexcept
{
    Memory* memory = find_memory(reinterpret_cast<u64>(reservation.base));
    VERIFY(memory != nullptr && memory->reserved == reservation.reserved);
    if (new_size > memory->reserved)
        return Error::from_code(ErrorCode::OutOfRange, "linear memory cannot grow beyond its reservation");
    // Only the bound moves; the new pages are committed on first touch.
    u64 wanted = page_round(new_size);
    if (wanted > memory->committed)
        memory->committed = wanted;
    if (new_size > memory->accessible)
        memory->accessible = new_size;
    reservation.accessible = new_size;
    return {};
}

void GuestSpace::memory_release(MemoryReservation& reservation) noexcept
{
    if (reservation.base == nullptr)
        return;
    Memory* memory = find_memory(reinterpret_cast<u64>(reservation.base));
    VERIFY(memory != nullptr);
    if (memory->committed != 0)
        MUST(m_space.unmap_present(memory->base, memory->committed));
    *memory = m_memories[--m_memory_count];
    reservation = {};
}

bool GuestSpace::commit_on_fault(u64 address) noexcept
{
    if (!is_created())
        return false;
    u64 page = address & ~(PAGE_SIZE - 1);
    for (usize i = 0; i < m_memory_count; ++i) {
        const Memory& memory = m_memories[i];
        if (address < memory.base || address - memory.base >= memory.accessible)
            continue;
        // Already mapped: the fault was something else (never retried).
        if (m_space.is_mapped(page))
            return false;
        return !m_space.map_new(page, PAGE_SIZE, Protection::ReadWrite).is_error();
    }
    return m_areas[usize(GuestArea::Stack)].commit_stack_page(address);
}

// ---------------------------------------------------------------- questions

bool GuestSpace::pages_mapped(u64 address, u64 size, View view) const noexcept
{
    u64 first = address & ~(PAGE_SIZE - 1);
    u64 last = (address + size - 1) & ~(PAGE_SIZE - 1);
    for (u64 page = first;; page += PAGE_SIZE) {
        if (!m_space.is_mapped(page, view))
            return false;
        if (page == last)
            return true;
    }
}

bool GuestSpace::contains(u64 address, u64 size, GuestRegion region) const noexcept
{
    if (!is_created())
        return false;
    if (size == 0)
        size = 1;
    if (address + size < address || address + size > user_half_end())
        return false;
    u64 end = address + size;
    auto in_heap_area = [&](GuestArea which, View view) noexcept {
        const auto& heap_area = area(which);
        return address >= heap_area.base() && end <= heap_area.base() + heap_area.size() && pages_mapped(address, size, view);
    };
    switch (region) {
    case GuestRegion::Private:
        return in_heap_area(GuestArea::Private, View::Kernel);
    case GuestRegion::ExposedReadOnly:
        return in_heap_area(GuestArea::ExposedReadOnly, View::Guest);
    case GuestRegion::ExposedReadWrite:
        return in_heap_area(GuestArea::ExposedReadWrite, View::Guest);
    case GuestRegion::Stack:
        // A lazily committed stack counts whole, mapped or not yet.
        return area(GuestArea::Stack).in_stack_run(address, size) || in_heap_area(GuestArea::Stack, View::Guest);
    case GuestRegion::Code:
        return in_heap_area(GuestArea::Code, View::Guest);
    case GuestRegion::LinearMemory:
    case GuestRegion::MemoryReservation:
        for (usize i = 0; i < m_memory_count; ++i) {
            const auto& memory = m_memories[i];
            u64 limit = region == GuestRegion::LinearMemory ? memory.accessible : memory.reserved;
            if (address >= memory.base && end <= memory.base + limit)
                return true;
        }
        return false;
    }
    return false;
}

GuestSpaceStats GuestSpace::stats() const noexcept
{
    GuestSpaceStats stats;
    stats.table_frames = m_space.table_frame_count();
    stats.data_frames = m_space.owned_frame_count();
    for (usize i = 0; i < guest_area_count; ++i)
        stats.areas[i] = m_areas[i].stats();
    stats.memories = m_memory_count;
    for (usize i = 0; i < m_memory_count; ++i) {
        stats.memory_bytes_accessible += m_memories[i].accessible;
        stats.memory_bytes_reserved += m_memories[i].reserved;
    }
    return stats;
}

GuestLayout GuestSpace::layout() const noexcept
{
    GuestLayout layout;
    layout.engine_region_base = m_space.engine_region_base();
    layout.engine_region_size = m_space.engine_region_size();
    for (usize i = 0; i < guest_area_count; ++i) {
        layout.area_base[i] = m_areas[i].base();
        layout.area_size[i] = m_areas[i].size();
    }
    return layout;
}

} // namespace k23::kernel
