#include <arch/riscv64/Csr.h>
#include <arch/riscv64/Sbi.h>
#include <base/Log.h>
#include <boot/Shutdown.h>

namespace k23::boot {

namespace {

uptr s_test_finisher = 0;
bool s_status_reported = false;

// SiFive test finisher (QEMU hw/misc/sifive_test.c): a 32-bit write of
// FINISHER_FAIL | code << 16 makes QEMU exit with `code`, FINISHER_PASS with 0.
constexpr u32 FINISHER_FAIL = 0x3333;
constexpr u32 FINISHER_PASS = 0x5555;

} // namespace

void shutdown_set_test_finisher(uptr base) noexcept { s_test_finisher = base; }

void shutdown(u32 status) noexcept
{
    namespace sbi = riscv64::sbi;
    riscv64::clear_csr_bits<riscv64::Csr::Sstatus>(riscv64::Sstatus::SIE);

    // The status line: the last thing the console shows. ./k23 (tools/driver/
    // qemu.py) counts a boot without it as failed, whatever QEMU's exit status.
    // Printed once: a fault while printing it must not recurse.
    if (!s_status_reported) {
        s_status_reported = true;
        log("shutdown: status {}"_sv, status);
    }

    if (status != 0 && s_test_finisher != 0) {
        // Checked on Debian 12 (OpenSBI 1.1, QEMU 7.2): SRST with reason
        // SYSTEM_FAILURE reaches the finisher as a bare FINISHER_FAIL, whose
        // exit code field is 0, so QEMU exits with status 0. Write the
        // finisher ourselves to carry the status.
        u32 code = status > 0xffff ? 0xffff : status;
        *reinterpret_cast<volatile u32*>(s_test_finisher) = FINISHER_FAIL | (code << 16);
    }
    if (status == 0 && s_test_finisher != 0 && !sbi::probe_extension(sbi::Eid::SystemReset))
        *reinterpret_cast<volatile u32*>(s_test_finisher) = FINISHER_PASS;

    if (sbi::probe_extension(sbi::Eid::SystemReset)) {
        // The generic path: SBI spec §10.1 sbi_system_reset(SHUTDOWN, reason).
        // It returns only when the platform cannot power off (QEMU sifive_u
        // has no power-off device: SBI_ERR_NOT_SUPPORTED).
        auto result = sbi::system_reset(sbi::ResetType::Shutdown,
            status == 0 ? sbi::ResetReason::None : sbi::ResetReason::SystemFailure);
        log("shutdown: the firmware cannot power off (SBI error {}): halted"_sv, result.error);
    } else {
        // Firmware older than SRST (SBI < 0.3): §5.8 legacy System Shutdown.
        // Not tried after SRST failed: OpenSBI would stop the hart in M-mode.
        sbi::call(sbi::Eid::LegacyShutdown, 0);
        log("shutdown: the firmware cannot power off: halted"_sv);
    }
    // A clean halt: no interrupt enabled in sie, so wfi sleeps (privileged
    // spec §3.3.3 lets it return anyway; then it waits again).
    riscv64::write_csr<riscv64::Csr::Sie>(0);
    for (;;)
        riscv64::wait_for_interrupt();
}

} // namespace k23::boot
