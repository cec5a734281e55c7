// The initial ramdisk and the kernel's file system (kernel/fs/Initrd.h,
// wasi/RamFs.h, wasi/Cpio.h) inside the kernel: the cpio reader refuses
// malformed archives with one line and survives mutated ones, WASI's shared
// guest-memory side runs over a RamFs, and (manual tests, driven by
// tests/kernel/test_initrd.py) the initrd QEMU passed is listed, and the
// file system is changed for write-back.

#include <base/Memory.h>
#include <boot/BootMemory.h>
#include <kernel/Boot.h>
#include <kernel/Console.h>
#include <kernel/DeviceTree.h>
#include <kernel/fs/Initrd.h>
#include <kernel/KTest.h>
#include <wasi/Cpio.h>
#include <wasi/RamFs.h>
#include <wasi/Wasi.h>

using namespace k23;
using namespace k23::kernel;

namespace {

Span<const u8> bytes_of(const char* s) noexcept
{
    return Span<const u8>(reinterpret_cast<const u8*>(s), __builtin_strlen(s));
}

// An archive: dir/, dir/a.txt ("alpha"), b.txt ("bravo!").
Result<void> sample_archive(Vector<u8>& out) noexcept
{
    TRY(wasi::cpio::append_entry(out, "dir"_sv, wasi::cpio::type_directory | 0755, 1, {}));
    TRY(wasi::cpio::append_entry(out, "dir/a.txt"_sv, wasi::cpio::type_regular | 0644, 2, bytes_of("alpha")));
    TRY(wasi::cpio::append_entry(out, "b.txt"_sv, wasi::cpio::type_regular | 0644, 3, bytes_of("bravo!")));
    return wasi::cpio::append_trailer(out, 4);
}

bool one_line_containing(const Error& error, StringView what) noexcept
{
    StringView message = error.message();
    return message.contains(what) && !message.contains("\n"_sv);
}

// fnv-1a 64 (the boot check computes the same over the host's files).
u64 fnv1a(Span<const u8> data) noexcept
{
    u64 h = 0xcbf29ce484222325ull;
    for (u8 b : data) {
        h ^= b;
        h *= 0x100000001b3ull;
    }
    return h;
}

// Calls WASI function `name` on `context` with i32/i64 arguments.
u32 call(wasi::WasiContext& context, const char* name, Span<const u64> args) noexcept
{
    const wasi::FunctionEntry* entry = wasi::find_function(StringView(name, __builtin_strlen(name)));
    if (!entry)
        return ~0u;
    wasm::Value values[12];
    usize count = __builtin_strlen(entry->params);
    if (count != args.size() || count > 12)
        return ~0u;
    for (usize i = 0; i < count; ++i)
        values[i] = entry->params[i] == 'I' ? wasm::Value::from_i64(args[i]) : wasm::Value::from_i32(u32(args[i]));
    wasm::Value result = wasm::Value::from_i32(0xdead);
    (void)entry->callback(&context, Span<const wasm::Value>(values, count), Span<wasm::Value>(&result, __builtin_strlen(entry->results)));
    return result.i32;
}

void put_u32(u8* memory, u32 at, u32 value) noexcept { copy_bytes(memory + at, &value, 4); }
u32 get_u32(const u8* memory, u32 at) noexcept
{
    u32 v;
    copy_bytes(&v, memory + at, 4);
    return v;
}

} // namespace

KTEST(initrd_cpio_refuses_malformed)
{
    Vector<u8> good;
    KASSERT(!sample_archive(good).is_error());
    {
        wasi::RamFs fs(1 << 16);
        KASSERT(!fs.unpack(Span<const u8>(good.data(), good.size())).is_error());
        KEXPECT_EQ(fs.bytes_used(), 11u);
    }
    struct Case {
        usize offset;
        char byte;
        usize truncate; // 0 = keep the length
        const char* expect;
    };
    const Case cases[] = {
        { 3, '2', 0, "bad magic" },
        { 0, '0', 50, "truncated header" },
        { 6 + 6 * 8, 'z', 0, "not 8 hex digits" },
        { 6 + 11 * 8, 'F', 0, "name runs past the end" },    // namesize 0xF...
        { 0, '0', 112, "name runs past the end" },            // cut inside the first name ("dir")
        { 0, '0', 116, "no TRAILER" },                        // cut after the first entry
    };
    for (const Case& c : cases) {
        Vector<u8> bad;
        KASSERT(!bad.try_extend(Span<const u8>(good.data(), good.size())).is_error());
        if (c.truncate)
            bad.resize(c.truncate);
        else
            bad[c.offset] = u8(c.byte);
        wasi::RamFs fs(1 << 16);
        auto result = fs.unpack(Span<const u8>(bad.data(), bad.size()));
        KASSERT(result.is_error());
        KEXPECT(one_line_containing(result.error(), StringView(c.expect, __builtin_strlen(c.expect))));
    }
    // Paths that would leave the unpack root.
    const char* const escapes[] = { "../x", "/abs", "a/../../x" };
    for (const char* path : escapes) {
        Vector<u8> bad;
        KASSERT(!wasi::cpio::append_entry(bad, StringView(path, __builtin_strlen(path)), wasi::cpio::type_regular | 0644, 1, bytes_of("x")).is_error());
        KASSERT(!wasi::cpio::append_trailer(bad, 2).is_error());
        wasi::RamFs fs(1 << 16);
        auto result = fs.unpack(Span<const u8>(bad.data(), bad.size()));
        KASSERT(result.is_error());
        KEXPECT(one_line_containing(result.error(), "path"_sv));
    }
}

