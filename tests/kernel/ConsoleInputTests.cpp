// The console's input decoder (kernel/ConsoleInput.h) fed from a scripted
// receiver: DLE DLE is one DLE, DLE D ends the input for good, an escape
// split across reads is kept, "nothing yet" is not end of file, and reads
// never take more than the buffer holds.

#include <kernel/ConsoleInput.h>
#include <kernel/KTest.h>

using namespace k23;
using namespace k23::kernel;

namespace {

// What the receiver holds: -1 entries are "nothing has arrived yet".
struct Script {
    const int* bytes { nullptr };
    usize count { 0 };
    usize next { 0 };
};
Script s_script;

int scripted_byte() noexcept
{
    if (s_script.next >= s_script.count)
        return -1;
    return s_script.bytes[s_script.next++];
}

} // namespace

KTEST(console_input_decodes_dle_escapes_and_ends_at_dle_d)
{
    // "a" DLE DLE "b" | nothing yet | DLE (split) | D-escape... : an
    // escape's two halves may arrive in different reads.
    static constexpr int bytes[] = { 'a', 0x10, 0x10, 'b', -1, 0x10, -1, 0x10, 'c', 0x10, 'D', 'e' };
    s_script = { bytes, sizeof bytes / sizeof bytes[0], 0 };
    ConsoleInput input(scripted_byte);
    u8 buffer[8] {};

    usize n = input.read_available(buffer, sizeof buffer);
    KEXPECT_EQ(n, usize(3));
    KEXPECT_EQ(buffer[0], u8('a'));
    KEXPECT_EQ(buffer[1], u8(0x10));
    KEXPECT_EQ(buffer[2], u8('b'));
    KEXPECT(!input.ended());

    // The DLE alone: nothing to return yet, and not the end.
    KEXPECT_EQ(input.read_available(buffer, sizeof buffer), usize(0));
    KEXPECT(!input.ended());

    // Its second half: a DLE byte, then 'c', then DLE D ends it; 'e' after
    // the end is never read.
    n = input.read_available(buffer, sizeof buffer);
    KEXPECT_EQ(n, usize(2));
    KEXPECT_EQ(buffer[0], u8(0x10));
    KEXPECT_EQ(buffer[1], u8('c'));
    KEXPECT(input.ended());
    KEXPECT_EQ(input.read_available(buffer, sizeof buffer), usize(0));
    KEXPECT_EQ(s_script.next, usize(11));
}

KTEST(console_input_reads_at_most_the_buffer_and_drops_unknown_escapes)
{
    // DLE 'x' is nothing the driver sends: dropped, both bytes.
    static constexpr int bytes[] = { '1', '2', 0x10, 'x', '3', '4', '5' };
    s_script = { bytes, sizeof bytes / sizeof bytes[0], 0 };
    ConsoleInput input(scripted_byte);
    u8 buffer[3] {};
    KEXPECT_EQ(input.read_available(buffer, 2), usize(2));
    KEXPECT_EQ(buffer[1], u8('2'));
    // Two more bytes of data, the escape skipped between them.
    KEXPECT_EQ(input.read_available(buffer, 2), usize(2));
    KEXPECT_EQ(buffer[0], u8('3'));
    KEXPECT_EQ(buffer[1], u8('4'));
    KEXPECT_EQ(input.read_available(buffer, 3), usize(1));
    KEXPECT_EQ(buffer[0], u8('5'));
    KEXPECT(!input.ended());
}
