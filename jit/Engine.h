#pragma once

// The JIT engine: k23's public execution API (DESIGN.md "Execution model").
//
//   jit::EngineOptions options;                 // CPU features, guest stack
//   options.features = riscv64::CpuFeatures::rv64gc()...;
//   jit::Engine* engine = TRY(jit::Engine::create(options));
//   wasm::Store store; wasm::Linker linker(store);
//   wasm::Instance* instance = TRY(engine->instantiate(linker, module));
//   TRY(engine->invoke(function, args, results));
//   jit::Engine::destroy(engine);
//
// compile() runs options.tier over every function of a validated module
// (cached per Module; jit/Compile.h). instantiate() compiles if needed, links and
// instantiates through the Linker, builds the instance's VMContext
// (jit/VMContext.h) and runs the start function (§4.5.4 step 16).
// invoke() calls any FunctionInstance — a wasm function of an instance this
// engine instantiated, or a host function (Store::create_host_function) —
// with `args` (its parameter types) and fills `results`.
//
// Errors are values:
//   - a trap is ErrorCode::Trap with the message
//     "<spec message> in <function> at wasm offset 0x<hex>" (the function's
//     name from the name section, else "func[N]"), and with_offset /
//     in_function set; trap_code_of() recovers the TrapCode;
//   - an Error returned by a host callback (e.g. WASI proc_exit) unwinds the
//     guest frames like a trap and comes out of invoke() unchanged;
//   - SIMD compiles for options.features: to RVV with V, else to the
//     scalar path (v128 in frame slots, jit/SimdScalar.h); code of both
//     kinds calls each other (jit/Abi.h).
// Execution needs a riscv64 host (hosted/ on Linux, the kernel later); on
// other hosts compile() still works (a cross-compiler, for tests and
// compile-speed benchmarks) and can_execute() is false.
//
// Tier-up (Tier::Auto, jit/Compile.h): every function starts in the
// baseline, whose code takes one off its budget (VMContext::tier_budgets,
// EngineOptions::tier_up_budget) on entry and at each loop header. When it
// runs out the code calls HelperId::TierUp, which hands the function to the
// optimizing tier and carries on in the baseline. The optimized code goes
// into a code object of its own and is swapped into every instance's
// VMFuncEntry of the function (one store each; callers load the entry at
// each call, so no caller holds a tier's address): later calls run it.
// On-stack replacement (EngineOptions::tier_up_osr): at a loop header with
// nothing on the value stack, HelperId::TierUpLoop also has the optimizing
// tier compile an entry for that loop, which reads every local from the
// instance's OSR buffer (the helper copies the baseline frame's slots
// there); the baseline leaves its frame like an epilogue and jumps in, and
// the optimized code returns to its caller.
// A function the optimizing tier refuses stays baseline and stops counting.
// Where it compiles: with EngineOptions::tier_up_queue, on the queue's
// thread while the guest runs; the guest thread installs what finished at
// its next helper call or invoke() (it alone touches the engine's tables:
// the store is atomic, the code published W^X before). Without a queue
// (the kernel, for now: one hart), in the helper, synchronously.
//
// Threading: one engine runs guest code on one thread at a time (its guest
// stack and activation state are per engine), the thread that created it
// (its fault-handler stack).
//
// Lifetimes: compiled code is cached per Module object (its address and
// serial, so a new Module at a freed one's address is compiled afresh); a
// Module must outlive the instances made from it. The
// functions of instances the engine created, and host functions they
// import, point into the engine (FunctionInstance::jit): after destroy(),
// do not call them with another engine. destroy() never touches the store,
// so the store may be destroyed before or after the engine.

#include <arch/riscv64/asm/CpuFeatures.h>
#include <jit/Compile.h>
#include <base/Error.h>
#include <base/Result.h>
#include <base/Span.h>
#include <wasm/Linker.h>
#include <wasm/Module.h>
#include <jit/UserMode.h>
#include <wasm/Runtime.h>

