#pragma once

// Growable array. Every growing operation has a try_ variant returning
// Result<void>: running out of memory is an error value, never a crash. The
// plain variants (append, resize, ...) MUST() the try_ variant.
//
// InlineCapacity > 0 keeps that many elements inside the object before the
// first heap allocation.

#include <base/Assertions.h>
#include <base/Error.h>
#include <base/Memory.h>
#include <base/Result.h>
#include <base/Span.h>
#include <base/StdLibExtras.h>
#include <base/Integers.h>

namespace k23 {

namespace Detail {

template<typename T, usize N>
struct VectorInlineStorage {
    T* data() noexcept { return reinterpret_cast<T*>(m_bytes); }
    alignas(T) u8 m_bytes[N * sizeof(T)];
};

template<typename T>
struct VectorInlineStorage<T, 0> {
    T* data() noexcept { return nullptr; }
};

} // namespace Detail

template<typename T, usize InlineCapacity = 0>
class Vector {
public:
    using ValueType = T;

    Vector() noexcept
        : m_capacity(InlineCapacity)
    {
        m_data = m_inline_data();
    }

    Vector(Vector&& other) noexcept
        : Vector()
    {
        take_from(k23::move(other));
    }

    Vector& operator=(Vector&& other) noexcept
    {
        if (this != &other) {
            clear_with_capacity();
            take_from(k23::move(other));
        }
        return *this;
    }

    // Copying can fail, so it is explicit: see try_clone().
    Vector(const Vector&) = delete;
    Vector& operator=(const Vector&) = delete;

    ~Vector() noexcept { clear_with_capacity(); }

    [[nodiscard]] Result<Vector> try_clone() const noexcept
        requires IsCopyConstructible<T>
    {
        Vector copy;
        TRY(copy.try_ensure_capacity(m_size));
        for (usize i = 0; i < m_size; ++i)
            construct_at(copy.m_data + i, m_data[i]);
        copy.m_size = m_size;
        return copy;
    }

    [[nodiscard]] usize size() const noexcept { return m_size; }
    [[nodiscard]] usize capacity() const noexcept { return m_capacity; }
    [[nodiscard]] bool is_empty() const noexcept { return m_size == 0; }
    [[nodiscard]] bool empty() const noexcept { return m_size == 0; }
    [[nodiscard]] bool is_inline() const noexcept { return m_data == m_inline_data(); }

    [[nodiscard]] T* data() noexcept { return m_data; }
    [[nodiscard]] const T* data() const noexcept { return m_data; }

    [[nodiscard]] T& operator[](usize index) noexcept
    {
        VERIFY(index < m_size);
        return m_data[index];
    }
    [[nodiscard]] const T& operator[](usize index) const noexcept
    {
        VERIFY(index < m_size);
        return m_data[index];
    }
    [[nodiscard]] T& at(usize index) noexcept { return (*this)[index]; }
    [[nodiscard]] const T& at(usize index) const noexcept { return (*this)[index]; }
    [[nodiscard]] T& first() noexcept { return (*this)[0]; }
    [[nodiscard]] const T& first() const noexcept { return (*this)[0]; }
    [[nodiscard]] T& last() noexcept
    {
        VERIFY(m_size > 0);
        return m_data[m_size - 1];
    }
    [[nodiscard]] const T& last() const noexcept
    {
        VERIFY(m_size > 0);
        return m_data[m_size - 1];
    }

    [[nodiscard]] T* begin() noexcept { return m_data; }
    [[nodiscard]] T* end() noexcept { return m_data + m_size; }
    [[nodiscard]] const T* begin() const noexcept { return m_data; }
    [[nodiscard]] const T* end() const noexcept { return m_data + m_size; }

    [[nodiscard]] Span<T> span() noexcept { return { m_data, m_size }; }
    [[nodiscard]] Span<const T> span() const noexcept { return { m_data, m_size }; }
    operator Span<T>() noexcept { return span(); }
    operator Span<const T>() const noexcept { return span(); }

    template<typename U>
    [[nodiscard]] bool contains(const U& value) const noexcept
    {
        for (usize i = 0; i < m_size; ++i) {
            if (m_data[i] == value)
                return true;
        }
        return false;
    }

