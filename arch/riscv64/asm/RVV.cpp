// V: the vector extension, RISC-V "V" Vector Extension 1.0:
//   §6    configuration-setting instructions (vsetvli/vsetivli/vsetvl),
//         vtype layout in §3.4;
//   §7    loads and stores: §7.3 formats (LOAD-FP/STORE-FP, nf|mew|mop|vm|
//         lumop/rs2/vs2|rs1|width|vd), §7.4 unit-stride (incl. vlm/vsm),
//         §7.5 strided, §7.6 indexed, §7.7 fault-only-first, §7.9 whole
//         register;
//   §10.1 arithmetic formats (OPIVV..OPMVX in funct3), §10.2 widening,
//   §11-§16 integer, fixed-point, floating-point, reductions, masks,
//   §16 permutations; funct6 values from the listing in §19 (VectorOps.h).

#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/Encoding.h>
#include <base/Bits.h>

namespace k23::riscv64 {

using namespace encoding;

void Assembler::emit_opv(u32 funct6, u32 category, VMask vm, u32 vd, u32 vs2, u32 vs1) noexcept
{
    if (!require(Extension::V))
        return;
    emit32(OpV | (vd << 7) | (category << 12) | (vs1 << 15) | (vs2 << 20) | (u32(vm) << 25) | (funct6 << 26));
}

void Assembler::emit_opvi(u32 funct6, VMask vm, u32 vd, u32 vs2, i32 imm, bool is_signed) noexcept
{
    bool ok = is_signed ? fits_signed(imm, 5) : (imm >= 0 && imm < 32);
    if (!check_immediate(ok, "vector 5-bit immediate"))
        return;
    emit_opv(funct6, OPIVI, vm, vd, vs2, u32(imm) & 0x1f);
}

// §6.1: vsetvli has bit 31 = 0 and vtypei in 30:20; vsetivli has 31:30 = 11,
// vtypei in 29:20 and the AVL as uimm5 in rs1; vsetvl has 31:25 = 1000000.
void Assembler::vsetvli(GpReg rd, GpReg rs1, VType vtype) noexcept
{
    if (!require(Extension::V))
        return;
    emit32(OpV | (rd.id() << 7) | (OPCFG << 12) | (rs1.id() << 15) | (vtype.encode() << 20));
}

void Assembler::vsetivli(GpReg rd, u32 avl, VType vtype) noexcept
{
    if (!require(Extension::V) || !check_immediate(avl < 32, "vsetivli AVL"))
        return;
    emit32(OpV | (rd.id() << 7) | (OPCFG << 12) | (avl << 15) | (vtype.encode() << 20) | (0b11u << 30));
}

void Assembler::vsetvl(GpReg rd, GpReg rs1, GpReg rs2) noexcept
{
    if (!require(Extension::V))
        return;
    emit32(OpV | (rd.id() << 7) | (OPCFG << 12) | (rs1.id() << 15) | (rs2.id() << 20) | (0b1000000u << 25));
}

namespace {

// §7.3 table: width field for EEW 8/16/32/64.
constexpr u32 width_for(Sew eew) noexcept
{
    switch (eew) {
    case Sew::E8:
        return 0b000;
    case Sew::E16:
        return 0b101;
    case Sew::E32:
        return 0b110;
    case Sew::E64:
        return 0b111;
    }
    return 0;
}

constexpr u32 mop_unit = 0b00;
constexpr u32 mop_indexed_unordered = 0b01;
constexpr u32 mop_strided = 0b10;
constexpr u32 mop_indexed_ordered = 0b11;
constexpr u32 lumop_unit = 0b00000;
constexpr u32 lumop_whole = 0b01000;
constexpr u32 lumop_mask = 0b01011;
constexpr u32 lumop_fault_first = 0b10000;

} // namespace

void Assembler::emit_vmem(bool store, u32 nf, u32 mop, VMask vm, u32 field24_20, GpReg rs1, Sew eew, u32 vd) noexcept
{
    if (!require(Extension::V))
        return;
    u32 opcode = store ? StoreFp : LoadFp;
    emit32(opcode | (vd << 7) | (width_for(eew) << 12) | (rs1.id() << 15) | (field24_20 << 20) | (u32(vm) << 25) | (mop << 26) | (nf << 29));
}

void Assembler::vle(Sew eew, VecReg vd, GpReg rs1, VMask vm) noexcept { emit_vmem(false, 0, mop_unit, vm, lumop_unit, rs1, eew, vd.id()); }
void Assembler::vleff(Sew eew, VecReg vd, GpReg rs1, VMask vm) noexcept { emit_vmem(false, 0, mop_unit, vm, lumop_fault_first, rs1, eew, vd.id()); }
void Assembler::vse(Sew eew, VecReg vs3, GpReg rs1, VMask vm) noexcept { emit_vmem(true, 0, mop_unit, vm, lumop_unit, rs1, eew, vs3.id()); }
void Assembler::vlse(Sew eew, VecReg vd, GpReg rs1, GpReg rs2, VMask vm) noexcept { emit_vmem(false, 0, mop_strided, vm, rs2.id(), rs1, eew, vd.id()); }
void Assembler::vsse(Sew eew, VecReg vs3, GpReg rs1, GpReg rs2, VMask vm) noexcept { emit_vmem(true, 0, mop_strided, vm, rs2.id(), rs1, eew, vs3.id()); }
void Assembler::vluxei(Sew eew, VecReg vd, GpReg rs1, VecReg vs2, VMask vm) noexcept { emit_vmem(false, 0, mop_indexed_unordered, vm, vs2.id(), rs1, eew, vd.id()); }
void Assembler::vloxei(Sew eew, VecReg vd, GpReg rs1, VecReg vs2, VMask vm) noexcept { emit_vmem(false, 0, mop_indexed_ordered, vm, vs2.id(), rs1, eew, vd.id()); }
void Assembler::vsuxei(Sew eew, VecReg vs3, GpReg rs1, VecReg vs2, VMask vm) noexcept { emit_vmem(true, 0, mop_indexed_unordered, vm, vs2.id(), rs1, eew, vs3.id()); }
void Assembler::vsoxei(Sew eew, VecReg vs3, GpReg rs1, VecReg vs2, VMask vm) noexcept { emit_vmem(true, 0, mop_indexed_ordered, vm, vs2.id(), rs1, eew, vs3.id()); }
void Assembler::vlm(VecReg vd, GpReg rs1) noexcept { emit_vmem(false, 0, mop_unit, VMask::Unmasked, lumop_mask, rs1, Sew::E8, vd.id()); }
void Assembler::vsm(VecReg vs3, GpReg rs1) noexcept { emit_vmem(true, 0, mop_unit, VMask::Unmasked, lumop_mask, rs1, Sew::E8, vs3.id()); }

static constexpr bool is_valid_register_group(u32 nregs, u32 base) noexcept
{
    return (nregs == 1 || nregs == 2 || nregs == 4 || nregs == 8) && base % nregs == 0;
}

// §7.9: nf = NFIELDS - 1 encodes the register count.
void Assembler::vlr(u32 nregs, Sew eew, VecReg vd, GpReg rs1) noexcept
{
    if (!check_immediate(is_valid_register_group(nregs, vd.id()), "whole-register count"))
        return;
    emit_vmem(false, nregs - 1, mop_unit, VMask::Unmasked, lumop_whole, rs1, eew, vd.id());
}

void Assembler::vsr(u32 nregs, VecReg vs3, GpReg rs1) noexcept
{
    if (!check_immediate(is_valid_register_group(nregs, vs3.id()), "whole-register count"))
        return;
    emit_vmem(true, nregs - 1, mop_unit, VMask::Unmasked, lumop_whole, rs1, Sew::E8, vs3.id());
}

// §16.6: vmv<nr>r.v is funct6 100111 OPIVI with simm5 = nr - 1.
void Assembler::vmvr(u32 nregs, VecReg vd, VecReg vs2) noexcept
{
    if (!check_immediate(is_valid_register_group(nregs, vd.id()) && is_valid_register_group(nregs, vs2.id()), "whole-register count"))
        return;
    emit_opv(0b100111, OPIVI, VMask::Unmasked, vd.id(), vs2.id(), nregs - 1);
}

#define K23_DEFINE_VV(name, funct6, category) \
    void Assembler::name(VecReg vd, VecReg vs2, VecReg vs1, VMask vm) noexcept { emit_opv(funct6, category, vm, vd.id(), vs2.id(), vs1.id()); }
#define K23_DEFINE_VX(name, funct6, category) \
    void Assembler::name(VecReg vd, VecReg vs2, GpReg rs1, VMask vm) noexcept { emit_opv(funct6, category, vm, vd.id(), vs2.id(), rs1.id()); }
#define K23_DEFINE_VF(name, funct6, category) \
    void Assembler::name(VecReg vd, VecReg vs2, FpReg rs1, VMask vm) noexcept { emit_opv(funct6, category, vm, vd.id(), vs2.id(), rs1.id()); }
#define K23_DEFINE_VI(name, funct6, is_signed) \
    void Assembler::name(VecReg vd, VecReg vs2, i32 imm, VMask vm) noexcept { emit_opvi(funct6, vm, vd.id(), vs2.id(), imm, is_signed); }
#define K23_DEFINE_ACC_VV(name, funct6, category) \
    void Assembler::name(VecReg vd, VecReg vs1, VecReg vs2, VMask vm) noexcept { emit_opv(funct6, category, vm, vd.id(), vs2.id(), vs1.id()); }
#define K23_DEFINE_ACC_VX(name, funct6, category) \
    void Assembler::name(VecReg vd, GpReg rs1, VecReg vs2, VMask vm) noexcept { emit_opv(funct6, category, vm, vd.id(), vs2.id(), rs1.id()); }
#define K23_DEFINE_ACC_VF(name, funct6, category) \
    void Assembler::name(VecReg vd, FpReg rs1, VecReg vs2, VMask vm) noexcept { emit_opv(funct6, category, vm, vd.id(), vs2.id(), rs1.id()); }
#define K23_DEFINE_UNARY(name, funct6, category, vs1) \
    void Assembler::name(VecReg vd, VecReg vs2, VMask vm) noexcept { emit_opv(funct6, category, vm, vd.id(), vs2.id(), vs1); }
#define K23_DEFINE_MM(name, funct6, category) \
    void Assembler::name(VecReg vd, VecReg vs2, VecReg vs1) noexcept { emit_opv(funct6, category, VMask::Unmasked, vd.id(), vs2.id(), vs1.id()); }
#define K23_DEFINE_VVM(name, funct6, category) \
    void Assembler::name(VecReg vd, VecReg vs2, VecReg vs1) noexcept { emit_opv(funct6, category, VMask::V0, vd.id(), vs2.id(), vs1.id()); }
#define K23_DEFINE_VXM(name, funct6, category) \
    void Assembler::name(VecReg vd, VecReg vs2, GpReg rs1) noexcept { emit_opv(funct6, category, VMask::V0, vd.id(), vs2.id(), rs1.id()); }
#define K23_DEFINE_VIM(name, funct6, is_signed) \
    void Assembler::name(VecReg vd, VecReg vs2, i32 imm) noexcept { emit_opvi(funct6, VMask::V0, vd.id(), vs2.id(), imm, is_signed); }
K23_RVV_VV(K23_DEFINE_VV)
K23_RVV_VX(K23_DEFINE_VX)
K23_RVV_VF(K23_DEFINE_VF)
K23_RVV_VI(K23_DEFINE_VI)
K23_RVV_ACC_VV(K23_DEFINE_ACC_VV)
K23_RVV_ACC_VX(K23_DEFINE_ACC_VX)
K23_RVV_ACC_VF(K23_DEFINE_ACC_VF)
K23_RVV_UNARY(K23_DEFINE_UNARY)
K23_RVV_MM(K23_DEFINE_MM)
K23_RVV_VVM(K23_DEFINE_VVM)
K23_RVV_VXM(K23_DEFINE_VXM)
K23_RVV_VIM(K23_DEFINE_VIM)

// §16.5 vfmerge.vfm / vfmv.v.f, §11.16 vmv.v.*, §16.1-§16.2 scalar moves.
void Assembler::vfmerge_vfm(VecReg vd, VecReg vs2, FpReg rs1) noexcept { emit_opv(0b010111, OPFVF, VMask::V0, vd.id(), vs2.id(), rs1.id()); }
void Assembler::vmv_v_v(VecReg vd, VecReg vs1) noexcept { emit_opv(0b010111, OPIVV, VMask::Unmasked, vd.id(), 0, vs1.id()); }
void Assembler::vmv_v_x(VecReg vd, GpReg rs1) noexcept { emit_opv(0b010111, OPIVX, VMask::Unmasked, vd.id(), 0, rs1.id()); }
void Assembler::vmv_v_i(VecReg vd, i32 imm) noexcept { emit_opvi(0b010111, VMask::Unmasked, vd.id(), 0, imm, true); }
void Assembler::vfmv_v_f(VecReg vd, FpReg rs1) noexcept { emit_opv(0b010111, OPFVF, VMask::Unmasked, vd.id(), 0, rs1.id()); }
void Assembler::vmv_x_s(GpReg rd, VecReg vs2) noexcept { emit_opv(0b010000, OPMVV, VMask::Unmasked, rd.id(), vs2.id(), 0); }
void Assembler::vmv_s_x(VecReg vd, GpReg rs1) noexcept { emit_opv(0b010000, OPMVX, VMask::Unmasked, vd.id(), 0, rs1.id()); }
void Assembler::vfmv_f_s(FpReg rd, VecReg vs2) noexcept { emit_opv(0b010000, OPFVV, VMask::Unmasked, rd.id(), vs2.id(), 0); }
void Assembler::vfmv_s_f(VecReg vd, FpReg rs1) noexcept { emit_opv(0b010000, OPFVF, VMask::Unmasked, vd.id(), 0, rs1.id()); }
// §15.2-§15.3, §15.9: vcpop.m, vfirst.m, vid.v.
void Assembler::vcpop_m(GpReg rd, VecReg vs2, VMask vm) noexcept { emit_opv(0b010000, OPMVV, vm, rd.id(), vs2.id(), 0b10000); }
void Assembler::vfirst_m(GpReg rd, VecReg vs2, VMask vm) noexcept { emit_opv(0b010000, OPMVV, vm, rd.id(), vs2.id(), 0b10001); }
void Assembler::vid_v(VecReg vd, VMask vm) noexcept { emit_opv(0b010100, OPMVV, vm, vd.id(), 0, 0b10001); }

} // namespace k23::riscv64
