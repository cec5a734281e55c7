/* k23 bench: a minimal WASI preview1 host for wasm2c-compiled workloads
 * (wabt 1.0.32's wasm2c naming: Z_<module>Z_<name>, imports receive the
 * importing module's instance struct of the import module).
 *
 * Enough for the workloads: stdio, args/environ (empty), a preopened "."
 * (fd 3) with read-only file access below it, clocks, deterministic
 * random_get, proc_exit. Everything else a module may import is absent on
 * purpose: such a module fails to link and the harness says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wasm-rt.h"
#include "wasi.h"

enum {
    E_SUCCESS = 0, E_ACCES = 2, E_BADF = 8, E_EXIST = 20, E_INVAL = 28, E_IO = 29,
    E_ISDIR = 31, E_NOENT = 44, E_NOSYS = 52, E_NOTDIR = 54, E_SPIPE = 70, E_NOTCAPABLE = 76,
};
enum { FT_UNKNOWN = 0, FT_CHAR = 2, FT_DIR = 3, FT_REG = 4 };

#define MAX_FDS 64
static int host_fd[MAX_FDS];   /* wasm fd -> host fd; -1 closed; fd 3 is the preopen */
static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;

void k23_wasi_init(struct Z_wasi_snapshot_preview1_instance_t* w, wasm_rt_memory_t* memory)
{
    w->memory = memory;
    for (int i = 0; i < MAX_FDS; i++)
        host_fd[i] = -1;
    host_fd[0] = 0;
    host_fd[1] = 1;
    host_fd[2] = 2;
    host_fd[3] = open(".", O_RDONLY | O_DIRECTORY);
}

static int in_bounds(struct Z_wasi_snapshot_preview1_instance_t* w, uint64_t p, uint64_t n)
{
    return p + n <= w->memory->size;
}
#define CHECK(p, n) do { if (!in_bounds(w, (p), (n))) return E_INVAL; } while (0)
static uint8_t* at(struct Z_wasi_snapshot_preview1_instance_t* w, uint32_t p) { return w->memory->data + p; }
static uint32_t rd32(struct Z_wasi_snapshot_preview1_instance_t* w, uint32_t p) { uint32_t v; memcpy(&v, at(w, p), 4); return v; }
static void wr8(struct Z_wasi_snapshot_preview1_instance_t* w, uint32_t p, uint8_t v) { *at(w, p) = v; }
static void wr16(struct Z_wasi_snapshot_preview1_instance_t* w, uint32_t p, uint16_t v) { memcpy(at(w, p), &v, 2); }
static void wr32(struct Z_wasi_snapshot_preview1_instance_t* w, uint32_t p, uint32_t v) { memcpy(at(w, p), &v, 4); }
static void wr64(struct Z_wasi_snapshot_preview1_instance_t* w, uint32_t p, uint64_t v) { memcpy(at(w, p), &v, 8); }

static uint32_t from_errno(int e)
{
    switch (e) {
    case EACCES: case EPERM: return E_ACCES;
    case EBADF: return E_BADF;
    case EEXIST: return E_EXIST;
    case EINVAL: return E_INVAL;
    case EISDIR: return E_ISDIR;
    case ENOENT: return E_NOENT;
    case ENOTDIR: return E_NOTDIR;
    case ESPIPE: return E_SPIPE;
    default: return E_IO;
    }
}

static int lookup(uint32_t fd) { return fd < MAX_FDS ? host_fd[fd] : -1; }

static uint8_t filetype(mode_t m)
{
    return S_ISREG(m) ? FT_REG : S_ISDIR(m) ? FT_DIR : S_ISCHR(m) ? FT_CHAR : FT_UNKNOWN;
}

u32 Z_wasi_snapshot_preview1Z_args_sizes_get(struct Z_wasi_snapshot_preview1_instance_t* w, u32 argc, u32 size)
{
    CHECK(argc, 4); CHECK(size, 4);
    wr32(w, argc, 0); wr32(w, size, 0);
    return E_SUCCESS;
}
u32 Z_wasi_snapshot_preview1Z_args_get(struct Z_wasi_snapshot_preview1_instance_t* w, u32 argv, u32 buf)
{
    (void)w; (void)argv; (void)buf;
    return E_SUCCESS;
}
u32 Z_wasi_snapshot_preview1Z_environ_sizes_get(struct Z_wasi_snapshot_preview1_instance_t* w, u32 n, u32 size)
{
    return Z_wasi_snapshot_preview1Z_args_sizes_get(w, n, size);
}
u32 Z_wasi_snapshot_preview1Z_environ_get(struct Z_wasi_snapshot_preview1_instance_t* w, u32 env, u32 buf)
{
    (void)w; (void)env; (void)buf;
    return E_SUCCESS;
}

