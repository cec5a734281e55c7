#pragma once

// The RV64 assembler, in asmjit's shape:
//
//   CodeHolder code(features);
//   Assembler a(code);
//   Label loop = a.new_label();
//   a.bind(loop);
//   a.addi(a0, a0, -1);
//   a.bnez(a0, loop);
//   a.ret();
//   TRY(code.finalize());
//   TRY(code.copy_to(destination));
//
// Methods are named after the mnemonic with '.' as '_' (fadd_s, vadd_vv,
// amoadd_w); C++ keywords get a trailing '_' (and_, or_, xor_, not_).
// Operands follow assembly order. Encoders live in one file per extension
// (RV64I.cpp, RV64M.cpp, RV64A.cpp, RV64F.cpp, RV64D.cpp, RV64C.cpp,
// Zba.cpp, Zbb.cpp, Zbs.cpp, Zicond.cpp, RVV.cpp).
//
// Extension gating: an instruction whose extension is not in the
// CodeHolder's CpuFeatures is not emitted; it records an Unsupported error
// (sticky, returned by finalize()). Compilers must query features() and fall
// back before emitting; the error is the safety net, never a crash.
//
// Compression: when C is enabled and CodeOptions::compress is set, the base
// encoders emit the 16-bit form whenever one exists for the operands (c.addi,
// c.li, c.mv, c.add, c.ld, c.sd, c.j, c.beqz, ...). The c_* methods emit a
// specific compressed instruction directly.
//
// Immediates out of range record an OutOfRange error (no silent truncation).

#include <arch/riscv64/asm/CodeHolder.h>
#include <arch/riscv64/asm/CpuFeatures.h>
#include <arch/riscv64/asm/Registers.h>
#include <arch/riscv64/asm/VectorOps.h>
#include <base/Integers.h>

namespace k23::riscv64 {

// OP-V funct3 categories, V spec 1.0 §10.1.
enum VCategory : u32 {
    OPIVV = 0b000,
    OPFVV = 0b001,
    OPMVV = 0b010,
    OPIVI = 0b011,
    OPIVX = 0b100,
    OPFVF = 0b101,
    OPMVX = 0b110,
    OPCFG = 0b111,
};

enum class BranchCondition : u8 {
    Eq = 0b000,
    Ne = 0b001,
    Lt = 0b100,
    Ge = 0b101,
    Ltu = 0b110,
    Geu = 0b111,
};

[[nodiscard]] constexpr BranchCondition invert(BranchCondition condition) noexcept
{
    return BranchCondition(u8(condition) ^ 1);
}

class Assembler {
public:
    explicit Assembler(CodeHolder& code) noexcept
        : m_code(code)
    {
    }

    [[nodiscard]] CodeHolder& code() noexcept { return m_code; }
    [[nodiscard]] const CpuFeatures& features() const noexcept { return m_code.features(); }
    [[nodiscard]] bool has(Extension extension) const noexcept { return m_code.features().has(extension); }
    [[nodiscard]] u32 offset() const noexcept { return m_code.offset(); }
    [[nodiscard]] bool has_error() const noexcept { return m_code.has_error(); }

    [[nodiscard]] Label new_label() noexcept { return m_code.new_label(); }
    // Binding a label ends the straight line the last instruction was in.
    void bind(Label label) noexcept
    {
        m_code.bind(label);
        m_last_at = no_instruction;
    }

    // Raw data in .text (jump tables, markers); aligned with nops.
    void emit_word(u32 word) noexcept;
    void align(u32 alignment) noexcept;

