/* k23's port of mimalloc 2.0.9 (cmake/deps/mimalloc.cmake): force-included
 * into every mimalloc source file. The kernel side is kernel/heap/MimallocPort.cpp.
 *
 * mimalloc's default heap and thread id are thread-local; in the kernel
 * they are per hart, kept in the HartLocal block tp points at
 * (kernel/Trap.h). The recipe rewrites mimalloc's few direct uses of its
 * __thread variable into the calls below. */
#ifndef K23_MIMALLOC_PORT_H
#define K23_MIMALLOC_PORT_H

#include <stddef.h>
#include <stdint.h>

/* The C library functions mimalloc calls, renamed so the port's versions
 * (kernel/heap/MimallocPort.cpp) never clash with the kernel's libc. */
#define mmap k23_mimalloc_mmap
#define munmap k23_mimalloc_munmap
#define mprotect k23_mimalloc_mprotect
#define madvise k23_mimalloc_madvise
#define sysconf k23_mimalloc_sysconf
#define getenv k23_mimalloc_getenv
#define strtol k23_mimalloc_strtol
#define abort k23_mimalloc_abort
#define atexit k23_mimalloc_atexit
#define fputs k23_mimalloc_fputs
#define snprintf k23_mimalloc_snprintf
#define vsnprintf k23_mimalloc_vsnprintf
#define clock_gettime k23_mimalloc_clock_gettime
#define clock k23_mimalloc_clock
#define strerror k23_mimalloc_strerror
#define strstr k23_mimalloc_strstr
#define strncat k23_mimalloc_strncat
#define sleep k23_mimalloc_sleep
#define realpath k23_mimalloc_realpath
#define free k23_mimalloc_free
#define pthread_key_create k23_mimalloc_pthread_key_create
#define pthread_key_delete k23_mimalloc_pthread_key_delete
#define pthread_setspecific k23_mimalloc_pthread_setspecific
#define pthread_getspecific k23_mimalloc_pthread_getspecific
#define pthread_mutex_lock k23_mimalloc_pthread_mutex_lock
#define pthread_mutex_unlock k23_mimalloc_pthread_mutex_unlock
char* strerror(int error);
char* strstr(const char* haystack, const char* needle);
char* strncat(char* destination, const char* source, size_t count);

/* Word index of HartLocal::mimalloc_heap (checked by a static_assert in
 * kernel/heap/MimallocPort.cpp). */
#define K23_HART_LOCAL_MIMALLOC_HEAP_SLOT 3

struct mi_heap_s;
extern const struct mi_heap_s _mi_heap_empty;

static inline void** k23_mimalloc_heap_slot(void)
{
    void** hart;
    __asm__("mv %0, tp" : "=r"(hart));
    return hart + K23_HART_LOCAL_MIMALLOC_HEAP_SLOT;
}

/* A hart that never allocated has a null slot: mimalloc's convention for
 * that is the shared read-only empty heap. */
static inline struct mi_heap_s* k23_mimalloc_default_heap(void)
{
    struct mi_heap_s* heap = (struct mi_heap_s*)*k23_mimalloc_heap_slot();
    return heap != NULL ? heap : (struct mi_heap_s*)&_mi_heap_empty;
}

static inline void k23_mimalloc_set_default_heap(struct mi_heap_s* heap)
{
    *k23_mimalloc_heap_slot() = heap;
}

/* Unique per hart: the address of its HartLocal block. */
static inline uintptr_t k23_mimalloc_thread_id(void)
{
    uintptr_t hart;
    __asm__("mv %0, tp" : "=r"(hart));
    return hart;
}

#endif
