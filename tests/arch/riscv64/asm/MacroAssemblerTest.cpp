// The macro-assembler's sequences, disassembled by llvm-objdump-16 and
// compared with hand-written expectations (AsmTestSupport.h), and its trap
// sites: the recorded pc is the access's own, after any offset
// materialization.

#include "AsmTestSupport.h"

using namespace k23;
using namespace k23::riscv64;
using namespace k23::riscv64::test;

TEST(MacroAssemblerTest, AnyOffsetLoadsAndStores)
{
    check_cases<MacroAssembler>({
        { [](MacroAssembler& a) { a.load(Access::I64, a0, s0, 16); }, "ld a0, 16(s0)" },
        { [](MacroAssembler& a) { a.load(Access::I64, a0, s0, 2047); }, "ld a0, 2047(s0)" },
        { [](MacroAssembler& a) { a.load(Access::I64, a0, s0, -2048); }, "ld a0, -2048(s0)" },
        // One past the 12-bit range: the upper part is a lui, the low 12
        // bits (sign-extended) stay in the access.
        { [](MacroAssembler& a) { a.load(Access::I64, a0, s0, 2048); }, "lui t6, 1; add t6, s0, t6; ld a0, -2048(t6)" },
        { [](MacroAssembler& a) { a.load(Access::U32, a0, s0, 0x12345678); }, "lui t6, 74565; add t6, s0, t6; lwu a0, 1656(t6)" },
        { [](MacroAssembler& a) { a.load(Access::I8, a0, s0, -4096); }, "lui t6, 1048575; add t6, s0, t6; lb a0, 0(t6)" },
        { [](MacroAssembler& a) { a.load(Access::U8, a0, s0, -2049); }, "lui t6, 1048575; add t6, s0, t6; lbu a0, 2047(t6)" },
        { [](MacroAssembler& a) { a.load(Access::I16, a0, a1, 100); }, "lh a0, 100(a1)" },
        { [](MacroAssembler& a) { a.load(Access::U16, a0, a1, 100); }, "lhu a0, 100(a1)" },
        { [](MacroAssembler& a) { a.load(Access::I32, a0, a1, -4); }, "lw a0, -4(a1)" },
        // 2^31 is no lui: the whole offset through li.
        { [](MacroAssembler& a) { a.load(Access::I64, a0, s0, i64(1) << 31); }, "addi t6, zero, 1; slli t6, t6, 31; add t6, s0, t6; ld a0, 0(t6)" },
        { [](MacroAssembler& a) { a.store(Access::I16, a1, sp, 4000); }, "lui t6, 1; add t6, sp, t6; sh a1, -96(t6)" },
        { [](MacroAssembler& a) { a.store(Access::I8, a1, sp, 1); }, "sb a1, 1(sp)" },
        { [](MacroAssembler& a) { a.store(Access::U32, a1, sp, 4); }, "sw a1, 4(sp)" },
        { [](MacroAssembler& a) { a.store(Access::I64, a1, sp, 8); }, "sd a1, 8(sp)" },
        { [](MacroAssembler& a) { a.load(Access::F64, fa0, s0, -3000); }, "lui t6, 1048575; add t6, s0, t6; fld fa0, 1096(t6)" },
        { [](MacroAssembler& a) { a.load(Access::F32, fa0, s0, -8); }, "flw fa0, -8(s0)" },
        { [](MacroAssembler& a) { a.store(Access::F32, fa1, a0, 8); }, "fsw fa1, 8(a0)" },
        { [](MacroAssembler& a) { a.store(Access::F64, fa1, a0, 2056); }, "lui t6, 1; add t6, a0, t6; fsd fa1, -2040(t6)" },
        // Another scratch register.
        { [](MacroAssembler& a) { a.load(Access::I64, a1, a2, 10000, t5); }, "lui t5, 2; add t5, a2, t5; ld a1, 1808(t5)" },
    },
        CpuFeatures::all(), false);
}

TEST(MacroAssemblerTest, AddImmediate)
{
    check_cases<MacroAssembler>({
        { [](MacroAssembler& a) { a.add_immediate(sp, sp, -16); }, "addi sp, sp, -16" },
        { [](MacroAssembler& a) { a.add_immediate(a0, a1, 0); }, "addi a0, a1, 0" },
        { [](MacroAssembler& a) { a.add_immediate(sp, sp, 4096); }, "lui t6, 1; add sp, sp, t6" },
        { [](MacroAssembler& a) { a.add_immediate(a0, s0, -2049, a0); }, "lui a0, 1048575; addiw a0, a0, 2047; add a0, s0, a0" },
        // rd == rs and 0: nothing; the addi after it is the whole case.
        { [](MacroAssembler& a) { a.add_immediate(a0, a0, 0); a.addi(a1, a1, 1); }, "addi a1, a1, 1" },
    },
        CpuFeatures::all(), false);
    EXPECT_TRUE(MacroAssembler::fits_imm12(2047));
    EXPECT_TRUE(MacroAssembler::fits_imm12(-2048));
    EXPECT_FALSE(MacroAssembler::fits_imm12(2048));
    EXPECT_FALSE(MacroAssembler::fits_imm12(-2049));
    EXPECT_TRUE(MacroAssembler::is_single_instruction_constant(0x7ffff000));
    EXPECT_TRUE(MacroAssembler::is_single_instruction_constant(-2048));
    EXPECT_FALSE(MacroAssembler::is_single_instruction_constant(0x80000000));
    EXPECT_FALSE(MacroAssembler::is_single_instruction_constant(4097));
}

