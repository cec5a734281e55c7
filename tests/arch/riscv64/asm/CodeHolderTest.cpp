#include "AsmTestSupport.h"

using namespace k23;
using namespace k23::riscv64;
using namespace k23::riscv64::test;

TEST(BranchRangeTest, LabelsShortForms)
{
    check_cases({
        { [](Assembler& a) {
              Label l = a.new_label();
              a.beq(a0, a1, l);
              a.nop();
              a.bind(l);
          },
            "beq a0, a1, .+8; addi zero, zero, 0" },
        { [](Assembler& a) {
              Label l = a.new_label();
              a.bind(l);
              a.nop();
              a.bnez(a0, l);
              a.j(l);
          },
            "addi zero, zero, 0; bne a0, zero, .-4; jal zero, .-8" },
        { [](Assembler& a) {
              Label l = a.new_label();
              a.call(l);
              a.bind(l);
              a.lea(a0, l);
          },
            "jal ra, .+4; auipc a0, 0; addi a0, a0, 0" },
    });
}

TEST(BranchRangeTest, BackwardBeyondBRangeUsesInvertedBranchOverJal)
{
    if (!has_objdump)
        GTEST_SKIP();
    auto bytes = assemble([](Assembler& a) {
        Label l = a.new_label();
        a.bind(l);
        for (int i = 0; i < 2000; ++i)
            a.nop();
        a.blt(a0, a1, l);
    });
    auto lines = disassemble(bytes);
    ASSERT_EQ(lines.size(), 2002u);
    EXPECT_EQ(lines[2000].text, "bge a0, a1, .+8");
    EXPECT_EQ(lines[2001].text, "jal zero, .-8004");
}

TEST(BranchRangeTest, BackwardBeyondJalRangeUsesAuipcJalr)
{
    if (!has_objdump)
        GTEST_SKIP();
    auto bytes = assemble([](Assembler& a) {
        Label l = a.new_label();
        a.bind(l);
        for (int i = 0; i < (1 << 18) + 16; ++i)
            a.nop();
        a.beq(a0, a1, l);
        a.call(l);
    });
    std::vector<u8> tail(bytes.end() - 20, bytes.end());
    auto lines = disassemble(tail);
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[0].text, "bne a0, a1, .+12");
    EXPECT_EQ(lines[1].text, "auipc t6, 1048320");
    EXPECT_EQ(lines[2].text, "jalr zero, -68(t6)");
    EXPECT_EQ(lines[3].text, "auipc ra, 1048320");
    EXPECT_EQ(lines[4].text, "jalr ra, -76(ra)");
}

TEST(BranchRangeTest, ForwardBranchBeyondBRangeGoesThroughAnIsland)
{
    CodeHolder code(CpuFeatures::all(), { .compress = false });
    Assembler a(code);
    Label target = a.new_label();
    a.beq(a0, a1, target);
    for (int i = 0; i < 3000; ++i)
        a.nop();
    a.bind(target);
    ASSERT_FALSE(code.finalize().is_error());
    EXPECT_EQ(code.island_count(), 1u);
    if (!has_objdump)
        return;
    std::vector<u8> bytes(code.code_size());
    ASSERT_FALSE(code.copy_to(Span<u8>(bytes.data(), bytes.size())).is_error());
    auto lines = disassemble(bytes);
    // beq -> veneer (jal -> target), skipped over by the island's first jump.
    ASSERT_GT(lines.size(), 3u);
    u64 veneer = 0;
    for (const auto& line : lines) {
        if (line.text.rfind("beq a0, a1, .+", 0) == 0)
            veneer = line.address + std::stoull(line.text.substr(14));
    }
    ASSERT_NE(veneer, 0u);
    bool found = false;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].address == veneer) {
            found = true;
            EXPECT_EQ(lines[i].text.rfind("jal zero, .+", 0), 0u) << lines[i].text;
            EXPECT_EQ(lines[i - 1].text, "jal zero, .+8");
            EXPECT_EQ(veneer + std::stoull(lines[i].text.substr(12)), bytes.size());
        }
    }
    EXPECT_TRUE(found);
}

