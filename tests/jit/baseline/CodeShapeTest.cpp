// The baseline tier's code for a few wasm shapes, as instruction words, on
// the host (a cross-compiler): a homed local written from a value the last
// instruction computed takes it directly (no move), select branches on a
// pending compare's operands, the clamp shapes of select are Zbb min/max,
// and i64.extend_i32_s of a sign-extended i32 costs nothing. Compiled
// without C, so every instruction is one aligned 32-bit word. Execution is
// tested in the riscv64-linux ring (BaselineTest.cpp and the spec suite).

#include "../optimizing/OptimizingTestHelpers.h"

#include <jit/Compile.h>

using namespace k23;
using namespace k23::jit::optimizing::test;

namespace {

using riscv64::CpuFeatures;
using riscv64::Extension;

CpuFeatures scalar_without_c() { return rv64g_without_c(); }

CpuFeatures with_zbb() { return scalar_without_c().with(Extension::Zba).with(Extension::Zbb); }

struct Code {
    std::vector<u32> words;
    std::string error;
};

Code compile(const char* text, CpuFeatures features)
{
    Code out;
    std::string log;
    auto bytes = wat(text, &log);
    if (bytes.empty()) {
        out.error = log;
        return out;
    }
    auto module = read(bytes);
    if (module.is_error()) {
        out.error = message_of(module.error());
        return out;
    }
    wasm::Module m = module.release_value();
    jit::CompileEnvironment env;
    env.features = features;
    env.landing_pad = 0x10000; // never executed
    jit::CompiledModule compiled;
    auto result = jit::compile_module(m, env, jit::Tier::Baseline, compiled);
    if (result.is_error()) {
        out.error = message_of(result.error());
        return out;
    }
    for (usize at = 0; at + 4 <= compiled.code_size; at += 4) {
        const u8* p = compiled.code + at;
        out.words.push_back(u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16 | u32(p[3]) << 24);
    }
    platform_code_release(compiled.code, compiled.code_size);
    return out;
}

u32 opcode(u32 w) { return w & 0x7f; }
u32 rd(u32 w) { return (w >> 7) & 31; }
u32 funct3(u32 w) { return (w >> 12) & 7; }
u32 rs1(u32 w) { return (w >> 15) & 31; }
u32 rs2(u32 w) { return (w >> 20) & 31; }
u32 funct7(u32 w) { return w >> 25; }
bool r_type(u32 w, u32 op, u32 f3, u32 f7) { return opcode(w) == op && funct3(w) == f3 && funct7(w) == f7; }

// The scalar homes (jit/baseline/LocalHomes.cpp): s2-s9 (x18-x25) and
// fs4-fs11 (f20-f27).
bool gp_home(u32 r) { return r >= 18 && r <= 25; }
bool fp_home(u32 r) { return r >= 20 && r <= 27; }

template<typename F>
usize count(const Code& code, F matches)
{
    usize n = 0;
    for (u32 w : code.words)
        n += matches(w);
    return n;
}

bool is_addw(u32 w) { return r_type(w, 0x3b, 0, 0); }
bool is_add(u32 w) { return r_type(w, 0x33, 0, 0); }
bool is_slt(u32 w) { return r_type(w, 0x33, 2, 0); }
bool is_fadd_d(u32 w) { return opcode(w) == 0x53 && funct7(w) == 0b0000001; }
bool is_lw(u32 w) { return opcode(w) == 0x03 && funct3(w) == 2; }
bool is_branch(u32 w, u32 f3) { return opcode(w) == 0x63 && funct3(w) == f3; }
// Zbb min (f3 100), minu (101), max (110), maxu (111).
bool is_min_max(u32 w, u32 f3) { return r_type(w, 0x33, f3, 0b0000101); }
bool is_move(u32 w) { return opcode(w) == 0x13 && funct3(w) == 0 && (w >> 20) == 0 && rd(w) != rs1(w) && rd(w) != 0; }
// From t0-t3, the first temporaries the value stack allocates.
bool is_move_from_temp(u32 w) { return is_move(w) && ((rs1(w) >= 5 && rs1(w) <= 7) || rs1(w) == 28); }
bool is_ld(u32 w) { return opcode(w) == 0x03 && funct3(w) == 3; }

} // namespace

