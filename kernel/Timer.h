#pragma once

// The supervisor timer: one deadline per hart, in timebase ticks (the
// `time` CSR). With the Sstc extension (listed as "sstc" in the device
// tree's riscv,isa; QEMU 7.2's virt lists it) the kernel writes stimecmp
// itself (Sstc 1.0: STIP is pending while time >= stimecmp); else it asks
// the SBI (SBI spec 2.0 §6.1 sbi_set_timer, which also clears STIP).
// Either way an interrupt is only taken with sie.STIE set (privileged spec
// 1.12 §4.1.3).

#include <base/Integers.h>

namespace k23::kernel {

inline constexpr u64 timer_never = ~u64(0);

// The next timer interrupt at `deadline` (timer_never: none; clears a
// pending one).
void timer_set(u64 deadline) noexcept;
// timer_set(timer_never) for the interrupt handler: never probes for Sstc
// (a probe may trap); before the first timer_set, the SBI's timer is the
// only one anybody can have armed.
void timer_clear() noexcept;
[[nodiscard]] bool timer_uses_sstc() noexcept;
[[nodiscard]] u64 timer_now() noexcept;
// Timebase ticks per second (the device tree's timebase-frequency).
[[nodiscard]] u64 timer_frequency() noexcept;

} // namespace k23::kernel
