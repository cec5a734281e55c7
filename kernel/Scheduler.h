#pragma once

// Kernel threads on one hart, preempted round-robin (issue 14 item 3).
//
// A thread is a kernel stack plus the callee-saved registers saved when it
// last gave up the hart (ThreadContext; arch/riscv64/Switch.S switches them
// as the psABI has it). `./k23 run` gives each guest a thread: the engine
// compiles the guest's module on the thread's stack, and the run loop
// (kernel/Guest.h) runs its U-mode code on the guest's own kernel stack,
// below it; wherever the thread is when it gives up the hart is where it
// resumes.
//
// Scheduling: run_threads() (on the boot stack, the scheduler's own
// context) takes the threads it is given and runs them one at a time, the
// thread table scanned round-robin from the last one that ran. Each
// switch-in arms the timer (kernel/Timer.h) for the end of a time slice
// (`slice_ticks`) or the thread's kill deadline, whichever is first.
// Kernel code is never preempted (the kernel runs with sstatus.SIE clear):
// the timer interrupts a thread only while its guest runs in U-mode, and
// the run loop then calls preempt_from_user(), which switches to the next
// runnable thread when the slice is over. A thread gives up the hart
// itself with yield() (WASI sched_yield) or sleep_until() (WASI poll_oneoff
// on a clock): a sleeping thread is not runnable until its time; with
// nothing runnable, the hart waits in wfi for the earliest sleeper.
//
// What a switch saves besides the registers — the rest of the hart's state
// that belongs to the thread — is restored when it resumes: satp, the
// current GuestSpace (kernel/mm/GuestSpace.h) and KernelAllocationScope
// (kernel/Heap.h), sstatus.SUM and the trap-recovery point. Guests' FP
// registers travel in their UserContext, their vector state by
// HartLocal::vector_owner (kernel/Guest.h): nothing to do here.
//
// Kill: a thread can have a CPU-time budget (ticks it may run) and a wall
// deadline (the time it must be done by). Past either, the next
// preempt_from_user() answers Kill; the run loop then ends the guest's run
// (GuestExit::Kind::Killed) and the thread finishes normally, so the
// others carry on. A sleeping thread wakes at its wall deadline.

#include <base/Result.h>
#include <base/Span.h>
#include <base/StringView.h>
#include <base/Integers.h>
#include <kernel/Platform.h>

namespace k23::kernel {

// The callee-saved registers of a switched-out thread (RISC-V psABI,
// integer and floating-point register conventions).
struct ThreadContext {
    u64 ra { 0 };
    u64 sp { 0 };
    u64 s[12] {};
    u64 fs[12] {};
};
static_assert(__builtin_offsetof(ThreadContext, s) == 16 && __builtin_offsetof(ThreadContext, fs) == 112,
    "arch/riscv64/Switch.S's layout");

inline constexpr usize thread_stack_size = 64 * 1024;

enum class ThreadState : u8 {
    Idle,     // created, not given to run_threads()
    Runnable,
    Sleeping, // until wake_at
    Finished,
};

enum class KillReason : u8 {
    None,
    Budget,   // its CPU-time budget is used up
    Deadline, // its wall deadline passed (./k23 run --timeout)
};

struct ThreadStats {
    u64 ticks { 0 };        // timebase ticks it ran
    u64 instructions { 0 }; // retired while it ran (instret)
    u64 switches_in { 0 };  // times it was given the hart
    u64 preemptions { 0 };  // times the timer took it away
    u64 sleeps { 0 };       // sleep_until() and yield() calls
    u64 started_at { 0 };   // time of the first switch-in
    u64 finished_at { 0 };
};

class Thread {
public:
    using Entry = void (*)(void* argument) noexcept;

    Thread() noexcept = default;
    ~Thread() noexcept { destroy(); }
    Thread(const Thread&) = delete;
    Thread& operator=(const Thread&) = delete;

    // A stack (with a guard page) and a context that starts `entry(argument)`.
    [[nodiscard]] Result<void> create(StringView name, Entry entry, void* argument, usize stack_size = thread_stack_size) noexcept;
    // Frees the stack. Not while it is runnable or sleeping.
    void destroy() noexcept;

    [[nodiscard]] StringView name() const noexcept { return m_name; }
    [[nodiscard]] void* argument() const noexcept { return m_argument; }
    [[nodiscard]] ThreadState state() const noexcept { return m_state; }
    [[nodiscard]] const ThreadStats& stats() const noexcept { return m_stats; }
    [[nodiscard]] KillReason kill_reason() const noexcept { return m_kill; }

    // 0 = none. Ticks of CPU time it may use / the time (absolute, ticks)
    // it must be done by.
    void set_budget(u64 ticks) noexcept { m_budget = ticks; }
    void set_deadline(u64 time) noexcept { m_deadline = time; }
    [[nodiscard]] u64 budget() const noexcept { return m_budget; }
    [[nodiscard]] u64 deadline() const noexcept { return m_deadline; }

private:
    friend class Scheduler;
    struct HartState {
        u64 satp { 0 };
        u64 sum { 0 };
        void* guest_space { nullptr };
        bool kernel_allocation { false };
        void* recovery { nullptr };
    };

    StringView m_name;
    Entry m_entry { nullptr };
    void* m_argument { nullptr };
    KernelStack m_stack;
    ThreadContext m_context;
    HartState m_hart_state;
    ThreadState m_state { ThreadState::Idle };
    KillReason m_kill { KillReason::None };
    u64 m_wake_at { 0 };
    u64 m_budget { 0 };
    u64 m_deadline { 0 };
    ThreadStats m_stats;
};

enum class Preemption : u8 {
    Resume, // go back to U-mode (maybe after other threads ran)
    Kill,   // the thread's budget or deadline is past: end its run
};

class Scheduler {
public:
    // Timebase ticks of one time slice: 10 ms at QEMU virt's 10 MHz.
    static constexpr u64 slice_ticks = 100'000;

    // Runs `threads` (created, Idle) until every one has finished. Not
    // from a thread. Returns with the timer off.
    static void run_threads(Span<Thread*> threads) noexcept;

    // The thread on the hart, or nullptr outside run_threads().
    [[nodiscard]] static Thread* current() noexcept;

    // From a thread: to the back of the round, others run first.
    static void yield() noexcept;
    // From a thread: not runnable until `time` (timebase ticks) or its
    // wall deadline, whichever is first.
    static void sleep_until(u64 time) noexcept;

    // The run loop, after a timer interrupt from U-mode with a thread
    // current: Kill when its budget or deadline is past; else the next
    // thread runs if the slice is over, and the timer is armed again.
    [[nodiscard]] static Preemption preempt_from_user() noexcept;
    // Whether the current thread must be killed (checked before entering
    // U-mode after a sleep too).
    [[nodiscard]] static bool kill_pending() noexcept;

    // Every thread's first code (k23_thread_start calls it on the thread's
    // stack): its entry function, then Finished and off the hart for good.
    [[noreturn]] static void thread_main() noexcept;

private:
    static void switch_to_scheduler() noexcept;
    static void save_hart_state(Thread::HartState&) noexcept;
    static void restore_hart_state(const Thread::HartState&) noexcept;
    static void arm_timer(Thread& thread) noexcept;
};

} // namespace k23::kernel
