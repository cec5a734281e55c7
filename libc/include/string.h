/* The <string.h> of k23's freestanding builds (loader, kernel): only the
 * functions libc/String.cpp defines. Third-party C compiled freestanding
 * (zstd, BearSSL; see cmake/deps/) finds this through its include path. */
#ifndef K23_LIBC_STRING_H
#define K23_LIBC_STRING_H

#include <stddef.h>

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
char* strcpy(char* destination, const char* source);
char* strncpy(char* destination, const char* source, size_t count);

#ifdef __cplusplus
}
#endif

#endif /* K23_LIBC_STRING_H */
