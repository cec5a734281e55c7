// The optimizing tier on many modules: every function of random modules
// from binaryen's fuzzer (`wasm-opt -ttf`, deterministic seeds) and of the
// Sightglass workloads is built, verified, printed, and run through each
// pass and the pipeline with the verifier after every step. A function may
// be refused only with Unsupported (SIMD); anything else is a bug.

#include "IrInterpreter.h"
#include "OptimizingTestHelpers.h"

#include <jit/optimizing/Passes.h>

#include <algorithm>
#include <filesystem>

using namespace k23;
using namespace k23::jit::optimizing;
using namespace k23::jit::optimizing::test;

namespace {

struct Totals {
    usize modules { 0 };
    usize functions { 0 };
    usize unsupported { 0 };
    usize insts_before { 0 };
    usize insts_after { 0 };
    usize runs { 0 };
    usize returned { 0 };
    usize trace_words { 0 };
    usize inlined { 0 };
};

// Arguments for the differential runs: edge values and random bits.
std::vector<std::vector<u64>> argument_sets(const Function& f, u64 seed)
{
    static constexpr u64 interesting[] = {
        0, 1, 2, 7, 0xffffffffull, 0x80000000ull, 0x7fffffffull, ~u64(0), 0x8000000000000000ull,
        0x3f800000ull /* 1.0f */, 0x7fc00000ull /* NaN f */, 0x4059000000000000ull /* 100.0 */,
        0xfff8000000000000ull /* NaN */, 0x43e0000000000000ull /* 2^63 */, 65528, 16,
    };
    std::vector<std::vector<u64>> sets;
    u64 x = seed * 0x9e3779b97f4a7c15ull + 7;
    for (u32 n = 0; n < 4; ++n) {
        std::vector<u64> args;
        for (usize k = 0; k < f.param_types.size(); ++k) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            args.push_back(x % 3 ? interesting[x % (sizeof(interesting) / sizeof(interesting[0]))] : x);
        }
        sets.push_back(args);
    }
    return sets;
}

std::string describe(const Outcome& o)
{
    std::string s = o.end == Outcome::End::Trapped ? "trap " + std::to_string(o.trap) : o.end == Outcome::End::OutOfFuel ? "out of fuel" : "results";
    for (u64 r : o.results)
        s += " " + std::to_string(r);
    s += ", " + std::to_string(o.trace.size()) + " trace words";
    return s;
}

