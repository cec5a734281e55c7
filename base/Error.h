#pragma once

// Errors are values. An Error carries a code, a short message held inline (so
// creating one never allocates, even when reporting out-of-memory) and, when
// known, where it happened: a byte offset into the input and a function index.

#include <base/Format.h>
#include <base/StringView.h>
#include <base/Integers.h>

namespace k23 {

enum class ErrorCode : u16 {
    Unknown,
    OutOfMemory,      // an allocation failed
    InvalidArgument,  // a caller passed something unacceptable
    Malformed,        // input does not parse (e.g. a bad wasm binary)
    Invalid,          // input parses but fails validation
    Unlinkable,       // imports cannot be resolved or do not match
    Uninstantiable,   // instantiation failed (e.g. a start function trapped)
    NotFound,         // a lookup found nothing
    AlreadyExists,    // an insertion collided with an existing entry
    Unsupported,      // a valid request k23 does not implement
    OutOfRange,       // an index or size beyond a limit
    Overflow,         // arithmetic overflow in a size computation
    IO,               // reading or writing outside the engine failed
    Trap,             // guest code trapped
    Exhausted,        // a resource limit (stack, fuel, table size) was hit
    Integrity,        // a checksum or signature did not verify
    PermissionDenied, // the caller may not do this
    Busy,             // try again later
    Timeout,          // a deadline passed
    Exit,             // the guest asked to exit (WASI proc_exit); not a failure of the engine
    LimitExceeded,    // input is beyond an implementation limit (e.g. wasm/Limits.h)
};

[[nodiscard]] StringView error_code_name(ErrorCode code) noexcept;

class Error {
public:
    static constexpr usize message_capacity = 120; // bytes, including the NUL

    [[nodiscard]] static Error from_code(ErrorCode code) noexcept { return Error(code, StringView()); }
    [[nodiscard]] static Error from_code(ErrorCode code, const char* message) noexcept { return Error(code, StringView(message)); }
    [[nodiscard]] static Error from_code(ErrorCode code, StringView message) noexcept { return Error(code, message); }

    template<typename... Args>
    [[nodiscard]] static Error formatted(ErrorCode code, StringView fmt, const Args&... args) noexcept
    {
        Error error(code, StringView());
        error.m_message_length = u8(format_to(Span<char>(error.m_message, message_capacity), fmt, args...));
        return error;
    }

    [[nodiscard]] ErrorCode code() const noexcept { return m_code; }
    [[nodiscard]] StringView message() const noexcept { return { m_message, m_message_length }; }
    // NUL-terminated message, for C-style consumers.
    [[nodiscard]] const char* message_cstring() const noexcept { return m_message; }

    [[nodiscard]] Error with_offset(u64 offset) const noexcept
    {
        Error copy = *this;
        copy.m_offset = offset;
        copy.m_has_offset = true;
        return copy;
    }
    [[nodiscard]] bool has_offset() const noexcept { return m_has_offset; }
    [[nodiscard]] u64 offset() const noexcept
    {
        VERIFY(m_has_offset);
        return m_offset;
    }

    [[nodiscard]] Error in_function(u32 function_index) const noexcept
    {
        Error copy = *this;
        copy.m_function_index = function_index;
        copy.m_has_function_index = true;
        return copy;
    }
    [[nodiscard]] bool has_function_index() const noexcept { return m_has_function_index; }
    [[nodiscard]] u32 function_index() const noexcept
    {
        VERIFY(m_has_function_index);
        return m_function_index;
    }

    [[nodiscard]] bool operator==(ErrorCode code) const noexcept { return m_code == code; }

    // "Malformed: unexpected end (at offset 0x1c, in function 3)"
    void format(FormatBuilder& builder) const noexcept;

private:
    Error(ErrorCode code, StringView message) noexcept;

    u64 m_offset { 0 };
    u32 m_function_index { 0 };
    ErrorCode m_code { ErrorCode::Unknown };
    u8 m_message_length { 0 };
    bool m_has_offset { false };
    bool m_has_function_index { false };
    char m_message[message_capacity];
};

static_assert(Error::message_capacity <= 255, "length is stored in a u8");

// Used by MUST(): prints the error and panics.
[[noreturn]] void panic_with_error(const Error& error, const char* expression, const char* file, int line) noexcept;

} // namespace k23
