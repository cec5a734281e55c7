// Kernel threads and the round-robin scheduler (kernel/Scheduler.h): the
// run queue's order, yields and sleeps, registers kept across switches,
// and U-mode guests preempted by the timer (one looping forever, killed by
// its budget, the other finishing meanwhile). Only KEXPECT inside threads:
// a KASSERT unwinds to a recovery point on another stack.

#include <arch/riscv64/Csr.h>
#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/CodeHolder.h>
#include <kernel/DeviceTree.h>
#include <kernel/Guest.h>
#include <kernel/KTest.h>
#include <kernel/Scheduler.h>
#include <kernel/Timer.h>

using namespace k23;
using namespace k23::kernel;
using namespace k23::riscv64;

namespace {

struct Log {
    u32 entries[32] {};
    usize count { 0 };
    void add(u32 value) noexcept
    {
        if (count < 32)
            entries[count++] = value;
    }
};

struct Yielder {
    Log* log;
    u32 id;
};

void yield_three_times(void* argument) noexcept
{
    auto& self = *static_cast<Yielder*>(argument);
    for (u32 round = 0; round < 3; ++round) {
        self.log->add(self.id * 10 + round);
        Scheduler::yield();
    }
}

} // namespace

KTEST(scheduler_runs_threads_round_robin_and_yield_goes_to_the_back)
{
    Log log;
    Yielder yielders[3] = { { &log, 1 }, { &log, 2 }, { &log, 3 } };
    Thread threads[3];
    Thread* table[3];
    for (usize i = 0; i < 3; ++i) {
        KASSERT(!threads[i].create("yielder"_sv, yield_three_times, &yielders[i]).is_error());
        table[i] = &threads[i];
    }
    KEXPECT(Scheduler::current() == nullptr);
    Scheduler::run_threads(Span<Thread*>(table, 3));
    KEXPECT(Scheduler::current() == nullptr);
    u32 const expected[] = { 10, 20, 30, 11, 21, 31, 12, 22, 32 };
    KASSERT_EQ(log.count, 9u);
    for (usize i = 0; i < 9; ++i)
        KEXPECT_EQ(log.entries[i], expected[i]);
    for (auto& thread : threads) {
        KEXPECT(thread.state() == ThreadState::Finished);
        KEXPECT_EQ(thread.stats().switches_in, 4u); // three yields, then the end
        KEXPECT_EQ(thread.stats().sleeps, 3u);
    }
    // The timer is off again, and so are timer interrupts.
    KEXPECT_EQ(read_csr<Csr::Sie>() & Interrupt::STIE, 0u);
}

namespace {

// Values live across yields: the switch keeps callee-saved registers
// (s0-s11, fs0-fs11) and the stack of each thread its own.
struct Mixer {
    u64 result { 0 };
    double fresult { 0 };
    u64 seed { 0 };
};

[[gnu::noinline]] void mix_across_yields(void* argument) noexcept
{
    auto& self = *static_cast<Mixer*>(argument);
    u64 a = self.seed, b = self.seed * 3, c = self.seed * 5, d = self.seed * 7, e = self.seed * 11, f = self.seed * 13;
    double x = double(self.seed), y = double(self.seed) * 0.5, z = double(self.seed) * 0.25;
    for (u32 i = 0; i < 8; ++i) {
        Scheduler::yield();
        a += b;
        b ^= c;
        c += d * 3;
        d ^= e;
        e += f;
        f ^= a;
        x += y;
        y *= 1.5;
        z += x;
    }
    self.result = a ^ b ^ c ^ d ^ e ^ f;
    self.fresult = x + y + z;
}

} // namespace

KTEST(scheduler_switch_keeps_each_threads_registers_and_stack)
{
    // The same computation without switches gives the reference.
    Mixer reference[2] = { { 0, 0, 17 }, { 0, 0, 1234567 } };
    for (auto& m : reference) {
        u64 a = m.seed, b = m.seed * 3, c = m.seed * 5, d = m.seed * 7, e = m.seed * 11, f = m.seed * 13;
        double x = double(m.seed), y = double(m.seed) * 0.5, z = double(m.seed) * 0.25;
        for (u32 i = 0; i < 8; ++i) {
            a += b;
            b ^= c;
            c += d * 3;
            d ^= e;
            e += f;
            f ^= a;
            x += y;
            y *= 1.5;
            z += x;
        }
        m.result = a ^ b ^ c ^ d ^ e ^ f;
        m.fresult = x + y + z;
    }
    Mixer mixers[2] = { { 0, 0, 17 }, { 0, 0, 1234567 } };
    Thread threads[2];
    Thread* table[2] = { &threads[0], &threads[1] };
    for (usize i = 0; i < 2; ++i)
        KASSERT(!threads[i].create("mixer"_sv, mix_across_yields, &mixers[i]).is_error());
    Scheduler::run_threads(Span<Thread*>(table, 2));
    for (usize i = 0; i < 2; ++i) {
        KEXPECT_EQ(mixers[i].result, reference[i].result);
        KEXPECT(mixers[i].fresult == reference[i].fresult);
    }
}

