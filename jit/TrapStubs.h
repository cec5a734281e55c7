#pragma once

// Trap stubs as both tiers emit them: a trapping check branches to an
// out-of-line stub, which hands the engine's landing pad a0 = the trap code,
// a2 = a detail (-1: none) and a1 = a pc whose trap site (jit/Code.h
// TrapSite) names the wasm offset. The tiers decide where stubs go (the
// baseline every ~1.5 KiB, the optimizing tier after the body with shared
// tails); the stub's body and the exit to the landing pad are written here.

#include <arch/riscv64/asm/MacroAssembler.h>

namespace k23::jit {

struct TrapStub {
    riscv64::Label label;
    u32 wasm_offset;
    u8 code;             // a wasm::TrapCode
    bool dynamic { false }; // a helper's trap: its code + 1 in a1
    u8 detail_reg { 0 };    // nonzero: a2 = detail_reg >> detail_shift (e.g. a table element index)
    u8 detail_shift { 0 };
};

// The whole body of `stub`, at the current position (its label already
// bound): a0 and a2, then `auipc a1, 0` as a trap site and a jump to
// `exit`. The caller's trap sink records the auipc, so its current wasm
// offset must be the stub's by then.
inline void emit_trap_stub_body(riscv64::MacroAssembler& a, const TrapStub& stub, riscv64::Label exit) noexcept
{
    using namespace riscv64;
    if (stub.dynamic)
        a.addi(a0, a1, -1);
    else
        a.li(a0, stub.code);
    if (stub.detail_reg)
        a.srli(a2, GpReg(stub.detail_reg), stub.detail_shift);
    else
        a.li(a2, -1);
    a.mark_trap_site();
    a.auipc(a1, 0);
    a.j(exit);
}

// Binds `exit`, where every stub ends: a jump to the engine's landing pad
// (through t5, free at a trap).
inline void emit_trap_exit(riscv64::MacroAssembler& a, riscv64::Label exit, u64 landing_pad) noexcept
{
    a.bind(exit);
    a.li(riscv64::t5, i64(landing_pad));
    a.jr(riscv64::t5);
}

} // namespace k23::jit