KTEST(initrd_cpio_mutations_never_crash)
{
    Vector<u8> good;
    KASSERT(!sample_archive(good).is_error());
    u64 state = 0x23;
    auto next = [&] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    usize refused = 0;
    for (int round = 0; round < 3000; ++round) {
        Vector<u8> archive;
        KASSERT(!archive.try_extend(Span<const u8>(good.data(), good.size())).is_error());
        int mutations = 1 + int(next() % 3);
        for (int i = 0; i < mutations && !archive.is_empty(); ++i) {
            if (next() % 4 == 0)
                archive.resize(usize(next() % archive.size()));
            else
                archive[usize(next() % archive.size())] = u8(next());
        }
        wasi::RamFs fs(1 << 16);
        if (fs.unpack(Span<const u8>(archive.data(), archive.size())).is_error())
            ++refused;
    }
    KEXPECT_GT(refused, 1000u);
}

KTEST(initrd_wasi_over_ramfs)
{
    Vector<u8> archive;
    KASSERT(!sample_archive(archive).is_error());
    wasi::RamFs fs(64);
    KASSERT(!fs.unpack(Span<const u8>(archive.data(), archive.size())).is_error());
    wasi::WasiContext context(fs);
    static u8 memory[8192];
    fill_bytes(memory, 0, sizeof(memory));
    context.set_memory_view(Span<u8>(memory, sizeof(memory)));
    KASSERT(!context.add_preopen("/"_sv, "."_sv).is_error());

    // path_open(3, 0, "dir/a.txt", oflags 0, rights read|seek, ..) -> fd at 0x200
    copy_bytes(memory + 0x100, "dir/a.txt", 9);
    const u64 read_rights = wasi::rights::fd_read | wasi::rights::fd_seek;
    u64 open_args[] = { 3, 0, 0x100, 9, 0, read_rights, read_rights, 0, 0x200 };
    KASSERT_EQ(call(context, "path_open", open_args), wasi::errno_::success);
    u32 fd = get_u32(memory, 0x200);
    put_u32(memory, 0x300, 0x400); // iovec { 0x400, 64 }
    put_u32(memory, 0x304, 64);
    u64 read_args[] = { fd, 0x300, 1, 0x308 };
    KEXPECT_EQ(call(context, "fd_read", read_args), wasi::errno_::success);
    KEXPECT_EQ(get_u32(memory, 0x308), 5u);
    KEXPECT(compare_bytes(memory + 0x400, "alpha", 5) == 0);

    // Escapes and bad arguments.
    copy_bytes(memory + 0x100, "../b.txt", 8);
    u64 escape[] = { 3, 0, 0x100, 8, 0, read_rights, read_rights, 0, 0x200 };
    KEXPECT_EQ(call(context, "path_open", escape), wasi::errno_::notcapable);
    u64 bad_fd[] = { 77, 0x300, 1, 0x308 };
    KEXPECT_EQ(call(context, "fd_read", bad_fd), wasi::errno_::badf);
    u64 bad_pointer[] = { 3, 0, 8190, 9, 0, read_rights, read_rights, 0, 0x200 };
    KEXPECT_EQ(call(context, "path_open", bad_pointer), wasi::errno_::fault);

    // A new file grows until the budget (64 bytes, 11 used) is spent.
    copy_bytes(memory + 0x100, "new", 3);
    const u64 write_rights = wasi::rights::fd_write;
    u64 create[] = { 3, 0, 0x100, 3, wasi::oflags::creat, write_rights, write_rights, 0, 0x200 };
    KASSERT_EQ(call(context, "path_open", create), wasi::errno_::success);
    u32 out = get_u32(memory, 0x200);
    put_u32(memory, 0x300, 0x400);
    put_u32(memory, 0x304, 50);
    u64 write_args[] = { out, 0x300, 1, 0x308 };
    KEXPECT_EQ(call(context, "fd_write", write_args), wasi::errno_::success);
    KEXPECT_EQ(call(context, "fd_write", write_args), wasi::errno_::nospc);
    KEXPECT_EQ(fs.bytes_used(), 61u);
}

