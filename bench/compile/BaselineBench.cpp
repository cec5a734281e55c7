// Compile-speed benchmark (DESIGN.md "How it is measured"): the baseline
// tier compiling whole modules on the host as a cross-compiler for riscv64,
// in bytes/second of module (the module is read and validated once, outside
// the timed loop). Counters: code_per_wasm_byte = machine code bytes (with
// trap stubs and pools) per byte of function bodies, and islands (branch
// islands the code holder inserted). Modules: the Sightglass workloads in
// ../shared/workloads (or $K23_WORKLOADS, as the reader benchmark), for a
// hart without V (rv64gc: v128 takes the scalar path). baseline/all
// compiles every module that compiles. SIMD-heavy modules (the workloads
// named *simd*) are also compiled for RVV and for the scalar path:
// baseline_simd_rvv/all and baseline_simd_scalar/all. optimizing/all: the
// optimizing tier over the same modules for rv64gc (jit/Compile.h; what it
// cannot compile yet falls back to the baseline, inside the timing).
//
//   cmake -G Ninja -S bench/compile -B build/bench-compile -DCMAKE_BUILD_TYPE=Release
//   ninja -C build/bench-compile && build/bench-compile/k23-bench-baseline

#include <base/Platform.h>
#include <jit/baseline/Compiler.h>
#include <wasm/BinaryReader.h>

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

using namespace k23;
using namespace k23::wasm;

namespace {

struct Workload {
    std::string name;
    std::vector<u8> bytes;
    std::unique_ptr<Module> module;
    std::string error;
};

std::vector<Workload> load_workloads()
{
    std::vector<Workload> workloads;
    const char* env = std::getenv("K23_WORKLOADS");
    std::filesystem::path root = env ? env : K23_DEFAULT_WORKLOADS;
    std::error_code ec;
    for (auto& dir : std::filesystem::directory_iterator(root / "sightglass", ec)) {
        for (auto& file : std::filesystem::directory_iterator(dir.path(), ec)) {
            if (file.path().extension() != ".wasm")
                continue;
            std::ifstream in(file.path(), std::ios::binary);
            Workload w { dir.path().filename().string(), { std::istreambuf_iterator<char>(in), {} }, nullptr, {} };
            auto module = read_module(ReadonlyBytes(w.bytes.data(), w.bytes.size()));
            if (module.is_error())
                w.error = module.error().message_cstring();
            else
                w.module = std::make_unique<Module>(module.release_value());
            workloads.push_back(std::move(w));
        }
    }
    return workloads;
}

enum class Target : u8 {
    Rv64gc,
    Rv64gcv,
    Optimizing, // the optimizing tier for rv64gc (its fallbacks to the baseline included)
};

jit::baseline::CompileEnvironment environment(Target target)
{
    jit::baseline::CompileEnvironment env;
    env.features = riscv64::CpuFeatures::rv64gc();
    if (target == Target::Rv64gcv)
        env.features = env.features.with(riscv64::Extension::V);
    env.landing_pad = 0x10000; // never executed: any address will do
    return env;
}

// Compiles once; returns false with the message if the module does not compile.
bool compile_once(const Workload& w, usize& code_bytes, usize& islands, std::string& error, Target target = Target::Rv64gc)
{
    jit::CompiledModule out;
    auto r = target == Target::Optimizing
        ? jit::compile_module(*w.module, environment(target), jit::Tier::Optimizing, out)
        : jit::baseline::compile_module(*w.module, environment(target), out);
    code_bytes = out.code_size;
    islands = out.islands;
    if (out.code)
        platform_code_release(out.code, out.code_size);
    if (r.is_error()) {
        error = w.name + ": " + r.error().message_cstring();
        return false;
    }
    return true;
}

usize body_bytes(const Module& module)
{
    usize total = 0;
    for (const auto& f : module.functions())
        total += f.body.size;
    return total;
}

void compile_baseline(benchmark::State& state, const Workload* w)
{
    usize code = 0, islands = 0;
    std::string error;
    for (auto _ : state) {
        if (!compile_once(*w, code, islands, error)) {
            state.SkipWithError(error.c_str());
            return;
        }
    }
    state.SetBytesProcessed(i64(state.iterations()) * i64(w->bytes.size()));
    state.counters["module_bytes"] = double(w->bytes.size());
    state.counters["code_bytes"] = double(code);
    state.counters["code_per_wasm_byte"] = double(code) / double(body_bytes(*w->module));
    state.counters["islands"] = double(islands);
}

void compile_all(benchmark::State& state, const std::vector<const Workload*>* all, Target target)
{
    usize code = 0, islands = 0, total_code = 0, bodies = 0, total = 0;
    std::string error;
    for (auto _ : state) {
        total_code = 0;
        for (const Workload* w : *all) {
            if (!compile_once(*w, code, islands, error, target)) {
                state.SkipWithError(error.c_str());
                return;
            }
            total_code += code;
        }
    }
    for (const Workload* w : *all) {
        total += w->bytes.size();
        bodies += body_bytes(*w->module);
    }
    state.SetBytesProcessed(i64(state.iterations()) * i64(total));
    state.counters["code_bytes"] = double(total_code);
    state.counters["code_per_wasm_byte"] = double(total_code) / double(bodies);
}

} // namespace

int main(int argc, char** argv)
{
    static std::vector<Workload> workloads = load_workloads();
    static std::vector<const Workload*> compiling;
    static std::vector<const Workload*> simd;
    if (workloads.empty()) {
        std::fprintf(stderr, "k23-bench-baseline: no workloads found (set K23_WORKLOADS)\n");
        return 1;
    }
    for (const Workload& w : workloads) {
        std::string error;
        usize code = 0, islands = 0;
        if (!w.module) {
            std::fprintf(stderr, "k23-bench-baseline: %s does not read: %s\n", w.name.c_str(), w.error.c_str());
            continue;
        }
        if (!compile_once(w, code, islands, error)) {
            std::fprintf(stderr, "k23-bench-baseline: skipping %s\n", error.c_str());
            continue;
        }
        compiling.push_back(&w);
        if (w.name.find("simd") != std::string::npos)
            simd.push_back(&w);
        benchmark::RegisterBenchmark(("baseline/" + w.name).c_str(), compile_baseline, &w)->Unit(benchmark::kMicrosecond);
    }
    benchmark::RegisterBenchmark("baseline/all", compile_all, &compiling, Target::Rv64gc)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("optimizing/all", compile_all, &compiling, Target::Optimizing)->Unit(benchmark::kMillisecond);
    if (!simd.empty()) {
        benchmark::RegisterBenchmark("baseline_simd_rvv/all", compile_all, &simd, Target::Rv64gcv)->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark("baseline_simd_scalar/all", compile_all, &simd, Target::Rv64gc)->Unit(benchmark::kMillisecond);
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
