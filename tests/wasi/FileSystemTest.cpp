// The same WASI file-system semantics over both wasi::Host backends: Linux
// (hosted/wasi/Posix.cpp, files in a temporary directory) and RamFs
// (wasi/RamFs.cpp, unpacked from a cpio archive). Each test runs once per
// backend through WasiContext and a fake guest memory, so the guest-memory
// side is the shared code under test and the two backends must agree.
// Then RamFs-only checks: the byte budget (ENOSPC), the console sink,
// unpacking, and walk() (what write-back uses).

#include "CpioWriter.h"

#include <hosted/wasi/Posix.h>
#include <wasi/RamFs.h>
#include <wasi/Wasi.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace k23;
using namespace k23::wasi;
using k23::test::CpioWriter;
using k23::wasm::Value;

namespace {

// The starting tree: dir/, dir/inner.txt ("inner"), hello.txt ("hello, world\n").
class Backend {
public:
    virtual ~Backend() = default;
    virtual Host& host() = 0;
    virtual std::string preopen_path() = 0;
};

class PosixBackend final : public Backend {
public:
    PosixBackend()
    {
        char pattern[] = "/tmp/k23-fs-XXXXXX";
        const char* made = mkdtemp(pattern);
        m_path = made ? made : "/nonexistent";
        ::mkdir((m_path + "/dir").c_str(), 0755);
        put("dir/inner.txt", "inner");
        put("hello.txt", "hello, world\n");
    }
    ~PosixBackend() override { (void)!system(("rm -rf '" + m_path + "'").c_str()); }
    Host& host() override { return posix::host(); }
    std::string preopen_path() override { return m_path; }

private:
    void put(const std::string& name, const std::string& data)
    {
        FILE* f = fopen((m_path + "/" + name).c_str(), "wb");
        if (f) {
            fwrite(data.data(), 1, data.size(), f);
            fclose(f);
        }
    }
    std::string m_path;
};

class RamFsBackend final : public Backend {
public:
    RamFsBackend()
        : m_fs(1 << 20)
    {
        CpioWriter w;
        w.directory(".");
        w.directory("dir");
        w.file("dir/inner.txt", "inner");
        w.file("hello.txt", "hello, world\n");
        std::string archive = w.finish();
        auto r = m_fs.unpack(Span<const u8>(reinterpret_cast<const u8*>(archive.data()), archive.size()));
        EXPECT_FALSE(r.is_error()) << (r.is_error() ? r.error().message_cstring() : "");
    }
    Host& host() override { return m_fs; }
    std::string preopen_path() override { return "/"; }
    RamFs m_fs;
};

class FileSystemTest : public ::testing::TestWithParam<const char*> {
protected:
    static constexpr u32 memory_size = 65536;

    void SetUp() override
    {
        if (std::string(GetParam()) == "posix")
            backend = std::make_unique<PosixBackend>();
        else
            backend = std::make_unique<RamFsBackend>();
        context = std::make_unique<WasiContext>(backend->host());
        memory.assign(memory_size, 0);
        context->set_memory_view(Span<u8>(memory.data(), memory.size()));
        std::string path = backend->preopen_path();
        auto r = context->add_preopen(StringView(path.data(), path.size()), "."_sv);
        ASSERT_FALSE(r.is_error());
    }

    u32 call(const char* name, std::vector<u64> args)
    {
        const FunctionEntry* entry = find_function(name);
        EXPECT_NE(entry, nullptr) << name;
        if (!entry)
            return ~0u;
        EXPECT_EQ(strlen(entry->params), args.size()) << name;
        std::vector<Value> values;
        for (usize i = 0; i < args.size(); ++i)
            values.push_back(entry->params[i] == 'I' ? Value::from_i64(args[i]) : Value::from_i32(u32(args[i])));
        Value result = Value::from_i32(0xdead);
        (void)entry->callback(context.get(), Span<const Value>(values.data(), values.size()), Span<Value>(&result, strlen(entry->results)));
        return result.i32;
    }
    u32 u32_at(u32 address) const
    {
        u32 v;
        memcpy(&v, memory.data() + address, 4);
        return v;
    }
    u64 u64_at(u32 address) const
    {
        u64 v;
        memcpy(&v, memory.data() + address, 8);
        return v;
    }
    void put_u32(u32 address, u32 v) { memcpy(memory.data() + address, &v, 4); }
    void put_string(u32 address, const std::string& s) { memcpy(memory.data() + address, s.data(), s.size()); }
    std::string string_at(u32 address, u32 length) const { return std::string(reinterpret_cast<const char*>(memory.data() + address), length); }

