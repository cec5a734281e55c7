// The JIT engine (jit/Engine.h): stubs (entry trampoline, trap landing pad,
// host-call trampoline) generated with the assembler at creation,
// compilation, instantiation (VMContext construction, start function) and
// invoke(). The ABI is jit/Abi.h.

#include <arch/riscv64/asm/Assembler.h>
#include <base/Memory.h>
#include <jit/Abi.h>
#include <jit/Helpers.h>
#include <jit/UserMode.h>
#include <base/Platform.h>
#include <jit/EngineState.h>
#include <jit/baseline/Compiler.h>
#include <jit/optimizing/Lower.h>

namespace k23::jit {

using namespace k23::riscv64;
using wasm::FunctionType;
using wasm::Value;
using wasm::ValueType;

namespace {

constexpr usize max_engines = 8;
Engine::State* s_engines[max_engines];
constexpr usize stack_headroom = 256 * 1024;
constexpr i32 saved_frame = 208;

bool is_float(ValueType t) { return t == ValueType::F32 || t == ValueType::F64; }

template<typename T>
T* allocate_object() noexcept
{
    void* memory = platform_allocate(sizeof(T), alignof(T));
    return memory ? construct_at(static_cast<T*>(memory)) : nullptr;
}

template<typename T>
void free_object(T* object) noexcept
{
    if (!object)
        return;
    destroy_at(object);
    platform_deallocate(object, sizeof(T), alignof(T));
}

void save_callee_saved(Assembler& a)
{
    a.sd(ra, sp, 0);
    for (u8 i = 0; i < 12; ++i) {
        GpReg r = i < 2 ? GpReg(u8(8 + i)) : GpReg(u8(18 + i - 2)); // s0, s1, s2..s11
        a.sd(r, sp, 8 + 8 * i);
    }
    for (u8 i = 0; i < 12; ++i) {
        FpReg r = i < 2 ? FpReg(u8(8 + i)) : FpReg(u8(18 + i - 2)); // fs0, fs1, fs2..fs11
        a.fsd(r, sp, 104 + 8 * i);
    }
}

void restore_callee_saved(Assembler& a)
{
    a.ld(ra, sp, 0);
    for (u8 i = 0; i < 12; ++i) {
        GpReg r = i < 2 ? GpReg(u8(8 + i)) : GpReg(u8(18 + i - 2));
        a.ld(r, sp, 8 + 8 * i);
    }
    for (u8 i = 0; i < 12; ++i) {
        FpReg r = i < 2 ? FpReg(u8(8 + i)) : FpReg(u8(18 + i - 2));
        a.fld(r, sp, 104 + 8 * i);
    }
}

// entry(EntryArgs* a0, u64* entry_sp a1) -> 0, or 1 through the landing pad.
// In U-mode (jit/UserMode.h) there is no caller to return to: a1 is unused
// and the stub ends with the entry_return system call.
void emit_entry(Assembler& a, Label landing, bool user_mode)
{
    a.addi(sp, sp, -saved_frame);
    save_callee_saved(a);
    if (!user_mode)
        a.sd(sp, a1, 0);
    a.mv(t0, sp);
    Label stay = a.new_label();
    a.ld(t1, a0, 48);
    a.beqz(t1, stay);
    a.mv(sp, t1);
    a.bind(stay);
    a.addi(sp, sp, -32);
    a.sd(t0, sp, 0);
    a.sd(a0, sp, 8);
    a.mv(s0, sp);
    // The results area, then the params pushed below it (the callee pops them).
    a.ld(t2, a0, 40);
    a.slli(t3, t2, 3);
    a.addi(t3, t3, 15);
    a.andi(t3, t3, -16);
    a.sub(sp, sp, t3);
    a.ld(t2, a0, 56);
    a.slli(t3, t2, 3);
    a.addi(t3, t3, 15);
    a.andi(t3, t3, -16);
    a.sub(sp, sp, t3);
    // Both areas, and the callee's frame link below them, must lie above
    // the stack limit, like a caller's push (jit/Abi.h): a call from a host
    // function back into the guest starts near the limit, and nothing
    // bounds how many params a signature has. The trap names the callee
    // (its first instruction's pc). An interrupted engine's limit fails
    // this check too.
    Label fits = a.new_label();
    a.ld(t1, a0, 8);
    a.ld(t1, t1, VMOffsets::stack_limit);
    a.addi(t3, sp, -16);
    a.bgeu(t3, t1, fits);
    a.ld(a1, a0, 0);
    a.li(a0, i64(wasm::TrapCode::CallStackExhausted));
    a.li(a2, -1);
    a.j(landing);
    a.bind(fits);
    a.ld(t4, a0, 32);
    a.mv(t5, sp);
    Label copy_in = a.new_label(), copied_in = a.new_label();
    a.bind(copy_in);
    a.beqz(t2, copied_in);
    a.ld(t1, t4, 0);
    a.sd(t1, t5, 0);
    a.addi(t4, t4, 8);
    a.addi(t5, t5, 8);
    a.addi(t2, t2, -1);
    a.j(copy_in);
    a.bind(copied_in);
    a.ld(abi::vmctx, a0, 8);
    a.ld(t0, a0, 0);
    a.ld(t1, a0, 24);
    for (u8 i = 0; i < 8; ++i)
        a.fld(abi::float_args[i], t1, 8 * i);
    a.ld(t1, a0, 16);
    for (u8 i = 7; i >= 1; --i)
        a.ld(abi::int_args[i], t1, 8 * i);
    a.ld(a0, t1, 0);
    a.jalr(ra, t0, 0);
    a.ld(t1, s0, 8);
    a.ld(t2, t1, 16);
    for (u8 i = 0; i < 8; ++i)
        a.sd(abi::int_args[i], t2, 8 * i);
    a.ld(t2, t1, 24);
    for (u8 i = 0; i < 8; ++i)
        a.fsd(abi::float_args[i], t2, 8 * i);
    a.ld(t2, t1, 40);
    a.ld(t4, t1, 32);
    a.mv(t5, sp);
    Label copy_out = a.new_label(), copied_out = a.new_label();
    a.bind(copy_out);
    a.beqz(t2, copied_out);
    a.ld(t3, t5, 0);
    a.sd(t3, t4, 0);
    a.addi(t4, t4, 8);
    a.addi(t5, t5, 8);
    a.addi(t2, t2, -1);
    a.j(copy_out);
    a.bind(copied_out);
    if (user_mode) {
        a.li(a7, i64(user_call::entry_return));
        a.ecall();
        a.ebreak(); // never resumed
        return;
    }
    a.ld(sp, s0, 0);
    restore_callee_saved(a);
    a.addi(sp, sp, saved_frame);
    a.li(a0, 0);
    a.ret();
}

// Landing pad: a0 = trap code, a1 = pc; unwinds to the innermost entry.
// In U-mode the kernel does the unwinding: a system call with the same a0..a2.
void emit_landing(Assembler& a, Engine::State& state, bool user_mode)
{
    if (user_mode) {
        a.li(a7, i64(user_call::trap));
        a.ecall();
        a.ebreak(); // never resumed
        return;
    }
    a.li(t0, i64(reinterpret_cast<u64>(&state.trap_code)));
    a.sd(a0, t0, 0);
    a.sd(a1, t0, 8);
    a.sd(a2, t0, 16);
    a.li(t0, i64(reinterpret_cast<u64>(&state.entry_sp)));
    a.ld(sp, t0, 0);
    restore_callee_saved(a);
    a.addi(sp, sp, saved_frame);
    a.li(a0, 1);
    a.ret();
}

// Host-call trampoline: called like a wasm function with s11 = the host
// function's VMFuncEntry. k23_jit_call_host(state, entry, saved registers,
// stack arguments) does the call; for a guest in U-mode the same call is a
// system call (jit/UserMode.h) and the kernel makes it.
void emit_host_trampoline(Assembler& a, Engine::State& state, Label landing, bool user_mode)
{
    a.addi(sp, sp, -144);
    for (u8 i = 0; i < 8; ++i)
        a.sd(abi::int_args[i], sp, 8 * i);
    for (u8 i = 0; i < 8; ++i)
        a.fsd(abi::float_args[i], sp, 64 + 8 * i);
    a.sd(ra, sp, 128);
    if (user_mode) {
        a.mv(a0, abi::vmctx);
        a.mv(a1, sp);
        a.addi(a2, sp, 144);
        a.li(a7, i64(user_call::host_call));
        a.ecall();
    } else {
        a.li(a0, i64(reinterpret_cast<u64>(&state)));
        a.mv(a1, abi::vmctx);
        a.mv(a2, sp);
        a.addi(a3, sp, 144);
        a.li(t0, i64(reinterpret_cast<u64>(&k23_jit_call_host)));
        a.jalr(ra, t0, 0);
    }
    Label error = a.new_label();
    a.bnez(a0, error);
    a.mv(t1, a1); // the stack arguments to pop (jit/Abi.h: the callee pops)
    for (u8 i = 0; i < 8; ++i)
        a.ld(abi::int_args[i], sp, 8 * i);
    for (u8 i = 0; i < 8; ++i)
        a.fld(abi::float_args[i], sp, 64 + 8 * i);
    a.ld(ra, sp, 128);
    a.addi(sp, sp, 144);
    a.add(sp, sp, t1);
    a.ret();
    a.bind(error);
    a.li(a0, i64(abi::host_error_code));
    a.li(a1, 0);
    a.li(a2, -1);
    a.j(landing);
}

// Typed host-call trampoline (a host function with a typed form,
// wasm/Runtime.h): the wasm arguments are already where the C++ function
// wants them (a0..a5), so this is a call with the HostCall in a6. In a
// Linux process s11 is the entry's TypedHostTarget (jit/EngineState.h); in
// U-mode s11 is the entry, and the kernel makes the call (jit/UserMode.h).
// No stack arguments or results: nothing to pop.
void emit_typed_host_trampoline(Assembler& a, Engine::State& state, Label landing, bool user_mode)
{
    if (user_mode) {
        a.lwu(a6, abi::vmctx, VMOffsets::entry_host);
        a.li(a7, i64(user_call::host_call_typed));
        a.ecall();
        a.ret();
        return;
    }
    static_assert(__builtin_offsetof(TypedHostTarget, function) == 0 && __builtin_offsetof(TypedHostTarget, call) == 8);
    a.addi(sp, sp, -16);
    a.sd(ra, sp, 8);
    a.ld(t0, abi::vmctx, 0);
    a.addi(a6, abi::vmctx, 8);
    a.jalr(ra, t0, 0);
    a.ld(ra, sp, 8);
    a.addi(sp, sp, 16);
    Label error = a.new_label();
    a.bnez(a1, error);
    a.ret();
    // HostCall::fail stored the error in state.pending_error.
    a.bind(error);
    a.li(t0, i64(reinterpret_cast<u64>(&state.has_pending_error)));
    a.li(t1, 1);
    a.sb(t1, t0, 0);
    a.li(a0, i64(abi::host_error_code));
    a.li(a1, 0);
    a.li(a2, -1);
    a.j(landing);
}

bool on_fault(u64 pc, u64, FaultRedirect& redirect) noexcept
{
    for (Engine::State* state : s_engines) {
        if (!state)
            continue;
        CompiledModule* module = module_at_pc(*state, pc);
        if (!module)
            continue;
        u32 function = 0;
        const TrapSite* site = nullptr;
        if (!module->lookup(pc, function, site) || !site)
            return false;
        redirect.pc = state->landing_pad;
        redirect.a0 = u64(wasm::TrapCode::OutOfBoundsMemory);
        redirect.a1 = pc;
        redirect.a2 = ~u64(0);
        return true;
    }
    return false;
}

// One helper stub per HelperId (jit/UserMode.h), 16 bytes each; `offsets`
// gets each one's offset from the start of the stubs.
void emit_helper_stubs(Assembler& a, u32 (&offsets)[helper_count])
{
    for (usize id = 0; id < helper_count; ++id) {
        a.align(16);
        offsets[id] = a.offset();
        a.li(a7, i64(user_call::helper_base + id));
        a.ecall();
        a.ret();
    }
}

// The stubs, laid out [entry | landing | host | helper stubs (U-mode)].
struct StubLayout {
    u32 size { 0 };
    u32 landing_offset { 0 };
    u32 host_offset { 0 };
    u32 typed_host_offset { 0 };
    u32 helper_offsets[helper_count] {};
};
constexpr usize stub_capacity = 4096;

Result<void> assemble_stub_code(Engine::State& state, bool user_mode, u8* out, StubLayout& layout) noexcept
{
    CodeHolder code(state.options.features);
    Assembler a(code);
    Label landing = a.new_label();
    emit_entry(a, landing, user_mode);
    a.align(16);
    a.bind(landing);
    layout.landing_offset = a.offset();
    emit_landing(a, state, user_mode);
    a.align(16);
    layout.host_offset = a.offset();
    emit_host_trampoline(a, state, landing, user_mode);
    a.align(16);
    layout.typed_host_offset = a.offset();
    emit_typed_host_trampoline(a, state, landing, user_mode);
    if (user_mode)
        emit_helper_stubs(a, layout.helper_offsets);
    TRY(code.finalize());
    if (code.code_size() > stub_capacity)
        return Error::from_code(ErrorCode::Overflow, "JIT stubs too large");
    layout.size = u32(code.code_size());
    return code.copy_to(Span<u8>(out, code.code_size()));
}

// U-mode stubs use labels only (no address of the engine's state), so they
// are position independent: assembled once per set of CPU features, then
// copied into each guest's code (a guest's engine would otherwise spend
// most of its creation in the assembler). One hart creates engines.
struct UserStubCache {
    bool valid { false };
    riscv64::CpuFeatures features;
    StubLayout layout;
    u8 bytes[stub_capacity];
};
UserStubCache s_user_stubs;

Result<u8*> assemble_stubs(Engine::State& state, usize& size) noexcept
{
    bool user_mode = state.options.executor != nullptr;
    u8* memory = TRY(platform_code_allocate(stub_capacity));
    StubLayout layout;
    Result<void> made;
    if (user_mode && s_user_stubs.valid && s_user_stubs.features == state.options.features) {
        layout = s_user_stubs.layout;
        copy_bytes(memory, s_user_stubs.bytes, layout.size);
    } else {
        made = assemble_stub_code(state, user_mode, memory, layout);
        if (!made.is_error() && user_mode) {
            copy_bytes(s_user_stubs.bytes, memory, layout.size);
            s_user_stubs.layout = layout;
            s_user_stubs.features = state.options.features;
            s_user_stubs.valid = true;
        }
    }
    if (!made.is_error())
        made = platform_code_publish(memory, stub_capacity);
    if (made.is_error()) {
        platform_code_release(memory, stub_capacity);
        return made.release_error();
    }
    if (user_mode) {
        for (usize id = 0; id < helper_count; ++id)
            state.helpers.address[id] = u64(memory) + layout.helper_offsets[id];
    } else {
        state.helpers = native_helpers();
    }
    size = stub_capacity;
    state.landing_pad = u64(memory) + layout.landing_offset;
    state.host_trampoline = u64(memory) + layout.host_offset;
    state.typed_host_trampoline = u64(memory) + layout.typed_host_offset;
    state.entry = reinterpret_cast<EntryFunction>(memory);
    return memory;
}

u64 to_raw(const Value& v)
{
    switch (v.type) {
    case ValueType::I32: return u64(i64(i32(v.i32)));
    case ValueType::F32: return 0xffffffff00000000ull | v.f32_bits;
    case ValueType::FuncRef:
    case ValueType::ExternRef: return u64(reinterpret_cast<u64>(v.ref));
    default: return v.i64;
    }
}

Value from_raw(ValueType t, u64 raw)
{
    switch (t) {
    case ValueType::I32: return Value::from_i32(u32(raw));
    case ValueType::F32: return Value::from_f32_bits(u32(raw));
    case ValueType::F64: return Value::from_f64_bits(raw);
    case ValueType::FuncRef:
    case ValueType::ExternRef: return Value::from_ref(t, reinterpret_cast<void*>(u64(raw)));
    default: return Value::from_i64(raw);
    }
}

} // namespace

// Overflow slot count of a signature (jit/Abi.h).
u32 overflow_of(Span<const ValueType> types) noexcept
{
    u32 ints = 0, floats = 0, wide = 0;
    for (ValueType t : types) {
        if (t == ValueType::V128)
            wide += 2; // always in memory: two slots, low half first
        else if (is_float(t))
            ++floats;
        else
            ++ints;
    }
    return (ints > 8 ? ints - 8 : 0) + (floats > 8 ? floats - 8 : 0) + wide;
}


// ---------------------------------------------------------------- errors

bool is_trap(const Error& error) noexcept { return error.code() == ErrorCode::Trap; }

bool trap_code_of(const Error& error, wasm::TrapCode& code) noexcept
{
    if (!is_trap(error))
        return false;
    for (u8 i = 0; i <= u8(wasm::TrapCode::Interrupted); ++i) {
        StringView message = wasm::trap_message(wasm::TrapCode(i));
        if (error.message().starts_with(message)) {
            code = wasm::TrapCode(i);
            return true;
        }
    }
    return false;
}

Error make_trap_error(Engine::State& state) noexcept
{
    if (state.trap_code == abi::host_error_code && state.has_pending_error) {
        state.has_pending_error = false;
        return state.pending_error;
    }
    auto code = wasm::TrapCode(state.trap_code);
    // An interrupt makes the stack checks fail (Engine::interrupt): while
    // it stands, that is what they report.
    if (code == wasm::TrapCode::CallStackExhausted && __atomic_load_n(&state.interrupt_requested, __ATOMIC_SEQ_CST))
        code = wasm::TrapCode::Interrupted;
    StringView message = wasm::trap_message(code);
    if (CompiledModule* module = module_at_pc(state, state.trap_pc)) {
        u32 function = 0;
        const TrapSite* site = nullptr;
        if (!module->lookup(state.trap_pc, function, site))
            return Error::from_code(ErrorCode::Trap, message);
        u32 offset = site ? site->wasm_offset : module->module->functions()[function].body.offset;
        StringView name = module->module->function_name(function);
        // The spec interpreter names the element: "uninitialized element 2".
        char detail[24] = { 0 };
        if (state.trap_detail != ~u64(0))
            format_to(Span<char>(detail, sizeof detail), " {}"_sv, state.trap_detail);
        Error error = name.is_empty()
            ? Error::formatted(ErrorCode::Trap, "{}{} in func[{}] at wasm offset {:#x}"_sv, message, StringView(detail), function, offset)
            : Error::formatted(ErrorCode::Trap, "{}{} in {} at wasm offset {:#x}"_sv, message, StringView(detail), name, offset);
        return error.with_offset(offset).in_function(function);
    }
    return Error::from_code(ErrorCode::Trap, message);
}

// ---------------------------------------------------------------- engine

Result<Engine*> Engine::create(const EngineOptions& options) noexcept
{
    Engine* engine = allocate_object<Engine>();
    State* state = allocate_object<State>();
    if (!engine || !state) {
        free_object(engine);
        free_object(state);
        return Error::from_code(ErrorCode::OutOfMemory, "cannot allocate the JIT engine");
    }
    engine->m_state = state;
    state->options = options;
    state->can_execute = options.executor ? true : platform_can_execute_jit();
    auto stubs = assemble_stubs(*state, state->stubs_size);
    if (stubs.is_error()) {
        destroy(engine);
        return stubs.release_error();
    }
    state->stubs = stubs.value();
    usize stack_size = options.stack_size < 2 * stack_headroom ? 2 * stack_headroom : options.stack_size;
    // Exposed and writable: generated code's own stack (in the kernel, in
    // the guest's address space, with unmapped pages around it).
    state->stack = static_cast<u8*>(platform_allocate_exposed(stack_size, 16, Exposure::ReadWrite));
    if (!state->stack) {
        destroy(engine);
        return Error::from_code(ErrorCode::OutOfMemory, "cannot allocate the guest stack");
    }
    state->options.stack_size = stack_size;
    state->stack_limit = u64(state->stack) + stack_headroom;
    state->stack_top = (u64(state->stack) + stack_size) & ~u64(15);
    if (state->can_execute && !options.executor) {
        if (auto r = platform_install_fault_handler(&on_fault); r.is_error()) {
            destroy(engine);
            return r.release_error();
        }
    }
    for (auto& slot : s_engines) {
        if (!slot) {
            slot = state;
            break;
        }
    }
    return engine;
}

void Engine::destroy(Engine* engine) noexcept
{
    if (!engine)
        return;
    State* state = engine->m_state;
    if (state) {
        // Tier-up jobs in flight compile for this engine: wait for them.
        if (state->options.tier_up_queue)
            state->options.tier_up_queue->drain();
        for (TierUpJob* job = state->tier_up_done; job;) {
            TierUpJob* next = job->next;
            if (job->code) {
                platform_code_release(job->code->code, job->code->code_size);
                free_object(job->code);
            }
            free_object(job);
            job = next;
        }
        optimizing::LowerScratch::destroy(state->tier_up_scratch);
        for (auto& slot : s_engines) {
            if (slot == state)
                slot = nullptr;
        }
        // Store objects are not touched: the store may already be gone.
        for (JitInstance* instance : state->instances)
            free_object(instance);
        for (HostEntry* entry : state->host_entries)
            free_object(entry);
        for (CompiledModule* module : state->modules) {
            platform_code_release(module->code, module->code_size);
            free_object(module);
        }
        if (state->stubs)
            platform_code_release(state->stubs, state->stubs_size);
        if (state->stack)
            platform_deallocate_exposed(state->stack, state->options.stack_size, 16, Exposure::ReadWrite);
        free_object(state);
    }
    free_object(engine);
}

bool Engine::can_execute() const noexcept { return m_state->can_execute; }
const EngineOptions& Engine::options() const noexcept { return m_state->options; }

CompiledModule* module_at_pc(Engine::State& state, u64 pc) noexcept
{
    // The last module whose code starts at or below pc.
    usize low = 0, high = state.modules.size();
    while (low < high) {
        usize mid = (low + high) / 2;
        if (u64(state.modules[mid]->code) <= pc)
            low = mid + 1;
        else
            high = mid;
    }
    if (low == 0 || !state.modules[low - 1]->contains(pc))
        return nullptr;
    return state.modules[low - 1];
}

const TierCounts& Engine::tier_counts() const noexcept { return m_state->tier_counts; }

void Engine::install_finished_tier_ups() noexcept { jit::install_finished_tier_ups(*m_state); }

// A code object joins the engine: module_at_pc finds it (traps, faults),
// perf maps name its functions.
static Result<void> register_code(Engine::State& state, CompiledModule* compiled) noexcept
{
    TRY(state.modules.try_append(compiled));
    // Kept sorted by code address for module_at_pc (one insertion step).
    for (usize i = state.modules.size() - 1; i > 0 && state.modules[i - 1]->code > compiled->code; --i) {
        state.modules[i] = state.modules[i - 1];
        state.modules[i - 1] = compiled;
    }
    if (state.options.perf_map) {
        const wasm::Module& module = *compiled->module;
        for (usize i = 0; i < compiled->functions.size(); ++i) {
            u32 index = compiled->first_function + u32(i);
            char name[96];
            StringView debug_name = module.function_name(index);
            StringView suffix = compiled->tiered_from ? ".opt"_sv : ""_sv;
            usize length = debug_name.is_empty() ? format_to(Span<char>(name, sizeof name), "wasm:func[{}]{}"_sv, index, suffix)
                                                 : format_to(Span<char>(name, sizeof name), "wasm:{}{}"_sv, debug_name, suffix);
            const CompiledFunction& f = compiled->functions[i];
            platform_perf_map_add(compiled->code + f.code_offset, f.code_size, StringView(name, length));
        }
    }
    return {};
}

static CompiledModule* find_compiled(Engine::State& state, const wasm::Module& module) noexcept
{
    for (CompiledModule* m : state.modules) {
        if (!m->tiered_from && m->module == &module && m->module_serial == module.serial())
            return m;
    }
    return nullptr;
}

Result<void> Engine::compile(const wasm::Module& module, CompileStats* stats) noexcept
{
    State& state = *m_state;
    if (find_compiled(state, module))
        return {};
    CompiledModule* compiled = allocate_object<CompiledModule>();
    if (!compiled)
        return Error::from_code(ErrorCode::OutOfMemory, "cannot allocate a code object");
    CompileEnvironment env { state.options.features, state.landing_pad, state.helpers };
    env.osr_at_loops = state.options.tier_up_osr;
    auto result = jit::compile_module(module, env, state.options.tier, *compiled, &state.tier_counts);
    if (result.is_error()) {
        if (compiled->code)
            platform_code_release(compiled->code, compiled->code_size);
        free_object(compiled);
        return result;
    }
    if (auto r = register_code(state, compiled); r.is_error()) {
        platform_code_release(compiled->code, compiled->code_size);
        free_object(compiled);
        return r;
    }
    if (stats) {
        stats->functions += compiled->functions.size();
        for (u32 i = module.imported_function_count(); i < module.functions().size(); ++i)
            stats->wasm_bytes += module.functions()[i].body.size;
        stats->code_bytes += compiled->code_size;
        stats->islands += compiled->islands;
    }
    return {};
}

JitInstance::~JitInstance() noexcept
{
    if (context)
        platform_deallocate_exposed(context, sizeof(VMContext), alignof(VMContext), Exposure::ReadOnly);
}

HostEntry::~HostEntry() noexcept
{
    if (entry)
        platform_deallocate_exposed(entry, sizeof(VMFuncEntry), alignof(VMFuncEntry), Exposure::ReadOnly);
}

// The VMFuncEntry of a function a JIT instance imports: wasm functions of
// engine instances already have one; host functions get one here.
static Result<VMFuncEntry*> entry_for_import(Engine::State& state, wasm::FunctionInstance* f, const FunctionType& type) noexcept
{
    if (f->jit)
        return static_cast<VMFuncEntry*>(f->jit);
    if (!f->is_host())
        return Error::from_code(ErrorCode::Unsupported, "imported function was not instantiated by this engine");
    HostEntry* host = allocate_object<HostEntry>();
    if (!host)
        return Error::from_code(ErrorCode::OutOfMemory, "cannot allocate a host entry");
    void* entry = platform_allocate_exposed(sizeof(VMFuncEntry), alignof(VMFuncEntry), Exposure::ReadOnly);
    if (!entry || host->params.try_extend(type.params).is_error() || host->results.try_extend(type.results).is_error()
        || state.host_entries.try_append(host).is_error()) {
        if (entry)
            platform_deallocate_exposed(entry, sizeof(VMFuncEntry), alignof(VMFuncEntry), Exposure::ReadOnly);
        free_object(host);
        return Error::from_code(ErrorCode::OutOfMemory, "cannot allocate a host entry");
    }
    host->entry = construct_at(static_cast<VMFuncEntry*>(entry));
    host->function = f;
    host->entry->code = reinterpret_cast<const void*>(state.host_trampoline);
    host->entry->context = host->entry;
    // The typed form, when the function has one (its type is the import's,
    // which the linker matched).
    if (f->host->typed && wasm::fits_typed_host(type)) {
        host->typed.function = f->host->typed;
        host->typed.call = { f->host->data, &state.pending_error };
        host->entry->code = reinterpret_cast<const void*>(state.typed_host_trampoline);
        if (!state.options.executor)
            host->entry->context = &host->typed;
    }
    host->entry->type = f->type;
    host->entry->host = u32(state.host_entries.size());
    host->entry->function = f;
    f->jit = host->entry;
    return host->entry;
}

// ---------------------------------------------------------------- tier-up

// What a function's budget is set to in its state: counting (or waiting
// for a background compile: it asks again after as many ticks, which
// installs what finished), or never again.
static i32 budget_for(Engine::State& state, TierUpState tier_state) noexcept
{
    if (tier_state == TierUpState::Counting || tier_state == TierUpState::Queued) {
        u32 budget = state.options.tier_up_budget;
        return budget > u32(0x7fffffff) ? 0x7fffffff : i32(budget);
    }
    return 0x7fffffff;
}

static void set_budgets(Engine::State& state, CompiledModule* compiled, u32 i) noexcept
{
    i32 budget = budget_for(state, TierUpState(compiled->tier_up_state[i]));
    for (JitInstance* ji : state.instances) {
        if (ji->compiled == compiled && i < ji->tier_budgets.size())
            __atomic_store_n(&ji->tier_budgets[i], budget, __ATOMIC_RELAXED);
    }
}

// The guest thread: a finished job's code joins the engine and every
// instance's table, or the function is marked refused.
static void install_tier_up(Engine::State& state, TierUpJob* job) noexcept
{
    CompiledModule* from = job->from;
    u32 i = job->index - from->first_function;
    CompiledModule* code = job->code;
    if (code && register_code(state, code).is_error()) {
        platform_code_release(code->code, code->code_size);
        free_object(code);
        code = nullptr;
    }
    if (job->loop_offset) {
        // An OSR entry: the next ask at its loop header moves over.
        for (auto& entry : from->osr_entries) {
            if (entry.function == job->index && entry.loop_offset == job->loop_offset && entry.pending) {
                entry.pending = false;
                entry.code = code ? code->code : nullptr;
            }
        }
        if (code) {
            ++state.tier_counts.osr_entries;
            state.tier_counts.optimized_bytes += code->functions[0].code_size;
        }
        free_object(job);
        return;
    }
    if (!code) {
        from->tier_up_state[i] = u8(TierUpState::Refused);
        ++state.tier_counts.tier_up_refused;
    } else {
        from->tier_up_state[i] = u8(TierUpState::Optimized);
        from->optimized_code[i] = code->code;
        ++state.tier_counts.tiered_up;
        ++state.tier_counts.optimized;
        state.tier_counts.optimized_bytes += code->functions[0].code_size;
        // One store per instance: callers load the entry's code at each
        // call. The code was published (W^X, icache) before this store.
        for (JitInstance* ji : state.instances) {
            if (ji->compiled == from)
                __atomic_store_n(&ji->own_entries[i].code, static_cast<const void*>(code->code), __ATOMIC_RELEASE);
        }
    }
    set_budgets(state, from, i);
    free_object(job);
}

void install_finished_tier_ups(Engine::State& state) noexcept
{
    if (!__atomic_load_n(&state.tier_up_done, __ATOMIC_RELAXED))
        return;
    TierUpJob* job = __atomic_exchange_n(&state.tier_up_done, nullptr, __ATOMIC_ACQUIRE);
    while (job) {
        TierUpJob* next = job->next;
        install_tier_up(state, job);
        job = next;
    }
}

static void compile_job(TierUpJob* job, optimizing::LowerScratch& scratch) noexcept
{
    CompiledModule* code = allocate_object<CompiledModule>();
    if (!code) {
        job->error = ErrorCode::OutOfMemory;
        return;
    }
    code->tiered_from = job->from;
    auto result = compile_tier_up(*job->from->module, job->index, job->env, scratch, *code);
    if (result.is_error()) {
        job->error = result.error().code();
        free_object(code);
        return;
    }
    job->code = code;
}

void run_tier_up_job(TierUpJob* job) noexcept
{
    auto scratch = optimizing::LowerScratch::create();
    if (scratch.is_error())
        job->error = ErrorCode::OutOfMemory;
    else
        compile_job(job, *scratch.value());
    if (!scratch.is_error())
        optimizing::LowerScratch::destroy(scratch.value());
    // Push onto the done list; the guest thread installs it.
    Engine::State& state = *job->state;
    TierUpJob* head = __atomic_load_n(&state.tier_up_done, __ATOMIC_RELAXED);
    do {
        job->next = head;
    } while (!__atomic_compare_exchange_n(&state.tier_up_done, &head, job, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

// A job to the engine's queue (k23-run's worker), or compiled here and now
// on the guest's stack (its headroom is for helpers like this one). A queue
// that ran it at once (k23-run's inline one) leaves it finished: in now.
static void dispatch_tier_up(Engine::State& state, TierUpJob* job) noexcept
{
    TierUpQueue* queue = state.options.tier_up_queue;
    if (queue && queue->post(job)) {
        install_finished_tier_ups(state);
        return;
    }
    if (!state.tier_up_scratch) {
        auto scratch = optimizing::LowerScratch::create();
        if (!scratch.is_error())
            state.tier_up_scratch = scratch.value();
    }
    if (state.tier_up_scratch)
        compile_job(job, *state.tier_up_scratch);
    install_tier_up(state, job);
}

void request_tier_up(Engine::State& state, JitInstance& ji, u32 index) noexcept
{
    install_finished_tier_ups(state);
    CompiledModule* from = ji.compiled;
    if (!from || from->tier_up_state.is_empty() || index < from->first_function
        || index - from->first_function >= from->tier_up_state.size())
        return;
    u32 i = index - from->first_function;
    if (TierUpState(from->tier_up_state[i]) == TierUpState::Counting) {
        TierUpJob* job = allocate_object<TierUpJob>();
        if (!job) {
            from->tier_up_state[i] = u8(TierUpState::Refused);
        } else {
            job->state = &state;
            job->from = from;
            job->index = index;
            job->env = { state.options.features, state.landing_pad, state.helpers };
            from->tier_up_state[i] = u8(TierUpState::Queued);
            dispatch_tier_up(state, job);
        }
    }
    set_budgets(state, from, i);
}

// Params plus declared locals (§5.5.13: the body starts with vec(n:u32
// t:valtype) of a validated module).
static u64 local_count(const wasm::Module& module, u32 index) noexcept
{
    ReadonlyBytes body = module.bytes_of(module.functions()[index].body);
    usize at = 0;
    auto leb = [&]() -> u64 {
        u64 value = 0;
        for (u32 shift = 0; at < body.size() && shift < 64; shift += 7) {
            u8 byte = body[at++];
            value |= u64(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                break;
        }
        return value;
    };
    u64 count = module.function_type(index).params.size();
    for (u64 groups = leb(); groups > 0 && at < body.size(); --groups) {
        count += leb();
        ++at; // the type
    }
    return count;
}

u64 request_osr(Engine::State& state, JitInstance& ji, u32 index, u32 loop_offset, u64 fp, u64 wide) noexcept
{
    request_tier_up(state, ji, index);
    CompiledModule* from = ji.compiled;
    if (!from || from->tier_up_state.is_empty() || index < from->first_function
        || index - from->first_function >= from->tier_up_state.size())
        return 0;
    const wasm::Module& module = *from->module;
    u64 count = local_count(module, index);
    // The baseline's frame (jit/Abi.h): slot k at fp - 16 - 8k, or in a
    // wide frame at fp - 32 - 16k (a scalar in its low 8 bytes), all of them
    // on the guest stack.
    u64 first = wide ? 32 : 16, stride = wide ? 16 : 8;
    u64 reach = first - 8 + stride * count; // below fp, the last slot's 8 bytes included
    if (count > ji.osr_locals.size() / 2 || fp < reach || fp - reach < u64(state.stack) || fp > state.stack_top)
        return 0;
    auto find = [&]() -> CompiledModule::OsrEntry* {
        for (auto& entry : from->osr_entries) {
            if (entry.function == index && entry.loop_offset == loop_offset)
                return &entry;
        }
        return nullptr;
    };
    if (!find()) {
        // Like a function's tier-up: through the queue (k23-run's thread,
        // or inline between the bench markers), else here and now.
        TierUpJob* job = allocate_object<TierUpJob>();
        if (!job || from->osr_entries.try_append({ index, loop_offset, nullptr, true }).is_error()) {
            free_object(job);
            return 0;
        }
        job->state = &state;
        job->from = from;
        job->index = index;
        job->loop_offset = loop_offset;
        job->env = { state.options.features, state.landing_pad, state.helpers };
        job->env.osr_loop_offset = loop_offset;
        dispatch_tier_up(state, job);
    }
    CompiledModule::OsrEntry* entry = find();
    if (entry && entry->pending) {
        // Compiling elsewhere: ask again after another budget.
        u32 i = index - from->first_function;
        i32 budget = state.options.tier_up_budget > 0x7fffffffu ? 0x7fffffff : i32(state.options.tier_up_budget);
        if (i < ji.tier_budgets.size())
            __atomic_store_n(&ji.tier_budgets[i], budget, __ATOMIC_RELAXED);
        return 0;
    }
    const u8* code = entry ? entry->code : nullptr;
    if (!code)
        return 0;
    for (u64 k = 0; k < count; ++k) {
        // 16 bytes a local: a v128 (wide frames) reads both halves.
        const u64* slot = reinterpret_cast<const u64*>(fp - first - stride * k);
        ji.osr_locals[2 * k] = slot[0];
        ji.osr_locals[2 * k + 1] = wide ? slot[1] : 0;
    }
    ++state.tier_counts.osr_transfers;
    return u64(code);
}

extern "C" u64 k23_jit_tier_up_loop(VMContext* context, u32 index, u32 loop_offset, u64 fp, u64 wide) noexcept
{
    auto* state = static_cast<Engine::State*>(context->engine);
    auto* ji = static_cast<JitInstance*>(context->owner);
    return request_osr(*state, *ji, index, loop_offset, fp, wide);
}

extern "C" void k23_jit_tier_up(VMContext* context, u32 index) noexcept
{
    auto* state = static_cast<Engine::State*>(context->engine);
    auto* ji = static_cast<JitInstance*>(context->owner);
    request_tier_up(*state, *ji, index);
}

static Result<void> build_instance(Engine::State& state, wasm::Linker& linker, const wasm::Module& module,
    wasm::Instance* instance, CompiledModule* compiled) noexcept
{
    JitInstance* ji = allocate_object<JitInstance>();
    if (!ji)
        return Error::from_code(ErrorCode::OutOfMemory, "cannot allocate a JIT instance");
    if (auto r = state.instances.try_append(ji); r.is_error()) {
        free_object(ji);
        return r;
    }
    void* context = platform_allocate_exposed(sizeof(VMContext), alignof(VMContext), Exposure::ReadOnly);
    if (!context)
        return Error::from_code(ErrorCode::OutOfMemory, "cannot allocate a VM context");
    ji->context = construct_at(static_cast<VMContext*>(context));
    ji->instance = instance;
    ji->compiled = compiled;
    u32 imported = module.imported_function_count();
    u32 count = u32(module.functions().size());
    TRY(ji->own_entries.try_allocate(count - imported));
    TRY(ji->functions.try_allocate(count));
    for (u32 i = 0; i < count; ++i) {
        wasm::FunctionInstance* f = instance->functions()[i];
        if (i < imported) {
            ji->functions[i] = TRY(entry_for_import(state, f, module.function_type(i)));
            continue;
        }
        VMFuncEntry& e = ji->own_entries[i - imported];
        e.code = compiled->code + compiled->functions[i - imported].code_offset;
        // Tier::Auto: a function an earlier instance tiered up starts optimized.
        if (!compiled->optimized_code.is_empty() && compiled->optimized_code[i - imported])
            e.code = compiled->optimized_code[i - imported];
        e.context = ji->context;
        e.type = f->type;
        e.function = f;
        f->jit = &e;
        ji->functions[i] = &e;
    }
    TRY(ji->memory_bases.try_allocate(instance->memories().size()));
    for (usize i = 0; i < instance->memories().size(); ++i)
        ji->memory_bases[i] = instance->memories()[i]->data();
    // Tier::Auto: OSR entries read their locals as globals past the last.
    usize osr_slots = compiled->tier_up_state.is_empty() ? 0 : osr_max_locals;
    TRY(ji->globals.try_allocate(instance->globals().size() + osr_slots));
    for (usize i = 0; i < instance->globals().size(); ++i)
        ji->globals[i] = &instance->globals()[i]->value.i64;
    if (osr_slots) {
        TRY(ji->osr_locals.try_allocate(2 * osr_slots));
        for (usize k = 0; k < osr_slots; ++k)
            ji->globals[instance->globals().size() + k] = &ji->osr_locals[2 * k];
    }
    TRY(ji->tables.try_allocate(instance->tables().size()));
    for (usize i = 0; i < instance->tables().size(); ++i)
        ji->tables[i] = instance->tables()[i]->view();
    TRY(ji->type_ids.try_allocate(module.type_count()));
    // Store-canonical type ids, compared with FunctionInstance::type by
    // call_indirect.
    for (u32 i = 0; i < module.type_count(); ++i)
        ji->type_ids[i] = TRY(linker.store().intern_type(module.type(i)));
    TRY(ji->element_refs.try_resize(module.elements().size()));
    TRY(ji->element_dropped.try_resize(module.elements().size(), false));
    for (u32 s = 0; s < module.elements().size(); ++s) {
        const wasm::ElementSegment& segment = module.elements()[s];
        ji->element_dropped[s] = instance->element_dropped(s);
        if (ji->element_dropped[s])
            continue;
        TRY(ji->element_refs[s].try_resize(segment.size()));
        for (u32 k = 0; k < segment.size(); ++k) {
            if (segment.uses_expressions)
                ji->element_refs[s][k] = TRY(linker.evaluate(module, *instance, segment.expressions[k])).ref;
            else
                ji->element_refs[s][k] = instance->functions()[segment.functions[k]];
        }
    }
    TRY(ji->data_dropped.try_resize(module.datas().size(), false));
    for (u32 d = 0; d < module.datas().size(); ++d)
        ji->data_dropped[d] = instance->data_dropped(d);
    if (!compiled->tier_up_state.is_empty()) {
        TRY(ji->tier_budgets.try_allocate(count - imported));
        for (u32 i = 0; i < count - imported; ++i)
            ji->tier_budgets[i] = budget_for(state, TierUpState(compiled->tier_up_state[i]));
    }
    VMContext& ctx = *ji->context;
    ctx.stack_limit = state.stack_limit;
    ctx.tier_budgets = ji->tier_budgets.is_empty() ? nullptr : ji->tier_budgets.data();
    ctx.memory0_base = ji->memory_bases.is_empty() ? nullptr : ji->memory_bases[0];
    ctx.functions = ji->functions.data();
    ctx.memory_bases = ji->memory_bases.data();
    ctx.globals = ji->globals.data();
    ctx.tables = ji->tables.data();
    ctx.type_ids = ji->type_ids.data();
    ctx.engine = &state;
    ctx.instance = instance;
    ctx.module = compiled;
    ctx.owner = ji;
    // Publish the context to interrupt(), then look at the request: with
    // both sequentially consistent, a concurrent interrupt() either finds
    // this context in the list or its request is seen here.
    ji->next_interruptible = state.interruptible;
    __atomic_store_n(&state.interruptible, ji, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&state.interrupt_requested, __ATOMIC_SEQ_CST))
        __atomic_store_n(&ctx.stack_limit, interrupt_limit, __ATOMIC_SEQ_CST);
    return {};
}

void Engine::interrupt() noexcept
{
    State& state = *m_state;
    __atomic_store_n(&state.interrupt_requested, 1u, __ATOMIC_SEQ_CST);
    for (JitInstance* ji = __atomic_load_n(&state.interruptible, __ATOMIC_SEQ_CST); ji; ji = ji->next_interruptible)
        __atomic_store_n(&ji->context->stack_limit, interrupt_limit, __ATOMIC_SEQ_CST);
}

bool Engine::interrupted() const noexcept { return __atomic_load_n(&m_state->interrupt_requested, __ATOMIC_SEQ_CST) != 0; }

void Engine::clear_interrupt() noexcept
{
    State& state = *m_state;
    __atomic_store_n(&state.interrupt_requested, 0u, __ATOMIC_SEQ_CST);
    for (JitInstance* ji = state.interruptible; ji; ji = ji->next_interruptible)
        __atomic_store_n(&ji->context->stack_limit, state.stack_limit, __ATOMIC_SEQ_CST);
}

Result<wasm::Instance*> Engine::instantiate(wasm::Linker& linker, const wasm::Module& module, wasm::Instance** out) noexcept
{
    State& state = *m_state;
    TRY(compile(module));
    CompiledModule* compiled = find_compiled(state, module);
    wasm::Instance* instance = nullptr;
    auto result = linker.instantiate(module, &instance);
    if (out)
        *out = instance;
    if (!instance)
        return result;
    bool complete = instance->functions().size() == module.functions().size()
        && instance->memories().size() == module.memories().size()
        && instance->tables().size() == module.tables().size()
        && instance->globals().size() == module.globals().size();
    if (!complete)
        return result;
    TRY(build_instance(state, linker, module, instance, compiled));
    if (!result.is_error())
        return instance;
    if (result.error().code() != ErrorCode::Unsupported || !module.has_start())
        return result.release_error();
    // §4.5.4 step 16: run the start function.
    TRY(invoke(instance->functions()[module.start()], {}, {}));
    return instance;
}

Result<void> Engine::invoke(wasm::FunctionInstance* function, Span<const Value> args, Span<Value> results) noexcept
{
    State& state = *m_state;
    if (!function)
        return Error::from_code(ErrorCode::InvalidArgument, "invoke: no function");
    // In U-mode (jit/UserMode.h) a funcref the embedder got from guest data
    // (a table, a global) may be forged: only functions this engine knows
    // are looked at.
    if (state.options.executor && !is_known_function(state, u64(function)))
        return Error::from_code(ErrorCode::InvalidArgument, "invoke: not a function of this guest");
    if (function->is_host())
        return function->call_host(args, results);
    auto* entry = static_cast<VMFuncEntry*>(function->jit);
    if (!entry || !function->instance || !function->instance->module())
        return Error::from_code(ErrorCode::InvalidArgument, "invoke: function was not instantiated by this engine");
    if (!state.can_execute)
        return Error::from_code(ErrorCode::Unsupported, "JIT execution needs a riscv64 host");
    jit::install_finished_tier_ups(state);
    FunctionType type = function->instance->module()->function_type(function->index);
    if (args.size() != type.params.size() || results.size() < type.results.size())
        return Error::from_code(ErrorCode::InvalidArgument, "invoke: wrong number of arguments or results");
    u64 gp[8] = {}, fp[8] = {};
    u32 overflow_params = overflow_of(type.params);
    u32 overflow_results = overflow_of(type.results);
    u32 overflow = overflow_params > overflow_results ? overflow_params : overflow_results;
    Vector<u64> stack;
    TRY(stack.try_resize(overflow ? overflow : 1, 0));
    u32 ints = 0, floats = 0, k = 0;
    for (usize i = 0; i < args.size(); ++i) {
        ValueType t = type.params[i];
        if (t == ValueType::V128) {
            copy_bytes(&stack[k], args[i].v128, 16);
            k += 2;
            continue;
        }
        u64 raw = to_raw(args[i]);
        if (is_float(t) && floats < 8)
            fp[floats++] = raw;
        else if (!is_float(t) && ints < 8)
            gp[ints++] = raw;
        else
            stack[k++] = raw;
    }
    u64 status = 0;
    if (state.options.executor) {
        // U-mode (jit/UserMode.h): the entry stub reads its arguments from
        // the guest's own stack, so they go at its top and the code runs
        // below them. A host function cannot call back into the guest yet.
        if (state.depth != 0)
            return Error::from_code(ErrorCode::Unsupported, "a host function cannot call back into a guest in user mode");
        usize slots = stack.size();
        usize area = (sizeof(EntryArgs) + 16 * 8 + slots * 8 + 15) & ~usize(15);
        if (state.stack_top - area < state.stack_limit)
            return Error::from_code(ErrorCode::Trap, wasm::trap_message(wasm::TrapCode::CallStackExhausted));
        u64 base = state.stack_top - area;
        auto* user_args = reinterpret_cast<EntryArgs*>(base);
        u64* user_gp = reinterpret_cast<u64*>(base + sizeof(EntryArgs));
        u64* user_fp = user_gp + 8;
        u64* user_stack = user_fp + 8;
        copy_bytes(user_gp, gp, sizeof gp);
        copy_bytes(user_fp, fp, sizeof fp);
        copy_bytes(user_stack, stack.data(), slots * 8);
        *user_args = { entry->code, entry->context, user_gp, user_fp, user_stack, overflow_results, base, overflow_params };
        ++state.depth;
        bool returned = state.options.executor->run(*this, u64(state.entry), base, base);
        --state.depth;
        if (!returned)
            return make_trap_error(state);
        copy_bytes(gp, user_gp, sizeof gp);
        copy_bytes(fp, user_fp, sizeof fp);
        copy_bytes(stack.data(), user_stack, slots * 8);
    } else {
        EntryArgs entry_args { entry->code, entry->context, gp, fp, stack.data(), overflow_results, state.depth == 0 ? state.stack_top : 0, overflow_params };
        u64 previous_sp = state.entry_sp;
        ++state.depth;
        status = state.entry(&entry_args, &state.entry_sp);
        --state.depth;
        state.entry_sp = previous_sp;
    }
    if (status != 0)
        return make_trap_error(state);
    ints = floats = k = 0;
    for (usize i = 0; i < type.results.size(); ++i) {
        ValueType t = type.results[i];
        u64 raw;
        if (t == ValueType::V128) {
            results[i] = Value::default_of(t);
            copy_bytes(results[i].v128, &stack[k], 16);
            k += 2;
            continue;
        }
        if (is_float(t) && floats < 8)
            raw = fp[floats++];
        else if (!is_float(t) && ints < 8)
            raw = gp[ints++];
        else
            raw = stack[k++];
        results[i] = from_raw(t, raw);
    }
    return {};
}

// ---------------------------------------------------------------- host calls

HostCallResult call_host(Engine::State& state, HostEntry* host, u64* registers, u64* stack) noexcept
{
    // Stack params at [stack + 8k], stack results above them (jit/Abi.h).
    u64 pop_bytes = ((u64(overflow_of(host->params.span())) + 1) & ~u64(1)) * 8;
    u64* result_stack = stack + pop_bytes / 8;
    wasm::FunctionInstance* f = host->function;
    usize n = host->params.size(), m = host->results.size();
    // Inline room for the common signatures: no allocation per call.
    Vector<Value, 8> args, results;
    if (args.try_resize(n).is_error() || results.try_resize(m ? m : 1).is_error()) {
        state.pending_error = Error::from_code(ErrorCode::OutOfMemory, "host call arguments");
        state.has_pending_error = true;
        return { 1, 0 };
    }
    u32 ints = 0, floats = 0, k = 0;
    for (usize i = 0; i < n; ++i) {
        ValueType t = host->params[i];
        u64 raw;
        if (t == ValueType::V128) {
            args[i] = Value::default_of(t);
            copy_bytes(args[i].v128, &stack[k], 16);
            k += 2;
            continue;
        }
        if (is_float(t) && floats < 8)
            raw = registers[8 + floats++];
        else if (!is_float(t) && ints < 8)
            raw = registers[ints++];
        else
            raw = stack[k++];
        args[i] = from_raw(t, raw);
    }
    for (usize i = 0; i < m; ++i)
        results[i] = Value::default_of(host->results[i]);
    auto result = f->call_host(args.span(), Span<Value>(results.data(), m));
    if (result.is_error()) {
        state.pending_error = result.error();
        state.has_pending_error = true;
        return { 1, 0 };
    }
    ints = floats = k = 0;
    for (usize i = 0; i < m; ++i) {
        ValueType t = host->results[i];
        Value v = results[i];
        v.type = t;
        if (t == ValueType::V128) {
            copy_bytes(&result_stack[k], v.v128, 16);
            k += 2;
            continue;
        }
        u64 raw = to_raw(v);
        if (is_float(t) && floats < 8)
            registers[8 + floats++] = raw;
        else if (!is_float(t) && ints < 8)
            registers[ints++] = raw;
        else
            result_stack[k++] = raw;
    }
    return { 0, pop_bytes };
}

// The host entry behind `entry`, or nullptr when it is not one of this
// engine's (jit/UserMode.h: the entry may come from U-mode).
HostEntry* host_entry_of(Engine::State& state, const VMFuncEntry* entry) noexcept
{
    for (HostEntry* host : state.host_entries) {
        if (host->entry == entry)
            return host;
    }
    return nullptr;
}

extern "C" HostCallResult k23_jit_call_host(Engine::State* state, VMFuncEntry* entry, u64* registers, u64* stack) noexcept
{
    HostEntry* host = entry->host && entry->host <= state->host_entries.size() ? state->host_entries[entry->host - 1] : nullptr;
    VERIFY(host && host->entry == entry);
    return call_host(*state, host, registers, stack);
}

} // namespace k23::jit
