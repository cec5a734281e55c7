// Kernel entry. The k23 loader (loader/) jumps here with the MMU on: the
// kernel is already relocated to its random upper-half base (KASLR), its
// .bss is zeroed, and a0 = the BootInfo's address in the direct map
// (boot/BootInfo.h). sp and tp are not set; the kernel sets its own.

#include <arch/riscv64/TrapFrameLayout.h>

#define SSTATUS_FS_INITIAL (1 << 13)

    .option norelax // no gp

    .section .text.boot, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    // Faults before the real trap vector is installed park the hart instead
    // of jumping to whatever stvec the firmware left.
    lla     t0, .Lpark
    csrw    stvec, t0
    csrw    sie, zero

    // Only one hart runs the boot path. OpenSBI's fw_dynamic starts only the
    // boot hart (the others wait in HSM), but firmware that releases every
    // hart at once must not corrupt the boot hart's bss and stack.
    lla     t0, k23_boot_lottery
    li      t1, 1
    amoswap.w.aq t1, t1, (t0)
    bnez    t1, .Lpark

    mv      s0, a0
    lla     sp, k23_boot_stack_top

    // Clear .bss (8-byte aligned bounds, see kernel.ld); the loader zeroed
    // it already, this keeps the kernel's own invariant. The boot stack
    // lives in .bss, which is fine: nothing is on it yet.
    lla     t0, __bss_start
    lla     t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    // Enable the FPU (sstatus.FS = Initial, privileged spec §4.1.1.5): the
    // compiler may use FP registers anywhere in rv64gc code. VS is enabled by
    // the kernel only once the device tree says the hart has V.
    li      t0, SSTATUS_FS_INITIAL
    csrs    sstatus, t0
    csrw    fcsr, zero

    lla     tp, k23_boot_hart_local
    csrw    sscratch, zero  // 0 = "in the kernel" for the trap vector (priv. §4.1.6, UserContext.h)
    lla     t0, k23_trap_vector
    csrw    stvec, t0

    mv      a0, s0
    call    kernel_main
    j       .Lpark

    .balign 4
.Lpark:
    wfi
    j       .Lpark
    .size _start, . - _start

// A secondary hart, started by SBI HSM sbi_hart_start (SBI spec §9.1): in
// S-mode with the MMU off (satp = 0), a0 = its hart id, a1 = the physical
// address of its SecondaryStart (kernel/Smp.cpp): {satp, stack top, HartLocal,
// resume}. The kernel keeps no identity map, so the fetch after `csrw satp`
// faults: stvec = resume (virtual) is where that fault lands, which is how
// the hart moves to the kernel's addresses. No register but sepc/scause/stval
// changes on the way (privileged spec §4.1.1: SPP = S, SIE stays 0).
    .text
    .balign 4
    .globl k23_secondary_entry
    .type k23_secondary_entry, @function
k23_secondary_entry:
    csrw    sie, zero
    ld      t0, 0(a1)
    ld      sp, 8(a1)
    ld      tp, 16(a1)
    ld      t1, 24(a1)
    csrw    stvec, t1
    sfence.vma zero, zero
    csrw    satp, t0
    sfence.vma zero, zero
    // Not reached: the fetch above faults into `resume`.
1:  wfi
    j       1b
    .size k23_secondary_entry, . - k23_secondary_entry

    .balign 4
    .globl k23_secondary_resume
    .type k23_secondary_resume, @function
k23_secondary_resume:
    csrw    sscratch, zero  // 0 = "in the kernel" for the trap vector (priv. §4.1.6, UserContext.h)
    lla     t0, k23_trap_vector
    csrw    stvec, t0
    li      t0, SSTATUS_FS_INITIAL
    csrs    sstatus, t0
    csrw    fcsr, zero
    li      fp, 0
    call    k23_secondary_main
1:  wfi
    j       1b
    .size k23_secondary_resume, . - k23_secondary_resume

    .section .data.boot, "aw", @progbits
    .balign 4
k23_boot_lottery:
    .word 0

    .section .bss.boot_stack, "aw", @nobits
    .balign 16
    .globl k23_boot_stack_bottom
k23_boot_stack_bottom:
    .space 64 * 1024
    .globl k23_boot_stack_top
k23_boot_stack_top:
