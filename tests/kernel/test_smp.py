"""Boot checks for issue 18 item 4 (the SMP half): the boot hart may be any
hart; the others come up through SBI HSM (kernel/Smp.cpp) and report in,
checked from outside (the `smp:` line) and inside (KTEST
smp_every_hart_reported_in, tests/kernel/SmpTests.cpp)."""
import re

import uboot

SMP_LINE = re.compile(r"^smp: (\d+) harts online of (\d+) started, (\d+) usable in the device tree \(boot hart (\d+)\)$")
BANNER = re.compile(r"^k23 \S+ riscv64 \(hart (\d+),")
KTEST_SUMMARY = re.compile(r"^ktest: (\d+) passed, (\d+) failed$")


def lines(boot):
    return [l.strip() for l in boot.lines()]


def tail(boot, n=20):
    return "\n".join(lines(boot)[-n:])


def smp_line(boot, what):
    found = [m for m in map(SMP_LINE.match, lines(boot)) if m]
    assert len(found) == 1, f"{what}: expected one 'smp: ...' line, got {len(found)}:\n{tail(boot)}"
    return tuple(int(g) for g in found[0].groups())


def assert_ktests(boot, what, pattern_passed=None):
    out = lines(boot)
    summary = [m for m in map(KTEST_SUMMARY.match, out) if m]
    assert summary and summary[-1].group(2) == "0", f"{what}: {summary[-1].group(0) if summary else 'no ktest summary'}:\n{tail(boot)}"
    if pattern_passed:
        assert f"ktest: PASS {pattern_passed}" in out, f"{what}: {pattern_passed} did not pass:\n{tail(boot)}"
    assert boot.status == 0, f"{what}: status {boot.status} ({boot.reason})"


def check_smp8_every_hart_reports_in(ctx):
    boot = ctx.boot(append="ktest", smp=8, timeout=300)
    online, started, usable, boot_hart = smp_line(boot, "--smp 8")
    assert (online, started, usable) == (8, 8, 8), f"--smp 8: {online} online of {started} started, {usable} usable"
    banner = [m for m in map(BANNER.match, lines(boot)) if m]
    assert banner and int(banner[0].group(1)) == boot_hart, f"--smp 8: banner says hart {banner}, smp says {boot_hart}"
    assert_ktests(boot, "--smp 8", "smp_every_hart_reported_in")


def check_smp_boot_hart_not_zero_starts_the_others(ctx):
    # sifive_u: hart 0 is an E51 without an MMU (not usable); OpenSBI's boot
    # hart is whichever of harts 1..4 wins its lottery, and the kernel starts
    # the other three from there.
    boot = ctx.boot(append="ktest=smp", smp=5, machine="sifive_u", timeout=120)
    online, started, usable, boot_hart = smp_line(boot, "sifive_u --smp 5")
    assert 1 <= boot_hart <= 4 and (online, started, usable) == (4, 4, 4), \
        f"sifive_u --smp 5: boot hart {boot_hart}, {online} online of {started} started, {usable} usable"
    assert_ktests(boot, "sifive_u --smp 5", "smp_every_hart_reported_in")


def check_smp_after_uboot_bootefi(ctx):
    # After UEFI's ExitBootServices the harts are still OpenSBI's to start.
    boot = uboot.boot(ctx.image, "bootefi", append="ktest=smp", smp=4, timeout=240)
    online, started, usable, _ = smp_line(boot, "bootefi --smp 4")
    assert (online, started, usable) == (4, 4, 4), f"bootefi --smp 4: {online} online of {started} started, {usable} usable"
    assert_ktests(boot, "bootefi --smp 4", "smp_every_hart_reported_in")


def check_smp_vector_unit_per_hart_without_v(ctx):
    # --vlen 0: no hart has V; each must leave sstatus.VS off (the KTEST
    # compares every hart's VS with its cpu node).
    boot = ctx.boot(append="ktest=smp", smp=4, vlen=0, timeout=120)
    online, started, usable, _ = smp_line(boot, "--smp 4 --vlen 0")
    assert (online, started, usable) == (4, 4, 4)
    assert_ktests(boot, "--smp 4 --vlen 0", "smp_every_hart_reported_in")
