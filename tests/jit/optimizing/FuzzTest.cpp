// The optimizing tier on many modules: every function of random modules
// from binaryen's fuzzer (`wasm-opt -ttf`, deterministic seeds) and of the
// Sightglass workloads is built, verified, printed, and run through each
// pass and the pipeline with the verifier after every step. A function may
// be refused only with Unsupported (SIMD); anything else is a bug.

#include "OptimizingTestHelpers.h"

#include <jit/optimizing/Passes.h>

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
};

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
        totals.insts_before += f.live_inst_count();
        EXPECT_FALSE(print(f).empty());
        struct Step {
            Pass pass;
            const char* name;
        };
        const Step steps[] = {
            { fold_constants, "fold_constants" },
            { propagate_copies, "propagate_copies" },
            { number_values, "number_values" },
            { eliminate_dead_code, "eliminate_dead_code" },
            { hoist_loop_invariants, "hoist_loop_invariants" },
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
        // The pipeline reaches a fixed point: another round changes nothing
        // that the verifier could object to, and DCE finds nothing new.
        auto again = eliminate_dead_code(f);
        EXPECT_FALSE(again.is_error());
        check("eliminate_dead_code again");
    }
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
        std::string cmd = "wasm-opt -ttf '" + input + "' " + features + " -o '" + output + "' >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0)
            continue;
        check_module(read_file(output), "wasm-opt -ttf seed " + std::to_string(seed), totals, false);
    }
    EXPECT_GT(totals.modules, seeds / 2) << "most generated modules should read";
    EXPECT_GT(totals.functions - totals.unsupported, totals.modules) << "and most functions build";
    std::printf("[ optimizing ] %zu random modules, %zu functions (%zu unsupported), %zu -> %zu instructions\n",
        totals.modules, totals.functions, totals.unsupported, totals.insts_before, totals.insts_after);
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
    std::printf("[ optimizing ] %zu workloads, %zu functions (%zu unsupported), %zu -> %zu instructions\n",
        totals.modules, totals.functions, totals.unsupported, totals.insts_before, totals.insts_after);
}
