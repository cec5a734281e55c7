#include "AsmTestSupport.h"

using namespace k23;
using namespace k23::riscv64;
using namespace k23::riscv64::test;

TEST(RV64ITest, Encodings)
{
    check_cases({
        { [](Assembler& a) { a.add(x1, x2, x3); }, "add ra, sp, gp" },
        { [](Assembler& a) { a.sub(a0, a1, a2); }, "sub a0, a1, a2" },
        { [](Assembler& a) { a.sll(t0, t1, t2); }, "sll t0, t1, t2" },
        { [](Assembler& a) { a.slt(s0, s1, a0); }, "slt s0, s1, a0" },
        { [](Assembler& a) { a.sltu(s2, s3, s4); }, "sltu s2, s3, s4" },
        { [](Assembler& a) { a.xor_(a0, a0, a1); }, "xor a0, a0, a1" },
        { [](Assembler& a) { a.srl(a3, a4, a5); }, "srl a3, a4, a5" },
        { [](Assembler& a) { a.sra(a6, a7, t3); }, "sra a6, a7, t3" },
        { [](Assembler& a) { a.or_(t4, t5, t6); }, "or t4, t5, t6" },
        { [](Assembler& a) { a.and_(s10, s11, zero); }, "and s10, s11, zero" },
        { [](Assembler& a) { a.addi(a0, a1, -2048); }, "addi a0, a1, -2048" },
        { [](Assembler& a) { a.addi(a0, a1, 2047); }, "addi a0, a1, 2047" },
        { [](Assembler& a) { a.slti(a0, a1, -1); }, "slti a0, a1, -1" },
        { [](Assembler& a) { a.sltiu(a0, a1, 1); }, "sltiu a0, a1, 1" },
        { [](Assembler& a) { a.xori(a0, a1, -1); }, "xori a0, a1, -1" },
        { [](Assembler& a) { a.ori(a0, a1, 0x7f); }, "ori a0, a1, 127" },
        { [](Assembler& a) { a.andi(a0, a1, 255); }, "andi a0, a1, 255" },
        { [](Assembler& a) { a.slli(a0, a1, 63); }, "slli a0, a1, 63" },
        { [](Assembler& a) { a.srli(a0, a1, 32); }, "srli a0, a1, 32" },
        { [](Assembler& a) { a.srai(a0, a1, 1); }, "srai a0, a1, 1" },
        { [](Assembler& a) { a.addiw(a0, a1, -5); }, "addiw a0, a1, -5" },
        { [](Assembler& a) { a.slliw(a0, a1, 31); }, "slliw a0, a1, 31" },
        { [](Assembler& a) { a.srliw(a0, a1, 3); }, "srliw a0, a1, 3" },
        { [](Assembler& a) { a.sraiw(a0, a1, 7); }, "sraiw a0, a1, 7" },
        { [](Assembler& a) { a.addw(a0, a1, a2); }, "addw a0, a1, a2" },
        { [](Assembler& a) { a.subw(a0, a1, a2); }, "subw a0, a1, a2" },
        { [](Assembler& a) { a.sllw(a0, a1, a2); }, "sllw a0, a1, a2" },
        { [](Assembler& a) { a.srlw(a0, a1, a2); }, "srlw a0, a1, a2" },
        { [](Assembler& a) { a.sraw(a0, a1, a2); }, "sraw a0, a1, a2" },
        { [](Assembler& a) { a.lui(a0, 0x12345); }, "lui a0, 74565" },
        { [](Assembler& a) { a.lui(a0, -1); }, "lui a0, 1048575" },
        { [](Assembler& a) { a.auipc(t0, 1); }, "auipc t0, 1" },
        { [](Assembler& a) { a.lb(a0, sp, -1); }, "lb a0, -1(sp)" },
        { [](Assembler& a) { a.lh(a0, a1, 2); }, "lh a0, 2(a1)" },
        { [](Assembler& a) { a.lw(a0, a1, 4); }, "lw a0, 4(a1)" },
        { [](Assembler& a) { a.ld(a0, a1, 8); }, "ld a0, 8(a1)" },
        { [](Assembler& a) { a.lbu(a0, a1, 1); }, "lbu a0, 1(a1)" },
        { [](Assembler& a) { a.lhu(a0, a1, 2); }, "lhu a0, 2(a1)" },
        { [](Assembler& a) { a.lwu(a0, a1, 4); }, "lwu a0, 4(a1)" },
        { [](Assembler& a) { a.sb(a0, a1, -2048); }, "sb a0, -2048(a1)" },
        { [](Assembler& a) { a.sh(a0, a1, 2); }, "sh a0, 2(a1)" },
        { [](Assembler& a) { a.sw(a0, a1, 2047); }, "sw a0, 2047(a1)" },
        { [](Assembler& a) { a.sd(ra, sp, 8); }, "sd ra, 8(sp)" },
        { [](Assembler& a) { a.jal(ra, 2048); }, "jal ra, .+2048" },
        { [](Assembler& a) { a.jal(zero, -4); }, "jal zero, .-4" },
        { [](Assembler& a) { a.jalr(zero, ra, 0); }, "jalr zero, 0(ra)" },
        { [](Assembler& a) { a.jalr(ra, t0, -16); }, "jalr ra, -16(t0)" },
        { [](Assembler& a) { a.beq(a0, a1, 8); }, "beq a0, a1, .+8" },
        { [](Assembler& a) { a.bne(a0, a1, -8); }, "bne a0, a1, .-8" },
        { [](Assembler& a) { a.blt(a0, a1, 4094); }, "blt a0, a1, .+4094" },
        { [](Assembler& a) { a.bge(a0, a1, -4096); }, "bge a0, a1, .-4096" },
        { [](Assembler& a) { a.bltu(a0, a1, 16); }, "bltu a0, a1, .+16" },
        { [](Assembler& a) { a.bgeu(a0, a1, 16); }, "bgeu a0, a1, .+16" },
        { [](Assembler& a) { a.fence(); }, "fence iorw, iorw" },
        { [](Assembler& a) { a.fence(FenceSet::RW, FenceSet::W); }, "fence rw, w" },
        { [](Assembler& a) { a.fence_tso(); }, "fence.tso" },
        { [](Assembler& a) { a.fence_i(); }, "fence.i" },
        { [](Assembler& a) { a.ecall(); }, "ecall" },
        { [](Assembler& a) { a.ebreak(); }, "ebreak" },
        { [](Assembler& a) { a.csrrs(a0, 0xc22, zero); }, "csrrs a0, vlenb, zero" },
        { [](Assembler& a) { a.csrrw(zero, 0x003, a0); }, "csrrw zero, fcsr, a0" },
        { [](Assembler& a) { a.csrrc(a1, 0x001, a2); }, "csrrc a1, fflags, a2" },
        { [](Assembler& a) { a.csrrwi(zero, 0x002, 1); }, "csrrwi zero, frm, 1" },
        { [](Assembler& a) { a.csrrsi(a0, 0x001, 2); }, "csrrsi a0, fflags, 2" },
        { [](Assembler& a) { a.csrrci(a0, 0x001, 3); }, "csrrci a0, fflags, 3" },
        { [](Assembler& a) { a.mv(a0, a1); }, "addi a0, a1, 0" },
        { [](Assembler& a) { a.not_(a0, a1); }, "xori a0, a1, -1" },
        { [](Assembler& a) { a.ret(); }, "jalr zero, 0(ra)" },
    });
}

TEST(RV64ITest, PauseIsFenceWZero)
{
    auto bytes = assemble([](Assembler& a) { a.pause(); });
    // Zihintpause: FENCE with pred = W (0001), succ = 0, fm = 0.
    EXPECT_EQ(first_word(bytes), 0x0100000fu);
}
