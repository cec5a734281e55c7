// Tier-up compiles deferred to the next preemption point
// (kernel/DeferredTierUp.h): on a scheduler thread the TierUp helper only
// posts the job, which compiles when the thread gives up the hart, in the
// guest's own space; a guest that goes away with jobs waiting drops them
// (they read its module); several guests' jobs wait in one line. Only
// KEXPECT inside threads: a KASSERT unwinds to a recovery point on another
// stack.

#include "KTestHelpers.h"

#include <generated/tests/kernel/Modules.h>
#include <kernel/KTest.h>
#include <kernel/Scheduler.h>
#include <kernel/Timer.h>
#include <kernel/WasmGuest.h>

using namespace k23;
using namespace k23::kernel;
using test::bytes_of;
using wasm::Value;

namespace {

WasmGuestOptions auto_options() noexcept
{
    WasmGuestOptions options;
    options.tier = jit::Tier::Auto;
    options.tier_up_budget = 10; // fib(10) makes 177 calls
    return options;
}

// fib(n) in `guest`'s basics instance, or ~0 on error.
u32 fib(WasmGuest& guest, wasm::Instance* instance, u32 n) noexcept
{
    Value args[] = { Value::from_i32(n) };
    Value result;
    if (guest.invoke_export(instance, "fib"_sv, Span<Value const>(args, 1), Span<Value>(&result, 1)).is_error())
        return ~0u;
    return result.i32;
}

// `guest` (tier auto) with the basics module, or nullptr (a KEXPECT
// failure) on error.
wasm::Instance* instantiate_basics(WasmGuest& guest) noexcept
{
    wasm::Instance* instance = nullptr;
    if (!guest.create(auto_options()).is_error()) {
        auto made = guest.instantiate(bytes_of(test_modules::basics));
        instance = made.is_error() ? nullptr : made.value();
    }
    KEXPECT(instance != nullptr);
    return instance;
}

u64 preemptions() noexcept { return Scheduler::current()->stats().preemptions; }

// Runs body(argument) on a scheduler thread of its own until it ends;
// false if the thread could not be made.
bool run_on_a_thread(StringView name, Thread::Entry body, void* argument) noexcept
{
    Thread thread;
    Thread* table[1] = { &thread };
    if (thread.create(name, body, argument).is_error())
        return false;
    Scheduler::run_threads(Span<Thread*>(table, 1));
    return true;
}

// Set by a thread's body: it ran (its KEXPECTs count).
struct Ran {
    bool ran { false };
};

// Runs body(&ran) on a thread of its own: it must have run, and left no
// tier-up job waiting.
void run_to_the_end(StringView name, Thread::Entry body) noexcept
{
    Ran ran;
    KASSERT(run_on_a_thread(name, body, &ran));
    KEXPECT(ran.ran);
    KEXPECT(!deferred_tier_ups_waiting());
}

void tier_up_waits_for_the_hart_to_be_given_up(void* argument) noexcept
{
    static_cast<Ran*>(argument)->ran = true;
    WasmGuest guest;
    wasm::Instance* instance = instantiate_basics(guest);
    if (!instance)
        return;
    Scheduler::yield(); // a fresh slice for what follows
    u64 preempted = preemptions();
    KEXPECT_EQ(fib(guest, instance, 10), 55u);
    // The budget ran out in the helper, which posted the job and returned:
    // nothing compiled, nothing swapped (unless the timer took the hart).
    KEXPECT_EQ(guest.stats().tier_up_jobs.posted, 1u);
    if (preemptions() == preempted) {
        KEXPECT_EQ(guest.stats().tier_up_jobs.compiled, 0u);
        KEXPECT_EQ(guest.stats().tiers.tiered_up, 0u);
    }
    // The thread gives up the hart: the scheduler compiles the job ...
    Scheduler::yield();
    // ... and the engine installs it at the next invoke: fib runs optimized.
    KEXPECT_EQ(fib(guest, instance, 15), 610u);
    KEXPECT_EQ(guest.stats().tier_up_jobs.posted, 1u);
    KEXPECT_EQ(guest.stats().tier_up_jobs.compiled, 1u);
    KEXPECT_GT(guest.stats().tier_up_jobs.instructions, 0u);
    KEXPECT_EQ(guest.stats().tiers.tiered_up, 1u);
    KEXPECT_EQ(guest.stats().tiers.tier_up_refused, 0u);
    guest.destroy();
    KEXPECT_EQ(guest.stats().tier_up_jobs.dropped, 0u);
}

} // namespace

