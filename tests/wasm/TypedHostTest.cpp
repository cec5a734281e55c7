// Host functions from C++ signatures (wasm/TypedHost.h): the wasm type
// they get, and their two forms — the typed one generated code calls with
// raw registers, and the boxed one everything else calls — agreeing.

#include <gtest/gtest.h>

#include <wasm/TypedHost.h>

using namespace k23;
using namespace k23::wasm;

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

void nothing(const HostCall&) noexcept { }

std::string message(const Error& e) { return std::string(e.message().data(), e.message().length()); }

} // namespace

TEST(TypedHost, TypeComesFromTheCppSignature)
{
    Store store;
    int calls = 0;
    FunctionInstance* f = MUST(create_typed_host_function<&weigh>(store, &calls));
    FunctionType type = store.type(f->type);
    const ValueType expected[] = { ValueType::I32, ValueType::I64, ValueType::I32, ValueType::I64, ValueType::I32, ValueType::I64 };
    ASSERT_EQ(type.params.size(), 6u);
    for (usize i = 0; i < 6; ++i)
        EXPECT_EQ(type.params[i], expected[i]) << i;
    ASSERT_EQ(type.results.size(), 1u);
    EXPECT_EQ(type.results[0], ValueType::I64);
    EXPECT_NE(f->host->typed, nullptr);
    FunctionInstance* g = MUST(create_typed_host_function<&nothing>(store, nullptr));
    EXPECT_EQ(store.type(g->type).params.size(), 0u);
    EXPECT_EQ(store.type(g->type).results.size(), 0u);
}

TEST(TypedHost, TypedAndBoxedFormsAgree)
{
    Store store;
    int calls = 0;
    FunctionInstance* f = MUST(create_typed_host_function<&weigh>(store, &calls));
    Error error = Error::from_code(ErrorCode::Unknown);
    HostCall call { &calls, &error };
    // i32 arguments arrive sign-extended (jit/Abi.h); c = -1.
    HostReturn r = f->host->typed(1, 10, u64(-1), 1000, 7, 3, call);
    EXPECT_EQ(r.failed, 0u);
    u64 want = 1 + 20 - 3 + 4000 + 35 + 18;
    EXPECT_EQ(r.value, want);
    Value args[] = { Value::from_i32(1), Value::from_i64(10), Value::from_i32(u32(-1)), Value::from_i64(1000), Value::from_i32(7),
        Value::from_i64(3) };
    Value result;
    ASSERT_FALSE(f->call_host(Span<const Value>(args, 6), Span<Value>(&result, 1)).is_error());
    EXPECT_EQ(result.type, ValueType::I64);
    EXPECT_EQ(result.i64, want);
    EXPECT_EQ(calls, 2);
}

TEST(TypedHost, AnI32ResultIsSignExtendedInTheRegister)
{
    Store store;
    FunctionInstance* f = MUST(create_typed_host_function<&negate>(store, nullptr));
    Error error = Error::from_code(ErrorCode::Unknown);
    HostReturn r = f->host->typed(5, 0, 0, 0, 0, 0, HostCall { nullptr, &error });
    EXPECT_EQ(r.value, u64(-5));
    Value arg = Value::from_i32(5), result;
    ASSERT_FALSE(f->call_host(Span<const Value>(&arg, 1), Span<Value>(&result, 1)).is_error());
    EXPECT_EQ(result.type, ValueType::I32);
    EXPECT_EQ(result.i32, u32(-5));
}

TEST(TypedHost, AnErrorGoesToTheCallersSlotOrTheBoxedResult)
{
    Store store;
    FunctionInstance* f = MUST(create_typed_host_function<&refuse_odd>(store, nullptr));
    Error error = Error::from_code(ErrorCode::Unknown);
    HostReturn r = f->host->typed(7, 0, 0, 0, 0, 0, HostCall { nullptr, &error });
    EXPECT_NE(r.failed, 0u);
    EXPECT_EQ(error.code(), ErrorCode::PermissionDenied);
    EXPECT_EQ(message(error), "odd 7");
    r = f->host->typed(8, 0, 0, 0, 0, 0, HostCall { nullptr, &error });
    EXPECT_EQ(r.failed, 0u);
    EXPECT_EQ(r.value, 4u);
    Value arg = Value::from_i32(9), result;
    auto boxed = f->call_host(Span<const Value>(&arg, 1), Span<Value>(&result, 1));
    ASSERT_TRUE(boxed.is_error());
    EXPECT_EQ(message(boxed.error()), "odd 9");
}

TEST(TypedHost, SignaturesTheTypedFormCannotTakeAreRefused)
{
    Store store;
    auto typed = [](u64, u64, u64, u64, u64, u64, const HostCall&) noexcept -> HostReturn { return { 0, 0 }; };
    auto boxed = [](void*, Span<const Value>, Span<Value>) -> Result<void> { return {}; };
    static constexpr ValueType f32s[] = { ValueType::F32 };
    static constexpr ValueType i32s[] = { ValueType::I32, ValueType::I32, ValueType::I32, ValueType::I32, ValueType::I32,
        ValueType::I32, ValueType::I32 };
    static constexpr ValueType two[] = { ValueType::I32, ValueType::I32 };
    EXPECT_TRUE(store.create_host_function({ f32s, {} }, boxed, typed, nullptr).is_error());
    EXPECT_TRUE(store.create_host_function({ {}, f32s }, boxed, typed, nullptr).is_error());
    EXPECT_TRUE(store.create_host_function({ i32s, {} }, boxed, typed, nullptr).is_error()); // seven parameters
    EXPECT_TRUE(store.create_host_function({ {}, two }, boxed, typed, nullptr).is_error());  // two results
    EXPECT_FALSE(store.create_host_function({ Span<const ValueType>(i32s, 6), Span<const ValueType>(two, 1) }, boxed, typed, nullptr)
                     .is_error());
    // Without a typed form any signature goes.
    EXPECT_FALSE(store.create_host_function({ i32s, two }, boxed, nullptr).is_error());
}
