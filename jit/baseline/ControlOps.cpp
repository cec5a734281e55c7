// Control instructions of the baseline tier (core spec 2.0 §4.4.8) and the
// parametric ones (§4.4.4): blocks, branches, br_table, return, drop,
// select. The decoder owns reachability (wasm/FunctionDecoder.h): these
// hooks see reachable code only, and else/end say whether they are reached
// by falling through.

#include <jit/VMContext.h>
#include <jit/baseline/Compiler.h>

namespace k23::jit::baseline {

namespace {

// Heap sort: O(n log n) in place whatever the input (a br_table's distinct
// depths).
void sort_ascending(Span<u32> values)
{
    usize n = values.size();
    auto sift_down = [&](usize root, usize end) {
        for (;;) {
            usize child = 2 * root + 1;
            if (child >= end)
                return;
            if (child + 1 < end && values[child + 1] > values[child])
                ++child;
            if (values[root] >= values[child])
                return;
            u32 t = values[root];
            values[root] = values[child];
            values[child] = t;
            root = child;
        }
    };
    for (usize i = n / 2; i > 0; --i)
        sift_down(i - 1, n);
    for (usize end = n; end > 1; --end) {
        u32 t = values[0];
        values[0] = values[end - 1];
        values[end - 1] = t;
        sift_down(0, end - 1);
    }
}

} // namespace

// Return: results to a0../fa0.. and the incoming overflow area (jit/Abi.h).
// Values first go to their own slots so the register moves cannot clobber
// each other; the abstract stack is not changed (br_if's taken path).
// Emission only: the abstract stack is unchanged (br_if's fall-through
// path keeps it).
void Compiler::emit_return() noexcept
{
    u32 n = u32(m_type.results.size());
    u32 size = u32(m_stack.size());
    // Up to 16 results: where each goes (an a/fa register: its id, float
    // + 32; memory: -1, for v128 and overflow results through their slots).
    // A register result moves straight into place unless its register is
    // another result's destination: those go through their slots first, so
    // no move overwrites a pending source.
    constexpr u32 direct_max = 16;
    i32 destination[direct_max];
    Entry source[direct_max];
    bool direct = n <= direct_max;
    u32 ints = 0, floats = 0;
    for (u32 i = 0; direct && i < n; ++i) {
        ValueType t = m_type.results[i];
        if (is_vec(t))
            destination[i] = -1;
        else if (is_float(t))
            destination[i] = floats < abi::float_arg_registers ? i32(32 + abi::float_args[floats++].id()) : -1;
        else
            destination[i] = ints < abi::int_arg_registers ? i32(abi::int_args[ints++].id()) : -1;
    }
    for (u32 i = 0; i < n; ++i) {
        u32 index = size - n + i;
        Entry e = m_stack[index];
        bool to_slot = !direct || destination[i] < 0;
        if (e.loc == Loc::Reg && !to_slot) {
            i32 id = i32(e.reg) + (is_float(e.type) ? 32 : 0);
            for (u32 j = 0; j < n && !to_slot; ++j)
                to_slot = j != i && destination[j] == id;
        }
        if (e.loc == Loc::Reg && to_slot) {
            m_stack.store_slot(e.type, e.reg, slot_of(index));
            e.loc = Loc::Slot;
        } else if (e.loc == Loc::Const && to_slot) {
            m_asm.li(t4, i64(e.bits));
            store_frame(t4, slot_offset(slot_of(index)));
            e.loc = Loc::Slot;
        }
        if (direct)
            source[i] = e;
    }
    ints = floats = 0;
    u32 overflow = 0;
    // One result in a temporary the last instruction computed: that
    // instruction writes a0/fa0 instead (MacroAssembler::retarget; a br_if's
    // return path starts with its branch, so nothing is rewritten there).
    bool single = n == 1;
    for (u32 i = 0; i < n; ++i) {
        u32 index = size - n + i;
        ValueType t = m_type.results[i];
        Entry e = direct ? source[i] : m_stack[index];
        if (!direct && e.loc != Loc::Slot)
            e.loc = Loc::Slot; // stored above
        e.type = t;
        if (is_vec(t)) {
            copy_wide_halves(slot_offset(slot_of(index)), false, abi::incoming_base + i32(m_incoming_slots + overflow) * 8, false);
            overflow += 2;
            continue;
        }
        bool in_register = is_float(t) ? floats < abi::float_arg_registers : ints < abi::int_arg_registers;
        if (!in_register) {
            load_frame(t4, slot_offset(slot_of(index)));
            store_frame(t4, abi::incoming_base + i32(m_incoming_slots + overflow++) * 8);
            continue;
        }
        if (is_float(t)) {
            FpReg rd = abi::float_args[floats++];
            if (e.loc == Loc::Slot) {
                m_stack.load_slot(e, slot_of(index), rd.id());
            } else if (e.loc == Loc::Const) {
                m_asm.li(t4, i64(e.bits));
                t == ValueType::F32 ? m_asm.fmv_w_x(rd, t4) : m_asm.fmv_d_x(rd, t4);
            } else if (e.reg != rd.id() && !(single && !e.home && m_asm.retarget(FpReg(e.reg), rd))) {
                t == ValueType::F32 ? m_asm.fmv_s(rd, FpReg(e.reg)) : m_asm.fmv_d(rd, FpReg(e.reg));
            }
        } else {
            GpReg rd = abi::int_args[ints++];
            if (e.loc == Loc::Slot)
                m_stack.load_slot(e, slot_of(index), rd.id());
            else if (e.loc == Loc::Const)
                m_asm.li(rd, i64(e.bits));
            else if (e.reg != rd.id() && !(single && !e.home && m_asm.retarget(GpReg(e.reg), rd)))
                m_asm.mv(rd, GpReg(e.reg));
        }
    }
    emit_epilogue();
    m_asm.ret();
}

void Compiler::emit_branch(u32 depth) noexcept
{
    Frame& target = frame_at(depth);
    if (target.kind == wasm::FrameKind::Function) {
        emit_return();
        return;
    }
    end_block_values(target);
    homes_to_label(target);
    m_asm.j(target.label);
}

// ---------------------------------------------------------------- control

void Compiler::enter_block(wasm::FrameKind kind, const ControlFrame& cf) noexcept
{
    Frame frame;
    frame.kind = kind;
    frame.params = cf.params;
    frame.results = cf.results;
    if (kind != wasm::FrameKind::Loop && cf.results.size() == 1) {
        ValueType t = cf.results[0];
        frame.result_in_register = t == ValueType::I32 || t == ValueType::I64 || t == ValueType::F32 || t == ValueType::F64;
    }
    m_stack.spill_all();
    frame.height = u32(m_stack.size() - cf.params.size());
    frame.label = m_asm.new_label();
    if (kind == wasm::FrameKind::If)
        frame.else_label = m_asm.new_label();
    // The else label (or an if's end without one) and a loop header are
    // labels: every home valid. A loop header takes every home as dirty (a
    // back edge may write any).
    if (kind != wasm::FrameKind::Block)
        reload_homes(all_homes());
    frame.else_home_dirty = m_home_dirty;
    if (kind == wasm::FrameKind::Loop) {
        m_asm.bind(frame.label);
        m_home_dirty = all_homes();
    }
    for (ValueType t : cf.params) {
        if (t == ValueType::V128 && !m_wide)
            simd(m_offset);
    }
    for (ValueType t : cf.results) {
        if (t == ValueType::V128 && !m_wide)
            simd(m_offset);
    }
    forget_vtype(); // a loop head, or the block's entry spills

    if (m_frames.try_append(frame).is_error())
        fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: control stack"));
}

void Compiler::on_block(u32, const ControlFrame& cf) noexcept
{
    enter_block(wasm::FrameKind::Block, cf);
}

void Compiler::on_loop(u32 offset, const ControlFrame& cf) noexcept
{
    enter_block(wasm::FrameKind::Loop, cf);
    if (m_failed)
        return;
    // Every iteration passes the head: the interrupt check (Engine::
    // interrupt sets the stack limit above any sp). A loop runs at the sp
    // the prologue checked, so sp < limit here means an interrupt, never a
    // full stack. One load and a not-taken branch.
    m_asm.ld(t5, abi::vmctx, VMOffsets::stack_limit);
    m_asm.bltu(sp, t5, trap_label(TrapCode::Interrupted));
    count_for_tier_up(offset);
}

// Tier::Auto (jit/Compile.h): on entry and at every loop header (where
// everything is spilled), one tick off this function's budget; when it runs
// out, k23_jit_tier_up swaps optimized code into the table for later calls
// and this activation goes on. Five instructions on the counting path.
// At a loop header (loop_offset != 0) with nothing on the value stack,
// k23_jit_tier_up_loop may answer with an OSR entry for this
// loop that takes the locals from our frame: we leave the frame as an
// epilogue would (sp back to the entry sp, ra and the caller's fp) and jump
// there, so it returns to our caller with our results.
// The helper call is out of line (a branch around it): vtype after it is
// unknown, since the call's path sets it (homed v128 locals go to their
// slots and back at e8) and the counting path does not.
void Compiler::count_for_tier_up(u32 loop_offset) noexcept
{
    if (!m_env.count_for_tier_up || m_failed)
        return;
    i64 offset = 4 * i64(m_function_index - m_module.imported_function_count());
    m_asm.ld(t5, abi::vmctx, VMOffsets::tier_budgets);
    if (!MacroAssembler::fits_imm12(offset)) {
        m_asm.add_immediate(t5, t5, offset, t4);
        offset = 0;
    }
    m_asm.lw(t4, t5, i32(offset));
    m_asm.addiw(t4, t4, -1);
    m_asm.sw(t4, t5, i32(offset));
    Label counting = m_asm.new_label();
    m_asm.bge(t4, zero, counting);
    m_asm.mv(a0, abi::vmctx);
    m_asm.li(a1, i64(m_function_index));
    // The helper reads the locals' slots, narrow or wide (call_helper
    // stores the v128 locals homed in vector registers to theirs first).
    bool osr = loop_offset && m_env.osr_at_loops && m_stack.is_empty() && m_local_count <= osr_max_locals;
    if (!osr) {
        call_helper(HelperId::TierUp);
        m_asm.bind(counting);
        forget_vtype();
        return;
    }
    m_asm.li(a2, i64(loop_offset));
    m_asm.mv(a3, s0);
    m_asm.li(a4, m_wide ? 1 : 0);
    store_dirty_homes(Keep::Yes); // the OSR entry reads every local from its slot
    call_helper(HelperId::TierUpLoop);
    m_asm.beqz(a0, counting);
    m_asm.mv(t0, a0);
    m_asm.addi(sp, s0, 16);
    m_asm.ld(ra, s0, 8);
    m_asm.ld(s0, s0, 0);
    m_asm.jr(t0);
    m_asm.bind(counting);
    forget_vtype();
}

void Compiler::on_if(u32, const ControlFrame& cf) noexcept
{
    PendingCompare pending;
    bool fused = take_pending_compare(pending);
    if (fused) {
        enter_block(wasm::FrameKind::If, cf); // spills through t4/t6 only
        m_asm.branch(invert(pending.condition), GpReg(pending.lhs), GpReg(pending.rhs), m_frames.last().else_label);
        unpin(pending);
        return;
    }
    GpReg condition = m_stack.pop_gp_read();
    enter_block(wasm::FrameKind::If, cf);
    m_asm.beqz(condition, m_frames.last().else_label);
}

// An edge into frame's label: its values where the label has them (a loop
// header: its params in their canonical slots; a block's end: its results
// in their canonical slots, or the one scalar result in result_register).
void Compiler::end_block_values(const Frame& frame) noexcept
{
    if (frame.result_in_register)
        m_stack.copy_to_register(m_stack.size() - 1, result_register(frame.results[0]));
    else
        m_stack.move_to_slots(frame.height, frame.arity());
}

// cf.unreachable: the then-branch does not fall through to the end.
void Compiler::on_else(u32 offset, const ControlFrame& cf) noexcept
{
    begin(offset); // also after unreachable code, which had no on_instruction
    if (m_frames.is_empty() || m_failed)
        return;
    Frame& frame = m_frames.last();
    if (!cf.unreachable) {
        end_block_values(frame);
        homes_to_label(frame);
        m_asm.j(frame.label);
    }
    m_asm.bind(frame.else_label);
    homes_at_label(frame.else_home_dirty);
    forget_vtype();
    frame.has_else = true;
    m_stack.truncate_stack(frame.height);
    for (ValueType t : frame.params)
        m_stack.push_slot(t);
}

// cf.unreachable: nothing falls through to this end.
void Compiler::on_end(u32 offset, const ControlFrame& cf) noexcept
{
    begin(offset); // also after unreachable code, which had no on_instruction
    if (m_frames.is_empty() || m_failed)
        return;
    Frame frame = m_frames.take_last();
    switch (frame.kind) {
    case wasm::FrameKind::Function:
        if (!cf.unreachable)
            emit_return();
        return;
    case wasm::FrameKind::Loop:
        if (cf.unreachable) {
            m_stack.truncate_stack(frame.height);
            for (ValueType t : frame.results)
                m_stack.push_slot(t);
        }
        return;
    default:
        if (!cf.unreachable) {
            end_block_values(frame);
            homes_to_label(frame);
        }
        if (frame.kind == wasm::FrameKind::If && !frame.has_else) {
            frame.home_dirty |= frame.else_home_dirty; // the empty else's edge
            if (frame.result_in_register) {
                // The empty else passes the param (in its slot) through.
                if (!cf.unreachable)
                    m_asm.j(frame.label);
                m_asm.bind(frame.else_label);
                Entry param;
                param.type = frame.results[0];
                m_stack.load_slot(param, slot_of(frame.height), result_register(param.type));
            } else {
                m_asm.bind(frame.else_label);
            }
        }
        m_asm.bind(frame.label);
        homes_at_label(frame.home_dirty);
        forget_vtype();
        m_stack.truncate_stack(frame.height);
        if (frame.result_in_register) {
            m_stack.push_reg(frame.results[0], result_register(frame.results[0]));
            return;
        }
        for (ValueType t : frame.results)
            m_stack.push_slot(t);
        return;
    }
}

void Compiler::on_unreachable(u32 offset) noexcept
{
    m_asm.j(trap_label(TrapCode::Unreachable));
    set_unreachable();
}

void Compiler::on_br(u32 offset, u32 depth) noexcept
{
    emit_branch(depth);
    set_unreachable();
}

void Compiler::on_br_if(u32 offset, u32 depth) noexcept
{
    PendingCompare pending;
    bool fused = take_pending_compare(pending);
    GpReg condition = fused ? zero : m_stack.pop_gp_read();
    Frame& target = frame_at(depth);
    bool in_place = target.kind != wasm::FrameKind::Function;
    if (in_place && target.result_in_register) {
        // In place when the result is in the label's register already.
        const Entry& e = m_stack.top();
        in_place = e.loc == Loc::Reg && !e.home && e.reg == result_register(e.type);
    } else if (in_place) {
        u32 arity = target.arity();
        u32 size = u32(m_stack.size());
        for (u32 i = 0; i < arity; ++i) {
            const Entry& e = m_stack[size - arity + i];
            if (e.loc != Loc::Slot || size - arity + i != target.height + i)
                in_place = false;
        }
    }
    if (in_place) {
        homes_to_label(target); // on both paths: the state stays one
        if (fused)
            m_asm.branch(pending.condition, GpReg(pending.lhs), GpReg(pending.rhs), target.label);
        else
            m_asm.bnez(condition, target.label);
        unpin(pending);
        return;
    }
    Label skip = m_asm.new_label();
    if (fused)
        m_asm.branch(invert(pending.condition), GpReg(pending.lhs), GpReg(pending.rhs), skip);
    else
        m_asm.beqz(condition, skip);
    unpin(pending);
    u32 valid = m_home_valid; // the taken path's reloads are not the fall-through's
    emit_branch(depth);
    m_home_valid = valid;
    m_asm.bind(skip);
    forget_vtype(); // the taken path may have set it
}

void Compiler::on_br_table(u32 offset, Span<const u32> targets, u32 default_depth) noexcept
{
    GpReg index = m_stack.pop_gp_read();
    m_stack.spill_all();
    reload_homes(all_homes()); // before the dispatch: the cases reload nothing
    // One case per distinct depth (the moves for that label, then the
    // jump), in ascending depth order. The distinct depths are found by
    // marking their frames and then sorted, O(n log n): no array as deep as
    // the deepest target, which made br_tables under deep nesting quadratic.
    u32 epoch = ++m_br_table_epoch;
    Vector<u32> depths;
    auto note = [&](u32 depth) {
        Frame& frame = frame_at(depth);
        if (frame.br_table_mark == epoch)
            return true;
        frame.br_table_mark = epoch;
        frame.br_table_case = m_asm.new_label();
        return !depths.try_append(depth).is_error();
    };
    bool noted = note(default_depth);
    for (u32 d : targets)
        noted = noted && note(d);
    if (!noted)
        return fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: br_table"));
    sort_ascending(depths.span());
    Label dispatch = m_asm.new_label();
    m_asm.j(dispatch);
    for (u32 d : depths) {
        m_asm.bind(frame_at(d).br_table_case);
        forget_vtype(); // entered from the dispatch, not from the case above
        emit_branch(d);
    }
    m_asm.bind(dispatch);
    // §4.4.8 br_table: an index beyond the vector takes the default.
    m_asm.zero_extend_word(t4, index);
    u32 n = u32(targets.size());
    m_asm.li(t5, n);
    m_asm.bgeu(t4, t5, frame_at(default_depth).br_table_case);
    if (n == 0) {
        m_asm.j(frame_at(default_depth).br_table_case);
    } else if (n <= 12) {
        // A jump table of jal instructions. It is one instruction group, so
        // it stays below the code holder's island slack (64 bytes).
        Label table = m_asm.new_label();
        m_asm.lea(t5, table);
        m_asm.slli(t4, t4, 2);
        m_asm.add(t5, t5, t4);
        m_asm.jr(t5);
        bool compress = m_asm.code().options().compress;
        m_asm.code().set_compress(false);
        {
            InstructionGroup group(m_asm.code());
            m_asm.bind(table);
            u32 start = m_asm.offset();
            for (u32 i = 0; i < n; ++i)
                m_asm.j(frame_at(targets[i]).br_table_case);
            if (m_asm.offset() - start != 4 * n)
                fail(Error::from_code(ErrorCode::Unsupported, "baseline: br_table target out of jal range"));
        }
        m_asm.code().set_compress(compress);
    } else {
        // Runs of equal targets, found by binary search: O(log runs)
        // compares, and islands may go anywhere in between.
        Vector<u32> run_starts;
        for (u32 i = 0; i < n; ++i) {
            if (i == 0 || targets[i] != targets[i - 1]) {
                if (run_starts.try_append(i).is_error())
                    return fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: br_table"));
            }
        }
        emit_br_table_search(targets, run_starts.span(), 0, u32(run_starts.size()));
    }
    set_unreachable();
}

void Compiler::emit_br_table_search(Span<const u32> targets, Span<const u32> run_starts, u32 low, u32 high) noexcept
{
    if (high - low == 1) {
        m_asm.j(frame_at(targets[run_starts[low]]).br_table_case);
        return;
    }
    u32 mid = (low + high) / 2;
    Label upper = m_asm.new_label();
    m_asm.li(t5, run_starts[mid]);
    m_asm.bgeu(t4, t5, upper);
    emit_br_table_search(targets, run_starts, low, mid);
    m_asm.bind(upper);
    emit_br_table_search(targets, run_starts, mid, high);
}

void Compiler::on_return(u32 offset) noexcept
{
    emit_return();
    set_unreachable();
}

// ---------------------------------------------------------------- parametric

void Compiler::on_drop(u32 offset, ValueType) noexcept
{
    m_stack.drop_entry();
}

// §4.4.4 select: the first operand when the condition is nonzero. On a
// pending compare (select right after it) the branch tests the compare's
// operands, so no 0/1 result is made; with Zbb, the clamp shapes
// select(x, y, x < y) and select(y, x, x < y) (either order, signed or
// unsigned, x and y the same homed locals or constants in both places) are
// min/max/minu/maxu. The result takes an operand's register when one is a
// temporary: one move, after the branch, on one path.
void Compiler::on_select(u32 offset, ValueType type) noexcept
{
    if (is_vec(type) && !m_vector) {
        flush_pending_compare();
        return scalar_select();
    }
    PendingCompare pending;
    BranchCondition when = BranchCondition::Ne; // keep the first operand when lhs `when` rhs
    GpReg lhs = zero, rhs = zero;
    bool fused = take_pending_compare(pending);
    if (fused) {
        if (!is_float(type) && !is_vec(type) && select_min_max(pending, type))
            return unpin(pending);
        when = pending.condition;
        lhs = GpReg(pending.lhs);
        rhs = GpReg(pending.rhs);
    } else {
        flush_pending_compare();
        lhs = m_stack.pop_gp_read();
    }
    Label done = m_asm.new_label();
    if (is_vec(type)) {
        // Whole-register moves need no vtype; pop_vec gives temporaries.
        VecReg b = m_stack.pop_vec();
        VecReg a = m_stack.pop_vec();
        m_asm.branch(when, lhs, rhs, done);
        m_asm.vmvr(1, a, b);
        m_asm.bind(done);
        m_stack.release(b);
        m_stack.push_vec(a);
    } else if (is_float(type)) {
        FpReg b = m_stack.pop_fp_read();
        FpReg a = m_stack.pop_fp_read();
        auto move = [&](FpReg to, FpReg from) { type == ValueType::F32 ? m_asm.fmv_s(to, from) : m_asm.fmv_d(to, from); };
        FpReg r = a;
        if (m_stack.is_temp(RegClass::Float, a.id())) {
            m_asm.branch(when, lhs, rhs, done);
            move(a, b);
        } else if (m_stack.is_temp(RegClass::Float, b.id())) {
            r = b;
            m_asm.branch(invert(when), lhs, rhs, done);
            move(b, a);
        } else {
            r = m_stack.alloc_fp();
            move(r, a);
            m_asm.branch(when, lhs, rhs, done);
            move(r, b);
        }
        m_asm.bind(done);
        m_stack.release(a);
        m_stack.release(b);
        m_stack.push_fp(type, r);
    } else {
        GpReg b = m_stack.pop_gp_read();
        GpReg a = m_stack.pop_gp_read();
        GpReg r = a;
        if (m_stack.is_temp(RegClass::Integer, a.id())) {
            m_asm.branch(when, lhs, rhs, done);
            m_asm.mv(a, b);
        } else if (m_stack.is_temp(RegClass::Integer, b.id())) {
            r = b;
            m_asm.branch(invert(when), lhs, rhs, done);
            m_asm.mv(b, a);
        } else {
            r = m_stack.alloc_gp();
            m_asm.mv(r, a);
            m_asm.branch(when, lhs, rhs, done);
            m_asm.mv(r, b);
        }
        m_asm.bind(done);
        m_stack.release(a);
        m_stack.release(b);
        m_stack.push_gp(type, r);
    }
    if (fused)
        unpin(pending);
}

// The clamp shapes of on_select (Zbb): true when emitted.
bool Compiler::select_min_max(const PendingCompare& p, ValueType type) noexcept
{
    if (!m_asm.has(Extension::Zbb))
        return false;
    bool less = false, is_signed = false;
    switch (p.op) {
    case Opcode::I32LtS: case Opcode::I64LtS: case Opcode::I32LeS: case Opcode::I64LeS: less = true; is_signed = true; break;
    case Opcode::I32LtU: case Opcode::I64LtU: case Opcode::I32LeU: case Opcode::I64LeU: less = true; break;
    case Opcode::I32GtS: case Opcode::I64GtS: case Opcode::I32GeS: case Opcode::I64GeS: is_signed = true; break;
    case Opcode::I32GtU: case Opcode::I64GtU: case Opcode::I32GeU: case Opcode::I64GeU: break;
    default: return false;
    }
    // The same value: one homed local's register (nothing can write it
    // between the compare and the select), or equal constants.
    auto same = [](const Entry& x, const Entry& y) {
        if (x.loc == Loc::Const)
            return y.loc == Loc::Const && x.bits == y.bits;
        return x.loc == Loc::Reg && x.home && y.loc == Loc::Reg && y.home && x.reg == y.reg;
    };
    const Entry& first = m_stack.top(1);
    const Entry& second = m_stack.top(0);
    bool direct = same(first, p.a_entry) && same(second, p.b_entry);
    if (!direct && !(same(first, p.b_entry) && same(second, p.a_entry)))
        return false;
    // select(x, y, x < y) = min(x, y); swapped operands or > give max.
    bool min = less == direct;
    m_stack.drop_entry();
    m_stack.drop_entry();
    GpReg r = m_stack.alloc_gp();
    GpReg x(p.a), y(p.b);
    if (is_signed)
        min ? m_asm.min(r, x, y) : m_asm.max(r, x, y);
    else
        min ? m_asm.minu(r, x, y) : m_asm.maxu(r, x, y);
    m_stack.push_gp(type, r);
    return true;
}

} // namespace k23::jit::baseline
