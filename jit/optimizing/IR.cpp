// The IR's pools and edits (IR.h), and the text form.

#include <base/Format.h>
#include <jit/optimizing/IR.h>
#include <wasm/Runtime.h>

namespace k23::jit::optimizing {

StringView type_name(Type type) noexcept
{
    switch (type) {
    case Type::None: return "none"_sv;
    case Type::I32: return "i32"_sv;
    case Type::I64: return "i64"_sv;
    case Type::F32: return "f32"_sv;
    case Type::F64: return "f64"_sv;
    case Type::Ref: return "ref"_sv;
    case Type::V128: return "v128"_sv;
    }
    return "?"_sv;
}

Result<Type> ir_type(wasm::ValueType type) noexcept
{
    switch (type) {
    case wasm::ValueType::I32: return Type::I32;
    case wasm::ValueType::I64: return Type::I64;
    case wasm::ValueType::F32: return Type::F32;
    case wasm::ValueType::F64: return Type::F64;
    case wasm::ValueType::FuncRef:
    case wasm::ValueType::ExternRef: return Type::Ref;
    case wasm::ValueType::V128: return Type::V128;
    default: break;
    }
    return Error::formatted(ErrorCode::Unsupported, "the optimizing tier has no {} values", wasm::value_type_name(type));
}

StringView op_name(Op op) noexcept
{
    static constexpr StringView names[] = {
#define K23_IR_OP_NAME(name, text) StringView(text),
        K23_IR_OPS(K23_IR_OP_NAME)
#undef K23_IR_OP_NAME
    };
    return names[u8(op)];
}

void Function::clear() noexcept
{
    module = nullptr;
    function_index = 0;
    param_types.clear();
    result_types.clear();
    entry = 0;
    insts.clear();
    values.clear();
    blocks.clear();
    edges.clear();
    operands.clear();
    aliases.clear();
    replacements_pending = false;
}

Result<BlockId> Function::create_block(Span<const Type> types) noexcept
{
    BlockId id = BlockId(blocks.size());
    Block block;
    block.params_begin = u32(operands.size());
    block.param_count = u32(types.size());
    // Room for the params first (the appends below then cannot fail half
    // way), grown geometrically: reserving exactly size + n reallocated and
    // copied the pools at every block with params (10% of the optimizing
    // compile, all of it memcpy).
    auto reserve = [](auto& pool, usize extra) {
        usize need = pool.size() + extra;
        return pool.try_ensure_capacity(need <= pool.capacity() ? need : max(need, 2 * pool.capacity()));
    };
    TRY(reserve(operands, types.size()));
    TRY(reserve(values, types.size()));
    TRY(reserve(aliases, types.size()));
    for (u32 i = 0; i < types.size(); ++i) {
        ValueId v = ValueId(values.size());
        Value value;
        value.type = types[i];
        value.is_param = true;
        value.def = id;
        value.position = i;
        TRY(values.try_append(value));
        TRY(aliases.try_append(no_id));
        TRY(operands.try_append(v));
    }
    TRY(blocks.try_append(block));
    return id;
}

Result<InstId> Function::new_inst(const Inst& proto, Span<const ValueId> args, Span<const Type> result_types) noexcept
{
    InstId id = InstId(insts.size());
    Inst inst = proto;
    inst.removed = false;
    inst.prev = inst.next = no_id;
    inst.args_begin = u32(operands.size());
    inst.arg_count = u32(args.size());
    inst.first_edge = no_id;
    inst.edge_count = 0;
    TRY(operands.try_extend(args));
    note_aliased(args);
    inst.result_count = u32(result_types.size());
    inst.first_result = result_types.is_empty() ? no_id : ValueId(values.size());
    inst.type = result_types.is_empty() ? Type::None : result_types[0];
    for (u32 i = 0; i < result_types.size(); ++i) {
        Value value;
        value.type = result_types[i];
        value.def = id;
        value.position = i;
        TRY(values.try_append(value));
        TRY(aliases.try_append(no_id));
    }
    TRY(insts.try_append(inst));
    return id;
}

Result<InstId> Function::append(BlockId block, const Inst& proto, Span<const ValueId> args, Span<const Type> result_types) noexcept
{
    InstId id = TRY(new_inst(proto, args, result_types));
    Inst& inst = insts[id];
    Block& b = blocks[block];
    inst.block = block;
    inst.prev = b.last;
    if (b.last != no_id)
        insts[b.last].next = id;
    else
        b.first = id;
    b.last = id;
    return id;
}

Result<InstId> Function::insert_before(InstId before, const Inst& proto, Span<const ValueId> args, Span<const Type> result_types) noexcept
{
    InstId id = TRY(new_inst(proto, args, result_types));
    insts[id].block = no_id;
    move_before(id, before);
    return id;
}

Result<EdgeId> Function::add_edge(InstId inst, BlockId target, Span<const ValueId> args) noexcept
{
    EdgeId id = EdgeId(edges.size());
    Inst& from = insts[inst];
    VERIFY(from.first_edge == no_id || from.first_edge + from.edge_count == id);
    Edge edge;
    edge.target = target;
    edge.from = inst;
    edge.args_begin = u32(operands.size());
    edge.arg_count = u32(args.size());
    TRY(operands.try_extend(args));
    note_aliased(args);
    TRY(edges.try_append(edge));
    if (from.first_edge == no_id)
        from.first_edge = id;
    ++from.edge_count;
    return id;
}

void Function::unlink(InstId id) noexcept
{
    Inst& inst = insts[id];
    if (inst.block == no_id)
        return;
    Block& b = blocks[inst.block];
    if (inst.prev != no_id)
        insts[inst.prev].next = inst.next;
    else
        b.first = inst.next;
    if (inst.next != no_id)
        insts[inst.next].prev = inst.prev;
    else
        b.last = inst.prev;
    inst.prev = inst.next = no_id;
    inst.block = no_id;
}

void Function::move_before(InstId id, InstId before) noexcept
{
    unlink(id);
    Inst& inst = insts[id];
    Inst& anchor = insts[before];
    inst.block = anchor.block;
    inst.next = before;
    inst.prev = anchor.prev;
    if (anchor.prev != no_id)
        insts[anchor.prev].next = id;
    else
        blocks[anchor.block].first = id;
    anchor.prev = id;
}

void Function::remove(InstId id) noexcept
{
    unlink(id);
    insts[id].removed = true;
}

bool Function::remove_trivial_params(BlockId block) noexcept
{
    // A replaced parameter has an alias: the sweeps skip it, and one
    // compaction at the end drops them all (one at a time is quadratic in
    // a merge block's parameters, one per local).
    bool any = false;
    for (bool changed = true; changed;) {
        changed = false;
        Span<const ValueId> ps = params(block);
        for (u32 i = 0; i < ps.size(); ++i) {
            ValueId p = ps[i];
            if (aliases[p] != no_id)
                continue;
            ValueId unique = no_id;
            bool trivial = true;
            for (EdgeId e = blocks[block].first_incoming; e != no_id; e = edges[e].next_incoming) {
                ValueId a = resolve(operands[edges[e].args_begin + i]);
                if (a == p || a == unique)
                    continue;
                if (unique != no_id) {
                    trivial = false;
                    break;
                }
                unique = a;
            }
            if (!trivial || unique == no_id)
                continue;
            replace_all_uses(p, unique);
            changed = any = true;
        }
    }
    if (any)
        drop_params(block, [&](ValueId p) { return aliases[p] != no_id; });
    return any;
}

void Function::make_jump(InstId id, u32 keep) noexcept
{
    Inst& inst = insts[id];
    VERIFY(keep < inst.edge_count);
    inst.op = Op::Jump;
    inst.first_edge += keep;
    inst.edge_count = 1;
    inst.arg_count = 0;
}

void Function::compute_incoming() noexcept
{
    for (Block& b : blocks)
        b.first_incoming = no_id;
    // Walk blocks backwards so each list comes out in edge order.
    for (usize bi = blocks.size(); bi > 0; --bi) {
        const Block& b = blocks[bi - 1];
        if (b.removed || b.last == no_id)
            continue;
        const Inst& term = insts[b.last];
        for (u32 k = term.edge_count; k > 0; --k) {
            EdgeId e = term.first_edge + k - 1;
            Block& target = blocks[edges[e].target];
            edges[e].next_incoming = target.first_incoming;
            target.first_incoming = e;
        }
    }
}

Result<bool> Function::remove_unreachable_blocks() noexcept
{
    Vector<u8> reached;
    TRY(reached.try_resize(blocks.size(), 0));
    Vector<BlockId> work;
    TRY(work.try_append(entry));
    reached[entry] = 1;
    while (!work.is_empty()) {
        BlockId b = work.take_last();
        if (blocks[b].last == no_id)
            continue;
        const Inst& term = insts[blocks[b].last];
        for (u32 k = 0; k < term.edge_count; ++k) {
            BlockId t = edges[term.first_edge + k].target;
            if (!reached[t]) {
                reached[t] = 1;
                TRY(work.try_append(t));
            }
        }
    }
    bool changed = false;
    for (BlockId b = 0; b < blocks.size(); ++b) {
        if (reached[b] || blocks[b].removed)
            continue;
        changed = true;
        for (InstId i = blocks[b].first; i != no_id;) {
            InstId next = insts[i].next;
            insts[i].removed = true;
            insts[i].block = no_id;
            i = next;
        }
        blocks[b].first = blocks[b].last = no_id;
        blocks[b].removed = true;
    }
    return changed;
}

void Function::replace_all_uses(ValueId from, ValueId to) noexcept
{
    VERIFY(from != to);
    aliases[from] = to;
    replacements_pending = true;
}

ValueId Function::resolve(ValueId v) noexcept
{
    ValueId root = v;
    while (aliases[root] != no_id)
        root = aliases[root];
    // Path compression: later lookups of any value on the chain are direct.
    while (aliases[v] != no_id && aliases[v] != root) {
        ValueId next = aliases[v];
        aliases[v] = root;
        v = next;
    }
    return root;
}

void Function::apply_replacements() noexcept
{
    if (!replacements_pending)
        return;
    replacements_pending = false;
    for (InstId i = 0; i < insts.size(); ++i) {
        Inst& inst = insts[i];
        if (inst.removed)
            continue;
        for (u32 k = 0; k < inst.arg_count; ++k) {
            ValueId& v = operands[inst.args_begin + k];
            v = resolve(v);
        }
        for (u32 e = 0; e < inst.edge_count; ++e) {
            Edge& edge = edges[inst.first_edge + e];
            for (u32 k = 0; k < edge.arg_count; ++k) {
                ValueId& v = operands[edge.args_begin + k];
                v = resolve(v);
            }
        }
    }
}

u32 Function::live_inst_count() const noexcept
{
    u32 count = 0;
    for (const Block& b : blocks) {
        if (b.removed)
            continue;
        for (InstId i = b.first; i != no_id; i = insts[i].next)
            ++count;
    }
    return count;
}

// ---------------------------------------------------------------- printer

namespace {

class Printer {
public:
    Printer(const Function& function, Vector<char>& out) noexcept
        : m_function(function)
        , m_out(out)
    {
    }

