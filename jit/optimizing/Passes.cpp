// Copy propagation, GVN, DCE, LICM and the pipeline (Passes.h).

#include <base/HashMap.h>
#include <jit/optimizing/Analysis.h>
#include <jit/optimizing/Passes.h>

namespace k23::jit::optimizing {

// ---------------------------------------------------------------- copies

Result<bool> propagate_copies(Function& f) noexcept
{
    f.apply_replacements();
    f.compute_incoming();
    bool changed = false;
    for (bool again = true; again;) {
        again = false;
        for (BlockId b = 0; b < f.blocks.size(); ++b) {
            if (f.blocks[b].removed || b == f.entry || f.blocks[b].first_incoming == no_id)
                continue;
            if (f.remove_trivial_params(b))
                again = changed = true;
        }
    }
    f.apply_replacements();
    return changed;
}

// ---------------------------------------------------------------- GVN

namespace {

// Can `i` be merged with an identical instruction that dominates it?
bool is_numberable(const Function& f, InstId i) noexcept
{
    const Inst& inst = f.insts[i];
    switch (inst.op) {
    case Op::Const:
    case Op::Numeric:
    case Op::Select:
    case Op::RefIsNull:
    case Op::RefFunc:
    case Op::Simd:
        // A trapping numeric op reads no state: its twin traps exactly when it does.
        return inst.result_count == 1;
    case Op::GlobalGet:
        return is_pure(f, i);
    default:
        return false;
    }
}

u32 hash_inst(const Function& f, InstId i) noexcept
{
    const Inst& inst = f.insts[i];
    u64 h = u64(inst.op) * 0x100000001b3ull ^ u64(inst.wasm_op) << 8 ^ u64(inst.type) << 24;
    h = h * 0x9e3779b97f4a7c15ull ^ inst.imm;
    h = h * 0x9e3779b97f4a7c15ull ^ (u64(inst.index) << 32 | inst.index2);
    Span<const ValueId> args = f.args(i);
    if (inst.op == Op::Numeric && args.size() == 2 && is_commutative(inst.wasm_op)) {
        // Either order hashes the same.
        ValueId lo = args[0] < args[1] ? args[0] : args[1];
        ValueId hi = args[0] < args[1] ? args[1] : args[0];
        h = h * 0x9e3779b97f4a7c15ull ^ (u64(lo) << 32 | hi);
    } else {
        for (ValueId v : args)
            h = h * 0x9e3779b97f4a7c15ull ^ v;
    }
    return hash_u64(h);
}

bool same_inst(const Function& f, InstId a, InstId b) noexcept
{
    const Inst& x = f.insts[a];
    const Inst& y = f.insts[b];
    if (x.op != y.op || x.wasm_op != y.wasm_op || x.type != y.type || x.imm != y.imm || x.index != y.index
        || x.index2 != y.index2 || x.arg_count != y.arg_count)
        return false;
    Span<const ValueId> xa = f.args(a);
    Span<const ValueId> ya = f.args(b);
    if (xa.equals(ya))
        return true;
    return x.op == Op::Numeric && xa.size() == 2 && is_commutative(x.wasm_op) && xa[0] == ya[1] && xa[1] == ya[0];
}

} // namespace

Result<bool> run_with_cfg(Function& f, CfgPass pass) noexcept
{
    f.apply_replacements();
    Cfg cfg;
    TRY(cfg.compute(f));
    return pass(f, cfg);
}

Result<bool> number_values(Function& f) noexcept
{
    return run_with_cfg(f, number_values);
}

Result<bool> number_values(Function& f, const Cfg& cfg) noexcept
{
    f.apply_replacements();
    u32 count = 0;
    for (InstId i = 0; i < f.insts.size(); ++i)
        count += !f.insts[i].removed;
    usize buckets = 16;
    while (buckets < usize(count) * 2)
        buckets *= 2;
    Vector<InstId> heads;
    Vector<InstId> chain;
    TRY(heads.try_resize(buckets, no_id));
    TRY(chain.try_resize(f.insts.size(), no_id));
    bool changed = false;
    // Dominator-tree preorder: a block's dominators come before it, so the
    // table holds every candidate that dominates the instruction at hand
    // (and some that do not, which the dominance check skips).
    for (BlockId b : cfg.dom_preorder()) {
        for (InstId i = f.blocks[b].first; i != no_id;) {
            InstId next = f.insts[i].next;
            if (!is_numberable(f, i)) {
                i = next;
                continue;
            }
            for (ValueId& v : f.args(i))
                v = f.resolve(v);
            u32 slot = hash_inst(f, i) & u32(buckets - 1);
            InstId found = no_id;
            for (InstId c = heads[slot]; c != no_id; c = chain[c]) {
                if (f.insts[c].removed || !cfg.dominates(f.insts[c].block, b))
                    continue;
                if (same_inst(f, c, i)) {
                    found = c;
                    break;
                }
            }
            if (found != no_id) {
                f.replace_all_uses(f.result(i), f.result(found));
                f.remove(i);
                changed = true;
            } else {
                chain[i] = heads[slot];
                heads[slot] = i;
            }
            i = next;
        }
    }
    f.apply_replacements();
    return changed;
}

// ---------------------------------------------------------------- loads

namespace {

// The load that reads back what a full-width store wrote.
Opcode load_of_store(Opcode store) noexcept
{
    switch (store) {
    case Opcode::I32Store: return Opcode::I32Load;
    case Opcode::I64Store: return Opcode::I64Load;
    case Opcode::F32Store: return Opcode::F32Load;
    case Opcode::F64Store: return Opcode::F64Load;
    default: return Opcode::Nop;
    }
}

constexpr usize max_known_loads = 64;

struct KnownLoad {
    Opcode op;
    u32 memory;
    u64 offset;
    ValueId address;
    ValueId value;
};

} // namespace

Result<bool> eliminate_redundant_loads(Function& f) noexcept
{
    f.apply_replacements();
    bool changed = false;
    Vector<KnownLoad> known;
    for (BlockId b = 0; b < f.blocks.size(); ++b) {
        if (f.blocks[b].removed)
            continue;
        known.clear();
        for (InstId i = f.blocks[b].first; i != no_id;) {
            InstId next = f.insts[i].next;
            const Inst& inst = f.insts[i];
            switch (inst.op) {
            case Op::Load: {
                if (inst.arg_count != 1)
                    break; // v128.loadN_lane also reads its vector operand
                ValueId address = f.resolve(f.args(i)[0]);
                ValueId found = no_id;
                for (const KnownLoad& k : known) {
                    if (k.op == inst.wasm_op && k.memory == inst.index && k.offset == inst.imm && k.address == address) {
                        found = k.value;
                        break;
                    }
                }
                if (found != no_id) {
                    f.replace_all_uses(f.result(i), found);
                    f.remove(i);
                    changed = true;
                    break;
                }
                // A bounded table keeps a block of many loads linear.
                if (known.size() < max_known_loads)
                    TRY(known.try_append({ inst.wasm_op, inst.index, inst.imm, address, f.result(i) }));
                break;
            }
            case Op::Store: {
                // Any store may alias any known address: forget them, then
                // remember what this one wrote.
                known.clear();
                Opcode load = load_of_store(inst.wasm_op);
                if (load != Opcode::Nop)
                    TRY(known.try_append({ load, inst.index, inst.imm, f.resolve(f.args(i)[0]), f.resolve(f.args(i)[1]) }));
                break;
            }
            case Op::Call:
            case Op::CallIndirect:
            case Op::MemoryGrow:
            case Op::Runtime:
                known.clear();
                break;
            default:
                break;
            }
            i = next;
        }
    }
    f.apply_replacements();
    return changed;
}

// ---------------------------------------------------------------- DCE

Result<bool> eliminate_dead_code(Function& f) noexcept
{
    f.apply_replacements();
    TRY(f.remove_unreachable_blocks());
    f.compute_incoming();
    Vector<u8> live_value;
    Vector<u8> live_inst;
    Vector<ValueId> work;
    TRY(live_value.try_resize(f.values.size(), 0));
    TRY(live_inst.try_resize(f.insts.size(), 0));
    auto use = [&](ValueId v) -> Result<void> {
        if (!live_value[v]) {
            live_value[v] = 1;
            TRY(work.try_append(v));
        }
        return {};
    };
    // Roots: everything with an effect (terminators included); their
    // operands are live, edge arguments only when their parameter is.
    for (BlockId b = 0; b < f.blocks.size(); ++b) {
        if (f.blocks[b].removed)
            continue;
        for (InstId i = f.blocks[b].first; i != no_id; i = f.insts[i].next) {
            if (is_removable(f, i))
                continue;
            live_inst[i] = 1;
            for (ValueId v : f.args(i))
                TRY(use(v));
        }
    }
    while (!work.is_empty()) {
        ValueId v = work.take_last();
        const Value& value = f.values[v];
        if (value.is_param) {
            for (EdgeId e = f.blocks[value.def].first_incoming; e != no_id; e = f.edges[e].next_incoming)
                TRY(use(f.edge_args(e)[value.position]));
            continue;
        }
        InstId i = value.def;
        if (live_inst[i])
            continue;
        live_inst[i] = 1;
        for (ValueId a : f.args(i))
            TRY(use(a));
    }
    bool changed = false;
    for (BlockId b = 0; b < f.blocks.size(); ++b) {
        if (f.blocks[b].removed)
            continue;
        for (InstId i = f.blocks[b].first; i != no_id;) {
            InstId next = f.insts[i].next;
            if (!live_inst[i]) {
                f.remove(i);
                changed = true;
            }
            i = next;
        }
        if (b == f.entry)
            continue; // the function's parameters stay
        u32 before = f.blocks[b].param_count;
        f.drop_params(b, [&](ValueId p) { return !live_value[p]; });
        changed |= f.blocks[b].param_count != before;
    }
    return changed;
}

// ---------------------------------------------------------------- LICM

Result<bool> hoist_loop_invariants(Function& f) noexcept
{
    return run_with_cfg(f, hoist_loop_invariants);
}

Result<bool> hoist_loop_invariants(Function& f, const Cfg& cfg) noexcept
{
    f.apply_replacements();
    bool changed = false;
    Span<const BlockId> rpo = cfg.rpo();
    // Inner loops first: their headers come later in reverse postorder.
    for (usize h_index = rpo.size(); h_index > 0; --h_index) {
        BlockId header = rpo[h_index - 1];
        if (!cfg.is_loop_header(header))
            continue;
        BlockId preheader = no_id;
        u32 outside = 0;
        for (BlockId p : cfg.predecessors(header)) {
            if (cfg.in_loop(p, header))
                continue;
            ++outside;
            preheader = p;
        }
        if (outside != 1 || f.insts[f.terminator(preheader)].op != Op::Jump)
            continue;
        InstId anchor = f.terminator(preheader);
        auto defined_outside = [&](ValueId v) {
            const Value& value = f.values[v];
            BlockId d = value.is_param ? value.def : f.insts[value.def].block;
            return !cfg.in_loop(d, header) && d != header;
        };
        // Reverse postorder inside the loop: an operand's definition is
        // visited (and perhaps hoisted) before its uses.
        for (usize k = h_index - 1; k < rpo.size(); ++k) {
            BlockId b = rpo[k];
            if (b != header && !cfg.in_loop(b, header))
                continue;
            for (InstId i = f.blocks[b].first; i != no_id;) {
                InstId next = f.insts[i].next;
                bool invariant = is_pure(f, i);
                for (ValueId v : f.args(i))
                    invariant = invariant && defined_outside(v);
                if (invariant) {
                    f.move_before(i, anchor);
                    changed = true;
                }
                i = next;
            }
        }
    }
    return changed;
}

// ---------------------------------------------------------------- blocks

Result<bool> merge_blocks(Function& f) noexcept
{
    f.apply_replacements();
    TRY(f.remove_unreachable_blocks());
    f.compute_incoming();
    bool changed = false;
    for (BlockId b = 0; b < f.blocks.size(); ++b) {
        if (f.blocks[b].removed)
            continue;
        for (;;) {
            InstId jump = f.blocks[b].last;
            if (f.insts[jump].op != Op::Jump)
                break;
            EdgeId e = f.insts[jump].first_edge;
            BlockId next = f.edges[e].target;
            Block& n = f.blocks[next];
            if (next == b || next == f.entry || n.first_incoming != e || f.edges[e].next_incoming != no_id)
                break;
            // next has this one edge: its parameters are the arguments.
            Span<const ValueId> params = f.params(next);
            Span<const ValueId> args = f.edge_args(e);
            for (u32 k = 0; k < params.size(); ++k)
                f.replace_all_uses(params[k], f.resolve(args[k]));
            f.remove(jump);
            for (InstId i = n.first; i != no_id;) {
                InstId after = f.insts[i].next;
                Inst& inst = f.insts[i];
                inst.block = b;
                inst.prev = f.blocks[b].last;
                inst.next = no_id;
                if (f.blocks[b].last != no_id)
                    f.insts[f.blocks[b].last].next = i;
                else
                    f.blocks[b].first = i;
                f.blocks[b].last = i;
                i = after;
            }
            n.first = n.last = no_id;
            n.param_count = 0;
            n.removed = true;
            changed = true;
        }
    }
    f.apply_replacements();
    return changed;
}

// ---------------------------------------------------------------- jumps

Result<bool> thread_jumps(Function& f) noexcept
{
    f.apply_replacements();
    // How often each value is used, to know that a block's parameters are
    // read by its jump alone (a block it dominates may use them directly).
    Vector<u32> uses;
    TRY(uses.try_resize(f.values.size(), 0));
    for (const Block& b : f.blocks) {
        if (b.removed)
            continue;
        for (InstId i = b.first; i != no_id; i = f.insts[i].next) {
            for (ValueId v : f.args(i))
                ++uses[v];
            for (u32 k = 0; k < f.insts[i].edge_count; ++k) {
                for (ValueId v : f.edge_args(f.insts[i].first_edge + k))
                    ++uses[v];
            }
        }
    }
    auto forwarding = [&](BlockId b) {
        const Block& block = f.blocks[b];
        if (b == f.entry || block.removed || block.first == no_id || block.first != block.last)
            return false;
        const Inst& jump = f.insts[block.first];
        if (jump.op != Op::Jump || f.edges[jump.first_edge].target == b)
            return false;
        for (ValueId p : f.params(b)) {
            u32 in_jump = 0;
            for (ValueId a : f.edge_args(jump.first_edge))
                in_jump += a == p;
            if (uses[p] != in_jump)
                return false;
        }
        return true;
    };
    bool changed = false;
    Vector<ValueId> args;
    for (BlockId p = 0; p < f.blocks.size(); ++p) {
        if (f.blocks[p].removed)
            continue;
        InstId term = f.blocks[p].last;
        for (u32 k = 0; k < f.insts[term].edge_count; ++k) {
            EdgeId e = f.insts[term].first_edge + k;
            // A few hops per edge: chains of forwarders, never a cycle of them.
            for (u32 hops = 0; hops < 8 && forwarding(f.edges[e].target); ++hops) {
                BlockId b = f.edges[e].target;
                EdgeId onward = f.insts[f.blocks[b].first].first_edge;
                args.clear();
                for (ValueId a : f.edge_args(onward)) {
                    const Value& value = f.values[a];
                    TRY(args.try_append(value.is_param && value.def == b ? f.edge_args(e)[value.position] : a));
                }
                for (ValueId a : f.edge_args(e))
                    --uses[a];
                for (ValueId a : args)
                    ++uses[a];
                Edge& edge = f.edges[e];
                edge.target = f.edges[onward].target;
                edge.args_begin = u32(f.operands.size());
                edge.arg_count = u32(args.size());
                TRY(f.operands.try_extend(args.span()));
                changed = true;
            }
        }
        // A br_if or br_table whose edges are all the same is a jump.
        const Inst& t = f.insts[term];
        if ((t.op == Op::Branch || t.op == Op::BrTable) && t.edge_count > 0) {
            bool same = true;
            for (u32 k = 1; k < t.edge_count && same; ++k) {
                const Edge& a = f.edges[t.first_edge];
                const Edge& b = f.edges[t.first_edge + k];
                same = a.target == b.target && f.edge_args(t.first_edge).equals(f.edge_args(t.first_edge + k));
            }
            if (same) {
                f.make_jump(term, 0);
                changed = true;
            }
        }
    }
    if (changed)
        TRY(f.remove_unreachable_blocks());
    return changed;
}

// ---------------------------------------------------------------- pipeline

Result<void> optimize(Function& f) noexcept
{
    Cfg cfg;
    for (u32 round = 0; round < 4; ++round) {
        bool changed = false;
        changed |= TRY(fold_constants(f));
        changed |= TRY(propagate_copies(f));
        // Folding is the only pass that changes the CFG before merging: one
        // Cfg serves GVN and LICM (DCE only removes parameters and code).
        TRY(cfg.compute(f));
        changed |= TRY(number_values(f, cfg));
        changed |= TRY(eliminate_redundant_loads(f));
        changed |= TRY(eliminate_dead_code(f));
        changed |= TRY(hoist_loop_invariants(f, cfg));
        // Strength reduction once, after the first LICM has hoisted the
        // bases: later rounds found next to nothing new on the workloads
        // for another walk over every loop (compile time).
        if (round == 0)
            changed |= TRY(reduce_strength(f, cfg));
        changed |= TRY(thread_jumps(f));
        changed |= TRY(merge_blocks(f));
        if (!changed)
            break;
    }
    return {};
}

} // namespace k23::jit::optimizing
