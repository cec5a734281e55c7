#include "WasmTestHelpers.h"

#include <wasm/BinaryReader.h>
#include <wasm/Types.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace k23;
using namespace k23::wasm;
using namespace k23::wasm::test;

// Type [] -> [] and [i32 i32] -> [i32] in binary form.
static const ByteVector void_type { 0x60, 0x00, 0x00 };
static const ByteVector binop_type { 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f };

TEST(BinaryReader, EmptyModule)
{
    auto m = read(header());
    ASSERT_FALSE(m.is_error()) << message_of(m);
    EXPECT_EQ(m->functions().size(), 0u);
}

TEST(BinaryReader, MagicAndVersion)
{
    EXPECT_EQ(message_of(read({})), "unexpected end");
    EXPECT_EQ(message_of(read({ 0x00, 0x61, 0x73 })), "unexpected end");
    EXPECT_EQ(message_of(read({ 0x00, 0x61, 0x73, 0x6e, 0x01, 0, 0, 0 })), "magic header not detected");
    EXPECT_EQ(message_of(read({ 0x00, 0x61, 0x73, 0x6d, 0x02, 0, 0, 0 })), "unknown binary version");
    auto r = read({ 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00 });
    EXPECT_EQ(message_of(r), "unexpected end");
}

TEST(BinaryReader, AddFunctionValidates)
{
    // (func (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    auto m = read(single_function(binop_type, { 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b }));
    ASSERT_FALSE(m.is_error()) << message_of(m);
    ASSERT_EQ(m->functions().size(), 1u);
    FunctionType t = m->function_type(0);
    EXPECT_EQ(t.params.size(), 2u);
    EXPECT_EQ(t.results.size(), 1u);
    EXPECT_EQ(t.results[0], ValueType::I32);
}

TEST(BinaryReader, TypeMismatchCarriesOffsetAndFunction)
{
    // [] -> [] body: i64.const 0, i32.eqz -> type mismatch at the eqz.
    ByteVector bytes = single_function(void_type, { 0x00, 0x42, 0x00, 0x45, 0x0b });
    auto m = read(bytes);
    ASSERT_TRUE(m.is_error());
    EXPECT_EQ(m.error().code(), ErrorCode::Invalid);
    EXPECT_TRUE(message_of(m).starts_with("type mismatch")) << message_of(m);
    ASSERT_TRUE(m.error().has_function_index());
    EXPECT_EQ(m.error().function_index(), 0u);
    ASSERT_TRUE(m.error().has_offset());
    EXPECT_EQ(bytes[m.error().offset()], 0x45); // points at i32.eqz
}

TEST(BinaryReader, UnknownLocal)
{
    auto m = read(single_function(void_type, { 0x00, 0x20, 0x02, 0x1a, 0x0b }));
    EXPECT_EQ(message_of(m), "unknown local 2");
}

TEST(BinaryReader, MissingEndAtModuleEnd)
{
    auto m = read(single_function(void_type, { 0x00, 0x01 }));
    EXPECT_EQ(message_of(m), "unexpected end of section or function");
}

TEST(BinaryReader, IllegalOpcode)
{
    auto m = read(single_function(void_type, { 0x00, 0x06, 0x0b }));
    EXPECT_EQ(message_of(m), "illegal opcode");
    EXPECT_EQ(m.error().code(), ErrorCode::Malformed);
}

TEST(BinaryReader, MalformedWinsOverInvalid)
{
    // A type error first, then an illegal opcode: decoding precedes validation.
    auto m = read(single_function(void_type, { 0x00, 0x42, 0x00, 0x45, 0x1a, 0xff, 0x0b }));
    EXPECT_EQ(message_of(m), "illegal opcode");
}

TEST(BinaryReader, MalformedInALaterFunctionWinsOverInvalid)
{
    // func 0: i64.const 0 i32.eqz (a type error); func 1: an illegal opcode.
    ByteVector f0 { 0x06, 0x00, 0x42, 0x00, 0x45, 0x1a, 0x0b };
    ByteVector f1 { 0x03, 0x00, 0x06, 0x0b };
    ByteVector code = concat({ ByteVector { 0x02 }, f0, f1 });
    auto m = read(concat({ header(), section(1, { 0x01, 0x60, 0x00, 0x00 }), section(3, { 0x02, 0x00, 0x00 }), section(10, code) }));
    ASSERT_TRUE(m.is_error());
    EXPECT_EQ(m.error().code(), ErrorCode::Malformed);
    EXPECT_EQ(message_of(m), "illegal opcode");
    // Without the malformed function the type error is the answer.
    ByteVector valid1 { 0x02, 0x00, 0x0b };
    auto invalid = read(concat({ header(), section(1, { 0x01, 0x60, 0x00, 0x00 }), section(3, { 0x02, 0x00, 0x00 }),
        section(10, concat({ ByteVector { 0x02 }, f0, valid1 })) }));
    ASSERT_TRUE(invalid.is_error());
    EXPECT_EQ(invalid.error().code(), ErrorCode::Invalid);
}

