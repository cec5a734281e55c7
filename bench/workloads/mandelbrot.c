/* mandelbrot: escape-time iteration counts of a 160x120 grid, at most 200
 * iterations per point. Double-precision floating point, data-dependent
 * loop exits. */
#include <stdint.h>
#include <stdio.h>
#include "bench.h"

#define WIDTH 160
#define HEIGHT 120
#define MAXIT 200
static uint8_t iters[HEIGHT][WIDTH];

int main(void)
{
    bench_start();
    for (int y = 0; y < HEIGHT; y++) {
        double ci = -1.2 + 2.4 * y / HEIGHT;
        for (int x = 0; x < WIDTH; x++) {
            double cr = -2.2 + 3.2 * x / WIDTH;
            double zr = 0, zi = 0;
            int n = 0;
            while (n < MAXIT && zr * zr + zi * zi <= 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2 * zr * zi + ci;
                zr = t;
                n++;
            }
            iters[y][x] = (uint8_t)n;
        }
    }
    bench_end();
    uint64_t sum = 0, inside = 0;
    for (int y = 0; y < HEIGHT; y++)
        for (int x = 0; x < WIDTH; x++) {
            sum = sum * 7 + iters[y][x];
            inside += iters[y][x] == MAXIT;
        }
    printf("mandelbrot %dx%d inside=%llu %016llx\n", WIDTH, HEIGHT,
           (unsigned long long)inside, (unsigned long long)sum);
    return 0;
}
