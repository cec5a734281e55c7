#pragma once

// Calls into the Supervisor Binary Interface (OpenSBI on QEMU). Chapter and
// section numbers refer to the RISC-V SBI specification v2.0 (the numbering of
// the chapters used here is the same in v1.0).

#include <base/Integers.h>

namespace k23::riscv64::sbi {

// §3 Binary Encoding: a7 = extension id (EID), a6 = function id (FID),
// arguments in a0..a5; returns (error, value) in (a0, a1).
struct SbiResult {
    i64 error;
    i64 value;
};

// Standard SBI error codes, §3 Table 1.
enum class SbiError : i64 {
    Success = 0,
    Failed = -1,
    NotSupported = -2,
    InvalidParam = -3,
    Denied = -4,
    InvalidAddress = -5,
};

namespace Eid {
inline constexpr u64 LegacySetTimer = 0x00;     // §5.1 (legacy, deprecated)
inline constexpr u64 LegacyConsolePutchar = 0x01; // §5.2 (legacy, deprecated)
inline constexpr u64 LegacyConsoleGetchar = 0x02; // §5.3 (legacy, deprecated)
inline constexpr u64 LegacyShutdown = 0x08;     // §5.8 (legacy, deprecated)
inline constexpr u64 Base = 0x10;               // §4 Base Extension
inline constexpr u64 Timer = 0x54494D45;        // §6 Timer Extension "TIME"
inline constexpr u64 Hsm = 0x48534D;            // §9 Hart State Management "HSM"
inline constexpr u64 SystemReset = 0x53525354;  // §10 System Reset Extension "SRST"
inline constexpr u64 DebugConsole = 0x4442434E; // §12 Debug Console Extension "DBCN" (SBI 2.0)
}

inline SbiResult call(u64 eid, u64 fid, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0) noexcept
{
    register u64 r_a0 asm("a0") = a0;
    register u64 r_a1 asm("a1") = a1;
    register u64 r_a2 asm("a2") = a2;
    register u64 r_a6 asm("a6") = fid;
    register u64 r_a7 asm("a7") = eid;
    asm volatile("ecall" : "+r"(r_a0), "+r"(r_a1) : "r"(r_a2), "r"(r_a6), "r"(r_a7) : "memory");
    return { static_cast<i64>(r_a0), static_cast<i64>(r_a1) };
}

// §4.1 sbi_get_spec_version: major in bits 30:24, minor in 23:0.
inline u64 spec_version() noexcept { return static_cast<u64>(call(Eid::Base, 0).value); }

// §4.4 sbi_probe_extension: non-zero value if the extension is available.
inline bool probe_extension(u64 eid) noexcept
{
    auto result = call(Eid::Base, 3, eid);
    return result.error == 0 && result.value != 0;
}

// §5.2 Legacy Console Putchar. Always present on OpenSBI; used before the
// device tree names a UART and as the fallback when it does not.
inline void legacy_console_putchar(char ch) noexcept
{
    call(Eid::LegacyConsolePutchar, 0, static_cast<u8>(ch));
}

// §5.3 Legacy Console Getchar: the byte read, or -1 when there is none.
inline i64 legacy_console_getchar() noexcept
{
    return call(Eid::LegacyConsoleGetchar, 0).error;
}

// §12.1 Console Write (DBCN, FID 0): a physical address and a length.
// Returns the number of bytes written, or a negative SbiError.
i64 debug_console_write(const char* bytes, usize length) noexcept;

// §6.1 sbi_set_timer (TIME, FID 0): the next timer event at absolute time
// `stime_value`; also clears the pending supervisor timer interrupt.
inline SbiResult set_timer(u64 stime_value) noexcept { return call(Eid::Timer, 0, stime_value); }

// §10.1 sbi_system_reset (SRST, FID 0).
enum class ResetType : u32 {
    Shutdown = 0,
    ColdReboot = 1,
    WarmReboot = 2,
};
enum class ResetReason : u32 {
    None = 0,
    SystemFailure = 1,
};
// Returns only on failure (unsupported type/reason or no SRST extension).
SbiResult system_reset(ResetType, ResetReason) noexcept;

} // namespace k23::riscv64::sbi
