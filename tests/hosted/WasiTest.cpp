// WASI preview1 host functions against a fake guest memory (a plain
// buffer) and real files in a temporary directory.

#include <hosted/wasi/Posix.h>
#include <wasi/Wasi.h>

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace k23;
using namespace k23::wasi;
using k23::wasm::Value;

namespace {

class TempDir {
public:
    TempDir()
    {
        char pattern[] = "/tmp/k23-wasi-XXXXXX";
        const char* made = mkdtemp(pattern);
        EXPECT_NE(made, nullptr);
        m_path = made ? made : "";
    }
    ~TempDir()
    {
        std::string cmd = "rm -rf '" + m_path + "'";
        (void)!system(cmd.c_str());
    }
    const std::string& path() const { return m_path; }
    void write(const std::string& name, const std::string& contents) const
    {
        std::string full = m_path + "/" + name;
        FILE* f = fopen(full.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        fwrite(contents.data(), 1, contents.size(), f);
        fclose(f);
    }
    void mkdir(const std::string& name) const { ASSERT_EQ(::mkdir((m_path + "/" + name).c_str(), 0755), 0); }
    void symlink(const std::string& target, const std::string& name) const
    {
        ASSERT_EQ(::symlink(target.c_str(), (m_path + "/" + name).c_str()), 0);
    }

private:
    std::string m_path;
};

class WasiTest : public ::testing::Test {
protected:
    static constexpr u32 memory_size = 65536;

    void SetUp() override
    {
        memory.assign(memory_size, 0);
        context.set_memory_view(Span<u8>(memory.data(), memory.size()));
    }

    // Calls function `name` with i32/i64 arguments as its signature says.
    u32 call(const char* name, std::vector<u64> args) { return call_in(context, name, std::move(args)); }
    // The same on another context (one made after redirecting stdio).
    u32 call_in(WasiContext& in, const char* name, std::vector<u64> args)
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
        auto r = entry->callback(&in, Span<const Value>(values.data(), values.size()), Span<Value>(&result, strlen(entry->results)));
        last_error_code = r.is_error() ? r.error().code() : ErrorCode::Unknown;
        last_was_error = r.is_error();
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
    void put_u64(u32 address, u64 v) { memcpy(memory.data() + address, &v, 8); }
    void put_string(u32 address, const std::string& s) { memcpy(memory.data() + address, s.data(), s.size()); }
    std::string string_at(u32 address, u32 length) const { return std::string(reinterpret_cast<const char*>(memory.data() + address), length); }

    // path_open(preopen, path) -> fd, or errno in *error.
    u32 open(u32 dir_fd, const std::string& path, u32 lookup = 0, u32 oflags = 0, u64 rights = rights::fd_read, u32* error = nullptr)
    {
        put_string(0x1000, path);
        u32 e = call("path_open", { dir_fd, lookup, 0x1000, path.size(), oflags, rights, rights, 0, 0x2000 });
        if (error)
            *error = e;
        return e == 0 ? u32_at(0x2000) : ~0u;
    }

