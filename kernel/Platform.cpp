// The platform interface (base/Platform.h) for the kernel, beside the heap
// (kernel/Heap.cpp) and panics (kernel/Panic.cpp).
//
// Code and linear memories live in the engine area of the kernel's address
// space (kernel/mm/VirtualMemory.h), backed by frames mapped page by page:
//   - code is mapped RW, written, then remapped RX (never W and X at once)
//     and the instruction cache synchronized with fence.i;
//   - a linear memory reserves its whole address range up front and maps
//     zeroed frames as it grows, so its base never moves. The engine area is
//     small, so a reservation is capped (kernel_memory_reservation_cap):
//     growing past it fails, which memory.grow may always do (§4.4.7.7 of
//     the core spec lets memory.grow fail).
// That is outside any guest. While a guest is current (a GuestSpace::Scope,
// kernel/mm/GuestSpace.h) code and linear memories go to that guest's user
// half instead: code in its heap's code area (kernel view RW, then R; guest
// U+RX once published), memories at random addresses outside its engine
// region (8 GiB reservations, U+RW in both views). Publish, grow and release
// route by address.
// The kernel cannot run JIT code itself (guests run it in U-mode, DESIGN.md
// "Guests in the kernel"), so platform_can_execute_jit() is false: the
// engine reads, validates, compiles and instantiates, but does not call
// into code.

#include <arch/riscv64/Csr.h>
#include <arch/riscv64/Paging.h>
#include <base/Platform.h>
#include <base/Result.h>
#include <base/StringView.h>
#include <kernel/Boot.h>
#include <kernel/DeviceTree.h>
#include <kernel/Platform.h>
#include <kernel/mm/AddressRanges.h>
#include <kernel/mm/GuestSpace.h>
#include <kernel/mm/PhysicalMemory.h>
#include <kernel/mm/VirtualMemory.h>

#include <bearssl.h>

