/* libfdt's environment header for k23's freestanding builds (loader, kernel).
 *
 * libfdt's sources include "libfdt_env.h" with quotes, which finds the copy
 * beside them (OpenSBI's, which wants OpenSBI's headers) before any -I path.
 * cmake/deps/libfdt.cmake therefore force-includes this file (-include) and it
 * uses the same include guard, so the neighbouring copy becomes empty. Code
 * that includes <libfdt.h> gets this file through the include path, where
 * this directory comes first.
 *
 * Types come from the compiler's freestanding headers; the mem and str
 * functions are k23's own (libc/String.cpp, linked by loader and kernel).
 */
#ifndef LIBFDT_ENV_H
#define LIBFDT_ENV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void* memcpy(void* destination, const void* source, size_t count);
void* memmove(void* destination, const void* source, size_t count);
void* memset(void* destination, int value, size_t count);
int memcmp(const void* a, const void* b, size_t count);
void* memchr(const void* bytes, int value, size_t count);
size_t strlen(const char* string);
size_t strnlen(const char* string, size_t max_length);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t count);
char* strchr(const char* string, int ch);
char* strrchr(const char* string, int ch);

#ifdef __cplusplus
}
#endif

/* libfdt's sparse annotations; no sparse here. */
#define FDT_FORCE
#define FDT_BITWISE

typedef uint16_t fdt16_t;
typedef uint32_t fdt32_t;
typedef uint64_t fdt64_t;

/* The device tree is big-endian; RISC-V is little-endian. */
static inline uint16_t fdt16_to_cpu(fdt16_t x) { return __builtin_bswap16(x); }
static inline fdt16_t cpu_to_fdt16(uint16_t x) { return __builtin_bswap16(x); }
static inline uint32_t fdt32_to_cpu(fdt32_t x) { return __builtin_bswap32(x); }
static inline fdt32_t cpu_to_fdt32(uint32_t x) { return __builtin_bswap32(x); }
static inline uint64_t fdt64_to_cpu(fdt64_t x) { return __builtin_bswap64(x); }
static inline fdt64_t cpu_to_fdt64(uint64_t x) { return __builtin_bswap64(x); }

#endif /* LIBFDT_ENV_H */