KTEST(initrd_reservation_stays_out_of_the_memory_map)
{
    // The loader's bookkeeping (boot/BootMemory.cpp) with QEMU's layout:
    // firmware below the image, an unaligned initrd at +128 MiB.
    boot::BootMemory memory;
    memory.add_ram(0x8000'0000, 512ull << 20);
    KASSERT(!memory.reserve(0x8000'0000, 0x20'0000, boot::Use::Firmware).is_error());
    KASSERT(!memory.reserve(0x8820'0123, 0x5000, boot::Use::Initrd).is_error());
    // A 130 MiB, 2 MiB-aligned allocation would cover it from the first free
    // address; it must go above instead.
    auto placed = memory.allocate(130ull << 20, 0x20'0000, boot::Use::Kernel);
    KASSERT(!placed.is_error());
    KEXPECT_GE(placed.value(), 0x8820'5123ull);
    boot::MemoryRange map[8];
    usize count = memory.usable_map(map, 8);
    for (usize i = 0; i < count; ++i) {
        bool overlaps = map[i].base < 0x8820'5123ull && 0x8820'0123ull < map[i].base + map[i].size;
        KEXPECT(!overlaps);
    }
}

// Run by tests/kernel/test_initrd.py with the initrd it wrote: one line a
// node, which it compares with the directory it packed.
KTEST_MANUAL(initrd_lists_files)
{
    KASSERT(g_platform.has_initrd);
    KEXPECT(!initrd_bytes().is_empty());
    // The frames the loader handed to the frame allocator never include it.
    const auto& info = boot_info();
    u64 start = g_platform.initrd.base;
    u64 end = start + g_platform.initrd.size;
    for (u32 i = 0; i < info.memory_range_count; ++i) {
        const auto& range = info.memory_map[i];
        KEXPECT(!(range.base < end && start < range.base + range.size));
    }
    usize nodes = 0;
    auto r = root_file_system().walk([](void* data, StringView path, u8 type, Span<const u8> contents, bool) {
        ++*static_cast<usize*>(data);
        if (type == wasi::filetype::directory)
            kprintln("initrd-list: dir {}"_sv, path);
        else
            kprintln("initrd-list: file {} {} {:#018x}"_sv, path, contents.size(), fnv1a(contents));
        return true;
    }, &nodes);
    KEXPECT(!r.is_error());
    KEXPECT_GT(nodes, 0u);
}

// Run by tests/kernel/test_initrd.py with `ramfs-dump`: changes the root
// file system through WASI (a new directory and file, a rewritten file), so
// the dump that follows carries them back to the host.
KTEST_MANUAL(ramfs_writeback_probe)
{
    wasi::WasiContext context(root_file_system());
    static u8 memory[4096];
    fill_bytes(memory, 0, sizeof(memory));
    context.set_memory_view(Span<u8>(memory, sizeof(memory)));
    KASSERT(!context.add_preopen("/"_sv, "."_sv).is_error());
    copy_bytes(memory + 0x100, "made-in-k23", 11);
    u64 mkdir_args[] = { 3, 0x100, 11 };
    KEXPECT_EQ(call(context, "path_create_directory", mkdir_args), wasi::errno_::success);
    const u64 rights = wasi::rights::fd_write;
    auto write_file = [&](const char* path, const char* text) {
        usize length = __builtin_strlen(path);
        copy_bytes(memory + 0x100, path, length);
        u64 open_args[] = { 3, 0, 0x100, length, wasi::oflags::creat | wasi::oflags::trunc, rights, rights, 0, 0x200 };
        KEXPECT_EQ(call(context, "path_open", open_args), wasi::errno_::success);
        usize size = __builtin_strlen(text);
        copy_bytes(memory + 0x400, text, size);
        put_u32(memory, 0x300, 0x400);
        put_u32(memory, 0x304, u32(size));
        u64 write_args[] = { get_u32(memory, 0x200), 0x300, 1, 0x308 };
        KEXPECT_EQ(call(context, "fd_write", write_args), wasi::errno_::success);
    };
    write_file("made-in-k23/result.txt", "written inside k23\n");
    write_file("rewritten.txt", "new contents\n");
}
