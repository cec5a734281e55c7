// The optimizing tier's back end (Lower.h): the driver, edge moves, control
// flow and calls; register allocation is in RegAlloc.cpp, memory and numeric
// lowering in LowerMemory.cpp and LowerNumeric.cpp. Semantics of each operation
// follow core spec 2.0 §4.3 "Numerics" and §4.4 "Instructions", as the
// baseline's do (jit/baseline/*Ops.cpp).

#include <jit/optimizing/Lowerer.h>

namespace k23::jit::optimizing {

Result<LowerScratch*> LowerScratch::create() noexcept
{
    void* memory = platform_allocate(sizeof(LowerScratch), alignof(LowerScratch));
    if (!memory)
        return Error::from_code(ErrorCode::OutOfMemory, "cannot allocate the optimizing tier's scratch");
    return construct_at(static_cast<LowerScratch*>(memory));
}

void LowerScratch::destroy(LowerScratch* scratch) noexcept
{
    if (!scratch)
        return;
    destroy_at(scratch);
    platform_deallocate(scratch, sizeof(LowerScratch), alignof(LowerScratch));
}

namespace detail {

bool helper_shape(const Inst& inst, HelperShape& out)
{
    if (inst.op == Op::MemorySize) {
        out = { HelperId::MemorySize, 1, false };
        return true;
    }
    if (inst.op == Op::MemoryGrow) {
        out = { HelperId::MemoryGrow, 1, false };
        return true;
    }
    if (inst.op != Op::Runtime)
        return false;
    switch (inst.wasm_op) {
    case O::MemoryFill: out = { HelperId::MemoryFill, 1, true }; return true;
    case O::MemoryCopy: out = { HelperId::MemoryCopy, 2, true }; return true;
    case O::MemoryInit: out = { HelperId::MemoryInit, 3, true }; return true; // memory, data
    case O::DataDrop: out = { HelperId::DataDrop, 1, false }; return true;
    case O::TableSize: out = { HelperId::TableSize, 1, false }; return true;
    case O::TableGrow: out = { HelperId::TableGrow, 1, false }; return true;
    case O::TableFill: out = { HelperId::TableFill, 1, true }; return true;
    case O::TableCopy: out = { HelperId::TableCopy, 2, true }; return true;
    case O::TableInit: out = { HelperId::TableInit, 3, true }; return true; // table, elem
    case O::ElemDrop: out = { HelperId::ElemDrop, 1, false }; return true;
    default: return false; // table.get/set: inline
    }
}

bool same(const Location& a, const Location& b)
{
    return a.kind == b.kind && (a.kind == kind_slot || a.kind == kind_vslot ? a.slot == b.slot : a.reg == b.reg);
}

// Integer compares (their result is 0/1 in an i32): fused into a branch.
bool is_int_compare(O op)
{
    switch (op) {
    case O::I32Eqz: case O::I32Eq: case O::I32Ne: case O::I32LtS: case O::I32LtU: case O::I32GtS: case O::I32GtU:
    case O::I32LeS: case O::I32LeU: case O::I32GeS: case O::I32GeU:
    case O::I64Eqz: case O::I64Eq: case O::I64Ne: case O::I64LtS: case O::I64LtU: case O::I64GtS: case O::I64GtU:
    case O::I64LeS: case O::I64LeU: case O::I64GeS: case O::I64GeU:
        return true;
    default: return false;
    }
}

// `lhs cond rhs` for a compare: swap says the operands go the other way.
BranchCondition compare_condition(O op, bool& swap)
{
    swap = false;
    switch (op) {
    case O::I32Eqz: case O::I64Eqz: case O::I32Eq: case O::I64Eq: return BranchCondition::Eq;
    case O::I32Ne: case O::I64Ne: return BranchCondition::Ne;
    case O::I32LtS: case O::I64LtS: return BranchCondition::Lt;
    case O::I32LtU: case O::I64LtU: return BranchCondition::Ltu;
    case O::I32GtS: case O::I64GtS: swap = true; return BranchCondition::Lt;
    case O::I32GtU: case O::I64GtU: swap = true; return BranchCondition::Ltu;
    case O::I32LeS: case O::I64LeS: swap = true; return BranchCondition::Ge;
    case O::I32LeU: case O::I64LeU: swap = true; return BranchCondition::Geu;
    case O::I32GeS: case O::I64GeS: return BranchCondition::Ge;
    default: return BranchCondition::Geu; // GeU
    }
}

BranchCondition inverse(BranchCondition c)
{
    switch (c) {
    case BranchCondition::Eq: return BranchCondition::Ne;
    case BranchCondition::Ne: return BranchCondition::Eq;
    case BranchCondition::Lt: return BranchCondition::Ge;
    case BranchCondition::Ge: return BranchCondition::Lt;
    case BranchCondition::Ltu: return BranchCondition::Geu;
    default: return BranchCondition::Ltu;
    }
}

u32 stack_count(Span<const wasm::ValueType> types)
{
    u32 ints = 0, floats = 0, wide = 0;
    for (wasm::ValueType t : types) {
        if (t == wasm::ValueType::V128)
            wide += 2; // always in memory, two slots (jit/Abi.h)
        else if (t == wasm::ValueType::F32 || t == wasm::ValueType::F64)
            ++floats;
        else
            ++ints;
    }
    return (ints > abi::int_arg_registers ? ints - abi::int_arg_registers : 0)
        + (floats > abi::float_arg_registers ? floats - abi::float_arg_registers : 0) + wide;
}

// Where the next value of a signature goes (jit/Abi.h): an argument
// register (reg >= 0; fp says which file), or the stack slot `slot` (a v128
// takes two, `slot` and the next).
ArgumentPlace ArgumentCursor::next(Type type) noexcept
{
    ArgumentPlace place;
    place.fp = is_float(type);
    if (type == Type::V128) {
        place.slot = m_slots;
        m_slots += 2;
        return place;
    }
    u32& used = place.fp ? m_floats : m_ints;
    u32 limit = place.fp ? abi::float_arg_registers : abi::int_arg_registers;
    if (used < limit) {
        place.reg = i32(place.fp ? abi::float_args[used].id() : abi::int_args[used].id());
        ++used;
        return place;
    }
    place.slot = m_slots++;
    return place;
}

Result<void> Lowerer::run(u32 index) noexcept
{
    m_index = index;
    m_f.clear();
    TRY(build_function(m_module, index, m_f, m_env.osr_loop_offset));
    if (!m_env.features.has(Extension::Zbb))
        TRY(expand_bit_operations(m_f));
    InlineOptions inlining;
    inlining.zbb = m_env.features.has(Extension::Zbb);
    TRY(inline_calls(m_f, inlining));
    TRY(optimize(m_f));
    if (m_f.replacements_pending)
        m_f.apply_replacements();
    TRY(m_s.cfg.compute(m_f));
    TRY(check_supported());
    TRY(number());
    TRY(fold_scaled_addresses());
    TRY(liveness());
    TRY(allocate());
    TRY(emit());
    if (m_asm.has_error())
        return m_asm.code().error();
    return {};
}

Result<void> Lowerer::check_supported() noexcept
{
    wasm::FunctionType type = m_module.function_type(m_index);
    m_stack_params = stack_argument_slots(type);
    m_max_push = 0;
    m_outgoing = 0;
    m_mask = false;
    if (!m_s.cfg.predecessors(m_f.entry).is_empty())
        return unsupported("optimizing: a branch to the entry block");
    TRY(check_simd());
    // Calls: stack arguments are pushed below sp (the prologue's stack
    // check covers the largest push, jit/Abi.h), stack results land in the
    // outgoing area at the bottom of the frame.
    auto call = [&](const wasm::FunctionType& callee, bool tail) -> Result<void> {
        u32 push = 8 * stack_argument_slots(callee);
        if (tail) {
            // A tail call whose stack arguments fit in ours writes them in
            // place; a larger one would need the staging area.
            if (push > 8 * m_stack_params)
                return unsupported("optimizing: a tail call with more stack arguments than its caller");
            return {};
        }
        if (push > 2016)
            return unsupported("optimizing: a call with more than 252 stack arguments");
        m_max_push = max(m_max_push, push);
        m_outgoing = max(m_outgoing, 8 * stack_count(callee.results));
        return {};
    };
    bool zbb = m_env.features.has(Extension::Zbb);
    for (BlockId b : m_s.cfg.rpo()) {
        for (InstId i = m_f.blocks[b].first; i != no_id; i = m_f.insts[i].next) {
            const Inst& inst = m_f.insts[i];
            if (inst.removed)
                continue;
            switch (inst.op) {
            case Op::Runtime:
                if (inst.arg_count > 6)
                    return unsupported("optimizing: runtime operation arguments");
                break;
            case Op::Call:
            case Op::ReturnCall:
                TRY(call(m_module.function_type(inst.index), inst.op == Op::ReturnCall));
                break;
            case Op::CallIndirect:
            case Op::ReturnCallIndirect:
                TRY(call(m_module.type(inst.index), inst.op == Op::ReturnCallIndirect));
                break;
            case Op::Load:
            case Op::Store:
                m_mask |= !m_env.features.has(Extension::Zba);
                break;
            case Op::Numeric:
                if (!zbb && needs_zbb(inst.wasm_op))
                    return unsupported("optimizing: bit manipulation without Zbb");
                break;
            default: break;
            }
        }
    }
    return {};
}

// ---------------------------------------------------------------- emission helpers

GpReg Lowerer::slot_base(u32 slot, i32& imm) noexcept
{
    i64 offset = i64(abi::frame_slot_base) - 8 * i64(slot);
    if (MacroAssembler::fits_imm12(offset)) {
        imm = i32(offset);
        return abi::frame;
    }
    // sp moves after the prologue only while a call's stack arguments are
    // pushed (m_sp_shift): the deepest slots are near it.
    i64 from_sp = i64(m_frame) + offset + i64(m_sp_shift);
    if (from_sp >= 0 && MacroAssembler::fits_imm12(from_sp)) {
        imm = i32(from_sp);
        return sp;
    }
    MacroAssembler::Address address = m_asm.reach(abi::frame, offset, t6, t6);
    imm = address.offset;
    return address.base;
}

void Lowerer::load_slot(const Location& loc, Type type, u8 reg, bool fp) noexcept
{
    i32 imm;
    GpReg base = slot_base(loc.slot, imm);
    if (!fp)
        m_asm.ld(GpReg(reg), base, imm);
    else if (type == Type::F32)
        m_asm.flw(FpReg(reg), base, imm);
    else
        m_asm.fld(FpReg(reg), base, imm);
}

void Lowerer::store_slot(const Location& loc, Type type, u8 reg, bool fp) noexcept
{
    i32 imm;
    GpReg base = slot_base(loc.slot, imm);
    if (!fp)
        m_asm.sd(GpReg(reg), base, imm);
    else if (type == Type::F32)
        m_asm.fsw(FpReg(reg), base, imm);
    else
        m_asm.fsd(FpReg(reg), base, imm);
}

void Lowerer::load_const_gp(GpReg rd, Type type, u64 bits) noexcept
{
    m_asm.li(rd, type == Type::I32 ? i64(i32(u32(bits))) : i64(bits));
}

void Lowerer::load_const_fp(FpReg rd, Type type, u64 bits, GpReg temp) noexcept
{
    if (type == Type::F32) {
        m_asm.li(temp, i64(u32(bits)));
        m_asm.fmv_w_x(rd, temp);
    } else {
        m_asm.li(temp, i64(bits));
        m_asm.fmv_d_x(rd, temp);
    }
}

GpReg Lowerer::use_gp(ValueId v, GpReg scratch) noexcept
{
    if (rematerialized(v)) {
        u64 bits = m_f.const_bits(v);
        if (bits == 0 || (m_f.values[v].type == Type::I32 && u32(bits) == 0))
            return zero;
        load_const_gp(scratch, m_f.values[v].type, bits);
        return scratch;
    }
    const Location& loc = m_s.locations[v];
    if (loc.kind == kind_gp)
        return GpReg(loc.reg);
    load_slot(loc, m_f.values[v].type, scratch.id(), false);
    return scratch;
}

FpReg Lowerer::use_fp(ValueId v, FpReg scratch) noexcept
{
    if (rematerialized(v)) {
        load_const_fp(scratch, m_f.values[v].type, m_f.const_bits(v), t3);
        return scratch;
    }
    const Location& loc = m_s.locations[v];
    if (loc.kind == kind_fp)
        return FpReg(loc.reg);
    load_slot(loc, m_f.values[v].type, scratch.id(), true);
    return scratch;
}

Location Lowerer::source_of(ValueId v, Move& move) noexcept
{
    move.type = m_f.values[v].type;
    if (rematerialized(v)) {
        move.is_const = true;
        move.bits = m_f.const_bits(v);
        return {};
    }
    return m_s.locations[v];
}

void Lowerer::emit_move(const Move& m) noexcept
{
    if (m.type == Type::V128)
        return emit_vec_move(m);
    bool fp = is_float(m.type);
    if (m.is_const) {
        if (m.dst.kind == kind_gp) {
            load_const_gp(GpReg(m.dst.reg), m.type, m.bits);
        } else if (m.dst.kind == kind_fp) {
            load_const_fp(FpReg(m.dst.reg), m.type, m.bits, t4); // t3 may hold a callee
        } else {
            i32 imm;
            if (m.type == Type::F32) {
                m_asm.li(t4, i64(u32(m.bits)));
                GpReg base = slot_base(m.dst.slot, imm);
                m_asm.sw(t4, base, imm);
            } else {
                load_const_gp(t4, m.type, m.bits);
                GpReg base = slot_base(m.dst.slot, imm);
                m_asm.sd(t4, base, imm);
            }
        }
        return;
    }
    if (m.src.kind == kind_slot && m.dst.kind == kind_slot) {
        load_slot(m.src, Type::I64, t4.id(), false);
        store_slot(m.dst, Type::I64, t4.id(), false);
        return;
    }
    if (m.src.kind == kind_slot) {
        load_slot(m.src, m.type, m.dst.reg, fp);
        return;
    }
    if (m.dst.kind == kind_slot) {
        store_slot(m.dst, m.type, m.src.reg, fp);
        return;
    }
    if (fp)
        m_asm.fmv_d(FpReg(m.dst.reg), FpReg(m.src.reg));
    else
        m_asm.mv(GpReg(m.dst.reg), GpReg(m.src.reg));
}

// Parallel moves: a move whose destination no pending move reads goes
// first; a cycle is broken through t5 / ft11. Constants go last.
void Lowerer::resolve(Vector<Move>& moves) noexcept
{
    usize n = 0;
    for (usize i = 0; i < moves.size(); ++i) {
        if (moves[i].dst.kind == kind_none)
            continue;
        if (!moves[i].is_const && same(moves[i].dst, moves[i].src))
            continue;
        moves[n++] = moves[i];
    }
    while (moves.size() > n)
        moves.take_last();
    for (;;) {
        bool pending = false, progress = false;
        for (usize i = 0; i < moves.size(); ++i) {
            Move& m = moves[i];
            if (m.is_const || m.dst.kind == kind_none)
                continue;
            pending = true;
            bool read = false;
            for (usize j = 0; j < moves.size() && !read; ++j)
                read = j != i && !moves[j].is_const && moves[j].dst.kind != kind_none && same(moves[j].src, m.dst);
            if (read)
                continue;
            emit_move(m);
            m.dst.kind = kind_none;
            progress = true;
        }
        if (!pending)
            break;
        if (progress)
            continue;
        // Only cycles are left: save one destination's value in a scratch
        // register and read it from there.
        for (Move& m : moves) {
            if (m.is_const || m.dst.kind == kind_none)
                continue;
            Location saved = m.dst;
            bool fp = is_float(m.type);
            Location scratch;
            scratch.kind = fp ? kind_fp : kind_gp;
            scratch.reg = fp ? ft11.id() : t5.id();
            if (m.type == Type::V128)
                scratch = vec_scratch();
            Move save;
            save.dst = scratch;
            save.src = saved;
            save.type = m.type;
            // The saved value's type is that of the move reading it.
            for (Move& other : moves) {
                if (!other.is_const && other.dst.kind != kind_none && same(other.src, saved)) {
                    save.type = other.type;
                    other.src = scratch;
                }
            }
            emit_move(save);
            break;
        }
    }
    for (Move& m : moves) {
        if (m.is_const && m.dst.kind != kind_none)
            emit_move(m);
    }
    moves.clear();
}

bool Lowerer::edge_needs_moves(EdgeId e) noexcept
{
    Span<const ValueId> args = m_f.edge_args(e);
    BlockId target = m_f.edges[e].target;
    Span<const ValueId> params = m_f.params(target);
    for (usize k = 0; k < args.size(); ++k) {
        if (m_s.intervals[params[k]].start == ~u32(0))
            continue;
        Location dst = location_at(params[k], m_s.block_start[target]);
        if (rematerialized(args[k]) || !same(dst, m_s.locations[args[k]]))
            return true;
    }
    return edge_needs_resolution(e);
}

// Parameters, and the live values split between registers and slots
// (RegAlloc.cpp): one parallel move.
void Lowerer::edge_moves(EdgeId e) noexcept
{
    Span<const ValueId> args = m_f.edge_args(e);
    BlockId target = m_f.edges[e].target;
    Span<const ValueId> params = m_f.params(target);
    m_moves.clear();
    for (usize k = 0; k < args.size(); ++k) {
        if (m_s.intervals[params[k]].start == ~u32(0))
            continue;
        Move m;
        m.src = source_of(args[k], m);
        m.dst = location_at(params[k], m_s.block_start[target]);
        if (m_moves.try_append(m).is_error())
            m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: moves"));
    }
    resolution_moves(e);
    resolve(m_moves);
}

Label Lowerer::trap_label(TrapCode code, u32 wasm_offset, u8 detail_reg, u8 detail_shift) noexcept
{
    TrapStub stub { m_asm.new_label(), wasm_offset, u8(code), false, detail_reg, detail_shift };
    if (m_stubs.try_append(stub).is_error())
        m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: trap stubs"));
    return stub.label;
}

// The macro-assembler's trap-site accesses (and the stubs' auipc) map to
// the wasm instruction being lowered.
void Lowerer::record_trap_site(u32 code_offset) noexcept
{
    if (m_traps.try_append(TrapSite { code_offset, m_offset }).is_error())
        m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: trap table"));
}

void Lowerer::load_function_entry(GpReg rd, u32 function) noexcept
{
    m_asm.load_context_pointer(rd, abi::vmctx, VMOffsets::functions, function);
}

// base + offset for an access: the base register and its 12-bit immediate
// (t6 when the offset does not fit).
GpReg Lowerer::frame_address(GpReg base, i64 offset, i32& imm) noexcept
{
    MacroAssembler::Address address = m_asm.reach(base, offset, t6, t6);
    imm = address.offset;
    return address.base;
}

// Without Zba an address is zero-extended with `and` against ra holding
// 0xffffffff (6 bytes with the add, not slli + srli + add's 10): ra is
// free between the prologue, which saved it, and the epilogue, which
// reloads it; calls clobber it, so it is set again after each.
void Lowerer::set_mask() noexcept
{
    if (!m_mask)
        return;
    m_asm.li(ra, -1);
    m_asm.srli(ra, ra, 32);
}

// A stack argument or result at [base + offset] into its location.
void Lowerer::load_stack_value(const Location& dst, Type type, GpReg base, i64 offset) noexcept
{
    if (dst.kind == kind_none)
        return;
    if (type == Type::V128)
        return load_v128(dst, base, offset);
    if (dst.kind == kind_slot) {
        m_asm.load(Access::I64, t4, base, offset);
        store_slot(dst, Type::I64, t4.id(), false);
    } else if (dst.kind == kind_gp) {
        m_asm.load(Access::I64, GpReg(dst.reg), base, offset);
    } else {
        m_asm.load(type == Type::F32 ? Access::F32 : Access::F64, FpReg(dst.reg), base, offset);
    }
}

// Unlinks the frame; pop: bytes of stack arguments to pop on top (the
// callee pops its own, jit/Abi.h).
void Lowerer::emit_epilogue(u32 pop) noexcept
{
    m_asm.mv(sp, s0);
    m_asm.ld(ra, sp, 8);
    m_asm.ld(s0, sp, 0);
    m_asm.add_immediate(sp, sp, 16 + i64(pop));
}

// ---------------------------------------------------------------- emission

Result<void> Lowerer::emit() noexcept
{
    m_stubs.clear();
    m_labels.clear();
    TRY(m_labels.try_resize(m_f.blocks.size()));
    for (BlockId b : m_s.cfg.rpo())
        m_labels[b] = m_asm.new_label();
    m_trap_exit = m_asm.new_label();
    m_offset = m_module.functions()[m_index].body.offset;

    // Prologue (as the baseline's, jit/Abi.h): link the frame, check the
    // stack limit for the frame and a callee's link, allocate it.
    // From fp down: the 8-byte slots, the 16-byte slots of v128 values
    // (LowerSimd.cpp), then the outgoing area for stack results at sp.
    u64 frame = ((8 + 8 * u64(m_slots) + 15) & ~u64(15)) + 16 * u64(m_vslots) + ((u64(m_outgoing) + 15) & ~u64(15));
    if (frame > (u64(1) << 30))
        return unsupported("optimizing: frame too large");
    m_frame = u32(frame);
    m_sp_shift = 0;
    m_asm.addi(sp, sp, -16);
    m_asm.sd(ra, sp, 8);
    m_asm.sd(s0, sp, 0);
    m_asm.mv(s0, sp);
    u64 checked = frame + m_max_push + 16;
    m_asm.add_immediate(t4, s0, -i64(checked), t4);
    m_asm.ld(t5, abi::vmctx, VMOffsets::stack_limit);
    m_asm.bltu(t4, t5, trap_label(TrapCode::CallStackExhausted, m_offset));
    m_asm.addi(sp, t4, i32(m_max_push + 16)); // m_max_push <= 2016
    m_asm.sd(abi::vmctx, s0, abi::frame_vmctx_offset);
    m_asm.ld(abi::memory_base, abi::vmctx, VMOffsets::memory0_base);
    set_mask();
    {
        // Register parameters first (parallel moves), then the stack
        // arguments from [fp + 16 + 8k]: all parameters are defined at
        // once, so their locations differ and the loads clobber nothing.
        ArgumentCursor cursor;
        m_moves.clear();
        for (ValueId p : m_f.params(m_f.entry)) {
            Move m;
            m.type = m_f.values[p].type;
            m.dst = m_s.locations[p];
            ArgumentPlace place = cursor.next(m.type);
            if (place.reg < 0)
                continue;
            m.src.kind = place.fp ? kind_fp : kind_gp;
            m.src.reg = u8(place.reg);
            TRY(m_moves.try_append(m));
        }
        resolve(m_moves);
        cursor = {};
        for (ValueId p : m_f.params(m_f.entry)) {
            Type t = m_f.values[p].type;
            ArgumentPlace place = cursor.next(t);
            if (place.reg < 0)
                load_stack_value(m_s.locations[p], t, s0, abi::incoming_base + 8 * i64(place.slot));
        }
    }

    Span<const BlockId> rpo = m_s.cfg.rpo();
    for (usize k = 0; k < rpo.size(); ++k) {
        BlockId b = rpo[k];
        BlockId next = k + 1 < rpo.size() ? rpo[k + 1] : no_id;
        m_asm.bind(m_labels[b]);
        vtype_at_block(b);
        if (m_s.cfg.is_loop_header(b)) {
            // The interrupt check (Engine::interrupt), as the baseline's.
            InstId first = m_f.blocks[b].first;
            u32 at = first != no_id ? m_f.insts[first].wasm_offset : m_offset;
            m_asm.ld(t5, abi::vmctx, VMOffsets::stack_limit);
            m_asm.bltu(sp, t5, trap_label(TrapCode::Interrupted, at));
        }
        enter_block(b);
        for (ValueId p : m_f.params(b))
            store_reloaded(p);
        for (InstId i = m_f.blocks[b].first; i != no_id; i = m_f.insts[i].next) {
            const Inst& inst = m_f.insts[i];
            if (inst.removed || m_s.fused[i])
                continue;
            m_offset = inst.wasm_offset;
            enter_instruction(i);
            // A terminator's edge moves come before its jump: a value it
            // defines (none do) would need storing earlier.
            VTypeState vtype = m_vtype;
            TRY(lower(i, next));
            vtype_after(i, b, vtype);
            for (u32 r = 0; r < inst.result_count; ++r)
                store_reloaded(inst.first_result + r);
        }
    }

    // Trap stubs (jit/TrapStubs.h): the landing pad takes a0 = code, a2 =
    // detail, a1 = a pc whose trap site names the wasm offset. Most stubs
    // are one `jal a1, tail` (a1 = the pc after it, recorded as the trap
    // site), the tail per trap code setting a0 and a2 = -1 (4 bytes a stub
    // instead of 10). A stub with a detail register or a helper's dynamic
    // code is the whole body, with auipc.
    constexpr u32 tail_codes = 32;
    Label tails[tail_codes];
    bool tail_used[tail_codes] = {};
    for (const TrapStub& stub : m_stubs) {
        m_asm.bind(stub.label);
        m_offset = stub.wasm_offset;
        if (!stub.dynamic && !stub.detail_reg && stub.code < tail_codes) {
            if (!tail_used[stub.code]) {
                tails[stub.code] = m_asm.new_label();
                tail_used[stub.code] = true;
            }
            m_asm.jal(a1, tails[stub.code]);
            m_asm.mark_trap_site();
            continue;
        }
        emit_trap_stub_body(m_asm, stub, m_trap_exit);
    }
    for (u32 code = 0; code < tail_codes; ++code) {
        if (!tail_used[code])
            continue;
        m_asm.bind(tails[code]);
        m_asm.li(a0, code);
        m_asm.li(a2, -1);
        m_asm.j(m_trap_exit);
    }
    emit_trap_exit(m_asm, m_trap_exit, m_env.landing_pad);
    return {};
}

// The first `count` operands of i that travel in registers (jit/Abi.h),
// as parallel moves.
void Lowerer::argument_moves(InstId i, u32 count) noexcept
{
    Span<const ValueId> args = m_f.args(i);
    ArgumentCursor cursor;
    m_moves.clear();
    for (u32 k = 0; k < count; ++k) {
        Move m;
        m.src = source_of(args[k], m);
        ArgumentPlace place = cursor.next(m.type);
        if (place.reg < 0)
            continue;
        m.dst.kind = place.fp ? kind_fp : kind_gp;
        m.dst.reg = u8(place.reg);
        if (m_moves.try_append(m).is_error())
            m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: moves"));
    }
    resolve(m_moves);
}

// The rest of them (stack arguments, or stack results at a return): the
// k-th to [base + offset + 8k]. Reads locations, writes only memory; t3
// (a callee's entry) survives.
void Lowerer::stack_argument_stores(InstId i, u32 count, GpReg base, i64 offset) noexcept
{
    Span<const ValueId> args = m_f.args(i);
    ArgumentCursor cursor;
    for (u32 n = 0; n < count; ++n) {
        ValueId v = args[n];
        Type t = m_f.values[v].type;
        bool fp = is_float(t);
        ArgumentPlace place = cursor.next(t);
        if (place.reg >= 0)
            continue;
        i64 at = offset + 8 * i64(place.slot);
        if (t == Type::V128) {
            store_v128(m_s.locations[v], base, at);
            continue;
        }
        if (rematerialized(v)) {
            u64 bits = m_f.const_bits(v);
            GpReg r = zero;
            if (bits != 0) {
                r = t4;
                if (t == Type::F32)
                    m_asm.li(t4, i64(u32(bits)));
                else
                    load_const_gp(t4, t, bits);
            }
            m_asm.store(Access::I64, r, base, at);
            continue;
        }
        if (fp)
            m_asm.store(t == Type::F32 ? Access::F32 : Access::F64, use_fp(v, ft10), base, at);
        else
            m_asm.store(Access::I64, use_gp(v, t4), base, at);
    }
}

// A call's results: registers (parallel moves), then stack results from
// the outgoing area at [sp + 8k].
void Lowerer::result_moves(InstId i, const wasm::FunctionType&) noexcept
{
    const Inst& inst = m_f.insts[i];
    ArgumentCursor cursor;
    m_moves.clear();
    for (u32 r = 0; r < inst.result_count; ++r) {
        ValueId v = inst.first_result + r;
        Move m;
        m.type = m_f.values[v].type;
        m.dst = m_s.locations[v];
        ArgumentPlace place = cursor.next(m.type);
        if (place.reg < 0)
            continue;
        m.src.kind = place.fp ? kind_fp : kind_gp;
        m.src.reg = u8(place.reg);
        if (m_moves.try_append(m).is_error())
            m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: moves"));
    }
    resolve(m_moves);
    cursor = {};
    for (u32 r = 0; r < inst.result_count; ++r) {
        ValueId v = inst.first_result + r;
        Type t = m_f.values[v].type;
        ArgumentPlace place = cursor.next(t);
        if (place.reg < 0)
            load_stack_value(m_s.locations[v], t, sp, 8 * i64(place.slot));
    }
}

// Stack results first (to [fp + 16 + 8Pe + 8k], the caller's area), then
// the register results.
void Lowerer::return_moves(InstId i) noexcept
{
    u32 count = m_f.insts[i].arg_count;
    stack_argument_stores(i, count, s0, abi::incoming_base + 8 * i64(m_stack_params));
    argument_moves(i, count);
}

// t5 = the address of element `index` of table `table` (t4 = index * 8),
// or a trap with `code` when the index is not below the size. An i32
// index is sign-extended (jit/Abi.h): one of 2^31 or more is 2^63 or more
// unsigned, out of range like its zero-extension. Clobbers t3.
void Lowerer::table_element_address(u32 table, GpReg index, TrapCode code) noexcept
{
    m_asm.load_context_pointer(t5, abi::vmctx, VMOffsets::tables, table);
    m_asm.ld(t3, t5, VMOffsets::table_size);
    m_asm.bgeu(index, t3, trap_label(code, m_offset));
    m_asm.ld(t5, t5, VMOffsets::table_data);
    m_asm.slli(t4, index, 3);
    m_asm.add(t5, t5, t4);
}

// §4.4.8 call_indirect: element in range ("undefined element"), not null
// ("uninitialized element N"), of the expected type; the entry goes to t3.
void Lowerer::call_indirect_lookup(InstId i) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    table_element_address(inst.index2, use_gp(args[inst.arg_count - 1], t4), TrapCode::UndefinedElement);
    m_asm.ld(t5, t5, 0);
    m_asm.beqz(t5, trap_label(TrapCode::UninitializedElement, m_offset, t4.id(), 3));
    m_asm.lwu(t4, t5, VMOffsets::function_type);
    m_asm.load_context_element(Access::U32, t3, abi::vmctx, VMOffsets::type_ids, inst.index);
    m_asm.bne(t4, t3, trap_label(TrapCode::IndirectCallTypeMismatch, m_offset));
    m_asm.ld(t3, t5, VMOffsets::function_jit);
}

Result<void> Lowerer::lower(InstId i, BlockId next) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    if (is_simd(inst)) {
        lower_simd(i);
        return {};
    }
    switch (inst.op) {
    case Op::Const:
        if (m_s.held[i]) {
            // Into its register, if it has one here (never into a slot).
            const Location& loc = m_s.locations[m_f.result(i)];
            if (loc.kind == kind_fp)
                load_const_fp(FpReg(loc.reg), inst.type, inst.imm, t4);
            else if (loc.kind == kind_gp)
                load_const_gp(GpReg(loc.reg), inst.type, inst.imm);
        }
        break;
    case Op::Numeric:
        lower_numeric(i);
        break;
    case Op::Select:
        lower_select(i);
        break;
    case Op::RefIsNull: {
        ValueId v = m_f.result(i);
        GpReg a = use_gp(args[0], t4);
        GpReg rd = def_gp(v);
        m_asm.seqz(rd, a);
        finish_gp(v, rd);
        break;
    }
    case Op::RefFunc: {
        ValueId v = m_f.result(i);
        GpReg rd = def_gp(v);
        load_function_entry(t4, inst.index);
        m_asm.ld(rd, t4, i32(__builtin_offsetof(VMFuncEntry, function)));
        finish_gp(v, rd);
        break;
    }
    case Op::Load:
        lower_load(i);
        break;
    case Op::MemorySize:
    case Op::MemoryGrow:
    case Op::Runtime: {
        HelperShape shape;
        if (inst.wasm_op == O::MemoryFill || inst.wasm_op == O::MemoryCopy)
            lower_bulk_memory(i);
        else if (helper_shape(inst, shape))
            lower_helper_call(i, shape);
        else if (inst.wasm_op == O::TableGet || inst.wasm_op == O::TableSet)
            lower_table_access(i);
        else
            return unsupported("optimizing: runtime operation not lowered");
        break;
    }
    case Op::Store:
        lower_store(i);
        break;
    case Op::GlobalGet: {
        ValueId v = m_f.result(i);
        m_asm.load_context_pointer(t4, abi::vmctx, VMOffsets::globals, inst.index);
        Type t = m_f.values[v].type;
        if (is_float(t)) {
            FpReg rd = def_fp(v);
            m_asm.load(t == Type::F32 ? Access::F32 : Access::F64, rd, t4, 0);
            finish_fp(v, rd);
        } else {
            GpReg rd = def_gp(v);
            m_asm.load(t == Type::I32 ? Access::I32 : Access::I64, rd, t4, 0);
            finish_gp(v, rd);
        }
        break;
    }
    case Op::GlobalSet: {
        Type t = m_f.values[args[0]].type;
        m_asm.load_context_pointer(t4, abi::vmctx, VMOffsets::globals, inst.index);
        if (is_float(t))
            m_asm.store(t == Type::F32 ? Access::F32 : Access::F64, use_fp(args[0], ft11), t4, 0);
        else
            m_asm.store(t == Type::I32 ? Access::I32 : Access::I64, use_gp(args[0], t5), t4, 0);
        break;
    }
    case Op::Call:
    case Op::CallIndirect: {
        wasm::FunctionType type = inst.op == Op::Call ? m_module.function_type(inst.index) : m_module.type(inst.index);
        if (inst.op == Op::Call)
            load_function_entry(t3, inst.index);
        else
            call_indirect_lookup(i);
        // Stack arguments: pushed below sp, [sp + 8k] at the callee's
        // entry; it pops them.
        u32 push = 8 * stack_argument_slots(type);
        if (push) {
            m_asm.addi(sp, sp, -i32(push));
            m_sp_shift = push;
            stack_argument_stores(i, u32(type.params.size()), sp, 0);
        }
        argument_moves(i, u32(type.params.size()));
        m_sp_shift = 0;
        m_asm.ld(t5, t3, VMOffsets::entry_code);
        m_asm.ld(abi::vmctx, t3, VMOffsets::entry_context);
        m_asm.jalr(ra, t5, 0);
        simd().forget(); // vtype is undefined after a call (jit/Abi.h)
        m_asm.ld(abi::vmctx, s0, abi::frame_vmctx_offset);
        m_asm.ld(abi::memory_base, abi::vmctx, VMOffsets::memory0_base);
        set_mask();
        result_moves(i, type);
        break;
    }
    case Op::ReturnCall:
    case Op::ReturnCallIndirect: {
        wasm::FunctionType type = inst.op == Op::ReturnCall ? m_module.function_type(inst.index) : m_module.type(inst.index);
        if (inst.op == Op::ReturnCall)
            load_function_entry(t3, inst.index);
        else
            call_indirect_lookup(i);
        // The callee's stack arguments (no more than ours, check_supported)
        // go to the top of our incoming area, straight: our own stack
        // arguments were loaded in the prologue. It enters with sp = our
        // entry sp + 8 * (Pe - its Pe) and our return address (jit/Abi.h).
        u32 theirs = stack_argument_slots(type);
        stack_argument_stores(i, u32(type.params.size()), s0, abi::incoming_base + 8 * i64(m_stack_params - theirs));
        argument_moves(i, u32(type.params.size()));
        m_asm.ld(t5, t3, VMOffsets::entry_code);
        m_asm.ld(abi::vmctx, t3, VMOffsets::entry_context);
        emit_epilogue(8 * (m_stack_params - theirs));
        m_asm.jr(t5);
        break;
    }
    case Op::Jump: {
        EdgeId e = inst.first_edge;
        edge_moves(e);
        if (m_f.edges[e].target != next)
            m_asm.j(m_labels[m_f.edges[e].target]);
        break;
    }
    case Op::Branch:
        lower_branch(i, next);
        break;
    case Op::BrTable:
        lower_br_table(i, next);
        break;
    case Op::Return:
        return_moves(i);
        emit_epilogue(8 * m_stack_params);
        m_asm.ret();
        break;
    case Op::Trap:
        m_asm.j(trap_label(TrapCode(inst.imm), m_offset));
        break;
    default:
        return unsupported("optimizing: operation not lowered");
    }
    return {};
}

