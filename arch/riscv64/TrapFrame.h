#pragma once

#include <arch/riscv64/TrapFrameLayout.h>
#include <base/Integers.h>

namespace k23::riscv64 {

// What the trap vector (arch/riscv64/trap.S) saves on the stack: every
// integer register (x[0] is unused, x[2] holds the interrupted sp), the trap
// CSRs, and the floating-point state, because kernel code compiled for rv64gc
// may use FP registers anywhere and a trap must not corrupt them. Vector
// registers are not saved: kernel code never uses V outside code that runs
// with interrupts off and without faulting.
struct TrapFrame {
    u64 x[32];
    u64 sepc;
    u64 sstatus;
    u64 scause;
    u64 stval;
    u64 f[32];
    u64 fcsr;
    u64 padding; // keeps the frame a multiple of 16 bytes (psABI stack alignment)

    u64& ra() noexcept { return x[1]; }
    u64& sp() noexcept { return x[2]; }
    u64& a0() noexcept { return x[10]; }
};

static_assert(__builtin_offsetof(TrapFrame, x) == K23_TRAP_FRAME_X(0));
static_assert(__builtin_offsetof(TrapFrame, sepc) == K23_TRAP_FRAME_SEPC);
static_assert(__builtin_offsetof(TrapFrame, sstatus) == K23_TRAP_FRAME_SSTATUS);
static_assert(__builtin_offsetof(TrapFrame, scause) == K23_TRAP_FRAME_SCAUSE);
static_assert(__builtin_offsetof(TrapFrame, stval) == K23_TRAP_FRAME_STVAL);
static_assert(__builtin_offsetof(TrapFrame, f) == K23_TRAP_FRAME_F(0));
static_assert(__builtin_offsetof(TrapFrame, fcsr) == K23_TRAP_FRAME_FCSR);
static_assert(sizeof(TrapFrame) == K23_TRAP_FRAME_SIZE);
static_assert(sizeof(TrapFrame) % 16 == 0);

// Where a trap taken inside k23_catch_trap resumes: the callee-saved
// registers at the call, like a jmp_buf. The trap handler fills in `scause`,
// `sepc` and `stval`, points sepc at k23_trap_recover and a0 at this record.
struct TrapRecoveryPoint {
    u64 ra;
    u64 sp;
    u64 s[12];
    u64 fs[12];
    // Not touched by assembly:
    u64 scause;
    u64 sepc;
    u64 stval;
    TrapRecoveryPoint* previous; // recovery points nest (test runner, then a test)
};

static_assert(__builtin_offsetof(TrapRecoveryPoint, ra) == K23_RECOVERY_RA);
static_assert(__builtin_offsetof(TrapRecoveryPoint, sp) == K23_RECOVERY_SP);
static_assert(__builtin_offsetof(TrapRecoveryPoint, s) == K23_RECOVERY_S(0));
static_assert(__builtin_offsetof(TrapRecoveryPoint, fs) == K23_RECOVERY_FS(0));
static_assert(__builtin_offsetof(TrapRecoveryPoint, scause) == K23_RECOVERY_SIZE);

} // namespace k23::riscv64

extern "C" {
// The trap vector (direct mode; stvec points here).
void k23_trap_vector() noexcept;
// Implemented by the kernel: called by the trap vector with the saved state.
// May modify the frame (sepc, registers); the vector restores from it.
void k23_handle_trap(k23::riscv64::TrapFrame* frame) noexcept;
// Saves the callee-saved state into `point`, calls fn(context) and returns 0.
// If a trap is redirected to k23_trap_recover(point) meanwhile, or someone
// calls k23_trap_recover(point) directly, returns 1 from here instead.
int k23_catch_trap(k23::riscv64::TrapRecoveryPoint* point, void (*fn)(void*), void* context) noexcept;
[[noreturn]] void k23_trap_recover(k23::riscv64::TrapRecoveryPoint* point) noexcept;
}
