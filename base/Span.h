#pragma once

// Non-owning view of a contiguous array. Indexing is bounds-checked with
// VERIFY: an out-of-range index is a bug, not an input error.

#include <base/Assertions.h>
#include <base/StdLibExtras.h>
#include <base/Integers.h>

namespace k23 {

template<typename T>
class Span {
public:
    using ValueType = T;

    constexpr Span() noexcept = default;
    constexpr Span(T* data, usize size) noexcept
        : m_data(data)
        , m_size(size)
    {
    }
    template<usize N>
    constexpr Span(T (&array)[N]) noexcept
        : m_data(array)
        , m_size(N)
    {
    }
    // Span<T> -> Span<const T>
    template<typename U>
        requires(IsSame<const U, T> && !IsSame<U, T>)
    constexpr Span(const Span<U>& other) noexcept
        : m_data(other.data())
        , m_size(other.size())
    {
    }

    [[nodiscard]] constexpr T* data() const noexcept { return m_data; }
    [[nodiscard]] constexpr usize size() const noexcept { return m_size; }
    [[nodiscard]] constexpr usize size_in_bytes() const noexcept { return m_size * sizeof(T); }
    [[nodiscard]] constexpr bool is_empty() const noexcept { return m_size == 0; }
    [[nodiscard]] constexpr bool empty() const noexcept { return m_size == 0; }

    [[nodiscard]] constexpr T& operator[](usize index) const noexcept
    {
        VERIFY(index < m_size);
        return m_data[index];
    }
    [[nodiscard]] constexpr T& at(usize index) const noexcept { return (*this)[index]; }
    [[nodiscard]] constexpr T& first() const noexcept { return (*this)[0]; }
    [[nodiscard]] constexpr T& last() const noexcept
    {
        VERIFY(m_size > 0);
        return m_data[m_size - 1];
    }

    // [start, start + length); VERIFYs that it lies inside the span.
    [[nodiscard]] constexpr Span slice(usize start, usize length) const noexcept
    {
        VERIFY(start <= m_size && length <= m_size - start);
        return { m_data + start, length };
    }
    [[nodiscard]] constexpr Span slice(usize start) const noexcept
    {
        VERIFY(start <= m_size);
        return { m_data + start, m_size - start };
    }
    [[nodiscard]] constexpr Span first(usize count) const noexcept { return slice(0, count); }
    [[nodiscard]] constexpr Span last(usize count) const noexcept
    {
        VERIFY(count <= m_size);
        return slice(m_size - count, count);
    }

    [[nodiscard]] constexpr T* begin() const noexcept { return m_data; }
    [[nodiscard]] constexpr T* end() const noexcept { return m_data + m_size; }

    [[nodiscard]] constexpr Span<const u8> bytes() const noexcept
    {
        return { reinterpret_cast<const u8*>(m_data), size_in_bytes() };
    }

    // Element-wise equality (for trivially comparable element types).
    [[nodiscard]] constexpr bool equals(Span<const RemoveCV<T>> other) const noexcept
    {
        if (other.size() != m_size)
            return false;
        for (usize i = 0; i < m_size; ++i) {
            if (!(m_data[i] == other.data()[i]))
                return false;
        }
        return true;
    }

private:
    T* m_data { nullptr };
    usize m_size { 0 };
};

using ReadonlyBytes = Span<const u8>;
using Bytes = Span<u8>;

} // namespace k23
