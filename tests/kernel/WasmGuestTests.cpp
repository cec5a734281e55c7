// WebAssembly guests in U-mode (kernel/WasmGuest.h, issue 13 parts 3-6):
// generated code runs in the guest's own address space, helpers and host
// functions are system calls, every trap kind ends one invocation with the
// spec's message, the function and the offset, and a guest gives back every
// frame it took. The modules are tests/kernel/modules/*.wat.

#include "KTestHelpers.h"

#include <base/Format.h>
#include <generated/tests/kernel/Modules.h>
#include <kernel/Console.h>
#include <kernel/KTest.h>
#include <kernel/WasmGuest.h>
#include <kernel/mm/PhysicalMemory.h>
#include <wasm/Runtime.h>

using namespace k23;
using namespace k23::kernel;
using test::bytes_of;
using wasm::Value;

namespace {

// Calls `name` with i32 args and returns the single result's low 32 bits
// (or ~0 on error, with the error in *error).
Result<Value> call(WasmGuest& guest, wasm::Instance* instance, StringView name, Span<Value const> args)
{
    Value result;
    TRY(guest.invoke_export(instance, name, args, Span<Value>(&result, 1)));
    return result;
}

Value v32(u32 v) { return Value::from_i32(v); }
Value v64(u64 v) { return Value::from_i64(v); }

// Whether `name(args)` fails with "<expected_prefix>... at wasm offset 0x...".
bool traps_with(WasmGuest& guest, wasm::Instance* instance, StringView name, Span<Value const> args, StringView expected_prefix)
{
    Value results[1];
    auto result = guest.invoke_export(instance, name, args, Span<Value>(results, 1));
    if (!result.is_error()) {
        kprintln("  {} did not trap"_sv, name);
        return false;
    }
    StringView message = result.error().message();
    if (!message.starts_with(expected_prefix) || !message.contains(" at wasm offset 0x"_sv)) {
        kprintln("  {}: got \"{}\", want \"{}... at wasm offset 0x...\""_sv, name, message, expected_prefix);
        return false;
    }
    return true;
}

} // namespace

KTEST(wasm_guest_runs_generated_code_in_user_mode)
{
    WasmGuest guest;
    KASSERT(!guest.create().is_error());
    auto instance = guest.instantiate(bytes_of(test_modules::basics));
    KASSERT(!instance.is_error());
    wasm::Instance* m = instance.value();

    Value add_args[] = { v32(2), v32(40) };
    auto sum = call(guest, m, "add"_sv, add_args);
    KASSERT(!sum.is_error());
    KEXPECT_EQ(sum.value().i32, 42u);

    Value fib_args[] = { v32(20) };
    auto fib = call(guest, m, "fib"_sv, fib_args);
    KASSERT(!fib.is_error());
    KEXPECT_EQ(fib.value().i32, 6765u);

    Value sum_args[] = { v64(100000) };
    auto sum_to = call(guest, m, "sum_to"_sv, sum_args);
    KASSERT(!sum_to.is_error());
    KEXPECT_EQ(sum_to.value().i64, 5000050000ull);

    // The data segment, written by the kernel at instantiation, read in U-mode.
    Value load_args[] = { v32(16) };
    auto k = call(guest, m, "load8"_sv, load_args);
    KASSERT(!k.is_error());
    KEXPECT_EQ(k.value().i32, u32('k'));

    Value store_args[] = { v32(1000), v64(0x0123456789abcdefull) };
    auto stored = call(guest, m, "store_load"_sv, store_args);
    KASSERT(!stored.is_error());
    KEXPECT_EQ(stored.value().i64, 0x0123456789abcdefull);

    // A mutable global lives in exposed, guest-writable memory.
    auto bump1 = call(guest, m, "bump"_sv, {});
    auto bump2 = call(guest, m, "bump"_sv, {});
    KASSERT(!bump1.is_error() && !bump2.is_error());
    KEXPECT_EQ(bump1.value().i32, 8u);
    KEXPECT_EQ(bump2.value().i32, 9u);

    // call_indirect through the table (elements 0 = $double, 1 = $fib).
    Value indirect_args[] = { v32(0), v32(21) };
    auto doubled = call(guest, m, "indirect"_sv, indirect_args);
    KASSERT(!doubled.is_error());
    KEXPECT_EQ(doubled.value().i32, 42u);
    Value indirect_fib[] = { v32(1), v32(10) };
    auto fib10 = call(guest, m, "indirect"_sv, indirect_fib);
    KASSERT(!fib10.is_error());
    KEXPECT_EQ(fib10.value().i32, 55u);

    Value float_args[] = { Value::from_f64_bits(0x4020000000000000ull) /* 8.0 */, Value::from_f32_bits(0x40000000u) /* 2.0 */ };
    auto root = call(guest, m, "float"_sv, float_args);
    KASSERT(!root.is_error());
    KEXPECT_EQ(root.value().f64_bits, 0x4010000000000000ull); // sqrt(16) = 4.0

    KEXPECT(guest.stats().system_calls >= 10); // at least every return
    guest.destroy();
}

