"""./k23 bench's k23-kernel column and boot-to-first-guest figure, in the
host ring (tests bench.NAME): how the driver reads the kernel's console
(tools/driver/benchkernel.py), judges a kernel run (bench.judge) and shows
it (dashboard.py). The kernel side is exercised by the kernel ring's
./k23 run tests and by ./k23 bench itself."""
import bench
import benchkernel
import dashboard

# A console as the kernel prints it (CR LF, OpenSBI's banner before, the
# guest's frame already taken out by kernelrun.FrameDecoder).
CONSOLE = """OpenSBI v1.2\r
loader: instructions: entry and self-check 1127735, device tree and memory 1428639, signature 38020683, decompression 20578849, kernel load 1986492, page tables and boot info 92709\r
boot: 63814850 instructions from loader entry to kernel main\r
run: 12 timebase ticks in the guest, 3 system calls, 0 faults turned into traps, 5 pages committed on first touch\r
bench: 41020898 instructions between bench.start and bench.end (1 regions)\r
run: exit status 0\r
boot: 83892532 instructions from loader entry to the first guest instruction\r
boot: kernel phases: main to heap 2394900, console and harts 18322, initrd 17013599, to the first guest 650861\r
shutdown: status 0\r
"""


def check_kernel_console_figures(ctx):
    """Every figure the kernel prints is read exactly, phases by name."""
    f = benchkernel.parse_console(CONSOLE.split("\n"))
    assert f["region"] == 41020898 and f["regions"] == 1, f
    assert f["first_guest"] == 83892532 and f["to_main"] == 63814850, f
    assert f["status"] == 0, f
    assert f["loader_phases"] == {"entry and self-check": 1127735,
                                  "device tree and memory": 1428639, "signature": 38020683,
                                  "decompression": 20578849, "kernel load": 1986492,
                                  "page tables and boot info": 92709}, f["loader_phases"]
    assert f["kernel_phases"]["initrd"] == 17013599, f["kernel_phases"]
    assert sum(f["loader_phases"].values()) <= f["to_main"]


def check_kernel_console_missing_region(ctx):
    """A guest that never reached bench.end, or a line that is not the
    kernel's (a guest can print anything on stdout, but the frame keeps it
    out of these lines; a cut or garbled line must not count): no figure."""
    lines = ["bench: 12x instructions between bench.start and bench.end (1 regions)",
             "xbench: 5 instructions between bench.start and bench.end (1 regions)",
             "run: exit status 134"]
    f = benchkernel.parse_console(lines)
    assert f["region"] is None and f["first_guest"] is None and f["status"] == 134, f


class FakeWorkload:
    def __init__(self, name):
        self.name, self.source, self.base, self.expected = name, "sightglass", None, None

    def peers(self):
        return []

    def wasm2c_optional(self):
        return True


def _run(region, stdout="ok\n", **extra):
    r = {"ok": region is not None, "status": 0, "stdout": stdout, "stderr": "",
         "counts": None if region is None else {"region": region, "regions": 1}, "wall_s": 1.0}
    r.update(extra)
    return r


def check_kernel_column_judged(ctx):
    """k23-kernel is judged like a k23 tier: its count when it ran and printed
    what the others printed; a failure or a different output is a k23
    failure with its reason; a workload the column leaves out is a note
    with the reason, not a failure and not a silent blank."""
    cols = ["k23-baseline", "k23-kernel"]
    w = FakeWorkload("w")
    e = bench.judge(w, cols, {}, {("w", "k23-baseline"): _run(100),
                                  ("w", "k23-kernel"): _run(130)}, True)
    assert e["instructions"] == {"k23-baseline": 100, "k23-kernel": 130} and e["correct"], e
    e = bench.judge(w, cols, {}, {("w", "k23-baseline"): _run(100),
                                  ("w", "k23-kernel"): _run(130, stdout="other\n")}, True)
    assert e["instructions"]["k23-kernel"] is None and e["k23_failed"] == ["k23-kernel"], e
    timed_out = _run(None, ok=False, error="timed out after 180 s in the kernel")
    e = bench.judge(w, cols, {}, {("w", "k23-baseline"): _run(100),
                                  ("w", "k23-kernel"): timed_out}, True)
    assert "k23-kernel: timed out after 180 s in the kernel" in e["notes"], e
    assert not e["correct"], e
    # KERNEL_SKIP is empty today; a stand-in entry exercises the path.
    saved = dict(benchkernel.KERNEL_SKIP)
    benchkernel.KERNEL_SKIP["slow"] = "too slow in the kernel (stand-in)"
    try:
        skipped = benchkernel.run_workload(FakeWorkload("slow"), 10)
    finally:
        benchkernel.KERNEL_SKIP.clear()
        benchkernel.KERNEL_SKIP.update(saved)
    e = bench.judge(FakeWorkload("slow"), cols, {},
                    {("slow", "k23-baseline"): _run(100),
                     ("slow", "k23-kernel"): skipped}, True)
    assert e["correct"] and e["k23_failed"] == [], e
    assert e["instructions"]["k23-kernel"] is None, e
    assert any(n.startswith("k23-kernel: not run: too slow in the kernel") for n in e["notes"]), e


