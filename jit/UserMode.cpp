// System calls from generated code running in U-mode (jit/UserMode.h).
// Each one is checked against the engine's own state before anything is
// used: the VMContext must be one this engine built, every index must be in
// range for that instance, a funcref must be a function of an instance or
// host entry of this engine, and every pointer must lie in the guest stack.
// Then the call is exactly the C helper a Linux process would call.

#include <base/Memory.h>
#include <jit/Abi.h>
#include <jit/Engine.h>
#include <jit/Helpers.h>
#include <jit/EngineState.h>
#include <jit/SimdScalar.h>
#include <jit/UserMode.h>
#include <wasm/Opcodes.h>

namespace k23::jit {

namespace {

JitInstance* instance_of(Engine::State& state, u64 context) noexcept
{
    for (JitInstance* ji : state.instances) {
        if (u64(ji->context) == context)
            return ji;
    }
    return nullptr;
}

bool in_stack(Engine::State& state, u64 address, u64 size) noexcept
{
    u64 begin = u64(state.stack);
    u64 end = begin + state.options.stack_size;
    return address >= begin && address <= end && size <= end - address;
}

// The bytes [address, address + size) lie in the accessible part of a
// linear memory of this engine's instances.
bool in_memory(Engine::State& state, u64 address, u64 size) noexcept
{
    for (JitInstance* ji : state.instances) {
        for (wasm::MemoryInstance* memory : ji->instance->memories()) {
            u64 begin = u64(memory->data());
            u64 end = begin + memory->size_in_bytes();
            if (address >= begin && address <= end && size <= end - address)
                return true;
        }
    }
    return false;
}

// The scalar SIMD helper's operand in linear memory (jit/SimdScalar.h):
// its register (1 = dst, 2 = a) and size, or 0 for an opcode without one.
u32 simd_memory_operand(u32 op, u64& size) noexcept
{
    using O = wasm::Opcode;
    switch (wasm::Opcode(op)) {
    case O::V128Load8Splat: case O::V128Load8Lane: size = 1; return 2;
    case O::V128Load16Splat: case O::V128Load16Lane: size = 2; return 2;
    case O::V128Load32Splat: case O::V128Load32Zero: case O::V128Load32Lane: size = 4; return 2;
    case O::V128Load8x8S: case O::V128Load8x8U: case O::V128Load16x4S: case O::V128Load16x4U:
    case O::V128Load32x2S: case O::V128Load32x2U: case O::V128Load64Splat: case O::V128Load64Zero:
    case O::V128Load64Lane: size = 8; return 2;
    case O::V128Load: size = 16; return 2;
    case O::V128Store8Lane: size = 1; return 1;
    case O::V128Store16Lane: size = 2; return 1;
    case O::V128Store32Lane: size = 4; return 1;
    case O::V128Store64Lane: size = 8; return 1;
    case O::V128Store: size = 16; return 1;
    default: return 0;
    }
}

} // namespace

// A funcref from U-mode: null, or a function this engine knows.
bool is_known_function(Engine::State& state, u64 ref) noexcept
{
    if (ref == 0)
        return true;
    for (JitInstance* ji : state.instances) {
        for (wasm::FunctionInstance* f : ji->instance->functions()) {
            if (u64(f) == ref)
                return true;
        }
    }
    for (HostEntry* host : state.host_entries) {
        if (u64(host->function) == ref)
            return true;
    }
    return false;
}

namespace {

// A reference stored into `table`: funcrefs are checked, externrefs are the
// guest's opaque values (the engine never dereferences them).
bool valid_reference(Engine::State& state, wasm::TableInstance* table, u64 ref) noexcept
{
    return table->type().element != wasm::ValueType::FuncRef || is_known_function(state, ref);
}

} // namespace

void Engine::fail_invocation(Error error) noexcept
{
    m_state->pending_error = move(error);
    m_state->has_pending_error = true;
    m_state->trap_code = abi::host_error_code;
}

bool Engine::user_fault(u64 pc, StringView description) noexcept
{
    State& state = *m_state;
    if (CompiledModule* module = module_at_pc(state, pc)) {
        u32 function = 0;
        const TrapSite* site = nullptr;
        if (module->lookup(pc, function, site) && site) {
            state.trap_code = u64(wasm::TrapCode::OutOfBoundsMemory);
            state.trap_pc = pc;
            state.trap_detail = ~u64(0);
            return true;
        }
    }
    fail_invocation(Error::from_code(ErrorCode::Trap, description));
    return false;
}

UserCallOutcome Engine::user_call(u64 (&regs)[8]) noexcept
{
    State& state = *m_state;
    u64 number = regs[7];
    auto bad = [&](StringView what) {
        fail_invocation(Error::formatted(ErrorCode::InvalidArgument, "guest made a bad system call {:#x}: {}"_sv, number, what));
        return UserCallOutcome::Trapped;
    };
    // The hot one first: a call of a typed host function.
    if (number == user_call::host_call_typed) {
        // a0..a5 the arguments, a6 the entry's host index (any index of this
        // engine's is as good as the guest's own: each is one of its imports).
        u64 index = regs[6];
        HostEntry* host = index && index <= state.host_entries.size() ? state.host_entries[index - 1] : nullptr;
        if (!host || !host->typed.function)
            return bad("not a typed host function"_sv);
        wasm::HostReturn result = host->typed.function(regs[0], regs[1], regs[2], regs[3], regs[4], regs[5], host->typed.call);
        if (result.failed) {
            // HostCall::fail stored the error: the invocation ends here.
            state.has_pending_error = true;
            state.trap_code = abi::host_error_code;
            state.trap_pc = 0;
            state.trap_detail = ~u64(0);
            return UserCallOutcome::Trapped;
        }
        regs[0] = result.value;
        return UserCallOutcome::Resume;
    }
    if (number == user_call::entry_return)
        return UserCallOutcome::Returned;
    if (number == user_call::trap) {
        if (regs[0] > u64(wasm::TrapCode::Interrupted) && regs[0] != abi::host_error_code)
            return bad("unknown trap code"_sv);
        state.trap_code = regs[0];
        state.trap_pc = regs[1];
        state.trap_detail = regs[2];
        return UserCallOutcome::Trapped;
    }
    if (number == user_call::host_call) {
        HostEntry* host = host_entry_of(state, reinterpret_cast<const VMFuncEntry*>(regs[0]));
        if (!host)
            return bad("not a host function"_sv);
        // The saved registers, the stack arguments it pops and the results
        // it writes above them (jit/Abi.h) must all be guest stack.
        u64 pop_bytes = ((u64(overflow_of(host->params.span())) + 1) & ~u64(1)) * 8;
        u64 result_bytes = u64(overflow_of(host->results.span())) * 8;
        if (!in_stack(state, regs[1], 128) || !in_stack(state, regs[2], pop_bytes + result_bytes))
            return bad("host call frame outside the guest stack"_sv);
        HostCallResult result = call_host(state, host, reinterpret_cast<u64*>(regs[1]), reinterpret_cast<u64*>(regs[2]));
        regs[0] = result.status;
        regs[1] = result.pop_bytes;
        return UserCallOutcome::Resume;
    }
    if (number < user_call::helper_base || number >= user_call::helper_base + helper_count)
        return bad("unknown number"_sv);
    auto helper = HelperId(number - user_call::helper_base);
    auto set = [&](u64 value, u64 trap = 0) {
        regs[0] = value;
        regs[1] = trap;
        return UserCallOutcome::Resume;
    };
    auto set_result = [&](HelperResult r) { return set(r.value, r.trap); };
    switch (helper) {
    case HelperId::Clz64: return set(k23_jit_clz64(regs[0]));
    case HelperId::Ctz64: return set(k23_jit_ctz64(regs[0]));
    case HelperId::Popcnt64: return set(k23_jit_popcnt64(regs[0]));
    case HelperId::SimdScalar:
        // dst, a, b, c: v128 slots in the guest's frame, or null; a memory
        // form's address (loads: a, stores: dst) the accessed bytes of a
        // linear memory of this guest (the code probed them already). A null
        // operand (one the opcode does not use) becomes a zeroed scratch
        // slot here, so a crafted call that passes null for an operand the
        // opcode does use reads zeros and writes nowhere that matters.
        {
            u64 memory_size = 0;
            u32 memory_operand = simd_memory_operand(u32(regs[0]), memory_size);
            u8 scratch[4][16] = {};
            u64 operands[5] = {};
            for (u32 i = 1; i <= 4; ++i) {
                if (i == memory_operand) {
                    if (!in_memory(state, regs[i], memory_size))
                        return bad("SIMD memory operand outside the guest's memories"_sv);
                } else if (regs[i] && !in_stack(state, regs[i], 16)) {
                    return bad("SIMD operand outside the guest stack"_sv);
                }
                operands[i] = regs[i] ? regs[i] : u64(scratch[i - 1]);
            }
            return set(k23_simd_scalar(u32(regs[0]), reinterpret_cast<u8*>(operands[1]), reinterpret_cast<const u8*>(operands[2]),
                reinterpret_cast<const u8*>(operands[3]), reinterpret_cast<const u8*>(operands[4]), regs[5], regs[6]));
        }
    default: break;
    }
    JitInstance* ji = instance_of(state, regs[0]);
    if (!ji)
        return bad("not a VM context of this guest"_sv);
    VMContext* context = ji->context;
    wasm::Instance& instance = *ji->instance;
    const wasm::Module& module = *instance.module();
    usize memories = instance.memories().size();
    usize tables = instance.tables().size();
    auto table = [&](u64 index) { return instance.tables()[index]; };
    switch (helper) {
    case HelperId::MemorySize:
        if (regs[1] >= memories)
            return bad("memory index"_sv);
        return set(k23_jit_memory_size(context, u32(regs[1])));
    case HelperId::MemoryGrow:
        if (regs[1] >= memories)
            return bad("memory index"_sv);
        return set(k23_jit_memory_grow(context, u32(regs[1]), u32(regs[2])));
    case HelperId::MemoryFill:
        if (regs[1] >= memories)
            return bad("memory index"_sv);
        return set_result(k23_jit_memory_fill(context, u32(regs[1]), u32(regs[2]), u32(regs[3]), u32(regs[4])));
    case HelperId::MemoryCopy:
        if (regs[1] >= memories || regs[2] >= memories)
            return bad("memory index"_sv);
        return set_result(k23_jit_memory_copy(context, u32(regs[1]), u32(regs[2]), u32(regs[3]), u32(regs[4]), u32(regs[5])));
    case HelperId::MemoryInit:
        if (regs[1] >= memories || regs[2] >= module.datas().size())
            return bad("memory or data segment index"_sv);
        return set_result(k23_jit_memory_init(context, u32(regs[1]), u32(regs[2]), u32(regs[3]), u32(regs[4]), u32(regs[5])));
    case HelperId::DataDrop:
        if (regs[1] >= module.datas().size())
            return bad("data segment index"_sv);
        k23_jit_data_drop(context, u32(regs[1]));
        return set(0);
    case HelperId::TableSize:
        if (regs[1] >= tables)
            return bad("table index"_sv);
        return set(k23_jit_table_size(context, u32(regs[1])));
    case HelperId::TableGrow:
        if (regs[1] >= tables || !valid_reference(state, table(regs[1]), regs[2]))
            return bad("table index or reference"_sv);
        return set(k23_jit_table_grow(context, u32(regs[1]), reinterpret_cast<void*>(regs[2]), u32(regs[3])));
    case HelperId::TableFill:
        if (regs[1] >= tables || !valid_reference(state, table(regs[1]), regs[3]))
            return bad("table index or reference"_sv);
        return set_result(k23_jit_table_fill(context, u32(regs[1]), u32(regs[2]), reinterpret_cast<void*>(regs[3]), u32(regs[4])));
    case HelperId::TableCopy:
        if (regs[1] >= tables || regs[2] >= tables)
            return bad("table index"_sv);
        return set_result(k23_jit_table_copy(context, u32(regs[1]), u32(regs[2]), u32(regs[3]), u32(regs[4]), u32(regs[5])));
    case HelperId::TableInit:
        if (regs[1] >= tables || regs[2] >= module.elements().size())
            return bad("table or element segment index"_sv);
        return set_result(k23_jit_table_init(context, u32(regs[1]), u32(regs[2]), u32(regs[3]), u32(regs[4]), u32(regs[5])));
    case HelperId::ElemDrop:
        if (regs[1] >= module.elements().size())
            return bad("element segment index"_sv);
        k23_jit_elem_drop(context, u32(regs[1]));
        return set(0);
    case HelperId::TierUp:
        // The index is checked against the instance's own functions there;
        // a guest that calls this at will only tiers its own code up early.
        request_tier_up(state, *ji, u32(regs[1]));
        return set(0);
    case HelperId::TierUpLoop:
        // fp is checked against the guest stack there.
        return set(request_osr(state, *ji, u32(regs[1]), u32(regs[2]), regs[3], regs[4]));
    default:
        return bad("unknown helper"_sv);
    }
}

} // namespace k23::jit
