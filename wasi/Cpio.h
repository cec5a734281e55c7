#pragma once

// A reader for cpio "newc" archives (the SVR4 portable format without CRC,
// magic "070701"), the format of Linux initramfs images; k23's driver writes
// them (tools/driver/initrd.py) and RamFs unpacks them.
//
// Format (cpio(5), "New ASCII Format"; Linux Documentation/driver-api/
// early-userspace/buffer-format.rst): each entry is a 110-byte header —
// the magic "070701", then 13 fields of 8 ASCII hex digits: ino, mode,
// uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor,
// rdevminor, namesize (including the trailing NUL), check — then the
// NUL-terminated name, padded with NULs so header + name is a multiple of
// 4 bytes, then filesize bytes of data, padded to a multiple of 4. The
// entry named "TRAILER!!!" ends the archive.
//
// Every problem (bad magic, a header or name or data running past the end,
// a non-hex digit, a name without its NUL, an absolute path or a `..`
// component, a missing trailer) is an Error with one line naming it and the
// entry's offset; nothing is read outside `archive`.

#include <base/Result.h>
#include <base/Span.h>
#include <base/StringView.h>
#include <base/Integers.h>
#include <base/Vector.h>

namespace k23::wasi::cpio {

// mode's file-type bits (the S_IFMT field of cpio(5)).
constexpr u32 type_mask = 0170000;
constexpr u32 type_directory = 0040000;
constexpr u32 type_regular = 0100000;
constexpr u32 type_symlink = 0120000;

struct Entry {
    StringView path; // normalized: no leading "./" or "/", never "." or ".." components; "" is the root
    u32 mode;
    u64 mtime; // seconds since the epoch
    Span<const u8> data;
};

// Calls `visit` for each entry before the trailer, in archive order; the
// first error (the archive's or visit's) stops the walk.
using Visitor = Result<void> (*)(void* data, const Entry& entry);
Result<void> for_each(Span<const u8> archive, Visitor visit, void* data) noexcept;

// Writing (for write-back): one entry (`path` without a leading slash,
// inode numbers counted by the caller), then the trailer once.
Result<void> append_entry(Vector<u8>& out, StringView path, u32 mode, u32 inode, Span<const u8> data) noexcept;
Result<void> append_trailer(Vector<u8>& out, u32 inode) noexcept;

} // namespace k23::wasi::cpio
