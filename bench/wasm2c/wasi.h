/* k23 bench: the wasm2c harness's WASI host (wasi.c). */
#ifndef K23_BENCH_WASI_H
#define K23_BENCH_WASI_H
#include "wasm-rt.h"

#ifndef WASM_RT_CORE_TYPES_DEFINED
#define WASM_RT_CORE_TYPES_DEFINED
#include <stdint.h>
typedef uint8_t u8;
typedef int8_t s8;
typedef uint16_t u16;
typedef int16_t s16;
typedef uint32_t u32;
typedef int32_t s32;
typedef uint64_t u64;
typedef int64_t s64;
typedef float f32;
typedef double f64;
#endif

struct Z_wasi_snapshot_preview1_instance_t {
    wasm_rt_memory_t* memory;
};
struct Z_bench_instance_t {
    int unused;
};

void k23_wasi_init(struct Z_wasi_snapshot_preview1_instance_t* w, wasm_rt_memory_t* memory);
#endif
