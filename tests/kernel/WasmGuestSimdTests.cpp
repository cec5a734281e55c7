// WebAssembly SIMD in a guest (tests/kernel/modules/simd.wat): with V on the
// hart the guest's engine compiles v128 to RVV (kernel/Guest.h,
// guest_cpu_features) and the code runs in U-mode with the guest's own
// vector state, at whatever VLEN the hart has; without V, the scalar path.
// The boot checks in test_vector.py run this at VLEN 128, 256, 512 and 0.

#include "KTestHelpers.h"

#include <generated/tests/kernel/Modules.h>
#include <kernel/Console.h>
#include <kernel/DeviceTree.h>
#include <kernel/Guest.h>
#include <kernel/KTest.h>
#include <kernel/Trap.h>
#include <kernel/WasmGuest.h>
#include <wasm/Runtime.h>

using namespace k23;
using namespace k23::kernel;
using test::bytes_of;
using wasm::Value;

KTEST(wasm_guest_simd_gives_the_right_results)
{
    bool with_vector = g_platform.isa_has('v');
    KEXPECT_EQ(guest_cpu_features().has(riscv64::Extension::V), with_vector);
    u64 owner_before = current_hart().vector_owner;

    WasmGuest guest;
    KASSERT(!guest.create().is_error());
    auto instance = guest.instantiate(bytes_of(test_modules::simd));
    KASSERT(!instance.is_error());
    wasm::Instance* m = instance.value();

    struct Case {
        const char* name;
        Value args[2];
        usize arg_count;
        u64 expected; // the result's bits (i32 zero-extended, f32 as bits)
        bool is_i64;
    };
    Case const cases[] = {
        { "i32x4", { Value::from_i32(5), Value::from_i32(3) }, 2, 154, false },
        { "f32x4", { Value::from_f32_bits(0x40000000) }, 1, 0x41d00000, false }, // 2.0f -> 26.0f
        { "i8x16", { Value::from_i32(1) }, 1, 0x3f67, false },
        { "interleave", { Value::from_i32(0x41) }, 1, 0x41314130, false },
        { "swizzle", {}, 0, 0x30313233, false },
        { "i64x2", { Value::from_i64(5) }, 1, 107205, true },
        { "i16x8", { Value::from_i32(0) }, 1, 0xfffffff7, false },
        { "store_load", { Value::from_i32(17) }, 1, 0x999a9b9c, false },
        { "loop_sum", { Value::from_i32(64) }, 1, 32640, false },
    };
    for (const auto& c : cases) {
        Value result;
        auto call = guest.invoke_export(m, StringView(c.name), Span<Value const>(c.args, c.arg_count), Span<Value>(&result, 1));
        if (call.is_error()) {
            ktest_failf(__FILE__, __LINE__, false, "{}: {}"_sv, c.name, call.error().message());
            continue;
        }
        u64 bits = c.is_i64 ? result.i64 : static_cast<u64>(result.i32);
        if (bits != c.expected)
            ktest_failf(__FILE__, __LINE__, false, "{}: got {:#x}, want {:#x}"_sv, c.name, bits, c.expected);
    }
    // With V the guest took the vector unit (a new owner of this hart's v
    // registers); without it nothing did.
    u64 owner_after = current_hart().vector_owner;
    if (with_vector)
        KEXPECT_NE(owner_after, owner_before);
    else
        KEXPECT_EQ(owner_after, 0u);
    guest.destroy();
}