    u32 open(const std::string& path, u32 oflags = 0, u64 rights = rights::fd_read, u32* error = nullptr, u32 fdflags = 0)
    {
        put_string(0x1000, path);
        u32 e = call("path_open", { 3, 0, 0x1000, path.size(), oflags, rights, rights, fdflags, 0x2000 });
        if (error)
            *error = e;
        return e == 0 ? u32_at(0x2000) : ~0u;
    }
    u32 open_error(const std::string& path, u32 oflags = 0, u64 rights = rights::fd_read)
    {
        u32 e = 0;
        (void)open(path, oflags, rights, &e);
        return e;
    }
    // fd_read of up to `max` bytes into a string.
    std::string read_all(u32 fd, u32 max = 256)
    {
        put_u32(0x500, 0x3000);
        put_u32(0x504, max);
        EXPECT_EQ(call("fd_read", { fd, 0x500, 1, 0x508 }), errno_::success);
        return string_at(0x3000, u32_at(0x508));
    }
    u32 write_string(u32 fd, const std::string& data)
    {
        put_string(0x3000, data);
        put_u32(0x500, 0x3000);
        put_u32(0x504, u32(data.size()));
        return call("fd_write", { fd, 0x500, 1, 0x508 });
    }
    std::vector<std::string> list(const std::string& path)
    {
        u32 fd = open(path, oflags::directory, rights::fd_readdir);
        EXPECT_NE(fd, ~0u);
        EXPECT_EQ(call("fd_readdir", { fd, 0x3000, 8192, 0, 0x100 }), errno_::success);
        std::vector<std::string> names;
        u32 used = u32_at(0x100);
        for (u32 at = 0x3000; at + 24 <= 0x3000 + used;) {
            u32 length = u32_at(at + 16);
            std::string name = string_at(at + 24, length);
            if (name != "." && name != "..")
                names.push_back(name);
            at += 24 + length;
        }
        std::sort(names.begin(), names.end());
        (void)call("fd_close", { fd });
        return names;
    }

