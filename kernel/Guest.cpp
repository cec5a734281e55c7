// Guests in U-mode (kernel/Guest.h). Section numbers refer to the privileged
// spec 1.12 (20211203), Volume II.

#include <arch/riscv64/Csr.h>
#include <arch/riscv64/Sbi.h>
#include <base/Memory.h>
#include <kernel/Boot.h>
#include <kernel/Console.h>
#include <kernel/DeviceTree.h>
#include <kernel/Guest.h>
#include <kernel/Scheduler.h>
#include <kernel/Timer.h>
#include <kernel/Trap.h>
#include <kernel/heap/Mimalloc.h>
#include <kernel/mm/GuestSpace.h>

extern "C" void k23_call_on_stack(void (*function)(void*) noexcept, void* argument, k23::u64 stack_top) noexcept;

namespace k23::kernel {

using namespace riscv64;

namespace {

// sstatus for the sret into the guest (§4.1.1, Figure 4.2):
// - SPP = 0: sret returns to U-mode (§4.1.1.2, §3.3.2);
// - SPIE = 1: SIE is 1 after sret (S-level interrupts are enabled in U-mode
//   anyway, §4.1.3, but SPIE is what the next trap copies back);
// - SUM = 0, MXR = 0: nothing the guest does depends on them, and the kernel
//   must not keep SUM on (§4.1.1.2);
// - FS = Clean (2): the hart holds the guest's FP registers (k23_enter_user
//   just loaded them, or nothing touched them since the last trap), so the
//   trap vector saves them only if the guest makes FS Dirty (§4.1.1.5);
// - VS: Off (0) until the guest's first vector instruction, then Clean (2):
//   the run loop just loaded (or kept) its vector registers, and saves them
//   after a trap only if the guest made VS Dirty (§4.1.1.5).
constexpr u64 FS_CLEAN = 2;
constexpr u64 VS_CLEAN = 2ull << Sstatus::VS_SHIFT;
constexpr u64 VS_DIRTY = 3ull << Sstatus::VS_SHIFT;

u64 guest_sstatus(u64 kernel_sstatus, u64 vs) noexcept
{
    u64 value = kernel_sstatus;
    value &= ~(Sstatus::SPP | Sstatus::SIE | Sstatus::SUM | Sstatus::MXR | Sstatus::FS_MASK | Sstatus::VS_MASK);
    value |= Sstatus::SPIE | (FS_CLEAN << Sstatus::FS_SHIFT) | vs;
    return value;
}

// Vector ids: HartLocal::vector_owner values, never reused (so an owner
// left behind by a destroyed guest matches nobody). FP ids likewise.
u64 s_next_vector_id = 0;
u64 s_next_fp_id = 0;

// k23_enter_user (arch/riscv64/UserContext.h) called with every register it
// does not preserve declared clobbered: the caller-saved integer registers
// and all FP registers, fs0-fs11 included — the guest's stay in the hart
// after its trap (lazy FP), so whichever of the kernel's are live here the
// compiler keeps itself (none, in the run loop). Vector registers are not
// the compiler's (rv64gc) and are the run loop's business.
void enter_user(UserContext* context, bool load_fp) noexcept
{
    register u64 a0 asm("a0") = reinterpret_cast<u64>(context);
    register u64 a1 asm("a1") = load_fp ? 1 : 0;
    asm volatile("call k23_enter_user"
                 : "+r"(a0), "+r"(a1)
                 :
                 : "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a2", "a3", "a4", "a5", "a6", "a7",
                 "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "ft8", "ft9", "ft10", "ft11",
                 "fa0", "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7",
                 "fs0", "fs1", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "memory");
}

} // namespace

CpuFeatures guest_cpu_features() noexcept
{
    // Parsed once: every guest's engine asks (guest creation's cost).
    static CpuFeatures s_boot_hart_features;
    static bool s_parsed = false;
    if (!s_parsed) {
        auto parsed = CpuFeatures::parse_isa_string(g_platform.boot_hart_isa);
        s_boot_hart_features = parsed.is_error() ? CpuFeatures::rv64gc() : parsed.value();
        s_parsed = true;
    }
    CpuFeatures features = s_boot_hart_features;
    bool has_vector = g_platform.isa_has('v') && (read_csr<Csr::Sstatus>() & Sstatus::VS_MASK) != 0;
    return has_vector ? features.with(Extension::V) : features.without(Extension::V);
}

Result<void> Guest::create_kernel_stack() noexcept
{
    if (m_kernel_stack.size != 0)
        return {};
    m_kernel_stack = TRY(kernel_stack_allocate(guest_kernel_stack_size));
    u64 at = (m_kernel_stack.top() - sizeof(UserContext)) & ~u64(15);
    m_context = construct_at(reinterpret_cast<UserContext*>(at));
    m_fp_id = __atomic_add_fetch(&s_next_fp_id, 1, __ATOMIC_RELAXED);
    return {};
}

Result<void> Guest::create() noexcept
{
    TRY(create_kernel_stack());
    if (auto result = m_address_space.create(); result.is_error()) {
        destroy();
        return result;
    }
    reset(0, 0);
    return {};
}

Result<void> Guest::create(GuestSpace& space) noexcept
{
    VERIFY(space.is_created() && !m_address_space.is_created());
    TRY(create_kernel_stack());
    m_space = &space;
    reset(0, 0);
    return {};
}

void Guest::destroy() noexcept
{
    m_address_space.destroy();
    m_space = nullptr;
    release_vector_state();
    m_context = &m_unattached;
    kernel_stack_release(m_kernel_stack);
}

UserAddressSpace& Guest::address_space() noexcept { return m_space != nullptr ? m_space->address_space() : m_address_space; }

void Guest::reset(u64 entry_pc, u64 stack_pointer) noexcept
{
    *m_context = UserContext {};
    // Vector registers are zeroed on the next grant; the area is kept.
    m_vector_on = false;
    m_vector_id = 0;
    m_vector_hart = nullptr;
    m_fp_hart = nullptr; // its zeroed FP registers are loaded on the next entry
    m_context->sepc = entry_pc;
    m_context->sp() = stack_pointer;
}

// The guest's first vector instruction (VS = Off made it illegal): a
// zeroed VectorState, loaded on the next entry. Needs the kernel's VS on.
bool Guest::grant_vector_unit() noexcept
{
    u64 vlenb = read_csr<Csr::Vlenb>();
    if (m_vector != nullptr && m_vector_vlenb != vlenb)
        release_vector_state();
    if (m_vector == nullptr) {
        m_vector = static_cast<VectorState*>(mi_malloc_aligned(VectorState::size_for(vlenb), 16));
        if (m_vector == nullptr)
            return false;
        m_vector_vlenb = vlenb;
    }
    fill_bytes(m_vector, 0, VectorState::size_for(vlenb));
    m_vector->vtype = VectorState::vtype_vill;
    m_vector_on = true;
    m_vector_id = __atomic_add_fetch(&s_next_vector_id, 1, __ATOMIC_RELAXED); // harts may grant at once
    m_vector_hart = nullptr;
    return true;
}

void Guest::release_vector_state() noexcept
{
    if (m_vector != nullptr)
        mi_free(m_vector);
    m_vector = nullptr;
    m_vector_vlenb = 0;
    m_vector_on = false;
    m_vector_id = 0;
    m_vector_hart = nullptr;
}

struct Guest::RunArguments {
    Guest* guest;
    RawSystemCallHandler handler;
    void* cookie;
    u64 time_limit;
    GuestExit exit;
};

void Guest::run_on_kernel_stack(void* arguments) noexcept
{
    auto& run = *static_cast<RunArguments*>(arguments);
    run.exit = run.guest->run_here(run.handler, run.cookie, run.time_limit);
}

GuestExit Guest::run_raw(RawSystemCallHandler handler, void* cookie, u64 time_limit) noexcept
{
    u64 sp = 0;
    asm volatile("mv %0, sp" : "=r"(sp));
    bool on_own_stack = sp >= m_kernel_stack.base && sp < m_kernel_stack.top();
    if (m_kernel_stack.size == 0 || on_own_stack)
        return run_here(handler, cookie, time_limit);
    // Everything below the context at the stack's top is the run's. On the
    // caller's stack, below this frame, k23_call_on_stack's 16 bytes; the
    // rest is free until the run returns.
    RunArguments arguments { this, handler, cookie, time_limit, {} };
    u64 outer = m_caller_stack_top;
    m_caller_stack_top = (sp - 16 - 64) & ~u64(15);
    k23_call_on_stack(&run_on_kernel_stack, &arguments, reinterpret_cast<u64>(m_context) & ~u64(15));
    m_caller_stack_top = outer;
    return arguments.exit;
}

GuestExit Guest::run_here(RawSystemCallHandler handler, void* cookie, u64 time_limit) noexcept
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
    // On a scheduled thread (kernel/Scheduler.h) the timer is the
    // scheduler's: it is armed for the thread's slice, and a time limit is
    // checked at each of its interrupts.
    Thread* thread = Scheduler::current();
    if (time_limit != 0) {
        // sie.STIE (§4.1.3) and the timer (kernel/Timer.h) for the deadline.
        deadline = read_time() + time_limit;
        kernel_sie = set_csr_bits<Csr::Sie>(Interrupt::STIE);
        if (thread == nullptr)
            timer_set(deadline);
    }
    // The kernel turned the vector unit on for this hart iff it has V
    // (enable_vector_unit_for): only then can a guest have it.
    bool hart_has_vector = (kernel_sstatus & Sstatus::VS_MASK) != 0;
    auto& hart = current_hart();
    boot_note_first_guest_entry(); // once per boot, outside the loop
    for (;;) {
        u64 sstatus = read_csr<Csr::Sstatus>();
        // VS Dirty in the kernel: something wrote the v registers since the
        // last trap left them Clean, so they are nobody's now. Checked on
        // every entry, a guest's without V too: its trap sets VS Clean
        // again, which would hide the kernel's write from the owner.
        if ((sstatus & Sstatus::VS_MASK) == VS_DIRTY)
            hart.vector_owner = 0;
        // (A guest given the unit on another hart, on one without V: VS
        // stays Off and its next vector instruction is its fault.)
        u64 vs = 0;
        if (m_vector_on && hart_has_vector) {
            if (hart.vector_owner != m_vector_id || m_vector_hart != &hart) {
                k23_vector_restore(m_vector);
                hart.vector_owner = m_vector_id;
                m_vector_hart = &hart;
            }
            vs = VS_CLEAN;
        }
        m_context->sstatus = guest_sstatus(sstatus, vs);
        // Lazy FP (§4.1.1.5): the hart's f registers and fcsr are still this
        // guest's if it was the last to load them here and nothing wrote
        // one since its last trap left FS Clean.
        bool fp_in_hart = (sstatus & Sstatus::FS_MASK) == (FS_CLEAN << Sstatus::FS_SHIFT) && hart.fp_owner == m_fp_id
            && m_fp_hart == &hart;
        if (!fp_in_hart) {
            hart.fp_owner = m_fp_id;
            m_fp_hart = &hart;
        }
        // A split space: the guest root for U-mode, the kernel view (where
        // the engine's private objects are) for everything after the trap.
        if (m_space != nullptr)
            m_space->activate_guest_view();
        enter_user(m_context, !fp_in_hart);
        if (m_space != nullptr)
            m_space->activate_kernel_view();
        // The guest's vector state, if it wrote any (VS Dirty, §4.1.1.5):
        // sstatus still has the guest's VS, so the unit is on for the save.
        // Then the kernel's vector unit is Clean: the registers hold
        // hart.vector_owner's state (or nobody's, if 0) until a vector
        // write in the kernel makes it Dirty. (Dirty 3 -> Clean 2: clear
        // the low bit; Off 0 -> Clean: set the high one.)
        u64 guest_vs = m_context->sstatus & Sstatus::VS_MASK;
        if (guest_vs == VS_DIRTY) {
            k23_vector_save(m_vector);
            clear_csr_bits<Csr::Sstatus>(VS_DIRTY ^ VS_CLEAN);
        } else if (guest_vs == 0 && hart_has_vector) {
            set_csr_bits<Csr::Sstatus>(VS_CLEAN);
        }

        u64 scause = m_context->scause;
        if (scause & SCAUSE_INTERRUPT) {
            handle_user_interrupt(scause);
            ++exit.interrupts;
            if (time_limit != 0 && read_time() >= deadline) {
                exit.kind = GuestExit::Kind::Killed;
                exit.sepc = m_context->sepc;
                kprintln("guest killed: time limit at pc {:#x}"_sv, m_context->sepc);
                break;
            }
            // Preemption: the next thread's turn when the slice is over; a
            // thread past its budget or deadline is killed (its owner says so).
            if (thread != nullptr) {
                if (Scheduler::preempt_from_user() == Preemption::Resume)
                    continue;
                exit.kind = GuestExit::Kind::Killed;
                exit.sepc = m_context->sepc;
                break;
            }
            if (time_limit != 0) // the handler pushed the timer away; re-arm
                timer_set(deadline);
            continue;
        }
        if (scause == static_cast<u64>(Exception::EnvironmentCallFromUMode)) {
            // §4.1.7: sepc points at the ecall itself; resume after it (ecall
            // has no compressed form, it is always 4 bytes).
            m_context->sepc += 4;
            ++exit.system_calls;
            if (handler(*this, cookie, exit) == SystemCallAction::Resume)
                continue;
            break;
        }
        // VS = Off made the guest's first vector instruction illegal: give
        // it the vector unit and retry. An illegal instruction with the
        // unit on (or on a hart without V) is the guest's fault.
        if (scause == static_cast<u64>(Exception::IllegalInstruction) && !m_vector_on && hart_has_vector && grant_vector_unit())
            continue;
        bool page_fault = scause == static_cast<u64>(Exception::LoadPageFault) || scause == static_cast<u64>(Exception::StorePageFault);
        if (page_fault && m_space != nullptr && m_space->commit_on_fault(m_context->stval)) {
            ++exit.pages_committed;
            continue;
        }
        exit.kind = GuestExit::Kind::Faulted;
        exit.scause = scause;
        exit.sepc = m_context->sepc;
        exit.stval = m_context->stval;
        break;
    }
    if (time_limit != 0) {
        if (thread == nullptr)
            timer_set(timer_never);
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
    const auto& calls = *static_cast<const NumberedCalls*>(cookie);
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
