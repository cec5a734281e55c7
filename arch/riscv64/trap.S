// Trap entry and trap recovery, and the way into U-mode. A trap from the
// kernel saves a TrapFrame (TrapFrame.h) on the current stack; a trap from
// U-mode saves the guest's registers in its UserContext and returns from
// k23_enter_user (UserContext.h describes the sscratch protocol). Section
// numbers refer to the privileged spec 1.12 (20211203), Volume II.

#include <arch/riscv64/TrapFrameLayout.h>

    .option norelax

    .section .text.trap, "ax", @progbits
    // stvec in direct mode needs a 4-byte aligned base (privileged spec §4.1.2).
    .balign 4
    .globl k23_trap_vector
    .type k23_trap_vector, @function
k23_trap_vector:
    // sscratch (§4.1.6) is 0 while the kernel runs and the guest's
    // UserContext while a guest runs: one swap tells the two apart without
    // touching any other register.
    csrrw   sp, sscratch, sp
    bnez    sp, .Lfrom_user
    csrrw   sp, sscratch, sp        // from the kernel: sp back, sscratch = 0 again
    addi    sp, sp, -K23_TRAP_FRAME_SIZE
    sd      x1, K23_TRAP_FRAME_X(1)(sp)
    .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd      x\n, K23_TRAP_FRAME_X(\n)(sp)
    .endr
    addi    t0, sp, K23_TRAP_FRAME_SIZE
    sd      t0, K23_TRAP_FRAME_X(2)(sp)
    sd      zero, K23_TRAP_FRAME_X(0)(sp)
    csrr    t0, sepc
    sd      t0, K23_TRAP_FRAME_SEPC(sp)
    csrr    t0, sstatus
    sd      t0, K23_TRAP_FRAME_SSTATUS(sp)
    csrr    t0, scause
    sd      t0, K23_TRAP_FRAME_SCAUSE(sp)
    csrr    t0, stval
    sd      t0, K23_TRAP_FRAME_STVAL(sp)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fsd     f\n, K23_TRAP_FRAME_F(\n)(sp)
    .endr
    frcsr   t0
    sd      t0, K23_TRAP_FRAME_FCSR(sp)

    mv      a0, sp
    call    k23_handle_trap

    ld      t0, K23_TRAP_FRAME_FCSR(sp)
    fscsr   t0
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fld     f\n, K23_TRAP_FRAME_F(\n)(sp)
    .endr
    ld      t0, K23_TRAP_FRAME_SEPC(sp)
    csrw    sepc, t0
    ld      t0, K23_TRAP_FRAME_SSTATUS(sp)
    csrw    sstatus, t0
    ld      x1, K23_TRAP_FRAME_X(1)(sp)
    .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld      x\n, K23_TRAP_FRAME_X(\n)(sp)
    .endr
    addi    sp, sp, K23_TRAP_FRAME_SIZE
    sret

.Lfrom_user:
    // sp = the UserContext, sscratch = the guest's sp.
    sd      x1, K23_USER_X(1)(sp)
    .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd      x\n, K23_USER_X(\n)(sp)
    .endr
    csrr    t0, sscratch
    sd      t0, K23_USER_X(2)(sp)
    csrw    sscratch, zero          // back in the kernel
    csrr    t0, sepc
    sd      t0, K23_USER_SEPC(sp)
    csrr    t0, sstatus
    sd      t0, K23_USER_SSTATUS(sp)
    csrr    t1, scause
    sd      t1, K23_USER_SCAUSE(sp)
    csrr    t1, stval
    sd      t1, K23_USER_STVAL(sp)
    // FP registers only if the guest wrote them since k23_enter_user loaded
    // them: sstatus.FS = Dirty (3), §4.1.1.5 / §3.1.6.6. sstatus.SD (bit
    // 63, §4.1.1.5) summarises FS/VS/XS = Dirty, so the common case (a
    // guest that did not touch the FP or vector unit since its entry) is
    // one branch on the sign.
    bgez    t0, 1f
    srli    t0, t0, 13
    andi    t0, t0, 3
    li      t1, 3
    bne     t0, t1, 1f
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fsd     f\n, K23_USER_F(\n)(sp)
    .endr
    frcsr   t0
    sd      t0, K23_USER_FCSR(sp)
    // The f registers stay the guest's (UserContext.h, lazy FP): FS = Clean
    // (Dirty 3 -> Clean 2), so an FP write in the kernel from here on makes
    // it Dirty and the run loop reloads them.
    li      t0, 1 << 13
    csrc    sstatus, t0
1:
    // The kernel rounds to nearest: a guest's other frm is reset (which
    // also makes FS Dirty).
    frrm    t0
    beqz    t0, 2f
    fsrm    zero
