// The cpio newc reader (wasi/Cpio.h): good archives list their entries,
// every malformed one is refused with one line naming the problem, and
// random or mutated archives never crash it (run under ASan/UBSan).

#include "CpioWriter.h"

#include <wasi/Cpio.h>
#include <wasi/RamFs.h>

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace k23;
using namespace k23::wasi;
using k23::test::CpioWriter;

namespace {

struct Listed {
    std::string path;
    u32 mode;
    std::string data;
};

Result<void> collect(std::vector<Listed>& out, const std::string& archive)
{
    return cpio::for_each(Span<const u8>(reinterpret_cast<const u8*>(archive.data()), archive.size()),
        [](void* data, const cpio::Entry& e) -> Result<void> {
            static_cast<std::vector<Listed>*>(data)->push_back(
                { std::string(e.path.data(), e.path.length()), e.mode, std::string(reinterpret_cast<const char*>(e.data.data()), e.data.size()) });
            return {};
        },
        &out);
}

std::string error_of(const std::string& archive)
{
    std::vector<Listed> listed;
    auto r = collect(listed, archive);
    if (!r.is_error())
        return "";
    return r.error().message_cstring();
}

TEST(Cpio, ListsEntriesInOrder)
{
    CpioWriter w;
    w.directory(".");
    w.directory("./dir");
    w.file("./dir/a.txt", "hello");
    w.file("b", "");
    w.file("odd", "123"); // data padded to 4
    std::vector<Listed> listed;
    ASSERT_FALSE(collect(listed, w.finish()).is_error());
    ASSERT_EQ(listed.size(), 5u);
    EXPECT_EQ(listed[0].path, "");
    EXPECT_EQ(listed[1].path, "dir");
    EXPECT_EQ(listed[1].mode & cpio::type_mask, cpio::type_directory);
    EXPECT_EQ(listed[2].path, "dir/a.txt");
    EXPECT_EQ(listed[2].data, "hello");
    EXPECT_EQ(listed[3].path, "b");
    EXPECT_EQ(listed[4].data, "123");
}

TEST(Cpio, RefusesMalformedArchives)
{
    auto good = [] {
        CpioWriter w;
        w.file("a", "data");
        return w.finish();
    }();
    EXPECT_EQ(error_of(good), "");

    std::string bad_magic = good;
    bad_magic[5] = '2'; // 070702 is the CRC format
    EXPECT_NE(error_of(bad_magic).find("bad magic at offset 0"), std::string::npos) << error_of(bad_magic);

    EXPECT_NE(error_of(good.substr(0, 50)).find("truncated header"), std::string::npos);
    EXPECT_NE(error_of("").find("no TRAILER"), std::string::npos);

    std::string no_trailer = good.substr(0, good.find("070701", 6));
    EXPECT_NE(error_of(no_trailer).find("no TRAILER"), std::string::npos) << error_of(no_trailer);

    std::string big = good;
    std::memcpy(&big[6 + 6 * 8], "00001000", 8); // filesize 4096
    EXPECT_NE(error_of(big).find("data runs past the end"), std::string::npos) << error_of(big);

    std::string long_name = good;
    std::memcpy(&long_name[6 + 11 * 8], "00100000", 8);
    EXPECT_NE(error_of(long_name).find("name runs past the end"), std::string::npos) << error_of(long_name);

    std::string no_nul = good;
    std::memcpy(&no_nul[6 + 11 * 8], "00000001", 8); // namesize 1: "a" without its NUL
    EXPECT_NE(error_of(no_nul).find("name without its NUL"), std::string::npos) << error_of(no_nul);

    std::string not_hex = good;
    not_hex[6 + 6 * 8] = 'x';
    EXPECT_NE(error_of(not_hex).find("field 6 is not 8 hex digits"), std::string::npos) << error_of(not_hex);

    for (const char* path : { "../up", "a/../../b", "/etc/passwd", "a//b", "a/./b", "dir/" }) {
        CpioWriter w;
        w.file(path, "x");
        std::string e = error_of(w.finish());
        EXPECT_NE(e, "") << path;
        EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    }
}

TEST(Cpio, RandomAndMutatedArchivesNeverCrash)
{
    CpioWriter w;
    w.directory("d");
    w.file("d/f", std::string(100, 'x'));
    w.file("g", "short");
    const std::string seed = w.finish();
    std::mt19937 random(23);
    int refused = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string archive = seed;
        int mutations = 1 + random() % 4;
        for (int i = 0; i < mutations; ++i) {
            switch (random() % 4) {
            case 0: archive[random() % archive.size()] = char(random()); break;
            case 1: archive[random() % archive.size()] = "0123456789abcdefF/.\0"[random() % 20]; break;
            case 2: archive.resize(random() % (archive.size() + 1)); break;
            case 3: archive.insert(random() % (archive.size() + 1), 1, char(random())); break;
            }
            if (archive.empty())
                break;
        }
        // Into a heap block of exactly its size, so ASan sees any overread.
        std::vector<u8> exact(archive.begin(), archive.end());
        RamFs fs(1 << 20);
        auto r = fs.unpack(Span<const u8>(exact.data(), exact.size()));
        if (r.is_error()) {
            ++refused;
            EXPECT_EQ(std::string(r.error().message_cstring()).find('\n'), std::string::npos);
        }
    }
    EXPECT_GT(refused, 1000); // the mutations do reach the checks
}

} // namespace

namespace {

TEST(Cpio, WriterRoundTrips)
{
    Vector<u8> out;
    const u8 data[] = { 'a', 'b', 'c' };
    ASSERT_FALSE(cpio::append_entry(out, "dir"_sv, 0040755, 1, {}).is_error());
    ASSERT_FALSE(cpio::append_entry(out, "dir/f"_sv, 0100644, 2, Span<const u8>(data, 3)).is_error());
    ASSERT_FALSE(cpio::append_trailer(out, 3).is_error());
    std::string archive(reinterpret_cast<const char*>(out.data()), out.size());
    // The test-side writer makes the same bytes (but for inode numbering).
    CpioWriter w;
    w.directory("dir");
    w.file("dir/f", "abc");
    std::string expected = w.finish();
    EXPECT_EQ(archive.size(), expected.size());
    std::vector<Listed> listed;
    ASSERT_FALSE(collect(listed, archive).is_error());
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[1].path, "dir/f");
    EXPECT_EQ(listed[1].data, "abc");
    EXPECT_EQ(listed[1].mode, 0100644u);
}

} // namespace
