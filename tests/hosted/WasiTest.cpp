// WASI preview1 host functions against a fake guest memory (a plain
// buffer) and real files in a temporary directory.

#include <hosted/wasi/Wasi.h>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

using namespace k23;
using namespace k23::hosted::wasi;
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
        auto r = entry->callback(&context, Span<const Value>(values.data(), values.size()), Span<Value>(&result, strlen(entry->results)));
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
    WasiContext context;
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
    u32 fd = open(3, "in.txt");
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
    u32 fd = open(3, "f.bin");
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
    // Not a directory descriptor.
    open(1, "x", 0, 0, rights::fd_read, &error);
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
    u32 fd = open(3, ".", 0, oflags::directory);
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
    WasiContext empty;
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

    u32 fd_b = open(3, "b.txt");
    u32 fd_c = open(3, "c.txt");
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