TEST(BranchRangeTest, OffsetsTakenBeforeAnInstructionStayValid)
{
    CodeHolder code(CpuFeatures::all());
    Assembler a(code);
    Label target = a.new_label();
    a.bnez(a0, target);
    u32 recorded[4000];
    for (int i = 0; i < 4000; ++i) {
        recorded[i] = a.offset();
        a.addi(a0, a0, 1);
    }
    a.bind(target);
    ASSERT_FALSE(code.finalize().is_error());
    for (int i = 0; i < 4000; ++i)
        ASSERT_EQ(code.text()[recorded[i]], 0x05) << i; // c.addi a0, 1 = 0x0505
}

TEST(LiteralPoolTest, LoadConstantSequences)
{
    check_cases({
        { [](Assembler& a) { a.load_constant(a0, 0); }, "addi a0, zero, 0" },
        { [](Assembler& a) { a.load_constant(a0, u64(-1)); }, "addi a0, zero, -1" },
        { [](Assembler& a) { a.load_constant(a0, 0x12345678); }, "lui a0, 74565; addiw a0, a0, 1656" },
        { [](Assembler& a) { a.load_constant(a0, 0x7fffffff); }, "lui a0, 524288; addiw a0, a0, -1" },
        { [](Assembler& a) { a.load_constant(a0, 0x80000000u); }, "addi a0, zero, 1; slli a0, a0, 31" },
        { [](Assembler& a) { a.load_constant(a0, 0x100000000ull); }, "addi a0, zero, 1; slli a0, a0, 32" },
        { [](Assembler& a) { a.load_constant(a0, 0xfff0000000000000ull); }, "addi a0, zero, -1; slli a0, a0, 52" },
    });
}

TEST(LiteralPoolTest, WideConstantsComeFromThePool)
{
    CodeHolder code(CpuFeatures::all(), { .compress = false });
    Assembler a(code);
    a.load_constant(a0, 0x123456789abcdef1ull);
    a.load_constant(a1, 0x123456789abcdef1ull); // deduplicated
    a.load_constant(a2, 0xfedcba9876543210ull);
    a.ret();
    ASSERT_FALSE(code.finalize().is_error());
    EXPECT_EQ(code.pool_size(), 2u);
    EXPECT_EQ(code.text().size(), 28u);
    EXPECT_EQ(code.pool_offset(), 32u);
    EXPECT_EQ(code.code_size(), 48u);
    std::vector<u8> bytes(code.code_size());
    ASSERT_FALSE(code.copy_to(Span<u8>(bytes.data(), bytes.size())).is_error());
    u64 first = 0;
    __builtin_memcpy(&first, bytes.data() + 32, 8);
    EXPECT_EQ(first, 0x123456789abcdef1ull);
    if (!has_objdump)
        return;
    std::vector<u8> text(bytes.begin(), bytes.begin() + 28);
    auto lines = disassemble(text);
    ASSERT_EQ(lines.size(), 7u);
    EXPECT_EQ(lines[0].text, "auipc a0, 0");
    EXPECT_EQ(lines[1].text, "ld a0, 32(a0)");
    EXPECT_EQ(lines[2].text, "auipc a1, 0");
    EXPECT_EQ(lines[3].text, "ld a1, 24(a1)");
    EXPECT_EQ(lines[4].text, "auipc a2, 0");
    EXPECT_EQ(lines[5].text, "ld a2, 24(a2)");
}