    std::unique_ptr<Backend> backend;
    std::unique_ptr<WasiContext> context;
    std::vector<u8> memory;
};

constexpr u64 rw = rights::fd_read | rights::fd_write | rights::fd_seek | rights::fd_tell | rights::fd_filestat_get | rights::fd_filestat_set_size;

TEST_P(FileSystemTest, ReadsWhatIsThere)
{
    u32 fd = open("hello.txt");
    ASSERT_NE(fd, ~0u);
    EXPECT_EQ(read_all(fd), "hello, world\n");
    EXPECT_EQ(read_all(fd), ""); // end of file
    EXPECT_EQ(call("fd_close", { fd }), errno_::success);
    EXPECT_EQ(call("fd_close", { fd }), errno_::badf);
    u32 inner = open("dir/inner.txt");
    ASSERT_NE(inner, ~0u);
    EXPECT_EQ(read_all(inner), "inner");
    EXPECT_EQ(open_error("missing.txt"), errno_::noent);
    EXPECT_EQ(open_error("hello.txt/x"), errno_::notdir);
}

TEST_P(FileSystemTest, PathsNeverLeaveThePreopen)
{
    EXPECT_EQ(open_error("../hello.txt"), errno_::notcapable);
    EXPECT_EQ(open_error("dir/../../hello.txt"), errno_::notcapable);
    EXPECT_EQ(open_error("/hello.txt"), errno_::notcapable);
    EXPECT_EQ(open_error(".."), errno_::notcapable);
    u32 fd = open("dir/../hello.txt"); // down and back up is fine
    ASSERT_NE(fd, ~0u);
    EXPECT_EQ(read_all(fd), "hello, world\n");
    put_string(0x1000, "../x");
    EXPECT_EQ(call("path_create_directory", { 3, 0x1000, 4 }), errno_::notcapable);
    EXPECT_EQ(call("path_unlink_file", { 3, 0x1000, 4 }), errno_::notcapable);
    EXPECT_EQ(call("path_filestat_get", { 3, 0, 0x1000, 4, 0x400 }), errno_::notcapable);
}

TEST_P(FileSystemTest, BadDescriptorsAndPointers)
{
    EXPECT_EQ(call("fd_close", { 99 }), errno_::badf);
    EXPECT_EQ(call("fd_filestat_get", { 99, 0x400 }), errno_::badf);
    put_string(0x1000, "hello.txt");
    EXPECT_EQ(call("path_open", { 99, 0, 0x1000, 9, 0, rights::fd_read, 0, 0, 0x2000 }), errno_::badf);
    EXPECT_EQ(call("path_open", { 3, 0, memory_size - 4, 9, 0, rights::fd_read, 0, 0, 0x2000 }), errno_::fault);
    EXPECT_EQ(call("path_open", { 3, 0, 0x1000, 9, 0, rights::fd_read, 0, 0, memory_size - 2 }), errno_::fault);
    u32 fd = open("hello.txt");
    ASSERT_NE(fd, ~0u);
    put_u32(0x500, memory_size - 4); // an iovec past the end
    put_u32(0x504, 100);
    EXPECT_EQ(call("fd_read", { fd, 0x500, 1, 0x508 }), errno_::fault);
    EXPECT_EQ(write_string(fd, "no"), errno_::notcapable); // opened without fd_write
}

TEST_P(FileSystemTest, WritesCreatesAndTruncates)
{
    u32 fd = open("new.txt", oflags::creat, rw);
    ASSERT_NE(fd, ~0u);
    EXPECT_EQ(write_string(fd, "first line\n"), errno_::success);
    EXPECT_EQ(u32_at(0x508), 11u);
    EXPECT_EQ(call("fd_seek", { fd, 0, whence::set, 0x600 }), errno_::success);
    EXPECT_EQ(read_all(fd), "first line\n");
    EXPECT_EQ(call("fd_filestat_get", { fd, 0x400 }), errno_::success);
    EXPECT_EQ(u64_at(0x400 + 32), 11u); // filestat.size
    EXPECT_EQ(memory[0x400 + 16], filetype::regular_file);
    EXPECT_EQ(call("fd_filestat_set_size", { fd, 5 }), errno_::success);
    EXPECT_EQ(call("fd_seek", { fd, 0, whence::set, 0x600 }), errno_::success);
    EXPECT_EQ(read_all(fd), "first");
    EXPECT_EQ(call("fd_close", { fd }), errno_::success);
    EXPECT_EQ(open_error("new.txt", oflags::creat | oflags::excl, rw), errno_::exist);
    u32 again = open("new.txt", oflags::trunc, rw);
    ASSERT_NE(again, ~0u);
    EXPECT_EQ(read_all(again), "");
    u32 append = open("hello.txt", 0, rw, nullptr, fdflags::append);
    ASSERT_NE(append, ~0u);
    EXPECT_EQ(write_string(append, "more\n"), errno_::success);
    u32 check = open("hello.txt");
    EXPECT_EQ(read_all(check), "hello, world\nmore\n");
}

TEST_P(FileSystemTest, DirectoriesRenameAndUnlink)
{
    put_string(0x1000, "made");
    EXPECT_EQ(call("path_create_directory", { 3, 0x1000, 4 }), errno_::success);
    EXPECT_EQ(call("path_create_directory", { 3, 0x1000, 4 }), errno_::exist);
    u32 fd = open("made/file", oflags::creat, rw);
    ASSERT_NE(fd, ~0u);
    EXPECT_EQ(write_string(fd, "x"), errno_::success);
    EXPECT_EQ(list("."), (std::vector<std::string> { "dir", "hello.txt", "made" }));
    EXPECT_EQ(list("made"), (std::vector<std::string> { "file" }));
    EXPECT_EQ(call("path_remove_directory", { 3, 0x1000, 4 }), errno_::notempty);
    put_string(0x1000, "made/file");
    put_string(0x1100, "dir/moved");
    EXPECT_EQ(call("path_rename", { 3, 0x1000, 9, 3, 0x1100, 9 }), errno_::success);
    EXPECT_EQ(list("made"), std::vector<std::string> {});
    EXPECT_EQ(list("dir"), (std::vector<std::string> { "inner.txt", "moved" }));
    EXPECT_EQ(open_error("made/file"), errno_::noent);
    put_string(0x1100, "dir/moved");
    EXPECT_EQ(call("path_unlink_file", { 3, 0x1100, 9 }), errno_::success);
    EXPECT_EQ(call("path_unlink_file", { 3, 0x1100, 9 }), errno_::noent);
    put_string(0x1000, "dir");
    EXPECT_EQ(call("path_unlink_file", { 3, 0x1000, 3 }), errno_::isdir);
    put_string(0x1000, "made");
    EXPECT_EQ(call("path_remove_directory", { 3, 0x1000, 4 }), errno_::success);
    EXPECT_EQ(list("."), (std::vector<std::string> { "dir", "hello.txt" }));
}

TEST_P(FileSystemTest, StatsThroughPaths)
{
    put_string(0x1000, "dir");
    EXPECT_EQ(call("path_filestat_get", { 3, 0, 0x1000, 3, 0x400 }), errno_::success);
    EXPECT_EQ(memory[0x400 + 16], filetype::directory);
    put_string(0x1000, "hello.txt");
    EXPECT_EQ(call("path_filestat_get", { 3, 0, 0x1000, 9, 0x400 }), errno_::success);
    EXPECT_EQ(memory[0x400 + 16], filetype::regular_file);
    EXPECT_EQ(u64_at(0x400 + 32), 13u);
    EXPECT_EQ(call("path_filestat_get", { 3, 0, 0x1000, 9, memory_size - 8 }), errno_::fault);
}

INSTANTIATE_TEST_SUITE_P(Backends, FileSystemTest, ::testing::Values("posix", "ramfs"),
    [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

// ---------------------------------------------------------------- RamFs only

std::string captured;

TEST(RamFs, StdoutGoesToTheConsoleSink)
{
    RamFs fs(1024);
    captured.clear();
    fs.set_console([](void*, int handle, const u8* bytes, usize length) {
        captured += std::to_string(handle) + ":" + std::string(reinterpret_cast<const char*>(bytes), length);
    }, nullptr);
    WasiContext context(fs);
    std::vector<u8> memory(4096);
    context.set_memory_view(Span<u8>(memory.data(), memory.size()));
    memcpy(memory.data() + 0x100, "hi\n", 3);
    u32 iov[2] = { 0x100, 3 };
    memcpy(memory.data() + 0x200, iov, 8);
    const FunctionEntry* write = find_function("fd_write");
    for (u32 fd : { 1u, 2u }) {
        Value args[4] = { Value::from_i32(fd), Value::from_i32(0x200), Value::from_i32(1), Value::from_i32(0x300) };
        Value result = Value::from_i32(0xdead);
        (void)write->callback(&context, Span<const Value>(args, 4), Span<Value>(&result, 1));
        EXPECT_EQ(result.i32, errno_::success);
    }
    EXPECT_EQ(captured, "1:hi\n2:hi\n");
}

std::string stdin_text;
int stdin_calls = 0;

// stdin (handle 0) reads from the embedder's source, once per fd_read and
// into the first non-empty buffer: in the kernel a read that finds nothing
// waits off the hart, and another guest's fd_read meanwhile reuses the
// iovec table (wasi/Wasi.cpp), so a read must not go on to a second buffer
// after it; without a source stdin is at end of file.
TEST(RamFs, StdinReadsTheConsoleSourceOnceIntoTheFirstNonEmptyBuffer)
{
    RamFs fs(1024);
    WasiContext context(fs);
    std::vector<u8> memory(4096);
    context.set_memory_view(Span<u8>(memory.data(), memory.size()));
    // iovecs: an empty one, 4 bytes at 0x140, 8 bytes at 0x180.
    u32 iov[6] = { 0x100, 0, 0x140, 4, 0x180, 8 };
    memcpy(memory.data() + 0x200, iov, sizeof iov);
    const FunctionEntry* read = find_function("fd_read");
    auto fd_read = [&]() {
        Value args[4] = { Value::from_i32(0), Value::from_i32(0x200), Value::from_i32(3), Value::from_i32(0x300) };
        Value result = Value::from_i32(0xdead);
        (void)read->callback(&context, Span<const Value>(args, 4), Span<Value>(&result, 1));
        EXPECT_EQ(result.i32, errno_::success);
        u32 count;
        memcpy(&count, memory.data() + 0x300, 4);
        return count;
    };
    EXPECT_EQ(fd_read(), 0u);

    stdin_text = "abcdefghijkl";
    stdin_calls = 0;
    fs.set_console_input([](void*, u8* buffer, usize length, usize& done) noexcept -> Errno {
        ++stdin_calls;
        done = length < stdin_text.size() ? length : stdin_text.size();
        memcpy(buffer, stdin_text.data(), done);
        stdin_text.erase(0, done);
        return errno_::success;
    }, nullptr);
    EXPECT_EQ(fd_read(), 4u);
    EXPECT_EQ(stdin_calls, 1);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(memory.data() + 0x140), 4), "abcd");
    EXPECT_EQ(memory[0x180], 0);
    EXPECT_EQ(fd_read(), 4u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(memory.data() + 0x140), 4), "efgh");
    EXPECT_EQ(stdin_calls, 2);
}

