"""Boot check for the boot-cost measurement: the loader reads rdinstret first
thing and hands it over in BootInfo.loader_entry_instret; kernel_main reads it
again and prints `boot: N instructions from loader entry to kernel main`.
Under `-icount shift=0` the count is exact (DESIGN.md, Platform facts)."""
import re

BOOT_LINE = re.compile(r"^boot: (\d+) instructions from loader entry to kernel main$")


def instructions(boot):
    counts = [int(m.group(1)) for m in (BOOT_LINE.match(l.strip()) for l in boot.lines()) if m]
    tail = "\n".join(boot.lines()[-15:])
    assert len(counts) == 1, f"expected one 'boot: N instructions ...' line, got {len(counts)}:\n{tail}"
    assert boot.status == 0, f"-icount boot exited with status {boot.status}:\n{tail}"
    return counts[0]


def check_boot_instruction_count_under_icount(ctx):
    # Two boots: different KASLR bases (rng-seed is fresh every boot), and
    # with an exact instruction count the same path length. KASLR only picks
    # a slot, so the count should not move; allow 0.1% in case a later
    # change makes the path depend on the random bytes.
    first = instructions(ctx.boot(extra=["-icount", "shift=0"]))
    second = instructions(ctx.boot(extra=["-icount", "shift=0"]))
    for n in (first, second):
        assert 0 < n < 10**9, f"implausible boot instruction count {n}"
    assert abs(first - second) <= first // 1000, f"boot instruction counts differ: {first} vs {second}"