// Branches to `target` when the br_if's condition is `when_true`.
void Lowerer::branch_on(InstId term, Label target, bool when_true) noexcept
{
    ValueId c = m_f.args(term)[0];
    const Value& value = m_f.values[c];
    if (!value.is_param && m_s.fused[value.def]) {
        const Inst& cmp = m_f.insts[value.def];
        Span<const ValueId> ops = m_f.args(value.def);
        bool swap;
        BranchCondition cond = compare_condition(cmp.wasm_op, swap);
        GpReg lhs = use_gp(ops[0], t4);
        GpReg rhs = cmp.arg_count > 1 ? use_gp(ops[1], t5) : zero;
        if (swap) {
            GpReg x = lhs;
            lhs = rhs;
            rhs = x;
        }
        m_asm.branch(when_true ? cond : inverse(cond), lhs, rhs, target);
        return;
    }
    GpReg r = use_gp(c, t4);
    if (when_true)
        m_asm.bnez(r, target);
    else
        m_asm.beqz(r, target);
}

void Lowerer::lower_branch(InstId i, BlockId next) noexcept
{
    const Inst& inst = m_f.insts[i];
    EdgeId taken = inst.first_edge, fall = inst.first_edge + 1;
    BlockId t = m_f.edges[taken].target, f = m_f.edges[fall].target;
    bool taken_moves = edge_needs_moves(taken), fall_moves = edge_needs_moves(fall);
    if (!taken_moves && !fall_moves && t == next) {
        branch_on(i, m_labels[f], false);
        return;
    }
    if (!taken_moves) {
        branch_on(i, m_labels[t], true);
        edge_moves(fall);
        if (f != next)
            m_asm.j(m_labels[f]);
        return;
    }
    if (!fall_moves) {
        branch_on(i, m_labels[f], false);
        edge_moves(taken);
        if (t != next)
            m_asm.j(m_labels[t]);
        return;
    }
    Label moves = m_asm.new_label();
    branch_on(i, moves, true);
    edge_moves(fall);
    m_asm.j(m_labels[f]);
    m_asm.bind(moves);
    edge_moves(taken);
    if (t != next)
        m_asm.j(m_labels[t]);
}

