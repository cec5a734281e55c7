/* bignum: schoolbook multiplication of 1024-limb (32-bit limbs) numbers
 * with 64-bit accumulation, and a modular fold, 3 rounds. 64-bit integer
 * multiply-heavy. */
#include <stdint.h>
#include <stdio.h>
#include "bench.h"

#define LIMBS 640
static uint32_t a[LIMBS], b[LIMBS], p[2 * LIMBS];

static void mul(void)
{
    for (int i = 0; i < 2 * LIMBS; i++) p[i] = 0;
    for (int i = 0; i < LIMBS; i++) {
        uint64_t carry = 0, ai = a[i];
        for (int j = 0; j < LIMBS; j++) {
            uint64_t t = ai * b[j] + p[i + j] + carry;
            p[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        p[i + LIMBS] = (uint32_t)carry;
    }
}

int main(void)
{
    unsigned long long s = 77;
    for (int i = 0; i < LIMBS; i++) { a[i] = (uint32_t)bench_rand(&s); b[i] = (uint32_t)bench_rand(&s); }
    bench_start();
    for (int r = 0; r < 3; r++) {
        mul();
        /* a = low half + high half (mod 2^(32*LIMBS)) for the next round */
        uint64_t c = 0;
        for (int i = 0; i < LIMBS; i++) {
            c += (uint64_t)p[i] + p[i + LIMBS];
            a[i] = (uint32_t)c;
            c >>= 32;
        }
    }
    bench_end();
    uint64_t h = 0;
    for (int i = 0; i < 2 * LIMBS; i++) h = h * 1000003 + p[i];
    printf("bignum %d %08x %08x %016llx\n", LIMBS, p[0], p[2 * LIMBS - 1], (unsigned long long)h);
    return 0;
}
