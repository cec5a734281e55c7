// Boot entry. OpenSBI (fw_dynamic) jumps here in S-mode with the MMU off,
// a0 = hart id, a1 = physical address of the device tree. The image runs
// where it was loaded: it is a static PIE linked at 0 (kernel/kernel.ld), and
// applies its own R_RISCV_RELATIVE relocations before running any C++.

#include <arch/riscv64/TrapFrameLayout.h>

#define R_RISCV_RELATIVE 3
#define SSTATUS_FS_INITIAL (1 << 13)
#define SBI_EID_SRST 0x53525354

    .option norelax // no gp; and the code must not depend on link-time addresses

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
    mv      s1, a1
    lla     sp, k23_boot_stack_top

    // Clear .bss (8-byte aligned bounds, see kernel.ld). The boot stack lives
    // in .bss, which is fine: nothing is on it yet.
    lla     t0, __bss_start
    lla     t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    // Apply relocations: each Elf64_Rela is {r_offset, r_info, r_addend};
    // a static PIE has only R_RISCV_RELATIVE: *(base + offset) = base + addend.
    lla     t0, __rela_dyn_start
    lla     t1, __rela_dyn_end
    lla     t2, __image_start
    li      t6, R_RISCV_RELATIVE
3:  bgeu    t0, t1, 4f
    ld      t3, 0(t0)
    ld      t4, 8(t0)
    ld      t5, 16(t0)
    bne     t4, t6, .Lbad_relocation
    add     t3, t3, t2
    add     t5, t5, t2
    sd      t5, 0(t3)
    addi    t0, t0, 24
    j       3b
4:
    // Enable the FPU (sstatus.FS = Initial, privileged spec §4.1.1.5): the
    // compiler may use FP registers anywhere in rv64gc code. VS is enabled by
    // the kernel only once the device tree says the hart has V.
    li      t0, SSTATUS_FS_INITIAL
    csrs    sstatus, t0
    csrw    fcsr, zero

    lla     tp, k23_boot_hart_local
    lla     t0, k23_trap_vector
    csrw    stvec, t0

    mv      a0, s0
    mv      a1, s1
    call    kernel_main
    j       .Lpark

.Lbad_relocation:
    // No console yet: report failure through SRST (SBI spec §10.1,
    // shutdown with reason "system failure") and park if that returns.
    li      a7, SBI_EID_SRST
    li      a6, 0
    li      a0, 0
    li      a1, 1
    ecall

    .balign 4
.Lpark:
    wfi
    j       .Lpark
    .size _start, . - _start

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
