#pragma once

// The console's input, for a guest's stdin (fd 0; kernel/WasiRun.h).
//
// The driver (tools/driver/kernelrun.py) feeds its own stdin to the
// console's receiver framed as the guest's output is (DLE = 0x10): DLE DLE
// is one DLE byte, DLE D is the end of the input (the host's stdin ended,
// or Ctrl-D at the start of a line on a terminal); every other byte is
// itself. A DLE followed by anything else is not something the driver
// sends: both bytes are dropped. After DLE D nothing more is read.

#include <base/Integers.h>

namespace k23::kernel {

class ConsoleInputDecoder {
public:
    static constexpr u8 dle = 0x10;
    static constexpr u8 end_of_input = 'D';

    enum class Step : u8 {
        Nothing, // an escape's first byte, or a dropped pair
        Byte,    // `byte` is the next byte of the input
        End,     // the input ended (now and on every later byte)
    };
    [[nodiscard]] Step feed(u8 raw, u8& byte) noexcept;
    [[nodiscard]] bool ended() const noexcept { return m_ended; }

private:
    bool m_after_dle { false };
    bool m_ended { false };
};

class ConsoleInput {
public:
    // Where raw bytes come from: -1 when none has arrived (the console's
    // receiver, console_read_byte(), unless a test gives another).
    using Source = int (*)() noexcept;
    ConsoleInput() noexcept;
    explicit ConsoleInput(Source source) noexcept
        : m_source(source)
    {
    }

    // Decodes what has arrived into `buffer` (at most `length` bytes) and
    // returns how many; never waits. 0 with ended(): end of file; 0
    // otherwise: nothing yet.
    [[nodiscard]] usize read_available(u8* buffer, usize length) noexcept;
    [[nodiscard]] bool ended() const noexcept { return m_decoder.ended(); }

private:
    Source m_source;
    ConsoleInputDecoder m_decoder;
};

} // namespace k23::kernel
