// Loader entry. OpenSBI (fw_dynamic) jumps to the image's first byte in
// S-mode with the MMU off, a0 = hart id, a1 = physical address of the device
// tree. The loader is a static PIE linked at 0 (loader/loader.ld): it applies
// its own R_RISCV_RELATIVE relocations before running any C++.

#define R_RISCV_RELATIVE 3
#define SSTATUS_FS_INITIAL (1 << 13)
#define SBI_EID_SRST 0x53525354
#define CSR_SEED 0x015

    .option norelax

    .section .text.boot, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    // The image's first page (boot/ImageFormat.h, ImagePrologue) is
    // headers only, for three firmware interfaces at once:
    //  - the RISC-V Linux Image header (Linux Documentation/riscv/
    //    boot-image-header.rst): U-Boot `booti` and OpenSBI jump to byte 0;
    //  - the PE/COFF header of a UEFI application (UEFI spec 2.10 §2.1.1,
    //    Microsoft PE format): the DOS "MZ" at byte 0, e_lfanew at 0x3c
    //    (the Image header's res3), "PE\0\0" at 0x80 — tools/mkimage.py
    //    writes the PE header and the size fields, which depend on the payload;
    //  - the loader's own prologue at 0x40: CRC-32, EFI entry, magic, payload
    //    offset, checked by loader_self_check.
    // code0: "MZ", which decodes as c.li s4, -13 (harmless), then the jump.
    .option push
    .option norvc
    .half   0x5a4d                      // code0[0..1]: c.li s4, -13 = "MZ"
    j       .Lboot                      // code0[2..3], code1[0..1]
    .half   0                           // code1[2..3]
    .dword  0x200000                    // text_offset: where booti puts it from RAM start
    .dword  0                           // image_size (tools/mkimage.py)
    .dword  0                           // flags: bit 0 = 0, little endian
    .word   0x2                         // version 0.2
    .word   0                           // res1
    .dword  0                           // res2
    .ascii  "RISCV\0\0\0"              // magic (deprecated)
    .ascii  "RSC\x05"                  // magic2
    .word   0x80                        // res3: the PE header's offset (DOS e_lfanew)
    // 0x40: the loader prologue (LoaderPrologue).
    .word   0                           // CRC-32 (tools/mkimage.py)
    .word   loader_efi_entry - _start   // the UEFI entry point's offset
    .ascii  "K23LDR\0\0"
    .quad   __loader_payload_offset
    .option pop
    // 0x58..0xfff: the PE header (tools/mkimage.py), then zeros.
    .org    0x1000

.Lboot:
    // Boot cost measurement: the retired-instruction count at loader entry
    // (rdinstret, unprivileged spec "Zicntr"), handed to the kernel in
    // BootInfo.loader_entry_instret. s2 is kept until loader_main.
    rdinstret s2
    // Until loader_trap_entry is set, a trap powers off (.Lfail): a loader
    // cut inside its self-check ends quickly instead of hanging.
    lla     t0, .Lfail
    csrw    stvec, t0
    csrw    sie, zero

    // One hart runs the loader (see arch/riscv64/entry.S).
    lla     t0, loader_boot_lottery
    li      t1, 1
    amoswap.w.aq t1, t1, (t0)
    bnez    t1, .Lpark

    mv      s0, a0
    mv      s1, a1
    lla     sp, loader_stack_top

    // Check the loader's own bytes before writing any of them (.bss is not
    // file content; relocation and .data are) and before running any code
    // outside .text.boot*: loader_self_check(base, file size, payload offset).
    lla     s3, __loader_start
    lla     s4, __loader_file_end
    sub     s4, s4, s3
    lla     s5, __loader_payload
    sub     s5, s5, s3
    mv      a0, s3
    mv      a1, s4
    mv      a2, s5
    call    loader_self_check
    beqz    a0, 0f
    // loader_self_check_failed(code, base, file size, payload offset, fdt)
    mv      a1, s3
    mv      a2, s4
    mv      a3, s5
    mv      a4, s1
    call    loader_self_check_failed
    j       .Lpark
0:
    lla     t0, __bss_start
    lla     t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    // Elf64_Rela {r_offset, r_info, r_addend}: *(base + offset) = base + addend.
    lla     t0, __rela_dyn_start
    lla     t1, __rela_dyn_end
    lla     t2, __loader_start
    li      t6, R_RISCV_RELATIVE
3:  bgeu    t0, t1, 4f
    ld      t3, 0(t0)
    ld      t4, 8(t0)
    ld      t5, 16(t0)
    bne     t4, t6, .Lfail
    add     t3, t3, t2
    add     t5, t5, t2
    sd      t5, 0(t3)
    addi    t0, t0, 24
    j       3b
