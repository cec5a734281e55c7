// The optimizing tier's back end, internal: the Lowerer class shared by
// Lower.cpp (driver, moves, control flow, calls), RegAlloc.cpp (liveness and
// linear-scan allocation), LowerMemory.cpp and LowerNumeric.cpp. Not part of
// the tier's interface (Lower.h).

#pragma once

#include <arch/riscv64/asm/MacroAssembler.h>
#include <base/Memory.h>
#include <base/Platform.h>
#include <jit/Abi.h>
#include <jit/FloatEmit.h>
#include <jit/Helpers.h>
#include <jit/SimdEmit.h>
#include <jit/TrapStubs.h>
#include <jit/VMContext.h>
#include <jit/optimizing/Builder.h>
#include <jit/optimizing/Lower.h>
#include <jit/optimizing/Passes.h>

namespace k23::jit::optimizing::detail {

using namespace k23::riscv64;
using wasm::TrapCode;
using O = wasm::Opcode;
using Location = LowerScratch::Location;


// Allocatable registers. Reserved: s0 (fp), s10/s11 (jit/Abi.h), t3 (a
// callee's entry during a call), t4/t5 (operand and move scratch), t6 (the
// assembler's), ft10/ft11 (float scratch).
constexpr GpReg s_gp_pool[] = { t0, t1, t2, a0, a1, a2, a3, a4, a5, a6, a7, s1, s2, s3, s4, s5, s6, s7, s8, s9 };
constexpr FpReg s_fp_pool[] = { ft0, ft1, ft2, ft3, ft4, ft5, ft6, ft7, ft8, ft9, fa0, fa1, fa2, fa3, fa4, fa5, fa6, fa7,
    fs0, fs1, fs2, fs3, fs4, fs5, fs6, fs7, fs8, fs9, fs10, fs11 };
constexpr u8 kind_none = 0, kind_gp = 1, kind_fp = 2, kind_slot = 3;
// v128 (LowerSimd.cpp): a vector register of s_vec_pool, or a 16-byte slot
// (Location::slot numbers them apart from the 8-byte ones).
constexpr u8 kind_vec = 4, kind_vslot = 5;
// Liveness bitsets beyond this many words are not worth it here: such a
// function (tens of thousands of values in thousands of blocks) is left to
// the baseline.
constexpr usize max_live_words = usize(4) << 20;

inline bool is_float(Type t) { return t == Type::F32 || t == Type::F64; }

inline Error unsupported(const char* what) { return Error::from_code(ErrorCode::Unsupported, what); }

struct Move {
    Location dst;
    Location src;
    Type type { Type::I64 };
    bool is_const { false };
    u64 bits { 0 };
};

// Runtime operations done by a C++ helper (jit/Helpers.h), as the
// baseline does them: the helper, its immediates from the instruction
// (index, index2, or none), whether it returns a trap code in a1.
struct HelperShape {
    HelperId id;
    u8 immediates; // 0: none; 1: index; 2: index, index2; 3: index2, index
    bool traps;
};

bool helper_shape(const Inst& inst, HelperShape& out);
bool same(const Location& a, const Location& b);
// Integer compares (their result is 0/1 in an i32): fused into a branch.
bool is_int_compare(wasm::Opcode op);
// `lhs cond rhs` for a compare: swap says the operands go the other way.
riscv64::BranchCondition compare_condition(wasm::Opcode op, bool& swap);
riscv64::BranchCondition inverse(riscv64::BranchCondition c);
// How many 8-byte slots of these values travel on the stack (jit/Abi.h:
// beyond a0..a7 or fa0..fa7, per class; a v128 always, in two).
u32 stack_count(Span<const wasm::ValueType> types);
// One value's place in a call's arguments or results (jit/Abi.h).
struct ArgumentPlace {
    i32 reg { -1 }; // an a or fa register's id, or -1: the stack
    u32 slot { 0 }; // else its 8-byte slot among the stack values
    bool fp { false };
};
// The places of a signature's values, in order.
class ArgumentCursor {
public:
    ArgumentPlace next(Type type) noexcept;

private:
    u32 m_ints { 0 };
    u32 m_floats { 0 };
    u32 m_slots { 0 };
};
// Stack arguments rounded up to even: the bytes a call pushes are 8 * this.
inline u32 stack_argument_slots(const wasm::FunctionType& type) { return (stack_count(type.params) + 1) & ~1u; }

// The trap sites of one function (jit/Code.h): each access the
// macro-assembler emits as trapping maps to the wasm offset being lowered.
class Lowerer final : TrapSiteSink {
public:
    Lowerer(const wasm::Module& module, const CompileEnvironment& env, LowerScratch& s, MacroAssembler& a, Vector<TrapSite>& traps) noexcept
        : m_module(module)
        , m_env(env)
        , m_s(s)
        , m_f(s.function)
        , m_asm(a)
        , m_traps(traps)
    {
        m_asm.set_trap_sink(this);
    }

