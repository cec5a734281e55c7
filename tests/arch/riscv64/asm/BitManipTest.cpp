#include "AsmTestSupport.h"

using namespace k23;
using namespace k23::riscv64;
using namespace k23::riscv64::test;

TEST(ZbaTest, Encodings)
{
    check_cases({
        { [](Assembler& a) { a.add_uw(a0, a1, a2); }, "add.uw a0, a1, a2" },
        { [](Assembler& a) { a.sh1add(a0, a1, a2); }, "sh1add a0, a1, a2" },
        { [](Assembler& a) { a.sh2add(a0, a1, a2); }, "sh2add a0, a1, a2" },
        { [](Assembler& a) { a.sh3add(a0, a1, a2); }, "sh3add a0, a1, a2" },
        { [](Assembler& a) { a.sh1add_uw(a0, a1, a2); }, "sh1add.uw a0, a1, a2" },
        { [](Assembler& a) { a.sh2add_uw(a0, a1, a2); }, "sh2add.uw a0, a1, a2" },
        { [](Assembler& a) { a.sh3add_uw(a0, a1, a2); }, "sh3add.uw a0, a1, a2" },
        { [](Assembler& a) { a.slli_uw(a0, a1, 32); }, "slli.uw a0, a1, 32" },
    });
}

TEST(ZbbTest, Encodings)
{
    check_cases({
        { [](Assembler& a) { a.andn(a0, a1, a2); }, "andn a0, a1, a2" },
        { [](Assembler& a) { a.orn(a0, a1, a2); }, "orn a0, a1, a2" },
        { [](Assembler& a) { a.xnor(a0, a1, a2); }, "xnor a0, a1, a2" },
        { [](Assembler& a) { a.clz(a0, a1); }, "clz a0, a1" },
        { [](Assembler& a) { a.clzw(a0, a1); }, "clzw a0, a1" },
        { [](Assembler& a) { a.ctz(a0, a1); }, "ctz a0, a1" },
        { [](Assembler& a) { a.ctzw(a0, a1); }, "ctzw a0, a1" },
        { [](Assembler& a) { a.cpop(a0, a1); }, "cpop a0, a1" },
        { [](Assembler& a) { a.cpopw(a0, a1); }, "cpopw a0, a1" },
        { [](Assembler& a) { a.max(a0, a1, a2); }, "max a0, a1, a2" },
        { [](Assembler& a) { a.maxu(a0, a1, a2); }, "maxu a0, a1, a2" },
        { [](Assembler& a) { a.min(a0, a1, a2); }, "min a0, a1, a2" },
        { [](Assembler& a) { a.minu(a0, a1, a2); }, "minu a0, a1, a2" },
        { [](Assembler& a) { a.sext_b(a0, a1); }, "sext.b a0, a1" },
        { [](Assembler& a) { a.sext_h(a0, a1); }, "sext.h a0, a1" },
        { [](Assembler& a) { a.zext_h(a0, a1); }, "zext.h a0, a1" },
        { [](Assembler& a) { a.rol(a0, a1, a2); }, "rol a0, a1, a2" },
        { [](Assembler& a) { a.rolw(a0, a1, a2); }, "rolw a0, a1, a2" },
        { [](Assembler& a) { a.ror(a0, a1, a2); }, "ror a0, a1, a2" },
        { [](Assembler& a) { a.rorw(a0, a1, a2); }, "rorw a0, a1, a2" },
        { [](Assembler& a) { a.rori(a0, a1, 63); }, "rori a0, a1, 63" },
        { [](Assembler& a) { a.roriw(a0, a1, 31); }, "roriw a0, a1, 31" },
        { [](Assembler& a) { a.orc_b(a0, a1); }, "orc.b a0, a1" },
        { [](Assembler& a) { a.rev8(a0, a1); }, "rev8 a0, a1" },
    });
}

TEST(ZbsTest, Encodings)
{
    check_cases({
        { [](Assembler& a) { a.bclr(a0, a1, a2); }, "bclr a0, a1, a2" },
        { [](Assembler& a) { a.bclri(a0, a1, 63); }, "bclri a0, a1, 63" },
        { [](Assembler& a) { a.bext(a0, a1, a2); }, "bext a0, a1, a2" },
        { [](Assembler& a) { a.bexti(a0, a1, 5); }, "bexti a0, a1, 5" },
        { [](Assembler& a) { a.binv(a0, a1, a2); }, "binv a0, a1, a2" },
        { [](Assembler& a) { a.binvi(a0, a1, 32); }, "binvi a0, a1, 32" },
        { [](Assembler& a) { a.bset(a0, a1, a2); }, "bset a0, a1, a2" },
        { [](Assembler& a) { a.bseti(a0, a1, 0); }, "bseti a0, a1, 0" },
    });
}

// LLVM 16's objdump does not know Zicond (neither +zicond nor
// +experimental-zicond decodes it), so these are checked against the bit
// layout of Zicond 1.0 §2: funct7 0000111 | rs2 | rs1 | funct3 | rd | 0110011,
// funct3 101 for czero.eqz and 111 for czero.nez.
TEST(ZicondTest, EncodingsFromTheSpecLayout)
{
    auto eqz = assemble([](Assembler& a) { a.czero_eqz(a0, a1, a2); });
    EXPECT_EQ(first_word(eqz), (0b0000111u << 25) | (12u << 20) | (11u << 15) | (0b101u << 12) | (10u << 7) | 0b0110011u);
    EXPECT_EQ(first_word(eqz), 0x0ec5d533u);
    auto nez = assemble([](Assembler& a) { a.czero_nez(t0, s1, t6); });
    EXPECT_EQ(first_word(nez), (0b0000111u << 25) | (31u << 20) | (9u << 15) | (0b111u << 12) | (5u << 7) | 0b0110011u);
}
