#pragma once

// A WebAssembly guest (DESIGN.md "Guests in the kernel"): one engine, one
// store and every instance made in it, in one address space of its own
// (kernel/mm/GuestSpace.h), with the generated code running in U-mode.
//
//   WasmGuest guest;
//   TRY(guest.create(options));
//   wasm::Instance* instance = TRY(guest.instantiate(bytes));
//   TRY(guest.invoke_export(instance, "main"_sv, args, results));
//   guest.destroy(); // every frame it took is free again
//
// The kernel runs the engine (reader, validator, compiler, linker) in
// S-mode for the guest, inside the guest's scope: everything the engine
// allocates lands in the guest's address space, the objects generated code
// touches readable by it, the rest mapped for the kernel only. Generated
// code calls into the engine with system calls (jit/UserMode.h); this class
// is the engine's Executor: it enters U-mode, hands each system call to
// the engine and turns faults into traps (`out of bounds memory access`
// for a memory access of generated code) or errors ("guest fault: ...").
// A trap or error ends that invocation only; the guest can be invoked
// again, and nothing it does stops the kernel.

#include <base/Result.h>
#include <base/Span.h>
#include <jit/Engine.h>
#include <kernel/DeferredTierUp.h>
#include <kernel/Guest.h>
#include <kernel/mm/GuestSpace.h>
#include <wasm/BinaryReader.h>
#include <wasm/Linker.h>
#include <wasm/Module.h>
#include <wasm/Runtime.h>

namespace k23::wasi {
class WasiContext;
}

namespace k23::kernel {

// The tier guests compile with unless their options say otherwise: the
// boot argument `tier=baseline|optimizing|auto` (kernel/main.cpp sets it before
// any guest exists; auto without it). Guests of `./k23 run`, the spec
// runner and the default program all take it from here.
void set_default_guest_tier(jit::Tier tier) noexcept;
[[nodiscard]] jit::Tier default_guest_tier() noexcept;
// Tier::Auto's budget for every guest: the boot argument `tier_budget=N`.
void set_default_tier_budget(u32 budget) noexcept;
[[nodiscard]] u32 default_tier_budget() noexcept;
// Boot argument tier_up_osr=0|1 (kernel/main.cpp): on by default, as in k23-run.
void set_default_tier_up_osr(bool osr) noexcept;
[[nodiscard]] bool default_tier_up_osr() noexcept;

struct WasmGuestOptions {
    usize stack_size { usize(1) << 20 };
    // Which compiler compiles the guest's functions (jit/Compile.h); under
    // Optimizing, what it cannot compile falls back to the baseline per
    // function, counted in WasmGuestStats::tiers.
    jit::Tier tier { default_guest_tier() };
    // Tier::Auto: calls plus loop iterations before a function tiers up.
    u32 tier_up_budget { default_tier_budget() };
    // Tier::Auto: on-stack replacement too (jit::EngineOptions::tier_up_osr).
    bool tier_up_osr { default_tier_up_osr() };
    // Timebase ticks one invocation may run (0: no limit); past it the
    // invocation ends with `interrupted`.
    u64 time_limit { 0 };
};

struct WasmGuestStats {
    u64 system_calls { 0 }; // made by generated code, over all invocations
    u64 faults { 0 };       // faults of generated code turned into traps
    u64 pages_committed { 0 }; // linear memory pages committed on a U-mode first touch
    // bench.start/bench.end (./k23 bench's k23-kernel column): instret read
    // in the markers' host functions, counted as perf/plugin/k23_icount.c
    // counts its marker HINTs: summed over start..end pairs, a start inside
    // a region restarts it, an end outside one is ignored.
    u64 bench_start { 0 };
    u64 bench_instructions { 0 };
    u64 bench_regions { 0 };
    bool bench_in_region { false };
    // The engine's per-tier counts of every function compiled so far
    // (updated by instantiate_module, whether it succeeds or not).
    jit::TierCounts tiers;
    // Tier::Auto: the tier-up jobs deferred to preemption points
    // (kernel/DeferredTierUp.h), as of the last invoke, and after destroy().
    DeferredTierUpStats tier_up_jobs;
};

class WasmGuest final : public jit::Executor {
public:
    WasmGuest() noexcept = default;
    ~WasmGuest() noexcept { destroy(); }
    WasmGuest(const WasmGuest&) = delete;
    WasmGuest& operator=(const WasmGuest&) = delete;

