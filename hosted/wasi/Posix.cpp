#include <hosted/wasi/Posix.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

namespace k23::wasi::posix {

Errno errno_from_host(int e) noexcept
{
    switch (e) {
    case 0: return errno_::success;
    case E2BIG: return errno_::toobig;
    case EACCES: return errno_::acces;
    case EAGAIN: return errno_::again;
    case EBADF: return errno_::badf;
    case EBUSY: return errno_::busy;
    case EEXIST: return errno_::exist;
    case EFAULT: return errno_::fault;
    case EFBIG: return errno_::fbig;
    case EILSEQ: return errno_::ilseq;
    case EINTR: return errno_::intr;
    case EINVAL: return errno_::inval;
    case EIO: return errno_::io;
    case EISDIR: return errno_::isdir;
    case ELOOP: return errno_::loop;
    case EMFILE: return errno_::mfile;
    case EMLINK: return errno_::mlink;
    case ENAMETOOLONG: return errno_::nametoolong;
    case ENFILE: return errno_::nfile;
    case ENODEV: return errno_::nodev;
    case ENOENT: return errno_::noent;
    case ENOMEM: return errno_::nomem;
    case ENOSPC: return errno_::nospc;
    case ENOSYS: return errno_::nosys;
    case ENOTDIR: return errno_::notdir;
    case ENOTEMPTY: return errno_::notempty;
    case EOPNOTSUPP: return errno_::notsup;
    case ENOTTY: return errno_::notty;
    case ENXIO: return errno_::nxio;
    case EOVERFLOW: return errno_::overflow;
    case EPERM: return errno_::perm;
    case EPIPE: return errno_::pipe;
    case ERANGE: return errno_::range;
    case EROFS: return errno_::rofs;
    case ESPIPE: return errno_::spipe;
    case ETXTBSY: return errno_::txtbsy;
    case EXDEV: return errno_::xdev;
    default: return errno_::io;
    }
}

namespace {

Errno last_error() { return errno_from_host(errno); }

u8 filetype_from_mode(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return filetype::regular_file;
    case S_IFDIR: return filetype::directory;
    case S_IFCHR: return filetype::character_device;
    case S_IFBLK: return filetype::block_device;
    case S_IFLNK: return filetype::symbolic_link;
    case S_IFSOCK: return filetype::socket_stream;
    default: return filetype::unknown;
    }
}

u64 nanoseconds(const struct timespec& t) { return u64(t.tv_sec) * 1'000'000'000 + u64(t.tv_nsec); }

void convert(const struct stat& st, FileStat& out)
{
    out.device = st.st_dev;
    out.inode = st.st_ino;
    out.filetype = filetype_from_mode(st.st_mode);
    out.link_count = st.st_nlink;
    out.size = u64(st.st_size);
    out.access_time = nanoseconds(st.st_atim);
    out.modify_time = nanoseconds(st.st_mtim);
    out.change_time = nanoseconds(st.st_ctim);
}

// Walks a guest path beneath a root directory. On success, parent() is an
// open directory beneath (or equal to) the root and name() a single
// component in it ("." when the path names the directory itself) — never a
// symlink that was to be followed, never outside the root.
class PathWalk {
public:
    static constexpr usize max_depth = 128;
    static constexpr usize max_path = 4096;
    static constexpr u32 max_symlinks = 32;

    explicit PathWalk(int root_fd) noexcept
    {
        m_fds[0] = root_fd;
    }
    ~PathWalk() noexcept
    {
        for (usize i = 1; i <= m_depth; ++i)
            ::close(m_fds[i]);
    }
    PathWalk(const PathWalk&) = delete;
    PathWalk& operator=(const PathWalk&) = delete;

    [[nodiscard]] int parent() const noexcept { return m_fds[m_depth]; }
    [[nodiscard]] const char* name() const noexcept { return m_name; }
    // The path ended with '/': the final component must be a directory.
    [[nodiscard]] bool wants_directory() const noexcept { return m_trailing_slash; }

    [[nodiscard]] Errno walk(const char* path, usize length, bool follow_final) noexcept
    {
        if (length == 0)
            return errno_::noent;
        if (length >= max_path)
            return errno_::nametoolong;
        if (memchr(path, '\0', length))
            return errno_::ilseq;
        if (path[0] == '/')
            return errno_::notcapable; // absolute paths never name anything beneath a preopen
        // The unconsumed rest of the path lives at the end of m_rest, so a
        // symlink target can be put in front of it.
        usize rest_start = sizeof(m_rest) - length;
        memcpy(m_rest + rest_start, path, length);
        m_trailing_slash = path[length - 1] == '/';
        u32 symlinks = 0;

        while (true) {
            // Next component.
            while (rest_start < sizeof(m_rest) && m_rest[rest_start] == '/')
                ++rest_start;
            if (rest_start == sizeof(m_rest)) {
                // Nothing left: the path named the current directory.
                strcpy(m_name, ".");
                return errno_::success;
            }
            usize end = rest_start;
            while (end < sizeof(m_rest) && m_rest[end] != '/')
                ++end;
            usize component_length = end - rest_start;
            if (component_length > NAME_MAX)
                return errno_::nametoolong;
            char component[NAME_MAX + 1];
            memcpy(component, m_rest + rest_start, component_length);
            component[component_length] = '\0';
            rest_start = end;
            usize after = rest_start;
            while (after < sizeof(m_rest) && m_rest[after] == '/')
                ++after;
            bool is_last = after == sizeof(m_rest);

            if (strcmp(component, ".") == 0) {
                if (is_last) {
                    strcpy(m_name, ".");
                    return errno_::success;
                }
                continue;
            }
            if (strcmp(component, "..") == 0) {
                if (m_depth == 0)
                    return errno_::notcapable; // would climb above the preopen
                ::close(m_fds[m_depth--]);
                if (is_last) {
                    strcpy(m_name, ".");
                    return errno_::success;
                }
                continue;
            }

            struct stat st;
            bool exists = ::fstatat(parent(), component, &st, AT_SYMLINK_NOFOLLOW) == 0;
            if (!exists && errno != ENOENT)
                return last_error();
            if (exists && S_ISLNK(st.st_mode) && (!is_last || follow_final)) {
                if (++symlinks > max_symlinks)
                    return errno_::loop;
                char target[max_path];
                ssize_t target_length = ::readlinkat(parent(), component, target, sizeof(target));
                if (target_length < 0)
                    return last_error();
                if (usize(target_length) >= sizeof(target))
                    return errno_::nametoolong;
                if (target_length == 0)
                    return errno_::noent;
                if (target[0] == '/')
                    return errno_::notcapable; // an absolute symlink leaves the sandbox
                // rest = target + "/" + rest
                usize needed = usize(target_length) + 1;
                if (needed > rest_start)
                    return errno_::nametoolong;
                rest_start -= needed;
                memcpy(m_rest + rest_start, target, usize(target_length));
                m_rest[rest_start + usize(target_length)] = '/';
                if (is_last && target[target_length - 1] == '/')
                    m_trailing_slash = true;
                continue;
            }
            if (is_last) {
                strcpy(m_name, component);
                return errno_::success;
            }
            if (!exists)
                return errno_::noent;
            if (!S_ISDIR(st.st_mode))
                return errno_::notdir;
            if (m_depth + 1 >= max_depth)
                return errno_::nametoolong;
            int fd = ::openat(parent(), component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0)
                return last_error(); // ELOOP if it was swapped for a symlink meanwhile
            m_fds[++m_depth] = fd;
        }
    }

private:
    int m_fds[max_depth] {};
    usize m_depth { 0 };
    bool m_trailing_slash { false };
    char m_name[NAME_MAX + 1] {};
    char m_rest[2 * max_path];
};

} // namespace

Errno read(int fd, u8* buffer, usize length, usize& done) noexcept
{
    done = 0;
    ssize_t n = ::read(fd, buffer, length);
    if (n < 0)
        return last_error();
    done = usize(n);
    return errno_::success;
}

Errno write(int fd, const u8* data, usize length, usize& done) noexcept
{
    done = 0;
    ssize_t n = ::write(fd, data, length);
    if (n < 0)
        return last_error();
    done = usize(n);
    return errno_::success;
}

Errno pread(int fd, u8* buffer, usize length, u64 offset, usize& done) noexcept
{
    done = 0;
    if (offset > u64(INT64_MAX))
        return errno_::inval;
    ssize_t n = ::pread(fd, buffer, length, off_t(offset));
    if (n < 0)
        return last_error();
    done = usize(n);
    return errno_::success;
}

Errno pwrite(int fd, const u8* data, usize length, u64 offset, usize& done) noexcept
{
    done = 0;
    if (offset > u64(INT64_MAX))
        return errno_::inval;
    ssize_t n = ::pwrite(fd, data, length, off_t(offset));
    if (n < 0)
        return last_error();
    done = usize(n);
    return errno_::success;
}

Errno seek(int fd, i64 offset, u8 wasi_whence, u64& new_offset) noexcept
{
    int host_whence;
    switch (wasi_whence) {
    case whence::set: host_whence = SEEK_SET; break;
    case whence::cur: host_whence = SEEK_CUR; break;
    case whence::end: host_whence = SEEK_END; break;
    default: return errno_::inval;
    }
    off_t result = ::lseek(fd, off_t(offset), host_whence);
    if (result < 0)
        return last_error();
    new_offset = u64(result);
    return errno_::success;
}

Errno close(int fd) noexcept
{
    if (::close(fd) != 0 && errno != EINTR)
        return last_error();
    return errno_::success;
}

Errno sync(int fd, bool data_only) noexcept
{
    if ((data_only ? ::fdatasync(fd) : ::fsync(fd)) != 0)
        return last_error();
    return errno_::success;
}

Errno fstat(int fd, FileStat& out) noexcept
{
    struct stat st;
    if (::fstat(fd, &st) != 0)
        return last_error();
    convert(st, out);
    return errno_::success;
}

Errno set_size(int fd, u64 size) noexcept
{
    if (size > u64(INT64_MAX))
        return errno_::inval;
    if (::ftruncate(fd, off_t(size)) != 0)
        return last_error();
    return errno_::success;
}

Errno get_fd_flags(int fd, u16& wasi_flags) noexcept
{
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0)
        return last_error();
    wasi_flags = 0;
    if (flags & O_APPEND)
        wasi_flags |= fdflags::append;
    if (flags & O_NONBLOCK)
        wasi_flags |= fdflags::nonblock;
    if ((flags & O_SYNC) == O_SYNC)
        wasi_flags |= fdflags::sync | fdflags::rsync;
    else if (flags & O_DSYNC)
        wasi_flags |= fdflags::dsync;
    return errno_::success;
}