    Result<void> print() noexcept
    {
        const Function& f = m_function;
        TRY(m_value_names.try_resize(f.values.size(), no_id));
        TRY(m_block_names.try_resize(f.blocks.size(), no_id));
        // Blocks in reverse postorder from the entry (the order control
        // flows), then any block the entry does not reach; values numbered
        // in that order of definition.
        TRY(order_blocks());
        u32 next_block = 0, next_value = 0;
        for (BlockId b : m_order) {
            m_block_names[b] = next_block++;
            for (ValueId v : f.params(b))
                m_value_names[v] = next_value++;
            for (InstId i = f.blocks[b].first; i != no_id; i = f.insts[i].next) {
                for (u32 k = 0; k < f.insts[i].result_count; ++k)
                    m_value_names[f.insts[i].first_result + k] = next_value++;
            }
        }
        TRY(appendf("function {} (", f.function_index));
        TRY(type_list(f.param_types.span()));
        TRY(append(") -> ("_sv));
        TRY(type_list(f.result_types.span()));
        TRY(append(")\n"_sv));
        for (BlockId b : m_order) {
            TRY(appendf("block{}", m_block_names[b]));
            if (f.blocks[b].param_count) {
                TRY(append("("_sv));
                bool first = true;
                for (ValueId v : f.params(b)) {
                    if (!first)
                        TRY(append(", "_sv));
                    first = false;
                    TRY(value(v));
                    TRY(appendf(": {}", type_name(f.values[v].type)));
                }
                TRY(append(")"_sv));
            }
            TRY(append(":\n"_sv));
            for (InstId i = f.blocks[b].first; i != no_id; i = f.insts[i].next)
                TRY(inst(i));
        }
        return {};
    }

private:
    Result<void> order_blocks() noexcept
    {
        const Function& f = m_function;
        Vector<u8> seen;
        TRY(seen.try_resize(f.blocks.size(), 0));
        struct Visit {
            BlockId block;
            u32 next;
        };
        Vector<Visit> stack;
        Vector<BlockId> post;
        if (f.entry < f.blocks.size() && !f.blocks[f.entry].removed) {
            seen[f.entry] = 1;
            TRY(stack.try_append({ f.entry, 0 }));
        }
        while (!stack.is_empty()) {
            Visit& top = stack.last();
            InstId term = f.blocks[top.block].last;
            u32 count = term == no_id ? 0 : f.insts[term].edge_count;
            if (top.next < count) {
                // Successors last to first, so the first (a br_if's taken
                // side, a br_table's first target) comes first in the text.
                BlockId s = f.edges[f.insts[term].first_edge + count - 1 - top.next++].target;
                if (s < f.blocks.size() && !seen[s] && !f.blocks[s].removed) {
                    seen[s] = 1;
                    TRY(stack.try_append({ s, 0 }));
                }
                continue;
            }
            TRY(post.try_append(top.block));
            stack.take_last();
        }
        for (usize i = post.size(); i > 0; --i)
            TRY(m_order.try_append(post[i - 1]));
        for (BlockId b = 0; b < f.blocks.size(); ++b) {
            if (!seen[b] && !f.blocks[b].removed)
                TRY(m_order.try_append(b));
        }
        return {};
    }

