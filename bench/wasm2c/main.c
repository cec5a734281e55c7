/* k23 bench: the wasm2c peer's harness. Instantiates the module generated
 * as `wasm2c -n workload` (Z_workload_*), gives it the WASI host of wasi.c
 * and the bench.start / bench.end imports, which execute the k23_icount
 * marker HINTs (perf/plugin), and runs its _start. */
#include <stdio.h>
#include <stdlib.h>

#include "wasm-rt.h"
#include "wasm-rt-impl.h"
#include "workload.h"
#include "wasi.h"

void Z_benchZ_start(struct Z_bench_instance_t* b)
{
    (void)b;
    __asm__ volatile("slti x0, x0, 0x7f1" ::: "memory");
}

void Z_benchZ_end(struct Z_bench_instance_t* b)
{
    (void)b;
    __asm__ volatile("slti x0, x0, 0x7f2" ::: "memory");
}

int main(void)
{
    static Z_workload_instance_t instance;
    static struct Z_bench_instance_t bench;
    static struct Z_wasi_snapshot_preview1_instance_t wasi;
    wasm_rt_init();
    Z_workload_init_module();
    Z_workload_instantiate(&instance, &bench, &wasi);
    k23_wasi_init(&wasi, Z_workloadZ_memory(&instance));
    wasm_rt_trap_t trap = wasm_rt_impl_try();
    if (trap != WASM_RT_TRAP_NONE) {
        fflush(stdout);
        fprintf(stderr, "wasm2c: trap: %s\n", wasm_rt_strerror(trap));
        return 128;
    }
    Z_workloadZ__start(&instance);
    fflush(stdout);
    return 0;
}
