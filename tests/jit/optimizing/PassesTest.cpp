// The optimizing tier's passes (jit/optimizing/Passes.h) on IR text: each
// case builds a small function, runs passes with the verifier after every
// one (IrCase), and compares the printed IR.

#include "OptimizingTestHelpers.h"

#include <jit/optimizing/Passes.h>

using namespace k23;
using namespace k23::jit::optimizing;
using namespace k23::jit::optimizing::test;

namespace {

struct Named {
    Pass pass;
    const char* name;
};

const Named fold { fold_constants, "fold_constants" };
const Named copies { propagate_copies, "propagate_copies" };
const Named gvn { number_values, "number_values" };
const Named dce { eliminate_dead_code, "eliminate_dead_code" };
const Named licm { hoist_loop_invariants, "hoist_loop_invariants" };
const Named merge { merge_blocks, "merge_blocks" };
const Named loads { eliminate_redundant_loads, "eliminate_redundant_loads" };
const Named thread { thread_jumps, "thread_jumps" };
const Named reduce { reduce_strength, "reduce_strength" };

std::string after(const std::string& wat_text, std::initializer_list<Named> passes, const char* name = "f")
{
    IrCase c(wat_text, name);
    for (const Named& p : passes)
        c.run(p.pass, p.name);
    return c.text();
}

} // namespace

// ---------------------------------------------------------------- folding

TEST(OptimizingFold, ConstantsFoldAndMoveRight)
{
    EXPECT_EQ(after(R"((module (func (export "f") (param i32) (result i32)
        i32.const 6 i32.const 7 i32.mul
        local.get 0 i32.add
        i64.const -1 i64.const 60 i64.shr_u i32.wrap_i64 i32.add)))",
                  { fold, dce }),
        R"(function 0 (i32) -> (i32)
block0(v0: i32):
  v1 = i32.const 42
  v2 = i32.add v0, v1
  v3 = i32.const 15
  v4 = i32.add v2, v3
  return v4
)");
}

TEST(OptimizingFold, AlgebraicIdentities)
{
    EXPECT_EQ(after(R"((module (func (export "f") (param i32 i64) (result i32)
        local.get 0 i32.const 0 i32.add
        i32.const 1 i32.mul
        i32.const -1 i32.and
        i32.const 32 i32.shl
        local.get 0 local.get 0 i32.sub i32.or
        local.get 1 local.get 1 i64.xor i32.wrap_i64 i32.add
        local.get 0 i64.extend_i32_u i32.wrap_i64 i32.add)))",
                  { fold, dce }),
        R"(function 0 (i32, i64) -> (i32)
block0(v0: i32, v1: i64):
  v2 = i32.add v0, v0
  return v2
)");
}

TEST(OptimizingFold, TrapsAndNaNsAreLeftToRun)
{
    // 1/0 and INT_MIN/-1 trap (§4.3.2), trunc of NaN traps (§4.3.7), 0/0
    // is a NaN whose payload is the hardware's: none is folded. 7 rem_s -1
    // and the saturating truncation of NaN are defined and folded.
    EXPECT_EQ(after(R"((module (func (export "f") (result i32)
        i32.const 1 i32.const 0 i32.div_u
        i32.const 0x80000000 i32.const -1 i32.div_s i32.add
        f32.const nan i32.trunc_f32_s i32.add
        f32.const 0 f32.const 0 f32.div i32.reinterpret_f32 i32.add
        i32.const 7 i32.const -1 i32.rem_s i32.add
        f64.const nan i32.trunc_sat_f64_u i32.add
        f64.const -1e30 i32.trunc_sat_f64_s i32.add)))",
                  { fold }),
        R"(function 0 () -> (i32)