    // Makes room for at least `count` elements in total.
    Result<void> try_ensure_capacity(usize count) noexcept
    {
        if (count <= m_capacity)
            return {};
        T* new_data = TRY(allocate_buffer(count));
        relocate_into(new_data);
        m_capacity = count;
        return {};
    }

    // The common case (room left) inlines into the caller, which then
    // folds the error check away; growing stays out of line.
    template<typename... Args>
    [[gnu::always_inline]] Result<void> try_emplace(Args&&... args) noexcept
    {
        if (m_size < m_capacity) [[likely]] {
            construct_at(m_data + m_size, k23::forward<Args>(args)...);
            ++m_size;
            return {};
        }
        return try_emplace_grow(k23::forward<Args>(args)...);
    }

    template<typename... Args>
    [[gnu::noinline]] Result<void> try_emplace_grow(Args&&... args) noexcept
    {
        // Build the new element in the new buffer before moving the old ones:
        // args may refer to an element of this vector.
        usize new_capacity = grown_capacity(m_size + 1);
        T* new_data = TRY(allocate_buffer(new_capacity));
        construct_at(new_data + m_size, k23::forward<Args>(args)...);
        relocate_into(new_data);
        m_capacity = new_capacity;
        ++m_size;
        return {};
    }

    [[gnu::always_inline]] Result<void> try_append(T&& value) noexcept { return try_emplace(k23::move(value)); }
    [[gnu::always_inline]] Result<void> try_append(const T& value) noexcept
        requires IsCopyConstructible<T>
    {
        return try_emplace(value);
    }

    Result<void> try_extend(Span<const T> values) noexcept
        requires IsCopyConstructible<T>
    {
        usize total = 0;
        if (add_overflow(m_size, values.size(), &total))
            return Error::from_code(ErrorCode::OutOfMemory, "vector size overflow");
        // values may point into our own storage, which growing moves.
        const T* source = values.data();
        bool aliases = source >= m_data && source < m_data + m_size;
        usize alias_offset = aliases ? usize(source - m_data) : 0;
        if (total > m_capacity)
            TRY(try_ensure_capacity(grown_capacity(total)));
        if (aliases)
            source = m_data + alias_offset;
        if constexpr (IsTriviallyCopyable<T>) {
            // Bytes of a module, code, ...: one copy, not an element loop.
            if (values.size() > 0)
                copy_bytes(m_data + m_size, source, values.size() * sizeof(T));
        } else {
            for (usize i = 0; i < values.size(); ++i)
                construct_at(m_data + m_size + i, source[i]);
        }
        m_size = total;
        return {};
    }

    Result<void> try_insert(usize index, T&& value) noexcept
    {
        VERIFY(index <= m_size);
        TRY(try_emplace(k23::move(value)));
        // Rotate the new last element down into place.
        for (usize i = m_size - 1; i > index; --i)
            k23::swap(m_data[i], m_data[i - 1]);
        return {};
    }

    // Grows with default-constructed elements or shrinks (destroying the tail).
    Result<void> try_resize(usize new_size) noexcept
    {
        if (new_size <= m_size) {
            shrink(new_size);
            return {};
        }
        // Geometric like append: resizing by a little at a time (the
        // decoder's local groups, one local each) must not copy every time.
        if (new_size > m_capacity)
            TRY(try_ensure_capacity(grown_capacity(new_size)));
        for (usize i = m_size; i < new_size; ++i)
            construct_at(m_data + i);
        m_size = new_size;
        return {};
    }

    Result<void> try_resize(usize new_size, const T& fill) noexcept
        requires IsCopyConstructible<T>
    {
        if (new_size <= m_size) {
            shrink(new_size);
            return {};
        }
        // Geometric like append: resizing by a little at a time (the
        // decoder's local groups, one local each) must not copy every time.
        if (new_size > m_capacity)
            TRY(try_ensure_capacity(grown_capacity(new_size)));
        for (usize i = m_size; i < new_size; ++i)
            construct_at(m_data + i, fill);
        m_size = new_size;
        return {};
    }