namespace k23::kernel {

using riscv64::PAGE_SIZE;

namespace {

AddressRanges s_engine_area;
bool s_engine_area_ready = false;
FaultHandler s_fault_handler = nullptr;

constexpr u64 page_round(u64 size) noexcept { return (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

AddressRanges& engine_area() noexcept
{
    if (!s_engine_area_ready) {
        s_engine_area.initialize(kernel_engine_area_base, kernel_engine_area_size);
        s_engine_area_ready = true;
    }
    return s_engine_area;
}

// Unmaps [base, base + size) page by page and frees the frames behind it.
void unmap_and_free(u64 base, u64 size) noexcept
{
    auto& vm = kernel_virtual_memory();
    for (u64 va = base; va < base + size; va += PAGE_SIZE) {
        auto translation = vm.translate(va);
        if (translation.is_error())
            continue;
        u64 physical = translation.value().physical;
        (void)vm.unmap(va, PAGE_SIZE);
        physical_memory().free_frame(phys_to_virt(physical));
    }
}

// Maps zeroed frames at [base, base + size) with `protection`; on failure
// nothing of the range stays mapped.
Result<void> map_zeroed(u64 base, u64 size, Protection protection) noexcept
{
    auto& vm = kernel_virtual_memory();
    for (u64 va = base; va < base + size; va += PAGE_SIZE) {
        auto frame = physical_memory().allocate_frame();
        if (frame.is_error()) {
            unmap_and_free(base, va - base);
            return Error::formatted(ErrorCode::OutOfMemory, "out of frames mapping {} bytes"_sv, size);
        }
        fill_bytes(reinterpret_cast<void*>(frame.value()), 0, PAGE_SIZE);
        if (auto mapped = vm.map(va, virt_to_phys(reinterpret_cast<void*>(frame.value())), PAGE_SIZE, protection); mapped.is_error()) {
            physical_memory().free_frame(frame.value());
            unmap_and_free(base, va - base);
            return mapped.release_error();
        }
    }
    return {};
}

// HMAC-DRBG (NIST SP 800-90A) over SHA-256 from BearSSL, seeded with the
// loader's fresh entropy (BootInfo.entropy) on first use.
br_hmac_drbg_context s_drbg;
bool s_drbg_seeded = false;

} // namespace

usize engine_area_free_bytes() noexcept { return engine_area().free_bytes(); }

Result<KernelStack> kernel_stack_allocate(usize size) noexcept
{
    u64 bytes = page_round(size ? size : 1);
    u64 base = TRY(engine_area().allocate(bytes + PAGE_SIZE)); // + the guard, left unmapped
    auto& vm = kernel_virtual_memory();
    for (u64 va = base + PAGE_SIZE; va < base + PAGE_SIZE + bytes; va += PAGE_SIZE) {
        auto frame = physical_memory().allocate_frame();
        bool ok = !frame.is_error()
            && !vm.map(va, virt_to_phys(reinterpret_cast<void*>(frame.value())), PAGE_SIZE, Protection::ReadWrite).is_error();
        if (!ok) {
            if (!frame.is_error())
                physical_memory().free_frame(frame.value());
            unmap_and_free(base + PAGE_SIZE, va - base - PAGE_SIZE);
            engine_area().free(base, bytes + PAGE_SIZE);
            return Error::formatted(ErrorCode::OutOfMemory, "out of frames for a {} byte kernel stack"_sv, bytes);
        }
    }
    return KernelStack { base + PAGE_SIZE, bytes };
}

void kernel_stack_release(KernelStack& stack) noexcept
{
    if (stack.size == 0)
        return;
    unmap_and_free(stack.base, stack.size);
    engine_area().free(stack.base - PAGE_SIZE, stack.size + PAGE_SIZE);
    stack = {};
}
FaultHandler installed_fault_handler() noexcept { return s_fault_handler; }

} // namespace k23::kernel

namespace k23 {

using namespace k23::kernel;

namespace {

// The current guest, if `address` is in its user half (a guest's memory or
// code); nullptr for the kernel's engine area. A user-half address with no
// current guest is a broken invariant.
GuestSpace* guest_for(u64 address) noexcept
{
    if (address >= user_half_end())
        return nullptr;
    auto* guest = current_guest_space();
    VERIFY(guest != nullptr);
    return guest;
}

} // namespace

Result<MemoryReservation> platform_memory_reserve(usize initial, usize maximum) noexcept
{
    if (auto* guest = current_guest_space())
        return guest->memory_reserve(initial, maximum);
    u64 wanted = maximum > initial ? maximum : initial;
    u64 reserved = page_round(wanted < kernel_memory_reservation_cap ? wanted : kernel_memory_reservation_cap);
    if (initial > reserved)
        return Error::formatted(ErrorCode::OutOfMemory, "linear memory of {} bytes exceeds the kernel's reservation cap"_sv, initial);
    if (reserved == 0)
        reserved = PAGE_SIZE; // a memory of 0 pages still has a base
    u64 base = TRY(engine_area().allocate(reserved));
    if (auto mapped = map_zeroed(base, page_round(initial), Protection::ReadWrite); mapped.is_error()) {
        engine_area().free(base, reserved);
        return mapped.release_error();
    }
    MemoryReservation reservation;
    reservation.base = reinterpret_cast<u8*>(base);
    reservation.accessible = initial;
    reservation.reserved = reserved;
    return reservation;
}

Result<void> platform_memory_grow(MemoryReservation& reservation, usize new_size) noexcept
{
    if (auto* guest = guest_for(u64(reservation.base)))
        return guest->memory_grow(reservation, new_size);
    if (new_size > reservation.reserved)
        return Error::from_code(ErrorCode::OutOfRange, "linear memory cannot grow beyond its reservation");
    u64 base = u64(reservation.base);
    u64 committed = page_round(reservation.accessible);
    if (new_size > committed)
        TRY(map_zeroed(base + committed, page_round(new_size) - committed, Protection::ReadWrite));
    reservation.accessible = new_size;
    return {};
}

void platform_memory_release(MemoryReservation& reservation) noexcept
{
    if (reservation.base == nullptr)
        return;
    if (auto* guest = guest_for(u64(reservation.base))) {
        guest->memory_release(reservation);
        return;
    }
    u64 base = u64(reservation.base);
    unmap_and_free(base, page_round(reservation.accessible));
    engine_area().free(base, reservation.reserved);
    reservation = {};
}

Result<u8*> platform_code_allocate(usize size) noexcept
{
    if (auto* guest = current_guest_space())
        return guest->code_allocate(size);
    u64 bytes = page_round(size ? size : 1);
    u64 base = TRY(engine_area().allocate(bytes));
    if (auto mapped = map_zeroed(base, bytes, Protection::ReadWrite); mapped.is_error()) {
        engine_area().free(base, bytes);
        return mapped.release_error();
    }
    return reinterpret_cast<u8*>(base);
}

Result<void> platform_code_publish(u8* code, usize size) noexcept
{
    if (auto* guest = guest_for(u64(code)))
        return guest->code_publish(code, size);
    TRY(kernel_virtual_memory().protect(u64(code), page_round(size ? size : 1), Protection::ReadExecute));
    // Zifencei: later instruction fetches on this hart see the stores above
    // (unprivileged spec ch. 6). Other harts get a remote fence with SMP.
    asm volatile("fence.i" ::: "memory");
    return {};
}

void platform_code_release(u8* code, usize size) noexcept
{
    if (!code)
        return;
    if (auto* guest = guest_for(u64(code))) {
        guest->code_release(code, size);
        return;
    }
    u64 bytes = page_round(size ? size : 1);
    unmap_and_free(u64(code), bytes);
    engine_area().free(u64(code), bytes);
}

void platform_perf_map_add(const void*, usize, StringView) noexcept { }

bool platform_can_execute_jit() noexcept { return false; }

Result<void> platform_install_fault_handler(FaultHandler handler) noexcept
{
    s_fault_handler = handler;
    return {};
}

u64 platform_monotonic_ns() noexcept
{
    u64 ticks = riscv64::read_csr<riscv64::Csr::Time>();
    u64 frequency = g_platform.timebase_frequency ? g_platform.timebase_frequency : 10'000'000; // QEMU virt's
    return ticks / frequency * 1'000'000'000ull + ticks % frequency * 1'000'000'000ull / frequency;
}

bool platform_random_bytes(u8* buffer, usize size) noexcept
{
    if (!s_drbg_seeded) {
        const auto& info = boot_info();
        if (info.entropy_source == boot::EntropySource::None)
            return false;
        br_hmac_drbg_init(&s_drbg, &br_sha256_vtable, info.entropy, sizeof info.entropy);
        u64 now = riscv64::read_csr<riscv64::Csr::Time>();
        br_hmac_drbg_update(&s_drbg, &now, sizeof now);
        s_drbg_seeded = true;
    }
    br_hmac_drbg_generate(&s_drbg, buffer, size);
    return true;
}

} // namespace k23