block0:
  v0 = i32.const 1
  v1 = i32.const 0
  v2 = i32.div_u v0, v1
  v3 = i32.const -2147483648
  v4 = i32.const -1
  v5 = i32.div_s v3, v4
  v6 = i32.add v2, v5
  v7 = f32.const 0x7fc00000
  v8 = i32.trunc_f32_s v7
  v9 = i32.add v6, v8
  v10 = f32.const 0x0
  v11 = f32.const 0x0
  v12 = f32.div v10, v11
  v13 = i32.reinterpret_f32 v12
  v14 = i32.add v9, v13
  v15 = i32.const 7
  v16 = i32.const -1
  v17 = i32.const 0
  v18 = f64.const 0x7ff8000000000000
  v19 = i32.const 0
  v20 = f64.const 0xc6293e5939a08cea
  v21 = i32.const -2147483648
  v22 = i32.add v14, v21
  return v22
)");
}

TEST(OptimizingFold, PowersOfTwoBecomeShiftsAndMasks)
{
    // Unsigned division and remainder by 2^k, and multiplication, are
    // shifts and masks; signed division needs a fix-up and stays, and so
    // do non-powers.
    EXPECT_EQ(after(R"((module (func (export "f") (param i32 i64) (result i32)
        local.get 0 i32.const 8 i32.mul
        local.get 0 i32.const 16 i32.div_u i32.add
        local.get 0 i32.const 32 i32.rem_u i32.add
        local.get 0 i32.const 4 i32.div_s i32.add
        local.get 0 i32.const 6 i32.mul i32.add
        local.get 1 i64.const 0x100000000 i64.div_u i32.wrap_i64 i32.add)))",
                  { fold, dce }),
        R"(function 0 (i32, i64) -> (i32)
block0(v0: i32, v1: i64):
  v2 = i32.const 3
  v3 = i32.shl v0, v2
  v4 = i32.const 4
  v5 = i32.shr_u v0, v4
  v6 = i32.add v3, v5
  v7 = i32.const 31
  v8 = i32.and v0, v7
  v9 = i32.add v6, v8
  v10 = i32.const 4
  v11 = i32.div_s v0, v10
  v12 = i32.add v9, v11
  v13 = i32.const 6
  v14 = i32.mul v0, v13
  v15 = i32.add v12, v14
  v16 = i64.const 32
  v17 = i64.shr_u v1, v16
  v18 = i32.wrap_i64 v17
  v19 = i32.add v15, v18
  return v19
)");
}

TEST(OptimizingFold, EqzInvertsComparisonsAndSwapsBranches)
{
    // eqz(a <s b) is a >=s b; a br_if or select on eqz(c) takes c with
    // its sides swapped. Float comparisons are not inverted (NaN).
    EXPECT_EQ(after(R"((module (func (export "f") (param i32 i32 f32) (result i32)
        local.get 0 local.get 1 i32.lt_s i32.eqz
        local.get 2 local.get 2 f32.lt i32.eqz i32.add
        local.get 0 local.get 1 local.get 0 i32.eqz select i32.add
        local.get 1 i32.eqz
        if (result i32) i32.const 1 else i32.const 2 end i32.add)))",
                  { fold, dce }),
        R"(function 0 (i32, i32, f32) -> (i32)
block0(v0: i32, v1: i32, v2: f32):
  v3 = i32.ge_s v0, v1
  v4 = f32.lt v2, v2
  v5 = i32.eqz v4
  v6 = i32.add v3, v5
  v7 = select.i32 v0, v1, v0
  v8 = i32.add v6, v7
  br_if v1, block1, block2
block1:
  v9 = i32.const 2
  jump block3(v9)
block2:
  v10 = i32.const 1
  jump block3(v10)
block3(v11: i32):
  v12 = i32.add v8, v11
  return v12
)");
}

TEST(OptimizingFold, FloatsFoldExactly)
{
    EXPECT_EQ(after(R"((module (func (export "f") (result f64)
        f64.const 0.5 f64.const 0.25 f64.add
        f64.const -0 f64.const 0 f64.min f64.add
        f32.const 1.5 f32.neg f64.promote_f32 f64.add
        i64.const -1 f64.convert_i64_u f64.div)))",
                  { fold, dce }),
        R"(function 0 () -> (f64)
