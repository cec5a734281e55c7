// Random numbers for guest ASLR (kernel/mm/AslrRandom.h).

#include <base/Memory.h>
#include <base/Platform.h>
#include <kernel/mm/AslrRandom.h>

namespace k23::kernel {

namespace {

constexpr u32 rotate_left(u32 value, u32 shift) noexcept { return (value << shift) | (value >> (32 - shift)); }

// RFC 8439 §2.1.
void quarter_round(u32* x, usize a, usize b, usize c, usize d) noexcept
{
    x[a] += x[b];
    x[d] = rotate_left(x[d] ^ x[a], 16);
    x[c] += x[d];
    x[b] = rotate_left(x[b] ^ x[c], 12);
    x[a] += x[b];
    x[d] = rotate_left(x[d] ^ x[a], 8);
    x[c] += x[d];
    x[b] = rotate_left(x[b] ^ x[c], 7);
}

u32 s_key[8];
u64 s_pool[12];
usize s_left = 0;
usize s_refills = 0;
bool s_keyed = false;

void refill() noexcept
{
    if (!s_keyed || s_refills % aslr_reseed_interval == 0) {
        u32 fresh[8];
        if (platform_random_bytes(reinterpret_cast<u8*>(fresh), sizeof fresh)) {
            for (usize i = 0; i < 8; ++i)
                s_key[i] ^= fresh[i];
            fill_bytes(fresh, 0, sizeof fresh);
        } else if (!s_keyed) {
            for (u32 i = 0; i < 8; ++i)
                s_key[i] = 0x6b32'3300u + i; // no entropy: a fixed key
        }
        s_keyed = true;
    }
    ++s_refills;
    u32 const nonce[3] = { 0, 0, 0 };
    u8 blocks[128];
    chacha20_block(s_key, 0, nonce, blocks);
    chacha20_block(s_key, 1, nonce, blocks + 64);
    copy_bytes(s_key, blocks, sizeof s_key);
    copy_bytes(s_pool, blocks + sizeof s_key, sizeof s_pool);
    fill_bytes(blocks, 0, sizeof blocks);
    s_left = sizeof s_pool / sizeof s_pool[0];
}

} // namespace

void chacha20_block(u32 const key[8], u32 counter, u32 const nonce[3], u8 out[64]) noexcept
{
    // RFC 8439 §2.3: constants, key, counter, nonce; 20 rounds (10 column +
    // diagonal pairs); the input added back; serialized little-endian.
    u32 state[16] = { 0x6170'7865, 0x3320'646e, 0x7962'2d32, 0x6b20'6574 };
    for (usize i = 0; i < 8; ++i)
        state[4 + i] = key[i];
    state[12] = counter;
    state[13] = nonce[0];
    state[14] = nonce[1];
    state[15] = nonce[2];
    u32 x[16];
    copy_bytes(x, state, sizeof x);
    for (usize round = 0; round < 10; ++round) {
        quarter_round(x, 0, 4, 8, 12);
        quarter_round(x, 1, 5, 9, 13);
        quarter_round(x, 2, 6, 10, 14);
        quarter_round(x, 3, 7, 11, 15);
        quarter_round(x, 0, 5, 10, 15);
        quarter_round(x, 1, 6, 11, 12);
        quarter_round(x, 2, 7, 8, 13);
        quarter_round(x, 3, 4, 9, 14);
    }
    for (usize i = 0; i < 16; ++i) {
        u32 word = x[i] + state[i];
        out[4 * i + 0] = static_cast<u8>(word);
        out[4 * i + 1] = static_cast<u8>(word >> 8);
        out[4 * i + 2] = static_cast<u8>(word >> 16);
        out[4 * i + 3] = static_cast<u8>(word >> 24);
    }
}

u64 aslr_random_u64() noexcept
{
    if (s_left == 0)
        refill();
    u64 value = s_pool[--s_left];
    s_pool[s_left] = 0;
    return value;
}

u64 aslr_random_below(u64 bound) noexcept
{
    // Rejection sampling (no modulo bias): accept values below the largest
    // multiple of bound.
    u64 limit = ~0ull - (~0ull % bound);
    for (;;) {
        u64 value = aslr_random_u64();
        if (value < limit)
            return value % bound;
    }
}

} // namespace k23::kernel
