// libFuzzer target: every module the reader accepts is compiled by the
// baseline tier twice — for a hart with V (SIMD on RVV) and for RV64GC
// (the scalar SIMD path and the base-ISA fallbacks) — and by the
// optimizing tier (jit/Compile.h: its passes, allocator and lowering, with
// the per-function fallback to the baseline) for the same two harts, as the
// host's cross-compiler. A compile may fail only with an Error; a crash, hang or
// sanitizer report is a bug, and so is a compiled module whose functions or
// trap sites fall outside its code.
//
// Built by tests/fuzz/CMakeLists.txt and run by `./k23 fuzz compile`.

#include <base/Assertions.h>
#include <base/Platform.h>
#include <jit/Compile.h>
#include <wasm/BinaryReader.h>

using namespace k23;

static void compile_for(const wasm::Module& module, riscv64::CpuFeatures features, jit::Tier tier) noexcept
{
    jit::CompileEnvironment env;
    env.features = features;
    env.landing_pad = 0x10000; // never executed
    jit::CompiledModule out;
    auto result = jit::compile_module(module, env, tier, out);
    if (!result.is_error()) {
        VERIFY(out.code != nullptr);
        for (const jit::CompiledFunction& f : out.functions) {
            VERIFY(f.code_size > 0);
            VERIFY(u64(f.code_offset) + f.code_size <= out.code_size);
            VERIFY(u64(f.first_trap) + f.trap_count <= out.traps.size());
            for (u32 i = 0; i < f.trap_count; ++i) {
                u32 at = out.traps[f.first_trap + i].code_offset;
                VERIFY(at >= f.code_offset && at < f.code_offset + f.code_size);
            }
        }
    }
    if (out.code)
        platform_code_release(out.code, out.code_size);
}

extern "C" int LLVMFuzzerTestOneInput(const u8* data, usize size)
{
    wasm::ReadOptions options;
    options.features = wasm::Features::all();
    auto module = wasm::read_module(ReadonlyBytes(data, size), options);
    if (module.is_error())
        return 0;
    auto base = riscv64::CpuFeatures::rv64gc();
    auto full = base.with(riscv64::Extension::V).with(riscv64::Extension::Zba).with(riscv64::Extension::Zbb).with(riscv64::Extension::Zbs).with(riscv64::Extension::Zicond);
    constexpr jit::Tier tiers[] = { jit::Tier::Baseline, jit::Tier::Optimizing };
    for (jit::Tier tier : tiers) {
        compile_for(module.value(), full, tier);
        compile_for(module.value(), base, tier);
    }
    return 0;
}
