// Inlining of small callees (Passes.h inline_calls).
//
// Each callee is built on its own (build_function), optimized, checked
// against the budget and the refusals, then copied into the caller at the
// call site: the call's block is split after the call, the call becomes a
// jump to a copy of the callee's entry block (its parameters receive the
// call's arguments; copy propagation and block merging dissolve it), and
// every `return` of the copy jumps to the continuation, whose parameters
// stand for the call's results. The copied instructions keep the callee's
// wasm offsets: a trap in them names the callee's function and offset, as
// in the baseline (CompiledModule::lookup finds the function whose body
// holds a trap site's offset).

#include <base/HashMap.h>
#include <jit/optimizing/Analysis.h>
#include <jit/optimizing/Builder.h>
#include <jit/optimizing/Passes.h>

namespace k23::jit::optimizing {

namespace {

// Parameters and results of the signature all travel in registers (the
// lowering refuses other calls; inlining one would make the caller fall
// back to the baseline).
bool fits_registers(const wasm::FunctionType& type) noexcept
{
    auto fits = [](Span<const wasm::ValueType> types) {
        u32 ints = 0, floats = 0;
        for (wasm::ValueType t : types) {
            if (t == wasm::ValueType::V128)
                return false;
            if (t == wasm::ValueType::F32 || t == wasm::ValueType::F64)
                ++floats;
            else
                ++ints;
        }
        return ints <= 8 && floats <= 8;
    };
    return fits(type.params) && fits(type.results);
}

// What the inliner refuses in a callee (besides its size): tail calls
// (`return_call` would have to return from the caller), calls the lowering
// cannot make, and operations the caller's hart lacks.
bool can_inline_body(const Function& g, const InlineOptions& options) noexcept
{
    for (const Block& b : g.blocks) {
        if (b.removed)
            continue;
        for (InstId i = b.first; i != no_id; i = g.insts[i].next) {
            const Inst& inst = g.insts[i];
            switch (inst.op) {
            case Op::ReturnCall:
            case Op::ReturnCallIndirect:
                return false;
            case Op::Call:
                if (!fits_registers(g.module->function_type(inst.index)))
                    return false;
                break;
            case Op::CallIndirect:
                if (!fits_registers(g.module->type(inst.index)))
                    return false;
                break;
            case Op::Numeric:
                if (!options.zbb && needs_zbb(inst.wasm_op))
                    return false;
                break;
            default:
                break;
            }
        }
    }
    return true;
}

struct Site {
    InstId call;
    u32 callee;
};

class Inliner {
public:
    Inliner(Function& f, Function& g) noexcept
        : m_f(f)
        , m_g(g)
    {
    }

