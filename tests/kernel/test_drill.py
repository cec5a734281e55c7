"""The 10,000-trapping-guests drill (issue 13 part 8) in a boot of its own.
drill_ten_thousand_trapping_guests (tests/kernel/DrillTests.cpp) is a manual
KTEST, so the boots that run every KTEST (the ring's own, sifive_u's,
U-Boot's) do not each spend one to two minutes on it; the kernel ring runs
it once, here."""


def check_drill_ten_thousand_trapping_guests(ctx):
    boot = ctx.boot(append="ktest=drill_ten_thousand_trapping_guests", timeout=900)
    lines = [line.strip() for line in boot.lines()]
    tail = "\n".join(lines[-15:])
    assert "ktest: PASS drill_ten_thousand_trapping_guests" in lines, f"the drill did not pass:\n{tail}"
    assert "ktest: 1 passed, 0 failed" in lines, f"not exactly the drill ran:\n{tail}"
    assert boot.status == 0, f"status {boot.status}:\n{tail}"
