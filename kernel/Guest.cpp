// Guests in U-mode (kernel/Guest.h). Section numbers refer to the privileged
// spec 1.12 (20211203), Volume II.

#include <arch/riscv64/Csr.h>
#include <arch/riscv64/Sbi.h>
#include <kernel/Console.h>
#include <kernel/Guest.h>
#include <kernel/Trap.h>
#include <kernel/mm/GuestSpace.h>

namespace k23::kernel {

using namespace riscv64;

namespace {

// sstatus for the sret into the guest (§4.1.1, Figure 4.2):
// - SPP = 0: sret returns to U-mode (§4.1.1.2, §3.3.2);
// - SPIE = 1: SIE is 1 after sret (S-level interrupts are enabled in U-mode
//   anyway, §4.1.3, but SPIE is what the next trap copies back);
// - SUM = 0, MXR = 0: nothing the guest does depends on them, and the kernel
//   must not keep SUM on (§4.1.1.2);
// - FS = Clean (2): k23_enter_user just loaded the guest's FP registers, so
//   the trap vector saves them only if the guest makes FS Dirty (§4.1.1.5);
// - VS = Off (0): vector state is not part of the context yet, so vector
//   instructions are illegal in guests (§3.1.6.6 / §4.1.1.5).
constexpr u64 FS_CLEAN = 2;

u64 guest_sstatus(u64 kernel_sstatus) noexcept
{
    u64 value = kernel_sstatus;
    value &= ~(Sstatus::SPP | Sstatus::SIE | Sstatus::SUM | Sstatus::MXR | Sstatus::FS_MASK | Sstatus::VS_MASK);
    value |= Sstatus::SPIE | (FS_CLEAN << Sstatus::FS_SHIFT);
    return value;
}

} // namespace

Result<void> Guest::create() noexcept
{
    TRY(m_address_space.create());
    reset(0, 0);
    return {};
}

Result<void> Guest::create(GuestSpace& space) noexcept
{
    VERIFY(space.is_created() && !m_address_space.is_created());
    m_space = &space;
    reset(0, 0);
    return {};
}

UserAddressSpace& Guest::address_space() noexcept { return m_space != nullptr ? m_space->address_space() : m_address_space; }

void Guest::reset(u64 entry_pc, u64 stack_pointer) noexcept
{
    m_context = UserContext {};
    m_context.sepc = entry_pc;
    m_context.sp() = stack_pointer;
}

GuestExit Guest::run_raw(RawSystemCallHandler handler, void* cookie, u64 time_limit) noexcept
{
    GuestExit exit;
    exit.kind = GuestExit::Kind::Stopped;
    u64 kernel_sstatus = read_csr<Csr::Sstatus>();
    // From the sscratch write in k23_enter_user on, a trap is taken for the
    // guest's: no interrupts in the kernel while we set up.
    disable_interrupts();
    if (m_space == nullptr)
        m_address_space.activate();
    u64 deadline = 0;
    u64 kernel_sie = 0;
    if (time_limit != 0) {
        // sie.STIE (§4.1.3) and the SBI timer (SBI spec §6.1) for the deadline.
        deadline = read_time() + time_limit;
        kernel_sie = set_csr_bits<Csr::Sie>(Interrupt::STIE);
        (void)sbi::set_timer(deadline);
    }
    for (;;) {
        m_context.sstatus = guest_sstatus(read_csr<Csr::Sstatus>());
        // A split space: the guest root for U-mode, the kernel view (where
        // the engine's private objects are) for everything after the trap.
        if (m_space != nullptr)
            m_space->activate_guest_view();
        k23_enter_user(&m_context);
        if (m_space != nullptr)
            m_space->activate_kernel_view();
        // The guest ran with VS = Off; the kernel's vector unit comes back.
        set_csr_bits<Csr::Sstatus>(kernel_sstatus & Sstatus::VS_MASK);

        u64 scause = m_context.scause;
        if (scause & SCAUSE_INTERRUPT) {
            handle_user_interrupt(scause);
            ++exit.interrupts;
            if (time_limit != 0 && read_time() >= deadline) {
                exit.kind = GuestExit::Kind::Killed;
                exit.sepc = m_context.sepc;
                kprintln("guest killed: time limit at pc {:#x}"_sv, m_context.sepc);
                break;
            }
            if (time_limit != 0) // the handler pushed the timer away; re-arm
                (void)sbi::set_timer(deadline);
            continue;
        }
        if (scause == static_cast<u64>(Exception::EnvironmentCallFromUMode)) {
            // §4.1.7: sepc points at the ecall itself; resume after it (ecall
            // has no compressed form, it is always 4 bytes).
            m_context.sepc += 4;
            ++exit.system_calls;
            if (handler(*this, cookie, exit) == SystemCallAction::Resume)
                continue;
            break;
        }
        bool page_fault = scause == static_cast<u64>(Exception::LoadPageFault) || scause == static_cast<u64>(Exception::StorePageFault);
        if (page_fault && m_space != nullptr && m_space->commit_on_fault(m_context.stval)) {
            ++exit.pages_committed;
            continue;
        }
        exit.kind = GuestExit::Kind::Faulted;
        exit.scause = scause;
        exit.sepc = m_context.sepc;
        exit.stval = m_context.stval;
        break;
    }
    if (time_limit != 0) {
        (void)sbi::set_timer(~0ull);
        if ((kernel_sie & Interrupt::STIE) == 0)
            clear_csr_bits<Csr::Sie>(Interrupt::STIE);
    }
    if (kernel_sstatus & Sstatus::SIE)
        enable_interrupts();
    return exit;
}

namespace {

struct NumberedCalls {
    SystemCallHandler handler;
    void* cookie;
};

// run()'s system calls: exit ends the run, the rest go to the handler.
SystemCallAction numbered_call(Guest& guest, void* cookie, GuestExit& exit) noexcept
{
    auto const& calls = *static_cast<NumberedCalls const*>(cookie);
    auto& context = guest.context();
    SystemCall call;
    call.number = context.a7();
    for (u32 i = 0; i < 6; ++i)
        call.args[i] = context.a(i);
    if (call.number == system_call_exit) {
        exit.kind = GuestExit::Kind::Exited;
        exit.status = call.args[0];
        return SystemCallAction::Stop;
    }
    i64 result = calls.handler != nullptr ? calls.handler(guest, call, calls.cookie) : static_cast<i64>(GuestErrno::NoSystemCall);
    context.a(0) = static_cast<u64>(result);
    return SystemCallAction::Resume;
}

} // namespace

GuestExit Guest::run(SystemCallHandler handler, void* cookie, u64 time_limit) noexcept
{
    NumberedCalls calls { handler, cookie };
    GuestExit exit = run_raw(&numbered_call, &calls, time_limit);
    if (exit.faulted())
        kprintln("guest fault: {} at pc {:#x} (stval {:#x})"_sv, scause_name(exit.scause), exit.sepc, exit.stval);
    return exit;
}

} // namespace k23::kernel
