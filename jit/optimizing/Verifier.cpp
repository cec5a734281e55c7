// verify_function (Verifier.h).

#include <jit/optimizing/Analysis.h>
#include <jit/optimizing/Verifier.h>

namespace k23::jit::optimizing {

namespace {

class Verifier {
public:
    explicit Verifier(const Function& f) noexcept
        : m_f(f)
    {
    }

    Result<void> run() noexcept
    {
        const Function& f = m_f;
        if (f.entry >= f.blocks.size() || f.blocks[f.entry].removed)
            return fail_at(no_id, "the entry block is missing");
        if (f.values.size() != f.aliases.size())
            return fail_at(no_id, "the alias table does not cover every value");
        Span<const ValueId> entry_params = f.params(f.entry);
        if (entry_params.size() != f.param_types.size())
            return fail_at(no_id, "the entry block's parameters are not the function's");
        for (u32 i = 0; i < entry_params.size(); ++i) {
            if (f.values[entry_params[i]].type != f.param_types[i])
                return fail_at(no_id, "an entry parameter has the wrong type");
        }
        TRY(m_cfg.compute(f));
        TRY(m_position.try_resize(f.insts.size(), no_id));
        // Structure first (links, terminators, definitions), then types
        // and dominance, which rely on it.
        for (BlockId b = 0; b < f.blocks.size(); ++b) {
            if (f.blocks[b].removed)
                continue;
            if (!m_cfg.is_reachable(b))
                return fail_block(b, "is not reachable from the entry");
            TRY(check_block_structure(b));
        }
        for (BlockId b = 0; b < f.blocks.size(); ++b) {
            if (f.blocks[b].removed)
                continue;
            for (ValueId p : f.params(b)) {
                if (p >= f.values.size() || !f.values[p].is_param || f.values[p].def != b)
                    return fail_block(b, "has a parameter it does not define");
            }
            for (InstId i = f.blocks[b].first; i != no_id; i = f.insts[i].next)
                TRY(check_inst(b, i));
        }
        return {};
    }

private:
    Result<void> fail_at(InstId i, const char* what) const noexcept
    {
        if (i == no_id)
            return Error::formatted(ErrorCode::Invalid, "verifier: {}", what);
        const Inst& inst = m_f.insts[i];
        StringView name = inst.op == Op::Numeric || inst.op == Op::Load || inst.op == Op::Store || inst.op == Op::Runtime
            ? wasm::opcode_name(inst.wasm_op)
            : op_name(inst.op);
        return Error::formatted(ErrorCode::Invalid, "verifier: inst {} ({}) in block {}: {}", i, name, inst.block, what);
    }
    Result<void> fail_block(BlockId b, const char* what) const noexcept
    {
        return Error::formatted(ErrorCode::Invalid, "verifier: block {} {}", b, what);
    }

    Result<void> check_block_structure(BlockId b) noexcept
    {
        const Function& f = m_f;
        const Block& block = f.blocks[b];
        if (block.first == no_id || block.last == no_id)
            return fail_block(b, "is empty (no terminator)");
        InstId prev = no_id;
        u32 position = 0;
        for (InstId i = block.first; i != no_id; i = f.insts[i].next) {
            if (i >= f.insts.size())
                return fail_block(b, "links to a missing instruction");
            const Inst& inst = f.insts[i];
            if (inst.removed || inst.block != b || inst.prev != prev)
                return fail_at(i, "is not linked into its block");
            if (m_position[i] != no_id)
                return fail_at(i, "appears twice");
            m_position[i] = position++;
            bool last = inst.next == no_id;
            if (last != (i == block.last))
                return fail_block(b, "has a wrong last instruction");
            if (is_terminator(inst.op) != last)
                return fail_at(i, last ? "ends a block but is no terminator" : "is a terminator inside a block");
            if (!is_terminator(inst.op) && inst.edge_count)
                return fail_at(i, "has edges but is no terminator");
            for (u32 k = 0; k < inst.result_count; ++k) {
                ValueId v = inst.first_result + k;
                if (v >= f.values.size() || f.values[v].is_param || f.values[v].def != i || f.values[v].position != k)
                    return fail_at(i, "has a result it does not define");
                if (f.values[v].type == Type::None)
                    return fail_at(i, "has a result without a type");
            }
            if (inst.result_count && f.values[inst.first_result].type != inst.type)
                return fail_at(i, "has a type that is not its first result's");
            prev = i;
        }
        return {};
    }

