#pragma once

// Tables of the V 1.0 arithmetic instructions, grouped by operand shape, as
// X-macros: Assembler.h declares one method per entry and RVV.cpp defines
// them, so a name and its encoding are written once.
//
// Encodings: RISC-V "V" Vector Extension 1.0, §10.1 (OPIVV/OPFVV/OPMVV/
// OPIVI/OPIVX/OPFVF/OPMVX formats) and §19 "Vector Instruction Listing"
// (funct6 tables). Entry: X(method, funct6, funct3-category).

// (vd, vs2, vs1, vm): .vv, .wv and reductions .vs
#define K23_RVV_VV(X)                 \
    X(vadd_vv, 0b000000, OPIVV)       \
    X(vsub_vv, 0b000010, OPIVV)       \
    X(vminu_vv, 0b000100, OPIVV)      \
    X(vmin_vv, 0b000101, OPIVV)       \
    X(vmaxu_vv, 0b000110, OPIVV)      \
    X(vmax_vv, 0b000111, OPIVV)       \
    X(vand_vv, 0b001001, OPIVV)       \
    X(vor_vv, 0b001010, OPIVV)        \
    X(vxor_vv, 0b001011, OPIVV)       \
    X(vrgather_vv, 0b001100, OPIVV)   \
    X(vrgatherei16_vv, 0b001110, OPIVV) \
    X(vmseq_vv, 0b011000, OPIVV)      \
    X(vmsne_vv, 0b011001, OPIVV)      \
    X(vmsltu_vv, 0b011010, OPIVV)     \
    X(vmslt_vv, 0b011011, OPIVV)      \
    X(vmsleu_vv, 0b011100, OPIVV)     \
    X(vmsle_vv, 0b011101, OPIVV)      \
    X(vsaddu_vv, 0b100000, OPIVV)     \
    X(vsadd_vv, 0b100001, OPIVV)      \
    X(vssubu_vv, 0b100010, OPIVV)     \
    X(vssub_vv, 0b100011, OPIVV)      \
    X(vsll_vv, 0b100101, OPIVV)       \
    X(vsmul_vv, 0b100111, OPIVV)      \
    X(vsrl_vv, 0b101000, OPIVV)       \
    X(vsra_vv, 0b101001, OPIVV)       \
    X(vssrl_vv, 0b101010, OPIVV)      \
    X(vssra_vv, 0b101011, OPIVV)      \
    X(vnsrl_wv, 0b101100, OPIVV)      \
    X(vnsra_wv, 0b101101, OPIVV)      \
    X(vnclipu_wv, 0b101110, OPIVV)    \
    X(vnclip_wv, 0b101111, OPIVV)     \
    X(vwredsumu_vs, 0b110000, OPIVV)  \
    X(vwredsum_vs, 0b110001, OPIVV)   \
    X(vredsum_vs, 0b000000, OPMVV)    \
    X(vredand_vs, 0b000001, OPMVV)    \
    X(vredor_vs, 0b000010, OPMVV)     \
    X(vredxor_vs, 0b000011, OPMVV)    \
    X(vredminu_vs, 0b000100, OPMVV)   \
    X(vredmin_vs, 0b000101, OPMVV)    \
    X(vredmaxu_vs, 0b000110, OPMVV)   \
    X(vredmax_vs, 0b000111, OPMVV)    \
    X(vaaddu_vv, 0b001000, OPMVV)     \
    X(vaadd_vv, 0b001001, OPMVV)      \
    X(vasubu_vv, 0b001010, OPMVV)     \
    X(vasub_vv, 0b001011, OPMVV)      \
    X(vdivu_vv, 0b100000, OPMVV)      \
    X(vdiv_vv, 0b100001, OPMVV)       \
    X(vremu_vv, 0b100010, OPMVV)      \
    X(vrem_vv, 0b100011, OPMVV)       \
    X(vmulhu_vv, 0b100100, OPMVV)     \
    X(vmul_vv, 0b100101, OPMVV)       \
    X(vmulhsu_vv, 0b100110, OPMVV)    \
    X(vmulh_vv, 0b100111, OPMVV)      \
    X(vwaddu_vv, 0b110000, OPMVV)     \
    X(vwadd_vv, 0b110001, OPMVV)      \
    X(vwsubu_vv, 0b110010, OPMVV)     \
    X(vwsub_vv, 0b110011, OPMVV)      \
    X(vwaddu_wv, 0b110100, OPMVV)     \
    X(vwadd_wv, 0b110101, OPMVV)      \
    X(vwsubu_wv, 0b110110, OPMVV)     \
    X(vwsub_wv, 0b110111, OPMVV)      \
    X(vwmulu_vv, 0b111000, OPMVV)     \
    X(vwmulsu_vv, 0b111010, OPMVV)    \
    X(vwmul_vv, 0b111011, OPMVV)      \
    X(vfadd_vv, 0b000000, OPFVV)      \
    X(vfredusum_vs, 0b000001, OPFVV)  \
    X(vfsub_vv, 0b000010, OPFVV)      \
    X(vfredosum_vs, 0b000011, OPFVV)  \
    X(vfmin_vv, 0b000100, OPFVV)      \
    X(vfredmin_vs, 0b000101, OPFVV)   \
    X(vfmax_vv, 0b000110, OPFVV)      \
    X(vfredmax_vs, 0b000111, OPFVV)   \
    X(vfsgnj_vv, 0b001000, OPFVV)     \
    X(vfsgnjn_vv, 0b001001, OPFVV)    \
    X(vfsgnjx_vv, 0b001010, OPFVV)    \
    X(vmfeq_vv, 0b011000, OPFVV)      \
    X(vmfle_vv, 0b011001, OPFVV)      \
    X(vmflt_vv, 0b011011, OPFVV)      \
    X(vmfne_vv, 0b011100, OPFVV)      \
    X(vfdiv_vv, 0b100000, OPFVV)      \
    X(vfmul_vv, 0b100100, OPFVV)      \
    X(vfwadd_vv, 0b110000, OPFVV)     \
    X(vfwredusum_vs, 0b110001, OPFVV) \
    X(vfwsub_vv, 0b110010, OPFVV)     \
    X(vfwredosum_vs, 0b110011, OPFVV) \
    X(vfwadd_wv, 0b110100, OPFVV)     \
    X(vfwsub_wv, 0b110110, OPFVV)     \
    X(vfwmul_vv, 0b111000, OPFVV)