KTEST(wasm_guest_runtime_helpers_are_system_calls)
{
    WasmGuest guest;
    KASSERT(!guest.create().is_error());
    auto instance = guest.instantiate(bytes_of(test_modules::basics));
    KASSERT(!instance.is_error());
    wasm::Instance* m = instance.value();
    u64 calls_before = guest.stats().system_calls;

    auto size = call(guest, m, "size"_sv, {});
    KASSERT(!size.is_error());
    KEXPECT_EQ(size.value().i32, 1u);
    Value grow_args[] = { v32(2) };
    auto grown = call(guest, m, "grow"_sv, grow_args);
    KASSERT(!grown.is_error());
    KEXPECT_EQ(grown.value().i32, 1u);
    auto size3 = call(guest, m, "size"_sv, {});
    KASSERT(!size3.is_error());
    KEXPECT_EQ(size3.value().i32, 3u);
    // Past the maximum (4 pages): -1, and nothing moves.
    auto refused = call(guest, m, "grow"_sv, grow_args);
    KASSERT(!refused.is_error());
    KEXPECT_EQ(refused.value().i32, 0xffffffffu);

    // memory.fill into the grown pages, the sum read back: the new pages
    // are usable.
    Value fill_args[] = { v32(2 * 65536 + 100), v32(3), v32(1000) };
    auto filled = call(guest, m, "fill_and_sum"_sv, fill_args);
    KASSERT(!filled.is_error());
    KEXPECT_EQ(filled.value().i32, 3000u);
    Value copy_args[] = { v32(200), v32(16), v32(3) };
    Value none[1];
    KASSERT(!guest.invoke_export(m, "copy"_sv, copy_args, Span<Value>(none, 0)).is_error());
    Value load_args[] = { v32(202) };
    auto copied = call(guest, m, "load8"_sv, load_args);
    KASSERT(!copied.is_error());
    KEXPECT_EQ(copied.value().i32, u32('3'));

    // Table helpers: size, grow, set (a funcref the kernel checks) + call.
    auto tsize = call(guest, m, "table_size"_sv, {});
    KASSERT(!tsize.is_error());
    KEXPECT_EQ(tsize.value().i32, 4u);
    Value tgrow_args[] = { v32(3) };
    auto tgrown = call(guest, m, "table_grow"_sv, tgrow_args);
    KASSERT(!tgrown.is_error());
    KEXPECT_EQ(tgrown.value().i32, 4u);
    Value set_args[] = { v32(6), v32(50) };
    auto via_set = call(guest, m, "set_and_call"_sv, set_args);
    KASSERT(!via_set.is_error());
    KEXPECT_EQ(via_set.value().i32, 100u);

    KEXPECT(guest.stats().system_calls - calls_before >= 12);
    guest.destroy();
}

// memory.fill and memory.copy are inline in the generated code: an
// invocation that fills or copies makes exactly the system calls of one that
// only loads (its entry and return), however many bytes it moves. In the
// baseline tier: under auto, fill_and_sum's loop would tier up, and the
// tier-up helper is a system call too.
KTEST(wasm_guest_memory_fill_and_copy_make_no_system_call)
{
    WasmGuest guest;
    WasmGuestOptions options;
    options.tier = jit::Tier::Baseline;
    KASSERT(!guest.create(options).is_error());
    auto instance = guest.instantiate(bytes_of(test_modules::basics));
    KASSERT(!instance.is_error());
    wasm::Instance* m = instance.value();
    Value load_args[] = { v32(100) };
    u64 before = guest.stats().system_calls;
    KASSERT(!call(guest, m, "load8"_sv, load_args).is_error());
    u64 per_invocation = guest.stats().system_calls - before;

    Value fill_args[] = { v32(1000), v32(7), v32(5000) };
    before = guest.stats().system_calls;
    auto filled = call(guest, m, "fill_and_sum"_sv, fill_args);
    KASSERT(!filled.is_error());
    KEXPECT_EQ(filled.value().i32, 35000u);
    KEXPECT_EQ(guest.stats().system_calls - before, per_invocation);

    Value fill9_args[] = { v32(2000), v32(9), v32(100) };
    KASSERT(!call(guest, m, "fill_and_sum"_sv, fill9_args).is_error());

    // Overlapping, destination above the source (a backward copy): [1950,
    // 2150) gets [1900, 2100), 50 sevens then 100 nines, as through a buffer.
    Value copy_args[] = { v32(1950), v32(1900), v32(200) };
    Value none[1];
    before = guest.stats().system_calls;
    KASSERT(!guest.invoke_export(m, "copy"_sv, copy_args, Span<Value>(none, 0)).is_error());
    KEXPECT_EQ(guest.stats().system_calls - before, per_invocation);
    u32 expected[][2] = { { 2049, 7 }, { 2050, 9 }, { 2149, 9 }, { 2150, 7 } };
    for (auto& [address, value] : expected) {
        Value at[] = { v32(address) };
        auto byte = call(guest, m, "load8"_sv, at);
        KASSERT(!byte.is_error());
        KEXPECT_EQ(byte.value().i32, value);
    }
    guest.destroy();
}

