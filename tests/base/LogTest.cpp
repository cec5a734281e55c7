#include <base/Log.h>

#include <gtest/gtest.h>

using namespace k23;

namespace {

class CaptureSink final : public LogSink {
public:
    void write(StringView text) noexcept override
    {
        ++writes;
        buffer.append(text);
    }
    FormatBuffer<2048> buffer;
    int writes = 0;
};

} // namespace

TEST(Log, FormatsIntoSinkWithNewline)
{
    CaptureSink sink;
    LogSink* previous = set_log_sink(&sink);
    log("x={} y={:#x}", 1, 255);
    log_line("plain"_sv);
    EXPECT_EQ(log_sink(), &sink);
    set_log_sink(previous);
    EXPECT_EQ(sink.writes, 2);
    EXPECT_EQ(sink.buffer.view(), "x=1 y=0xff\nplain\n"_sv);
}

TEST(Log, LongLinesAreCutButStillEndTheLine)
{
    CaptureSink sink;
    LogSink* previous = set_log_sink(&sink);
    log("{:1000}|", 1);
    set_log_sink(previous);
    EXPECT_EQ(sink.buffer.length(), log_line_capacity - 1);
    EXPECT_TRUE(sink.buffer.view().ends_with('\n'));
}

TEST(Log, NullSinkDropsMessages)
{
    LogSink* previous = set_log_sink(nullptr);
    log("dropped {}", 1); // must not crash
    EXPECT_EQ(log_sink(), nullptr);
    set_log_sink(previous);
}

TEST(Log, HostedPlatformInstallsADefaultSink)
{
    EXPECT_NE(log_sink(), nullptr);
}
