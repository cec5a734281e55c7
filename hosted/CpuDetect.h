#pragma once

// The CPU features the JIT may use on this Linux machine: from the
// riscv_hwprobe system call where the kernel has it (Linux 6.4+), else by
// executing one instruction of each optional extension under a SIGILL
// handler (QEMU 7.2's user mode has neither hwprobe nor a RISC-V
// /proc/cpuinfo). RV64GC is the base either way: the riscv64 Linux ABI
// (lp64d, Debian's rv64gc) guarantees it. `k23-run --isa` overrides all
// of this with CpuFeatures::parse_isa_string.

#include <arch/riscv64/asm/CpuFeatures.h>
#include <base/StringView.h>

namespace k23::hosted {

enum class CpuFeatureSource : u8 {
    Hwprobe,   // riscv_hwprobe answered
    Probing,   // instructions executed under a SIGILL handler
    NotRiscv,  // built for another architecture: RV64GC, nothing executes
};

struct DetectedCpu {
    riscv64::CpuFeatures features;
    CpuFeatureSource source { CpuFeatureSource::NotRiscv };
};

[[nodiscard]] DetectedCpu detect_cpu_features() noexcept;
[[nodiscard]] StringView cpu_feature_source_name(CpuFeatureSource source) noexcept;

// riscv64 only: does the hart execute this extension's probe instruction?
// (Extension::V, Zba, Zbb, Zbc, Zbs, Zicond; false for anything else.)
[[nodiscard]] bool probe_extension(riscv64::Extension extension) noexcept;

} // namespace k23::hosted
