#include "AsmTestSupport.h"

using namespace k23;
using namespace k23::riscv64;
using namespace k23::riscv64::test;

TEST(RV64FTest, Encodings)
{
    check_cases({
        { [](Assembler& a) { a.fadd_s(fa0, fa1, fa2); }, "fadd.s fa0, fa1, fa2, dyn" },
        { [](Assembler& a) { a.fsub_s(fa0, fa1, fa2, RoundingMode::Rtz); }, "fsub.s fa0, fa1, fa2, rtz" },
        { [](Assembler& a) { a.fmul_s(fa0, fa1, fa2, RoundingMode::Rne); }, "fmul.s fa0, fa1, fa2, rne" },
        { [](Assembler& a) { a.fdiv_s(fa0, fa1, fa2, RoundingMode::Rdn); }, "fdiv.s fa0, fa1, fa2, rdn" },
        { [](Assembler& a) { a.fsqrt_s(fa0, fa1, RoundingMode::Rup); }, "fsqrt.s fa0, fa1, rup" },
        { [](Assembler& a) { a.fsgnj_s(fa0, fa1, fa2); }, "fsgnj.s fa0, fa1, fa2" },
        { [](Assembler& a) { a.fsgnjn_s(fa0, fa1, fa2); }, "fsgnjn.s fa0, fa1, fa2" },
        { [](Assembler& a) { a.fsgnjx_s(fa0, fa1, fa2); }, "fsgnjx.s fa0, fa1, fa2" },
        { [](Assembler& a) { a.fmin_s(fa0, fa1, fa2); }, "fmin.s fa0, fa1, fa2" },
        { [](Assembler& a) { a.fmax_s(fa0, fa1, fa2); }, "fmax.s fa0, fa1, fa2" },
        { [](Assembler& a) { a.fmadd_s(fa0, fa1, fa2, fa3); }, "fmadd.s fa0, fa1, fa2, fa3, dyn" },
        { [](Assembler& a) { a.fmsub_s(fa0, fa1, fa2, fa3, RoundingMode::Rmm); }, "fmsub.s fa0, fa1, fa2, fa3, rmm" },
        { [](Assembler& a) { a.fnmsub_s(fa0, fa1, fa2, fa3); }, "fnmsub.s fa0, fa1, fa2, fa3, dyn" },
        { [](Assembler& a) { a.fnmadd_s(fa0, fa1, fa2, fa3); }, "fnmadd.s fa0, fa1, fa2, fa3, dyn" },
        { [](Assembler& a) { a.feq_s(a0, fa1, fa2); }, "feq.s a0, fa1, fa2" },
        { [](Assembler& a) { a.flt_s(a0, fa1, fa2); }, "flt.s a0, fa1, fa2" },
        { [](Assembler& a) { a.fle_s(a0, fa1, fa2); }, "fle.s a0, fa1, fa2" },
        { [](Assembler& a) { a.fclass_s(a0, fa1); }, "fclass.s a0, fa1" },
        { [](Assembler& a) { a.fcvt_w_s(a0, fa1, RoundingMode::Rtz); }, "fcvt.w.s a0, fa1, rtz" },
        { [](Assembler& a) { a.fcvt_wu_s(a0, fa1, RoundingMode::Rtz); }, "fcvt.wu.s a0, fa1, rtz" },
        { [](Assembler& a) { a.fcvt_l_s(a0, fa1, RoundingMode::Rtz); }, "fcvt.l.s a0, fa1, rtz" },
        { [](Assembler& a) { a.fcvt_lu_s(a0, fa1, RoundingMode::Rtz); }, "fcvt.lu.s a0, fa1, rtz" },
        { [](Assembler& a) { a.fcvt_s_w(fa0, a1); }, "fcvt.s.w fa0, a1, dyn" },
        { [](Assembler& a) { a.fcvt_s_wu(fa0, a1); }, "fcvt.s.wu fa0, a1, dyn" },
        { [](Assembler& a) { a.fcvt_s_l(fa0, a1); }, "fcvt.s.l fa0, a1, dyn" },
        { [](Assembler& a) { a.fcvt_s_lu(fa0, a1); }, "fcvt.s.lu fa0, a1, dyn" },
        { [](Assembler& a) { a.fmv_x_w(a0, fa1); }, "fmv.x.w a0, fa1" },
        { [](Assembler& a) { a.fmv_w_x(fa0, a1); }, "fmv.w.x fa0, a1" },
        { [](Assembler& a) { a.flw(fa0, sp, 12); }, "flw fa0, 12(sp)" },
        { [](Assembler& a) { a.fsw(fa0, a1, -4); }, "fsw fa0, -4(a1)" },
    });
}

