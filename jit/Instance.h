#pragma once

// Engine internals shared by Engine.cpp and Helpers.cpp: the per-instance
// JIT data (VMContext first, so a VMContext* is a JitInstance*), host
// function entries, and the engine state (activation, stubs, code).

#include <base/Vector.h>
#include <jit/Code.h>
#include <jit/Engine.h>
#include <jit/VMContext.h>

namespace k23::jit {

struct JitInstance {
    VMContext context; // first: VMContext* == JitInstance*
    wasm::Instance* instance { nullptr };
    CompiledModule* compiled { nullptr };
    Vector<VMFuncEntry> own_entries; // module-defined functions (never reallocated)
    Vector<VMFuncEntry*> functions;
    Vector<u8*> memory_bases;
    Vector<u64*> globals;
    Vector<wasm::TableView*> tables;
    Vector<u32> type_ids;
    Vector<Vector<wasm::Reference>> element_refs; // element segments, evaluated
    Vector<bool> element_dropped;
    Vector<bool> data_dropped;
    // The engine's list of live contexts (Engine::interrupt walks it from
    // any thread: it only ever grows, at the head, until the engine dies).
    JitInstance* next_interruptible { nullptr };
};

// A host function as JIT code sees it: its code is the host-call
// trampoline, its context the entry itself.
struct HostEntry {
    VMFuncEntry entry;
    Engine::State* state { nullptr };
    Vector<wasm::ValueType> params;
    Vector<wasm::ValueType> results;
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
    u64 landing_pad { 0 };
    u64 host_trampoline { 0 };
    u8* stack { nullptr };
    u64 stack_limit { 0 };
    u64 stack_top { 0 };
    // Engine::interrupt(): the request (read and written with __atomic), and
    // the contexts whose stack_limit it sets to interrupt_limit.
    u32 interrupt_requested { 0 };
    JitInstance* interruptible { nullptr };

    Vector<CompiledModule*> modules;
    Vector<JitInstance*> instances;
    Vector<HostEntry*> host_entries;
};

// The C++ side of the host-call trampoline.
// {0 or 1 (error), bytes of stack arguments the trampoline pops}.
struct HostCallResult {
    u64 status;
    u64 pop_bytes;
};
extern "C" HostCallResult k23_jit_call_host(HostEntry* entry, u64* registers, u64* stack) noexcept;

} // namespace k23::jit
