#pragma once

// Formatting into caller-provided buffers, never allocating.
//
//   char buf[64];
//   format_to(buf, "x={} y={:#x} z={:08x} s={}", 1, 255u, 0xbeef, "hi"_sv);
//
// Placeholders: {} or {:[align][+][#][0][width][.precision][type]}
//   align     '<' left, '>' right, '^' center (numbers default right, text left)
//   '#'       0x / 0b / 0o prefix for x, X, b, o
//   '0'       pad numbers with zeros after the sign/prefix
//   precision digits after the point for floats, max characters for strings
//   type      d x X b o c s p (e is accepted for floats; scientific form)
// "{{" and "}}" are literal braces. A placeholder without a matching argument
// is printed as "{?}", so a bad log call never faults.
//
// Supported arguments: all integer types, bool, char, const char*, char
// arrays, StringView, pointers, nullptr, enums (as their integer), f32/f64,
// and any type with a member `void format(FormatBuilder&) const`.

#include <base/Span.h>
#include <base/StdLibExtras.h>
#include <base/StringView.h>
#include <base/Integers.h>

namespace k23 {

class FormatBuilder;

struct FormatArg {
    enum class Kind : u8 {
        Signed,
        Unsigned,
        Bool,
        Char,
        String,
        Pointer,
        Float,
        Custom,
    };
    struct StringData {
        const char* characters;
        usize length;
    };
    struct CustomData {
        const void* object;
        void (*format)(FormatBuilder&, const void*);
    };

    Kind kind { Kind::Unsigned };
    union {
        i64 as_signed;
        u64 as_unsigned;
        bool as_bool;
        char as_char;
        StringData as_string;
        const void* as_pointer;
        f64 as_float;
        CustomData as_custom;
    };

    constexpr FormatArg() noexcept
        : as_unsigned(0)
    {
    }
};

namespace Detail {

template<typename T> inline constexpr bool IsCharArray = false;
template<usize N> inline constexpr bool IsCharArray<char[N]> = true;
template<usize N> inline constexpr bool IsCharArray<const char[N]> = true;

template<typename T>
concept HasFormatMember = requires(const T& value, FormatBuilder& builder) { value.format(builder); };

template<typename T>
void format_custom_thunk(FormatBuilder& builder, const void* object)
{
    static_cast<const T*>(object)->format(builder);
}

} // namespace Detail

template<typename T>
[[nodiscard]] FormatArg make_format_arg(const T& value) noexcept
{
    FormatArg arg;
    using U = RemoveCV<T>;
    if constexpr (IsSame<U, bool>) {
        arg.kind = FormatArg::Kind::Bool;
        arg.as_bool = value;
    } else if constexpr (IsSame<U, char>) {
        arg.kind = FormatArg::Kind::Char;
        arg.as_char = value;
    } else if constexpr (IsIntegral<U> && IsSigned<U>) {
        arg.kind = FormatArg::Kind::Signed;
        arg.as_signed = static_cast<i64>(value);
    } else if constexpr (IsIntegral<U>) {
        arg.kind = FormatArg::Kind::Unsigned;
        arg.as_unsigned = static_cast<u64>(value);
    } else if constexpr (IsEnum<U>) {
        return make_format_arg(static_cast<UnderlyingType<U>>(value));
    } else if constexpr (IsFloatingPoint<U>) {
        arg.kind = FormatArg::Kind::Float;
        arg.as_float = static_cast<f64>(value);
    } else if constexpr (Detail::IsCharArray<T>) {
        // A char array is usually a literal; stop at the first NUL if any.
        usize length = 0;
        while (length < sizeof(T) && value[length] != '\0')
            ++length;
        arg.kind = FormatArg::Kind::String;
        arg.as_string = { value, length };
    } else if constexpr (IsSame<U, const char*> || IsSame<U, char*>) {
        arg.kind = FormatArg::Kind::String;
        if (value)
            arg.as_string = { value, __builtin_strlen(value) };
        else
            arg.as_string = { "(null)", 6 };
    } else if constexpr (IsSame<U, StringView>) {
        arg.kind = FormatArg::Kind::String;
        arg.as_string = { value.characters_without_null_termination(), value.length() };
    } else if constexpr (IsPointer<U>) {
        arg.kind = FormatArg::Kind::Pointer;
        arg.as_pointer = reinterpret_cast<const void*>(value);
    } else if constexpr (IsSame<U, nullptr_t>) {
        arg.kind = FormatArg::Kind::Pointer;
        arg.as_pointer = nullptr;
    } else if constexpr (Detail::HasFormatMember<U>) {
        arg.kind = FormatArg::Kind::Custom;
        arg.as_custom = { __builtin_addressof(value), &Detail::format_custom_thunk<U> };
    } else {
        static_assert(IsSame<U, void>, "k23::format: unsupported argument type");
    }
    return arg;
}

// Appends into a fixed buffer, always keeping it NUL-terminated. Output that
// does not fit is dropped and remembered in is_truncated().
class FormatBuilder {
public:
    // buffer.size() includes the byte reserved for the terminating NUL.
    explicit FormatBuilder(Span<char> buffer, usize initial_length = 0) noexcept;

