/* mimalloc port (k23). */
#ifndef K23_MIMALLOC_CTYPE_H
#define K23_MIMALLOC_CTYPE_H
static inline int toupper(int c) { return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c; }
#endif
