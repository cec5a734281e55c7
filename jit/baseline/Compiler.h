#pragma once

// The baseline tier: one pass over the shared opcode walker
// (wasm/FunctionDecoder.h) with a compiler Interface, Liftoff style. The
// value stack and register cache are their own type (ValueStack.h, the
// compiler's m_stack): each entry is a register, a constant, or its
// canonical frame slot (jit/Abi.h: slot = locals + stack index). Values stay
// in registers until registers run out (the lowest entry is spilled) or
// control flow merges: block/loop/if entry, calls and helper calls spill
// everything, and an edge into a label moves the label's values into the
// target's canonical slots, except that a block's or an if's one scalar
// result merges in t0 or ft0 (result_register: every other non-home
// register is free at the label). Up to eight integer and eight float locals live in
// registers for the whole function (LocalHomes.cpp: the most used by loop
// weight when a class has more; the rest in their frame
// slots), and so do up to eight v128 locals (SimdOps.cpp). Traps branch to
// out-of-line stubs emitted after the body.
//
// The decoder owns reachability (owns_reachability): hooks run for
// reachable code only. RV64 sequences come from the macro-assembler
// (arch/riscv64/asm/MacroAssembler.h).
//
// Files: Compiler.cpp (framework, function frame, frame accesses, trap
// stubs, locals, dispatch), ValueStack.cpp (the ValueStack: entries,
// register owners, temporaries, pins, aliases, spills and fills, a
// branch's moves into canonical slots), LocalHomes.cpp (locals in registers), ControlOps.cpp (blocks, branches, return, drop, select),
// CallOps.cpp (calls, tail calls, helper calls), IntegerOps.cpp,
// FloatOps.cpp (arithmetic and conversions), MemoryOps.cpp (memory, tables,
// references, globals, bulk memory), SimdOps.cpp (v128 on RVV, with the V
// extension), SimdScalarOps.cpp (v128 without V: slots and a C++ helper).

#include <arch/riscv64/asm/MacroAssembler.h>
#include <base/Result.h>
#include <base/Vector.h>
#include <jit/Abi.h>
#include <jit/Code.h>
#include <jit/Compile.h>
#include <jit/Helpers.h>
#include <jit/SimdEmit.h>
#include <jit/TrapStubs.h>
#include <jit/baseline/ValueStack.h>
#include <wasm/FunctionDecoder.h>
#include <wasm/Runtime.h>

namespace k23::jit::baseline {

using namespace k23::riscv64;
using wasm::ControlFrame;
using wasm::FunctionType;
using wasm::MemArg;
using wasm::Opcode;
using wasm::TrapCode;
using wasm::ValueType;

using jit::CompileEnvironment;

// Compiles every function of `module` into `out` with this tier
// (jit::compile_module with Tier::Baseline).
Result<void> compile_module(const wasm::Module& module, const CompileEnvironment& env, CompiledModule& out) noexcept;

// The tier interface (jit/Compile.h): function `index` (not an import) into
// `holder`, its trap sites (offsets within the function) appended to
// `traps`. module_wide: Compiler::module_needs_wide(module).
Result<void> compile_function(const wasm::Module& module, u32 index, const CompileEnvironment& env, bool module_wide,
    wasm::DecoderScratch& scratch, CodeHolder& holder, Vector<TrapSite>& traps) noexcept;

class Compiler final : TrapSiteSink, StackFailureSink {
public:
    // The compiler records the trap sites of `a`'s trapping accesses.
    Compiler(const wasm::Module& module, const CompileEnvironment& env, MacroAssembler& a) noexcept
        : m_module(module)
        , m_env(env)
        , m_asm(a)
        , m_stack(a, m_vtype, *this)
    {
        m_asm.set_trap_sink(this);
    }

