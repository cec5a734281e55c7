#pragma once

// The optimizing tier's SSA IR (DESIGN.md "The optimizing tier and tier-up").
//
// A Function is a list of basic blocks. Every block ends in exactly one
// terminator (jump, br_if, br_table, return, return_call[_indirect], trap);
// values flow between blocks through block parameters (no phis): an edge
// of a terminator passes one argument per parameter of its target. Every
// value has one of the types i32, i64, f32, f64, ref (funcref and externref
// are both one pointer; the IR does not need to tell them apart) and v128.
//
// Side effects stay in their order inside a block: loads, stores, calls,
// global.set, memory.grow and the runtime operations (bulk memory, tables)
// are never moved or merged by a pass, and an operation that may trap
// (division, truncation, a memory access) is never removed or moved
// across another. Pure operations (constants, arithmetic, select, ref.func,
// ...) may be folded, merged (GVN), hoisted (LICM) or deleted (DCE).
//
// Storage: everything lives in flat pools of plain structs indexed by u32
// (instructions, values, blocks, edges, operands), so a Function is a few
// allocations that clear() keeps for the next function. Instructions of a
// block form a doubly linked list through the pool; removing one unlinks
// it and marks it removed. Passes that replace a value record it in an
// alias table and rewrite every operand with apply_replacements().

#include <base/Result.h>
#include <base/Span.h>
#include <base/StringView.h>
#include <base/Integers.h>
#include <base/Vector.h>
#include <wasm/Module.h>
#include <wasm/Opcodes.h>
#include <wasm/Types.h>

namespace k23::jit::optimizing {

using wasm::Opcode;

enum class Type : u8 {
    None,
    I32,
    I64,
    F32,
    F64,
    Ref,
    V128,
};

[[nodiscard]] StringView type_name(Type type) noexcept;
// The IR type of a wasm value type; Bottom is Unsupported.
[[nodiscard]] Result<Type> ir_type(wasm::ValueType type) noexcept;

using ValueId = u32;
using InstId = u32;
using BlockId = u32;
using EdgeId = u32;
inline constexpr u32 no_id = 0xffffffffu;

// clang-format off
#define K23_IR_OPS(X)                                                               \
    /* pure values */                                                               \
    X(Const, "const")             /* imm = the bits (ref: 0 = null) */              \
    X(Numeric, "numeric")         /* wasm_op: a Sig-typed numeric opcode */         \
    X(Select, "select")           /* args: cond, if_true, if_false */               \
    X(RefIsNull, "ref.is_null")                                                     \
    X(RefFunc, "ref.func")        /* index = function */                            \
    X(Simd, "simd")               /* wasm_op: a SIMD opcode but the memory forms; */ \
                                  /* v128.const and i8x16.shuffle: imm = bytes 0-7, */ \
                                  /* index | index2 << 32 = bytes 8-15; lane ops: imm = lane */ \
    /* state and side effects (never moved) */                                      \
    X(Load, "load")               /* wasm_op, index = memory, imm = offset, index2 = lane (load_lane) */ \
    X(Store, "store")             /* args: address, value */                        \
    X(GlobalGet, "global.get")    /* index = global */                              \
    X(GlobalSet, "global.set")                                                      \
    X(MemorySize, "memory.size")  /* index = memory */                              \
    X(MemoryGrow, "memory.grow")                                                    \
    X(Call, "call")               /* index = function; results = its results */     \
    X(CallIndirect, "call_indirect") /* index = type, index2 = table; last arg: the table index */ \
    X(Runtime, "runtime")         /* wasm_op: table.* / memory.init|copy|fill / data.drop / elem.drop */ \
    /* terminators */                                                               \
    X(Jump, "jump")                                                                 \
    X(Branch, "br_if")            /* args: cond; edges: taken, not taken */         \
    X(BrTable, "br_table")        /* args: index; edges: targets..., default */     \
    X(Return, "return")                                                             \
    X(ReturnCall, "return_call")                                                    \
    X(ReturnCallIndirect, "return_call_indirect")                                   \
    X(Trap, "trap")               /* imm = wasm::TrapCode */
// clang-format on

enum class Op : u8 {
#define K23_IR_OP_ENUM(name, text) name,
    K23_IR_OPS(K23_IR_OP_ENUM)
#undef K23_IR_OP_ENUM
};

[[nodiscard]] StringView op_name(Op op) noexcept;

[[nodiscard]] constexpr bool is_terminator(Op op) noexcept { return u8(op) >= u8(Op::Jump); }

struct Inst {
    Op op { Op::Const };
    Type type { Type::None }; // of the first result (None: no result)
    bool removed { false };
    Opcode wasm_op { Opcode::Nop };
    BlockId block { no_id };
    InstId prev { no_id };
    InstId next { no_id };
    u32 args_begin { 0 }; // in Function::operands
    u32 arg_count { 0 };
    ValueId first_result { no_id }; // results are consecutive values
    u32 result_count { 0 };
    EdgeId first_edge { no_id }; // successors are consecutive edges
    u32 edge_count { 0 };
    u64 imm { 0 };
    u32 index { 0 };
    u32 index2 { 0 };
    u32 wasm_offset { 0 }; // of the instruction it came from (trap reports)
};

struct Value {
    Type type { Type::None };
    bool is_param { false };
    u32 def { no_id }; // the defining inst, or the block of a parameter
    u32 position { 0 }; // result or parameter index
};

struct Block {
    bool removed { false };
    InstId first { no_id };
    InstId last { no_id };
    u32 params_begin { 0 }; // in Function::operands
    u32 param_count { 0 };
    EdgeId first_incoming { no_id }; // list through Edge::next_incoming (compute_incoming())
};

struct Edge {
    BlockId target { no_id };
    InstId from { no_id };
    u32 args_begin { 0 }; // in Function::operands
    u32 arg_count { 0 };
    EdgeId next_incoming { no_id };
};

class Function {
public:
    Function() noexcept = default;
    Function(const Function&) = delete;
    Function& operator=(const Function&) = delete;

