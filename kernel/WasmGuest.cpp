// WebAssembly guests in U-mode (kernel/WasmGuest.h). Section numbers refer
// to the privileged spec 1.12 (20211203), Volume II.

#include <arch/riscv64/Csr.h>
#include <base/Memory.h>
#include <kernel/Console.h>
#include <kernel/Heap.h>
#include <kernel/Scheduler.h>
#include <kernel/Trap.h>
#include <kernel/UserCopy.h>
#include <kernel/WasmGuest.h>
#include <wasi/Wasi.h>
#include <wasm/BinaryReader.h>
#include <wasm/TypedHost.h>

extern "C" void k23_call_on_stack(void (*function)(void*) noexcept, void* argument, k23::u64 stack_top) noexcept;

namespace k23::kernel {

using namespace riscv64;

namespace {

template<typename T, typename... Args>
T* new_object(Args&&... args) noexcept
{
    void* memory = platform_allocate(sizeof(T), alignof(T));
    return memory ? construct_at(static_cast<T*>(memory), k23::forward<Args>(args)...) : nullptr;
}

template<typename T>
void delete_object(T* object) noexcept
{
    if (!object)
        return;
    destroy_at(object);
    platform_deallocate(object, sizeof(T), alignof(T));
}

// sstatus.SUM (§4.1.1.2) while the engine works on the guest's linear
// memories, which are U pages: data segments at instantiation and the bulk
// memory helpers. Everything else the engine touches is mapped for the
// kernel only and needs no SUM. Host functions run with SUM clear: WASI
// reaches the guest's memory only through its copier (below), which sets
// SUM for each copy alone.
class UserMemoryAccess {
public:
    UserMemoryAccess() noexcept { m_previous = set_csr_bits<Csr::Sstatus>(Sstatus::SUM) & Sstatus::SUM; }
    ~UserMemoryAccess() noexcept
    {
        if (!m_previous)
            clear_csr_bits<Csr::Sstatus>(Sstatus::SUM);
    }

private:
    u64 m_previous { 0 };
};

// The system calls that touch a linear memory: the bulk-memory helpers and
// the SIMD helper (its memory forms). Every other call — host calls
// included — runs with SUM clear, so a stray kernel access to a U page
// faults.
bool touches_linear_memory(u64 number) noexcept
{
    using jit::HelperId;
    if (number < jit::user_call::helper_base || number >= jit::user_call::helper_base + jit::helper_count)
        return false;
    auto helper = HelperId(number - jit::user_call::helper_base);
    return helper == HelperId::MemoryFill || helper == HelperId::MemoryCopy || helper == HelperId::MemoryInit
        || helper == HelperId::SimdScalar;
}

// A system call from generated code, with SUM only where it is needed.
jit::UserCallOutcome engine_user_call(jit::Engine& engine, u64 (&regs)[8]) noexcept
{
    if (!touches_linear_memory(regs[7]))
        return engine.user_call(regs);
    UserMemoryAccess access;
    return engine.user_call(regs);
}

} // namespace

namespace {

// Written once by kernel/main.cpp before any guest exists, read after.
jit::Tier s_default_guest_tier { jit::Tier::Auto };
u32 s_default_tier_budget { jit::EngineOptions {}.tier_up_budget };
bool s_default_tier_up_osr { true };

} // namespace

void set_default_guest_tier(jit::Tier tier) noexcept
{
    s_default_guest_tier = tier;
}

jit::Tier default_guest_tier() noexcept
{
    return s_default_guest_tier;
}

void set_default_tier_budget(u32 budget) noexcept
{
    s_default_tier_budget = budget;
}

u32 default_tier_budget() noexcept
{
    return s_default_tier_budget;
}

void set_default_tier_up_osr(bool osr) noexcept
{
    s_default_tier_up_osr = osr;
}

bool default_tier_up_osr() noexcept
{
    return s_default_tier_up_osr;
}

Result<void> WasmGuest::create(const WasmGuestOptions& options) noexcept
{
    VERIFY(!is_created());
    m_options = options;
    m_stats.tiers = {}; // the counts are the new engine's
    TRY(m_space.create());
    auto result = create_engine();
    if (result.is_error())
        destroy();
    return result;
}

Result<void> WasmGuest::create_engine() noexcept
{
    TRY(m_guest.create(m_space));
    GuestSpace::Scope scope(m_space);
    jit::EngineOptions engine_options;
    engine_options.stack_size = m_options.stack_size;
    engine_options.tier = m_options.tier;
    // Tier::Auto: the tier-up helper posts hot functions to m_tier_up; they
    // compile at the next preemption point (kernel/DeferredTierUp.h).
    engine_options.tier_up_budget = m_options.tier_up_budget;
    engine_options.tier_up_osr = m_options.tier_up_osr;
    m_tier_up.attach(m_space);
    engine_options.tier_up_queue = &m_tier_up;
    engine_options.executor = this;
    // The boot hart's ISA; with V, SIMD compiles to RVV (kernel/Guest.h).
    engine_options.features = guest_cpu_features();
    m_engine = TRY(jit::Engine::create(engine_options));
    m_store = new_object<wasm::Store>();
    if (m_store)
        m_linker = new_object<wasm::Linker>(*m_store);
    if (!m_store || !m_linker)
        return Error::from_code(ErrorCode::OutOfMemory, "cannot allocate a guest's store");
    return {};
}

void WasmGuest::destroy() noexcept
{
    if (m_space.is_created()) {
        GuestSpace::Scope scope(m_space);
        // Jobs still waiting read the modules freed below: never compiled.
        m_tier_up.drop_waiting();
        m_stats.tier_up_jobs = m_tier_up.stats();
        jit::Engine::destroy(m_engine);
        delete_object(m_linker);
        delete_object(m_store);
        for (wasm::Module* module : m_modules)
            delete_object(module);
        for (usize i = 0; i < m_module_bytes.size(); ++i)
            platform_deallocate(m_module_bytes[i], m_module_sizes[i], 16);
        m_modules.clear_with_capacity();
        m_module_bytes.clear_with_capacity();
        m_module_sizes.clear_with_capacity();
    }
    m_kernel_host_functions.clear_with_capacity();
    m_engine = nullptr;
    m_linker = nullptr;
    m_store = nullptr;
    m_guest.destroy();
    if (m_space.is_created())
        m_space.destroy();
}

Result<wasm::Instance*> WasmGuest::instantiate(ReadonlyBytes bytes, StringView name, const wasm::ReadOptions& options) noexcept
{
    VERIFY(is_created());
    GuestSpace::Scope scope(m_space);
    wasm::Module* module = TRY(read_module(bytes, options));
    wasm::Instance* instance = TRY(instantiate_module(*module));
    if (!name.is_empty())
        TRY(m_linker->register_instance(name, instance));
    return instance;
}

Result<wasm::Module*> WasmGuest::read_module(ReadonlyBytes bytes, const wasm::ReadOptions& options) noexcept
{
    VERIFY(is_created());
    GuestSpace::Scope scope(m_space);
    usize size = bytes.size() ? bytes.size() : 1;
    TRY(m_modules.try_ensure_capacity(m_modules.size() + 1));
    TRY(m_module_bytes.try_ensure_capacity(m_module_bytes.size() + 1));
    TRY(m_module_sizes.try_ensure_capacity(m_module_sizes.size() + 1));
    auto* copy = static_cast<u8*>(platform_allocate(size, 16));
    if (!copy)
        return Error::from_code(ErrorCode::OutOfMemory, "cannot copy a module into the guest");
    copy_bytes(copy, bytes.data(), bytes.size());
    MUST(m_module_bytes.try_append(copy));
    MUST(m_module_sizes.try_append(size));
    auto* module = new_object<wasm::Module>(TRY(wasm::read_module(ReadonlyBytes(copy, bytes.size()), options)));
    if (!module)
        return Error::from_code(ErrorCode::OutOfMemory, "cannot allocate a module");
    MUST(m_modules.try_append(module));
    return module;
}

Result<wasm::Instance*> WasmGuest::instantiate_module(wasm::Module& module, wasm::Instance** slot) noexcept
{
    VERIFY(is_created());
    GuestSpace::Scope scope(m_space);
    UserMemoryAccess access; // data segments
    auto instance = m_engine->instantiate(*m_linker, module, slot);
    m_stats.tiers = m_engine->tier_counts();
    return instance;
}

Result<void> WasmGuest::invoke(wasm::FunctionInstance* function, Span<wasm::Value const> args, Span<wasm::Value> results) noexcept
{
    VERIFY(is_created());
    GuestSpace::Scope scope(m_space);
    auto result = m_engine->invoke(function, args, results);
    m_stats.tiers = m_engine->tier_counts(); // tier=auto: what tiered up while it ran
    m_stats.tier_up_jobs = m_tier_up.stats();
    return result;
}

Result<void> WasmGuest::invoke_export(wasm::Instance* instance, StringView name, Span<wasm::Value const> args, Span<wasm::Value> results) noexcept
{
    VERIFY(is_created());
    GuestSpace::Scope scope(m_space);
    const auto* entry = instance ? instance->find_export(name) : nullptr;
    if (!entry || entry->value.kind != wasm::ExternKind::Function)
        return Error::formatted(ErrorCode::NotFound, "no exported function \"{}\""_sv, name);
    return invoke(entry->value.function(), args, results);
}

Result<void> WasmGuest::define_spectest() noexcept
{
    VERIFY(is_created());
    GuestSpace::Scope scope(m_space);
    TRY(m_linker->define_spectest());
    return {};
}

jit::UserCallOutcome WasmGuest::system_call(u64 (&regs)[8]) noexcept
{
    VERIFY(is_created());
    GuestSpace::Scope scope(m_space);
    ++m_stats.system_calls;
    return engine_user_call(*m_engine, regs);
}

namespace {

// WASI's copies to and from the guest's memory (wasi/GuestMemory.h): the
// range is one GuestMemory already bounds-checked, and copy_*_linear_memory
// checks it again against the current guest's memories, then copies with
// sstatus.SUM set for the copy alone (kernel/UserCopy.h).
constexpr wasi::GuestMemoryCopier s_wasi_copier {
    [](void* destination, const u8* guest_source, usize length) noexcept {
        return !copy_from_linear_memory(destination, reinterpret_cast<u64>(guest_source), length).is_error();
    },
    [](u8* guest_destination, const void* source, usize length) noexcept {
        return !copy_to_linear_memory(reinterpret_cast<u64>(guest_destination), source, length).is_error();
    },
};

// A WASI host function run with kernel-heap allocation: `data` is its
// wasm::HostFunction as wasi::define made it (kernel heap).
Result<void> kernel_host_call(void* data, Span<wasm::Value const> args, Span<wasm::Value> results) noexcept
{
    const auto& function = *static_cast<const wasm::HostFunction*>(data);
    KernelAllocationScope allocation;
    return function.callback(function.data, args, results);
}

// The typed form of the same (wasm/Runtime.h): call.data is the
// wasm::HostFunction define_wasi() copied.
wasm::HostReturn kernel_typed_host_call(u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, const wasm::HostCall& call) noexcept
{
    const auto& function = *static_cast<const wasm::HostFunction*>(call.data);
    KernelAllocationScope allocation;
    return function.typed(a0, a1, a2, a3, a4, a5, wasm::HostCall { function.data, call.error });
}

// bench.start and bench.end; call.data is the guest's WasmGuestStats.
void bench_start(const wasm::HostCall& call) noexcept
{
    auto& stats = *static_cast<WasmGuestStats*>(call.data);
    stats.bench_in_region = true;
    stats.bench_start = riscv64::read_csr<riscv64::Csr::Instret>();
}

void bench_end(const wasm::HostCall& call) noexcept
{
    u64 now = riscv64::read_csr<riscv64::Csr::Instret>();
    auto& stats = *static_cast<WasmGuestStats*>(call.data);
    if (stats.bench_in_region) {
        stats.bench_instructions += now - stats.bench_start;
        ++stats.bench_regions;
        stats.bench_in_region = false;
    }
}

} // namespace

Result<void> WasmGuest::define_wasi(const wasm::Module& module, wasi::WasiContext& context) noexcept
{
    VERIFY(is_created());
    GuestSpace::Scope scope(m_space);
    wasm::Instance* bench = TRY(m_store->create_instance());
    wasm::FunctionInstance* start = TRY(wasm::create_typed_host_function<&bench_start>(*m_store, &m_stats));
    wasm::FunctionInstance* end = TRY(wasm::create_typed_host_function<&bench_end>(*m_store, &m_stats));
    struct Marker {
        StringView name;
        wasm::FunctionInstance* function;
    };
    Marker const markers[] = { { "start"_sv, start }, { "end"_sv, end } };
    for (const auto& [name, marker] : markers) {
        TRY(bench->add_export(name, { wasm::ExternKind::Function, marker }));
    }
    TRY(m_linker->register_instance("bench"_sv, bench));
    context.set_copier(s_wasi_copier);
    wasm::Instance* instance = TRY(wasi::define(*m_store, *m_linker, module, context));
    usize count = instance->exports().size();
    {
        KernelAllocationScope allocation;
        TRY(m_kernel_host_functions.try_ensure_capacity(count)); // never moves after this
    }
    for (const auto& entry : instance->exports()) {
        if (entry.value.kind != wasm::ExternKind::Function || !entry.value.function()->host)
            continue;
        wasm::HostFunction* host = entry.value.function()->host;
        MUST(m_kernel_host_functions.try_append(*host));
        host->callback = kernel_host_call;
        if (host->typed)
            host->typed = kernel_typed_host_call;
        host->data = &m_kernel_host_functions.last();
    }
    return {};
}

SystemCallAction WasmGuest::on_system_call(Guest& guest, void* cookie, GuestExit&) noexcept
{
    auto& self = *static_cast<WasmGuest*>(cookie);
    ++self.m_stats.system_calls;
    // a0..a7 in place: the engine reads them and writes its results to
    // a0/a1, which is what the guest gets back when it resumes (and what
    // nobody reads when the run ends).
    u64 (&regs)[8] = *reinterpret_cast<u64 (*)[8]>(&guest.context().a(0));
    switch (engine_user_call(*self.m_engine, regs)) {
    case jit::UserCallOutcome::Resume:
        // Without a scheduler, the return to U-mode is the preemption point.
        if (self.m_tier_up.has_waiting() && Scheduler::current() == nullptr)
            self.run_tier_ups_before_user_mode();
        return SystemCallAction::Resume;
    case jit::UserCallOutcome::Returned:
        self.m_returned = true;
        return SystemCallAction::Stop;
    case jit::UserCallOutcome::Trapped:
        return SystemCallAction::Stop;
    }
    return SystemCallAction::Stop;
}

// The guest's waiting tier-up jobs, compiled on the stack the run was
// called from (Guest::caller_stack_top): the optimizing tier wants more
// room than is left below a system call on the guest's kernel stack.
void WasmGuest::run_tier_ups_before_user_mode() noexcept
{
    auto run = [](void* self) noexcept { static_cast<WasmGuest*>(self)->m_tier_up.run_waiting(); };
    if (u64 top = m_guest.caller_stack_top())
        k23_call_on_stack(run, this, top);
    else
        run(this);
}

bool WasmGuest::run(jit::Engine& engine, u64 pc, u64 argument, u64 stack_pointer) noexcept
{
    m_guest.reset(pc, stack_pointer);
    m_guest.context().a(0) = argument;
    m_returned = false;
    GuestExit exit = m_guest.run_raw(&on_system_call, this, m_options.time_limit);
    m_stats.pages_committed += exit.pages_committed;
    switch (exit.kind) {
    case GuestExit::Kind::Stopped:
        return m_returned;
    case GuestExit::Kind::Killed:
        engine.fail_invocation(Error::from_code(ErrorCode::Trap, wasm::trap_message(wasm::TrapCode::Interrupted)));
        return false;
    case GuestExit::Kind::Exited:
        engine.fail_invocation(Error::from_code(ErrorCode::InvalidArgument, "guest code made the exit system call"));
        return false;
    case GuestExit::Kind::Faulted: {
        char description[96];
        usize length = format_to(Span<char>(description, sizeof description), "guest fault: {} at pc {:#x} (stval {:#x})"_sv,
            scause_name(exit.scause), exit.sepc, exit.stval);
        bool is_memory_fault = exit.scause == u64(Exception::LoadPageFault) || exit.scause == u64(Exception::StorePageFault)
            || exit.scause == u64(Exception::LoadAccessFault) || exit.scause == u64(Exception::StoreAccessFault);
        // Inside a memory's accessible size, a fault is a first touch
        // that found no frame (Guest::run_raw commits the others).
        if (is_memory_fault && m_space.contains(exit.stval, 1, GuestRegion::LinearMemory)) {
            engine.fail_invocation(Error::formatted(ErrorCode::OutOfMemory,
                "guest out of memory: no frame for its linear memory at {:#x}"_sv, exit.stval));
            return false;
        }
        if (is_memory_fault && engine.user_fault(exit.sepc, StringView(description, length))) {
            ++m_stats.faults;
            return false;
        }
        if (!is_memory_fault)
            engine.fail_invocation(Error::from_code(ErrorCode::Trap, StringView(description, length)));
        kprintln("{}"_sv, StringView(description, length));
        return false;
    }
    }
    return false;
}

} // namespace k23::kernel