TEST(RamFs, AFullFileSystemAnswersEnospc)
{
    RamFs fs(100);
    CpioWriter w;
    w.file("ninety", std::string(90, 'n'));
    std::string archive = w.finish();
    ASSERT_FALSE(fs.unpack(Span<const u8>(reinterpret_cast<const u8*>(archive.data()), archive.size())).is_error());
    EXPECT_EQ(fs.bytes_used(), 90u);
    int root = -1;
    ASSERT_EQ(fs.open_directory("/", root), errno_::success);
    int fd = -1;
    ASSERT_EQ(fs.open_at(root, "f", 1, 0, oflags::creat, 0, true, true, fd), errno_::success);
    std::string ten(10, 't');
    usize done = 0;
    EXPECT_EQ(fs.write(fd, reinterpret_cast<const u8*>(ten.data()), 10, done), errno_::success);
    EXPECT_EQ(fs.write(fd, reinterpret_cast<const u8*>(ten.data()), 1, done), errno_::nospc);
    EXPECT_EQ(fs.bytes_used(), 100u);
    EXPECT_EQ(fs.set_size(fd, 1000), errno_::nospc);
    // Freeing space makes room again.
    EXPECT_EQ(fs.unlink_file_at(root, "ninety", 6), errno_::success);
    EXPECT_EQ(fs.bytes_used(), 10u);
    EXPECT_EQ(fs.write(fd, reinterpret_cast<const u8*>(ten.data()), 10, done), errno_::success);

    // An archive larger than the budget is refused with one line.
    RamFs small(10);
    auto r = small.unpack(Span<const u8>(reinterpret_cast<const u8*>(archive.data()), archive.size()));
    ASSERT_TRUE(r.is_error());
    EXPECT_NE(std::string(r.error().message_cstring()).find("no room for ninety"), std::string::npos);
}