TEST(AssemblerErrorTest, ErrorsAreValues)
{
    {
        CodeHolder code(CpuFeatures::all());
        Assembler a(code);
        Label l = a.new_label();
        a.bind(l);
        a.bind(l);
        auto result = code.finalize();
        ASSERT_TRUE(result.is_error());
        EXPECT_EQ(result.error().code(), ErrorCode::AlreadyExists);
    }
    {
        CodeHolder code(CpuFeatures::all());
        Assembler a(code);
        Label l = a.new_label();
        a.j(l);
        auto result = code.finalize();
        ASSERT_TRUE(result.is_error());
        EXPECT_EQ(result.error().code(), ErrorCode::NotFound);
    }
    {
        CodeHolder code(CpuFeatures::all());
        Assembler a(code);
        a.addi(a0, a0, 4096);
        auto result = code.finalize();
        ASSERT_TRUE(result.is_error());
        EXPECT_EQ(result.error().code(), ErrorCode::OutOfRange);
        EXPECT_EQ(code.offset(), 0u);
    }
    {
        CodeHolder code(CpuFeatures::all());
        Assembler a(code);
        a.vadd_vi(v1, v2, 16);
        EXPECT_TRUE(code.finalize().is_error());
    }
    {
        CodeHolder code(CpuFeatures::all());
        Assembler a(code);
        a.beq(a0, a1, 3);
        EXPECT_TRUE(code.finalize().is_error());
    }
    {
        CodeHolder code(CpuFeatures::all());
        Assembler a(code);
        a.j(Label());
        EXPECT_EQ(code.finalize().error().code(), ErrorCode::InvalidArgument);
    }
}

TEST(AssemblerErrorTest, DisabledExtensionIsAnError)
{
    CodeHolder code(CpuFeatures::rv64gc());
    Assembler a(code);
    a.add(a0, a0, a1);
    a.vadd_vv(v1, v2, v3);
    a.add(a0, a0, a1); // ignored once in error
    auto result = code.finalize();
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code(), ErrorCode::Unsupported);
    EXPECT_EQ(code.offset(), 2u); // just the first (compressed) add

    CodeHolder base(CpuFeatures::rv64i());
    Assembler b(base);
    b.mul(a0, a1, a2);
    EXPECT_EQ(base.finalize().error().code(), ErrorCode::Unsupported);

    CodeHolder zbb(CpuFeatures::rv64gc());
    Assembler c(zbb);
    c.cpop(a0, a1);
    EXPECT_EQ(zbb.finalize().error().code(), ErrorCode::Unsupported);
}

TEST(CpuFeaturesTest, ParsesIsaStrings)
{
    auto qemu = CpuFeatures::parse_isa_string("rv64imafdcvh_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc");
    ASSERT_FALSE(qemu.is_error());
    auto f = qemu.value();
    for (auto e : { Extension::I, Extension::M, Extension::A, Extension::F, Extension::D, Extension::C, Extension::V, Extension::H,
             Extension::Zicsr, Extension::Zifencei, Extension::Zihintpause, Extension::Zba, Extension::Zbb, Extension::Zbc,
             Extension::Zbs, Extension::Sstc })
        EXPECT_TRUE(f.has(e)) << extension_name(e).characters_without_null_termination();
    EXPECT_FALSE(f.has(Extension::Zicond));

    auto g = CpuFeatures::parse_isa_string("rv64gc");
    ASSERT_FALSE(g.is_error());
    EXPECT_EQ(g.value(), CpuFeatures::rv64gc());

    auto versions = CpuFeatures::parse_isa_string("RV64I2P1M2A2P1_Zicond1p0_zba");
    ASSERT_FALSE(versions.is_error());
    EXPECT_TRUE(versions.value().has(Extension::M));
    EXPECT_TRUE(versions.value().has(Extension::A));
    EXPECT_TRUE(versions.value().has(Extension::Zicond));
    EXPECT_TRUE(versions.value().has(Extension::Zba));
    EXPECT_FALSE(versions.value().has(Extension::F));

    auto unknown = CpuFeatures::parse_isa_string("rv64imac_zfoo_xvendor");
    ASSERT_FALSE(unknown.is_error());
    EXPECT_TRUE(unknown.value().has(Extension::C));

    EXPECT_TRUE(CpuFeatures::parse_isa_string("rv32imac").is_error());
    EXPECT_TRUE(CpuFeatures::parse_isa_string("x86").is_error());
    EXPECT_TRUE(CpuFeatures::parse_isa_string("rv64").is_error());
    EXPECT_TRUE(CpuFeatures::parse_isa_string("rv64id").is_error());

    char buffer[128];
    format_to(Span<char>(buffer, sizeof(buffer)), "{}", CpuFeatures::rv64gc().with(Extension::V).with(Extension::Zba));
    EXPECT_STREQ(buffer, "rv64imafdcv_zicsr_zifencei_zba");
}