KTEST(wasm_guest_every_trap_kind_ends_the_invocation_with_its_message)
{
    WasmGuest guest;
    KASSERT(!guest.create().is_error());
    KASSERT(!guest.define_spectest().is_error());
    auto instance = guest.instantiate(bytes_of(test_modules::traps));
    KASSERT(!instance.is_error());
    wasm::Instance* m = instance.value();
    Value zero[] = { v32(0) };
    Value big[] = { v32(70000) };
    Value edge[] = { v32(65533) };
    Span<Value const> none;
    KEXPECT(traps_with(guest, m, "unreachable"_sv, none, "unreachable in unreachable"_sv));
    KEXPECT(traps_with(guest, m, "div_by_zero"_sv, zero, "integer divide by zero in div_by_zero"_sv));
    KEXPECT(traps_with(guest, m, "overflow"_sv, none, "integer overflow in overflow"_sv));
    KEXPECT(traps_with(guest, m, "bad_conversion"_sv, none, "invalid conversion to integer in bad_conversion"_sv));
    // A page fault of generated code in U-mode, mapped through the trap table.
    KEXPECT(traps_with(guest, m, "oob_load"_sv, big, "out of bounds memory access in oob_load"_sv));
    KEXPECT(traps_with(guest, m, "oob_store"_sv, edge, "out of bounds memory access in oob_store"_sv));
    // memory.fill's bounds check (inline, in U-mode): a trap before any write.
    KEXPECT(traps_with(guest, m, "oob_fill"_sv, edge, "out of bounds memory access in oob_fill"_sv));
    KEXPECT(traps_with(guest, m, "undefined_element"_sv, none, "undefined element in undefined_element"_sv));
    KEXPECT(traps_with(guest, m, "uninitialized"_sv, none, "uninitialized element 1 in uninitialized"_sv));
    KEXPECT(traps_with(guest, m, "type_mismatch"_sv, none, "indirect call type mismatch in type_mismatch"_sv));
    KEXPECT(traps_with(guest, m, "oob_table"_sv, none, "out of bounds table access in oob_table"_sv));
    // The guest stack is committed on first touch, page by page, down to
    // the limit (kernel/mm/GuestHeap.h): deep recursion commits ~190 pages.
    u64 committed_before = guest.stats().pages_committed;
    KEXPECT(traps_with(guest, m, "recurse"_sv, zero, "call stack exhausted in recurse"_sv));
    KEXPECT(guest.stats().pages_committed > committed_before + 100);
    // After all of them the guest still works, host calls included.
    Value print_args[] = { v32(23) };
    Value results[1];
    KEXPECT(!guest.invoke_export(m, "print"_sv, print_args, Span<Value>(results, 0)).is_error());
    auto ok = call(guest, m, "ok"_sv, {});
    KASSERT(!ok.is_error());
    KEXPECT_EQ(ok.value().i32, 1u);
    KEXPECT(guest.stats().faults >= 2);
    guest.destroy();
}

KTEST(wasm_guest_gives_back_every_frame)
{
    // Warm up once (the kernel's own lazily made structures), then count.
    {
        WasmGuest guest;
        KASSERT(!guest.create().is_error());
        KASSERT(!guest.instantiate(bytes_of(test_modules::basics)).is_error());
    }
    usize frames_before = physical_memory().free_frame_count();
    for (u32 round = 0; round < 20; ++round) {
        WasmGuest guest;
        KASSERT(!guest.create().is_error());
        auto instance = guest.instantiate(bytes_of(test_modules::basics));
        KASSERT(!instance.is_error());
        Value grow_args[] = { v32(3) };
        KASSERT(!call(guest, instance.value(), "grow"_sv, grow_args).is_error());
        Value args[] = { v32(4 * 65536 + 10) }; // past the 4 pages
        Value result[1];
        auto fault = guest.invoke_export(instance.value(), "load8"_sv, args, Span<Value>(result, 1));
        KEXPECT(fault.is_error() && fault.error().message().starts_with("out of bounds memory access"_sv));
        guest.destroy();
        KEXPECT_EQ(physical_memory().free_frame_count(), frames_before);
    }
}