TEST(RV64DTest, Encodings)
{
    check_cases({
        { [](Assembler& a) { a.fadd_d(ft0, ft1, ft2); }, "fadd.d ft0, ft1, ft2, dyn" },
        { [](Assembler& a) { a.fsub_d(fs0, fs1, fs2); }, "fsub.d fs0, fs1, fs2, dyn" },
        { [](Assembler& a) { a.fmul_d(fa0, fa1, fa2); }, "fmul.d fa0, fa1, fa2, dyn" },
        { [](Assembler& a) { a.fdiv_d(fa0, fa1, fa2); }, "fdiv.d fa0, fa1, fa2, dyn" },
        { [](Assembler& a) { a.fsqrt_d(fa0, fa1); }, "fsqrt.d fa0, fa1, dyn" },
        { [](Assembler& a) { a.fsgnj_d(fa0, fa1, fa2); }, "fsgnj.d fa0, fa1, fa2" },
        { [](Assembler& a) { a.fneg_d(fa0, fa1); }, "fsgnjn.d fa0, fa1, fa1" },
        { [](Assembler& a) { a.fabs_d(fa0, fa1); }, "fsgnjx.d fa0, fa1, fa1" },
        { [](Assembler& a) { a.fmin_d(fa0, fa1, fa2); }, "fmin.d fa0, fa1, fa2" },
        { [](Assembler& a) { a.fmax_d(fa0, fa1, fa2); }, "fmax.d fa0, fa1, fa2" },
        { [](Assembler& a) { a.fmadd_d(fa0, fa1, fa2, fa3, RoundingMode::Rne); }, "fmadd.d fa0, fa1, fa2, fa3, rne" },
        { [](Assembler& a) { a.fmsub_d(fa0, fa1, fa2, fa3); }, "fmsub.d fa0, fa1, fa2, fa3, dyn" },
        { [](Assembler& a) { a.fnmsub_d(fa0, fa1, fa2, fa3); }, "fnmsub.d fa0, fa1, fa2, fa3, dyn" },
        { [](Assembler& a) { a.fnmadd_d(ft11, ft10, ft9, ft8); }, "fnmadd.d ft11, ft10, ft9, ft8, dyn" },
        { [](Assembler& a) { a.feq_d(a0, fa1, fa2); }, "feq.d a0, fa1, fa2" },
        { [](Assembler& a) { a.flt_d(a0, fa1, fa2); }, "flt.d a0, fa1, fa2" },
        { [](Assembler& a) { a.fle_d(a0, fa1, fa2); }, "fle.d a0, fa1, fa2" },
        { [](Assembler& a) { a.fclass_d(a0, fa1); }, "fclass.d a0, fa1" },
        { [](Assembler& a) { a.fcvt_w_d(a0, fa1, RoundingMode::Rtz); }, "fcvt.w.d a0, fa1, rtz" },
        { [](Assembler& a) { a.fcvt_wu_d(a0, fa1, RoundingMode::Rtz); }, "fcvt.wu.d a0, fa1, rtz" },
        { [](Assembler& a) { a.fcvt_l_d(a0, fa1, RoundingMode::Rtz); }, "fcvt.l.d a0, fa1, rtz" },
        { [](Assembler& a) { a.fcvt_lu_d(a0, fa1, RoundingMode::Rtz); }, "fcvt.lu.d a0, fa1, rtz" },
        { [](Assembler& a) { a.fcvt_d_w(fa0, a1); }, "fcvt.d.w fa0, a1" },
        { [](Assembler& a) { a.fcvt_d_wu(fa0, a1); }, "fcvt.d.wu fa0, a1" },
        { [](Assembler& a) { a.fcvt_d_l(fa0, a1); }, "fcvt.d.l fa0, a1, dyn" },
        { [](Assembler& a) { a.fcvt_d_lu(fa0, a1); }, "fcvt.d.lu fa0, a1, dyn" },
        { [](Assembler& a) { a.fcvt_s_d(fa0, fa1); }, "fcvt.s.d fa0, fa1, dyn" },
        { [](Assembler& a) { a.fcvt_d_s(fa0, fa1); }, "fcvt.d.s fa0, fa1" },
        { [](Assembler& a) { a.fmv_x_d(a0, fa1); }, "fmv.x.d a0, fa1" },
        { [](Assembler& a) { a.fmv_d_x(fa0, a1); }, "fmv.d.x fa0, a1" },
        { [](Assembler& a) { a.fld(fa0, a1, 2040); }, "fld fa0, 2040(a1)" },
        { [](Assembler& a) { a.fsd(fa0, a1, -8); }, "fsd fa0, -8(a1)" },
    });
}
