/* qsort32: recursive quicksort (median of three, insertion sort below 16)
 * of 120000 pseudo-random 32-bit integers. Branchy, call-heavy. */
#include <stdint.h>
#include <stdio.h>
#include "bench.h"

#define N 120000
static int32_t v[N];

static void insertion(int32_t* a, int n)
{
    for (int i = 1; i < n; i++) {
        int32_t x = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > x) { a[j + 1] = a[j]; j--; }
        a[j + 1] = x;
    }
}

static void quicksort(int32_t* a, int n)
{
    while (n > 16) {
        int32_t x = a[0], y = a[n / 2], z = a[n - 1];
        int32_t p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        int i = 0, j = n - 1;
        for (;;) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i >= j) break;
            int32_t t = a[i]; a[i] = a[j]; a[j] = t;
            i++; j--;
        }
        if (j + 1 < n - j - 1) { quicksort(a, j + 1); a += j + 1; n -= j + 1; }
        else { quicksort(a + j + 1, n - j - 1); n = j + 1; }
    }
    insertion(a, n);
}

int main(void)
{
    unsigned long long s = 12345;
    for (int i = 0; i < N; i++)
        v[i] = (int32_t)(bench_rand(&s) >> 33) - (1 << 29);
    bench_start();
    quicksort(v, N);
    bench_end();
    int sorted = 1;
    uint64_t h = 0;
    for (int i = 0; i < N; i++) {
        if (i && v[i - 1] > v[i]) sorted = 0;
        h = h * 31 + (uint32_t)v[i];
    }
    printf("qsort32 %d sorted=%d %d %d %016llx\n", N, sorted, v[0], v[N - 1], (unsigned long long)h);
    return 0;
}