    // v is used by `user` (in block b); at_end: as an edge argument.
    Result<void> check_use(BlockId b, InstId user, ValueId v) const noexcept
    {
        const Function& f = m_f;
        if (v >= f.values.size())
            return fail_at(user, "uses a value that does not exist");
        if (f.aliases[v] != no_id)
            return fail_at(user, "uses a replaced value (apply_replacements was not run)");
        const Value& value = f.values[v];
        if (value.is_param) {
            BlockId d = value.def;
            if (d >= f.blocks.size() || f.blocks[d].removed || value.position >= f.blocks[d].param_count
                || f.params(d)[value.position] != v)
                return fail_at(user, "uses a removed block parameter");
            if (!m_cfg.dominates(d, b))
                return fail_at(user, "uses a block parameter whose block does not dominate it");
            return {};
        }
        InstId def = value.def;
        if (def >= f.insts.size() || f.insts[def].removed || f.insts[def].block == no_id)
            return fail_at(user, "uses the result of a removed instruction");
        BlockId d = f.insts[def].block;
        if (d == b) {
            if (m_position[def] >= m_position[user])
                return fail_at(user, "uses a value before its definition");
            return {};
        }
        if (!m_cfg.dominates(d, b))
            return fail_at(user, "uses a value whose definition does not dominate it");
        return {};
    }

    Result<void> expect_args(InstId i, Span<const Type> types) const noexcept
    {
        Span<const ValueId> args = m_f.args(i);
        if (args.size() != types.size())
            return fail_at(i, "has the wrong number of operands");
        for (u32 k = 0; k < args.size(); ++k) {
            if (m_f.values[args[k]].type != types[k])
                return fail_at(i, "has an operand of the wrong type");
        }
        return {};
    }
    template<typename... Types>
    Result<void> expect_types(InstId i, Types... types) const noexcept
    {
        Type list[] = { types..., Type::None };
        return expect_args(i, Span<const Type>(list, sizeof...(Types)));
    }
    Result<void> expect_result(InstId i, Type type) const noexcept
    {
        const Inst& inst = m_f.insts[i];
        if (type == Type::None ? inst.result_count != 0 : (inst.result_count != 1 || inst.type != type))
            return fail_at(i, "has the wrong result type");
        return {};
    }
    Result<void> expect_edges(InstId i, u32 count) const noexcept
    {
        if (m_f.insts[i].edge_count != count)
            return fail_at(i, "has the wrong number of successors");
        return {};
    }
    Result<void> wasm_types(InstId i, Span<const wasm::ValueType> types, Vector<Type>& out) const noexcept
    {
        out.clear();
        for (wasm::ValueType t : types) {
            auto type = ir_type(t);
            if (type.is_error())
                return fail_at(i, "names a type the IR does not have");
            TRY(out.try_append(type.value()));
        }
        return {};
    }
    Result<void> expect_results(InstId i, Span<const wasm::ValueType> types) noexcept
    {
        const Inst& inst = m_f.insts[i];
        TRY(wasm_types(i, types, m_types));
        if (inst.result_count != m_types.size())
            return fail_at(i, "has the wrong number of results");
        for (u32 k = 0; k < inst.result_count; ++k) {
            if (m_f.values[inst.first_result + k].type != m_types[k])
                return fail_at(i, "has a result of the wrong type");
        }
        return {};
    }

