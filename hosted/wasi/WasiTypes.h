#pragma once

// WASI preview1 (wasi_snapshot_preview1) constants and the byte layout of
// the structures the host writes into guest memory, from the witx
// definitions (WebAssembly/WASI, phases/snapshot/witx/typenames.witx).
// Guest memory is little endian; offsets are bytes from the start of the
// structure.

#include <base/Types.h>

namespace k23::hosted::wasi {

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

// rights (u64): the bits this runtime looks at.
namespace rights {
constexpr u64 fd_datasync = u64(1) << 0;
constexpr u64 fd_read = u64(1) << 1;
constexpr u64 fd_seek = u64(1) << 2;
constexpr u64 fd_fdstat_set_flags = u64(1) << 3;
constexpr u64 fd_sync = u64(1) << 4;
constexpr u64 fd_tell = u64(1) << 5;
constexpr u64 fd_write = u64(1) << 6;
constexpr u64 all = (u64(1) << 30) - 1; // every right preview1 defines (bits 0..29)
// What a terminal or pipe can do: everything but seek and tell. wasi-libc's
// isatty() looks for exactly this.
constexpr u64 stream = all & ~(fd_seek | fd_tell);
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

} // namespace k23::hosted::wasi
