#pragma once

// The VM context: what generated code reaches through s11 (jit/Abi.h). One
// per instance, built by the engine when it instantiates a module
// (jit/Instance.cpp). Offsets are part of the code-generation contract and
// static_assert'd below; every tier uses the same layout.
//
//   +0   stack_limit     lowest address wasm code may store to (guest stack +
//                        headroom for C++, jit/Abi.h); all ones while
//                        Engine::interrupt() stands, which fails every check
//   +8   memory0_base    memory 0's base (also kept in s10)
//   +16  functions       VMFuncEntry* per function index (imports first):
//                        callers load code and callee context through it, so
//                        tier-up is one store into the entry (never into callers)
//   +24  memory_bases    u8* per memory index (all memories, multi-memory)
//   +32  globals         pointer to the value of each global (u64 slot; i32/f32
//                        in its low half)
//   +40  tables          TableView* per table index (data + size, kept current
//                        by TableInstance)
//   +48  type_ids        store-canonical type id per module type index
//                        (call_indirect compares it with FunctionInstance::type)
//   +56  engine          the engine's state (helpers)
//   +64  instance        the wasm::Instance
//   +72  module          the CompiledModule
//   +80  owner           the engine's JitInstance (jit/EngineState.h)
//   +88  tier_budgets    Tier::Auto: i32 per module-defined function, which
//                        its baseline code decrements on entry and at each
//                        loop header; below 0 it calls HelperId::TierUp.
//                        Guest-writable (it is the only way code can count
//                        in U-mode): a guest that writes it only changes
//                        when it tiers up. Null under the other tiers.
//
// The VMContext, the arrays it points to and the VMFuncEntries are exposed
// objects (base/Platform.h): a guest in U-mode can read them, never write
// them. The pointers at +56..+80 lead to engine state the guest cannot
// reach (in the kernel: pages of its address space mapped only for the
// kernel), so they tell it nothing about the kernel.
//
// A VMFuncEntry is the canonical "how to call function F": code address,
// the context the callee expects in s11 (a VMContext for wasm functions, the
// entry itself for host functions, whose code is the host-call trampoline),
// and the store-canonical type. FunctionInstance::jit points at it, so a
// funcref in a table (a FunctionInstance*) leads to code in two loads.

#include <base/Integers.h>
#include <wasm/Runtime.h>

namespace k23::jit {

struct CompiledModule;

struct VMFuncEntry {
    const void* code { nullptr };
    void* context { nullptr };
    u32 type { 0 };
    u32 host { 0 }; // 0: a wasm function; else the engine's host entry index + 1
    wasm::FunctionInstance* function { nullptr };
};
static_assert(__builtin_offsetof(VMFuncEntry, code) == 0);
static_assert(__builtin_offsetof(VMFuncEntry, context) == 8);
static_assert(__builtin_offsetof(VMFuncEntry, type) == 16);
static_assert(__builtin_offsetof(VMFuncEntry, host) == 20);

struct VMContext {
    u64 stack_limit { 0 };
    u8* memory0_base { nullptr };
    VMFuncEntry** functions { nullptr };
    u8** memory_bases { nullptr };
    u64** globals { nullptr };
    wasm::TableView** tables { nullptr };
    u32* type_ids { nullptr };
    void* engine { nullptr };
    wasm::Instance* instance { nullptr };
    CompiledModule* module { nullptr };
    void* owner { nullptr };
    i32* tier_budgets { nullptr };
};

namespace VMOffsets {
inline constexpr i32 stack_limit = 0;
inline constexpr i32 memory0_base = 8;
inline constexpr i32 functions = 16;
inline constexpr i32 memory_bases = 24;
inline constexpr i32 globals = 32;
inline constexpr i32 tables = 40;
inline constexpr i32 type_ids = 48;
inline constexpr i32 engine = 56;
inline constexpr i32 tier_budgets = 88;
// VMFuncEntry
inline constexpr i32 entry_code = 0;
inline constexpr i32 entry_context = 8;
inline constexpr i32 entry_type = 16;
inline constexpr i32 entry_host = 20;
// wasm::FunctionInstance
inline constexpr i32 function_type = 0;
inline constexpr i32 function_jit = 24;
// wasm::TableView
inline constexpr i32 table_data = 0;
inline constexpr i32 table_size = 8;
} // namespace VMOffsets

static_assert(__builtin_offsetof(VMContext, stack_limit) == VMOffsets::stack_limit);
static_assert(__builtin_offsetof(VMContext, memory0_base) == VMOffsets::memory0_base);
static_assert(__builtin_offsetof(VMContext, functions) == VMOffsets::functions);
static_assert(__builtin_offsetof(VMContext, memory_bases) == VMOffsets::memory_bases);
static_assert(__builtin_offsetof(VMContext, globals) == VMOffsets::globals);
static_assert(__builtin_offsetof(VMContext, tables) == VMOffsets::tables);
static_assert(__builtin_offsetof(VMContext, type_ids) == VMOffsets::type_ids);
static_assert(__builtin_offsetof(VMContext, engine) == VMOffsets::engine);
static_assert(__builtin_offsetof(VMContext, tier_budgets) == VMOffsets::tier_budgets);
static_assert(__builtin_offsetof(wasm::FunctionInstance, type) == VMOffsets::function_type);
static_assert(__builtin_offsetof(wasm::FunctionInstance, jit) == VMOffsets::function_jit);
static_assert(__builtin_offsetof(wasm::TableView, data) == VMOffsets::table_data);
static_assert(__builtin_offsetof(wasm::TableView, size) == VMOffsets::table_size);

} // namespace k23::jit
