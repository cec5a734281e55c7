#pragma once

// Register operands and the small enum-class operand types of the RV64
// assembler. Registers are distinct types (GpReg, FpReg, VecReg), so passing
// an f-register where an x-register is expected does not compile.
//
// References: RISC-V Unprivileged ISA (20191213) §2.1 (x registers), §11.1
// (f registers), chapter 25 (ABI names); RISC-V "V" spec 1.0 §3.4 (vtype),
// §5.3 (masking).

#include <base/Integers.h>

namespace k23::riscv64 {

class GpReg {
public:
    constexpr explicit GpReg(u8 id) noexcept
        : m_id(id)
    {
    }
    [[nodiscard]] constexpr u8 id() const noexcept { return m_id; }
    [[nodiscard]] constexpr bool is_zero() const noexcept { return m_id == 0; }
    // x8..x15: the registers a 3-bit compressed register field can name.
    [[nodiscard]] constexpr bool is_compressible() const noexcept { return m_id >= 8 && m_id < 16; }
    [[nodiscard]] constexpr u8 compressed_id() const noexcept { return u8(m_id - 8); }
    constexpr bool operator==(const GpReg&) const noexcept = default;

private:
    u8 m_id;
};

class FpReg {
public:
    constexpr explicit FpReg(u8 id) noexcept
        : m_id(id)
    {
    }
    [[nodiscard]] constexpr u8 id() const noexcept { return m_id; }
    [[nodiscard]] constexpr bool is_compressible() const noexcept { return m_id >= 8 && m_id < 16; }
    [[nodiscard]] constexpr u8 compressed_id() const noexcept { return u8(m_id - 8); }
    constexpr bool operator==(const FpReg&) const noexcept = default;

private:
    u8 m_id;
};

class VecReg {
public:
    constexpr explicit VecReg(u8 id) noexcept
        : m_id(id)
    {
    }
    [[nodiscard]] constexpr u8 id() const noexcept { return m_id; }
    constexpr bool operator==(const VecReg&) const noexcept = default;

private:
    u8 m_id;
};

// x registers by number and ABI name.
inline constexpr GpReg x0 { 0 }, x1 { 1 }, x2 { 2 }, x3 { 3 }, x4 { 4 }, x5 { 5 }, x6 { 6 }, x7 { 7 },
    x8 { 8 }, x9 { 9 }, x10 { 10 }, x11 { 11 }, x12 { 12 }, x13 { 13 }, x14 { 14 }, x15 { 15 },
    x16 { 16 }, x17 { 17 }, x18 { 18 }, x19 { 19 }, x20 { 20 }, x21 { 21 }, x22 { 22 }, x23 { 23 },
    x24 { 24 }, x25 { 25 }, x26 { 26 }, x27 { 27 }, x28 { 28 }, x29 { 29 }, x30 { 30 }, x31 { 31 };
inline constexpr GpReg zero { 0 }, ra { 1 }, sp { 2 }, gp { 3 }, tp { 4 }, t0 { 5 }, t1 { 6 }, t2 { 7 },
    s0 { 8 }, fp { 8 }, s1 { 9 }, a0 { 10 }, a1 { 11 }, a2 { 12 }, a3 { 13 }, a4 { 14 }, a5 { 15 },
    a6 { 16 }, a7 { 17 }, s2 { 18 }, s3 { 19 }, s4 { 20 }, s5 { 21 }, s6 { 22 }, s7 { 23 }, s8 { 24 },
    s9 { 25 }, s10 { 26 }, s11 { 27 }, t3 { 28 }, t4 { 29 }, t5 { 30 }, t6 { 31 };

// f registers by number and ABI name.
inline constexpr FpReg f0 { 0 }, f1 { 1 }, f2 { 2 }, f3 { 3 }, f4 { 4 }, f5 { 5 }, f6 { 6 }, f7 { 7 },
    f8 { 8 }, f9 { 9 }, f10 { 10 }, f11 { 11 }, f12 { 12 }, f13 { 13 }, f14 { 14 }, f15 { 15 },
    f16 { 16 }, f17 { 17 }, f18 { 18 }, f19 { 19 }, f20 { 20 }, f21 { 21 }, f22 { 22 }, f23 { 23 },
    f24 { 24 }, f25 { 25 }, f26 { 26 }, f27 { 27 }, f28 { 28 }, f29 { 29 }, f30 { 30 }, f31 { 31 };
inline constexpr FpReg ft0 { 0 }, ft1 { 1 }, ft2 { 2 }, ft3 { 3 }, ft4 { 4 }, ft5 { 5 }, ft6 { 6 },
    ft7 { 7 }, fs0 { 8 }, fs1 { 9 }, fa0 { 10 }, fa1 { 11 }, fa2 { 12 }, fa3 { 13 }, fa4 { 14 },
    fa5 { 15 }, fa6 { 16 }, fa7 { 17 }, fs2 { 18 }, fs3 { 19 }, fs4 { 20 }, fs5 { 21 }, fs6 { 22 },
    fs7 { 23 }, fs8 { 24 }, fs9 { 25 }, fs10 { 26 }, fs11 { 27 }, ft8 { 28 }, ft9 { 29 },
    ft10 { 30 }, ft11 { 31 };

inline constexpr VecReg v0 { 0 }, v1 { 1 }, v2 { 2 }, v3 { 3 }, v4 { 4 }, v5 { 5 }, v6 { 6 }, v7 { 7 },
    v8 { 8 }, v9 { 9 }, v10 { 10 }, v11 { 11 }, v12 { 12 }, v13 { 13 }, v14 { 14 }, v15 { 15 },
    v16 { 16 }, v17 { 17 }, v18 { 18 }, v19 { 19 }, v20 { 20 }, v21 { 21 }, v22 { 22 }, v23 { 23 },
    v24 { 24 }, v25 { 25 }, v26 { 26 }, v27 { 27 }, v28 { 28 }, v29 { 29 }, v30 { 30 }, v31 { 31 };

// Floating-point rounding mode field, Unprivileged ISA §11.2 table 11.1.
enum class RoundingMode : u8 {
    Rne = 0b000, // to nearest, ties to even
    Rtz = 0b001, // towards zero
    Rdn = 0b010, // down
    Rup = 0b011, // up
    Rmm = 0b100, // to nearest, ties to max magnitude
    Dyn = 0b111, // the frm CSR
};

// aq/rl bits of A-extension instructions (Unprivileged ISA §8.2).
enum class MemoryOrder : u8 {
    Relaxed = 0b00,
    Release = 0b01, // rl
    Acquire = 0b10, // aq
    AcqRel = 0b11,  // aq + rl
};

// FENCE predecessor/successor sets (Unprivileged ISA §2.7): bit 3 i, 2 o, 1 r, 0 w.
enum class FenceSet : u8 {
    None = 0,
    W = 0b0001,
    R = 0b0010,
    RW = 0b0011,
    O = 0b0100,
    I = 0b1000,
    IO = 0b1100,
    IORW = 0b1111,
};

// V spec 1.0 §3.4.1: vsew.
enum class Sew : u8 {
    E8 = 0b000,
    E16 = 0b001,
    E32 = 0b010,
    E64 = 0b011,
};

// V spec 1.0 §3.4.2: vlmul.
enum class Lmul : u8 {
    M1 = 0b000,
    M2 = 0b001,
    M4 = 0b010,
    M8 = 0b011,
    MF8 = 0b101,
    MF4 = 0b110,
    MF2 = 0b111,
};

enum class TailPolicy : u8 {
    Undisturbed = 0,
    Agnostic = 1,
};

enum class MaskPolicy : u8 {
    Undisturbed = 0,
    Agnostic = 1,
};

// V spec 1.0 §3.4: the vtype value written by vsetvli / vsetivli.
struct VType {
    Sew sew { Sew::E8 };
    Lmul lmul { Lmul::M1 };
    TailPolicy tail { TailPolicy::Agnostic };
    MaskPolicy mask { MaskPolicy::Agnostic };

    [[nodiscard]] constexpr u32 encode() const noexcept
    {
        return u32(lmul) | (u32(sew) << 3) | (u32(tail) << 6) | (u32(mask) << 7);
    }
};

// V spec 1.0 §5.3: vm = 1 means unmasked, vm = 0 masks with v0.t.
enum class VMask : u8 {
    V0 = 0,
    Unmasked = 1,
};

} // namespace k23::riscv64