// Found by `./k23 fuzz compile` (a v128.const of 0x7fffffffffffffff): planning
// the constant computed INT64_MAX - (-1) in signed arithmetic, undefined
// behaviour that UBSan in the host ring reports. Emission only here; the
// riscv64 ring executes these values (ExecutionTest.LoadConstant).
TEST(LoadConstantTest, ExtremeValuesPlanWithoutSignedOverflow)
{
    const u64 values[] = { 0x7fffffffffffffffull, 0x8000000000000000ull, 0x7ffffffffffff800ull, 0x7fffffffffffffffull - 0x7ff,
        0x8000000000000fffull, 0xffffffffffffffffull };
    for (u64 value : values) {
        CodeHolder code(CpuFeatures::all());
        Assembler a(code);
        a.load_constant(a0, value);
        EXPECT_GT(code.code_size(), 0u) << std::hex << value;
    }
}

// end_group's fast path skips the island check below a bound on the
// earliest deadline; a branch that became pending after the bound was taken
// must still get its veneer in time (resolve() fails with OutOfRange if not).
TEST(BranchRangeTest, BranchesPendingAtEveryDistanceAllGetIslands)
{
    CodeHolder code(CpuFeatures::all(), { .compress = false });
    Assembler a(code);
    std::vector<Label> targets;
    for (int i = 0; i < 40; ++i) {
        targets.push_back(a.new_label());
        a.bnez(a0, targets.back());
        for (int k = 0; k < 250 + 7 * i; ++k)
            a.nop();
        // Bind the targets in batches, each ~6 KiB after its branch.
        if (i % 5 == 4) {
            for (int k = 0; k < 1600; ++k)
                a.nop();
            for (int j = i - 4; j <= i; ++j)
                a.bind(targets[j]);
        }
    }
    auto result = code.finalize();
    ASSERT_FALSE(result.is_error()) << result.error().message_cstring();
    EXPECT_GE(code.island_count(), 8u);
}

// A module compile reuses one holder (reset between functions): what it
// emits after a reset is what a fresh holder emits, whatever came before
// (an error, islands, pool constants, a disabled compression).
TEST(CodeHolderTest, ResetHolderEmitsWhatAFreshOneDoes)
{
    auto emit = [](CodeHolder& code) {
        Assembler a(code);
        Label target = a.new_label();
        a.beq(a0, a1, target);
        for (int i = 0; i < 3000; ++i)
            a.addi(a0, a0, 1);
        a.load_constant(a1, 0x123456789abcdefull);
        a.bind(target);
        a.ret();
    };
    CodeHolder fresh(CpuFeatures::all());
    emit(fresh);
    ASSERT_FALSE(fresh.finalize().is_error());
    std::vector<u8> expected(fresh.code_size());
    ASSERT_FALSE(fresh.copy_to(Span<u8>(expected.data(), expected.size())).is_error());

    CodeHolder reused(CpuFeatures::all());
    {
        Assembler a(reused);
        a.load_constant(a2, 0xfedcba9876543210ull);
        a.addi(a0, a0, 4096); // an error: sticky until the reset
        reused.set_compress(false);
    }
    ASSERT_TRUE(reused.finalize().is_error());
    reused.reset();
    emit(reused);
    ASSERT_FALSE(reused.finalize().is_error());
    EXPECT_EQ(reused.island_count(), fresh.island_count());
    std::vector<u8> bytes(reused.code_size());
    ASSERT_FALSE(reused.copy_to(Span<u8>(bytes.data(), bytes.size())).is_error());
    EXPECT_EQ(bytes, expected);
}