// Error precedence must not turn a validation error into a malformation:
// without a data count section, memory.init of an unknown segment is
// "unknown data segment" (memory_init.wast), though the later decode of the
// rest of the bodies (DecodeMode::Syntax) looks at no index.
TEST(BinaryReader, DataCountRuleComesAfterTheSegmentIndex)
{
    // (memory 1) (func i32.const 0 i32.const 0 i32.const 0 memory.init 1 0)
    ByteVector body { 0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x08, 0x01, 0x00, 0x0b };
    ByteVector code = concat({ ByteVector { 0x01, u8(body.size()) }, body });
    auto m = read(concat({ header(), section(1, { 0x01, 0x60, 0x00, 0x00 }), section(3, { 0x01, 0x00 }),
        section(5, { 0x01, 0x00, 0x01 }), section(10, code) }));
    ASSERT_TRUE(m.is_error());
    EXPECT_EQ(m.error().code(), ErrorCode::Invalid);
    EXPECT_EQ(message_of(m), "unknown data segment 1");
}

TEST(BinaryReader, BlockWithTypeIndexMultiValue)
{
    // types: 0 = [] -> [], 1 = [] -> [i32 i32]
    // func: block (type 1) i32.const 1 i32.const 2 end drop drop end
    ByteVector types { 0x02, 0x60, 0x00, 0x00, 0x60, 0x00, 0x02, 0x7f, 0x7f };
    ByteVector body { 0x00, 0x02, 0x01, 0x41, 0x01, 0x41, 0x02, 0x0b, 0x1a, 0x1a, 0x0b };
    ByteVector code { 0x01, u8(body.size()) };
    code.insert(code.end(), body.begin(), body.end());
    auto m = read(concat({ header(), section(1, types), section(3, { 0x01, 0x00 }), section(10, code) }));
    ASSERT_FALSE(m.is_error()) << message_of(m);
}

TEST(BinaryReader, UnreachableMakesStackPolymorphic)
{
    // [] -> [i32]: unreachable, i64.add? no: unreachable then i32.add, end.
    ByteVector type { 0x60, 0x00, 0x01, 0x7f };
    auto m = read(single_function(type, { 0x00, 0x00, 0x6a, 0x0b }));
    ASSERT_FALSE(m.is_error()) << message_of(m);
    // ... but a concrete wrong type is still an error.
    auto bad = read(single_function(type, { 0x00, 0x00, 0x42, 0x00, 0x6a, 0x0b }));
    EXPECT_TRUE(message_of(bad).starts_with("type mismatch"));
}

TEST(BinaryReader, BrTableArity)
{
    // [] -> []: block (result i32) block i32.const 0 i32.const 0 br_table 0 1 end ...
    ByteVector body { 0x00, 0x02, 0x7f, 0x02, 0x40, 0x41, 0x00, 0x41, 0x00, 0x0e, 0x01, 0x00, 0x01,
        0x0b, 0x41, 0x00, 0x0b, 0x1a, 0x0b };
    auto m = read(single_function(void_type, body));
    EXPECT_TRUE(message_of(m).starts_with("type mismatch")) << message_of(m);
}

TEST(BinaryReader, AlignmentMustNotExceedNatural)
{
    ByteVector type { 0x60, 0x00, 0x00 };
    auto body = ByteVector { 0x00, 0x41, 0x00, 0x28, 0x03, 0x00, 0x1a, 0x0b }; // i32.load align=8
    ByteVector bytes = concat({ header(), section(1, { 0x01, 0x60, 0x00, 0x00 }), section(3, { 0x01, 0x00 }),
        section(5, { 0x01, 0x00, 0x01 }), section(10, concat({ ByteVector { 0x01, u8(body.size()) }, body })) });
    EXPECT_EQ(message_of(read(bytes)), "alignment must not be larger than natural");
    body[4] = 0x02;
    bytes = concat({ header(), section(1, { 0x01, 0x60, 0x00, 0x00 }), section(3, { 0x01, 0x00 }),
        section(5, { 0x01, 0x00, 0x01 }), section(10, concat({ ByteVector { 0x01, u8(body.size()) }, body })) });
    EXPECT_FALSE(read(bytes).is_error());
}