// Every defined function of `bytes` (which must read) through the tier.
void check_module(const WasmBytes& bytes, const std::string& what, Totals& totals, bool must_read)
{
    auto m = read(bytes);
    if (m.is_error()) {
        if (must_read)
            ADD_FAILURE() << what << ": " << message_of(m.error());
        return;
    }
    const wasm::Module& module = m.value();
    ++totals.modules;
    Function f;
    for (u32 index = 0; index < module.functions().size(); ++index) {
        if (module.functions()[index].imported)
            continue;
        ++totals.functions;
        auto built = build_function(module, index, f);
        if (built.is_error()) {
            if (built.error().code() == ErrorCode::Unsupported) {
                ++totals.unsupported;
                continue;
            }
            ADD_FAILURE() << what << " function " << index << ": " << message_of(built.error());
            continue;
        }
        auto check = [&](const char* step) {
            auto v = verify_function(f);
            if (v.is_error()) {
                ADD_FAILURE() << what << " function " << index << " after " << step << ": " << message_of(v.error())
                              << "\n"
                              << print(f).substr(0, 4000);
                return false;
            }
            return true;
        };
        if (!check("build"))
            continue;
        bool has_v128 = false;
        for (const Value& value : f.values)
            has_v128 |= value.type == Type::V128;
        if (has_v128) {
            ++totals.unsupported; // the IR interpreter has no v128 (SIMD runs in the spec suite)
            continue;
        }
        // What the function does before the passes, on a few inputs.
        std::vector<std::vector<u64>> inputs = argument_sets(f, index);
        std::vector<Outcome> before;
        for (const auto& args : inputs)
            before.push_back(IrInterpreter(f).run(args));
        totals.insts_before += f.live_inst_count();
        EXPECT_FALSE(print(f).empty());
        struct Step {
            Pass pass;
            const char* name;
        };
        const Step steps[] = {
            // (What a hart without Zbb gets: run on every function here,
            // so the interpreter checks it against the operations.)
            { expand_bit_operations, "expand_bit_operations" },
            { fold_constants, "fold_constants" },
            { propagate_copies, "propagate_copies" },
            { number_values, "number_values" },
            { eliminate_redundant_loads, "eliminate_redundant_loads" },
            { eliminate_dead_code, "eliminate_dead_code" },
            { hoist_loop_invariants, "hoist_loop_invariants" },
            { reduce_strength, "reduce_strength" },
            { thread_jumps, "thread_jumps" },
            { merge_blocks, "merge_blocks" },
        };
        bool ok = true;
        for (const Step& step : steps) {
            auto changed = step.pass(f);
            if (changed.is_error()) {
                ADD_FAILURE() << what << " function " << index << ": " << step.name << ": " << message_of(changed.error());
                ok = false;
                break;
            }
            if (!check(step.name)) {
                ok = false;
                break;
            }
        }
        if (!ok)
            continue;
        auto optimized = optimize(f);
        if (optimized.is_error()) {
            ADD_FAILURE() << what << " function " << index << ": optimize: " << message_of(optimized.error());
            continue;
        }
        if (!check("optimize"))
            continue;
        totals.insts_after += f.live_inst_count();
        // ... is what it does after them (unless it ran out of fuel).
        for (usize n = 0; n < inputs.size(); ++n) {
            if (before[n].end == Outcome::End::OutOfFuel)
                continue;
            ++totals.runs;
            totals.returned += before[n].end == Outcome::End::Returned;
            totals.trace_words += before[n].trace.size();
            Outcome now = IrInterpreter(f, 1000000).run(inputs[n]);
            if (!(now == before[n])) {
                ADD_FAILURE() << what << " function " << index << ": the passes changed what it does: before "
                              << describe(before[n]) << ", after " << describe(now) << "\n"
                              << print(f).substr(0, 4000);
                break;
            }
        }
        // The pipeline reaches a fixed point: another round changes nothing
        // that the verifier could object to, and DCE finds nothing new.
        auto again = eliminate_dead_code(f);
        EXPECT_FALSE(again.is_error());
        check("eliminate_dead_code again");
        // Inlining the function's small callees (the interpreter models
        // calls as effects, so only the verifier judges it), then the
        // pipeline over the result.
        auto inlined = inline_calls(f, InlineOptions {});
        if (inlined.is_error()) {
            ADD_FAILURE() << what << " function " << index << ": inline_calls: " << message_of(inlined.error());
            continue;
        }
        totals.inlined += inlined.value();
        if (!check("inline_calls"))
            continue;
        EXPECT_FALSE(optimize(f).is_error());
        check("optimize after inline_calls");
    }
}

Result<bool> optimize_pass(Function& f) noexcept
{
    TRY(optimize(f));
    return true;
}

// Deterministic bytes for wasm-opt's -ttf input (xorshift64*).
WasmBytes seed_bytes(u64 seed, usize size)
{
    WasmBytes out(size);
    u64 x = seed * 0x9e3779b97f4a7c15ull + 1;
    for (usize i = 0; i < size; ++i) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out[i] = u8((x * 0x2545f4914f6cdd1dull) >> 56);
    }
    return out;
}

} // namespace

