#pragma once

// Logging goes through one replaceable sink: the kernel points it at the
// UART, hosted builds at stderr. Messages are formatted on the stack, so
// logging never allocates (lines longer than log_line_capacity are cut).

#include <base/Format.h>
#include <base/StringView.h>

namespace k23 {

class LogSink {
public:
    // Receives one complete line, including its trailing '\n'.
    virtual void write(StringView text) noexcept = 0;

protected:
    // Sinks are never deleted through this interface (no operator delete
    // is needed in the kernel).
    ~LogSink() = default;
};

// Sets the sink (nullptr drops messages); returns the previous one.
LogSink* set_log_sink(LogSink* sink) noexcept;
[[nodiscard]] LogSink* log_sink() noexcept;

inline constexpr usize log_line_capacity = 512;

// Writes text + '\n' to the sink.
void log_line(StringView text) noexcept;
void vlog(StringView fmt, Span<const FormatArg> args) noexcept;

template<typename... Args>
void log(StringView fmt, const Args&... args) noexcept
{
    FormatArg list[sizeof...(Args) + 1] = { make_format_arg(args)..., FormatArg {} };
    vlog(fmt, Span<const FormatArg>(list, sizeof...(Args)));
}

} // namespace k23