block0:
  v0 = f64.const 0xbbe8000000000000
  return v0
)");
}

TEST(OptimizingFold, ConstantBranchesBecomeJumps)
{
    EXPECT_EQ(after(R"((module (func (export "f") (param i32) (result i32)
        i32.const 1
        if (result i32) local.get 0 else i32.const 9 end
        block $a block $b block $c
          i32.const 7 br_table $a $b $c
        end i32.const 100 return
        end i32.const 200 return
        end)))",
                  { fold }),
        R"(function 0 (i32) -> (i32)
block0(v0: i32):
  v1 = i32.const 1
  jump block1
block1:
  jump block2(v0)
block2(v2: i32):
  v3 = i32.const 7
  jump block3
block3:
  v4 = i32.const 100
  return v4
)");
}

// ---------------------------------------------------------------- copies

TEST(OptimizingCopies, ParametersWithOneValueGo)
{
    // Once the constant if is folded, the end block has one predecessor:
    // its parameters are copies.
    EXPECT_EQ(after(R"((module (func (export "f") (param i32) (result i32) (local i32)
        i32.const 0
        if (result i32) i32.const 5 local.set 1 local.get 0 else local.get 0 end
        local.get 1 i32.add)))",
                  { fold, copies }),
        R"(function 0 (i32) -> (i32)
block0(v0: i32):
  v1 = i32.const 0
  v2 = i32.const 0
  jump block1
block1:
  jump block2
block2:
  v3 = i32.add v0, v1
  return v3
)");
}

TEST(OptimizingMerge, JumpChainsBecomeOneBlock)
{
    // The folded if leaves then -> end as jumps with one predecessor each;
    // the loop header has two and stays.
    EXPECT_EQ(after(R"((module (func (export "f") (param i32) (result i32)
        i32.const 1
        if (result i32) local.get 0 i32.const 1 i32.add else i32.const 9 end
        loop $l (param i32) (result i32)
          i32.const 1 i32.sub
          local.tee 0 local.get 0 br_if $l
        end)))",
                  { fold, merge }),
        R"(function 0 (i32) -> (i32)
block0(v0: i32):
  v1 = i32.const 1
  v2 = i32.const 1
  v3 = i32.add v0, v2
  jump block1(v3, v0)
block1(v4: i32, v5: i32):
  v6 = i32.const 1
  v7 = i32.sub v4, v6
  br_if v7, block1(v7, v7), block2
block2:
  return v7
)");
}

TEST(OptimizingThread, EdgesSkipBlocksThatOnlyJump)
{
    // The missing else only jumps to the end with the if's values: the
    // br_if goes there directly. The br_if on $a has two identical edges
    // once the block between is threaded: a jump.
    EXPECT_EQ(after(R"((module (func (export "f") (param i32 i32) (result i32)
        local.get 0
        if
          i32.const 5 local.set 1
        end
        block $a
          local.get 0 br_if $a
        end
        local.get 1)))",
                  { thread }),
        R"(function 0 (i32, i32) -> (i32)
block0(v0: i32, v1: i32):
  br_if v0, block1, block2(v1)
block1:
  v2 = i32.const 5
  jump block2(v2)
block2(v3: i32):
  jump block3
block3:
  return v3
)");
}

// ---------------------------------------------------------------- GVN

TEST(OptimizingGvn, DominatingTwinsMerge)
{
    // a+b and b+a are one value; the sum inside the if is dominated by the
    // first and merges; the load is state and stays twice.
    EXPECT_EQ(after(R"((module (memory 1) (func (export "f") (param i32 i32) (result i32)
        local.get 0 local.get 1 i32.add
        local.get 1 local.get 0 i32.add i32.mul
        local.get 0
        if (result i32) local.get 0 local.get 1 i32.add else i32.const 3 end
        i32.add
        local.get 0 i32.load local.get 0 i32.load i32.sub i32.add)))",
                  { gvn, dce }),
        R"(function 0 (i32, i32) -> (i32)
