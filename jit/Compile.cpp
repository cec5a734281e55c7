// compile_module (jit/Compile.h): every function through its tier's
// compile_function, laid out in one code object.

#include <base/Format.h>
#include <base/Memory.h>
#include <base/Platform.h>
#include <jit/Compile.h>
#include <jit/baseline/Compiler.h>
#include <jit/optimizing/Lower.h>

namespace k23::jit {

StringView tier_name(Tier tier) noexcept
{
    switch (tier) {
    case Tier::Optimizing: return "optimizing"_sv;
    case Tier::Auto: return "auto"_sv;
    default: return "baseline"_sv;
    }
}

bool parse_tier(StringView name, Tier& out) noexcept
{
    if (name == "baseline"_sv) {
        out = Tier::Baseline;
        return true;
    }
    if (name == "optimizing"_sv) {
        out = Tier::Optimizing;
        return true;
    }
    if (name == "auto"_sv) {
        out = Tier::Auto;
        return true;
    }
    return false;
}

Result<void> compile_module(const wasm::Module& module, const CompileEnvironment& env, Tier tier, CompiledModule& out,
    TierCounts* counts) noexcept
{
    out.module = &module;
    out.module_serial = module.serial();
    out.first_function = module.imported_function_count();
    u32 count = u32(module.functions().size()) - out.first_function;
    out.functions.clear();
    out.traps.clear();
    TRY(out.functions.try_resize(count));
    Vector<u8> code;
    Vector<TrapSite> traps;
    // Tier::Auto: everything starts in the baseline, counting.
    CompileEnvironment baseline_env = env;
    baseline_env.count_for_tier_up = tier == Tier::Auto;
    if (tier == Tier::Auto) {
        TRY(out.tier_up_state.try_resize(count, u8(TierUpState::Counting)));
        TRY(out.optimized_code.try_resize(count, nullptr));
    }
    wasm::DecoderScratch scratch;
    optimizing::LowerScratch* lower = nullptr;
    if (tier == Tier::Optimizing)
        lower = TRY(optimizing::LowerScratch::create());
    bool module_wide = baseline::Compiler::module_needs_wide(module);
    // One holder for every function: reset, its buffers stay. Both buffers
    // start at about what they will need (the baseline writes ~3 bytes of
    // RV64 per byte of body), not grown by copying from empty.
    riscv64::CodeHolder holder(env.features);
    usize body_bytes = 0, largest_body = 0;
    for (u32 i = 0; i < count; ++i) {
        usize size = module.functions()[out.first_function + i].body.size;
        body_bytes += size;
        largest_body = size > largest_body ? size : largest_body;
    }
    holder.reserve(4 * largest_body + 256);
    TRY(code.try_ensure_capacity(3 * body_bytes + 16 * usize(count)));
    Result<void> status;
    for (u32 i = 0; i < count && !status.is_error(); ++i) {
        u32 index = out.first_function + i;
        traps.clear();
        holder.reset();
        bool done = false;
        if (lower) {
            auto result = optimizing::compile_function(module, index, env, *lower, holder, traps);
            if (!result.is_error()) {
                done = true;
                if (counts)
                    ++counts->optimized;
            } else if (result.error().code() == ErrorCode::OutOfMemory) {
                status = result.release_error();
                break;
            } else if (counts) {
                // Per function, never silently: counted, the first reason kept.
                if (counts->fallbacks++ == 0) {
                    format_to(Span<char>(counts->first_fallback, sizeof counts->first_fallback - 1), "func[{}]: {}"_sv,
                        index, result.error().message());
                }
            }
        }
        if (!done) {
            traps.clear();
            holder.reset(); // empty again for the baseline
            status = baseline::compile_function(module, index, baseline_env, module_wide, scratch, holder, traps);
            if (status.is_error())
                break;
            if (counts)
                ++counts->baseline;
        }
        status = holder.finalize();
        if (status.is_error())
            break;
        if (counts)
            (done ? counts->optimized_bytes : counts->baseline_bytes) += holder.code_size();
        out.islands += holder.island_count();
        // Functions start 16-byte aligned; the buffer grows geometrically.
        usize start = (code.size() + 15) & ~usize(15);
        usize needed = start + holder.code_size();
        if (needed > code.capacity())
            status = code.try_ensure_capacity(needed > 2 * code.capacity() ? needed : 2 * code.capacity());
        if (!status.is_error())
            status = code.try_resize(start, 0); // the padding
        if (!status.is_error())
            status = holder.append_to(code);
        if (status.is_error())
            break;
        CompiledFunction& f = out.functions[i];
        f.code_offset = u32(start);
        f.code_size = u32(holder.code_size());
        f.first_trap = u32(out.traps.size());
        f.trap_count = u32(traps.size());
        for (const TrapSite& site : traps) {
            status = out.traps.try_append(TrapSite { u32(start) + site.code_offset, site.wasm_offset });
            if (status.is_error())
                break;
        }
    }
    optimizing::LowerScratch::destroy(lower);
    TRY(status);
    out.code_size = code.size() ? code.size() : 16;
    out.code = TRY(platform_code_allocate(out.code_size));
    copy_bytes(out.code, code.data(), code.size());
    TRY(platform_code_publish(out.code, out.code_size));
    return {};
}

Result<void> compile_tier_up(const wasm::Module& module, u32 index, const CompileEnvironment& env,
    optimizing::LowerScratch& scratch, CompiledModule& out) noexcept
{
    out.module = &module;
    out.module_serial = module.serial();
    out.first_function = index;
    out.functions.clear();
    out.traps.clear();
    TRY(out.functions.try_resize(1));
    Vector<TrapSite> traps;
    riscv64::CodeHolder holder(env.features);
    TRY(optimizing::compile_function(module, index, env, scratch, holder, traps));
    TRY(holder.finalize());
    out.islands = holder.island_count();
    out.code_size = holder.code_size() ? holder.code_size() : 16;
    TRY(out.traps.try_ensure_capacity(traps.size()));
    for (const TrapSite& site : traps)
        TRY(out.traps.try_append(site));
    out.functions[0] = { 0, u32(holder.code_size()), 0, u32(traps.size()) };
    out.code = TRY(platform_code_allocate(out.code_size));
    auto copied = holder.copy_to(Span<u8>(out.code, holder.code_size()));
    if (!copied.is_error())
        copied = platform_code_publish(out.code, out.code_size);
    if (copied.is_error()) {
        platform_code_release(out.code, out.code_size);
        out.code = nullptr;
        return copied;
    }
    return {};
}

} // namespace k23::jit