namespace {

struct Sleeper {
    u64 wake_at { 0 };
    u64 woke_at { 0 };
    u64 other_steps_when_woken { 0 };
    const u64* other_steps { nullptr };
};

void sleep_once(void* argument) noexcept
{
    auto& self = *static_cast<Sleeper*>(argument);
    Scheduler::sleep_until(self.wake_at);
    self.woke_at = timer_now();
    self.other_steps_when_woken = *self.other_steps;
}

struct Stepper {
    u64 steps { 0 };
    u64 until { 0 };
};

void step_until(void* argument) noexcept
{
    auto& self = *static_cast<Stepper*>(argument);
    while (timer_now() < self.until) {
        ++self.steps;
        Scheduler::yield();
    }
}

} // namespace

KTEST(scheduler_sleeping_thread_lets_the_others_run_and_wakes_on_time)
{
    u64 now = timer_now();
    u64 ms = timer_frequency() / 1000;
    Stepper stepper { 0, now + 40 * ms };
    Sleeper sleeper { now + 20 * ms, 0, 0, &stepper.steps };
    Thread threads[2];
    Thread* table[2] = { &threads[0], &threads[1] };
    KASSERT(!threads[0].create("sleeper"_sv, sleep_once, &sleeper).is_error());
    KASSERT(!threads[1].create("stepper"_sv, step_until, &stepper).is_error());
    Scheduler::run_threads(Span<Thread*>(table, 2));
    KEXPECT_GE(sleeper.woke_at, sleeper.wake_at);
    // While it slept, the other thread had the hart.
    KEXPECT_GE(sleeper.other_steps_when_woken, 1u);
    KEXPECT_EQ(threads[0].stats().sleeps, 1u);
    // A sleep with nobody else to run waits (wfi) and still wakes.
    Sleeper alone { timer_now() + 5 * ms, 0, 0, &stepper.steps };
    Thread single;
    Thread* one[1] = { &single };
    KASSERT(!single.create("alone"_sv, sleep_once, &alone).is_error());
    Scheduler::run_threads(Span<Thread*>(one, 1));
    KEXPECT_GE(alone.woke_at, alone.wake_at);
}

namespace {

constexpr u64 code_va = 0x10000;
constexpr u64 stack_va = 0x7fff'0000;

struct UserRun {
    Guest guest;
    GuestExit exit;
    u64 iterations { 0 }; // 0: loop forever
};

// `emit`'s program at code_va (U+RX) with one stack page (U+RW).
template<typename Emit>
bool load_program(Guest& guest, Emit emit) noexcept
{
    CodeHolder code(CpuFeatures::rv64gc().with(Extension::V), CodeOptions { .compress = false });
    Assembler a(code);
    emit(a);
    u8 bytes[256];
    if (code.finalize().is_error() || code.code_size() > sizeof bytes)
        return false;
    if (code.copy_to(Span<u8>(bytes, code.code_size())).is_error())
        return false;
    if (guest.create().is_error())
        return false;
    auto& space = guest.address_space();
    if (space.map_new(code_va, PAGE_SIZE, Protection::ReadExecute).is_error()
        || space.write(code_va, Span<u8 const>(bytes, code.code_size())).is_error()
        || space.map_new(stack_va, PAGE_SIZE, Protection::ReadWrite).is_error())
        return false;
    guest.reset(code_va, stack_va + PAGE_SIZE);
    return true;
}

void emit_exit(Assembler& a, i64 status) noexcept
{
    a.li(a0, status);
    a.li(a7, static_cast<i64>(system_call_exit));
    a.ecall();
}

bool load_loop(Guest& guest, u64 iterations) noexcept
{
    return load_program(guest, [&](Assembler& a) {
        auto loop = a.new_label();
        a.li(t0, static_cast<i64>(iterations));
        a.bind(loop);
        if (iterations == 0) {
            a.j(loop); // `j .` forever: only the timer gets the kernel back
        } else {
            a.addi(t0, t0, -1);
            a.bnez(t0, loop);
            emit_exit(a, 7);
        }
    });
}

void run_user(void* argument) noexcept
{
    auto& self = *static_cast<UserRun*>(argument);
    self.exit = self.guest.run();
}

} // namespace