KTEST(wasm_guest_malformed_modules_are_errors_not_crashes)
{
    WasmGuest guest;
    KASSERT(!guest.create().is_error());
    u8 garbage[] = { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff };
    auto result = guest.instantiate(ReadonlyBytes(garbage, sizeof garbage));
    KEXPECT(result.is_error());
    // The guest is still usable.
    auto instance = guest.instantiate(bytes_of(test_modules::basics));
    KASSERT(!instance.is_error());
    Value args[] = { v32(1), v32(2) };
    auto sum = call(guest, instance.value(), "add"_sv, args);
    KASSERT(!sum.is_error());
    KEXPECT_EQ(sum.value().i32, 3u);
}

KTEST(wasm_guest_memory_pages_are_committed_on_first_touch)
{
    WasmGuest guest;
    KASSERT(!guest.create().is_error());
    auto instance = guest.instantiate(bytes_of(test_modules::basics));
    KASSERT(!instance.is_error());
    wasm::Instance* m = instance.value();
    Value grow_args[] = { v32(3) }; // 4 pages, 3 of them never touched
    KASSERT(!call(guest, m, "grow"_sv, grow_args).is_error());
    u64 data_frames = guest.space().stats().data_frames;
    u64 committed = guest.stats().pages_committed;
    // A store from U-mode into page 2 of the memory: one frame, one commit
    // (a 64 KiB wasm page is 16 frames; only the touched one is mapped).
    Value store_args[] = { v32(2 * 65536 + 8), v64(77) };
    auto stored = call(guest, m, "store_load"_sv, store_args);
    KASSERT(!stored.is_error());
    KEXPECT_EQ(stored.value().i64, 77ull);
    KEXPECT_EQ(guest.stats().pages_committed, committed + 1);
    KEXPECT_EQ(guest.space().stats().data_frames, data_frames + 1);
    // Untouched pages read as zero once touched; memory.fill runs in U-mode
    // (no system call), so its first touch commits through the same fault.
    Value load_args[] = { v32(3 * 65536 + 4000) };
    auto zero = call(guest, m, "load8"_sv, load_args);
    KASSERT(!zero.is_error());
    KEXPECT_EQ(zero.value().i32, 0u);
    Value fill_args[] = { v32(65536 + 5), v32(2), v32(10) };
    u64 before_fill = guest.stats().pages_committed;
    auto filled = call(guest, m, "fill_and_sum"_sv, fill_args);
    KASSERT(!filled.is_error());
    KEXPECT_EQ(filled.value().i32, 20u);
    KEXPECT_EQ(guest.stats().pages_committed, before_fill + 1);
    // Beyond the accessible size a fault stays a trap.
    Value beyond[] = { v32(4 * 65536) };
    Value result[1];
    auto trap = guest.invoke_export(m, "load8"_sv, beyond, Span<Value>(result, 1));
    KASSERT(trap.is_error());
    KEXPECT(trap.error().message().starts_with("out of bounds memory access in"_sv));
}

// Tier::Auto in U-mode: the tier-up helpers are system calls that post
// the job; without a scheduler it compiles right before the guest returns
// to U-mode (kernel/DeferredTierUp.h) and the engine swaps the entry at
// its next helper call; sum_to's loop moves to its OSR entry inside the one
// call that runs it.
KTEST(wasm_guest_tiers_up_hot_code_and_loops_in_user_mode)
{
    WasmGuest guest;
    WasmGuestOptions options;
    options.tier = jit::Tier::Auto;
    options.tier_up_osr = true;
    KASSERT(!guest.create(options).is_error());
    auto instance = guest.instantiate(bytes_of(test_modules::basics));
    KASSERT(!instance.is_error());
    wasm::Instance* m = instance.value();
    for (u32 round = 0; round < 2; ++round) {
        Value fib_args[] = { v32(20) };
        auto fib = call(guest, m, "fib"_sv, fib_args);
        KASSERT(!fib.is_error());
        KEXPECT_EQ(fib.value().i32, 6765u);
        Value sum_args[] = { v64(100000) };
        auto sum_to = call(guest, m, "sum_to"_sv, sum_args);
        KASSERT(!sum_to.is_error());
        KEXPECT_EQ(sum_to.value().i64, 5000050000ull);
    }
    const jit::TierCounts& tiers = guest.stats().tiers;
    KEXPECT_GE(tiers.tiered_up, usize(2)); // fib by its calls, sum_to by its loop
    KEXPECT_EQ(tiers.osr_transfers, usize(1)); // the second sum_to call enters optimized code
    // Every job compiled at a return to U-mode, none in the helper or dropped.
    const DeferredTierUpStats& jobs = guest.stats().tier_up_jobs;
    KEXPECT_GE(jobs.posted, 3u); // fib, sum_to, sum_to's loop
    KEXPECT_EQ(jobs.compiled, jobs.posted);
    KEXPECT_EQ(jobs.dropped, 0u);
}
