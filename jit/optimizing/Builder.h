#pragma once

// Builds the SSA IR of one function from the shared opcode walker
// (wasm/FunctionDecoder.h), as the baseline's Compiler does: the Builder is
// the decoder's Interface.
//
// SSA construction uses wasm's structured control flow (core spec 2.0
// §3.3.8 "Control Instructions", §4.4.8 for their execution): a local is a
// variable whose current value the builder tracks. Every merge point — the
// end of a block or an if, a loop header — is a block whose parameters are
// the label's values and one per local that the construct assigns (a
// first, scanning walk over the body lists them per block, loop and if: a
// branch to a label comes from inside its construct, so any other local
// has one value on every edge), and every branch to it passes the values
// it has. When a merge point's predecessors are all known (a
// block's or if's `end`; for a loop header, the loop's `end`: a branch to
// a loop can only come from inside it), each parameter that receives one
// value on every edge (or itself, around a loop) is replaced by that value
// and dropped, until none is left (Braun et al., "Simple and Efficient
// Construction of Static Single Assignment Form", 2013: trivial phi
// removal). Code after br, br_table, return and unreachable is skipped.
//
// SIMD: v128 values are IR values of type v128; the memory forms are Load
// and Store with their SIMD opcode (index2 = the lane of a lane form),
// everything else one Simd instruction (IR.h). What the tier does not
// compile makes build_function return an Unsupported error; nothing crashes.

#include <jit/optimizing/IR.h>
#include <wasm/FunctionDecoder.h>

namespace k23::jit::optimizing {

// Builds defined function `function_index` (an index into
// module.functions(), not an import) of a validated module into `out`.
// osr_loop_offset != 0: the on-stack-replacement entry of the loop at that
// wasm offset instead (jit/Engine.h "Tier-up"): the entry block reads every
// local from the OSR buffer (global.get of index globals + i, which the
// engine points at the baseline frame's copy) and jumps to the loop's
// header, which then takes every local as a parameter, and so does every
// merge of a construct around it; the function's own start is built
// unreachable and removed. Unsupported unless the loop is
// reachable, has no params and nothing is on the value stack under it.
Result<void> build_function(const wasm::Module& module, u32 function_index, Function& out, u32 osr_loop_offset = 0) noexcept;

class Builder {
public:
    Builder(const wasm::Module& module, Function& function) noexcept
        : m_module(module)
        , m_fn(function)
    {
    }

    void begin(u32 function_index, u32 osr_loop_offset = 0) noexcept;

    // What the scanning walk found: for the n-th block/loop/if, the locals
    // it assigns (local.set/local.tee in it or in a construct inside it),
    // ascending, as a range of `locals`.
    struct Scan {
        Vector<u32> locals;
        Vector<u32> frame_begin;
        Vector<u32> frame_count;
    };
    Scan& scan() noexcept { return m_scan; }

    // ---- the decoder's Interface (wasm/FunctionDecoder.h NullInterface)
    void on_function_begin(Span<const wasm::ValueType> locals) noexcept;
    Result<void> on_function_end() noexcept;
    void on_unreachable(u32) noexcept;
    void on_nop(u32) noexcept { }
    void on_block(u32, const wasm::ControlFrame&) noexcept;
    void on_loop(u32, const wasm::ControlFrame&) noexcept;
    void on_if(u32, const wasm::ControlFrame&) noexcept;
    void on_else(u32, const wasm::ControlFrame&) noexcept;
    void on_end(u32, const wasm::ControlFrame&) noexcept;
    void on_br(u32, u32 depth) noexcept;
    void on_br_if(u32, u32 depth) noexcept;
    void on_br_table(u32, Span<const u32> targets, u32 default_depth) noexcept;
    void on_return(u32) noexcept;
    void on_call(u32, u32 function, const wasm::FunctionType&) noexcept;
    void on_call_indirect(u32, u32 type, u32 table, const wasm::FunctionType&) noexcept;
    void on_return_call(u32, u32 function, const wasm::FunctionType&) noexcept;
    void on_return_call_indirect(u32, u32 type, u32 table, const wasm::FunctionType&) noexcept;
    void on_drop(u32, wasm::ValueType) noexcept;
    void on_select(u32, wasm::ValueType) noexcept;
    void on_local_get(u32, u32 index, wasm::ValueType) noexcept;
    void on_local_set(u32, u32 index, wasm::ValueType) noexcept;
    void on_local_tee(u32, u32 index, wasm::ValueType) noexcept;
    void on_global_get(u32, u32 index, wasm::ValueType) noexcept;
    void on_global_set(u32, u32 index, wasm::ValueType) noexcept;
    void on_table_get(u32, u32 table) noexcept;
    void on_table_set(u32, u32 table) noexcept;
    void on_load(u32, Opcode, const wasm::MemArg&) noexcept;
    void on_store(u32, Opcode, const wasm::MemArg&) noexcept;
    void on_load_lane(u32, Opcode, const wasm::MemArg&, u8 lane) noexcept;
    void on_store_lane(u32, Opcode, const wasm::MemArg&, u8 lane) noexcept;
    void on_memory_size(u32, u32 memory) noexcept;
    void on_memory_grow(u32, u32 memory) noexcept;
    void on_i32_const(u32, i32) noexcept;
    void on_i64_const(u32, i64) noexcept;
    void on_f32_const(u32, u32 bits) noexcept;
    void on_f64_const(u32, u64 bits) noexcept;
    void on_v128_const(u32, const u8* bytes) noexcept;
    void on_numeric(u32, Opcode) noexcept;
    void on_simd_lane(u32, Opcode, u8 lane) noexcept;
    void on_shuffle(u32, const u8* lanes) noexcept;
    void on_ref_null(u32, wasm::ValueType) noexcept;
    void on_ref_is_null(u32, wasm::ValueType) noexcept;
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
    struct Frame {
        wasm::FrameKind kind { wasm::FrameKind::Block };
        bool dead { false };  // opened in unreachable code: skipped whole
        u32 height { 0 };     // value stack height below the params
        Span<const wasm::ValueType> params;
        Span<const wasm::ValueType> results;
        BlockId target { no_id };     // end block (block, if), header (loop), return block (function, lazily)
        BlockId else_block { no_id }; // if
        bool has_else { false };
        u32 saved_begin { 0 };        // if: params and assigned locals at entry, in m_saved
        u32 locals_begin { 0 };       // the locals the construct assigns, in m_scan.locals
        u32 locals_count { 0 };
        [[nodiscard]] u32 label_arity() const noexcept
        {
            return u32(kind == wasm::FrameKind::Loop ? params.size() : results.size());
        }
    };