    Result<void> check_types(InstId i) noexcept
    {
        const Function& f = m_f;
        const Inst& inst = f.insts[i];
        const wasm::Module* module = f.module;
        switch (inst.op) {
        case Op::Const:
            if (inst.result_count != 1 || inst.type == Type::None)
                return fail_at(i, "is a constant without a type");
            if (inst.type == Type::I32 && inst.imm > 0xffffffffu)
                return fail_at(i, "is an i32 constant wider than 32 bits");
            if (inst.type == Type::F32 && inst.imm > 0xffffffffu)
                return fail_at(i, "is an f32 constant wider than 32 bits");
            return expect_types(i);
        case Op::Numeric: {
            if (u16(inst.wasm_op) >= u16(Opcode::Count))
                return fail_at(i, "has no opcode");
            const wasm::OpcodeInfo& info = wasm::opcode_info(inst.wasm_op);
            if (info.signature == wasm::Sig::Special || info.immediates != wasm::Imm::None)
                return fail_at(i, "is not a numeric opcode");
            const wasm::SignatureTypes& sig = wasm::signature_types(info.signature);
            if (sig.result_count != 1)
                return fail_at(i, "is not a numeric opcode");
            TRY(wasm_types(i, Span<const wasm::ValueType>(sig.params, sig.param_count), m_types));
            TRY(expect_args(i, m_types.span()));
            TRY(wasm_types(i, Span<const wasm::ValueType>(sig.results, 1), m_types));
            return expect_result(i, m_types[0]);
        }
        case Op::Simd: {
            // Signature-typed like a numeric opcode (v128.const: none, the
            // lane ops take their lane as an immediate).
            if (u16(inst.wasm_op) >= u16(Opcode::Count))
                return fail_at(i, "has no opcode");
            if (inst.wasm_op == Opcode::V128Const) {
                TRY(expect_types(i));
                return expect_result(i, Type::V128);
            }
            const wasm::OpcodeInfo& info = wasm::opcode_info(inst.wasm_op);
            if (info.signature == wasm::Sig::Special || info.immediates == wasm::Imm::MemArg || info.immediates == wasm::Imm::MemArgLane)
                return fail_at(i, "is not a SIMD opcode");
            const wasm::SignatureTypes& sig = wasm::signature_types(info.signature);
            if (sig.result_count != 1)
                return fail_at(i, "is not a SIMD opcode");
            TRY(wasm_types(i, Span<const wasm::ValueType>(sig.params, sig.param_count), m_types));
            TRY(expect_args(i, m_types.span()));
            TRY(wasm_types(i, Span<const wasm::ValueType>(sig.results, 1), m_types));
            return expect_result(i, m_types[0]);
        }
        case Op::Select:
            if (inst.type == Type::None)
                return fail_at(i, "is a select without a type");
            return expect_types(i, Type::I32, inst.type, inst.type);
        case Op::RefIsNull:
            TRY(expect_types(i, Type::Ref));
            return expect_result(i, Type::I32);
        case Op::RefFunc:
            if (module && inst.index >= module->functions().size())
                return fail_at(i, "names a function that does not exist");
            TRY(expect_types(i));
            return expect_result(i, Type::Ref);
        case Op::Load:
        case Op::Store: {
            if (u16(inst.wasm_op) >= u16(Opcode::Count))
                return fail_at(i, "has no opcode");
            const wasm::OpcodeInfo& info = wasm::opcode_info(inst.wasm_op);
            const wasm::SignatureTypes& sig = wasm::signature_types(info.signature);
            if ((info.immediates != wasm::Imm::MemArg && info.immediates != wasm::Imm::MemArgLane)
                || (inst.op == Op::Load) != (sig.result_count == 1))
                return fail_at(i, "is not a memory access of its kind");
            if (module && inst.index >= module->memories().size())
                return fail_at(i, "names a memory that does not exist");
            // §3.3.7: the address is an i32 (no memory64 yet).
            TRY(wasm_types(i, Span<const wasm::ValueType>(sig.params, sig.param_count), m_types));
            TRY(expect_args(i, m_types.span()));
            if (inst.op == Op::Store)
                return expect_result(i, Type::None);
            TRY(wasm_types(i, Span<const wasm::ValueType>(sig.results, 1), m_types));
            return expect_result(i, m_types[0]);
        }
        case Op::GlobalGet:
        case Op::GlobalSet: {
            if (module) {
                if (inst.index >= module->globals().size())
                    return fail_at(i, "names a global that does not exist");
                const wasm::GlobalType& g = module->globals()[inst.index].type;
                TRY(wasm_types(i, Span<const wasm::ValueType>(&g.type, 1), m_types));
                if (inst.op == Op::GlobalSet) {
                    // §3.3.5 global.set: the global must be mutable.
                    if (!g.is_mutable)
                        return fail_at(i, "sets an immutable global");
                    TRY(expect_args(i, m_types.span()));
                    return expect_result(i, Type::None);
                }
                TRY(expect_types(i));
                return expect_result(i, m_types[0]);
            }
            return {};
        }
        case Op::MemorySize:
            TRY(expect_types(i));
            return expect_result(i, Type::I32);
        case Op::MemoryGrow:
            TRY(expect_types(i, Type::I32));
            return expect_result(i, Type::I32);
        case Op::Call:
        case Op::CallIndirect:
        case Op::ReturnCall:
        case Op::ReturnCallIndirect: {
            if (!module)
                return {};
            bool indirect = inst.op == Op::CallIndirect || inst.op == Op::ReturnCallIndirect;
            wasm::FunctionType type;
            if (indirect) {
                if (inst.index >= module->type_count() || inst.index2 >= module->tables().size())
                    return fail_at(i, "names a type or table that does not exist");
                type = module->type(inst.index);
            } else {
                if (inst.index >= module->functions().size())
                    return fail_at(i, "calls a function that does not exist");
                type = module->function_type(inst.index);
            }
            TRY(wasm_types(i, type.params, m_types));
            if (indirect)
                TRY(m_types.try_append(Type::I32)); // the table index, last
            TRY(expect_args(i, m_types.span()));
            if (inst.op == Op::Call || inst.op == Op::CallIndirect)
                return expect_results(i, type.results);
            // Tail calls §3.3.8 return_call: the callee returns what we do.
            TRY(wasm_types(i, type.results, m_types));
            if (!m_types.span().equals(f.result_types.span()))
                return fail_at(i, "tail-calls a function with other results");
            return expect_result(i, Type::None);
        }
        case Op::Runtime:
            return check_runtime(i);
        case Op::Jump:
            TRY(expect_types(i));
            return expect_edges(i, 1);
        case Op::Branch:
            TRY(expect_types(i, Type::I32));
            return expect_edges(i, 2);
        case Op::BrTable:
            TRY(expect_types(i, Type::I32));
            if (inst.edge_count == 0)
                return fail_at(i, "has no default target");
            return {};
        case Op::Return:
            TRY(expect_args(i, f.result_types.span()));
            return expect_edges(i, 0);
        case Op::Trap:
            TRY(expect_types(i));
            return expect_edges(i, 0);
        }
        return fail_at(i, "has an unknown operation");
    }