    Result<void> run(u32 index) noexcept;
    void record_trap_site(u32 code_offset) noexcept override;

private:
    Result<void> check_supported() noexcept;
    Result<void> number() noexcept;
    Result<void> fold_scaled_addresses() noexcept;
    Result<void> liveness() noexcept;
    Result<void> allocate() noexcept;
    Result<void> emit() noexcept;

    [[nodiscard]] bool allocatable(ValueId v) const noexcept
    {
        const Value& value = m_f.values[v];
        if (value.is_param)
            return true;
        const Inst& inst = m_f.insts[value.def];
        return (inst.op != Op::Const || m_s.held[value.def]) && !m_s.fused[value.def];
    }
    // A constant built where it is used: not one kept in a register, or
    // one whose register it is not in here (held constants have no slot).
    [[nodiscard]] bool rematerialized(ValueId v) const noexcept
    {
        return m_f.is_const(v) && (!m_s.held[m_f.values[v].def] || m_s.locations[v].kind == kind_slot);
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
    // ---- live-range splitting (RegAlloc.cpp): a value's register pieces
    [[nodiscard]] u32 first_call_inside(u32 start, u32 end) const noexcept;
    [[nodiscard]] u32 next_use(ValueId v, u32 pos) const noexcept;
    [[nodiscard]] Location location_at(ValueId v, u32 pos) const noexcept;
    [[nodiscard]] bool in_one_register(ValueId v) const noexcept;
    [[nodiscard]] bool reads_before_writing(ValueId v) const noexcept;
    Result<void> split_pieces() noexcept;
    Result<void> find_slot_needs() noexcept;
    // A value some code reads from its slot: stored there where it is
    // defined (when it is defined into a register).
    void store_reloaded(ValueId v) noexcept;
    // Emission: the locations of what instruction i reads and writes, and
    // the loads of pieces that start at it.
    void enter_block(BlockId b) noexcept;
    void enter_instruction(InstId i) noexcept;
    // An edge's moves besides its parameters': live values whose location
    // at the target's start differs from the one at the branch.
    [[nodiscard]] bool edge_needs_resolution(EdgeId e) noexcept;
    template<typename F>
    void for_each_split_live_in(BlockId b, F f) noexcept;
    void resolution_moves(EdgeId e) noexcept;

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
    [[nodiscard]] bool small_const(ValueId v, i64& out) const noexcept { return const_of(v, out) && MacroAssembler::fits_imm12(out); }
    Location source_of(ValueId v, Move& move) noexcept;
    void emit_move(const Move& move) noexcept;
    void resolve(Vector<Move>& moves) noexcept;
    [[nodiscard]] bool edge_needs_moves(EdgeId e) noexcept;
    void edge_moves(EdgeId e) noexcept;
    Label trap_label(TrapCode code, u32 wasm_offset, u8 detail_reg = 0, u8 detail_shift = 0) noexcept;
    void load_function_entry(GpReg rd, u32 function) noexcept;

    // ---- SIMD (LowerSimd.cpp)
    Result<void> reset_vectors() noexcept;
    Result<void> allocate_vector(ValueId v) noexcept;
    [[nodiscard]] bool is_simd(const Inst& inst) const noexcept;
    Result<void> check_simd() noexcept;
    void lower_simd(InstId i) noexcept;
    void lower_simd_op(InstId i) noexcept;
    void lower_simd_memory(InstId i) noexcept;
    GpReg vslot_address(u32 vslot) noexcept;
    VecReg use_vec(ValueId v, VecReg scratch) noexcept;
    VecReg def_vec(ValueId v) noexcept;
    void finish_vec(ValueId v, VecReg r) noexcept;
    void emit_vec_move(const Move& move) noexcept;
    // A v128 argument or result (always in memory, jit/Abi.h) between
    // [base + offset] and its location; t3 survives.
    void load_v128(const Location& dst, GpReg base, i64 offset) noexcept;
    void store_v128(const Location& src, GpReg base, i64 offset) noexcept;
    void vtype_at_block(BlockId b) noexcept;
    void vtype_after(InstId i, BlockId b, const VTypeState& before) noexcept;
    [[nodiscard]] SimdEmitter simd() noexcept { return SimdEmitter(m_asm, m_vtype); }
    // Without V (LowerSimdScalar.cpp): v128 values live in 16-byte slots
    // and most operations call k23_simd_scalar.
    [[nodiscard]] bool scalar_simd() const noexcept { return !m_env.features.has(Extension::V); }
    [[nodiscard]] bool simd_helper_call(const Inst& inst) const noexcept;
    [[nodiscard]] Location vec_scratch() const noexcept;
    void lower_simd_scalar(InstId i) noexcept;
    void copy_v128(GpReg from_base, i32 from, const Location& to) noexcept;
    void copy_v128(const Location& from, GpReg to_base, i32 to) noexcept;
    void simd_helper(InstId i) noexcept;

    Result<void> lower(InstId i, BlockId next) noexcept;
    void lower_numeric(InstId i) noexcept;
    bool lower_int(InstId i) noexcept;
    bool lower_float(InstId i) noexcept;
    void lower_divrem(InstId i, bool is64) noexcept;
    void lower_round(InstId i, bool is64, RoundingMode mode) noexcept;
    void lower_truncate(InstId i) noexcept;
    void lower_select(InstId i) noexcept;
    bool lower_scaled_add(InstId i) noexcept;
    void memory_address(const Inst& inst, ValueId address, GpReg& base, i32& imm) noexcept;
    void lower_load(InstId i) noexcept;
    void lower_store(InstId i) noexcept;
    void lower_branch(InstId i, BlockId next) noexcept;
    void lower_helper_call(InstId i, const HelperShape& shape) noexcept;
    void lower_table_access(InstId i) noexcept;
    void lower_bulk_memory(InstId i) noexcept;
    void lower_br_table(InstId i, BlockId next) noexcept;
    void table_element_address(u32 table, GpReg index, TrapCode code) noexcept;
    void call_indirect_lookup(InstId i) noexcept;
    void argument_moves(InstId i, u32 count) noexcept;
    void stack_argument_stores(InstId i, u32 count, GpReg base, i64 offset) noexcept;
    void result_moves(InstId i, const wasm::FunctionType& type) noexcept;
    void return_moves(InstId i) noexcept;
    void emit_epilogue(u32 pop) noexcept;
    void set_mask() noexcept;
    GpReg frame_address(GpReg base, i64 offset, i32& imm) noexcept;
    void load_stack_value(const Location& dst, Type type, GpReg base, i64 offset) noexcept;
    void branch_on(InstId term, Label target, bool when_true) noexcept;

    const wasm::Module& m_module;
    const CompileEnvironment& m_env;
    LowerScratch& m_s;
    Function& m_f;
    MacroAssembler& m_asm;
    Vector<TrapSite>& m_traps;
    u32 m_index { 0 };
    u32 m_offset { 0 };
    u32 m_slots { 0 };
    u32 m_frame { 0 }; // bytes from sp up to fp after the prologue
    u32 m_sp_shift { 0 }; // bytes pushed below that sp (a call's stack arguments)
    u32 m_stack_params { 0 }; // this function's stack arguments, rounded up to even (Pe)
    u32 m_max_push { 0 }; // the most bytes of stack arguments a call pushes
    u32 m_outgoing { 0 }; // bytes at the bottom of the frame for calls' stack results
    bool m_mask { false }; // ra holds 0xffffffff (zero-extension without Zba): set_mask()
    u32 m_words { 0 };
    Vector<Label> m_labels;
    Vector<TrapStub> m_stubs;
    Vector<Move> m_moves;
    Vector<u8> m_scaled; // per inst: an i32.add done by sh1add..sh3add (fold_scaled_addresses)
    Vector<u32> m_address_uses; // per value: its uses as a load's or store's address
    Vector<u8> m_hint; // per value: preferred register + 1 (0: none)
    Vector<u8> m_reload; // per value: read from its slot somewhere (stored where defined)
    // A piece: the positions [start, end] where a value is in register reg
    // (none: evicted entirely); outside its pieces a value is in its slot.
    struct Piece {
        u32 start;
        u32 end;
        u32 next; // the value's next piece (ascending), or no_id
        ValueId value;
        u8 reg;
    };
    static constexpr u8 no_reg = 0xff;
    Vector<Piece> m_pieces;
    Vector<u32> m_first_piece;   // per value
    Vector<u32> m_last_piece;    // per value
    Vector<u32> m_piece_begin;   // per value + 1: its pieces in m_piece_list, by start
    Vector<u32> m_piece_list;
    Vector<u32> m_use_begin;     // per value + 1: its uses in m_use_pos
    Vector<u32> m_block_lists;   // per block: begin and end of its entries in m_block_values
    Vector<u32> m_block_values;  // per block: values it defines, then ~0, then values from elsewhere it uses
    Vector<u32> m_use_pos;       // use positions, ascending per value
    Vector<BlockId> m_pos_block; // per position: its block
    Vector<u32> m_loop_end;      // per loop header: the last position of its loop
    Vector<u64> m_unhandled;     // min-heap of (start << 32 | piece)
    Vector<u32> m_loads;         // pieces that begin with a load from the slot, by start
    Vector<ValueId> m_split;     // values sometimes in a register, not in one throughout
    Vector<u64> m_split_bits;    // the same as a bitset
    Vector<u8> m_resolves;       // per edge: split values need moving on it
    Vector<u64> m_register_span; // per split value: (first, last) position it has a register
    [[nodiscard]] bool maybe_in_register(ValueId v, u32 pos) const noexcept
    {
        return pos >= u32(m_register_span[v] >> 32) && pos <= u32(m_register_span[v]);
    }
    u32 m_next_load { 0 };
    u32 m_pos { 0 };             // the instruction being lowered
    Vector<ValueId> m_partner;  // per value: the edge argument or parameter it would rather share a location with
    Vector<u32> m_slot_end;     // per slot: the end of the last interval in it
    Vector<u64> m_free_slots;   // min-heap of (end << 32 | slot)
    Label m_trap_exit;
    // SIMD (LowerSimd.cpp)
    ValueId m_active_vec[32];
    u32 m_vslots { 0 };
    Vector<u32> m_vslot_end; // per 16-byte slot: the end of the last interval in it
    VTypeState m_vtype;
    Vector<VTypeState> m_vtype_exit; // per block: the vtype on its outgoing edges
};

// The split values live into b: through the list when it is shorter than
// a bitset row, else through the rows. f returns false to stop.
template<typename F>
void Lowerer::for_each_split_live_in(BlockId b, F f) noexcept
{
    const u64* in = m_s.live_in.data() + usize(m_words) * b;
    if (m_split.size() <= m_words) {
        for (ValueId v : m_split) {
            if ((in[v / 64] >> (v % 64) & 1) && !f(v))
                return;
        }
        return;
    }
    for (u32 w = 0; w < m_words; ++w) {
        for (u64 bits = in[w] & m_split_bits[w]; bits; bits &= bits - 1) {
            if (!f(w * 64 + u32(__builtin_ctzll(bits))))
                return;
        }
    }
}

template<typename F>
void Lowerer::for_each_use(InstId i, F f) noexcept
{
    // An operand defined by a fused instruction (a compare its br_if
    // consumes, a shift folded into sh1add..sh3add) is used through that
    // instruction's operands, here.
    const Inst& inst = m_f.insts[i];
    for (ValueId v : m_f.args(i)) {
        const Value& value = m_f.values[v];
        if (!value.is_param && m_s.fused[value.def]) {
            for (ValueId w : m_f.args(value.def))
                f(w);
        } else {
            f(v);
        }
    }
    for (u32 e = 0; e < inst.edge_count; ++e) {
        for (ValueId v : m_f.edge_args(inst.first_edge + e))
            f(v);
    }
}

} // namespace k23::jit::optimizing::detail