    // module_wide: module_needs_wide(module), computed once per module.
    void begin_function(u32 function_index, bool module_wide) noexcept;
    [[nodiscard]] static bool module_needs_wide(const wasm::Module& module) noexcept;
    Vector<TrapSite>& trap_sites() noexcept { return m_traps; }
    [[nodiscard]] bool failed() const noexcept { return m_failed; }
    [[nodiscard]] const Error& failure() const noexcept { return m_failure; }

    // ---- the decoder's Interface (wasm/FunctionDecoder.h NullInterface).
    // The decoder owns reachability: no hooks for unreachable code.
    static constexpr bool owns_reachability = true;
    bool on_instruction(u32 offset, Opcode op) noexcept;
    void on_function_begin(Span<const ValueType> locals) noexcept;
    Result<void> on_function_end() noexcept;
    void on_unreachable(u32) noexcept;
    void on_nop(u32) noexcept { }
    void on_block(u32, const ControlFrame&) noexcept;
    void on_loop(u32, const ControlFrame&) noexcept;
    void on_if(u32, const ControlFrame&) noexcept;
    void on_else(u32, const ControlFrame&) noexcept;
    void on_end(u32, const ControlFrame&) noexcept;
    void on_br(u32, u32 depth) noexcept;
    void on_br_if(u32, u32 depth) noexcept;
    void on_br_table(u32, Span<const u32> targets, u32 default_depth) noexcept;
    void on_return(u32) noexcept;
    void on_call(u32, u32 function, const FunctionType&) noexcept;
    void on_call_indirect(u32, u32 type, u32 table, const FunctionType&) noexcept;
    void on_return_call(u32, u32 function, const FunctionType&) noexcept;
    void on_return_call_indirect(u32, u32 type, u32 table, const FunctionType&) noexcept;
    void on_drop(u32, ValueType) noexcept;
    void on_select(u32, ValueType) noexcept;
    void on_local_get(u32, u32 index, ValueType) noexcept;
    void on_local_set(u32, u32 index, ValueType) noexcept;
    void on_local_tee(u32, u32 index, ValueType) noexcept;
    void on_global_get(u32, u32 index, ValueType) noexcept;
    void on_global_set(u32, u32 index, ValueType) noexcept;
    void on_table_get(u32, u32 table) noexcept;
    void on_table_set(u32, u32 table) noexcept;
    void on_load(u32, Opcode, const MemArg&) noexcept;
    void on_store(u32, Opcode, const MemArg&) noexcept;
    void on_load_lane(u32 offset, Opcode op, const MemArg& arg, u8 lane) noexcept;
    void on_store_lane(u32 offset, Opcode op, const MemArg& arg, u8 lane) noexcept;
    void on_memory_size(u32, u32 memory) noexcept;
    void on_memory_grow(u32, u32 memory) noexcept;
    void on_i32_const(u32, i32) noexcept;
    void on_i64_const(u32, i64) noexcept;
    void on_f32_const(u32, u32 bits) noexcept;
    void on_f64_const(u32, u64 bits) noexcept;
    void on_v128_const(u32 offset, const u8* bytes) noexcept;
    void on_numeric(u32, Opcode) noexcept;
    void on_simd_lane(u32 offset, Opcode op, u8 lane) noexcept;
    void on_shuffle(u32 offset, const u8* lanes) noexcept;
    void on_ref_null(u32, ValueType) noexcept;
    void on_ref_is_null(u32, ValueType) noexcept;
    void on_ref_func(u32, u32 function) noexcept;
    void on_memory_init(u32, u32 data, u32 memory) noexcept;
    void on_data_drop(u32, u32 data) noexcept;
    void on_memory_copy(u32, u32 dst, u32 src) noexcept;
    void on_memory_fill(u32, u32 memory) noexcept;
    void on_table_init(u32, u32 elem, u32 table) noexcept;
    void on_elem_drop(u32, u32 elem) noexcept;
    void on_table_copy(u32, u32 dst, u32 src) noexcept;
    void on_table_grow(u32, u32 table) noexcept;
    void on_table_size(u32, u32 table) noexcept;
    void on_table_fill(u32, u32 table) noexcept;

private:
    using Loc = ValueStack::Loc;
    using Entry = ValueStack::Entry;
    struct Frame {
        wasm::FrameKind kind { wasm::FrameKind::Block };
        u32 height { 0 };    // abstract stack height below the params
        Span<const ValueType> params;
        Span<const ValueType> results;
        Label label;      // end (block/if) or head (loop)
        Label else_label; // if
        bool has_else { false };
        // A block's or an if's one scalar result merges in a register
        // (result_register), not in its canonical slot.
        bool result_in_register { false };
        // br_table: the case for this label in the br_table being compiled
        // (valid while br_table_mark == m_br_table_epoch), so a br_table
        // costs its targets, not the depth of the deepest one.
        u32 br_table_mark { 0 };
        Label br_table_case;
        // Scalar homes at the label (LocalHomes.cpp): the ones that may be
        // dirty (every home is valid at a label); an if's else: at the if.
        u32 home_dirty { 0 };
        u32 else_home_dirty { 0 };
        [[nodiscard]] u32 arity() const noexcept { return u32(kind == wasm::FrameKind::Loop ? params.size() : results.size()); }
    };
    // An integer compare whose result is only computed when something other
    // than br_if/if consumes it: those branch on the operands directly.
    struct PendingCompare {
        bool active { false };
        BranchCondition condition { BranchCondition::Eq };
        u8 lhs { 0 }, rhs { 0 }; // branch when `lhs condition rhs`
        Opcode op { Opcode::I32Eq };
        u8 a { 0 }, b { 0 }, result { 0 };
        u32 index { 0 }; // stack index of the result entry
        // b is the constant `imm` (12 bits, nonzero): a materialized result
        // uses the I-type forms; a branch gets it in a register at take time
        // (b, and the lhs or rhs that is b).
        bool has_imm { false };
        i32 imm { 0 };
        // The operands' entries as pushed (select's clamp shapes: on_select).
        Entry a_entry, b_entry;
    };
    void flush_pending_compare() noexcept;
    bool take_pending_compare(PendingCompare& out) noexcept;
    void unpin(const PendingCompare& pending) noexcept;
    bool select_min_max(const PendingCompare& pending, ValueType type) noexcept;