TEST(BinaryReader, SimdLaneIndex)
{
    // [] -> []: v128.const 0..., i8x16.extract_lane_s 16 -> invalid lane index
    ByteVector body { 0x00, 0xfd, 0x0c };
    for (int i = 0; i < 16; ++i)
        body.push_back(0);
    body.insert(body.end(), { 0xfd, 0x15, 0x10, 0x1a, 0x0b });
    EXPECT_EQ(message_of(read(single_function(void_type, body))), "invalid lane index");
    body[body.size() - 3] = 0x0f;
    EXPECT_FALSE(read(single_function(void_type, body)).is_error());
}

TEST(BinaryReader, SectionOrderAndIds)
{
    EXPECT_EQ(message_of(read(concat({ header(), section(13, {}) }))), "malformed section id");
    EXPECT_EQ(message_of(read(concat({ header(), section(3, { 0x00 }), section(1, { 0x00 }) }))),
        "unexpected content after last section");
    // Section size beyond the module.
    EXPECT_EQ(message_of(read(concat({ header(), ByteVector { 0x01, 0x05, 0x00 } }))), "length out of bounds");
    // Size larger than the contents.
    EXPECT_EQ(message_of(read(concat({ header(), section(1, { 0x00, 0x00 }) }))), "section size mismatch");
}

TEST(BinaryReader, FunctionAndCodeCountsAgree)
{
    auto m = read(concat({ header(), section(1, { 0x01, 0x60, 0x00, 0x00 }), section(3, { 0x01, 0x00 }) }));
    EXPECT_EQ(message_of(m), "function and code section have inconsistent lengths");
}

TEST(BinaryReader, DuplicateExportAndMultipleMemories)
{
    ByteVector mems = section(5, { 0x02, 0x00, 0x01, 0x00, 0x01 });
    EXPECT_EQ(message_of(read(concat({ header(), mems }), Features::wasm2())), "multiple memories");
    EXPECT_FALSE(read(concat({ header(), mems }), Features::all()).is_error());
    ByteVector exports = section(7, { 0x02, 0x01, 'a', 0x02, 0x00, 0x01, 'a', 0x02, 0x00 });
    EXPECT_EQ(message_of(read(concat({ header(), section(5, { 0x01, 0x00, 0x01 }), exports }))), "duplicate export name");
}

TEST(BinaryReader, MemoryLimits)
{
    EXPECT_EQ(message_of(read(concat({ header(), section(5, { 0x01, 0x00, 0x81, 0x80, 0x04 }) }))),
        "memory size must be at most 65536 pages (4GiB)");
    EXPECT_EQ(message_of(read(concat({ header(), section(5, { 0x01, 0x01, 0x02, 0x01 }) }))),
        "size minimum must not be greater than maximum");
}

TEST(BinaryReader, DataCountRequiredForDataDrop)
{
    // data.drop 0 with a data section but no data count section.
    ByteVector body { 0x00, 0xfc, 0x09, 0x00, 0x0b };
    ByteVector bytes = concat({ header(), section(1, { 0x01, 0x60, 0x00, 0x00 }), section(3, { 0x01, 0x00 }),
        section(5, { 0x01, 0x00, 0x01 }), section(10, concat({ ByteVector { 0x01, u8(body.size()) }, body })),
        section(11, { 0x01, 0x01, 0x00 }) });
    EXPECT_EQ(message_of(read(bytes)), "data count section required");
}

TEST(BinaryReader, MalformedUtf8Name)
{
    // Export name 0xc0 0x80 (overlong NUL).
    auto m = read(concat({ header(), section(7, { 0x01, 0x02, 0xc0, 0x80, 0x00, 0x00 }) }));
    EXPECT_EQ(message_of(m), "malformed UTF-8 encoding");
}