    std::vector<u8> memory;
    WasiContext context { posix::host() };
    ErrorCode last_error_code { ErrorCode::Unknown };
    bool last_was_error { false };
};

TEST_F(WasiTest, EveryFunctionHasAName)
{
    EXPECT_GE(functions().size(), 30u);
    EXPECT_NE(find_function("fd_write"), nullptr);
    EXPECT_NE(find_function("path_open"), nullptr);
    EXPECT_EQ(find_function("sock_accept"), nullptr); // links as an ENOSYS stub
}

TEST_F(WasiTest, ArgsLayout)
{
    ASSERT_FALSE(context.add_argument("prog.wasm").is_error());
    ASSERT_FALSE(context.add_argument("-x").is_error());
    ASSERT_FALSE(context.add_argument("").is_error());
    EXPECT_EQ(call("args_sizes_get", { 0x100, 0x104 }), errno_::success);
    EXPECT_EQ(u32_at(0x100), 3u);
    EXPECT_EQ(u32_at(0x104), 10u + 3 + 1);
    EXPECT_EQ(call("args_get", { 0x200, 0x300 }), errno_::success);
    EXPECT_EQ(u32_at(0x200), 0x300u);
    EXPECT_EQ(u32_at(0x204), 0x30au);
    EXPECT_EQ(u32_at(0x208), 0x30du);
    EXPECT_EQ(string_at(0x300, 14), std::string("prog.wasm\0-x\0\0", 14));
}

TEST_F(WasiTest, EnvironLayout)
{
    ASSERT_FALSE(context.add_environment("A=1").is_error());
    ASSERT_FALSE(context.add_environment("LONGER=two").is_error());
    EXPECT_EQ(call("environ_sizes_get", { 0x100, 0x104 }), errno_::success);
    EXPECT_EQ(u32_at(0x100), 2u);
    EXPECT_EQ(u32_at(0x104), 15u);
    EXPECT_EQ(call("environ_get", { 0x200, 0x300 }), errno_::success);
    EXPECT_EQ(u32_at(0x200), 0x300u);
    EXPECT_EQ(u32_at(0x204), 0x304u);
    EXPECT_EQ(string_at(0x304, 11), std::string("LONGER=two\0", 11));
}

TEST_F(WasiTest, ArgsOutOfBoundsIsEfault)
{
    ASSERT_FALSE(context.add_argument("prog").is_error());
    EXPECT_EQ(call("args_sizes_get", { memory_size - 2, 0x104 }), errno_::fault);
    EXPECT_EQ(call("args_sizes_get", { 0x100, 0xffffffff }), errno_::fault);
    EXPECT_EQ(call("args_get", { 0x200, memory_size - 3 }), errno_::fault); // "prog\0" does not fit
    EXPECT_EQ(call("args_get", { memory_size - 2, 0x300 }), errno_::fault);
    EXPECT_EQ(call("environ_get", { memory_size, memory_size }), errno_::success); // no entries: nothing written
    EXPECT_EQ(call("environ_get", { 0xfffffffc, 0x300 }), errno_::fault);
}

TEST_F(WasiTest, FdWriteGathersIovecs)
{
    TempDir dir;
    ASSERT_FALSE(context.add_preopen(dir.path().c_str(), ".").is_error());
    u32 error = 0;
    u32 fd = open(3, "out.txt", 0, oflags::creat, rights::fd_write | rights::fd_read, &error);
    ASSERT_EQ(error, errno_::success);
    EXPECT_EQ(fd, 4u);
    put_string(0x400, "Hello, ");
    put_string(0x500, "world!\n");
    put_u32(0x300, 0x400);
    put_u32(0x304, 7);
    put_u32(0x308, 0x500);
    put_u32(0x30c, 0); // an empty iovec in the middle
    put_u32(0x310, 0x500);
    put_u32(0x314, 7);
    EXPECT_EQ(call("fd_write", { fd, 0x300, 3, 0x320 }), errno_::success);
    EXPECT_EQ(u32_at(0x320), 14u);
    EXPECT_EQ(call("fd_close", { fd }), errno_::success);
    EXPECT_EQ(call("fd_close", { fd }), errno_::badf);

    FILE* f = fopen((dir.path() + "/out.txt").c_str(), "rb");
    ASSERT_NE(f, nullptr);
    char buffer[64] = {};
    usize n = fread(buffer, 1, sizeof(buffer), f);
    fclose(f);
    EXPECT_EQ(std::string(buffer, n), "Hello, world!\n");
}

TEST_F(WasiTest, FdWriteBoundsChecks)
{
    put_u32(0x300, memory_size - 4);
    put_u32(0x304, 5); // one byte past the end
    EXPECT_EQ(call("fd_write", { 1, 0x300, 1, 0x320 }), errno_::fault);
    put_u32(0x304, 0xffffffff);
    EXPECT_EQ(call("fd_write", { 1, 0x300, 1, 0x320 }), errno_::fault);
    put_u32(0x300, 0xfffffff0);
    put_u32(0x304, 0x20); // wraps around in 32 bits
    EXPECT_EQ(call("fd_write", { 1, 0x300, 1, 0x320 }), errno_::fault);
    EXPECT_EQ(call("fd_write", { 1, memory_size - 4, 1, 0x320 }), errno_::fault); // iovec array itself
    EXPECT_EQ(call("fd_write", { 1, 0x300, 0x20000000, 0x320 }), errno_::inval);  // more than IOV_MAX
    put_u32(0x304, 0);
    EXPECT_EQ(call("fd_write", { 1, 0x300, 1, memory_size - 3 }), errno_::fault); // nwritten
    EXPECT_EQ(call("fd_write", { 99, 0x300, 1, 0x320 }), errno_::badf);
}

TEST_F(WasiTest, FdReadSeekTellPread)
{
    TempDir dir;
    dir.write("in.txt", "0123456789");
    ASSERT_FALSE(context.add_preopen(dir.path().c_str(), "/sandbox").is_error());
    u32 fd = open(3, "in.txt", 0, 0, rights::fd_read | rights::fd_seek | rights::fd_tell);
    ASSERT_NE(fd, ~0u);
    put_u32(0x300, 0x400);
    put_u32(0x304, 4);
    put_u32(0x308, 0x500);
    put_u32(0x30c, 100);
    EXPECT_EQ(call("fd_read", { fd, 0x300, 2, 0x320 }), errno_::success);
    EXPECT_EQ(u32_at(0x320), 10u);
    EXPECT_EQ(string_at(0x400, 4), "0123");
    EXPECT_EQ(string_at(0x500, 6), "456789");
    EXPECT_EQ(call("fd_read", { fd, 0x300, 2, 0x320 }), errno_::success);
    EXPECT_EQ(u32_at(0x320), 0u); // end of file
    EXPECT_EQ(call("fd_seek", { fd, u64(-3), whence::end, 0x330 }), errno_::success);
    EXPECT_EQ(u64_at(0x330), 7u);
    EXPECT_EQ(call("fd_tell", { fd, 0x338 }), errno_::success);
    EXPECT_EQ(u64_at(0x338), 7u);
    EXPECT_EQ(call("fd_seek", { fd, 0, 7, 0x330 }), errno_::inval);
    EXPECT_EQ(call("fd_seek", { fd, 0, whence::set, memory_size - 4 }), errno_::fault);
    EXPECT_EQ(call("fd_pread", { fd, 0x300, 1, 2, 0x320 }), errno_::success);
    EXPECT_EQ(u32_at(0x320), 4u);
    EXPECT_EQ(string_at(0x400, 4), "2345");
    EXPECT_EQ(call("fd_tell", { fd, 0x338 }), errno_::success);
    EXPECT_EQ(u64_at(0x338), 7u); // pread does not move the position
}

TEST_F(WasiTest, PrestatAndFdstat)
{
    TempDir dir;
    ASSERT_FALSE(context.add_preopen(dir.path().c_str(), "/data").is_error());
    EXPECT_EQ(call("fd_prestat_get", { 3, 0x100 }), errno_::success);
    EXPECT_EQ(memory[0x100], 0u);
    EXPECT_EQ(u32_at(0x104), 5u);
    EXPECT_EQ(call("fd_prestat_dir_name", { 3, 0x200, 5 }), errno_::success);
    EXPECT_EQ(string_at(0x200, 5), "/data");
    EXPECT_EQ(call("fd_prestat_dir_name", { 3, 0x200, 4 }), errno_::nametoolong);
    EXPECT_EQ(call("fd_prestat_dir_name", { 3, memory_size - 2, 5 }), errno_::fault);
    EXPECT_EQ(call("fd_prestat_get", { 4, 0x100 }), errno_::badf); // where wasi-libc stops
    EXPECT_EQ(call("fd_prestat_get", { 1, 0x100 }), errno_::badf);
    EXPECT_EQ(call("fd_fdstat_get", { 3, 0x300 }), errno_::success);
    EXPECT_EQ(memory[0x300], filetype::directory);
    EXPECT_EQ(call("fd_fdstat_get", { 3, memory_size - 8 }), errno_::fault);
    EXPECT_EQ(call("fd_fdstat_get", { 77, 0x300 }), errno_::badf);
}

TEST_F(WasiTest, FilestatOfFileAndPath)
{
    TempDir dir;
    dir.write("f.bin", std::string(1234, 'x'));
    ASSERT_FALSE(context.add_preopen(dir.path().c_str(), ".").is_error());
    put_string(0x1000, "f.bin");
    EXPECT_EQ(call("path_filestat_get", { 3, lookup_symlink_follow, 0x1000, 5, 0x400 }), errno_::success);
    EXPECT_EQ(memory[0x400 + 16], filetype::regular_file);
    EXPECT_EQ(u64_at(0x400 + 32), 1234u);
    u32 fd = open(3, "f.bin", 0, 0, rights::fd_read | rights::fd_filestat_get);
    ASSERT_NE(fd, ~0u);
    EXPECT_EQ(call("fd_filestat_get", { fd, 0x500 }), errno_::success);
    EXPECT_EQ(u64_at(0x500 + 32), 1234u);
    EXPECT_EQ(u64_at(0x500 + 8), u64_at(0x400 + 8)); // same inode
    EXPECT_EQ(call("fd_filestat_get", { fd, memory_size - 63 }), errno_::fault);
    put_string(0x1000, "nope");
    EXPECT_EQ(call("path_filestat_get", { 3, 0, 0x1000, 4, 0x400 }), errno_::noent);
}

TEST_F(WasiTest, PathOpenStaysInsideThePreopen)
{
    TempDir outer;
    outer.write("secret.txt", "top secret");
    outer.mkdir("root");
    outer.mkdir("root/sub");
    outer.write("root/sub/ok.txt", "fine");
    outer.symlink("../secret.txt", "root/escape");         // relative symlink leaving the root
    outer.symlink(outer.path() + "/secret.txt", "root/abs"); // absolute symlink
    outer.symlink("sub/ok.txt", "root/inside");             // stays inside
    outer.symlink("..", "root/sub/up");                      // up to root: still inside
    outer.symlink("loop", "root/loop");
    ASSERT_FALSE(context.add_preopen((outer.path() + "/root").c_str(), ".").is_error());

    u32 error = 0;
    EXPECT_NE(open(3, "sub/ok.txt", 0, 0, rights::fd_read, &error), ~0u);
    EXPECT_NE(open(3, "./sub/../sub/ok.txt", 0, 0, rights::fd_read, &error), ~0u);
    EXPECT_NE(open(3, "inside", lookup_symlink_follow, 0, rights::fd_read, &error), ~0u);
    EXPECT_NE(open(3, "sub/up/sub/ok.txt", lookup_symlink_follow, 0, rights::fd_read, &error), ~0u);
    EXPECT_EQ(error, errno_::success);

    open(3, "../secret.txt", 0, 0, rights::fd_read, &error);
    EXPECT_EQ(error, errno_::notcapable);
    open(3, "sub/../../secret.txt", 0, 0, rights::fd_read, &error);
    EXPECT_EQ(error, errno_::notcapable);
    open(3, (outer.path() + "/secret.txt").c_str(), 0, 0, rights::fd_read, &error);
    EXPECT_EQ(error, errno_::notcapable);
    open(3, "escape", lookup_symlink_follow, 0, rights::fd_read, &error);
    EXPECT_EQ(error, errno_::notcapable);
    open(3, "abs", lookup_symlink_follow, 0, rights::fd_read, &error);
    EXPECT_EQ(error, errno_::notcapable);
    open(3, "escape/x", 0, 0, rights::fd_read, &error); // through a symlink in the middle
    EXPECT_EQ(error, errno_::notcapable);
    open(3, "escape", 0, 0, rights::fd_read, &error); // not followed: O_NOFOLLOW refuses the link
    EXPECT_EQ(error, errno_::loop);
    open(3, "loop", lookup_symlink_follow, 0, rights::fd_read, &error);
    EXPECT_EQ(error, errno_::loop);
    open(3, "missing/x", 0, 0, rights::fd_read, &error);
    EXPECT_EQ(error, errno_::noent);
    open(3, "sub/ok.txt/x", 0, 0, rights::fd_read, &error);
    EXPECT_EQ(error, errno_::notdir);
    open(3, std::string("sub\0x", 5), 0, 0, rights::fd_read, &error);
    EXPECT_EQ(error, errno_::ilseq);
    open(3, "", 0, 0, rights::fd_read, &error);
    EXPECT_EQ(error, errno_::noent);
    // Creating through an escaping path writes nothing outside.
    open(3, "../created.txt", 0, oflags::creat, rights::fd_write, &error);
    EXPECT_EQ(error, errno_::notcapable);
    EXPECT_NE(access((outer.path() + "/created.txt").c_str(), F_OK), 0);
    // Not a directory descriptor: stdout has no path rights at all; a file
    // opened with every right still is no directory.
    open(1, "x", 0, 0, rights::fd_read, &error);
    EXPECT_EQ(error, errno_::notcapable);
    u32 file = open(3, "sub/ok.txt", 0, 0, rights::all, &error);
    ASSERT_NE(file, ~0u);
    open(file, "x", 0, 0, rights::fd_read, &error);
    EXPECT_EQ(error, errno_::notdir);
    // Path out of bounds.
    EXPECT_EQ(call("path_open", { 3, 0, memory_size - 2, 5, 0, 0, 0, 0, 0x2000 }), errno_::fault);
    EXPECT_EQ(call("path_open", { 3, 0, 0x1000, 4, 0, 0, 0, 0, memory_size }), errno_::fault);
}

TEST_F(WasiTest, DirectoriesCreateReadRemove)
{
    TempDir dir;
    ASSERT_FALSE(context.add_preopen(dir.path().c_str(), ".").is_error());
    put_string(0x1000, "newdir");
    EXPECT_EQ(call("path_create_directory", { 3, 0x1000, 6 }), errno_::success);
    EXPECT_EQ(call("path_create_directory", { 3, 0x1000, 6 }), errno_::exist);
    u32 fd = open(3, ".", 0, oflags::directory, rights::fd_readdir);
    ASSERT_NE(fd, ~0u);
    EXPECT_EQ(call("fd_readdir", { fd, 0x3000, 4096, 0, 0x100 }), errno_::success);
    u32 used = u32_at(0x100);
    bool found = false;
    for (u32 at = 0x3000; at + 24 <= 0x3000 + used;) {
        u32 length = u32_at(at + 16);
        if (string_at(at + 24, length) == "newdir") {
            found = true;
            EXPECT_EQ(memory[at + 20], filetype::directory);
        }
        at += 24 + length;
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(call("fd_readdir", { fd, 0x3000, 10, 0, 0x100 }), errno_::success);
    EXPECT_EQ(u32_at(0x100), 10u); // a full buffer: ask again with more room
    put_string(0x1000, "newdir");
    EXPECT_EQ(call("path_remove_directory", { 3, 0x1000, 6 }), errno_::success);
    EXPECT_EQ(call("path_remove_directory", { 3, 0x1000, 6 }), errno_::noent);
}

TEST_F(WasiTest, ClocksAndRandom)
{
    EXPECT_EQ(call("clock_time_get", { clockid::monotonic, 1, 0x100 }), errno_::success);
    u64 first = u64_at(0x100);
    EXPECT_EQ(call("clock_time_get", { clockid::monotonic, 1, 0x100 }), errno_::success);
    EXPECT_GE(u64_at(0x100), first);
    EXPECT_EQ(call("clock_time_get", { clockid::realtime, 1, 0x108 }), errno_::success);
    EXPECT_GT(u64_at(0x108), u64(1'600'000'000) * 1'000'000'000); // after 2020
    EXPECT_EQ(call("clock_time_get", { 9, 1, 0x100 }), errno_::inval);
    EXPECT_EQ(call("clock_time_get", { clockid::monotonic, 1, memory_size - 7 }), errno_::fault);
    EXPECT_EQ(call("clock_res_get", { clockid::monotonic, 0x110 }), errno_::success);
    EXPECT_GT(u64_at(0x110), 0u);
    EXPECT_EQ(call("clock_res_get", { clockid::realtime, memory_size }), errno_::fault);

    EXPECT_EQ(call("random_get", { 0x200, 64 }), errno_::success);
    bool any_nonzero = false;
    for (u32 i = 0; i < 64; ++i)
        any_nonzero |= memory[0x200 + i] != 0;
    EXPECT_TRUE(any_nonzero);
    EXPECT_EQ(call("random_get", { memory_size - 10, 11 }), errno_::fault);
    EXPECT_EQ(call("random_get", { memory_size, 0 }), errno_::success);
}

TEST_F(WasiTest, PollOneoffClock)
{
    // One relative clock subscription of 1 ms.
    put_u64(0x100, 0x1234);       // userdata
    memory[0x108] = 0;            // clock
    put_u32(0x110, clockid::monotonic);
    put_u64(0x118, 1'000'000);
    EXPECT_EQ(call("poll_oneoff", { 0x100, 0x200, 1, 0x300 }), errno_::success);
    EXPECT_EQ(u32_at(0x300), 1u);
    EXPECT_EQ(u64_at(0x200), 0x1234u);
    EXPECT_EQ(memory[0x20a], 0u);
    EXPECT_EQ(call("poll_oneoff", { 0x100, 0x200, 0, 0x300 }), errno_::inval);
    EXPECT_EQ(call("poll_oneoff", { 0x100, memory_size - 16, 1, 0x300 }), errno_::fault);
}

TEST_F(WasiTest, ProcExitUnwindsWithItsStatus)
{
    call("proc_exit", { 3 });
    EXPECT_TRUE(last_was_error);
    EXPECT_EQ(last_error_code, ErrorCode::Exit);
    EXPECT_TRUE(context.has_exited());
    EXPECT_EQ(context.exit_status(), 3u);
}

TEST_F(WasiTest, SchedYieldAndFdstatOfStdout)
{
    EXPECT_EQ(call("sched_yield", {}), errno_::success);
    EXPECT_EQ(call("fd_fdstat_get", { 1, 0x100 }), errno_::success);
    EXPECT_EQ(call("fd_fdstat_set_flags", { 99, 0 }), errno_::badf);
}

TEST_F(WasiTest, NoMemoryAtAllIsEfault)
{
    WasiContext empty { posix::host() };
    const FunctionEntry* entry = find_function("args_sizes_get");
    Value args[2] = { Value::from_i32(0), Value::from_i32(4) };
    Value result;
    ASSERT_FALSE(entry->callback(&empty, Span<const Value>(args, 2), Span<Value>(&result, 1)).is_error());
    EXPECT_EQ(result.i32, errno_::fault);
}

} // namespace

namespace {

TEST_F(WasiTest, RenameLinkSymlinkRenumber)
{
    TempDir dir;
    dir.write("a.txt", "A");
    dir.write("b.txt", "B");
    ASSERT_FALSE(context.add_preopen(dir.path().c_str(), ".").is_error());
    put_string(0x1000, "a.txt");
    put_string(0x1100, "c.txt");
    EXPECT_EQ(call("path_rename", { 3, 0x1000, 5, 3, 0x1100, 5 }), errno_::success);
    EXPECT_NE(access((dir.path() + "/c.txt").c_str(), F_OK), -1);
    put_string(0x1200, "../x.txt");
    EXPECT_EQ(call("path_rename", { 3, 0x1100, 5, 3, 0x1200, 8 }), errno_::notcapable);
    EXPECT_EQ(call("path_link", { 3, 0, 0x1100, 5, 3, 0x1000, 5 }), errno_::success); // a.txt again
    // A symlink may name anything, but following it stays inside.
    put_string(0x1300, "/etc/passwd");
    put_string(0x1400, "link");
    EXPECT_EQ(call("path_symlink", { 0x1300, 11, 3, 0x1400, 4 }), errno_::success);
    u32 error = 0;
    open(3, "link", lookup_symlink_follow, 0, rights::fd_read, &error);
    EXPECT_EQ(error, errno_::notcapable);
    EXPECT_EQ(call("path_symlink", { memory_size - 1, 11, 3, 0x1400, 4 }), errno_::fault);

    constexpr u64 used = rights::fd_read | rights::fd_advise | rights::fd_filestat_get | rights::fd_filestat_set_times;
    u32 fd_b = open(3, "b.txt", 0, 0, used);
    u32 fd_c = open(3, "c.txt", 0, 0, used);
    ASSERT_NE(fd_b, ~0u);
    ASSERT_NE(fd_c, ~0u);
    EXPECT_EQ(call("fd_renumber", { fd_c, fd_b }), errno_::success);
    put_u32(0x300, 0x400);
    put_u32(0x304, 1);
    EXPECT_EQ(call("fd_read", { fd_b, 0x300, 1, 0x320 }), errno_::success);
    EXPECT_EQ(string_at(0x400, 1), "A"); // fd_b is c.txt (a.txt's contents) now
    EXPECT_EQ(call("fd_read", { fd_c, 0x300, 1, 0x320 }), errno_::badf);
    EXPECT_EQ(call("fd_renumber", { 77, fd_b }), errno_::badf);
    EXPECT_EQ(call("fd_advise", { fd_b, 0, 0, 1 }), errno_::success);
    EXPECT_EQ(call("fd_filestat_set_times", { fd_b, 0, 1'000'000'000, 4 }), errno_::success);
    EXPECT_EQ(call("fd_filestat_get", { fd_b, 0x500 }), errno_::success);
    EXPECT_EQ(u64_at(0x500 + 48), 1'000'000'000u);
    EXPECT_EQ(call("fd_filestat_set_times", { fd_b, 0, 0, 1 | 2 }), errno_::inval);
}

} // namespace

namespace {

// Puts `replacement` on stdio number `fd` for a scope (as a shell's `<` or
// `>>` would for k23-run), and puts the original back.
class StdioSwap {
public:
    StdioSwap(int fd, int replacement)
        : m_fd(fd)
    {
        fflush(stdout);
        fflush(stderr);
        m_saved = dup(fd);
        EXPECT_GE(m_saved, 0);
        EXPECT_EQ(dup2(replacement, fd), fd);
    }
    ~StdioSwap()
    {
        fflush(stdout);
        dup2(m_saved, m_fd);
        close(m_saved);
    }

private:
    int m_fd;
    int m_saved { -1 };
};

std::string read_file(const std::string& path)
{
    std::string out;
    FILE* f = fopen(path.c_str(), "rb");
    if (!f)
        return "<missing>";
    char buffer[256];
    usize n;
    while ((n = fread(buffer, 1, sizeof(buffer), f)) > 0)
        out.append(buffer, n);
    fclose(f);
    return out;
}

// Issue 11 item 4: `k23-run ... < SOMEDIR` made fd 0 a directory with every
// right, and the guest created and read files in SOMEDIR through it.
TEST_F(WasiTest, StdinDirectoryIsNotACapability)
{
    TempDir dir;
    dir.write("inside.txt", "host data");
    int dir_fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(dir_fd, 0);
    std::vector<u32> got;
    {
        StdioSwap swap(0, dir_fd);
        WasiContext stdin_dir { posix::host() };
        stdin_dir.set_memory_view(Span<u8>(memory.data(), memory.size()));
        put_string(0x1000, "made.txt");
        got.push_back(call_in(stdin_dir, "path_open", { 0, 0, 0x1000, 8, oflags::creat, rights::fd_write, 0, 0, 0x2000 }));
        put_string(0x1000, "inside.txt");
        got.push_back(call_in(stdin_dir, "path_open", { 0, 0, 0x1000, 10, 0, rights::fd_read, 0, 0, 0x2000 }));
        put_string(0x1000, "madedir");
        got.push_back(call_in(stdin_dir, "path_create_directory", { 0, 0x1000, 7 }));
        put_string(0x1000, "inside.txt");
        got.push_back(call_in(stdin_dir, "path_unlink_file", { 0, 0x1000, 10 }));
        got.push_back(call_in(stdin_dir, "path_filestat_get", { 0, 0, 0x1000, 10, 0x400 }));
        got.push_back(call_in(stdin_dir, "fd_readdir", { 0, 0x3000, 4096, 0, 0x100 }));
        got.push_back(call_in(stdin_dir, "fd_fdstat_get", { 0, 0x300 }));
        got.push_back(call_in(stdin_dir, "fd_filestat_get", { 0, 0x500 }));
    }
    close(dir_fd);
    EXPECT_EQ(got, (std::vector<u32> { errno_::notcapable, errno_::notcapable, errno_::notcapable, errno_::notcapable,
                       errno_::notcapable, errno_::notcapable, errno_::success, errno_::success }));
    EXPECT_NE(memory[0x300], filetype::directory);
    EXPECT_EQ(u64_at(0x300 + 8), rights::stdin_stream);
    EXPECT_EQ(u64_at(0x300 + 16), 0u); // nothing to inherit
    EXPECT_NE(memory[0x500 + 16], filetype::directory);
    EXPECT_NE(access((dir.path() + "/made.txt").c_str(), F_OK), 0);
    EXPECT_NE(access((dir.path() + "/madedir").c_str(), F_OK), 0);
    EXPECT_EQ(read_file(dir.path() + "/inside.txt"), "host data");
}

// Issue 11 item 5: with `k23-run ... >> host.log`, fd_filestat_set_size(1, 0)
// succeeded and the host's earlier log lines were gone. Nothing the host
// gave through stdio may be destroyed: no truncate, seek, positioned write,
// flag change (dropping O_APPEND), allocation or time change on fds 0-2,
// and rights never grow back.
TEST_F(WasiTest, AppendModeStdoutKeepsTheHostsLines)
{
    TempDir dir;
    dir.write("host.log", "host line\n");
    dir.write("scratch.txt", "scratch");
    std::string log = dir.path() + "/host.log";
    int log_fd = ::open(log.c_str(), O_WRONLY | O_APPEND);
    ASSERT_GE(log_fd, 0);
    std::vector<u32> got;
    u16 flags_seen = 0;
    {
        StdioSwap swap(1, log_fd);
        WasiContext redirected { posix::host() };
        redirected.set_memory_view(Span<u8>(memory.data(), memory.size()));
        ASSERT_FALSE(redirected.add_preopen(dir.path().c_str(), ".").is_error());
        put_string(0x400, "XX");
        put_u32(0x300, 0x400);
        put_u32(0x304, 2);
        got.push_back(call_in(redirected, "fd_filestat_set_size", { 1, 0 }));
        got.push_back(call_in(redirected, "fd_seek", { 1, 0, whence::set, 0x330 }));
        got.push_back(call_in(redirected, "fd_tell", { 1, 0x330 }));
        got.push_back(call_in(redirected, "fd_pwrite", { 1, 0x300, 1, 0, 0x320 }));
        got.push_back(call_in(redirected, "fd_fdstat_set_flags", { 1, 0 }));
        got.push_back(call_in(redirected, "fd_allocate", { 1, 0, 4096 }));
        got.push_back(call_in(redirected, "fd_filestat_set_times", { 1, 0, 0, 2 | 8 }));
        got.push_back(call_in(redirected, "fd_sync", { 1 }));
        got.push_back(call_in(redirected, "fd_fdstat_set_rights", { 1, rights::all, rights::all }));
        got.push_back(call_in(redirected, "fd_read", { 1, 0x300, 1, 0x320 }));
        put_string(0x1000, "x");
        got.push_back(call_in(redirected, "path_open", { 1, 0, 0x1000, 1, oflags::creat, rights::fd_write, 0, 0, 0x2000 }));
        got.push_back(call_in(redirected, "fd_filestat_set_size", { 2, 0 }));
        got.push_back(call_in(redirected, "fd_filestat_set_size", { 0, 0 }));
        put_string(0x400, "guest\n");
        put_u32(0x304, 6);
        got.push_back(call_in(redirected, "fd_write", { 1, 0x300, 1, 0x320 })); // appends
        got.push_back(call_in(redirected, "fd_fdstat_get", { 1, 0x340 }));
        flags_seen = u16(memory[0x342] | memory[0x343] << 8);
        // Moving a scratch file onto fd 1 replaces the guest's fd 1 only;
        // truncating that leaves the host's log alone.
        put_string(0x1000, "scratch.txt");
        got.push_back(call_in(redirected, "path_open", { 3, 0, 0x1000, 11, 0, rights::all, 0, 0, 0x2000 }));
        got.push_back(call_in(redirected, "fd_renumber", { u32_at(0x2000), 1 }));
        got.push_back(call_in(redirected, "fd_filestat_set_size", { 1, 0 }));
    }
    int host_flags = fcntl(log_fd, F_GETFL);
    close(log_fd);
    u32 nc = errno_::notcapable;
    EXPECT_EQ(got, (std::vector<u32> { nc, nc, nc, nc, nc, nc, nc, nc, nc, nc, nc, nc, nc, errno_::success,
                       errno_::success, errno_::success, errno_::success, errno_::success }));
    EXPECT_EQ(read_file(log), "host line\nguest\n");
    EXPECT_TRUE(flags_seen & fdflags::append);
    EXPECT_TRUE(host_flags & O_APPEND);
    EXPECT_EQ(read_file(dir.path() + "/scratch.txt"), "");
}

// A host that closed a stdio number: the first preopen must not land on it
// and answer to the guest as fd 0.
TEST_F(WasiTest, ClosedStdinIsNotReusedByAPreopen)
{
    TempDir dir;
    std::vector<u32> got;
    {
        int null_fd = ::open("/dev/null", O_RDONLY);
        StdioSwap swap(0, null_fd);
        close(null_fd);
        close(0);
        WasiContext closed { posix::host() };
        closed.set_memory_view(Span<u8>(memory.data(), memory.size()));
        ASSERT_FALSE(closed.add_preopen(dir.path().c_str(), ".").is_error());
        put_string(0x1000, "made");
        got.push_back(call_in(closed, "path_create_directory", { 0, 0x1000, 4 }));
        got.push_back(call_in(closed, "fd_prestat_get", { 3, 0x100 }));
    }
    EXPECT_EQ(got, (std::vector<u32> { errno_::notcapable, errno_::success }));
    EXPECT_NE(access((dir.path() + "/made").c_str(), F_OK), 0);
}

// Issue 11 item 6: after fd_fdstat_set_rights(fd, fd_read), fd_write and
// fd_filestat_set_size still worked: rights were tracked, not enforced.
TEST_F(WasiTest, FdWriteAfterDroppingTheRightIsNotCapable)
{
    TempDir dir;
    dir.write("f.txt", "original");
    ASSERT_FALSE(context.add_preopen(dir.path().c_str(), ".").is_error());
    u32 fd = open(3, "f.txt", 0, 0, rights::all);
    ASSERT_NE(fd, ~0u);
    EXPECT_EQ(call("fd_fdstat_set_rights", { fd, rights::fd_read, 0 }), errno_::success);
    put_string(0x400, "XX");
    put_u32(0x300, 0x400);
    put_u32(0x304, 2);
    EXPECT_EQ(call("fd_write", { fd, 0x300, 1, 0x320 }), errno_::notcapable);
    EXPECT_EQ(call("fd_pwrite", { fd, 0x300, 1, 0, 0x320 }), errno_::notcapable);
    EXPECT_EQ(call("fd_filestat_set_size", { fd, 0 }), errno_::notcapable);
    EXPECT_EQ(call("fd_read", { fd, 0x300, 1, 0x320 }), errno_::success);
    EXPECT_EQ(string_at(0x400, 2), "or");
    // Rights only shrink.
    EXPECT_EQ(call("fd_fdstat_set_rights", { fd, rights::fd_read | rights::fd_write, 0 }), errno_::notcapable);
    EXPECT_EQ(call("fd_fdstat_set_rights", { fd, rights::fd_read, rights::fd_read }), errno_::notcapable);
    EXPECT_EQ(call("fd_fdstat_get", { fd, 0x340 }), errno_::success);
    EXPECT_EQ(u64_at(0x340 + 8), rights::fd_read);
    EXPECT_EQ(read_file(dir.path() + "/f.txt"), "original");
}

// Every fd call needs its own right: with all rights but that one the call
// is refused, and it is not refused for want of rights when the fd has it.
TEST_F(WasiTest, EveryFdCallChecksItsRight)
{
    TempDir dir;
    dir.write("f.txt", "0123456789");
    dir.mkdir("d");
    ASSERT_FALSE(context.add_preopen(dir.path().c_str(), ".").is_error());
    put_u32(0x300, 0x400);
    put_u32(0x304, 2);
    put_string(0x1000, "f.txt");
    put_string(0x1100, "g.txt");
    put_string(0x1200, "d");
    put_string(0x1300, "e");
    struct Case {
        const char* name;
        u64 right;
        std::vector<u64> args; // ~0 = the fd under test
    };
    constexpr u64 F = ~u64(0);
    const Case cases[] = {
        { "fd_read", rights::fd_read, { F, 0x300, 1, 0x320 } },
        { "fd_pread", rights::fd_read, { F, 0x300, 1, 0, 0x320 } },
        { "fd_pread", rights::fd_seek, { F, 0x300, 1, 0, 0x320 } },
        { "fd_write", rights::fd_write, { F, 0x300, 1, 0x320 } },
        { "fd_pwrite", rights::fd_write, { F, 0x300, 1, 0, 0x320 } },
        { "fd_pwrite", rights::fd_seek, { F, 0x300, 1, 0, 0x320 } },
        { "fd_seek", rights::fd_seek, { F, 1, whence::set, 0x330 } },
        { "fd_tell", rights::fd_tell | rights::fd_seek, { F, 0x330 } },
        { "fd_fdstat_set_flags", rights::fd_fdstat_set_flags, { F, 0 } },
        { "fd_sync", rights::fd_sync, { F } },
        { "fd_datasync", rights::fd_datasync, { F } },
        { "fd_advise", rights::fd_advise, { F, 0, 0, 0 } },
        { "fd_allocate", rights::fd_allocate, { F, 0, 16 } },
        { "fd_filestat_get", rights::fd_filestat_get, { F, 0x500 } },
        { "fd_filestat_set_size", rights::fd_filestat_set_size, { F, 10 } },
        { "fd_filestat_set_times", rights::fd_filestat_set_times, { F, 0, 0, 2 } },
    };
    for (const Case& c : cases) {
        for (bool granted : { false, true }) {
            u32 fd = open(3, "f.txt", 0, 0, granted ? rights::all : rights::all & ~c.right);
            ASSERT_NE(fd, ~0u) << c.name;
            std::vector<u64> args = c.args;
            for (u64& arg : args)
                arg = arg == F ? fd : arg;
            u32 e = call(c.name, args);
            if (granted)
                EXPECT_NE(e, errno_::notcapable) << c.name;
            else
                EXPECT_EQ(e, errno_::notcapable) << c.name;
            EXPECT_EQ(call("fd_close", { fd }), errno_::success);
        }
    }
    // Directory calls, on a directory fd without (then with) the right.
    const Case dir_cases[] = {
        { "fd_readdir", rights::fd_readdir, { F, 0x3000, 4096, 0, 0x100 } },
        { "path_open", rights::path_open, { F, 0, 0x1000, 5, 0, rights::fd_read, 0, 0, 0x2000 } },
        { "path_open", rights::path_create_file, { F, 0, 0x1100, 5, oflags::creat, rights::fd_read, 0, 0, 0x2000 } },
        { "path_open", rights::path_filestat_set_size, { F, 0, 0x1000, 5, oflags::trunc, rights::fd_write, 0, 0, 0x2000 } },
        { "path_filestat_get", rights::path_filestat_get, { F, 0, 0x1000, 5, 0x500 } },
        { "path_filestat_set_times", rights::path_filestat_set_times, { F, 0, 0x1000, 5, 0, 0, 2 } },
        { "path_create_directory", rights::path_create_directory, { F, 0x1300, 1 } },
        { "path_remove_directory", rights::path_remove_directory, { F, 0x1300, 1 } },
        { "path_symlink", rights::path_symlink, { 0x1000, 5, F, 0x1300, 1 } },
        { "path_readlink", rights::path_readlink, { F, 0x1300, 1, 0x600, 64, 0x320 } },
        { "path_unlink_file", rights::path_unlink_file, { F, 0x1300, 1 } },
        { "path_link", rights::path_link_source, { F, 0, 0x1000, 5, 3, 0x1300, 1 } },
        { "path_unlink_file", rights::path_unlink_file, { F, 0x1300, 1 } },
        { "path_link", rights::path_link_target, { 3, 0, 0x1000, 5, F, 0x1300, 1 } },
        { "path_rename", rights::path_rename_source, { F, 0x1300, 1, 3, 0x1100, 5 } },
        { "path_rename", rights::path_rename_target, { 3, 0x1100, 1, F, 0x1300, 5 } },
    };
    for (const Case& c : dir_cases) {
        for (bool granted : { false, true }) {
            u32 fd = open(3, ".", 0, oflags::directory, granted ? rights::all : rights::all & ~c.right);
            ASSERT_NE(fd, ~0u) << c.name;
            std::vector<u64> args = c.args;
            for (u64& arg : args)
                arg = arg == F ? fd : arg;
            u32 e = call(c.name, args);
            if (granted)
                EXPECT_NE(e, errno_::notcapable) << c.name << " " << c.right;
            else
                EXPECT_EQ(e, errno_::notcapable) << c.name << " " << c.right;
            EXPECT_EQ(call("fd_close", { fd }), errno_::success);
        }
    }
}

// path_open hands out no more than the directory's inheriting rights.
TEST_F(WasiTest, PathOpenGetsAtMostTheInheritingRights)
{
    TempDir dir;
    dir.write("f.txt", "original");
    ASSERT_FALSE(context.add_preopen(dir.path().c_str(), ".").is_error());
    EXPECT_EQ(call("fd_fdstat_set_rights", { 3, rights::all, rights::fd_read | rights::fd_seek }), errno_::success);
    u32 error = 0;
    open(3, "f.txt", 0, 0, rights::fd_read | rights::fd_write, &error);
    EXPECT_EQ(error, errno_::notcapable);
    put_string(0x1000, "f.txt");
    // Inheriting rights beyond the directory's: refused too.
    EXPECT_EQ(call("path_open", { 3, 0, 0x1000, 5, 0, rights::fd_read, rights::fd_write, 0, 0x2000 }), errno_::notcapable);
    // Bits preview1 does not define are ignored, as libcs asking for ~0 expect.
    EXPECT_EQ(call("path_open", { 3, 0, 0x1000, 5, 0, rights::fd_read | ~rights::all, 0, 0, 0x2000 }), errno_::success);
    u32 fd = u32_at(0x2000);
    EXPECT_EQ(call("fd_fdstat_get", { fd, 0x340 }), errno_::success);
    EXPECT_EQ(u64_at(0x340 + 8), rights::fd_read);
    EXPECT_EQ(u64_at(0x340 + 16), 0u);
    put_string(0x400, "XX");
    put_u32(0x300, 0x400);
    put_u32(0x304, 2);
    EXPECT_EQ(call("fd_write", { fd, 0x300, 1, 0x320 }), errno_::notcapable);
    EXPECT_EQ(read_file(dir.path() + "/f.txt"), "original");
}

} // namespace

namespace {

// The names in a folder, sorted.
std::string names_in(const std::string& folder)
{
    std::vector<std::string> names;
    if (DIR* dir = opendir(folder.c_str())) {
        while (dirent* entry = readdir(dir))
            names.push_back(entry->d_name);
        closedir(dir);
    }
    std::sort(names.begin(), names.end());
    std::string out;
    for (const std::string& name : names)
        out += name + "\n";
    return out;
}

// Everything a guest could change in a tree (but access times).
std::string tree_listing(const std::string& path)
{
    struct stat st;
    if (lstat(path.c_str(), &st) != 0)
        return path + " missing\n";
    std::string out = path + " " + std::to_string(st.st_mode) + " " + std::to_string(st.st_size) + " "
        + std::to_string(st.st_nlink) + " " + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec)
        + " " + std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec) + "\n";
    if (S_ISREG(st.st_mode))
        out += read_file(path) + "\n";
    if (S_ISDIR(st.st_mode)) {
        std::string names = names_in(path);
        usize start = 0;
        for (usize end; (end = names.find('\n', start)) != std::string::npos; start = end + 1) {
            std::string name = names.substr(start, end - start);
            if (name != "." && name != "..")
                out += tree_listing(path + "/" + name);
        }
    }
    return out;
}

// Issue 11 item 8, under the host ring's AddressSanitizer: random calls of
// every function (but poll_oneoff, which would sleep as long as random
// bytes say) with random and edge-case arguments against a scratch
// preopen, with stdio on a directory, an append-mode log and /dev/null.
// Nothing may crash, and nothing beside the scratch directory may change.
// tests/fuzz/wasi_fuzz.py does the same through k23-run.
TEST_F(WasiTest, RandomCallsStayInsideTheScratchDirectory)
{
    TempDir outer;
    outer.mkdir("scratch");
    outer.mkdir("scratch/dir");
    outer.write("scratch/a.txt", "alpha");
    outer.mkdir("sentinel");
    outer.write("sentinel/secret.txt", "secret");
    outer.write("host.log", "host line\n");
    outer.symlink("../sentinel", "scratch/up");
    outer.symlink("../sentinel/secret.txt", "scratch/file_link");
    outer.symlink("..", "scratch/dotdot");
    std::string sentinel = outer.path() + "/sentinel";
    std::string before = tree_listing(sentinel) + names_in(outer.path());

    const char* paths[] = { "a.txt", "dir", "dir/b.txt", "new", "new/x", "..", "../sentinel/secret.txt", "up",
        "up/secret.txt", "file_link", "dotdot/sentinel/secret.txt", "a/../../b", "/etc/passwd", ".", "dir/..", "" };
    u32 path_at[16], path_length[16];
    u32 at = 0x1000;
    for (usize i = 0; i < 16; ++i) {
        put_string(at, paths[i]);
        path_at[i] = at;
        path_length[i] = u32(strlen(paths[i]));
        at += path_length[i] + 1;
    }
    put_u32(0x2000, 0x4000); // iovecs: one good, one running off the end
    put_u32(0x2004, 64);
    put_u32(0x2008, memory_size - 8);
    put_u32(0x200c, 100);
    put_string(0x4000, "fuzz data\n");

    int stdin_fd = ::open(sentinel.c_str(), O_RDONLY | O_DIRECTORY);
    int log_fd = ::open((outer.path() + "/host.log").c_str(), O_WRONLY | O_APPEND);
    int null_fd = ::open("/dev/null", O_WRONLY);
    ASSERT_GE(stdin_fd, 0);
    ASSERT_GE(log_fd, 0);
    ASSERT_GE(null_fd, 0);
    u64 state = 0x9e3779b97f4a7c15u;
    auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    const u64 u64_edges[] = { 0, 1, 5, 4096, 0xffffffffu, u64(1) << 62, ~u64(0), rights::all };
    const u32 u32_edges[] = { 0, 1, 2, 3, 4, 7, 0x100, 0x2000, 0x4000, memory_size - 4, memory_size, 0xffffffffu };
    usize calls = 0;
    {
        StdioSwap swap0(0, stdin_fd);
        StdioSwap swap1(1, log_fd);
        StdioSwap swap2(2, null_fd);
        WasiContext fuzzed { posix::host() };
        fuzzed.set_memory_view(Span<u8>(memory.data(), memory.size()));
        ASSERT_FALSE(fuzzed.add_preopen((outer.path() + "/scratch").c_str(), ".").is_error());
        Span<const FunctionEntry> all = functions();
        for (int round = 0; round < 20000; ++round) {
            const FunctionEntry& entry = all[next() % all.size()];
            StringView name = entry.name;
            if (name == "poll_oneoff"_sv || name == "proc_exit"_sv)
                continue;
            std::vector<Value> values;
            bool path_next = false;
            u32 pending_length = 0;
            for (const char* p = entry.params; *p; ++p) {
                u64 r = next();
                if (*p == 'I') {
                    values.push_back(Value::from_i64(r & 1 ? u64_edges[(r >> 1) % 8] : (r >> 8) % 8192));
                    continue;
                }
                u32 v;
                if (path_next) {
                    v = r % 8 ? pending_length : u32(r >> 8);
                    path_next = false;
                } else if (r % 4 == 0) {
                    usize i = (r >> 2) % 16;
                    v = path_at[i];
                    pending_length = path_length[i];
                    path_next = true;
                } else if (r % 4 == 1) {
                    v = u32((r >> 2) % 6); // an fd
                } else {
                    v = u32_edges[(r >> 2) % 12];
                }
                values.push_back(Value::from_i32(v));
            }
            Value result = Value::from_i32(0);
            (void)entry.callback(&fuzzed, Span<const Value>(values.data(), values.size()), Span<Value>(&result, strlen(entry.results)));
            ++calls;
        }
    }
    close(stdin_fd);
    close(log_fd);
    close(null_fd);
    EXPECT_GT(calls, 10000u);
    EXPECT_EQ(tree_listing(sentinel) + names_in(outer.path()), before);
    std::string log = read_file(outer.path() + "/host.log");
    EXPECT_EQ(log.substr(0, 10), "host line\n");
}

} // namespace

// Bulk data moves through wasi/Wasi.cpp's 64 KiB bounce buffer a chunk at a
// time: a regular file's transfers bigger than that are still whole.
TEST_F(WasiTest, TransfersBiggerThanTheBounceBufferAreWhole)
{
    constexpr u32 big = 300'000;
    std::vector<u8> large(1 << 20, 0);
    context.set_memory_view(Span<u8>(large.data(), large.size()));
    TempDir dir;
    ASSERT_FALSE(context.add_preopen(dir.path().c_str(), ".").is_error());
    std::string path = "big.bin";
    memcpy(large.data() + 0x1000, path.data(), path.size());
    u64 all = rights::fd_read | rights::fd_write | rights::fd_seek;
    ASSERT_EQ(call("path_open", { 3, 0, 0x1000, path.size(), oflags::creat, all, all, 0, 0x2000 }), errno_::success);
    u32 fd;
    memcpy(&fd, large.data() + 0x2000, 4);
    for (u32 i = 0; i < big; ++i)
        large[0x10000 + i] = u8(i * 31 + 7);
    auto iovec = [&](u32 at, u32 buffer, u32 length) {
        memcpy(large.data() + at, &buffer, 4);
        memcpy(large.data() + at + 4, &length, 4);
    };
    auto u32_in = [&](u32 at) {
        u32 v;
        memcpy(&v, large.data() + at, 4);
        return v;
    };
    iovec(0x300, 0x10000, big);
    EXPECT_EQ(call("fd_write", { fd, 0x300, 1, 0x320 }), errno_::success);
    EXPECT_EQ(u32_in(0x320), big);
    EXPECT_EQ(call("fd_seek", { fd, 0, whence::set, 0x330 }), errno_::success);
    iovec(0x300, 0x60000, big);
    EXPECT_EQ(call("fd_read", { fd, 0x300, 1, 0x320 }), errno_::success);
    EXPECT_EQ(u32_in(0x320), big);
    EXPECT_EQ(memcmp(large.data() + 0x10000, large.data() + 0x60000, big), 0);
    // pread from 1: what is left (one byte short), as one transfer.
    iovec(0x300, 0xb0000, big);
    EXPECT_EQ(call("fd_pread", { fd, 0x300, 1, 1, 0x320 }), errno_::success);
    EXPECT_EQ(u32_in(0x320), big - 1);
    EXPECT_EQ(memcmp(large.data() + 0x10001, large.data() + 0xb0000, big - 1), 0);
    // random_get fills more than a chunk.
    EXPECT_EQ(call("random_get", { 0x60000, big }), errno_::success);
    EXPECT_NE(memcmp(large.data() + 0x10000, large.data() + 0x60000, big), 0);
}

// Every byte goes through the context's copier (the kernel's sets
// sstatus.SUM for each copy): a copy that fails is EFAULT, nothing else.
TEST_F(WasiTest, CopiesGoThroughTheCopierAndItsFailureIsEfault)
{
    static int copies;
    static bool fail;
    static constexpr GuestMemoryCopier counting {
        [](void* destination, const u8* guest_source, usize length) noexcept {
            ++copies;
            if (fail)
                return false;
            memcpy(destination, guest_source, length);
            return true;
        },
        [](u8* guest_destination, const void* source, usize length) noexcept {
            ++copies;
            if (fail)
                return false;
            memcpy(guest_destination, source, length);
            return true;
        },
    };
    copies = 0;
    fail = false;
    context.set_copier(counting);
    EXPECT_EQ(call("args_sizes_get", { 0x100, 0x104 }), errno_::success);
    EXPECT_EQ(copies, 2);
    EXPECT_EQ(call("clock_time_get", { 0, 0, 0x108 }), errno_::success);
    EXPECT_EQ(copies, 3);
    fail = true;
    EXPECT_EQ(call("args_sizes_get", { 0x100, 0x104 }), errno_::fault);
    EXPECT_EQ(call("clock_time_get", { 0, 0, 0x108 }), errno_::fault);
    EXPECT_EQ(call("random_get", { 0x200, 16 }), errno_::fault);
    put_u32(0x300, 0x400);
    put_u32(0x304, 4);
    EXPECT_EQ(call("fd_write", { 1, 0x300, 1, 0x320 }), errno_::fault);
    context.set_copier(plain_memory_copier);
}
