#pragma once

// The inline memory.fill and memory.copy sequences (core spec 2.0 §4.4.7)
// both tiers emit (jit/baseline/MemoryOps.cpp, jit/optimizing/LowerMemory.cpp):
// no runtime helper, which would be a system call for a guest in U-mode
// (jit/UserMode.h).
//
// Bounds: a memory is accessible from 0 up to its size (a multiple of
// 64 KiB, so of the page size) and faults beyond it inside its 8 GiB
// reservation, so the range [i, i + n) is in bounds iff its last byte is:
// one load of byte i + n - 1 at a trap site checks it (i + n <= 2^33 - 2
// stays inside the reservation) and traps "out of bounds memory access"
// before anything is written. An empty range checks i <= size the same way
// (byte i - 1); i + n = 0 is always in bounds. In the kernel the probe (and
// the copy) commit pages through the guest's page-fault path like any access.

#include <arch/riscv64/asm/Assembler.h>

namespace k23::jit::bulk {

// Loads byte base + index + count - 1 (index and count zero-extended),
// unless index + count is 0; clobbers t0. Returns the code offset of the
// load: the caller records it as a trap site.
u32 probe_range_end(riscv64::Assembler& a, riscv64::GpReg base, riscv64::GpReg index, riscv64::GpReg count) noexcept;

// memmove(a1, a2, a3) of an in-bounds range (host addresses, a3 bytes);
// clobbers a1-a3 and t0-t2.
void move_bytes(riscv64::Assembler& a) noexcept;

// memset(a1, a2, a3) of an in-bounds range (the low byte of a2); clobbers
// a1, a3 and t0-t2.
void fill_bytes(riscv64::Assembler& a) noexcept;

} // namespace k23::jit::bulk
