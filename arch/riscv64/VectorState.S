// Saving and restoring a guest's vector state (arch/riscv64/VectorState.h).
// V spec 1.0: whole-register loads and stores (§7.9) move all of v0..v31
// whatever vl and vtype are, but start at vstart, so vstart is read first
// and zeroed (and, after a save, written back); vsetvl (§6) with the saved vl as AVL gives back exactly that vl
// (it is at most VLMAX of the saved vtype), and a saved vtype with vill set
// sets vill again (with vl = 0).
// This file is assembled with -march=rv64gcv (arch/riscv64/CMakeLists.txt).

    .option norelax

    .section .text.k23_vector_save, "ax", @progbits
    .balign 4
    .globl k23_vector_save
    .type k23_vector_save, @function
k23_vector_save:
    csrr    t0, vl
    sd      t0, 0(a0)
    csrr    t0, vtype
    sd      t0, 8(a0)
    csrr    t2, vstart
    sd      t2, 16(a0)
    csrr    t0, vcsr
    sd      t0, 24(a0)
    csrw    vstart, zero
    csrr    t1, vlenb
    slli    t1, t1, 3               // 8 registers per whole-register store
    addi    a0, a0, 32
    vs8r.v  v0, (a0)
    add     a0, a0, t1
    vs8r.v  v8, (a0)
    add     a0, a0, t1
    vs8r.v  v16, (a0)
    add     a0, a0, t1
    vs8r.v  v24, (a0)
    // vstart back as it was: the registers still equal the saved state,
    // so the guest can resume on them without a restore.
    csrw    vstart, t2
    ret
    .size k23_vector_save, . - k23_vector_save

    .section .text.k23_vector_restore, "ax", @progbits
    .balign 4
    .globl k23_vector_restore
    .type k23_vector_restore, @function
k23_vector_restore:
    csrw    vstart, zero
    csrr    t1, vlenb
    slli    t1, t1, 3
    addi    t2, a0, 32
    vl8re8.v v0, (t2)
    add     t2, t2, t1
    vl8re8.v v8, (t2)
    add     t2, t2, t1
    vl8re8.v v16, (t2)
    add     t2, t2, t1
    vl8re8.v v24, (t2)
    ld      t0, 0(a0)
    ld      t1, 8(a0)
    vsetvl  zero, t0, t1
    ld      t0, 24(a0)
    csrw    vcsr, t0
    ld      t0, 16(a0)
    csrw    vstart, t0
    ret
    .size k23_vector_restore, . - k23_vector_restore
