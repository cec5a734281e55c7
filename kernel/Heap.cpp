#include <base/Memory.h>
#include <kernel/Heap.h>
#include <kernel/Panic.h>

namespace k23::kernel {

namespace {

constexpr uptr align_up(uptr value, usize alignment) noexcept
{
    return (value + alignment - 1) & ~(static_cast<uptr>(alignment) - 1);
}

constexpr usize kernel_heap_size = 4 * 1024 * 1024;
alignas(FreeListHeap::granule) u8 s_kernel_heap_region[kernel_heap_size];
FreeListHeap s_kernel_heap;

} // namespace

void FreeListHeap::initialize(void* region, usize size) noexcept
{
    uptr begin = align_up(reinterpret_cast<uptr>(region), granule);
    uptr end = (reinterpret_cast<uptr>(region) + size) & ~(static_cast<uptr>(granule) - 1);
    m_free_list = nullptr;
    m_begin = begin;
    m_end = end > begin ? end : begin;
    m_capacity = m_end - m_begin;
    m_free_bytes = 0;
    if (m_capacity >= min_block)
        insert_free(m_begin, m_capacity);
}

bool FreeListHeap::contains(const void* pointer) const noexcept
{
    auto address = reinterpret_cast<uptr>(pointer);
    return address >= m_begin && address < m_end;
}

void FreeListHeap::insert_free(uptr address, usize size) noexcept
{
    // Address-ordered insert, then merge with the neighbours.
    FreeBlock* previous = nullptr;
    FreeBlock* next = m_free_list;
    while (next != nullptr && reinterpret_cast<uptr>(next) < address) {
        previous = next;
        next = next->next;
    }
    auto* block = reinterpret_cast<FreeBlock*>(address);
    block->size = size;
    block->next = next;
    if (previous != nullptr)
        previous->next = block;
    else
        m_free_list = block;
    m_free_bytes += size;

    if (next != nullptr && address + block->size == reinterpret_cast<uptr>(next)) {
        block->size += next->size;
        block->next = next->next;
    }
    if (previous != nullptr && reinterpret_cast<uptr>(previous) + previous->size == address) {
        previous->size += block->size;
        previous->next = block->next;
    }
}

void* FreeListHeap::allocate(usize size, usize alignment) noexcept
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        return nullptr;
    if (alignment < granule)
        alignment = granule;
    // Absurd sizes fail here instead of overflowing below.
    if (size > m_capacity)
        return nullptr;
    usize block_size = align_up(size == 0 ? 1 : size, granule) + sizeof(UsedHeader);
    if (block_size < min_block)
        block_size = min_block;

    FreeBlock* previous = nullptr;
    for (auto* block = m_free_list; block != nullptr; previous = block, block = block->next) {
        uptr block_begin = reinterpret_cast<uptr>(block);
        uptr block_end = block_begin + block->size;
        // The payload must be aligned; any gap before its header must be big
        // enough to stay a free block of its own.
        uptr payload = align_up(block_begin + sizeof(UsedHeader), alignment);
        while (payload - sizeof(UsedHeader) != block_begin && payload - sizeof(UsedHeader) - block_begin < min_block)
            payload += alignment;
        uptr header = payload - sizeof(UsedHeader);
        if (header + block_size > block_end || header + block_size < header)
            continue;

        // Unlink the block, then give back the gap before and the tail after.
        FreeBlock* next = block->next;
        if (previous != nullptr)
            previous->next = next;
        else
            m_free_list = next;
        m_free_bytes -= block->size;

        usize tail = block_end - (header + block_size);
        if (tail < min_block) {
            block_size += tail; // too small to track: the allocation keeps it
            tail = 0;
        }
        if (header != block_begin)
            insert_free(block_begin, header - block_begin);
        if (tail != 0)
            insert_free(header + block_size, tail);

        auto* used = reinterpret_cast<UsedHeader*>(header);
        used->size = block_size;
        used->magic = used_magic;
        return reinterpret_cast<void*>(payload);
    }
    return nullptr;
}

void FreeListHeap::deallocate(void* pointer) noexcept
{
    if (pointer == nullptr)
        return;
    if (!contains(pointer))
        panic("heap: free of {} outside the heap"_sv, pointer);
    auto* used = reinterpret_cast<UsedHeader*>(reinterpret_cast<uptr>(pointer) - sizeof(UsedHeader));
    if (used->magic != used_magic)
        panic("heap: free of {} which is not an allocated block (double free?)"_sv, pointer);
    used->magic = 0;
    insert_free(reinterpret_cast<uptr>(used), used->size);
}

void heap_initialize() noexcept
{
    s_kernel_heap.initialize(s_kernel_heap_region, sizeof(s_kernel_heap_region));
}

FreeListHeap& kernel_heap() noexcept { return s_kernel_heap; }

} // namespace k23::kernel

// base/Memory.h: the platform's allocation hooks.
void* k23::platform_allocate(usize size, usize alignment) noexcept
{
    return kernel::kernel_heap().allocate(size, alignment);
}

void k23::platform_deallocate(void* pointer, usize, usize) noexcept
{
    kernel::kernel_heap().deallocate(pointer);
}
