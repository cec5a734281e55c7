// The freestanding memcpy (libc/String.cpp) at every source and destination
// alignment and short and long lengths, against a byte-by-byte copy.

#include <kernel/KTest.h>

extern "C" void* memcpy(void* destination, const void* source, k23::usize count);

using namespace k23;

KTEST(memcpy_copies_every_alignment_and_length)
{
    u8 source[160];
    for (u32 i = 0; i < sizeof source; ++i)
        source[i] = u8(i * 37 + 11);
    u32 mismatches = 0;
    for (u32 from = 0; from < 8; ++from) {
        for (u32 to = 0; to < 8; ++to) {
            for (u32 length = 0; length <= 120; ++length) {
                alignas(8) u8 destination[160];
                for (u32 i = 0; i < sizeof destination; ++i)
                    destination[i] = 0xa5;
                void* result = memcpy(destination + to, source + from, length);
                if (result != destination + to)
                    ++mismatches;
                for (u32 i = 0; i < sizeof destination; ++i) {
                    bool inside = i >= to && i < to + length;
                    u8 expected = inside ? source[from + (i - to)] : u8(0xa5);
                    if (destination[i] != expected)
                        ++mismatches;
                }
            }
        }
    }
    KEXPECT_EQ(mismatches, 0u);
}
