// Kernel thread context switch (kernel/Scheduler.h).
//
// void k23_switch_context(ThreadContext* save, ThreadContext const* load)
//
// Saves the callee-saved state of the caller into `save` and resumes the
// thread whose state is in `load`, returning from *its* call of
// k23_switch_context. Only what the RISC-V psABI (riscv-elf-psabi-doc,
// "Integer Register Convention" and "Floating-point Register Convention")
// makes callee-saved needs saving: ra (where to return), sp, s0-s11 and,
// under the LP64D ABI the kernel is built with, fs0-fs11. Every other
// register is caller-saved: the C++ caller does not expect it to survive
// the call. Vector registers are all caller-saved too (psABI "Vector
// Register Convention"); guests' vector state is the run loop's business
// (kernel/Guest.h, HartLocal::vector_owner).
//
// ThreadContext layout (kernel/Scheduler.h, checked by static_asserts):
//   0 ra, 8 sp, 16 + 8n s<n> (n = 0..11), 112 + 8n fs<n>.

#define K23_CTX_RA 0
#define K23_CTX_SP 8
#define K23_CTX_S(n) (16 + 8 * (n))
#define K23_CTX_FS(n) (112 + 8 * (n))

    .section .text.k23_switch_context, "ax", @progbits
    .balign 4
    .globl k23_switch_context
    .type k23_switch_context, @function
k23_switch_context:
    sd      ra, K23_CTX_RA(a0)
    sd      sp, K23_CTX_SP(a0)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    sd      s\n, K23_CTX_S(\n)(a0)
    fsd     fs\n, K23_CTX_FS(\n)(a0)
    .endr
    ld      ra, K23_CTX_RA(a1)
    ld      sp, K23_CTX_SP(a1)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    ld      s\n, K23_CTX_S(\n)(a1)
    fld     fs\n, K23_CTX_FS(\n)(a1)
    .endr
    ret
    .size k23_switch_context, . - k23_switch_context

    // A new thread's first "return" from k23_switch_context lands here
    // (ra), with s1 = its entry function (k23_thread_main) and s2 = its
    // argument. s0 = 0 ends the frame-pointer chain for backtraces.
    .section .text.k23_thread_start, "ax", @progbits
    .balign 4
    .globl k23_thread_start
    .type k23_thread_start, @function
k23_thread_start:
    mv      a0, s2
    jalr    s1
    unimp                           // k23_thread_main never returns
    .size k23_thread_start, . - k23_thread_start
