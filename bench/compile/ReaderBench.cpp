// Compile-speed benchmark (DESIGN.md "How it is measured"): read + validate
// throughput of the wasm front end, in bytes/second of module, over the
// Sightglass workloads in ../shared/workloads (or $K23_WORKLOADS). Also
// reports the module metadata size relative to the binary (the target is
// under 2x).
//
// Built without sanitizers as the standalone project bench/compile:
//   cmake -G Ninja -S bench/compile -B build/bench-compile -DCMAKE_BUILD_TYPE=Release
//   ninja -C build/bench-compile && build/bench-compile/k23-bench-reader

#include <wasm/BinaryReader.h>

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace k23;
using namespace k23::wasm;

namespace {

struct Workload {
    std::string name;
    std::vector<u8> bytes;
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
            Workload w { dir.path().filename().string(), { std::istreambuf_iterator<char>(in), {} } };
            workloads.push_back(std::move(w));
        }
    }
    return workloads;
}

void read_validate(benchmark::State& state, const Workload* w)
{
    usize metadata = 0;
    for (auto _ : state) {
        auto module = read_module(ReadonlyBytes(w->bytes.data(), w->bytes.size()));
        if (module.is_error()) {
            state.SkipWithError(module.error().message_cstring());
            return;
        }
        metadata = module.value().metadata_size();
        benchmark::DoNotOptimize(module);
    }
    state.SetBytesProcessed(i64(state.iterations()) * i64(w->bytes.size()));
    state.counters["module_bytes"] = double(w->bytes.size());
    state.counters["metadata_ratio"] = double(metadata) / double(w->bytes.size());
}

void read_validate_all(benchmark::State& state, const std::vector<Workload>* all)
{
    usize total = 0;
    for (auto _ : state) {
        for (const Workload& w : *all) {
            auto module = read_module(ReadonlyBytes(w.bytes.data(), w.bytes.size()));
            if (module.is_error()) {
                state.SkipWithError((w.name + ": " + module.error().message_cstring()).c_str());
                return;
            }
            benchmark::DoNotOptimize(module);
        }
    }
    for (const Workload& w : *all)
        total += w.bytes.size();
    state.SetBytesProcessed(i64(state.iterations()) * i64(total));
}

} // namespace

int main(int argc, char** argv)
{
    static std::vector<Workload> workloads = load_workloads();
    if (workloads.empty()) {
        std::fprintf(stderr, "k23-bench-reader: no workloads found (set K23_WORKLOADS)\n");
        return 1;
    }
    for (const Workload& w : workloads)
        benchmark::RegisterBenchmark(("read_validate/" + w.name).c_str(), read_validate, &w)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("read_validate/all", read_validate_all, &workloads)->Unit(benchmark::kMillisecond);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