// (vd, vs2, rs1, vm): .vx, .wx
#define K23_RVV_VX(X)                \
    X(vadd_vx, 0b000000, OPIVX)      \
    X(vsub_vx, 0b000010, OPIVX)      \
    X(vrsub_vx, 0b000011, OPIVX)     \
    X(vminu_vx, 0b000100, OPIVX)     \
    X(vmin_vx, 0b000101, OPIVX)      \
    X(vmaxu_vx, 0b000110, OPIVX)     \
    X(vmax_vx, 0b000111, OPIVX)      \
    X(vand_vx, 0b001001, OPIVX)      \
    X(vor_vx, 0b001010, OPIVX)       \
    X(vxor_vx, 0b001011, OPIVX)      \
    X(vrgather_vx, 0b001100, OPIVX)  \
    X(vslideup_vx, 0b001110, OPIVX)  \
    X(vslidedown_vx, 0b001111, OPIVX) \
    X(vmseq_vx, 0b011000, OPIVX)     \
    X(vmsne_vx, 0b011001, OPIVX)     \
    X(vmsltu_vx, 0b011010, OPIVX)    \
    X(vmslt_vx, 0b011011, OPIVX)     \
    X(vmsleu_vx, 0b011100, OPIVX)    \
    X(vmsle_vx, 0b011101, OPIVX)     \
    X(vmsgtu_vx, 0b011110, OPIVX)    \
    X(vmsgt_vx, 0b011111, OPIVX)     \
    X(vsaddu_vx, 0b100000, OPIVX)    \
    X(vsadd_vx, 0b100001, OPIVX)     \
    X(vssubu_vx, 0b100010, OPIVX)    \
    X(vssub_vx, 0b100011, OPIVX)     \
    X(vsll_vx, 0b100101, OPIVX)      \
    X(vsmul_vx, 0b100111, OPIVX)     \
    X(vsrl_vx, 0b101000, OPIVX)      \
    X(vsra_vx, 0b101001, OPIVX)      \
    X(vssrl_vx, 0b101010, OPIVX)     \
    X(vssra_vx, 0b101011, OPIVX)     \
    X(vnsrl_wx, 0b101100, OPIVX)     \
    X(vnsra_wx, 0b101101, OPIVX)     \
    X(vnclipu_wx, 0b101110, OPIVX)   \
    X(vnclip_wx, 0b101111, OPIVX)    \
    X(vaaddu_vx, 0b001000, OPMVX)    \
    X(vaadd_vx, 0b001001, OPMVX)     \
    X(vasubu_vx, 0b001010, OPMVX)    \
    X(vasub_vx, 0b001011, OPMVX)     \
    X(vslide1up_vx, 0b001110, OPMVX) \
    X(vslide1down_vx, 0b001111, OPMVX) \
    X(vdivu_vx, 0b100000, OPMVX)     \
    X(vdiv_vx, 0b100001, OPMVX)      \
    X(vremu_vx, 0b100010, OPMVX)     \
    X(vrem_vx, 0b100011, OPMVX)      \
    X(vmulhu_vx, 0b100100, OPMVX)    \
    X(vmul_vx, 0b100101, OPMVX)      \
    X(vmulhsu_vx, 0b100110, OPMVX)   \
    X(vmulh_vx, 0b100111, OPMVX)     \
    X(vwaddu_vx, 0b110000, OPMVX)    \
    X(vwadd_vx, 0b110001, OPMVX)     \
    X(vwsubu_vx, 0b110010, OPMVX)    \
    X(vwsub_vx, 0b110011, OPMVX)     \
    X(vwaddu_wx, 0b110100, OPMVX)    \
    X(vwadd_wx, 0b110101, OPMVX)     \
    X(vwsubu_wx, 0b110110, OPMVX)    \
    X(vwsub_wx, 0b110111, OPMVX)     \
    X(vwmulu_vx, 0b111000, OPMVX)    \
    X(vwmulsu_vx, 0b111010, OPMVX)   \
    X(vwmul_vx, 0b111011, OPMVX)