    // ---- Pseudo-instructions and sequences (Assembler.cpp) ----
    // Loads any 64-bit constant: the shortest lui/addi(w)/slli sequence of up
    // to four instructions, else auipc+ld from the literal pool.
    void load_constant(GpReg rd, u64 value) noexcept;
    void li(GpReg rd, i64 value) noexcept { load_constant(rd, u64(value)); }
    // Loads the 64-bit pattern `bits` into an f register through the pool
    // (auipc scratch + fld), e.g. a double constant; with FpWidth::Single,
    // the low 32 bits with flw (a float constant).
    enum class FpWidth : u8 {
        Single,
        Double,
    };
    void load_fp_constant(FpReg rd, u64 bits, FpWidth width = FpWidth::Double) noexcept;
    // rd = address of label (auipc + addi, position independent).
    void lea(GpReg rd, Label label) noexcept;
    void mv(GpReg rd, GpReg rs) noexcept { addi(rd, rs, 0); }
    void not_(GpReg rd, GpReg rs) noexcept { xori(rd, rs, -1); }
    void neg(GpReg rd, GpReg rs) noexcept { sub(rd, zero, rs); }
    void negw(GpReg rd, GpReg rs) noexcept { subw(rd, zero, rs); }
    void sext_w(GpReg rd, GpReg rs) noexcept { addiw(rd, rs, 0); }
    void seqz(GpReg rd, GpReg rs) noexcept { sltiu(rd, rs, 1); }
    void snez(GpReg rd, GpReg rs) noexcept { sltu(rd, zero, rs); }
    void nop() noexcept { addi(zero, zero, 0); }
    void ret() noexcept { jalr(zero, ra, 0); }
    void jr(GpReg rs) noexcept { jalr(zero, rs, 0); }

    // Branches to labels choose their form by range (CodeHolder.h).
    void branch(BranchCondition condition, GpReg rs1, GpReg rs2, Label label) noexcept;
    void beq(GpReg rs1, GpReg rs2, Label label) noexcept { branch(BranchCondition::Eq, rs1, rs2, label); }
    void bne(GpReg rs1, GpReg rs2, Label label) noexcept { branch(BranchCondition::Ne, rs1, rs2, label); }
    void blt(GpReg rs1, GpReg rs2, Label label) noexcept { branch(BranchCondition::Lt, rs1, rs2, label); }
    void bge(GpReg rs1, GpReg rs2, Label label) noexcept { branch(BranchCondition::Ge, rs1, rs2, label); }
    void bltu(GpReg rs1, GpReg rs2, Label label) noexcept { branch(BranchCondition::Ltu, rs1, rs2, label); }
    void bgeu(GpReg rs1, GpReg rs2, Label label) noexcept { branch(BranchCondition::Geu, rs1, rs2, label); }
    void beqz(GpReg rs, Label label) noexcept { branch(BranchCondition::Eq, rs, zero, label); }
    void bnez(GpReg rs, Label label) noexcept { branch(BranchCondition::Ne, rs, zero, label); }
    // Unconditional jump / call to a label (jal, or auipc+jalr when far).
    void j(Label label) noexcept { jal(zero, label); }
    void jal(GpReg rd, Label label) noexcept;
    void call(Label label) noexcept { jal(ra, label); }

