// The optimizing tier's IR builder (jit/optimizing/Builder.h): small
// functions in WebAssembly text, their IR after building (verified), in
// the printer's stable text form.

#include "OptimizingTestHelpers.h"

using namespace k23;
using namespace k23::jit::optimizing;
using namespace k23::jit::optimizing::test;

namespace {

std::string built(const std::string& wat_text, const char* name = "f")
{
    IrCase c(wat_text, name);
    return c.text();
}

} // namespace

TEST(OptimizingBuilder, StraightLineArithmetic)
{
    EXPECT_EQ(built(R"((module (func (export "f") (param i32 i32) (result i32)
        local.get 0 local.get 1 i32.add i32.const 3 i32.mul)))"),
        R"(function 0 (i32, i32) -> (i32)
block0(v0: i32, v1: i32):
  v2 = i32.add v0, v1
  v3 = i32.const 3
  v4 = i32.mul v2, v3
  return v4
)");
}

TEST(OptimizingBuilder, LocalsStartAtZero)
{
    EXPECT_EQ(built(R"((module (func (export "f") (param i64) (result i64)
        (local i64 f32 i32)
        local.get 1 local.get 0 i64.sub)))"),
        R"(function 0 (i64) -> (i64)
block0(v0: i64):
  v1 = i64.const 0
  v2 = f32.const 0x0
  v3 = i32.const 0
  v4 = i64.sub v1, v0
  return v4
)");
}

TEST(OptimizingBuilder, IfElseMergesLocalsAndResults)
{
    EXPECT_EQ(built(R"((module (func (export "f") (param i32) (result i32) (local i32)
        local.get 0
        if (result i32)
          i32.const 7 local.set 1 i32.const 1
        else
          i32.const 2
        end
        local.get 1 i32.add)))"),
        R"(function 0 (i32) -> (i32)
block0(v0: i32):
  v1 = i32.const 0
  br_if v0, block1, block2
block1:
  v2 = i32.const 7
  v3 = i32.const 1
  jump block3(v3, v2)
block2:
  v4 = i32.const 2
  jump block3(v4, v1)
block3(v5: i32, v6: i32):
  v7 = i32.add v5, v6
  return v7
)");
}

TEST(OptimizingBuilder, IfWithoutElse)
{
    EXPECT_EQ(built(R"((module (func (export "f") (param i32) (result i32)
        local.get 0
        if
          i32.const 5 local.set 0
        end
        local.get 0)))"),
        R"(function 0 (i32) -> (i32)
block0(v0: i32):
  br_if v0, block1, block2
block1:
  v1 = i32.const 5
  jump block3(v1)
block2:
  jump block3(v0)
block3(v2: i32):
  return v2
)");
}

TEST(OptimizingBuilder, LoopCarriesOnlyTheLocalsItChanges)
{
    // sum = 0; i = n; do { sum += i; i -= 1 } while (i != 0); the
    // parameter-free loop keeps `step` (never set) out of the header.
    EXPECT_EQ(built(R"((module (func (export "f") (param $n i32) (param $step i32) (result i32) (local $sum i32)
        loop $l
          local.get $sum local.get $n i32.add local.set $sum
          local.get $n local.get $step i32.sub local.tee $n
          br_if $l
        end
        local.get $sum)))"),
        R"(function 0 (i32, i32) -> (i32)
block0(v0: i32, v1: i32):
  v2 = i32.const 0
  jump block1(v0, v2)
block1(v3: i32, v4: i32):
  v5 = i32.add v4, v3
  v6 = i32.sub v3, v1
  br_if v6, block1(v6, v5), block2
block2:
  return v5
)");
}

TEST(OptimizingBuilder, BrTableAndMultiValueBlock)
{
    EXPECT_EQ(built(R"((module (func (export "f") (param i32) (result i32 i32)
        block $b (result i32 i32)
          i32.const 1 i32.const 2
          local.get 0
          br_table $b 1 $b
        end)))"),
        R"(function 0 (i32) -> (i32, i32)
block0(v0: i32):
  v1 = i32.const 1
  v2 = i32.const 2
  br_table v0, [block2, block1], block2
block1:
  return v1, v2
block2:
  return v1, v2
)");
}

TEST(OptimizingBuilder, BranchOutOfTheFunction)
{
    EXPECT_EQ(built(R"((module (func (export "f") (param i32) (result i32)
        i32.const 9
        local.get 0
        br_if 0
        drop
        i32.const 4)))"),
        R"(function 0 (i32) -> (i32)
block0(v0: i32):
  v1 = i32.const 9
  br_if v0, block1, block2
block1:
  return v1
block2:
  v2 = i32.const 4
  return v2
)");
}

TEST(OptimizingBuilder, MemoryGlobalsAndCalls)
{
    EXPECT_EQ(built(R"((module
        (memory 1)
        (global $g (mut i64) (i64.const 0))
        (func $h (param i32) (result i32 f64) local.get 0 f64.const 1.5)
        (func (export "f") (param i32)
          local.get 0
          local.get 0 i64.load offset=16
          global.get $g i64.add
          i64.store8 offset=3
          local.get 0 call $h
          drop (global.set $g (i64.const 1))
          drop)))"),
        R"(function 1 (i32) -> ()
block0(v0: i32):
  v1 = i64.load v0 mem0+16
  v2 = global.get 0
  v3 = i64.add v1, v2
  i64.store8 v0, v3 mem0+3
  v4, v5 = call 0 (v0)
  v6 = i64.const 1
  global.set 0, v6
  return
)");
}

