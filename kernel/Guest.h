#pragma once

// Guests: code running in U-mode in its own address space. What exists so
// far is the machinery (no WebAssembly runs in a guest yet): an address
// space (kernel/mm/UserAddressSpace.h), a register context
// (arch/riscv64/UserContext.h), the run loop that enters U-mode and decides
// what each trap means, system calls by number, and checked copies between
// guest and kernel memory (kernel/UserCopy.h).
//
// The run loop, after each return from U-mode (scause, privileged spec 1.12
// §4.1.8, Table 4.2):
// - 8, environment call from U-mode: a system call. a7 is the number,
//   a0..a5 the arguments, the result goes to a0 and sepc moves past the
//   4-byte ecall. Number 0 is exit(a0) and ends the run; others go to the
//   handler given to run(); without a handler, -ENOSYS.
// - an interrupt (the timer): handled like one taken in the kernel; the
//   guest resumes where it was. On a kernel thread (kernel/Scheduler.h)
//   it is the scheduler's tick: another thread may run first (the guest
//   resumes when its turn comes again), and a thread past its budget or
//   deadline is killed: the run ends with Kind::Killed, no line printed
//   (the thread's owner says why).
// - 2, illegal instruction, while the guest's VS is Off on a hart with V:
//   taken as its first vector instruction (below); the guest retries it.
// - any other exception: a fault of this guest. One line
//   `guest fault: <scause name> at pc 0x… (stval 0x…)` and the run ends.
//   Nothing a guest does panics the kernel.
// - with a time limit: the timer is armed for the deadline (on a thread:
//   checked at each of the scheduler's ticks instead), and a guest
//   still running at it (a runaway loop) is killed with one line
//   `guest killed: time limit at pc 0x…`.
//
// In a GuestSpace, a page fault inside a linear memory's accessible size
// is a first touch: the page is committed and the guest retries
// (kernel/mm/GuestSpace.h); every other fault ends the run.
//
// A guest either owns a plain address space (create()) or runs in a split
// one it is given (create(GuestSpace&), kernel/mm/GuestSpace.h): then run()
// activates the guest root right before each entry into U-mode and the
// kernel-view root right after each trap from U-mode, before the system-call
// handler (or anything else) runs, and returns with the kernel view active.
//
// Each guest starts with every register zero except pc and sp, FP and
// vector registers included: no guest ever sees another's (or the kernel's)
// registers. sstatus.FS and sstatus.VS (privileged spec 1.12 §4.1.1.5,
// §3.1.6.6) drive both:
// - FP: the f registers and fcsr are part of the context, saved after a trap
//   only when FS is Dirty. They stay in the hart after the trap (the trap
//   vector leaves FS Clean, arch/riscv64/UserContext.h), and the next entry
//   reloads them only if something may have changed them: FS Dirty (the
//   kernel wrote an FP register or fcsr), or another guest loaded its own on
//   this hart since (HartLocal::fp_owner), or the guest last ran elsewhere.
// - Vector: a guest starts with VS = Off, so its first vector instruction is
//   an illegal-instruction trap. On a hart with V the run loop then gives the
//   guest the vector unit: a per-guest VectorState (arch/riscv64/
//   VectorState.h, v0..v31 sized from vlenb, vl, vtype, vstart, vcsr) is
//   allocated and zeroed (vtype = vill, vl = 0), loaded, and the instruction
//   retried with VS = Clean; an illegal instruction with the unit already on
//   is a fault like any other. After each trap the state is saved only when
//   VS is Dirty. HartLocal::vector_owner says whose state is in the hart's v
//   registers, so a guest that returns to a hart where nothing touched them
//   (the kernel left VS Clean after the last trap; any vector write in the
//   kernel would make it Dirty) skips the reload. On a hart without V,
//   vector instructions stay illegal-instruction faults of the guest.

#include <arch/riscv64/UserContext.h>
#include <arch/riscv64/VectorState.h>
#include <arch/riscv64/asm/CpuFeatures.h>
#include <base/Result.h>
#include <base/Integers.h>
#include <kernel/Platform.h>
#include <kernel/mm/UserAddressSpace.h>

namespace k23::kernel {

class GuestSpace;

// A guest's own kernel stack (kernel/Guest.h): system calls reach WASI,
// the engine's helpers and the file system from it.
inline constexpr usize guest_kernel_stack_size = 32 * 1024;

// Negative errno values returned in a0 (Linux/WASI style numbers).
enum class GuestErrno : i64 {
    Fault = -14,          // EFAULT: a pointer outside the guest's memory
    InvalidArgument = -22, // EINVAL
    NoSystemCall = -38,   // ENOSYS
};

inline constexpr u64 system_call_exit = 0;

struct SystemCall {
    u64 number { 0 };
    u64 args[6] {};
};

// What code compiled for guests may use: the boot hart's ISA from the
// device tree ("riscv,isa", and V from "riscv,isa-extensions" too), without
// V when the kernel has not turned the vector unit on (no V on this hart).
// With V, guests get the vector unit on first use (above), so SIMD compiles
// to RVV at the hart's VLEN; without it, to the scalar path.
[[nodiscard]] riscv64::CpuFeatures guest_cpu_features() noexcept;

class Guest;
// Returns the value for a0.
using SystemCallHandler = i64 (*)(Guest&, const SystemCall&, void* cookie) noexcept;

struct GuestExit;
// What run_raw()'s handler decides after a system call.
enum class SystemCallAction : u8 {
    Resume, // continue the guest after its ecall
    Stop,   // end the run (the handler may set exit.kind/status; else Stopped)
};
// The number is in a7, the arguments in a0..; sepc is already past the
// ecall; the handler reads and writes the guest's registers itself.
using RawSystemCallHandler = SystemCallAction (*)(Guest&, void* cookie, GuestExit& exit) noexcept;


struct GuestExit {
    enum class Kind : u8 {
        Exited,  // exit system call; `status` is its argument
        Faulted, // an exception; scause/sepc/stval say which
        Killed,  // ran past its time limit; sepc is where it was
        Stopped, // run_raw()'s handler ended the run
    };
    Kind kind { Kind::Exited };
    u64 status { 0 };
    u64 scause { 0 };
    u64 sepc { 0 };
    u64 stval { 0 };
    u64 system_calls { 0 }; // handled during this run
    u64 interrupts { 0 };   // taken while the guest ran
    u64 pages_committed { 0 }; // linear memory pages mapped on first touch

