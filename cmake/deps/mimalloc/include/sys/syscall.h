/* mimalloc port (k23): no system calls (mimalloc only tests for SYS_mbind). */
#ifndef K23_MIMALLOC_SYS_SYSCALL_H
#define K23_MIMALLOC_SYS_SYSCALL_H
#endif
