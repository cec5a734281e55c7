#pragma once

#include <base/Integers.h>

namespace k23::kernel {

// The kernel heap is mimalloc 2.0.9, built freestanding through k23's port
// (cmake/deps/mimalloc.cmake, kernel/heap/MimallocPort.cpp): its OS memory
// is frames from the frame allocator, its default heap is per hart (in
// HartLocal, through tp). base's platform_allocate / platform_deallocate
// go to mi_malloc_aligned / mi_free; running out gives nullptr.
//
// Needs the frame allocator (physical_memory()) set up first.
void heap_initialize() noexcept;

struct HeapStats {
    usize committed_pages { 0 }; // pages the port handed to mimalloc and holds now
    usize peak_pages { 0 };
};
[[nodiscard]] HeapStats heap_stats() noexcept;

// Returns freed memory mimalloc caches (free pages, empty segments) to the
// frame allocator where it can.
void heap_collect() noexcept;

// Inside a guest's GuestSpace::Scope, platform_allocate serves that guest's
// heap. Kernel objects that grow while the guest runs but outlive it (the
// root file system, a WASI context: WASI host functions run inside the
// guest's Scope) allocate inside a KernelAllocationScope: from the kernel
// heap, the guest's view still active (its linear memory reachable, first
// touches committed). Frees route by address either way. Nests.
class KernelAllocationScope {
public:
    KernelAllocationScope() noexcept;
    ~KernelAllocationScope() noexcept;
    KernelAllocationScope(const KernelAllocationScope&) = delete;
    KernelAllocationScope& operator=(const KernelAllocationScope&) = delete;

private:
    bool m_previous;
};

// Whether a KernelAllocationScope is open; the scheduler swaps it with
// the rest of a thread's hart state (kernel/Scheduler.h).
[[nodiscard]] bool kernel_allocation_active() noexcept;
void set_kernel_allocation_active(bool) noexcept;

} // namespace k23::kernel
