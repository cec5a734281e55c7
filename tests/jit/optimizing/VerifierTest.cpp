// The IR verifier (jit/optimizing/Verifier.h) on hand-built functions:
// one well-formed diamond, then one broken rule at a time.

#include "OptimizingTestHelpers.h"

using namespace k23;
using namespace k23::jit::optimizing;
using namespace k23::jit::optimizing::test;

namespace {

Inst op(Op kind, Opcode wasm_op = Opcode::Nop, u64 imm = 0)
{
    Inst inst;
    inst.op = kind;
    inst.wasm_op = wasm_op;
    inst.imm = imm;
    return inst;
}

Span<const Type> types(std::initializer_list<Type> list) { return Span<const Type>(list.begin(), list.size()); }
Span<const ValueId> values(std::initializer_list<ValueId> list) { return Span<const ValueId>(list.begin(), list.size()); }

// (param i32) (result i32): block0(p): c = 1; s = p + c; br_if p ->
// block1 / block2; both jump to block3(x) with s or c; return x.
struct Diamond {
    Function f;
    BlockId entry, then_block, else_block, join;
    ValueId p, c, s, x;
    InstId add, branch, then_jump, else_jump, ret;

    Diamond()
    {
        MUST(f.param_types.try_append(Type::I32));
        MUST(f.result_types.try_append(Type::I32));
        entry = MUST(f.create_block(types({ Type::I32 })));
        f.entry = entry;
        then_block = MUST(f.create_block({}));
        else_block = MUST(f.create_block({}));
        join = MUST(f.create_block(types({ Type::I32 })));
        p = f.params(entry)[0];
        x = f.params(join)[0];
        c = f.result(MUST(f.append(entry, op(Op::Const, Opcode::Nop, 1), {}, types({ Type::I32 }))));
        add = MUST(f.append(entry, op(Op::Numeric, Opcode::I32Add), values({ p, c }), types({ Type::I32 })));
        s = f.result(add);
        branch = MUST(f.append(entry, op(Op::Branch), values({ p })));
        MUST(f.add_edge(branch, then_block, {}));
        MUST(f.add_edge(branch, else_block, {}));
        then_jump = MUST(f.append(then_block, op(Op::Jump), {}));
        MUST(f.add_edge(then_jump, join, values({ s })));
        else_jump = MUST(f.append(else_block, op(Op::Jump), {}));
        MUST(f.add_edge(else_jump, join, values({ c })));
        ret = MUST(f.append(join, op(Op::Return), values({ x })));
    }

    std::string verify() const
    {
        auto result = verify_function(f);
        return result.is_error() ? message_of(result.error()) : "ok";
    }
};

} // namespace

TEST(OptimizingVerifier, AcceptsAWellFormedDiamond)
{
    Diamond d;
    EXPECT_EQ(d.verify(), "ok");
    EXPECT_EQ(print(d.f), R"(function 0 (i32) -> (i32)
block0(v0: i32):
  v1 = i32.const 1
  v2 = i32.add v0, v1
  br_if v0, block1, block2
block1:
  jump block3(v2)
block2:
  jump block3(v1)
block3(v3: i32):
  return v3
)");
}

TEST(OptimizingVerifier, BlocksEndInOneTerminator)
{
    Diamond missing;
    missing.f.remove(missing.ret);
    EXPECT_EQ(missing.verify(), "Invalid: verifier: block 3 is empty (no terminator)");

    Diamond inside;
    MUST(inside.f.insert_before(inside.add, op(Op::Trap), {}));
    EXPECT_NE(inside.verify().find("is a terminator inside a block"), std::string::npos) << inside.verify();
}

TEST(OptimizingVerifier, UsesMustBeDominatedByTheirDefinitions)
{
    // A use before its definition in the same block.
    Diamond order;
    order.f.move_before(order.add, order.f.values[order.c].def);
    EXPECT_EQ(order.verify(), "Invalid: verifier: inst 1 (i32.add) in block 0: uses a value before its definition");

    // The join uses the then-side sum, which does not dominate it.
    Diamond join;
    InstId moved_add = join.add;
    join.f.move_before(moved_add, join.then_jump);
    join.f.args(join.ret)[0] = join.s;
    EXPECT_EQ(join.verify(), "Invalid: verifier: inst 5 (return) in block 3: uses a value whose definition does not dominate it");
}

TEST(OptimizingVerifier, EdgesPassOneArgumentOfEachParameterType)
{
    Diamond arity;
    arity.f.edges[arity.f.insts[arity.else_jump].first_edge].arg_count = 0;
    EXPECT_EQ(arity.verify(), "Invalid: verifier: inst 4 (jump) in block 2: passes the wrong number of block arguments");

    Diamond typed;
    ValueId wide = typed.f.result(MUST(typed.f.insert_before(typed.else_jump, op(Op::Const, Opcode::Nop, 5), {}, types({ Type::I64 }))));
    typed.f.edge_args(typed.f.insts[typed.else_jump].first_edge)[0] = wide;
    EXPECT_EQ(typed.verify(), "Invalid: verifier: inst 4 (jump) in block 2: passes a block argument of the wrong type");
}

TEST(OptimizingVerifier, OperationsFollowTheirTypingRules)
{
    Diamond numeric;
    ValueId wide = numeric.f.result(MUST(numeric.f.insert_before(numeric.add, op(Op::Const, Opcode::Nop, 5), {}, types({ Type::I64 }))));
    numeric.f.args(numeric.add)[1] = wide;
    EXPECT_EQ(numeric.verify(), "Invalid: verifier: inst 1 (i32.add) in block 0: has an operand of the wrong type");

    Diamond ret;
    MUST(ret.f.result_types.try_append(Type::F64));
    EXPECT_EQ(ret.verify(), "Invalid: verifier: inst 5 (return) in block 3: has the wrong number of operands");
}

TEST(OptimizingVerifier, EveryBlockIsReachableAndTheEntryIsNotATarget)
{
    Diamond dead;
    dead.f.make_jump(dead.branch, 0);
    EXPECT_EQ(dead.verify(), "Invalid: verifier: block 2 is not reachable from the entry");

    Diamond loop;
    loop.f.edges[loop.f.insts[loop.then_jump].first_edge].target = loop.entry;
    EXPECT_EQ(loop.verify(), "Invalid: verifier: inst 3 (jump) in block 1: branches to the entry block");
}

TEST(OptimizingVerifier, ReplacementsMustBeApplied)
{
    Diamond d;
    d.f.replace_all_uses(d.s, d.c);
    EXPECT_EQ(d.verify(), "Invalid: verifier: inst 3 (jump) in block 1: uses a replaced value (apply_replacements was not run)");
    d.f.apply_replacements();
    EXPECT_EQ(d.verify(), "ok");
}
