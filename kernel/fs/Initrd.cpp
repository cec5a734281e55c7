#include <kernel/fs/Initrd.h>

#include <base/Memory.h>
#include <kernel/Boot.h>
#include <kernel/Console.h>
#include <kernel/DeviceTree.h>
#include <kernel/mm/PhysicalMemory.h>
#include <wasi/Cpio.h>

namespace k23::kernel {

namespace {

// The RamFs lives in static storage, constructed once the heap is up.
alignas(wasi::RamFs) u8 s_storage[sizeof(wasi::RamFs)];
wasi::RamFs* s_fs = nullptr;

// Bytes of file data it may hold: a quarter of the free memory at boot,
// at least 1 MiB (a full file system answers ENOSPC).
u64 budget() noexcept
{
    u64 free = u64(physical_memory().free_frame_count()) * 4096;
    u64 quarter = free / 4;
    return quarter < (1u << 20) ? (1u << 20) : quarter;
}

void console_sink(void*, int, const u8* bytes, usize length) noexcept
{
    console_write(StringView(reinterpret_cast<const char*>(bytes), length));
}

struct Counts {
    usize files { 0 };
    usize directories { 0 };
    u64 bytes { 0 };
};

} // namespace

Span<const u8> initrd_bytes() noexcept
{
    if (!g_platform.has_initrd)
        return {};
    // Only what the direct map covers is reachable (the loader maps all of
    // RAM, and QEMU/U-Boot place the initrd in RAM).
    u64 end = g_platform.initrd.base + g_platform.initrd.size;
    if (end < g_platform.initrd.base || end > boot_info().direct_map_size)
        return {};
    return Span<const u8>(phys_to_virt_pointer<const u8>(g_platform.initrd.base), usize(g_platform.initrd.size));
}

wasi::RamFs& root_file_system() noexcept
{
    if (!s_fs) {
        s_fs = construct_at(reinterpret_cast<wasi::RamFs*>(s_storage), budget());
        s_fs->set_console(console_sink, nullptr);
    }
    return *s_fs;
}

void initrd_unpack() noexcept
{
    wasi::RamFs& fs = root_file_system();
    if (g_platform.initrd_problem) {
        kprintln("initrd: ignored: {}"_sv, g_platform.initrd_problem);
        return;
    }
    if (!g_platform.has_initrd)
        return;
    Span<const u8> archive = initrd_bytes();
    if (archive.is_empty() && g_platform.initrd.size > 0) {
        kprintln("initrd: ignored: {:#x}+{} is outside the direct map"_sv, g_platform.initrd.base, g_platform.initrd.size);
        return;
    }
    if (auto result = fs.unpack(archive); result.is_error()) {
        kprintln("initrd: refused: {}"_sv, result.error().message());
        return;
    }
    Counts counts;
    (void)fs.walk([](void* data, StringView, u8 type, Span<const u8> contents, bool) {
        auto& c = *static_cast<Counts*>(data);
        if (type == wasi::filetype::directory)
            ++c.directories;
        else
            ++c.files;
        c.bytes += contents.size();
        return true;
    }, &counts);
    kprintln("initrd: {} bytes at {:#x}: {} files ({} bytes), {} directories"_sv, archive.size(), g_platform.initrd.base,
        counts.files, counts.bytes, counts.directories);
}

Result<void> ramfs_dump(const wasi::RamFs& fs, bool changed_only) noexcept
{
    struct Writer {
        Vector<u8> archive;
        u32 inode { 1 };
        Result<void> status {};
        bool changed_only { false };
    } writer;
    writer.changed_only = changed_only;
    TRY(fs.walk([](void* data, StringView path, u8 type, Span<const u8> contents, bool changed) {
        auto& w = *static_cast<Writer*>(data);
        if (w.changed_only && type != wasi::filetype::directory && !changed)
            return true;
        u32 mode = type == wasi::filetype::directory ? (wasi::cpio::type_directory | 0755) : (wasi::cpio::type_regular | 0644);
        auto r = wasi::cpio::append_entry(w.archive, path, mode, w.inode++, contents);
        if (r.is_error()) {
            w.status = r.release_error();
            return false;
        }
        return true;
    }, &writer));
    TRY(k23::move(writer.status));
    TRY(wasi::cpio::append_trailer(writer.archive, writer.inode));

    // base64 (RFC 4648 §4), 57 input bytes = 76 characters a line.
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    kprintln("ramfs: dump begin"_sv);
    const u8* p = writer.archive.data();
    usize n = writer.archive.size();
    char line[80];
    for (usize at = 0; at < n; at += 57) {
        usize chunk = n - at < 57 ? n - at : 57;
        usize used = 0;
        for (usize i = 0; i < chunk; i += 3) {
            u32 b0 = p[at + i];
            u32 b1 = i + 1 < chunk ? p[at + i + 1] : 0;
            u32 b2 = i + 2 < chunk ? p[at + i + 2] : 0;
            u32 v = b0 << 16 | b1 << 8 | b2;
            line[used++] = alphabet[(v >> 18) & 63];
            line[used++] = alphabet[(v >> 12) & 63];
            line[used++] = i + 1 < chunk ? alphabet[(v >> 6) & 63] : '=';
            line[used++] = i + 2 < chunk ? alphabet[v & 63] : '=';
        }
        line[used++] = '\n';
        console_write(StringView(line, used));
    }
    kprintln("ramfs: dump end {} bytes"_sv, n);
    return {};
}

// Reads a regular file of `fs` (a path from its root) into `out`.
Result<void> read_whole_file(wasi::RamFs& fs, StringView path, Vector<u8>& out) noexcept
{
    out.clear();
    while (path.starts_with('/'))
        path = path.substring(1);
    int root = -1;
    if (path.is_empty() || fs.open_directory("/", root))
        return Error::from_code(ErrorCode::NotFound, "no such file");
    int handle = -1;
    wasi::Errno e = fs.open_at(root, path.data(), path.length(), 0, 0, 0, true, false, handle);
    (void)fs.close(root);
    if (e)
        return Error::from_code(ErrorCode::NotFound, "no such file");
    wasi::FileStat stat;
    Result<void> result {};
    if (fs.fstat(handle, stat) || stat.filetype != wasi::filetype::regular_file) {
        result = Error::from_code(ErrorCode::IO, "not a regular file");
    } else if (auto resized = out.try_resize(usize(stat.size)); resized.is_error()) {
        result = resized.release_error();
    } else {
        usize done = 0;
        if (fs.pread(handle, out.data(), out.size(), 0, done) || done != out.size())
            result = Error::from_code(ErrorCode::IO, "short read");
    }
    (void)fs.close(handle);
    return result;
}

} // namespace k23::kernel
