#pragma once

// Tier-up compiles in the kernel, deferred to the next preemption point
// (issue 17 item 2; jit/Engine.h "Tier-up"). k23-run compiles hot functions
// on a second thread while the guest runs; the kernel schedules one hart,
// so a guest's TierUp helper (a system call) only records the job — post()
// — and the guest goes on in the baseline. The job runs later:
// - a guest on a scheduler thread (kernel/Scheduler.h): when its thread
//   gives up the hart (its slice is over, it yields, sleeps or finishes),
//   in the scheduler's own context, on the scheduler's stack (the boot
//   stack, 64 KiB, nearly all of it free there) before the next thread
//   is picked. No thread is charged for it;
// - a guest run without a scheduler (the spec runner, the OS costs,
//   KTESTs): right before the run loop returns to U-mode after the system
//   call that posted it, on the stack that called WasmGuest::run (not on
//   the guest's 32 KiB kernel stack, where the helper runs).
// Each job compiles inside its guest's GuestSpace::Scope (the code and the
// compiler's objects land in the guest's heap), and the engine installs it
// at the guest's next helper call or invoke (install_finished_tier_ups).
// The jobs of several guests wait in one line: guest by guest, in the order
// the guests first posted, and each guest's in its post order.
//
// Memory: post() allocates nothing (the jobs are linked through
// TierUpJob::next, which is free until the job finished, and the queues
// through themselves), so no post is refused. A compile that runs out of
// memory leaves its function in the baseline (refused, jit/Engine.cpp).
// Jobs live in the guest's private area, mapped in its kernel view only:
// they are touched only inside its Scope (post() runs in one).
//
// Lifetime: a job reads its guest's wasm::Module. WasmGuest::destroy drops
// the guest's waiting jobs (never compiled) before its engine and modules
// go away — a guest that exits, traps or is killed with jobs waiting —
// and drain(), TierUpQueue's contract for Engine::destroy, runs whatever
// still waits. One hart: nothing runs a job while its guest's thread is
// inside the engine but at a preemption point, where the engine is between
// system calls.

#include <base/Integers.h>
#include <jit/Engine.h>

namespace k23::kernel {

class GuestSpace;

struct DeferredTierUpStats {
    u64 posted { 0 };       // jobs the guest's engine handed over
    u64 compiled { 0 };     // of those, run at a preemption point (or by drain())
    u64 dropped { 0 };      // still waiting when the guest went away
    u64 instructions { 0 }; // instret spent compiling them
};

class DeferredTierUp final : public jit::TierUpQueue {
public:
    DeferredTierUp() noexcept = default;
    ~DeferredTierUp() noexcept override;
    DeferredTierUp(const DeferredTierUp&) = delete;
    DeferredTierUp& operator=(const DeferredTierUp&) = delete;
    // TierUpQueue's destructor is virtual: its deleting form needs an
    // operator delete, and the kernel has no global one. A member of
    // WasmGuest, never deleted through the interface.
    static void operator delete(void*) noexcept;

    // The guest whose engine posts here; its stats start again.
    void attach(GuestSpace& space) noexcept;

    // jit::TierUpQueue (inside the guest's Scope).
    bool post(jit::TierUpJob* job) noexcept override;
    void drain() noexcept override;

    // Inside the guest's Scope: forgets the waiting jobs (frees them,
    // uncompiled) and leaves the line. The guest is going away.
    void drop_waiting() noexcept;

    [[nodiscard]] bool has_waiting() const noexcept { return m_first != nullptr; }
    [[nodiscard]] const DeferredTierUpStats& stats() const noexcept { return m_stats; }

    // Runs this guest's waiting jobs here, in its Scope.
    void run_waiting() noexcept;

private:
    friend void run_deferred_tier_ups() noexcept;
    void unlist() noexcept;

    GuestSpace* m_space { nullptr };
    jit::TierUpJob* m_first { nullptr }; // guest memory: only inside the Scope
    jit::TierUpJob* m_last { nullptr };
    DeferredTierUp* m_next_waiting { nullptr };
    bool m_listed { false };
    DeferredTierUpStats m_stats;
};

// Whether any guest's job waits.
[[nodiscard]] bool deferred_tier_ups_waiting() noexcept;
// The preemption point: every waiting job of every guest, on this stack
// (each guest's in its own Scope).
void run_deferred_tier_ups() noexcept;
// Totals over the boot (KTESTs read them).
[[nodiscard]] DeferredTierUpStats deferred_tier_up_totals() noexcept;

} // namespace k23::kernel
