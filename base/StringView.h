#pragma once

// Non-owning, not necessarily NUL-terminated view of characters.

#include <base/Assertions.h>
#include <base/Span.h>
#include <base/Integers.h>

namespace k23 {

class StringView {
public:
    static constexpr usize not_found = ~usize(0);

    constexpr StringView() noexcept = default;
    constexpr StringView(const char* characters, usize length) noexcept
        : m_characters(characters)
        , m_length(length)
    {
    }
    // From a NUL-terminated C string (nullptr gives the empty view).
    constexpr StringView(const char* c_string) noexcept
        : m_characters(c_string)
        , m_length(c_string ? __builtin_strlen(c_string) : 0)
    {
    }
    constexpr StringView(Span<const char> span) noexcept
        : m_characters(span.data())
        , m_length(span.size())
    {
    }

    [[nodiscard]] constexpr const char* characters_without_null_termination() const noexcept { return m_characters; }
    [[nodiscard]] constexpr const char* data() const noexcept { return m_characters; }
    [[nodiscard]] constexpr usize length() const noexcept { return m_length; }
    [[nodiscard]] constexpr usize size() const noexcept { return m_length; }
    [[nodiscard]] constexpr bool is_empty() const noexcept { return m_length == 0; }
    [[nodiscard]] constexpr bool empty() const noexcept { return m_length == 0; }
    [[nodiscard]] ReadonlyBytes bytes() const noexcept { return { reinterpret_cast<const u8*>(m_characters), m_length }; }

    [[nodiscard]] constexpr char operator[](usize index) const noexcept
    {
        VERIFY(index < m_length);
        return m_characters[index];
    }

    [[nodiscard]] constexpr const char* begin() const noexcept { return m_characters; }
    [[nodiscard]] constexpr const char* end() const noexcept { return m_characters + m_length; }

    [[nodiscard]] constexpr bool operator==(StringView other) const noexcept
    {
        if (m_length != other.m_length)
            return false;
        for (usize i = 0; i < m_length; ++i) {
            if (m_characters[i] != other.m_characters[i])
                return false;
        }
        return true;
    }
    [[nodiscard]] constexpr bool operator==(const char* other) const noexcept { return *this == StringView(other); }

    [[nodiscard]] constexpr bool starts_with(StringView prefix) const noexcept
    {
        return prefix.m_length <= m_length && substring(0, prefix.m_length) == prefix;
    }
    [[nodiscard]] constexpr bool starts_with(char c) const noexcept { return m_length > 0 && m_characters[0] == c; }
    [[nodiscard]] constexpr bool ends_with(StringView suffix) const noexcept
    {
        return suffix.m_length <= m_length && substring(m_length - suffix.m_length) == suffix;
    }
    [[nodiscard]] constexpr bool ends_with(char c) const noexcept { return m_length > 0 && m_characters[m_length - 1] == c; }

    // Index of the first occurrence at or after `start`, or not_found.
    [[nodiscard]] constexpr usize find(char c, usize start = 0) const noexcept
    {
        for (usize i = start; i < m_length; ++i) {
            if (m_characters[i] == c)
                return i;
        }
        return not_found;
    }
    [[nodiscard]] constexpr usize find(StringView needle, usize start = 0) const noexcept
    {
        if (needle.m_length > m_length)
            return not_found;
        for (usize i = start; i + needle.m_length <= m_length; ++i) {
            if (substring(i, needle.m_length) == needle)
                return i;
        }
        return not_found;
    }
    [[nodiscard]] constexpr usize find_last(char c) const noexcept
    {
        for (usize i = m_length; i > 0; --i) {
            if (m_characters[i - 1] == c)
                return i - 1;
        }
        return not_found;
    }
    [[nodiscard]] constexpr bool contains(char c) const noexcept { return find(c) != not_found; }
    [[nodiscard]] constexpr bool contains(StringView needle) const noexcept { return find(needle) != not_found; }

    // [start, start + length); VERIFYs that it lies inside the view.
    [[nodiscard]] constexpr StringView substring(usize start, usize length) const noexcept
    {
        VERIFY(start <= m_length && length <= m_length - start);
        return { m_characters + start, length };
    }
    [[nodiscard]] constexpr StringView substring(usize start) const noexcept
    {
        VERIFY(start <= m_length);
        return { m_characters + start, m_length - start };
    }

    // FNV-1a: simple, decent distribution for identifiers and names.
    [[nodiscard]] constexpr u32 hash() const noexcept
    {
        u32 h = 2166136261u;
        for (usize i = 0; i < m_length; ++i) {
            h ^= static_cast<u8>(m_characters[i]);
            h *= 16777619u;
        }
        return h;
    }

private:
    const char* m_characters { nullptr };
    usize m_length { 0 };
};

namespace literals {
[[nodiscard]] constexpr StringView operator""_sv(const char* characters, usize length) noexcept
{
    return { characters, length };
}
} // namespace literals

using namespace literals;

} // namespace k23