TEST(BinaryReader, ConstantExpressions)
{
    // (global i32 (i32.add (i32.const 1) (i32.const 2))) needs extended-const.
    ByteVector globals = section(6, { 0x01, 0x7f, 0x00, 0x41, 0x01, 0x41, 0x02, 0x6a, 0x0b });
    EXPECT_EQ(message_of(read(concat({ header(), globals }), Features::wasm2())), "constant expression required");
    EXPECT_FALSE(read(concat({ header(), globals }), Features::all()).is_error());
    // Wrong result type.
    ByteVector wrong = section(6, { 0x01, 0x7e, 0x00, 0x41, 0x01, 0x0b });
    EXPECT_TRUE(message_of(read(concat({ header(), wrong }))).starts_with("type mismatch"));
}

TEST(BinaryReader, TailCallNeedsFeature)
{
    // [] -> []: return_call 0
    ByteVector body { 0x00, 0x12, 0x00, 0x0b };
    EXPECT_EQ(message_of(read(single_function(void_type, body), Features::wasm2())), "illegal opcode");
    EXPECT_FALSE(read(single_function(void_type, body), Features::all()).is_error());
}

TEST(BinaryReader, BodiesAreRangesIntoTheModulesCopy)
{
    ByteVector bytes = single_function(void_type, { 0x00, 0x01, 0x0b });
    auto m = read(bytes);
    ASSERT_FALSE(m.is_error());
    ByteRange body = m->functions()[0].body;
    EXPECT_EQ(body.size, 3u);
    EXPECT_EQ(m->bytes()[body.offset], 0x00);
    EXPECT_NE(m->bytes().data(), bytes.data()); // the module owns its bytes
    EXPECT_LT(m->metadata_size(), 2 * bytes.size() + 512);
}

TEST(TypeTable, EqualSignaturesShareAnIndex)
{
    TypeTable table;
    ValueType a[] = { ValueType::I32, ValueType::I64 };
    ValueType b[] = { ValueType::F32 };
    u32 first = MUST(table.intern(Span<const ValueType>(a, 2), Span<const ValueType>(b, 1)));
    u32 second = MUST(table.intern(Span<const ValueType>(b, 1), Span<const ValueType>(a, 2)));
    u32 again = MUST(table.intern(Span<const ValueType>(a, 2), Span<const ValueType>(b, 1)));
    EXPECT_EQ(first, again);
    EXPECT_NE(first, second);
    for (u32 i = 0; i < 100; ++i) {
        ValueType many[3] = { ValueType::I32, ValueType(u8(0x7c + i % 4)), ValueType::V128 };
        (void)MUST(table.intern(Span<const ValueType>(many, 1 + i % 3), {}));
    }
    EXPECT_EQ(MUST(table.intern(Span<const ValueType>(a, 2), Span<const ValueType>(b, 1))), first);
}

TEST(BinaryReader, DuplicateTypesCanonicalize)
{
    // Two identical types: both type indices map to one canonical type.
    ByteVector types { 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x00 };
    auto m = read(concat({ header(), section(1, types) }));
    ASSERT_FALSE(m.is_error());
    EXPECT_EQ(m->canonical_type(0), m->canonical_type(1));
}

TEST(BinaryReader, FunctionNamesFromTheNameSection)
{
    // custom "name": subsection 1 (function names) { 0 -> "f" }
    ByteVector names { 0x04, 'n', 'a', 'm', 'e', 0x01, 0x04, 0x01, 0x00, 0x01, 'f' };
    ByteVector bytes = concat({ single_function(void_type, { 0x00, 0x0b }), section(0, names) });
    auto m = read(bytes);
    ASSERT_FALSE(m.is_error()) << message_of(m);
    EXPECT_EQ(m->function_name(0), "f"_sv);
    EXPECT_TRUE(m->function_name(1).is_empty());
    // A malformed name section is ignored.
    ByteVector bad { 0x04, 'n', 'a', 'm', 'e', 0x01, 0x09, 0x01 };
    EXPECT_FALSE(read(concat({ single_function(void_type, { 0x00, 0x0b }), section(0, bad) })).is_error());
}

TEST(BinaryReader, ModuleLevelErrorsHaveOffsets)
{
    ByteVector bytes = concat({ header(), section(5, { 0x02, 0x00, 0x01, 0x00, 0x01 }) });
    auto m = read(bytes, Features::wasm2());
    ASSERT_TRUE(m.is_error());
    ASSERT_TRUE(m.error().has_offset());
    EXPECT_EQ(m.error().offset(), 13u); // the second memory's limits
    ByteVector exports = section(7, { 0x02, 0x01, 'a', 0x02, 0x00, 0x01, 'a', 0x02, 0x00 });
    ByteVector dup = concat({ header(), section(5, { 0x01, 0x00, 0x01 }), exports });
    auto d = read(dup);
    ASSERT_TRUE(d.is_error());
    ASSERT_TRUE(d.error().has_offset());
    EXPECT_EQ(dup[d.error().offset()], 0x01); // the second export's name length
    EXPECT_EQ(dup[d.error().offset() + 1], 'a');
    EXPECT_EQ(d.error().offset(), dup.size() - 4);
}

