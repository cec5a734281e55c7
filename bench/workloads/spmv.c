/* spmv: sparse matrix-vector product in CSR form (20000 rows, ~12 nonzeros
 * per row, random columns), 8 power-iteration steps with normalization.
 * Indirect, memory-bound double-precision loads. */
#include <math.h>
#include <stdio.h>
#include "bench.h"

#define ROWS 20000
#define MAX_PER_ROW 16   /* 8..16 nonzeros per row, ~12 on average */
static int rowptr[ROWS + 1], col[ROWS * MAX_PER_ROW];
static double val[ROWS * MAX_PER_ROW], x[ROWS], y[ROWS];

int main(void)
{
    unsigned long long s = 11;
    int nnz = 0;
    for (int r = 0; r < ROWS; r++) {
        rowptr[r] = nnz;
        int n = 8 + (int)(bench_rand(&s) % 9);
        for (int k = 0; k < n; k++) {
            col[nnz] = (int)(bench_rand(&s) % ROWS);
            val[nnz] = (double)(bench_rand(&s) % 1000) / 1000.0;
            nnz++;
        }
    }
    rowptr[ROWS] = nnz;
    for (int i = 0; i < ROWS; i++) x[i] = 1.0;
    double norm = 0;
    bench_start();
    for (int it = 0; it < 8; it++) {
        for (int r = 0; r < ROWS; r++) {
            double sum = 0;
            for (int k = rowptr[r]; k < rowptr[r + 1]; k++)
                sum += val[k] * x[col[k]];
            y[r] = sum;
        }
        norm = 0;
        for (int i = 0; i < ROWS; i++) norm += y[i] * y[i];
        norm = sqrt(norm);
        for (int i = 0; i < ROWS; i++) x[i] = y[i] / norm;
    }
    bench_end();
    printf("spmv %d %d %.9f %.9f\n", ROWS, nnz, norm, x[0] + x[ROWS / 2]);
    return 0;
}
