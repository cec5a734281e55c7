// WebAssembly fixed-width SIMD (core spec 2.0 §4.4.3 "Vector Instructions",
// §5.4.8 for the encodings) in the baseline tier, lowered to RVV 1.0.
//
// With the V extension (VLEN >= 128; without it SimdScalarOps.cpp): this
// file manages the value stack and registers; the per-opcode RVV sequences
// are the shared emitter's (jit/SimdEmit.h, also the optimizing tier's).
// Value registers are v8-v31; v1-v7 are scratch, v0 holds masks (jit/Abi.h).
// v128 locals: up to eight live in v24-v31 (choose_vec_homes: all of them
// if they fit, else by loop-weighted use count), so local.get/set are
// whole-register moves; they go to their slots around calls only.
// The vtype tracker (vset) emits vsetivli only when the SEW changes; it
// forgets the vtype at control-flow joins and calls (Compiler.cpp).
// Scratch GPRs: t4 (addresses) and t5; a v128 fill or spill (pop_vec,
// alloc_vec) computes its frame address in t5, so t5 is set only after them.
//
// Every SIMD opcode (and the relaxed-simd proposal's) is lowered; an opcode
// not handled would return false and fail the compile with Unsupported
// "SIMD not supported yet: <op>" (none is left).

#include <jit/baseline/Compiler.h>

