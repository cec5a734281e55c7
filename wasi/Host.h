#pragma once

// The seam between WASI's guest-memory side (wasi/Wasi.cpp: pointer and
// length checks, iovecs, rights, the descriptor table) and what actually
// holds the files, clocks and entropy. One implementation per platform:
// hosted/wasi/Posix.cpp (Linux system calls, for k23-run) and
// wasi/RamFs.cpp (the in-memory file system the kernel unpacks from its
// initial ramdisk, also testable on the host).
//
// A handle is the implementation's own number for an open file or
// directory (a Linux fd, a RamFs open-file slot); the guest never sees it.
// Handles 0-2 are the console (stdin, stdout, stderr).
//
// Every path-taking call gets the guest's bytes (not NUL-terminated) and
// resolves them strictly beneath the directory handle `root`: an absolute
// path, or `..` climbing above the preopen, answers ENOTCAPABLE (preview1
// witx, "path": "paths are relative to a directory capability"). Every
// call answers a preview1 errno (WasiTypes.h) and never crashes on bad
// input.

#include <base/Integers.h>
#include <wasi/WasiTypes.h>

namespace k23::wasi {

struct FileStat {
    u64 device { 0 };
    u64 inode { 0 };
    u8 filetype { filetype::unknown };
    u64 link_count { 0 };
    u64 size { 0 };
    u64 access_time { 0 }; // ns since the epoch
    u64 modify_time { 0 };
    u64 change_time { 0 };
};

// One directory entry for fd_readdir: `next_cookie` resumes after it.
struct DirectoryEntry {
    u64 next_cookie;
    u64 inode;
    u8 filetype;
    const char* name;
    usize name_length;
};
using DirectoryCallback = bool (*)(void* data, const DirectoryEntry& entry);

class Host {
public:

    // ---- open files
    [[nodiscard]] virtual Errno read(int handle, u8* buffer, usize length, usize& done) noexcept = 0;
    [[nodiscard]] virtual Errno write(int handle, const u8* data, usize length, usize& done) noexcept = 0;
    [[nodiscard]] virtual Errno pread(int handle, u8* buffer, usize length, u64 offset, usize& done) noexcept = 0;
    [[nodiscard]] virtual Errno pwrite(int handle, const u8* data, usize length, u64 offset, usize& done) noexcept = 0;
    [[nodiscard]] virtual Errno seek(int handle, i64 offset, u8 wasi_whence, u64& new_offset) noexcept = 0;
    [[nodiscard]] virtual Errno close(int handle) noexcept = 0;
    [[nodiscard]] virtual Errno sync(int handle, bool data_only) noexcept = 0;
    [[nodiscard]] virtual Errno fstat(int handle, FileStat& out) noexcept = 0;
    [[nodiscard]] virtual Errno set_size(int handle, u64 size) noexcept = 0;
    [[nodiscard]] virtual Errno get_fd_flags(int handle, u16& wasi_flags) noexcept = 0;
    [[nodiscard]] virtual Errno set_fd_flags(int handle, u16 wasi_flags) noexcept = 0;
    // fst_flags: atim 1, atim_now 2, mtim 4, mtim_now 8 (preview1 fstflags).
    [[nodiscard]] virtual Errno set_times(int handle, u64 access, u64 modify, u16 fst_flags) noexcept = 0;
    [[nodiscard]] virtual Errno allocate(int handle, u64 offset, u64 length) noexcept = 0;
    // Entries from `cookie` on (0 = the start): `emit` for each until it returns false.
    [[nodiscard]] virtual Errno read_directory(int handle, u64 cookie, DirectoryCallback emit, void* data) noexcept = 0;

    // Makes sure `handle` (one of 0-2) is open, so no file opened later can
    // take a stdio number.
    [[nodiscard]] virtual Errno ensure_open(int handle) noexcept = 0;
    // Opens a directory to preopen, named by the embedder (not the guest):
    // a host path for Posix, a path in the file system for RamFs.
    [[nodiscard]] virtual Errno open_directory(const char* path, int& handle) noexcept = 0;

    // ---- paths beneath a directory handle
    [[nodiscard]] virtual Errno open_at(int root, const char* path, usize path_length, u32 lookupflags, u16 wasi_oflags,
        u16 wasi_fdflags, bool want_read, bool want_write, int& handle) noexcept = 0;
    [[nodiscard]] virtual Errno stat_at(int root, const char* path, usize path_length, u32 lookupflags, FileStat& out) noexcept = 0;
    [[nodiscard]] virtual Errno create_directory_at(int root, const char* path, usize path_length) noexcept = 0;
    [[nodiscard]] virtual Errno remove_directory_at(int root, const char* path, usize path_length) noexcept = 0;
    [[nodiscard]] virtual Errno unlink_file_at(int root, const char* path, usize path_length) noexcept = 0;
    [[nodiscard]] virtual Errno rename_at(int old_root, const char* old_path, usize old_length, int new_root, const char* new_path, usize new_length) noexcept = 0;
    [[nodiscard]] virtual Errno link_at(int old_root, u32 old_lookupflags, const char* old_path, usize old_length, int new_root, const char* new_path, usize new_length) noexcept = 0;
    // A symlink at `path` whose target is `target`, verbatim.
    [[nodiscard]] virtual Errno symlink_at(const char* target, usize target_length, int root, const char* path, usize path_length) noexcept = 0;
    [[nodiscard]] virtual Errno set_times_at(int root, const char* path, usize path_length, u32 lookupflags, u64 access, u64 modify, u16 fst_flags) noexcept = 0;
    [[nodiscard]] virtual Errno readlink_at(int root, const char* path, usize path_length, u8* buffer, usize buffer_length, usize& used) noexcept = 0;

    // ---- clocks, entropy, scheduling
    [[nodiscard]] virtual Errno clock_time(u32 wasi_clock, u64& nanoseconds) noexcept = 0;
    [[nodiscard]] virtual Errno clock_resolution(u32 wasi_clock, u64& nanoseconds) noexcept = 0;
    [[nodiscard]] virtual Errno random_bytes(u8* buffer, usize length) noexcept = 0;
    virtual void sleep_nanoseconds(u64 nanoseconds) noexcept = 0;
    virtual void yield() noexcept = 0;

protected:
    // Never deleted through a Host* (no virtual destructor, so no deleting
    // destructor and no operator delete in the freestanding kernel).
    ~Host() = default;
};

} // namespace k23::wasi
