#pragma once

#include <base/Types.h>

namespace k23::kernel {

// A first-fit free-list allocator over one fixed region: the kernel heap for
// the foundation milestone (mimalloc replaces it later). Free blocks are kept
// in address order and merged with their neighbours on free, so a freed
// region is reused whole. Not thread-safe (single hart for now).
class FreeListHeap {
public:
    static constexpr usize granule = 16; // every block and payload is 16-aligned

    void initialize(void* region, usize size) noexcept;

    // nullptr when no free block fits. alignment must be a power of two.
    [[nodiscard]] void* allocate(usize size, usize alignment) noexcept;
    // pointer came from allocate() on this heap, or is nullptr.
    void deallocate(void* pointer) noexcept;

    [[nodiscard]] usize free_bytes() const noexcept { return m_free_bytes; }
    [[nodiscard]] usize capacity() const noexcept { return m_capacity; }
    [[nodiscard]] bool contains(const void* pointer) const noexcept;

private:
    struct FreeBlock {
        usize size; // whole block, header included
        FreeBlock* next;
    };
    struct UsedHeader {
        usize size; // whole block, header included
        usize magic;
    };
    static_assert(sizeof(FreeBlock) == granule && sizeof(UsedHeader) == granule);
    static constexpr usize used_magic = 0x6b32336865617021ull; // "k23heap!"
    static constexpr usize min_block = 2 * granule;

    void insert_free(uptr address, usize size) noexcept;

    FreeBlock* m_free_list { nullptr };
    uptr m_begin { 0 };
    uptr m_end { 0 };
    usize m_capacity { 0 };
    usize m_free_bytes { 0 };
};

// The kernel heap (backs base's platform_allocate).
void heap_initialize() noexcept;
[[nodiscard]] FreeListHeap& kernel_heap() noexcept;

} // namespace k23::kernel