KTEST(deferred_tier_up_compiles_when_the_thread_gives_up_the_hart_not_in_the_helper)
{
    run_to_the_end("tier-up"_sv, tier_up_waits_for_the_hart_to_be_given_up);
}

namespace {

// Two guests' jobs wait at once; the first guest goes away before the
// preemption point (its job is dropped, never compiled: it would read a
// freed module), the second's compiles there, in its own space.
void two_guests_one_goes_away(void* argument) noexcept
{
    static_cast<Ran*>(argument)->ran = true;
    WasmGuest leaving;
    WasmGuest staying;
    wasm::Instance* leaving_instance = instantiate_basics(leaving);
    wasm::Instance* staying_instance = instantiate_basics(staying);
    if (!leaving_instance || !staying_instance)
        return;
    Scheduler::yield();
    u64 preempted = preemptions();
    DeferredTierUpStats before = deferred_tier_up_totals();
    KEXPECT_EQ(fib(leaving, leaving_instance, 10), 55u);
    KEXPECT_EQ(fib(staying, staying_instance, 10), 55u);
    bool undisturbed = preemptions() == preempted;
    if (undisturbed)
        KEXPECT(deferred_tier_ups_waiting());
    leaving.destroy();
    KEXPECT_EQ(leaving.stats().tier_up_jobs.posted, 1u);
    if (undisturbed) {
        KEXPECT_EQ(leaving.stats().tier_up_jobs.dropped, 1u);
        KEXPECT_EQ(leaving.stats().tier_up_jobs.compiled, 0u);
        KEXPECT(deferred_tier_ups_waiting()); // the other guest's job
    }
    Scheduler::yield();
    KEXPECT(!deferred_tier_ups_waiting());
    KEXPECT_EQ(fib(staying, staying_instance, 20), 6765u);
    KEXPECT_EQ(staying.stats().tier_up_jobs.compiled, 1u);
    KEXPECT_EQ(staying.stats().tiers.tiered_up, 1u);
    DeferredTierUpStats after = deferred_tier_up_totals();
    KEXPECT_EQ(after.posted - before.posted, 2u);
    KEXPECT_EQ((after.compiled - before.compiled) + (after.dropped - before.dropped), 2u);
}

} // namespace

KTEST(deferred_tier_up_drops_the_jobs_of_a_guest_that_goes_away_and_runs_anothers)
{
    run_to_the_end("two-guests"_sv, two_guests_one_goes_away);
}

namespace {

struct Killed {
    DeferredTierUpStats jobs;
    bool interrupted { false };
};

// A guest still looping at its thread's deadline: the tick that ends its
// run is not a switch, so the jobs it posted were never compiled; its
// thread drops them with the guest.
void killed_with_jobs_waiting(void* argument) noexcept
{
    auto& self = *static_cast<Killed*>(argument);
    WasmGuest guest;
    KEXPECT(!guest.create(auto_options()).is_error());
    auto instance = guest.instantiate(bytes_of(test_modules::tier_spin));
    KEXPECT(!instance.is_error());
    if (instance.is_error())
        return;
    Scheduler::yield(); // a fresh 10 ms slice; the deadline falls inside it
    Scheduler::current()->set_deadline(timer_now() + timer_frequency() / 500);
    auto spun = guest.invoke_export(instance.value(), "spin"_sv, {}, {});
    self.interrupted = spun.is_error() && jit::is_trap(spun.error());
    guest.destroy();
    self.jobs = guest.stats().tier_up_jobs;
}

// A guest that tiers up and returns; its jobs compile at its thread's
// switch-outs while the other thread's guest is being killed.
void tiers_up_beside(void* argument) noexcept
{
    auto& self = *static_cast<Killed*>(argument);
    WasmGuest guest;
    wasm::Instance* instance = instantiate_basics(guest);
    if (!instance)
        return;
    KEXPECT_EQ(fib(guest, instance, 12), 144u);
    Scheduler::yield();
    KEXPECT_EQ(fib(guest, instance, 12), 144u);
    guest.destroy();
    self.jobs = guest.stats().tier_up_jobs;
}

} // namespace

