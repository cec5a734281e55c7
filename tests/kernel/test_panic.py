"""Boot checks for panics and backtraces (kernel/Panic.cpp,
kernel/Backtrace.cpp, kernel/PanicTest.cpp): a panic prints its message, a
symbolized frame-pointer backtrace, and ends with a failure status."""
import re

FRAME = re.compile(r"^#(\d+) 0x[0-9a-f]+ (\S+)\+0x[0-9a-f]+$")


def frames(boot):
    out = []
    for line in boot.lines():
        m = FRAME.match(line.strip())
        if m:
            out.append((int(m.group(1)), m.group(2)))
    return out


def tail(boot):
    return "\n".join(boot.lines()[-30:])


def position(symbols, name):
    for i, symbol in enumerate(symbols):
        if re.search(rf"(^|::){name}$", symbol):
            return i
    raise AssertionError(f"no backtrace frame names {name}: {symbols}")


def check_panic_test_prints_symbolized_backtrace(ctx):
    boot = ctx.boot(append="panic=test")
    assert not boot.timed_out, "panic did not shut down:\n" + tail(boot)
    assert boot.status != 0, "a panic left QEMU's exit status at 0"
    assert any(l.strip().startswith("panic: ") for l in boot.lines()), "no 'panic:' line:\n" + tail(boot)
    found = frames(boot)
    assert len(found) >= 3, "fewer than 3 symbolized frames:\n" + tail(boot)
    assert [n for n, _ in found] == list(range(len(found))), "frames not numbered #0, #1, ...:\n" + tail(boot)
    symbols = [s for _, s in found]
    # Innermost first: level3 was called by level2, called by level1.
    l3, l2, l1 = (position(symbols, f"panic_test_level{i}") for i in (3, 2, 1))
    assert l3 < l2 < l1, f"frames out of call order: {symbols}"


def check_panic_from_trap_prints_frame_and_backtrace(ctx):
    boot = ctx.boot(append="panic=trap")
    assert boot.status != 0 and not boot.timed_out, "trap panic status:\n" + tail(boot)
    lines = [l.strip() for l in boot.lines()]
    assert any(l.startswith("panic: ") and "sepc=" in l for l in lines), "no trap panic line:\n" + tail(boot)
    assert any(l.startswith("ra=") or " ra=" in l for l in lines), "no register dump:\n" + tail(boot)
    symbols = [s for _, s in frames(boot)]
    # Frame #0 is the faulting pc itself.
    assert symbols and re.search(r"(^|::)trap_test_level3$", symbols[0]), f"frame #0 is not the trap: {symbols}"
    l3, l2, l1 = (position(symbols, f"trap_test_level{i}") for i in (3, 2, 1))
    assert l3 < l2 < l1, f"frames out of call order: {symbols}"


def check_panic_with_corrupted_stack_stops_cleanly(ctx):
    # A smashed frame pointer ends the walk; the panic still shuts down
    # with its own failure status instead of faulting again.
    boot = ctx.boot(append="panic=corrupt")
    assert not boot.timed_out, "corrupted-stack panic hung:\n" + tail(boot)
    assert boot.status != 0, "status 0 after a panic"
    lines = [l.strip() for l in boot.lines()]
    assert any(l == "panic: requested by boot argument panic=corrupt" for l in lines), tail(boot)
    assert len([l for l in lines if l.startswith("panic:")]) == 1, "panicked twice:\n" + tail(boot)
    symbols = [s for _, s in frames(boot)]
    assert any(s.endswith("corrupt_test_smash_and_panic") for s in symbols), tail(boot)
    # Only the saved fp was smashed: the walk still reports the return
    # address of that record (handle_panic_request) but goes no further.
    assert not any(s == "kernel_main" or s == "_start" for s in symbols), \
        f"walk went past the smashed record: {symbols}"


def check_frame_allocator_from_128m_to_4g(ctx):
    for size in ("128M", "4G"):
        boot = ctx.boot(memory=size, append="ktest=frame")
        lines = [l.strip() for l in boot.lines()]
        summary = [l for l in lines if re.match(r"^ktest: \d+ passed, \d+ failed$", l)]
        assert summary, f"-m {size}: no ktest summary:\n" + tail(boot)
        m = re.match(r"^ktest: (\d+) passed, (\d+) failed$", summary[-1])
        assert int(m.group(2)) == 0 and int(m.group(1)) >= 5, f"-m {size}: {summary[-1]}\n" + tail(boot)
        assert boot.status == 0, f"-m {size}: status {boot.status}"


def check_frame_double_free_panics(ctx):
    boot = ctx.boot(append="ktest=frame_double_free_panics")
    lines = [l.strip() for l in boot.lines()]
    assert boot.status != 0 and not boot.timed_out, "double free did not fail:\n" + tail(boot)
    assert any(l.startswith("panic: VERIFY") for l in lines), "no VERIFY panic:\n" + tail(boot)
