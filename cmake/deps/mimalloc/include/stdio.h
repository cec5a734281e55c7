/* mimalloc port (k23): the output mimalloc uses for warnings and stats. */
#ifndef K23_MIMALLOC_STDIO_H
#define K23_MIMALLOC_STDIO_H
#include <stdarg.h>
#include <stddef.h>
typedef struct k23_mimalloc_file FILE;
extern FILE* const k23_mimalloc_stderr;
extern FILE* const k23_mimalloc_stdout;
#define stderr k23_mimalloc_stderr
#define stdout k23_mimalloc_stdout
int fputs(const char* text, FILE* stream);
int vsnprintf(char* buffer, size_t size, const char* format, va_list args);
int snprintf(char* buffer, size_t size, const char* format, ...);
#endif