TEST(OptimizingFuzz, RandomModulesFromBinaryen)
{
    if (!have_tool("wasm-opt"))
        GTEST_SKIP() << "wasm-opt (Debian's binaryen) is not installed";
    TempDir dir;
    Totals totals;
    constexpr u32 seeds = 60;
    for (u32 seed = 1; seed <= seeds; ++seed) {
        std::string input = dir.path + "/seed.bin";
        std::string output = dir.path + "/out.wasm";
        {
            WasmBytes bytes = seed_bytes(seed, 4096 + seed * 97);
            std::ofstream out(input, std::ios::binary);
            out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
        }
        // Most seeds scalar (what the tier compiles); every fourth with
        // SIMD too, which must come back Unsupported, cleanly.
        std::string features = "--enable-sign-ext --enable-nontrapping-float-to-int --enable-bulk-memory "
                               "--enable-multivalue --enable-mutable-globals";
        if (seed % 4 == 0)
            features += " --enable-simd";
        if (seed % 3 == 0)
            features += " --enable-tail-call";
        std::string cmd = "wasm-opt -ttf '" + input + "' " + features + " -o '" + output + "' >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0)
            continue;
        check_module(read_file(output), "wasm-opt -ttf seed " + std::to_string(seed), totals, false);
    }
    EXPECT_GT(totals.modules, seeds / 2) << "most generated modules should read";
    EXPECT_GT(totals.functions - totals.unsupported, totals.modules) << "and most functions build";
    EXPECT_GT(totals.runs, totals.functions) << "most functions run in the differential check";
    std::printf("[ optimizing ] %zu random modules, %zu functions (%zu unsupported), %zu -> %zu instructions, %zu runs compared (%zu returned, %zu trace words)\n",
        totals.modules, totals.functions, totals.unsupported, totals.insts_before, totals.insts_after, totals.runs,
        totals.returned, totals.trace_words);
}

TEST(OptimizingFuzz, SightglassWorkloads)
{
    const char* env = std::getenv("K23_WORKLOADS");
    std::string self = __FILE__;
    std::string repo = self.substr(0, self.rfind("/tests/jit/"));
    std::string root = env ? env : repo + "/../shared/workloads";
    std::error_code ec;
    Totals totals;
    for (auto& dir : std::filesystem::directory_iterator(root + "/sightglass", ec)) {
        for (auto& file : std::filesystem::directory_iterator(dir.path(), ec)) {
            if (file.path().extension() != ".wasm")
                continue;
            check_module(read_file(file.path()), file.path().string(), totals, true);
        }
    }
    if (totals.modules == 0)
        GTEST_SKIP() << "no workloads at " << root;
    EXPECT_GT(totals.inlined, 0u) << "the workloads have small callees to inline";
    std::printf("[ optimizing ] %zu workloads, %zu functions (%zu unsupported), %zu -> %zu instructions, %zu runs compared (%zu returned, %zu trace words), %zu calls inlined\n",
        totals.modules, totals.functions, totals.unsupported, totals.insts_before, totals.insts_after, totals.runs,
        totals.returned, totals.trace_words, totals.inlined);
}

