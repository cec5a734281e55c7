// The optimizing tier's lowering of memory, table and runtime-helper
// operations (core spec 2.0 §4.4.7 "Memory Instructions", §4.4.6 "Table
// Instructions"), as the baseline does them (jit/baseline/MemoryOps.cpp).

#include <jit/BulkMemory.h>
#include <jit/MemoryAccess.h>
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
    set_mask();
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

// memory.fill / memory.copy inline, with the baseline's sequences
// (jit/BulkMemory.h): operands to a1-a3, memory bases to a4/a5, a probe of
// each range's last byte, then the loop. The allocator treats it as a
// helper call (every value live across is in a slot or reloaded after).
void Lowerer::lower_bulk_memory(InstId i) noexcept
{
    const Inst& inst = m_f.insts[i];
    bool copy = inst.wasm_op == O::MemoryCopy;
    Span<const ValueId> args = m_f.args(i);
    m_moves.clear();
    for (u32 k = 0; k < 3; ++k) {
        Move m;
        m.src = source_of(args[k], m);
        m.dst.kind = kind_gp;
        m.dst.reg = abi::int_args[1 + k].id();
        if (m_moves.try_append(m).is_error())
            m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: moves"));
    }
    resolve(m_moves);
    GpReg regs[] = { a1, a2, a3 };
    for (GpReg r : regs) {
        if (r == a2 && !copy)
            continue; // the fill value: its low byte is used
        m_asm.zero_extend_word(r, r);
    }
    u32 memories[] = { inst.index, inst.index2 };
    GpReg bases[] = { a4, a5 };
    for (u32 k = 0; k < (copy ? 2u : 1u); ++k) {
        if (memories[k] == 0) {
            m_asm.mv(bases[k], abi::memory_base);
        } else {
            m_asm.load_context_pointer(bases[k], abi::vmctx, VMOffsets::memory_bases, memories[k]);
        }
    }
    for (u32 k = 0; k < (copy ? 2u : 1u); ++k) {
        u32 probe = bulk::probe_range_end(m_asm, bases[k], regs[k], a3);
        if (m_traps.try_append(TrapSite { probe, m_offset }).is_error())
            m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: trap table"));
    }
    m_asm.add(a1, a1, a4);
    if (copy) {
        m_asm.add(a2, a2, a5);
        bulk::move_bytes(m_asm);
    } else {
        bulk::fill_bytes(m_asm);
    }
    // The allocator counts the sequence as a call (number()): no value
    // keeps a register across it.
    (void)i;
}

// table.get / table.set inline (§4.4.6): the index below the size, else
// "out of bounds table access".
void Lowerer::lower_table_access(InstId i) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    table_element_address(inst.index, use_gp(args[0], t4), TrapCode::OutOfBoundsTable);
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



// Address-mode folding with Zba: an address `i32.add x (i32.shl y k)`,
// k = 1..3, becomes one sh<k>add when the sum is used only as load and
// store addresses and the shift only by it. Its register then holds the
// 64-bit x + (y << k), whose low 32 bits are the wrapped i32 sum: the
// accesses zero-extend it (add.uw), so the high bits never matter. (The
// shift cannot move into add.uw: zext(y) << k differs from the wrapped
// (y << k) mod 2^32, §4.4.7's effective address is zext32(i32 address).)
Result<void> Lowerer::fold_scaled_addresses() noexcept
{
    usize insts = m_f.insts.size(), values = m_f.values.size();
    TRY(m_scaled.try_resize(insts, 0));
    for (auto& x : m_scaled)
        x = 0;
    if (!m_env.features.has(Extension::Zba))
        return {};
    TRY(m_address_uses.try_resize(values, 0));
    for (auto& x : m_address_uses)
        x = 0;
    for (BlockId b : m_s.cfg.rpo()) {
        for (InstId i = m_f.blocks[b].first; i != no_id; i = m_f.insts[i].next) {
            const Inst& inst = m_f.insts[i];
            if (!inst.removed && (inst.op == Op::Load || inst.op == Op::Store))
                ++m_address_uses[m_f.args(i)[0]];
        }
    }
    for (BlockId b : m_s.cfg.rpo()) {
        for (InstId i = m_f.blocks[b].first; i != no_id; i = m_f.insts[i].next) {
            const Inst& inst = m_f.insts[i];
            if (inst.removed || inst.op != Op::Numeric || inst.wasm_op != O::I32Add)
                continue;
            ValueId sum = m_f.result(i);
            if (m_address_uses[sum] == 0 || m_address_uses[sum] != m_s.uses[sum])
                continue;
            Span<const ValueId> args = m_f.args(i);
            for (u32 k = 0; k < 2; ++k) {
                const Value& shifted = m_f.values[args[k]];
                if (shifted.is_param || m_s.uses[args[k]] != 1 || args[0] == args[1])
                    continue;
                const Inst& shl = m_f.insts[shifted.def];
                i64 amount;
                if (shl.removed || shl.op != Op::Numeric || shl.wasm_op != O::I32Shl || !const_of(m_f.args(shifted.def)[1], amount))
                    continue;
                amount &= 31;
                if (amount < 1 || amount > 3)
                    continue;
                m_s.fused[shifted.def] = 1;
                m_scaled[i] = u8(amount | k << 2);
                break;
            }
        }
    }
    return {};
}

