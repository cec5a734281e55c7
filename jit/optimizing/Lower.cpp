// The optimizing tier's back end (Lower.h): liveness, linear-scan register
// allocation, and lowering of the IR to RV64. Semantics of each operation
// follow core spec 2.0 §4.3 "Numerics" and §4.4 "Instructions", as the
// baseline's do (jit/baseline/*Ops.cpp).

#include <arch/riscv64/asm/Assembler.h>
#include <base/Memory.h>
#include <base/Platform.h>
#include <jit/Abi.h>
#include <jit/Helpers.h>
#include <jit/VMContext.h>
#include <jit/optimizing/Builder.h>
#include <jit/optimizing/Lower.h>
#include <jit/optimizing/Passes.h>

namespace k23::jit::optimizing {

using namespace k23::riscv64;
using wasm::TrapCode;
using O = wasm::Opcode;
using Location = LowerScratch::Location;

namespace {

// Allocatable registers. Reserved: s0 (fp), s10/s11 (jit/Abi.h), t3 (a
// callee's entry during a call), t4/t5 (operand and move scratch), t6 (the
// assembler's), ft10/ft11 (float scratch).
constexpr GpReg s_gp_pool[] = { t0, t1, t2, a0, a1, a2, a3, a4, a5, a6, a7, s1, s2, s3, s4, s5, s6, s7, s8, s9 };
constexpr FpReg s_fp_pool[] = { ft0, ft1, ft2, ft3, ft4, ft5, ft6, ft7, ft8, ft9, fa0, fa1, fa2, fa3, fa4, fa5, fa6, fa7,
    fs0, fs1, fs2, fs3, fs4, fs5, fs6, fs7, fs8, fs9, fs10, fs11 };
constexpr u8 kind_none = 0, kind_gp = 1, kind_fp = 2, kind_slot = 3;
constexpr u32 fflags_csr = 0x001;
constexpr u32 fflags_invalid = 0x10;
// Liveness bitsets beyond this many words are not worth it here: such a
// function (tens of thousands of values in thousands of blocks) is left to
// the baseline.
constexpr usize max_live_words = usize(4) << 20;

bool is_float(Type t) { return t == Type::F32 || t == Type::F64; }

Error unsupported(const char* what) { return Error::from_code(ErrorCode::Unsupported, what); }

struct Move {
    Location dst;
    Location src;
    Type type { Type::I64 };
    bool is_const { false };
    u64 bits { 0 };
};

struct Stub {
    Label label;
    u32 wasm_offset;
    u8 code;
    u8 detail_reg;
    u8 detail_shift;
    bool dynamic { false }; // a helper's trap: its code + 1 in a1
};

// Runtime operations done by a C++ helper (jit/Helpers.h), as the
// baseline does them: the helper, its immediates from the instruction
// (index, index2, or none), whether it returns a trap code in a1.
struct HelperShape {
    HelperId id;
    u8 immediates; // 0: none; 1: index; 2: index, index2; 3: index2, index
    bool traps;
};

bool helper_shape(const Inst& inst, HelperShape& out)
{
    if (inst.op == Op::MemorySize) {
        out = { HelperId::MemorySize, 1, false };
        return true;
    }
    if (inst.op == Op::MemoryGrow) {
        out = { HelperId::MemoryGrow, 1, false };
        return true;
    }
    if (inst.op != Op::Runtime)
        return false;
    switch (inst.wasm_op) {
    case O::MemoryFill: out = { HelperId::MemoryFill, 1, true }; return true;
    case O::MemoryCopy: out = { HelperId::MemoryCopy, 2, true }; return true;
    case O::MemoryInit: out = { HelperId::MemoryInit, 3, true }; return true; // memory, data
    case O::DataDrop: out = { HelperId::DataDrop, 1, false }; return true;
    case O::TableSize: out = { HelperId::TableSize, 1, false }; return true;
    case O::TableGrow: out = { HelperId::TableGrow, 1, false }; return true;
    case O::TableFill: out = { HelperId::TableFill, 1, true }; return true;
    case O::TableCopy: out = { HelperId::TableCopy, 2, true }; return true;
    case O::TableInit: out = { HelperId::TableInit, 3, true }; return true; // table, elem
    case O::ElemDrop: out = { HelperId::ElemDrop, 1, false }; return true;
    default: return false; // table.get/set: inline
    }
}

bool same(const Location& a, const Location& b) { return a.kind == b.kind && (a.kind == kind_slot ? a.slot == b.slot : a.reg == b.reg); }

// Integer compares (their result is 0/1 in an i32): fused into a branch.
bool is_int_compare(O op)
{
    switch (op) {
    case O::I32Eqz: case O::I32Eq: case O::I32Ne: case O::I32LtS: case O::I32LtU: case O::I32GtS: case O::I32GtU:
    case O::I32LeS: case O::I32LeU: case O::I32GeS: case O::I32GeU:
    case O::I64Eqz: case O::I64Eq: case O::I64Ne: case O::I64LtS: case O::I64LtU: case O::I64GtS: case O::I64GtU:
    case O::I64LeS: case O::I64LeU: case O::I64GeS: case O::I64GeU:
        return true;
    default: return false;
    }
}

// `lhs cond rhs` for a compare: swap says the operands go the other way.
BranchCondition compare_condition(O op, bool& swap)
{
    swap = false;
    switch (op) {
    case O::I32Eqz: case O::I64Eqz: case O::I32Eq: case O::I64Eq: return BranchCondition::Eq;
    case O::I32Ne: case O::I64Ne: return BranchCondition::Ne;
    case O::I32LtS: case O::I64LtS: return BranchCondition::Lt;
    case O::I32LtU: case O::I64LtU: return BranchCondition::Ltu;
    case O::I32GtS: case O::I64GtS: swap = true; return BranchCondition::Lt;
    case O::I32GtU: case O::I64GtU: swap = true; return BranchCondition::Ltu;
    case O::I32LeS: case O::I64LeS: swap = true; return BranchCondition::Ge;
    case O::I32LeU: case O::I64LeU: swap = true; return BranchCondition::Geu;
    case O::I32GeS: case O::I64GeS: return BranchCondition::Ge;
    default: return BranchCondition::Geu; // GeU
    }
}

BranchCondition inverse(BranchCondition c)
{
    switch (c) {
    case BranchCondition::Eq: return BranchCondition::Ne;
    case BranchCondition::Ne: return BranchCondition::Eq;
    case BranchCondition::Lt: return BranchCondition::Ge;
    case BranchCondition::Ge: return BranchCondition::Lt;
    case BranchCondition::Ltu: return BranchCondition::Geu;
    default: return BranchCondition::Ltu;
    }
}

// A signature whose parameters and results all travel in registers.
bool register_signature(const wasm::FunctionType& type)
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
        return ints <= abi::int_arg_registers && floats <= abi::float_arg_registers;
    };
    return fits(type.params) && fits(type.results);
}

} // namespace

Result<LowerScratch*> LowerScratch::create() noexcept
{
    void* memory = platform_allocate(sizeof(LowerScratch), alignof(LowerScratch));
    if (!memory)
        return Error::from_code(ErrorCode::OutOfMemory, "cannot allocate the optimizing tier's scratch");
    return construct_at(static_cast<LowerScratch*>(memory));
}

void LowerScratch::destroy(LowerScratch* scratch) noexcept
{
    if (!scratch)
        return;
    destroy_at(scratch);
    platform_deallocate(scratch, sizeof(LowerScratch), alignof(LowerScratch));
}

namespace {

class Lowerer {
public:
    Lowerer(const wasm::Module& module, const CompileEnvironment& env, LowerScratch& s, Assembler& a, Vector<TrapSite>& traps) noexcept
        : m_module(module)
        , m_env(env)
        , m_s(s)
        , m_f(s.function)
        , m_asm(a)
        , m_traps(traps)
    {
    }

    Result<void> run(u32 index) noexcept;

private:
    Result<void> check_supported() noexcept;
    Result<void> number() noexcept;
    Result<void> liveness() noexcept;
    Result<void> allocate() noexcept;
    Result<void> emit() noexcept;

    [[nodiscard]] bool allocatable(ValueId v) const noexcept
    {
        const Value& value = m_f.values[v];
        if (value.is_param)
            return true;
        const Inst& inst = m_f.insts[value.def];
        return inst.op != Op::Const && !m_s.fused[value.def];
    }
    void extend(ValueId v, u32 pos) noexcept
    {
        auto& iv = m_s.intervals[v];
        if (pos < iv.start)
            iv.start = pos;
        if (pos > iv.end)
            iv.end = pos;
    }
    template<typename F>
    void for_each_use(InstId i, F f) noexcept;
    [[nodiscard]] bool crosses_call(const LowerScratch::Interval& iv) const noexcept;
    [[nodiscard]] u32 calls_crossed(const LowerScratch::Interval& iv) const noexcept;
    // Values kept in a register across calls: stored to their slot where
    // they are defined, reloaded after each call they live across.
    void store_reloaded(ValueId v) noexcept;
    void reload_after_call(InstId call) noexcept;