    // The immediates of a runtime operation (§5.4.6 / §5.4.7 binary order).
    Result<void> runtime_immediates(const Inst& in) noexcept
    {
        switch (in.wasm_op) {
        case Opcode::MemoryInit: return appendf(" data{} mem{}", in.index, in.index2);
        case Opcode::DataDrop: return appendf(" data{}", in.index);
        case Opcode::MemoryCopy: return appendf(" mem{} mem{}", in.index, in.index2);
        case Opcode::MemoryFill: return appendf(" mem{}", in.index);
        case Opcode::TableInit: return appendf(" elem{} table{}", in.index, in.index2);
        case Opcode::ElemDrop: return appendf(" elem{}", in.index);
        case Opcode::TableCopy: return appendf(" table{} table{}", in.index, in.index2);
        default: return appendf(" table{}", in.index);
        }
    }

    Result<void> append(StringView text) noexcept
    {
        return m_out.try_extend(Span<const char>(text.characters_without_null_termination(), text.length()));
    }
    template<typename... Args>
    Result<void> appendf(const char* fmt, const Args&... args) noexcept
    {
        FormatBuffer<160> buffer(StringView(fmt), args...);
        return append(buffer.view());
    }
    Result<void> type_list(Span<const Type> types) noexcept
    {
        for (usize i = 0; i < types.size(); ++i) {
            if (i)
                TRY(append(", "_sv));
            TRY(append(type_name(types[i])));
        }
        return {};
    }
    Result<void> value(ValueId v) noexcept
    {
        if (v >= m_value_names.size())
            return appendf("<bad {}>", v);
        if (m_value_names[v] == no_id)
            return appendf("<undefined {}>", v);
        return appendf("v{}", m_value_names[v]);
    }
    Result<void> value_list(Span<const ValueId> list) noexcept
    {
        for (usize k = 0; k < list.size(); ++k) {
            if (k)
                TRY(append(", "_sv));
            TRY(value(list[k]));
        }
        return {};
    }
    Result<void> edge(EdgeId e) noexcept
    {
        const Function& f = m_function;
        BlockId target = f.edges[e].target;
        if (target < m_block_names.size() && m_block_names[target] != no_id)
            TRY(appendf("block{}", m_block_names[target]));
        else
            TRY(appendf("<removed block {}>", target));
        if (f.edges[e].arg_count) {
            TRY(append("("_sv));
            TRY(value_list(f.edge_args(e)));
            TRY(append(")"_sv));
        }
        return {};
    }
    Result<void> const_value(Type type, u64 bits) noexcept
    {
        switch (type) {
        case Type::I32: return appendf("i32.const {}", i32(u32(bits)));
        case Type::I64: return appendf("i64.const {}", i64(bits));
        case Type::F32: return appendf("f32.const {:#x}", u32(bits));
        case Type::F64: return appendf("f64.const {:#x}", bits);
        case Type::Ref: return bits ? appendf("ref.const {:#x}", bits) : append("ref.null"_sv);
        case Type::None: break;
        }
        return append("const ?"_sv);
    }