// (vd, vs2, fs1, vm): .vf, .wf
#define K23_RVV_VF(X)                  \
    X(vfadd_vf, 0b000000, OPFVF)       \
    X(vfsub_vf, 0b000010, OPFVF)       \
    X(vfmin_vf, 0b000100, OPFVF)       \
    X(vfmax_vf, 0b000110, OPFVF)       \
    X(vfsgnj_vf, 0b001000, OPFVF)      \
    X(vfsgnjn_vf, 0b001001, OPFVF)     \
    X(vfsgnjx_vf, 0b001010, OPFVF)     \
    X(vfslide1up_vf, 0b001110, OPFVF)  \
    X(vfslide1down_vf, 0b001111, OPFVF) \
    X(vmfeq_vf, 0b011000, OPFVF)       \
    X(vmfle_vf, 0b011001, OPFVF)       \
    X(vmflt_vf, 0b011011, OPFVF)       \
    X(vmfne_vf, 0b011100, OPFVF)       \
    X(vmfgt_vf, 0b011101, OPFVF)       \
    X(vmfge_vf, 0b011111, OPFVF)       \
    X(vfdiv_vf, 0b100000, OPFVF)       \
    X(vfrdiv_vf, 0b100001, OPFVF)      \
    X(vfmul_vf, 0b100100, OPFVF)       \
    X(vfrsub_vf, 0b100111, OPFVF)      \
    X(vfwadd_vf, 0b110000, OPFVF)      \
    X(vfwsub_vf, 0b110010, OPFVF)      \
    X(vfwadd_wf, 0b110100, OPFVF)      \
    X(vfwsub_wf, 0b110110, OPFVF)      \
    X(vfwmul_vf, 0b111000, OPFVF)

// (vd, vs2, imm, vm): .vi, .wi. Third field: immediate is simm5 (true) or uimm5.
#define K23_RVV_VI(X)                 \
    X(vadd_vi, 0b000000, true)        \
    X(vrsub_vi, 0b000011, true)       \
    X(vand_vi, 0b001001, true)        \
    X(vor_vi, 0b001010, true)         \
    X(vxor_vi, 0b001011, true)        \
    X(vrgather_vi, 0b001100, false)   \
    X(vslideup_vi, 0b001110, false)   \
    X(vslidedown_vi, 0b001111, false) \
    X(vmseq_vi, 0b011000, true)       \
    X(vmsne_vi, 0b011001, true)       \
    X(vmsleu_vi, 0b011100, true)      \
    X(vmsle_vi, 0b011101, true)       \
    X(vmsgtu_vi, 0b011110, true)      \
    X(vmsgt_vi, 0b011111, true)       \
    X(vsaddu_vi, 0b100000, true)      \
    X(vsadd_vi, 0b100001, true)       \
    X(vsll_vi, 0b100101, false)       \
    X(vsrl_vi, 0b101000, false)       \
    X(vsra_vi, 0b101001, false)       \
    X(vssrl_vi, 0b101010, false)      \
    X(vssra_vi, 0b101011, false)      \
    X(vnsrl_wi, 0b101100, false)      \
    X(vnsra_wi, 0b101101, false)      \
    X(vnclipu_wi, 0b101110, false)    \
    X(vnclip_wi, 0b101111, false)

