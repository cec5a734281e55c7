// The per-opcode RVV 1.0 sequences of WebAssembly SIMD (SimdEmit.h), shared
// by the baseline and the optimizing tier. Semantics: core spec 2.0 §4.3.2
// "Vector Operations" and §4.4.3; RVV sections cited next to each trick.

#include <jit/SimdEmit.h>
#include <wasm/Opcodes.h>

namespace k23::jit {

using namespace riscv64;
using O = wasm::Opcode;

// ---------------------------------------------------------------- classification

wasm::Opcode SimdEmitter::deterministic(wasm::Opcode op) noexcept
{
    switch (op) {
    case O::I8x16RelaxedSwizzle: return O::I8x16Swizzle;
    case O::I32x4RelaxedTruncF32x4S: return O::I32x4TruncSatF32x4S;
    case O::I32x4RelaxedTruncF32x4U: return O::I32x4TruncSatF32x4U;
    case O::I32x4RelaxedTruncF64x2SZero: return O::I32x4TruncSatF64x2SZero;
    case O::I32x4RelaxedTruncF64x2UZero: return O::I32x4TruncSatF64x2UZero;
    case O::I8x16RelaxedLaneselect: case O::I16x8RelaxedLaneselect:
    case O::I32x4RelaxedLaneselect: case O::I64x2RelaxedLaneselect: return O::V128Bitselect;
    case O::F32x4RelaxedMin: return O::F32x4Min;
    case O::F32x4RelaxedMax: return O::F32x4Max;
    case O::F64x2RelaxedMin: return O::F64x2Min;
    case O::F64x2RelaxedMax: return O::F64x2Max;
    case O::I16x8RelaxedQ15mulrS: return O::I16x8Q15mulrSatS;
    default: return op;
    }
}

Sew SimdEmitter::shape(wasm::Opcode op) noexcept
{
    StringView name = wasm::opcode_info(op).name;
    if (name.starts_with("i8x16"_sv))
        return Sew::E8;
    if (name.starts_with("i16x8"_sv))
        return Sew::E16;
    if (name.starts_with("i32x4"_sv) || name.starts_with("f32x4"_sv))
        return Sew::E32;
    return Sew::E64;
}

Sew SimdEmitter::lane_sew(wasm::Opcode op) noexcept
{
    switch (op) {
    case O::I8x16ExtractLaneS: case O::I8x16ExtractLaneU: case O::I8x16ReplaceLane:
    case O::V128Load8Lane: case O::V128Store8Lane: return Sew::E8;
    case O::I16x8ExtractLaneS: case O::I16x8ExtractLaneU: case O::I16x8ReplaceLane:
    case O::V128Load16Lane: case O::V128Store16Lane: return Sew::E16;
    case O::I32x4ExtractLane: case O::I32x4ReplaceLane: case O::F32x4ExtractLane: case O::F32x4ReplaceLane:
    case O::V128Load32Lane: case O::V128Store32Lane: return Sew::E32;
    default: return Sew::E64;
    }
}

u32 SimdEmitter::access_size(wasm::Opcode op) noexcept
{
    switch (op) {
    case O::V128Load8Splat: case O::V128Load8Lane: case O::V128Store8Lane: return 1;
    case O::V128Load16Splat: case O::V128Load16Lane: case O::V128Store16Lane: return 2;
    case O::V128Load32Splat: case O::V128Load32Zero: case O::V128Load32Lane: case O::V128Store32Lane: return 4;
    case O::V128Load: case O::V128Store: return 16;
    default: return 8; // loadMxN_sx, load64_splat, load64_zero, 64-bit lanes
    }
}

// ---------------------------------------------------------------- vtype

void SimdEmitter::vset_exact(Sew sew, Lmul lmul, u32 vl, TailPolicy tail) noexcept
{
    if (m_vt.known && m_vt.sew == sew && m_vt.lmul == lmul && m_vt.vl == vl && m_vt.tail == tail)
        return;
    VType type;
    type.sew = sew;
    type.lmul = lmul;
    type.tail = tail;
    type.mask = MaskPolicy::Agnostic;
    m_asm.vsetivli(zero, vl, type);
    m_vt.known = true;
    m_vt.sew = sew;
    m_vt.lmul = lmul;
    m_vt.vl = vl;
    m_vt.tail = tail;
}

Sew SimdEmitter::slot_sew() noexcept
{
    if (m_vt.known && m_vt.lmul == Lmul::M1 && m_vt.vl == lanes_of(m_vt.sew))
        return m_vt.sew;
    vset(Sew::E8);
    return Sew::E8;
}

// ---------------------------------------------------------------- constants, lanes, shuffles

// §4.4.3.1 v128.const: element 0 = low 8 bytes, element 1 = high (e64).
void SimdEmitter::constant(VecReg r, u64 lo, u64 hi) noexcept
{
    vset(Sew::E64);
    if (lo == hi) {
        m_asm.li(t4, i64(lo));
        m_asm.vmv_v_x(r, t4);
    } else {
        m_asm.li(t4, i64(lo));
        m_asm.li(t5, i64(hi));
        m_asm.vmv_v_x(v1, t4);
        // RVV §16.3.4 vslide1down: vd[i] = vs2[i + 1], vd[vl - 1] = x[rs1].
        m_asm.vslide1down_vx(r, v1, t5);
    }
}

// Indices of a constant v128 into rd (uses v3, t4, t5).
void SimdEmitter::bits(VecReg rd, u64 lo, u64 hi) noexcept
{
    vset(Sew::E64);
    m_asm.li(t4, i64(lo));
    m_asm.li(t5, i64(hi));
    m_asm.vmv_v_x(v3, t4);
    m_asm.vslide1down_vx(rd, v3, t5);
}

void SimdEmitter::lane_bits(Sew sew, u8 lane, VecReg a, GpReg rd) noexcept
{
    vset(sew);
    VecReg source = a;
    if (lane != 0) {
        m_asm.vslidedown_vi(v1, a, lane);
        source = v1;
    }
    m_asm.vmv_x_s(rd, source); // sign-extended to 64 bits (RVV §16.1)
}

void SimdEmitter::extract_lane(wasm::Opcode op, u8 lane, VecReg a, GpReg rd) noexcept
{
    lane_bits(lane_sew(op), lane, a, rd);
    if (op == O::I8x16ExtractLaneU) {
        m_asm.andi(rd, rd, 0xff);
    } else if (op == O::I16x8ExtractLaneU) {
        m_asm.slli(rd, rd, 48);
        m_asm.srli(rd, rd, 48);
    }
}

void SimdEmitter::extract_lane(wasm::Opcode op, u8 lane, VecReg a, FpReg fd) noexcept
{
    vset(lane_sew(op));
    VecReg source = a;
    if (lane != 0) {
        m_asm.vslidedown_vi(v1, a, lane);
        source = v1;
    }
    m_asm.vfmv_f_s(fd, source); // NaN-boxes an f32 (RVV §16.2)
}

// r = v0[i] ? x : a[i] with v0 = (vid == lane).
void SimdEmitter::insert_lane(Sew sew, u8 lane, VecReg r, VecReg a, GpReg x) noexcept
{
    vset(sew);
    m_asm.vid_v(v1);
    m_asm.vmseq_vi(v0, v1, lane);
    m_asm.vmerge_vxm(r, a, x);
}

// §4.4.3.8 i8x16.shuffle: lane i = (a ++ b)[s[i]]. The gather runs at the
// widest element size the shuffle permutes whole (aligned runs of 2, 4 or
// 8 consecutive bytes: most shuffles move i32 lanes), from one operand when
// every index picks from it, else from a and from b (indices - lanes) merged
// by index >= lanes (each gather's other elements are don't-care, whatever
// VLEN is: vrgather reads only the first vl source elements it is given).
void SimdEmitter::shuffle(VecReg r, VecReg a, VecReg b, const u8* given) noexcept
{
    // One register for both operands: every index picks from it.
    u8 lanes[16];
    for (u32 i = 0; i < 16; ++i)
        lanes[i] = a == b ? given[i] & 15 : given[i];
    // The same rotation of every 32-bit lane by 8k bits (blake3's rot16,
    // rot8): two shifts and an or at e32, no index vector.
    for (u32 k = 1; k < 4; ++k) {
        bool rotation = true;
        for (u32 i = 0; i < 16 && rotation; ++i)
            rotation = lanes[i] == (i & ~3u) + ((i + k) & 3);
        if (!rotation)
            continue;
        vset(Sew::E32);
        m_asm.vsrl_vi(v1, a, i32(8 * k));
        m_asm.vsll_vi(v2, a, i32(32 - 8 * k));
        m_asm.vor_vv(r, v1, v2);
        return;
    }
    u32 width = 8; // bytes per element
    for (; width > 1; width /= 2) {
        bool whole = true;
        for (u32 i = 0; i < 16 && whole; i += width) {
            whole = lanes[i] % width == 0;
            for (u32 k = 1; k < width && whole; ++k)
                whole = lanes[i + k] == lanes[i] + k;
        }
        if (whole)
            break;
    }
    u32 count = 16 / width;
    bool from_a = true, from_b = true;
    for (u32 i = 0; i < 16; i += width) {
        from_a &= lanes[i] < 16;
        from_b &= lanes[i] >= 16;
    }
    // The index vector: element j = source element of result element j,
    // counted in `width`-byte elements of a ++ b (minus count when only b).
    u32 elements[16];
    u64 index[2] = { 0, 0 };
    bool is_xor = true, is_rotation = true;
    for (u32 j = 0; j < count; ++j) {
        elements[j] = lanes[j * width] / width - (from_b ? count : 0);
        u32 bit = j * width * 8;
        index[bit / 64] |= u64(elements[j]) << (bit % 64);
        is_xor &= elements[j] == (j ^ elements[0]);
        is_rotation &= elements[j] == (j + elements[0]) % count;
    }
    Sew sew = width == 8 ? Sew::E64 : width == 4 ? Sew::E32 : width == 2 ? Sew::E16 : Sew::E8;
    // Pair swaps and rotations (most single-source shuffles) come from vid
    // at the gather's own SEW; others are loaded at e64.
    if ((from_a || from_b) && (is_xor || is_rotation)) {
        vset(sew);
        m_asm.vid_v(v1);
        if (is_xor && elements[0] != 0) {
            m_asm.vxor_vi(v1, v1, i32(elements[0]));
        } else if (!is_xor) {
            m_asm.vadd_vi(v1, v1, i32(elements[0]));
            m_asm.vand_vi(v1, v1, i32(count - 1));
        }
    } else {
        bits(v1, index[0], index[1]);
    }
    vset(sew);
    if (from_a || from_b) {
        m_asm.vrgather_vv(r, from_a ? a : b, v1);
    } else {
        m_asm.vrgather_vv(v3, a, v1);
        m_asm.vadd_vi(v2, v1, -i32(count));
        m_asm.vrgather_vv(v4, b, v2);
        m_asm.vmsgtu_vi(v0, v1, i32(count - 1));
        m_asm.vmerge_vvm(r, v3, v4); // v0 ? v4 : v3
    }
}

// §4.4.3.2 splat: the low SEW bits (floats as bits: NaN payloads survive).
void SimdEmitter::splat(Sew sew, VecReg r, GpReg x) noexcept
{
    vset(sew);
    m_asm.vmv_v_x(r, x);
}

// §4.4.3.6 shifts: the count is taken modulo the lane width. RVV §12.6:
// vsll/vsrl/vsra use only the low lg2(SEW) bits of the count, which is the
// spec's masking; a constant count that fits uimm5 after it becomes the .vi form.
bool SimdEmitter::shift_immediate(wasm::Opcode op, u64 count, u32& amount) noexcept
{
    u32 bits = 8u << u32(shape(op));
    amount = u32(count) & (bits - 1);
    return amount < 32;
}

void SimdEmitter::shift(wasm::Opcode op, VecReg r, VecReg a, GpReg count) noexcept
{
    vset(shape(op));
    StringView name = wasm::opcode_info(op).name;
    if (name.ends_with(".shl"_sv))
        m_asm.vsll_vx(r, a, count);
    else if (name.ends_with("_s"_sv))
        m_asm.vsra_vx(r, a, count);
    else
        m_asm.vsrl_vx(r, a, count);
}

void SimdEmitter::shift_by(wasm::Opcode op, VecReg r, VecReg a, u32 amount) noexcept
{
    vset(shape(op));
    StringView name = wasm::opcode_info(op).name;
    if (name.ends_with(".shl"_sv))
        m_asm.vsll_vi(r, a, i32(amount));
    else if (name.ends_with("_s"_sv))
        m_asm.vsra_vi(r, a, i32(amount));
    else
        m_asm.vsrl_vi(r, a, i32(amount));
}

// §4.4.3.5 any_true / all_true / bitmask.
void SimdEmitter::to_scalar(wasm::Opcode op, GpReg r, VecReg a) noexcept
{
    switch (op) {
    case O::V128AnyTrue:
        vset(Sew::E8);
        m_asm.vmsne_vi(v0, a, 0);
        m_asm.vcpop_m(r, v0);
        m_asm.snez(r, r);
        return;
    case O::I8x16AllTrue: case O::I16x8AllTrue: case O::I32x4AllTrue: case O::I64x2AllTrue:
        vset(shape(op));
        m_asm.vmseq_vi(v0, a, 0);
        m_asm.vcpop_m(r, v0);
        m_asm.seqz(r, r);
        return;
    default: { // bitmask
        Sew sew = shape(op);
        vset(sew);
        m_asm.vmslt_vx(v0, a, zero);
        // Mask bits past vl are tail-agnostic (RVV §5.4): read 64 bits, keep `lanes`.
        vset(Sew::E64);
        m_asm.vmv_x_s(r, v0);
        u32 lanes = lanes_of(sew);
        m_asm.slli(r, r, 64 - lanes);
        m_asm.srli(r, r, 64 - lanes);
        return;
    }
    }
}

// ---------------------------------------------------------------- memory forms

void SimdEmitter::load_scalar(wasm::Opcode op, GpReg rd, GpReg base, i32 imm) noexcept
{
    switch (op) {
    case O::V128Load8Splat: case O::V128Load8Lane: m_asm.lbu(rd, base, imm); break;
    case O::V128Load16Splat: case O::V128Load16Lane: m_asm.lhu(rd, base, imm); break;
    case O::V128Load32Splat: case O::V128Load32Lane: case O::V128Load32Zero: m_asm.lwu(rd, base, imm); break;
    default: m_asm.ld(rd, base, imm); break; // 64-bit forms, loadMxN (8 bytes)
    }
}

void SimdEmitter::store_lane_scalar(wasm::Opcode op, GpReg rs, GpReg base, i32 imm) noexcept
{
    switch (lane_sew(op)) {
    case Sew::E8: m_asm.sb(rs, base, imm); break;
    case Sew::E16: m_asm.sh(rs, base, imm); break;
    case Sew::E32: m_asm.sw(rs, base, imm); break;
    default: m_asm.sd(rs, base, imm); break;
    }
}

bool SimdEmitter::finish_load(wasm::Opcode op, VecReg r, GpReg x) noexcept
{
    switch (op) {
    // §4.4.7.5 v128.loadN_splat.
    case O::V128Load8Splat: splat(Sew::E8, r, x); return true;
    case O::V128Load16Splat: splat(Sew::E16, r, x); return true;
    case O::V128Load32Splat: splat(Sew::E32, r, x); return true;
    case O::V128Load64Splat: splat(Sew::E64, r, x); return true;
    // §4.4.7.6 v128.loadN_zero: element 0 (e64) = the zero-extended value.
    case O::V128Load32Zero: case O::V128Load64Zero:
        vset(Sew::E64);
        m_asm.vmv_v_i(r, 0);
        m_asm.vmv_s_x(r, x);
        return true;
    // §4.4.7.4 v128.loadMxN_sx: 8 bytes, then vsext/vzext.vf2 (RVV §11.3).
    case O::V128Load8x8S: case O::V128Load8x8U: case O::V128Load16x4S: case O::V128Load16x4U:
    case O::V128Load32x2S: case O::V128Load32x2U: {
        vset(Sew::E64);
        m_asm.vmv_s_x(v1, x);
        bool is_signed = op == O::V128Load8x8S || op == O::V128Load16x4S || op == O::V128Load32x2S;
        Sew sew = (op == O::V128Load8x8S || op == O::V128Load8x8U) ? Sew::E16
            : (op == O::V128Load16x4S || op == O::V128Load16x4U) ? Sew::E32 : Sew::E64;
        vset(sew);
        if (is_signed)
            m_asm.vsext_vf2(r, v1);
        else
            m_asm.vzext_vf2(r, v1);
        return true;
    }
    default:
        return false;
    }
}

// ---------------------------------------------------------------- v128 -> v128

bool SimdEmitter::vector_op(wasm::Opcode op, VecReg r, VecReg a, VecReg b, VecReg c) noexcept
{
    op = deterministic(op);
    switch (op) {
    // §4.4.3.3 bitwise.
    case O::V128Not:
        slot_sew(); // bitwise: any whole-v128 vtype will do
        m_asm.vxor_vi(r, a, -1);
        return true;
    case O::V128And: case O::V128Or: case O::V128Xor: case O::V128AndNot:
        slot_sew();
        if (op == O::V128And) {
            m_asm.vand_vv(r, a, b);
        } else if (op == O::V128Or) {
            m_asm.vor_vv(r, a, b);
        } else if (op == O::V128Xor) {
            m_asm.vxor_vv(r, a, b);
        } else {
            m_asm.vxor_vi(v1, b, -1);
            m_asm.vand_vv(r, a, v1);
        }
        return true;
    case O::V128Bitselect:
        // (v1 & c) | (v2 & ~c) = v2 ^ ((v1 ^ v2) & c)
        slot_sew();
        m_asm.vxor_vv(v1, a, b);
        m_asm.vand_vv(v1, v1, c);
        m_asm.vxor_vv(r, b, v1);
        return true;
    case O::I8x16Eq: case O::I8x16Ne: case O::I8x16LtS: case O::I8x16LtU: case O::I8x16GtS: case O::I8x16GtU:
    case O::I8x16LeS: case O::I8x16LeU: case O::I8x16GeS: case O::I8x16GeU:
    case O::I16x8Eq: case O::I16x8Ne: case O::I16x8LtS: case O::I16x8LtU: case O::I16x8GtS: case O::I16x8GtU:
    case O::I16x8LeS: case O::I16x8LeU: case O::I16x8GeS: case O::I16x8GeU:
    case O::I32x4Eq: case O::I32x4Ne: case O::I32x4LtS: case O::I32x4LtU: case O::I32x4GtS: case O::I32x4GtU:
    case O::I32x4LeS: case O::I32x4LeU: case O::I32x4GeS: case O::I32x4GeU:
    case O::I64x2Eq: case O::I64x2Ne: case O::I64x2LtS: case O::I64x2GtS: case O::I64x2LeS: case O::I64x2GeS:
    case O::F32x4Eq: case O::F32x4Ne: case O::F32x4Lt: case O::F32x4Gt: case O::F32x4Le: case O::F32x4Ge:
    case O::F64x2Eq: case O::F64x2Ne: case O::F64x2Lt: case O::F64x2Gt: case O::F64x2Le: case O::F64x2Ge:
        compare(op, r, a, b);
        return true;
    default:
        break;
    }
    return integer_op(op, r, a, b) || float_op(op, r, a, b) || widening_op(op, r, a, b, c) || conversion_op(op, r, a, b);
}

// Comparisons (§4.4.3.4 vrelop): mask in v0, then all-ones lanes by vmerge.
void SimdEmitter::compare(wasm::Opcode op, VecReg r, VecReg a, VecReg b) noexcept
{
    vset(shape(op));
    switch (op) {
    case O::I8x16Eq: case O::I16x8Eq: case O::I32x4Eq: case O::I64x2Eq: m_asm.vmseq_vv(v0, a, b); break;
    case O::I8x16Ne: case O::I16x8Ne: case O::I32x4Ne: case O::I64x2Ne: m_asm.vmsne_vv(v0, a, b); break;
    case O::I8x16LtS: case O::I16x8LtS: case O::I32x4LtS: case O::I64x2LtS: m_asm.vmslt_vv(v0, a, b); break;
    case O::I8x16LtU: case O::I16x8LtU: case O::I32x4LtU: m_asm.vmsltu_vv(v0, a, b); break;
    case O::I8x16GtS: case O::I16x8GtS: case O::I32x4GtS: case O::I64x2GtS: m_asm.vmslt_vv(v0, b, a); break;
    case O::I8x16GtU: case O::I16x8GtU: case O::I32x4GtU: m_asm.vmsltu_vv(v0, b, a); break;
    case O::I8x16LeS: case O::I16x8LeS: case O::I32x4LeS: case O::I64x2LeS: m_asm.vmsle_vv(v0, a, b); break;
    case O::I8x16LeU: case O::I16x8LeU: case O::I32x4LeU: m_asm.vmsleu_vv(v0, a, b); break;
    case O::I8x16GeS: case O::I16x8GeS: case O::I32x4GeS: case O::I64x2GeS: m_asm.vmsle_vv(v0, b, a); break;
    case O::I8x16GeU: case O::I16x8GeU: case O::I32x4GeU: m_asm.vmsleu_vv(v0, b, a); break;
    // Floats (§4.3.3 feq/flt/fle: false when either is NaN, ne true): RVV §13.13.
    case O::F32x4Eq: case O::F64x2Eq: m_asm.vmfeq_vv(v0, a, b); break;
    case O::F32x4Ne: case O::F64x2Ne: m_asm.vmfne_vv(v0, a, b); break;
    case O::F32x4Lt: case O::F64x2Lt: m_asm.vmflt_vv(v0, a, b); break;
    case O::F32x4Gt: case O::F64x2Gt: m_asm.vmflt_vv(v0, b, a); break;
    case O::F32x4Le: case O::F64x2Le: m_asm.vmfle_vv(v0, a, b); break;
    default: m_asm.vmfle_vv(v0, b, a); break; // f.ge
    }
    m_asm.vmv_v_i(r, 0);
    m_asm.vmerge_vim(r, r, -1);
}

// Lane-wise integer arithmetic, swizzle, extends, popcnt, avgr.
bool SimdEmitter::integer_op(wasm::Opcode op, VecReg r, VecReg a, VecReg b) noexcept
{
    switch (op) {
    case O::I8x16Neg: case O::I16x8Neg: case O::I32x4Neg: case O::I64x2Neg:
        vset(shape(op));
        m_asm.vrsub_vi(r, a, 0);
        return true;
    // §4.3.2 iabs: max(a, -a) wraps the minimum to itself, as the spec says.
    case O::I8x16Abs: case O::I16x8Abs: case O::I32x4Abs: case O::I64x2Abs:
        vset(shape(op));
        m_asm.vrsub_vi(v1, a, 0);
        m_asm.vmax_vv(r, a, v1);
        return true;
    // §4.4.3.7 swizzle: an index >= 16 gives 0. vrgather gives 0 only from
    // VLMAX up (RVV §16.4), so lanes with index > 15 are cleared by mask.
    case O::I8x16Swizzle:
        vset(Sew::E8);
        m_asm.vrgather_vv(r, a, b);
        m_asm.vmsgtu_vi(v0, b, 15);
        m_asm.vmerge_vim(r, r, 0);
        return true;
    // §4.4.3.10 vcvtop extend_low/high: vsext/vzext.vf2 of the low half, or
    // of the high half slid down (RVV §11.3, §16.3.2).
    case O::I16x8ExtendLowI8x16S: case O::I16x8ExtendHighI8x16S: case O::I16x8ExtendLowI8x16U: case O::I16x8ExtendHighI8x16U:
    case O::I32x4ExtendLowI16x8S: case O::I32x4ExtendHighI16x8S: case O::I32x4ExtendLowI16x8U: case O::I32x4ExtendHighI16x8U:
    case O::I64x2ExtendLowI32x4S: case O::I64x2ExtendHighI32x4S: case O::I64x2ExtendLowI32x4U: case O::I64x2ExtendHighI32x4U: {
        StringView name = wasm::opcode_info(op).name;
        Sew dest = shape(op);
        VecReg from = a;
        if (name.contains("high"_sv)) {
            vset(Sew(u8(dest) - 1));
            m_asm.vslidedown_vi(v1, a, i32(lanes_of(dest)));
            from = v1;
        }
        vset(dest);
        if (name.ends_with("_s"_sv))
            m_asm.vsext_vf2(r, from);
        else
            m_asm.vzext_vf2(r, from);
        return true;
    }
    // §4.3.2 ipopcnt, per byte (no Zvbb): the SWAR sum of bit pairs, nibbles, bytes.
    case O::I8x16Popcnt:
        vset(Sew::E8);
        m_asm.li(t5, 0x55);
        m_asm.vsrl_vi(v3, a, 1);
        m_asm.vand_vx(v3, v3, t5);
        m_asm.vsub_vv(v3, a, v3);
        m_asm.li(t5, 0x33);
        m_asm.vsrl_vi(v4, v3, 2);
        m_asm.vand_vx(v4, v4, t5);
        m_asm.vand_vx(v3, v3, t5);
        m_asm.vadd_vv(v3, v3, v4);
        m_asm.vsrl_vi(v4, v3, 4);
        m_asm.vadd_vv(v3, v3, v4);
        m_asm.vand_vi(r, v3, 15);
        return true;
    // §4.3.2 iavgr_u = (a + b + 1) / 2 = (a | b) - ((a ^ b) >> 1), no overflow.
    case O::I8x16AvgrU: case O::I16x8AvgrU:
        vset(op == O::I8x16AvgrU ? Sew::E8 : Sew::E16);
        m_asm.vor_vv(v3, a, b);
        m_asm.vxor_vv(v4, a, b);
        m_asm.vsrl_vi(v4, v4, 1);
        m_asm.vsub_vv(r, v3, v4);
        return true;
    // §4.3.2 iq15mulr_sat_s = sat16((a * b + 2^14) >> 15): vsmul (RVV
    // §12.3) with vxrm = round-to-nearest-up (0), set here.
    case O::I16x8Q15mulrSatS:
        vset(Sew::E16);
        m_asm.csrrwi(zero, 0x00a, 0); // vxrm = rnu
        m_asm.vsmul_vv(r, a, b);
        return true;
    default:
        break;
    }
    // §4.4.3.4 vbinop: wrapping or saturating (RVV §12.1 vsadd/vssub
    // saturate exactly as iadd_sat/isub_sat), min, max.
    auto emit = [&](void (Assembler::*f)(VecReg, VecReg, VecReg, VMask)) {
        vset(shape(op));
        (m_asm.*f)(r, a, b, VMask::Unmasked);
        return true;
    };
    switch (op) {
    case O::I8x16Add: case O::I16x8Add: case O::I32x4Add: case O::I64x2Add: return emit(&Assembler::vadd_vv);
    case O::I8x16Sub: case O::I16x8Sub: case O::I32x4Sub: case O::I64x2Sub: return emit(&Assembler::vsub_vv);
    case O::I16x8Mul: case O::I32x4Mul: case O::I64x2Mul: return emit(&Assembler::vmul_vv);
    case O::I8x16AddSatS: case O::I16x8AddSatS: return emit(&Assembler::vsadd_vv);
    case O::I8x16AddSatU: case O::I16x8AddSatU: return emit(&Assembler::vsaddu_vv);
    case O::I8x16SubSatS: case O::I16x8SubSatS: return emit(&Assembler::vssub_vv);
    case O::I8x16SubSatU: case O::I16x8SubSatU: return emit(&Assembler::vssubu_vv);
    case O::I8x16MinS: case O::I16x8MinS: case O::I32x4MinS: return emit(&Assembler::vmin_vv);
    case O::I8x16MinU: case O::I16x8MinU: case O::I32x4MinU: return emit(&Assembler::vminu_vv);
    case O::I8x16MaxS: case O::I16x8MaxS: case O::I32x4MaxS: return emit(&Assembler::vmax_vv);
    case O::I8x16MaxU: case O::I16x8MaxU: case O::I32x4MaxU: return emit(&Assembler::vmaxu_vv);
    default: return false;
    }
}

// Float arithmetic, min/max, pmin/pmax and rounding.
bool SimdEmitter::float_op(wasm::Opcode op, VecReg r, VecReg a, VecReg b) noexcept
{
    StringView name = wasm::opcode_info(op).name;
    Sew sew = name.starts_with("f64x2"_sv) ? Sew::E64 : Sew::E32;
    switch (op) {
    // §4.3.3 fabs/fneg are sign-bit operations (NaN payloads kept): the
    // sign-injection instructions (RVV §13.12) never canonicalize.
    case O::F32x4Abs: case O::F64x2Abs: vset(sew); m_asm.vfsgnjx_vv(r, a, a); return true;
    case O::F32x4Neg: case O::F64x2Neg: vset(sew); m_asm.vfsgnjn_vv(r, a, a); return true;
    case O::F32x4Sqrt: case O::F64x2Sqrt: vset(sew); m_asm.vfsqrt_v(r, a); return true;
    // §4.3.3 fadd..fdiv: IEEE 754 round-to-nearest-even (frm stays RNE in
    // wasm code: the scalar ops use static rounding); a NaN result is the
    // canonical NaN, which §4.3.3 allows for arithmetic NaN results too.
    case O::F32x4Add: case O::F64x2Add: vset(sew); m_asm.vfadd_vv(r, a, b); return true;
    case O::F32x4Sub: case O::F64x2Sub: vset(sew); m_asm.vfsub_vv(r, a, b); return true;
    case O::F32x4Mul: case O::F64x2Mul: vset(sew); m_asm.vfmul_vv(r, a, b); return true;
    case O::F32x4Div: case O::F64x2Div: vset(sew); m_asm.vfdiv_vv(r, a, b); return true;
    // §4.3.3 fmin/fmax: NaN if either operand is NaN, -0 < +0. vfmin/vfmax
    // (RVV §13.11, IEEE minimumNumber) order the zeros but return the other
    // operand for one NaN: NaN lanes take vfadd's (canonical) NaN instead.
    case O::F32x4Min: case O::F32x4Max: case O::F64x2Min: case O::F64x2Max:
        vset(sew);
        if (op == O::F32x4Min || op == O::F64x2Min)
            m_asm.vfmin_vv(v3, a, b);
        else
            m_asm.vfmax_vv(v3, a, b);
        m_asm.vmfne_vv(v0, a, a);
        m_asm.vmfne_vv(v4, b, b);
        m_asm.vmor_mm(v0, v0, v4);
        m_asm.vfadd_vv(v5, a, b);
        m_asm.vmerge_vvm(r, v3, v5);
        return true;
    // §4.3.3 fpmin(a, b) = b < a ? b : a; fpmax(a, b) = a < b ? b : a (bits kept).
    case O::F32x4Pmin: case O::F32x4Pmax: case O::F64x2Pmin: case O::F64x2Pmax:
        vset(sew);
        if (op == O::F32x4Pmin || op == O::F64x2Pmin)
            m_asm.vmflt_vv(v0, b, a);
        else
            m_asm.vmflt_vv(v0, a, b);
        m_asm.vmerge_vvm(r, a, b); // v0 ? b : a
        return true;
    // §4.3.3 fceil/ffloor/ftrunc/fnearest: lanes with |a| < 2^23 (2^52)
    // convert to an integer with frm = RUP/RDN/RTZ/RNE and back, keeping a's
    // sign (-0.5 -> -0); the other lanes are already integral, infinite or
    // NaN: vfmin(a, a) keeps them and quiets a NaN (§4.3.3 nans).
    case O::F32x4Ceil: case O::F32x4Floor: case O::F32x4Trunc: case O::F32x4Nearest:
    case O::F64x2Ceil: case O::F64x2Floor: case O::F64x2Trunc: case O::F64x2Nearest: {
        u32 mode = name.ends_with("ceil"_sv) ? 3 : name.ends_with("floor"_sv) ? 2 : name.ends_with("trunc"_sv) ? 1 : 0;
        vset(sew);
        if (sew == Sew::E64) {
            m_asm.li(t5, i64(0x4330000000000000ull));
            m_asm.fmv_d_x(ft11, t5);
        } else {
            m_asm.li(t5, 0x4b000000);
            m_asm.fmv_w_x(ft11, t5);
        }
        m_asm.vfsgnjx_vv(v4, a, a);
        m_asm.vmflt_vf(v0, v4, ft11);
        m_asm.csrrwi(t5, 0x002, mode);
        m_asm.vfcvt_x_f_v(v3, a);
        m_asm.csrrw(zero, 0x002, t5);
        m_asm.vfcvt_f_x_v(v3, v3);
        m_asm.vfsgnj_vv(v3, v3, a);
        m_asm.vfmin_vv(v5, a, a);
        m_asm.vmerge_vvm(r, v5, v3);
        return true;
    }
    default:
        return false;
    }
}

// Pairwise/extending/dot multiplies, fused multiply-adds and narrowing.
bool SimdEmitter::widening_op(wasm::Opcode op, VecReg r, VecReg a, VecReg b, VecReg c) noexcept
{
    StringView name = wasm::opcode_info(op).name;
    switch (op) {
    // §4.4.3.11 extadd_pairwise: in the wide shape, lane i holds the pair
    // (low half = even lane): sign/zero-extend both halves and add.
    case O::I16x8ExtaddPairwiseI8x16S: case O::I16x8ExtaddPairwiseI8x16U:
    case O::I32x4ExtaddPairwiseI16x8S: case O::I32x4ExtaddPairwiseI16x8U: {
        bool wide32 = op == O::I32x4ExtaddPairwiseI16x8S || op == O::I32x4ExtaddPairwiseI16x8U;
        bool is_signed = op == O::I16x8ExtaddPairwiseI8x16S || op == O::I32x4ExtaddPairwiseI16x8S;
        i32 h = wide32 ? 16 : 8;
        vset(wide32 ? Sew::E32 : Sew::E16);
        m_asm.vsll_vi(v3, a, h);
        if (is_signed) {
            m_asm.vsra_vi(v3, v3, h);
            m_asm.vsra_vi(v4, a, h);
        } else {
            m_asm.vsrl_vi(v3, v3, h);
            m_asm.vsrl_vi(v4, a, h);
        }
        m_asm.vadd_vv(r, v3, v4);
        return true;
    }
    // §4.4.3.12 i32x4.dot_i16x8_s: even products + odd products (wrapping).
    // i16x8.relaxed_dot_i8x16_i7x16_s (k23: both operands signed, the sum
    // wrapped) is the same one size down. In the wide shape the even lane is
    // the low half (little-endian): shl+sra sign-extends it, sra the odd one;
    // a product of two halves fits the wide lane.
    // i32x4.relaxed_dot_i8x16_i7x16_add_s (k23: the four signed products
    // summed exactly, + c, wrapped): the i16 even and odd products, each
    // sign-extended in its two halves at e32 and summed with c.
    case O::I32x4DotI16x8S: case O::I16x8RelaxedDotI8x16I7x16S: case O::I32x4RelaxedDotI8x16I7x16AddS: {
        bool add = op == O::I32x4RelaxedDotI8x16I7x16AddS;
        bool from16 = op == O::I32x4DotI16x8S;
        i32 h = from16 ? 16 : 8;
        vset(from16 ? Sew::E32 : Sew::E16);
        m_asm.vsll_vi(v3, a, h);
        m_asm.vsra_vi(v3, v3, h);
        m_asm.vsll_vi(v4, b, h);
        m_asm.vsra_vi(v4, v4, h);
        m_asm.vmul_vv(v3, v3, v4); // even products
        m_asm.vsra_vi(v4, a, h);
        m_asm.vsra_vi(v5, b, h);
        m_asm.vmul_vv(v4, v4, v5); // odd products
        if (!add) {
            m_asm.vadd_vv(r, v3, v4);
            return true;
        }
        vset(Sew::E32);
        m_asm.vsll_vi(v5, v3, 16);
        m_asm.vsra_vi(v5, v5, 16);
        m_asm.vsra_vi(v6, v3, 16);
        m_asm.vadd_vv(v5, v5, v6);
        m_asm.vsll_vi(v6, v4, 16);
        m_asm.vsra_vi(v6, v6, 16);
        m_asm.vadd_vv(v5, v5, v6);
        m_asm.vsra_vi(v6, v4, 16);
        m_asm.vadd_vv(v5, v5, v6);
        m_asm.vadd_vv(r, v5, c);
        return true;
    }
    // relaxed_madd(a, b, c) = a*b + c and relaxed_nmadd(a, b, c) = -(a*b) + c,
    // fused (k23's choice, one rounding, frm = RNE). RVV §13.6: vfmacc.vv
    // vd, vs1, vs2 computes vd = +(vs1*vs2) + vd and vfnmsac.vv vd = -(vs1*vs2)
    // + vd, overwriting the addend: r = c first. A NaN result is RVV's
    // canonical NaN (§13.3 / F §11.3), as the scalar path's.
    case O::F32x4RelaxedMadd: case O::F32x4RelaxedNmadd: case O::F64x2RelaxedMadd: case O::F64x2RelaxedNmadd:
        vset(name.starts_with("f64x2"_sv) ? Sew::E64 : Sew::E32);
        m_asm.vmv_v_v(r, c);
        if (op == O::F32x4RelaxedMadd || op == O::F64x2RelaxedMadd)
            m_asm.vfmacc_vv(r, a, b);
        else
            m_asm.vfnmsac_vv(r, a, b);
        return true;
    // §4.4.3.13 extmul: extend both halves to the wide shape, multiply there
    // (the product fits the wide lane).
    case O::I16x8ExtmulLowI8x16S: case O::I16x8ExtmulHighI8x16S: case O::I16x8ExtmulLowI8x16U: case O::I16x8ExtmulHighI8x16U:
    case O::I32x4ExtmulLowI16x8S: case O::I32x4ExtmulHighI16x8S: case O::I32x4ExtmulLowI16x8U: case O::I32x4ExtmulHighI16x8U:
    case O::I64x2ExtmulLowI32x4S: case O::I64x2ExtmulHighI32x4S: case O::I64x2ExtmulLowI32x4U: case O::I64x2ExtmulHighI32x4U: {
        Sew dest = shape(op);
        VecReg x = a, y = b;
        if (name.contains("high"_sv)) {
            vset(Sew(u8(dest) - 1));
            m_asm.vslidedown_vi(v3, a, i32(lanes_of(dest)));
            m_asm.vslidedown_vi(v4, b, i32(lanes_of(dest)));
            x = v3;
            y = v4;
        }
        vset(dest);
        if (name.ends_with("_s"_sv)) {
            m_asm.vsext_vf2(v5, x);
            m_asm.vsext_vf2(v6, y);
        } else {
            m_asm.vzext_vf2(v5, x);
            m_asm.vzext_vf2(v6, y);
        }
        m_asm.vmul_vv(r, v5, v6);
        return true;
    }
    // §4.4.3.14 narrow: saturate (signed input) in the wide shape, then
    // vnsrl.wi 0 (RVV §11.7) into half a register, twice.
    case O::I8x16NarrowI16x8S: case O::I8x16NarrowI16x8U: case O::I16x8NarrowI32x4S: case O::I16x8NarrowI32x4U: {
        bool to8 = op == O::I8x16NarrowI16x8S || op == O::I8x16NarrowI16x8U;
        bool is_signed = op == O::I8x16NarrowI16x8S || op == O::I16x8NarrowI32x4S;
        Sew wide = to8 ? Sew::E16 : Sew::E32;
        Sew narrow = to8 ? Sew::E8 : Sew::E16;
        i64 high = is_signed ? (to8 ? 127 : 32767) : (to8 ? 255 : 65535);
        i64 low = is_signed ? (to8 ? -128 : -32768) : 0;
        u32 half = lanes_of(wide);
        vset(wide);
        m_asm.li(t4, low);
        m_asm.li(t5, high);
        m_asm.vmax_vx(v3, a, t4);
        m_asm.vmin_vx(v3, v3, t5);
        m_asm.vmax_vx(v4, b, t4);
        m_asm.vmin_vx(v4, v4, t5);
        vset_exact(narrow, Lmul::MF2, half);
        m_asm.vnsrl_wi(r, v3, 0);
        m_asm.vnsrl_wi(v5, v4, 0);
        vset(narrow);
        m_asm.vslideup_vi(r, v5, i32(half));
        return true;
    }
    default:
        return false;
    }
}

// §4.4.3.15 conversions. frm is RNE in wasm code; the RISC-V conversions
// saturate out-of-range values, and NaN lanes are zeroed.
bool SimdEmitter::conversion_op(wasm::Opcode op, VecReg r, VecReg a, VecReg) noexcept
{
    switch (op) {
    case O::F32x4ConvertI32x4S: case O::F32x4ConvertI32x4U:
        vset(Sew::E32);
        if (op == O::F32x4ConvertI32x4S)
            m_asm.vfcvt_f_x_v(r, a);
        else
            m_asm.vfcvt_f_xu_v(r, a);
        return true;
    case O::I32x4TruncSatF32x4S: case O::I32x4TruncSatF32x4U:
        vset(Sew::E32);
        // frm = RTZ around vfcvt rather than vfcvt.rtz: the .rtz forms hit
        // an assertion in the QEMU the tests run under (same result).
        m_asm.csrrwi(t5, 0x002, 1);
        if (op == O::I32x4TruncSatF32x4S)
            m_asm.vfcvt_x_f_v(v3, a);
        else
            m_asm.vfcvt_xu_f_v(v3, a);
        m_asm.csrrw(zero, 0x002, t5);
        m_asm.vmfne_vv(v0, a, a);
        m_asm.vmerge_vim(r, v3, 0);
        return true;
    case O::I32x4TruncSatF64x2SZero: case O::I32x4TruncSatF64x2UZero: case O::F32x4DemoteF64x2Zero:
        vset(Sew::E64);
        m_asm.vmfne_vv(v0, a, a);
        vset_exact(Sew::E32, Lmul::MF2, 2);
        if (op == O::I32x4TruncSatF64x2SZero || op == O::I32x4TruncSatF64x2UZero) {
            m_asm.csrrwi(t5, 0x002, 1); // frm = RTZ (see trunc_sat_f32x4)
            if (op == O::I32x4TruncSatF64x2SZero)
                m_asm.vfncvt_x_f_w(v3, a);
            else
                m_asm.vfncvt_xu_f_w(v3, a);
            m_asm.csrrw(zero, 0x002, t5);
        } else {
            m_asm.vfncvt_f_f_w(v3, a); // NaN -> canonical NaN (allowed)
        }
        if (op != O::F32x4DemoteF64x2Zero)
            m_asm.vmerge_vim(v3, v3, 0);
        // Lanes 2 and 3 are zero: zero everything, then copy two lanes
        // tail-undisturbed.
        vset(Sew::E32);
        m_asm.vmv_v_i(r, 0);
        vset_exact(Sew::E32, Lmul::M1, 2, TailPolicy::Undisturbed);
        m_asm.vmv_v_v(r, v3);
        return true;
    case O::F64x2ConvertLowI32x4S: case O::F64x2ConvertLowI32x4U: case O::F64x2PromoteLowF32x4:
        vset_exact(Sew::E32, Lmul::MF2, 2);
        if (op == O::F64x2ConvertLowI32x4S)
            m_asm.vfwcvt_f_x_v(r, a);
        else if (op == O::F64x2ConvertLowI32x4U)
            m_asm.vfwcvt_f_xu_v(r, a);
        else
            m_asm.vfwcvt_f_f_v(r, a);
        return true;
    default:
        return false;
    }
}

} // namespace k23::jit
