// The optimizing tier's lowering of memory, table and runtime-helper
// operations (core spec 2.0 §4.4.7 "Memory Instructions", §4.4.6 "Table
// Instructions"), as the baseline does them (jit/baseline/MemoryOps.cpp).

#include <jit/optimizing/Lowerer.h>

namespace k23::jit::optimizing::detail {

// a0 = vmctx, a1.. = the immediates, then the operands (C ABI: s0, s10
// and s11 survive; every value live across is in a slot).
void Lowerer::lower_helper_call(InstId i, const HelperShape& shape) noexcept
{
    const Inst& inst = m_f.insts[i];
    u32 immediates[2];
    u32 imm_count = 0;
    if (shape.immediates == 1) {
        immediates[imm_count++] = inst.index;
    } else if (shape.immediates == 2) {
        immediates[imm_count++] = inst.index;
        immediates[imm_count++] = inst.index2;
    } else if (shape.immediates == 3) {
        immediates[imm_count++] = inst.index2;
        immediates[imm_count++] = inst.index;
    }
    Span<const ValueId> args = m_f.args(i);
    m_moves.clear();
    for (u32 k = 0; k < inst.arg_count; ++k) {
        Move m;
        m.src = source_of(args[k], m);
        m.dst.kind = kind_gp;
        m.dst.reg = abi::int_args[1 + imm_count + k].id();
        if (m_moves.try_append(m).is_error())
            m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: moves"));
    }
    resolve(m_moves);
    m_asm.mv(a0, abi::vmctx);
    for (u32 k = 0; k < imm_count; ++k)
        m_asm.li(abi::int_args[1 + k], i64(immediates[k]));
    m_asm.li(t5, i64(m_env.helpers[shape.id]));
    m_asm.jalr(ra, t5, 0);
    if (shape.traps) {
        Label trap = trap_label(TrapCode::Unreachable, m_offset);
        m_stubs.last().dynamic = true;
        m_asm.bnez(a1, trap);
    }
    if (inst.result_count) {
        ValueId v = m_f.result(i);
        GpReg rd = def_gp(v);
        if (shape.id == HelperId::MemoryGrow || shape.id == HelperId::TableGrow)
            m_asm.addiw(rd, a0, 0);
        else
            m_asm.mv(rd, a0);
        finish_gp(v, rd);
    }
}

// table.get / table.set inline (§4.4.6): the index below the size, else
// "out of bounds table access".
void Lowerer::lower_table_access(InstId i) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    GpReg index = use_gp(args[0], t4);
    if (m_asm.has(Extension::Zba)) {
        m_asm.zext_w(t4, index);
    } else {
        m_asm.slli(t4, index, 32);
        m_asm.srli(t4, t4, 32);
    }
    m_asm.ld(t5, abi::vmctx, VMOffsets::tables);
    load_indexed(t5, t5, u64(inst.index) * 8);
    m_asm.ld(t3, t5, VMOffsets::table_size);
    m_asm.bgeu(t4, t3, trap_label(TrapCode::OutOfBoundsTable, m_offset));
    m_asm.ld(t5, t5, VMOffsets::table_data);
    m_asm.slli(t4, t4, 3);
    m_asm.add(t5, t5, t4);
    if (inst.wasm_op == O::TableGet) {
        ValueId v = m_f.result(i);
        GpReg rd = def_gp(v);
        m_asm.ld(rd, t5, 0);
        finish_gp(v, rd);
    } else {
        GpReg value = use_gp(args[1], t4);
        m_asm.sd(value, t5, 0);
    }
}



// base + zext(address) (+ offset): the base register and the 12-bit
// immediate left for the access.
void Lowerer::memory_address(const Inst& inst, ValueId address, GpReg& base, i32& imm) noexcept
{
    GpReg memory = abi::memory_base;
    if (inst.index != 0) {
        m_asm.ld(t5, abi::vmctx, VMOffsets::memory_bases);
        m_asm.ld(t5, t5, i32(inst.index * 8));
        memory = t5;
    }
    i64 c;
    if (const_of(address, c)) {
        u64 effective = u64(u32(c)) + inst.imm;
        if (effective <= 2047) {
            base = memory;
            imm = i32(effective);
            return;
        }
        m_asm.li(t4, i64(effective));
        m_asm.add(t4, t4, memory);
        base = t4;
        imm = 0;
        return;
    }
    GpReg index = use_gp(address, t4);
    if (m_asm.has(Extension::Zba)) {
        m_asm.add_uw(t4, index, memory);
    } else {
        m_asm.slli(t4, index, 32);
        m_asm.srli(t4, t4, 32);
        m_asm.add(t4, t4, memory);
    }
    if (inst.imm <= 2047) {
        imm = i32(inst.imm);
    } else {
        m_asm.li(t5, i64(inst.imm));
        m_asm.add(t4, t4, t5);
        imm = 0;
    }
    base = t4;
}

void Lowerer::lower_load(InstId i) noexcept
{
    const Inst& inst = m_f.insts[i];
    ValueId v = m_f.result(i);
    GpReg base = t4;
    i32 imm;
    memory_address(inst, m_f.args(i)[0], base, imm);
    if (inst.wasm_op == O::F32Load || inst.wasm_op == O::F64Load) {
        FpReg rd = def_fp(v);
        record_trap_site();
        inst.wasm_op == O::F32Load ? m_asm.flw(rd, base, imm) : m_asm.fld(rd, base, imm);
        finish_fp(v, rd);
        return;
    }
    GpReg rd = def_gp(v);
    record_trap_site();
    switch (inst.wasm_op) {
    case O::I32Load: case O::I64Load32S: m_asm.lw(rd, base, imm); break;
    case O::I64Load: m_asm.ld(rd, base, imm); break;
    case O::I32Load8S: case O::I64Load8S: m_asm.lb(rd, base, imm); break;
    case O::I32Load8U: case O::I64Load8U: m_asm.lbu(rd, base, imm); break;
    case O::I32Load16S: case O::I64Load16S: m_asm.lh(rd, base, imm); break;
    case O::I32Load16U: case O::I64Load16U: m_asm.lhu(rd, base, imm); break;
    default: m_asm.lwu(rd, base, imm); break; // I64Load32U
    }
    finish_gp(v, rd);
}

void Lowerer::lower_store(InstId i) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    GpReg base = t4;
    i32 imm;
    memory_address(inst, args[0], base, imm);
    if (inst.wasm_op == O::F32Store || inst.wasm_op == O::F64Store) {
        FpReg r = use_fp(args[1], ft11);
        record_trap_site();
        inst.wasm_op == O::F32Store ? m_asm.fsw(r, base, imm) : m_asm.fsd(r, base, imm);
        return;
    }
    GpReg r = use_gp(args[1], t5);
    record_trap_site();
    switch (inst.wasm_op) {
    case O::I32Store: case O::I64Store32: m_asm.sw(r, base, imm); break;
    case O::I64Store: m_asm.sd(r, base, imm); break;
    case O::I32Store8: case O::I64Store8: m_asm.sb(r, base, imm); break;
    default: m_asm.sh(r, base, imm); break; // 16-bit stores
    }
}

} // namespace k23::jit::optimizing::detail