// Multiply-add forms, assembly order (vd, vs1, vs2, vm).
#define K23_RVV_ACC_VV(X)            \
    X(vmadd_vv, 0b101001, OPMVV)     \
    X(vnmsub_vv, 0b101011, OPMVV)    \
    X(vmacc_vv, 0b101101, OPMVV)     \
    X(vnmsac_vv, 0b101111, OPMVV)    \
    X(vwmaccu_vv, 0b111100, OPMVV)   \
    X(vwmacc_vv, 0b111101, OPMVV)    \
    X(vwmaccsu_vv, 0b111111, OPMVV)  \
    X(vfmadd_vv, 0b101000, OPFVV)    \
    X(vfnmadd_vv, 0b101001, OPFVV)   \
    X(vfmsub_vv, 0b101010, OPFVV)    \
    X(vfnmsub_vv, 0b101011, OPFVV)   \
    X(vfmacc_vv, 0b101100, OPFVV)    \
    X(vfnmacc_vv, 0b101101, OPFVV)   \
    X(vfmsac_vv, 0b101110, OPFVV)    \
    X(vfnmsac_vv, 0b101111, OPFVV)   \
    X(vfwmacc_vv, 0b111100, OPFVV)   \
    X(vfwnmacc_vv, 0b111101, OPFVV)  \
    X(vfwmsac_vv, 0b111110, OPFVV)   \
    X(vfwnmsac_vv, 0b111111, OPFVV)

// (vd, rs1, vs2, vm)
#define K23_RVV_ACC_VX(X)            \
    X(vmadd_vx, 0b101001, OPMVX)     \
    X(vnmsub_vx, 0b101011, OPMVX)    \
    X(vmacc_vx, 0b101101, OPMVX)     \
    X(vnmsac_vx, 0b101111, OPMVX)    \
    X(vwmaccu_vx, 0b111100, OPMVX)   \
    X(vwmacc_vx, 0b111101, OPMVX)    \
    X(vwmaccus_vx, 0b111110, OPMVX)  \
    X(vwmaccsu_vx, 0b111111, OPMVX)

// (vd, fs1, vs2, vm)
#define K23_RVV_ACC_VF(X)            \
    X(vfmadd_vf, 0b101000, OPFVF)    \
    X(vfnmadd_vf, 0b101001, OPFVF)   \
    X(vfmsub_vf, 0b101010, OPFVF)    \
    X(vfnmsub_vf, 0b101011, OPFVF)   \
    X(vfmacc_vf, 0b101100, OPFVF)    \
    X(vfnmacc_vf, 0b101101, OPFVF)   \
    X(vfmsac_vf, 0b101110, OPFVF)    \
    X(vfnmsac_vf, 0b101111, OPFVF)   \
    X(vfwmacc_vf, 0b111100, OPFVF)   \
    X(vfwnmacc_vf, 0b111101, OPFVF)  \
    X(vfwmsac_vf, 0b111110, OPFVF)   \
    X(vfwnmsac_vf, 0b111111, OPFVF)

