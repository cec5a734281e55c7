// The baseline compiler: the framework (per-instruction work, trap stubs),
// the function's frame (prologue, epilogue), locals, constants and the
// numeric dispatch. See Compiler.h for the model and jit/Abi.h for the
// conventions. Semantics follow core spec 2.0 §4.4 "Instructions".

#include <base/Memory.h>
#include <base/Platform.h>
#include <jit/Helpers.h>
#include <jit/VMContext.h>
#include <arch/riscv64/asm/Encoding.h>
#include <jit/baseline/Compiler.h>

namespace k23::jit::baseline {

// ---------------------------------------------------------------- framework

void Compiler::fail(Error error) noexcept
{
    if (!m_failed) {
        m_failed = true;
        m_failure = error.with_offset(m_offset).in_function(m_function_index);
    }
}

void Compiler::simd(u32 offset) noexcept
{
    m_offset = offset;
    fail(Error::from_code(ErrorCode::Unsupported, "SIMD not supported yet: v128"));
}

void Compiler::simd(u32 offset, Opcode op) noexcept
{
    m_offset = offset;
    fail(Error::formatted(ErrorCode::Unsupported, "SIMD not supported yet: {}"_sv, wasm::opcode_info(op).name));
}

// The decoder's per-instruction call (reachable code only): a compare
// stays pending for an if, br_if or select, which branch on its operands.
bool Compiler::on_instruction(u32 offset, Opcode op) noexcept
{
    // Inlined into the decoder's loop: the common case calls nothing.
    if (m_pending.active && op != Opcode::If && op != Opcode::BrIf && op != Opcode::Select && op != Opcode::SelectT)
        flush_pending_compare();
    start_instruction(offset);
    return !m_failed;
}

bool Compiler::begin(u32 offset) noexcept
{
    flush_pending_compare();
    start_instruction(offset);
    return !m_failed;
}

// A leaf in the common case (no registers to save): placing the stubs
// is a tail call (emit_trap_stubs keeps m_offset and takes no temps), and
// this stays out of line so on_instruction inlines small.
[[gnu::noinline]] void Compiler::start_instruction(u32 offset) noexcept
{
    m_offset = offset;
    m_stack.release_temps();
    // Trap stubs go out of line but near their branches (B-type reaches
    // ±4 KiB): pending ones are placed behind a jump every ~1.5 KiB, so
    // the code holder rarely needs islands.
    if (m_stubs_emitted < m_stubs.size() && m_asm.offset() - m_oldest_stub_at > 1536 && !m_failed) [[unlikely]]
        emit_trap_stubs_behind_jump();
}

[[gnu::noinline]] void Compiler::emit_trap_stubs_behind_jump() noexcept
{
    Label skip = m_asm.new_label();
    m_asm.j(skip);
    emit_trap_stubs();
    m_asm.bind(skip);
}

Label Compiler::trap_label(TrapCode code) noexcept
{
    return new_trap_stub(u8(code), false);
}

Label Compiler::dynamic_trap_label() noexcept
{
    return new_trap_stub(0, true);
}

Label Compiler::new_trap_stub(u8 code, bool dynamic) noexcept
{
    if (m_stubs_emitted == m_stubs.size())
        m_oldest_stub_at = m_asm.offset();
    TrapStub stub { m_asm.new_label(), m_offset, code, dynamic };
    if (m_stubs.try_append(stub).is_error())
        fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: trap stubs"));
    return stub.label;
}

void Compiler::record_trap_site(u32 code_offset) noexcept
{
    if (m_traps.try_append(TrapSite { code_offset, m_offset }).is_error())
        fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: trap table"));
}

// After a branch away: the block's values are gone (the decoder skips the
// rest of the block up to its else or end).
void Compiler::set_unreachable() noexcept
{
    if (!m_frames.is_empty())
        m_stack.truncate_stack(m_frames.last().height);
}

// ---------------------------------------------------------------- function

void Compiler::begin_function(u32 function_index, bool module_wide) noexcept
{
    m_function_index = function_index;
    m_type = m_module.function_type(function_index);
    m_frames.clear();
    m_stubs.clear();
    m_traps.clear();
    m_max_outgoing = 0;
    m_max_pushed = 0;
    m_failed = false;
    m_pending = {};
    m_vtype.known = false;
    m_vector = m_env.features.has(Extension::V);
    m_wide = module_wide || body_needs_wide(m_module, function_index);
    m_stack.reset(m_wide);
}

void Compiler::on_function_begin(Span<const ValueType> locals) noexcept
{
    m_offset = m_module.functions()[m_function_index].body.offset;
    m_local_types.clear();
    if (m_local_types.try_extend(locals).is_error())
        return fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: locals"));
    m_local_count = u32(locals.size());
    m_stack.set_local_count(m_local_count);
    m_param_count = u32(m_type.params.size());
    m_incoming_slots = pushed_slots(shape_of(m_type).stack_params);
    for (ValueType t : locals) {
        if (t == ValueType::V128)
            m_wide = true; // before the first slot access
    }
    m_stack.set_wide(m_wide);
    for (ValueType t : m_type.results) {
        if (t == ValueType::V128 && !m_wide)
            return simd(m_offset);
    }
    // Up to eight v128 locals live in v24-v31 while the function runs
    // (values keep v8 up to the first home), and the scalar locals that
    // pay in s2-s9 and fs4-fs11 (LocalHomes.cpp).
    choose_homes();
    m_trap_exit = m_asm.new_label();
    m_stubs_emitted = 0;
    m_stack_trap = trap_label(TrapCode::CallStackExhausted);

    // Prologue: link the frame, then the out-of-line frame setup (its size is
    // known at the end) checks the stack limit and allocates it.
    m_asm.addi(sp, sp, -16);
    m_asm.sd(ra, sp, 8);
    m_asm.sd(s0, sp, 0);
    m_asm.mv(s0, sp);
    // sp = fp - frame size, checked against the stack limit first. The
    // check also covers what our calls store below sp before the callee's
    // own check (jit/Abi.h): the stack arguments they push (up to
    // max_prologue_push bytes; bigger pushes check at the call) and the
    // callee's 16-byte frame link. t4 = fp - (frame + pushed + 16) is
    // checked, then sp = t4 + pushed + 16. Both sizes are known at the end:
    // lui + addiw and the addi are patched then, so the check costs nothing
    // more than before.
    {
        InstructionGroup group(m_asm.code());
        m_frame_size_at = m_asm.offset();
        m_asm.code().emit32(encoding::u_type(encoding::Lui, t4.id(), 0));
        m_asm.code().emit32(encoding::i_type(encoding::OpImm32, t4.id(), 0, t4.id(), 0));
    }
    m_asm.sub(t4, s0, t4);
    m_asm.ld(t5, abi::vmctx, VMOffsets::stack_limit);
    m_asm.bltu(t4, t5, m_stack_trap);
    {
        InstructionGroup group(m_asm.code());
        m_sp_from_check_at = m_asm.offset();
        m_asm.code().emit32(encoding::i_type(encoding::OpImm, sp.id(), 0, t4.id(), 0));
    }
    m_asm.sd(abi::vmctx, s0, abi::frame_vmctx_offset);
    m_asm.ld(abi::memory_base, abi::vmctx, VMOffsets::memory0_base);
    // A homed local starts in its home, valid and dirty (as after a
    // local.set): a register parameter by a move, a zeroed local from x0;
    // its slot is written when a call or OSR needs it (store_dirty_homes).
    u32 written = 0;
    auto write_home = [&](u32 local, u8 from, bool fp) {
        if (u8 home = local_home(local)) {
            fp ? m_asm.fmv_d(FpReg(home), FpReg(from)) : m_asm.mv(GpReg(home), GpReg(from));
            written |= u32(1) << home_number(local);
            return true;
        }
        return false;
    };
    u32 ints = 0, floats = 0, overflow = 0;
    for (u32 i = 0; i < m_param_count; ++i) {
        ValueType t = m_type.params[i];
        if (is_vec(t)) {
            copy_wide_halves(abi::incoming_base + i32(overflow) * 8, false, slot_offset(i), false);
            overflow += 2;
        } else if (is_float(t) && floats < abi::float_arg_registers) {
            u8 arg = abi::float_args[floats++].id();
            if (!write_home(i, arg, true))
                m_stack.store_slot(t, arg, i);
        } else if (!is_float(t) && ints < abi::int_arg_registers) {
            u8 arg = abi::int_args[ints++].id();
            if (!write_home(i, arg, false))
                m_stack.store_slot(t, arg, i);
        } else {
            load_frame(t4, abi::incoming_base + i32(overflow++) * 8);
            store_frame(t4, slot_offset(i));
        }
    }
    u32 zeroed = m_local_count - m_param_count;
    if (zeroed > 0 && zeroed <= 16) {
        for (u32 i = m_param_count; i < m_local_count; ++i) {
            if (!is_float(m_local_types[i]) && write_home(i, zero.id(), false))
                continue;
            store_frame(zero, slot_offset(i));
            if (m_wide)
                store_frame(zero, slot_offset(i) + 8);
        }
    } else if (zeroed > 16) {
        // Slots descend in memory: start at the last local, walk up.
        m_asm.li(t4, slot_offset(m_local_count - 1));
        m_asm.add(t4, s0, t4);
        m_asm.li(t5, m_wide ? 2 * zeroed : zeroed);
        Label loop = m_asm.new_label();
        m_asm.bind(loop);
        m_asm.sd(zero, t4, 0);
        m_asm.addi(t4, t4, 8);
        m_asm.addi(t5, t5, -1);
        m_asm.bnez(t5, loop);
    }
    home_vec_locals_from_slots(); // parameters copied, the other locals zeroed
    // The others start invalid and clean: each is loaded at its first use
    // or at the first edge into a label (LocalHomes.cpp).
    m_home_valid |= written;
    m_home_dirty |= written;
    count_for_tier_up(0);
    Frame frame;
    frame.kind = wasm::FrameKind::Function;
    frame.height = 0;
    frame.results = m_type.results;
    frame.label = m_asm.new_label();
    if (m_frames.try_append(frame).is_error())
        fail(Error::from_code(ErrorCode::OutOfMemory, "baseline: control stack"));
}

Result<void> Compiler::on_function_end() noexcept
{
    if (m_failed)
        return m_failure;
    u64 slots = u64(m_local_count) + m_stack.max_depth();
    u64 frame_size = m_wide ? 16 + 16 * slots + 8 * u64(m_max_outgoing) : 8 + 8 * slots + 8 * u64(m_max_outgoing);
    frame_size = (frame_size + 15) & ~u64(15);
    if (frame_size > (u64(1) << 30))
        return Error::from_code(ErrorCode::Unsupported, "baseline: frame too large").in_function(m_function_index);
    // The checked size includes the pushed stack arguments and a callee's
    // frame link (16-aligned: pushes are an even number of slots), so
    // nothing our calls store lands below the limit; sp is raised by them
    // again.
    u64 below_sp = m_max_pushed + u64(callee_link_bytes);
    u64 checked_size = frame_size + below_sp;
    auto parts = encoding::split_hi_lo(i64(checked_size));
    m_asm.code().write32(m_frame_size_at, encoding::u_type(encoding::Lui, t4.id(), parts.hi));
    m_asm.code().write32(m_frame_size_at + 4, encoding::i_type(encoding::OpImm32, t4.id(), 0, t4.id(), parts.lo));
    m_asm.code().write32(m_sp_from_check_at, encoding::i_type(encoding::OpImm, sp.id(), 0, t4.id(), i32(below_sp)));

    emit_trap_stubs();
    emit_trap_exit(m_asm, m_trap_exit, m_env.landing_pad);
    if (m_failed)
        return m_failure;
    return {};
}

// The pending trap stubs (jit/TrapStubs.h), each a whole body ending in a
// jump to the trap exit.
void Compiler::emit_trap_stubs() noexcept
{
    u32 saved_offset = m_offset;
    for (; m_stubs_emitted < m_stubs.size(); ++m_stubs_emitted) {
        const TrapStub& stub = m_stubs[m_stubs_emitted];
        m_asm.bind(stub.label);
        m_offset = stub.wasm_offset; // for the auipc's trap site
        emit_trap_stub_body(m_asm, stub, m_trap_exit);
    }
    m_offset = saved_offset;
}

// Pops the frame and the incoming stack arguments (the callee pops them).
void Compiler::emit_epilogue() noexcept
{
    m_asm.mv(sp, s0);
    m_asm.ld(ra, sp, 8);
    m_asm.ld(s0, sp, 0);
    add_sp(16 + 8 * i64(m_incoming_slots));
}

void Compiler::add_sp(i64 bytes) noexcept
{
    m_asm.add_immediate(sp, sp, bytes);
}

// Frame accesses at fp + offset: far offsets through t6 (MacroAssembler).
void Compiler::load_frame(GpReg rd, i32 offset) noexcept { m_asm.load(Access::I64, rd, abi::frame, offset); }

void Compiler::store_frame(GpReg rs, i32 offset) noexcept { m_asm.store(Access::I64, rs, abi::frame, offset); }

// 1-, 2-, 4- or 8-byte frame access at fp + offset.
void Compiler::frame_load_sized(GpReg rd, i32 offset, u32 size, bool sign) noexcept
{
    Access access = size == 1 ? (sign ? Access::I8 : Access::U8)
        : size == 2           ? (sign ? Access::I16 : Access::U16)
        : size == 4           ? (sign ? Access::I32 : Access::U32)
                              : Access::I64;
    m_asm.load(access, rd, abi::frame, offset);
}

void Compiler::frame_store_sized(GpReg rs, i32 offset, u32 size) noexcept
{
    Access access = size == 1 ? Access::I8 : size == 2 ? Access::I16 : size == 4 ? Access::I32 : Access::I64;
    m_asm.store(access, rs, abi::frame, offset);
}

void Compiler::frame_load_fp(FpReg rd, i32 offset, ValueType type) noexcept
{
    m_asm.load(type == ValueType::F32 ? Access::F32 : Access::F64, rd, abi::frame, offset);
}

void Compiler::frame_store_fp(FpReg rs, i32 offset, ValueType type) noexcept
{
    m_asm.store(type == ValueType::F32 ? Access::F32 : Access::F64, rs, abi::frame, offset);
}

// ---------------------------------------------------------------- locals

void Compiler::on_local_get(u32 offset, u32 index, ValueType type) noexcept
{
    Entry e;
    e.type = type;
    if (is_vec(type)) {
        if (!m_wide)
            return simd(offset);
        if (!m_vector)
            return scalar_local_get(index);
        VecReg r = m_stack.alloc_vec();
        if (u8 home = vec_home(index))
            m_asm.vmvr(1, r, VecReg(home)); // whole-register move: no vtype
        else
            m_stack.load_slot(e, index, r.id());
        m_stack.push_vec(r);
    } else if (u8 home = local_home(index)) {
        use_home(index);
        m_stack.push_reg(type, home); // an alias: no code
    } else if (is_float(type)) {
        FpReg r = m_stack.alloc_fp();
        m_stack.load_slot(e, index, r.id());
        m_stack.push_fp(type, r);
    } else {
        GpReg r = m_stack.alloc_gp();
        m_stack.load_slot(e, index, r.id());
        m_stack.push_gp(type, r);
    }
}

// A homed local takes the value in its register: a constant directly, a
// slot by a load, a register by a move (none when it is the home already,
// or when the last instruction computed it: then that one is retargeted).
void Compiler::set_local_home(u32 index, ValueType type, u8 home) noexcept
{
    m_stack.detach_aliases(type, home);
    const Entry& e = m_stack.top();
    if (e.loc == Loc::Const && !is_float(type)) {
        m_asm.li(GpReg(home), i64(e.bits));
        m_stack.drop_entry();
    } else if (is_float(type)) {
        // A temporary the last instruction computed: that instruction
        // writes the home instead (no move).
        FpReg r = m_stack.pop_fp_read();
        if (r.id() != home && (m_stack.is_home(RegClass::Float, r.id()) || !m_asm.retarget(r, FpReg(home))))
            m_asm.fmv_d(FpReg(home), r);
    } else {
        GpReg r = m_stack.pop_gp_read();
        if (r.id() != home && (m_stack.is_home(RegClass::Integer, r.id()) || !m_asm.retarget(r, GpReg(home))))
            m_asm.mv(GpReg(home), r);
    }
    u32 bit = u32(1) << home_number(index);
    m_home_valid |= bit;
    m_home_dirty |= bit;
}

void Compiler::on_local_set(u32 offset, u32 index, ValueType type) noexcept
{
    if (is_vec(type) && !m_vector) {
        scalar_local_set(index, false);
    } else if (is_vec(type)) {
        VecReg r = m_stack.pop_vec();
        if (u8 home = vec_home(index))
            m_asm.vmvr(1, VecReg(home), r);
        else
            m_stack.store_slot(type, r.id(), index);
        m_stack.release(r);
    } else if (u8 home = local_home(index)) {
        set_local_home(index, type, home);
    } else if (is_float(type)) {
        FpReg r = m_stack.pop_fp_read();
        m_stack.store_slot(type, r.id(), index);
    } else {
        GpReg r = m_stack.pop_gp_read();
        m_stack.store_slot(type, r.id(), index);
    }
}

void Compiler::on_local_tee(u32 offset, u32 index, ValueType type) noexcept
{
    if (is_vec(type) && !m_vector) {
        scalar_local_set(index, true);
    } else if (is_vec(type)) {
        VecReg r = m_stack.pop_vec();
        if (u8 home = vec_home(index))
            m_asm.vmvr(1, VecReg(home), r);
        else
            m_stack.store_slot(type, r.id(), index);
        m_stack.push_vec(r);
    } else if (u8 home = local_home(index)) {
        set_local_home(index, type, home);
        m_stack.push_reg(type, home);
    } else if (is_float(type)) {
        FpReg r = m_stack.pop_fp_read(); // pushed back: an alias stays one
        m_stack.store_slot(type, r.id(), index);
        m_stack.push_fp(type, r);
    } else {
        GpReg r = m_stack.pop_gp_read();
        m_stack.store_slot(type, r.id(), index);
        m_stack.push_gp(type, r);
    }
}

// ---------------------------------------------------------------- numeric dispatch

void Compiler::on_numeric(u32 offset, Opcode op) noexcept
{
    const wasm::OpcodeInfo& info = wasm::opcode_info(op);
    if (info.prefix == 0xfd) {
        if (scalar_simd()) {
            if (!scalar_inline(op))
                scalar_simd_call(op);
        }
        else if (!m_wide || !simd_op(op))
            simd(offset, op);
        return;
    }
    if (integer_op(op) || float_op(op) || conversion_op(op))
        return;
    fail(Error::formatted(ErrorCode::Unsupported, "baseline: {} not supported"_sv, info.name));
}

void Compiler::on_i32_const(u32 offset, i32 value) noexcept
{
    m_stack.push_const(ValueType::I32, u64(i64(value)));
}

void Compiler::on_i64_const(u32 offset, i64 value) noexcept
{
    m_stack.push_const(ValueType::I64, u64(value));
}

void Compiler::on_f32_const(u32 offset, u32 bits) noexcept
{
    m_stack.push_const(ValueType::F32, bits);
}

void Compiler::on_f64_const(u32 offset, u64 bits) noexcept
{
    m_stack.push_const(ValueType::F64, bits);
}

// ---------------------------------------------------------------- module

Result<void> compile_function(const wasm::Module& module, u32 index, const CompileEnvironment& env, bool module_wide,
    wasm::DecoderScratch& scratch, CodeHolder& holder, Vector<TrapSite>& traps) noexcept
{
    MacroAssembler a(holder);
    Compiler compiler(module, env, a);
    compiler.begin_function(index, module_wide);
    wasm::FunctionDecoder<Compiler, wasm::DecodeMode::Trusted> decoder(module, compiler, scratch);
    TRY(decoder.decode(index));
    if (compiler.failed())
        return compiler.failure();
    for (const TrapSite& site : compiler.trap_sites())
        TRY(traps.try_append(site));
    return {};
}

Result<void> compile_module(const wasm::Module& module, const CompileEnvironment& env, CompiledModule& out) noexcept
{
    return jit::compile_module(module, env, Tier::Baseline, out);
}

} // namespace k23::jit::baseline
