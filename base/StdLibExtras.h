#pragma once

// The handful of <utility>/<type_traits> pieces base/ needs, written against
// compiler builtins so they work without any standard library headers.
// Always call these qualified (k23::move) so ADL never pulls in std::move.

#include <base/Integers.h>

namespace k23 {

template<typename T, T v>
struct IntegralConstant {
    static constexpr T value = v;
};
using TrueType = IntegralConstant<bool, true>;
using FalseType = IntegralConstant<bool, false>;

template<typename T> struct RemoveReferenceImpl { using Type = T; };
template<typename T> struct RemoveReferenceImpl<T&> { using Type = T; };
template<typename T> struct RemoveReferenceImpl<T&&> { using Type = T; };
template<typename T> using RemoveReference = typename RemoveReferenceImpl<T>::Type;

template<typename T> struct RemoveConstImpl { using Type = T; };
template<typename T> struct RemoveConstImpl<const T> { using Type = T; };
template<typename T> struct RemoveVolatileImpl { using Type = T; };
template<typename T> struct RemoveVolatileImpl<volatile T> { using Type = T; };
template<typename T> using RemoveCV = typename RemoveVolatileImpl<typename RemoveConstImpl<T>::Type>::Type;
template<typename T> using RemoveCVReference = RemoveCV<RemoveReference<T>>;

template<typename T, typename U> inline constexpr bool IsSame = false;
template<typename T> inline constexpr bool IsSame<T, T> = true;

template<typename T> inline constexpr bool IsLvalueReference = false;
template<typename T> inline constexpr bool IsLvalueReference<T&> = true;
template<typename T> inline constexpr bool IsReference = false;
template<typename T> inline constexpr bool IsReference<T&> = true;
template<typename T> inline constexpr bool IsReference<T&&> = true;

template<typename T> inline constexpr bool IsConst = false;
template<typename T> inline constexpr bool IsConst<const T> = true;

template<typename T> inline constexpr bool IsPointer = false;
template<typename T> inline constexpr bool IsPointer<T*> = true;
template<typename T> inline constexpr bool IsPointer<T* const> = true;

template<typename T> struct IsIntegralImpl : FalseType { };
template<> struct IsIntegralImpl<bool> : TrueType { };
template<> struct IsIntegralImpl<char> : TrueType { };
template<> struct IsIntegralImpl<signed char> : TrueType { };
template<> struct IsIntegralImpl<unsigned char> : TrueType { };
template<> struct IsIntegralImpl<char8_t> : TrueType { };
template<> struct IsIntegralImpl<char16_t> : TrueType { };
template<> struct IsIntegralImpl<char32_t> : TrueType { };
template<> struct IsIntegralImpl<wchar_t> : TrueType { };
template<> struct IsIntegralImpl<short> : TrueType { };
template<> struct IsIntegralImpl<unsigned short> : TrueType { };
template<> struct IsIntegralImpl<int> : TrueType { };
template<> struct IsIntegralImpl<unsigned int> : TrueType { };
template<> struct IsIntegralImpl<long> : TrueType { };
template<> struct IsIntegralImpl<unsigned long> : TrueType { };
template<> struct IsIntegralImpl<long long> : TrueType { };
template<> struct IsIntegralImpl<unsigned long long> : TrueType { };
template<typename T> inline constexpr bool IsIntegral = IsIntegralImpl<RemoveCV<T>>::value;

template<typename T> inline constexpr bool IsFloatingPoint = IsSame<RemoveCV<T>, float> || IsSame<RemoveCV<T>, double> || IsSame<RemoveCV<T>, long double>;
template<typename T, bool = IsIntegral<T>> struct IsSignedImpl : FalseType { };
template<typename T> struct IsSignedImpl<T, true> : IntegralConstant<bool, (RemoveCV<T>(-1) < RemoveCV<T>(0))> { };
template<typename T> inline constexpr bool IsSigned = IsSignedImpl<T>::value;
template<typename T> inline constexpr bool IsUnsigned = IsIntegral<T> && !IsSigned<T>;
template<typename T> inline constexpr bool IsEnum = __is_enum(T);
template<typename T> using UnderlyingType = __underlying_type(T);

template<typename T> inline constexpr bool IsTriviallyCopyable = __is_trivially_copyable(T);
#if defined(__clang__)
template<typename T> inline constexpr bool IsTriviallyDestructible = __is_trivially_destructible(T);
#else
template<typename T> inline constexpr bool IsTriviallyDestructible = __has_trivial_destructor(T);
#endif
template<typename T, typename... Args> inline constexpr bool IsConstructible = __is_constructible(T, Args...);
template<typename T> inline constexpr bool IsCopyConstructible = __is_constructible(T, const T&);
template<typename T> inline constexpr bool IsMoveConstructible = __is_constructible(T, T&&);
template<typename T> T&& declval() noexcept;
namespace Detail {
template<typename To> void implicit_conversion_probe(To) noexcept;
}
// Implicit convertibility, via overload resolution (gcc 12 lacks a builtin).
template<typename From, typename To> inline constexpr bool IsConvertible = requires { Detail::implicit_conversion_probe<To>(declval<From>()); };

template<typename T> concept Integral = IsIntegral<T>;
template<typename T> concept UnsignedIntegral = IsUnsigned<T>;
template<typename T> concept SignedIntegral = IsSigned<T>;

template<bool B, typename T, typename F> struct ConditionalImpl { using Type = T; };
template<typename T, typename F> struct ConditionalImpl<false, T, F> { using Type = F; };
template<bool B, typename T, typename F> using Conditional = typename ConditionalImpl<B, T, F>::Type;

template<typename T> struct MakeUnsignedImpl;
template<> struct MakeUnsignedImpl<char> { using Type = unsigned char; };
template<> struct MakeUnsignedImpl<signed char> { using Type = unsigned char; };
template<> struct MakeUnsignedImpl<unsigned char> { using Type = unsigned char; };
template<> struct MakeUnsignedImpl<short> { using Type = unsigned short; };
template<> struct MakeUnsignedImpl<unsigned short> { using Type = unsigned short; };
template<> struct MakeUnsignedImpl<int> { using Type = unsigned int; };
template<> struct MakeUnsignedImpl<unsigned int> { using Type = unsigned int; };
template<> struct MakeUnsignedImpl<long> { using Type = unsigned long; };
template<> struct MakeUnsignedImpl<unsigned long> { using Type = unsigned long; };
template<> struct MakeUnsignedImpl<long long> { using Type = unsigned long long; };
template<> struct MakeUnsignedImpl<unsigned long long> { using Type = unsigned long long; };
template<typename T> using MakeUnsigned = typename MakeUnsignedImpl<RemoveCV<T>>::Type;

template<typename T>
constexpr RemoveReference<T>&& move(T&& value) noexcept
{
    return static_cast<RemoveReference<T>&&>(value);
}

template<typename T>
constexpr T&& forward(RemoveReference<T>& value) noexcept
{
    return static_cast<T&&>(value);
}

template<typename T>
constexpr T&& forward(RemoveReference<T>&& value) noexcept
{
    static_assert(!IsLvalueReference<T>, "cannot forward an rvalue as an lvalue");
    return static_cast<T&&>(value);
}

template<typename T>
constexpr void swap(T& a, T& b) noexcept
{
    T tmp = k23::move(a);
    a = k23::move(b);
    b = k23::move(tmp);
}

template<typename T, typename U = T>
constexpr T exchange(T& slot, U&& new_value) noexcept
{
    T old = k23::move(slot);
    slot = k23::forward<U>(new_value);
    return old;
}

template<typename T>
[[nodiscard]] constexpr const T& min(const T& a, const T& b) noexcept
{
    return b < a ? b : a;
}

template<typename T>
[[nodiscard]] constexpr const T& max(const T& a, const T& b) noexcept
{
    return a < b ? b : a;
}

template<typename T>
[[nodiscard]] constexpr const T& clamp(const T& value, const T& low, const T& high) noexcept
{
    return value < low ? low : (high < value ? high : value);
}

template<typename T>
[[nodiscard]] constexpr T* addressof(T& value) noexcept
{
    return __builtin_addressof(value);
}

template<typename T>
[[nodiscard]] constexpr bool is_constant_evaluated() noexcept
{
    return __builtin_is_constant_evaluated();
}

template<typename T, usize N>
[[nodiscard]] constexpr usize array_size(T (&)[N]) noexcept
{
    return N;
}

// Numeric limits for the integer types base/ cares about.
template<typename T>
struct NumericLimits {
    static_assert(IsIntegral<T>);
    static constexpr bool is_signed = IsSigned<T>;
    static constexpr T max() noexcept
    {
        if constexpr (is_signed)
            return T(MakeUnsigned<T>(~MakeUnsigned<T>(0)) >> 1);
        else
            return T(~T(0));
    }
    static constexpr T min() noexcept
    {
        if constexpr (is_signed)
            return T(-max() - 1);
        else
            return T(0);
    }
    static constexpr unsigned digits = sizeof(T) * 8 - (is_signed ? 1 : 0);
};

// Checked arithmetic: returns true on overflow (result is then unspecified).
template<typename T>
[[nodiscard]] constexpr bool add_overflow(T a, T b, T* result) noexcept
{
    return __builtin_add_overflow(a, b, result);
}

template<typename T>
[[nodiscard]] constexpr bool mul_overflow(T a, T b, T* result) noexcept
{
    return __builtin_mul_overflow(a, b, result);
}

} // namespace k23
