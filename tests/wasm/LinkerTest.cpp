#include "WasmTestHelpers.h"

#include <wasm/Linker.h>

#include <gtest/gtest.h>

using namespace k23;
using namespace k23::wasm;
using namespace k23::wasm::test;

namespace {

std::string message(const Error& e) { return std::string(e.message().data(), e.message().length()); }

// (import "spectest" NAME (memory MIN MAX?))
ByteVector import_memory(const char* name, ByteVector limits)
{
    ByteVector imports { 0x01, 0x08, 's', 'p', 'e', 'c', 't', 'e', 's', 't' };
    imports.push_back(u8(__builtin_strlen(name)));
    for (const char* p = name; *p; ++p)
        imports.push_back(u8(*p));
    imports.push_back(0x02);
    imports.insert(imports.end(), limits.begin(), limits.end());
    return concat({ header(), section(2, imports) });
}

struct Fixture {
    Store store;
    Linker linker { store };
    Fixture() { MUST(linker.define_spectest()); }
};

} // namespace

TEST(Linker, ImportsSpectestMemory)
{
    Fixture f;
    auto m = read(import_memory("memory", { 0x01, 0x01, 0x02 }));
    ASSERT_FALSE(m.is_error()) << message_of(m);
    auto instance = f.linker.instantiate(m.value());
    ASSERT_FALSE(instance.is_error()) << message(instance.error());
    EXPECT_EQ(instance.value()->memories()[0]->size_in_pages(), 1u);
}

TEST(Linker, UnknownImport)
{
    Fixture f;
    auto m = read(import_memory("nope", { 0x00, 0x01 }));
    ASSERT_FALSE(m.is_error());
    auto instance = f.linker.instantiate(m.value());
    ASSERT_TRUE(instance.is_error());
    EXPECT_EQ(instance.error().code(), ErrorCode::Unlinkable);
    EXPECT_TRUE(message(instance.error()).starts_with("unknown import"));
}

TEST(Linker, LimitsSubtyping)
{
    Fixture f;
    // spectest memory is [1, 2]: importing [0, 3] is fine, [2] is not
    // (min too large), [0, 1] is not (max too small), [0] with max fine.
    struct Case {
        ByteVector limits;
        bool ok;
    } cases[] = {
        { { 0x01, 0x00, 0x03 }, true },
        { { 0x00, 0x02 }, false },
        { { 0x01, 0x00, 0x01 }, false },
        { { 0x00, 0x00 }, true },
    };
    for (const Case& c : cases) {
        auto m = read(import_memory("memory", c.limits));
        ASSERT_FALSE(m.is_error());
        auto instance = f.linker.instantiate(m.value());
        EXPECT_EQ(!instance.is_error(), c.ok);
        if (instance.is_error())
            EXPECT_TRUE(message(instance.error()).starts_with("incompatible import type"));
    }
}

TEST(Linker, GlobalKindAndTypeMustMatch)
{
    Fixture f;
    // (import "spectest" "global_i32" (global i64)) -> incompatible.
    ByteVector imports { 0x01, 0x08, 's', 'p', 'e', 'c', 't', 'e', 's', 't', 0x0a, 'g', 'l', 'o', 'b', 'a', 'l', '_', 'i', '3', '2', 0x03, 0x7e, 0x00 };
    auto m = read(concat({ header(), section(2, imports) }));
    ASSERT_FALSE(m.is_error());
    auto instance = f.linker.instantiate(m.value());
    ASSERT_TRUE(instance.is_error());
    EXPECT_TRUE(message(instance.error()).starts_with("incompatible import type"));
}

TEST(Linker, GlobalsFromExtendedConstExpressions)
{
    Fixture f;
    // (global i32 (i32.mul (i32.const 6) (i32.const 7)))
    ByteVector globals = section(6, { 0x01, 0x7f, 0x00, 0x41, 0x06, 0x41, 0x07, 0x6c, 0x0b });
    auto m = read(concat({ header(), globals }));
    ASSERT_FALSE(m.is_error()) << message_of(m);
    auto instance = f.linker.instantiate(m.value());
    ASSERT_FALSE(instance.is_error());
    EXPECT_EQ(instance.value()->globals()[0]->value.i32, 42u);
}