    // ---- framework (Compiler.cpp)
    // Per-instruction work for hooks the decoder calls without
    // on_instruction (else, end) and the SIMD hooks; false once failed.
    bool begin(u32 offset) noexcept;
    void start_instruction(u32 offset) noexcept;
    void emit_trap_stubs_behind_jump() noexcept;
    void fail(Error error) noexcept;
    void stack_failed(Error error) noexcept override { fail(error); }
    void simd(u32 offset) noexcept;
    void simd(u32 offset, Opcode op) noexcept;
    [[nodiscard]] static bool is_float(ValueType t) noexcept { return t == ValueType::F32 || t == ValueType::F64; }
    [[nodiscard]] static bool is_vec(ValueType t) noexcept { return t == ValueType::V128; }
    // Frame geometry (ValueStack.h): locals' slots, then the stack's.
    [[nodiscard]] u32 slot_of(u32 stack_index) const noexcept { return m_stack.slot_of(stack_index); }
    [[nodiscard]] i32 slot_offset(u32 slot) const noexcept { return m_stack.slot_offset(slot); }
    void load_frame(GpReg rd, i32 offset) noexcept;
    void store_frame(GpReg rs, i32 offset) noexcept;
    // 1/2/4/8-byte and f32/f64 frame accesses at fp + offset.
    void frame_load_sized(GpReg rd, i32 offset, u32 size, bool sign) noexcept;
    void frame_store_sized(GpReg rs, i32 offset, u32 size) noexcept;
    void frame_load_fp(FpReg rd, i32 offset, ValueType type) noexcept;
    void frame_store_fp(FpReg rs, i32 offset, ValueType type) noexcept;
    // The vtype tracker (SimdOps.cpp): vsetivli zero, 16/bytes(sew), sew,
    // m1, ta, ma unless it is the current one. Forgotten at control-flow
    // joins, calls and helper calls.
    void vset(Sew sew) noexcept;
    // Any other configuration (half-register sources of widening and
    // narrowing ops, tail-undisturbed writes).
    void vset_exact(Sew sew, Lmul lmul, u32 vl, TailPolicy tail = TailPolicy::Agnostic) noexcept;
    void forget_vtype() noexcept { m_vtype.known = false; }
    // The shared per-opcode RVV sequences (jit/SimdEmit.h) on this tracker.
    SimdEmitter simd_emitter() noexcept { return SimdEmitter(m_asm, m_vtype); }
    // Homed v128 locals around anything that may clobber vector registers
    // (every call: all of them are caller-saved, jit/Abi.h).
    void choose_homes() noexcept; // LocalHomes.cpp: vector and scalar homes
    void choose_vec_homes(const Vector<u64>& weights) noexcept;
    static constexpr u32 max_vec_homes = 8; // v24-v31
    void home_vec_locals_to_slots() noexcept;
    void home_vec_locals_from_slots() noexcept;
    [[nodiscard]] u8 vec_home(u32 local) const noexcept { return local < m_vec_home.size() ? m_vec_home[local] : 0; }
    // The SEW for a 16-byte slot fill or spill (SimdOps.cpp).
    Sew slot_sew() noexcept;
    void frame_address_to(GpReg rd, i32 offset) noexcept { m_stack.frame_address_to(rd, offset); }
    void copy_wide_halves(i32 from, bool from_sp, i32 to, bool to_sp) noexcept
    {
        m_stack.copy_wide_halves(from, from_sp, to, to_sp);
    }
    // Scalar locals homed in registers for the whole function (LocalHomes.cpp):
    // local.get pushes the home itself (an alias entry, no register of its
    // own), local.set writes it after copying out the aliases still on the
    // stack. Homes are callee-saved in the C ABI, so helper calls keep
    // them; a wasm call stores the dirty ones, and each is reloaded on its
    // next use (the valid/dirty states: LocalHomes.cpp).
    [[nodiscard]] u8 local_home(u32 local) const noexcept { return local < m_local_home.size() ? m_local_home[local] : 0; }
    static constexpr u32 max_scalar_homes = 8; // of each class
    void choose_local_homes(const Vector<u64>* uses) noexcept;
    void estimate_local_uses(Vector<u64>& uses) noexcept;
    void set_local_home(u32 index, ValueType type, u8 home) noexcept;
    [[nodiscard]] u32 home_number(u32 local) const noexcept
    {
        return m_home_number[m_local_home[local] + (is_float(m_local_types[local]) ? 32 : 0)];
    }
    [[nodiscard]] u32 all_homes() const noexcept { return (u32(1) << m_scalar_home_count) - 1; }
    void use_home(u32 local) noexcept
    {
        if (!(m_home_valid & (u32(1) << home_number(local))))
            load_home(local);
    }
    void load_home(u32 local) noexcept;
    void reload_homes(u32 wanted) noexcept;
    enum class Keep : u8 {
        No,
        Yes,
    };
    void store_dirty_homes(Keep keep) noexcept;
    Label trap_label(TrapCode code) noexcept;
    Label dynamic_trap_label() noexcept;
    Label new_trap_stub(u8 code, bool dynamic) noexcept;
    void record_trap_site(u32 code_offset) noexcept override;
    void emit_trap_stubs() noexcept; // the pending ones, then `j` to the trap exit
    void emit_return() noexcept;
    void emit_branch(u32 depth) noexcept;
    void emit_epilogue() noexcept;
    void add_sp(i64 bytes) noexcept;
    // sp -= bytes for a call's stack arguments, covered by the stack check.
    void push_stack_arguments(u64 bytes) noexcept;
    // A callee's prologue stores ra and fp below its entry sp before its
    // own check: every check covers these bytes for the next callee.
    static constexpr i32 callee_link_bytes = 16;
    // Pushes up to this many bytes are covered by the prologue's check (the
    // largest that its patched `addi sp, t4, pushed + 16` can add back,
    // 16-aligned).
    static constexpr u64 max_prologue_push = 2032 - callee_link_bytes;
    void store_sp(GpReg rs, i32 offset) noexcept;
    // Stack arguments are pushed in an even number of slots (sp stays 16-aligned).
    [[nodiscard]] static u32 pushed_slots(u32 stack_params) noexcept { return (stack_params + 1) & ~u32(1); }
    void emit_br_table_search(Span<const u32> targets, Span<const u32> run_starts, u32 low, u32 high) noexcept;
    [[nodiscard]] Frame& frame_at(u32 depth) noexcept { return m_frames[m_frames.size() - 1 - depth]; }
    void set_unreachable() noexcept;
    void homes_to_label(Frame& target) noexcept; // an edge into target's label
    void homes_at_label(u32 dirty) noexcept
    {
        m_home_valid = all_homes();
        m_home_dirty = dirty;
    }
    void enter_block(wasm::FrameKind kind, const ControlFrame& frame) noexcept;
    // The register a result_in_register frame's result arrives in at its
    // label: every other non-home register is free there (the block's entry
    // spilled everything below it).
    [[nodiscard]] static u8 result_register(ValueType type) noexcept { return is_float(type) ? ft0.id() : t0.id(); }
    void end_block_values(const Frame& frame) noexcept;
    // Calls.
    struct CallShape {
        u32 int_params { 0 }, float_params { 0 }, stack_params { 0 };
        u32 stack_results { 0 };
    };
    static CallShape shape_of(const FunctionType& type) noexcept;
    void prepare_arguments(const FunctionType& type, bool tail) noexcept;
    void push_call_results(const FunctionType& type) noexcept;
    void load_function_entry(GpReg rd, u32 function) noexcept;
    void emit_call_indirect_lookup(u32 type_index, u32 table, GpReg index) noexcept; // entry -> t3
    void emit_call(const FunctionType& type) noexcept;   // entry in t3
    void emit_tail_call(const FunctionType& type) noexcept; // entry in t3
    void call_helper(HelperId helper) noexcept;
    void count_for_tier_up(u32 loop_offset) noexcept; // Tier::Auto's budget tick (loop_offset 0: entry)
    // Helper calls: pops `count` i32/ref operands into a1.. after a0 = vmctx.
    void helper_args(u32 count, u32 first_immediates, const u64* immediates) noexcept;
    void emit_memory_address(const MemArg& arg, GpReg index, GpReg out, i32& imm) noexcept;
    GpReg emit_memory_base(const MemArg& arg, GpReg index, GpReg out) noexcept;
    // memory.fill/copy inline (MemoryOps.cpp): no helper call, so no system
    // call for a guest in U-mode.
    void bulk_operands(GpReg first, GpReg second, GpReg third) noexcept;
    void memory_base_into(GpReg out, u32 memory) noexcept;

