/* bench.h: the measured region of a k23 workload (bench/workloads/README.md).
 *
 * bench_start() / bench_end() bracket the kernel that is measured. Under
 * QEMU the k23_icount plugin (perf/plugin) counts the instructions between
 * the two marker HINTs `slti x0,x0,0x7f1` and `slti x0,x0,0x7f2`:
 *   - wasm32-wasi: imports bench.start / bench.end; the engine (k23-run, the
 *     wasm2c harness in bench/wasm2c) executes the markers;
 *   - native riscv64: the markers, inline;
 *   - anything else (a host build for debugging): nothing.
 */
#ifndef K23_BENCH_H
#define K23_BENCH_H

#if defined(__wasm__)
__attribute__((import_module("bench"), import_name("start"))) void bench_start(void);
__attribute__((import_module("bench"), import_name("end"))) void bench_end(void);
#elif defined(__riscv)
static inline void bench_start(void) { __asm__ volatile("slti x0, x0, 0x7f1" ::: "memory"); }
static inline void bench_end(void) { __asm__ volatile("slti x0, x0, 0x7f2" ::: "memory"); }
#else
static inline void bench_start(void) { }
static inline void bench_end(void) { }
#endif

/* A deterministic generator for inputs (xorshift64*). */
static inline unsigned long long bench_rand(unsigned long long* s)
{
    unsigned long long x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Keeps a value alive across the measured region without printing it. */
#define BENCH_KEEP(v) __asm__ volatile("" : : "r"(v) : "memory")

#endif