KTEST(deferred_tier_up_of_a_guest_killed_with_jobs_waiting_drops_them)
{
    Killed killed;
    Killed beside;
    Thread threads[2];
    // The kill comes at the slice's end, 10 ms after the switch-in: on a
    // loaded host QEMU's clock can pass it before the guest made its first
    // ten calls (then nothing was posted yet). Such a run is done again.
    for (u32 attempt = 0; attempt < 4; ++attempt) {
        killed = {};
        beside = {};
        Thread* table[2] = { &threads[0], &threads[1] };
        KASSERT(!threads[0].create("killed"_sv, killed_with_jobs_waiting, &killed).is_error());
        KASSERT(!threads[1].create("beside"_sv, tiers_up_beside, &beside).is_error());
        Scheduler::run_threads(Span<Thread*>(table, 2));
        if (killed.jobs.posted != 0)
            break;
    }
    KEXPECT(threads[0].kill_reason() == KillReason::Deadline);
    KEXPECT(killed.interrupted);
    KEXPECT_GE(killed.jobs.posted, 1u); // $hot and spin's loop
    KEXPECT_EQ(killed.jobs.compiled, 0u);
    KEXPECT_EQ(killed.jobs.dropped, killed.jobs.posted);
    KEXPECT_EQ(beside.jobs.posted, 1u);
    KEXPECT_EQ(beside.jobs.compiled, 1u);
    KEXPECT(!deferred_tier_ups_waiting());
}

namespace {

struct Starved {
    bool ran { false };
    bool exhausted { false };
    bool frames_back { false };
};

// The job compiles at the preemption point with no frame left: the
// compile fails for memory, the function stays baseline (refused) and
// keeps giving right results; nothing else breaks.
void compile_without_frames(void* argument) noexcept
{
    auto& self = *static_cast<Starved*>(argument);
    self.ran = true;
    WasmGuest guest;
    wasm::Instance* instance = instantiate_basics(guest);
    if (!instance)
        return;
    KEXPECT_EQ(fib(guest, instance, 10), 55u); // posts fib's job
    test::FrameHog hog;
    hog.take_all();
    self.exhausted = hog.exhausted();
    Scheduler::yield(); // the job runs, starved
    hog.give_back();
    self.frames_back = physical_memory().free_frame_count() == hog.free_before();
    KEXPECT_EQ(fib(guest, instance, 15), 610u);
    KEXPECT_EQ(guest.stats().tier_up_jobs.compiled, 1u);
    KEXPECT_EQ(guest.stats().tiers.tier_up_refused, 1u);
    KEXPECT_EQ(guest.stats().tiers.tiered_up, 0u);
    KEXPECT_EQ(fib(guest, instance, 20), 6765u);
    guest.destroy();
}

} // namespace

KTEST(deferred_tier_up_out_of_memory_leaves_the_function_baseline)
{
    Starved starved;
    KASSERT(run_on_a_thread("starved"_sv, compile_without_frames, &starved));
    KEXPECT(starved.ran);
    KEXPECT(starved.exhausted);
    KEXPECT(starved.frames_back);
}
