// RV64I base integer instructions: Unprivileged ISA (20191213) chapter 2
// "RV32I Base Integer Instruction Set" (§2.4 computational, §2.5 control
// transfer, §2.6 loads and stores, §2.7 fence, §2.8 ecall/ebreak) and
// chapter 5 "RV64I" (§5.2 the W forms, §5.3 ld/sd/lwu); Zifencei chapter 3,
// Zihintpause chapter 4, Zicsr chapter 9. Base encoders pick a compressed
// form through the try_compress_* helpers (Compressed.h) when allowed.

#include <arch/riscv64/asm/Assembler.h>
#include <arch/riscv64/asm/Compressed.h>
#include <arch/riscv64/asm/Encoding.h>
#include <base/Bits.h>

namespace k23::riscv64 {

using namespace encoding;

void Assembler::emit_i(u32 opcode, u32 funct3, u32 rd, u32 rs1, i32 imm) noexcept
{
    if (!check_immediate(fits_signed(imm, 12), "12-bit immediate"))
        return;
    emit32(i_type(opcode, rd, funct3, rs1, imm));
}

void Assembler::emit_r(u32 opcode, u32 funct3, u32 funct7, u32 rd, u32 rs1, u32 rs2) noexcept
{
    emit32(r_type(opcode, rd, funct3, rs1, rs2, funct7));
}

void Assembler::emit_s(u32 opcode, u32 funct3, u32 rs1, u32 rs2, i32 imm) noexcept
{
    if (!check_immediate(fits_signed(imm, 12), "12-bit store offset"))
        return;
    emit32(s_type(opcode, funct3, rs1, rs2, imm));
}

void Assembler::emit_shift_imm(u32 opcode, u32 funct3, u32 funct6, GpReg rd, GpReg rs1, u32 shamt, u32 limit) noexcept
{
    if (!check_immediate(shamt < limit, "shift amount"))
        return;
    emit32(opcode | (rd.id() << 7) | (funct3 << 12) | (rs1.id() << 15) | (shamt << 20) | (funct6 << 26));
}

void Assembler::lui(GpReg rd, i32 imm20) noexcept
{
    if (!check_immediate(imm20 >= -(1 << 19) && imm20 < (1 << 20), "lui immediate"))
        return;
    if (try_compress_lui(rd, imm20))
        return;
    emit32(u_type(Lui, rd.id(), imm20));
}

void Assembler::auipc(GpReg rd, i32 imm20) noexcept
{
    if (!check_immediate(imm20 >= -(1 << 19) && imm20 < (1 << 20), "auipc immediate"))
        return;
    emit32(u_type(Auipc, rd.id(), imm20));
}

void Assembler::jal(GpReg rd, i32 offset) noexcept
{
    if (!check_immediate(fits_signed(offset, 21) && (offset & 1) == 0, "jal offset"))
        return;
    if (rd.is_zero() && can_compress() && fits_signed(offset, 12)) {
        c_j(offset);
        return;
    }
    emit32(j_type(rd.id(), offset));
}

void Assembler::jalr(GpReg rd, GpReg rs1, i32 offset) noexcept
{
    if (try_compress_jalr(rd, rs1, offset))
        return;
    emit_i(encoding::Jalr, 0, rd.id(), rs1.id(), offset);
}

void Assembler::branch(BranchCondition condition, GpReg rs1, GpReg rs2, i32 offset) noexcept
{
    if (!check_immediate(fits_signed(offset, 13) && (offset & 1) == 0, "branch offset"))
        return;
    if (can_compress() && rs2.is_zero() && rs1.is_compressible() && fits_signed(offset, 9)) {
        if (condition == BranchCondition::Eq) {
            c_beqz(rs1, offset);
            return;
        }
        if (condition == BranchCondition::Ne) {
            c_bnez(rs1, offset);
            return;
        }
    }
    emit32(b_type(u32(condition), rs1.id(), rs2.id(), offset));
}

// Inlined into lb..ld/sb..sd: each folds the compressed-form selection
// with its own width (the hottest encoders of a baseline compile).
[[gnu::always_inline]] inline void Assembler::emit_load(u32 funct3, GpReg rd, GpReg rs1, i32 offset) noexcept
{
    if (try_compress_load(funct3, rd.id(), false, rs1, offset))
        return;
    emit_i(Load, funct3, rd.id(), rs1.id(), offset);
}

[[gnu::always_inline]] inline void Assembler::emit_store(u32 funct3, GpReg rs2, GpReg rs1, i32 offset) noexcept
{
    if (try_compress_store(funct3, rs2.id(), false, rs1, offset))
        return;
    emit_s(Store, funct3, rs1.id(), rs2.id(), offset);
}

void Assembler::lb(GpReg rd, GpReg rs1, i32 offset) noexcept { emit_load(0b000, rd, rs1, offset); }
void Assembler::lh(GpReg rd, GpReg rs1, i32 offset) noexcept { emit_load(0b001, rd, rs1, offset); }
void Assembler::lw(GpReg rd, GpReg rs1, i32 offset) noexcept { emit_load(0b010, rd, rs1, offset); }
void Assembler::ld(GpReg rd, GpReg rs1, i32 offset) noexcept { emit_load(0b011, rd, rs1, offset); }
void Assembler::lbu(GpReg rd, GpReg rs1, i32 offset) noexcept { emit_load(0b100, rd, rs1, offset); }
void Assembler::lhu(GpReg rd, GpReg rs1, i32 offset) noexcept { emit_load(0b101, rd, rs1, offset); }
void Assembler::lwu(GpReg rd, GpReg rs1, i32 offset) noexcept { emit_load(0b110, rd, rs1, offset); }
void Assembler::sb(GpReg rs2, GpReg rs1, i32 offset) noexcept { emit_store(0b000, rs2, rs1, offset); }
void Assembler::sh(GpReg rs2, GpReg rs1, i32 offset) noexcept { emit_store(0b001, rs2, rs1, offset); }
void Assembler::sw(GpReg rs2, GpReg rs1, i32 offset) noexcept { emit_store(0b010, rs2, rs1, offset); }
void Assembler::sd(GpReg rs2, GpReg rs1, i32 offset) noexcept { emit_store(0b011, rs2, rs1, offset); }

void Assembler::addi(GpReg rd, GpReg rs1, i32 imm) noexcept
{
    if (try_compress_addi(rd, rs1, imm))
        return;
    emit_i(OpImm, 0b000, rd.id(), rs1.id(), imm);
}

void Assembler::slti(GpReg rd, GpReg rs1, i32 imm) noexcept { emit_i(OpImm, 0b010, rd.id(), rs1.id(), imm); }
void Assembler::sltiu(GpReg rd, GpReg rs1, i32 imm) noexcept { emit_i(OpImm, 0b011, rd.id(), rs1.id(), imm); }
void Assembler::xori(GpReg rd, GpReg rs1, i32 imm) noexcept { emit_i(OpImm, 0b100, rd.id(), rs1.id(), imm); }
void Assembler::ori(GpReg rd, GpReg rs1, i32 imm) noexcept { emit_i(OpImm, 0b110, rd.id(), rs1.id(), imm); }

void Assembler::andi(GpReg rd, GpReg rs1, i32 imm) noexcept
{
    if (try_compress_andi(rd, rs1, imm))
        return;
    emit_i(OpImm, 0b111, rd.id(), rs1.id(), imm);
}

// §5.2: RV64 shifts take a 6-bit shamt; bit 30 selects arithmetic.
void Assembler::slli(GpReg rd, GpReg rs1, u32 shamt) noexcept
{
    if (try_compress_shift(0b001, false, rd, rs1, shamt))
        return;
    emit_shift_imm(OpImm, 0b001, 0b000000, rd, rs1, shamt, 64);
}

void Assembler::srli(GpReg rd, GpReg rs1, u32 shamt) noexcept
{
    if (try_compress_shift(0b101, false, rd, rs1, shamt))
        return;
    emit_shift_imm(OpImm, 0b101, 0b000000, rd, rs1, shamt, 64);
}

void Assembler::srai(GpReg rd, GpReg rs1, u32 shamt) noexcept
{
    if (try_compress_shift(0b101, true, rd, rs1, shamt))
        return;
    emit_shift_imm(OpImm, 0b101, 0b010000, rd, rs1, shamt, 64);
}

#define K23_OP(name, funct3, funct7)                                       \
    void Assembler::name(GpReg rd, GpReg rs1, GpReg rs2) noexcept          \
    {                                                                      \
        if (try_compress_op(funct3, funct7, false, rd, rs1, rs2))          \
            return;                                                        \
        emit_r(Op, funct3, funct7, rd.id(), rs1.id(), rs2.id());           \
    }
K23_OP(add, 0b000, 0b0000000)
K23_OP(sub, 0b000, 0b0100000)
K23_OP(sll, 0b001, 0b0000000)
K23_OP(slt, 0b010, 0b0000000)
K23_OP(sltu, 0b011, 0b0000000)
K23_OP(xor_, 0b100, 0b0000000)
K23_OP(srl, 0b101, 0b0000000)
K23_OP(sra, 0b101, 0b0100000)
K23_OP(or_, 0b110, 0b0000000)
K23_OP(and_, 0b111, 0b0000000)
#undef K23_OP

void Assembler::addiw(GpReg rd, GpReg rs1, i32 imm) noexcept
{
    if (try_compress_addiw(rd, rs1, imm))
        return;
    emit_i(OpImm32, 0b000, rd.id(), rs1.id(), imm);
}

void Assembler::slliw(GpReg rd, GpReg rs1, u32 shamt) noexcept { emit_shift_imm(OpImm32, 0b001, 0b000000, rd, rs1, shamt, 32); }
void Assembler::srliw(GpReg rd, GpReg rs1, u32 shamt) noexcept { emit_shift_imm(OpImm32, 0b101, 0b000000, rd, rs1, shamt, 32); }
void Assembler::sraiw(GpReg rd, GpReg rs1, u32 shamt) noexcept { emit_shift_imm(OpImm32, 0b101, 0b010000, rd, rs1, shamt, 32); }

#define K23_OP32(name, funct3, funct7)                                     \
    void Assembler::name(GpReg rd, GpReg rs1, GpReg rs2) noexcept          \
    {                                                                      \
        if (try_compress_op(funct3, funct7, true, rd, rs1, rs2))           \
            return;                                                        \
        emit_r(Op32, funct3, funct7, rd.id(), rs1.id(), rs2.id());         \
    }
K23_OP32(addw, 0b000, 0b0000000)
K23_OP32(subw, 0b000, 0b0100000)
K23_OP32(sllw, 0b001, 0b0000000)
K23_OP32(srlw, 0b101, 0b0000000)
K23_OP32(sraw, 0b101, 0b0100000)
#undef K23_OP32

// §2.7: fm | pred | succ | rs1 | 000 | rd | MISC-MEM.
void Assembler::fence(FenceSet predecessor, FenceSet successor) noexcept
{
    emit32(MiscMem | (u32(successor) << 20) | (u32(predecessor) << 24));
}

void Assembler::fence_tso() noexcept
{
    emit32(MiscMem | (u32(FenceSet::RW) << 20) | (u32(FenceSet::RW) << 24) | (0b1000u << 28));
}

void Assembler::ecall() noexcept { emit32(System); }

void Assembler::ebreak() noexcept
{
    if (can_compress()) {
        c_ebreak();
        return;
    }
    emit32(System | (1u << 20));
}

// Zifencei chapter 3: FENCE.I is MISC-MEM with funct3 001.
void Assembler::fence_i() noexcept
{
    if (!require(Extension::Zifencei))
        return;
    emit32(MiscMem | (0b001 << 12));
}

// Zihintpause chapter 4: PAUSE is FENCE with pred = W, succ = 0.
void Assembler::pause() noexcept
{
    if (!require(Extension::Zihintpause))
        return;
    fence(FenceSet::W, FenceSet::None);
}

// Zicsr chapter 9: csr in bits 31:20, SYSTEM opcode.
void Assembler::emit_csr(u32 funct3, GpReg rd, u32 csr, u32 rs1) noexcept
{
    if (!require(Extension::Zicsr))
        return;
    if (!check_immediate(csr < 4096 && rs1 < 32, "CSR number or immediate"))
        return;
    emit32(System | (rd.id() << 7) | (funct3 << 12) | (rs1 << 15) | (csr << 20));
}

void Assembler::csrrw(GpReg rd, u32 csr, GpReg rs1) noexcept { emit_csr(0b001, rd, csr, rs1.id()); }
void Assembler::csrrs(GpReg rd, u32 csr, GpReg rs1) noexcept { emit_csr(0b010, rd, csr, rs1.id()); }
void Assembler::csrrc(GpReg rd, u32 csr, GpReg rs1) noexcept { emit_csr(0b011, rd, csr, rs1.id()); }
void Assembler::csrrwi(GpReg rd, u32 csr, u32 uimm5) noexcept { emit_csr(0b101, rd, csr, uimm5); }
void Assembler::csrrsi(GpReg rd, u32 csr, u32 uimm5) noexcept { emit_csr(0b110, rd, csr, uimm5); }
void Assembler::csrrci(GpReg rd, u32 csr, u32 uimm5) noexcept { emit_csr(0b111, rd, csr, uimm5); }

} // namespace k23::riscv64