    // ---- emission helpers
    GpReg slot_base(u32 slot, i32& imm) noexcept;
    void load_slot(const Location& loc, Type type, u8 reg, bool fp) noexcept;
    void store_slot(const Location& loc, Type type, u8 reg, bool fp) noexcept;
    void load_const_gp(GpReg rd, Type type, u64 bits) noexcept;
    void load_const_fp(FpReg rd, Type type, u64 bits, GpReg temp) noexcept;
    GpReg use_gp(ValueId v, GpReg scratch) noexcept;
    FpReg use_fp(ValueId v, FpReg scratch) noexcept;
    GpReg def_gp(ValueId v) noexcept
    {
        const Location& loc = m_s.locations[v];
        return loc.kind == kind_gp ? GpReg(loc.reg) : t4;
    }
    FpReg def_fp(ValueId v) noexcept
    {
        const Location& loc = m_s.locations[v];
        return loc.kind == kind_fp ? FpReg(loc.reg) : ft10;
    }
    void finish_gp(ValueId v, GpReg r) noexcept
    {
        const Location& loc = m_s.locations[v];
        if (loc.kind == kind_slot)
            store_slot(loc, m_f.values[v].type, r.id(), false);
    }
    void finish_fp(ValueId v, FpReg r) noexcept
    {
        const Location& loc = m_s.locations[v];
        if (loc.kind == kind_slot)
            store_slot(loc, m_f.values[v].type, r.id(), true);
    }
    [[nodiscard]] bool const_of(ValueId v, i64& out) const noexcept
    {
        if (!m_f.is_const(v))
            return false;
        u64 bits = m_f.const_bits(v);
        out = m_f.values[v].type == Type::I32 ? i64(i32(u32(bits))) : i64(bits);
        return true;
    }
    [[nodiscard]] bool small_const(ValueId v, i64& out) const noexcept { return const_of(v, out) && out >= -2048 && out <= 2047; }
    Location source_of(ValueId v, Move& move) noexcept;
    void emit_move(const Move& move) noexcept;
    void resolve(Vector<Move>& moves) noexcept;
    [[nodiscard]] bool edge_needs_moves(EdgeId e) noexcept;
    void edge_moves(EdgeId e) noexcept;
    Label trap_label(TrapCode code, u32 wasm_offset, u8 detail_reg = 0, u8 detail_shift = 0) noexcept;
    void record_trap_site() noexcept;
    void load_function_entry(GpReg rd, u32 function) noexcept;
    void load_indexed(GpReg rd, GpReg base, u64 offset) noexcept;

    Result<void> lower(InstId i, BlockId next) noexcept;
    void lower_numeric(InstId i) noexcept;
    bool lower_int(InstId i) noexcept;
    bool lower_float(InstId i) noexcept;
    void lower_divrem(InstId i, bool is64) noexcept;
    void lower_round(InstId i, bool is64, RoundingMode mode) noexcept;
    void lower_truncate(InstId i) noexcept;
    void lower_select(InstId i) noexcept;
    void memory_address(const Inst& inst, ValueId address, GpReg& base, i32& imm) noexcept;
    void lower_load(InstId i) noexcept;
    void lower_store(InstId i) noexcept;
    void lower_branch(InstId i, BlockId next) noexcept;
    void lower_helper_call(InstId i, const HelperShape& shape) noexcept;
    void lower_table_access(InstId i) noexcept;
    void lower_br_table(InstId i, BlockId next) noexcept;
    void call_indirect_lookup(InstId i) noexcept;
    void argument_moves(InstId i, u32 count) noexcept;
    void result_moves(InstId i, const wasm::FunctionType& type) noexcept;
    void return_moves(InstId i) noexcept;
    void emit_epilogue() noexcept;
    void branch_on(InstId term, Label target, bool when_true) noexcept;