KTEST(scheduler_preempts_a_looping_guest_and_kills_it_at_its_budget)
{
    UserRun looping;
    UserRun counting;
    counting.iterations = 5'000'000; // well under the looping one's budget, whatever the host
    KASSERT(load_loop(looping.guest, 0));
    KASSERT(load_loop(counting.guest, counting.iterations));
    Thread threads[2];
    Thread* table[2] = { &threads[0], &threads[1] };
    KASSERT(!threads[0].create("looping"_sv, run_user, &looping).is_error());
    KASSERT(!threads[1].create("counting"_sv, run_user, &counting).is_error());
    threads[0].set_budget(timer_frequency()); // a second of CPU
    Scheduler::run_threads(Span<Thread*>(table, 2));
    // The counting guest ran to its end while the looping one still looped
    // (it had the hart first and never gives it up itself) ...
    KEXPECT(counting.exit.exited());
    KEXPECT_EQ(counting.exit.status, 7u);
    KEXPECT_LT(threads[1].stats().finished_at, threads[0].stats().finished_at);
    KEXPECT_GE(threads[0].stats().preemptions, 1u);
    // ... and the looping one was killed at its budget, in U-mode.
    KEXPECT(looping.exit.killed());
    KEXPECT(threads[0].kill_reason() == KillReason::Budget);
    KEXPECT_GE(threads[0].stats().ticks, threads[0].budget());
    KEXPECT_EQ(looping.exit.sepc, code_va + 4); // past the li, at the j
    KEXPECT_EQ(threads[1].kill_reason(), KillReason::None);
    KEXPECT_EQ(read_csr<Csr::Sie>() & Interrupt::STIE, 0u);
}

KTEST(scheduler_keeps_each_guests_fp_and_vector_registers_across_preemption)
{
    // Three guests put their own pattern in f1 (and, with V, in every
    // element of v1), count down long enough to be preempted, then check
    // both: exit 0 when they are still theirs, 1 when not. The lazy vector
    // switch (HartLocal::vector_owner) and the FP registers in each
    // UserContext must keep them apart.
    bool vector = g_platform.isa_has('v');
    // One round of the three with `count` turns of the loop; returns the
    // preemptions the round saw.
    auto round = [&](u64 count) -> u64 {
        UserRun runs[3];
        Thread threads[3];
        Thread* table[3];
        for (usize i = 0; i < 3; ++i) {
            i64 pattern = static_cast<i64>(0x1111'2222'3333'0000ull * (i + 1) + i);
            KASSERT(load_program(runs[i].guest, [&](Assembler& a) {
                auto loop = a.new_label();
                auto bad = a.new_label();
                a.li(t1, pattern);
                a.fmv_d_x(f1, t1);
                if (vector) {
                    a.vsetvli(t0, zero, VType { .sew = Sew::E64 });
                    a.vmv_v_x(v1, t1);
                }
                a.li(t2, static_cast<i64>(count));
                a.bind(loop);
                a.addi(t2, t2, -1);
                a.bnez(t2, loop);
                a.fmv_x_d(t3, f1);
                a.bne(t3, t1, bad);
                if (vector) {
                    a.vmv_x_s(t3, v1);
                    a.bne(t3, t1, bad);
                }
                emit_exit(a, 0);
                a.bind(bad);
                emit_exit(a, 1);
            }));
            KASSERT(!threads[i].create("registers"_sv, run_user, &runs[i]).is_error());
            table[i] = &threads[i];
        }
        Scheduler::run_threads(Span<Thread*>(table, 3));
        u64 preemptions = 0;
        for (usize i = 0; i < 3; ++i) {
            KEXPECT(runs[i].exit.exited());
            KEXPECT_EQ(runs[i].exit.status, 0u);
            preemptions += threads[i].stats().preemptions;
        }
        return preemptions;
    };
    // They must take turns in the middle of their loops, or the check
    // proves nothing. 40 M turns is tens of ms even at QEMU's best, but a
    // loaded host can deliver the timer late (sifive_u saw a round with
    // none): then longer rounds, up to 16 times as long.
    u64 preemptions = 0;
    for (u64 count = 40'000'000; preemptions == 0 && count <= 640'000'000; count *= 4)
        preemptions = round(count);
    KEXPECT_GE(preemptions, 1u);
}
