// Inlining of small callees (jit/optimizing/Passes.h inline_calls) on IR
// text, what it refuses, and the trap table of inlined code: a trap inside
// an inlined callee names the callee and its own wasm offset, as the
// baseline does.

#include "OptimizingTestHelpers.h"

#include <jit/Compile.h>
#include <jit/optimizing/Passes.h>

using namespace k23;
using namespace k23::jit::optimizing;
using namespace k23::jit::optimizing::test;

namespace {

InlineOptions g_options;
u32 g_inlined = 0;

Result<bool> inline_pass(Function& f)
{
    g_inlined = TRY(inline_calls(f, g_options));
    return g_inlined > 0;
}

Result<bool> cleanup(Function& f)
{
    TRY(optimize(f));
    return true;
}

// The IR of `name` after inlining (with `options`) and, if `tidy`, the pipeline.
std::string inlined(const std::string& wat_text, bool tidy, InlineOptions options = {}, const char* name = "f")
{
    g_options = options;
    g_inlined = 0;
    IrCase c(wat_text, name);
    c.run(inline_pass, "inline_calls");
    if (tidy)
        c.run(cleanup, "optimize");
    return c.text();
}

} // namespace

TEST(OptimizingInline, SmallCalleesBecomeTheCallersCode)
{
    // Two calls of $sq and one of $add3 (which itself calls nothing): after
    // inlining and the pipeline no call is left, only the arithmetic.
    EXPECT_EQ(inlined(R"((module
        (func $sq (param i32) (result i32) local.get 0 local.get 0 i32.mul)
        (func $add3 (param i32 i32 i32) (result i32) local.get 0 local.get 1 i32.add local.get 2 i32.add)
        (func (export "f") (param i32 i32) (result i32)
          local.get 0 call $sq
          local.get 1 call $sq
          i32.const 1 call $add3)))",
                  true),
        R"(function 2 (i32, i32) -> (i32)
block0(v0: i32, v1: i32):
  v2 = i32.mul v0, v0
  v3 = i32.mul v1, v1
  v4 = i32.const 1
  v5 = i32.add v2, v3
  v6 = i32.add v5, v4
  return v6
)");
    EXPECT_EQ(g_inlined, 3u);
}

TEST(OptimizingInline, SplitsTheBlockAndJoinsEveryReturn)
{
    // Without the pipeline: the caller's block ends in a jump to the copy of
    // the callee's entry (parameters = the call's arguments); both of the
    // callee's returns jump to the continuation, whose parameter is the
    // call's result, and the code after the call moved there.
    EXPECT_EQ(inlined(R"((module (memory 1)
        (func $abs (param i32) (result i32)
          local.get 0 i32.const 0 i32.lt_s
          if i32.const 0 local.get 0 i32.sub return end
          local.get 0)
        (func (export "f") (param i32) (result i32)
          local.get 0 i32.const 5 i32.add call $abs
          i32.const 2 i32.mul
          local.get 0 i32.store
          i32.const 7)))",
                  false),
        R"(function 1 (i32) -> (i32)
block0(v0: i32):
  v1 = i32.const 5
  v2 = i32.add v0, v1
  jump block1(v2)
block1(v3: i32):
  v4 = i32.const 0
  v5 = i32.lt_s v3, v4
  br_if v5, block2, block3
block2:
  v6 = i32.sub v4, v3
  jump block4(v6)
block3:
  jump block4(v3)
block4(v7: i32):
  v8 = i32.const 2
  v9 = i32.mul v7, v8
  i32.store v9, v0 mem0+0
  v10 = i32.const 7
  return v10
)");
}

TEST(OptimizingInline, LoopsAndCallsInsideTheCalleeAreCopied)
{
    // The callee's loop comes along with its block parameters; its own call
    // stays a call (one level: nothing inlined is inlined again).
    EXPECT_EQ(inlined(R"((module
        (func $leaf (param i32) (result i32) local.get 0 i32.const 1 i32.add)
        (func $sum (param $n i32) (result i32) (local $s i32)
          loop $l
            local.get $s local.get $n call $leaf i32.add local.set $s
            local.get $n i32.const 1 i32.sub local.tee $n
            br_if $l
          end
          local.get $s)
        (func (export "f") (param i32) (result i32) local.get 0 call $sum)))",
                  true),
        R"(function 2 (i32) -> (i32)
block0(v0: i32):
  v1 = i32.const 0
  v2 = i32.const 1
  jump block1(v0, v1)
block1(v3: i32, v4: i32):
  v5 = call 0 (v3)
  v6 = i32.add v4, v5
  v7 = i32.sub v3, v2
  br_if v7, block1(v7, v6), block2
block2:
  return v6
)");
    EXPECT_EQ(g_inlined, 1u);
}

