// Strength reduction of address arithmetic (Passes.h reduce_strength).
//
// In a loop whose header parameter i steps by a constant s on every back
// edge (i' = i + s), an address a = b + i * M (M a constant, or 2^k as
// i << k; b invariant in the loop) becomes a header parameter p of its
// own: p = b + init * M on entry, p' = p + s * M on every back edge. In
// wasm's integer arithmetic (modulo 2^32 for i32, 2^64 for i64, §4.3.2)
// this is exact whatever the values — (b + (i + s) * M) mod 2^N =
// (b + i * M + s * M) mod 2^N — so no range proof is needed: the
// effective address stays zext(a) + offset as before, computed from the
// same 32-bit value. Per iteration a shift (or multiplication) and an add
// become one add; the rewrite is done only when the product has no other
// use, so it never costs more instructions than it saves.

#include <jit/optimizing/Analysis.h>
#include <jit/optimizing/Passes.h>

namespace k23::jit::optimizing {

namespace {

struct Ops {
    Opcode add, sub, mul, shl;
    u64 mask;
};

Ops ops_of(Type type) noexcept
{
    if (type == Type::I64)
        return { Opcode::I64Add, Opcode::I64Sub, Opcode::I64Mul, Opcode::I64Shl, ~u64(0) };
    return { Opcode::I32Add, Opcode::I32Sub, Opcode::I32Mul, Opcode::I32Shl, 0xffffffffull };
}

class Reducer {
public:
    Reducer(Function& f, const Cfg& cfg) noexcept
        : m_f(f)
        , m_cfg(cfg)
    {
    }

    Result<bool> run() noexcept
    {
        m_f.apply_replacements();
        bool loops = false;
        for (BlockId b : m_cfg.rpo())
            loops |= m_cfg.is_loop_header(b);
        if (!loops)
            return false;
        // Candidates, in one walk: x = i * M (or i << k) by a constant,
        // i a parameter of a loop header, x inside that loop. Most
        // functions have none and stop here.
        m_candidates.clear();
        for (BlockId b : m_cfg.rpo()) {
            if (m_f.blocks[b].removed || m_cfg.loop_header(b) == no_id)
                continue;
            for (InstId x = m_f.blocks[b].first; x != no_id; x = m_f.insts[x].next) {
                const Inst& inst = m_f.insts[x];
                if (inst.op != Op::Numeric || (inst.type != Type::I32 && inst.type != Type::I64))
                    continue;
                Ops ops = ops_of(inst.type);
                if (inst.wasm_op != ops.mul && inst.wasm_op != ops.shl)
                    continue;
                Span<const ValueId> args = m_f.args(x);
                const Value& i = m_f.values[args[0]];
                if (!i.is_param || !m_f.is_const(args[1]) || !m_cfg.is_loop_header(i.def) || !inside(b, i.def))
                    continue;
                TRY(m_candidates.try_append(x));
            }
        }
        if (m_candidates.is_empty())
            return false;
        m_f.compute_incoming();
        TRY(count_uses());
        bool changed = false;
        for (InstId x : m_candidates)
            changed |= TRY(reduce_candidate(x));
        m_f.apply_replacements();
        return changed;
    }

private:
    Result<void> count_uses() noexcept
    {
        m_uses.clear();
        m_user.clear();
        TRY(m_uses.try_resize(m_f.values.size(), 0));
        TRY(m_user.try_resize(m_f.values.size(), no_id));
        for (const Block& b : m_f.blocks) {
            if (b.removed)
                continue;
            for (InstId i = b.first; i != no_id; i = m_f.insts[i].next) {
                for (ValueId v : m_f.args(i)) {
                    ++m_uses[v];
                    m_user[v] = i;
                }
                for (u32 k = 0; k < m_f.insts[i].edge_count; ++k) {
                    for (ValueId v : m_f.edge_args(m_f.insts[i].first_edge + k)) {
                        ++m_uses[v];
                        m_user[v] = no_id; // an edge argument: not an add
                    }
                }
            }
        }
        return {};
    }

