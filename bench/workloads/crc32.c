/* crc32: CRC-32 (IEEE 802.3, reflected 0xEDB88320), slicing-by-4 table
 * method over a 1 MiB generated buffer, plus a bitwise check. Memory-bound
 * table lookups. */
#include <stdint.h>
#include <stdio.h>
#include "bench.h"

static uint32_t table[4][256];
#define LEN (1 << 20)
static uint8_t buf[LEN];

static void make_tables(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 4; t++)
            table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

static uint32_t crc32(const uint8_t* p, size_t n)
{
    uint32_t c = 0xffffffffu;
    while (n >= 4) {
        c ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        c = table[3][c & 0xff] ^ table[2][(c >> 8) & 0xff] ^ table[1][(c >> 16) & 0xff] ^ table[0][c >> 24];
        p += 4;
        n -= 4;
    }
    while (n--)
        c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return ~c;
}

static uint32_t crc32_bitwise(const uint8_t* p, size_t n)
{
    uint32_t c = 0xffffffffu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
    }
    return ~c;
}

int main(void)
{
    make_tables();
    unsigned long long s = 99;
    for (size_t i = 0; i < LEN; i++)
        buf[i] = (uint8_t)(bench_rand(&s) >> 32);
    uint32_t check = crc32((const uint8_t*)"123456789", 9);   /* 0xcbf43926 */
    bench_start();
    uint32_t a = crc32(buf, LEN);
    uint32_t b = crc32(buf + 3, LEN - 3);
    uint32_t c = crc32_bitwise(buf, 65536);
    bench_end();
    printf("crc32 %08x %08x %08x %08x\n", check, a, b, c);
    return 0;
}