TEST(RamFs, RefusesSymlinksAndDevices)
{
    CpioWriter w;
    w.entry("link", 0120777, "target");
    std::string archive = w.finish();
    RamFs fs(1024);
    auto r = fs.unpack(Span<const u8>(reinterpret_cast<const u8*>(archive.data()), archive.size()));
    ASSERT_TRUE(r.is_error());
    EXPECT_NE(std::string(r.error().message_cstring()).find("symbolic link"), std::string::npos);
    CpioWriter d;
    d.entry("dev", 0020644);
    archive = d.finish();
    r = fs.unpack(Span<const u8>(reinterpret_cast<const u8*>(archive.data()), archive.size()));
    ASSERT_TRUE(r.is_error());
}

TEST(RamFs, WalkListsTheTreeAndWhatChanged)
{
    CpioWriter w;
    w.directory("a");
    w.file("a/old", "old");
    w.file("top", "t");
    std::string archive = w.finish();
    RamFs fs(1024);
    ASSERT_FALSE(fs.unpack(Span<const u8>(reinterpret_cast<const u8*>(archive.data()), archive.size())).is_error());
    int root = -1, fd = -1;
    ASSERT_EQ(fs.open_directory("/", root), errno_::success);
    ASSERT_EQ(fs.open_at(root, "a/new", 5, 0, oflags::creat, 0, false, true, fd), errno_::success);
    usize done;
    EXPECT_EQ(fs.write(fd, reinterpret_cast<const u8*>("N"), 1, done), errno_::success);
    int sub = -1;
    EXPECT_EQ(fs.open_directory("/a", sub), errno_::success);
    EXPECT_EQ(fs.open_directory("/top", sub), errno_::notdir);
    std::string seen;
    ASSERT_FALSE(fs.walk([](void* data, StringView path, u8 type, Span<const u8> contents, bool changed) {
        auto& s = *static_cast<std::string*>(data);
        s += std::string(path.data(), path.length()) + (type == filetype::directory ? "/" : "=" + std::string(reinterpret_cast<const char*>(contents.data()), contents.size())) + (changed ? "*" : "") + " ";
        return true;
    }, &seen).is_error());
    EXPECT_EQ(seen, "a/ a/old=old a/new=N* top=t ");
}

} // namespace

