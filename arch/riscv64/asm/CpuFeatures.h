#pragma once

// The set of ISA extensions the generated code may use. The assembler checks
// every instruction against it (see Assembler.h, "Extension gating"); the
// compilers query it and fall back to base-ISA sequences.
//
// Where the value comes from is not this file's business: the kernel parses
// the device tree's ISA string with parse_isa_string(), the Linux runtime uses
// riscv_hwprobe or probing, and tests build one directly.

#include <base/Result.h>
#include <base/StringView.h>
#include <base/Integers.h>

namespace k23::riscv64 {

enum class Extension : u8 {
    I,
    M,
    A,
    F,
    D,
    C,
    V,
    H,
    Zicsr,
    Zifencei,
    Zihintpause,
    Zicond,
    Zba,
    Zbb,
    Zbc,
    Zbs,
    Zfh,
    Zicbom,
    Zicboz,
    Svinval,
    Svpbmt,
    Sstc,
    Count,
};

[[nodiscard]] StringView extension_name(Extension extension) noexcept;

class CpuFeatures {
public:
    constexpr CpuFeatures() noexcept = default;

    // RV64I only.
    [[nodiscard]] static constexpr CpuFeatures rv64i() noexcept { return CpuFeatures().with(Extension::I); }
    // RV64GC: IMAFD + Zicsr + Zifencei + C.
    [[nodiscard]] static constexpr CpuFeatures rv64gc() noexcept
    {
        return rv64i()
            .with(Extension::M)
            .with(Extension::A)
            .with(Extension::F)
            .with(Extension::D)
            .with(Extension::C)
            .with(Extension::Zicsr)
            .with(Extension::Zifencei);
    }
    // Everything this assembler can emit.
    [[nodiscard]] static constexpr CpuFeatures all() noexcept
    {
        CpuFeatures features;
        for (u8 i = 0; i < u8(Extension::Count); ++i)
            features = features.with(Extension(i));
        return features;
    }

    // Parses a RISC-V ISA string as found in a device tree's riscv,isa
    // property or /proc/cpuinfo: "rv64" + single-letter extensions (with
    // optional version numbers like "i2p1"; "g" = "imafd_zicsr_zifencei"), then
    // multi-letter extensions separated by '_' ("_zba_zbb_sstc"). Case does
    // not matter. Unknown extensions are ignored (newer hardware must not
    // break older kernels); an rv32 string or a missing base is an error.
    [[nodiscard]] static Result<CpuFeatures> parse_isa_string(StringView isa) noexcept;

    [[nodiscard]] constexpr bool has(Extension extension) const noexcept
    {
        return (m_bits >> u32(extension)) & 1;
    }
    [[nodiscard]] constexpr CpuFeatures with(Extension extension) const noexcept
    {
        CpuFeatures copy = *this;
        copy.m_bits |= u64(1) << u32(extension);
        return copy;
    }
    [[nodiscard]] constexpr CpuFeatures without(Extension extension) const noexcept
    {
        CpuFeatures copy = *this;
        copy.m_bits &= ~(u64(1) << u32(extension));
        return copy;
    }
    [[nodiscard]] constexpr u64 bits() const noexcept { return m_bits; }
    constexpr bool operator==(const CpuFeatures&) const noexcept = default;

    // "rv64imafdcv_zicsr_zba" (canonical order, the same names the parser reads).
    void format(FormatBuilder& builder) const noexcept;

private:
    constexpr explicit CpuFeatures(u64 bits) noexcept
        : m_bits(bits)
    {
    }

    u64 m_bits { 0 };
};

} // namespace k23::riscv64