block0(v0: i32, v1: i32):
  v2 = i32.add v0, v1
  v3 = i32.mul v2, v2
  br_if v0, block1, block2
block1:
  jump block3(v2)
block2:
  v4 = i32.const 3
  jump block3(v4)
block3(v5: i32):
  v6 = i32.add v3, v5
  v7 = i32.load v0 mem0+0
  v8 = i32.load v0 mem0+0
  v9 = i32.sub v7, v8
  v10 = i32.add v6, v9
  return v10
)");
}

TEST(OptimizingGvn, SiblingsDoNotMerge)
{
    EXPECT_EQ(after(R"((module (func (export "f") (param i32 i32) (result i32)
        local.get 0
        if (result i32) local.get 0 local.get 1 i32.mul else local.get 0 local.get 1 i32.mul end)))",
                  { gvn }),
        R"(function 0 (i32, i32) -> (i32)
block0(v0: i32, v1: i32):
  br_if v0, block1, block2
block1:
  v2 = i32.mul v0, v1
  jump block3(v2)
block2:
  v3 = i32.mul v0, v1
  jump block3(v3)
block3(v4: i32):
  return v4
)");
}

// ---------------------------------------------------------------- loads

TEST(OptimizingLoads, RepeatedLoadsAndStoredValuesAreReused)
{
    // The second load of [a+4] is the first; after the store to [b+8] the
    // load of [b+8] is the stored value, but [a+4] may have changed and is
    // loaded again; a narrower load of [b+8] is loaded; a call forgets all.
    EXPECT_EQ(after(R"((module (memory 1) (func $g) (func (export "f") (param $a i32) (param $b i32) (result i32)
        (i32.load offset=4 (local.get $a))
        (i32.load offset=4 (local.get $a)) i32.add
        (i32.store offset=8 (local.get $b) (i32.const 7))
        (i32.load offset=8 (local.get $b)) i32.add
        (i32.load offset=4 (local.get $a)) i32.add
        (i32.load8_u offset=8 (local.get $b)) i32.add
        call $g
        (i32.load offset=8 (local.get $b)) i32.add)))",
                  { loads }),
        R"(function 1 (i32, i32) -> (i32)
block0(v0: i32, v1: i32):
  v2 = i32.load v0 mem0+4
  v3 = i32.add v2, v2
  v4 = i32.const 7
  i32.store v1, v4 mem0+8
  v5 = i32.add v3, v4
  v6 = i32.load v0 mem0+4
  v7 = i32.add v5, v6
  v8 = i32.load8_u v1 mem0+8
  v9 = i32.add v7, v8
  call 0 ()
  v10 = i32.load v1 mem0+8
  v11 = i32.add v9, v10
  return v11
)");
}

// ---------------------------------------------------------------- DCE

TEST(OptimizingDce, UnusedPureCodeAndParametersGo)
{
    // The unused sum and conversion go; the division and the load may trap
    // and the store writes: they stay. The loop's unused local parameter
    // goes with the arguments that fed it.
    EXPECT_EQ(after(R"((module (memory 1) (func (export "f") (param i32 i32) (local i32)
        local.get 0 local.get 1 i32.add drop
        local.get 0 f64.convert_i32_s drop
        local.get 0 local.get 1 i32.div_s drop
        local.get 0 i32.load drop
        loop $l
          local.get 2 i32.const 1 i32.add local.set 2
          local.get 0 i32.const 1 i32.sub local.tee 0
          br_if $l
        end
        local.get 1 local.get 0 i32.store)))",
                  { dce }),
        R"(function 0 (i32, i32) -> ()
block0(v0: i32, v1: i32):
  v2 = i32.div_s v0, v1
  v3 = i32.load v0 mem0+0
  jump block1(v0)
