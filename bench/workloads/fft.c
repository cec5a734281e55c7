/* fft: iterative radix-2 complex FFT of 4096 points, forward and inverse,
 * 4 rounds, with a sine/cosine table. Double-precision floating point. */
#include <math.h>
#include <stdio.h>
#include "bench.h"

#define LOGN 12
#define N (1 << LOGN)
static double re[N], im[N], cosv[N / 2], sinv[N / 2];

static void fft(int inverse)
{
    for (unsigned i = 0, j = 0; i < N; i++) {
        if (i < j) {
            double t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
        }
        unsigned m = N >> 1;
        while (m >= 1 && (j & m)) { j ^= m; m >>= 1; }
        j |= m;
    }
    for (int len = 2; len <= N; len <<= 1) {
        int half = len >> 1, step = N / len;
        for (int i = 0; i < N; i += len)
            for (int k = 0; k < half; k++) {
                double wr = cosv[k * step], wi = inverse ? sinv[k * step] : -sinv[k * step];
                double xr = re[i + k + half] * wr - im[i + k + half] * wi;
                double xi = re[i + k + half] * wi + im[i + k + half] * wr;
                re[i + k + half] = re[i + k] - xr; im[i + k + half] = im[i + k] - xi;
                re[i + k] += xr; im[i + k] += xi;
            }
    }
    if (inverse)
        for (int i = 0; i < N; i++) { re[i] /= N; im[i] /= N; }
}

int main(void)
{
    for (int k = 0; k < N / 2; k++) {
        cosv[k] = cos(2 * M_PI * k / N);
        sinv[k] = sin(2 * M_PI * k / N);
    }
    unsigned long long s = 7;
    for (int i = 0; i < N; i++) {
        re[i] = (double)(bench_rand(&s) % 2001) / 1000.0 - 1.0;
        im[i] = 0;
    }
    double peak = 0;
    bench_start();
    for (int r = 0; r < 4; r++) {
        fft(0);
        double p = re[1] * re[1] + im[1] * im[1];
        peak += p;
        fft(1);
    }
    bench_end();
    double sum = 0;
    for (int i = 0; i < N; i++) sum += re[i] * (i % 7) + im[i];
    printf("fft %d %.6f %.3f\n", N, sum, peak);
    return 0;
}