    // ---- RV64I (RV64I.cpp) ----
    void lui(GpReg rd, i32 imm20) noexcept;
    void auipc(GpReg rd, i32 imm20) noexcept;
    void jal(GpReg rd, i32 offset) noexcept;
    void jalr(GpReg rd, GpReg rs1, i32 offset) noexcept;
    void branch(BranchCondition condition, GpReg rs1, GpReg rs2, i32 offset) noexcept;
    void beq(GpReg rs1, GpReg rs2, i32 offset) noexcept { branch(BranchCondition::Eq, rs1, rs2, offset); }
    void bne(GpReg rs1, GpReg rs2, i32 offset) noexcept { branch(BranchCondition::Ne, rs1, rs2, offset); }
    void blt(GpReg rs1, GpReg rs2, i32 offset) noexcept { branch(BranchCondition::Lt, rs1, rs2, offset); }
    void bge(GpReg rs1, GpReg rs2, i32 offset) noexcept { branch(BranchCondition::Ge, rs1, rs2, offset); }
    void bltu(GpReg rs1, GpReg rs2, i32 offset) noexcept { branch(BranchCondition::Ltu, rs1, rs2, offset); }
    void bgeu(GpReg rs1, GpReg rs2, i32 offset) noexcept { branch(BranchCondition::Geu, rs1, rs2, offset); }
    void lb(GpReg rd, GpReg rs1, i32 offset) noexcept;
    void lh(GpReg rd, GpReg rs1, i32 offset) noexcept;
    void lw(GpReg rd, GpReg rs1, i32 offset) noexcept;
    void ld(GpReg rd, GpReg rs1, i32 offset) noexcept;
    void lbu(GpReg rd, GpReg rs1, i32 offset) noexcept;
    void lhu(GpReg rd, GpReg rs1, i32 offset) noexcept;
    void lwu(GpReg rd, GpReg rs1, i32 offset) noexcept;
    void sb(GpReg rs2, GpReg rs1, i32 offset) noexcept;
    void sh(GpReg rs2, GpReg rs1, i32 offset) noexcept;
    void sw(GpReg rs2, GpReg rs1, i32 offset) noexcept;
    void sd(GpReg rs2, GpReg rs1, i32 offset) noexcept;
    void addi(GpReg rd, GpReg rs1, i32 imm) noexcept;
    void slti(GpReg rd, GpReg rs1, i32 imm) noexcept;
    void sltiu(GpReg rd, GpReg rs1, i32 imm) noexcept;
    void xori(GpReg rd, GpReg rs1, i32 imm) noexcept;
    void ori(GpReg rd, GpReg rs1, i32 imm) noexcept;
    void andi(GpReg rd, GpReg rs1, i32 imm) noexcept;
    void slli(GpReg rd, GpReg rs1, u32 shamt) noexcept;
    void srli(GpReg rd, GpReg rs1, u32 shamt) noexcept;
    void srai(GpReg rd, GpReg rs1, u32 shamt) noexcept;
    void add(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void sub(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void sll(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void slt(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void sltu(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void xor_(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void srl(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void sra(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void or_(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void and_(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void addiw(GpReg rd, GpReg rs1, i32 imm) noexcept;
    void slliw(GpReg rd, GpReg rs1, u32 shamt) noexcept;
    void srliw(GpReg rd, GpReg rs1, u32 shamt) noexcept;
    void sraiw(GpReg rd, GpReg rs1, u32 shamt) noexcept;
    void addw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void subw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void sllw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void srlw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void sraw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void fence(FenceSet predecessor = FenceSet::IORW, FenceSet successor = FenceSet::IORW) noexcept;
    void fence_tso() noexcept;
    void ecall() noexcept;
    void ebreak() noexcept;
    // Zifencei
    void fence_i() noexcept;
    // Zihintpause
    void pause() noexcept;
    // Zicsr
    void csrrw(GpReg rd, u32 csr, GpReg rs1) noexcept;
    void csrrs(GpReg rd, u32 csr, GpReg rs1) noexcept;
    void csrrc(GpReg rd, u32 csr, GpReg rs1) noexcept;
    void csrrwi(GpReg rd, u32 csr, u32 uimm5) noexcept;
    void csrrsi(GpReg rd, u32 csr, u32 uimm5) noexcept;
    void csrrci(GpReg rd, u32 csr, u32 uimm5) noexcept;
    void csrr(GpReg rd, u32 csr) noexcept { csrrs(rd, csr, zero); }

    // ---- M (RV64M.cpp) ----
    void mul(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void mulh(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void mulhsu(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void mulhu(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void div(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void divu(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void rem(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void remu(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void mulw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void divw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void divuw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void remw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void remuw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;

    // ---- A (RV64A.cpp): rd, rs2, (rs1) ----
#define K23_DECLARE_AMO(name)                                                                        \
    void name##_w(GpReg rd, GpReg rs2, GpReg rs1, MemoryOrder order = MemoryOrder::Relaxed) noexcept; \
    void name##_d(GpReg rd, GpReg rs2, GpReg rs1, MemoryOrder order = MemoryOrder::Relaxed) noexcept;
    K23_DECLARE_AMO(sc)
    K23_DECLARE_AMO(amoswap)
    K23_DECLARE_AMO(amoadd)
    K23_DECLARE_AMO(amoxor)
    K23_DECLARE_AMO(amoand)
    K23_DECLARE_AMO(amoor)
    K23_DECLARE_AMO(amomin)
    K23_DECLARE_AMO(amomax)
    K23_DECLARE_AMO(amominu)
    K23_DECLARE_AMO(amomaxu)
#undef K23_DECLARE_AMO
    void lr_w(GpReg rd, GpReg rs1, MemoryOrder order = MemoryOrder::Relaxed) noexcept;
    void lr_d(GpReg rd, GpReg rs1, MemoryOrder order = MemoryOrder::Relaxed) noexcept;

    // ---- F (RV64F.cpp) and D (RV64D.cpp) ----
#define K23_DECLARE_FP(s)                                                                                        \
    void fadd_##s(FpReg rd, FpReg rs1, FpReg rs2, RoundingMode rm = RoundingMode::Dyn) noexcept;                  \
    void fsub_##s(FpReg rd, FpReg rs1, FpReg rs2, RoundingMode rm = RoundingMode::Dyn) noexcept;                  \
    void fmul_##s(FpReg rd, FpReg rs1, FpReg rs2, RoundingMode rm = RoundingMode::Dyn) noexcept;                  \
    void fdiv_##s(FpReg rd, FpReg rs1, FpReg rs2, RoundingMode rm = RoundingMode::Dyn) noexcept;                  \
    void fsqrt_##s(FpReg rd, FpReg rs1, RoundingMode rm = RoundingMode::Dyn) noexcept;                            \
    void fsgnj_##s(FpReg rd, FpReg rs1, FpReg rs2) noexcept;                                                      \
    void fsgnjn_##s(FpReg rd, FpReg rs1, FpReg rs2) noexcept;                                                     \
    void fsgnjx_##s(FpReg rd, FpReg rs1, FpReg rs2) noexcept;                                                     \
    void fmin_##s(FpReg rd, FpReg rs1, FpReg rs2) noexcept;                                                       \
    void fmax_##s(FpReg rd, FpReg rs1, FpReg rs2) noexcept;                                                       \
    void fmadd_##s(FpReg rd, FpReg rs1, FpReg rs2, FpReg rs3, RoundingMode rm = RoundingMode::Dyn) noexcept;      \
    void fmsub_##s(FpReg rd, FpReg rs1, FpReg rs2, FpReg rs3, RoundingMode rm = RoundingMode::Dyn) noexcept;      \
    void fnmsub_##s(FpReg rd, FpReg rs1, FpReg rs2, FpReg rs3, RoundingMode rm = RoundingMode::Dyn) noexcept;     \
    void fnmadd_##s(FpReg rd, FpReg rs1, FpReg rs2, FpReg rs3, RoundingMode rm = RoundingMode::Dyn) noexcept;     \
    void feq_##s(GpReg rd, FpReg rs1, FpReg rs2) noexcept;                                                        \
    void flt_##s(GpReg rd, FpReg rs1, FpReg rs2) noexcept;                                                        \
    void fle_##s(GpReg rd, FpReg rs1, FpReg rs2) noexcept;                                                        \
    void fclass_##s(GpReg rd, FpReg rs1) noexcept;                                                                \
    void fcvt_w_##s(GpReg rd, FpReg rs1, RoundingMode rm = RoundingMode::Dyn) noexcept;                           \
    void fcvt_wu_##s(GpReg rd, FpReg rs1, RoundingMode rm = RoundingMode::Dyn) noexcept;                          \
    void fcvt_l_##s(GpReg rd, FpReg rs1, RoundingMode rm = RoundingMode::Dyn) noexcept;                           \
    void fcvt_lu_##s(GpReg rd, FpReg rs1, RoundingMode rm = RoundingMode::Dyn) noexcept;                          \
    void fcvt_##s##_w(FpReg rd, GpReg rs1, RoundingMode rm = RoundingMode::Dyn) noexcept;                         \
    void fcvt_##s##_wu(FpReg rd, GpReg rs1, RoundingMode rm = RoundingMode::Dyn) noexcept;                        \
    void fcvt_##s##_l(FpReg rd, GpReg rs1, RoundingMode rm = RoundingMode::Dyn) noexcept;                         \
    void fcvt_##s##_lu(FpReg rd, GpReg rs1, RoundingMode rm = RoundingMode::Dyn) noexcept;                        \
    void fmv_##s(FpReg rd, FpReg rs) noexcept { fsgnj_##s(rd, rs, rs); }                                        \
    void fneg_##s(FpReg rd, FpReg rs) noexcept { fsgnjn_##s(rd, rs, rs); }                                      \
    void fabs_##s(FpReg rd, FpReg rs) noexcept { fsgnjx_##s(rd, rs, rs); }
    K23_DECLARE_FP(s)
    K23_DECLARE_FP(d)
#undef K23_DECLARE_FP
    void flw(FpReg rd, GpReg rs1, i32 offset) noexcept;
    void fsw(FpReg rs2, GpReg rs1, i32 offset) noexcept;
    void fmv_x_w(GpReg rd, FpReg rs1) noexcept;
    void fmv_w_x(FpReg rd, GpReg rs1) noexcept;
    void fld(FpReg rd, GpReg rs1, i32 offset) noexcept;
    void fsd(FpReg rs2, GpReg rs1, i32 offset) noexcept;
    void fmv_x_d(GpReg rd, FpReg rs1) noexcept;
    void fmv_d_x(FpReg rd, GpReg rs1) noexcept;
    void fcvt_s_d(FpReg rd, FpReg rs1, RoundingMode rm = RoundingMode::Dyn) noexcept;
    void fcvt_d_s(FpReg rd, FpReg rs1, RoundingMode rm = RoundingMode::Dyn) noexcept;

    // ---- C (RV64C.cpp): explicit compressed instructions ----
    void c_nop() noexcept;
    void c_addi(GpReg rd, i32 imm) noexcept;
    void c_addiw(GpReg rd, i32 imm) noexcept;
    void c_li(GpReg rd, i32 imm) noexcept;
    void c_lui(GpReg rd, i32 imm6) noexcept;
    void c_addi16sp(i32 imm) noexcept;
    void c_addi4spn(GpReg rd, u32 imm) noexcept;
    void c_slli(GpReg rd, u32 shamt) noexcept;
    void c_srli(GpReg rd, u32 shamt) noexcept;
    void c_srai(GpReg rd, u32 shamt) noexcept;
    void c_andi(GpReg rd, i32 imm) noexcept;
    void c_mv(GpReg rd, GpReg rs2) noexcept;
    void c_add(GpReg rd, GpReg rs2) noexcept;
    void c_sub(GpReg rd, GpReg rs2) noexcept;
    void c_xor(GpReg rd, GpReg rs2) noexcept;
    void c_or(GpReg rd, GpReg rs2) noexcept;
    void c_and(GpReg rd, GpReg rs2) noexcept;
    void c_subw(GpReg rd, GpReg rs2) noexcept;
    void c_addw(GpReg rd, GpReg rs2) noexcept;
    void c_lw(GpReg rd, GpReg rs1, u32 offset) noexcept;
    void c_ld(GpReg rd, GpReg rs1, u32 offset) noexcept;
    void c_sw(GpReg rs2, GpReg rs1, u32 offset) noexcept;
    void c_sd(GpReg rs2, GpReg rs1, u32 offset) noexcept;
    void c_fld(FpReg rd, GpReg rs1, u32 offset) noexcept;
    void c_fsd(FpReg rs2, GpReg rs1, u32 offset) noexcept;
    void c_lwsp(GpReg rd, u32 offset) noexcept;
    void c_ldsp(GpReg rd, u32 offset) noexcept;
    void c_swsp(GpReg rs2, u32 offset) noexcept;
    void c_sdsp(GpReg rs2, u32 offset) noexcept;
    void c_fldsp(FpReg rd, u32 offset) noexcept;
    void c_fsdsp(FpReg rs2, u32 offset) noexcept;
    void c_j(i32 offset) noexcept;
    void c_jr(GpReg rs1) noexcept;
    void c_jalr(GpReg rs1) noexcept;
    void c_beqz(GpReg rs1, i32 offset) noexcept;
    void c_bnez(GpReg rs1, i32 offset) noexcept;
    void c_ebreak() noexcept;

    // ---- Zba (Zba.cpp) ----
    void add_uw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void sh1add(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void sh2add(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void sh3add(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void sh1add_uw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void sh2add_uw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void sh3add_uw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void slli_uw(GpReg rd, GpReg rs1, u32 shamt) noexcept;
    void zext_w(GpReg rd, GpReg rs) noexcept { add_uw(rd, rs, zero); }

    // ---- Zbb (Zbb.cpp) ----
    void andn(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void orn(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void xnor(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void clz(GpReg rd, GpReg rs1) noexcept;
    void clzw(GpReg rd, GpReg rs1) noexcept;
    void ctz(GpReg rd, GpReg rs1) noexcept;
    void ctzw(GpReg rd, GpReg rs1) noexcept;
    void cpop(GpReg rd, GpReg rs1) noexcept;
    void cpopw(GpReg rd, GpReg rs1) noexcept;
    void max(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void maxu(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void min(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void minu(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void sext_b(GpReg rd, GpReg rs1) noexcept;
    void sext_h(GpReg rd, GpReg rs1) noexcept;
    void zext_h(GpReg rd, GpReg rs1) noexcept;
    void rol(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void rolw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void ror(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void rorw(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void rori(GpReg rd, GpReg rs1, u32 shamt) noexcept;
    void roriw(GpReg rd, GpReg rs1, u32 shamt) noexcept;
    void orc_b(GpReg rd, GpReg rs1) noexcept;
    void rev8(GpReg rd, GpReg rs1) noexcept;

    // ---- Zbs (Zbs.cpp) ----
    void bclr(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void bclri(GpReg rd, GpReg rs1, u32 shamt) noexcept;
    void bext(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void bexti(GpReg rd, GpReg rs1, u32 shamt) noexcept;
    void binv(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void binvi(GpReg rd, GpReg rs1, u32 shamt) noexcept;
    void bset(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void bseti(GpReg rd, GpReg rs1, u32 shamt) noexcept;

    // ---- Zicond (Zicond.cpp) ----
    void czero_eqz(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    void czero_nez(GpReg rd, GpReg rs1, GpReg rs2) noexcept;

    // ---- V 1.0 (RVV.cpp) ----
    void vsetvli(GpReg rd, GpReg rs1, VType vtype) noexcept;
    void vsetivli(GpReg rd, u32 avl, VType vtype) noexcept;
    void vsetvl(GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    // Loads/stores; eew is the element width encoded in the instruction.
    void vle(Sew eew, VecReg vd, GpReg rs1, VMask vm = VMask::Unmasked) noexcept;
    void vleff(Sew eew, VecReg vd, GpReg rs1, VMask vm = VMask::Unmasked) noexcept;
    void vse(Sew eew, VecReg vs3, GpReg rs1, VMask vm = VMask::Unmasked) noexcept;
    void vlse(Sew eew, VecReg vd, GpReg rs1, GpReg rs2, VMask vm = VMask::Unmasked) noexcept;
    void vsse(Sew eew, VecReg vs3, GpReg rs1, GpReg rs2, VMask vm = VMask::Unmasked) noexcept;
    void vluxei(Sew eew, VecReg vd, GpReg rs1, VecReg vs2, VMask vm = VMask::Unmasked) noexcept;
    void vloxei(Sew eew, VecReg vd, GpReg rs1, VecReg vs2, VMask vm = VMask::Unmasked) noexcept;
    void vsuxei(Sew eew, VecReg vs3, GpReg rs1, VecReg vs2, VMask vm = VMask::Unmasked) noexcept;
    void vsoxei(Sew eew, VecReg vs3, GpReg rs1, VecReg vs2, VMask vm = VMask::Unmasked) noexcept;
    void vlm(VecReg vd, GpReg rs1) noexcept;
    void vsm(VecReg vs3, GpReg rs1) noexcept;
    // Whole-register: vl<nregs>re<eew>.v and vs<nregs>r.v, nregs 1/2/4/8.
    void vlr(u32 nregs, Sew eew, VecReg vd, GpReg rs1) noexcept;
    void vsr(u32 nregs, VecReg vs3, GpReg rs1) noexcept;
    // vmv<nregs>r.v
    void vmvr(u32 nregs, VecReg vd, VecReg vs2) noexcept;

#define K23_DECLARE_VV(name, funct6, category) void name(VecReg vd, VecReg vs2, VecReg vs1, VMask vm = VMask::Unmasked) noexcept;
#define K23_DECLARE_VX(name, funct6, category) void name(VecReg vd, VecReg vs2, GpReg rs1, VMask vm = VMask::Unmasked) noexcept;
#define K23_DECLARE_VF(name, funct6, category) void name(VecReg vd, VecReg vs2, FpReg rs1, VMask vm = VMask::Unmasked) noexcept;
#define K23_DECLARE_VI(name, funct6, is_signed) void name(VecReg vd, VecReg vs2, i32 imm, VMask vm = VMask::Unmasked) noexcept;
#define K23_DECLARE_ACC_VV(name, funct6, category) void name(VecReg vd, VecReg vs1, VecReg vs2, VMask vm = VMask::Unmasked) noexcept;
#define K23_DECLARE_ACC_VX(name, funct6, category) void name(VecReg vd, GpReg rs1, VecReg vs2, VMask vm = VMask::Unmasked) noexcept;
#define K23_DECLARE_ACC_VF(name, funct6, category) void name(VecReg vd, FpReg rs1, VecReg vs2, VMask vm = VMask::Unmasked) noexcept;
#define K23_DECLARE_UNARY(name, funct6, category, vs1) void name(VecReg vd, VecReg vs2, VMask vm = VMask::Unmasked) noexcept;
#define K23_DECLARE_MM(name, funct6, category) void name(VecReg vd, VecReg vs2, VecReg vs1) noexcept;
#define K23_DECLARE_VVM(name, funct6, category) void name(VecReg vd, VecReg vs2, VecReg vs1) noexcept;
#define K23_DECLARE_VXM(name, funct6, category) void name(VecReg vd, VecReg vs2, GpReg rs1) noexcept;
#define K23_DECLARE_VIM(name, funct6, is_signed) void name(VecReg vd, VecReg vs2, i32 imm) noexcept;
    K23_RVV_VV(K23_DECLARE_VV)
    K23_RVV_VX(K23_DECLARE_VX)
    K23_RVV_VF(K23_DECLARE_VF)
    K23_RVV_VI(K23_DECLARE_VI)
    K23_RVV_ACC_VV(K23_DECLARE_ACC_VV)
    K23_RVV_ACC_VX(K23_DECLARE_ACC_VX)
    K23_RVV_ACC_VF(K23_DECLARE_ACC_VF)
    K23_RVV_UNARY(K23_DECLARE_UNARY)
    K23_RVV_MM(K23_DECLARE_MM)
    K23_RVV_VVM(K23_DECLARE_VVM)
    K23_RVV_VXM(K23_DECLARE_VXM)
    K23_RVV_VIM(K23_DECLARE_VIM)
#undef K23_DECLARE_VV
#undef K23_DECLARE_VX
#undef K23_DECLARE_VF
#undef K23_DECLARE_VI
#undef K23_DECLARE_ACC_VV
#undef K23_DECLARE_ACC_VX
#undef K23_DECLARE_ACC_VF
#undef K23_DECLARE_UNARY
#undef K23_DECLARE_MM
#undef K23_DECLARE_VVM
#undef K23_DECLARE_VXM
#undef K23_DECLARE_VIM
    void vfmerge_vfm(VecReg vd, VecReg vs2, FpReg rs1) noexcept;
    void vmv_v_v(VecReg vd, VecReg vs1) noexcept;
    void vmv_v_x(VecReg vd, GpReg rs1) noexcept;
    void vmv_v_i(VecReg vd, i32 imm) noexcept;
    void vfmv_v_f(VecReg vd, FpReg rs1) noexcept;
    void vmv_x_s(GpReg rd, VecReg vs2) noexcept;
    void vmv_s_x(VecReg vd, GpReg rs1) noexcept;
    void vfmv_f_s(FpReg rd, VecReg vs2) noexcept;
    void vfmv_s_f(VecReg vd, FpReg rs1) noexcept;
    void vcpop_m(GpReg rd, VecReg vs2, VMask vm = VMask::Unmasked) noexcept;
    void vfirst_m(GpReg rd, VecReg vs2, VMask vm = VMask::Unmasked) noexcept;
    void vid_v(VecReg vd, VMask vm = VMask::Unmasked) noexcept;
    void vmmv_m(VecReg vd, VecReg vs) noexcept { vmand_mm(vd, vs, vs); }
    void vmnot_m(VecReg vd, VecReg vs) noexcept { vmnand_mm(vd, vs, vs); }
    void vmclr_m(VecReg vd) noexcept { vmxor_mm(vd, vd, vd); }
    void vmset_m(VecReg vd) noexcept { vmxnor_mm(vd, vd, vd); }

    // ---- Encoding core (Assembler.cpp), used by the extension files ----
    // Inline: every instruction passes through them (compile speed).
    // Records an Unsupported error unless `extension` is enabled.
    [[nodiscard]] bool require(Extension extension) noexcept
    {
        if (m_code.features().has(extension)) [[likely]]
            return true;
        missing_extension(extension);
        return false;
    }
    // Records an OutOfRange error unless `ok`.
    [[nodiscard]] bool check_immediate(bool ok, const char* what) noexcept
    {
        if (ok) [[likely]]
            return true;
        immediate_out_of_range(what);
        return false;
    }
    // One instruction is a group of its own (as in an InstructionGroup,
    // declared below).
    void emit32(u32 word) noexcept
    {
        m_last_at = m_code.offset();
        m_code.emit_instruction(word, 4);
    }
    void emit16(u16 halfword) noexcept
    {
        m_last_at = m_code.offset();
        m_code.emit_instruction(halfword, 2);
    }
    // Where the last instruction emitted through emit32/emit16 starts, or
    // no_instruction after a bind() or emit_word(): MacroAssembler::retarget
    // rewrites its destination (it checks that nothing followed it).
    static constexpr u32 no_instruction = 0xffffffffu;
    [[nodiscard]] u32 last_instruction_at() const noexcept { return m_last_at; }
    [[nodiscard]] bool can_compress() const noexcept { return m_code.options().compress && m_code.features().has(Extension::C); }

private:
    [[gnu::cold]] void missing_extension(Extension extension) noexcept;
    [[gnu::cold]] void immediate_out_of_range(const char* what) noexcept;
    // Compressed-form selection used by the RV64I/D encoders; return true
    // when they emitted a 16-bit instruction (inline, Compressed.h).
    bool try_compress_addi(GpReg rd, GpReg rs1, i32 imm) noexcept;
    bool try_compress_addiw(GpReg rd, GpReg rs1, i32 imm) noexcept;
    bool try_compress_op(u32 funct3, u32 funct7, bool word, GpReg rd, GpReg rs1, GpReg rs2) noexcept;
    bool try_compress_shift(u32 funct3, bool arithmetic, GpReg rd, GpReg rs1, u32 shamt) noexcept;
    bool try_compress_andi(GpReg rd, GpReg rs1, i32 imm) noexcept;
    bool try_compress_lui(GpReg rd, i32 imm20) noexcept;
    bool try_compress_load(u32 funct3, u32 rd, bool fp, GpReg rs1, i32 offset) noexcept;
    bool try_compress_store(u32 funct3, u32 rs2, bool fp, GpReg rs1, i32 offset) noexcept;
    bool try_compress_jalr(GpReg rd, GpReg rs1, i32 offset) noexcept;

    void emit_i(u32 opcode, u32 funct3, u32 rd, u32 rs1, i32 imm) noexcept;
    void emit_r(u32 opcode, u32 funct3, u32 funct7, u32 rd, u32 rs1, u32 rs2) noexcept;
    void emit_s(u32 opcode, u32 funct3, u32 rs1, u32 rs2, i32 imm) noexcept;
    void emit_load(u32 funct3, GpReg rd, GpReg rs1, i32 offset) noexcept;
    void emit_store(u32 funct3, GpReg rs2, GpReg rs1, i32 offset) noexcept;
    void emit_shift_imm(u32 opcode, u32 funct3, u32 funct6, GpReg rd, GpReg rs1, u32 shamt, u32 limit) noexcept;
    void emit_amo(Extension extension, u32 funct5, u32 width, GpReg rd, GpReg rs2, GpReg rs1, MemoryOrder order) noexcept;
    void emit_fp_r(u32 fmt, u32 funct5, u32 rm, u32 rd, u32 rs1, u32 rs2) noexcept;
    void emit_fp_r4(u32 opcode, u32 fmt, u32 rm, FpReg rd, FpReg rs1, FpReg rs2, FpReg rs3) noexcept;
    void emit_csr(u32 funct3, GpReg rd, u32 csr, u32 rs1) noexcept;
    void emit_opv(u32 funct6, u32 category, VMask vm, u32 vd, u32 vs2, u32 vs1) noexcept;
    void emit_opvi(u32 funct6, VMask vm, u32 vd, u32 vs2, i32 imm, bool is_signed) noexcept;
    void emit_vmem(bool store, u32 nf, u32 mop, VMask vm, u32 field24_20, GpReg rs1, Sew eew, u32 vd) noexcept;
    void emit_far_jump(GpReg rd, i64 delta) noexcept;
    [[nodiscard]] int synthesize_constant(u64 value, u32* words, int limit, GpReg rd) noexcept;

    CodeHolder& m_code;
    u32 m_last_at { no_instruction };
};

// Scoped instruction group: the code holder inserts no island inside it.
class InstructionGroup {
public:
    explicit InstructionGroup(CodeHolder& code) noexcept
        : m_code(code)
    {
        m_code.begin_group();
    }
    ~InstructionGroup() noexcept { m_code.end_group(); }
    InstructionGroup(const InstructionGroup&) = delete;
    InstructionGroup& operator=(const InstructionGroup&) = delete;

private:
    CodeHolder& m_code;
};

} // namespace k23::riscv64
