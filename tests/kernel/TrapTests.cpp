// Traps and interrupts: recovery from faults, the timer.

#include <arch/riscv64/Csr.h>
#include <arch/riscv64/Sbi.h>
#include <kernel/Boot.h>
#include <kernel/DeviceTree.h>
#include <kernel/KTest.h>
#include <kernel/Trap.h>

using namespace k23;
using namespace k23::kernel;
using namespace k23::riscv64;

KTEST(trap_ebreak_recovers)
{
    volatile int reached_after = 0;
    CaughtTrap trap;
    bool trapped = catch_trap([&] {
        asm volatile("ebreak");
        reached_after = 1;
    },
        &trap);
    KASSERT(trapped);
    KEXPECT_EQ(trap.scause, static_cast<u64>(Exception::Breakpoint));
    KEXPECT_NE(trap.sepc, 0u);
    KEXPECT_EQ(reached_after, 0);
    // The recovery point is disarmed again: nested state is back to the runner's.
    KEXPECT_NE(current_hart().recovery, nullptr);
}

KTEST(trap_illegal_instruction_recovers)
{
    CaughtTrap trap;
    // The all-zero instruction is defined to be illegal (unprivileged spec §1.5).
    bool trapped = catch_trap([] { asm volatile(".4byte 0"); }, &trap);
    KASSERT(trapped);
    KEXPECT_EQ(trap.scause, static_cast<u64>(Exception::IllegalInstruction));
}

KTEST(trap_load_page_fault_recovers)
{
    // The kernel runs with the MMU on and nothing mapped at virtual address
    // 8, so a load there is a page fault, reported with the address in stval.
    CaughtTrap trap;
    volatile u64 sink = 0;
    bool trapped = catch_trap([&] { sink = *reinterpret_cast<volatile u64*>(uptr(8)); }, &trap);
    KASSERT(trapped);
    KEXPECT_EQ(trap.scause, static_cast<u64>(Exception::LoadPageFault));
    KEXPECT_EQ(trap.stval, 8u);
}

KTEST(trap_load_access_fault_recovers)
{
    // Physical address 8 is mapped (the direct map covers physical 0 up),
    // but nothing is there on QEMU virt: the access itself faults (PMA).
    CaughtTrap trap;
    volatile u64 sink = 0;
    auto address = phys_to_virt(8);
    bool trapped = catch_trap([&] { sink = *reinterpret_cast<volatile u64*>(address); }, &trap);
    KASSERT(trapped);
    KEXPECT_EQ(trap.scause, static_cast<u64>(Exception::LoadAccessFault));
    KEXPECT_EQ(trap.stval, address);
}

KTEST(trap_no_trap_returns_false)
{
    volatile int ran = 0;
    KEXPECT(!catch_trap([&] { ran = 1; }));
    KEXPECT_EQ(ran, 1);
}

KTEST(trap_callee_saved_registers_survive_recovery)
{
    // Values live across the trapping call must be intact afterwards.
    volatile u64 before = 0x1234'5678'9abc'def0ull;
    double f = 2.5;
    asm volatile("" : "+f"(f));
    bool trapped = catch_trap([] { asm volatile("ebreak" ::: "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "fs0", "fs1"); });
    KEXPECT(trapped);
    KEXPECT_EQ(before, 0x1234'5678'9abc'def0ull);
    KEXPECT(f == 2.5);
}

KTEST(timer_rdtime_advances)
{
    u64 start = read_time();
    u64 now = start;
    for (u64 i = 0; i < 100'000'000 && now == start; ++i)
        now = read_time();
    KEXPECT_GT(now, start);
}

KTEST(timer_interrupt_delivered)
{
    auto& hart = current_hart();
    u64 before = hart.timer_interrupts;
    // 1 ms from now, in timebase ticks.
    u64 ticks = g_platform.timebase_frequency / 1000;
    KASSERT(ticks > 0);
    set_csr_bits<Csr::Sie>(Interrupt::STIE);
    auto result = sbi::set_timer(read_time() + ticks);
    KASSERT_EQ(result.error, 0);
    u64 deadline = read_time() + g_platform.timebase_frequency; // 1 s
    // Check and sleep with SIE = 0, then take the interrupt by opening SIE
    // for a moment: wfi wakes for a pending enabled interrupt whatever SIE
    // says (privileged spec §3.3.3). With SIE = 1 around the check, an
    // interrupt taken between the check and the wfi left it asleep for good.
    while (hart.timer_interrupts == before && read_time() < deadline) {
        wait_for_interrupt();
        enable_interrupts();
        disable_interrupts();
    }
    clear_csr_bits<Csr::Sie>(Interrupt::STIE);
    KEXPECT_EQ(hart.timer_interrupts, before + 1);
}

// Deliberately traps: `ktest=ktest_selftest_unexpected_trap` checks that a
// trap nobody expected fails the test (with its cause) instead of the kernel.
KTEST_MANUAL(ktest_selftest_unexpected_trap)
{
    asm volatile("ebreak");
}
