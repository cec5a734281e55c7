#include <base/Log.h>

namespace k23 {

// Plain pointer (constant-initialized), so logging works before and during
// static initialization.
static LogSink* s_log_sink = nullptr;

LogSink* set_log_sink(LogSink* sink) noexcept
{
    LogSink* previous = s_log_sink;
    s_log_sink = sink;
    return previous;
}

LogSink* log_sink() noexcept
{
    return s_log_sink;
}

void vlog(StringView fmt, Span<const FormatArg> args) noexcept
{
    LogSink* sink = s_log_sink;
    if (!sink)
        return;
    char buffer[log_line_capacity];
    // Keep the last byte for the newline so a truncated line still ends one.
    FormatBuilder builder(Span<char>(buffer, log_line_capacity - 1));
    builder.vappendf(fmt, args);
    usize length = builder.length();
    buffer[length++] = '\n';
    sink->write(StringView(buffer, length));
}

void log_line(StringView text) noexcept
{
    FormatArg argument = make_format_arg(text);
    vlog("{}"_sv, Span<const FormatArg>(&argument, 1));
}

} // namespace k23
