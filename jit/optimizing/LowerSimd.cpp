// The optimizing tier's SIMD (core spec 2.0 §4.4.3 "Vector Instructions",
// §4.4.7 for the memory forms), lowered to RVV 1.0 with the baseline's
// per-opcode sequences (jit/SimdEmit.h), so both tiers compute the same
// results, relaxed SIMD's deterministic choices included.
//
// v128 values get vector registers from their own pool (v12-v31) in a
// linear scan of their own, one location per value (RegAlloc.cpp calls
// allocate_vector for them before splitting the others' live ranges): v0 holds masks, v1-v6 are the emitter's
// scratch, v8-v10 take operands filled from slots and v11 a result bound
// for its slot (and breaks move cycles). Every vector register is
// caller-saved (jit/Abi.h): a v128 live across a call lives in a 16-byte
// slot below the 8-byte ones, filled and spilled with vle/vse at a
// whole-v128 vtype (SimdEmitter::slot_sew, usually the current one).
//
// vtype: one tracker for the function, in emission order. vsetivli is
// emitted only where an operation needs another element width than the
// current one; at a block's entry the vtype is known only when every
// predecessor is already emitted and left with the same vtype (so a loop
// header starts unknown), and it is forgotten after calls and helper
// calls (vtype is undefined after a call, jit/Abi.h). Edge moves through
// v128 slots set their own vtype and leave it unknown: they may run on one
// path of a branch only.
//
// Harts without V: LowerSimdScalar.cpp.

#include <jit/optimizing/Lowerer.h>