namespace k23::jit {

struct TierUpJob;

// Where tier-up compiles run (EngineOptions::tier_up_queue): post() hands a
// job to another thread, which calls run_tier_up_job(job) once; false: not
// taken (the engine compiles it now). drain() returns once every posted
// job ran; Engine::destroy() calls it first. A job reads its wasm::Module:
// drain the queue before a Module the engine compiled goes away.
class TierUpQueue {
public:
    virtual ~TierUpQueue() = default;
    virtual bool post(TierUpJob* job) noexcept = 0;
    virtual void drain() noexcept = 0;
};
// Compiles the job's function (any thread; thread-safe against the guest).
void run_tier_up_job(TierUpJob* job) noexcept;

struct EngineOptions {
    riscv64::CpuFeatures features { riscv64::CpuFeatures::rv64gc() };
    // Which compiler compiles functions (jit/Compile.h). Optimizing: what
    // it cannot compile yet falls back to the baseline per function,
    // counted in Engine::tier_counts().
    Tier tier { Tier::Baseline };
    // Tier::Auto: calls plus loop iterations a function runs in the
    // baseline before it is compiled by the optimizing tier.
    u32 tier_up_budget { 1000 };
    // Tier::Auto: on-stack replacement at hot loop headers (see "Tier-up"
    // above); false: activations already running stay baseline.
    bool tier_up_osr { true };
    // Tier::Auto: where the optimizing tier compiles hot functions (see
    // "Tier-up" above); nullptr: synchronously, in the helper.
    TierUpQueue* tier_up_queue { nullptr };
    // The guest's own stack: guest code never runs on the host's stack, and
    // each prologue checks against a limit above its end, so deep guest
    // recursion traps with "call stack exhausted" instead of overflowing.
    usize stack_size { usize(8) << 20 };
    // Writes /tmp/perf-PID.map lines for compiled functions (hosted only).
    bool perf_map { false };
    // Where generated code runs when it does not run on this thread: the
    // kernel's U-mode guests (jit/UserMode.h). nullptr: here, by calling it.
    Executor* executor { nullptr };
};

// Statistics of compile(), for benchmarks.
struct CompileStats {
    usize functions { 0 };
    usize wasm_bytes { 0 }; // function bodies
    usize code_bytes { 0 }; // machine code, including trap stubs and pools
    usize islands { 0 };    // branch islands inserted by the code holder
};

class Engine;
struct CompiledModule;

[[nodiscard]] bool is_trap(const Error& error) noexcept;
// The TrapCode of a trap error from invoke()/instantiate(), if it is one.
[[nodiscard]] bool trap_code_of(const Error& error, wasm::TrapCode& code) noexcept;

class Engine {
public:
    [[nodiscard]] static Result<Engine*> create(const EngineOptions& options) noexcept;
    static void destroy(Engine* engine) noexcept;

    [[nodiscard]] bool can_execute() const noexcept;
    [[nodiscard]] const EngineOptions& options() const noexcept;

    Result<void> compile(const wasm::Module& module, CompileStats* stats = nullptr) noexcept;
    // Per tier, every function compiled so far (fallbacks included).
    [[nodiscard]] const TierCounts& tier_counts() const noexcept;
    // Tier::Auto: installs the background compiles that finished since the
    // guest's last helper call or invoke() (they are counted then), e.g.
    // after draining the queue once the guest returned. The guest's thread,
    // while no guest code runs.
    void install_finished_tier_ups() noexcept;

    // `*out` receives the instance as soon as it exists (as Linker does),
    // even when instantiation then fails.
    Result<wasm::Instance*> instantiate(wasm::Linker& linker, const wasm::Module& module, wasm::Instance** out = nullptr) noexcept;

    Result<void> invoke(wasm::FunctionInstance* function, Span<const wasm::Value> args, Span<wasm::Value> results) noexcept;

    // Stops the guest: wasm code this engine runs traps with `interrupted`
    // at its next function entry or loop iteration (a host function blocked
    // in a system call traps when it returns to wasm), and so does every
    // later invoke() until clear_interrupt(). Callable from any thread and
    // from a signal handler (it only stores words): a timer (k23-run
    // --timeout), a scheduler killing a runaway guest. How: every
    // VMContext's stack limit becomes an impossible one, so the checks wasm
    // code makes anyway (prologues, loop headers) fail; the trap is reported
    // as `interrupted` while the request stands.
    void interrupt() noexcept;
    [[nodiscard]] bool interrupted() const noexcept;
    // Withdraws the request: guests run again. Only on the thread that runs
    // guests, while none runs, and not concurrently with interrupt().
    void clear_interrupt() noexcept;

    // For the executor (jit/UserMode.h): a system call from generated code.
    // `regs` holds a0..a7 of the guest; results go to regs[0] and regs[1].
    UserCallOutcome user_call(u64 (&regs)[8]) noexcept;
    // For the executor: the guest faulted at `pc`. True when `pc` is a
    // memory access of generated code (the trap is then recorded: out of
    // bounds memory access); otherwise `description` becomes the
    // invocation's error.
    bool user_fault(u64 pc, StringView description) noexcept;
    // For the executor: end the invocation with `error` (a time limit, a
    // guest that misbehaved).
    void fail_invocation(Error error) noexcept;

    struct State;
    State& state() noexcept { return *m_state; }

    Engine() noexcept = default; // use create()

private:
    State* m_state { nullptr };
};

} // namespace k23::jit
