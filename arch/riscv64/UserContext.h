#pragma once

// A guest's (U-mode) register state while the kernel runs, and the entry into
// U-mode. Section numbers refer to the RISC-V Privileged Architecture,
// version 20211203 (privileged spec 1.12), Volume II.
//
// The protocol between k23_enter_user and the trap vector (arch/riscv64/trap.S):
// - in the kernel, sscratch = 0 (§4.1.6 leaves its use to software);
// - k23_enter_user(context, load_fp) pushes the kernel's callee-saved
//   integer state on the current kernel stack, stores that sp in
//   context->kernel_sp, sets sscratch = context, loads every guest integer
//   register from the context, and the FP registers and fcsr too unless
//   load_fp is 0 (the hart still holds them: below), writes sepc and sstatus
//   (SPP = 0, so sret goes to U-mode, §4.1.1.2) and sret's;
// - a trap while in U-mode enters the vector, whose first instruction swaps
//   sp and sscratch: a non-zero sp is this context. The vector saves the
//   guest's registers (and FP state if sstatus.FS says Dirty, §4.1.1.5) into
//   it (vector state is the run loop's: kernel/Guest.cpp saves it when the
//   sstatus recorded here says VS Dirty), sets sscratch = 0, sets
//   sstatus.FS = Clean and frm = 0 (round to nearest, the kernel's; writing
//   it makes FS Dirty again), switches to context->kernel_sp, pops the
//   kernel's state and returns from k23_enter_user. scause/stval/sepc/
//   sstatus are in the context; the caller decides what the trap means.
// - Lazy FP (§4.1.1.5): the guest's f registers and fcsr stay in the hart
//   after the trap. FS Clean on the next entry means no FP register or fcsr
//   was written since, so they still hold what this context saved; the
//   caller also checks that this guest was the last to load them on this
//   hart. The kernel's own fs0-fs11 are not kept across the call: the
//   caller declares them clobbered (kernel/Guest.cpp).

#include <arch/riscv64/TrapFrameLayout.h>
#include <base/Integers.h>

namespace k23::riscv64 {

struct UserContext {
    u64 x[32];      // x[0] unused; x[2] is the guest's sp
    u64 sepc;       // where the guest resumes (entry: the pc to start at)
    u64 sstatus;    // entry: what k23_enter_user writes before sret; exit: at the trap
    u64 scause;     // exit only
    u64 stval;      // exit only
    u64 f[32];
    u64 fcsr;
    u64 kernel_sp;  // k23_enter_user's stack while the guest runs

    u64& sp() noexcept { return x[2]; }
    u64& a(u32 n) noexcept { return x[10 + n]; }
    u64& a7() noexcept { return x[17]; }
};

static_assert(__builtin_offsetof(UserContext, x) == K23_USER_X(0));
static_assert(__builtin_offsetof(UserContext, sepc) == K23_USER_SEPC);
static_assert(__builtin_offsetof(UserContext, sstatus) == K23_USER_SSTATUS);
static_assert(__builtin_offsetof(UserContext, scause) == K23_USER_SCAUSE);
static_assert(__builtin_offsetof(UserContext, stval) == K23_USER_STVAL);
static_assert(__builtin_offsetof(UserContext, f) == K23_USER_F(0));
static_assert(__builtin_offsetof(UserContext, fcsr) == K23_USER_FCSR);
static_assert(__builtin_offsetof(UserContext, kernel_sp) == K23_USER_KERNEL_SP);
static_assert(sizeof(UserContext) == K23_USER_CONTEXT_SIZE);
static_assert(K23_KSAVE_SIZE % 16 == 0 && K23_KSAVE_TP + 8 <= K23_KSAVE_SIZE);

} // namespace k23::riscv64

extern "C" {
// Runs the guest described by `context` until its next trap (see above).
// Interrupts must be off (sstatus.SIE = 0) and context->sstatus prepared by
// the caller. Returns with SIE = 0 and the guest's trap recorded. Call it
// only as kernel/Guest.cpp does (inline asm that clobbers every FP
// register): it does not preserve fs0-fs11.
void k23_enter_user(k23::riscv64::UserContext* context, k23::u64 load_fp) noexcept;
}