    // ---- op classes
    bool integer_op(Opcode op) noexcept;    // IntegerOps.cpp
    bool float_op(Opcode op) noexcept;      // FloatOps.cpp
    bool conversion_op(Opcode op) noexcept; // FloatOps.cpp
    bool simd_op(Opcode op) noexcept;       // SimdOps.cpp
    bool simd_load(Opcode op, const MemArg& arg) noexcept;
    bool simd_store(Opcode op, const MemArg& arg) noexcept;
    // The scalar path (SimdScalarOps.cpp): no V extension; v128 values stay
    // in their slots and lane-wise work calls k23_simd_scalar.
    [[nodiscard]] bool scalar_simd() const noexcept { return m_wide && !m_vector; }
    [[nodiscard]] i32 vec_slot_offset(u32 stack_index) const noexcept;
    i32 scalar_operand(u32 stack_index) noexcept;
    void scalar_v128_const(u64 lo, u64 hi) noexcept;
    void scalar_simd_call(Opcode op) noexcept;
    void scalar_address(const MemArg& arg, u32 size) noexcept;
    void scalar_load(Opcode op, const MemArg& arg) noexcept;
    void scalar_store(const MemArg& arg) noexcept;
    void scalar_lane_memory(Opcode op, const MemArg& arg, u8 lane) noexcept;
    void scalar_select() noexcept;
    void scalar_local_get(u32 index) noexcept;
    void scalar_local_set(u32 index, bool keep) noexcept;
    void scalar_global_get() noexcept;
    void scalar_global_set(i32 value) noexcept;
    void scalar_lane(Opcode op, u8 lane) noexcept;
    bool scalar_splat(Opcode op) noexcept;
    void scalar_shuffle(const u8* lanes) noexcept;
    bool scalar_inline(Opcode op) noexcept;
    [[nodiscard]] static bool body_needs_wide(const wasm::Module& module, u32 function_index) noexcept;
    void int_binary(Opcode op) noexcept;
    void int_compare(Opcode op) noexcept;
    void int_unary(Opcode op) noexcept;
    void int_divrem(Opcode op) noexcept;
    void float_min_max(bool is64, bool is_min) noexcept;
    void float_round(bool is64, RoundingMode mode) noexcept;
    void truncate(Opcode op) noexcept;