    Result<void> inst(InstId id) noexcept
    {
        const Function& f = m_function;
        const Inst& in = f.insts[id];
        Span<const ValueId> args = f.args(id);
        TRY(append("  "_sv));
        if (in.result_count) {
            for (u32 k = 0; k < in.result_count; ++k) {
                if (k)
                    TRY(append(", "_sv));
                TRY(value(in.first_result + k));
            }
            TRY(append(" = "_sv));
        }
        switch (in.op) {
        case Op::Const:
            TRY(const_value(in.type, in.imm));
            break;
        case Op::Simd:
            TRY(append(wasm::opcode_name(in.wasm_op)));
            if (in.wasm_op == Opcode::V128Const || in.wasm_op == Opcode::I8x16Shuffle)
                TRY(appendf(" {:#x} {:#x}", in.imm, u64(in.index) | u64(in.index2) << 32));
            else if (wasm::opcode_info(in.wasm_op).immediates == wasm::Imm::Lane)
                TRY(appendf(" {}", in.imm));
            if (args.size()) {
                TRY(append(" "_sv));
                TRY(value_list(args));
            }
            break;
        case Op::Numeric:
        case Op::Runtime:
            TRY(append(wasm::opcode_name(in.wasm_op)));
            if (in.op == Op::Runtime)
                TRY(runtime_immediates(in));
            if (args.size()) {
                TRY(append(" "_sv));
                TRY(value_list(args));
            }
            break;
        case Op::Load:
        case Op::Store:
            TRY(append(wasm::opcode_name(in.wasm_op)));
            TRY(append(" "_sv));
            TRY(value_list(args));
            TRY(appendf(" mem{}+{}", in.index, in.imm));
            break;
        case Op::Select:
            TRY(appendf("select.{} ", type_name(in.type)));
            TRY(value_list(args));
            break;
        case Op::RefFunc:
        case Op::GlobalGet:
        case Op::MemorySize:
            TRY(appendf("{} {}", op_name(in.op), in.index));
            break;
        case Op::GlobalSet:
        case Op::MemoryGrow:
            TRY(appendf("{} {}, ", op_name(in.op), in.index));
            TRY(value_list(args));
            break;
        case Op::Call:
        case Op::ReturnCall:
            TRY(appendf("{} {} (", op_name(in.op), in.index));
            TRY(value_list(args));
            TRY(append(")"_sv));
            break;
        case Op::CallIndirect:
        case Op::ReturnCallIndirect:
            TRY(appendf("{} type{} table{} ", op_name(in.op), in.index, in.index2));
            if (args.size()) {
                TRY(value(args[args.size() - 1]));
                TRY(append(" ("_sv));
                TRY(value_list(args.slice(0, args.size() - 1)));
                TRY(append(")"_sv));
            }
            break;
        case Op::Jump:
            TRY(append("jump "_sv));
            if (in.edge_count)
                TRY(edge(in.first_edge));
            break;
        case Op::Branch:
            TRY(append("br_if "_sv));
            TRY(value_list(args));
            for (u32 k = 0; k < in.edge_count; ++k) {
                TRY(append(", "_sv));
                TRY(edge(in.first_edge + k));
            }
            break;
        case Op::BrTable:
            TRY(append("br_table "_sv));
            TRY(value_list(args));
            TRY(append(", ["_sv));
            for (u32 k = 0; k + 1 < in.edge_count; ++k) {
                if (k)
                    TRY(append(", "_sv));
                TRY(edge(in.first_edge + k));
            }
            TRY(append("], "_sv));
            if (in.edge_count)
                TRY(edge(in.first_edge + in.edge_count - 1));
            break;
        case Op::Return:
            TRY(append("return"_sv));
            if (args.size()) {
                TRY(append(" "_sv));
                TRY(value_list(args));
            }
            break;
        case Op::Trap:
            TRY(appendf("trap {}", wasm::trap_message(wasm::TrapCode(in.imm))));
            break;
        case Op::RefIsNull:
            TRY(append("ref.is_null "_sv));
            TRY(value_list(args));
            break;
        }
        return append("\n"_sv);
    }

    const Function& m_function;
    Vector<char>& m_out;
    Vector<u32> m_value_names;
    Vector<u32> m_block_names;
    Vector<BlockId> m_order;
};

} // namespace

Result<void> print_function(const Function& function, Vector<char>& out) noexcept
{
    Printer printer(function, out);
    return printer.print();
}

} // namespace k23::jit::optimizing
