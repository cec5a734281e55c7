// Control-flow analyses (jit/optimizing/Analysis.h) on built functions:
// reverse postorder, dominators and loop nesting.

#include "OptimizingTestHelpers.h"

#include <jit/optimizing/Analysis.h>

using namespace k23;
using namespace k23::jit::optimizing;
using namespace k23::jit::optimizing::test;

TEST(OptimizingAnalysis, DominatorsOfADiamond)
{
    IrCase c(R"((module (func (export "f") (param i32) (result i32)
        local.get 0
        if (result i32) i32.const 1 else i32.const 2 end)))",
        "f");
    ASSERT_EQ(c.error, "");
    Cfg cfg;
    ASSERT_FALSE(cfg.compute(c.function).is_error());
    const Function& f = c.function;
    ASSERT_EQ(cfg.rpo().size(), 4u);
    EXPECT_EQ(cfg.rpo()[0], f.entry);
    BlockId join = cfg.rpo()[3];
    // Both arms' immediate dominator is the entry, and so is the join's.
    for (BlockId b : cfg.rpo()) {
        EXPECT_TRUE(cfg.dominates(f.entry, b));
        if (b != f.entry)
            EXPECT_EQ(cfg.idom(b), f.entry);
    }
    EXPECT_EQ(cfg.predecessors(join).size(), 2u);
    EXPECT_FALSE(cfg.dominates(cfg.rpo()[1], join));
    EXPECT_FALSE(cfg.dominates(cfg.rpo()[2], join));
    for (BlockId b : cfg.rpo())
        EXPECT_EQ(cfg.loop_header(b), no_id);
}

TEST(OptimizingAnalysis, NestedLoops)
{
    IrCase c(R"((module (func (export "f") (param $n i32) (result i32) (local $i i32) (local $s i32)
        loop $outer
          local.get $n local.set $i
          loop $inner
            local.get $s local.get $i i32.add local.set $s
            local.get $i i32.const 1 i32.sub local.tee $i
            br_if $inner
          end
          local.get $n i32.const 1 i32.sub local.tee $n
          br_if $outer
        end
        local.get $s)))",
        "f");
    ASSERT_EQ(c.error, "");
    Cfg cfg;
    ASSERT_FALSE(cfg.compute(c.function).is_error());
    const Function& f = c.function;
    std::vector<BlockId> headers;
    for (BlockId b : cfg.rpo()) {
        if (cfg.is_loop_header(b))
            headers.push_back(b);
    }
    ASSERT_EQ(headers.size(), 2u);
    BlockId outer = headers[0], inner = headers[1];
    EXPECT_EQ(cfg.parent_loop(inner), outer);
    EXPECT_EQ(cfg.parent_loop(outer), no_id);
    EXPECT_TRUE(cfg.dominates(outer, inner));
    EXPECT_EQ(cfg.loop_header(f.entry), no_id);
    EXPECT_FALSE(cfg.in_loop(f.entry, outer));
    // The inner loop's body is in both loops; the block after the inner
    // loop only in the outer; the exit in none.
    u32 in_inner = 0, only_outer = 0, outside = 0;
    for (BlockId b : cfg.rpo()) {
        if (cfg.in_loop(b, inner)) {
            EXPECT_TRUE(cfg.in_loop(b, outer));
            ++in_inner;
        } else if (cfg.in_loop(b, outer)) {
            ++only_outer;
        } else {
            ++outside;
        }
    }
    EXPECT_EQ(in_inner, 1u); // the inner header is its whole body
    EXPECT_EQ(only_outer, 2u); // the outer header and the inner loop's exit
    EXPECT_EQ(outside, 2u);    // the entry and the function's exit
}