// The reference interpreter itself: known answers, a trap, and a wrong
// rewrite that the differential check must notice.
TEST(OptimizingFuzz, InterpreterKnowsTheAnswers)
{
    IrCase c(R"((module (memory 1) (func (export "f") (param $n i32) (param $d i32) (result i32) (local $s i32)
        loop $l
          local.get $s local.get $n i32.add local.set $s
          local.get $n i32.const 1 i32.sub local.tee $n
          br_if $l
        end
        (i32.store offset=8 (i32.const 0) (local.get $s))
        (i32.div_u (i32.load offset=8 (i32.const 0)) (local.get $d)))))",
        "f");
    ASSERT_EQ(c.error, "");
    Outcome sum = IrInterpreter(c.function).run({ 10, 5 });
    ASSERT_EQ(sum.end, Outcome::End::Returned);
    EXPECT_EQ(sum.results, std::vector<u64>({ 11 })); // (10 + 9 + ... + 1) / 5
    EXPECT_EQ(sum.trace, std::vector<u64>({ 0x5707e, 8, 4, 55 })); // the store
    Outcome trap = IrInterpreter(c.function).run({ 3, 0 });
    EXPECT_EQ(trap.end, Outcome::End::Trapped);
    EXPECT_EQ(trap.trap, u8(wasm::TrapCode::IntegerDivideByZero));

    // A "pass" that turns the subtraction into an addition changes what
    // the function does; the oracle must see it.
    c.run(optimize_pass, "optimize");
    for (InstId i = 0; i < c.function.insts.size(); ++i) {
        Inst& inst = c.function.insts[i];
        if (!inst.removed && inst.op == Op::Numeric && inst.wasm_op == Opcode::I32Sub)
            inst.wasm_op = Opcode::I32Add;
    }
    Outcome wrong = IrInterpreter(c.function, 100000).run({ 10, 5 });
    EXPECT_FALSE(wrong == sum);
}

// The spec suite's modules (converted by `./k23 spec` or the host ring into
// build/spec): the core suite's corner cases of control flow, unreachable
// code and numerics. Modules that do not read (assert_invalid, ...) are
// skipped.
TEST(OptimizingFuzz, SpecSuiteModules)
{
    const char* env = std::getenv("K23_SPEC_WASM");
    std::string self = __FILE__;
    std::string repo = self.substr(0, self.rfind("/tests/jit/"));
    std::string root = env ? env : repo + "/build/spec/core";
    std::error_code ec;
    std::vector<std::string> files;
    for (auto it = std::filesystem::recursive_directory_iterator(root, ec); !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().extension() == ".wasm")
            files.push_back(it->path().string());
    }
    std::sort(files.begin(), files.end());
    Totals totals;
    for (const std::string& file : files)
        check_module(read_file(file), file, totals, false);
    if (totals.modules == 0)
        GTEST_SKIP() << "no converted spec modules at " << root;
    std::printf("[ optimizing ] %zu spec modules, %zu functions (%zu unsupported), %zu -> %zu instructions, %zu runs compared (%zu returned, %zu trace words)\n",
        totals.modules, totals.functions, totals.unsupported, totals.insts_before, totals.insts_after, totals.runs,
        totals.returned, totals.trace_words);
}

// Shapes that break recursive or quadratic code: 3000 nested blocks left
// by one br_table with a target per block, a loop assigning 500 locals,
// and 300 sequential ifs each assigning a different local.
TEST(OptimizingFuzz, DeepNestingWideTablesManyLocals)
{
    std::string wat = "(module (func (export \"f\") (param i32) (result i32)";
    for (int i = 0; i < 500; ++i)
        wat += " (local i32)";
    constexpr int depth = 3000;
    for (int i = 0; i < depth; ++i)
        wat += " block";
    wat += " local.get 0 br_table";
    for (int i = 0; i < depth; ++i)
        wat += " " + std::to_string(i);
    wat += " 0";
    for (int i = 0; i < depth; ++i)
        wat += " end local.get 0 i32.const " + std::to_string(i) + " i32.add local.set 0";
    wat += " loop $l";
    for (int i = 1; i <= 500; ++i)
        wat += " local.get " + std::to_string(i) + " local.get 0 i32.add local.set " + std::to_string(i);
    wat += " local.get 0 i32.const 1 i32.sub local.tee 0 br_if $l end";
    for (int i = 1; i <= 300; ++i)
        wat += " local.get 0 if local.get 0 local.set " + std::to_string(i) + " end";
    wat += " local.get 250)";
    wat += ")";
    IrCase c(wat, "f");
    ASSERT_EQ(c.error.substr(0, 200), "");
    c.run(optimize_pass, "optimize");
    ASSERT_EQ(c.error.substr(0, 200), "");
    EXPECT_GT(c.function.live_inst_count(), 1000u);
}
