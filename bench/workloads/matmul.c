/* matmul: dense single-precision matrix multiply, i-k-j order (SIMD-friendly
 * inner loop), 96x96, 3 times. Floating point, vectorizable. */
#include <stdio.h>
#include "bench.h"

#define N 96
static float a[N][N], b[N][N], c[N][N];

static void multiply(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            c[i][j] = 0.0f;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < N; k++) {
            float aik = a[i][k];
            for (int j = 0; j < N; j++)
                c[i][j] += aik * b[k][j];
        }
}

int main(void)
{
    unsigned long long s = 42;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (float)(bench_rand(&s) % 1000) / 250.0f - 2.0f;
            b[i][j] = (float)(bench_rand(&s) % 1000) / 250.0f - 2.0f;
        }
    bench_start();
    for (int r = 0; r < 3; r++) {
        multiply();
        a[r][r] += c[N - 1 - r][r] * 0.001f;
    }
    bench_end();
    double sum = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            sum += c[i][j] * (double)((i * 7 + j) % 13);
    printf("matmul %d %.4f\n", N, sum);
    return 0;
}