    const wasm::Module& m_module;
    const CompileEnvironment& m_env;
    LowerScratch& m_s;
    Function& m_f;
    Assembler& m_asm;
    Vector<TrapSite>& m_traps;
    u32 m_index { 0 };
    u32 m_offset { 0 };
    u32 m_slots { 0 };
    u32 m_frame { 0 }; // bytes from sp up to fp after the prologue
    u32 m_words { 0 };
    Vector<Label> m_labels;
    Vector<Stub> m_stubs;
    Vector<Move> m_moves;
    Vector<u8> m_hint; // per value: preferred register + 1 (0: none)
    Vector<u8> m_reload; // per value: in a register, with a slot it is reloaded from after calls
    Vector<ValueId> m_reloaded; // the values with m_reload set
    Vector<ValueId> m_partner;  // per value: the edge argument or parameter it would rather share a location with
    Vector<u32> m_slot_end;     // per slot: the end of the last interval in it
    Vector<u64> m_free_slots;   // min-heap of (end << 32 | slot)
    Label m_trap_exit;
};

template<typename F>
void Lowerer::for_each_use(InstId i, F f) noexcept
{
    const Inst& inst = m_f.insts[i];
    if (inst.op == Op::Branch) {
        ValueId c = m_f.args(i)[0];
        const Value& value = m_f.values[c];
        if (!value.is_param && m_s.fused[value.def]) {
            for (ValueId v : m_f.args(value.def))
                f(v);
        } else {
            f(c);
        }
    } else {
        for (ValueId v : m_f.args(i))
            f(v);
    }
    for (u32 e = 0; e < inst.edge_count; ++e) {
        for (ValueId v : m_f.edge_args(inst.first_edge + e))
            f(v);
    }
}

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

Result<void> Lowerer::run(u32 index) noexcept
{
    m_index = index;
    m_f.clear();
    TRY(build_function(m_module, index, m_f));
    TRY(optimize(m_f));
    if (m_f.replacements_pending)
        m_f.apply_replacements();
    TRY(m_s.cfg.compute(m_f));
    TRY(check_supported());
    TRY(number());
    TRY(liveness());
    TRY(allocate());
    TRY(emit());
    if (m_asm.has_error())
        return m_asm.code().error();
    return {};
}

Result<void> Lowerer::check_supported() noexcept
{
    wasm::FunctionType type = m_module.function_type(m_index);
    if (!register_signature(type))
        return unsupported("optimizing: parameters or results beyond the argument registers");
    if (!m_s.cfg.predecessors(m_f.entry).is_empty())
        return unsupported("optimizing: a branch to the entry block");
    bool zbb = m_env.features.has(Extension::Zbb);
    for (BlockId b : m_s.cfg.rpo()) {
        for (InstId i = m_f.blocks[b].first; i != no_id; i = m_f.insts[i].next) {
            const Inst& inst = m_f.insts[i];
            if (inst.removed)
                continue;
            switch (inst.op) {
            case Op::Runtime:
                if (inst.arg_count > 6)
                    return unsupported("optimizing: runtime operation arguments");
                break;
            case Op::Call:
            case Op::ReturnCall:
                if (!register_signature(m_module.function_type(inst.index)))
                    return unsupported("optimizing: a call with stack arguments or results");
                break;
            case Op::CallIndirect:
            case Op::ReturnCallIndirect:
                if (!register_signature(m_module.type(inst.index)))
                    return unsupported("optimizing: a call with stack arguments or results");
                break;
            case Op::Load:
            case Op::Store:
                if (inst.index * 8 > 2047)
                    return unsupported("optimizing: memory index");
                break;
            case Op::Numeric:
                switch (inst.wasm_op) {
                case O::I32Clz: case O::I32Ctz: case O::I32Popcnt: case O::I64Clz: case O::I64Ctz: case O::I64Popcnt:
                case O::I32Rotl: case O::I32Rotr: case O::I64Rotl: case O::I64Rotr:
                    if (!zbb)
                        return unsupported("optimizing: bit manipulation without Zbb");
                    break;
                default: break;
                }
                break;
            default: break;
            }
        }
    }
    return {};
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
            if (inst.op == Op::Call || inst.op == Op::CallIndirect || helper_shape(inst, shape))
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
            if (is_float(m_f.values[p].type))
                m_hint[p] = u8(abi::float_args[floats++].id() + 1);
            else
                m_hint[p] = u8(abi::int_args[ints++].id() + 1);
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

// ---------------------------------------------------------------- emission helpers

GpReg Lowerer::slot_base(u32 slot, i32& imm) noexcept
{
    i64 offset = i64(abi::frame_slot_base) - 8 * i64(slot);
    if (offset >= -2048) {
        imm = i32(offset);
        return abi::frame;
    }
    // sp never moves after the prologue (no stack arguments are pushed):
    // the deepest slots are near it.
    i64 from_sp = i64(m_frame) + offset;
    if (from_sp >= 0 && from_sp <= 2047) {
        imm = i32(from_sp);
        return sp;
    }
    m_asm.li(t6, offset);
    m_asm.add(t6, abi::frame, t6);
    imm = 0;
    return t6;
}

void Lowerer::load_slot(const Location& loc, Type type, u8 reg, bool fp) noexcept
{
    i32 imm;
    GpReg base = slot_base(loc.slot, imm);
    if (!fp)
        m_asm.ld(GpReg(reg), base, imm);
    else if (type == Type::F32)
        m_asm.flw(FpReg(reg), base, imm);
    else
        m_asm.fld(FpReg(reg), base, imm);
}

void Lowerer::store_slot(const Location& loc, Type type, u8 reg, bool fp) noexcept
{
    i32 imm;
    GpReg base = slot_base(loc.slot, imm);
    if (!fp)
        m_asm.sd(GpReg(reg), base, imm);
    else if (type == Type::F32)
        m_asm.fsw(FpReg(reg), base, imm);
    else
        m_asm.fsd(FpReg(reg), base, imm);
}

void Lowerer::load_const_gp(GpReg rd, Type type, u64 bits) noexcept
{
    m_asm.li(rd, type == Type::I32 ? i64(i32(u32(bits))) : i64(bits));
}

void Lowerer::load_const_fp(FpReg rd, Type type, u64 bits, GpReg temp) noexcept
{
    if (type == Type::F32) {
        m_asm.li(temp, i64(u32(bits)));
        m_asm.fmv_w_x(rd, temp);
    } else {
        m_asm.li(temp, i64(bits));
        m_asm.fmv_d_x(rd, temp);
    }
}

GpReg Lowerer::use_gp(ValueId v, GpReg scratch) noexcept
{
    if (m_f.is_const(v)) {
        u64 bits = m_f.const_bits(v);
        if (bits == 0 || (m_f.values[v].type == Type::I32 && u32(bits) == 0))
            return zero;
        load_const_gp(scratch, m_f.values[v].type, bits);
        return scratch;
    }
    const Location& loc = m_s.locations[v];
    if (loc.kind == kind_gp)
        return GpReg(loc.reg);
    load_slot(loc, m_f.values[v].type, scratch.id(), false);
    return scratch;
}

FpReg Lowerer::use_fp(ValueId v, FpReg scratch) noexcept
{
    if (m_f.is_const(v)) {
        load_const_fp(scratch, m_f.values[v].type, m_f.const_bits(v), t3);
        return scratch;
    }
    const Location& loc = m_s.locations[v];
    if (loc.kind == kind_fp)
        return FpReg(loc.reg);
    load_slot(loc, m_f.values[v].type, scratch.id(), true);
    return scratch;
}

Location Lowerer::source_of(ValueId v, Move& move) noexcept
{
    move.type = m_f.values[v].type;
    if (m_f.is_const(v)) {
        move.is_const = true;
        move.bits = m_f.const_bits(v);
        return {};
    }
    return m_s.locations[v];
}

void Lowerer::emit_move(const Move& m) noexcept
{
    bool fp = is_float(m.type);
    if (m.is_const) {
        if (m.dst.kind == kind_gp) {
            load_const_gp(GpReg(m.dst.reg), m.type, m.bits);
        } else if (m.dst.kind == kind_fp) {
            load_const_fp(FpReg(m.dst.reg), m.type, m.bits, t4); // t3 may hold a callee
        } else {
            i32 imm;
            if (m.type == Type::F32) {
                m_asm.li(t4, i64(u32(m.bits)));
                GpReg base = slot_base(m.dst.slot, imm);
                m_asm.sw(t4, base, imm);
            } else {
                load_const_gp(t4, m.type, m.bits);
                GpReg base = slot_base(m.dst.slot, imm);
                m_asm.sd(t4, base, imm);
            }
        }
        return;
    }
    if (m.src.kind == kind_slot && m.dst.kind == kind_slot) {
        load_slot(m.src, Type::I64, t4.id(), false);
        store_slot(m.dst, Type::I64, t4.id(), false);
        return;
    }
    if (m.src.kind == kind_slot) {
        load_slot(m.src, m.type, m.dst.reg, fp);
        return;
    }
    if (m.dst.kind == kind_slot) {
        store_slot(m.dst, m.type, m.src.reg, fp);
        return;
    }
    if (fp)
        m_asm.fmv_d(FpReg(m.dst.reg), FpReg(m.src.reg));
    else
        m_asm.mv(GpReg(m.dst.reg), GpReg(m.src.reg));
}

// Parallel moves: a move whose destination no pending move reads goes
// first; a cycle is broken through t5 / ft11. Constants go last.
void Lowerer::resolve(Vector<Move>& moves) noexcept
{
    usize n = 0;
    for (usize i = 0; i < moves.size(); ++i) {
        if (moves[i].dst.kind == kind_none)
            continue;
        if (!moves[i].is_const && same(moves[i].dst, moves[i].src))
            continue;
        moves[n++] = moves[i];
    }
    while (moves.size() > n)
        moves.take_last();
    for (;;) {
        bool pending = false, progress = false;
        for (usize i = 0; i < moves.size(); ++i) {
            Move& m = moves[i];
            if (m.is_const || m.dst.kind == kind_none)
                continue;
            pending = true;
            bool read = false;
            for (usize j = 0; j < moves.size() && !read; ++j)
                read = j != i && !moves[j].is_const && moves[j].dst.kind != kind_none && same(moves[j].src, m.dst);
            if (read)
                continue;
            emit_move(m);
            m.dst.kind = kind_none;
            progress = true;
        }
        if (!pending)
            break;
        if (progress)
            continue;
        // Only cycles are left: save one destination's value in a scratch
        // register and read it from there.
        for (Move& m : moves) {
            if (m.is_const || m.dst.kind == kind_none)
                continue;
            Location saved = m.dst;
            bool fp = is_float(m.type);
            Location scratch;
            scratch.kind = fp ? kind_fp : kind_gp;
            scratch.reg = fp ? ft11.id() : t5.id();
            Move save;
            save.dst = scratch;
            save.src = saved;
            save.type = m.type;
            // The saved value's type is that of the move reading it.
            for (Move& other : moves) {
                if (!other.is_const && other.dst.kind != kind_none && same(other.src, saved)) {
                    save.type = other.type;
                    other.src = scratch;
                }
            }
            emit_move(save);
            break;
        }
    }
    for (Move& m : moves) {
        if (m.is_const && m.dst.kind != kind_none)
            emit_move(m);
    }
    moves.clear();
}

bool Lowerer::edge_needs_moves(EdgeId e) noexcept
{
    Span<const ValueId> args = m_f.edge_args(e);
    Span<const ValueId> params = m_f.params(m_f.edges[e].target);
    for (usize k = 0; k < args.size(); ++k) {
        const Location& dst = m_s.locations[params[k]];
        if (dst.kind == kind_none)
            continue;
        if (m_f.is_const(args[k]) || !same(dst, m_s.locations[args[k]]))
            return true;
    }
    return false;
}

void Lowerer::edge_moves(EdgeId e) noexcept
{
    Span<const ValueId> args = m_f.edge_args(e);
    Span<const ValueId> params = m_f.params(m_f.edges[e].target);
    m_moves.clear();
    for (usize k = 0; k < args.size(); ++k) {
        Move m;
        m.src = source_of(args[k], m);
        m.dst = m_s.locations[params[k]];
        if (m_moves.try_append(m).is_error())
            m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: moves"));
    }
    resolve(m_moves);
}

Label Lowerer::trap_label(TrapCode code, u32 wasm_offset, u8 detail_reg, u8 detail_shift) noexcept
{
    Stub stub { m_asm.new_label(), wasm_offset, u8(code), detail_reg, detail_shift, false };
    if (m_stubs.try_append(stub).is_error())
        m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: trap stubs"));
    return stub.label;
}

void Lowerer::record_trap_site() noexcept
{
    if (m_traps.try_append(TrapSite { m_asm.offset(), m_offset }).is_error())
        m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: trap table"));
}

void Lowerer::load_indexed(GpReg rd, GpReg base, u64 offset) noexcept
{
    if (offset <= 2047) {
        m_asm.ld(rd, base, i32(offset));
    } else {
        m_asm.li(t6, i64(offset));
        m_asm.add(rd, base, t6);
        m_asm.ld(rd, rd, 0);
    }
}

void Lowerer::load_function_entry(GpReg rd, u32 function) noexcept
{
    m_asm.ld(rd, abi::vmctx, VMOffsets::functions);
    load_indexed(rd, rd, u64(function) * 8);
}

void Lowerer::emit_epilogue() noexcept
{
    m_asm.mv(sp, s0);
    m_asm.ld(ra, sp, 8);
    m_asm.ld(s0, sp, 0);
    m_asm.addi(sp, sp, 16);
}

// ---------------------------------------------------------------- emission

Result<void> Lowerer::emit() noexcept
{
    m_stubs.clear();
    m_labels.clear();
    TRY(m_labels.try_resize(m_f.blocks.size()));
    for (BlockId b : m_s.cfg.rpo())
        m_labels[b] = m_asm.new_label();
    m_trap_exit = m_asm.new_label();
    m_offset = m_module.functions()[m_index].body.offset;

    // Prologue (as the baseline's, jit/Abi.h): link the frame, check the
    // stack limit for the frame and a callee's link, allocate it.
    u64 frame = (8 + 8 * u64(m_slots) + 15) & ~u64(15);
    if (frame > (u64(1) << 30))
        return unsupported("optimizing: frame too large");
    m_frame = u32(frame);
    m_asm.addi(sp, sp, -16);
    m_asm.sd(ra, sp, 8);
    m_asm.sd(s0, sp, 0);
    m_asm.mv(s0, sp);
    u64 checked = frame + 16;
    if (checked <= 2048) {
        m_asm.addi(t4, s0, -i32(checked));
    } else {
        m_asm.li(t4, i64(checked));
        m_asm.sub(t4, s0, t4);
    }
    m_asm.ld(t5, abi::vmctx, VMOffsets::stack_limit);
    m_asm.bltu(t4, t5, trap_label(TrapCode::CallStackExhausted, m_offset));
    m_asm.addi(sp, t4, 16);
    m_asm.sd(abi::vmctx, s0, abi::frame_vmctx_offset);
    m_asm.ld(abi::memory_base, abi::vmctx, VMOffsets::memory0_base);
    {
        u32 ints = 0, floats = 0;
        m_moves.clear();
        for (ValueId p : m_f.params(m_f.entry)) {
            Move m;
            m.type = m_f.values[p].type;
            m.dst = m_s.locations[p];
            if (is_float(m.type)) {
                m.src.kind = kind_fp;
                m.src.reg = abi::float_args[floats++].id();
            } else {
                m.src.kind = kind_gp;
                m.src.reg = abi::int_args[ints++].id();
            }
            TRY(m_moves.try_append(m));
        }
        resolve(m_moves);
    }

    Span<const BlockId> rpo = m_s.cfg.rpo();
    for (usize k = 0; k < rpo.size(); ++k) {
        BlockId b = rpo[k];
        BlockId next = k + 1 < rpo.size() ? rpo[k + 1] : no_id;
        m_asm.bind(m_labels[b]);
        if (m_s.cfg.is_loop_header(b)) {
            // The interrupt check (Engine::interrupt), as the baseline's.
            InstId first = m_f.blocks[b].first;
            u32 at = first != no_id ? m_f.insts[first].wasm_offset : m_offset;
            m_asm.ld(t5, abi::vmctx, VMOffsets::stack_limit);
            m_asm.bltu(sp, t5, trap_label(TrapCode::Interrupted, at));
        }
        for (ValueId p : m_f.params(b))
            store_reloaded(p);
        for (InstId i = m_f.blocks[b].first; i != no_id; i = m_f.insts[i].next) {
            const Inst& inst = m_f.insts[i];
            if (inst.removed || m_s.fused[i])
                continue;
            m_offset = inst.wasm_offset;
            // A terminator's edge moves come before its jump: a value it
            // defines (none do) would need storing earlier.
            TRY(lower(i, next));
            for (u32 r = 0; r < inst.result_count; ++r)
                store_reloaded(inst.first_result + r);
        }
    }

    // Trap stubs: a0 = code, a2 = detail, a1 = the auipc's pc (its trap
    // site names the wasm offset), then the landing pad.
    for (const Stub& stub : m_stubs) {
        m_asm.bind(stub.label);
        if (stub.dynamic)
            m_asm.addi(a0, a1, -1);
        else
            m_asm.li(a0, stub.code);
        if (stub.detail_reg)
            m_asm.srli(a2, GpReg(stub.detail_reg), stub.detail_shift);
        else
            m_asm.li(a2, -1);
        m_offset = stub.wasm_offset;
        record_trap_site();
        m_asm.auipc(a1, 0);
        m_asm.j(m_trap_exit);
    }
    m_asm.bind(m_trap_exit);
    m_asm.li(t5, i64(m_env.landing_pad));
    m_asm.jr(t5);
    return {};
}

void Lowerer::argument_moves(InstId i, u32 count) noexcept
{
    Span<const ValueId> args = m_f.args(i);
    u32 ints = 0, floats = 0;
    m_moves.clear();
    for (u32 k = 0; k < count; ++k) {
        Move m;
        m.src = source_of(args[k], m);
        if (is_float(m.type)) {
            m.dst.kind = kind_fp;
            m.dst.reg = abi::float_args[floats++].id();
        } else {
            m.dst.kind = kind_gp;
            m.dst.reg = abi::int_args[ints++].id();
        }
        if (m_moves.try_append(m).is_error())
            m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: moves"));
    }
    resolve(m_moves);
}

void Lowerer::result_moves(InstId i, const wasm::FunctionType&) noexcept
{
    const Inst& inst = m_f.insts[i];
    u32 ints = 0, floats = 0;
    m_moves.clear();
    for (u32 r = 0; r < inst.result_count; ++r) {
        ValueId v = inst.first_result + r;
        Move m;
        m.type = m_f.values[v].type;
        m.dst = m_s.locations[v];
        if (is_float(m.type)) {
            m.src.kind = kind_fp;
            m.src.reg = abi::float_args[floats++].id();
        } else {
            m.src.kind = kind_gp;
            m.src.reg = abi::int_args[ints++].id();
        }
        if (m_moves.try_append(m).is_error())
            m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: moves"));
    }
    resolve(m_moves);
}

void Lowerer::return_moves(InstId i) noexcept
{
    argument_moves(i, m_f.insts[i].arg_count);
}

// §4.4.8 call_indirect: element in range ("undefined element"), not null
// ("uninitialized element N"), of the expected type; the entry goes to t3.
void Lowerer::call_indirect_lookup(InstId i) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    GpReg index = use_gp(args[inst.arg_count - 1], t4);
    if (m_asm.has(Extension::Zba)) {
        m_asm.zext_w(t4, index);
    } else {
        m_asm.slli(t4, index, 32);
        m_asm.srli(t4, t4, 32);
    }
    m_asm.ld(t5, abi::vmctx, VMOffsets::tables);
    load_indexed(t5, t5, u64(inst.index2) * 8);
    m_asm.ld(t3, t5, VMOffsets::table_size);
    m_asm.bgeu(t4, t3, trap_label(TrapCode::UndefinedElement, m_offset));
    m_asm.ld(t5, t5, VMOffsets::table_data);
    m_asm.slli(t4, t4, 3);
    m_asm.add(t5, t5, t4);
    m_asm.ld(t5, t5, 0);
    m_asm.beqz(t5, trap_label(TrapCode::UninitializedElement, m_offset, t4.id(), 3));
    m_asm.lwu(t4, t5, VMOffsets::function_type);
    m_asm.ld(t3, abi::vmctx, VMOffsets::type_ids);
    u64 offset = u64(inst.index) * 4;
    if (offset <= 2047) {
        m_asm.lwu(t3, t3, i32(offset));
    } else {
        m_asm.li(t6, i64(offset));
        m_asm.add(t3, t3, t6);
        m_asm.lwu(t3, t3, 0);
    }
    m_asm.bne(t4, t3, trap_label(TrapCode::IndirectCallTypeMismatch, m_offset));
    m_asm.ld(t3, t5, VMOffsets::function_jit);
}

Result<void> Lowerer::lower(InstId i, BlockId next) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    switch (inst.op) {
    case Op::Const:
        break;
    case Op::Numeric:
        lower_numeric(i);
        break;
    case Op::Select:
        lower_select(i);
        break;
    case Op::RefIsNull: {
        ValueId v = m_f.result(i);
        GpReg a = use_gp(args[0], t4);
        GpReg rd = def_gp(v);
        m_asm.seqz(rd, a);
        finish_gp(v, rd);
        break;
    }
    case Op::RefFunc: {
        ValueId v = m_f.result(i);
        GpReg rd = def_gp(v);
        load_function_entry(t4, inst.index);
        m_asm.ld(rd, t4, i32(__builtin_offsetof(VMFuncEntry, function)));
        finish_gp(v, rd);
        break;
    }
    case Op::Load:
        lower_load(i);
        break;
    case Op::MemorySize:
    case Op::MemoryGrow:
    case Op::Runtime: {
        HelperShape shape;
        if (helper_shape(inst, shape))
            lower_helper_call(i, shape);
        else if (inst.wasm_op == O::TableGet || inst.wasm_op == O::TableSet)
            lower_table_access(i);
        else
            return unsupported("optimizing: runtime operation not lowered");
        break;
    }
    case Op::Store:
        lower_store(i);
        break;
    case Op::GlobalGet: {
        ValueId v = m_f.result(i);
        m_asm.ld(t4, abi::vmctx, VMOffsets::globals);
        load_indexed(t4, t4, u64(inst.index) * 8);
        Type t = m_f.values[v].type;
        if (is_float(t)) {
            FpReg rd = def_fp(v);
            t == Type::F32 ? m_asm.flw(rd, t4, 0) : m_asm.fld(rd, t4, 0);
            finish_fp(v, rd);
        } else {
            GpReg rd = def_gp(v);
            t == Type::I32 ? m_asm.lw(rd, t4, 0) : m_asm.ld(rd, t4, 0);
            finish_gp(v, rd);
        }
        break;
    }
    case Op::GlobalSet: {
        Type t = m_f.values[args[0]].type;
        m_asm.ld(t4, abi::vmctx, VMOffsets::globals);
        load_indexed(t4, t4, u64(inst.index) * 8);
        if (is_float(t)) {
            FpReg r = use_fp(args[0], ft11);
            t == Type::F32 ? m_asm.fsw(r, t4, 0) : m_asm.fsd(r, t4, 0);
        } else {
            GpReg r = use_gp(args[0], t5);
            t == Type::I32 ? m_asm.sw(r, t4, 0) : m_asm.sd(r, t4, 0);
        }
        break;
    }
    case Op::Call:
    case Op::CallIndirect: {
        wasm::FunctionType type = inst.op == Op::Call ? m_module.function_type(inst.index) : m_module.type(inst.index);
        if (inst.op == Op::Call)
            load_function_entry(t3, inst.index);
        else
            call_indirect_lookup(i);
        argument_moves(i, u32(type.params.size()));
        m_asm.ld(t5, t3, VMOffsets::entry_code);
        m_asm.ld(abi::vmctx, t3, VMOffsets::entry_context);
        m_asm.jalr(ra, t5, 0);
        m_asm.ld(abi::vmctx, s0, abi::frame_vmctx_offset);
        m_asm.ld(abi::memory_base, abi::vmctx, VMOffsets::memory0_base);
        result_moves(i, type);
        reload_after_call(i);
        break;
    }
    case Op::ReturnCall:
    case Op::ReturnCallIndirect: {
        wasm::FunctionType type = inst.op == Op::ReturnCall ? m_module.function_type(inst.index) : m_module.type(inst.index);
        if (inst.op == Op::ReturnCall)
            load_function_entry(t3, inst.index);
        else
            call_indirect_lookup(i);
        argument_moves(i, u32(type.params.size()));
        // Neither side has stack arguments (register_signature): the
        // callee enters with our entry sp and return address (jit/Abi.h).
        m_asm.ld(t5, t3, VMOffsets::entry_code);
        m_asm.ld(abi::vmctx, t3, VMOffsets::entry_context);
        emit_epilogue();
        m_asm.jr(t5);
        break;
    }
    case Op::Jump: {
        EdgeId e = inst.first_edge;
        edge_moves(e);
        if (m_f.edges[e].target != next)
            m_asm.j(m_labels[m_f.edges[e].target]);
        break;
    }
    case Op::Branch:
        lower_branch(i, next);
        break;
    case Op::BrTable:
        lower_br_table(i, next);
        break;
    case Op::Return:
        return_moves(i);
        emit_epilogue();
        m_asm.ret();
        break;
    case Op::Trap:
        m_asm.j(trap_label(TrapCode(inst.imm), m_offset));
        break;
    default:
        return unsupported("optimizing: operation not lowered");
    }
    return {};
}

