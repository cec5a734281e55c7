#pragma once

// Compiling a module with a tier (DESIGN.md "The optimizing tier and
// tier-up"). Each tier compiles one function behind the same interface —
// compile_function(module, index, env, holder, traps) into a fresh
// CodeHolder, position independent, with its trap sites — and
// compile_module() lays the functions out in one code object
// (jit/Code.h). Under Tier::Optimizing a function the optimizing tier
// cannot compile yet (ErrorCode::Unsupported: SIMD, shapes it does not
// lower) is compiled by the baseline instead, and counted: code of both
// tiers obeys jit/Abi.h, so they call each other freely.

#include <arch/riscv64/asm/CodeHolder.h>
#include <arch/riscv64/asm/CpuFeatures.h>
#include <base/Result.h>
#include <base/StringView.h>
#include <base/Vector.h>
#include <jit/Code.h>
#include <jit/Helpers.h>
#include <wasm/Module.h>

namespace k23::jit {

enum class Tier : u8 {
    Baseline,
    Optimizing,
};

[[nodiscard]] StringView tier_name(Tier tier) noexcept;
// "baseline" or "optimizing"; false for anything else.
[[nodiscard]] bool parse_tier(StringView name, Tier& out) noexcept;

struct CompileEnvironment {
    riscv64::CpuFeatures features;
    u64 landing_pad { 0 }; // the engine's trap landing pad
    HelperTable helpers { native_helpers() }; // what helper calls jump to (jit/Helpers.h)
};

// What compile_module did per tier.
struct TierCounts {
    usize optimized { 0 };  // functions the optimizing tier compiled
    usize baseline { 0 };   // functions the baseline compiled
    usize fallbacks { 0 };  // of those, asked of the optimizing tier first
    // The reason of the first fallback (for --verbose), if any.
    char first_fallback[120] {};
};

Result<void> compile_module(const wasm::Module& module, const CompileEnvironment& env, Tier tier, CompiledModule& out,
    TierCounts* counts = nullptr) noexcept;

} // namespace k23::jit
