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