    [[nodiscard]] bool live() const noexcept { return !m_failed && m_reachable; }
    void fail(const Error& error) noexcept;
    void check(const Result<void>& result) noexcept
    {
        if (result.is_error())
            fail(result.error());
    }
    void unsupported(u32 offset, const char* what) noexcept;
    [[nodiscard]] Frame& frame_at(u32 depth) noexcept { return m_frames[m_frames.size() - 1 - depth]; }

    Result<Type> type_of(wasm::ValueType t) noexcept;
    Result<void> types_of(Span<const wasm::ValueType> types, Vector<Type>& out) noexcept;
    ValueId pop() noexcept { return m_stack.take_last(); }
    // The top `count` values, bottom first, as a span of m_args (popped).
    Result<Span<const ValueId>> pop_args(u32 count) noexcept;
    Result<ValueId> emit(const Inst& proto, Span<const ValueId> args, Type result) noexcept;
    Result<void> emit_void(const Inst& proto, Span<const ValueId> args) noexcept;
    [[nodiscard]] Inst proto(Op op) const noexcept
    {
        Inst inst;
        inst.op = op;
        inst.wasm_offset = m_offset;
        return inst;
    }
    // The construct's assigned locals, from the scan (every block/loop/if
    // takes its ordinal, dead ones too, as in the scan).
    void collect_frame_locals(Frame& frame) noexcept;
    [[nodiscard]] Span<const u32> frame_locals(const Frame& frame) const noexcept
    {
        return m_scan.locals.span().slice(frame.locals_begin, frame.locals_count);
    }
    // A merge block: the label's types, then one parameter per local the
    // construct assigns.
    Result<BlockId> create_merge_block(Span<const wasm::ValueType> label_types, const Frame& frame) noexcept;
    // Locals from a span of values, one per entry of frame_locals(frame).
    void set_frame_locals(const Frame& frame, Span<const ValueId> values) noexcept;
    // The block a branch to `frame` goes to, and its arguments in m_edge_args.
    Result<BlockId> branch_target(Frame& frame) noexcept;
    Result<void> add_branch_edge(InstId term, Frame& frame) noexcept;
    Result<void> add_edge(InstId term, BlockId target, Span<const ValueId> args) noexcept;
    Result<void> emit_return(u32 offset) noexcept;
    // The merge block's predecessors are known: drop trivial parameters.
    Result<void> seal(BlockId block) noexcept;

    Result<void> do_block(const wasm::ControlFrame&, wasm::FrameKind) noexcept;
    Result<void> begin_osr() noexcept;
    Result<void> enter_osr_loop(Frame& frame, const wasm::ControlFrame& cf) noexcept;
    Result<void> do_if(const wasm::ControlFrame&) noexcept;
    Result<void> do_else() noexcept;
    Result<void> do_end() noexcept;
    Result<void> do_br_if(u32 depth) noexcept;
    Result<void> do_br_table(Span<const u32> targets, u32 default_depth) noexcept;
    Result<void> do_call(Op op, u32 index, u32 index2, const wasm::FunctionType& type) noexcept;
    Result<void> do_runtime(Opcode op, u32 index, u32 index2, u32 arg_count, Type result) noexcept;

    const wasm::Module& m_module;
    Function& m_fn;
    u32 m_offset { 0 };
    bool m_reachable { true };
    bool m_failed { false };
    Error m_error { Error::from_code(ErrorCode::Unknown) };
    BlockId m_current { no_id };
    Vector<ValueId> m_stack;
    Vector<ValueId> m_locals;
    Vector<Type> m_local_types;
    Vector<Frame> m_frames;
    Vector<ValueId> m_saved;     // if frames' entry values (LIFO)
    Vector<ValueId> m_args;      // pop_args
    Vector<ValueId> m_edge_args; // branch_target
    Vector<Type> m_types;
    Vector<Type> m_types2;
    Scan m_scan;
    u32 m_next_ordinal { 0 };
    // OSR (build_function's osr_loop_offset): the entry block, its loads of
    // the locals, and the run of m_scan.locals that names them all.
    u32 m_osr_offset { 0 };
    bool m_osr_done { false };
    BlockId m_osr_entry { no_id };
    Vector<ValueId> m_osr_values;
    u32 m_osr_locals_begin { 0 };
};

} // namespace k23::jit::optimizing