TEST(OptimizingInline, RefusesRecursionImportsTailCallsAndBigCallees)
{
    // Direct recursion, an import, a callee with return_call, and a callee
    // over the instruction budget all stay calls.
    std::string text = inlined(R"((module
        (import "env" "g" (func $g (param i32) (result i32)))
        (func $tail (param i32) (result i32) local.get 0 return_call $g)
        (func $big (param i32) (result i32)
          local.get 0 i32.const 1 i32.add i32.const 3 i32.mul
          i32.const 5 i32.xor i32.const 7 i32.rotl i32.const 9 i32.sub)
        (func $f (export "f") (param i32) (result i32)
          local.get 0 call $g
          call $tail
          call $big
          call $f)))",
        false, InlineOptions { 96, 6, 400, true });
    EXPECT_EQ(g_inlined, 0u) << text;
    EXPECT_NE(text.find("call 0 "), std::string::npos) << text;
    EXPECT_NE(text.find("call 1 "), std::string::npos) << text;
    EXPECT_NE(text.find("call 2 "), std::string::npos) << text;
    EXPECT_NE(text.find("call 3 "), std::string::npos) << text;
    // With a larger budget $big goes in; on a hart without Zbb too, its
    // rotate expanded into shifts (expand_bit_operations).
    text = inlined(R"((module
        (func $big (param i32) (result i32)
          local.get 0 i32.const 1 i32.add i32.const 3 i32.mul
          i32.const 5 i32.xor i32.const 7 i32.rotl i32.const 9 i32.sub)
        (func (export "f") (param i32) (result i32) local.get 0 call $big)))",
        false);
    EXPECT_EQ(g_inlined, 1u) << text;
    text = inlined(R"((module
        (func $big (param i32) (result i32)
          local.get 0 i32.const 1 i32.add i32.const 3 i32.mul
          i32.const 5 i32.xor i32.const 7 i32.rotl i32.const 9 i32.sub)
        (func (export "f") (param i32) (result i32) local.get 0 call $big)))",
        false, InlineOptions { 96, 40, 400, false });
    EXPECT_EQ(g_inlined, 1u) << text;
    EXPECT_EQ(text.find("rotl"), std::string::npos) << text;
    EXPECT_NE(text.find("i32.shr_u"), std::string::npos) << text;
}

TEST(OptimizingInline, GrowthBudgetLimitsTheCaller)
{
    // $twice is 4 instructions (an add, a constant, a mul, the return): a
    // growth budget of 11 takes two of the four calls.
    const char* text = R"((module
        (func $twice (param i32) (result i32) local.get 0 local.get 0 i32.add i32.const 3 i32.mul)
        (func (export "f") (param i32) (result i32)
          local.get 0 call $twice call $twice call $twice call $twice)))";
    std::string ir = inlined(text, false, InlineOptions { 96, 40, 11, true });
    EXPECT_EQ(g_inlined, 2u) << ir;
    ir = inlined(text, false, InlineOptions { 96, 40, 400, true });
    EXPECT_EQ(g_inlined, 4u) << ir;
}

TEST(OptimizingInline, TrapInInlinedCalleeNamesTheCallee)
{
    // $div traps on a zero divisor; inlined into $f, its trap site keeps
    // $div's offset, and the code object's lookup names function 0 ($div)
    // for it though the code is $f's.
    WasmBytes bytes = wat(R"((module
        (func $div (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_u)
        (func (export "f") (param i32) (result i32) local.get 0 i32.const 3 i32.add local.get 0 call $div)))");
    ASSERT_FALSE(bytes.empty());
    auto module = read(bytes);
    ASSERT_FALSE(module.is_error()) << message_of(module.error());
    static std::vector<std::unique_ptr<wasm::Module>> keep;
    keep.push_back(std::make_unique<wasm::Module>(module.release_value()));
    const wasm::Module& m = *keep.back();
    jit::CompileEnvironment env;
    env.features = riscv64::CpuFeatures::rv64gc();
    env.landing_pad = 0x10000; // never executed
    jit::CompiledModule code;
    jit::TierCounts counts;
    auto result = jit::compile_module(m, env, jit::Tier::Optimizing, code, &counts);
    ASSERT_FALSE(result.is_error()) << message_of(result.error());
    // The div_u opcode: $div's body is 0 locals, 2 x local.get, div_u.
    u32 div_offset = m.functions()[0].body.offset + 5;
    const jit::CompiledFunction& f = code.functions[1];
    bool found = false;
    for (u32 i = 0; i < f.trap_count; ++i) {
        const jit::TrapSite& site = code.traps[f.first_trap + i];
        if (site.wasm_offset != div_offset)
            continue;
        found = true;
        u32 function = ~0u;
        const jit::TrapSite* at = nullptr;
        ASSERT_TRUE(code.lookup(u64(code.code) + site.code_offset, function, at));
        ASSERT_EQ(at, &site);
        EXPECT_EQ(function, 0u);
    }
    EXPECT_TRUE(found) << "no trap site of $f at $div's division";
    // A trap site of $f's own code still names $f.
    EXPECT_EQ(code.function_at_wasm_offset(1, m.functions()[1].body.offset + 1), 1u);
    platform_code_release(code.code, code.code_size);
}