    // Forgets the function, keeping the pools' memory.
    void clear() noexcept;

    const wasm::Module* module { nullptr };
    u32 function_index { 0 };
    Vector<Type> param_types;
    Vector<Type> result_types;
    BlockId entry { 0 };

    Vector<Inst> insts;
    Vector<Value> values;
    Vector<Block> blocks; // layout order; entry first
    Vector<Edge> edges;
    Vector<ValueId> operands; // inst args, edge args and block params
    Vector<ValueId> aliases;  // per value: its replacement, or no_id
    bool replacements_pending { false };

    // ---- views
    [[nodiscard]] Span<ValueId> args(InstId i) noexcept { return operands.span().slice(insts[i].args_begin, insts[i].arg_count); }
    [[nodiscard]] Span<const ValueId> args(InstId i) const noexcept { return operands.span().slice(insts[i].args_begin, insts[i].arg_count); }
    [[nodiscard]] Span<ValueId> edge_args(EdgeId e) noexcept { return operands.span().slice(edges[e].args_begin, edges[e].arg_count); }
    [[nodiscard]] Span<const ValueId> edge_args(EdgeId e) const noexcept { return operands.span().slice(edges[e].args_begin, edges[e].arg_count); }
    [[nodiscard]] Span<ValueId> params(BlockId b) noexcept { return operands.span().slice(blocks[b].params_begin, blocks[b].param_count); }
    [[nodiscard]] Span<const ValueId> params(BlockId b) const noexcept { return operands.span().slice(blocks[b].params_begin, blocks[b].param_count); }
    [[nodiscard]] InstId terminator(BlockId b) const noexcept { return blocks[b].last; }
    [[nodiscard]] ValueId result(InstId i) const noexcept { return insts[i].first_result; }
    [[nodiscard]] bool is_const(ValueId v) const noexcept
    {
        const Value& value = values[v];
        return !value.is_param && insts[value.def].op == Op::Const;
    }
    [[nodiscard]] u64 const_bits(ValueId v) const noexcept { return insts[values[v].def].imm; }