void Lowerer::lower_br_table(InstId i, BlockId next) noexcept
{
    const Inst& inst = m_f.insts[i];
    u32 cases = inst.edge_count - 1;
    // The i32 index is sign-extended (jit/Abi.h): unsigned, one of 2^31
    // or more is beyond every case, like its zero-extension; no zext.
    GpReg index = use_gp(m_f.args(i)[0], t4);
    // Per edge: its target's label, or a stub doing its moves first.
    Vector<Label> labels;
    Vector<u8> stubbed;
    if (labels.try_resize(inst.edge_count).is_error() || stubbed.try_resize(inst.edge_count, 0).is_error()) {
        m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: br_table"));
        return;
    }
    for (u32 e = 0; e < inst.edge_count; ++e) {
        EdgeId edge = inst.first_edge + e;
        if (edge_needs_moves(edge)) {
            labels[e] = m_asm.new_label();
            stubbed[e] = 1;
        } else {
            labels[e] = m_labels[m_f.edges[edge].target];
        }
    }
    m_asm.li(t5, i64(cases));
    m_asm.bgeu(index, t5, labels[cases]);
    // A binary search over the case numbers (each leaf a beq chain).
    struct Range {
        u32 low, high;
        Label label;
    };
    Vector<Range> work;
    Label first = m_asm.new_label();
    if (work.try_append(Range { 0, cases, first }).is_error()) {
        m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: br_table"));
        return;
    }
    while (!work.is_empty()) {
        Range r = work.take_last();
        m_asm.bind(r.label);
        if (r.high - r.low <= 4) {
            for (u32 c = r.low; c + 1 < r.high; ++c) {
                if (c == 0) {
                    m_asm.beqz(index, labels[c]);
                } else {
                    m_asm.li(t5, i64(c));
                    m_asm.beq(index, t5, labels[c]);
                }
            }
            if (r.high > r.low)
                m_asm.j(labels[r.high - 1]);
            continue;
        }
        u32 mid = r.low + (r.high - r.low) / 2;
        Label upper = m_asm.new_label();
        m_asm.li(t5, i64(mid));
        m_asm.bgeu(index, t5, upper);
        if (work.try_append(Range { mid, r.high, upper }).is_error() || work.try_append(Range { r.low, mid, m_asm.new_label() }).is_error()) {
            m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: br_table"));
            return;
        }
        m_asm.j(work.last().label);
    }
    for (u32 e = 0; e < inst.edge_count; ++e) {
        if (!stubbed[e])
            continue;
        EdgeId edge = inst.first_edge + e;
        m_asm.bind(labels[e]);
        edge_moves(edge);
        m_asm.j(m_labels[m_f.edges[edge].target]);
    }
    (void)next;
}

} // namespace detail

using detail::Lowerer;
using riscv64::CodeHolder;
using riscv64::MacroAssembler;

Result<void> compile_function(const wasm::Module& module, u32 index, const CompileEnvironment& env, LowerScratch& scratch,
    CodeHolder& holder, Vector<TrapSite>& traps) noexcept
{
    MacroAssembler a(holder);
    Lowerer lowerer(module, env, scratch, a, traps);
    return lowerer.run(index);
}

} // namespace k23::jit::optimizing
