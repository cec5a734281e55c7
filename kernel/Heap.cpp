#include <base/Memory.h>
#include <kernel/Heap.h>
#include <kernel/heap/Mimalloc.h>
#include <kernel/heap/MimallocPort.h>


namespace k23::kernel {

void heap_initialize() noexcept
{
    // mimalloc's constructor already ran with the other global
    // constructors (it needs no OS memory); this makes the ordering
    // explicit and sets up the boot hart's default heap.
    mi_process_init();
}

HeapStats heap_stats() noexcept
{
    auto port = mimalloc_port_stats();
    return { port.pages, port.peak_pages };
}

void heap_collect() noexcept { mi_collect(true); }

} // namespace k23::kernel

// base/Memory.h: the platform's allocation hooks.
void* k23::platform_allocate(usize size, usize alignment) noexcept
{
    // mi_malloc_aligned fails cleanly (nullptr) for an alignment that is
    // not a power of two and for sizes it cannot serve.
    return mi_malloc_aligned(size, alignment == 0 ? 1 : alignment);
}

void k23::platform_deallocate(void* pointer, usize, usize) noexcept
{
    mi_free(pointer);
}

// Outside a guest (the kernel's own engine tests) exposed objects are heap
// objects too; kernel/Platform.cpp's guest placement is the next step.
void* k23::platform_allocate_exposed(usize size, usize alignment, Exposure) noexcept
{
    return k23::platform_allocate(size, alignment);
}

void k23::platform_deallocate_exposed(void* pointer, usize size, usize alignment, Exposure) noexcept
{
    k23::platform_deallocate(pointer, size, alignment);
}
