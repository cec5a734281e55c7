#pragma once

// The optimizing tier as a host-side cross-compiler, for the tests that
// look at the code it produces (LowerTest, LowerSimdTest, RegAllocCodeTest):
// a module compiled whole with its tier counts, and the code's instruction
// words counted by a predicate. Nothing here executes the code.

#include "OptimizingTestHelpers.h"

#include <jit/Compile.h>
#include <jit/optimizing/Lower.h>

namespace k23::jit::optimizing::test {

using riscv64::CpuFeatures;
using riscv64::Extension;

struct Compiled {
    std::unique_ptr<wasm::Module> module; // the code object points at it
    jit::CompiledModule code;
    jit::TierCounts counts;
    bool ok { false };
    std::string error;

    Compiled() = default;
    Compiled(const Compiled&) = delete;
    Compiled& operator=(const Compiled&) = delete;
    ~Compiled()
    {
        if (code.code)
            platform_code_release(code.code, code.code_size);
    }
};

// compile_module in the optimizing tier for `features` (the landing pad is
// never executed); out.ok, or out.error with the reason.
inline void compile(const WasmBytes& bytes, CpuFeatures features, Compiled& out)
{
    auto module = read(bytes);
    ASSERT_FALSE(module.is_error()) << message_of(module.error());
    out.module = std::make_unique<wasm::Module>(module.release_value());
    jit::CompileEnvironment env;
    env.features = features;
    env.landing_pad = 0x10000;
    auto result = jit::compile_module(*out.module, env, jit::Tier::Optimizing, out.code, &out.counts);
    out.ok = !result.is_error();
    if (!out.ok)
        out.error = message_of(result.error());
}

// Where an instruction may start: at any 2-byte boundary (code with C,
// where compressed instructions move the 4-byte ones), or only at 4-byte
// ones (code compiled without C, every instruction one aligned word).
enum class Stride : u8 {
    Halfword = 2,
    Word = 4,
};

// How many 32-bit little-endian words of the code, read at every `stride`,
// satisfy `matches`.
template<typename F>
usize count_words(const jit::CompiledModule& m, Stride stride, F matches)
{
    usize n = 0;
    for (usize at = 0; at + 4 <= m.code_size; at += usize(stride)) {
        u32 w = u32(m.code[at]) | u32(m.code[at + 1]) << 8 | u32(m.code[at + 2]) << 16 | u32(m.code[at + 3]) << 24;
        n += matches(w) ? 1 : 0;
    }
    return n;
}

} // namespace k23::jit::optimizing::test
