#include "AsmTestSupport.h"

using namespace k23;
using namespace k23::riscv64;
using namespace k23::riscv64::test;

TEST(RV64MTest, Encodings)
{
    check_cases({
        { [](Assembler& a) { a.mul(a0, a1, a2); }, "mul a0, a1, a2" },
        { [](Assembler& a) { a.mulh(a0, a1, a2); }, "mulh a0, a1, a2" },
        { [](Assembler& a) { a.mulhsu(a0, a1, a2); }, "mulhsu a0, a1, a2" },
        { [](Assembler& a) { a.mulhu(a0, a1, a2); }, "mulhu a0, a1, a2" },
        { [](Assembler& a) { a.div(a0, a1, a2); }, "div a0, a1, a2" },
        { [](Assembler& a) { a.divu(a0, a1, a2); }, "divu a0, a1, a2" },
        { [](Assembler& a) { a.rem(a0, a1, a2); }, "rem a0, a1, a2" },
        { [](Assembler& a) { a.remu(a0, a1, a2); }, "remu a0, a1, a2" },
        { [](Assembler& a) { a.mulw(t0, t1, t2); }, "mulw t0, t1, t2" },
        { [](Assembler& a) { a.divw(t0, t1, t2); }, "divw t0, t1, t2" },
        { [](Assembler& a) { a.divuw(t0, t1, t2); }, "divuw t0, t1, t2" },
        { [](Assembler& a) { a.remw(t0, t1, t2); }, "remw t0, t1, t2" },
        { [](Assembler& a) { a.remuw(t0, t1, t2); }, "remuw t0, t1, t2" },
    });
}

TEST(RV64ATest, Encodings)
{
    check_cases({
        { [](Assembler& a) { a.lr_w(a0, a1); }, "lr.w a0, (a1)" },
        { [](Assembler& a) { a.lr_d(a0, a1, MemoryOrder::Acquire); }, "lr.d.aq a0, (a1)" },
        { [](Assembler& a) { a.sc_w(a0, a2, a1, MemoryOrder::Release); }, "sc.w.rl a0, a2, (a1)" },
        { [](Assembler& a) { a.sc_d(a0, a2, a1, MemoryOrder::AcqRel); }, "sc.d.aqrl a0, a2, (a1)" },
        { [](Assembler& a) { a.amoswap_w(a0, a2, a1); }, "amoswap.w a0, a2, (a1)" },
        { [](Assembler& a) { a.amoadd_d(a0, a2, a1, MemoryOrder::AcqRel); }, "amoadd.d.aqrl a0, a2, (a1)" },
        { [](Assembler& a) { a.amoxor_w(a0, a2, a1); }, "amoxor.w a0, a2, (a1)" },
        { [](Assembler& a) { a.amoand_d(a0, a2, a1); }, "amoand.d a0, a2, (a1)" },
        { [](Assembler& a) { a.amoor_w(a0, a2, a1, MemoryOrder::Acquire); }, "amoor.w.aq a0, a2, (a1)" },
        { [](Assembler& a) { a.amomin_d(a0, a2, a1); }, "amomin.d a0, a2, (a1)" },
        { [](Assembler& a) { a.amomax_w(a0, a2, a1); }, "amomax.w a0, a2, (a1)" },
        { [](Assembler& a) { a.amominu_d(a0, a2, a1); }, "amominu.d a0, a2, (a1)" },
        { [](Assembler& a) { a.amomaxu_w(a0, a2, a1, MemoryOrder::Release); }, "amomaxu.w.rl a0, a2, (a1)" },
        { [](Assembler& a) { a.amoswap_d(zero, a2, a1); }, "amoswap.d zero, a2, (a1)" },
    });
}
