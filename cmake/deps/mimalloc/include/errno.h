/* mimalloc port (k23): error numbers mimalloc's API reports. */
#ifndef K23_MIMALLOC_ERRNO_H
#define K23_MIMALLOC_ERRNO_H
extern int k23_mimalloc_errno;
#define errno k23_mimalloc_errno
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EINVAL 22
#define EOVERFLOW 75
#endif
