#include <arch/riscv64/Csr.h>
#include <arch/riscv64/Sbi.h>
#include <kernel/Panic.h>
#include <kernel/Timer.h>
#include <kernel/Trap.h>
#include <kernel/mm/GuestSpace.h>
#include <kernel/mm/UserAddressSpace.h>

// The boot hart's HartLocal; entry.S points tp at it. (C linkage so the
// assembly can name it.)
extern "C" k23::kernel::HartLocal k23_boot_hart_local;
k23::kernel::HartLocal k23_boot_hart_local;

namespace k23::kernel {

using namespace riscv64;

void enable_interrupts() noexcept { set_csr_bits<Csr::Sstatus>(Sstatus::SIE); }
void disable_interrupts() noexcept { clear_csr_bits<Csr::Sstatus>(Sstatus::SIE); }

void unwind_to_recovery_point(u64 reason) noexcept
{
    auto& hart = current_hart();
    auto* point = hart.recovery;
    if (point == nullptr)
        panic("unwind_to_recovery_point without a recovery point"_sv);
    hart.recovery = point->previous;
    point->scause = reason;
    point->sepc = 0;
    point->stval = 0;
    k23_trap_recover(point);
}

namespace {

bool handle_known_interrupt(u64 scause) noexcept
{
    auto cause = static_cast<InterruptCause>(scause & ~SCAUSE_INTERRUPT);
    if (cause == InterruptCause::SupervisorTimer) {
        // No next event clears sip.STIP (SBI spec §6.1; Sstc: stimecmp
        // above time); whoever wants the next one arms it (kernel/Scheduler.h).
        timer_clear();
        ++current_hart().timer_interrupts;
        return true;
    }
    return false;
}

void handle_interrupt(TrapFrame& frame) noexcept
{
    if (!handle_known_interrupt(frame.scause))
        panic_with_trap_frame(frame);
}

} // namespace

bool commit_guest_page_on_fault(const TrapFrame& frame) noexcept
{
    bool page_fault = frame.scause == u64(Exception::LoadPageFault) || frame.scause == u64(Exception::StorePageFault);
    // A memory page (a U page: touched under SUM, §4.1.1.2) or a stack
    // page (the kernel view's own leaf) not committed yet. A fault the
    // commit cannot fix (SUM clear on a U page) faults again and is then
    // not a first touch any more.
    if (!page_fault || frame.stval >= user_half_end())
        return false;
    GuestSpace* space = current_guest_space();
    return space != nullptr && space->commit_on_fault(frame.stval);
}

void handle_user_interrupt(u64 scause) noexcept
{
    if (!handle_known_interrupt(scause))
        panic("unexpected interrupt in user mode: {}"_sv, scause_name(scause));
}

} // namespace k23::kernel

extern "C" void k23_handle_trap(k23::riscv64::TrapFrame* frame) noexcept
{
    using namespace k23::kernel;
    if (frame->scause & k23::riscv64::SCAUSE_INTERRUPT) {
        handle_interrupt(*frame);
        return;
    }
    // The kernel touching a guest's linear memory (sstatus.SUM set: data
    // segments, bulk-memory helpers, host functions) where no page is
    // committed yet: commit it and retry (kernel/mm/GuestSpace.h).
    if (commit_guest_page_on_fault(*frame))
        return;
    auto& hart = current_hart();
    if (auto* point = hart.recovery) {
        // Disarm before resuming, so a fault in the recovery path itself is
        // not redirected back into it forever.
        hart.recovery = point->previous;
        point->scause = frame->scause;
        point->sepc = frame->sepc;
        point->stval = frame->stval;
        frame->sepc = reinterpret_cast<u64>(&k23_trap_recover);
        frame->a0() = reinterpret_cast<u64>(point);
        return;
    }
    panic_with_trap_frame(*frame);
}