    const wasm::Module& m_module;
    const CompileEnvironment& m_env;
    MacroAssembler& m_asm;
    VTypeState m_vtype; // the current vtype and vl, when known
    // The value stack and register cache (ValueStack.h).
    ValueStack m_stack;
    u32 m_function_index { 0 };
    FunctionType m_type;
    u32 m_local_count { 0 };
    u32 m_param_count { 0 };
    u32 m_max_outgoing { 0 };
    u32 m_incoming_slots { 0 }; // our pushed stack arguments (popped on return)
    u32 m_offset { 0 };
    bool m_failed { false };
    Error m_failure { Error::from_code(ErrorCode::Unknown) };
    Vector<ValueType> m_local_types;
    Vector<Frame> m_frames;
    Vector<TrapStub> m_stubs;
    Vector<TrapSite> m_traps;
    u32 m_frame_size_at { 0 }; // the prologue's lui + addiw of the checked size
    u32 m_sp_from_check_at { 0 }; // the prologue's addi sp, t4, m_max_pushed
    u32 m_max_pushed { 0 };       // bytes of stack arguments our calls push (<= max_prologue_push)
    u32 m_stubs_emitted { 0 };
    u32 m_oldest_stub_at { 0 }; // code offset when the oldest pending stub was made
    Label m_trap_exit;
    Label m_stack_trap;
    PendingCompare m_pending;
    u32 m_br_table_epoch { 0 };
    bool m_wide { false };        // 16-byte slots: the function may hold v128 values
    bool m_vector { false };      // the V extension: v128 in vector registers (else the scalar path)
    // v128 locals homed in vector registers (with V): m_vec_home[local] =
    // the register, 0 = in its slot. Homes are v(32 - count)..v31.
    Vector<u8> m_vec_home;
    u32 m_vec_home_count { 0 };
    u32 m_homed_locals[8] {}; // the homed locals, ascending: calls save and restore these, not scan every local
    // Scalar homes: m_local_home[local] = its register (by type gp or fp),
    // 0 = in its slot; m_scalar_homes lists them, m_home_written says which
    // ones the function writes (only those are stored before calls).
    Vector<u8> m_local_home;
    u32 m_scalar_home_count { 0 };
    u32 m_scalar_homes[2 * max_scalar_homes] {};
    u8 m_home_number[64] {}; // by register (gp n, fp 32 + n): its index in m_scalar_homes
    u32 m_home_valid { 0 };  // bit n: m_scalar_homes[n]'s register holds the local
    u32 m_home_dirty { 0 };  // bit n: its slot is stale
};

} // namespace k23::jit::baseline