block1(v4: i32):
  v5 = i32.const 1
  v6 = i32.sub v4, v5
  br_if v6, block1(v6), block2
block2:
  i32.store v1, v6 mem0+0
  return
)");
}

// ---------------------------------------------------------------- LICM

TEST(OptimizingLicm, InvariantsLeaveTheLoop)
{
    // a*b+1 is invariant and moves to the preheader; the division may trap
    // and the load reads memory: they stay in the loop.
    EXPECT_EQ(after(R"((module (memory 1) (func (export "f") (param $a i32) (param $b i32) (param $n i32) (result i32) (local $s i32)
        loop $l
          local.get $a local.get $b i32.mul i32.const 1 i32.add
          local.get $a local.get $b i32.div_u i32.add
          local.get $b i32.load i32.add
          local.get $s i32.add local.set $s
          local.get $n i32.const 1 i32.sub local.tee $n
          br_if $l
        end
        local.get $s)))",
                  { licm }),
        R"(function 0 (i32, i32, i32) -> (i32)
block0(v0: i32, v1: i32, v2: i32):
  v3 = i32.const 0
  v4 = i32.mul v0, v1
  v5 = i32.const 1
  v6 = i32.add v4, v5
  v7 = i32.const 1
  jump block1(v2, v3)
block1(v8: i32, v9: i32):
  v10 = i32.div_u v0, v1
  v11 = i32.add v6, v10
  v12 = i32.load v1 mem0+0
  v13 = i32.add v11, v12
  v14 = i32.add v13, v9
  v15 = i32.sub v8, v7
  br_if v15, block1(v15, v14), block2
block2:
  return v14
)");
}

TEST(OptimizingLicm, NestedLoopsHoistAllTheWayOut)
{
    EXPECT_EQ(after(R"((module (func (export "f") (param $a i32) (param $n i32) (result i32) (local $i i32) (local $s i32)
        loop $outer
          local.get $n local.set $i
          loop $inner
            local.get $a i32.const 3 i32.shl local.get $s i32.add local.set $s
            local.get $i i32.const 1 i32.sub local.tee $i
            br_if $inner
          end
          local.get $n i32.const 1 i32.sub local.tee $n
          br_if $outer
        end
        local.get $s)))",
                  { licm }),
        R"(function 0 (i32, i32) -> (i32)
block0(v0: i32, v1: i32):
  v2 = i32.const 0
  v3 = i32.const 3
  v4 = i32.shl v0, v3
  v5 = i32.const 1
  v6 = i32.const 1
  jump block1(v1, v2, v2)
block1(v7: i32, v8: i32, v9: i32):
  jump block2(v7, v9)
block2(v10: i32, v11: i32):
  v12 = i32.add v4, v11
  v13 = i32.sub v10, v5
  br_if v13, block2(v13, v12), block3
block3:
  v14 = i32.sub v7, v6
  br_if v14, block1(v14, v13, v12), block4
block4:
  return v12
)");
}

// ---------------------------------------------------------------- strength reduction

TEST(OptimizingReduce, IndexedAddressBecomesAPointerThatSteps)
{
    // a[i] with i stepping by 1: base + (i << 2) becomes a header
    // parameter that starts at base + (0 << 2) and steps by 4; the shift
    // and the add leave the loop body.
    EXPECT_EQ(after(R"((module (memory 1) (func (export "f") (param $a i32) (param $n i32) (result i32) (local $i i32) (local $s i32)
        loop $l
          local.get $a local.get $i i32.const 2 i32.shl i32.add i32.load
          local.get $s i32.add local.set $s
          local.get $i i32.const 1 i32.add local.tee $i
          local.get $n i32.lt_u br_if $l
        end
        local.get $s)))",
                  { licm, reduce }),
        R"(function 0 (i32, i32) -> (i32)
