#pragma once

// Byte offsets of TrapFrame (TrapFrame.h) fields, shared by the assembly trap
// entry and the C++ side, which static_asserts that they match the struct.

#define K23_TRAP_FRAME_X(n) ((n) * 8)
#define K23_TRAP_FRAME_SEPC 256
#define K23_TRAP_FRAME_SSTATUS 264
#define K23_TRAP_FRAME_SCAUSE 272
#define K23_TRAP_FRAME_STVAL 280
#define K23_TRAP_FRAME_F(n) (288 + (n) * 8)
#define K23_TRAP_FRAME_FCSR 544
#define K23_TRAP_FRAME_SIZE 560

// TrapRecoveryPoint (TrapFrame.h): the callee-saved state k23_catch_trap
// saves so a trap can resume at its return with a non-zero result.
#define K23_RECOVERY_RA 0
#define K23_RECOVERY_SP 8
#define K23_RECOVERY_S(n) (16 + (n) * 8)
#define K23_RECOVERY_FS(n) (112 + (n) * 8)
#define K23_RECOVERY_SIZE 208

// UserContext (UserContext.h): a guest's registers while it is not running,
// filled by the trap vector's user-mode path and loaded by k23_enter_user.
#define K23_USER_X(n) ((n) * 8)
#define K23_USER_SEPC 256
#define K23_USER_SSTATUS 264
#define K23_USER_SCAUSE 272
#define K23_USER_STVAL 280
#define K23_USER_F(n) (288 + (n) * 8)
#define K23_USER_FCSR 544
#define K23_USER_KERNEL_SP 552
#define K23_USER_CONTEXT_SIZE 560

// What k23_enter_user pushes on the kernel stack before it leaves for the
// guest and pops when a trap brings it back: ra, s0-s11, gp, tp (15 words)
// and one word of padding for 16-byte alignment. Not the FP registers: the
// guest's stay in the hart after its trap (UserContext.h), so the caller
// declares fs0-fs11 clobbered (kernel/Guest.cpp).
#define K23_KSAVE_RA 0
#define K23_KSAVE_S(n) (8 + (n) * 8)
#define K23_KSAVE_GP 104
#define K23_KSAVE_TP 112
#define K23_KSAVE_SIZE 128
