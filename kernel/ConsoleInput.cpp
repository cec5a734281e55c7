#include <kernel/Console.h>
#include <kernel/ConsoleInput.h>

namespace k23::kernel {

ConsoleInputDecoder::Step ConsoleInputDecoder::feed(u8 raw, u8& byte) noexcept
{
    if (m_ended)
        return Step::End;
    if (!m_after_dle) {
        if (raw == dle) {
            m_after_dle = true;
            return Step::Nothing;
        }
        byte = raw;
        return Step::Byte;
    }
    m_after_dle = false;
    if (raw == dle) {
        byte = dle;
        return Step::Byte;
    }
    if (raw == end_of_input) {
        m_ended = true;
        return Step::End;
    }
    return Step::Nothing;
}

ConsoleInput::ConsoleInput() noexcept
    : m_source(console_read_byte)
{
}

usize ConsoleInput::read_available(u8* buffer, usize length) noexcept
{
    usize done = 0;
    while (done < length && !m_decoder.ended()) {
        int raw = m_source();
        if (raw < 0)
            break;
        u8 byte = 0;
        if (m_decoder.feed(static_cast<u8>(raw), byte) == ConsoleInputDecoder::Step::Byte)
            buffer[done++] = byte;
    }
    return done;
}

} // namespace k23::kernel
