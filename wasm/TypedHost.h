#pragma once

// Host functions from C++ signatures. For
//
//     Result<u32> add(const HostCall&, u32 a, u32 b) noexcept;
//
// create_typed_host_function<&add>(store, data) makes a host function of
// wasm type [i32 i32] -> [i32] with both forms (wasm/Runtime.h): the typed
// one, which generated code calls with the arguments in registers (no
// boxing, no allocation), and the boxed one for every other caller.
//
// Parameters: i32, u32 (wasm i32), i64, u64 (wasm i64), at most
// typed_host_max_params of them. Result: void, one of those four, or a
// Result<> of either; an error ends the guest's invocation with that error
// (as an error from a boxed host function does).

#include <base/Result.h>
#include <base/StdLibExtras.h>
#include <wasm/Runtime.h>

namespace k23::wasm {

namespace typed_host {

template<usize... I> struct Indices { };
template<usize N, usize... I> struct MakeIndices : MakeIndices<N - 1, N - 1, I...> { };
template<usize... I> struct MakeIndices<0, I...> { using Type = Indices<I...>; };

// A C++ integer as a wasm value type; from a register (jit/Abi.h: an i32
// is sign-extended, only its low half counts) and to one.
template<typename T> struct Integer;
template<> struct Integer<i32> {
    static constexpr ValueType type = ValueType::I32;
    static i32 from(u64 raw) noexcept { return i32(raw); }
    static u64 to(i32 v) noexcept { return u64(i64(v)); }
};
template<> struct Integer<u32> {
    static constexpr ValueType type = ValueType::I32;
    static u32 from(u64 raw) noexcept { return u32(raw); }
    static u64 to(u32 v) noexcept { return u64(i64(i32(v))); }
};
template<> struct Integer<i64> {
    static constexpr ValueType type = ValueType::I64;
    static i64 from(u64 raw) noexcept { return i64(raw); }
    static u64 to(i64 v) noexcept { return u64(v); }
};
template<> struct Integer<u64> {
    static constexpr ValueType type = ValueType::I64;
    static u64 from(u64 raw) noexcept { return raw; }
    static u64 to(u64 v) noexcept { return v; }
};

// The result: how many wasm results, their type, and the HostReturn.
template<typename R> struct Return {
    static constexpr usize count = 1;
    static constexpr ValueType type = Integer<R>::type;
    static HostReturn make(const HostCall&, R v) noexcept { return { Integer<R>::to(v), 0 }; }
};
template<typename R> struct Return<Result<R>> {
    static constexpr usize count = 1;
    static constexpr ValueType type = Integer<R>::type;
    static HostReturn make(const HostCall& call, Result<R>&& r) noexcept
    {
        if (r.is_error())
            return call.fail(r.release_error());
        return { Integer<R>::to(r.value()), 0 };
    }
};
template<> struct Return<void> {
    static constexpr usize count = 0;
    static constexpr ValueType type = ValueType::I32; // unused
};
template<> struct Return<Result<void>> {
    static constexpr usize count = 0;
    static constexpr ValueType type = ValueType::I32; // unused
    static HostReturn make(const HostCall& call, Result<void>&& r) noexcept
    {
        if (r.is_error())
            return call.fail(r.release_error());
        return { 0, 0 };
    }
};

template<typename Fn> struct Signature;
template<typename R, typename... A> struct Signature<R (*)(const HostCall&, A...)> {
    using ReturnType = R;
    static constexpr usize param_count = sizeof...(A);
    static constexpr ValueType params[sizeof...(A) ? sizeof...(A) : 1] = { Integer<A>::type... };
    static constexpr ValueType results[1] = { Return<R>::type };
    template<auto F, usize... I>
    static R invoke(const HostCall& call, const u64* raw, Indices<I...>) noexcept
    {
        return F(call, Integer<A>::from(raw[I])...);
    }
};
template<typename R, typename... A> struct Signature<R (*)(const HostCall&, A...) noexcept> : Signature<R (*)(const HostCall&, A...)> { };

template<auto F>
struct Adapter {
    using S = Signature<decltype(F)>;
    using R = typename S::ReturnType;
    using Seq = typename MakeIndices<S::param_count>::Type;
    static_assert(S::param_count <= typed_host_max_params, "a typed host function takes at most six integers");

    static HostReturn call(const HostCall& call, const u64* raw) noexcept
    {
        if constexpr (IsSame<R, void>) {
            S::template invoke<F>(call, raw, Seq {});
            return { 0, 0 };
        } else {
            return Return<R>::make(call, S::template invoke<F>(call, raw, Seq {}));
        }
    }
    static HostReturn typed(u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, const HostCall& host) noexcept
    {
        const u64 raw[6] = { a0, a1, a2, a3, a4, a5 };
        return call(host, raw);
    }
    static Result<void> boxed(void* data, Span<const Value> args, Span<Value> results) noexcept
    {
        Error error = Error::from_code(ErrorCode::Unknown);
        HostCall host { data, &error };
        u64 raw[6] = {};
        for (usize i = 0; i < S::param_count; ++i)
            raw[i] = S::params[i] == ValueType::I32 ? u64(i64(i32(args[i].i32))) : args[i].i64;
        HostReturn r = call(host, raw);
        if (r.failed)
            return error;
        if constexpr (Return<R>::count == 1)
            results[0] = Return<R>::type == ValueType::I32 ? Value::from_i32(u32(r.value)) : Value::from_i64(r.value);
        return {};
    }
    static FunctionType type() noexcept
    {
        return { Span<const ValueType>(S::params, S::param_count), Span<const ValueType>(S::results, Return<R>::count) };
    }
};

} // namespace typed_host

// A host function of F's signature (above), with `data` as HostCall::data.
template<auto F>
Result<FunctionInstance*> create_typed_host_function(Store& store, void* data) noexcept
{
    using A = typed_host::Adapter<F>;
    return store.create_host_function(A::type(), &A::boxed, &A::typed, data);
}

} // namespace k23::wasm
