/* dot8: int8 dot products and saturating sums over 64 KiB vectors, the
 * shape of quantized inference; written to auto-vectorize (RVV / wasm SIMD). */
#include <stdint.h>
#include <stdio.h>
#include "bench.h"

#define N (64 * 1024)
static int8_t a[N], b[N];
static int16_t acc[N];

static int32_t dot(const int8_t* x, const int8_t* y, int n)
{
    int32_t s = 0;
    for (int i = 0; i < n; i++) s += x[i] * y[i];
    return s;
}

static void mac(int16_t* o, const int8_t* x, const int8_t* y, int n)
{
    for (int i = 0; i < n; i++) {
        int32_t t = o[i] + x[i] * y[i];
        o[i] = (int16_t)(t > 32767 ? 32767 : t < -32768 ? -32768 : t);
    }
}

int main(void)
{
    unsigned long long s = 8;
    for (int i = 0; i < N; i++) { a[i] = (int8_t)bench_rand(&s); b[i] = (int8_t)bench_rand(&s); }
    int64_t total = 0;
    bench_start();
    for (int r = 0; r < 16; r++) {
        total += dot(a + r, b, N - 16);
        mac(acc, a, b + r, N - 16);
    }
    bench_end();
    int64_t h = 0;
    for (int i = 0; i < N; i++) h = h * 3 + acc[i];
    printf("dot8 %lld %lld\n", (long long)total, (long long)h);
    return 0;
}
