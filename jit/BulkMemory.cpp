// The inline bulk-memory sequences of both tiers (BulkMemory.h).

#include <jit/BulkMemory.h>

namespace k23::jit::bulk {

using namespace k23::riscv64;

u32 probe_range_end(Assembler& a, GpReg base, GpReg index, GpReg count) noexcept
{
    Label empty = a.new_label();
    a.add(t0, index, count);
    a.beqz(t0, empty);
    a.add(t0, t0, base);
    u32 probe = a.offset();
    a.lbu(t0, t0, -1);
    a.bind(empty);
    return probe;
}

namespace {

enum class Direction { Forward, Backward };

// Words an iteration of the word loops: blocks of four, then single words.
constexpr i32 s_per_iteration[] = { 4, 1 };

// The a3 bytes left at an 8-aligned a1: t2 = the last (a3 mod 8), t0 =
// those of single words, a3 = those of 32-byte blocks.
void split_length(Assembler& a) noexcept
{
    a.andi(t2, a3, 7);
    a.sub(a3, a3, t2);
    a.andi(t0, a3, 31);
    a.sub(a3, a3, t0);
}

// One byte from a2 to a1; forward the pointers move past it after,
// backward onto it before.
void move_byte(Assembler& a, Direction d) noexcept
{
    if (d == Direction::Backward) {
        a.addi(a1, a1, -1);
        a.addi(a2, a2, -1);
    }
    a.lbu(t1, a2, 0);
    a.sb(t1, a1, 0);
    if (d == Direction::Forward) {
        a.addi(a1, a1, 1);
        a.addi(a2, a2, 1);
    }
}

// From `last` (after the word loops) the t2 bytes left, from `bytes` (a
// short range) all a3: one() each, then to `done`.
template<typename One>
void byte_tail(Assembler& a, Label last, Label bytes, Label done, One one) noexcept
{
    Label loop = a.new_label();
    a.bind(last);
    a.mv(a3, t2);
    a.bind(bytes);
    a.beqz(a3, done);
    a.bind(loop);
    one();
    a.addi(a3, a3, -1);
    a.bnez(a3, loop);
}

// Words from a2 to a1, `per` an iteration, until a1 reaches a3 (it
// differs on entry). Each is loaded before it is stored, in the direction's
// order, so overlapping ranges copy right.
void move_words(Assembler& a, Direction d, i32 per) noexcept
{
    bool forward = d == Direction::Forward;
    i32 bytes = 8 * per;
    Label loop = a.new_label();
    a.bind(loop);
    if (!forward) {
        a.addi(a1, a1, -bytes);
        a.addi(a2, a2, -bytes);
    }
    for (i32 k = 0; k < per; ++k) {
        i32 at = forward ? 8 * k : bytes - 8 - 8 * k;
        a.ld(t1, a2, at);
        a.sd(t1, a1, at);
    }
    if (forward) {
        a.addi(a1, a1, bytes);
        a.addi(a2, a2, bytes);
        a.bltu(a1, a3, loop);
    } else {
        a.bltu(a3, a1, loop);
    }
}

// a3 bytes from a2 to a1 in one direction (backward: a1, a2 point one past
// the bytes left), then to `done`.
void move_run(Assembler& a, Direction d, Label done) noexcept
{
    bool forward = d == Direction::Forward;
    Label head = a.new_label(), words = a.new_label(), bytes = a.new_label();
    a.li(t0, 16);
    a.bltu(a3, t0, bytes);
    a.bind(head);
    a.andi(t0, a1, 7);
    a.beqz(t0, words);
    move_byte(a, d);
    a.addi(a3, a3, -1);
    a.j(head);
    a.bind(words); // a3 >= 9: at most 7 bytes went
    // Blocks of four words (32 bytes: 11 instructions, not 20), then the
    // words left (t0 bytes), then the bytes left (t2).
    Label last = a.new_label();
    split_length(a);
    for (i32 per : s_per_iteration) {
        // a3 (blocks) or t0 (words): the bytes this loop moves, then where
        // it stops (their end forward, their start backward).
        Label skip = a.new_label();
        GpReg length = per == 4 ? a3 : t0;
        if (forward)
            a.add(a3, a1, length);
        else
            a.sub(a3, a1, length);
        a.beq(a1, a3, per == 4 ? skip : last);
        move_words(a, d, per);
        a.bind(skip);
    }
    byte_tail(a, last, bytes, done, [&] { move_byte(a, d); });
}

} // namespace

// memmove(a1, a2, a3) in bounds: forward unless the destination starts
// inside the source (dst - src < n, unsigned), then backward, so
// overlapping ranges copy as if through a buffer. Ranges of 16 bytes or
// more copy bytes until the destination is 8-aligned, then words (the
// source may be misaligned, as wasm loads may be), then the last bytes.
void move_bytes(Assembler& a) noexcept
{
    Label backward = a.new_label(), done = a.new_label();
    a.sub(t0, a1, a2);
    a.bltu(t0, a3, backward);
    move_run(a, Direction::Forward, done);
    a.j(done);
    a.bind(backward);
    a.add(a1, a1, a3);
    a.add(a2, a2, a3);
    move_run(a, Direction::Backward, done);
    a.bind(done);
}

// memset(a1, a2, a3) in bounds: bytes to 8-alignment, words of the byte
// repeated (four at a time first), then the last bytes.
void fill_bytes(Assembler& a) noexcept
{
    Label head = a.new_label(), words = a.new_label();
    Label bytes = a.new_label(), done = a.new_label();
    a.li(t0, 16);
    a.bltu(a3, t0, bytes);
    a.bind(head);
    a.andi(t0, a1, 7);
    a.beqz(t0, words);
    a.sb(a2, a1, 0);
    a.addi(a1, a1, 1);
    a.addi(a3, a3, -1);
    a.j(head);
    a.bind(words);
    a.andi(t1, a2, 255);
    a.li(t0, 0x0101010101010101);
    a.mul(t1, t1, t0);
    // Blocks of four words, the words left (t0 bytes), the bytes left (t2).
    Label last = a.new_label();
    split_length(a);
    for (i32 per : s_per_iteration) {
        // a3: the bytes this loop stores, then its end.
        Label skip = a.new_label(), loop = a.new_label();
        a.add(a3, a1, per == 4 ? a3 : t0);
        a.beq(a1, a3, per == 4 ? skip : last);
        a.bind(loop);
        for (i32 k = 0; k < per; ++k)
            a.sd(t1, a1, 8 * k);
        a.addi(a1, a1, 8 * per);
        a.bltu(a1, a3, loop);
        a.bind(skip);
    }
    byte_tail(a, last, bytes, done, [&] {
        a.sb(a2, a1, 0);
        a.addi(a1, a1, 1);
    });
    a.bind(done);
}

} // namespace k23::jit::bulk