Errno set_fd_flags(int fd, u16 wasi_flags) noexcept
{
    // Linux changes only O_APPEND and O_NONBLOCK through F_SETFL.
    if (wasi_flags & (fdflags::dsync | fdflags::rsync | fdflags::sync))
        return errno_::notsup;
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0)
        return last_error();
    flags &= ~(O_APPEND | O_NONBLOCK);
    if (wasi_flags & fdflags::append)
        flags |= O_APPEND;
    if (wasi_flags & fdflags::nonblock)
        flags |= O_NONBLOCK;
    if (::fcntl(fd, F_SETFL, flags) != 0)
        return last_error();
    return errno_::success;
}

Errno ensure_open(int fd) noexcept
{
    if (::fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
        return errno_::success;
    // open() returns the lowest free number: `fd` itself when the ones
    // below it are open; otherwise move it there.
    int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd < 0)
        return last_error();
    if (null_fd != fd) {
        int moved = ::dup2(null_fd, fd);
        ::close(null_fd);
        if (moved < 0)
            return last_error();
    }
    return errno_::success;
}

Errno open_directory(const char* host_path, int& fd) noexcept
{
    fd = ::open(host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return last_error();
    return errno_::success;
}

Errno open_at(int root_fd, const char* path, usize path_length, u32 lookupflags, u16 wasi_oflags, u16 wasi_fdflags,
    bool want_read, bool want_write, int& fd) noexcept
{
    PathWalk walk(root_fd);
    if (Errno e = walk.walk(path, path_length, lookupflags & lookup_symlink_follow))
        return e;
    int flags = O_CLOEXEC | O_NOFOLLOW;
    if (wasi_oflags & oflags::creat)
        flags |= O_CREAT;
    if (wasi_oflags & oflags::excl)
        flags |= O_EXCL;
    if (wasi_oflags & oflags::trunc)
        flags |= O_TRUNC;
    if ((wasi_oflags & oflags::directory) || walk.wants_directory())
        flags |= O_DIRECTORY;
    if (wasi_fdflags & fdflags::append)
        flags |= O_APPEND;
    if (wasi_fdflags & fdflags::nonblock)
        flags |= O_NONBLOCK;
    if (wasi_fdflags & fdflags::dsync)
        flags |= O_DSYNC;
    if (wasi_fdflags & (fdflags::sync | fdflags::rsync))
        flags |= O_SYNC;
    int access = want_write ? (want_read ? O_RDWR : O_WRONLY) : O_RDONLY;
    fd = ::openat(walk.parent(), walk.name(), flags | access, 0666);
    if (fd < 0 && errno == EISDIR && access != O_RDONLY && !(flags & (O_CREAT | O_TRUNC))) {
        // A directory asked for with write rights (wasi-libc asks for every
        // right): open it read-only, as other runtimes do.
        fd = ::openat(walk.parent(), walk.name(), flags | O_RDONLY, 0666);
    }
    if (fd < 0)
        return last_error();
    return errno_::success;
}

Errno stat_at(int root_fd, const char* path, usize path_length, u32 lookupflags, FileStat& out) noexcept
{
    PathWalk walk(root_fd);
    if (Errno e = walk.walk(path, path_length, lookupflags & lookup_symlink_follow))
        return e;
    struct stat st;
    if (::fstatat(walk.parent(), walk.name(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return last_error();
    if (walk.wants_directory() && !S_ISDIR(st.st_mode))
        return errno_::notdir;
    convert(st, out);
    return errno_::success;
}

Errno create_directory_at(int root_fd, const char* path, usize path_length) noexcept
{
    PathWalk walk(root_fd);
    if (Errno e = walk.walk(path, path_length, false))
        return e;
    if (::mkdirat(walk.parent(), walk.name(), 0777) != 0)
        return last_error();
    return errno_::success;
}

Errno remove_directory_at(int root_fd, const char* path, usize path_length) noexcept
{
    PathWalk walk(root_fd);
    if (Errno e = walk.walk(path, path_length, false))
        return e;
    if (::unlinkat(walk.parent(), walk.name(), AT_REMOVEDIR) != 0)
        return last_error();
    return errno_::success;
}

Errno unlink_file_at(int root_fd, const char* path, usize path_length) noexcept
{
    PathWalk walk(root_fd);
    if (Errno e = walk.walk(path, path_length, false))
        return e;
    if (walk.wants_directory())
        return errno_::notdir;
    if (::unlinkat(walk.parent(), walk.name(), 0) != 0)
        return last_error();
    return errno_::success;
}

Errno readlink_at(int root_fd, const char* path, usize path_length, u8* buffer, usize buffer_length, usize& used) noexcept
{
    PathWalk walk(root_fd);
    if (Errno e = walk.walk(path, path_length, false))
        return e;
    char target[PathWalk::max_path];
    ssize_t n = ::readlinkat(walk.parent(), walk.name(), target, sizeof(target));
    if (n < 0)
        return last_error();
    used = usize(n) < buffer_length ? usize(n) : buffer_length;
    memcpy(buffer, target, used);
    return errno_::success;
}

Errno rename_at(int old_root, const char* old_path, usize old_length, int new_root, const char* new_path, usize new_length) noexcept
{
    PathWalk from(old_root);
    if (Errno e = from.walk(old_path, old_length, false))
        return e;
    PathWalk to(new_root);
    if (Errno e = to.walk(new_path, new_length, false))
        return e;
    if (::renameat(from.parent(), from.name(), to.parent(), to.name()) != 0)
        return last_error();
    return errno_::success;
}

Errno link_at(int old_root, u32 old_lookupflags, const char* old_path, usize old_length, int new_root, const char* new_path, usize new_length) noexcept
{
    PathWalk from(old_root);
    if (Errno e = from.walk(old_path, old_length, old_lookupflags & lookup_symlink_follow))
        return e;
    PathWalk to(new_root);
    if (Errno e = to.walk(new_path, new_length, false))
        return e;
    if (::linkat(from.parent(), from.name(), to.parent(), to.name(), 0) != 0)
        return last_error();
    return errno_::success;
}

Errno symlink_at(const char* target, usize target_length, int root_fd, const char* path, usize path_length) noexcept
{
    // The target is stored as given; following it later goes through
    // PathWalk, which refuses absolute and escaping targets.
    char stored[PathWalk::max_path];
    if (target_length >= sizeof(stored))
        return errno_::nametoolong;
    if (memchr(target, '\0', target_length))
        return errno_::ilseq;
    memcpy(stored, target, target_length);
    stored[target_length] = '\0';
    PathWalk walk(root_fd);
    if (Errno e = walk.walk(path, path_length, false))
        return e;
    if (::symlinkat(stored, walk.parent(), walk.name()) != 0)
        return last_error();
    return errno_::success;
}

namespace {

Errno timespecs(u64 access, u64 modify, u16 fst_flags, struct timespec times[2])
{
    constexpr u16 atim = 1, atim_now = 2, mtim = 4, mtim_now = 8;
    if (((fst_flags & atim) && (fst_flags & atim_now)) || ((fst_flags & mtim) && (fst_flags & mtim_now)))
        return errno_::inval;
    auto set = [](struct timespec& t, bool given, bool now, u64 ns) {
        if (now) {
            t.tv_sec = 0;
            t.tv_nsec = UTIME_NOW;
        } else if (given) {
            t.tv_sec = time_t(ns / 1'000'000'000);
            t.tv_nsec = long(ns % 1'000'000'000);
        } else {
            t.tv_sec = 0;
            t.tv_nsec = UTIME_OMIT;
        }
    };
    set(times[0], fst_flags & atim, fst_flags & atim_now, access);
    set(times[1], fst_flags & mtim, fst_flags & mtim_now, modify);
    return errno_::success;
}

} // namespace

Errno set_times(int fd, u64 access, u64 modify, u16 fst_flags) noexcept
{
    struct timespec times[2];
    if (Errno e = timespecs(access, modify, fst_flags, times))
        return e;
    if (::futimens(fd, times) != 0)
        return last_error();
    return errno_::success;
}

Errno set_times_at(int root_fd, const char* path, usize path_length, u32 lookupflags, u64 access, u64 modify, u16 fst_flags) noexcept
{
    struct timespec times[2];
    if (Errno e = timespecs(access, modify, fst_flags, times))
        return e;
    PathWalk walk(root_fd);
    if (Errno e = walk.walk(path, path_length, lookupflags & lookup_symlink_follow))
        return e;
    if (::utimensat(walk.parent(), walk.name(), times, AT_SYMLINK_NOFOLLOW) != 0)
        return last_error();
    return errno_::success;
}

Errno allocate(int fd, u64 offset, u64 length) noexcept
{
    if (offset > u64(INT64_MAX) || length > u64(INT64_MAX) - offset)
        return errno_::inval;
    int e = ::posix_fallocate(fd, off_t(offset), off_t(length));
    return e == 0 ? errno_::success : errno_from_host(e);
}

Errno read_directory(int fd, u64 cookie, DirectoryCallback emit, void* data) noexcept
{
    // A private stream over the same directory, so the guest's fd keeps its
    // own position; cookies are entry indices.
    int dup_fd = ::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dup_fd < 0)
        return last_error();
    DIR* dir = ::fdopendir(dup_fd);
    if (!dir) {
        Errno e = last_error();
        ::close(dup_fd);
        return e;
    }
    u64 index = 0;
    while (true) {
        errno = 0;
        struct dirent* entry = ::readdir(dir);
        if (!entry) {
            Errno e = errno ? last_error() : errno_::success;
            ::closedir(dir);
            return e;
        }
        if (index++ < cookie)
            continue;
        u8 type = filetype::unknown;
        switch (entry->d_type) {
        case DT_REG: type = filetype::regular_file; break;
        case DT_DIR: type = filetype::directory; break;
        case DT_LNK: type = filetype::symbolic_link; break;
        case DT_CHR: type = filetype::character_device; break;
        case DT_BLK: type = filetype::block_device; break;
        case DT_SOCK: type = filetype::socket_stream; break;
        default: break;
        }
        DirectoryEntry out { index, entry->d_ino, type, entry->d_name, strlen(entry->d_name) };
        if (!emit(data, out)) {
            ::closedir(dir);
            return errno_::success;
        }
    }
}

namespace {

bool host_clock(u32 wasi_clock, clockid_t& out)
{
    switch (wasi_clock) {
    case clockid::realtime: out = CLOCK_REALTIME; return true;
    case clockid::monotonic: out = CLOCK_MONOTONIC; return true;
    case clockid::process_cputime: out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case clockid::thread_cputime: out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
    }
}

} // namespace

Errno clock_time(u32 wasi_clock, u64& result) noexcept
{
    clockid_t id;
    if (!host_clock(wasi_clock, id))
        return errno_::inval;
    struct timespec t;
    if (::clock_gettime(id, &t) != 0)
        return last_error();
    result = nanoseconds(t);
    return errno_::success;
}

Errno clock_resolution(u32 wasi_clock, u64& result) noexcept
{
    clockid_t id;
    if (!host_clock(wasi_clock, id))
        return errno_::inval;
    struct timespec t;
    if (::clock_getres(id, &t) != 0)
        return last_error();
    result = nanoseconds(t);
    if (result == 0)
        result = 1;
    return errno_::success;
}

Errno random_bytes(u8* buffer, usize length) noexcept
{
    usize done = 0;
    while (done < length) {
        ssize_t n = ::getrandom(buffer + done, length - done, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return last_error();
        }
        done += usize(n);
    }
    return errno_::success;
}

void sleep_nanoseconds(u64 ns) noexcept
{
    struct timespec t;
    t.tv_sec = time_t(ns / 1'000'000'000);
    t.tv_nsec = long(ns % 1'000'000'000);
    while (::nanosleep(&t, &t) != 0 && errno == EINTR) { }
}

void yield() noexcept
{
    ::sched_yield();
}

namespace {

class PosixHost final : public Host {
public:
    Errno read(int handle, u8* buffer, usize length, usize& done) noexcept override { return posix::read(handle, buffer, length, done); }
    Errno write(int handle, const u8* data, usize length, usize& done) noexcept override { return posix::write(handle, data, length, done); }
    Errno pread(int handle, u8* buffer, usize length, u64 offset, usize& done) noexcept override { return posix::pread(handle, buffer, length, offset, done); }
    Errno pwrite(int handle, const u8* data, usize length, u64 offset, usize& done) noexcept override { return posix::pwrite(handle, data, length, offset, done); }
    Errno seek(int handle, i64 offset, u8 wasi_whence, u64& new_offset) noexcept override { return posix::seek(handle, offset, wasi_whence, new_offset); }
    Errno close(int handle) noexcept override { return posix::close(handle); }
    Errno sync(int handle, bool data_only) noexcept override { return posix::sync(handle, data_only); }
    Errno fstat(int handle, FileStat& out) noexcept override { return posix::fstat(handle, out); }
    Errno set_size(int handle, u64 size) noexcept override { return posix::set_size(handle, size); }
    Errno get_fd_flags(int handle, u16& wasi_flags) noexcept override { return posix::get_fd_flags(handle, wasi_flags); }
    Errno set_fd_flags(int handle, u16 wasi_flags) noexcept override { return posix::set_fd_flags(handle, wasi_flags); }
    Errno set_times(int handle, u64 access, u64 modify, u16 fst_flags) noexcept override { return posix::set_times(handle, access, modify, fst_flags); }
    Errno allocate(int handle, u64 offset, u64 length) noexcept override { return posix::allocate(handle, offset, length); }
    Errno read_directory(int handle, u64 cookie, DirectoryCallback emit, void* data) noexcept override { return posix::read_directory(handle, cookie, emit, data); }
    Errno ensure_open(int handle) noexcept override { return posix::ensure_open(handle); }
    Errno open_directory(const char* path, int& handle) noexcept override { return posix::open_directory(path, handle); }
    Errno open_at(int root, const char* path, usize path_length, u32 lookupflags, u16 wasi_oflags,
        u16 wasi_fdflags, bool want_read, bool want_write, int& handle) noexcept override { return posix::open_at(root, path, path_length, lookupflags, wasi_oflags, wasi_fdflags, want_read, want_write, handle); }
    Errno stat_at(int root, const char* path, usize path_length, u32 lookupflags, FileStat& out) noexcept override { return posix::stat_at(root, path, path_length, lookupflags, out); }
    Errno create_directory_at(int root, const char* path, usize path_length) noexcept override { return posix::create_directory_at(root, path, path_length); }
    Errno remove_directory_at(int root, const char* path, usize path_length) noexcept override { return posix::remove_directory_at(root, path, path_length); }
    Errno unlink_file_at(int root, const char* path, usize path_length) noexcept override { return posix::unlink_file_at(root, path, path_length); }
    Errno rename_at(int old_root, const char* old_path, usize old_length, int new_root, const char* new_path, usize new_length) noexcept override { return posix::rename_at(old_root, old_path, old_length, new_root, new_path, new_length); }
    Errno link_at(int old_root, u32 old_lookupflags, const char* old_path, usize old_length, int new_root, const char* new_path, usize new_length) noexcept override { return posix::link_at(old_root, old_lookupflags, old_path, old_length, new_root, new_path, new_length); }
    Errno symlink_at(const char* target, usize target_length, int root, const char* path, usize path_length) noexcept override { return posix::symlink_at(target, target_length, root, path, path_length); }
    Errno set_times_at(int root, const char* path, usize path_length, u32 lookupflags, u64 access, u64 modify, u16 fst_flags) noexcept override { return posix::set_times_at(root, path, path_length, lookupflags, access, modify, fst_flags); }
    Errno readlink_at(int root, const char* path, usize path_length, u8* buffer, usize buffer_length, usize& used) noexcept override { return posix::readlink_at(root, path, path_length, buffer, buffer_length, used); }
    Errno clock_time(u32 wasi_clock, u64& nanoseconds) noexcept override { return posix::clock_time(wasi_clock, nanoseconds); }
    Errno clock_resolution(u32 wasi_clock, u64& nanoseconds) noexcept override { return posix::clock_resolution(wasi_clock, nanoseconds); }
    Errno random_bytes(u8* buffer, usize length) noexcept override { return posix::random_bytes(buffer, length); }
    void sleep_nanoseconds(u64 nanoseconds) noexcept override { posix::sleep_nanoseconds(nanoseconds); }
    void yield() noexcept override { posix::yield(); }
};

} // namespace

Host& host() noexcept
{
    static PosixHost instance;
    return instance;
}

} // namespace k23::wasi::posix
