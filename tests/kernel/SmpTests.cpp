// Issue 18 item 4: the secondary harts came up through SBI HSM, each on its
// own stack with its own HartLocal (tp) and the kernel's trap vector, with
// its vector unit on exactly when its cpu node says V, and reported in.

#include <arch/riscv64/Csr.h>
#include <kernel/DeviceTree.h>
#include <kernel/KTest.h>
#include <kernel/Smp.h>
#include <kernel/Trap.h>


using namespace k23;
using namespace k23::kernel;

KTEST(smp_every_hart_reported_in)
{
    auto status = smp_status();
    // Every usable cpu node was started and reported in, the boot hart included.
    KEXPECT_GE(status.usable, 1u);
    KEXPECT_EQ(status.started, status.usable);
    KEXPECT_EQ(status.online, status.usable);
    KASSERT_EQ(hart_report_count(), status.started);
    u64 boot_tp = reinterpret_cast<u64>(&current_hart());
    for (usize i = 0; i < hart_report_count(); ++i) {
        const auto& report = hart_report(i);
        KEXPECT(report.online);
        const auto* hart = g_platform.hart(report.hart_id);
        KEXPECT(hart != nullptr && hart->usable);
        KEXPECT_EQ(report.stvec, reinterpret_cast<u64>(&k23_trap_vector));
        KEXPECT_EQ(report.vector_enabled, report.expects_vector);
        for (usize j = 0; j < i; ++j) {
            KEXPECT_NE(hart_report(j).hart_id, report.hart_id);
            KEXPECT_NE(hart_report(j).tp, report.tp);
        }
        if (i == 0) {
            KEXPECT_EQ(report.tp, boot_tp);
            KEXPECT_EQ(report.hart_id, current_hart().hart_id);
        } else {
            // Its own stack and HartLocal, not the boot hart's.
            KEXPECT_NE(report.tp, boot_tp);
            KEXPECT(report.sp > report.stack_bottom && report.sp <= report.stack_top);
        }
    }
}