TEST(Linker, DataSegmentOutOfBoundsTraps)
{
    Fixture f;
    // (memory 1) (data (i32.const 65535) "ab")
    ByteVector bytes = concat({ header(), section(5, { 0x01, 0x00, 0x01 }),
        section(11, { 0x01, 0x00, 0x41, 0xff, 0xff, 0x03, 0x0b, 0x02, 'a', 'b' }) });
    auto m = read(bytes);
    ASSERT_FALSE(m.is_error()) << message_of(m);
    auto instance = f.linker.instantiate(m.value());
    ASSERT_TRUE(instance.is_error());
    EXPECT_EQ(instance.error().code(), ErrorCode::Trap);
    EXPECT_EQ(message(instance.error()), "out of bounds memory access");
}

TEST(Linker, DataSegmentIsCopied)
{
    Fixture f;
    ByteVector bytes = concat({ header(), section(5, { 0x01, 0x00, 0x01 }),
        section(11, { 0x01, 0x00, 0x41, 0x10, 0x0b, 0x02, 'o', 'k' }) });
    auto m = read(bytes);
    ASSERT_FALSE(m.is_error());
    auto instance = f.linker.instantiate(m.value());
    ASSERT_FALSE(instance.is_error());
    u8* data = instance.value()->memories()[0]->data();
    EXPECT_EQ(data[16], 'o');
    EXPECT_EQ(data[17], 'k');
    EXPECT_EQ(data[18], 0);
}

TEST(Linker, RegisteredInstancesAreImportable)
{
    Fixture f;
    // Module A exports its memory as "mem"; B imports A.mem.
    ByteVector a = concat({ header(), section(5, { 0x01, 0x00, 0x02 }), section(7, { 0x01, 0x03, 'm', 'e', 'm', 0x02, 0x00 }) });
    auto ma = read(a);
    ASSERT_FALSE(ma.is_error());
    Instance* ia = MUST(f.linker.instantiate(ma.value()));
    MUST(f.linker.register_instance("A"_sv, ia));
    ByteVector b = concat({ header(), section(2, { 0x01, 0x01, 'A', 0x03, 'm', 'e', 'm', 0x02, 0x00, 0x02 }) });
    auto mb = read(b);
    ASSERT_FALSE(mb.is_error());
    Instance* ib = MUST(f.linker.instantiate(mb.value()));
    EXPECT_EQ(ib->memories()[0], ia->memories()[0]);
}

TEST(Linker, HugeTableFailsCleanly)
{
    Fixture f;
    // (table 0xffffffff funcref): valid, but beyond the implementation
    // limit, which the reader now enforces (wasm/Limits.h).
    auto m = read(concat({ header(), section(4, { 0x01, 0x70, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f }) }));
    ASSERT_TRUE(m.is_error());
    EXPECT_EQ(m.error().code(), ErrorCode::LimitExceeded);
    // A table an embedder creates is checked too, before allocating.
    TableType type;
    type.element = ValueType::FuncRef;
    type.limits.min = u32(limits::max_table_size + 1);
    auto table = f.store.create_table(type, nullptr);
    ASSERT_TRUE(table.is_error());
    EXPECT_EQ(table.error().code(), ErrorCode::LimitExceeded);
    EXPECT_EQ(message(table.error()), "table size 10000001 exceeds the limit of 10000000 (limit exceeded)");
}

TEST(Linker, SpectestGlobalsHaveTheSuitesValues)
{
    Fixture f;
    Instance* spectest = f.linker.find_registered("spectest"_sv);
    ASSERT_NE(spectest, nullptr);
    const ExportEntry* g = spectest->find_export("global_i32"_sv);
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->value.global()->value.i32, 666u);
    const ExportEntry* table = spectest->find_export("table"_sv);
    ASSERT_NE(table, nullptr);
    EXPECT_EQ(table->value.table()->size(), 10u);
    const ExportEntry* print = spectest->find_export("print_i32"_sv);
    ASSERT_NE(print, nullptr);
    EXPECT_TRUE(print->value.function()->is_host());
}
