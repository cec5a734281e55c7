#pragma once

// The platform hooks the JIT needs (DESIGN.md: "publish code W^X and flush
// the instruction cache, register a trap handler"). hosted/platform
// implements them for Linux; the kernel will with its own page tables.
//
// Code memory is never writable and executable at once: allocate RW, write,
// publish (RX + instruction-cache flush), release.

#include <base/Result.h>
#include <base/StringView.h>
#include <base/Types.h>

namespace k23::jit {

[[nodiscard]] Result<u8*> platform_code_allocate(usize size) noexcept;
[[nodiscard]] Result<void> platform_code_publish(u8* code, usize size) noexcept;
void platform_code_release(u8* code, usize size) noexcept;

// A fault (SIGSEGV/SIGBUS/SIGILL/SIGFPE on Linux) at `pc`. The handler
// returns true when the pc is in JIT code and it redirected the thread:
// it sets *resume_pc and the values for a0 and a1 there. Faults the
// handler declines are real crashes (the platform reports and re-raises).
struct FaultRedirect {
    u64 pc { 0 };
    u64 a0 { 0 };
    u64 a1 { 0 };
    u64 a2 { 0 };
};
using FaultHandler = bool (*)(u64 pc, u64 fault_address, FaultRedirect& redirect) noexcept;
[[nodiscard]] Result<void> platform_install_fault_handler(FaultHandler handler) noexcept;

// Perf-map support (/tmp/perf-PID.map on Linux): one line per code range,
// so `perf` and the QEMU profile plugin can name JIT code.
void platform_perf_map_add(const void* code, usize size, StringView name) noexcept;

// Whether this process can run the code the JIT generates (riscv64 only).
[[nodiscard]] bool platform_can_execute_jit() noexcept;

} // namespace k23::jit
