#pragma once

// Code objects and trap tables (shared by both tiers).
//
// A CompiledModule holds the machine code of every function of one
// wasm::Module in one W^X allocation (base/Platform.h), each function's
// range, and the trap table: for every instruction that may trap — a guest
// memory access (faults through the guard pages) or the `auipc` of an
// out-of-line trap stub — its code offset and the wasm offset of the
// instruction, sorted by code offset. pc -> (function, wasm offset) is two
// binary searches (a third when the site's offset is an inlined callee's).

#include <base/Span.h>
#include <base/Integers.h>
#include <base/Vector.h>
#include <wasm/Module.h>

namespace k23::jit {

struct TrapSite {
    u32 code_offset { 0 };
    u32 wasm_offset { 0 };
};

struct CompiledFunction {
    u32 code_offset { 0 }; // within CompiledModule::code
    u32 code_size { 0 };
    u32 first_trap { 0 }; // range in CompiledModule::traps
    u32 trap_count { 0 };
};

enum class TierUpState : u8 {
    Counting,  // baseline code, counting against its budget
    Queued,    // handed to the compiler (a background thread, or now)
    Optimized, // optimized code swapped into every instance's table
    Refused,   // the optimizing tier cannot compile it: stays baseline
};

struct CompiledModule {
    const wasm::Module* module { nullptr };
    u64 module_serial { 0 }; // wasm::Module::serial(): addresses get reused
    u8* code { nullptr };
    usize code_size { 0 };
    u32 first_function { 0 };           // imported_function_count()
    Vector<CompiledFunction> functions; // for module functions first_function..
    Vector<TrapSite> traps;
    u32 islands { 0 }; // branch islands the code holder inserted (a compile-speed statistic)
    // Tier::Auto. On a module's code object: per function, its tier-up state
    // and, once TierUpState::Optimized, its optimized code. A code object
    // the tier-up made for one function points back at the module's.
    Vector<u8> tier_up_state; // TierUpState
    Vector<const u8*> optimized_code;
    CompiledModule* tiered_from { nullptr };
    // On-stack replacement entries compiled so far (code null: refused).
    struct OsrEntry {
        u32 function { 0 };
        u32 loop_offset { 0 };
        const u8* code { nullptr };
        bool pending { false }; // being compiled
    };
    Vector<OsrEntry> osr_entries;

    [[nodiscard]] bool contains(u64 pc) const noexcept { return pc >= u64(code) && pc < u64(code) + code_size; }
    // The function index and trap site at `pc`, if it is a recorded one.
    bool lookup(u64 pc, u32& function_index, const TrapSite*& site) const noexcept
    {
        u64 offset = pc - u64(code);
        usize low = 0, high = functions.size();
        while (low < high) {
            usize mid = (low + high) / 2;
            if (functions[mid].code_offset + functions[mid].code_size <= offset)
                low = mid + 1;
            else
                high = mid;
        }
        if (low >= functions.size() || offset < functions[low].code_offset)
            return false;
        function_index = first_function + u32(low);
        const CompiledFunction& f = functions[low];
        usize lo = f.first_trap, hi = usize(f.first_trap) + f.trap_count;
        while (lo < hi) {
            usize mid = (lo + hi) / 2;
            if (traps[mid].code_offset < offset)
                lo = mid + 1;
            else
                hi = mid;
        }
        site = lo < usize(f.first_trap) + f.trap_count && traps[lo].code_offset == offset ? &traps[lo] : nullptr;
        if (site && module)
            function_index = function_at_wasm_offset(function_index, site->wasm_offset);
        return true;
    }
    // The function whose body holds `wasm_offset`: `function` itself, or the
    // callee the optimizing tier inlined there (its code keeps the callee's
    // offsets). Bodies are in index order in the code section.
    [[nodiscard]] u32 function_at_wasm_offset(u32 function, u32 wasm_offset) const noexcept
    {
        auto holds = [&](u32 i) {
            const wasm::ByteRange& body = module->functions()[i].body;
            return wasm_offset >= body.offset && wasm_offset < body.offset + body.size;
        };
        usize count = module->functions().size();
        if (function >= count || holds(function))
            return function;
        usize low = first_function, high = count;
        while (low < high) {
            usize mid = (low + high) / 2;
            const wasm::ByteRange& body = module->functions()[mid].body;
            if (body.offset + body.size <= wasm_offset)
                low = mid + 1;
            else
                high = mid;
        }
        return low < count && holds(u32(low)) ? u32(low) : function;
    }
};

} // namespace k23::jit
