/* mimalloc port (k23): "OS memory" is physical frames from the kernel's
 * frame allocator (kernel/heap/MimallocPort.cpp) until the MMU is on.
 * MAP_ALIGNED (the BSD flag, which mimalloc's os.c honours) carries the
 * alignment mimalloc wants, so segments come back aligned without the
 * over-allocate-and-trim fallback. */
#ifndef K23_MIMALLOC_SYS_MMAN_H
#define K23_MIMALLOC_SYS_MMAN_H
#include <stddef.h>
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define MAP_ANON MAP_ANONYMOUS
#define MAP_NORESERVE 0x4000
#define MAP_FAILED ((void*)-1)
#define MAP_ALIGNMENT_SHIFT 24
#define MAP_ALIGNED(n) ((int)((unsigned)(n) << MAP_ALIGNMENT_SHIFT))
#define MADV_NORMAL 0
#define MADV_DONTNEED 4
void* mmap(void* address, size_t size, int protection, int flags, int fd, long offset);
int munmap(void* address, size_t size);
int mprotect(void* address, size_t size, int protection);
int madvise(void* address, size_t size, int advice);
#endif
