// Kernel threads on one hart, preempted round-robin (kernel/Scheduler.h).
// Section numbers refer to the privileged spec 1.12 (20211203), Volume II.

#include <arch/riscv64/Csr.h>
#include <arch/riscv64/Paging.h>
#include <base/Vector.h>
#include <kernel/DeferredTierUp.h>
#include <kernel/Heap.h>
#include <kernel/Panic.h>
#include <kernel/Scheduler.h>
#include <kernel/Timer.h>
#include <kernel/Trap.h>
#include <kernel/mm/GuestSpace.h>

extern "C" void k23_switch_context(k23::kernel::ThreadContext* save, const k23::kernel::ThreadContext* load) noexcept;
extern "C" void k23_thread_start() noexcept;

namespace k23::kernel {

using namespace riscv64;

namespace {

// One hart schedules (the boot hart); these are its run state.
struct Run {
    ThreadContext scheduler_context; // run_threads()'s, while a thread runs
    Thread* current { nullptr };
    Span<Thread*> threads;
    usize last { 0 };         // index of the thread that ran last
    u64 switched_in_at { 0 }; // time of the current thread's switch-in
    u64 instret_at { 0 };
    u64 slice_end { 0 };
    bool active { false };
};
Run s_run;

constexpr u64 SATP_ASID_MASK = 0xFFFFull << 44; // §4.1.11, Figure 4.14 (Sv39/Sv48 satp)

} // namespace

void Scheduler::save_hart_state(Thread::HartState& state) noexcept
{
    state.satp = read_csr<Csr::Satp>();
    state.sum = read_csr<Csr::Sstatus>() & Sstatus::SUM;
    state.guest_space = current_guest_space();
    state.kernel_allocation = kernel_allocation_active();
    state.recovery = current_hart().recovery;
}

// The hart as `state` had it: §4.1.11, an ASID-0 satp shares its TLB tag
// with other spaces, so flush; §4.1.1.2 SUM.
void Scheduler::restore_hart_state(const Thread::HartState& state) noexcept
{
    write_csr<Csr::Satp>(state.satp);
    if ((state.satp & SATP_ASID_MASK) == 0)
        sfence_vma_all();
    if (state.sum)
        set_csr_bits<Csr::Sstatus>(Sstatus::SUM);
    else
        clear_csr_bits<Csr::Sstatus>(Sstatus::SUM);
    set_current_guest_space(static_cast<GuestSpace*>(state.guest_space));
    set_kernel_allocation_active(state.kernel_allocation);
    current_hart().recovery = static_cast<TrapRecoveryPoint*>(state.recovery);
}

namespace {
// k23_thread_start's call (s1, with a0 = s2).
void thread_main_entry(void*) noexcept { Scheduler::thread_main(); }
} // namespace

Result<void> Thread::create(StringView name, Entry entry, void* argument, usize stack_size) noexcept
{
    VERIFY(m_state == ThreadState::Idle || m_state == ThreadState::Finished);
    destroy();
    m_stack = TRY(kernel_stack_allocate(stack_size));
    m_name = name;
    m_entry = entry;
    m_argument = argument;
    m_context = ThreadContext {};
    m_context.ra = reinterpret_cast<u64>(&k23_thread_start);
    m_context.sp = m_stack.top() & ~u64(15);
    m_context.s[0] = 0; // no caller frame
    m_context.s[1] = reinterpret_cast<u64>(&thread_main_entry);
    m_context.s[2] = 0;
    m_hart_state = {};
    m_state = ThreadState::Idle;
    m_kill = KillReason::None;
    m_stats = {};
    return {};
}

void Thread::destroy() noexcept
{
    VERIFY(m_state != ThreadState::Runnable && m_state != ThreadState::Sleeping);
    kernel_stack_release(m_stack);
}

Thread* Scheduler::current() noexcept { return s_run.current; }

void Scheduler::thread_main() noexcept
{
    Thread& self = *s_run.current;
    self.m_entry(self.m_argument);
    self.m_state = ThreadState::Finished;
    switch_to_scheduler();
    VERIFY_NOT_REACHED();
}

// Where the next interrupt comes: the slice's end or a kill line.
void Scheduler::arm_timer(Thread& thread) noexcept
{
    u64 at = s_run.slice_end;
    if (thread.m_deadline != 0 && thread.m_deadline < at)
        at = thread.m_deadline;
    if (thread.m_budget != 0) {
        u64 used = thread.m_stats.ticks + (timer_now() - s_run.switched_in_at);
        u64 left = used >= thread.m_budget ? 0 : thread.m_budget - used;
        if (timer_now() + left < at)
            at = timer_now() + left;
    }
    timer_set(at);
}

// From a thread: save its hart state and registers, run the scheduler;
// returns when the scheduler switches back to it.
void Scheduler::switch_to_scheduler() noexcept
{
    Thread& self = *s_run.current;
    save_hart_state(self.m_hart_state);
    k23_switch_context(&self.m_context, &s_run.scheduler_context);
    restore_hart_state(self.m_hart_state);
}

void Scheduler::yield() noexcept
{
    VERIFY(s_run.current != nullptr);
    ++s_run.current->m_stats.sleeps;
    switch_to_scheduler();
}

void Scheduler::sleep_until(u64 time) noexcept
{
    Thread* self = s_run.current;
    VERIFY(self != nullptr);
    if (self->m_deadline != 0 && self->m_deadline < time)
        time = self->m_deadline;
    ++self->m_stats.sleeps;
    if (timer_now() >= time)
        return;
    self->m_state = ThreadState::Sleeping;
    self->m_wake_at = time;
    switch_to_scheduler();
}

bool Scheduler::kill_pending() noexcept
{
    Thread* self = s_run.current;
    if (self == nullptr)
        return false;
    if (self->m_kill != KillReason::None)
        return true;
    u64 now = timer_now();
    if (self->m_deadline != 0 && now >= self->m_deadline)
        self->m_kill = KillReason::Deadline;
    else if (self->m_budget != 0 && self->m_stats.ticks + (now - s_run.switched_in_at) >= self->m_budget)
        self->m_kill = KillReason::Budget;
    return self->m_kill != KillReason::None;
}

Preemption Scheduler::preempt_from_user() noexcept
{
    Thread* self = s_run.current;
    VERIFY(self != nullptr);
    if (kill_pending())
        return Preemption::Kill;
    if (timer_now() >= s_run.slice_end) {
        ++self->m_stats.preemptions;
        switch_to_scheduler();
        if (kill_pending())
            return Preemption::Kill;
    }
    arm_timer(*self);
    return Preemption::Resume;
}

void Scheduler::run_threads(Span<Thread*> threads) noexcept
{
    VERIFY(!s_run.active);
    s_run = {};
    s_run.active = true;
    s_run.threads = threads;
    s_run.last = threads.size() ? threads.size() - 1 : 0;
    for (Thread* thread : threads) {
        VERIFY(thread->m_state == ThreadState::Idle && thread->m_stack.size != 0);
        thread->m_state = ThreadState::Runnable;
    }
    // The scheduler's own hart state, as the caller had it: every thread
    // starts with it, and it is back after each switch out of a thread.
    Thread::HartState own;
    save_hart_state(own);
    // Timer interrupts from U-mode (sie.STIE, §4.1.3); sstatus.SIE stays
    // clear, so none is taken in the kernel.
    u64 sie = set_csr_bits<Csr::Sie>(Interrupt::STIE);

    for (;;) {
        usize n = threads.size();
        u64 now = timer_now();
        Thread* next = nullptr;
        u64 earliest = timer_never;
        bool alive = false;
        for (usize step = 1; step <= n; ++step) {
            usize i = (s_run.last + step) % n;
            Thread* thread = threads[i];
            if (thread->m_state == ThreadState::Sleeping && now >= thread->m_wake_at)
                thread->m_state = ThreadState::Runnable;
            if (thread->m_state == ThreadState::Sleeping && thread->m_wake_at < earliest)
                earliest = thread->m_wake_at;
            if (thread->m_state != ThreadState::Finished)
                alive = true;
            if (next == nullptr && thread->m_state == ThreadState::Runnable) {
                next = thread;
                s_run.last = i;
            }
        }
        if (!alive)
            break;
        if (next == nullptr) {
            // Everyone sleeps: wait for the earliest. wfi resumes on a
            // pending interrupt enabled in sie even with sstatus.SIE
            // clear (§4.1.3, §3.3.3), and none is taken.
            timer_set(earliest);
            while (timer_now() < earliest)
                asm volatile("wfi");
            timer_set(timer_never);
            continue;
        }
        s_run.current = next;
        s_run.switched_in_at = timer_now();
        s_run.instret_at = read_csr<Csr::Instret>();
        s_run.slice_end = s_run.switched_in_at + slice_ticks;
        if (next->m_stats.switches_in++ == 0)
            next->m_stats.started_at = s_run.switched_in_at;
        arm_timer(*next);
        k23_switch_context(&s_run.scheduler_context, &next->m_context);
        restore_hart_state(own);
        u64 end = timer_now();
        next->m_stats.ticks += end - s_run.switched_in_at;
        next->m_stats.instructions += read_csr<Csr::Instret>() - s_run.instret_at;
        if (next->m_state == ThreadState::Finished)
            next->m_stats.finished_at = end;
        s_run.current = nullptr;
        timer_set(timer_never);
        // The preemption point's deferred work: tier-up compiles of any
        // guest (kernel/DeferredTierUp.h), here on the scheduler's stack,
        // charged to no thread.
        run_deferred_tier_ups();
    }

    if ((sie & Interrupt::STIE) == 0)
        clear_csr_bits<Csr::Sie>(Interrupt::STIE);
    restore_hart_state(own);
    s_run = {};
}

} // namespace k23::kernel
