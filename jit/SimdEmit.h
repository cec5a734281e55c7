#pragma once

// WebAssembly fixed-width SIMD (core spec 2.0 §4.4.3 "Vector Instructions")
// as RVV 1.0 instruction sequences, shared by both tiers: the baseline
// (jit/baseline/SimdOps.cpp) and the optimizing tier
// (jit/optimizing/LowerSimd.cpp) choose the registers, this emits the
// per-opcode code for them.
//
// A v128 is one vector register at LMUL 1 with vl = 16 / 8 / 4 / 2 for SEW 8
// / 16 / 32 / 64 (RVV 1.0 §3.4, §6.3 vsetivli), so the same code is right
// for VLEN 128, 256 and 512; tail and mask policies are agnostic, and no op
// reads past vl.
//
// Registers: the caller's operands and result are vector registers outside
// v0-v7 (v0 holds masks, v1-v6 are scratch here); the result register is
// distinct from every operand. Scalar scratch: t4, t5 and ft11 (a scalar
// operand may be one of t4/t5 where noted). The vtype tracker (VTypeState,
// owned by the caller) makes vset emit vsetivli only when the vtype
// changes; the caller forgets it where control flow joins or after calls.
//
// Relaxed SIMD (the relaxed-simd proposal): one deterministic result per
// instruction (jit/SimdScalar.h lists them; the scalar path agrees): where
// it is an existing instruction's, deterministic() maps the opcode to it.

#include <arch/riscv64/asm/Assembler.h>
#include <wasm/Opcodes.h>

namespace k23::jit {

using riscv64::Assembler;
using riscv64::FpReg;
using riscv64::GpReg;
using riscv64::Lmul;
using riscv64::Sew;
using riscv64::TailPolicy;
using riscv64::VecReg;

struct VTypeState {
    bool known { false }; // vtype and vl are (sew, lmul, vl, tail, mask agnostic)
    Sew sew { Sew::E8 };
    Lmul lmul { Lmul::M1 };
    u32 vl { 0 };
    TailPolicy tail { TailPolicy::Agnostic };

    [[nodiscard]] bool same(const VTypeState& o) const noexcept
    {
        return known && o.known && sew == o.sew && lmul == o.lmul && vl == o.vl && tail == o.tail;
    }
};

[[nodiscard]] constexpr u32 lanes_of(Sew sew) noexcept { return 16u >> u32(sew); }

class SimdEmitter {
public:
    SimdEmitter(Assembler& a, VTypeState& vtype) noexcept
        : m_asm(a)
        , m_vt(vtype)
    {
    }

    // The relaxed opcode's deterministic equivalent (itself if none).
    [[nodiscard]] static wasm::Opcode deterministic(wasm::Opcode op) noexcept;
    // The lane shape of an opcode from its name (i8x16 -> E8, ..., f64x2 -> E64).
    [[nodiscard]] static Sew shape(wasm::Opcode op) noexcept;
    // The element width a lane opcode (extract/replace, load/store lane) works on.
    [[nodiscard]] static Sew lane_sew(wasm::Opcode op) noexcept;
    // Bytes a memory form touches (§4.4.7; a bounds probe loads the last one).
    [[nodiscard]] static u32 access_size(wasm::Opcode op) noexcept;

    // ---- the vtype tracker
    void vset(Sew sew) noexcept { vset_exact(sew, Lmul::M1, lanes_of(sew)); }
    void vset_exact(Sew sew, Lmul lmul, u32 vl, TailPolicy tail = TailPolicy::Agnostic) noexcept;
    // A v128 spill or fill moves 16 bytes at any whole-v128 vtype (vl =
    // 16 / bytes(SEW), LMUL 1): the current one if it is such, else e8.
    Sew slot_sew() noexcept;
    void forget() noexcept { m_vt.known = false; }

    // ---- opcodes (r = the result, a, b, c = the operands in signature order)
    // §4.4.3.1 v128.const (uses t4, t5, v1).
    void constant(VecReg r, u64 lo, u64 hi) noexcept;
    // §4.4.3 extract_lane: an integer lane to rd (as an i32/i64), a float one to fd.
    void extract_lane(wasm::Opcode op, u8 lane, VecReg a, GpReg rd) noexcept;
    void extract_lane(wasm::Opcode op, u8 lane, VecReg a, FpReg fd) noexcept;
    // replace_lane and loadN_lane: r = a with lane `lane` (of `sew`) = bits.
    void insert_lane(Sew sew, u8 lane, VecReg r, VecReg a, GpReg bits) noexcept;
    // The lane's bits to rd (storeN_lane).
    void lane_bits(Sew sew, u8 lane, VecReg a, GpReg rd) noexcept;
    // §4.4.3.8 i8x16.shuffle.
    void shuffle(VecReg r, VecReg a, VecReg b, const u8* lanes) noexcept;
    // §4.4.3.2 splat of the scalar's bits (floats: the caller moves them to a GPR).
    void splat(Sew sew, VecReg r, GpReg bits) noexcept;
    // §4.4.3.6 shifts by a register count or by a constant (see shift_immediate).
    void shift(wasm::Opcode op, VecReg r, VecReg a, GpReg count) noexcept;
    void shift_by(wasm::Opcode op, VecReg r, VecReg a, u32 amount) noexcept;
    // Whether a constant count is lowered as an immediate: amount = the count mod lane bits.
    [[nodiscard]] static bool shift_immediate(wasm::Opcode op, u64 count, u32& amount) noexcept;
    // §4.4.3.5 any_true, all_true, bitmask: the i32 to rd.
    void to_scalar(wasm::Opcode op, GpReg rd, VecReg a) noexcept;
    // Every opcode whose operands and result are all v128 (c, b unused by
    // the shorter ones). False: not such an opcode.
    bool vector_op(wasm::Opcode op, VecReg r, VecReg a, VecReg b, VecReg c) noexcept;
    // The memory forms other than v128.load/store and the lane ones: the
    // scalar load (the caller records its trap site first), then the vector.
    void load_scalar(wasm::Opcode op, GpReg rd, GpReg base, i32 imm) noexcept;
    bool finish_load(wasm::Opcode op, VecReg r, GpReg loaded) noexcept;
    // A lane store's scalar store of rs.
    void store_lane_scalar(wasm::Opcode op, GpReg rs, GpReg base, i32 imm) noexcept;

private:
    void bits(VecReg rd, u64 lo, u64 hi) noexcept;
    void compare(wasm::Opcode op, VecReg r, VecReg a, VecReg b) noexcept;
    bool integer_op(wasm::Opcode op, VecReg r, VecReg a, VecReg b) noexcept;
    bool float_op(wasm::Opcode op, VecReg r, VecReg a, VecReg b) noexcept;
    bool widening_op(wasm::Opcode op, VecReg r, VecReg a, VecReg b, VecReg c) noexcept;
    bool conversion_op(wasm::Opcode op, VecReg r, VecReg a, VecReg b) noexcept;

    Assembler& m_asm;
    VTypeState& m_vt;
};

} // namespace k23::jit
