#include "AsmTestSupport.h"

using namespace k23;
using namespace k23::riscv64;
using namespace k23::riscv64::test;

// With C enabled the base encoders pick compressed forms by themselves.
TEST(RV64CTest, AutomaticCompression)
{
    check_cases(
        {
            { [](Assembler& a) { a.addi(a0, a0, 1); }, "c.addi a0, 1" },
            { [](Assembler& a) { a.addi(a0, zero, -32); }, "c.li a0, -32" },
            { [](Assembler& a) { a.mv(s1, a5); }, "c.mv s1, a5" },
            { [](Assembler& a) { a.add(t0, t0, t1); }, "c.add t0, t1" },
            { [](Assembler& a) { a.add(t0, t1, t0); }, "c.add t0, t1" },
            { [](Assembler& a) { a.addiw(a0, a0, -1); }, "c.addiw a0, -1" },
            { [](Assembler& a) { a.addi(sp, sp, -64); }, "c.addi16sp sp, -64" },
            { [](Assembler& a) { a.addi(a0, sp, 16); }, "c.addi4spn a0, sp, 16" },
            { [](Assembler& a) { a.lui(a0, 31); }, "c.lui a0, 31" },
            { [](Assembler& a) { a.lui(a0, 0xfffff); }, "c.lui a0, 1048575" },
            { [](Assembler& a) { a.slli(a0, a0, 3); }, "c.slli a0, 3" },
            { [](Assembler& a) { a.srli(a1, a1, 63); }, "c.srli a1, 63" },
            { [](Assembler& a) { a.srai(a2, a2, 5); }, "c.srai a2, 5" },
            { [](Assembler& a) { a.andi(a3, a3, -1); }, "c.andi a3, -1" },
            { [](Assembler& a) { a.sub(a4, a4, a5); }, "c.sub a4, a5" },
            { [](Assembler& a) { a.xor_(a4, a5, a4); }, "c.xor a4, a5" },
            { [](Assembler& a) { a.or_(s0, s0, s1); }, "c.or s0, s1" },
            { [](Assembler& a) { a.and_(s0, s0, s1); }, "c.and s0, s1" },
            { [](Assembler& a) { a.subw(s0, s0, s1); }, "c.subw s0, s1" },
            { [](Assembler& a) { a.addw(s0, s0, s1); }, "c.addw s0, s1" },
            { [](Assembler& a) { a.lw(a0, a1, 124); }, "c.lw a0, 124(a1)" },
            { [](Assembler& a) { a.ld(a0, a1, 248); }, "c.ld a0, 248(a1)" },
            { [](Assembler& a) { a.sw(a0, a1, 4); }, "c.sw a0, 4(a1)" },
            { [](Assembler& a) { a.sd(a0, a1, 8); }, "c.sd a0, 8(a1)" },
            { [](Assembler& a) { a.lw(t0, sp, 252); }, "c.lwsp t0, 252(sp)" },
            { [](Assembler& a) { a.ld(ra, sp, 504); }, "c.ldsp ra, 504(sp)" },
            { [](Assembler& a) { a.sw(t0, sp, 8); }, "c.swsp t0, 8(sp)" },
            { [](Assembler& a) { a.sd(ra, sp, 16); }, "c.sdsp ra, 16(sp)" },
            { [](Assembler& a) { a.fld(fa0, a0, 16); }, "c.fld fa0, 16(a0)" },
            { [](Assembler& a) { a.fsd(fs1, a0, 24); }, "c.fsd fs1, 24(a0)" },
            { [](Assembler& a) { a.fld(ft0, sp, 8); }, "c.fldsp ft0, 8(sp)" },
            { [](Assembler& a) { a.fsd(ft0, sp, 8); }, "c.fsdsp ft0, 8(sp)" },
            { [](Assembler& a) { a.jal(zero, -2048); }, "c.j .-2048" },
            { [](Assembler& a) { a.jr(t0); }, "c.jr t0" },
            { [](Assembler& a) { a.jalr(ra, t0, 0); }, "c.jalr t0" },
            { [](Assembler& a) { a.ret(); }, "c.jr ra" },
            { [](Assembler& a) { a.beq(s0, zero, -256); }, "c.beqz s0, .-256" },
            { [](Assembler& a) { a.bne(a5, zero, 254); }, "c.bnez a5, .+254" },
            { [](Assembler& a) { a.ebreak(); }, "c.ebreak" },
            { [](Assembler& a) { a.c_nop(); a.c_nop(); }, "c.nop; c.nop" },
            // Operands without a compressed form stay 32-bit.
            { [](Assembler& a) { a.addi(a0, a1, 1); }, "addi a0, a1, 1" },
            { [](Assembler& a) { a.sub(a0, a1, a2); }, "sub a0, a1, a2" },
            { [](Assembler& a) { a.ld(t0, t1, 8); }, "ld t0, 8(t1)" },
            { [](Assembler& a) { a.lw(a0, a1, 2); }, "lw a0, 2(a1)" },
        },
        CpuFeatures::all(), true);
}

TEST(RV64CTest, CompressionCanBeDisabledOrUnavailable)
{
    check_cases({ { [](Assembler& a) { a.addi(a0, a0, 1); }, "addi a0, a0, 1" } }, CpuFeatures::all(), false);
    check_cases({ { [](Assembler& a) { a.addi(a0, a0, 1); }, "addi a0, a0, 1" } }, CpuFeatures::all().without(Extension::C), true);
}