    [[nodiscard]] BlockId block_of(ValueId v) const noexcept
    {
        const Value& value = m_f.values[v];
        return value.is_param ? value.def : m_f.insts[value.def].block;
    }
    [[nodiscard]] bool inside(BlockId b, BlockId header) const noexcept
    {
        return !m_f.blocks[b].removed && (b == header || m_cfg.in_loop(b, header));
    }
    [[nodiscard]] const Inst* numeric(ValueId v, Opcode op) const noexcept
    {
        const Value& value = m_f.values[v];
        if (value.is_param)
            return nullptr;
        const Inst& inst = m_f.insts[value.def];
        return inst.op == Op::Numeric && inst.wasm_op == op && !inst.removed ? &inst : nullptr;
    }

    // The loop's step for header parameter `position`: every back edge
    // passes the same `next` = i + s (or i - s). False if not an IV.
    bool step_of(BlockId header, u32 position, ValueId& next, u64& step) const noexcept
    {
        ValueId i = m_f.params(header)[position];
        Ops ops = ops_of(m_f.values[i].type);
        next = no_id;
        for (EdgeId e = m_f.blocks[header].first_incoming; e != no_id; e = m_f.edges[e].next_incoming) {
            BlockId from = m_f.insts[m_f.edges[e].from].block;
            if (!inside(from, header))
                continue;
            ValueId a = m_f.edge_args(e)[position];
            if (next != no_id && a != next)
                return false;
            next = a;
        }
        if (next == no_id)
            return false;
        Opcode steps[2] = { ops.add, ops.sub };
        for (Opcode op : steps) {
            const Inst* inst = numeric(next, op);
            if (!inst)
                continue;
            Span<const ValueId> args = m_f.args(m_f.values[next].def);
            if (args[0] != i || !m_f.is_const(args[1]))
                return false;
            u64 c = m_f.const_bits(args[1]);
            step = (op == ops.add ? c : u64(0) - c) & ops.mask;
            return true;
        }
        return false;
    }

    Result<bool> reduce_candidate(InstId x) noexcept
    {
        if (m_f.insts[x].removed || m_uses[m_f.result(x)] != 1)
            return false;
        ValueId i = m_f.args(x)[0];
        BlockId header = m_f.values[i].def;
        // The preheader: the one block outside the loop that enters it, by a jump.
        BlockId preheader = no_id;
        EdgeId entry_edge = no_id;
        for (EdgeId e = m_f.blocks[header].first_incoming; e != no_id; e = m_f.edges[e].next_incoming) {
            BlockId from = m_f.insts[m_f.edges[e].from].block;
            if (inside(from, header))
                continue;
            if (preheader != no_id)
                return false;
            preheader = from;
            entry_edge = e;
        }
        if (preheader == no_id || m_f.insts[m_f.terminator(preheader)].op != Op::Jump)
            return false;
        ValueId next;
        u64 step;
        if (!step_of(header, m_f.values[i].position, next, step))
            return false;
        return reduce(header, preheader, entry_edge, i, next, step, x);
    }

    // The add that uses x (its only use), if it is x + b with b invariant.
    InstId user_add(BlockId header, InstId x, ValueId& other) const noexcept
    {
        ValueId xv = m_f.result(x);
        InstId a = m_user[xv];
        if (a == no_id)
            return no_id;
        const Inst& inst = m_f.insts[a];
        Span<const ValueId> args = m_f.args(a);
        if (inst.op != Op::Numeric || inst.wasm_op != ops_of(m_f.values[xv].type).add || !inside(inst.block, header))
            return no_id;
        other = args[0] == xv ? args[1] : args[0];
        if (other == xv || inside(block_of(other), header))
            return no_id;
        return a;
    }