TEST(BaselineCode, LocalSetOfAComputedValueWritesTheHome)
{
    // i32.add, f64.add and i32.load each write the homed local directly.
    Code code = compile(R"((module (memory 1)
        (func (export "f") (param i32 i32 f64 f64) (result i32) (local i32 f64 i32)
          local.get 0 local.get 1 i32.add local.set 4
          local.get 2 local.get 3 f64.add local.set 5
          local.get 4 i32.load local.set 6
          local.get 4 local.get 6 i32.add)))",
        with_zbb());
    ASSERT_TRUE(code.error.empty()) << code.error;
    EXPECT_EQ(count(code, [](u32 w) { return is_addw(w) && gp_home(rd(w)); }), 1u);
    EXPECT_EQ(count(code, [](u32 w) { return is_fadd_d(w) && fp_home(rd(w)); }), 1u);
    EXPECT_EQ(count(code, [](u32 w) { return is_lw(w) && gp_home(rd(w)); }), 1u);
    // No move from a temporary into a home anywhere.
    EXPECT_EQ(count(code, [](u32 w) { return is_move_from_temp(w) && gp_home(rd(w)); }), 0u);
}

TEST(BaselineCode, LocalSetAfterASelectStillMoves)
{
    // The select's last instruction is followed by its join label: the
    // other path reaches the label with the value in the temporary, so the
    // home gets it by a move after the label, not by rewriting the move
    // before it.
    Code code = compile(R"((module
        (func (export "f") (param i32 i32 i32) (result i32) (local i32)
          local.get 0 local.get 1 i32.add
          local.get 1 local.get 0 i32.sub
          local.get 2 select local.set 3 local.get 3)))",
        with_zbb());
    ASSERT_TRUE(code.error.empty()) << code.error;
    EXPECT_EQ(count(code, [](u32 w) { return is_move_from_temp(w) && gp_home(rd(w)); }), 1u);
}

TEST(BaselineCode, SelectBranchesOnAPendingCompare)
{
    Code code = compile(R"((module
        (func (export "f") (param i32 i32 i32 i32) (result i32)
          local.get 0 local.get 1 local.get 2 local.get 3 i32.lt_s select)))",
        with_zbb());
    ASSERT_TRUE(code.error.empty()) << code.error;
    EXPECT_EQ(count(code, is_slt), 0u);
    EXPECT_EQ(count(code, [](u32 w) { return is_branch(w, 0b100) && gp_home(rs1(w)) && gp_home(rs2(w)); }), 1u);
}

TEST(BaselineCode, ClampSelectsAreMinAndMaxWithZbb)
{
    // select(x, c, x < c) = min; select(x, c, x > c) = max; swapped
    // operands swap them; unsigned compares give minu/maxu.
    const char* text = R"((module
        (func (export "min") (param i32) (result i32)
          local.get 0 i32.const 32767 local.get 0 i32.const 32767 i32.lt_s select)
        (func (export "max") (param i64) (result i64)
          local.get 0 i64.const -5 local.get 0 i64.const -5 i64.gt_s select)
        (func (export "maxu") (param i32 i32) (result i32)
          local.get 1 local.get 0 local.get 0 local.get 1 i32.lt_u select)
        (func (export "minu") (param i32 i32) (result i32)
          local.get 0 local.get 1 local.get 0 local.get 1 i32.le_u select)))";
    Code code = compile(text, with_zbb());
    ASSERT_TRUE(code.error.empty()) << code.error;
    EXPECT_EQ(count(code, [](u32 w) { return is_min_max(w, 0b100); }), 1u);
    EXPECT_EQ(count(code, [](u32 w) { return is_min_max(w, 0b110); }), 1u);
    EXPECT_EQ(count(code, [](u32 w) { return is_min_max(w, 0b111); }), 1u);
    EXPECT_EQ(count(code, [](u32 w) { return is_min_max(w, 0b101); }), 1u);
    // Without Zbb: branches, no min/max.
    Code scalar = compile(text, scalar_without_c());
    ASSERT_TRUE(scalar.error.empty()) << scalar.error;
    for (u32 f3 : { 0b100u, 0b101u, 0b110u, 0b111u })
        EXPECT_EQ(count(scalar, [&](u32 w) { return is_min_max(w, f3); }), 0u);
}

