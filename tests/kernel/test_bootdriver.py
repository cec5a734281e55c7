"""Checks of the boot driver's verdict (tools/driver/qemu.py judge()) on
console texts, no QEMU needed: a boot succeeds only with a reported
`shutdown: status 0`; anything else is a non-zero status, and a boot that
never reported one gets a one-line reason."""
import qemu

OPENSBI_TAIL = "Boot HART MIDELEG         : 0x0000000000001666\r\nBoot HART MEDELEG         : 0x0000000000f0b509\r\n"


def verdict(output, qemu_status, timed_out=False, halted=False):
    return qemu.judge(output, qemu_status, timed_out, 0.1, 10, halted=halted)


def one_line(reason):
    return reason is not None and "\n" not in reason and "\r" not in reason


def check_boot_driver_silence_is_failure(ctx):
    # The bug: an image cut inside the loader, QEMU exits 0 after OpenSBI.
    r = verdict(OPENSBI_TAIL, 0)
    assert r.status != 0, "silence after OpenSBI with QEMU status 0 was a success"
    assert one_line(r.reason) and r.reason == ("boot: no status from the kernel (image cut? last console "
                                               "line: Boot HART MEDELEG         : 0x0000000000f0b509)"), r.reason
    # A hang: the timeout's status and its own line.
    r = verdict(OPENSBI_TAIL, None, timed_out=True)
    assert r.status == qemu.TIMED_OUT and one_line(r.reason) and r.reason.startswith(
        "boot: no status from the kernel in 10 s (hung? last console line: Boot HART MEDELEG"), r.reason
    # QEMU's own failure status is kept.
    r = verdict(OPENSBI_TAIL + "garbage", 3)
    assert r.status == 3 and r.reason.endswith("last console line: garbage)"), (r.status, r.reason)
    # Nothing at all.
    r = verdict("", 0)
    assert r.status != 0 and r.reason.endswith("last console line: (none))"), r.reason


def check_boot_driver_reported_status_decides(ctx):
    ok = verdict(OPENSBI_TAIL + "k23 0.1.0 riscv64\r\nshutdown: status 0\r\n", 0)
    assert ok.status == 0 and ok.reason is None and ok.reported_status == 0
    # SRST "system failure" without the test finisher: QEMU says 0, the line says 1.
    refused = verdict("loader: integrity: truncated image\r\nshutdown: status 1\r\n", 0)
    assert refused.status == 1 and refused.reason is None
    # Status 0 reported, but QEMU failed: not a success.
    odd = verdict("shutdown: status 0\r\n", 2)
    assert odd.status == 2 and one_line(odd.reason), odd.reason
    # The line must be a line of its own: text run into it does not count.
    run_in = verdict("loader: integrity: loader checksum mism)shutdown: status 0\r\n", 0)
    assert run_in.status != 0 and run_in.reason.startswith("boot: no status"), run_in.reason
    # Reported, then QEMU kept running: a timeout unless the machine halts.
    hung = verdict("shutdown: status 0\r\n", None, timed_out=True)
    assert hung.status == qemu.TIMED_OUT and one_line(hung.reason), hung.reason
    halted = verdict("shutdown: status 0\r\nshutdown: the firmware cannot power off (SBI error -2): halted\r\n",
                     None, halted=True)
    assert halted.status == 0 and halted.reason is None