// Branches to `target` when the br_if's condition is `when_true`.
void Lowerer::branch_on(InstId term, Label target, bool when_true) noexcept
{
    ValueId c = m_f.args(term)[0];
    const Value& value = m_f.values[c];
    if (!value.is_param && m_s.fused[value.def]) {
        const Inst& cmp = m_f.insts[value.def];
        Span<const ValueId> ops = m_f.args(value.def);
        bool swap;
        BranchCondition cond = compare_condition(cmp.wasm_op, swap);
        GpReg lhs = use_gp(ops[0], t4);
        GpReg rhs = cmp.arg_count > 1 ? use_gp(ops[1], t5) : zero;
        if (swap) {
            GpReg x = lhs;
            lhs = rhs;
            rhs = x;
        }
        m_asm.branch(when_true ? cond : inverse(cond), lhs, rhs, target);
        return;
    }
    GpReg r = use_gp(c, t4);
    if (when_true)
        m_asm.bnez(r, target);
    else
        m_asm.beqz(r, target);
}

void Lowerer::lower_branch(InstId i, BlockId next) noexcept
{
    const Inst& inst = m_f.insts[i];
    EdgeId taken = inst.first_edge, fall = inst.first_edge + 1;
    BlockId t = m_f.edges[taken].target, f = m_f.edges[fall].target;
    bool taken_moves = edge_needs_moves(taken), fall_moves = edge_needs_moves(fall);
    if (!taken_moves && !fall_moves && t == next) {
        branch_on(i, m_labels[f], false);
        return;
    }
    if (!taken_moves) {
        branch_on(i, m_labels[t], true);
        edge_moves(fall);
        if (f != next)
            m_asm.j(m_labels[f]);
        return;
    }
    if (!fall_moves) {
        branch_on(i, m_labels[f], false);
        edge_moves(taken);
        if (t != next)
            m_asm.j(m_labels[t]);
        return;
    }
    Label moves = m_asm.new_label();
    branch_on(i, moves, true);
    edge_moves(fall);
    m_asm.j(m_labels[f]);
    m_asm.bind(moves);
    edge_moves(taken);
    if (t != next)
        m_asm.j(m_labels[t]);
}

