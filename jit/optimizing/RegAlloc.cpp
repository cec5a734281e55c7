// The optimizing tier's register allocation (Lowerer.h): numbering, liveness,
// and linear scan with call-crossing costs and edge-move hints.

#include <jit/optimizing/Lowerer.h>

namespace k23::jit::optimizing::detail {

bool Lowerer::crosses_call(const LowerScratch::Interval& iv) const noexcept
{
    // The first call after the start.
    usize low = 0, high = m_s.calls.size();
    while (low < high) {
        usize mid = (low + high) / 2;
        if (m_s.calls[mid] <= iv.start)
            low = mid + 1;
        else
            high = mid;
    }
    return low < m_s.calls.size() && m_s.calls[low] < iv.end;
}

u32 Lowerer::calls_crossed(const LowerScratch::Interval& iv) const noexcept
{
    auto first_after = [&](u32 pos) {
        usize low = 0, high = m_s.calls.size();
        while (low < high) {
            usize mid = (low + high) / 2;
            if (m_s.calls[mid] <= pos)
                low = mid + 1;
            else
                high = mid;
        }
        return low;
    };
    usize from = first_after(iv.start), to = first_after(iv.end - 1);
    return u32(to - from);
}

void Lowerer::store_reloaded(ValueId v) noexcept
{
    if (!m_reload[v])
        return;
    const Location& loc = m_s.locations[v];
    store_slot(loc, m_f.values[v].type, loc.reg, loc.kind == kind_fp);
}

void Lowerer::reload_after_call(InstId call) noexcept
{
    u32 pos = m_s.inst_pos[call];
    for (ValueId v : m_reloaded) {
        const auto& iv = m_s.intervals[v];
        if (m_reload[v] && iv.start < pos && iv.end > pos) {
            const Location& loc = m_s.locations[v];
            load_slot(loc, m_f.values[v].type, loc.reg, loc.kind == kind_fp);
        }
    }
}

Result<void> Lowerer::number() noexcept
{
    usize insts = m_f.insts.size(), values = m_f.values.size(), blocks = m_f.blocks.size();
    TRY(m_s.inst_pos.try_resize(insts, 0));
    TRY(m_s.fused.try_resize(insts, 0));
    for (auto& x : m_s.fused)
        x = 0;
    TRY(m_s.block_start.try_resize(blocks, 0));
    TRY(m_s.block_end.try_resize(blocks, 0));
    TRY(m_s.uses.try_resize(values, 0));
    for (auto& u : m_s.uses)
        u = 0;
    m_s.calls.clear();
    u32 pos = 1;
    for (BlockId b : m_s.cfg.rpo()) {
        m_s.block_start[b] = pos++;
        for (InstId i = m_f.blocks[b].first; i != no_id; i = m_f.insts[i].next) {
            const Inst& inst = m_f.insts[i];
            if (inst.removed)
                continue;
            m_s.inst_pos[i] = pos++;
            for (ValueId v : m_f.args(i))
                ++m_s.uses[v];
            for (u32 e = 0; e < inst.edge_count; ++e) {
                for (ValueId v : m_f.edge_args(inst.first_edge + e))
                    ++m_s.uses[v];
            }
            HelperShape shape;
            if (inst.op == Op::Call || inst.op == Op::CallIndirect || helper_shape(inst, shape) || simd_helper_call(inst))
                TRY(m_s.calls.try_append(m_s.inst_pos[i]));
        }
        m_s.block_end[b] = pos - 1;
    }
    // Compare + branch: a compare whose only use is its block's br_if.
    for (BlockId b : m_s.cfg.rpo()) {
        InstId term = m_f.terminator(b);
        if (term == no_id || m_f.insts[term].op != Op::Branch)
            continue;
        ValueId c = m_f.args(term)[0];
        const Value& value = m_f.values[c];
        if (value.is_param || m_s.uses[c] != 1)
            continue;
        const Inst& def = m_f.insts[value.def];
        if (def.op == Op::Numeric && def.block == b && is_int_compare(def.wasm_op))
            m_s.fused[value.def] = 1;
    }
    return {};
}

Result<void> Lowerer::liveness() noexcept
{
    usize values = m_f.values.size(), blocks = m_f.blocks.size();
    m_words = u32((values + 63) / 64);
    if (usize(m_words) * (blocks + 1) > max_live_words)
        return unsupported("optimizing: function too large for the allocator");
    m_s.live_in.clear();
    TRY(m_s.live_in.try_resize(usize(m_words) * (blocks + 1), 0));
    u64* live = m_s.live_in.data() + usize(m_words) * blocks; // the last row: scratch
    auto row = [&](BlockId b) { return m_s.live_in.data() + usize(m_words) * b; };
    auto set = [&](ValueId v) {
        if (allocatable(v))
            live[v / 64] |= u64(1) << (v % 64);
    };
    auto clear = [&](ValueId v) { live[v / 64] &= ~(u64(1) << (v % 64)); };
    Span<const BlockId> rpo = m_s.cfg.rpo();
    for (bool changed = true; changed;) {
        changed = false;
        for (usize k = rpo.size(); k-- > 0;) {
            BlockId b = rpo[k];
            for (u32 w = 0; w < m_words; ++w)
                live[w] = 0;
            InstId term = m_f.terminator(b);
            const Inst& t = m_f.insts[term];
            for (u32 e = 0; e < t.edge_count; ++e) {
                const u64* in = row(m_f.edges[t.first_edge + e].target);
                for (u32 w = 0; w < m_words; ++w)
                    live[w] |= in[w];
            }
            for (InstId i = term; i != no_id; i = m_f.insts[i].prev) {
                const Inst& inst = m_f.insts[i];
                if (inst.removed || m_s.fused[i])
                    continue;
                for (u32 r = 0; r < inst.result_count; ++r)
                    clear(inst.first_result + r);
                for_each_use(i, set);
            }
            for (ValueId p : m_f.params(b))
                clear(p);
            u64* in = row(b);
            for (u32 w = 0; w < m_words; ++w) {
                if (in[w] != live[w]) {
                    in[w] = live[w];
                    changed = true;
                }
            }
        }
    }
    // Intervals: one range from the first to the last position where each
    // value is live (block liveness makes it cover loops it is live around).
    TRY(m_s.intervals.try_resize(values));
    for (auto& iv : m_s.intervals)
        iv = { ~u32(0), 0 };
    for (BlockId b : rpo) {
        const u64* in = row(b);
        for (u32 w = 0; w < m_words; ++w) {
            for (u64 bits = in[w]; bits; bits &= bits - 1)
                extend(w * 64 + u32(__builtin_ctzll(bits)), m_s.block_start[b]);
        }
        for (ValueId p : m_f.params(b))
            extend(p, m_s.block_start[b]);
        InstId term = m_f.terminator(b);
        const Inst& t = m_f.insts[term];
        for (u32 e = 0; e < t.edge_count; ++e) {
            const u64* out = row(m_f.edges[t.first_edge + e].target);
            for (u32 w = 0; w < m_words; ++w) {
                for (u64 bits = out[w]; bits; bits &= bits - 1)
                    extend(w * 64 + u32(__builtin_ctzll(bits)), m_s.block_end[b]);
            }
        }
        for (InstId i = m_f.blocks[b].first; i != no_id; i = m_f.insts[i].next) {
            const Inst& inst = m_f.insts[i];
            if (inst.removed || m_s.fused[i])
                continue;
            u32 pos = m_s.inst_pos[i];
            for (u32 r = 0; r < inst.result_count; ++r)
                extend(inst.first_result + r, pos);
            for_each_use(i, [&](ValueId v) {
                if (allocatable(v))
                    extend(v, pos);
            });
        }
    }
    return {};
}

Result<void> Lowerer::allocate() noexcept
{
    usize values = m_f.values.size();
    TRY(m_s.locations.try_resize(values));
    for (auto& loc : m_s.locations)
        loc = {};
    TRY(m_hint.try_resize(values, 0));
    for (auto& h : m_hint)
        h = 0;
    {
        u32 ints = 0, floats = 0;
        for (ValueId p : m_f.params(m_f.entry)) {
            if (is_float(m_f.values[p].type)) {
                if (floats < abi::float_arg_registers)
                    m_hint[p] = u8(abi::float_args[floats++].id() + 1);
            } else if (ints < abi::int_arg_registers) {
                m_hint[p] = u8(abi::int_args[ints++].id() + 1);
            }
        }
    }
    // Partners: an edge argument and the parameter it feeds prefer one
    // register (or share one slot when their intervals do not overlap), so
    // the edge's move disappears (a loop's back edge, an if's merge).
    TRY(m_partner.try_resize(values, no_id));
    for (auto& p : m_partner)
        p = no_id;
    for (BlockId b : m_s.cfg.rpo()) {
        const Inst& t = m_f.insts[m_f.terminator(b)];
        for (u32 e = 0; e < t.edge_count; ++e) {
            EdgeId edge = t.first_edge + e;
            Span<const ValueId> args = m_f.edge_args(edge);
            Span<const ValueId> params = m_f.params(m_f.edges[edge].target);
            for (usize k = 0; k < args.size(); ++k) {
                if (!allocatable(args[k]))
                    continue;
                if (m_partner[args[k]] == no_id)
                    m_partner[args[k]] = params[k];
                if (m_partner[params[k]] == no_id)
                    m_partner[params[k]] = args[k];
            }
        }
    }
    m_slot_end.clear();

    // Values by start: a counting sort over positions.
    u32 positions = 0;
    for (BlockId b : m_s.cfg.rpo())
        positions = m_s.block_end[b] + 2 > positions ? m_s.block_end[b] + 2 : positions;
    Vector<u32> count;
    TRY(count.try_resize(positions + 1, 0));
    u32 live_values = 0;
    for (ValueId v = 0; v < values; ++v) {
        if (m_s.intervals[v].start != ~u32(0) && allocatable(v)) {
            ++count[m_s.intervals[v].start + 1];
            ++live_values;
        }
    }
    for (u32 p = 1; p <= positions; ++p)
        count[p] += count[p - 1];
    m_s.order.clear();
    TRY(m_s.order.try_resize(live_values, 0));
    for (ValueId v = 0; v < values; ++v) {
        if (m_s.intervals[v].start != ~u32(0) && allocatable(v))
            m_s.order[count[m_s.intervals[v].start]++] = v;
    }
    // Linear scan: active[reg] = the value holding it, or no_id.
    ValueId active_gp[32], active_fp[32];
    for (u32 r = 0; r < 32; ++r)
        active_gp[r] = active_fp[r] = no_id;
    m_slots = 0;
    TRY(m_reload.try_resize(values, 0));
    for (auto& r : m_reload)
        r = 0;
    m_reloaded.clear();
    TRY(reset_vectors());
    // Slots are reused once the last interval in them has ended (a
    // min-heap of (end, slot); an entry whose end is no longer its slot's
    // is stale), so frames stay small and most slots within reach of a
    // 12-bit offset from fp or sp.
    m_free_slots.clear();
    auto heap_push = [&](u32 end, u32 slot) -> Result<void> {
        TRY(m_free_slots.try_append(u64(end) << 32 | slot));
        for (usize i = m_free_slots.size() - 1; i > 0;) {
            usize parent = (i - 1) / 2;
            if (m_free_slots[parent] <= m_free_slots[i])
                break;
            u64 t = m_free_slots[parent];
            m_free_slots[parent] = m_free_slots[i];
            m_free_slots[i] = t;
            i = parent;
        }
        return {};
    };
    auto heap_pop = [&]() {
        m_free_slots[0] = m_free_slots.last();
        m_free_slots.take_last();
        for (usize i = 0;;) {
            usize l = 2 * i + 1, r = l + 1, m = i;
            if (l < m_free_slots.size() && m_free_slots[l] < m_free_slots[m])
                m = l;
            if (r < m_free_slots.size() && m_free_slots[r] < m_free_slots[m])
                m = r;
            if (m == i)
                break;
            u64 t = m_free_slots[m];
            m_free_slots[m] = m_free_slots[i];
            m_free_slots[i] = t;
            i = m;
        }
    };
    auto to_slot = [&](ValueId v) -> Result<void> {
        const auto& iv = m_s.intervals[v];
        m_s.locations[v].kind = kind_slot;
        m_reload[v] = 0;
        ValueId partner = m_partner[v];
        if (partner != no_id && m_s.locations[partner].kind == kind_slot) {
            u32 slot = m_s.locations[partner].slot;
            if (m_slot_end[slot] < iv.start) {
                m_s.locations[v].slot = slot;
                m_slot_end[slot] = iv.end;
                return heap_push(iv.end, slot);
            }
        }
        while (!m_free_slots.is_empty()) {
            u32 end = u32(m_free_slots[0] >> 32), slot = u32(m_free_slots[0]);
            if (end != m_slot_end[slot]) {
                heap_pop(); // stale
                continue;
            }
            if (end >= iv.start)
                break;
            heap_pop();
            m_s.locations[v].slot = slot;
            m_slot_end[slot] = iv.end;
            return heap_push(iv.end, slot);
        }
        m_s.locations[v].slot = m_slots++;
        TRY(m_slot_end.try_append(iv.end));
        return heap_push(iv.end, m_s.locations[v].slot);
    };
    for (ValueId v : m_s.order) {
        if (m_f.values[v].type == Type::V128) {
            TRY(allocate_vector(v)); // LowerSimd.cpp
            continue;
        }
        const auto& iv = m_s.intervals[v];
        bool fp = is_float(m_f.values[v].type);
        ValueId* active = fp ? active_fp : active_gp;
        for (u32 r = 0; r < 32; ++r) {
            if (active[r] != no_id && m_s.intervals[active[r]].end < iv.start)
                active[r] = no_id;
        }
        bool reload = false;
        if (crosses_call(iv)) {
            // Every register is caller-saved (jit/Abi.h). A value used more
            // often than the calls it lives across keeps a register and is
            // reloaded after each; the others live in their slot.
            if (m_s.uses[v] <= calls_crossed(iv)) {
                TRY(to_slot(v));
                continue;
            }
            reload = true;
        }
        i32 chosen = -1;
        if (m_hint[v] && active[m_hint[v] - 1] == no_id)
            chosen = m_hint[v] - 1;
        ValueId partner = m_partner[v];
        if (chosen < 0 && partner != no_id && m_s.locations[partner].kind == (fp ? kind_fp : kind_gp)
            && active[m_s.locations[partner].reg] == no_id)
            chosen = m_s.locations[partner].reg;
        if (chosen < 0) {
            if (fp) {
                for (FpReg r : s_fp_pool) {
                    if (active[r.id()] == no_id) {
                        chosen = r.id();
                        break;
                    }
                }
            } else {
                for (GpReg r : s_gp_pool) {
                    if (active[r.id()] == no_id) {
                        chosen = r.id();
                        break;
                    }
                }
            }
        }
        if (chosen < 0) {
            // Spill whichever ends last: v, or the active value that does
            // (a density heuristic, loop-weighted uses per length, measured
            // worse: shootout-keccak +4.7% instructions).
            i32 furthest = -1;
            for (u32 r = 0; r < 32; ++r) {
                if (active[r] != no_id && (furthest < 0 || m_s.intervals[active[r]].end > m_s.intervals[active[furthest]].end))
                    furthest = i32(r);
            }
            if (furthest >= 0 && m_s.intervals[active[furthest]].end > iv.end) {
                TRY(to_slot(active[furthest]));
                active[furthest] = no_id;
                chosen = furthest;
            } else {
                TRY(to_slot(v));
                continue;
            }
        }
        active[chosen] = v;
        m_s.locations[v].kind = fp ? kind_fp : kind_gp;
        m_s.locations[v].reg = u8(chosen);
        if (reload) {
            m_s.locations[v].slot = m_slots++;
            TRY(m_slot_end.try_append(~u32(0))); // never shared
            m_reload[v] = 1;
            TRY(m_reloaded.try_append(v));
        }
    }
    return {};
}

} // namespace k23::jit::optimizing::detail
