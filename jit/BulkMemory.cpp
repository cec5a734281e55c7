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

// a3 bytes from a2 to a1 in one direction (backward: a1, a2 point one past
// the bytes left), then to `done`.
void move_run(Assembler& a, Direction d, Label done) noexcept
{
    bool forward = d == Direction::Forward;
    Label head = a.new_label(), words = a.new_label(), word_loop = a.new_label();
    Label bytes = a.new_label(), byte_loop = a.new_label();
    a.li(t0, 16);
    a.bltu(a3, t0, bytes);
    a.bind(head);
    a.andi(t0, a1, 7);
    a.beqz(t0, words);
    move_byte(a, d);
    a.addi(a3, a3, -1);
    a.j(head);
    a.bind(words); // a3 >= 9: at most 7 bytes went
    a.andi(t2, a3, 7);
    a.sub(a3, a3, t2);
    if (forward)
        a.add(a3, a1, a3); // the end of the words
    else
        a.sub(a3, a1, a3); // the start of the words
    a.bind(word_loop);
    if (!forward) {
        a.addi(a1, a1, -8);
        a.addi(a2, a2, -8);
    }
    a.ld(t1, a2, 0);
    a.sd(t1, a1, 0);
    if (forward) {
        a.addi(a1, a1, 8);
        a.addi(a2, a2, 8);
        a.bltu(a1, a3, word_loop);
    } else {
        a.bltu(a3, a1, word_loop);
    }
    a.mv(a3, t2);
    a.bind(bytes);
    a.beqz(a3, done);
    a.bind(byte_loop);
    move_byte(a, d);
    a.addi(a3, a3, -1);
    a.bnez(a3, byte_loop);
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
// repeated, then the last bytes.
void fill_bytes(Assembler& a) noexcept
{
    Label head = a.new_label(), words = a.new_label(), word_loop = a.new_label();
    Label bytes = a.new_label(), byte_loop = a.new_label(), done = a.new_label();
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
    a.andi(t2, a3, 7);
    a.sub(a3, a3, t2);
    a.add(a3, a1, a3);
    a.bind(word_loop);
    a.sd(t1, a1, 0);
    a.addi(a1, a1, 8);
    a.bltu(a1, a3, word_loop);
    a.mv(a3, t2);
    a.bind(bytes);
    a.beqz(a3, done);
    a.bind(byte_loop);
    a.sb(a2, a1, 0);
    a.addi(a1, a1, 1);
    a.addi(a3, a3, -1);
    a.bnez(a3, byte_loop);
    a.bind(done);
}

} // namespace k23::jit::bulk