void Lowerer::lower_br_table(InstId i, BlockId next) noexcept
{
    const Inst& inst = m_f.insts[i];
    u32 cases = inst.edge_count - 1;
    GpReg index = use_gp(m_f.args(i)[0], t4);
    if (m_asm.has(Extension::Zba)) {
        m_asm.zext_w(t4, index);
    } else {
        m_asm.slli(t4, index, 32);
        m_asm.srli(t4, t4, 32);
    }
    // Per edge: its target's label, or a stub doing its moves first.
    Vector<Label> labels;
    Vector<u8> stubbed;
    if (labels.try_resize(inst.edge_count).is_error() || stubbed.try_resize(inst.edge_count, 0).is_error()) {
        m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: br_table"));
        return;
    }
    for (u32 e = 0; e < inst.edge_count; ++e) {
        EdgeId edge = inst.first_edge + e;
        if (edge_needs_moves(edge)) {
            labels[e] = m_asm.new_label();
            stubbed[e] = 1;
        } else {
            labels[e] = m_labels[m_f.edges[edge].target];
        }
    }
    m_asm.li(t5, i64(cases));
    m_asm.bgeu(t4, t5, labels[cases]);
    // A binary search over the case numbers (each leaf a beq chain).
    struct Range {
        u32 low, high;
        Label label;
    };
    Vector<Range> work;
    Label first = m_asm.new_label();
    if (work.try_append(Range { 0, cases, first }).is_error()) {
        m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: br_table"));
        return;
    }
    while (!work.is_empty()) {
        Range r = work.take_last();
        m_asm.bind(r.label);
        if (r.high - r.low <= 4) {
            for (u32 c = r.low; c + 1 < r.high; ++c) {
                if (c == 0) {
                    m_asm.beqz(t4, labels[c]);
                } else {
                    m_asm.li(t5, i64(c));
                    m_asm.beq(t4, t5, labels[c]);
                }
            }
            if (r.high > r.low)
                m_asm.j(labels[r.high - 1]);
            continue;
        }
        u32 mid = r.low + (r.high - r.low) / 2;
        Label upper = m_asm.new_label();
        m_asm.li(t5, i64(mid));
        m_asm.bgeu(t4, t5, upper);
        if (work.try_append(Range { mid, r.high, upper }).is_error() || work.try_append(Range { r.low, mid, m_asm.new_label() }).is_error()) {
            m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: br_table"));
            return;
        }
        m_asm.j(work.last().label);
    }
    for (u32 e = 0; e < inst.edge_count; ++e) {
        if (!stubbed[e])
            continue;
        EdgeId edge = inst.first_edge + e;
        m_asm.bind(labels[e]);
        edge_moves(edge);
        m_asm.j(m_labels[m_f.edges[edge].target]);
    }
    (void)next;
}

// a0 = vmctx, a1.. = the immediates, then the operands (C ABI: s0, s10
// and s11 survive; every value live across is in a slot).
void Lowerer::lower_helper_call(InstId i, const HelperShape& shape) noexcept
{
    const Inst& inst = m_f.insts[i];
    u32 immediates[2];
    u32 imm_count = 0;
    if (shape.immediates == 1) {
        immediates[imm_count++] = inst.index;
    } else if (shape.immediates == 2) {
        immediates[imm_count++] = inst.index;
        immediates[imm_count++] = inst.index2;
    } else if (shape.immediates == 3) {
        immediates[imm_count++] = inst.index2;
        immediates[imm_count++] = inst.index;
    }
    Span<const ValueId> args = m_f.args(i);
    m_moves.clear();
    for (u32 k = 0; k < inst.arg_count; ++k) {
        Move m;
        m.src = source_of(args[k], m);
        m.dst.kind = kind_gp;
        m.dst.reg = abi::int_args[1 + imm_count + k].id();
        if (m_moves.try_append(m).is_error())
            m_asm.code().set_error(Error::from_code(ErrorCode::OutOfMemory, "optimizing: moves"));
    }
    resolve(m_moves);
    m_asm.mv(a0, abi::vmctx);
    for (u32 k = 0; k < imm_count; ++k)
        m_asm.li(abi::int_args[1 + k], i64(immediates[k]));
    m_asm.li(t5, i64(m_env.helpers[shape.id]));
    m_asm.jalr(ra, t5, 0);
    if (shape.traps) {
        Label trap = trap_label(TrapCode::Unreachable, m_offset);
        m_stubs.last().dynamic = true;
        m_asm.bnez(a1, trap);
    }
    if (inst.result_count) {
        ValueId v = m_f.result(i);
        GpReg rd = def_gp(v);
        if (shape.id == HelperId::MemoryGrow || shape.id == HelperId::TableGrow)
            m_asm.addiw(rd, a0, 0);
        else
            m_asm.mv(rd, a0);
        finish_gp(v, rd);
    }
    reload_after_call(i);
}

// table.get / table.set inline (§4.4.6): the index below the size, else
// "out of bounds table access".
void Lowerer::lower_table_access(InstId i) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    GpReg index = use_gp(args[0], t4);
    if (m_asm.has(Extension::Zba)) {
        m_asm.zext_w(t4, index);
    } else {
        m_asm.slli(t4, index, 32);
        m_asm.srli(t4, t4, 32);
    }
    m_asm.ld(t5, abi::vmctx, VMOffsets::tables);
    load_indexed(t5, t5, u64(inst.index) * 8);
    m_asm.ld(t3, t5, VMOffsets::table_size);
    m_asm.bgeu(t4, t3, trap_label(TrapCode::OutOfBoundsTable, m_offset));
    m_asm.ld(t5, t5, VMOffsets::table_data);
    m_asm.slli(t4, t4, 3);
    m_asm.add(t5, t5, t4);
    if (inst.wasm_op == O::TableGet) {
        ValueId v = m_f.result(i);
        GpReg rd = def_gp(v);
        m_asm.ld(rd, t5, 0);
        finish_gp(v, rd);
    } else {
        GpReg value = use_gp(args[1], t4);
        m_asm.sd(value, t5, 0);
    }
}

