// A guest's engine heap (kernel/mm/GuestHeap.h).

#include <base/Assertions.h>
#include <base/Memory.h>
#include <kernel/heap/Mimalloc.h>
#include <kernel/mm/GuestHeap.h>

namespace k23::kernel {

using riscv64::PAGE_SIZE;

namespace {

// Block sizes of the small classes: multiples of 16, so every block of a
// page-aligned slab is 16-byte aligned, and a power-of-two class (up to
// 2048) exists for any larger alignment.
constexpr u16 class_sizes[] = {
    16, 32, 48, 64, 80, 96, 112, 128,
    160, 192, 224, 256, 320, 384, 448, 512,
    640, 768, 896, 1024, 1280, 1536, 1792, 2048,
};
constexpr usize class_count = sizeof class_sizes / sizeof class_sizes[0];
static_assert(class_count == GuestHeapArea::class_count);
static_assert(class_sizes[class_count - 1] == guest_small_block_max);
static_assert(PAGE_SIZE / 16 <= 256); // a slab's free bitmap is 4 words

constexpr u64 page_round(u64 size) noexcept { return (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

// The smallest class that holds `size` bytes at `alignment`, or class_count
// when the block is a page run.
usize class_for(usize size, usize alignment) noexcept
{
    if (size > guest_small_block_max || alignment > guest_small_block_max)
        return class_count;
    for (usize i = 0; i < class_count; ++i) {
        if (class_sizes[i] >= size && class_sizes[i] % alignment == 0)
            return i;
    }
    return class_count;
}

// Bookkeeping lives in the kernel heap (mimalloc directly: inside a guest's
// scope platform_allocate would come back here).
void* metadata_allocate(usize size) noexcept
{
    void* memory = mi_malloc_aligned(size, 16);
    if (memory != nullptr)
        fill_bytes(memory, 0, size);
    return memory;
}

void metadata_free(void* memory) noexcept { mi_free(memory); }

Protection guest_protection(GuestArea kind) noexcept
{
    switch (kind) {
    case GuestArea::ExposedReadOnly:
        return Protection::Read;
    case GuestArea::ExposedReadWrite:
    case GuestArea::Stack:
        return Protection::ReadWrite;
    case GuestArea::Private:
    case GuestArea::Code: // shared at publish time
        return Protection::None;
    }
    return Protection::None;
}

} // namespace

const char* guest_area_name(GuestArea area) noexcept
{
    switch (area) {
    case GuestArea::Private:
        return "private";
    case GuestArea::ExposedReadOnly:
        return "exposed-ro";
    case GuestArea::ExposedReadWrite:
        return "exposed-rw";
    case GuestArea::Stack:
        return "stack";
    case GuestArea::Code:
        return "code";
    }
    return "?";
}

// ---------------------------------------------------------------- PageRuns

Result<void> PageRuns::initialize(u64 base, u64 size) noexcept
{
    VERIFY(m_bitmap == nullptr);
    VERIFY(base % PAGE_SIZE == 0 && size % PAGE_SIZE == 0 && size >= 4 * PAGE_SIZE);
    u64 pages = size / PAGE_SIZE;
    u64 words = (pages + 63) / 64;
    m_bitmap = static_cast<u64*>(metadata_allocate(words * sizeof(u64)));
    if (m_bitmap == nullptr)
        return Error::from_code(ErrorCode::OutOfMemory, "guest heap: no memory for a page bitmap");
    m_base = base;
    m_pages = pages;
    m_reserved = 0;
    // The first and last page (and the bits past the end) are never free.
    m_bitmap[0] |= 1;
    for (u64 index = pages - 1; index < words * 64; ++index)
        m_bitmap[index / 64] |= 1ull << (index % 64);
    return {};
}

void PageRuns::release() noexcept
{
    if (m_bitmap != nullptr)
        metadata_free(m_bitmap);
    m_bitmap = nullptr;
    m_base = 0;
    m_pages = 0;
    m_reserved = 0;
}

bool PageRuns::is_reserved(u64 address) const noexcept
{
    return contains(address) && test((address - m_base) / PAGE_SIZE);
}

void PageRuns::set_range(u64 first, u64 count, bool reserved) noexcept
{
    for (u64 index = first; index < first + count; ++index) {
        if (reserved)
            m_bitmap[index / 64] |= 1ull << (index % 64);
        else
            m_bitmap[index / 64] &= ~(1ull << (index % 64));
    }
}

u64 PageRuns::first_reserved(u64 first, u64 count) const noexcept
{
    u64 end = first + count;
    for (u64 index = first; index < end; index = (index | 63) + 1) {
        u64 word = m_bitmap[index / 64] >> (index % 64);
        if (word != 0) {
            u64 bit = index + static_cast<u64>(__builtin_ctzll(word));
            return bit < end ? bit : end;
        }
    }
    return end;
}

Result<u64> PageRuns::allocate(u64 pages, u64 alignment, bool guarded) noexcept
{
    if (m_bitmap == nullptr || pages == 0 || pages > m_pages)
        return Error::formatted(ErrorCode::OutOfMemory, "guest heap: no room for {} pages"_sv, pages);
    VERIFY(alignment >= PAGE_SIZE && (alignment & (alignment - 1)) == 0);
    u64 lead = guarded ? 1 : 0;
    u64 need = pages + 2 * lead;
    u64 align_pages = alignment / PAGE_SIZE;
    u64 first_page = m_base / PAGE_SIZE;
    u64 index = 1;
    for (;;) {
        // Skip reserved pages a word at a time.
        while (index < m_pages) {
            u64 free_bits = ~m_bitmap[index / 64] >> (index % 64);
            if (free_bits != 0) {
                index += static_cast<u64>(__builtin_ctzll(free_bits));
                break;
            }
            index = (index | 63) + 1;
        }
        u64 payload = index + lead;
        u64 misalignment = (first_page + payload) % align_pages;
        if (misalignment != 0)
            payload += align_pages - misalignment;
        index = payload - lead;
        if (index >= m_pages || need > m_pages - index)
            return Error::formatted(ErrorCode::OutOfMemory, "guest heap: no free run of {} pages"_sv, pages);
        u64 reserved = first_reserved(index, need);
        if (reserved == index + need) {
            set_range(index, need, true);
            m_reserved += need;
            return m_base + payload * PAGE_SIZE;
        }
        index = reserved + 1;
    }
}

void PageRuns::free(u64 address, u64 pages, bool guarded) noexcept
{
    u64 lead = guarded ? 1 : 0;
    VERIFY(address % PAGE_SIZE == 0 && contains(address) && pages > 0);
    u64 payload = (address - m_base) / PAGE_SIZE;
    VERIFY(payload >= 1 + lead && pages + lead <= m_pages - 1 - payload);
    u64 index = payload - lead;
    u64 need = pages + 2 * lead;
    // Every page of the run (and its guards) must be reserved: anything else
    // is a double free or a wrong size.
    for (u64 i = index; i < index + need; ++i)
        VERIFY(test(i));
    set_range(index, need, false);
    m_reserved -= need;
}

// ---------------------------------------------------------------- areas

struct GuestHeapArea::Slab {
    u64 page { 0 };
    Slab* next { nullptr };
    Slab* prev { nullptr };
    u64 free_bits[4] {}; // set: the block is free
    u16 used { 0 };
    u16 capacity { 0 };
    u8 class_index { 0 };
    bool listed { false };
};

Result<void> GuestHeapArea::initialize(UserAddressSpace& space, GuestArea kind, u64 base, u64 size) noexcept
{
    VERIFY(m_space == nullptr);
    TRY(m_runs.initialize(base, size));
    u64 pages = size / PAGE_SIZE;
    m_directory_size = (pages + directory_leaf_entries - 1) / directory_leaf_entries;
    m_directory = static_cast<Slab***>(metadata_allocate(m_directory_size * sizeof(Slab**)));
    if (m_directory == nullptr) {
        m_runs.release();
        return Error::from_code(ErrorCode::OutOfMemory, "guest heap: no memory for a slab directory");
    }
    m_space = &space;
    m_kind = kind;
    m_stats = {};
    for (auto& head : m_partial)
        head = nullptr;
    return {};
}

void GuestHeapArea::release() noexcept
{
    if (m_space == nullptr)
        return;
    for (usize top = 0; top < m_directory_size; ++top) {
        Slab** leaf = m_directory[top];
        if (leaf == nullptr)
            continue;
        for (usize i = 0; i < directory_leaf_entries; ++i) {
            if (leaf[i] != nullptr)
                metadata_free(leaf[i]);
        }
        metadata_free(leaf);
    }
    metadata_free(m_directory);
    m_directory = nullptr;
    m_directory_size = 0;
    m_runs.release();
    for (auto& head : m_partial)
        head = nullptr;
    m_stats = {};
    m_space = nullptr;
}

Result<void> GuestHeapArea::map_pages(u64 address, u64 pages) noexcept
{
    u64 bytes = pages * PAGE_SIZE;
    TRY(m_space->map_new_kernel(address, bytes, Protection::ReadWrite));
    auto guest = guest_protection(m_kind);
    if (guest != Protection::None) {
        if (auto shared = m_space->share_with_guest(address, bytes, guest); shared.is_error()) {
            MUST(m_space->unmap_kernel(address, bytes));
            return shared.release_error();
        }
    }
    m_stats.frames += pages;
    return {};
}

void GuestHeapArea::unmap_pages(u64 address, u64 pages) noexcept
{
    MUST(m_space->unmap_kernel(address, pages * PAGE_SIZE));
    m_stats.frames -= pages;
}

GuestHeapArea::Slab** GuestHeapArea::directory_slot(u64 page_address, bool create) noexcept
{
    u64 index = (page_address - m_runs.base()) / PAGE_SIZE;
    usize top = index / directory_leaf_entries;
    VERIFY(top < m_directory_size);
    if (m_directory[top] == nullptr) {
        if (!create)
            return nullptr;
        m_directory[top] = static_cast<Slab**>(metadata_allocate(directory_leaf_entries * sizeof(Slab*)));
        if (m_directory[top] == nullptr)
            return nullptr;
    }
    return &m_directory[top][index % directory_leaf_entries];
}

void GuestHeapArea::list_push(Slab* slab) noexcept
{
    VERIFY(!slab->listed);
    Slab*& head = m_partial[slab->class_index];
    slab->prev = nullptr;
    slab->next = head;
    if (head != nullptr)
        head->prev = slab;
    head = slab;
    slab->listed = true;
}

void GuestHeapArea::list_remove(Slab* slab) noexcept
{
    VERIFY(slab->listed);
    if (slab->prev != nullptr)
        slab->prev->next = slab->next;
    else
        m_partial[slab->class_index] = slab->next;
    if (slab->next != nullptr)
        slab->next->prev = slab->prev;
    slab->next = slab->prev = nullptr;
    slab->listed = false;
}

GuestHeapArea::Slab* GuestHeapArea::new_slab(usize class_index) noexcept
{
    auto page = m_runs.allocate(1, PAGE_SIZE, false);
    if (page.is_error())
        return nullptr;
    u64 address = page.value();
    Slab** slot = directory_slot(address, true);
    auto* slab = static_cast<Slab*>(metadata_allocate(sizeof(Slab)));
    if (slot == nullptr || slab == nullptr || map_pages(address, 1).is_error()) {
        if (slab != nullptr)
            metadata_free(slab);
        m_runs.free(address, 1, false);
        return nullptr;
    }
    VERIFY(*slot == nullptr);
    slab->page = address;
    slab->class_index = static_cast<u8>(class_index);
    slab->capacity = static_cast<u16>(PAGE_SIZE / class_sizes[class_index]);
    for (u16 i = 0; i < slab->capacity; ++i)
        slab->free_bits[i / 64] |= 1ull << (i % 64);
    *slot = slab;
    ++m_stats.slabs;
    return slab;
}

void GuestHeapArea::free_slab(Slab* slab) noexcept
{
    Slab** slot = directory_slot(slab->page, false);
    VERIFY(slot != nullptr && *slot == slab);
    *slot = nullptr;
    unmap_pages(slab->page, 1);
    m_runs.free(slab->page, 1, false);
    metadata_free(slab);
    --m_stats.slabs;
}

void* GuestHeapArea::allocate_small(usize class_index) noexcept
{
    Slab* slab = m_partial[class_index];
    if (slab == nullptr) {
        slab = new_slab(class_index);
        if (slab == nullptr)
            return nullptr;
        list_push(slab);
    }
    usize index = 0;
    for (usize word = 0; word < 4; ++word) {
        if (slab->free_bits[word] != 0) {
            index = word * 64 + static_cast<usize>(__builtin_ctzll(slab->free_bits[word]));
            slab->free_bits[word] &= slab->free_bits[word] - 1;
            break;
        }
    }
    if (++slab->used == slab->capacity)
        list_remove(slab);
    m_stats.bytes_in_use += class_sizes[class_index];
    ++m_stats.allocations;
    return reinterpret_cast<void*>(slab->page + index * class_sizes[class_index]);
}

void GuestHeapArea::deallocate_small(u64 address, usize class_index) noexcept
{
    Slab** slot = directory_slot(address & ~(PAGE_SIZE - 1), false);
    VERIFY(slot != nullptr && *slot != nullptr);
    Slab* slab = *slot;
    VERIFY(slab->class_index == class_index);
    u64 offset = address - slab->page;
    u64 block = class_sizes[class_index];
    VERIFY(offset % block == 0 && offset / block < slab->capacity);
    usize index = offset / block;
    u64 bit = 1ull << (index % 64);
    VERIFY((slab->free_bits[index / 64] & bit) == 0); // a double free
    slab->free_bits[index / 64] |= bit;
    bool was_full = slab->used == slab->capacity;
    --slab->used;
    m_stats.bytes_in_use -= block;
    --m_stats.allocations;
    if (was_full)
        list_push(slab);
    // An empty slab gives its frame back, unless it is the only one of its
    // class with room (so a loop of allocate/free does not map and unmap).
    if (slab->used == 0 && (m_partial[class_index] != slab || slab->next != nullptr)) {
        list_remove(slab);
        free_slab(slab);
    }
}

void* GuestHeapArea::allocate(usize size, usize alignment) noexcept
{
    VERIFY(m_space != nullptr && m_kind != GuestArea::Code);
    if (alignment == 0)
        alignment = 1;
    if ((alignment & (alignment - 1)) != 0)
        return nullptr;
    if (size == 0)
        size = 1;
    usize class_index = class_for(size, alignment);
    if (class_index < class_count)
        return allocate_small(class_index);
    if (size > m_runs.size() || alignment > m_runs.size())
        return nullptr;
    u64 pages = page_round(size) / PAGE_SIZE;
    auto run = m_runs.allocate(pages, alignment < PAGE_SIZE ? PAGE_SIZE : alignment, true);
    if (run.is_error())
        return nullptr;
    // A stack (it grows down) gets its top pages now, the rest on first
    // touch, when there is a free slot to remember the run in.
    StackRun* lazy = nullptr;
    if (m_kind == GuestArea::Stack && pages > stack_eager_pages) {
        for (auto& slot : m_stack_runs) {
            if (slot.pages == 0) {
                lazy = &slot;
                break;
            }
        }
    }
    u64 eager = lazy ? stack_eager_pages : pages;
    if (map_pages(run.value() + (pages - eager) * PAGE_SIZE, eager).is_error()) {
        m_runs.free(run.value(), pages, true);
        return nullptr;
    }
    if (lazy)
        *lazy = { run.value(), pages };
    m_stats.bytes_in_use += pages * PAGE_SIZE;
    ++m_stats.allocations;
    return reinterpret_cast<void*>(run.value());
}

void GuestHeapArea::deallocate(void* pointer, usize size, usize alignment) noexcept
{
    if (pointer == nullptr)
        return;
    u64 address = reinterpret_cast<u64>(pointer);
    VERIFY(m_space != nullptr && m_kind != GuestArea::Code && contains(address));
    if (alignment == 0)
        alignment = 1;
    if (size == 0)
        size = 1;
    usize class_index = class_for(size, alignment);
    if (class_index < class_count) {
        deallocate_small(address, class_index);
        return;
    }
    // A run: page aligned, not a slab's page.
    VERIFY(address % PAGE_SIZE == 0);
    Slab** slot = directory_slot(address, false);
    VERIFY(slot == nullptr || *slot == nullptr);
    u64 pages = page_round(size) / PAGE_SIZE;
    StackRun* lazy = nullptr;
    for (auto& slot : m_stack_runs) {
        if (slot.pages != 0 && slot.base == address)
            lazy = &slot;
    }
    if (lazy) {
        VERIFY(lazy->pages == pages);
        // Committed on first touch: unmap the runs that are mapped (one
        // unmap, one table prune, per run rather than per page).
        for (u64 page = address, left = pages; left > 0;) {
            bool mapped = false;
            u64 run = m_space->same_mapping_run(page, left, View::Kernel, mapped);
            if (mapped)
                unmap_pages(page, run);
            page += run * PAGE_SIZE;
            left -= run;
        }
        *lazy = {};
    } else {
        unmap_pages(address, pages);
    }
    m_runs.free(address, pages, true);
    m_stats.bytes_in_use -= pages * PAGE_SIZE;
    --m_stats.allocations;
}

bool GuestHeapArea::commit_stack_page(u64 address) noexcept
{
    if (m_kind != GuestArea::Stack)
        return false;
    u64 page = address & ~(PAGE_SIZE - 1);
    for (const auto& run : m_stack_runs) {
        if (run.pages == 0 || page < run.base || page >= run.base + run.pages * PAGE_SIZE)
            continue;
        // Mapped already: the fault was something else (never retried).
        if (m_space->is_mapped(page, View::Kernel))
            return false;
        return !map_pages(page, 1).is_error();
    }
    return false; // a guard page, or no stack here
}

bool GuestHeapArea::in_stack_run(u64 address, u64 size) const noexcept
{
    for (const auto& run : m_stack_runs) {
        u64 end = run.base + run.pages * PAGE_SIZE;
        if (run.pages != 0 && address >= run.base && address <= end && size <= end - address)
            return true;
    }
    return false;
}

Result<u64> GuestHeapArea::allocate_code(usize size) noexcept
{
    VERIFY(m_space != nullptr && m_kind == GuestArea::Code);
    if (size > m_runs.size())
        return Error::formatted(ErrorCode::OutOfMemory, "guest code: {} bytes do not fit"_sv, size);
    u64 pages = page_round(size ? size : 1) / PAGE_SIZE;
    u64 address = TRY(m_runs.allocate(pages, PAGE_SIZE, true));
    if (auto mapped = map_pages(address, pages); mapped.is_error()) {
        m_runs.free(address, pages, true);
        return mapped.release_error();
    }
    m_stats.bytes_in_use += pages * PAGE_SIZE;
    ++m_stats.allocations;
    return address;
}

Result<void> GuestHeapArea::publish_code(u64 address, usize size) noexcept
{
    VERIFY(m_space != nullptr && m_kind == GuestArea::Code && contains(address));
    u64 bytes = page_round(size ? size : 1);
    // W^X in every view at every moment: the kernel's writable mapping
    // becomes read-only before the guest's executable one exists.
    TRY(m_space->protect_kernel(address, bytes, Protection::Read));
    if (m_space->translate(address, View::Guest).is_error())
        TRY(m_space->share_with_guest(address, bytes, Protection::ReadExecute));
    // Zifencei (unprivileged spec ch. 6): this hart's later instruction
    // fetches see the stores made through the kernel view (same frames).
    // Other harts get a remote fence.i with SMP.
    asm volatile("fence.i" ::: "memory");
    return {};
}

void GuestHeapArea::release_code(u64 address, usize size) noexcept
{
    VERIFY(m_space != nullptr && m_kind == GuestArea::Code && contains(address));
    u64 pages = page_round(size ? size : 1) / PAGE_SIZE;
    unmap_pages(address, pages);
    m_runs.free(address, pages, true);
    m_stats.bytes_in_use -= pages * PAGE_SIZE;
    --m_stats.allocations;
}

} // namespace k23::kernel
