// The optimizing tier's register allocation (jit/optimizing/RegAlloc.cpp)
// as the code it produces, on the host (a cross-compiler): constants a loop
// reads on every iteration are built once before it, those of a rarely
// taken branch where they are used, and a loop's `i + 1` takes i's
// register so the back edge is one branch. Compiled without C, so every
// instruction is one aligned 32-bit word; execution is tested in the
// riscv64-linux ring (RegAllocTest.cpp, the spec suite, the tiers
// differential check).

#include "LowerTestHelpers.h"

using namespace k23;
using namespace k23::jit::optimizing::test;

namespace {

CpuFeatures without_c() { return rv64g_without_c().with(Extension::Zba).with(Extension::Zbb); }

void compile(const char* text, Compiled& out)
{
    jit::optimizing::test::compile(wat(text), without_c(), out);
}

// lui rd, imm20 (any rd).
usize count_lui(const jit::CompiledModule& m, u32 imm20)
{
    return count_words(m, Stride::Word, [&](u32 w) { return (w & 0x7f) == 0x37 && w >> 12 == imm20; });
}

} // namespace

TEST(OptimizingRegAllocCode, LoopConstantIsBuiltOnceBeforeTheLoop)
{
    // 0x12345 is lui 0x12 + addiw 0x345; the loop reads it three times on
    // every iteration (it used to be built at each of them).
    const char* text = R"((module (memory 1)
      (func $f (param $n i32) (result i32) (local $i i32) (local $s i32)
        (loop $l
          (local.set $s (i32.add (local.get $s) (i32.load8_u (i32.add (local.get $i) (i32.const 0x12345)))))
          (local.set $s (i32.xor (local.get $s) (i32.const 0x12345)))
          (i32.store8 (i32.add (local.get $i) (i32.const 0x12345)) (local.get $s))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.ne (local.get $i) (local.get $n))))
        (local.get $s))))";
    Compiled c;
    compile(text, c);
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.counts.optimized, 1u);
    EXPECT_EQ(count_lui(c.code, 0x12), 1u);
}

TEST(OptimizingRegAllocCode, LoopFloatConstantIsBuiltOnce)
{
    const char* text = R"((module
      (func $f (param $x f64) (param $n i32) (result f64) (local $i i32)
        (loop $l
          (local.set $x (f64.add (f64.mul (local.get $x) (f64.const 1.1)) (f64.const 1.1)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.ne (local.get $i) (local.get $n))))
        (local.get $x))))";
    Compiled c;
    compile(text, c);
    ASSERT_TRUE(c.ok) << c.error;
    // fmv.d.x rd, rs1: funct7 1111001, rs2 0, funct3 000, OP-FP.
    EXPECT_EQ(count_words(c.code, Stride::Word, [](u32 w) { return (w & 0xfff0707f) == 0xf2000053; }), 1u);
}

// Caught while adding held constants: shootout-switch's loop kept the
// constants of its hundreds of cases in registers through the whole loop,
// spilling its own values (1.41x the instructions); a constant of a branch
// not taken on every iteration is built where it is used.
TEST(OptimizingRegAllocCode, ConstantOfAConditionalBranchStaysAtItsUses)
{
    const char* text = R"((module (memory 1)
      (func $f (param $n i32) (result i32) (local $i i32) (local $s i32)
        (loop $l
          (if (i32.and (local.get $i) (i32.const 7))
            (then
              (local.set $s (i32.add (local.get $s) (i32.const 0x12345)))
              (local.set $s (i32.mul (local.get $s) (i32.const 0x12345)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.ne (local.get $i) (local.get $n))))
        (local.get $s))))";
    Compiled c;
    compile(text, c);
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(count_lui(c.code, 0x12), 2u);
}

TEST(OptimizingRegAllocCode, LoopIncrementTakesItsCountersRegister)
{
    // i + 4 takes i's register (i's last use there): the back edge needs
    // no move, so the loop ends in one conditional branch to its header
    // (it was beq out; mv; j back).
    const char* text = R"((module (memory 1)
      (func $f (param $n i32) (result i32) (local $i i32) (local $s i32)
        (loop $l
          (local.set $s (i32.add (local.get $s) (i32.load (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br_if $l (i32.ne (local.get $i) (local.get $n))))
        (local.get $s))))";
    Compiled c;
    compile(text, c);
    ASSERT_TRUE(c.ok) << c.error;
    // Backward: a branch (B-type) or jal zero with the sign bit of its
    // offset set.
    EXPECT_EQ(count_words(c.code, Stride::Word, [](u32 w) { return (w & 0x7f) == 0x63 && w >> 31; }), 1u);
    EXPECT_EQ(count_words(c.code, Stride::Word, [](u32 w) { return (w & 0xfff) == 0x06f && w >> 31; }), 0u);
}

// Caught by richards (+3.5% instructions with held constants): a loop that
// calls rebuilds a held constant after every call anyway (no register
// survives one), so holding it only took registers from values.
TEST(OptimizingRegAllocCode, LoopWithACallBuildsConstantsAtTheirUses)
{
    // (An import: a small callee of the module would be inlined.)
    const char* text = R"((module (import "m" "g" (func $g)) (memory 1)
      (func $f (param $n i32) (result i32) (local $i i32) (local $s i32)
        (loop $l
          (local.set $s (i32.add (local.get $s) (i32.load8_u (i32.add (local.get $i) (i32.const 0x12345)))))
          (call $g)
          (local.set $s (i32.xor (local.get $s) (i32.const 0x12345)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.ne (local.get $i) (local.get $n))))
        (local.get $s))))";
    Compiled c;
    compile(text, c);
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.counts.optimized, 1u);
    // Built into the scratch registers t4/t5 at its uses, never into one
    // of the allocator's (a held constant's piece).
    usize into_pool = count_words(c.code, Stride::Word, [](u32 w) {
        u32 rd = (w >> 7) & 31;
        return (w & 0x7f) == 0x37 && w >> 12 == 0x12 && rd != 29 && rd != 30;
    });
    EXPECT_EQ(into_pool, 0u);
    EXPECT_EQ(count_lui(c.code, 0x12), 2u);
}
