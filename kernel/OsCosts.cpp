// Cost measurements of guests in U-mode (kernel/OsCosts.h).

#include <arch/riscv64/Csr.h>
#include <base/Vector.h>
#include <generated/kernel/CostModules.h>
#include <kernel/Console.h>
#include <kernel/OsCosts.h>
#include <kernel/WasmGuest.h>

namespace k23::kernel {

namespace {

constexpr u32 calls = 1000;
constexpr u32 traps = 100;
constexpr u32 guests = 10;

u64 instret() noexcept { return riscv64::read_csr<riscv64::Csr::Instret>(); }

void append_leb(Vector<u8>& out, u64 value) noexcept
{
    do {
        u8 byte = value & 0x7f;
        value >>= 7;
        MUST(out.try_append(value ? u8(byte | 0x80) : byte));
    } while (value);
}

void append_section(Vector<u8>& out, u8 id, const Vector<u8>& body) noexcept
{
    MUST(out.try_append(id));
    append_leb(out, body.size());
    MUST(out.try_extend(body.span()));
}

// (module (memory 17) (data (i32.const 0) "<size bytes of a pattern>"))
// Built here rather than embedded: a 1 MiB segment would make the image
// 1 MiB larger for one measurement.
Result<Vector<u8>> data_module(usize size) noexcept
{
    Vector<u8> out;
    constexpr u8 header[] = { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00 };
    TRY(out.try_extend(Span<u8 const>(header, sizeof header)));
    Vector<u8> memory;
    TRY(memory.try_append(1));    // one memory
    TRY(memory.try_append(0x00)); // limits: min only
    append_leb(memory, 17);
    append_section(out, 5, memory);
    Vector<u8> data;
    TRY(data.try_append(1));    // one segment
    TRY(data.try_append(0x00)); // active, memory 0
    constexpr u8 offset[] = { 0x41, 0x00, 0x0b }; // i32.const 0, end
    TRY(data.try_extend(Span<u8 const>(offset, sizeof offset)));
    append_leb(data, size);
    TRY(data.try_ensure_capacity(data.size() + size));
    for (usize i = 0; i < size; ++i)
        MUST(data.try_append(u8(i * 7 + 3)));
    append_section(out, 11, data);
    return out;
}

// The kernel's paths are measured, not the tiers: baseline code whatever
// the boot's tier (under auto the measured loops would tier up midway).
WasmGuestOptions cost_guest_options() noexcept
{
    WasmGuestOptions options;
    options.tier = jit::Tier::Baseline;
    return options;
}

template<usize N>
ReadonlyBytes bytes_of(u8 const (&module)[N]) noexcept
{
    return ReadonlyBytes(module, N);
}

Result<u64> invoke_cost(WasmGuest& guest, wasm::Instance* instance, StringView name, u32 argument) noexcept
{
    wasm::Value args[] = { wasm::Value::from_i32(argument) };
    u64 start = instret();
    auto result = guest.invoke_export(instance, name, args, {});
    u64 end = instret();
    if (result.is_error() && argument == 0)
        return result.release_error();
    return end - start;
}

Result<u64> guest_cycle(ReadonlyBytes module) noexcept
{
    u64 start = instret();
    {
        WasmGuest guest;
        TRY(guest.create(cost_guest_options()));
        if (module.size())
            TRY(guest.instantiate(module));
        guest.destroy();
    }
    return instret() - start;
}

Result<void> measure() noexcept
{
    WasmGuest guest;
    TRY(guest.create(cost_guest_options()));
    TRY(guest.define_spectest());
    wasm::Instance* costs = TRY(guest.instantiate(bytes_of(cost_modules::costs)));
    // Warm up (first-touch paths), then the measured pairs.
    TRY(invoke_cost(guest, costs, "call_host"_sv, calls));
    u64 with_calls = TRY(invoke_cost(guest, costs, "call_host"_sv, calls));
    u64 without_calls = TRY(invoke_cost(guest, costs, "call_none"_sv, calls));
    kprintln("cost: system_call {}"_sv, (with_calls - without_calls) / calls);

    wasm::Value one[] = { wasm::Value::from_i32(1) };
    wasm::Value zero[] = { wasm::Value::from_i32(0) };
    (void)guest.invoke_export(costs, "maybe_trap"_sv, one, {});
    u64 start = instret();
    for (u32 i = 0; i < traps; ++i)
        (void)guest.invoke_export(costs, "maybe_trap"_sv, one, {});
    u64 trapping = instret() - start;
    start = instret();
    for (u32 i = 0; i < traps; ++i)
        TRY(guest.invoke_export(costs, "maybe_trap"_sv, zero, {}));
    u64 returning = instret() - start;
    kprintln("cost: trap_recovery {}"_sv, (trapping - returning) / traps);
    guest.destroy();

    Vector<u8> big = TRY(data_module(usize(1) << 20));
    Vector<u8> empty = TRY(data_module(0));
    TRY(guest_cycle({}));
    u64 bare = 0, with_big = 0, with_empty = 0;
    for (u32 i = 0; i < guests; ++i) {
        bare += TRY(guest_cycle({}));
        with_big += TRY(guest_cycle(big.span()));
        with_empty += TRY(guest_cycle(empty.span()));
    }
    kprintln("cost: guest_create_destroy {}"_sv, bare / guests);
    kprintln("cost: guest_create_instantiate_destroy_1mib {}"_sv, with_big / guests);
    kprintln("cost: instantiate_1mib {}"_sv, (with_big - with_empty) / guests);
    return {};
}

} // namespace

int run_os_costs() noexcept
{
    auto result = measure();
    if (result.is_error()) {
        kprintln("cost: failed: {}"_sv, result.error().message());
        return 1;
    }
    return 0;
}

} // namespace k23::kernel
