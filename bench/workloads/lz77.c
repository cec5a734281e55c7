/* lz77: LZ77-style compression with a hash chain (4 KiB window, matches of
 * 3..258 bytes) of 96 KiB of generated text, then decompression and a check.
 * Byte-oriented, memory-bound, branchy. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "bench.h"

#define LEN (96 * 1024)
#define WINDOW 4096
#define HBITS 13
static uint8_t in[LEN], out[LEN * 2], back[LEN];
static int head[1 << HBITS], prev_[LEN];

static unsigned hash3(const uint8_t* p) { return ((p[0] << 10) ^ (p[1] << 5) ^ p[2]) & ((1 << HBITS) - 1); }

/* Output: literal run = 0x00 len8 bytes...; match = 0x01 dist16 len8(-3). */
static size_t compress(void)
{
    size_t o = 0, lit_at = 0;
    int lit = 0;
    for (int i = 0; i < (1 << HBITS); i++) head[i] = -1;
    int i = 0;
    while (i < LEN) {
        int best = 0, bestd = 0;
        if (i + 3 <= LEN) {
            unsigned h = hash3(in + i);
            int cand = head[h], chain = 0;
            while (cand >= 0 && i - cand <= WINDOW && chain++ < 16) {
                int l = 0, max = LEN - i < 258 ? LEN - i : 258;
                while (l < max && in[cand + l] == in[i + l]) l++;
                if (l > best) { best = l; bestd = i - cand; }
                cand = prev_[cand];
            }
            prev_[i] = head[h];
            head[h] = i;
        }
        if (best >= 3) {
            if (lit) { out[lit_at + 1] = (uint8_t)lit; lit = 0; }
            out[o++] = 1; out[o++] = (uint8_t)bestd; out[o++] = (uint8_t)(bestd >> 8);
            out[o++] = (uint8_t)(best - 3);
            for (int k = 1; k < best; k++)
                if (i + k + 3 <= LEN) {
                    unsigned h = hash3(in + i + k);
                    prev_[i + k] = head[h];
                    head[h] = i + k;
                }
            i += best;
        } else {
            if (!lit) { lit_at = o; out[o++] = 0; out[o++] = 0; }
            out[o++] = in[i++];
            if (++lit == 255) { out[lit_at + 1] = 255; lit = 0; }
        }
    }
    if (lit) out[lit_at + 1] = (uint8_t)lit;
    return o;
}

static size_t decompress(size_t n)
{
    size_t o = 0, i = 0;
    while (i < n) {
        if (out[i] == 0) {
            int l = out[i + 1];
            memcpy(back + o, out + i + 2, l);
            o += l; i += 2 + l;
        } else {
            int d = out[i + 1] | out[i + 2] << 8, l = out[i + 3] + 3;
            for (int k = 0; k < l; k++, o++) back[o] = back[o - d];
            i += 4;
        }
    }
    return o;
}

int main(void)
{
    static const char* words[] = { "the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ",
        "dog ", "kernel ", "webassembly ", "risc-v ", "compiler ", "page ", "table ", "trap ", "\n" };
    unsigned long long s = 3;
    for (int i = 0; i < LEN;) {
        const char* w = words[bench_rand(&s) % 16];
        while (*w && i < LEN) in[i++] = (uint8_t)*w++;
        if (bench_rand(&s) % 8 == 0 && i < LEN) in[i++] = (uint8_t)('a' + bench_rand(&s) % 26);
    }
    bench_start();
    size_t n = compress();
    size_t m = decompress(n);
    bench_end();
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ out[i]) * 16777619u;
    printf("lz77 %d -> %zu ok=%d %08x\n", LEN, n, m == LEN && memcmp(in, back, LEN) == 0, h);
    return 0;
}