TEST(MacroAssemblerTest, ExtensionWithBitManip)
{
    check_cases<MacroAssembler>({
        { [](MacroAssembler& a) { a.zero_extend_word(a0, a1); }, "add.uw a0, a1, zero" },
        { [](MacroAssembler& a) { a.sign_extend(a0, a1, 8); }, "sext.b a0, a1" },
        { [](MacroAssembler& a) { a.sign_extend(a0, a1, 16); }, "sext.h a0, a1" },
        { [](MacroAssembler& a) { a.sign_extend(a0, a1, 32); }, "addiw a0, a1, 0" },
        { [](MacroAssembler& a) { a.add_zero_extended_word(t4, a0, s10); }, "add.uw t4, a0, s10" },
    },
        CpuFeatures::all(), false);
}

TEST(MacroAssemblerTest, ExtensionWithoutBitManip)
{
    check_cases<MacroAssembler>({
        { [](MacroAssembler& a) { a.zero_extend_word(a0, a1); }, "slli a0, a1, 32; srli a0, a0, 32" },
        { [](MacroAssembler& a) { a.sign_extend(a0, a1, 8); }, "slli a0, a1, 56; srai a0, a0, 56" },
        { [](MacroAssembler& a) { a.sign_extend(a0, a1, 16); }, "slli a0, a1, 48; srai a0, a0, 48" },
        { [](MacroAssembler& a) { a.sign_extend(a0, a1, 32); }, "addiw a0, a1, 0" },
        { [](MacroAssembler& a) { a.add_zero_extended_word(t4, a0, s10); }, "slli t4, a0, 32; srli t4, t4, 32; add t4, t4, s10" },
    },
        CpuFeatures::rv64gc(), false);
}

TEST(MacroAssemblerTest, ContextArrays)
{
    check_cases<MacroAssembler>({
        { [](MacroAssembler& a) { a.load_context_pointer(t3, s11, 16, 5); }, "ld t3, 16(s11); ld t3, 40(t3)" },
        { [](MacroAssembler& a) { a.load_context_pointer(t3, s11, 16, 255); }, "ld t3, 16(s11); ld t3, 2040(t3)" },
        { [](MacroAssembler& a) { a.load_context_pointer(t3, s11, 16, 300); }, "ld t3, 16(s11); lui t6, 1; add t6, t3, t6; ld t3, -1696(t6)" },
        { [](MacroAssembler& a) { a.load_context_element(Access::U32, a0, s11, 48, 7); }, "ld a0, 48(s11); lwu a0, 28(a0)" },
        // The context register itself as the destination.
        { [](MacroAssembler& a) { a.load_context_pointer(s11, s11, 32, 1); }, "ld s11, 32(s11); ld s11, 8(s11)" },
    },
        CpuFeatures::all(), false);
}

namespace {

struct RecordedSites final : TrapSiteSink {
    std::vector<u32> offsets;
    void record_trap_site(u32 code_offset) noexcept override { offsets.push_back(code_offset); }
};

} // namespace

TEST(MacroAssemblerTest, TrapSitesAreTheAccessItself)
{
    CodeOptions options;
    options.compress = false;
    CodeHolder code(CpuFeatures::all(), options);
    RecordedSites sites;
    MacroAssembler a(code, &sites);
    a.load_trapping(Access::I32, a0, t4, 8);                // at 0
    a.load_trapping(Access::U32, a0, t4, 0x12345678, t5);   // lui, add, then the load at 12
    a.store_trapping(Access::I64, a1, t4, 2048, t5);        // lui, add, then the store at 24
    a.load(Access::I64, a2, t4, 4096);                      // not a trap site: 28..36
    a.load_trapping(Access::F64, fa0, t4, -8);              // at 40
    a.store_trapping(Access::F32, fa0, t4, 4096 + 4);       // lui, add, then the store at 52
    a.mark_trap_site();                                     // at 56
    ASSERT_FALSE(code.has_error());
    EXPECT_EQ(sites.offsets, (std::vector<u32> { 0, 12, 24, 40, 52, 56 }));

    // Without a sink nothing is recorded and nothing breaks.
    CodeHolder other(CpuFeatures::all(), options);
    MacroAssembler b(other);
    b.load_trapping(Access::I64, a0, t4, 0);
    EXPECT_FALSE(other.has_error());
    EXPECT_EQ(other.offset(), 4u);
}