namespace k23::jit::optimizing::detail {

namespace {

constexpr u8 first_pool_vec = 12;
constexpr VecReg operand_scratch[3] = { v8, v9, v10 };
constexpr VecReg result_scratch = v11;

} // namespace

Result<void> Lowerer::check_simd() noexcept
{
    return {};
}

bool Lowerer::is_simd(const Inst& inst) const noexcept
{
    switch (inst.op) {
    case Op::Simd:
        return true;
    case Op::Load:
    case Op::Select:
    case Op::GlobalGet:
        return inst.type == Type::V128;
    case Op::Store:
        return inst.arg_count == 2 && m_f.values[m_f.operands[inst.args_begin + 1]].type == Type::V128;
    case Op::GlobalSet:
        return inst.arg_count == 1 && m_f.values[m_f.operands[inst.args_begin]].type == Type::V128;
    default:
        return false;
    }
}

// ---------------------------------------------------------------- allocation

Result<void> Lowerer::reset_vectors() noexcept
{
    for (auto& active : m_active_vec)
        active = no_id;
    m_vslots = 0;
    m_vslot_end.clear();
    if (scalar_simd()) {
        // Slot 0: the scratch of move cycles and of results nothing reads.
        m_vslots = 1;
        TRY(m_vslot_end.try_append(~u32(0)));
    }
    m_vtype = {};
    m_vtype_exit.clear();
    TRY(m_vtype_exit.try_resize(m_f.blocks.size()));
    return {};
}

// Linear scan over the vector pool (allocate() runs it before splitting
// the others' live ranges; v128 values are not split): a value live
// across a call goes to a 16-byte slot; when the pool is full, whichever
// ends last does. An edge argument and its parameter prefer one
// register (or slot).
Result<void> Lowerer::allocate_vector(ValueId v) noexcept
{
    const auto& iv = m_s.intervals[v];
    for (u32 r = first_pool_vec; r < 32; ++r) {
        if (m_active_vec[r] != no_id && m_s.intervals[m_active_vec[r]].end < iv.start)
            m_active_vec[r] = no_id;
    }
    auto to_vslot = [&](ValueId x) -> Result<void> {
        const auto& xi = m_s.intervals[x];
        Location& loc = m_s.locations[x];
        loc.kind = kind_vslot;
        ValueId partner = m_partner[x];
        if (partner != no_id && m_s.locations[partner].kind == kind_vslot && m_vslot_end[m_s.locations[partner].slot] < xi.start) {
            loc.slot = m_s.locations[partner].slot;
            m_vslot_end[loc.slot] = xi.end;
            return {};
        }
        for (u32 s = 0; s < m_vslots; ++s) {
            if (m_vslot_end[s] < xi.start) {
                loc.slot = s;
                m_vslot_end[s] = xi.end;
                return {};
            }
        }
        loc.slot = m_vslots++;
        return m_vslot_end.try_append(xi.end);
    };
    if (first_call_inside(iv.start, iv.end) != no_id || scalar_simd())
        return to_vslot(v);
    i32 chosen = -1;
    ValueId partner = m_partner[v];
    if (partner != no_id && m_s.locations[partner].kind == kind_vec && m_active_vec[m_s.locations[partner].reg] == no_id)
        chosen = m_s.locations[partner].reg;
    for (u32 r = first_pool_vec; chosen < 0 && r < 32; ++r) {
        if (m_active_vec[r] == no_id)
            chosen = i32(r);
    }
    if (chosen < 0) {
        i32 furthest = -1;
        for (u32 r = first_pool_vec; r < 32; ++r) {
            if (furthest < 0 || m_s.intervals[m_active_vec[r]].end > m_s.intervals[m_active_vec[furthest]].end)
                furthest = i32(r);
        }
        if (m_s.intervals[m_active_vec[furthest]].end <= iv.end)
            return to_vslot(v);
        TRY(to_vslot(m_active_vec[furthest]));
        chosen = furthest;
    }
    m_active_vec[chosen] = v;
    m_s.locations[v].kind = kind_vec;
    m_s.locations[v].reg = u8(chosen);
    return {};
}

// ---------------------------------------------------------------- locations and moves

// The 16-byte slots lie below the 8-byte ones: slot k at fp - A - 16(k + 1),
// A = the 8-byte slots' bytes rounded up to 16 (emit() sizes the frame).
GpReg Lowerer::vslot_address(u32 vslot) noexcept
{
    i64 scalar = i64((8 + 8 * u64(m_slots) + 15) & ~u64(15));
    m_asm.add_immediate(t6, abi::frame, -(scalar + 16 * (i64(vslot) + 1)), t6);
    return t6;
}

VecReg Lowerer::use_vec(ValueId v, VecReg scratch) noexcept
{
    const Location& loc = m_s.locations[v];
    if (loc.kind == kind_vec)
        return VecReg(loc.reg);
    if (loc.kind == kind_vslot) {
        GpReg address = vslot_address(loc.slot);
        m_asm.vle(simd().slot_sew(), scratch, address);
    }
    return scratch;
}

VecReg Lowerer::def_vec(ValueId v) noexcept
{
    const Location& loc = m_s.locations[v];
    return loc.kind == kind_vec ? VecReg(loc.reg) : result_scratch;
}

void Lowerer::finish_vec(ValueId v, VecReg r) noexcept
{
    const Location& loc = m_s.locations[v];
    if (loc.kind != kind_vslot)
        return;
    GpReg address = vslot_address(loc.slot);
    m_asm.vse(simd().slot_sew(), r, address);
}

// Edge moves: whole-register moves need no vtype (RVV §16.6); a fill or
// spill sets e8 and leaves the vtype unknown (see the file comment). Slot
// to slot goes through t4 (t5 may hold a saved cycle value).
void Lowerer::emit_vec_move(const Move& m) noexcept
{
    if (m.src.kind == kind_vec && m.dst.kind == kind_vec) {
        m_asm.vmvr(1, VecReg(m.dst.reg), VecReg(m.src.reg));
        return;
    }
    if (m.src.kind == kind_vslot && m.dst.kind == kind_vslot) {
        for (i32 half = 0; half < 16; half += 8) {
            m_asm.ld(t4, vslot_address(m.src.slot), half);
            m_asm.sd(t4, vslot_address(m.dst.slot), half);
        }
        return;
    }
    SimdEmitter e = simd();
    e.forget();
    e.vset(Sew::E8);
    if (m.src.kind == kind_vslot)
        m_asm.vle(Sew::E8, VecReg(m.dst.reg), vslot_address(m.src.slot));
    else
        m_asm.vse(Sew::E8, VecReg(m.src.reg), vslot_address(m.dst.slot));
    e.forget();
}

// v128 arguments and results: two 8-byte stack slots, low half first
// (jit/Abi.h), so a vector register or a 16-byte slot on our side. A
// register goes through t4 = the address at the current whole-v128 vtype;
// a slot copies its halves through t4 (t6 forms far addresses).
void Lowerer::load_v128(const Location& dst, GpReg base, i64 offset) noexcept
{
    if (dst.kind == kind_vslot) {
        for (i64 half = 0; half < 16; half += 8) {
            m_asm.load(Access::I64, t4, base, offset + half);
            m_asm.sd(t4, vslot_address(dst.slot), i32(half));
        }
        return;
    }
    if (dst.kind != kind_vec)
        return;
    m_asm.add_immediate(t4, base, offset, t4);
    m_asm.vle(simd().slot_sew(), VecReg(dst.reg), t4);
}

void Lowerer::store_v128(const Location& src, GpReg base, i64 offset) noexcept
{
    if (src.kind == kind_vslot) {
        for (i64 half = 0; half < 16; half += 8) {
            m_asm.ld(t4, vslot_address(src.slot), i32(half));
            m_asm.store(Access::I64, t4, base, offset + half);
        }
        return;
    }
    m_asm.add_immediate(t4, base, offset, t4);
    m_asm.vse(simd().slot_sew(), VecReg(src.reg), t4);
}

// ---------------------------------------------------------------- vtype along the control flow

void Lowerer::vtype_at_block(BlockId b) noexcept
{
    m_vtype.known = false;
    VTypeState agreed;
    bool first = true;
    for (BlockId p : m_s.cfg.predecessors(b)) {
        const VTypeState& exit = m_vtype_exit[p]; // unknown until p is emitted
        if (!exit.known || (!first && !agreed.same(exit)))
            return;
        agreed = exit;
        first = false;
    }
    if (!first)
        m_vtype = agreed;
}

void Lowerer::vtype_after(InstId i, BlockId b, const VTypeState& before) noexcept
{
    const Inst& inst = m_f.insts[i];
    HelperShape shape;
    if (inst.op == Op::Call || inst.op == Op::CallIndirect || helper_shape(inst, shape))
        m_vtype.known = false;
    // Every edge leaves with the vtype the terminator started with, unless
    // its lowering (edge moves) changed it on some path.
    if (is_terminator(inst.op))
        m_vtype_exit[b] = m_vtype.same(before) ? before : VTypeState {};
}

// ---------------------------------------------------------------- lowering

Location Lowerer::vec_scratch() const noexcept
{
    Location scratch;
    if (scalar_simd()) {
        scratch.kind = kind_vslot;
        scratch.slot = 0;
    } else {
        scratch.kind = kind_vec;
        scratch.reg = result_scratch.id();
    }
    return scratch;
}

void Lowerer::lower_simd(InstId i) noexcept
{
    if (scalar_simd())
        return lower_simd_scalar(i);
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    switch (inst.op) {
    case Op::Simd:
        return lower_simd_op(i);
    case Op::Load:
    case Op::Store:
        return lower_simd_memory(i);
    case Op::Select: {
        // §4.4.4 select: val1 if c is not zero, else val2 (the result's
        // register is neither operand's: their intervals overlap it).
        ValueId v = m_f.result(i);
        GpReg c = use_gp(args[0], t4);
        VecReg a = use_vec(args[1], v8);
        VecReg b = use_vec(args[2], v9);
        VecReg r = def_vec(v);
        Label done = m_asm.new_label();
        m_asm.vmvr(1, r, a);
        m_asm.bnez(c, done);
        m_asm.vmvr(1, r, b);
        m_asm.bind(done);
        finish_vec(v, r);
        return;
    }
    case Op::GlobalGet: {
        // A v128 global's 16 bytes are the Value's payload (jit/VMContext.h).
        ValueId v = m_f.result(i);
        m_asm.load_context_pointer(t4, abi::vmctx, VMOffsets::globals, inst.index);
        VecReg r = def_vec(v);
        simd().vset(Sew::E8);
        m_asm.vle(Sew::E8, r, t4);
        finish_vec(v, r);
        return;
    }
    case Op::GlobalSet: {
        VecReg a = use_vec(args[0], v8);
        m_asm.load_context_pointer(t4, abi::vmctx, VMOffsets::globals, inst.index);
        simd().vset(Sew::E8);
        m_asm.vse(Sew::E8, a, t4);
        return;
    }
    default:
        m_asm.code().set_error(unsupported("optimizing: SIMD operation not lowered"));
        return;
    }
}

void Lowerer::lower_simd_op(InstId i) noexcept
{
    using O = wasm::Opcode;
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    ValueId v = m_f.result(i);
    O op = inst.wasm_op;
    SimdEmitter e = simd();
    switch (op) {
    case O::V128Const: {
        VecReg r = def_vec(v);
        e.constant(r, inst.imm, u64(inst.index) | u64(inst.index2) << 32);
        return finish_vec(v, r);
    }
    case O::I8x16Shuffle: {
        u8 lanes[16];
        u64 hi = u64(inst.index) | u64(inst.index2) << 32;
        for (u32 k = 0; k < 8; ++k) {
            lanes[k] = u8(inst.imm >> (8 * k));
            lanes[8 + k] = u8(hi >> (8 * k));
        }
        VecReg a = use_vec(args[0], v8);
        VecReg b = use_vec(args[1], v9);
        VecReg r = def_vec(v);
        e.shuffle(r, a, b, lanes);
        return finish_vec(v, r);
    }
    case O::I8x16ExtractLaneS: case O::I8x16ExtractLaneU: case O::I16x8ExtractLaneS: case O::I16x8ExtractLaneU:
    case O::I32x4ExtractLane: case O::I64x2ExtractLane: case O::V128AnyTrue: case O::I8x16AllTrue: case O::I16x8AllTrue:
    case O::I32x4AllTrue: case O::I64x2AllTrue: case O::I8x16Bitmask: case O::I16x8Bitmask: case O::I32x4Bitmask:
    case O::I64x2Bitmask: {
        VecReg a = use_vec(args[0], v8);
        GpReg rd = def_gp(v);
        if (inst.arg_count == 1 && wasm::opcode_info(op).immediates == wasm::Imm::Lane)
            e.extract_lane(op, u8(inst.imm), a, rd);
        else
            e.to_scalar(op, rd, a);
        return finish_gp(v, rd);
    }
    case O::F32x4ExtractLane: case O::F64x2ExtractLane: {
        VecReg a = use_vec(args[0], v8);
        FpReg fd = def_fp(v);
        e.extract_lane(op, u8(inst.imm), a, fd);
        return finish_fp(v, fd);
    }
    case O::I8x16ReplaceLane: case O::I16x8ReplaceLane: case O::I32x4ReplaceLane: case O::I64x2ReplaceLane:
    case O::F32x4ReplaceLane: case O::F64x2ReplaceLane:
    case O::I8x16Splat: case O::I16x8Splat: case O::I32x4Splat: case O::I64x2Splat: case O::F32x4Splat: case O::F64x2Splat: {
        bool splat = inst.arg_count == 1;
        ValueId scalar = args[splat ? 0 : 1];
        GpReg x = t5;
        if (is_float(m_f.values[scalar].type)) {
            FpReg f = use_fp(scalar, ft10);
            if (m_f.values[scalar].type == Type::F32)
                m_asm.fmv_x_w(t5, f);
            else
                m_asm.fmv_x_d(t5, f);
        } else {
            x = use_gp(scalar, t5);
        }
        VecReg r = def_vec(v);
        if (splat) {
            e.splat(SimdEmitter::shape(op), r, x);
        } else {
            VecReg a = use_vec(args[0], v8);
            e.insert_lane(SimdEmitter::lane_sew(op), u8(inst.imm), r, a, x);
        }
        return finish_vec(v, r);
    }
    case O::I8x16Shl: case O::I8x16ShrS: case O::I8x16ShrU: case O::I16x8Shl: case O::I16x8ShrS: case O::I16x8ShrU:
    case O::I32x4Shl: case O::I32x4ShrS: case O::I32x4ShrU: case O::I64x2Shl: case O::I64x2ShrS: case O::I64x2ShrU: {
        VecReg a = use_vec(args[0], v8);
        VecReg r = def_vec(v);
        i64 count;
        u32 amount;
        if (const_of(args[1], count) && SimdEmitter::shift_immediate(op, u64(count), amount))
            e.shift_by(op, r, a, amount);
        else
            e.shift(op, r, a, use_gp(args[1], t5));
        return finish_vec(v, r);
    }
    default:
        break;
    }
    VecReg operands[3] = { v0, v0, v0 };
    for (u32 k = 0; k < inst.arg_count && k < 3; ++k)
        operands[k] = use_vec(args[k], operand_scratch[k]);
    VecReg r = def_vec(v);
    if (inst.arg_count > 3 || !e.vector_op(op, r, operands[0], operands[1], operands[2]))
        return m_asm.code().set_error(unsupported("optimizing: SIMD operation not lowered"));
    finish_vec(v, r);
}

// §4.4.7 the memory forms: trap sites as the baseline's (a v128.store
// probes its last byte first: a faulting vse8 may have written a prefix,
// RVV §7.9). Addresses come from memory_address (t4, or t5 / the memory
// base with a constant address); vector accesses take e8 (any alignment).
void Lowerer::lower_simd_memory(InstId i) noexcept
{
    using O = wasm::Opcode;
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    SimdEmitter e = simd();
    GpReg base = t4;
    i32 imm = 0;
    if (inst.op == Op::Store) {
        VecReg a = use_vec(args[1], v8);
        memory_address(inst, args[0], base, imm);
        if (inst.wasm_op == O::V128Store) {
            if (imm != 0 || base != t4) {
                m_asm.addi(t4, base, imm);
                base = t4;
            }
            m_asm.load_trapping(Access::U8, t5, base, 15);
            e.vset(Sew::E8);
            m_asm.mark_trap_site();
            m_asm.vse(Sew::E8, a, base);
            return;
        }
        if (base == t5) {
            m_asm.mv(t4, t5);
            base = t4;
        }
        e.lane_bits(SimdEmitter::lane_sew(inst.wasm_op), u8(inst.index2), a, t5);
        m_asm.mark_trap_site();
        e.store_lane_scalar(inst.wasm_op, t5, base, imm);
        return;
    }
    ValueId v = m_f.result(i);
    VecReg lane_source = inst.arg_count == 2 ? use_vec(args[1], v8) : v0;
    memory_address(inst, args[0], base, imm);
    VecReg r = def_vec(v);
    if (inst.wasm_op == O::V128Load) {
        if (imm != 0 || base != t4) {
            m_asm.addi(t4, base, imm);
            base = t4;
        }
        e.vset(Sew::E8);
        m_asm.mark_trap_site();
        m_asm.vle(Sew::E8, r, base);
        return finish_vec(v, r);
    }
    m_asm.mark_trap_site();
    e.load_scalar(inst.wasm_op, t5, base, imm);
    if (inst.arg_count == 2)
        e.insert_lane(SimdEmitter::lane_sew(inst.wasm_op), u8(inst.index2), r, lane_source, t5);
    else if (!e.finish_load(inst.wasm_op, r, t5))
        return m_asm.code().set_error(unsupported("optimizing: SIMD load not lowered"));
    finish_vec(v, r);
}

} // namespace k23::jit::optimizing::detail
