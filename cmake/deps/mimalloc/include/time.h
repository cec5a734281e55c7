/* mimalloc port (k23): the clock behind mimalloc's stats and weak random seed. */
#ifndef K23_MIMALLOC_TIME_H
#define K23_MIMALLOC_TIME_H
typedef long time_t;
typedef int clockid_t;
struct timespec { time_t tv_sec; long tv_nsec; };
#define CLOCK_MONOTONIC 1
int clock_gettime(clockid_t clock, struct timespec* out);
typedef long clock_t;
#define CLOCKS_PER_SEC 1000000L
clock_t clock(void);
time_t time(time_t* out);
#endif
