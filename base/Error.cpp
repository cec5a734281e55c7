#include <base/Error.h>

namespace k23 {

StringView error_code_name(ErrorCode code) noexcept
{
    switch (code) {
    case ErrorCode::Unknown: return "Unknown";
    case ErrorCode::OutOfMemory: return "OutOfMemory";
    case ErrorCode::InvalidArgument: return "InvalidArgument";
    case ErrorCode::Malformed: return "Malformed";
    case ErrorCode::Invalid: return "Invalid";
    case ErrorCode::Unlinkable: return "Unlinkable";
    case ErrorCode::Uninstantiable: return "Uninstantiable";
    case ErrorCode::NotFound: return "NotFound";
    case ErrorCode::AlreadyExists: return "AlreadyExists";
    case ErrorCode::Unsupported: return "Unsupported";
    case ErrorCode::OutOfRange: return "OutOfRange";
    case ErrorCode::Overflow: return "Overflow";
    case ErrorCode::IO: return "IO";
    case ErrorCode::Trap: return "Trap";
    case ErrorCode::Exhausted: return "Exhausted";
    case ErrorCode::Integrity: return "Integrity";
    case ErrorCode::PermissionDenied: return "PermissionDenied";
    case ErrorCode::Busy: return "Busy";
    case ErrorCode::Timeout: return "Timeout";
    case ErrorCode::Exit: return "Exit";
    case ErrorCode::LimitExceeded: return "LimitExceeded";
    }
    return "?";
}

Error::Error(ErrorCode code, StringView message) noexcept
    : m_code(code)
{
    usize length = min(message.length(), message_capacity - 1);
    if (length)
        __builtin_memcpy(m_message, message.data(), length);
    m_message[length] = '\0';
    m_message_length = u8(length);
}

void Error::format(FormatBuilder& builder) const noexcept
{
    builder.append(error_code_name(m_code));
    if (m_message_length) {
        builder.append(": "_sv);
        builder.append(message());
    }
    if (m_has_offset && m_has_function_index)
        builder.appendf(" (at offset {:#x}, in function {})", m_offset, m_function_index);
    else if (m_has_offset)
        builder.appendf(" (at offset {:#x})", m_offset);
    else if (m_has_function_index)
        builder.appendf(" (in function {})", m_function_index);
}

void panic_with_error(const Error& error, const char* expression, const char* file, int line) noexcept
{
    char buffer[256];
    format_to(buffer, "MUST({}) failed: {}", expression, error);
    platform_panic(buffer, file, line);
}

} // namespace k23
