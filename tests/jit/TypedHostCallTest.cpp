// Typed host functions (wasm/TypedHost.h) called from generated code: the
// typed trampoline passes the wasm arguments in registers straight to the
// C++ function, results come back in a0, and an error ends the invocation
// unchanged, as from a boxed host function.

#include "JitTestHelpers.h"

#include <jit/EngineState.h>
#include <wasm/TypedHost.h>

#include <gtest/gtest.h>

using namespace k23;
using namespace k23::jit;
using namespace k23::jit::test;
using wasm::HostCall;
using wasm::Value;

namespace {

u64 weigh(const HostCall& call, u32 a, u64 b, i32 c, i64 d, u32 e, u64 f) noexcept
{
    ++*static_cast<int*>(call.data);
    return a + 2 * b + 3 * u64(i64(c)) + 4 * u64(d) + 5 * u64(e) + 6 * f;
}

i32 negate(const HostCall&, i32 x) noexcept { return -x; }

Result<u32> refuse_odd(const HostCall&, u32 x) noexcept
{
    if (x & 1)
        return Error::formatted(ErrorCode::PermissionDenied, "odd {}"_sv, x);
    return x / 2;
}

Result<Value> call1(JitFixture& f, wasm::Instance* instance, const char* name, std::initializer_list<Value> args)
{
    Value result;
    std::vector<Value> a(args);
    TRY(f.engine->invoke(JitFixture::exported(instance, name), Span<const Value>(a.data(), a.size()), Span<Value>(&result, 1)));
    return result;
}

struct TypedHostFixture : JitFixture {
    int calls { 0 };
    wasm::FunctionInstance* weigh_fn { nullptr };
    TypedHostFixture()
    {
        weigh_fn = MUST(wasm::create_typed_host_function<&weigh>(store, &calls));
        wasm::Instance* host = MUST(store.create_instance());
        MUST(host->add_export("weigh"_sv, { wasm::ExternKind::Function, weigh_fn }));
        MUST(host->add_export("negate"_sv, { wasm::ExternKind::Function, MUST(wasm::create_typed_host_function<&negate>(store, nullptr)) }));
        MUST(host->add_export("halve"_sv, { wasm::ExternKind::Function, MUST(wasm::create_typed_host_function<&refuse_odd>(store, nullptr)) }));
        MUST(linker.register_instance("host"_sv, host));
    }
    Result<wasm::Instance*> module()
    {
        ModuleBuilder b;
        u32 weigh_type = b.type({ I32, I64, I32, I64, I32, I64 }, { I64 });
        u32 ii = b.type({ I32 }, { I32 });
        u32 i_l = b.type({ I32 }, { I64 });
        b.import_function("host", "weigh", weigh_type);
        b.import_function("host", "negate", ii);
        b.import_function("host", "halve", ii);
        // weigh(x, 10, -1, 1000, 7, 3): the i32s and i64s in order.
        b.function(i_l, {},
            cat({ local_get(0), i64_const(10), i32_const(-1), i64_const(1000), i32_const(7), i64_const(3), call(0) }), "weigh");
        // negate(x) < 0 (i32.lt_s): right only if the result is sign-extended.
        b.function(ii, {}, cat({ local_get(0), call(1), i32_const(0), { 0x48 } }), "negative");
        b.function(ii, {}, cat({ local_get(0), call(2) }), "halve");
        return instantiate(b.build());
    }
};

} // namespace

TEST(TypedHostCall, ArgumentsAndResultsPassInRegisters)
{
    TypedHostFixture f;
    REQUIRE_EXECUTION(f);
    auto instance = f.module();
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    // The import took the typed trampoline, not the boxed one.
    auto* entry = static_cast<VMFuncEntry*>(f.weigh_fn->jit);
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(u64(entry->code), f.engine->state().typed_host_trampoline);
    auto r = call1(f, instance.value(), "weigh", { Value::from_i32(1) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i64, u64(1 + 20 - 3 + 4000 + 35 + 18));
    EXPECT_EQ(f.calls, 1);
    r = call1(f, instance.value(), "negative", { Value::from_i32(5) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i32, 1u);
    r = call1(f, instance.value(), "negative", { Value::from_i32(u32(-5)) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i32, 0u);
}

TEST(TypedHostCall, AnErrorEndsTheInvocationUnchangedAndTheNextOneRuns)
{
    TypedHostFixture f;
    REQUIRE_EXECUTION(f);
    auto instance = f.module();
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    auto r = call1(f, instance.value(), "halve", { Value::from_i32(7) });
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().code(), ErrorCode::PermissionDenied);
    EXPECT_EQ(message(r.error()), "odd 7");
    r = call1(f, instance.value(), "halve", { Value::from_i32(8) });
    ASSERT_FALSE(r.is_error()) << message(r.error());
    EXPECT_EQ(r.value().i32, 4u);
    // Each error is its own.
    r = call1(f, instance.value(), "halve", { Value::from_i32(9) });
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(message(r.error()), "odd 9");
}

TEST(TypedHostCall, TheEmbedderCallsTheBoxedForm)
{
    TypedHostFixture f;
    Value args[] = { Value::from_i32(1), Value::from_i64(10), Value::from_i32(u32(-1)), Value::from_i64(1000), Value::from_i32(7),
        Value::from_i64(3) };
    Value result;
    ASSERT_FALSE(f.engine->invoke(f.weigh_fn, Span<const Value>(args, 6), Span<Value>(&result, 1)).is_error());
    EXPECT_EQ(result.i64, u64(1 + 20 - 3 + 4000 + 35 + 18));
    EXPECT_EQ(f.calls, 1);
}