namespace k23::jit::baseline {


// Module-wide reasons for wide frames, computed once per module (every
// function's compile scanning every type and global made a module with
// many of both quadratic): a v128 in any signature (a call or block type
// may hold one), or a v128 global (imported ones included) that a function
// may read without a SIMD opcode.
bool Compiler::module_needs_wide(const wasm::Module& module) noexcept
{
    for (u32 i = 0; i < module.type_count(); ++i) {
        FunctionType type = module.type(i);
        for (ValueType t : type.params) {
            if (t == ValueType::V128)
                return true;
        }
        for (ValueType t : type.results) {
            if (t == ValueType::V128)
                return true;
        }
    }
    for (const auto& global : module.globals()) {
        if (global.type.type == ValueType::V128)
            return true;
    }
    return false;
}

// A 0xfd byte anywhere in the body (possibly an immediate: wide frames
// only cost stack).
bool Compiler::body_needs_wide(const wasm::Module& module, u32 function_index) noexcept
{
    ReadonlyBytes body = module.bytes_of(module.functions()[function_index].body);
    return body.size() != 0 && __builtin_memchr(body.data(), 0xfd, body.size()) != nullptr;
}

// v128 locals in vector registers: all of them when they fit, else the
// ones with the largest weighted use count (choose_homes).
void Compiler::choose_vec_homes(const Vector<u64>& weights) noexcept
{
    m_vec_home.clear();
    m_vec_home_count = 0;
    if (m_vec_home.try_resize(m_local_count, 0).is_error())
        return fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: locals"));
    u32 candidates = 0;
    for (u32 i = 0; i < m_local_count; ++i)
        candidates += m_local_types[i] == ValueType::V128;
    for (u32 n = 0; n < max_vec_homes && n < candidates; ++n) {
        u32 best = m_local_count;
        for (u32 i = 0; i < m_local_count; ++i) {
            if (m_local_types[i] == ValueType::V128 && !m_vec_home[i] && (best == m_local_count || weights[i] > weights[best]))
                best = i;
        }
        m_vec_home[best] = u8(32 - max_vec_homes + m_vec_home_count++);
        m_stack.set_home(RegClass::Vector, m_vec_home[best]);
    }
    u32 listed = 0;
    for (u32 i = 0; i < m_local_count && listed < m_vec_home_count; ++i) {
        if (m_vec_home[i])
            m_homed_locals[listed++] = i;
    }
}

Sew Compiler::slot_sew() noexcept
{
    return simd_emitter().slot_sew();
}

void Compiler::vset(Sew sew) noexcept
{
    simd_emitter().vset(sew);
}

void Compiler::vset_exact(Sew sew, Lmul lmul, u32 vl, TailPolicy tail) noexcept
{
    simd_emitter().vset_exact(sew, lmul, vl, tail);
}

// §4.4.3.1 v128.const: element 0 = low 8 bytes, element 1 = high (e64).
void Compiler::on_v128_const(u32 offset, const u8* bytes) noexcept
{
    if (!begin(offset))
        return;
    if (!m_wide)
        return simd(offset, Opcode::V128Const);
    u64 lo = 0, hi = 0;
    for (u32 i = 0; i < 8; ++i) {
        lo |= u64(bytes[i]) << (8 * i);
        hi |= u64(bytes[8 + i]) << (8 * i);
    }
    if (!m_vector)
        return scalar_v128_const(lo, hi);
    VecReg r = m_stack.alloc_vec();
    simd_emitter().constant(r, lo, hi);
    m_stack.push_vec(r);
}

// §4.4.3 extract_lane / replace_lane.
void Compiler::on_simd_lane(u32 offset, Opcode op, u8 lane) noexcept
{
    if (!begin(offset))
        return;
    if (!m_wide)
        return simd(offset, op);
    if (!m_vector)
        return scalar_lane(op, lane);
    using O = Opcode;
    switch (op) {
    case O::I8x16ExtractLaneS: case O::I8x16ExtractLaneU: case O::I16x8ExtractLaneS: case O::I16x8ExtractLaneU:
    case O::I32x4ExtractLane: case O::I64x2ExtractLane: {
        VecReg a = m_stack.pop_vec();
        m_stack.release(a); // read before r is written
        GpReg r = m_stack.alloc_gp();
        simd_emitter().extract_lane(op, lane, a, r);
        m_stack.push_gp(op == O::I64x2ExtractLane ? ValueType::I64 : ValueType::I32, r);
        return;
    }
    case O::F32x4ExtractLane: case O::F64x2ExtractLane: {
        VecReg a = m_stack.pop_vec();
        m_stack.release(a);
        FpReg r = m_stack.alloc_fp();
        simd_emitter().extract_lane(op, lane, a, r);
        m_stack.push_fp(op == O::F32x4ExtractLane ? ValueType::F32 : ValueType::F64, r);
        return;
    }
    default:
        break;
    }
    // replace_lane. t5 only after pop_vec/alloc_vec: a v128 fill or spill uses it.
    bool fp = op == O::F32x4ReplaceLane || op == O::F64x2ReplaceLane;
    GpReg x = t5;
    FpReg f = ft11;
    if (fp)
        f = m_stack.pop_fp();
    else
        x = m_stack.pop_gp();
    VecReg a = m_stack.pop_vec();
    VecReg r = m_stack.alloc_vec();
    if (fp) {
        if (op == O::F32x4ReplaceLane)
            m_asm.fmv_x_w(t5, f);
        else
            m_asm.fmv_x_d(t5, f);
        m_stack.release(f);
    }
    simd_emitter().insert_lane(SimdEmitter::lane_sew(op), lane, r, a, x);
    m_stack.release(a);
    m_stack.release(x);
    m_stack.push_vec(r);
}

// §4.4.3.8 i8x16.shuffle (SimdEmitter::shuffle).
void Compiler::on_shuffle(u32 offset, const u8* lanes) noexcept
{
    if (!begin(offset))
        return;
    if (!m_wide)
        return simd(offset, Opcode::I8x16Shuffle);
    if (!m_vector)
        return scalar_shuffle(lanes);
    VecReg b = m_stack.pop_vec();
    VecReg a = m_stack.pop_vec();
    VecReg r = m_stack.alloc_vec();
    simd_emitter().shuffle(r, a, b, lanes);
    m_stack.release(a);
    m_stack.release(b);
    m_stack.push_vec(r);
}

// §4.4.7.7 v128.loadN_lane: a scalar load (its own trap site), merged into
// lane `lane`.
void Compiler::on_load_lane(u32 offset, Opcode op, const MemArg& arg, u8 lane) noexcept
{
    if (!begin(offset))
        return;
    if (!m_wide)
        return simd(offset, op);
    if (!m_vector)
        return scalar_lane_memory(op, arg, lane);
    VecReg a = m_stack.pop_vec();
    GpReg index = m_stack.pop_gp();
    VecReg r = m_stack.alloc_vec(); // before t5 is live (a spill uses it)
    i32 imm;
    emit_memory_address(arg, index, t4, imm);
    m_stack.release(index);
    record_trap_site(m_asm.offset());
    SimdEmitter e = simd_emitter();
    e.load_scalar(op, t5, t4, imm);
    e.insert_lane(SimdEmitter::lane_sew(op), lane, r, a, t5);
    m_stack.release(a);
    m_stack.push_vec(r);
}

// §4.4.7.9 v128.storeN_lane: the lane to t5, then a scalar store.
void Compiler::on_store_lane(u32 offset, Opcode op, const MemArg& arg, u8 lane) noexcept
{
    if (!begin(offset))
        return;
    if (!m_wide)
        return simd(offset, op);
    if (!m_vector)
        return scalar_lane_memory(op, arg, lane);
    VecReg a = m_stack.pop_vec();
    GpReg index = m_stack.pop_gp();
    i32 imm;
    emit_memory_address(arg, index, t4, imm); // may use t5
    SimdEmitter e = simd_emitter();
    e.lane_bits(SimdEmitter::lane_sew(op), lane, a, t5);
    m_stack.release(a);
    record_trap_site(m_asm.offset());
    e.store_lane_scalar(op, t5, t4, imm);
}

bool Compiler::simd_load(Opcode op, const MemArg& arg) noexcept
{
    GpReg index = m_stack.pop_gp();
    i32 imm;
    emit_memory_address(arg, index, t4, imm);
    m_stack.release(index);
    VecReg r = m_stack.alloc_vec();
    SimdEmitter e = simd_emitter();
    if (op == Opcode::V128Load) {
        if (imm != 0)
            m_asm.addi(t4, t4, imm);
        e.vset(Sew::E8);
        record_trap_site(m_asm.offset());
        m_asm.vle(Sew::E8, r, t4);
        m_stack.push_vec(r);
        return true;
    }
    record_trap_site(m_asm.offset());
    e.load_scalar(op, t5, t4, imm);
    if (!e.finish_load(op, r, t5)) {
        m_stack.release(r);
        return false;
    }
    m_stack.push_vec(r);
    return true;
}

bool Compiler::simd_store(Opcode op, const MemArg& arg) noexcept
{
    if (op != Opcode::V128Store)
        return false;
    VecReg value = m_stack.pop_vec();
    GpReg index = m_stack.pop_gp();
    i32 imm;
    emit_memory_address(arg, index, t4, imm);
    if (imm != 0)
        m_asm.addi(t4, t4, imm);
    // §4.4.7.8: an out-of-bounds store traps and changes nothing, but a
    // faulting vse8 may have written its first elements (RVV §7.9): probe
    // the last byte first (the accessible bytes are a prefix of the
    // reservation, so then all 16 are).
    record_trap_site(m_asm.offset());
    m_asm.lbu(t5, t4, 15);
    vset(Sew::E8);
    record_trap_site(m_asm.offset());
    m_asm.vse(Sew::E8, value, t4);
    m_stack.release(value);
    return true;
}

// The numeric SIMD opcodes: operands off the value stack into registers,
// the shared emitter's sequence, the result pushed.
bool Compiler::simd_op(Opcode op) noexcept
{
    using O = Opcode;
    SimdEmitter e = simd_emitter();
    switch (op) {
    case O::I8x16Splat: case O::I16x8Splat: case O::I32x4Splat: case O::I64x2Splat: {
        GpReg x = m_stack.pop_gp();
        VecReg r = m_stack.alloc_vec();
        e.splat(SimdEmitter::shape(op), r, x);
        m_stack.release(x);
        m_stack.push_vec(r);
        return true;
    }
    case O::F32x4Splat: case O::F64x2Splat: {
        FpReg x = m_stack.pop_fp();
        VecReg r = m_stack.alloc_vec(); // before t5 is live (a spill uses it)
        if (op == O::F32x4Splat)
            m_asm.fmv_x_w(t5, x);
        else
            m_asm.fmv_x_d(t5, x);
        m_stack.release(x);
        e.splat(op == O::F32x4Splat ? Sew::E32 : Sew::E64, r, t5);
        m_stack.push_vec(r);
        return true;
    }
    case O::V128AnyTrue: case O::I8x16AllTrue: case O::I16x8AllTrue: case O::I32x4AllTrue: case O::I64x2AllTrue:
    case O::I8x16Bitmask: case O::I16x8Bitmask: case O::I32x4Bitmask: case O::I64x2Bitmask: {
        VecReg a = m_stack.pop_vec();
        GpReg r = m_stack.alloc_gp();
        e.to_scalar(op, r, a);
        m_stack.release(a);
        m_stack.push_gp(ValueType::I32, r);
        return true;
    }
    case O::I8x16Shl: case O::I8x16ShrS: case O::I8x16ShrU: case O::I16x8Shl: case O::I16x8ShrS: case O::I16x8ShrU:
    case O::I32x4Shl: case O::I32x4ShrS: case O::I32x4ShrU: case O::I64x2Shl: case O::I64x2ShrS: case O::I64x2ShrU: {
        u32 amount = 0;
        bool constant = m_stack.top().loc == Loc::Const && SimdEmitter::shift_immediate(op, m_stack.top().bits, amount);
        GpReg count = zero;
        if (constant)
            m_stack.drop_entry();
        else
            count = m_stack.pop_gp();
        VecReg a = m_stack.pop_vec();
        VecReg r = m_stack.alloc_vec();
        if (constant) {
            e.shift_by(op, r, a, amount);
        } else {
            e.shift(op, r, a, count);
            m_stack.release(count);
        }
        m_stack.release(a);
        m_stack.push_vec(r);
        return true;
    }
    default:
        break;
    }
    const wasm::SignatureTypes& sig = wasm::signature_types(wasm::opcode_info(op).signature);
    if (sig.result_count != 1 || sig.results[0] != ValueType::V128 || sig.param_count < 1 || sig.param_count > 3)
        return false;
    for (u32 i = 0; i < sig.param_count; ++i) {
        if (sig.params[i] != ValueType::V128)
            return false;
    }
    VecReg operands[3] = { v0, v0, v0 };
    for (u32 i = sig.param_count; i-- > 0;)
        operands[i] = m_stack.pop_vec();
    VecReg r = m_stack.alloc_vec();
    if (!e.vector_op(op, r, operands[0], operands[1], operands[2])) {
        m_stack.release(r);
        return false;
    }
    for (u32 i = 0; i < sig.param_count; ++i)
        m_stack.release(operands[i]);
    m_stack.push_vec(r);
    return true;
}

} // namespace k23::jit::baseline