// x + (y << k) as sh<k>add (fold_scaled_addresses): only the low 32 bits
// of the result are meaningful.
bool Lowerer::lower_scaled_add(InstId i) noexcept
{
    u8 scaled = m_scaled[i];
    if (!scaled)
        return false;
    Span<const ValueId> args = m_f.args(i);
    u32 k = scaled >> 2;
    ValueId y = m_f.args(m_f.values[args[k]].def)[0];
    GpReg index = use_gp(y, t4);
    GpReg base = use_gp(args[1 - k], t5);
    ValueId v = m_f.result(i);
    GpReg rd = def_gp(v);
    switch (scaled & 3) {
    case 1: m_asm.sh1add(rd, index, base); break;
    case 2: m_asm.sh2add(rd, index, base); break;
    default: m_asm.sh3add(rd, index, base); break;
    }
    finish_gp(v, rd);
    return true;
}

// base + zext(address) (+ offset): the base register and the 12-bit
// immediate left for the access.
void Lowerer::memory_address(const Inst& inst, ValueId address, GpReg& base, i32& imm) noexcept
{
    GpReg memory = abi::memory_base;
    if (inst.index != 0) {
        m_asm.load_context_pointer(t5, abi::vmctx, VMOffsets::memory_bases, inst.index);
        memory = t5;
    }
    i64 c;
    if (const_of(address, c)) {
        MacroAssembler::Address at = m_asm.reach(memory, i64(u64(u32(c)) + inst.imm), t4, t4);
        base = at.base;
        imm = at.offset;
        return;
    }
    GpReg index = use_gp(address, t4);
    if (m_asm.has(Extension::Zba)) {
        m_asm.add_uw(t4, index, memory);
    } else {
        m_asm.and_(t4, index, ra); // set_mask()
        m_asm.add(t4, t4, memory);
    }
    MacroAssembler::Address at = m_asm.reach(t4, i64(inst.imm), t4, t5);
    base = at.base;
    imm = at.offset;
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
        m_asm.load_trapping(load_access(inst.wasm_op), rd, base, imm);
        finish_fp(v, rd);
        return;
    }
    GpReg rd = def_gp(v);
    m_asm.load_trapping(load_access(inst.wasm_op), rd, base, imm);
    finish_gp(v, rd);
}

void Lowerer::lower_store(InstId i) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    GpReg base = t4;
    i32 imm;
    memory_address(inst, args[0], base, imm);
    if (inst.wasm_op == O::F32Store || inst.wasm_op == O::F64Store)
        m_asm.store_trapping(store_access(inst.wasm_op), use_fp(args[1], ft11), base, imm);
    else
        m_asm.store_trapping(store_access(inst.wasm_op), use_gp(args[1], t5), base, imm);
}

} // namespace k23::jit::optimizing::detail
