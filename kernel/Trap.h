#pragma once

#include <arch/riscv64/TrapFrame.h>
#include <base/Integers.h>

namespace k23::kernel {

// Per-hart state, reached through the tp register (set by the boot entry).
struct HartLocal {
    u64 hart_id { 0 };
    riscv64::TrapRecoveryPoint* recovery { nullptr };
    u64 timer_interrupts { 0 };
    // mimalloc's default heap for this hart (word 3: the mimalloc port reads
    // it from tp, see cmake/deps/mimalloc/port.h).
    void* mimalloc_heap { nullptr };
    // Whose vector state is in this hart's v registers (kernel/Guest.cpp):
    // a guest's vector id (never reused), 0 = nobody's.
    u64 vector_owner { 0 };
    // Whose FP registers the hart holds (kernel/Guest.cpp, lazy FP): a
    // guest's FP id (never reused), 0 = nobody's.
    u64 fp_owner { 0 };
};

inline HartLocal& current_hart() noexcept
{
    HartLocal* hart;
    asm volatile("mv %0, tp" : "=r"(hart));
    return *hart;
}

// What a recovered trap looked like.
struct CaughtTrap {
    u64 scause { 0 };
    u64 sepc { 0 };
    u64 stval { 0 };
};

// Runs `function` with a recovery point armed on this hart: an exception
// (not an interrupt) raised inside it, at any depth, unwinds back here and
// returns true with the trap's details; otherwise returns false. No
// destructors run for the abandoned frames, so only use this around code
// whose state is plain data (tests, probing instructions).
template<typename Function>
bool catch_trap(Function&& function, CaughtTrap* caught = nullptr) noexcept
{
    riscv64::TrapRecoveryPoint point {};
    auto& hart = current_hart();
    point.previous = hart.recovery;
    hart.recovery = &point;
    auto thunk = [](void* context) { (*static_cast<Function*>(context))(); };
    int trapped = k23_catch_trap(&point, thunk, &function);
    current_hart().recovery = point.previous;
    if (trapped && caught != nullptr)
        *caught = { point.scause, point.sepc, point.stval };
    return trapped != 0;
}

// Leaves the innermost catch_trap as if a trap had happened, with scause =
// `reason` (the test runner uses this for KASSERT). Requires an armed point.
[[noreturn]] void unwind_to_recovery_point(u64 reason) noexcept;

// An interrupt taken while a guest ran in U-mode (kernel/Guest.cpp): handled
// like one taken in the kernel; the guest then resumes.
void handle_user_interrupt(u64 scause) noexcept;
// A page fault of the kernel on a current guest's linear memory under
// sstatus.SUM: commits the page (kernel/mm/GuestSpace.h); true = retry.
bool commit_guest_page_on_fault(const riscv64::TrapFrame& frame) noexcept;

void enable_interrupts() noexcept;
void disable_interrupts() noexcept;

} // namespace k23::kernel