    Result<bool> reduce(BlockId header, BlockId preheader, EdgeId entry_edge, ValueId i, ValueId next, u64 step, InstId x) noexcept
    {
        ValueId b = no_id;
        InstId a = user_add(header, x, b);
        if (a == no_id)
            return false;
        Type type = m_f.values[i].type;
        Ops ops = ops_of(type);
        const Inst& xi = m_f.insts[x];
        u64 m = m_f.const_bits(m_f.args(x)[1]);
        u64 factor = xi.wasm_op == ops.shl ? u64(1) << (m & (type == Type::I32 ? 31 : 63)) : m;
        u32 offset = m_f.insts[a].wasm_offset;
        Type types[1] = { type };

        // p = b + init * M, before the preheader's jump.
        InstId jump = m_f.terminator(preheader);
        ValueId init = m_f.edge_args(entry_edge)[m_f.values[i].position];
        Inst scale = xi;
        ValueId scale_args[2] = { init, m_f.args(x)[1] };
        InstId scaled = TRY(m_f.insert_before(jump, scale, Span<const ValueId>(scale_args, 2), Span<const Type>(types, 1)));
        Inst add;
        add.op = Op::Numeric;
        add.wasm_op = ops.add;
        add.wasm_offset = offset;
        ValueId start_args[2] = { m_f.result(scaled), b };
        InstId start = TRY(m_f.insert_before(jump, add, Span<const ValueId>(start_args, 2), Span<const Type>(types, 1)));

        // The header's new parameter, fed p_init from the preheader and
        // p + s * M on the back edges.
        ValueId p = TRY(add_param(header, type));
        // p' right after `next`, which dominates every back edge.
        InstId after = m_f.insts[m_f.values[next].def].next;
        Inst c;
        c.op = Op::Const;
        c.imm = (step * factor) & ops.mask;
        c.wasm_offset = offset;
        InstId delta = TRY(m_f.insert_before(after, c, {}, Span<const Type>(types, 1)));
        ValueId step_args[2] = { p, m_f.result(delta) };
        InstId stepped = TRY(m_f.insert_before(after, add, Span<const ValueId>(step_args, 2), Span<const Type>(types, 1)));
        TRY(add_edge_args(header, entry_edge, m_f.result(start), m_f.result(stepped)));
        TRY(m_uses.try_resize(m_f.values.size(), 0));
        TRY(m_user.try_resize(m_f.values.size(), no_id));

        m_f.replace_all_uses(m_f.result(a), p);
        m_f.remove(a);
        m_f.remove(x);
        return true;
    }

    // Appends a parameter to `block` (its parameter list moves to the end
    // of the operand pool).
    Result<ValueId> add_param(BlockId block, Type type) noexcept
    {
        ValueId v = ValueId(m_f.values.size());
        Value value;
        value.type = type;
        value.is_param = true;
        value.def = block;
        value.position = m_f.blocks[block].param_count;
        TRY(m_f.values.try_append(value));
        TRY(m_f.aliases.try_append(no_id));
        m_scratch.clear();
        TRY(m_scratch.try_extend(m_f.params(block)));
        TRY(m_scratch.try_append(v));
        Block& b = m_f.blocks[block];
        b.params_begin = u32(m_f.operands.size());
        b.param_count = u32(m_scratch.size());
        TRY(m_f.operands.try_extend(m_scratch.span()));
        return v;
    }

    // Every incoming edge of `block` gets one more argument: `from_entry`
    // on `entry_edge`, `from_back` on the others.
    Result<void> add_edge_args(BlockId block, EdgeId entry_edge, ValueId from_entry, ValueId from_back) noexcept
    {
        for (EdgeId e = m_f.blocks[block].first_incoming; e != no_id; e = m_f.edges[e].next_incoming) {
            m_scratch.clear();
            TRY(m_scratch.try_extend(m_f.edge_args(e)));
            TRY(m_scratch.try_append(e == entry_edge ? from_entry : from_back));
            Edge& edge = m_f.edges[e];
            edge.args_begin = u32(m_f.operands.size());
            edge.arg_count = u32(m_scratch.size());
            TRY(m_f.operands.try_extend(m_scratch.span()));
        }
        return {};
    }

    Function& m_f;
    const Cfg& m_cfg;
    Vector<u32> m_uses;
    Vector<InstId> m_user; // of a value used once
    Vector<InstId> m_candidates;
    Vector<ValueId> m_scratch;
};

} // namespace

Result<bool> reduce_strength(Function& f) noexcept
{
    return run_with_cfg(f, reduce_strength);
}

Result<bool> reduce_strength(Function& f, const Cfg& cfg) noexcept
{
    Reducer reducer(f, cfg);
    return reducer.run();
}

} // namespace k23::jit::optimizing