void Lowerer::lower_select(InstId i) noexcept
{
    Span<const ValueId> args = m_f.args(i);
    ValueId v = m_f.result(i);
    Type t = m_f.values[v].type;
    if (!is_float(t)) {
        GpReg c = use_gp(args[0], t3);
        GpReg a = use_gp(args[1], t4);
        GpReg b = use_gp(args[2], t5);
        GpReg rd = def_gp(v);
        if (m_asm.has(Extension::Zicond)) {
            // Branchless: (a if c) | (b if !c).
            m_asm.czero_eqz(t4, a, c);
            m_asm.czero_nez(t5, b, c);
            m_asm.or_(rd, t4, t5);
        } else {
            Label take_a = m_asm.new_label(), done = m_asm.new_label();
            m_asm.bnez(c, take_a);
            m_asm.mv(rd, b);
            m_asm.j(done);
            m_asm.bind(take_a);
            m_asm.mv(rd, a);
            m_asm.bind(done);
        }
        finish_gp(v, rd);
        return;
    }
    // Float constants go through t3: the condition is read after them.
    FpReg a = use_fp(args[1], ft10);
    FpReg b = use_fp(args[2], ft11);
    GpReg c = use_gp(args[0], t3);
    FpReg rd = def_fp(v);
    Label take_a = m_asm.new_label(), done = m_asm.new_label();
    m_asm.bnez(c, take_a);
    m_asm.fmv_d(rd, b);
    m_asm.j(done);
    m_asm.bind(take_a);
    m_asm.fmv_d(rd, a);
    m_asm.bind(done);
    finish_fp(v, rd);
}

// base + zext(address) (+ offset): the base register and the 12-bit
// immediate left for the access.
void Lowerer::memory_address(const Inst& inst, ValueId address, GpReg& base, i32& imm) noexcept
{
    GpReg memory = abi::memory_base;
    if (inst.index != 0) {
        m_asm.ld(t5, abi::vmctx, VMOffsets::memory_bases);
        m_asm.ld(t5, t5, i32(inst.index * 8));
        memory = t5;
    }
    i64 c;
    if (const_of(address, c)) {
        u64 effective = u64(u32(c)) + inst.imm;
        if (effective <= 2047) {
            base = memory;
            imm = i32(effective);
            return;
        }
        m_asm.li(t4, i64(effective));
        m_asm.add(t4, t4, memory);
        base = t4;
        imm = 0;
        return;
    }
    GpReg index = use_gp(address, t4);
    if (m_asm.has(Extension::Zba)) {
        m_asm.add_uw(t4, index, memory);
    } else {
        m_asm.slli(t4, index, 32);
        m_asm.srli(t4, t4, 32);
        m_asm.add(t4, t4, memory);
    }
    if (inst.imm <= 2047) {
        imm = i32(inst.imm);
    } else {
        m_asm.li(t5, i64(inst.imm));
        m_asm.add(t4, t4, t5);
        imm = 0;
    }
    base = t4;
}

void Lowerer::lower_load(InstId i) noexcept
{
    const Inst& inst = m_f.insts[i];
    ValueId v = m_f.result(i);
    GpReg base = t4;
    i32 imm;
    memory_address(inst, m_f.args(i)[0], base, imm);
    if (inst.wasm_op == O::F32Load || inst.wasm_op == O::F64Load) {
        FpReg rd = def_fp(v);
        record_trap_site();
        inst.wasm_op == O::F32Load ? m_asm.flw(rd, base, imm) : m_asm.fld(rd, base, imm);
        finish_fp(v, rd);
        return;
    }
    GpReg rd = def_gp(v);
    record_trap_site();
    switch (inst.wasm_op) {
    case O::I32Load: case O::I64Load32S: m_asm.lw(rd, base, imm); break;
    case O::I64Load: m_asm.ld(rd, base, imm); break;
    case O::I32Load8S: case O::I64Load8S: m_asm.lb(rd, base, imm); break;
    case O::I32Load8U: case O::I64Load8U: m_asm.lbu(rd, base, imm); break;
    case O::I32Load16S: case O::I64Load16S: m_asm.lh(rd, base, imm); break;
    case O::I32Load16U: case O::I64Load16U: m_asm.lhu(rd, base, imm); break;
    default: m_asm.lwu(rd, base, imm); break; // I64Load32U
    }
    finish_gp(v, rd);
}

void Lowerer::lower_store(InstId i) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    GpReg base = t4;
    i32 imm;
    memory_address(inst, args[0], base, imm);
    if (inst.wasm_op == O::F32Store || inst.wasm_op == O::F64Store) {
        FpReg r = use_fp(args[1], ft11);
        record_trap_site();
        inst.wasm_op == O::F32Store ? m_asm.fsw(r, base, imm) : m_asm.fsd(r, base, imm);
        return;
    }
    GpReg r = use_gp(args[1], t5);
    record_trap_site();
    switch (inst.wasm_op) {
    case O::I32Store: case O::I64Store32: m_asm.sw(r, base, imm); break;
    case O::I64Store: m_asm.sd(r, base, imm); break;
    case O::I32Store8: case O::I64Store8: m_asm.sb(r, base, imm); break;
    default: m_asm.sh(r, base, imm); break; // 16-bit stores
    }
}

void Lowerer::lower_numeric(InstId i) noexcept
{
    if (lower_int(i) || lower_float(i))
        return;
    m_asm.code().set_error(Error::formatted(ErrorCode::Unsupported, "optimizing: {} not lowered"_sv,
        wasm::opcode_info(m_f.insts[i].wasm_op).name));
}

void Lowerer::lower_divrem(InstId i, bool is64) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    ValueId v = m_f.result(i);
    GpReg a = use_gp(args[0], t4);
    GpReg b = use_gp(args[1], t5);
    O op = inst.wasm_op;
    m_asm.beqz(b, trap_label(TrapCode::IntegerDivideByZero, m_offset));
    bool is_div_s = op == O::I32DivS || op == O::I64DivS;
    if (is_div_s) {
        // INT_MIN / -1 overflows (§4.3.2 idiv_s).
        Label fine = m_asm.new_label();
        m_asm.li(t3, -1);
        m_asm.bne(b, t3, fine);
        if (is64) {
            m_asm.slli(t3, t3, 63);
        } else {
            m_asm.lui(t3, 0x80000); // sign-extended INT32_MIN
        }
        m_asm.beq(a, t3, trap_label(TrapCode::IntegerOverflow, m_offset));
        m_asm.bind(fine);
    }
    GpReg rd = def_gp(v);
    switch (op) {
    case O::I32DivS: m_asm.divw(rd, a, b); break;
    case O::I32DivU: m_asm.divuw(rd, a, b); break;
    case O::I32RemS: m_asm.remw(rd, a, b); break; // INT_MIN % -1 is 0 on RISC-V too
    case O::I32RemU: m_asm.remuw(rd, a, b); break;
    case O::I64DivS: m_asm.div(rd, a, b); break;
    case O::I64DivU: m_asm.divu(rd, a, b); break;
    case O::I64RemS: m_asm.rem(rd, a, b); break;
    default: m_asm.remu(rd, a, b); break;
    }
    finish_gp(v, rd);
}

