#pragma once

// The other harts: brought up through SBI HSM (SBI spec ch. 9) once the
// kernel's page tables are in place, each on its own stack with its own
// HartLocal (tp) and the kernel's trap vector, and parked in a wfi loop until
// a scheduler uses them.

#include <base/Integers.h>

namespace k23::kernel {

struct HartLocal;

struct SmpStatus {
    usize usable { 0 };    // cpu nodes the device tree says this kernel can run on
    usize started { 0 };   // hart_start calls that succeeded (the boot hart counts as started)
    usize online { 0 };    // harts that reported in from their own stack (the boot hart included)
};

// Starts every usable hart but the boot hart and waits (a bounded time) for
// each to report in. Returns what came up.
SmpStatus start_secondary_harts() noexcept;
[[nodiscard]] SmpStatus smp_status() noexcept;

// What a parked hart recorded about itself as it reported in (KTESTs check it).
struct HartReport {
    u64 hart_id { 0 };          // a0 from the SBI
    u64 tp { 0 };               // its HartLocal
    u64 sp { 0 };               // a stack pointer it ran on
    u64 stack_bottom { 0 }, stack_top { 0 };
    u64 stvec { 0 };
    bool vector_enabled { false }; // sstatus.VS != Off
    bool expects_vector { false }; // its cpu node says V
    bool online { false };
};
[[nodiscard]] usize hart_report_count() noexcept;
[[nodiscard]] const HartReport& hart_report(usize index) noexcept;
// Enables the vector unit on the calling hart if its cpu node has V.
void enable_vector_unit_for(u64 hart_id) noexcept;

} // namespace k23::kernel