    [[nodiscard]] Result<void> create(const WasmGuestOptions& options = {}) noexcept;
    // Frees the engine, the store and the address space.
    void destroy() noexcept;
    [[nodiscard]] bool is_created() const noexcept { return m_space.is_created(); }

    // Reads and validates `bytes` (copied into the guest), compiles and
    // instantiates them, and registers the exports under `name` for later
    // modules' imports when `name` is not empty. The module lives as long
    // as the guest. `options`: the proposals the reader accepts (the spec
    // suite reads its core files as WebAssembly 2.0).
    [[nodiscard]] Result<wasm::Instance*> instantiate(ReadonlyBytes bytes, StringView name = {}, const wasm::ReadOptions& options = {}) noexcept;
    // The two halves of instantiate(): read and validate a module (copied
    // into the guest; it lives as long as the guest), then instantiate it
    // (`*slot` is set before the start function runs).
    [[nodiscard]] Result<wasm::Module*> read_module(ReadonlyBytes bytes, const wasm::ReadOptions& options = {}) noexcept;
    [[nodiscard]] Result<wasm::Instance*> instantiate_module(wasm::Module& module, wasm::Instance** slot = nullptr) noexcept;
    [[nodiscard]] Result<void> invoke(wasm::FunctionInstance* function, Span<wasm::Value const> args, Span<wasm::Value> results) noexcept;
    [[nodiscard]] Result<void> invoke_export(wasm::Instance* instance, StringView name, Span<wasm::Value const> args, Span<wasm::Value> results) noexcept;

    // The spec interpreter's host module, importable as "spectest" (its
    // functions are host functions: system calls from the guest).
    [[nodiscard]] Result<void> define_spectest() noexcept;
    // WASI preview1 for `module` over `context` (wasi::define), plus the
    // "bench" module's start/end markers. The WASI host functions run with
    // sstatus.SUM clear and copy to and from the guest's memory through
    // kernel/UserCopy.h (the context's copier is set here: SUM for each copy
    // only, EFAULT for a copy that faults), and with kernel-heap allocation (KernelAllocationScope, kernel/Heap.h): what
    // they allocate (the file system's data, the context's descriptors) is
    // the kernel's and outlives the guest. `context` outlives the guest.
    [[nodiscard]] Result<void> define_wasi(const wasm::Module& module, wasi::WasiContext& context) noexcept;

    // Objects of the guest (store, linker, instances, values that point
    // into it) are only reachable inside a GuestSpace::Scope of space():
    // every method here opens one.
    [[nodiscard]] GuestSpace& space() noexcept { return m_space; }
    [[nodiscard]] wasm::Store& store() noexcept { return *m_store; }
    [[nodiscard]] wasm::Linker& linker() noexcept { return *m_linker; }
    [[nodiscard]] jit::Engine& engine() noexcept { return *m_engine; }
    [[nodiscard]] const WasmGuestStats& stats() const noexcept { return m_stats; }

    // What one system call of the guest's U-mode code with a0..a7 = `regs`
    // does (on_system_call's path: the engine's checks and dispatch, in the
    // guest's kernel view with sstatus.SUM only for the helpers that work on
    // a linear memory): the drills forge
    // the calls a compromised guest could make (tests/kernel/DrillTests.cpp).
    [[nodiscard]] jit::UserCallOutcome system_call(u64 (&regs)[8]) noexcept;

    // jit::Executor
    bool run(jit::Engine& engine, u64 pc, u64 argument, u64 stack_pointer) noexcept override;

private:
    [[nodiscard]] Result<void> create_engine() noexcept;
    static SystemCallAction on_system_call(Guest& guest, void* cookie, GuestExit& exit) noexcept;
    void run_tier_ups_before_user_mode() noexcept;

    WasmGuestOptions m_options;
    GuestSpace m_space;
    Guest m_guest;
    jit::Engine* m_engine { nullptr };
    wasm::Store* m_store { nullptr };
    wasm::Linker* m_linker { nullptr };
    Vector<wasm::Module*> m_modules;
    Vector<u8*> m_module_bytes;
    Vector<usize> m_module_sizes;
    Vector<wasm::HostFunction> m_kernel_host_functions; // kernel heap: what define_wasi() wrapped
    WasmGuestStats m_stats;
    DeferredTierUp m_tier_up; // the engine's tier_up_queue
    bool m_returned { false };
};

} // namespace k23::kernel
