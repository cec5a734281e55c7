#pragma once

// The kernel's file system (DESIGN.md, "Guests in the kernel": "Files"): a
// wasi::RamFs filled at boot from the initial ramdisk the firmware passed
// (/chosen/linux,initrd-start/-end: QEMU's -initrd, U-Boot), a cpio newc
// archive the driver writes (tools/driver/initrd.py). The loader keeps the
// archive's frames out of the frame allocator; the kernel reads it through
// the direct map and copies it into the RamFs.

#include <base/Result.h>
#include <base/Span.h>
#include <base/StringView.h>
#include <base/Integers.h>
#include <base/Vector.h>
#include <wasi/RamFs.h>

namespace k23::kernel {

// The archive's bytes through the direct map; empty when there is none.
[[nodiscard]] Span<const u8> initrd_bytes() noexcept;

// Creates the root file system and unpacks the initrd into it, printing
// one line: what it holds, or why the archive was refused (the boot goes
// on with an empty file system then). Once, after the heap is up.
void initrd_unpack() noexcept;

// The root file system (empty before initrd_unpack).
[[nodiscard]] wasi::RamFs& root_file_system() noexcept;

// Write-back: the whole file system as a cpio newc archive, base64 (RFC
// 4648, 76 characters a line) between the console lines
// "ramfs: dump begin" and "ramfs: dump end N bytes"; ./k23 turns it back
// into a directory (tools/driver/initrd.py). `changed_only`: every
// directory, but only the files written since the unpack (boot argument
// `ramfs-dump=changed`: all write-back needs, a fraction of the console time).
Result<void> ramfs_dump(const wasi::RamFs& fs, bool changed_only = false) noexcept;

// The whole of the regular file at `path` (from the root; leading '/'
// optional) in `out`: NotFound "no such file" when there is none, an IO
// error when it is not a regular file or cannot be read. The kernel's
// command runners (kernel/WasiRun.h, kernel/SpecRunner.h) read through it.
[[nodiscard]] Result<void> read_whole_file(wasi::RamFs& fs, StringView path, Vector<u8>& out) noexcept;

} // namespace k23::kernel