4:
    // sstatus.FS = Initial (privileged spec §4.1.1.5): rv64gc code may use
    // FP registers anywhere.
    li      t0, SSTATUS_FS_INITIAL
    csrs    sstatus, t0
    csrw    fcsr, zero

    lla     t0, loader_trap_entry
    csrw    stvec, t0

    mv      a0, s0
    mv      a1, s1
    mv      a2, s2
    call    loader_main
    j       .Lpark

    // The UEFI entry (UEFI spec 2.10 §4.1, EFI_IMAGE_ENTRY_POINT; the PE
    // AddressOfEntryPoint): a0 = ImageHandle, a1 = SystemTable, called on the
    // firmware's stack. loader_efi_main (Efi.cpp) exits boot services and
    // fills {hart id, device tree}; then on as from OpenSBI or booti. If it
    // fails, boot services are still up: return its status to the firmware.
    .balign 4
    .globl loader_efi_entry
loader_efi_entry:
    addi    sp, sp, -32
    sd      ra, 24(sp)
    mv      a2, sp
    lla     a3, __loader_start
    call    loader_efi_main
    bnez    a0, 5f
    ld      a0, 0(sp)
    ld      a1, 8(sp)
    j       .Lboot
5:  ld      ra, 24(sp)
    addi    sp, sp, 32
    ret

    .balign 4
.Lfail:
    // SBI spec §10.1: system reset, type shutdown, reason "system failure".
    li      a7, SBI_EID_SRST
    li      a6, 0
    li      a0, 0
    li      a1, 1
    ecall
    // SBI spec §5.8: the legacy shutdown, for firmware without SRST.
    li      a7, 0x08
    ecall
    .balign 4
.Lpark:
    wfi
    j       .Lpark
    .size _start, . - _start

// Traps in the loader are fatal, except inside loader_try_read_seed: there an
// exception (the seed CSR is not accessible) skips the instruction and
// disarms loader_probe_armed, which is how the caller learns it trapped.
    .text
    .balign 4
    .globl loader_trap_entry
loader_trap_entry:
    csrw    sscratch, t0
    lla     t0, loader_probe_armed
    ld      t0, 0(t0)
    bnez    t0, 5f
    csrr    a0, scause
    csrr    a1, sepc
    csrr    a2, stval
    call    loader_unexpected_trap
    j       .Lpark
5:  lla     t0, loader_probe_armed
    sd      zero, 0(t0)
    csrr    t0, sepc
    addi    t0, t0, 4 // csrrw is never compressed
    csrw    sepc, t0
    csrr    t0, sscratch
    sret

// bool loader_try_read_seed(u64* out): one read of the Zkr seed CSR
// (Zkr spec: it must be accessed with a read-write instruction, csrrw).
    .globl loader_try_read_seed
loader_try_read_seed:
    lla     t0, loader_probe_armed
    li      t1, 1
    sd      t1, 0(t0)
    li      t2, 0
    .option push
    .option norvc
    csrrw   t2, CSR_SEED, zero
    .option pop
    ld      t1, 0(t0)
    sd      zero, 0(t0)
    sd      t2, 0(a0)
    mv      a0, t1 // 1 = read, 0 = trapped
    ret

// [[noreturn]] loader_enter_kernel(satp, entry, boot_info, 0): switch to the
// new page tables (privileged spec §4.1.11, and sfence.vma after, §4.2.1) and
// jump. This code is identity-mapped, so the fetch after csrw satp works.
    .globl loader_enter_kernel
loader_enter_kernel:
    csrw    stvec, zero
    sfence.vma zero, zero
    csrw    satp, a0
    sfence.vma zero, zero
    mv      a0, a2
    li      sp, 0
    li      tp, 0
    jr      a1

    // Not file content, not cleared with .bss: zero because tools/mkimage.py
    // pads the image with zeros up to the payload. Written before the
    // self-check, so it must be outside the bytes the CRC covers.
    .section .noinit, "aw", @nobits
    .balign 8
loader_boot_lottery:
    .zero 8
    // What the UEFI entry leaves for loader_main (loader/Efi.h, EfiHandoff):
    // zero on every other way in (the image's zero padding).
    .balign 8
    .globl loader_efi_handoff
loader_efi_handoff:
    .zero 32 + 16384

    .section .bss.boot, "aw", @nobits
    .balign 8
    .globl loader_probe_armed
loader_probe_armed:
    .zero 8

    .section .bss.stack, "aw", @nobits
    .balign 16
loader_stack_bottom:
    .space 64 * 1024
    .globl loader_stack_top
loader_stack_top:
