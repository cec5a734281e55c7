// The optimizing tier's register allocation (Lowerer.h): numbering, liveness,
// and linear scan with live-range splitting and edge-move hints.

#include <jit/optimizing/Lowerer.h>

namespace k23::jit::optimizing::detail {

// The first call at a position strictly inside (start, end), or no_id.
u32 Lowerer::first_call_inside(u32 start, u32 end) const noexcept
{
    usize low = 0, high = m_s.calls.size();
    while (low < high) {
        usize mid = (low + high) / 2;
        if (m_s.calls[mid] <= start)
            low = mid + 1;
        else
            high = mid;
    }
    return low < m_s.calls.size() && m_s.calls[low] < end ? m_s.calls[low] : no_id;
}

// The first use of v at or after pos, or no_id.
u32 Lowerer::next_use(ValueId v, u32 pos) const noexcept
{
    u32 low = m_use_begin[v], high = m_use_begin[v + 1];
    while (low < high) {
        u32 mid = (low + high) / 2;
        if (m_use_pos[mid] < pos)
            low = mid + 1;
        else
            high = mid;
    }
    return low < m_use_begin[v + 1] ? m_use_pos[low] : no_id;
}

Location Lowerer::location_at(ValueId v, u32 pos) const noexcept
{
    Location loc = m_s.locations[v];
    // v128 values have no pieces: one vector register or 16-byte slot
    // throughout (allocate_vector, LowerSimd.cpp).
    if (m_f.values[v].type == Type::V128)
        return loc;
    loc.kind = kind_slot;
    // The last piece starting at or before pos (pieces with a register do
    // not overlap, and end before any later piece of the value starts).
    u32 low = m_piece_begin[v], high = m_piece_begin[v + 1];
    while (low < high) {
        u32 mid = (low + high) / 2;
        if (m_pieces[m_piece_list[mid]].start <= pos)
            low = mid + 1;
        else
            high = mid;
    }
    if (low == m_piece_begin[v])
        return loc;
    const Piece& piece = m_pieces[m_piece_list[low - 1]];
    if (piece.reg != no_reg && pos <= piece.end) {
        loc.kind = is_float(m_f.values[v].type) ? kind_fp : kind_gp;
        loc.reg = piece.reg;
    }
    return loc;
}

void Lowerer::store_reloaded(ValueId v) noexcept
{
    const Location& loc = m_s.locations[v];
    if (!m_reload[v] || loc.kind == kind_slot)
        return;
    store_slot(loc, m_f.values[v].type, loc.reg, loc.kind == kind_fp);
}

void Lowerer::enter_block(BlockId b) noexcept
{
    for (ValueId p : m_f.params(b)) {
        if (m_split_bits[p / 64] >> (p % 64) & 1)
            m_s.locations[p] = location_at(p, m_s.block_start[b]);
    }
}

void Lowerer::enter_instruction(InstId i) noexcept
{
    u32 pos = m_s.inst_pos[i];
    m_pos = pos;
    for (; m_next_load < m_loads.size() && m_pieces[m_loads[m_next_load]].start <= pos; ++m_next_load) {
        const Piece& piece = m_pieces[m_loads[m_next_load]];
        if (piece.start != pos || piece.reg == no_reg)
            continue;
        ValueId v = piece.value;
        bool fp = is_float(m_f.values[v].type);
        if (m_f.is_const(v)) { // held: built again, it has no slot
            Type type = m_f.values[v].type;
            fp ? load_const_fp(FpReg(piece.reg), type, m_f.const_bits(v), t4) : load_const_gp(GpReg(piece.reg), type, m_f.const_bits(v));
            continue;
        }
        load_slot(m_s.locations[v], m_f.values[v].type, piece.reg, fp);
    }
    // Only split values change location (the others keep the one
    // allocate() gave them).
    auto update = [&](ValueId v) {
        if (m_split_bits[v / 64] >> (v % 64) & 1)
            m_s.locations[v] = location_at(v, pos);
    };
    for_each_use(i, update);
    const Inst& inst = m_f.insts[i];
    for (u32 r = 0; r < inst.result_count; ++r)
        update(inst.first_result + r);
}

// Whether v's instruction is one machine instruction that reads its
// operands before it writes v, so v may take the register of an operand
// whose last use it is.
bool Lowerer::reads_before_writing(ValueId v) const noexcept
{
    const Value& value = m_f.values[v];
    if (value.is_param)
        return false;
    const Inst& inst = m_f.insts[value.def];
    if (inst.op != Op::Numeric || m_s.fused[value.def] || inst.result_count != 1)
        return false;
    switch (inst.wasm_op) {
    case O::I32Add: case O::I32Sub: case O::I32And: case O::I32Or: case O::I32Xor:
    case O::I32Shl: case O::I32ShrS: case O::I32ShrU: case O::I32Mul:
    case O::I64Add: case O::I64Sub: case O::I64And: case O::I64Or: case O::I64Xor:
    case O::I64Shl: case O::I64ShrS: case O::I64ShrU: case O::I64Mul:
        return true;
    default:
        return false;
    }
}

// A value in one register wherever it is live needs no moves.
bool Lowerer::in_one_register(ValueId v) const noexcept
{
    u32 p = m_first_piece[v];
    return p != no_id && p == m_last_piece[v] && m_pieces[p].reg != no_reg && m_pieces[p].end >= m_s.intervals[v].end;
}

bool Lowerer::edge_needs_resolution(EdgeId e) noexcept
{
    return m_resolves[e]; // find_slot_needs
}

// Values live into the target that it expects in another register: moved,
// or loaded from their slot. (One that it expects in its slot is there: a
// value read from its slot anywhere was stored where it was defined.)
void Lowerer::resolution_moves(EdgeId e) noexcept
{
    const Edge& edge = m_f.edges[e];
    u32 from = m_s.inst_pos[edge.from], to = m_s.block_start[edge.target];
    for_each_split_live_in(edge.target, [&](ValueId v) {
        if (!maybe_in_register(v, to))
            return true;
        Move m;
        m.dst = location_at(v, to);
        if (m.dst.kind == kind_slot)
            return true;
        m.src = location_at(v, from);
        m.type = m_f.values[v].type;
        if (m.src.kind == kind_slot && m_f.is_const(v)) { // held: built again
            m.is_const = true;
            m.bits = m_f.const_bits(v);
        }
        if (!same(m.dst, m.src) && m_moves.try_append(m).is_error())
            m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: moves"));
        return true;
    });
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
    // Per block: whether it calls; then per loop header: whether its loop does.
    Vector<u8> calls_in;
    TRY(calls_in.try_resize(blocks, 0));
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
            if (inst.op == Op::Call || inst.op == Op::CallIndirect || helper_shape(inst, shape) || simd_helper_call(inst)) {
                TRY(m_s.calls.try_append(m_s.inst_pos[i]));
                calls_in[b] = 1;
            }
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
    // Constants a loop reads that take two or more instructions to build
    // (a float, an integer beyond lui's or addi's reach) are kept in a
    // register like any value, built once where they are defined (LICM
    // put them before the loop), instead of at each use in the loop. They
    // never go to a slot: where one has no register it is built again.
    TRY(m_s.held.try_resize(insts, 0));
    for (auto& x : m_s.held)
        x = 0;
    // Only uses in blocks every iteration runs (that dominate each of
    // their loop's back edges): a constant of a rarely taken branch (one
    // case of a large switch) would hold a register through the whole loop
    // or be built at its header on every iteration.
    // (Per header, once: the nearest common dominator of its back edges'
    // sources; b dominates them all when it dominates that block.)
    Vector<BlockId> latches;
    TRY(latches.try_resize(blocks, no_id));
    auto every_iteration = [&](BlockId b) {
        BlockId h = m_s.cfg.loop_header(b);
        if (h == no_id)
            return false;
        if (latches[h] == no_id) {
            BlockId d = no_id;
            for (BlockId p : m_s.cfg.predecessors(h)) {
                if (!m_s.cfg.in_loop(p, h))
                    continue;
                if (d == no_id)
                    d = p;
                while (!m_s.cfg.dominates(d, p))
                    d = m_s.cfg.idom(d);
            }
            latches[h] = d;
        }
        return m_s.cfg.dominates(b, latches[h]);
    };
    auto costly = [&](ValueId v) {
        if (!m_f.is_const(v))
            return false;
        Type type = m_f.values[v].type;
        if (type == Type::F32 || type == Type::F64)
            return true;
        if (type != Type::I32 && type != Type::I64)
            return false;
        u64 bits = m_f.const_bits(v);
        i64 x = type == Type::I32 ? i64(i32(u32(bits))) : i64(bits);
        return !MacroAssembler::is_single_instruction_constant(x);
    };
    // Nor in loops with a call: registers do not survive it (jit/Abi.h),
    // so the constant would be built again after each call anyway.
    for (BlockId b : m_s.cfg.rpo()) {
        if (!(calls_in[b] & 1))
            continue;
        for (BlockId h = m_s.cfg.loop_header(b); h != no_id && !(calls_in[h] & 2); h = m_s.cfg.parent_loop(h))
            calls_in[h] |= 2;
    }
    for (BlockId b : m_s.cfg.rpo()) {
        if (!every_iteration(b) || (calls_in[m_s.cfg.loop_header(b)] & 2))
            continue;
        for (InstId i = m_f.blocks[b].first; i != no_id; i = m_f.insts[i].next) {
            if (m_f.insts[i].removed || m_s.fused[i])
                continue;
            for_each_use(i, [&](ValueId v) {
                // (Defined inside the loop, it is built on every iteration
                // anyway.)
                if (costly(v) && !m_s.cfg.in_loop(m_f.insts[m_f.values[v].def].block, m_s.cfg.loop_header(b)))
                    m_s.held[m_f.values[v].def] = 1;
            });
        }
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
    // Per block, once: the allocatable values it defines and those from
    // elsewhere it uses (in SSA a value used in its own block is defined
    // before the use), so each round of the fixed point below is bitset
    // work and these lists, not a walk over every instruction.
    TRY(m_block_lists.try_resize(2 * blocks, 0));
    m_block_values.clear();
    for (BlockId b : rpo) {
        m_block_lists[2 * b] = u32(m_block_values.size());
        for (ValueId p : m_f.params(b))
            TRY(m_block_values.try_append(p));
        for (InstId i = m_f.blocks[b].first; i != no_id; i = m_f.insts[i].next) {
            const Inst& inst = m_f.insts[i];
            if (inst.removed || m_s.fused[i])
                continue;
            for (u32 r = 0; r < inst.result_count; ++r) {
                if (allocatable(inst.first_result + r))
                    TRY(m_block_values.try_append(inst.first_result + r));
            }
        }
        TRY(m_block_values.try_append(~u32(0)));
        bool oom = false;
        for (InstId i = m_f.blocks[b].first; i != no_id; i = m_f.insts[i].next) {
            if (m_f.insts[i].removed || m_s.fused[i])
                continue;
            for_each_use(i, [&](ValueId v) {
                if (!allocatable(v))
                    return;
                const Value& value = m_f.values[v];
                BlockId home = value.is_param ? BlockId(value.def) : m_f.insts[value.def].block;
                if (home != b)
                    oom |= m_block_values.try_append(v).is_error();
            });
        }
        if (oom)
            return Error::from_code(ErrorCode::OutOfMemory, "optimizing: liveness");
        m_block_lists[2 * b + 1] = u32(m_block_values.size());
    }
    // Only blocks a successor of which changed are computed again (all,
    // the first time; in postorder, so one sweep settles what has no loop).
    Vector<u8> dirty;
    TRY(dirty.try_resize(blocks, 1));
    for (bool again = true; again;) {
        again = false;
        for (usize k = rpo.size(); k-- > 0;) {
            BlockId b = rpo[k];
            if (!dirty[b])
                continue;
            dirty[b] = 0;
            for (u32 w = 0; w < m_words; ++w)
                live[w] = 0;
            InstId term = m_f.terminator(b);
            const Inst& t = m_f.insts[term];
            for (u32 e = 0; e < t.edge_count; ++e) {
                const u64* in = row(m_f.edges[t.first_edge + e].target);
                for (u32 w = 0; w < m_words; ++w)
                    live[w] |= in[w];
            }
            u32 at = m_block_lists[2 * b];
            for (; m_block_values[at] != ~u32(0); ++at)
                clear(m_block_values[at]);
            u32 end = m_block_lists[2 * b + 1];
            for (++at; at < end; ++at)
                set(m_block_values[at]);
            u64* in = row(b);
            bool changed = false;
            for (u32 w = 0; w < m_words; ++w) {
                if (in[w] != live[w]) {
                    in[w] = live[w];
                    changed = true;
                }
            }
            if (!changed)
                continue;
            for (BlockId p : m_s.cfg.predecessors(b)) {
                dirty[p] = 1;
                again |= m_s.cfg.rpo_index(p) >= k; // already passed in this sweep
            }
        }
    }
    // Intervals: one range from the first to the last position where each
    // value is live (block liveness makes it cover loops it is live around).
    TRY(m_s.intervals.try_resize(values));
    for (auto& iv : m_s.intervals)
        iv = { ~u32(0), 0 };
    // Positions grow along the layout, so only the first block a value is
    // live into (forwards) and the last it is live out of (backwards) can
    // move its interval: each value's bit is looked at once per direction,
    // not once per block it is live in (a constant or base held through a
    // loop of hundreds of blocks).
    Vector<u64> seen;
    TRY(seen.try_resize(m_words, 0));
    for (BlockId b : rpo) {
        const u64* in = row(b);
        for (u32 w = 0; w < m_words; ++w) {
            for (u64 bits = in[w] & ~seen[w]; bits; bits &= bits - 1)
                extend(w * 64 + u32(__builtin_ctzll(bits)), m_s.block_start[b]);
            seen[w] |= in[w];
        }
    }
    for (u32 w = 0; w < m_words; ++w)
        seen[w] = 0;
    for (usize k = rpo.size(); k-- > 0;) {
        BlockId b = rpo[k];
        InstId term = m_f.terminator(b);
        const Inst& t = m_f.insts[term];
        for (u32 e = 0; e < t.edge_count; ++e) {
            const u64* out = row(m_f.edges[t.first_edge + e].target);
            for (u32 w = 0; w < m_words; ++w) {
                for (u64 bits = out[w] & ~seen[w]; bits; bits &= bits - 1)
                    extend(w * 64 + u32(__builtin_ctzll(bits)), m_s.block_end[b]);
            }
        }
        for (u32 e = 0; e < t.edge_count; ++e) {
            const u64* out = row(m_f.edges[t.first_edge + e].target);
            for (u32 w = 0; w < m_words; ++w)
                seen[w] |= out[w];
        }
    }
    for (BlockId b : rpo) {
        for (ValueId p : m_f.params(b))
            extend(p, m_s.block_start[b]);
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
    usize values = m_f.values.size(), blocks = m_f.blocks.size();
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
            } else if (m_f.values[p].type != Type::V128 && ints < abi::int_arg_registers) { // v128: in memory
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
                // (A parameter passed to itself, around a loop, is no
                // partner of itself.)
                if (!allocatable(args[k]) || args[k] == params[k])
                    continue;
                if (m_partner[args[k]] == no_id)
                    m_partner[args[k]] = params[k];
                if (m_partner[params[k]] == no_id)
                    m_partner[params[k]] = args[k];
            }
        }
    }
    m_slot_end.clear();

    // Use positions per value (ascending: blocks are visited in layout order).
    TRY(m_use_begin.try_resize(values + 1, 0));
    for (auto& u : m_use_begin)
        u = 0;
    auto each_use = [&](auto f) {
        for (BlockId b : m_s.cfg.rpo()) {
            for (InstId i = m_f.blocks[b].first; i != no_id; i = m_f.insts[i].next) {
                if (m_f.insts[i].removed || m_s.fused[i])
                    continue;
                u32 pos = m_s.inst_pos[i];
                for_each_use(i, [&](ValueId v) {
                    if (allocatable(v))
                        f(v, pos);
                });
            }
        }
    };
    each_use([&](ValueId v, u32) { ++m_use_begin[v + 1]; });
    for (usize v = 0; v < values; ++v)
        m_use_begin[v + 1] += m_use_begin[v];
    TRY(m_use_pos.try_resize(m_use_begin[values], 0));
    TRY(m_last_piece.try_resize(values, 0)); // a fill cursor for now
    for (usize v = 0; v < values; ++v)
        m_last_piece[v] = m_use_begin[v];
    each_use([&](ValueId v, u32 pos) { m_use_pos[m_last_piece[v]++] = pos; });

    // Positions: their blocks, and each loop's last position.
    u32 positions = 0;
    for (BlockId b : m_s.cfg.rpo())
        positions = m_s.block_end[b] + 2 > positions ? m_s.block_end[b] + 2 : positions;
    TRY(m_pos_block.try_resize(positions, no_id));
    TRY(m_loop_end.try_resize(blocks, 0));
    for (auto& e : m_loop_end)
        e = 0;
    for (BlockId b : m_s.cfg.rpo()) {
        for (u32 p = m_s.block_start[b]; p <= m_s.block_end[b]; ++p)
            m_pos_block[p] = b;
        for (BlockId h = m_s.cfg.loop_header(b); h != no_id; h = m_s.cfg.parent_loop(h)) {
            if (m_loop_end[h] < m_s.block_end[b])
                m_loop_end[h] = m_s.block_end[b];
        }
    }

    // Values by start: a counting sort over positions.
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

    // v128 values: their own pool, one location each (LowerSimd.cpp).
    TRY(reset_vectors());
    for (ValueId v : m_s.order) {
        if (m_f.values[v].type == Type::V128)
            TRY(allocate_vector(v));
    }
    TRY(split_pieces());
    // Each value's pieces in one array, for a binary search by position.
    TRY(m_piece_begin.try_resize(values + 1, 0));
    m_piece_list.clear();
    TRY(m_piece_list.try_resize(m_pieces.size(), 0));
    {
        u32 k = 0;
        for (usize v = 0; v < values; ++v) {
            m_piece_begin[v] = k;
            for (u32 p = m_first_piece[v]; p != no_id; p = m_pieces[p].next)
                m_piece_list[k++] = p;
        }
        m_piece_begin[values] = k;
    }
    TRY(find_slot_needs());

    // Slots, for the values read from one: reused once the last interval
    // in them has ended (a min-heap of (end, slot); an entry whose end is
    // no longer its slot's is stale), so frames stay small and most slots
    // within reach of a 12-bit offset from fp or sp.
    m_slots = 0;
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
        if (m_reload[v])
            TRY(to_slot(v));
    }
    for (ValueId v : m_s.order)
        m_s.locations[v] = location_at(v, m_s.intervals[v].start); // (v128: unchanged)
    m_next_load = 0;
    return {};
}

// Linear scan with live-range splitting (after Wimmer and Franz, "Linear
// Scan Register Allocation on SSA Form", 2010, simplified): each value
// starts as one piece over its interval; pieces are given registers in
// order of their start. Registers do not survive calls (jit/Abi.h), so a
// piece that lives across one ends at it and the value continues from its
// next use after it. When no register is free, the piece whose value is
// used furthest away gives up its register (counting a value live around
// the current loop and used in it as used at the loop's end): it ends
// there, or before the loop when the loop does not use it, and continues
// from its next use, or from the header of the outermost loop that use is
// in, so loads stay out of loops. A value is stored to its slot where it
// is defined once anything reads it from there (find_slot_needs), so
// giving up a register costs nothing and only the loads remain.
Result<void> Lowerer::split_pieces() noexcept
{
    usize values = m_f.values.size();
    m_pieces.clear();
    m_loads.clear();
    m_unhandled.clear();
    TRY(m_first_piece.try_resize(values, no_id));
    for (auto& p : m_first_piece)
        p = no_id;
    for (auto& p : m_last_piece)
        p = no_id;
    for (ValueId v : m_s.order) {
        if (m_f.values[v].type == Type::V128)
            continue; // allocate_vector
        m_first_piece[v] = m_last_piece[v] = u32(m_pieces.size());
        TRY(m_pieces.try_append(Piece { m_s.intervals[v].start, m_s.intervals[v].end, no_id, v, no_reg }));
    }
    usize initial = m_pieces.size();

    auto heap_push = [&](u64 key) -> Result<void> {
        TRY(m_unhandled.try_append(key));
        for (usize i = m_unhandled.size() - 1; i > 0;) {
            usize parent = (i - 1) / 2;
            if (m_unhandled[parent] <= m_unhandled[i])
                break;
            u64 t = m_unhandled[parent];
            m_unhandled[parent] = m_unhandled[i];
            m_unhandled[i] = t;
            i = parent;
        }
        return {};
    };
    auto heap_pop = [&]() {
        u64 top = m_unhandled[0];
        m_unhandled[0] = m_unhandled.last();
        m_unhandled.take_last();
        for (usize i = 0;;) {
            usize l = 2 * i + 1, r = l + 1, m = i;
            if (l < m_unhandled.size() && m_unhandled[l] < m_unhandled[m])
                m = l;
            if (r < m_unhandled.size() && m_unhandled[r] < m_unhandled[m])
                m = r;
            if (m == i)
                break;
            u64 t = m_unhandled[m];
            m_unhandled[m] = m_unhandled[i];
            m_unhandled[i] = t;
            i = m;
        }
        return top;
    };
    // Where a value that is in its slot after `after` gets a register
    // again for its use at u: at u, or at the header of the outermost loop
    // around u that does not contain `after`.
    auto reload_start = [&](u32 u, u32 after) {
        u32 start = u;
        BlockId from = m_pos_block[after];
        for (BlockId h = m_s.cfg.loop_header(m_pos_block[u]); h != no_id; h = m_s.cfg.parent_loop(h)) {
            if (m_s.cfg.in_loop(from, h))
                break;
            if (m_s.block_start[h] > after)
                start = m_s.block_start[h];
        }
        return start;
    };
    // v is in its slot after `after`: its next piece, up to `end`.
    auto resume = [&](ValueId v, u32 after, u32 end) -> Result<void> {
        u32 u = next_use(v, after + 1);
        if (u == no_id || u > end)
            return {};
        u32 start = reload_start(u, after);
        u32 index = u32(m_pieces.size());
        TRY(m_pieces.try_append(Piece { start, end, no_id, v, no_reg }));
        // Linked in order of start (a piece cut at a call may already
        // have its continuation after the call).
        u32* link = &m_first_piece[v];
        while (*link != no_id && m_pieces[*link].start < start)
            link = &m_pieces[*link].next;
        m_pieces[index].next = *link;
        if (*link == no_id)
            m_last_piece[v] = index;
        *link = index;
        return heap_push(u64(start) << 32 | index);
    };
    // How far away v's next use is, seen from pos.
    auto distance = [&](ValueId v, u32 piece_start, u32 pos) {
        u32 use = next_use(v, pos);
        BlockId h = m_s.cfg.loop_header(m_pos_block[pos]);
        if (h != no_id && piece_start < m_s.block_start[h] && m_s.intervals[v].end >= m_loop_end[h]
            && next_use(v, m_s.block_start[h]) < pos && m_loop_end[h] < use)
            use = m_loop_end[h];
        return use;
    };

    u32 active_gp[32], active_fp[32];
    for (u32 r = 0; r < 32; ++r)
        active_gp[r] = active_fp[r] = no_id;
    for (usize next_initial = 0;;) {
        u32 index;
        if (!m_unhandled.is_empty() && (next_initial == initial || u32(m_unhandled[0] >> 32) < m_pieces[next_initial].start))
            index = u32(heap_pop());
        else if (next_initial < initial)
            index = u32(next_initial++);
        else
            break;
        ValueId v = m_pieces[index].value;
        u32 start = m_pieces[index].start, end = m_pieces[index].end;
        bool fp = is_float(m_f.values[v].type);
        u32* active = fp ? active_fp : active_gp;
        for (u32 r = 0; r < 32; ++r) {
            if (active[r] != no_id && m_pieces[active[r]].end < start)
                active[r] = no_id;
        }
        // A piece that begins with a load at a call (an argument) loses
        // its register to that call: the argument is read from the slot.
        bool defined_here = start == m_s.intervals[v].start;
        u32 call = first_call_inside(defined_here ? start : start - 1, end);
        if (call != no_id) {
            TRY(resume(v, call, end));
            end = m_pieces[index].end = call;
            if (call == start || next_use(v, start) > call)
                continue; // not used before the call: in its slot until then
        }
        i32 chosen = -1;
        auto free = [&](u32 r) { return r < 32 && active[r] == no_id; };
        if (start == m_s.intervals[v].start && m_hint[v] && free(m_hint[v] - 1u))
            chosen = m_hint[v] - 1;
        if (chosen < 0 && m_first_piece[v] != index) {
            // The register it had before, so edges need no move.
            for (u32 p = m_first_piece[v]; p != index && p != no_id; p = m_pieces[p].next) {
                if (m_pieces[p].reg != no_reg && free(m_pieces[p].reg))
                    chosen = m_pieces[p].reg;
            }
        }
        ValueId partner = m_partner[v];
        if (chosen < 0 && partner != no_id && m_first_piece[partner] != no_id) {
            for (u32 p = m_first_piece[partner]; p != no_id; p = m_pieces[p].next) {
                if (m_pieces[p].reg != no_reg) {
                    if (free(m_pieces[p].reg))
                        chosen = m_pieces[p].reg;
                    break;
                }
            }
        }
        if (chosen < 0 && partner != no_id && defined_here && reads_before_writing(v)) {
            // The partner's register where its last use is v's definition
            // (a loop's `i + 1` taking i's register: the back edge needs
            // no move).
            for (u32 r = 0; r < 32; ++r) {
                if (active[r] != no_id && m_pieces[active[r]].value == partner && m_pieces[active[r]].end == start
                    && m_s.intervals[partner].end == start) {
                    chosen = i32(r);
                    break;
                }
            }
        }
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
            // The value used furthest away gives up its register (never
            // one used right here).
            // A held constant (built again, never stored) gives way
            // first, and takes no register from a value.
            u32 mine = distance(v, start, start), best_distance = 0;
            i32 best = -1;
            bool best_const = false, is_const = m_f.is_const(v);
            for (u32 r = 0; r < 32; ++r) {
                if (active[r] == no_id)
                    continue;
                const Piece& q = m_pieces[active[r]];
                u32 d = distance(q.value, q.start, start);
                bool c = m_f.is_const(q.value);
                if (d <= start || (best_const && !c) || (is_const && !c))
                    continue;
                if (d > best_distance || (c && !best_const)) {
                    best = i32(r);
                    best_distance = d;
                    best_const = c;
                }
            }
            if (best < 0 || (best_distance <= mine && !(best_const && !is_const))) {
                TRY(resume(v, start, end));
                continue; // v waits in its slot (a use here reads it from there)
            }
            u32 victim = active[best];
            ValueId w = m_pieces[victim].value;
            u32 victim_end = m_pieces[victim].end, cut = start;
            // Out of the loops around here that have not used it yet.
            for (BlockId h = m_s.cfg.loop_header(m_pos_block[start]); h != no_id; h = m_s.cfg.parent_loop(h)) {
                u32 header = m_s.block_start[h];
                if (m_pieces[victim].start < header && next_use(w, header) >= start)
                    cut = header;
                else
                    break;
            }
            m_pieces[victim].end = cut - 1;
            if (m_pieces[victim].start >= cut)
                m_pieces[victim].reg = no_reg;
            TRY(resume(w, start, victim_end));
            chosen = best;
        }
        active[chosen] = index;
        m_pieces[index].reg = u8(chosen);
        if (start != m_s.intervals[v].start && m_s.block_start[m_pos_block[start]] != start)
            TRY(m_loads.try_append(index));
    }
    return {};
}

// Which values something reads from their slot: defined there, used where
// they have no register, loaded where a piece of them begins, or wanted in a
// register by an edge's target while in the slot at its source.
Result<void> Lowerer::find_slot_needs() noexcept
{
    usize values = m_f.values.size();
    TRY(m_reload.try_resize(values, 0));
    for (auto& r : m_reload)
        r = 0;
    auto in_register = [&](ValueId v, u32 pos) { return location_at(v, pos).kind != kind_slot; };
    for (ValueId v : m_s.order) {
        if (m_f.values[v].type == Type::V128)
            continue; // never split, never in an 8-byte slot
        if (!in_register(v, m_s.intervals[v].start)) {
            m_reload[v] = 1;
            continue;
        }
        if (in_one_register(v))
            continue;
        for (u32 k = m_use_begin[v]; k < m_use_begin[v + 1]; ++k) {
            if (!in_register(v, m_use_pos[k])) {
                m_reload[v] = 1;
                break;
            }
        }
    }
    for (u32 p : m_loads) {
        if (m_pieces[p].reg != no_reg)
            m_reload[m_pieces[p].value] = 1;
    }
    auto some_register = [&](ValueId v) {
        for (u32 p = m_first_piece[v]; p != no_id; p = m_pieces[p].next) {
            if (m_pieces[p].reg != no_reg)
                return true;
        }
        return false;
    };
    m_split.clear();
    m_split_bits.clear();
    TRY(m_split_bits.try_resize(m_words, 0));
    TRY(m_register_span.try_resize(values, 0));
    for (ValueId v : m_s.order) {
        if (m_f.values[v].type != Type::V128 && !in_one_register(v) && some_register(v)) {
            TRY(m_split.try_append(v));
            m_split_bits[v / 64] |= u64(1) << (v % 64);
            u32 first = ~u32(0), last = 0;
            for (u32 p = m_first_piece[v]; p != no_id; p = m_pieces[p].next) {
                if (m_pieces[p].reg == no_reg)
                    continue;
                first = m_pieces[p].start < first ? m_pieces[p].start : first;
                last = m_pieces[p].end > last ? m_pieces[p].end : last;
            }
            m_register_span[v] = u64(first) << 32 | last;
        }
    }
    m_resolves.clear();
    TRY(m_resolves.try_resize(m_f.edges.size(), 0));
    for (BlockId b : m_s.cfg.rpo()) {
        if (m_split.is_empty())
            break;
        InstId term = m_f.terminator(b);
        const Inst& t = m_f.insts[term];
        u32 from = m_s.inst_pos[term];
        for (u32 e = 0; e < t.edge_count; ++e) {
            BlockId target = m_f.edges[t.first_edge + e].target;
            u32 to = m_s.block_start[target];
            for_each_split_live_in(target, [&](ValueId v) {
                if (!maybe_in_register(v, to))
                    return true;
                Location dst = location_at(v, to);
                if (dst.kind == kind_slot)
                    return true;
                Location src = location_at(v, from);
                if (src.kind == kind_slot)
                    m_reload[v] = 1;
                if (!same(dst, src))
                    m_resolves[t.first_edge + e] = 1;
                return true;
            });
        }
    }
    // Held constants are built again where they are wanted in a register
    // and are not in one: they need no slot.
    for (ValueId v : m_s.order) {
        if (m_f.is_const(v))
            m_reload[v] = 0;
    }
    return {};
}

} // namespace k23::jit::optimizing::detail
