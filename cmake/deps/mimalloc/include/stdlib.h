/* mimalloc port (k23): no environment, no process exit. */
#ifndef K23_MIMALLOC_STDLIB_H
#define K23_MIMALLOC_STDLIB_H
#include <stddef.h>
char* getenv(const char* name);
long strtol(const char* text, char** end, int base);
void abort(void) __attribute__((noreturn));
int atexit(void (*function)(void));
char* realpath(const char* path, char* resolved);
void free(void* pointer);
#endif