namespace {

TEST(RamFs, RemovedNodesAreFreedWhenTheLastHandleCloses)
{
    RamFs fs(1 << 16);
    int root = -1;
    ASSERT_EQ(fs.open_directory("/", root), errno_::success);
    usize base = fs.node_count();
    usize done = 0;
    // Creating and removing many files leaves nothing behind.
    for (int i = 0; i < 1000; ++i) {
        int fd = -1;
        ASSERT_EQ(fs.open_at(root, "churn", 5, 0, oflags::creat, 0, false, true, fd), errno_::success);
        ASSERT_EQ(fs.write(fd, reinterpret_cast<const u8*>("data"), 4, done), errno_::success);
        ASSERT_EQ(fs.close(fd), errno_::success);
        ASSERT_EQ(fs.unlink_file_at(root, "churn", 5), errno_::success);
        ASSERT_EQ(fs.create_directory_at(root, "dir", 3), errno_::success);
        ASSERT_EQ(fs.remove_directory_at(root, "dir", 3), errno_::success);
    }
    EXPECT_EQ(fs.node_count(), base);
    EXPECT_EQ(fs.bytes_used(), 0u);
    // An unlinked file stays readable through a handle still open, and its
    // bytes count until that handle is closed.
    int fd = -1;
    ASSERT_EQ(fs.open_at(root, "kept", 4, 0, oflags::creat, 0, true, true, fd), errno_::success);
    ASSERT_EQ(fs.write(fd, reinterpret_cast<const u8*>("still here"), 10, done), errno_::success);
    ASSERT_EQ(fs.unlink_file_at(root, "kept", 4), errno_::success);
    EXPECT_EQ(fs.bytes_used(), 10u);
    u8 buffer[16];
    ASSERT_EQ(fs.pread(fd, buffer, sizeof(buffer), 0, done), errno_::success);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(buffer), done), "still here");
    FileStat st;
    ASSERT_EQ(fs.fstat(fd, st), errno_::success);
    EXPECT_EQ(st.link_count, 0u);
    ASSERT_EQ(fs.close(fd), errno_::success);
    EXPECT_EQ(fs.bytes_used(), 0u);
    EXPECT_EQ(fs.node_count(), base);
    // A removed directory that is still open lists only . and .., and
    // nothing resolves beneath it.
    ASSERT_EQ(fs.create_directory_at(root, "gone", 4), errno_::success);
    int dir = -1;
    ASSERT_EQ(fs.open_at(root, "gone", 4, 0, oflags::directory, 0, false, false, dir), errno_::success);
    ASSERT_EQ(fs.remove_directory_at(root, "gone", 4), errno_::success);
    int inner = -1;
    EXPECT_EQ(fs.open_at(dir, "x", 1, 0, oflags::creat, 0, false, true, inner), errno_::noent);
    EXPECT_EQ(fs.open_at(dir, "..", 2, 0, 0, 0, false, false, inner), errno_::noent);
    int entries = 0;
    ASSERT_EQ(fs.read_directory(dir, 0, [](void* data, const DirectoryEntry&) { ++*static_cast<int*>(data); return true; }, &entries), errno_::success);
    EXPECT_EQ(entries, 2);
    ASSERT_EQ(fs.close(dir), errno_::success);
    EXPECT_EQ(fs.node_count(), base);
}

} // namespace