    void append(char c) noexcept;
    void append(StringView text) noexcept;
    void append_repeated(char c, usize count) noexcept;
    void vappendf(StringView fmt, Span<const FormatArg> args) noexcept;

    template<typename... Args>
    void appendf(StringView fmt, const Args&... args) noexcept
    {
        FormatArg list[sizeof...(Args) + 1] = { make_format_arg(args)..., FormatArg {} };
        vappendf(fmt, Span<const FormatArg>(list, sizeof...(Args)));
    }

    [[nodiscard]] usize length() const noexcept { return m_length; }
    [[nodiscard]] bool is_truncated() const noexcept { return m_truncated; }
    [[nodiscard]] StringView view() const noexcept { return { m_data, m_length }; }

private:
    char* m_data { nullptr };
    usize m_capacity { 0 }; // usable characters, excluding the NUL
    usize m_length { 0 };
    bool m_truncated { false };
};

// Formats into `buffer`; returns the number of characters written (without
// the NUL). Output is truncated to buffer.size() - 1 characters and always
// NUL-terminated when buffer is non-empty.
usize vformat_to(Span<char> buffer, StringView fmt, Span<const FormatArg> args) noexcept;

template<typename... Args>
usize format_to(Span<char> buffer, StringView fmt, const Args&... args) noexcept
{
    FormatArg list[sizeof...(Args) + 1] = { make_format_arg(args)..., FormatArg {} };
    return vformat_to(buffer, fmt, Span<const FormatArg>(list, sizeof...(Args)));
}

// Fixed-capacity string builder; holds up to N - 1 characters plus a NUL.
template<usize N>
class FormatBuffer {
    static_assert(N > 0);

public:
    FormatBuffer() noexcept { m_storage[0] = '\0'; }

    template<typename... Args>
    explicit FormatBuffer(StringView fmt, const Args&... args) noexcept
    {
        m_storage[0] = '\0';
        appendf(fmt, args...);
    }

    FormatBuffer(const FormatBuffer& other) noexcept { *this = other; }
    FormatBuffer& operator=(const FormatBuffer& other) noexcept
    {
        if (this != &other) {
            __builtin_memcpy(m_storage, other.m_storage, other.m_length + 1);
            m_length = other.m_length;
            m_truncated = other.m_truncated;
        }
        return *this;
    }

    void append(char c) noexcept { edit([&](FormatBuilder& b) { b.append(c); }); }
    void append(StringView text) noexcept { edit([&](FormatBuilder& b) { b.append(text); }); }

    template<typename... Args>
    void appendf(StringView fmt, const Args&... args) noexcept
    {
        edit([&](FormatBuilder& b) { b.appendf(fmt, args...); });
    }

    void clear() noexcept
    {
        m_length = 0;
        m_truncated = false;
        m_storage[0] = '\0';
    }

    [[nodiscard]] static constexpr usize capacity() noexcept { return N - 1; }
    [[nodiscard]] usize length() const noexcept { return m_length; }
    [[nodiscard]] bool is_empty() const noexcept { return m_length == 0; }
    [[nodiscard]] bool is_truncated() const noexcept { return m_truncated; }
    [[nodiscard]] StringView view() const noexcept { return { m_storage, m_length }; }
    [[nodiscard]] const char* c_str() const noexcept { return m_storage; }

private:
    template<typename F>
    void edit(F&& f) noexcept
    {
        FormatBuilder builder(Span<char>(m_storage, N), m_length);
        f(builder);
        m_length = builder.length();
        m_truncated = m_truncated || builder.is_truncated();
    }

    char m_storage[N];
    usize m_length { 0 };
    bool m_truncated { false };
};

} // namespace k23