TEST(OptimizingBuilder, BulkMemoryTablesAndReferences)
{
    EXPECT_EQ(built(R"((module
        (memory 1)
        (table $t 2 funcref)
        (type $sig (func (param i32) (result i32)))
        (elem declare func $f)
        (func $f (export "f") (param i32) (result i32)
          (memory.copy (local.get 0) (i32.const 0) (i32.const 8))
          (memory.fill (local.get 0) (i32.const 0) (i32.const 8))
          (drop (table.grow $t (ref.func $f) (i32.const 1)))
          (table.set $t (i32.const 0) (ref.null func))
          (drop (ref.is_null (table.get $t (i32.const 1))))
          (call_indirect $t (type $sig) (local.get 0) (i32.const 1)))))"),
        R"(function 0 (i32) -> (i32)
block0(v0: i32):
  v1 = i32.const 0
  v2 = i32.const 8
  memory.copy mem0 mem0 v0, v1, v2
  v3 = i32.const 0
  v4 = i32.const 8
  memory.fill mem0 v0, v3, v4
  v5 = ref.func 0
  v6 = i32.const 1
  v7 = table.grow table0 v5, v6
  v8 = i32.const 0
  v9 = ref.null
  table.set table0 v8, v9
  v10 = i32.const 1
  v11 = table.get table0 v10
  v12 = ref.is_null v11
  v13 = i32.const 1
  v14 = call_indirect type0 table0 v13 (v0)
  return v14
)");
}

TEST(OptimizingBuilder, UnreachableCodeIsSkipped)
{
    EXPECT_EQ(built(R"((module (func (export "f") (param i32) (result i32)
        block $b
          local.get 0
          br_if $b
          unreachable
          i32.const 1 drop
          block (result i32) i32.const 2 end
          drop
        end
        i32.const 3
        return
        i32.const 4)))"),
        R"(function 0 (i32) -> (i32)
block0(v0: i32):
  br_if v0, block1, block2
block1:
  v1 = i32.const 3
  return v1
block2:
  trap unreachable
)");
}

TEST(OptimizingBuilder, TailCallsAndSaturatingTruncation)
{
    EXPECT_EQ(built(R"((module
        (func $g (param i32) (result i32) local.get 0)
        (func (export "f") (param f64) (result i32)
          local.get 0 i32.trunc_sat_f64_s i32.extend8_s
          return_call $g)))"),
        R"(function 1 (f64) -> (i32)
block0(v0: f64):
  v1 = i32.trunc_sat_f64_s v0
  v2 = i32.extend8_s v1
  return_call 0 (v2)
)");
}

TEST(OptimizingBuilder, LoopParametersAndBrTableBackEdges)
{
    // A loop with a parameter and a result (multi-value block types): the
    // label of a loop is its start, so br_table's first target passes the
    // loop parameter back to the header.
    EXPECT_EQ(built(R"((module (func (export "f") (param i32) (result i32)
        local.get 0
        loop $l (param i32) (result i32)
          i32.const 1 i32.sub
          local.tee 0
          local.get 0
          br_table $l 1
        end)))"),
        R"(function 0 (i32) -> (i32)
block0(v0: i32):
  jump block1(v0, v0)
block1(v1: i32, v2: i32):
  v3 = i32.const 1
  v4 = i32.sub v1, v3
  br_table v4, [block1(v4, v4)], block2
block2:
  return v4
)");
}

TEST(OptimizingBuilder, TypedSelectOfReferences)
{
    EXPECT_EQ(built(R"((module (func (export "f") (param externref externref i32) (result externref)
        local.get 0 local.get 1 local.get 2 select (result externref))))"),
        R"(function 0 (ref, ref, i32) -> (ref)
block0(v0: ref, v1: ref, v2: i32):
  v3 = select.ref v2, v0, v1
  return v3
)");
}

TEST(OptimizingBuilder, SimdBuildsV128Values)
{
    EXPECT_EQ(built(R"((module (func (export "f") (param i32) (result i32) (local v128)
        local.get 0 i32x4.splat local.get 1 i32x4.add
        v128.const i32x4 1 2 3 4 i8x16.shuffle 4 5 6 7 0 1 2 3 8 9 10 11 12 13 14 15
        i32x4.extract_lane 1)))"),
        R"(function 0 (i32) -> (i32)
block0(v0: i32):
  v1 = v128.const 0x0 0x0
  v2 = i32x4.splat v0
  v3 = i32x4.add v2, v1
  v4 = v128.const 0x200000001 0x400000003
  v5 = i8x16.shuffle 0x302010007060504 0xf0e0d0c0b0a0908 v3, v4
  v6 = i32x4.extract_lane 1 v5
  return v6
)");
}