// Unary (vd, vs2, vm); the vs1 field selects the operation.
// X(method, funct6, category, vs1)
#define K23_RVV_UNARY(X)                            \
    X(vzext_vf8, 0b010010, OPMVV, 0b00010)          \
    X(vsext_vf8, 0b010010, OPMVV, 0b00011)          \
    X(vzext_vf4, 0b010010, OPMVV, 0b00100)          \
    X(vsext_vf4, 0b010010, OPMVV, 0b00101)          \
    X(vzext_vf2, 0b010010, OPMVV, 0b00110)          \
    X(vsext_vf2, 0b010010, OPMVV, 0b00111)          \
    X(vmsbf_m, 0b010100, OPMVV, 0b00001)            \
    X(vmsof_m, 0b010100, OPMVV, 0b00010)            \
    X(vmsif_m, 0b010100, OPMVV, 0b00011)            \
    X(viota_m, 0b010100, OPMVV, 0b10000)            \
    X(vfcvt_xu_f_v, 0b010010, OPFVV, 0b00000)       \
    X(vfcvt_x_f_v, 0b010010, OPFVV, 0b00001)        \
    X(vfcvt_f_xu_v, 0b010010, OPFVV, 0b00010)       \
    X(vfcvt_f_x_v, 0b010010, OPFVV, 0b00011)        \
    X(vfcvt_rtz_xu_f_v, 0b010010, OPFVV, 0b00110)   \
    X(vfcvt_rtz_x_f_v, 0b010010, OPFVV, 0b00111)    \
    X(vfwcvt_xu_f_v, 0b010010, OPFVV, 0b01000)      \
    X(vfwcvt_x_f_v, 0b010010, OPFVV, 0b01001)       \
    X(vfwcvt_f_xu_v, 0b010010, OPFVV, 0b01010)      \
    X(vfwcvt_f_x_v, 0b010010, OPFVV, 0b01011)       \
    X(vfwcvt_f_f_v, 0b010010, OPFVV, 0b01100)       \
    X(vfwcvt_rtz_xu_f_v, 0b010010, OPFVV, 0b01110)  \
    X(vfwcvt_rtz_x_f_v, 0b010010, OPFVV, 0b01111)   \
    X(vfncvt_xu_f_w, 0b010010, OPFVV, 0b10000)      \
    X(vfncvt_x_f_w, 0b010010, OPFVV, 0b10001)       \
    X(vfncvt_f_xu_w, 0b010010, OPFVV, 0b10010)      \
    X(vfncvt_f_x_w, 0b010010, OPFVV, 0b10011)       \
    X(vfncvt_f_f_w, 0b010010, OPFVV, 0b10100)       \
    X(vfncvt_rod_f_f_w, 0b010010, OPFVV, 0b10101)   \
    X(vfncvt_rtz_xu_f_w, 0b010010, OPFVV, 0b10110)  \
    X(vfncvt_rtz_x_f_w, 0b010010, OPFVV, 0b10111)   \
    X(vfsqrt_v, 0b010011, OPFVV, 0b00000)           \
    X(vfrsqrt7_v, 0b010011, OPFVV, 0b00100)         \
    X(vfrec7_v, 0b010011, OPFVV, 0b00101)           \
    X(vfclass_v, 0b010011, OPFVV, 0b10000)

// Unmasked (vd, vs2, vs1): mask-register logical ops and vcompress.
#define K23_RVV_MM(X)                 \
    X(vmandn_mm, 0b011000, OPMVV)     \
    X(vmand_mm, 0b011001, OPMVV)      \
    X(vmor_mm, 0b011010, OPMVV)       \
    X(vmxor_mm, 0b011011, OPMVV)      \
    X(vmorn_mm, 0b011100, OPMVV)      \
    X(vmnand_mm, 0b011101, OPMVV)     \
    X(vmnor_mm, 0b011110, OPMVV)      \
    X(vmxnor_mm, 0b011111, OPMVV)     \
    X(vcompress_vm, 0b010111, OPMVV)

// Always v0-masked carry/merge forms (vm = 0): (vd, vs2, vs1 | rs1 | imm | fs1).
#define K23_RVV_VVM(X)               \
    X(vadc_vvm, 0b010000, OPIVV)     \
    X(vmadc_vvm, 0b010001, OPIVV)    \
    X(vsbc_vvm, 0b010010, OPIVV)     \
    X(vmsbc_vvm, 0b010011, OPIVV)    \
    X(vmerge_vvm, 0b010111, OPIVV)
#define K23_RVV_VXM(X)               \
    X(vadc_vxm, 0b010000, OPIVX)     \
    X(vmadc_vxm, 0b010001, OPIVX)    \
    X(vsbc_vxm, 0b010010, OPIVX)     \
    X(vmsbc_vxm, 0b010011, OPIVX)    \
    X(vmerge_vxm, 0b010111, OPIVX)
#define K23_RVV_VIM(X)               \
    X(vadc_vim, 0b010000, true)      \
    X(vmadc_vim, 0b010001, true)     \
    X(vmerge_vim, 0b010111, true)