TEST(BinaryReader, StartFunctionMustTakeNothing)
{
    ByteVector types { 0x01, 0x60, 0x01, 0x7f, 0x00 };
    ByteVector body { 0x00, 0x0b };
    ByteVector bytes = concat({ header(), section(1, types), section(3, { 0x01, 0x00 }), section(8, { 0x00 }),
        section(10, concat({ ByteVector { 0x01, u8(body.size()) }, body })) });
    auto m = read(bytes);
    EXPECT_TRUE(message_of(m).starts_with("start function")) << message_of(m);
}

TEST(BinaryReader, EndOpcodeExpectedWhenABodyRunsIntoTheNext)
{
    // Two functions; the first body (4 bytes) lacks its end and is followed
    // by the second body's size byte 0x05 (not an end): the reference
    // interpreter reports "END opcode expected".
    ByteVector code { 0x02, 0x04, 0x00, 0x41, 0x01, 0x1a, 0x05, 0x00, 0x41, 0x01, 0x1a, 0x0b };
    ByteVector bytes = concat({ header(), section(1, { 0x01, 0x60, 0x00, 0x00 }), section(3, { 0x02, 0x00, 0x00 }),
        section(10, code) });
    EXPECT_EQ(message_of(read(bytes)), "END opcode expected");
}

TEST(BinaryReader, ElementSegmentsDeclareReferences)
{
    // (table 1 funcref) (elem declare func 0) (func ref.func 0 drop)
    ByteVector body { 0x00, 0xd2, 0x00, 0x1a, 0x0b };
    ByteVector with_elem = concat({ header(), section(1, { 0x01, 0x60, 0x00, 0x00 }), section(3, { 0x01, 0x00 }),
        section(9, { 0x01, 0x03, 0x00, 0x01, 0x00 }),
        section(10, concat({ ByteVector { 0x01, u8(body.size()) }, body })) });
    EXPECT_FALSE(read(with_elem).is_error()) << message_of(read(with_elem));
    ByteVector without = single_function(void_type, body);
    EXPECT_EQ(message_of(read(without)), "undeclared function reference");
}

TEST(BinaryReader, SightglassWorkloadsValidate)
{
    const char* env = std::getenv("K23_WORKLOADS");
    // Default: ../shared/workloads beside the repository (this file is
    // tests/wasm/BinaryReaderTest.cpp in it).
    std::string self = __FILE__;
    std::string repo = self.substr(0, self.rfind("/tests/wasm/"));
    std::string root = env ? env : repo + "/../shared/workloads";
    std::error_code ec;
    usize count = 0;
    for (auto& dir : std::filesystem::directory_iterator(root + "/sightglass", ec)) {
        for (auto& file : std::filesystem::directory_iterator(dir.path(), ec)) {
            if (file.path().extension() != ".wasm")
                continue;
            std::ifstream in(file.path(), std::ios::binary);
            ByteVector bytes { std::istreambuf_iterator<char>(in), {} };
            auto m = read(bytes);
            EXPECT_FALSE(m.is_error()) << file.path() << ": " << message_of(m);
            ++count;
        }
    }
    if (count == 0)
        GTEST_SKIP() << "no workloads at " << root;
}

// Caught by k23-run --invoke-all: the JIT cached compiled code by Module
// address, and a new Module allocated where a freed one had been got the
// old module's code. Every Module now has a process-unique serial that
// such caches compare as well.
TEST(BinaryReader, ModulesReusingAnAddressHaveDistinctSerials)
{
    alignas(Module) unsigned char storage[sizeof(Module)];
    auto* first = new (storage) Module(MUST(read(header())));
    u64 first_serial = first->serial();
    first->~Module();
    auto* second = new (storage) Module(MUST(read(header())));
    EXPECT_EQ(static_cast<void*>(first), static_cast<void*>(second));
    u64 second_serial = second->serial();
    EXPECT_NE(second_serial, first_serial);
    Module moved = move(*second);
    EXPECT_EQ(moved.serial(), second_serial);
    second->~Module();
}
