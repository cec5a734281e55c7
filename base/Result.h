#pragma once

// Result<T>: either a T or an Error. Fallible functions return one and
// callers propagate with TRY:
//
//   Result<u32> read_u32();
//   Result<void> parse() { u32 n = TRY(read_u32()); ... return {}; }
//
// T may be move-only and need not be default-constructible.

#include <base/Assertions.h>
#include <base/Error.h>
#include <base/Memory.h>
#include <base/StdLibExtras.h>

namespace k23 {

template<typename T>
class [[nodiscard]] Result {
    static_assert(!IsReference<T>, "Result<T&> is not supported; use a pointer");
    static_assert(!IsSame<RemoveCV<T>, Error>, "Result<Error> is ambiguous");

public:
    using ValueType = T;

    Result(const T& value) noexcept
        requires IsCopyConstructible<T>
        : m_is_error(false)
    {
        construct_at(&m_value, value);
    }
    Result(T&& value) noexcept
        : m_is_error(false)
    {
        construct_at(&m_value, k23::move(value));
    }
    // Anything T can be built from implicitly, e.g. `return 0;` in a
    // Result<u64> function or Derived* -> Base*.
    template<typename U>
        requires(!IsSame<RemoveCVReference<U>, T> && !IsSame<RemoveCVReference<U>, Result>
            && !IsSame<RemoveCVReference<U>, Error> && IsConvertible<U&&, T>)
    Result(U&& value) noexcept
        : m_is_error(false)
    {
        construct_at(&m_value, k23::forward<U>(value));
    }
    Result(const Error& error) noexcept
        : m_is_error(true)
    {
        construct_at(&m_error, error);
    }

    Result(const Result& other) noexcept
        requires IsCopyConstructible<T>
        : m_is_error(other.m_is_error)
    {
        if (m_is_error)
            construct_at(&m_error, other.m_error);
        else
            construct_at(&m_value, other.m_value);
    }
    Result(Result&& other) noexcept
        : m_is_error(other.m_is_error)
    {
        if (m_is_error)
            construct_at(&m_error, other.m_error);
        else
            construct_at(&m_value, k23::move(other.m_value));
    }

    Result& operator=(const Result& other) noexcept
        requires IsCopyConstructible<T>
    {
        if (this != &other) {
            destroy();
            m_is_error = other.m_is_error;
            if (m_is_error)
                construct_at(&m_error, other.m_error);
            else
                construct_at(&m_value, other.m_value);
        }
        return *this;
    }
    Result& operator=(Result&& other) noexcept
    {
        if (this != &other) {
            destroy();
            m_is_error = other.m_is_error;
            if (m_is_error)
                construct_at(&m_error, other.m_error);
            else
                construct_at(&m_value, k23::move(other.m_value));
        }
        return *this;
    }

    ~Result() noexcept { destroy(); }

    [[nodiscard]] bool is_error() const noexcept { return m_is_error; }
    [[nodiscard]] explicit operator bool() const noexcept { return !m_is_error; }

    [[nodiscard]] T& value() & noexcept
    {
        VERIFY(!m_is_error);
        return m_value;
    }
    [[nodiscard]] const T& value() const& noexcept
    {
        VERIFY(!m_is_error);
        return m_value;
    }
    [[nodiscard]] const Error& error() const noexcept
    {
        VERIFY(m_is_error);
        return m_error;
    }

    // Moves the value out; the Result keeps a moved-from T until destroyed.
    T release_value() noexcept
    {
        VERIFY(!m_is_error);
        return k23::move(m_value);
    }
    Error release_error() noexcept
    {
        VERIFY(m_is_error);
        return m_error;
    }

    [[nodiscard]] T value_or(T fallback) noexcept
    {
        if (m_is_error)
            return fallback;
        return k23::move(m_value);
    }

    [[nodiscard]] T* operator->() noexcept { return &value(); }
    [[nodiscard]] const T* operator->() const noexcept { return &value(); }

private:
    void destroy() noexcept
    {
        if (m_is_error)
            destroy_at(&m_error);
        else
            destroy_at(&m_value);
    }

    union {
        T m_value;
        Error m_error;
    };
    bool m_is_error;
};

template<>
class [[nodiscard]] Result<void> {
public:
    using ValueType = void;

    Result() noexcept
        : m_is_error(false)
    {
    }
    Result(const Error& error) noexcept
        : m_is_error(true)
    {
        construct_at(&m_error, error);
    }
    Result(const Result& other) noexcept
        : m_is_error(other.m_is_error)
    {
        if (m_is_error)
            construct_at(&m_error, other.m_error);
    }
    Result& operator=(const Result& other) noexcept
    {
        m_is_error = other.m_is_error;
        if (m_is_error)
            construct_at(&m_error, other.m_error);
        return *this;
    }
    ~Result() noexcept = default;

    [[nodiscard]] bool is_error() const noexcept { return m_is_error; }
    [[nodiscard]] explicit operator bool() const noexcept { return !m_is_error; }

    void value() const noexcept { VERIFY(!m_is_error); }
    void release_value() const noexcept { VERIFY(!m_is_error); }

    [[nodiscard]] const Error& error() const noexcept
    {
        VERIFY(m_is_error);
        return m_error;
    }
    Error release_error() noexcept
    {
        VERIFY(m_is_error);
        return m_error;
    }

private:
    // A union so the success path does not initialize the message buffer.
    union {
        Error m_error;
        char m_nothing;
    };
    bool m_is_error;
};

static_assert(IsTriviallyDestructible<Error> && IsTriviallyCopyable<Error>);

} // namespace k23

// Evaluates `expression` (a Result); on error returns the Error from the
// enclosing function (which returns any Result<U> or Error), otherwise yields
// the value. GNU statement expression: clang and gcc both accept it.
#define TRY(expression)                                           \
    ({                                                            \
        auto&& _k23_try_result = (expression);                    \
        if (_k23_try_result.is_error()) [[unlikely]]              \
            return _k23_try_result.release_error();               \
        _k23_try_result.release_value();                          \
    })

// Like TRY, but an error is a bug: panics with the error's message.
#define MUST(expression)                                                                   \
    ({                                                                                     \
        auto&& _k23_must_result = (expression);                                            \
        if (_k23_must_result.is_error()) [[unlikely]]                                      \
            ::k23::panic_with_error(_k23_must_result.error(), #expression, __FILE__, __LINE__); \
        _k23_must_result.release_value();                                                  \
    })