static u32 rw(struct Z_wasi_snapshot_preview1_instance_t* w, u32 fd, u32 iovs, u32 n, u32 done, int write_)
{
    int h = lookup(fd);
    if (h < 0 || fd == 3) return E_BADF;
    CHECK(iovs, (uint64_t)n * 8); CHECK(done, 4);
    uint64_t total = 0;
    for (u32 i = 0; i < n; i++) {
        u32 p = rd32(w, iovs + 8 * i), len = rd32(w, iovs + 8 * i + 4);
        CHECK(p, len);
        while (len) {
            ssize_t r = write_ ? write(h, at(w, p), len) : read(h, at(w, p), len);
            if (r < 0) {
                if (errno == EINTR) continue;
                if (total) break;
                return from_errno(errno);
            }
            total += (uint64_t)r;
            if (r == 0 || !write_) { len = 0; if (!write_ && (u32)r < rd32(w, iovs + 8 * i + 4)) i = n; break; }
            p += (u32)r; len -= (u32)r;
        }
    }
    wr32(w, done, (u32)total);
    return E_SUCCESS;
}
u32 Z_wasi_snapshot_preview1Z_fd_write(struct Z_wasi_snapshot_preview1_instance_t* w, u32 fd, u32 iovs, u32 n, u32 done)
{
    return rw(w, fd, iovs, n, done, 1);
}
u32 Z_wasi_snapshot_preview1Z_fd_read(struct Z_wasi_snapshot_preview1_instance_t* w, u32 fd, u32 iovs, u32 n, u32 done)
{
    return rw(w, fd, iovs, n, done, 0);
}
u32 Z_wasi_snapshot_preview1Z_fd_seek(struct Z_wasi_snapshot_preview1_instance_t* w, u32 fd, u64 off, u32 whence, u32 out)
{
    int h = lookup(fd);
    if (h < 0 || fd == 3) return E_BADF;
    CHECK(out, 8);
    int wh = whence == 0 ? SEEK_SET : whence == 1 ? SEEK_CUR : whence == 2 ? SEEK_END : -1;
    if (wh < 0) return E_INVAL;
    off_t r = lseek(h, (off_t)off, wh);
    if (r < 0) return from_errno(errno);
    wr64(w, out, (uint64_t)r);
    return E_SUCCESS;
}
u32 Z_wasi_snapshot_preview1Z_fd_close(struct Z_wasi_snapshot_preview1_instance_t* w, u32 fd)
{
    (void)w;
    int h = lookup(fd);
    if (h < 0) return E_BADF;
    if (fd > 3) close(h);
    host_fd[fd] = -1;
    return E_SUCCESS;
}
u32 Z_wasi_snapshot_preview1Z_fd_fdstat_get(struct Z_wasi_snapshot_preview1_instance_t* w, u32 fd, u32 buf)
{
    int h = lookup(fd);
    if (h < 0) return E_BADF;
    CHECK(buf, 24);
    struct stat st;
    if (fstat(h, &st) != 0) return from_errno(errno);
    memset(at(w, buf), 0, 24);
    wr8(w, buf, filetype(st.st_mode));
    wr16(w, buf + 2, 0);
    wr64(w, buf + 8, ~0ULL);
    wr64(w, buf + 16, ~0ULL);
    return E_SUCCESS;
}
static void put_filestat(struct Z_wasi_snapshot_preview1_instance_t* w, u32 buf, const struct stat* st)
{
    memset(at(w, buf), 0, 64);
    wr64(w, buf, (uint64_t)st->st_dev);
    wr64(w, buf + 8, (uint64_t)st->st_ino);
    wr8(w, buf + 16, filetype(st->st_mode));
    wr64(w, buf + 24, (uint64_t)st->st_nlink);
    wr64(w, buf + 32, (uint64_t)st->st_size);
    /* times left 0: nothing in a workload may depend on them */
}
u32 Z_wasi_snapshot_preview1Z_fd_filestat_get(struct Z_wasi_snapshot_preview1_instance_t* w, u32 fd, u32 buf)
{
    int h = lookup(fd);
    if (h < 0) return E_BADF;
    CHECK(buf, 64);
    struct stat st;
    if (fstat(h, &st) != 0) return from_errno(errno);
    put_filestat(w, buf, &st);
    return E_SUCCESS;
}
u32 Z_wasi_snapshot_preview1Z_fd_prestat_get(struct Z_wasi_snapshot_preview1_instance_t* w, u32 fd, u32 buf)
{
    if (fd != 3 || host_fd[3] < 0) return E_BADF;
    CHECK(buf, 8);
    wr32(w, buf, 0);      /* tag: directory */
    wr32(w, buf + 4, 1);  /* name length of "." */
    return E_SUCCESS;
}
u32 Z_wasi_snapshot_preview1Z_fd_prestat_dir_name(struct Z_wasi_snapshot_preview1_instance_t* w, u32 fd, u32 path, u32 len)
{
    if (fd != 3 || host_fd[3] < 0) return E_BADF;
    if (len < 1) return E_INVAL;
    CHECK(path, 1);
    wr8(w, path, '.');
    return E_SUCCESS;
}
/* A path below the preopen: relative, no "..", NUL-free. */
static int copy_path(struct Z_wasi_snapshot_preview1_instance_t* w, u32 p, u32 len, char* out, size_t cap)
{
    if (!in_bounds(w, p, len) || len == 0 || len >= cap) return E_INVAL;
    memcpy(out, at(w, p), len);
    out[len] = 0;
    if (memchr(out, 0, len) || out[0] == '/') return E_NOTCAPABLE;
    for (char* s = out; (s = strstr(s, "..")) != NULL; s += 2)
        if ((s == out || s[-1] == '/') && (s[2] == 0 || s[2] == '/')) return E_NOTCAPABLE;
    return 0;
}
u32 Z_wasi_snapshot_preview1Z_path_filestat_get(struct Z_wasi_snapshot_preview1_instance_t* w, u32 fd, u32 flags, u32 path, u32 len, u32 buf)
{
    (void)flags;
    char name[4096];
    if (fd != 3 || host_fd[3] < 0) return E_BADF;
    int e = copy_path(w, path, len, name, sizeof name);
    if (e) return (u32)e;
    CHECK(buf, 64);
    struct stat st;
    if (fstatat(host_fd[3], name, &st, 0) != 0) return from_errno(errno);
    put_filestat(w, buf, &st);
    return E_SUCCESS;
}
u32 Z_wasi_snapshot_preview1Z_path_open(struct Z_wasi_snapshot_preview1_instance_t* w, u32 fd, u32 dirflags,
                                        u32 path, u32 len, u32 oflags, u64 rights, u64 inherit,
                                        u32 fdflags, u32 out)
{
    (void)dirflags; (void)inherit; (void)fdflags;
    char name[4096];
    if (fd != 3 || host_fd[3] < 0) return E_BADF;
    int e = copy_path(w, path, len, name, sizeof name);
    if (e) return (u32)e;
    CHECK(out, 4);
    int flags = O_RDONLY;
    if (oflags & 2) flags |= O_DIRECTORY;
    if (oflags & (1 | 4 | 8) || (rights & (1ULL << 6)) /* fd_write */) {
        if (oflags & (1 | 8)) return E_NOTCAPABLE;   /* workloads only read their inputs */
    }
    int slot = 4;
    while (slot < MAX_FDS && host_fd[slot] >= 0) slot++;
    if (slot == MAX_FDS) return E_IO;
    int h = openat(host_fd[3], name, flags | O_CLOEXEC);
    if (h < 0) return from_errno(errno);
    host_fd[slot] = h;
    wr32(w, out, (u32)slot);
    return E_SUCCESS;
}
u32 Z_wasi_snapshot_preview1Z_clock_time_get(struct Z_wasi_snapshot_preview1_instance_t* w, u32 id, u64 precision, u32 out)
{
    (void)precision;
    CHECK(out, 8);
    struct timespec ts;
    clock_gettime(id == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC, &ts);
    wr64(w, out, (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
    return E_SUCCESS;
}
u32 Z_wasi_snapshot_preview1Z_random_get(struct Z_wasi_snapshot_preview1_instance_t* w, u32 buf, u32 len)
{
    /* Deterministic on purpose: benchmark runs must repeat exactly. */
    CHECK(buf, len);
    for (u32 i = 0; i < len; i++) {
        rng_state ^= rng_state >> 12; rng_state ^= rng_state << 25; rng_state ^= rng_state >> 27;
        wr8(w, buf + i, (uint8_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 56));
    }
    return E_SUCCESS;
}
void Z_wasi_snapshot_preview1Z_proc_exit(struct Z_wasi_snapshot_preview1_instance_t* w, u32 code)
{
    (void)w;
    fflush(stdout);
    _exit((int)code);
}
