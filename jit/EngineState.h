#pragma once

// Engine internals shared by Engine.cpp and Helpers.cpp: the per-instance
// JIT data (VMContext first, so a VMContext* is a JitInstance*), host
// function entries, and the engine state (activation, stubs, code).

#include <base/Memory.h>
#include <base/Vector.h>
#include <jit/Code.h>
#include <jit/Engine.h>
#include <jit/Helpers.h>
#include <jit/VMContext.h>

namespace k23::jit {

// An array in exposed memory (base/Platform.h): generated code reads it,
// the guest cannot write it (ReadWrite: it can, e.g. tier-up budgets).
// Fixed size once allocated.
template<typename T, Exposure exposure = Exposure::ReadOnly>
class ExposedArray {
public:
    ExposedArray() noexcept = default;
    ~ExposedArray() noexcept { release(); }
    ExposedArray(const ExposedArray&) = delete;
    ExposedArray& operator=(const ExposedArray&) = delete;

    Result<void> try_allocate(usize count) noexcept
    {
        release();
        usize n = count ? count : 1;
        void* memory = platform_allocate_exposed(n * sizeof(T), alignof(T), exposure);
        if (!memory)
            return Error::from_code(ErrorCode::OutOfMemory, "cannot allocate a VM context array");
        m_data = static_cast<T*>(memory);
        for (usize i = 0; i < n; ++i)
            construct_at(m_data + i);
        m_size = count;
        m_capacity = n;
        return {};
    }
    void release() noexcept
    {
        if (!m_data)
            return;
        for (usize i = 0; i < m_capacity; ++i)
            destroy_at(m_data + i);
        platform_deallocate_exposed(m_data, m_capacity * sizeof(T), alignof(T), exposure);
        m_data = nullptr;
        m_size = m_capacity = 0;
    }
    [[nodiscard]] T* data() noexcept { return m_data; }
    [[nodiscard]] usize size() const noexcept { return m_size; }
    [[nodiscard]] bool is_empty() const noexcept { return m_size == 0; }
    T& operator[](usize i) noexcept { return m_data[i]; }

private:
    T* m_data { nullptr };
    usize m_size { 0 };
    usize m_capacity { 0 };
};

// One instance as the JIT sees it. The VMContext and the arrays it points
// to are exposed (read-only for a guest); the rest is engine state no guest
// sees. VMContext::owner leads back here.
struct JitInstance {
    VMContext* context { nullptr }; // exposed
    wasm::Instance* instance { nullptr };
    CompiledModule* compiled { nullptr };
    ExposedArray<VMFuncEntry> own_entries; // module-defined functions
    ExposedArray<VMFuncEntry*> functions;
    ExposedArray<u8*> memory_bases;
    ExposedArray<u64*> globals;
    ExposedArray<wasm::TableView*> tables;
    ExposedArray<u32> type_ids;
    ExposedArray<i32, Exposure::ReadWrite> tier_budgets; // Tier::Auto (VMContext::tier_budgets)
    // Tier::Auto: the locals an OSR entry starts with, copied from the
    // baseline frame, 16 bytes each (a v128's both halves);
    // globals[global count + k] points at local k's.
    ExposedArray<u64> osr_locals;
    Vector<Vector<wasm::Reference>> element_refs; // element segments, evaluated
    Vector<bool> element_dropped;
    Vector<bool> data_dropped;
    // The engine's list of live contexts (Engine::interrupt walks it from
    // any thread: it only ever grows, at the head, until the engine dies).
    JitInstance* next_interruptible { nullptr };

    ~JitInstance() noexcept;
};

// A typed host function's callback and HostCall (wasm/Runtime.h), as the
// engine took them when it imported the function. In a Linux process the
// typed trampoline finds it through s11 (offsets baked into the stub).
struct TypedHostTarget {
    wasm::TypedHostCallback function { nullptr }; // 0
    wasm::HostCall call;                          // 8: data, 16: error
};

// A host function as JIT code sees it: an exposed VMFuncEntry whose code is
// a host-call trampoline; `host` in the entry is this HostEntry's index in
// Engine::State::host_entries + 1. A function with a typed form
// (`typed.function` set) gets the typed trampoline, whose context is
// `typed` in a Linux process (U-mode: the entry); every other gets the
// boxed trampoline, whose context is the entry itself.
struct HostEntry {
    VMFuncEntry* entry { nullptr }; // exposed
    wasm::FunctionInstance* function { nullptr };
    Vector<wasm::ValueType> params;
    Vector<wasm::ValueType> results;
    TypedHostTarget typed;

