// The drills of issue 13 part 8 (DESIGN.md "Guests in the kernel": nothing a
// guest does stops the kernel or another guest), plus a time limit:
//   1. thousands of trapping guests, every trap kind: the kernel stays up and
//      every frame and every page of kernel heap comes back;
//   2. a guest attacking kernel memory, another guest's memory and its own
//      code, at three levels: plain WebAssembly (offsets beyond the guard,
//      huge indices, overflowing bulk ranges), forged system calls (what
//      compromised U-mode code could pass to Engine::user_call), and raw
//      U-mode loads, stores and jumps;
//   3. a page-table audit after boot and after 100 WebAssembly guests;
//   4. a runaway guest ended by its time limit, and usable afterwards.
// The modules are tests/kernel/modules/drill_*.wat.

#include "KTestHelpers.h"

#include <arch/riscv64/Csr.h>
#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/CodeHolder.h>
#include <base/Format.h>
#include <base/Memory.h>
#include <generated/tests/kernel/Modules.h>
#include <jit/EngineState.h>
#include <jit/UserMode.h>
#include <kernel/Boot.h>
#include <kernel/Console.h>
#include <kernel/DeviceTree.h>
#include <kernel/Heap.h>
#include <kernel/KTest.h>
#include <kernel/WasmGuest.h>
#include <kernel/mm/PageTableAudit.h>
#include <kernel/mm/PhysicalMemory.h>
#include <kernel/mm/VirtualMemory.h>
#include <wasm/Opcodes.h>
#include <wasm/Runtime.h>

using namespace k23;
using namespace k23::kernel;
using test::bytes_of;
using namespace k23::riscv64;
using wasm::Value;

namespace {

Value v32(u32 v) { return Value::from_i32(v); }

// ---------------------------------------------------------------- guests

// "drill" "fail": a host function (a system call from the guest) that
// always fails; its error ends the invocation unchanged.
Result<void> host_fail(void*, Span<wasm::Value const> args, Span<wasm::Value>)
{
    return Error::formatted(ErrorCode::PermissionDenied, "drill host function refused {}"_sv, args.size() ? args[0].i32 : 0u);
}

Result<void> define_drill_host(WasmGuest& guest)
{
    GuestSpace::Scope scope(guest.space());
    static constexpr wasm::ValueType i32s[] = { wasm::ValueType::I32 };
    wasm::FunctionInstance* fail = TRY(guest.store().create_host_function({ i32s, i32s }, host_fail, nullptr));
    wasm::Instance* instance = TRY(guest.store().create_instance());
    TRY(instance->add_export("fail"_sv, { wasm::ExternKind::Function, fail }));
    TRY(guest.linker().register_instance("drill"_sv, instance));
    return {};
}

// A guest with drill_traps instantiated.
Result<wasm::Instance*> start_trap_guest(WasmGuest& guest)
{
    TRY(guest.create());
    TRY(define_drill_host(guest));
    return guest.instantiate(bytes_of(test_modules::drill_traps));
}

struct TrapCase {
    StringView name;
    StringView prefix; // the whole message up to " at wasm offset 0x..."
};

// Every trap kind a guest can reach (drill_traps.wat says why `null
// reference` is not among them), and a host function's error.
constexpr TrapCase trap_cases[] = {
    { "unreachable"_sv, "unreachable in unreachable"_sv },
    { "div_by_zero"_sv, "integer divide by zero in div_by_zero"_sv },
    { "rem_by_zero"_sv, "integer divide by zero in rem_by_zero"_sv },
    { "overflow"_sv, "integer overflow in overflow"_sv },
    { "overflow64"_sv, "integer overflow in overflow64"_sv },
    { "trunc_overflow"_sv, "integer overflow in trunc_overflow"_sv },
    { "bad_conversion"_sv, "invalid conversion to integer in bad_conversion"_sv },
    { "oob_load"_sv, "out of bounds memory access in oob_load"_sv },   // a fault in U-mode
    { "oob_store"_sv, "out of bounds memory access in oob_store"_sv },
    { "oob_fill"_sv, "out of bounds memory access in oob_fill"_sv },   // a helper (system call)
    { "oob_table"_sv, "out of bounds table access in oob_table"_sv },
    { "undefined_element"_sv, "undefined element in undefined_element"_sv },
    { "uninitialized"_sv, "uninitialized element 1 in uninitialized"_sv },
    { "type_mismatch"_sv, "indirect call type mismatch in type_mismatch"_sv },
    { "recurse"_sv, "call stack exhausted in recurse"_sv },
    { "host_error"_sv, "drill host function refused 7"_sv }, // the host's error, as it returned it
};
constexpr usize trap_case_count = sizeof trap_cases / sizeof trap_cases[0];

// Whether invoking the case's export fails exactly as the case says.
bool traps_as_expected(WasmGuest& guest, wasm::Instance* instance, const TrapCase& c)
{
    Value args[1] = { v32(0) };
    Value results[1];
    usize arg_count = c.name == "recurse"_sv ? 1 : 0;
    auto result = guest.invoke_export(instance, c.name, Span<Value const>(args, arg_count), Span<Value>(results, 1));
    if (!result.is_error()) {
        kprintln("  {} did not trap"_sv, c.name);
        return false;
    }
    StringView message = result.error().message();
    bool is_host = c.name == "host_error"_sv;
    bool good = is_host ? message == c.prefix && result.error().code() == ErrorCode::PermissionDenied
                        : result.error().code() == ErrorCode::Trap && message.starts_with(c.prefix)
            && message.substring(c.prefix.length()).starts_with(" at wasm offset 0x"_sv);
    if (!good)
        kprintln("  {}: got \"{}\", want \"{}{}\""_sv, c.name, message, c.prefix, is_host ? ""_sv : " at wasm offset 0x..."_sv);
    return good;
}

bool still_works(WasmGuest& guest, wasm::Instance* instance)
{
    Value result[1];
    auto ok = guest.invoke_export(instance, "ok"_sv, {}, Span<Value>(result, 1));
    return !ok.is_error() && result[0].i32 == 1;
}

struct Counts {
    usize frames;
    usize heap_pages;
};

Counts counts_now()
{
    heap_collect();
    return { physical_memory().free_frame_count(), heap_stats().committed_pages };
}

// ---------------------------------------------------------------- memory

// Reads and writes of a guest's linear memory from the kernel (U pages:
// sstatus.SUM, privileged spec 1.12 §4.1.1.2), inside the guest's Scope.
class UserPages {
public:
    UserPages() noexcept { m_previous = set_csr_bits<Csr::Sstatus>(Sstatus::SUM) & Sstatus::SUM; }
    ~UserPages() noexcept
    {
        if (!m_previous)
            clear_csr_bits<Csr::Sstatus>(Sstatus::SUM);
    }

private:
    u64 m_previous { 0 };
};

u8 pattern_byte(u64 i, u8 seed) { return u8((i * 131 + seed) ^ (i >> 8)); }

void fill_pattern(u8* bytes, u64 size, u8 seed)
{
    for (u64 i = 0; i < size; ++i)
        bytes[i] = pattern_byte(i, seed);
}

// The first offset that differs from the pattern, or `size`.
u64 pattern_mismatch(const u8* bytes, u64 size, u8 seed)
{
    for (u64 i = 0; i < size; ++i) {
        if (bytes[i] != pattern_byte(i, seed))
            return i;
    }
    return size;
}

// Where memory 0 of `instance` is (its object is the guest's: read in its Scope).
u64 memory_base_of(WasmGuest& guest, wasm::Instance* instance)
{
    GuestSpace::Scope scope(guest.space());
    return u64(instance->memories()[0]->data());
}

void fill_memory(WasmGuest& guest, wasm::Instance* instance, u8 seed)
{
    GuestSpace::Scope scope(guest.space());
    UserPages user;
    auto* memory = instance->memories()[0];
    fill_pattern(memory->data(), memory->size_in_bytes(), seed);
}

// Whether the first `size` bytes still hold fill_memory's pattern.
bool memory_intact(WasmGuest& guest, wasm::Instance* instance, u8 seed, u64 size = 65536)
{
    GuestSpace::Scope scope(guest.space());
    UserPages user;
    auto* memory = instance->memories()[0];
    u64 at = pattern_mismatch(memory->data(), size, seed);
    if (at != size)
        kprintln("  linear memory changed at offset {:#x}"_sv, at);
    return at == size;
}

// Kernel memory an attacker would like to read or write.
alignas(64) u8 g_kernel_canary[256];
constexpr u8 kernel_canary_seed = 0x3c;

bool kernel_canary_intact()
{
    return pattern_mismatch(g_kernel_canary, sizeof g_kernel_canary, kernel_canary_seed) == sizeof g_kernel_canary;
}

// ---------------------------------------------------------------- forged system calls

using jit::UserCallOutcome;
namespace uc = jit::user_call;

u64 helper_number(jit::HelperId id) { return uc::helper_base + u64(id); }

struct Forged {
    UserCallOutcome outcome;
    u64 regs[8];
    bool refused; // Trapped with the engine's "bad system call" error
};

// What a hostile guest's `ecall` with these registers does.
Forged forge(WasmGuest& guest, u64 number, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0, u64 a4 = 0, u64 a5 = 0, u64 a6 = 0)
{
    Forged f {};
    u64 regs[8] = { a0, a1, a2, a3, a4, a5, a6, number };
    f.outcome = guest.system_call(regs);
    copy_bytes(f.regs, regs, sizeof regs);
    GuestSpace::Scope scope(guest.space());
    auto& state = guest.engine().state();
    f.refused = f.outcome == UserCallOutcome::Trapped && state.has_pending_error
        && state.pending_error.code() == ErrorCode::InvalidArgument
        && state.pending_error.message().starts_with("guest made a bad system call"_sv);
    // The invocation it would have ended is over: nothing pending remains.
    state.has_pending_error = false;
    state.trap_code = 0;
    return f;
}

// A helper that ran and reported the trap it would raise (a0/a1 of a
// HelperResult: trap = TrapCode + 1).
bool helper_trapped(const Forged& f, wasm::TrapCode code)
{
    return f.outcome == UserCallOutcome::Resume && f.regs[1] == u64(code) + 1;
}

// ---------------------------------------------------------------- raw U-mode programs

struct Program {
    u8 bytes[256];
    usize size { 0 };
    bool ok { false };
};

template<typename Emit>
Program assemble(Emit emit)
{
    Program program;
    CodeHolder code(CpuFeatures::rv64gc(), CodeOptions { .compress = false });
    Assembler a(code);
    emit(a);
    if (code.finalize().is_error() || code.code_size() > sizeof program.bytes)
        return program;
    program.size = code.code_size();
    program.ok = !code.copy_to(Span<u8>(program.bytes, program.size)).is_error();
    return program;
}

void emit_exit(Assembler& a, i64 status)
{
    a.li(a0, status);
    a.li(a7, static_cast<i64>(system_call_exit));
    a.ecall();
}

Program load_program(u64 address)
{
    return assemble([&](Assembler& a) {
        a.li(t0, static_cast<i64>(address));
        a.ld(a0, t0, 0);
        emit_exit(a, 0);
    });
}

Program store_program(u64 address)
{
    return assemble([&](Assembler& a) {
        a.li(t0, static_cast<i64>(address));
        a.li(t1, 0x5a5a5a5a);
        a.sd(t1, t0, 0);
        emit_exit(a, 0);
    });
}

Program jump_program(u64 address)
{
    return assemble([&](Assembler& a) {
        a.li(t0, static_cast<i64>(address));
        a.jalr(zero, t0, 0);
    });
}

// Runs `program` in U-mode in `guest`'s address space (its guest root, as
// its generated code runs), with code and a stack from its own heap.
GuestExit run_raw_in(WasmGuest& guest, const Program& program)
{
    GuestSpace::Scope scope(guest.space());
    GuestExit failed;
    failed.kind = GuestExit::Kind::Stopped;
    if (!program.ok)
        return failed;
    auto code = platform_code_allocate(program.size);
    if (code.is_error())
        return failed;
    copy_bytes(code.value(), program.bytes, program.size);
    auto* stack = static_cast<u8*>(platform_allocate_exposed(guest_stack_min_size, 16, Exposure::ReadWrite));
    GuestExit exit = failed;
    if (stack != nullptr && !platform_code_publish(code.value(), program.size).is_error()) {
        Guest raw;
        if (!raw.create(guest.space()).is_error()) {
            raw.reset(u64(code.value()), u64(stack) + guest_stack_min_size);
            exit = raw.run();
            raw.destroy();
        }
    }
    if (stack != nullptr)
        platform_deallocate_exposed(stack, guest_stack_min_size, 16, Exposure::ReadWrite);
    platform_code_release(code.value(), program.size);
    return exit;
}

bool faulted_with(const GuestExit& exit, Exception cause, u64 stval)
{
    return exit.faulted() && exit.scause == u64(cause) && exit.stval == stval;
}

// Whether `address` is anything at all in `guest`'s user half (its engine
// region or one of its memory reservations): an address of another guest
// there would name the attacker's own pages, not the victim's.
bool mapped_region_of(WasmGuest& guest, u64 address)
{
    auto layout = guest.space().layout();
    if (address - layout.engine_region_base < layout.engine_region_size)
        return true;
    return guest.space().contains(address, 8, GuestRegion::MemoryReservation);
}

} // namespace

