"""The perf tooling's checks, in the host ring (tests perf.NAME): the
k23_icount QEMU plugin (tools/driver/perf.py, perf/plugin/) counts a loop of
known length exactly, in both of its counting modes, and its profile mode
(`./k23 profile`, tools/driver/guestprofile.py) attributes that loop to its
function. Each check_* function gets the host ring's context
(tools/driver/checks.py)."""
import os

import guestprofile
import perf
from common import ROOT, run

LOOP_SRC = os.path.join(ROOT, "perf", "tests", "loop.c")
LOOP_BIN = os.path.join(perf.PERF_BUILD, "loop")
# Derived from the asm in perf/tests/loop.c, not from a run: per region
# 1 (addi t0) + 3 x 1000 (addi, addi, bne); two such regions and one empty one;
# a fourth of 2 (addi, mv) around 1 + 3 x 100 paused ones; before the first,
# 1 + 3 x 50 paused ones.
REGION_FUNCTION = 2 * (1 + 3 * 1000)  # region(), called twice
LOOP_REGION = REGION_FUNCTION + 2
LOOP_REGIONS = 4
LOOP_PAUSED_IN_REGION = 1 + 3 * 100
LOOP_PAUSED_BEFORE_START = 1 + 3 * 50


def loop_built():
    """The plugin and build/perf/loop (a static riscv64 program), rebuilt
    when older than their sources."""
    perf.build_plugin()
    if perf.stale(LOOP_BIN, [LOOP_SRC]):
        run(["riscv64-linux-gnu-gcc", "-static", "-O2", LOOP_SRC, "-o", LOOP_BIN], quiet=True)
    return LOOP_BIN


def check_icount_loop(ctx):
    """The plugin's exact counts on a loop of known length, in both modes."""
    loop = loop_built()
    totals = {}
    for mode in ("tb", "insn"):
        status, out, err, counts = perf.count([loop], timeout=120, mode=mode)
        assert status == 0, f"mode {mode}: exit status {status}: {err.decode(errors='replace')}"
        assert out == b"loop 1000 1000\n", f"mode {mode}: output {out!r}"
        assert counts is not None, f"mode {mode}: the plugin wrote no counts"
        assert counts["region"] == LOOP_REGION, \
            f"mode {mode}: region {counts['region']}, expected {LOOP_REGION}"
        assert counts["regions"] == LOOP_REGIONS, \
            f"mode {mode}: regions {counts['regions']}, expected {LOOP_REGIONS}"
        paused = LOOP_PAUSED_IN_REGION + LOOP_PAUSED_BEFORE_START
        assert counts["total"] > LOOP_REGION + paused + 8, f"mode {mode}: total {counts['total']}"
        assert (counts["paused"], counts["paused_in_region"], counts["paused_before_start"]) == \
            (paused, LOOP_PAUSED_IN_REGION, LOOP_PAUSED_BEFORE_START), f"mode {mode}: {counts}"
        # The start-up: libc's start before main's first region, inside the total.
        assert LOOP_PAUSED_BEFORE_START < counts["first_start"] < counts["total"] - LOOP_REGION, \
            f"mode {mode}: first_start {counts['first_start']} of total {counts['total']}"
        totals[mode] = (counts["total"], counts["first_start"])
    assert totals["tb"] == totals["insn"], f"totals or start-ups differ between modes: {totals}"


def check_profile_loop(ctx):
    """Profile mode: the loops' instructions are attributed to region(), and the
    blocks' instructions add up to the same run's exact total."""
    loop = loop_built()
    status, by_function, total, _, counts = guestprofile.profile([loop], loop, timeout=120,
                                                                 quiet=True)
    assert status == 0, f"exit status {status}"
    assert counts and total == counts["total"], f"profile total {total} != count {counts}"
    assert counts["region"] == LOOP_REGION, f"region {counts['region']} with profiling on"
    body = by_function.get(("host", "region"), 0)
    assert REGION_FUNCTION <= body < REGION_FUNCTION + 100, \
        f"region() has {body} instructions, expected {REGION_FUNCTION} and its few others"