    // Copies m_g (built, optimized, replacements applied) over `call`.
    Result<void> splice(InstId call) noexcept
    {
        const Inst call_inst = m_f.insts[call];
        BlockId block = call_inst.block;

        // The continuation: everything after the call, with the call's
        // results as parameters.
        BlockId cont = TRY(m_f.create_block(m_g.result_types.span()));
        for (InstId i = m_f.insts[call].next; i != no_id;) {
            InstId next = m_f.insts[i].next;
            Inst& inst = m_f.insts[i];
            // Unlink from `block`, append to `cont`.
            if (inst.prev != no_id)
                m_f.insts[inst.prev].next = inst.next;
            else
                m_f.blocks[block].first = inst.next;
            if (inst.next != no_id)
                m_f.insts[inst.next].prev = inst.prev;
            else
                m_f.blocks[block].last = inst.prev;
            Block& c = m_f.blocks[cont];
            inst.block = cont;
            inst.prev = c.last;
            inst.next = no_id;
            if (c.last != no_id)
                m_f.insts[c.last].next = i;
            else
                c.first = i;
            c.last = i;
            i = next;
        }
        for (u32 k = 0; k < call_inst.result_count; ++k)
            m_f.replace_all_uses(call_inst.first_result + k, m_f.params(cont)[k]);

        // The callee's blocks, then its instructions in reverse postorder
        // (every operand's definition is copied before its uses).
        TRY(m_cfg.compute(m_g));
        m_block_map.clear();
        m_value_map.clear();
        TRY(m_block_map.try_resize(m_g.blocks.size(), no_id));
        TRY(m_value_map.try_resize(m_g.values.size(), no_id));
        for (BlockId b : m_cfg.rpo()) {
            m_types.clear();
            for (ValueId p : m_g.params(b))
                TRY(m_types.try_append(m_g.values[p].type));
            BlockId copy = TRY(m_f.create_block(m_types.span()));
            m_block_map[b] = copy;
            Span<const ValueId> gp = m_g.params(b);
            Span<const ValueId> fp = m_f.params(copy);
            for (u32 k = 0; k < gp.size(); ++k)
                m_value_map[gp[k]] = fp[k];
        }

        // The call's block jumps to the copy of the entry with the arguments.
        m_args.clear();
        TRY(m_args.try_extend(m_f.args(call)));
        m_f.remove(call);
        Inst jump;
        jump.op = Op::Jump;
        jump.wasm_offset = call_inst.wasm_offset;
        InstId term = TRY(m_f.append(block, jump, {}));
        TRY(m_f.add_edge(term, m_block_map[m_g.entry], m_args.span()));

        for (BlockId b : m_cfg.rpo()) {
            BlockId copy = m_block_map[b];
            for (InstId i = m_g.blocks[b].first; i != no_id; i = m_g.insts[i].next) {
                const Inst& inst = m_g.insts[i];
                m_args.clear();
                for (ValueId v : m_g.args(i))
                    TRY(m_args.try_append(map(v)));
                if (inst.op == Op::Return) {
                    Inst to_cont;
                    to_cont.op = Op::Jump;
                    to_cont.wasm_offset = inst.wasm_offset;
                    InstId j = TRY(m_f.append(copy, to_cont, {}));
                    TRY(m_f.add_edge(j, cont, m_args.span()));
                    continue;
                }
                m_types.clear();
                for (u32 r = 0; r < inst.result_count; ++r)
                    TRY(m_types.try_append(m_g.values[inst.first_result + r].type));
                InstId n = TRY(m_f.append(copy, inst, m_args.span(), m_types.span()));
                for (u32 r = 0; r < inst.result_count; ++r)
                    m_value_map[inst.first_result + r] = m_f.insts[n].first_result + r;
                for (u32 k = 0; k < inst.edge_count; ++k) {
                    EdgeId e = inst.first_edge + k;
                    m_args.clear();
                    for (ValueId v : m_g.edge_args(e))
                        TRY(m_args.try_append(map(v)));
                    TRY(m_f.add_edge(n, m_block_map[m_g.edges[e].target], m_args.span()));
                }
            }
        }
        return {};
    }

private:
    ValueId map(ValueId v) const noexcept
    {
        ValueId mapped = m_value_map[v];
        VERIFY(mapped != no_id);
        return mapped;
    }

    Function& m_f;
    Function& m_g;
    Cfg m_cfg;
    Vector<BlockId> m_block_map;
    Vector<ValueId> m_value_map;
    Vector<ValueId> m_args;
    Vector<Type> m_types;
};

} // namespace

Result<u32> inline_calls(Function& f, const InlineOptions& options) noexcept
{
    if (!f.module)
        return 0u;
    const wasm::Module& module = *f.module;
    f.apply_replacements();
    // The candidate sites, by callee: each callee is built once.
    Vector<Site> sites;
    for (const Block& b : f.blocks) {
        if (b.removed)
            continue;
        for (InstId i = b.first; i != no_id; i = f.insts[i].next) {
            const Inst& inst = f.insts[i];
            if (inst.op != Op::Call || inst.index == f.function_index || inst.index >= module.functions().size())
                continue;
            const wasm::Function& callee = module.functions()[inst.index];
            if (callee.imported || callee.body.size > options.max_callee_bytes)
                continue;
            TRY(sites.try_append({ i, inst.index }));
        }
    }
    if (sites.is_empty())
        return 0u;
    // Insertion sort by callee (few sites; stable, so call order is kept).
    for (usize k = 1; k < sites.size(); ++k) {
        Site s = sites[k];
        usize j = k;
        for (; j > 0 && sites[j - 1].callee > s.callee; --j)
            sites[j] = sites[j - 1];
        sites[j] = s;
    }

    Function g;
    Inliner inliner(f, g);
    u32 built = no_id;
    bool usable = false;
    u32 size = 0;
    u32 growth = 0;
    u32 inlined = 0;
    for (const Site& site : sites) {
        if (site.callee != built) {
            built = site.callee;
            usable = false;
            auto result = build_function(module, site.callee, g);
            if (result.is_error()) {
                // Unsupported (SIMD) callees stay calls; anything else is real.
                if (result.error().code() != ErrorCode::Unsupported)
                    return result.error();
                continue;
            }
            if (!options.zbb)
                TRY(expand_bit_operations(g));
            TRY(optimize(g));
            if (g.replacements_pending)
                g.apply_replacements();
            size = g.live_inst_count();
            usable = size <= options.max_callee_insts && can_inline_body(g, options);
        }
        if (!usable || growth + size > options.max_growth)
            continue;
        TRY(inliner.splice(site.call));
        growth += size;
        ++inlined;
    }
    if (inlined) {
        f.apply_replacements();
        TRY(f.remove_unreachable_blocks());
    }
    return inlined;
}

} // namespace k23::jit::optimizing