// ---------------------------------------------------------------- 1. trapping guests

KTEST(drill_trapping_guests_leave_nothing_behind)
{
    // 10,000 trapping invocations over 100 guests (100 traps each, cycling
    // through every kind; about 3.5 s under QEMU). Afterwards the free frame
    // count and the kernel heap's pages are what they were, and within a
    // guest a trap keeps nothing: its heap is the same after its 100th trap
    // as after its first. drill_ten_thousand_trapping_guests is the other
    // half: 10,000 guests, each trapping once.
    {
        WasmGuest warm; // the kernel's lazily made structures, and the test's
        auto instance = start_trap_guest(warm);
        KASSERT(!instance.is_error());
        KASSERT(traps_as_expected(warm, instance.value(), trap_cases[0]));
    }
    Counts before = counts_now();
    u64 start = read_time();
    usize bad = 0;
    usize traps = 0;
    for (u32 g = 0; g < 100; ++g) {
        WasmGuest guest;
        auto instance = start_trap_guest(guest);
        KASSERT(!instance.is_error());
        GuestSpaceStats first {};
        for (u32 i = 0; i < 100; ++i) {
            if (!traps_as_expected(guest, instance.value(), trap_cases[(g + i) % trap_case_count]))
                ++bad;
            ++traps;
            // After one round of every trap kind: the guest stack is
            // committed on first touch, so the deepest trap (call stack
            // exhausted) sets its high-water mark once; from then on
            // nothing may grow.
            if (i == trap_case_count - 1)
                first = guest.space().stats();
        }
        auto last = guest.space().stats();
        if (last.frames() != first.frames() || last.area(GuestArea::Private).bytes_in_use != first.area(GuestArea::Private).bytes_in_use
            || last.area(GuestArea::ExposedReadWrite).bytes_in_use != first.area(GuestArea::ExposedReadWrite).bytes_in_use) {
            kprintln("  guest {}: {} frames after one round of traps, {} after the 100th"_sv, g, first.frames(), last.frames());
            ++bad;
        }
        if (!still_works(guest, instance.value()))
            ++bad;
    }
    u64 end = read_time();
    Counts after = counts_now();
    KEXPECT_EQ(bad, 0u);
    KEXPECT_EQ(traps, 10'000u);
    KEXPECT_EQ(after.frames, before.frames);
    KEXPECT_EQ(after.heap_pages, before.heap_pages);
    kprintln("drill: 100 guests x 100 traps in {} ms"_sv, (end - start) / (g_platform.timebase_frequency / 1000));
}

// The drill taken literally: 10,000 guests in a row, each created,
// given a module (read, validated, compiled, instantiated), trapped once and
// destroyed, cycling through every trap kind. Each kind has a module of its
// own (drill_trap_kinds.wast, one function or a few), so a guest's whole
// life is about 0.46 million instructions (drill_traps, with every kind in
// one module, took 1.07 million, three quarters of it compiling). Afterwards
// the free frame count and the kernel heap's pages are what they were. It
// still takes 40 s of QEMU's CPU time (not measured where: QEMU's own work,
// such as TLB flushes and translating each guest's fresh code, is not in
// the instruction count), 90 s and more
// on a loaded machine, too much for every boot that runs all KTESTs: it is
// manual, and the kernel ring runs it once in a boot of its own
// (tests/kernel/test_drill.py), or by hand:
//   ./k23 test --ring kernel --filter drill_ten_thousand_trapping_guests
KTEST_MANUAL(drill_ten_thousand_trapping_guests)
{
    static_assert(sizeof test_modules::drill_trap_kinds / sizeof test_modules::drill_trap_kinds[0] == trap_case_count);
    auto start_guest = [](WasmGuest& guest, usize kind) -> Result<wasm::Instance*> {
        TRY(guest.create());
        TRY(define_drill_host(guest));
        return guest.instantiate(ReadonlyBytes(test_modules::drill_trap_kinds[kind], test_modules::drill_trap_kinds_sizes[kind]));
    };
    // Every kind once first: the kernel's lazily made structures.
    for (usize kind = 0; kind < trap_case_count; ++kind) {
        WasmGuest warm;
        auto instance = start_guest(warm, kind);
        KASSERT(!instance.is_error());
        KASSERT(traps_as_expected(warm, instance.value(), trap_cases[kind]));
    }
    Counts before = counts_now();
    u64 start = read_time();
    usize bad = 0;
    usize traps[trap_case_count] {};
    for (u32 g = 0; g < 10'000; ++g) {
        usize kind = g % trap_case_count;
        WasmGuest guest;
        auto instance = start_guest(guest, kind);
        if (instance.is_error() || !traps_as_expected(guest, instance.value(), trap_cases[kind])) {
            ++bad;
            continue;
        }
        ++traps[kind];
    }
    u64 end = read_time();
    Counts after = counts_now();
    KEXPECT_EQ(bad, 0u);
    for (usize kind = 0; kind < trap_case_count; ++kind)
        KEXPECT_GE(traps[kind], 10'000u / trap_case_count);
    KEXPECT_EQ(after.frames, before.frames);
    KEXPECT_EQ(after.heap_pages, before.heap_pages);
    kprintln("drill: 10000 guests create+instantiate+trap+destroy in {} ms"_sv, (end - start) / (g_platform.timebase_frequency / 1000));
}

// ---------------------------------------------------------------- 2. attacks

KTEST(drill_wasm_cannot_reach_past_its_memory_or_tables)
{
    WasmGuest guest;
    KASSERT(!guest.create().is_error());
    auto instance = guest.instantiate(bytes_of(test_modules::drill_attack));
    KASSERT(!instance.is_error());
    wasm::Instance* m = instance.value();
    fill_memory(guest, m, 0x11);
    u64 base = memory_base_of(guest, m);
    // The whole 8 GiB reservation is the guest's: index + offset reaches at
    // most 2^33 - 2 (+ the access size), always inside it.
    KEXPECT(guest.space().contains(base, guest_memory32_reservation, GuestRegion::MemoryReservation));

    struct Case {
        StringView name;
        u32 args[3];
        u32 arg_count;
        StringView prefix;
    };
    constexpr StringView oob_memory = "out of bounds memory access in "_sv;
    constexpr StringView oob_table = "out of bounds table access in "_sv;
    Case const cases[] = {
        { "load"_sv, { 65536 }, 1, oob_memory },
        { "load"_sv, { 65533 }, 1, oob_memory },
        { "load"_sv, { 0x80000000u }, 1, oob_memory }, // zero-extended, never base - 2 GiB
        { "load"_sv, { 0xfffffffcu }, 1, oob_memory },
        { "load"_sv, { 0xffffffffu }, 1, oob_memory },
        { "load_64k"_sv, { 0 }, 1, oob_memory },
        { "load_2g"_sv, { 0 }, 1, oob_memory },
        { "load_2g"_sv, { 0x80000000u }, 1, oob_memory }, // exactly 4 GiB
        { "load_4g_16"_sv, { 0 }, 1, oob_memory },
        { "load_4g_16"_sv, { 0xffffffffu }, 1, oob_memory },
        { "load_4g"_sv, { 0 }, 1, oob_memory },
        { "load_4g"_sv, { 0xffffffffu }, 1, oob_memory }, // 2^33 - 2: the last bytes of the guard
        { "load8_4g"_sv, { 0xffffffffu }, 1, oob_memory },
        { "store"_sv, { 65529 }, 1, oob_memory }, // straddles the end: nothing written
        { "store"_sv, { 0xfffffff8u }, 1, oob_memory },
        { "store_2g"_sv, { 0x80000000u }, 1, oob_memory },
        { "store_4g"_sv, { 0 }, 1, oob_memory },
        { "store_4g"_sv, { 0xffffffffu }, 1, oob_memory },
        { "store8_4g"_sv, { 0xffffffffu }, 1, oob_memory },
        { "call_at"_sv, { 4 }, 1, "undefined element in "_sv },
        { "call_at"_sv, { 0x80000000u }, 1, "undefined element in "_sv },
        { "call_at"_sv, { 0xffffffffu }, 1, "undefined element in "_sv },
        { "table_get"_sv, { 0xffffffffu }, 1, oob_table },
        { "table_set"_sv, { 0xffffffffu }, 1, oob_table },
        { "table_set"_sv, { 4 }, 1, oob_table },
        { "table_fill"_sv, { 2, 0xffffffffu }, 2, oob_table },
        { "table_fill"_sv, { 0xffffffffu, 2 }, 2, oob_table },
        { "table_copy"_sv, { 0, 0xfffffffeu, 4 }, 3, oob_table },
        { "table_copy"_sv, { 0xfffffffeu, 0, 4 }, 3, oob_table },
        { "table_copy"_sv, { 1, 1, 0xffffffffu }, 3, oob_table },
        { "table_init"_sv, { 0, 1, 0xffffffffu }, 3, oob_table },
        { "table_init"_sv, { 0xffffffffu, 0, 2 }, 3, oob_table },
        { "table_init"_sv, { 3, 0, 2 }, 3, oob_table },
        { "fill"_sv, { 0xffffff00u, 0x41, 0x200 }, 3, oob_memory },
        { "fill"_sv, { 1, 0x41, 0xffffffffu }, 3, oob_memory },
        { "fill"_sv, { 65535, 0x41, 2 }, 3, oob_memory },
        { "copy"_sv, { 0, 0xfffffff0u, 0x20 }, 3, oob_memory },
        { "copy"_sv, { 0xfffffff0u, 0, 0x20 }, 3, oob_memory },
        { "copy"_sv, { 0, 1, 0xffffffffu }, 3, oob_memory },
        { "copy"_sv, { 65500, 0, 100 }, 3, oob_memory },
        { "init"_sv, { 0, 0, 0xffffffffu }, 3, oob_memory },
        { "init"_sv, { 0xfffffffcu, 0, 8 }, 3, oob_memory },
        { "init"_sv, { 0, 0xfffffffcu, 8 }, 3, oob_memory },
        { "init"_sv, { 65530, 0, 10 }, 3, oob_memory },
    };
    usize bad = 0;
    for (const Case& c : cases) {
        Value args[3];
        for (u32 i = 0; i < c.arg_count; ++i)
            args[i] = v32(c.args[i]);
        Value results[1];
        auto result = guest.invoke_export(m, c.name, Span<Value const>(args, c.arg_count), Span<Value>(results, 1));
        FormatBuffer<96> want;
        want.appendf("{}{} at wasm offset 0x"_sv, c.prefix, c.name);
        if (!result.is_error() || !result.error().message().starts_with(want.view())) {
            kprintln("  {}({:#x}, ...): got \"{}\", want \"{}...\""_sv, c.name, c.args[0],
                result.is_error() ? result.error().message() : "no trap"_sv, want.view());
            ++bad;
        }
    }
    KEXPECT_EQ(bad, 0u);
    // Not one byte of the memory changed, the table neither.
    KEXPECT(memory_intact(guest, m, 0x11));
    Value results[1];
    Value zero[] = { v32(0) };
    KASSERT(!guest.invoke_export(m, "call_at"_sv, zero, Span<Value>(results, 1)).is_error());
    KEXPECT_EQ(results[0].i32, 5u);
    KASSERT(!guest.invoke_export(m, "table_size"_sv, {}, Span<Value>(results, 1)).is_error());
    KEXPECT_EQ(results[0].i32, 4u);

    // memory.grow past the maximum (2 pages) fails and maps nothing more.
    usize frames = guest.space().stats().frames();
    Value grow_huge[] = { v32(0xffffffffu) };
    Value grow_64k[] = { v32(0x10000) };
    Value grow_2[] = { v32(2) };
    Value grow_1[] = { v32(1) };
    Value* const list1[] = { grow_huge, grow_64k, grow_2 };
    for (Value* args : list1) {
        KASSERT(!guest.invoke_export(m, "grow"_sv, Span<Value const>(args, 1), Span<Value>(results, 1)).is_error());
        KEXPECT_EQ(results[0].i32, 0xffffffffu);
    }
    KEXPECT_EQ(guest.space().stats().frames(), frames);
    KASSERT(!guest.invoke_export(m, "grow"_sv, grow_1, Span<Value>(results, 1)).is_error());
    KEXPECT_EQ(results[0].i32, 1u);
    KASSERT(!guest.invoke_export(m, "grow"_sv, grow_1, Span<Value>(results, 1)).is_error());
    KEXPECT_EQ(results[0].i32, 0xffffffffu);
    // The new page is there, the one after it is not.
    Value last[] = { v32(2 * 65536 - 4) };
    Value past[] = { v32(2 * 65536 - 3) };
    KEXPECT(!guest.invoke_export(m, "load"_sv, last, Span<Value>(results, 1)).is_error());
    auto beyond = guest.invoke_export(m, "load"_sv, past, Span<Value>(results, 1));
    KEXPECT(beyond.is_error() && beyond.error().message().starts_with("out of bounds memory access in load"_sv));
    // table.grow past its maximum (8) fails too.
    Value tgrow[] = { v32(0xffffffffu) };
    KASSERT(!guest.invoke_export(m, "table_grow"_sv, tgrow, Span<Value>(results, 1)).is_error());
    KEXPECT_EQ(results[0].i32, 0xffffffffu);
    Value tgrow5[] = { v32(5) };
    KASSERT(!guest.invoke_export(m, "table_grow"_sv, tgrow5, Span<Value>(results, 1)).is_error());
    KEXPECT_EQ(results[0].i32, 0xffffffffu);
    // A dropped segment is empty: init of one byte traps.
    KASSERT(!guest.invoke_export(m, "drop"_sv, {}, Span<Value>(results, 0)).is_error());
    Value init1[] = { v32(0), v32(0), v32(1) };
    auto dropped = guest.invoke_export(m, "init"_sv, init1, Span<Value>(results, 0));
    KEXPECT(dropped.is_error() && dropped.error().message().starts_with("out of bounds memory access in init"_sv));
    KEXPECT(memory_intact(guest, m, 0x11)); // the first page; the grown one is zero
}

KTEST(drill_offsets_and_memories_past_32_bits_are_rejected)
{
    // What wat2wasm will not write: a memarg offset of 2^32 on a 32-bit
    // memory, and a 64-bit memory (not supported): the reader refuses both,
    // so no load ever reaches past index + offset = 2^33 - 2. The same
    // module with offset 2^32 - 1 is the control.
    u8 offset_4g[] = { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
        0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,                       // type: () -> i32
        0x03, 0x02, 0x01, 0x00,                                         // one function
        0x05, 0x03, 0x01, 0x00, 0x01,                                   // memory 1
        0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x41, 0x00, 0x28, 0x02,           // i32.const 0, i32.load align=2
        0x80, 0x80, 0x80, 0x80, 0x10, 0x0b };                           // offset=2^32, end
    u8 offset_max[sizeof offset_4g];
    copy_bytes(offset_max, offset_4g, sizeof offset_4g);
    u8 const max_leb[] = { 0xff, 0xff, 0xff, 0xff, 0x0f }; // 2^32 - 1
    copy_bytes(offset_max + 33, max_leb, sizeof max_leb);
    u8 memory64[] = { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x04, 0x01 };
    WasmGuest guest;
    KASSERT(!guest.create().is_error());
    KEXPECT(guest.instantiate(ReadonlyBytes(offset_4g, sizeof offset_4g)).is_error());
    KEXPECT(guest.instantiate(ReadonlyBytes(memory64, sizeof memory64)).is_error());
    KEXPECT(!guest.instantiate(ReadonlyBytes(offset_max, sizeof offset_max)).is_error());
}

KTEST(drill_forged_system_calls_are_refused)
{
    fill_pattern(g_kernel_canary, sizeof g_kernel_canary, kernel_canary_seed);
    WasmGuest attacker;
    WasmGuest victim;
    KASSERT(!attacker.create().is_error());
    KASSERT(!define_drill_host(attacker).is_error());
    auto attack = attacker.instantiate(bytes_of(test_modules::drill_attack));
    KASSERT(!attack.is_error());
    auto traps = attacker.instantiate(bytes_of(test_modules::drill_traps));
    KASSERT(!traps.is_error());
    KASSERT(!victim.create().is_error());
    KASSERT(!define_drill_host(victim).is_error());
    auto victim_instance = victim.instantiate(bytes_of(test_modules::drill_attack));
    KASSERT(!victim_instance.is_error());
    auto victim_traps = victim.instantiate(bytes_of(test_modules::drill_traps));
    KASSERT(!victim_traps.is_error());
    fill_memory(attacker, attack.value(), 0x22);
    fill_memory(victim, victim_instance.value(), 0x33);

    // What the attacker can name: its own objects (private and exposed),
    // the victim's, the kernel's.
    u64 context, entry, function, jit_instance, memory, stack, stack_end, host_entry;
    u64 victim_context, victim_function, victim_host_entry, victim_stack, victim_memory;
    {
        GuestSpace::Scope scope(attacker.space());
        auto& state = attacker.engine().state();
        jit::JitInstance* ji = state.instances[0]; // drill_attack
        KASSERT(ji->instance == attack.value());
        context = u64(ji->context);
        jit_instance = u64(ji);
        function = u64(attack.value()->functions()[0]);
        entry = u64(attack.value()->functions()[0]->jit);
        memory = u64(attack.value()->memories()[0]->data());
        stack = u64(state.stack);
        stack_end = stack + state.options.stack_size;
        KASSERT(state.host_entries.size() == 1);
        host_entry = u64(state.host_entries[0]->entry);
    }
    {
        GuestSpace::Scope scope(victim.space());
        auto& state = victim.engine().state();
        victim_context = u64(state.instances[0]->context);
        victim_function = u64(victim_instance.value()->functions()[0]);
        victim_host_entry = u64(state.host_entries[0]->entry);
        victim_stack = u64(state.stack);
        victim_memory = u64(victim_instance.value()->memories()[0]->data());
    }
    u64 kernel_data = u64(g_kernel_canary);
    u64 kernel_text = u64(&host_fail);
    void* kernel_heap_object = platform_allocate(64, 16); // mimalloc, outside any Scope
    KASSERT(kernel_heap_object != nullptr);
    fill_pattern(static_cast<u8*>(kernel_heap_object), 64, 0x44);
    u64 kernel_heap = u64(kernel_heap_object);
    using jit::HelperId;
    usize bad = 0;
    auto expect_refused = [&](const char* what, const Forged& f) {
        if (!f.refused) {
            kprintln("  forged {}: not refused (outcome {}, a0 {:#x}, a1 {:#x})"_sv, what, u32(f.outcome), f.regs[0], f.regs[1]);
            ++bad;
        }
    };

    // (1) Not a VM context of this guest: every helper that takes one.
    u64 const bogus_contexts[] = { 0, kernel_data, kernel_text, kernel_heap, context + 1, context + 8, context - 8,
        victim_context, jit_instance, entry, function, memory, stack, ~u64(0), u64(1) << 63 };
    for (u64 bogus : bogus_contexts) {
        for (u32 id = u32(HelperId::MemorySize); id <= u32(HelperId::ElemDrop); ++id)
            expect_refused("context", forge(attacker, helper_number(HelperId(id)), bogus, 0, 0, 0x41, 16));
    }
    // A fake VMContext built in the guest's own memory, naming the kernel.
    {
        GuestSpace::Scope scope(attacker.space());
        UserPages user;
        jit::VMContext fake {};
        fake.memory0_base = reinterpret_cast<u8*>(kernel_data);
        fake.owner = reinterpret_cast<void*>(jit_instance);
        copy_bytes(reinterpret_cast<void*>(memory), &fake, sizeof fake);
    }
    expect_refused("fake context in linear memory", forge(attacker, helper_number(HelperId::MemoryFill), memory, 0, 0, 0x41, 16));
    fill_memory(attacker, attack.value(), 0x22);

    // (2) Indices out of range for the instance (1 memory, 2 tables, 1 data
    // segment, 2 element segments).
    u64 const big = u64(1) << 32;
    struct IndexCase {
        const char* what;
        HelperId id;
        u64 args[6];
    };
    IndexCase const index_cases[] = {
        { "memory.size memory 1", HelperId::MemorySize, { 1 } },
        { "memory.size memory 2^32", HelperId::MemorySize, { big } },
        { "memory.grow memory 1", HelperId::MemoryGrow, { 1, 1 } },
        { "memory.grow memory ~0", HelperId::MemoryGrow, { ~u64(0), 1 } },
        { "memory.fill memory 1", HelperId::MemoryFill, { 1, 0, 0x41, 16 } },
        { "memory.fill memory 2^32", HelperId::MemoryFill, { big, 0, 0x41, 16 } },
        { "memory.copy dst memory 1", HelperId::MemoryCopy, { 1, 0, 0, 0, 16 } },
        { "memory.copy src memory 2^32", HelperId::MemoryCopy, { 0, big, 0, 0, 16 } },
        { "memory.init segment 1", HelperId::MemoryInit, { 0, 1, 0, 0, 4 } },
        { "memory.init segment 2^32", HelperId::MemoryInit, { 0, big, 0, 0, 4 } },
        { "memory.init memory 1", HelperId::MemoryInit, { 1, 0, 0, 0, 4 } },
        { "data.drop 1", HelperId::DataDrop, { 1 } },
        { "data.drop ~0", HelperId::DataDrop, { ~u64(0) } },
        { "table.size table 2", HelperId::TableSize, { 2 } },
        { "table.grow table 2", HelperId::TableGrow, { 2, 0, 1 } },
        { "table.fill table 2", HelperId::TableFill, { 2, 0, 0, 1 } },
        { "table.copy dst table 2", HelperId::TableCopy, { 2, 0, 0, 0, 1 } },
        { "table.copy src table 2^32", HelperId::TableCopy, { 0, big, 0, 0, 1 } },
        { "table.init table 2", HelperId::TableInit, { 2, 0, 0, 0, 1 } },
        { "table.init segment 2", HelperId::TableInit, { 0, 2, 0, 0, 1 } },
        { "table.init segment 2^32", HelperId::TableInit, { 0, big, 0, 0, 1 } },
        { "elem.drop 2", HelperId::ElemDrop, { 2 } },
        { "elem.drop ~0", HelperId::ElemDrop, { ~u64(0) } },
    };
    for (const IndexCase& c : index_cases) {
        expect_refused(c.what,
            forge(attacker, helper_number(c.id), context, c.args[0], c.args[1], c.args[2], c.args[3], c.args[4], c.args[5]));
    }

    // (3) Valid indices, ranges past the memory or table: the helper traps
    // before it writes anything (core spec 2.0 §4.4.7, §4.4.6).
    using wasm::TrapCode;
    struct RangeCase {
        const char* what;
        HelperId id;
        u64 args[6];
        TrapCode code;
    };
    RangeCase const range_cases[] = {
        { "memory.fill at 4 GiB - 256", HelperId::MemoryFill, { 0, 0xffffff00, 0x41, 0x200 }, TrapCode::OutOfBoundsMemory },
        { "memory.fill 4 GiB - 1 bytes", HelperId::MemoryFill, { 0, 1, 0x41, 0xffffffff }, TrapCode::OutOfBoundsMemory },
        { "memory.copy from 4 GiB - 16", HelperId::MemoryCopy, { 0, 0, 0, 0xfffffff0, 0x20 }, TrapCode::OutOfBoundsMemory },
        { "memory.copy to 4 GiB - 16", HelperId::MemoryCopy, { 0, 0, 0xfffffff0, 0, 0x20 }, TrapCode::OutOfBoundsMemory },
        { "memory.init past the segment", HelperId::MemoryInit, { 0, 0, 0, 0xfffffffc, 8 }, TrapCode::OutOfBoundsMemory },
        { "memory.init past the memory", HelperId::MemoryInit, { 0, 0, 0xfffffffc, 0, 8 }, TrapCode::OutOfBoundsMemory },
        { "table.fill 4 Gi elements", HelperId::TableFill, { 0, 1, 0, 0xffffffff }, TrapCode::OutOfBoundsTable },
        { "table.copy from ~0", HelperId::TableCopy, { 0, 1, 0, 0xfffffffe, 4 }, TrapCode::OutOfBoundsTable },
        { "table.init past the segment", HelperId::TableInit, { 0, 1, 0, 0xffffffff, 2 }, TrapCode::OutOfBoundsTable },
    };
    for (const RangeCase& c : range_cases) {
        auto f = forge(attacker, helper_number(c.id), context, c.args[0], c.args[1], c.args[2], c.args[3], c.args[4], c.args[5]);
        if (!helper_trapped(f, c.code)) {
            kprintln("  forged {}: no trap (outcome {}, a1 {:#x})"_sv, c.what, u32(f.outcome), f.regs[1]);
            ++bad;
        }
    }
    // memory.grow by 2^32 - 1 pages, or past the maximum: -1, nothing mapped.
    usize frames = attacker.space().stats().frames();
    u64 const list2[] = { u64(0xffffffff), u64(0x10000), u64(2), big | 1 };
    for (u64 delta : list2) {
        auto f = forge(attacker, helper_number(HelperId::MemoryGrow), context, 0, delta);
        if (f.outcome != UserCallOutcome::Resume || (f.regs[0] != 0xffffffff && f.regs[0] != ~u64(0) && f.regs[0] != 1)) {
            kprintln("  forged memory.grow by {:#x}: {:#x}"_sv, delta, f.regs[0]);
            ++bad;
        }
    }
    // (2^32 | 1 is a grow by one page: arguments are 32-bit, as in wasm.)
    // Growing maps nothing: pages are committed on first touch, so neither
    // the refused grows nor that one took a frame.
    KEXPECT_EQ(attacker.space().stats().frames(), frames);

    // (4) Forged references: only functions of this guest go into its
    // funcref tables.
    u64 const forged_refs[] = { kernel_data, kernel_text, kernel_heap, victim_function, entry, jit_instance, context,
        function + 8, memory, stack, 1 };
    for (u64 ref : forged_refs) {
        expect_refused("table.grow ref", forge(attacker, helper_number(HelperId::TableGrow), context, 0, ref, 1));
        expect_refused("table.fill ref", forge(attacker, helper_number(HelperId::TableFill), context, 0, 1, ref, 1));
    }
    // Control: its own function is accepted.
    auto own = forge(attacker, helper_number(HelperId::TableFill), context, 0, 1, function, 1);
    KEXPECT(own.outcome == UserCallOutcome::Resume && own.regs[1] == 0);

    // (5) The SIMD helper's operands must be v128 slots on the guest stack.
    u32 const add = u32(wasm::Opcode::I32x4Add);
    u64 const slot = stack_end - 256;
    u64 const outside[] = { kernel_data, kernel_text, kernel_heap, memory, victim_stack + 4096, victim_memory, stack_end - 8,
        stack - 16, context, jit_instance, ~u64(0) - 7 };
    for (u64 pointer : outside) {
        expect_refused("SIMD dst", forge(attacker, helper_number(HelperId::SimdScalar), add, pointer, slot, slot));
        expect_refused("SIMD a", forge(attacker, helper_number(HelperId::SimdScalar), add, slot, pointer, slot));
        expect_refused("SIMD b", forge(attacker, helper_number(HelperId::SimdScalar), add, slot, slot, pointer));
        expect_refused("SIMD c", forge(attacker, helper_number(HelperId::SimdScalar), u32(wasm::Opcode::V128Bitselect), slot,
                                     slot, slot, pointer));
    }

    // (6) host_call: the entry must be one of this guest's host functions,
    // the saved registers and stack arguments on its stack.
    u64 const frame = stack_end - 512;
    u64 const bogus_entries[] = { 0, kernel_data, kernel_text, kernel_heap, entry, victim_host_entry, host_entry + 8, host_entry - 8,
        function, context, memory, frame };
    for (u64 bogus : bogus_entries)
        expect_refused("host_call entry", forge(attacker, uc::host_call, bogus, frame, frame + 128));
    u64 const bad_frames[] = { 0, kernel_data, kernel_heap, memory, victim_stack + 4096, stack - 128, ~u64(0) - 64 };
    for (u64 pointer : bad_frames) {
        expect_refused("host_call registers", forge(attacker, uc::host_call, host_entry, pointer, frame + 128));
        expect_refused("host_call stack", forge(attacker, uc::host_call, host_entry, frame, pointer));
    }
    // Saved registers (16 of them) that run past the stack's end.
    expect_refused("host_call registers", forge(attacker, uc::host_call, host_entry, stack_end - 64, frame + 128));
    // Control: a well-formed host call reaches the host function (which fails).
    auto host = forge(attacker, uc::host_call, host_entry, frame, frame + 128);
    KEXPECT(host.outcome == UserCallOutcome::Resume && host.regs[0] == 1);

    // (6b) host_call_typed: a6 must be the index of one of this guest's
    // typed host functions ("drill" "fail" is boxed: refused too).
    u64 const bad_indices[] = { 0, 1, 2, 0x100, u64(1) << 32 | 1, ~u64(0), host_entry, kernel_text };
    for (u64 index : bad_indices)
        expect_refused("host_call_typed index", forge(attacker, uc::host_call_typed, 0, 0, 0, 0, 0, 0, index));

    // (7) Numbers nobody defined, and trap codes nobody defined.
    u64 const numbers[] = { 0, 1, 0xff, uc::helper_base + jit::helper_count, uc::host_call - 1, uc::last + 1, 0x1000, ~u64(0),
        u64(1) << 32 | uc::helper_base };
    for (u64 number : numbers)
        expect_refused("number", forge(attacker, number, context, 0, 0, 0, 0));
    u64 const list3[] = { u64(wasm::TrapCode::Interrupted) + 1, u64(254), u64(256), ~u64(0) };
    for (u64 code : list3)
        expect_refused("trap code", forge(attacker, uc::trap, code, 0, 0));

    KEXPECT_EQ(bad, 0u);
    // Nothing was touched: the kernel's memory, the victim's, the attacker's.
    KEXPECT(kernel_canary_intact());
    KEXPECT_EQ(pattern_mismatch(static_cast<u8*>(kernel_heap_object), 64, 0x44), 64u);
    KEXPECT(memory_intact(victim, victim_instance.value(), 0x33));
    KEXPECT(memory_intact(attacker, attack.value(), 0x22));
    platform_deallocate(kernel_heap_object, 64, 16);
    // And both guests still run.
    KEXPECT(still_works(attacker, traps.value()));
    KEXPECT(still_works(victim, victim_traps.value()));
    Value results[1];
    Value zero[] = { v32(0) };
    KASSERT(!attacker.invoke_export(attack.value(), "call_at"_sv, zero, Span<Value>(results, 1)).is_error());
    KEXPECT_EQ(results[0].i32, 5u);
}

KTEST(drill_user_mode_cannot_touch_the_kernel_another_guest_or_its_code)
{
    fill_pattern(g_kernel_canary, sizeof g_kernel_canary, kernel_canary_seed);
    WasmGuest attacker;
    KASSERT(!attacker.create().is_error());
    auto attack = attacker.instantiate(bytes_of(test_modules::drill_attack));
    KASSERT(!attack.is_error());
    // The victim's memory, stack, code and engine objects must not be
    // anything of the attacker's (with independent random placements they
    // practically never are; if they are, draw the victim again).
    WasmGuest victim;
    wasm::Instance* victim_instance = nullptr;
    u64 victim_memory = 0, victim_code = 0, victim_private = 0, victim_context = 0;
    for (u32 attempt = 0; attempt < 8; ++attempt) {
        victim.destroy();
        KASSERT(!victim.create().is_error());
        auto instance = victim.instantiate(bytes_of(test_modules::drill_attack));
        KASSERT(!instance.is_error());
        victim_instance = instance.value();
        GuestSpace::Scope scope(victim.space());
        victim_memory = u64(victim_instance->memories()[0]->data()) + 0x100;
        victim_code = u64(static_cast<jit::VMFuncEntry*>(victim_instance->functions()[0]->jit)->code);
        victim_private = u64(&victim.engine().state());
        victim_context = u64(victim.engine().state().instances[0]->context);
        bool clash = false;
        u64 const list4[] = { victim_memory, victim_code, victim_private, victim_context };
        for (u64 address : list4)
            clash = clash || mapped_region_of(attacker, address);
        if (!clash)
            break;
    }
    fill_memory(victim, victim_instance, 0x55);

    u64 own_code = 0, own_entry = 0, own_context = 0, own_private = 0, own_private_object = 0, own_table = 0;
    u8 code_before[16];
    jit::VMContext context_before;
    {
        GuestSpace::Scope scope(attacker.space());
        auto* entry = static_cast<jit::VMFuncEntry*>(attack.value()->functions()[0]->jit);
        own_entry = u64(entry);
        own_code = u64(entry->code);
        own_context = u64(attacker.engine().state().instances[0]->context);
        own_private = u64(&attacker.engine().state());
        own_private_object = u64(attacker.engine().state().instances[0]);
        own_table = u64(attack.value()->tables()[0]);
        copy_bytes(code_before, reinterpret_cast<const void*>(own_code), sizeof code_before);
        copy_bytes(&context_before, reinterpret_cast<const void*>(own_context), sizeof context_before);
        KEXPECT(attacker.space().contains(own_private, 8, GuestRegion::Private));
        KEXPECT(attacker.space().contains(own_code, 8, GuestRegion::Code));
    }
    u64 kernel_data = u64(g_kernel_canary);
    u64 kernel_text = u64(&host_fail);
    void* kernel_heap_object = platform_allocate(64, 16);
    KASSERT(kernel_heap_object != nullptr);
    fill_pattern(static_cast<u8*>(kernel_heap_object), 64, 0x44);
    u64 kernel_heap = u64(kernel_heap_object);
    u64 page_tables = u64(attacker.space().address_space().root_table(View::Kernel)); // the direct map
    u64 kernel_root = u64(kernel_virtual_memory().root_table());

    usize bad = 0;
    auto expect_fault = [&](const char* what, const GuestExit& exit, Exception cause, u64 address) {
        if (!faulted_with(exit, cause, address)) {
            kprintln("  {} at {:#x}: kind {}, scause {}, stval {:#x}"_sv, what, address, u32(exit.kind), exit.scause, exit.stval);
            ++bad;
        }
    };
    // Neither readable nor writable nor executable from U-mode.
    u64 const forbidden[] = { kernel_data, kernel_text, kernel_heap, page_tables, kernel_root, own_private, own_private_object,
        own_table, victim_memory, victim_private, victim_context, victim_code };
    for (u64 address : forbidden) {
        expect_fault("load", run_raw_in(attacker, load_program(address)), Exception::LoadPageFault, address);
        expect_fault("store", run_raw_in(attacker, store_program(address)), Exception::StorePageFault, address);
        expect_fault("jump", run_raw_in(attacker, jump_program(address)), Exception::InstructionPageFault, address);
    }
    // Readable, never writable: its own code, its VM context, its function entries.
    u64 const list5[] = { own_code, own_context, own_entry };
    for (u64 address : list5) {
        auto load = run_raw_in(attacker, load_program(address));
        if (!load.exited()) {
            kprintln("  load of its own {:#x} failed"_sv, address);
            ++bad;
        }
        expect_fault("store", run_raw_in(attacker, store_program(address)), Exception::StorePageFault, address);
    }
    // And not executable unless it is code.
    u64 const list6[] = { own_context, own_entry };
    for (u64 address : list6)
        expect_fault("jump", run_raw_in(attacker, jump_program(address)), Exception::InstructionPageFault, address);
    KEXPECT_EQ(bad, 0u);

    // Nothing changed.
    KEXPECT(kernel_canary_intact());
    KEXPECT_EQ(pattern_mismatch(static_cast<u8*>(kernel_heap_object), 64, 0x44), 64u);
    platform_deallocate(kernel_heap_object, 64, 16);
    KEXPECT(memory_intact(victim, victim_instance, 0x55));
    {
        GuestSpace::Scope scope(attacker.space());
        KEXPECT(compare_bytes(code_before, reinterpret_cast<const void*>(own_code), sizeof code_before) == 0);
        KEXPECT(compare_bytes(&context_before, reinterpret_cast<const void*>(own_context), sizeof context_before) == 0);
    }
    // Both still run.
    Value results[1];
    Value zero[] = { v32(0) };
    KASSERT(!attacker.invoke_export(attack.value(), "call_at"_sv, zero, Span<Value>(results, 1)).is_error());
    KEXPECT_EQ(results[0].i32, 5u);
    KASSERT(!victim.invoke_export(victim_instance, "call_at"_sv, zero, Span<Value>(results, 1)).is_error());
    KEXPECT_EQ(results[0].i32, 5u);
}

KTEST(drill_guest_asking_for_all_memory_fails_not_the_kernel)
{
    // A guest grows an unbounded memory to 4 GiB and touches it until the
    // kernel has no frames left for it, then asks for a huge table: what the
    // kernel cannot meet ends that invocation (out of memory) or is -1, the
    // kernel and the guest go on, and destroying the guest gives everything
    // back.
    Counts before = counts_now();
    {
        WasmGuest guest;
        KASSERT(!guest.create().is_error());
        auto instance = guest.instantiate(bytes_of(test_modules::drill_grow));
        KASSERT(!instance.is_error());
        wasm::Instance* m = instance.value();
        Value results[1];
        // 4 GiB at once: granted, since growing only reserves address
        // space (pages are committed on first touch).
        usize frames = physical_memory().free_frame_count();
        Value all[] = { v32(65535) };
        KASSERT(!guest.invoke_export(m, "grow"_sv, all, Span<Value>(results, 1)).is_error());
        KEXPECT_EQ(results[0].i32, 1u);
        KEXPECT_LT(frames - physical_memory().free_frame_count(), 16u);
        // Touching page after page runs the machine out of frames: that
        // invocation ends with an out-of-memory error, the kernel goes on.
        Value many[] = { v32(1u << 20) };
        auto touched = guest.invoke_export(m, "touch_pages"_sv, many, Span<Value>(results, 1));
        KEXPECT(touched.is_error() && touched.error().message().contains("out of memory"_sv));
        kprintln("drill: a guest touched its memory until {} frames were left"_sv, physical_memory().free_frame_count());
        KEXPECT_LT(physical_memory().free_frame_count(), 16u + 64u);
        KASSERT(!guest.invoke_export(m, "size"_sv, {}, Span<Value>(results, 1)).is_error());
        KEXPECT_EQ(results[0].i32, 65536u);
        // Its first page is there.
        Value first_page[] = { v32(0) };
        KEXPECT(!guest.invoke_export(m, "touch"_sv, first_page, Span<Value>(results, 1)).is_error());
        // The table: 10 million elements (the limit) cannot be had now either.
        Value table_all[] = { v32(9'999'999) };
        auto table = guest.invoke_export(m, "table_grow"_sv, table_all, Span<Value>(results, 1));
        KEXPECT(!table.is_error());
        KEXPECT(table.is_error() || results[0].i32 == 0xffffffffu);
        // Another guest cannot be had either, or works: never a crash.
        {
            WasmGuest other;
            if (!other.create().is_error()) {
                auto other_instance = other.instantiate(bytes_of(test_modules::drill_grow));
                if (!other_instance.is_error())
                    (void)other.invoke_export(other_instance.value(), "ok"_sv, {}, Span<Value>(results, 1));
            }
        }
        auto ok = guest.invoke_export(m, "ok"_sv, {}, Span<Value>(results, 1));
        KEXPECT(!ok.is_error() && results[0].i32 == 1);
    }
    Counts after = counts_now();
    KEXPECT_EQ(after.frames, before.frames);
    KEXPECT_EQ(after.heap_pages, before.heap_pages);
}

KTEST(drill_modules_bigger_than_the_machine_fail_to_instantiate)
{
    // 4 GiB of memory, 240 MB of tables at instantiation: errors, and the
    // guest goes on; every frame comes back with it.
    Counts before = counts_now();
    {
        WasmGuest guest;
        KASSERT(!guest.create().is_error());
        // A 4 GiB memory only reserves address space (pages are committed
        // on first touch), so it instantiates and costs a few frames.
        usize frames = physical_memory().free_frame_count();
        auto memory = guest.instantiate(bytes_of(test_modules::drill_huge_memory));
        KEXPECT(!memory.is_error());
        KEXPECT_LT(frames - physical_memory().free_frame_count(), 64u);
        auto tables = guest.instantiate(bytes_of(test_modules::drill_huge_tables));
        KEXPECT(tables.is_error());
        KASSERT(!define_drill_host(guest).is_error());
        auto instance = guest.instantiate(bytes_of(test_modules::drill_traps));
        KASSERT(!instance.is_error());
        KEXPECT(still_works(guest, instance.value()));
    }
    Counts after = counts_now();
    KEXPECT_EQ(after.frames, before.frames);
    KEXPECT_EQ(after.heap_pages, before.heap_pages);
}

namespace {

u64 xorshift(u64& state)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

// Invokes every exported function of `instance` with default arguments;
// the number that returned normally.
usize invoke_every_export(WasmGuest& guest, wasm::Instance* instance)
{
    usize returned = 0;
    usize count;
    {
        GuestSpace::Scope scope(guest.space());
        count = instance->exports().size();
    }
    for (usize e = 0; e < count; ++e) {
        wasm::FunctionInstance* function = nullptr;
        Value args[8];
        usize params = 0, results = 0;
        {
            GuestSpace::Scope scope(guest.space());
            const auto& entry = instance->exports()[e];
            if (entry.value.kind != wasm::ExternKind::Function || entry.value.function()->is_host())
                continue;
            function = entry.value.function();
            auto type = instance->module()->function_type(function->index);
            params = type.params.size();
            results = type.results.size();
            if (params > 8 || results > 8)
                continue;
            for (usize i = 0; i < params; ++i)
                args[i] = Value::default_of(type.params[i]);
        }
        Value out[8];
        if (!guest.invoke(function, Span<Value const>(args, params), Span<Value>(out, results)).is_error())
            ++returned;
    }
    return returned;
}

} // namespace

namespace {

// `batches` guests of 50 mutants each: copies of `original` with 1 to 4
// random bytes changed (xorshift from `seed`: a failure names its
// mutants), each read, validated, compiled, instantiated and, when that
// works, every export invoked, with a time limit for mutants that loop.
// Errors and traps are fine; a crash, or a frame that does not come back,
// is not.
void run_mutants(ReadonlyBytes original, u64 seed, u32 batches)
{
    static u8 mutant[4096];
    usize const module_size = original.size();
    KASSERT(module_size <= sizeof mutant);
    u64 limit = g_platform.timebase_frequency / 200; // 5 ms an invocation
    Counts before = counts_now();
    usize instantiated = 0, returned = 0, rejected = 0;
    for (u32 batch = 0; batch < batches; ++batch) {
        WasmGuestOptions options;
        options.time_limit = limit;
        WasmGuest guest;
        KASSERT(!guest.create(options).is_error());
        KASSERT(!define_drill_host(guest).is_error());
        for (u32 i = 0; i < 50; ++i) {
            copy_bytes(mutant, original.data(), module_size);
            u64 changes = 1 + xorshift(seed) % 4;
            for (u64 c = 0; c < changes; ++c) {
                u64 at = 8 + xorshift(seed) % (module_size - 8); // keep the magic and version
                mutant[at] = u8(xorshift(seed));
            }
            auto instance = guest.instantiate(ReadonlyBytes(mutant, module_size));
            if (instance.is_error()) {
                ++rejected;
                continue;
            }
            ++instantiated;
            returned += invoke_every_export(guest, instance.value());
        }
    }
    Counts after = counts_now();
    kprintln("drill: {} mutants: {} rejected, {} instantiated, {} invocations returned"_sv, batches * 50, rejected, instantiated,
        returned);
    KEXPECT_EQ(rejected + instantiated, usize(batches) * 50);
    KEXPECT_EQ(after.frames, before.frames);
    KEXPECT_EQ(after.heap_pages, before.heap_pages);
}

} // namespace

KTEST(drill_mutated_modules_never_crash_the_kernel)
{
    // 300 mutants each of the trap mix, the attack module (bulk memory and
    // table helpers) and the SIMD module (a mutated opcode is another SIMD
    // helper call): about 5 s.
    run_mutants(bytes_of(test_modules::drill_traps), 0x6b32335f6472696cull, 6);
    run_mutants(bytes_of(test_modules::drill_attack), 0x2545f4914f6cdd1dull, 6);
    run_mutants(bytes_of(test_modules::drill_simd), 0x5851f42d4c957f2dull, 6);
}

// The same with 10,000 mutants of each, other seeds (a few minutes: manual).
KTEST_MANUAL(drill_mutated_modules_many)
{
    run_mutants(bytes_of(test_modules::drill_traps), 0x9e3779b97f4a7c15ull, 200);
    run_mutants(bytes_of(test_modules::drill_attack), 0xbf58476d1ce4e5b9ull, 200);
    run_mutants(bytes_of(test_modules::drill_simd), 0x94d049bb133111ebull, 200);
}

namespace {

usize put_leb(u8* out, u64 value)
{
    usize n = 0;
    do {
        u8 byte = value & 0x7f;
        value >>= 7;
        out[n++] = byte | (value ? 0x80 : 0);
    } while (value);
    return n;
}

// A module whose one exported function "f" is `depth` nested blocks and
// loops (alternating), with `pushes` i32.const 0 ... drop pairs innermost.
usize nested_module(u8* out, u32 depth, u32 pushes)
{
    static constexpr u8 head[] = { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,                                         // type () -> ()
        0x03, 0x02, 0x01, 0x00,                                                     // one function
        0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00 };                                  // export "f"
    usize n = 0;
    copy_bytes(out, head, sizeof head);
    n += sizeof head;
    u64 body = 1 + 3 * u64(depth) + 3 * u64(pushes) + 1;
    u8 leb[10];
    usize body_leb = put_leb(leb, body);
    out[n++] = 0x0a;
    n += put_leb(out + n, 1 + body_leb + body);
    out[n++] = 0x01;
    n += put_leb(out + n, body);
    out[n++] = 0x00; // no locals
    for (u32 i = 0; i < depth; ++i) {
        out[n++] = (i & 1) ? 0x03 : 0x02; // loop / block
        out[n++] = 0x40;
    }
    for (u32 i = 0; i < pushes; ++i) {
        out[n++] = 0x41; // i32.const 0
        out[n++] = 0x00;
    }
    for (u32 i = 0; i < pushes; ++i)
        out[n++] = 0x1a; // drop
    for (u32 i = 0; i < depth; ++i)
        out[n++] = 0x0b;
    out[n++] = 0x0b;
    return n;
}

} // namespace

KTEST(drill_deeply_nested_code_does_not_exhaust_the_kernel)
{
    // The reader, validator and compiler run in the kernel: 100,000 nested
    // blocks, and 100,000 values on the operand stack, must be a module (or
    // an error), never a kernel stack overflow; running them, a result or
    // a trap.
    static u8 module[400'000];
    struct Case {
        u32 depth;
        u32 pushes;
    };
    Case const cases[] = { { 100'000, 0 }, { 0, 100'000 }, { 30'000, 30'000 } };
    Counts before = counts_now();
    for (const Case& c : cases) {
        usize size = nested_module(module, c.depth, c.pushes);
        KASSERT(size <= sizeof module);
        WasmGuest guest;
        KASSERT(!guest.create().is_error());
        auto instance = guest.instantiate(ReadonlyBytes(module, size));
        if (instance.is_error()) {
            kprintln("drill: nesting {} / {} values: {}"_sv, c.depth, c.pushes, instance.error().message());
            continue;
        }
        // 100,000 spilled values need 800 KB of frame: with the 1 MiB guest
        // stack that may be `call stack exhausted`, a trap like any other.
        auto result = guest.invoke_export(instance.value(), "f"_sv, {}, {});
        if (result.is_error())
            kprintln("drill: nesting {} / {} values: {}"_sv, c.depth, c.pushes, result.error().message());
        KEXPECT(!result.is_error() || result.error().message().starts_with("call stack exhausted in func[0]"_sv));
    }
    Counts after = counts_now();
    KEXPECT_EQ(after.frames, before.frames);
    KEXPECT_EQ(after.heap_pages, before.heap_pages);
}

// ---------------------------------------------------------------- 3. page-table audit

KTEST(drill_page_table_audit_after_boot_and_after_100_wasm_guests)
{
    auto kernel_audit = audit_kernel_page_tables();
    if (kernel_audit.violations() != 0 || kernel_audit.user_leaves != 0)
        print_page_table_audit("kernel after boot", kernel_audit);
    KEXPECT_EQ(kernel_audit.violations(), 0u);
    KEXPECT_EQ(kernel_audit.user_leaves, 0u);
    KEXPECT_GT(kernel_audit.leaves, 0u);

    Counts before = counts_now();
    usize bad = 0;
    for (u32 i = 0; i < 100; ++i) {
        WasmGuest guest;
        KASSERT(!guest.create().is_error());
        auto instance = guest.instantiate(bytes_of(test_modules::drill_attack));
        KASSERT(!instance.is_error());
        // Run it: a store, a load, a grow (a system call that maps), a trap.
        Value results[1];
        Value at[] = { v32(8 * i) };
        Value one[] = { v32(1) };
        Value past[] = { v32(2 * 65536) };
        if (guest.invoke_export(instance.value(), "store"_sv, at, Span<Value>(results, 0)).is_error()
            || guest.invoke_export(instance.value(), "load"_sv, at, Span<Value>(results, 1)).is_error()
            || guest.invoke_export(instance.value(), "grow"_sv, one, Span<Value>(results, 1)).is_error()
            || !guest.invoke_export(instance.value(), "load"_sv, past, Span<Value>(results, 1)).is_error()) {
            kprintln("  wasm guest {}: an invocation went wrong"_sv, i);
            ++bad;
        }
        auto& space = guest.space().address_space();
        auto guest_view = audit_user_page_tables(space, View::Guest);
        auto kernel_view = audit_user_page_tables(space, View::Kernel);
        // The guest view has its code, objects, stack and memory as U
        // leaves; the kernel view's engine slot has supervisor leaves.
        if (guest_view.violations() != 0 || kernel_view.violations() != 0 || guest_view.user_leaves == 0
            || kernel_view.kernel_view_leaves == 0) {
            print_page_table_audit("wasm guest, guest view", guest_view);
            print_page_table_audit("wasm guest, kernel view", kernel_view);
            ++bad;
        }
        guest.destroy();
        // Both roots are gone with the guest.
        if (guest.space().is_created() || space.is_created() || space.root_table(View::Guest) != nullptr
            || space.root_table(View::Kernel) != nullptr) {
            kprintln("  wasm guest {}: a root survived destroy()"_sv, i);
            ++bad;
        }
    }
    KEXPECT_EQ(bad, 0u);
    kernel_audit = audit_kernel_page_tables();
    if (kernel_audit.violations() != 0 || kernel_audit.user_leaves != 0)
        print_page_table_audit("kernel after 100 wasm guests", kernel_audit);
    KEXPECT_EQ(kernel_audit.violations(), 0u);
    KEXPECT_EQ(kernel_audit.user_leaves, 0u); // no user mapping survived its guest
    Counts after = counts_now();
    KEXPECT_EQ(after.frames, before.frames); // every page table and page came back
    KEXPECT_EQ(after.heap_pages, before.heap_pages);
}

// ---------------------------------------------------------------- 4. time limit

KTEST(drill_runaway_guest_is_interrupted_at_its_time_limit_and_runs_again)
{
    WasmGuestOptions options;
    options.time_limit = g_platform.timebase_frequency / 50; // 20 ms
    KASSERT(options.time_limit > 0);
    WasmGuest guest;
    KASSERT(!guest.create(options).is_error());
    auto instance = guest.instantiate(bytes_of(test_modules::drill_spin));
    KASSERT(!instance.is_error());
    Value results[1];
    for (u32 round = 0; round < 2; ++round) {
        u64 start = read_time();
        auto spun = guest.invoke_export(instance.value(), "spin"_sv, {}, Span<Value>(results, 0));
        KEXPECT_GE(read_time() - start, options.time_limit);
        KASSERT(spun.is_error());
        KEXPECT_EQ(spun.error().code(), ErrorCode::Trap);
        KEXPECT(spun.error().message().starts_with("interrupted"_sv));
        wasm::TrapCode code;
        KEXPECT(jit::trap_code_of(spun.error(), code) && code == wasm::TrapCode::Interrupted);
        // The guest runs again, and so does the time limit's next round.
        auto ok = guest.invoke_export(instance.value(), "ok"_sv, {}, Span<Value>(results, 1));
        KASSERT(!ok.is_error());
        KEXPECT_EQ(results[0].i32, 23u);
    }
    KEXPECT_EQ(read_csr<Csr::Sie>() & Interrupt::STIE, 0u);
}

// ---------------------------------------------------------------- regressions

// Caught by the forged-system-call drill: the SIMD helper's operand check
// let null pointers through (generated code passes null for the operands an
// opcode does not use), so a guest could make the kernel itself load from or
// store to address 0 (v128.load with a = 0, v128.store with dst = 0): a
// page fault in S-mode, a kernel panic. Null operands are the helper's
// "unused": the system call hands the helper a zeroed scratch slot for
// each (kspec found and fixed the same in 7f724cc, whose words
// jit/UserMode.cpp has). A memory form's address operand may not be null
// at all (it must lie in a linear memory): the SIMD memory-form drill.
KTEST(drill_simd_helper_null_operands_are_not_dereferenced)
{
    WasmGuest guest;
    KASSERT(!guest.create().is_error());
    auto instance = guest.instantiate(bytes_of(test_modules::drill_attack));
    KASSERT(!instance.is_error());
    u64 slot;
    {
        GuestSpace::Scope scope(guest.space());
        auto& state = guest.engine().state();
        slot = u64(state.stack) + state.options.stack_size - 256;
    }
    u64 const number = helper_number(jit::HelperId::SimdScalar);
    u32 const ops[] = { u32(wasm::Opcode::V128Load), u32(wasm::Opcode::V128Store), u32(wasm::Opcode::I32x4Add),
        u32(wasm::Opcode::V128Load64Lane), u32(wasm::Opcode::V128Store64Lane), u32(wasm::Opcode::I8x16Shuffle),
        u32(wasm::Opcode::V128Bitselect) };
    usize survived = 0;
    for (u32 op : ops) {
        // Every operand null, then each one null beside valid slots.
        (void)forge(guest, number, op, 0, 0, 0, 0);
        (void)forge(guest, number, op, 0, slot, slot, slot);
        (void)forge(guest, number, op, slot, 0, slot, slot);
        (void)forge(guest, number, op, slot, slot, 0, slot);
        (void)forge(guest, number, op, slot, slot, slot, 0);
        ++survived;
    }
    KEXPECT_EQ(survived, sizeof ops / sizeof ops[0]);
    // Still fine afterwards.
    Value results[1];
    Value zero[] = { v32(0) };
    KASSERT(!guest.invoke_export(instance.value(), "call_at"_sv, zero, Span<Value>(results, 1)).is_error());
    KEXPECT_EQ(results[0].i32, 5u);
}

// Caught by the drills: the SIMD memory forms that go through the helper
// (every one but v128.load/store, on a hart without V) pass a linear-memory
// address, which the system call refused as "outside the guest stack", so
// any guest using v128.load8_splat, loadN_lane, storeN_lane, ... failed in
// U-mode (kspec hit the same in the spec suite and fixed it in 0243b58, in
// the words jit/UserMode.cpp now has). The address operand is checked
// against the guest's own linear memories for the bytes the helper
// touches, and refused anywhere else.
KTEST(drill_simd_memory_forms_work_in_user_mode_and_stay_in_memory)
{
    fill_pattern(g_kernel_canary, sizeof g_kernel_canary, kernel_canary_seed);
    WasmGuest guest;
    WasmGuest victim;
    KASSERT(!guest.create().is_error());
    KASSERT(!victim.create().is_error());
    auto instance = guest.instantiate(bytes_of(test_modules::drill_simd));
    KASSERT(!instance.is_error());
    auto victim_instance = victim.instantiate(bytes_of(test_modules::drill_simd));
    KASSERT(!victim_instance.is_error());
    wasm::Instance* m = instance.value();
    struct Case {
        StringView name;
        u32 arg;
        u32 want;
    };
    Case const cases[] = {
        { "load"_sv, 0, 0x08 },
        { "splat"_sv, 1, 0x08 },
        { "extend"_sv, 0, 0x0e },
        { "zero"_sv, 0, 0x0a090807 },
        { "lane"_sv, 2, 0x0a09 },
        { "splat"_sv, 65535, 0 }, // the last byte
    };
    Value results[1];
    for (const Case& c : cases) {
        Value args[] = { v32(c.arg) };
        auto result = guest.invoke_export(m, c.name, args, Span<Value>(results, 1));
        if (result.is_error())
            kprintln("  {}({}): {}"_sv, c.name, c.arg, result.error().message());
        KEXPECT(!result.is_error() && results[0].i32 == c.want);
    }
    Value store_args[] = { v32(100), v32(0x12345678) };
    KEXPECT(!guest.invoke_export(m, "store_lane"_sv, store_args, Span<Value>(results, 0)).is_error());
    Value at100[] = { v32(100) };
    KEXPECT(!guest.invoke_export(m, "load32"_sv, at100, Span<Value>(results, 1)).is_error() && results[0].i32 == 0x12345678);
    // Past the end: the generated code's probe traps first.
    Value near_end[] = { v32(65530) };
    auto past = guest.invoke_export(m, "extend"_sv, near_end, Span<Value>(results, 1));
    KEXPECT(past.is_error() && past.error().message().starts_with("out of bounds memory access in extend"_sv));

    // Forged: the address operand anywhere but this guest's memory.
    u64 memory = memory_base_of(guest, m);
    u64 victim_memory = memory_base_of(victim, victim_instance.value());
    u64 slot;
    {
        GuestSpace::Scope scope(guest.space());
        auto& state = guest.engine().state();
        slot = u64(state.stack) + state.options.stack_size - 256;
    }
    u64 const number = helper_number(jit::HelperId::SimdScalar);
    u32 const splat8 = u32(wasm::Opcode::V128Load8Splat);
    u32 const splat64 = u32(wasm::Opcode::V128Load64Splat);
    u32 const store8 = u32(wasm::Opcode::V128Store8Lane);
    u32 const store = u32(wasm::Opcode::V128Store);
    u64 const outside[] = { 0, u64(g_kernel_canary), u64(&host_fail), victim_memory, memory + 65536, memory - 1, slot, ~u64(0) };
    usize bad = 0;
    for (u64 address : outside) {
        bad += !forge(guest, number, splat8, slot, address).refused;
        bad += !forge(guest, number, store8, address, slot).refused;
        bad += !forge(guest, number, store, address, slot).refused;
    }
    bad += !forge(guest, number, splat64, slot, memory + 65535 - 3).refused; // 8 bytes, 4 past the end
    bad += !forge(guest, number, store, memory + 65536 - 8, slot).refused;   // 16 bytes, 8 past the end
    // The opcode's high bits do not change what the helper does (it reads a u16 opcode).
    bad += !forge(guest, number, u64(splat8) | (u64(1) << 32), slot, u64(g_kernel_canary)).refused;
    bad += !forge(guest, number, u64(splat8) | 0x10000, slot, u64(g_kernel_canary)).refused;
    KEXPECT_EQ(bad, 0u);
    // Inside it, the same calls work.
    auto inside = forge(guest, number, splat8, slot, memory + 65535);
    KEXPECT(inside.outcome == UserCallOutcome::Resume);
    KEXPECT(kernel_canary_intact());
}
