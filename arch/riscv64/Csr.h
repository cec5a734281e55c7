#pragma once

// Supervisor-level CSRs and their fields. Section numbers refer to the RISC-V
// Privileged Architecture, version 20211203 (privileged spec 1.12), Volume II.

#include <base/Integers.h>

namespace k23::riscv64 {

// CSR addresses: privileged spec §2.2, Table 2.2 (supervisor-level CSRs) and
// Table 2.1 (unprivileged counters/timers, read-only shadows in S-mode).
enum class Csr : u16 {
    Sstatus = 0x100,    // §4.1.1 Supervisor Status Register
    Sie = 0x104,        // §4.1.3 Supervisor Interrupt Registers (sip and sie)
    Stvec = 0x105,      // §4.1.2 Supervisor Trap Vector Base Address Register
    Scounteren = 0x106, // §4.1.5 Counter-Enable Register
    Sscratch = 0x140,   // §4.1.6 Supervisor Scratch Register
    Sepc = 0x141,       // §4.1.7 Supervisor Exception Program Counter
    Scause = 0x142,     // §4.1.8 Supervisor Cause Register
    Stval = 0x143,      // §4.1.9 Supervisor Trap Value Register
    Sip = 0x144,        // §4.1.3
    Satp = 0x180,       // §4.1.11 Supervisor Address Translation and Protection
    Stimecmp = 0x14D,   // Sstc extension 1.0: supervisor timer compare (STIP while time >= it)
    Cycle = 0xC00,      // unprivileged spec, "Zicntr", counters
    Time = 0xC01,
    Instret = 0xC02,
    Vlenb = 0xC22,      // V spec 1.0 §3.6, vector register length in bytes
};

template<Csr csr>
inline u64 read_csr() noexcept
{
    u64 value;
    asm volatile("csrr %0, %1" : "=r"(value) : "i"(static_cast<u16>(csr)));
    return value;
}

template<Csr csr>
inline void write_csr(u64 value) noexcept
{
    asm volatile("csrw %0, %1" ::"i"(static_cast<u16>(csr)), "r"(value) : "memory");
}

// Atomically sets the bits of `mask` and returns the previous value (csrrs).
template<Csr csr>
inline u64 set_csr_bits(u64 mask) noexcept
{
    u64 previous;
    asm volatile("csrrs %0, %1, %2" : "=r"(previous) : "i"(static_cast<u16>(csr)), "r"(mask) : "memory");
    return previous;
}

template<Csr csr>
inline u64 clear_csr_bits(u64 mask) noexcept
{
    u64 previous;
    asm volatile("csrrc %0, %1, %2" : "=r"(previous) : "i"(static_cast<u16>(csr)), "r"(mask) : "memory");
    return previous;
}

// sstatus fields, §4.1.1, Figure 4.2 (RV64).
namespace Sstatus {
inline constexpr u64 SIE = 1ull << 1;
inline constexpr u64 SPIE = 1ull << 5;
inline constexpr u64 SPP = 1ull << 8;
inline constexpr u64 VS_SHIFT = 9; // §3.1.6.6 / §4.1.1.5: Off, Initial, Clean, Dirty
inline constexpr u64 VS_MASK = 3ull << VS_SHIFT;
inline constexpr u64 FS_SHIFT = 13;
inline constexpr u64 FS_MASK = 3ull << FS_SHIFT;
inline constexpr u64 SUM = 1ull << 18;
inline constexpr u64 MXR = 1ull << 19;
inline constexpr u64 EXTENSION_INITIAL = 1; // value of FS/VS meaning "enabled, Initial"
}

// sie/sip bits, §4.1.3.
namespace Interrupt {
inline constexpr u64 SSIE = 1ull << 1;
inline constexpr u64 STIE = 1ull << 5;
inline constexpr u64 SEIE = 1ull << 9;
}

// scause, §4.1.8 and Table 4.2 (Supervisor cause register values after trap).
inline constexpr u64 SCAUSE_INTERRUPT = 1ull << 63;

enum class Exception : u64 {
    InstructionAddressMisaligned = 0,
    InstructionAccessFault = 1,
    IllegalInstruction = 2,
    Breakpoint = 3,
    LoadAddressMisaligned = 4,
    LoadAccessFault = 5,
    StoreAddressMisaligned = 6,
    StoreAccessFault = 7,
    EnvironmentCallFromUMode = 8,
    EnvironmentCallFromSMode = 9,
    InstructionPageFault = 12,
    LoadPageFault = 13,
    StorePageFault = 15,
};

enum class InterruptCause : u64 {
    SupervisorSoftware = 1,
    SupervisorTimer = 5,
    SupervisorExternal = 9,
};

// A human name for an scause value, for panics and test failures.
const char* scause_name(u64 scause) noexcept;

inline u64 read_time() noexcept
{
    u64 value;
    asm volatile("rdtime %0" : "=r"(value));
    return value;
}

inline void wait_for_interrupt() noexcept { asm volatile("wfi" ::: "memory"); }

} // namespace k23::riscv64