block0(v0: i32, v1: i32):
  v2 = i32.const 0
  v3 = i32.const 2
  v4 = i32.const 1
  v5 = i32.shl v2, v3
  v6 = i32.add v5, v0
  jump block1(v2, v2, v6)
block1(v7: i32, v8: i32, v9: i32):
  v10 = i32.load v9 mem0+0
  v11 = i32.add v10, v8
  v12 = i32.add v7, v4
  v13 = i32.const 4
  v14 = i32.add v9, v13
  v15 = i32.lt_u v12, v1
  br_if v15, block1(v12, v11, v14), block2
block2:
  return v11
)");
}

TEST(OptimizingReduce, DownwardStepsAndMultipliesWrapLikeWasm)
{
    // i counts down by 3 and the address is i * 12 + b (i64): the pointer
    // steps by -36 (as 2^64 - 36: wrapping arithmetic, exact for any i).
    EXPECT_EQ(after(R"((module (memory 1) (func (export "f") (param $b i64) (param $i i64) (result i64) (local $s i64)
        loop $l
          local.get $i i64.const 12 i64.mul local.get $b i64.add
          local.get $s i64.add local.set $s
          local.get $i i64.const 3 i64.sub local.tee $i
          i64.eqz i32.eqz br_if $l
        end
        local.get $s)))",
                  { licm, reduce }),
        R"(function 0 (i64, i64) -> (i64)
block0(v0: i64, v1: i64):
  v2 = i64.const 0
  v3 = i64.const 12
  v4 = i64.const 3
  v5 = i64.mul v1, v3
  v6 = i64.add v5, v0
  jump block1(v1, v2, v6)
block1(v7: i64, v8: i64, v9: i64):
  v10 = i64.add v9, v8
  v11 = i64.sub v7, v4
  v12 = i64.const -36
  v13 = i64.add v9, v12
  v14 = i64.eqz v11
  v15 = i32.eqz v14
  br_if v15, block1(v11, v10, v13), block2
block2:
  return v10
)");
}

TEST(OptimizingReduce, LeavesWhatWouldNotPay)
{
    // The scaled index has a second use (it stays, so replacing the add
    // would add an instruction per iteration), the base varies in the loop,
    // and i does not step by a constant: nothing changes.
    std::string wat_text = R"((module (memory 1) (func (export "f") (param $a i32) (param $n i32) (result i32) (local $i i32) (local $j i32) (local $s i32)
        loop $l
          local.get $a local.get $i i32.const 2 i32.shl local.tee $j i32.add i32.load
          local.get $j i32.add
          local.get $s local.get $i i32.const 3 i32.shl i32.add i32.load i32.add
          local.get $s i32.add local.set $s
          local.get $i local.get $n i32.add local.tee $i
          local.get $n i32.lt_u br_if $l
        end
        local.get $s)))";
    IrCase c(wat_text, "f");
    c.run(hoist_loop_invariants, "hoist_loop_invariants");
    std::string before = c.text();
    EXPECT_FALSE(c.run(reduce_strength, "reduce_strength"));
    EXPECT_EQ(c.text(), before);
}

// ---------------------------------------------------------------- pipeline

TEST(OptimizingPipeline, EverythingTogether)
{
    IrCase c(R"((module (func (export "f") (param i32) (result i32) (local i32 i32)
        i32.const 2 local.set 1
        local.get 1 i32.const 3 i32.mul local.set 2
        block $done
          local.get 1 i32.const 2 i32.ne br_if $done
          local.get 0 local.get 2 i32.add local.set 0
        end
        local.get 0 local.get 2 i32.add)))",
        "f");
    auto result = optimize(c.function);
    ASSERT_FALSE(result.is_error()) << message_of(result.error());
    c.verify("optimize");
    EXPECT_EQ(c.text(), R"(function 0 (i32) -> (i32)
block0(v0: i32):
  v1 = i32.const 6
  v2 = i32.add v0, v1
  v3 = i32.add v2, v1
  return v3
)");
}