bool Lowerer::lower_int(InstId i) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    ValueId v = m_f.result(i);
    O op = inst.wasm_op;
    i64 k = 0;
    switch (op) {
    case O::I32DivS: case O::I32DivU: case O::I32RemS: case O::I32RemU:
        lower_divrem(i, false);
        return true;
    case O::I64DivS: case O::I64DivU: case O::I64RemS: case O::I64RemU:
        lower_divrem(i, true);
        return true;
    case O::I32Add: case O::I32Sub: case O::I32And: case O::I32Or: case O::I32Xor:
    case O::I32Shl: case O::I32ShrS: case O::I32ShrU:
    case O::I64Add: case O::I64Sub: case O::I64And: case O::I64Or: case O::I64Xor:
    case O::I64Shl: case O::I64ShrS: case O::I64ShrU:
    case O::I32Rotr: case O::I64Rotr: case O::I32Rotl: case O::I64Rotl: {
        GpReg a = use_gp(args[0], t4);
        bool imm = small_const(args[1], k);
        if (imm && (op == O::I32Sub || op == O::I64Sub))
            imm = k != -2048;
        if (imm && (op == O::I32Rotl || op == O::I64Rotl))
            imm = false;
        GpReg b = imm ? zero : use_gp(args[1], t5);
        GpReg rd = def_gp(v);
        switch (op) {
        case O::I32Add: imm ? m_asm.addiw(rd, a, i32(k)) : m_asm.addw(rd, a, b); break;
        case O::I32Sub: imm ? m_asm.addiw(rd, a, i32(-k)) : m_asm.subw(rd, a, b); break;
        case O::I64Add: imm ? m_asm.addi(rd, a, i32(k)) : m_asm.add(rd, a, b); break;
        case O::I64Sub: imm ? m_asm.addi(rd, a, i32(-k)) : m_asm.sub(rd, a, b); break;
        case O::I32And: case O::I64And: imm ? m_asm.andi(rd, a, i32(k)) : m_asm.and_(rd, a, b); break;
        case O::I32Or: case O::I64Or: imm ? m_asm.ori(rd, a, i32(k)) : m_asm.or_(rd, a, b); break;
        case O::I32Xor: case O::I64Xor: imm ? m_asm.xori(rd, a, i32(k)) : m_asm.xor_(rd, a, b); break;
        case O::I32Shl: imm ? m_asm.slliw(rd, a, u32(k) & 31) : m_asm.sllw(rd, a, b); break;
        case O::I32ShrS: imm ? m_asm.sraiw(rd, a, u32(k) & 31) : m_asm.sraw(rd, a, b); break;
        case O::I32ShrU: imm ? m_asm.srliw(rd, a, u32(k) & 31) : m_asm.srlw(rd, a, b); break;
        case O::I64Shl: imm ? m_asm.slli(rd, a, u32(k) & 63) : m_asm.sll(rd, a, b); break;
        case O::I64ShrS: imm ? m_asm.srai(rd, a, u32(k) & 63) : m_asm.sra(rd, a, b); break;
        case O::I64ShrU: imm ? m_asm.srli(rd, a, u32(k) & 63) : m_asm.srl(rd, a, b); break;
        case O::I32Rotr: imm ? m_asm.roriw(rd, a, u32(k) & 31) : m_asm.rorw(rd, a, b); break;
        case O::I64Rotr: imm ? m_asm.rori(rd, a, u32(k) & 63) : m_asm.ror(rd, a, b); break;
        case O::I32Rotl: m_asm.rolw(rd, a, b); break;
        default: m_asm.rol(rd, a, b); break; // I64Rotl
        }
        finish_gp(v, rd);
        return true;
    }
    case O::I32Mul: case O::I64Mul: {
        GpReg a = use_gp(args[0], t4);
        GpReg b = use_gp(args[1], t5);
        GpReg rd = def_gp(v);
        op == O::I32Mul ? m_asm.mulw(rd, a, b) : m_asm.mul(rd, a, b);
        finish_gp(v, rd);
        return true;
    }
    case O::I32Eqz: case O::I64Eqz: {
        GpReg a = use_gp(args[0], t4);
        GpReg rd = def_gp(v);
        m_asm.seqz(rd, a);
        finish_gp(v, rd);
        return true;
    }
    case O::I32Eq: case O::I32Ne: case O::I64Eq: case O::I64Ne: {
        GpReg a = use_gp(args[0], t4);
        GpReg b = use_gp(args[1], t5);
        GpReg rd = def_gp(v);
        GpReg x = a;
        if (b.id() != zero.id()) {
            m_asm.xor_(t4, a, b);
            x = t4;
        }
        op == O::I32Eq || op == O::I64Eq ? m_asm.seqz(rd, x) : m_asm.snez(rd, x);
        finish_gp(v, rd);
        return true;
    }
    case O::I32LtS: case O::I32LtU: case O::I32GtS: case O::I32GtU: case O::I32LeS: case O::I32LeU: case O::I32GeS: case O::I32GeU:
    case O::I64LtS: case O::I64LtU: case O::I64GtS: case O::I64GtU: case O::I64LeS: case O::I64LeU: case O::I64GeS: case O::I64GeU: {
        GpReg a = use_gp(args[0], t4);
        GpReg b = use_gp(args[1], t5);
        GpReg rd = def_gp(v);
        bool swap;
        BranchCondition cond = compare_condition(op, swap);
        GpReg l = swap ? b : a, r = swap ? a : b;
        bool is_unsigned = cond == BranchCondition::Ltu || cond == BranchCondition::Geu;
        is_unsigned ? m_asm.sltu(rd, l, r) : m_asm.slt(rd, l, r);
        if (cond == BranchCondition::Ge || cond == BranchCondition::Geu)
            m_asm.xori(rd, rd, 1);
        finish_gp(v, rd);
        return true;
    }
    case O::I32Clz: case O::I32Ctz: case O::I32Popcnt: case O::I64Clz: case O::I64Ctz: case O::I64Popcnt:
    case O::I32Extend8S: case O::I32Extend16S: case O::I64Extend8S: case O::I64Extend16S: case O::I64Extend32S:
    case O::I32WrapI64: case O::I64ExtendI32S: case O::I64ExtendI32U: {
        GpReg a = use_gp(args[0], t4);
        GpReg rd = def_gp(v);
        switch (op) {
        case O::I32Clz: m_asm.clzw(rd, a); break;
        case O::I32Ctz: m_asm.ctzw(rd, a); break;
        case O::I32Popcnt: m_asm.cpopw(rd, a); break;
        case O::I64Clz: m_asm.clz(rd, a); break;
        case O::I64Ctz: m_asm.ctz(rd, a); break;
        case O::I64Popcnt: m_asm.cpop(rd, a); break;
        case O::I32Extend8S: case O::I64Extend8S:
            m_asm.slli(rd, a, 56);
            m_asm.srai(rd, rd, 56);
            break;
        case O::I32Extend16S: case O::I64Extend16S:
            m_asm.slli(rd, a, 48);
            m_asm.srai(rd, rd, 48);
            break;
        case O::I64ExtendI32U:
            if (m_asm.has(Extension::Zba)) {
                m_asm.zext_w(rd, a);
            } else {
                m_asm.slli(rd, a, 32);
                m_asm.srli(rd, rd, 32);
            }
            break;
        default: m_asm.sext_w(rd, a); break; // wrap, extend_i32_s, extend32_s
        }
        finish_gp(v, rd);
        return true;
    }
    case O::I32ReinterpretF32: case O::I64ReinterpretF64: {
        FpReg a = use_fp(args[0], ft10);
        GpReg rd = def_gp(v);
        op == O::I32ReinterpretF32 ? m_asm.fmv_x_w(rd, a) : m_asm.fmv_x_d(rd, a);
        finish_gp(v, rd);
        return true;
    }
    case O::I32TruncF32S: case O::I32TruncF32U: case O::I32TruncF64S: case O::I32TruncF64U:
    case O::I64TruncF32S: case O::I64TruncF32U: case O::I64TruncF64S: case O::I64TruncF64U:
    case O::I32TruncSatF32S: case O::I32TruncSatF32U: case O::I32TruncSatF64S: case O::I32TruncSatF64U:
    case O::I64TruncSatF32S: case O::I64TruncSatF32U: case O::I64TruncSatF64S: case O::I64TruncSatF64U:
        lower_truncate(i);
        return true;
    default: return false;
    }
}

void Lowerer::lower_truncate(InstId i) noexcept
{
    O op = m_f.insts[i].wasm_op;
    ValueId v = m_f.result(i);
    bool from64 = false, to64 = false, is_signed = false, saturating = false;
    switch (op) {
    case O::I32TruncSatF32S: saturating = true; [[fallthrough]];
    case O::I32TruncF32S: is_signed = true; break;
    case O::I32TruncSatF32U: saturating = true; [[fallthrough]];
    case O::I32TruncF32U: break;
    case O::I32TruncSatF64S: saturating = true; [[fallthrough]];
    case O::I32TruncF64S: is_signed = true; from64 = true; break;
    case O::I32TruncSatF64U: saturating = true; [[fallthrough]];
    case O::I32TruncF64U: from64 = true; break;
    case O::I64TruncSatF32S: saturating = true; [[fallthrough]];
    case O::I64TruncF32S: is_signed = true; to64 = true; break;
    case O::I64TruncSatF32U: saturating = true; [[fallthrough]];
    case O::I64TruncF32U: to64 = true; break;
    case O::I64TruncSatF64S: saturating = true; [[fallthrough]];
    case O::I64TruncF64S: is_signed = true; to64 = true; from64 = true; break;
    case O::I64TruncSatF64U: saturating = true; [[fallthrough]];
    default: to64 = true; from64 = true; break;
    }
    FpReg x = use_fp(m_f.args(i)[0], ft10);
    GpReg rd = def_gp(v);
    from64 ? m_asm.feq_d(t5, x, x) : m_asm.feq_s(t5, x, x);
    if (!saturating) {
        m_asm.beqz(t5, trap_label(TrapCode::InvalidConversion, m_offset));
        m_asm.csrrw(zero, fflags_csr, zero);
    }
    constexpr RoundingMode rtz = RoundingMode::Rtz;
    if (from64) {
        if (to64)
            is_signed ? m_asm.fcvt_l_d(rd, x, rtz) : m_asm.fcvt_lu_d(rd, x, rtz);
        else
            is_signed ? m_asm.fcvt_w_d(rd, x, rtz) : m_asm.fcvt_wu_d(rd, x, rtz);
    } else {
        if (to64)
            is_signed ? m_asm.fcvt_l_s(rd, x, rtz) : m_asm.fcvt_lu_s(rd, x, rtz);
        else
            is_signed ? m_asm.fcvt_w_s(rd, x, rtz) : m_asm.fcvt_wu_s(rd, x, rtz);
    }
    if (saturating) {
        m_asm.neg(t5, t5);
        m_asm.and_(rd, rd, t5);
    } else {
        m_asm.csrrs(t5, fflags_csr, zero);
        m_asm.andi(t5, t5, fflags_invalid);
        m_asm.bnez(t5, trap_label(TrapCode::IntegerOverflow, m_offset));
    }
    finish_gp(v, rd);
}