    Result<void> check_runtime(InstId i) noexcept
    {
        const Inst& inst = m_f.insts[i];
        switch (inst.wasm_op) {
        case Opcode::TableGet:
            TRY(expect_types(i, Type::I32));
            return expect_result(i, Type::Ref);
        case Opcode::TableSet:
            TRY(expect_types(i, Type::I32, Type::Ref));
            return expect_result(i, Type::None);
        case Opcode::MemoryInit:
        case Opcode::MemoryCopy:
        case Opcode::MemoryFill:
        case Opcode::TableInit:
        case Opcode::TableCopy:
            TRY(expect_types(i, Type::I32, Type::I32, Type::I32));
            return expect_result(i, Type::None);
        case Opcode::DataDrop:
        case Opcode::ElemDrop:
            TRY(expect_types(i));
            return expect_result(i, Type::None);
        case Opcode::TableGrow:
            TRY(expect_types(i, Type::Ref, Type::I32));
            return expect_result(i, Type::I32);
        case Opcode::TableSize:
            TRY(expect_types(i));
            return expect_result(i, Type::I32);
        case Opcode::TableFill:
            TRY(expect_types(i, Type::I32, Type::Ref, Type::I32));
            return expect_result(i, Type::None);
        default:
            return fail_at(i, "is not a runtime operation");
        }
    }

    Result<void> check_inst(BlockId b, InstId i) noexcept
    {
        const Function& f = m_f;
        const Inst& inst = f.insts[i];
        if (inst.args_begin + u64(inst.arg_count) > f.operands.size())
            return fail_at(i, "has operands outside the pool");
        for (ValueId v : f.args(i))
            TRY(check_use(b, i, v));
        TRY(check_types(i));
        for (u32 k = 0; k < inst.edge_count; ++k) {
            EdgeId e = inst.first_edge + k;
            if (e >= f.edges.size() || f.edges[e].from != i)
                return fail_at(i, "has an edge that is not its own");
            const Edge& edge = f.edges[e];
            if (edge.target >= f.blocks.size() || f.blocks[edge.target].removed)
                return fail_at(i, "branches to a removed block");
            if (edge.target == f.entry)
                return fail_at(i, "branches to the entry block");
            if (edge.args_begin + u64(edge.arg_count) > f.operands.size())
                return fail_at(i, "has edge arguments outside the pool");
            Span<const ValueId> params = f.params(edge.target);
            Span<const ValueId> args = f.edge_args(e);
            if (args.size() != params.size())
                return fail_at(i, "passes the wrong number of block arguments");
            for (u32 a = 0; a < args.size(); ++a) {
                TRY(check_use(b, i, args[a]));
                if (f.values[args[a]].type != f.values[params[a]].type)
                    return fail_at(i, "passes a block argument of the wrong type");
            }
        }
        return {};
    }

    const Function& m_f;
    Cfg m_cfg;
    Vector<u32> m_position;
    Vector<Type> m_types;
};

} // namespace

Result<void> verify_function(const Function& function) noexcept
{
    Verifier verifier(function);
    return verifier.run();
}

} // namespace k23::jit::optimizing