    ~HostEntry() noexcept;
};

// What the entry trampoline reads (offsets used by the generated stub).
struct EntryArgs {
    const void* code;  // 0
    void* context;     // 8
    u64* gp;           // 16: a0..a7 in and out
    u64* fp;           // 24: fa0..fa7 in and out
    u64* stack;        // 32: overflow params in, overflow results out
    u64 result_count;  // 40: overflow results (an area the caller reserves)
    u64 new_sp;        // 48: the guest stack's top, or 0 to stay
    u64 param_count;   // 56: overflow params (pushed below it; the callee pops them)
};

using EntryFunction = u64 (*)(EntryArgs*, u64* entry_sp);

// The stack limit of an interrupted engine: no sp is at or above it, so
// every stack check fails (a prologue's, a loop header's, the entry's).
inline constexpr u64 interrupt_limit = ~u64(0);

struct Engine::State {
    // Activation state; the landing pad writes trap_code/trap_pc and reads
    // entry_sp (their addresses are baked into the stubs).
    u64 entry_sp { 0 };
    u64 trap_code { 0 };
    u64 trap_pc { 0 };
    u64 trap_detail { 0 }; // e.g. the element index of "uninitialized element N"; ~0 if none
    u32 depth { 0 };
    bool has_pending_error { false };
    Error pending_error { Error::from_code(ErrorCode::Unknown) };

    EngineOptions options;
    bool can_execute { false };
    u8* stubs { nullptr };
    usize stubs_size { 0 };
    EntryFunction entry { nullptr };
    HelperTable helpers; // what generated code calls (jit/Helpers.h)
    u64 landing_pad { 0 };
    u64 host_trampoline { 0 };
    u64 typed_host_trampoline { 0 };
    u8* stack { nullptr };
    u64 stack_limit { 0 };
    u64 stack_top { 0 };
    // Engine::interrupt(): the request (read and written with __atomic), and
    // the contexts whose stack_limit it sets to interrupt_limit.
    u32 interrupt_requested { 0 };
    JitInstance* interruptible { nullptr };

    Vector<CompiledModule*> modules; // sorted by code address (module_at_pc)
    TierCounts tier_counts;
    // Tier::Auto (jit/Engine.h "Tier-up"): compiled functions a background
    // thread finished, pushed with __atomic and taken by the guest thread,
    // which alone installs them; the synchronous compiler's scratch.
    TierUpJob* tier_up_done { nullptr };
    optimizing::LowerScratch* tier_up_scratch { nullptr };
    Vector<JitInstance*> instances;
    Vector<HostEntry*> host_entries;
};

// One tier-up compile: made by the guest thread, compiled by
// run_tier_up_job (any thread), installed by the guest thread.
struct TierUpJob {
    Engine::State* state { nullptr };
    CompiledModule* from { nullptr }; // the module's code object
    u32 index { 0 };                  // function index
    u32 loop_offset { 0 };            // an OSR entry's loop (env.osr_loop_offset), or 0
    CompileEnvironment env;
    CompiledModule* code { nullptr }; // the result, or null
    ErrorCode error { ErrorCode::Unknown };
    TierUpJob* next { nullptr };
};

// The guest thread: what tier-up compiles finished, installed.
void install_finished_tier_ups(Engine::State& state) noexcept;
// HelperId::TierUp for `ji` (already validated in U-mode): function
// `index`'s budget ran out.
void request_tier_up(Engine::State& state, JitInstance& ji, u32 index) noexcept;
// HelperId::TierUpLoop: the same at a loop header; the OSR entry's address
// or 0 (k23_jit_tier_up_loop). `fp` is checked against the guest stack;
// `wide`: the frame's slots are 16 bytes (jit/Abi.h), else 8.
u64 request_osr(Engine::State& state, JitInstance& ji, u32 index, u32 loop_offset, u64 fp, u64 wide) noexcept;

// The C++ side of the host-call trampoline: `entry` is the callee's
// VMFuncEntry (s11), `registers` a0..a7 then fa0..fa7 as the trampoline
// saved them, `stack` the stack arguments (jit/Abi.h).
// {0 or 1 (error), bytes of stack arguments the trampoline pops}.
struct HostCallResult {
    u64 status;
    u64 pop_bytes;
};
// Engine.cpp internals the user-mode system calls share (jit/UserMode.cpp).
HostCallResult call_host(Engine::State& state, HostEntry* host, u64* registers, u64* stack) noexcept;
HostEntry* host_entry_of(Engine::State& state, const VMFuncEntry* entry) noexcept;
u32 overflow_of(Span<const wasm::ValueType> types) noexcept;
Error make_trap_error(Engine::State& state) noexcept;
bool is_known_function(Engine::State& state, u64 ref) noexcept;
// The code object holding `pc`: a binary search of the modules by address.
CompiledModule* module_at_pc(Engine::State& state, u64 pc) noexcept;

extern "C" HostCallResult k23_jit_call_host(Engine::State* state, VMFuncEntry* entry, u64* registers, u64* stack) noexcept;

} // namespace k23::jit