    [[nodiscard]] bool exited() const noexcept { return kind == Kind::Exited; }
    [[nodiscard]] bool faulted() const noexcept { return kind == Kind::Faulted; }
    [[nodiscard]] bool killed() const noexcept { return kind == Kind::Killed; }
};

class Guest {
public:
    Guest() noexcept = default;
    ~Guest() noexcept { destroy(); }
    Guest(const Guest&) = delete;
    Guest& operator=(const Guest&) = delete;

    [[nodiscard]] Result<void> create() noexcept;
    // Runs in `space` (created, and outliving this guest's runs): the guest
    // root while in U-mode, the kernel view from each trap on.
    [[nodiscard]] Result<void> create(GuestSpace& space) noexcept;
    // Releases the own address space (every frame it took); a GuestSpace
    // stays its owner's.
    void destroy() noexcept;

    // Zeroes every register (the vector unit is off again until the guest's
    // next vector instruction), then sets pc and sp.
    void reset(u64 entry_pc, u64 stack_pointer) noexcept;
    // Runs until exit, fault or, with `time_limit` (timebase ticks, 0 = none),
    // until the limit passes. Activates this guest's address space.
    GuestExit run(SystemCallHandler handler = nullptr, void* cookie = nullptr, u64 time_limit = 0) noexcept;
    // The same loop with every system call given to `handler` (which
    // decides whether the run goes on), and no line printed for a fault:
    // the caller reports it (kernel/WasmGuest.h turns most into traps).
    GuestExit run_raw(RawSystemCallHandler handler, void* cookie, u64 time_limit = 0) noexcept;

    // The address space the guest runs in (its GuestSpace's, if it has one).
    [[nodiscard]] UserAddressSpace& address_space() noexcept;
    [[nodiscard]] GuestSpace* space() noexcept { return m_space; }
    [[nodiscard]] riscv64::UserContext& context() noexcept { return *m_context; }
    // The guest's vector state as of its last trap: nullptr until it has
    // used V (and on a hart without V).
    [[nodiscard]] const riscv64::VectorState* vector_state() const noexcept { return m_vector_on ? m_vector : nullptr; }

    // The guest's own kernel stack (guest_kernel_stack_size, a guard page
    // below): its UserContext sits at the top, and run()/run_raw() do all
    // their work for the guest — trap entry, system calls, faults — below
    // it, never on the caller's stack.
    [[nodiscard]] const KernelStack& kernel_stack() const noexcept { return m_kernel_stack; }
    // While run()/run_raw() works on the guest's kernel stack: the top of
    // what is free on the stack it was called from (below the frames of the
    // call), for kernel work that wants more room than the guest's stack
    // has left (kernel/DeferredTierUp.h). 0 outside a run.
    [[nodiscard]] u64 caller_stack_top() const noexcept { return m_caller_stack_top; }

private:
    struct RunArguments;
    static void run_on_kernel_stack(void* arguments) noexcept;
    GuestExit run_here(RawSystemCallHandler handler, void* cookie, u64 time_limit) noexcept;
    [[nodiscard]] Result<void> create_kernel_stack() noexcept;
    bool grant_vector_unit() noexcept;
    void release_vector_state() noexcept;

    UserAddressSpace m_address_space;
    GuestSpace* m_space { nullptr };
    KernelStack m_kernel_stack;
    u64 m_caller_stack_top { 0 };
    riscv64::UserContext m_unattached {}; // the context before create() and after destroy()
    riscv64::UserContext* m_context { &m_unattached };
    riscv64::VectorState* m_vector { nullptr }; // kernel heap, VectorState::size_for(m_vector_vlenb)
    u64 m_vector_vlenb { 0 };
    u64 m_vector_id { 0 };          // HartLocal::vector_owner when loaded; new on each grant
    const void* m_vector_hart { nullptr }; // the HartLocal whose registers it was last loaded into
    u64 m_fp_id { 0 };              // HartLocal::fp_owner when its FP registers are loaded; new on each create
    const void* m_fp_hart { nullptr }; // the HartLocal its FP registers were last loaded into (nullptr: reload)
    bool m_vector_on { false };     // VS != Off for this guest
};

} // namespace k23::kernel