    void append(T&& value) noexcept { MUST(try_append(k23::move(value))); }
    void append(const T& value) noexcept
        requires IsCopyConstructible<T>
    {
        MUST(try_append(value));
    }
    template<typename... Args>
    void emplace(Args&&... args) noexcept { MUST(try_emplace(k23::forward<Args>(args)...)); }
    void ensure_capacity(usize count) noexcept { MUST(try_ensure_capacity(count)); }
    void resize(usize new_size) noexcept { MUST(try_resize(new_size)); }
    void insert(usize index, T&& value) noexcept { MUST(try_insert(index, k23::move(value))); }

    T take_last() noexcept
    {
        VERIFY(m_size > 0);
        T value = k23::move(m_data[m_size - 1]);
        shrink(m_size - 1);
        return value;
    }

    T take(usize index) noexcept
    {
        VERIFY(index < m_size);
        T value = k23::move(m_data[index]);
        remove(index);
        return value;
    }

    // Removes the element at `index`, keeping order.
    void remove(usize index) noexcept
    {
        VERIFY(index < m_size);
        for (usize i = index; i + 1 < m_size; ++i)
            m_data[i] = k23::move(m_data[i + 1]);
        shrink(m_size - 1);
    }

    // Destroys the elements, keeping the buffer.
    void clear() noexcept { shrink(0); }

    // Destroys the elements and frees the buffer.
    void clear_with_capacity() noexcept
    {
        shrink(0);
        if (!is_inline()) {
            platform_deallocate(m_data, m_capacity * sizeof(T), alignof(T));
            m_data = m_inline_data();
            m_capacity = InlineCapacity;
        }
    }

private:
    T* m_inline_data() noexcept { return m_inline.data(); }
    const T* m_inline_data() const noexcept { return const_cast<Vector*>(this)->m_inline.data(); }

    void shrink(usize new_size) noexcept
    {
        for (usize i = new_size; i < m_size; ++i)
            destroy_at(m_data + i);
        m_size = new_size;
    }

    usize grown_capacity(usize needed) const noexcept
    {
        // 1.5x growth plus a small constant so tiny vectors do not thrash.
        usize grown = m_capacity + m_capacity / 2 + 4;
        if (grown < m_capacity || grown < needed)
            grown = needed;
        usize bytes = 0;
        if (mul_overflow(grown, sizeof(T), &bytes))
            grown = needed;
        return grown;
    }

    static Result<T*> allocate_buffer(usize count) noexcept
    {
        usize bytes = 0;
        if (mul_overflow(count, sizeof(T), &bytes))
            return Error::formatted(ErrorCode::OutOfMemory, "vector of {} elements overflows", count);
        void* memory = platform_allocate(bytes, alignof(T));
        if (!memory)
            return Error::formatted(ErrorCode::OutOfMemory, "cannot allocate {} bytes for a vector", bytes);
        return static_cast<T*>(memory);
    }

    // Moves the elements into new_data and frees the old buffer;
    // m_capacity still describes the old buffer on entry.
    void relocate_into(T* new_data) noexcept
    {
        if constexpr (IsTriviallyCopyable<T>) {
            // Bytes of a module, code, ...: one copy, not an element loop
            // (a 1 MiB module read in chunks moved ~20 instructions a byte).
            copy_bytes(new_data, m_data, m_size * sizeof(T));
        } else {
            for (usize i = 0; i < m_size; ++i) {
                construct_at(new_data + i, k23::move(m_data[i]));
                destroy_at(m_data + i);
            }
        }
        if (!is_inline())
            platform_deallocate(m_data, m_capacity * sizeof(T), alignof(T));
        m_data = new_data;
    }

    void take_from(Vector&& other) noexcept
    {
        if (other.is_inline()) {
            // Inline elements cannot be stolen; move them one by one.
            for (usize i = 0; i < other.m_size; ++i) {
                construct_at(m_data + i, k23::move(other.m_data[i]));
                destroy_at(other.m_data + i);
            }
            m_size = other.m_size;
            other.m_size = 0;
            return;
        }
        m_data = other.m_data;
        m_size = other.m_size;
        m_capacity = other.m_capacity;
        other.m_data = other.m_inline_data();
        other.m_size = 0;
        other.m_capacity = InlineCapacity;
    }

    T* m_data { nullptr };
    usize m_size { 0 };
    usize m_capacity { 0 };
    [[no_unique_address]] Detail::VectorInlineStorage<T, InlineCapacity> m_inline;
};

} // namespace k23
