/* mimalloc port (k23). */
#ifndef K23_MIMALLOC_UNISTD_H
#define K23_MIMALLOC_UNISTD_H
#define _SC_PAGESIZE 30
long sysconf(int name);
unsigned sleep(unsigned seconds);
#endif