def check_kernel_quick_leaves_out_long_regions(ctx):
    """--quick runs k23-kernel only where the reference's region (its own,
    else k23-baseline's) is at most bench.KERNEL_QUICK_LIMIT; the rest get
    the reason. Without a reference or an entry, the workload runs."""
    limit = bench.KERNEL_QUICK_LIMIT
    ref = {"workloads": [
        {"name": "long", "instructions": {"k23-baseline": limit + 1, "k23-kernel": None}},
        {"name": "edge", "instructions": {"k23-baseline": limit + 5, "k23-kernel": limit}},
        {"name": "short", "instructions": {"k23-baseline": 5, "k23-kernel": 6}}]}
    why = bench.kernel_quick_skip("long", ref)
    assert why and why.startswith(f"--quick leaves it out ({limit + 1:,} instructions"), why
    assert bench.kernel_quick_skip("edge", ref) is None
    assert bench.kernel_quick_skip("short", ref) is None
    assert bench.kernel_quick_skip("new", ref) is None
    assert bench.kernel_quick_skip("long", None) is None
    e = bench.judge(FakeWorkload("long"), ["k23-baseline", "k23-kernel"], {},
                    {("long", "k23-baseline"): _run(limit + 1),
                     ("long", "k23-kernel"): {"peer": "k23-kernel", "ok": False, "skipped": True,
                                              "error": why}}, True)
    assert e["correct"] and f"k23-kernel: not run: {why}" in e["notes"], e
    # Written into the next reference, that entry keeps the workload out even
    # where k23-baseline alone is under the limit (no flip-flop between runs).
    again = {"workloads": [{"name": "slow", "notes": [f"k23-kernel: not run: {why}"],
                            "instructions": {"k23-baseline": 5, "k23-kernel": None}}]}
    assert bench.kernel_quick_skip("slow", again) == why


def check_kernel_column_dashboard(ctx):
    """The dashboard shows k23-kernel beside k23-baseline with the difference
    and why, the reason for a missing figure, boot to the first guest with
    its goal and phases, and reports a change in it."""
    def results(first_guest):
        return {"workloads": [
            {"name": "a", "source": "sightglass", "correct": True, "notes": [],
             "instructions": {"wasm2c": 90, "k23-baseline": 100000, "k23-kernel": 100802}},
            {"name": "b", "source": "sightglass", "correct": True,
             "notes": ["k23-kernel: not run: too slow in the kernel (system calls)"],
             "instructions": {"wasm2c": 90, "k23-baseline": 100, "k23-kernel": None}}],
            "compile_speed": {}, "settings": {},
            "boot": {"instructions_loader_to_main": 63814850,
                     "instructions_loader_to_first_guest": first_guest,
                     "phases": {"loader": {"signature": 38020683},
                                "kernel": {"initrd": 17013599}}}}
    md = dashboard.markdown(results(83892532), results(84000000), "old.json")
    assert "## Inside the OS: k23-kernel against k23-baseline" in md, md
    assert "| a | 100,000 | 100,802 | +802 | 1.0080× |  |" in md, md
    assert "| b | 100 | – | – | – | not run: too slow in the kernel (system calls) |" in md, md
    assert "system call" in md and "first touch" in md, md
    assert "to the first guest instruction (goal 50,000,000): 83,892,532" in md, md
    assert "loader phases: signature 38,020,683" in md, md
    assert ("| boot instructions_loader_to_first_guest | 84,000,000 | 83,892,532 (-0.13%) |"
            in md), md