2:
    ld      sp, K23_USER_KERNEL_SP(sp)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    ld      s\n, K23_KSAVE_S(\n)(sp)
    .endr
    ld      ra, K23_KSAVE_RA(sp)
    ld      gp, K23_KSAVE_GP(sp)
    ld      tp, K23_KSAVE_TP(sp)
    addi    sp, sp, K23_KSAVE_SIZE
    ret                             // from k23_enter_user
    .size k23_trap_vector, . - k23_trap_vector

    // void k23_enter_user(UserContext* context, u64 load_fp): see UserContext.h.
    .section .text.k23_enter_user, "ax", @progbits
    .balign 4
    .globl k23_enter_user
    .type k23_enter_user, @function
k23_enter_user:
    addi    sp, sp, -K23_KSAVE_SIZE
    sd      ra, K23_KSAVE_RA(sp)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    sd      s\n, K23_KSAVE_S(\n)(sp)
    .endr
    sd      gp, K23_KSAVE_GP(sp)
    sd      tp, K23_KSAVE_TP(sp)
    // The caller turned interrupts off: from the sscratch write on, a trap
    // would be taken for the guest's.
    sd      sp, K23_USER_KERNEL_SP(a0)
    csrw    sscratch, a0
    // The guest's FP state, unless the hart still holds it (a1 = 0).
    beqz    a1, 1f
    ld      t0, K23_USER_FCSR(a0)
    fscsr   t0
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fld     f\n, K23_USER_F(\n)(a0)
    .endr
1:
    ld      t0, K23_USER_SEPC(a0)
    csrw    sepc, t0
    // SPP = 0 (sret to U), SPIE = 1, SUM = 0, FS = Clean, VS = Off or (once
    // the guest has the vector unit, its registers just loaded) Clean: the
    // caller computed it (kernel/Guest.cpp). FS was written last above, so
    // the fld's Dirty is replaced by Clean here.
    ld      t0, K23_USER_SSTATUS(a0)
    csrw    sstatus, t0
    ld      x1, K23_USER_X(1)(a0)
    .irp n, 2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld      x\n, K23_USER_X(\n)(a0)
    .endr
    ld      a0, K23_USER_X(10)(a0)
    sret
    .size k23_enter_user, . - k23_enter_user

    // int k23_catch_trap(TrapRecoveryPoint* point, void (*fn)(void*), void* context)
    .section .text.k23_catch_trap, "ax", @progbits
    .balign 4
    .globl k23_catch_trap
    .type k23_catch_trap, @function
k23_catch_trap:
    sd      ra, K23_RECOVERY_RA(a0)
    sd      sp, K23_RECOVERY_SP(a0)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    sd      s\n, K23_RECOVERY_S(\n)(a0)
    fsd     fs\n, K23_RECOVERY_FS(\n)(a0)
    .endr
    // A real frame record (fp-8 = ra, fp-16 = caller's fp, as the psABI's
    // frame-pointer convention has it) so backtraces taken inside fn walk
    // on through here into the caller.
    addi    sp, sp, -32
    sd      ra, 24(sp)
    sd      s0, 16(sp)
    sd      s1, 8(sp)
    addi    s0, sp, 32
    mv      s1, a0          // callee-saved, so it survives fn
    mv      t0, a1
    mv      a0, a2
    jalr    t0
    ld      ra, 24(sp)
    ld      s0, 16(sp)
    ld      s1, 8(sp)
    addi    sp, sp, 32
    li      a0, 0
    ret
    .size k23_catch_trap, . - k23_catch_trap

    // [[noreturn]] void k23_trap_recover(TrapRecoveryPoint* point): returns 1
    // from the k23_catch_trap call that filled `point`.
    .balign 4
    .globl k23_trap_recover
    .type k23_trap_recover, @function
k23_trap_recover:
    ld      ra, K23_RECOVERY_RA(a0)
    ld      sp, K23_RECOVERY_SP(a0)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    ld      s\n, K23_RECOVERY_S(\n)(a0)
    fld     fs\n, K23_RECOVERY_FS(\n)(a0)
    .endr
    li      a0, 1
    ret
    .size k23_trap_recover, . - k23_trap_recover

    // void k23_call_on_stack(void (*function)(void*), void* argument,
    //                        u64 stack_top): calls function(argument) with
    // sp = stack_top (16-byte aligned), then returns on the caller's stack.
    // Guests' kernel work runs on their own kernel stacks (kernel/Guest.h).
    .section .text.k23_call_on_stack, "ax", @progbits
    .balign 4
    .globl k23_call_on_stack
    .type k23_call_on_stack, @function
k23_call_on_stack:
    addi    sp, sp, -16
    sd      ra, 8(sp)
    sd      s0, 0(sp)
    addi    s0, sp, 16              // a frame the backtracer can follow
    mv      t0, a0
    mv      a0, a1
    mv      t1, sp
    mv      sp, a2
    addi    sp, sp, -16             // link the new stack to the old frame
    sd      t1, 0(sp)
    sd      ra, 8(sp)
    jalr    t0
    ld      sp, 0(sp)
    ld      s0, 0(sp)
    ld      ra, 8(sp)
    addi    sp, sp, 16
    ret
    .size k23_call_on_stack, . - k23_call_on_stack
