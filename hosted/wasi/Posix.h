#pragma once

// The Linux implementation of wasi::Host (wasi/Host.h), for k23-run: thin wrappers over Linux system calls that
// speak WASI errnos. Everything that touches guest memory is in Wasi.cpp;
// everything that calls libc is here.
//
// Paths are resolved strictly beneath a preopened directory: one component
// at a time with openat(..., O_NOFOLLOW), symlinks expanded by hand (a
// relative target continues the walk, an absolute one is refused), and
// `..` may never climb above the preopen. Escapes answer ENOTCAPABLE.

#include <base/Integers.h>
#include <wasi/Host.h>

namespace k23::wasi::posix {

[[nodiscard]] Errno errno_from_host(int host_errno) noexcept;

[[nodiscard]] Errno read(int fd, u8* buffer, usize length, usize& done) noexcept;
[[nodiscard]] Errno write(int fd, const u8* data, usize length, usize& done) noexcept;
[[nodiscard]] Errno pread(int fd, u8* buffer, usize length, u64 offset, usize& done) noexcept;
[[nodiscard]] Errno pwrite(int fd, const u8* data, usize length, u64 offset, usize& done) noexcept;
[[nodiscard]] Errno seek(int fd, i64 offset, u8 wasi_whence, u64& new_offset) noexcept;
[[nodiscard]] Errno close(int fd) noexcept;
[[nodiscard]] Errno sync(int fd, bool data_only) noexcept;
[[nodiscard]] Errno fstat(int fd, FileStat& out) noexcept;
[[nodiscard]] Errno set_size(int fd, u64 size) noexcept;
[[nodiscard]] Errno get_fd_flags(int fd, u16& wasi_flags) noexcept;
[[nodiscard]] Errno set_fd_flags(int fd, u16 wasi_flags) noexcept;

// Makes sure `fd` (one of 0-2) is open — on /dev/null if the host closed
// it — so no file opened later can land on a stdio number.
[[nodiscard]] Errno ensure_open(int fd) noexcept;

// Opens a host directory to preopen (any host path; the user chose it).
[[nodiscard]] Errno open_directory(const char* host_path, int& fd) noexcept;

// Opens `path` (guest bytes, not NUL-terminated) beneath `root_fd`.
[[nodiscard]] Errno open_at(int root_fd, const char* path, usize path_length, u32 lookupflags, u16 wasi_oflags,
    u16 wasi_fdflags, bool want_read, bool want_write, int& fd) noexcept;
[[nodiscard]] Errno stat_at(int root_fd, const char* path, usize path_length, u32 lookupflags, FileStat& out) noexcept;
[[nodiscard]] Errno create_directory_at(int root_fd, const char* path, usize path_length) noexcept;
[[nodiscard]] Errno remove_directory_at(int root_fd, const char* path, usize path_length) noexcept;
[[nodiscard]] Errno unlink_file_at(int root_fd, const char* path, usize path_length) noexcept;
[[nodiscard]] Errno rename_at(int old_root, const char* old_path, usize old_length, int new_root, const char* new_path, usize new_length) noexcept;
[[nodiscard]] Errno link_at(int old_root, u32 old_lookupflags, const char* old_path, usize old_length, int new_root, const char* new_path, usize new_length) noexcept;
// A symlink at `path` (beneath root) whose target is `target`, verbatim.
[[nodiscard]] Errno symlink_at(const char* target, usize target_length, int root_fd, const char* path, usize path_length) noexcept;
// fst_flags: atim 1, atim_now 2, mtim 4, mtim_now 8 (preview1 fstflags).
[[nodiscard]] Errno set_times(int fd, u64 access, u64 modify, u16 fst_flags) noexcept;
[[nodiscard]] Errno set_times_at(int root_fd, const char* path, usize path_length, u32 lookupflags, u64 access, u64 modify, u16 fst_flags) noexcept;
[[nodiscard]] Errno allocate(int fd, u64 offset, u64 length) noexcept;
[[nodiscard]] Errno readlink_at(int root_fd, const char* path, usize path_length, u8* buffer, usize buffer_length, usize& used) noexcept;

// Directory entries from `cookie` on (0 = the start), for fd_readdir:
// calls `emit` for each until it returns false.
[[nodiscard]] Errno read_directory(int fd, u64 cookie, DirectoryCallback emit, void* data) noexcept;

[[nodiscard]] Errno clock_time(u32 wasi_clock, u64& nanoseconds) noexcept;
[[nodiscard]] Errno clock_resolution(u32 wasi_clock, u64& nanoseconds) noexcept;
[[nodiscard]] Errno random_bytes(u8* buffer, usize length) noexcept;
void sleep_nanoseconds(u64 nanoseconds) noexcept;
void yield() noexcept;

// The wasi::Host over the functions above (one per process: it has no state).
[[nodiscard]] Host& host() noexcept;

} // namespace k23::wasi::posix
