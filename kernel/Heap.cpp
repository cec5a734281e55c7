#include <base/Assertions.h>
#include <base/Memory.h>
#include <kernel/Heap.h>
#include <kernel/heap/Mimalloc.h>
#include <kernel/heap/MimallocPort.h>
#include <kernel/mm/GuestSpace.h>
#include <kernel/mm/UserAddressSpace.h>


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

// base/Platform.h: the platform's allocation hooks. While a guest is current
// (a GuestSpace::Scope is open, kernel/mm/GuestSpace.h) they serve that
// guest's heap in its user half; otherwise mimalloc. Frees route by address,
// so a kernel-heap object freed inside a Scope still goes to mimalloc.
namespace {

// A user-half pointer that is not the current guest's: freeing it through
// mimalloc would corrupt the kernel heap.
void verify_kernel_heap_pointer(void* pointer) noexcept
{
    VERIFY(reinterpret_cast<k23::u64>(pointer) >= k23::kernel::user_half_end());
}

} // namespace

namespace {
bool s_kernel_allocation = false; // a KernelAllocationScope is open
} // namespace

k23::kernel::KernelAllocationScope::KernelAllocationScope() noexcept
    : m_previous(s_kernel_allocation)
{
    s_kernel_allocation = true;
}

k23::kernel::KernelAllocationScope::~KernelAllocationScope() noexcept { s_kernel_allocation = m_previous; }

bool k23::kernel::kernel_allocation_active() noexcept { return s_kernel_allocation; }
void k23::kernel::set_kernel_allocation_active(bool active) noexcept { s_kernel_allocation = active; }

void* k23::platform_allocate(usize size, usize alignment) noexcept
{
    if (auto* guest = kernel::current_guest_space(); guest && !s_kernel_allocation)
        return guest->allocate(size, alignment);
    // mi_malloc_aligned fails cleanly (nullptr) for an alignment that is
    // not a power of two and for sizes it cannot serve.
    return mi_malloc_aligned(size, alignment == 0 ? 1 : alignment);
}

void k23::platform_deallocate(void* pointer, usize size, usize alignment) noexcept
{
    if (pointer == nullptr)
        return;
    auto* guest = kernel::current_guest_space();
    if (guest != nullptr && guest->in_area(kernel::GuestArea::Private, reinterpret_cast<u64>(pointer))) {
        guest->deallocate(pointer, size, alignment);
        return;
    }
    verify_kernel_heap_pointer(pointer);
    mi_free(pointer);
}

// Outside a guest (the kernel's own engine tests) exposed objects are heap
// objects too.
void* k23::platform_allocate_exposed(usize size, usize alignment, Exposure exposure) noexcept
{
    if (auto* guest = kernel::current_guest_space())
        return guest->allocate_exposed(size, alignment, exposure);
    return mi_malloc_aligned(size, alignment == 0 ? 1 : alignment);
}

void k23::platform_deallocate_exposed(void* pointer, usize size, usize alignment, Exposure exposure) noexcept
{
    if (pointer == nullptr)
        return;
    auto* guest = kernel::current_guest_space();
    if (guest != nullptr) {
        u64 address = reinterpret_cast<u64>(pointer);
        if (guest->in_area(kernel::GuestArea::ExposedReadOnly, address) || guest->in_area(kernel::GuestArea::ExposedReadWrite, address)
            || guest->in_area(kernel::GuestArea::Stack, address)) {
            guest->deallocate_exposed(pointer, size, alignment, exposure);
            return;
        }
    }
    verify_kernel_heap_pointer(pointer);
    mi_free(pointer);
}