// ceil/floor/trunc/nearest: through an integer when |x| < 2^52 (2^23),
// keeping the sign (-0.5 -> -0); larger values are integral already
// (fmin(x, x) quiets a NaN).
void Lowerer::lower_round(InstId i, bool is64, RoundingMode mode) noexcept
{
    ValueId v = m_f.result(i);
    FpReg x = use_fp(m_f.args(i)[0], ft11);
    FpReg rd = def_fp(v);
    Label large = m_asm.new_label(), done = m_asm.new_label();
    if (is64) {
        m_asm.fmv_x_d(t4, x);
        m_asm.slli(t4, t4, 1);
        m_asm.srli(t4, t4, 53);
        m_asm.li(t5, 1023 + 52);
        m_asm.bgeu(t4, t5, large);
        m_asm.fcvt_l_d(t4, x, mode);
        m_asm.fcvt_d_l(ft10, t4, mode);
        m_asm.fsgnj_d(ft10, ft10, x);
        m_asm.j(done);
        m_asm.bind(large);
        m_asm.fmin_d(ft10, x, x);
        m_asm.bind(done);
        m_asm.fmv_d(rd, ft10);
    } else {
        m_asm.fmv_x_w(t4, x);
        m_asm.slli(t4, t4, 33);
        m_asm.srli(t4, t4, 56);
        m_asm.li(t5, 127 + 23);
        m_asm.bgeu(t4, t5, large);
        m_asm.fcvt_l_s(t4, x, mode);
        m_asm.fcvt_s_l(ft10, t4, mode);
        m_asm.fsgnj_s(ft10, ft10, x);
        m_asm.j(done);
        m_asm.bind(large);
        m_asm.fmin_s(ft10, x, x);
        m_asm.bind(done);
        m_asm.fmv_s(rd, ft10);
    }
    finish_fp(v, rd);
}

bool Lowerer::lower_float(InstId i) noexcept
{
    const Inst& inst = m_f.insts[i];
    Span<const ValueId> args = m_f.args(i);
    ValueId v = m_f.result(i);
    O op = inst.wasm_op;
    switch (op) {
    case O::F32Add: case O::F32Sub: case O::F32Mul: case O::F32Div: case O::F32Copysign:
    case O::F64Add: case O::F64Sub: case O::F64Mul: case O::F64Div: case O::F64Copysign: {
        FpReg a = use_fp(args[0], ft10);
        FpReg b = use_fp(args[1], ft11);
        FpReg rd = def_fp(v);
        switch (op) {
        case O::F32Add: m_asm.fadd_s(rd, a, b); break;
        case O::F32Sub: m_asm.fsub_s(rd, a, b); break;
        case O::F32Mul: m_asm.fmul_s(rd, a, b); break;
        case O::F32Div: m_asm.fdiv_s(rd, a, b); break;
        case O::F32Copysign: m_asm.fsgnj_s(rd, a, b); break;
        case O::F64Add: m_asm.fadd_d(rd, a, b); break;
        case O::F64Sub: m_asm.fsub_d(rd, a, b); break;
        case O::F64Mul: m_asm.fmul_d(rd, a, b); break;
        case O::F64Div: m_asm.fdiv_d(rd, a, b); break;
        default: m_asm.fsgnj_d(rd, a, b); break;
        }
        finish_fp(v, rd);
        return true;
    }
    case O::F32Min: case O::F32Max: case O::F64Min: case O::F64Max: {
        // RISC-V returns the other operand for one NaN; wasm wants a NaN.
        bool is64 = op == O::F64Min || op == O::F64Max;
        bool is_min = op == O::F32Min || op == O::F64Min;
        FpReg a = use_fp(args[0], ft10);
        FpReg b = use_fp(args[1], ft11);
        FpReg rd = def_fp(v);
        Label numbers = m_asm.new_label(), done = m_asm.new_label();
        is64 ? m_asm.feq_d(t4, a, a) : m_asm.feq_s(t4, a, a);
        is64 ? m_asm.feq_d(t5, b, b) : m_asm.feq_s(t5, b, b);
        m_asm.and_(t4, t4, t5);
        m_asm.bnez(t4, numbers);
        is64 ? m_asm.fadd_d(rd, a, b) : m_asm.fadd_s(rd, a, b);
        m_asm.j(done);
        m_asm.bind(numbers);
        if (is64)
            is_min ? m_asm.fmin_d(rd, a, b) : m_asm.fmax_d(rd, a, b);
        else
            is_min ? m_asm.fmin_s(rd, a, b) : m_asm.fmax_s(rd, a, b);
        m_asm.bind(done);
        finish_fp(v, rd);
        return true;
    }
    case O::F32Abs: case O::F32Neg: case O::F32Sqrt: case O::F64Abs: case O::F64Neg: case O::F64Sqrt:
    case O::F32DemoteF64: case O::F64PromoteF32: {
        FpReg a = use_fp(args[0], ft10);
        FpReg rd = def_fp(v);
        switch (op) {
        case O::F32Abs: m_asm.fabs_s(rd, a); break;
        case O::F32Neg: m_asm.fneg_s(rd, a); break;
        case O::F32Sqrt: m_asm.fsqrt_s(rd, a); break;
        case O::F64Abs: m_asm.fabs_d(rd, a); break;
        case O::F64Neg: m_asm.fneg_d(rd, a); break;
        case O::F64Sqrt: m_asm.fsqrt_d(rd, a); break;
        case O::F32DemoteF64: m_asm.fcvt_s_d(rd, a); break;
        default: m_asm.fcvt_d_s(rd, a); break;
        }
        finish_fp(v, rd);
        return true;
    }
    case O::F32Ceil: lower_round(i, false, RoundingMode::Rup); return true;
    case O::F32Floor: lower_round(i, false, RoundingMode::Rdn); return true;
    case O::F32Trunc: lower_round(i, false, RoundingMode::Rtz); return true;
    case O::F32Nearest: lower_round(i, false, RoundingMode::Rne); return true;
    case O::F64Ceil: lower_round(i, true, RoundingMode::Rup); return true;
    case O::F64Floor: lower_round(i, true, RoundingMode::Rdn); return true;
    case O::F64Trunc: lower_round(i, true, RoundingMode::Rtz); return true;
    case O::F64Nearest: lower_round(i, true, RoundingMode::Rne); return true;
    case O::F32Eq: case O::F32Ne: case O::F32Lt: case O::F32Gt: case O::F32Le: case O::F32Ge:
    case O::F64Eq: case O::F64Ne: case O::F64Lt: case O::F64Gt: case O::F64Le: case O::F64Ge: {
        FpReg a = use_fp(args[0], ft10);
        FpReg b = use_fp(args[1], ft11);
        GpReg rd = def_gp(v);
        switch (op) {
        case O::F32Eq: m_asm.feq_s(rd, a, b); break;
        case O::F32Ne: m_asm.feq_s(rd, a, b); m_asm.xori(rd, rd, 1); break;
        case O::F32Lt: m_asm.flt_s(rd, a, b); break;
        case O::F32Gt: m_asm.flt_s(rd, b, a); break;
        case O::F32Le: m_asm.fle_s(rd, a, b); break;
        case O::F32Ge: m_asm.fle_s(rd, b, a); break;
        case O::F64Eq: m_asm.feq_d(rd, a, b); break;
        case O::F64Ne: m_asm.feq_d(rd, a, b); m_asm.xori(rd, rd, 1); break;
        case O::F64Lt: m_asm.flt_d(rd, a, b); break;
        case O::F64Gt: m_asm.flt_d(rd, b, a); break;
        case O::F64Le: m_asm.fle_d(rd, a, b); break;
        default: m_asm.fle_d(rd, b, a); break;
        }
        finish_gp(v, rd);
        return true;
    }
    case O::F32ConvertI32S: case O::F32ConvertI32U: case O::F32ConvertI64S: case O::F32ConvertI64U:
    case O::F64ConvertI32S: case O::F64ConvertI32U: case O::F64ConvertI64S: case O::F64ConvertI64U:
    case O::F32ReinterpretI32: case O::F64ReinterpretI64: {
        GpReg a = use_gp(args[0], t4);
        FpReg rd = def_fp(v);
        constexpr RoundingMode rne = RoundingMode::Rne;
        switch (op) {
        case O::F32ConvertI32S: m_asm.fcvt_s_w(rd, a, rne); break;
        case O::F32ConvertI32U: m_asm.fcvt_s_wu(rd, a, rne); break;
        case O::F32ConvertI64S: m_asm.fcvt_s_l(rd, a, rne); break;
        case O::F32ConvertI64U: m_asm.fcvt_s_lu(rd, a, rne); break;
        case O::F64ConvertI32S: m_asm.fcvt_d_w(rd, a, rne); break;
        case O::F64ConvertI32U: m_asm.fcvt_d_wu(rd, a, rne); break;
        case O::F64ConvertI64S: m_asm.fcvt_d_l(rd, a, rne); break;
        case O::F64ConvertI64U: m_asm.fcvt_d_lu(rd, a, rne); break;
        case O::F32ReinterpretI32: m_asm.fmv_w_x(rd, a); break;
        default: m_asm.fmv_d_x(rd, a); break;
        }
        finish_fp(v, rd);
        return true;
    }
    default: return false;
    }
}

} // namespace

Result<void> compile_function(const wasm::Module& module, u32 index, const CompileEnvironment& env, LowerScratch& scratch,
    CodeHolder& holder, Vector<TrapSite>& traps) noexcept
{
    Assembler a(holder);
    Lowerer lowerer(module, env, scratch, a, traps);
    return lowerer.run(index);
}

} // namespace k23::jit::optimizing