    // ---- construction
    Result<BlockId> create_block(Span<const Type> param_types) noexcept;
    // Appends an instruction (a copy of `proto` with these args and results)
    // at the end of `block`; a terminator's edges follow with add_edge().
    Result<InstId> append(BlockId block, const Inst& proto, Span<const ValueId> args, Span<const Type> result_types = {}) noexcept;
    // Inserts a new instruction before `before` (in its block).
    Result<InstId> insert_before(InstId before, const Inst& proto, Span<const ValueId> args, Span<const Type> result_types = {}) noexcept;
    // Adds an edge to `inst` (the function's last inst), from its block to target.
    Result<EdgeId> add_edge(InstId inst, BlockId target, Span<const ValueId> args) noexcept;
    // Moves an instruction to just before `before` (another block's too).
    void move_before(InstId inst, InstId before) noexcept;
    void remove(InstId inst) noexcept;
    // Drops every parameter p of `block` for which drop(p) holds, and the
    // matching arguments, in one sweep (needs compute_incoming()).
    template<typename Drop>
    void drop_params(BlockId block, Drop drop) noexcept
    {
        Block& b = blocks[block];
        ValueId* params = operands.data() + b.params_begin;
        for (EdgeId e = b.first_incoming; e != no_id; e = edges[e].next_incoming) {
            Edge& edge = edges[e];
            ValueId* args = operands.data() + edge.args_begin;
            u32 kept = 0;
            for (u32 i = 0; i < edge.arg_count; ++i) {
                if (!drop(params[i]))
                    args[kept++] = args[i];
            }
            edge.arg_count = kept;
        }
        u32 kept = 0;
        for (u32 i = 0; i < b.param_count; ++i) {
            if (drop(params[i]))
                continue;
            values[params[i]].position = kept;
            params[kept++] = params[i];
        }
        b.param_count = kept;
    }
    // Replaces each parameter of `block` that receives one value on every
    // incoming edge (or itself, around a loop) by that value and drops it,
    // until none is left (needs compute_incoming(); a block without
    // incoming edges keeps its parameters). Returns whether any went.
    bool remove_trivial_params(BlockId block) noexcept;
    // Turns a branching terminator into `jump` along its edge `keep`.
    void make_jump(InstId terminator, u32 keep) noexcept;

    // Rebuilds every block's incoming edge list from the live terminators.
    void compute_incoming() noexcept;
    // Marks blocks that the entry cannot reach removed (and their insts).
    // Needs nothing computed; returns whether anything was removed.
    Result<bool> remove_unreachable_blocks() noexcept;

    // ---- replacement: replace_all_uses records, apply_replacements rewrites
    void replace_all_uses(ValueId from, ValueId to) noexcept;
    [[nodiscard]] ValueId resolve(ValueId v) noexcept;
    void apply_replacements() noexcept;

    [[nodiscard]] u32 live_inst_count() const noexcept;

private:
    // New operands naming a replaced value still need apply_replacements().
    void note_aliased(Span<const ValueId> args) noexcept
    {
        for (ValueId v : args)
            replacements_pending |= aliases[v] != no_id;
    }
    Result<InstId> new_inst(const Inst& proto, Span<const ValueId> args, Span<const Type> result_types) noexcept;
    void unlink(InstId inst) noexcept;
};

// The stable text form (IR tests compare it): blocks and values are
// numbered in layout order, whatever their ids.
//
//   function 2 (i32, i32) -> (i32)
//   block0(v0: i32, v1: i32):
//     v2 = i32.add v0, v1
//     br_if v2, block1(v2), block2
//   ...
// Appends the text to `out` (no terminating NUL).
Result<void> print_function(const Function& function, Vector<char>& out) noexcept;

} // namespace k23::jit::optimizing
