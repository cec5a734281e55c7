#pragma once

// FunctionDecoder's member functions (included from FunctionDecoder.h).

namespace k23::wasm {

template<typename Interface, DecodeMode mode>
Result<void> FunctionDecoder<Interface, mode>::decode_body(u32 function_index) noexcept
{
    const Function& function = m_module.functions()[function_index];
    ReadonlyBytes body = m_module.bytes_of(function.body);
    m_reader = ByteReader(body.data(), body.size(), function.body.offset, "unexpected end of section or function");
    m_function_type = m_module.function_type(function_index);
    m_operands.clear();
    m_controls.clear();
    m_opcode_offset = function.body.offset;
    TRY(read_locals(m_function_type));
    m_interface.on_function_begin(m_locals.span());
    TRY(push_frame(FrameKind::Function, {}, m_function_type.results, u32(m_reader.offset())));
    TRY(decode_instructions());
    return m_interface.on_function_end();
}

// §5.5.13 code section: locals are vec(n:u32 t:valtype), and the number
// declared must be below 2^32 ("too many locals", malformed). The
// implementation limit (wasm/Limits.h) counts the parameters too; past it
// nothing more is allocated, but the remaining groups are still read, so a
// malformation after them still wins (the spec decodes before it validates).
template<typename Interface, DecodeMode mode>
Result<void> FunctionDecoder<Interface, mode>::read_locals(const FunctionType& type) noexcept
{
    m_locals.clear();
    if constexpr (typed)
        TRY(m_locals.try_extend(type.params));
    usize offset = m_reader.offset();
    u32 groups = TRY(m_reader.read_var_u32());
    u64 declared = 0;
    for (u32 i = 0; i < groups; ++i) {
        u32 count = TRY(m_reader.read_var_u32());
        declared += count;
        if (declared > 0xffffffffull)
            return malformed("too many locals");
        ValueType t = TRY(read_value_type());
        if (typed && type.params.size() + declared <= limits::max_function_locals)
            TRY(m_locals.try_resize(m_locals.size() + count, t));
    }
    // Not a malformation: the Syntax mode leaves it to validation.
    if constexpr (!typed)
        return {};
    if (type.params.size() + declared > limits::max_function_locals)
        return limits::exceeded("too many locals: local count", type.params.size() + declared, limits::max_function_locals)
            .with_offset(offset);
    return {};
}

template<typename Interface, DecodeMode mode>
Result<void> FunctionDecoder<Interface, mode>::simple(Opcode op, u32 offset) noexcept
{
    (void)offset;
    if constexpr (!typed)
        return {};
    const OpcodeInfo& info = opcode_info(op);
    const SignatureTypes& sig = signature_types(info.signature);
    if constexpr (!validating) {
        // The operands are the params: drop them at once (not below the
        // frame: unreachable code may have fewer).
        usize size = m_operands.size();
        usize height = m_controls.last().height;
        m_operands.shrink_to(size >= height + sig.param_count ? size - sig.param_count : height);
    } else {
        // Pop in reverse order, then push the results (§3.3.1-§3.3.3: each
        // numeric/vector instruction has a fixed type [t1*] -> [t2*]).
        for (u8 i = sig.param_count; i > 0; --i)
            TRY(pop(sig.params[i - 1]));
    }
    for (u8 i = 0; i < sig.result_count; ++i)
        TRY(push(sig.results[i]));
    return {};
}

template<typename Interface, DecodeMode mode>
Result<void> FunctionDecoder<Interface, mode>::call(u32 offset, bool is_tail) noexcept
{
    u32 index = TRY(read_index());
    if constexpr (!typed) {
        if (is_tail)
            set_unreachable();
        return {};
    }
    // §3.3.8 call: C.funcs[x] must be defined.
    if (validating && index >= m_module.functions().size())
        return invalidf("unknown function {}", index);
    FunctionType type = m_module.function_type(index);
    TRY(pop(type.params));
    if (is_tail) {
        TRY(check_tail_call_results(type));
        hook(&Interface::on_return_call, offset, index, type);
        set_unreachable();
        return {};
    }
    TRY(push(type.results));
    hook(&Interface::on_call, offset, index, type);
    return {};
}

template<typename Interface, DecodeMode mode>
Result<void> FunctionDecoder<Interface, mode>::call_indirect(u32 offset, bool is_tail) noexcept
{
    u32 type_index = TRY(read_index());
    u32 table_index = TRY(read_index());
    if constexpr (!typed) {
        if (is_tail)
            set_unreachable();
        return {};
    }
    // §3.3.8 call_indirect: the table must exist and hold funcref, and
    // C.types[y] must be defined.
    if constexpr (validating) {
        const TableType* t = TRY(table(table_index));
        if (type_index >= m_module.type_count())
            return invalidf("unknown type {}", type_index);
        if (t->element != ValueType::FuncRef)
            return invalid("type mismatch: call_indirect needs a funcref table");
    }
    FunctionType type = m_module.type(type_index);
    TRY(pop(ValueType::I32));
    TRY(pop(type.params));
    if (is_tail) {
        TRY(check_tail_call_results(type));
        hook(&Interface::on_return_call_indirect, offset, type_index, table_index, type);
        set_unreachable();
        return {};
    }
    TRY(push(type.results));
    hook(&Interface::on_call_indirect, offset, type_index, table_index, type);
    return {};
}

// block, loop, if, else, end (§3.3.8); true at the function's final end.
template<typename Interface, DecodeMode mode>
Result<bool> FunctionDecoder<Interface, mode>::decode_block(Opcode op, u32 offset) noexcept
{
    switch (op) {
    case Opcode::Block:
    case Opcode::Loop: {
        Span<const ValueType> params, results;
        TRY(read_block_type(params, results));
        // §3.3.8 block/loop: [t1*] -> [t2*] from the block type.
        TRY(pop(params));
        TRY(push_frame(op == Opcode::Block ? FrameKind::Block : FrameKind::Loop, params, results, offset));
        if (m_controls.last().dead) {
            // No hooks for a block opened in unreachable code.
        } else if (op == Opcode::Block) {
            m_interface.on_block(offset, m_controls.last());
        } else {
            m_interface.on_loop(offset, m_controls.last());
        }
        break;
    }
    case Opcode::If: {
        Span<const ValueType> params, results;
        TRY(read_block_type(params, results));
        // §3.3.8 if: [t1* i32] -> [t2*].
        TRY(pop(ValueType::I32));
        TRY(pop(params));
        TRY(push_frame(FrameKind::If, params, results, offset));
        if (!m_controls.last().dead)
            m_interface.on_if(offset, m_controls.last());
        break;
    }
    case Opcode::Else: {
        // §3.3.8 if: else closes the then-branch, which must produce t2*.
        if (m_controls.last().kind != FrameKind::If)
            return malformed("else without matching if");
        TRY(check_frame_end());
        ControlFrame& frame = m_controls.last();
        frame.kind = FrameKind::Else;
        // on_else sees `unreachable` of the then-branch: whether its end
        // falls through to the if's end.
        if (!frame.dead)
            m_interface.on_else(offset, frame);
        frame.unreachable = false;
        m_live = !frame.dead;
        TRY(push(frame.params));
        break;
    }
    case Opcode::End: {
        TRY(check_frame_end());
        ControlFrame frame = m_controls.last();
        // §3.3.8 if without else: the missing else is [t1*] -> [t1*],
        // so t1* must equal t2*.
        if (validating && frame.kind == FrameKind::If && !frame.params.equals(frame.results))
            return invalid("type mismatch: if without else must not change the stack type");
        if (!frame.dead)
            m_interface.on_end(offset, frame);
        m_controls.take_last();
        if (m_controls.is_empty()) {
            // §5.5.13: the function's expression ends exactly at the
            // end of the body.
            if (!m_reader.at_end())
                return malformed("section size mismatch: bytes after the function's end");
            return true;
        }
        update_live();
        TRY(push(frame.results));
        break;
    }
    default:
        break;
    }
    return false;
}

// unreachable, nop, br, br_if, br_table, return, calls (§3.3.8).
template<typename Interface, DecodeMode mode>
Result<void> FunctionDecoder<Interface, mode>::decode_branch(Opcode op, u32 offset) noexcept
{
    const Features& features = m_module.features();
    switch (op) {
    case Opcode::Unreachable:
        hook(&Interface::on_unreachable, offset);
        set_unreachable();
        break;
    case Opcode::Nop:
        hook(&Interface::on_nop, offset);
        break;
    case Opcode::Br: {
        u32 depth = TRY(read_index());
        auto types = TRY(label_types(depth));
        TRY(pop(types));
        hook(&Interface::on_br, offset, depth);
        set_unreachable();
        break;
    }
    case Opcode::BrIf: {
        u32 depth = TRY(read_index());
        auto types = TRY(label_types(depth));
        // §3.3.8 br_if: [t* i32] -> [t*].
        TRY(pop(ValueType::I32));
        TRY(pop(types));
        TRY(push(types));
        hook(&Interface::on_br_if, offset, depth);
        break;
    }
    case Opcode::BrTable: {
        u32 count = TRY(read_index());
        if (count > m_reader.remaining())
            return m_reader.eof();
        m_br_targets.clear();
        TRY(m_br_targets.try_ensure_capacity(count));
        for (u32 i = 0; i < count; ++i)
            TRY(m_br_targets.try_append(TRY(read_index())));
        u32 default_depth = TRY(read_index());
        if constexpr (!validating) {
            // Validated: the operands match every label; only the stack
            // effect remains.
            TRY(pop(ValueType::I32));
            TRY(pop(TRY(label_types(default_depth))));
            hook(&Interface::on_br_table, offset, m_br_targets.span(), default_depth);
            set_unreachable();
            break;
        }
        TRY(pop(ValueType::I32));
        // §3.3.8 br_table: every label has the default's arity, and the
        // operands match each label type. Checking a label again would
        // find what its first check found (the popped types are pushed
        // back), so each distinct label is checked once: n targets cost
        // n, not n times the arity.
        auto default_types = TRY(label_types(default_depth));
        u32 epoch = ++m_br_table_epoch;
        for (u32 depth : m_br_targets) {
            auto types = TRY(label_types(depth));
            if (types.size() != default_types.size())
                return invalid("type mismatch: br_table labels have different arities");
            ControlFrame& target = m_controls[m_controls.size() - 1 - depth];
            if (target.br_table_mark == epoch)
                continue;
            target.br_table_mark = epoch;
            TRY(pop_into_scratch(types));
            for (ValueType t : m_popped)
                TRY(push(t));
        }
        TRY(pop(default_types));
        hook(&Interface::on_br_table, offset, m_br_targets.span(), default_depth);
        set_unreachable();
        break;
    }
    case Opcode::Return:
        // §3.3.8 return: pops the function's results.
        TRY(pop(m_function_type.results));
        hook(&Interface::on_return, offset);
        set_unreachable();
        break;
    case Opcode::Call:
        TRY(call(offset, false));
        break;
    case Opcode::CallIndirect:
        TRY(call_indirect(offset, false));
        break;
    case Opcode::ReturnCall:
        if (!features.tail_call)
            return malformed("illegal opcode");
        TRY(call(offset, true));
        break;
    case Opcode::ReturnCallIndirect:
        if (!features.tail_call)
            return malformed("illegal opcode");
        TRY(call_indirect(offset, true));
        break;
    default:
        break;
    }
    return {};
}

// Parametric, variable, table.get/set and memory.size/grow (§3.3.4-§3.3.7).
template<typename Interface, DecodeMode mode>
Result<void> FunctionDecoder<Interface, mode>::decode_variable(Opcode op, u32 offset) noexcept
{
    switch (op) {
    case Opcode::Drop: {
        // §3.3.4 drop: [t] -> [].
        ValueType t = TRY(pop());
        hook(&Interface::on_drop, offset, t);
        break;
    }
    case Opcode::Select: {
        // §3.3.4 select without types: [t t i32] -> [t], t numeric or
        // vector.
        TRY(pop(ValueType::I32));
        ValueType t1 = TRY(pop());
        ValueType t2 = TRY(pop());
        if (validating && (is_reference_type(t1) || is_reference_type(t2)))
            return invalid("type mismatch: select without a type needs numeric operands");
        if (validating && t1 != t2 && t1 != ValueType::Bottom && t2 != ValueType::Bottom)
            return invalid("type mismatch: select operands differ");
        ValueType t = t1 == ValueType::Bottom ? t2 : t1;
        TRY(push(t));
        hook(&Interface::on_select, offset, t);
        break;
    }
    case Opcode::SelectT: {
        u32 count = TRY(read_index());
        if constexpr (!typed) {
            // The binary format allows any number of types (§5.4.2).
            for (u32 i = 0; i < count; ++i)
                (void)TRY(read_value_type());
            break;
        }
        // §3.3.4 select t*: exactly one type.
        if (validating && count != 1)
            return invalid("invalid result arity");
        ValueType t = TRY(read_value_type());
        TRY(pop(ValueType::I32));
        TRY(pop(t));
        TRY(pop(t));
        TRY(push(t));
        hook(&Interface::on_select, offset, t);
        break;
    }
    case Opcode::LocalGet: {
        u32 index = TRY(read_index());
        ValueType t = TRY(local_type(index));
        TRY(push(t));
        hook(&Interface::on_local_get, offset, index, t);
        break;
    }
    case Opcode::LocalSet: {
        u32 index = TRY(read_index());
        ValueType t = TRY(local_type(index));
        TRY(pop(t));
        hook(&Interface::on_local_set, offset, index, t);
        break;
    }
    case Opcode::LocalTee: {
        u32 index = TRY(read_index());
        ValueType t = TRY(local_type(index));
        TRY(pop(t));
        TRY(push(t));
        hook(&Interface::on_local_tee, offset, index, t);
        break;
    }
    case Opcode::GlobalGet:
    case Opcode::GlobalSet: {
        u32 index = TRY(read_index());
        if constexpr (!typed)
            break;
        // §3.3.5 global.get/global.set: C.globals[x] must be defined;
        // global.set needs a mutable global.
        if (validating && index >= m_module.globals().size())
            return invalidf("unknown global {}", index);
        const GlobalType& g = m_module.globals()[index].type;
        if (op == Opcode::GlobalGet) {
            TRY(push(g.type));
            hook(&Interface::on_global_get, offset, index, g.type);
        } else {
            if (validating && !g.is_mutable)
                return invalid("global is immutable");
            TRY(pop(g.type));
            hook(&Interface::on_global_set, offset, index, g.type);
        }
        break;
    }
    case Opcode::TableGet:
    case Opcode::TableSet: {
        u32 index = TRY(read_index());
        if constexpr (!typed)
            break;
        const TableType* t = TRY(table(index));
        // §3.3.6 table.get: [i32] -> [t]; table.set: [i32 t] -> [].
        if (op == Opcode::TableGet) {
            TRY(pop(ValueType::I32));
            TRY(push(t->element));
            hook(&Interface::on_table_get, offset, index);
        } else {
            TRY(pop(t->element));
            TRY(pop(ValueType::I32));
            hook(&Interface::on_table_set, offset, index);
        }
        break;
    }
    case Opcode::MemorySize:
    case Opcode::MemoryGrow: {
        u32 memory = TRY(read_memory_index());
        // §3.3.7 memory.size: [] -> [i32]; memory.grow: [i32] -> [i32].
        TRY(check_memory(memory));
        if (op == Opcode::MemoryGrow) {
            TRY(pop(ValueType::I32));
            hook(&Interface::on_memory_grow, offset, memory);
        } else {
            hook(&Interface::on_memory_size, offset, memory);
        }
        TRY(push(ValueType::I32));
        break;
    }
    default:
        break;
    }
    return {};
}

// Constants and references (§3.3.1, §3.3.2).
template<typename Interface, DecodeMode mode>
Result<void> FunctionDecoder<Interface, mode>::decode_constant(Opcode op, u32 offset) noexcept
{
    switch (op) {
    case Opcode::I32Const: {
        i32 value = TRY(m_reader.read_var_s32());
        TRY(push(ValueType::I32));
        hook(&Interface::on_i32_const, offset, value);
        break;
    }
    case Opcode::I64Const: {
        i64 value = TRY(m_reader.read_var_s64());
        TRY(push(ValueType::I64));
        hook(&Interface::on_i64_const, offset, value);
        break;
    }
    case Opcode::F32Const: {
        u32 bits = TRY(m_reader.read_u32_fixed());
        TRY(push(ValueType::F32));
        hook(&Interface::on_f32_const, offset, bits);
        break;
    }
    case Opcode::F64Const: {
        u64 bits = TRY(m_reader.read_u64_fixed());
        TRY(push(ValueType::F64));
        hook(&Interface::on_f64_const, offset, bits);
        break;
    }
    case Opcode::RefNull: {
        u8 byte = TRY(m_reader.read_u8());
        // §5.3.3 reftype: 0x70 funcref | 0x6f externref.
        if (!is_reference_type(ValueType(byte)))
            return malformed("malformed reference type");
        TRY(push(ValueType(byte)));
        hook(&Interface::on_ref_null, offset, ValueType(byte));
        break;
    }
    case Opcode::RefIsNull: {
        // §3.3.2 ref.is_null: [t] -> [i32] for a reference type t.
        ValueType t = TRY(pop());
        if (validating && !is_reference_type(t) && t != ValueType::Bottom)
            return invalid("type mismatch: ref.is_null needs a reference");
        TRY(push(ValueType::I32));
        hook(&Interface::on_ref_is_null, offset, t);
        break;
    }
    case Opcode::RefFunc: {
        u32 index = TRY(read_index());
        // §3.3.2 ref.func: C.funcs[x] defined and x ∈ C.refs.
        if (validating && index >= m_module.functions().size())
            return invalidf("unknown function {}", index);
        if (validating && !m_module.is_declared_reference(index))
            return invalid("undeclared function reference");
        TRY(push(ValueType::FuncRef));
        hook(&Interface::on_ref_func, offset, index);
        break;
    }
    default:
        break;
    }
    return {};
}

template<typename Interface, DecodeMode mode>
Result<void> FunctionDecoder<Interface, mode>::decode_instructions() noexcept
{
    for (;;) {
        u32 offset = u32(m_reader.offset());
        m_opcode_offset = offset;
        if (m_reader.at_end()) [[unlikely]]
            return body_ended_without_end();
        u8 byte = TRY(m_reader.read_u8());
        Opcode op = opcode_for_byte(byte);
        if constexpr (owns_reachability) {
            // The interface's per-instruction work; it stops the decode
            // once it failed (its error is what on_function_end returns).
            if (live() && !m_interface.on_instruction(offset, op)) [[unlikely]]
                return m_interface.on_function_end();
        }
        switch (op) {
        case Opcode::Block:
        case Opcode::Loop:
        case Opcode::If:
        case Opcode::Else:
        case Opcode::End:
            if (TRY(decode_block(op, offset)))
                return {};
            break;
        case Opcode::Unreachable:
        case Opcode::Nop:
        case Opcode::Br:
        case Opcode::BrIf:
        case Opcode::BrTable:
        case Opcode::Return:
        case Opcode::Call:
        case Opcode::CallIndirect:
        case Opcode::ReturnCall:
        case Opcode::ReturnCallIndirect:
            TRY(decode_branch(op, offset));
            break;
        case Opcode::Drop:
        case Opcode::Select:
        case Opcode::SelectT:
        case Opcode::LocalGet:
        case Opcode::LocalSet:
        case Opcode::LocalTee:
        case Opcode::GlobalGet:
        case Opcode::GlobalSet:
        case Opcode::TableGet:
        case Opcode::TableSet:
        case Opcode::MemorySize:
        case Opcode::MemoryGrow:
            TRY(decode_variable(op, offset));
            break;
        case Opcode::I32Const:
        case Opcode::I64Const:
        case Opcode::F32Const:
        case Opcode::F64Const:
        case Opcode::RefNull:
        case Opcode::RefIsNull:
        case Opcode::RefFunc:
            TRY(decode_constant(op, offset));
            break;
        case Opcode::Invalid:
            if (byte == 0xfc) {
                TRY(decode_prefixed_fc(offset));
                break;
            }
            if (byte == 0xfd) {
                TRY(decode_prefixed_fd(offset));
                break;
            }
            return malformed("illegal opcode");
        default: {
            const OpcodeInfo& info = opcode_info(op);
            if (info.immediates == Imm::MemArg) {
                MemArg arg = TRY(read_memarg(info.arg));
                TRY(simple(op, offset));
                if (info.signature == Sig::ii_ || info.signature == Sig::il_ || info.signature == Sig::if_ || info.signature == Sig::id_)
                    hook(&Interface::on_store, offset, op, arg);
                else
                    hook(&Interface::on_load, offset, op, arg);
                break;
            }
            TRY(simple(op, offset));
            hook(&Interface::on_numeric, offset, op);
            break;
        }
        }
    }
}

template<typename Interface, DecodeMode mode>
Result<void> FunctionDecoder<Interface, mode>::decode_prefixed_fc(u32 offset) noexcept
{
    u32 code = TRY(m_reader.read_var_u32());
    Opcode op = opcode_for_fc(code);
    switch (op) {
    case Opcode::Invalid:
        return malformed("illegal opcode");
    case Opcode::MemoryInit:
    case Opcode::DataDrop: {
        u32 data = TRY(read_index());
        u32 memory = 0;
        if (op == Opcode::MemoryInit)
            memory = TRY(read_memory_index());
        if (op == Opcode::MemoryInit)
            TRY(check_memory(memory));
        // §3.3.7 memory.init / data.drop: C.datas[x] must be defined.
        if (validating && data >= m_module.data_count())
            return invalidf("unknown data segment {}", data);
        // §5.5.16: memory.init and data.drop need the data count section.
        // Checked after the index, as the reference interpreter does: not
        // in the Syntax mode ("unknown data segment" stays the answer).
        if (validating && !m_module.has_data_count())
            return malformed("data count section required");
        if (op == Opcode::MemoryInit) {
            TRY(pop(ValueType::I32));
            TRY(pop(ValueType::I32));
            TRY(pop(ValueType::I32));
            hook(&Interface::on_memory_init, offset, data, memory);
        } else {
            hook(&Interface::on_data_drop, offset, data);
        }
        return {};
    }
    case Opcode::MemoryCopy: {
        u32 dst = TRY(read_memory_index());
        u32 src = TRY(read_memory_index());
        // §3.3.7 memory.copy: [i32 i32 i32] -> [].
        TRY(check_memory(dst));
        TRY(check_memory(src));
        TRY(pop(ValueType::I32));
        TRY(pop(ValueType::I32));
        TRY(pop(ValueType::I32));
        hook(&Interface::on_memory_copy, offset, dst, src);
        return {};
    }
    case Opcode::MemoryFill: {
        u32 memory = TRY(read_memory_index());
        TRY(check_memory(memory));
        TRY(pop(ValueType::I32));
        TRY(pop(ValueType::I32));
        TRY(pop(ValueType::I32));
        hook(&Interface::on_memory_fill, offset, memory);
        return {};
    }
    case Opcode::TableInit: {
        u32 elem = TRY(read_index());
        u32 table_index = TRY(read_index());
        // §3.3.6 table.init: table and segment defined, same element type.
        if constexpr (validating) {
            const TableType* t = TRY(table(table_index));
            if (elem >= m_module.elements().size())
                return invalidf("unknown elem segment {}", elem);
            if (m_module.elements()[elem].type != t->element)
                return invalid("type mismatch: element segment and table types differ");
        }
        TRY(simple(op, offset));
        hook(&Interface::on_table_init, offset, elem, table_index);
        return {};
    }
    case Opcode::ElemDrop: {
        u32 elem = TRY(read_index());
        if (validating && elem >= m_module.elements().size())
            return invalidf("unknown elem segment {}", elem);
        hook(&Interface::on_elem_drop, offset, elem);
        return {};
    }
    case Opcode::TableCopy: {
        u32 dst = TRY(read_index());
        u32 src = TRY(read_index());
        // §3.3.6 table.copy: both tables defined, same element type.
        if constexpr (validating) {
            const TableType* d = TRY(table(dst));
            const TableType* s = TRY(table(src));
            if (d->element != s->element)
                return invalid("type mismatch: table.copy between different element types");
        }
        TRY(simple(op, offset));
        hook(&Interface::on_table_copy, offset, dst, src);
        return {};
    }
    case Opcode::TableGrow:
    case Opcode::TableSize:
    case Opcode::TableFill: {
        u32 index = TRY(read_index());
        if constexpr (!typed)
            return {};
        const TableType* t = TRY(table(index));
        if (op == Opcode::TableGrow) {
            // §3.3.6 table.grow: [t i32] -> [i32].
            TRY(pop(ValueType::I32));
            TRY(pop(t->element));
            TRY(push(ValueType::I32));
            hook(&Interface::on_table_grow, offset, index);
        } else if (op == Opcode::TableSize) {
            TRY(push(ValueType::I32));
            hook(&Interface::on_table_size, offset, index);
        } else {
            // §3.3.6 table.fill: [i32 t i32] -> [].
            TRY(pop(ValueType::I32));
            TRY(pop(t->element));
            TRY(pop(ValueType::I32));
            hook(&Interface::on_table_fill, offset, index);
        }
        return {};
    }
    default:
        // Saturating truncations (§3.3.1): typed by the signature.
        TRY(simple(op, offset));
        hook(&Interface::on_numeric, offset, op);
        return {};
    }
}

template<typename Interface, DecodeMode mode>
Result<void> FunctionDecoder<Interface, mode>::decode_prefixed_fd(u32 offset) noexcept
{
    u32 code = TRY(m_reader.read_var_u32());
    Opcode op = opcode_for_fd(code);
    if (op == Opcode::Invalid || (is_relaxed_simd(op) && !m_module.features().relaxed_simd))
        return malformed("illegal opcode");
    const OpcodeInfo& info = opcode_info(op);
    switch (info.immediates) {
    case Imm::MemArg: {
        MemArg arg = TRY(read_memarg(info.arg));
        TRY(simple(op, offset));
        if (op == Opcode::V128Store)
            hook(&Interface::on_store, offset, op, arg);
        else
            hook(&Interface::on_load, offset, op, arg);
        return {};
    }
    case Imm::MemArgLane: {
        MemArg arg = TRY(read_memarg(info.arg));
        u8 lane = TRY(read_lane(16u >> info.arg));
        TRY(simple(op, offset));
        if (info.signature == Sig::iv_)
            hook(&Interface::on_store_lane, offset, op, arg, lane);
        else
            hook(&Interface::on_load_lane, offset, op, arg, lane);
        return {};
    }
    case Imm::V128: {
        auto bytes = TRY(m_reader.read_bytes(16));
        TRY(push(ValueType::V128));
        hook(&Interface::on_v128_const, offset, bytes.data());
        return {};
    }
    case Imm::Shuffle: {
        auto lanes = TRY(m_reader.read_bytes(16));
        // §3.3.3 i8x16.shuffle: every lane index < 32.
        for (u8 lane : lanes) {
            if (validating && lane >= 32)
                return invalid("invalid lane index");
        }
        TRY(simple(op, offset));
        hook(&Interface::on_shuffle, offset, lanes.data());
        return {};
    }
    case Imm::Lane: {
        u8 lane = TRY(read_lane(info.arg));
        TRY(simple(op, offset));
        hook(&Interface::on_simd_lane, offset, op, lane);
        return {};
    }
    default:
        TRY(simple(op, offset));
        hook(&Interface::on_numeric, offset, op);
        return {};
    }
}

} // namespace k23::wasm
