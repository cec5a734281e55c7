#pragma once

// WASI preview1 (wasi_snapshot_preview1) constants and the byte layout of
// the structures the host writes into guest memory, from the witx
// definitions (WebAssembly/WASI, phases/snapshot/witx/typenames.witx).
// Guest memory is little endian; offsets are bytes from the start of the
// structure.

#include <base/Integers.h>

namespace k23::wasi {

using Errno = u16;

// errno: the enum's order in typenames.witx.
namespace errno_ {
constexpr Errno success = 0;
constexpr Errno toobig = 1;
constexpr Errno acces = 2;
constexpr Errno again = 6;
constexpr Errno badf = 8;
constexpr Errno busy = 10;
constexpr Errno exist = 20;
constexpr Errno fault = 21;
constexpr Errno fbig = 22;
constexpr Errno ilseq = 25;
constexpr Errno intr = 27;
constexpr Errno inval = 28;
constexpr Errno io = 29;
constexpr Errno isdir = 31;
constexpr Errno loop = 32;
constexpr Errno mfile = 33;
constexpr Errno mlink = 34;
constexpr Errno nametoolong = 37;
constexpr Errno nfile = 41;
constexpr Errno nodev = 43;
constexpr Errno noent = 44;
constexpr Errno nomem = 48;
constexpr Errno nospc = 51;
constexpr Errno nosys = 52;
constexpr Errno notdir = 54;
constexpr Errno notempty = 55;
constexpr Errno notsup = 58;
constexpr Errno notty = 59;
constexpr Errno nxio = 60;
constexpr Errno overflow = 61;
constexpr Errno perm = 63;
constexpr Errno pipe = 64;
constexpr Errno range = 68;
constexpr Errno rofs = 69;
constexpr Errno spipe = 70;
constexpr Errno txtbsy = 74;
constexpr Errno xdev = 75;
constexpr Errno notcapable = 76;
} // namespace errno_

namespace filetype {
constexpr u8 unknown = 0;
constexpr u8 block_device = 1;
constexpr u8 character_device = 2;
constexpr u8 directory = 3;
constexpr u8 regular_file = 4;
constexpr u8 socket_dgram = 5;
constexpr u8 socket_stream = 6;
constexpr u8 symbolic_link = 7;
} // namespace filetype

namespace clockid {
constexpr u32 realtime = 0;
constexpr u32 monotonic = 1;
constexpr u32 process_cputime = 2;
constexpr u32 thread_cputime = 3;
} // namespace clockid

namespace whence {
constexpr u8 set = 0;
constexpr u8 cur = 1;
constexpr u8 end = 2;
} // namespace whence

// fdflags (u16)
namespace fdflags {
constexpr u16 append = 1 << 0;
constexpr u16 dsync = 1 << 1;
constexpr u16 nonblock = 1 << 2;
constexpr u16 rsync = 1 << 3;
constexpr u16 sync = 1 << 4;
} // namespace fdflags

// oflags (u16)
namespace oflags {
constexpr u16 creat = 1 << 0;
constexpr u16 directory = 1 << 1;
constexpr u16 excl = 1 << 2;
constexpr u16 trunc = 1 << 3;
} // namespace oflags

// lookupflags (u32)
constexpr u32 lookup_symlink_follow = 1 << 0;

// rights (u64): bit i is the i-th flag of typenames.witx's `rights`. Each
// fd call needs its right in the descriptor's base rights (ENOTCAPABLE
// otherwise); path_open's new descriptor gets at most the directory's
// inheriting rights.
namespace rights {
constexpr u64 fd_datasync = u64(1) << 0;
constexpr u64 fd_read = u64(1) << 1;
constexpr u64 fd_seek = u64(1) << 2; // implies fd_tell
constexpr u64 fd_fdstat_set_flags = u64(1) << 3;
constexpr u64 fd_sync = u64(1) << 4;
constexpr u64 fd_tell = u64(1) << 5;
constexpr u64 fd_write = u64(1) << 6;
constexpr u64 fd_advise = u64(1) << 7;
constexpr u64 fd_allocate = u64(1) << 8;
constexpr u64 path_create_directory = u64(1) << 9;
constexpr u64 path_create_file = u64(1) << 10;
constexpr u64 path_link_source = u64(1) << 11;
constexpr u64 path_link_target = u64(1) << 12;
constexpr u64 path_open = u64(1) << 13;
constexpr u64 fd_readdir = u64(1) << 14;
constexpr u64 path_readlink = u64(1) << 15;
constexpr u64 path_rename_source = u64(1) << 16;
constexpr u64 path_rename_target = u64(1) << 17;
constexpr u64 path_filestat_get = u64(1) << 18;
constexpr u64 path_filestat_set_size = u64(1) << 19;
constexpr u64 path_filestat_set_times = u64(1) << 20;
constexpr u64 fd_filestat_get = u64(1) << 21;
constexpr u64 fd_filestat_set_size = u64(1) << 22;
constexpr u64 fd_filestat_set_times = u64(1) << 23;
constexpr u64 path_symlink = u64(1) << 24;
constexpr u64 path_remove_directory = u64(1) << 25;
constexpr u64 path_unlink_file = u64(1) << 26;
constexpr u64 poll_fd_readwrite = u64(1) << 27;
constexpr u64 sock_shutdown = u64(1) << 28;
constexpr u64 sock_accept = u64(1) << 29;
constexpr u64 all = (u64(1) << 30) - 1; // every right preview1 defines (bits 0..29)
// The host's stdio are streams, whatever the host passed: fd 0 can only be
// read, fds 1 and 2 only written — no seek, no truncate, no flag changes,
// no path operations — so nothing the host gave can be destroyed or used as
// a directory. (No seek and tell is also what wasi-libc's isatty() wants.)
constexpr u64 stdin_stream = fd_read | fd_filestat_get | poll_fd_readwrite;
constexpr u64 stdout_stream = fd_write | fd_filestat_get | poll_fd_readwrite;
} // namespace rights

// Structure sizes and field offsets.
namespace layout {
// iovec / ciovec: buf u32 @0, buf_len u32 @4
constexpr u32 iovec_size = 8;
// fdstat: fs_filetype u8 @0, fs_flags u16 @2, fs_rights_base u64 @8,
// fs_rights_inheriting u64 @16
constexpr u32 fdstat_size = 24;
// filestat: dev @0, ino @8, filetype u8 @16, nlink @24, size @32, atim @40,
// mtim @48, ctim @56
constexpr u32 filestat_size = 64;
// prestat: tag u8 @0 (0 = dir), pr_name_len u32 @4
constexpr u32 prestat_size = 8;
// subscription: userdata u64 @0, tag u8 @8, then the union at @16:
// clock { id u32 @16, timeout u64 @24, precision u64 @32, flags u16 @40 },
// fd_readwrite { fd u32 @16 }
constexpr u32 subscription_size = 48;
// event: userdata u64 @0, error u16 @8, type u8 @10,
// fd_readwrite { nbytes u64 @16, flags u16 @24 }
constexpr u32 event_size = 32;
} // namespace layout

namespace eventtype {
constexpr u8 clock = 0;
constexpr u8 fd_read = 1;
constexpr u8 fd_write = 2;
} // namespace eventtype

constexpr u16 subclock_abstime = 1;

} // namespace k23::wasi