TEST(BaselineCode, ClampSelectNeedsTheSameOperands)
{
    // select(x, 7, x < 8) is no min: the constants differ.
    Code code = compile(R"((module
        (func (export "f") (param i32) (result i32)
          local.get 0 i32.const 7 local.get 0 i32.const 8 i32.lt_s select)))",
        with_zbb());
    ASSERT_TRUE(code.error.empty()) << code.error;
    for (u32 f3 : { 0b100u, 0b101u, 0b110u, 0b111u })
        EXPECT_EQ(count(code, [&](u32 w) { return is_min_max(w, f3); }), 0u);
}

TEST(BaselineCode, ExtendI32SOfASignExtendedValueIsFree)
{
    // i32 values are kept sign-extended (jit/Abi.h): the add reads both
    // homes directly, no copy in between.
    Code code = compile(R"((module
        (func (export "f") (param i32 i64) (result i64)
          local.get 0 i64.extend_i32_s local.get 1 i64.add)))",
        with_zbb());
    ASSERT_TRUE(code.error.empty()) << code.error;
    EXPECT_EQ(count(code, [](u32 w) { return is_add(w) && gp_home(rs1(w)) && gp_home(rs2(w)); }), 1u);
}

TEST(BaselineCode, ReturnOfAComputedValueWritesA0)
{
    // The add writes a0 itself; no move before the epilogue.
    Code code = compile(R"((module
        (func (export "f") (param i32 i32) (result i32)
          local.get 0 local.get 1 i32.add)))",
        with_zbb());
    ASSERT_TRUE(code.error.empty()) << code.error;
    EXPECT_EQ(count(code, [](u32 w) { return is_addw(w) && rd(w) == 10; }), 1u);
    EXPECT_EQ(count(code, [](u32 w) { return is_move(w) && rd(w) == 10; }), 0u);
}

TEST(BaselineCode, ParametersAndZeroedLocalsStartInTheirHomes)
{
    // A leaf function: its homed parameters and locals are never read from
    // their slots (moved in from a0/a1 and x0, stored only before a call).
    Code code = compile(R"((module
        (func (export "f") (param i32 i64) (result i64) (local i32)
          local.get 0 local.get 2 i32.add i64.extend_i32_s local.get 1 i64.add)))",
        with_zbb());
    ASSERT_TRUE(code.error.empty()) << code.error;
    EXPECT_EQ(count(code, [](u32 w) { return is_ld(w) && gp_home(rd(w)); }), 0u);
    EXPECT_EQ(count(code, [](u32 w) { return is_move(w) && gp_home(rd(w)) && (rs1(w) == 10 || rs1(w) == 11); }), 2u);
}

TEST(BaselineCode, MoreLocalsThanHomesGiveTheLoopsLocalAHome)
{
    // Ten integer locals for eight homes: local 9, the loop's counter, is
    // the last by index but the most used by loop weight, so it gets a home
    // and its increment is one addiw on that register (the first eight by
    // index would leave it in its slot: lw, addiw, sw).
    Code code = compile(R"((module
        (func (export "f") (param i32) (result i32) (local i32 i32 i32 i32 i32 i32 i32 i32 i32)
          i32.const 1 local.set 1 i32.const 2 local.set 2 i32.const 3 local.set 3
          i32.const 4 local.set 4 i32.const 5 local.set 5 i32.const 6 local.set 6
          i32.const 7 local.set 7 i32.const 8 local.set 8
          (loop
            local.get 9 i32.const 1 i32.add local.set 9
            local.get 9 local.get 0 i32.lt_s br_if 0)
          local.get 9)))",
        with_zbb());
    ASSERT_TRUE(code.error.empty()) << code.error;
    auto is_increment_in_home = [](u32 w) {
        return opcode(w) == 0x1b && funct3(w) == 0 && (w >> 20) == 1 && gp_home(rd(w)) && rs1(w) == rd(w);
    };
    EXPECT_EQ(count(code, is_increment_in_home), 1u);
}
