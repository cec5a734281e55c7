"""Several guests side by side inside the kernel, preempted round-robin
(issue 14 item 3; kernel/Scheduler.h, kernel/WasiRun.h), through the
driver's command line: `./k23 run A.wasm --also B.wasm`, --timeout killing
a guest that loops forever while the other finishes, a poll_oneoff sleep
that gives the hart away, and `./k23 run` without a file (the default
program)."""
import importlib.util
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))


def _load(name):
    spec = importlib.util.spec_from_file_location(f"k23_sched_{name}", os.path.join(HERE, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = _load("test_run")            # Runner, with_runner
with_runner = run.with_runner
hosted = run.hosted                 # HELLO

PRINT = """
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
"""

# One line, then a loop that never ends and never calls the kernel.
LOOP_FOREVER = """
(module""" + PRINT + """
  (data (i32.const 64) "looping\\n")
  (func (export "_start")
    (call $print (i32.const 64) (i32.const 8))
    (loop $forever (br $forever))))
"""

# Sums 1..N (N = 3,000,000) in a loop, printing a line every 1,000,000:
# its lines are right only if it ran to its end.
COUNT = """
(module""" + PRINT + """
  (data (i32.const 64) "step 1\\nstep 2\\nstep 3\\n")
  (func (export "_start")
    (local $i i64) (local $sum i64) (local $line i32)
    (loop $next
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (local.set $sum (i64.add (local.get $sum) (local.get $i)))
      (if (i64.eqz (i64.rem_u (local.get $i) (i64.const 1000000)))
        (then
          (call $print (i32.add (i32.const 64) (i32.mul (local.get $line) (i32.const 7))) (i32.const 7))
          (local.set $line (i32.add (local.get $line) (i32.const 1)))))
      (br_if $next (i64.lt_u (local.get $i) (i64.const 3000000))))
    ;; 1 + ... + 3,000,000 = 4,500,001,500,000
    (if (i64.ne (local.get $sum) (i64.const 4500001500000)) (then unreachable))))
"""

# A two-second nap in poll_oneoff (a relative monotonic clock), a line
# before and after.
NAP = """
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))""" + PRINT + """
  (data (i32.const 64) "nap start\\nnap end\\n")
  (func (export "_start")
    (call $print (i32.const 64) (i32.const 10))
    (i64.store (i32.const 256) (i64.const 1))
    (i32.store8 (i32.const 264) (i32.const 0))
    (i32.store (i32.const 272) (i32.const 1))
    (i64.store (i32.const 280) (i64.const 2000000000))
    (i64.store (i32.const 288) (i64.const 0))
    (i32.store16 (i32.const 296) (i32.const 0))
    (drop (call $poll (i32.const 256) (i32.const 320) (i32.const 1) (i32.const 360)))
    (call $print (i32.const 74) (i32.const 8))))
"""


def lines_of(out, prefix):
    return [line[len(prefix):] for line in out.splitlines() if line.startswith(prefix)]


@with_runner
def check_run_two_guests_one_looping_forever_killed_by_timeout(r):
    """The looping guest has the hart first and never gives it up; the
    timer preempts it, the other guest runs to its end with its exact
    output, and --timeout kills the looping one (status 124, the first
    guest's, with one line on its stderr)."""
    loop = r.wat("loop", LOOP_FOREVER)
    count = r.wat("count", COUNT)
    status, out, err = r.run(["--timeout", "6", loop, "--also", count], timeout=240)
    assert status == 124, (status, out, err)
    assert lines_of(out, "[count.wasm] ") == ["step 1", "step 2", "step 3"], out
    assert lines_of(out, "[loop.wasm] ") == ["looping"], out
    assert set(line.split("] ")[0] for line in out.splitlines()) == {"[count.wasm", "[loop.wasm"}, out
    assert err == f"[loop.wasm] run: {loop}: killed: time is up (--timeout 6000 ms)\n", err
    # The exit status is the first guest's: the finished one first, 0.
    status, out, err = r.run(["--timeout", "6", count, "--also", loop], timeout=240)
    assert status == 0 and lines_of(out, "[count.wasm] ") == ["step 1", "step 2", "step 3"], (status, out, err)
    assert "killed: time is up" in err, err


@with_runner
def check_run_one_guest_output_unprefixed_and_timeout_kills_it(r):
    """One guest: its output exactly, as before; --timeout kills a loop."""
    status, out, err = r.run([r.wat("hello", hosted.HELLO)])
    assert (status, out, err) == (0, "hello, world\n", "to stderr\n"), (status, out, err)
    loop = r.wat("loop", LOOP_FOREVER)
    status, out, err = r.run(["--timeout", "2", loop], timeout=240)
    assert (status, out, err) == (124, "looping\n", f"run: {loop}: killed: time is up (--timeout 2000 ms)\n"), \
        (status, out, err)


@with_runner
def check_run_poll_oneoff_sleep_yields_the_hart(r):
    """A guest napping two seconds in poll_oneoff is off the hart meanwhile
    (a busy wait would keep it there for the whole nap): the kernel's
    account of its time on the hart (compiling included) stays well under
    the nap, and the
    other guest finishes with its output right."""
    nap = r.wat("nap", NAP)
    count = r.wat("count", COUNT)
    status, out, err = r.run(["--verbose", nap, "--also", count], timeout=240)
    assert status == 0, (status, out, err)
    assert lines_of(out, "[nap.wasm] ") == ["nap start", "nap end"], out
    assert lines_of(out, "[count.wasm] ") == ["step 1", "step 2", "step 3"], out
    m = re.search(r"^run: " + re.escape(nap) + r": exit status 0, (\d+) ms on the hart \(\d+ ticks\), \d+ instructions, "
                  r"\d+ turns, \d+ preempted, (\d+) waits\r?$", out, re.M)
    assert m, out
    assert int(m.group(1)) < 1000 and int(m.group(2)) >= 1, m.group(0)


@with_runner
def check_run_without_a_file_runs_the_default_program(r):
    """`./k23 run` with no file: the bundled guests side by side, each
    one's lines (values known independently: pi(x) for x = 1e5..4e5, the
    Fibonacci numbers), the spinner killed by its budget, the table of
    what each did, status 0."""
    status, out, err = r.run([], timeout=300)
    assert status == 0, (status, out, err)
    assert lines_of(out, "[primes] ") == ["primes below 100000: 9592", "primes below 200000: 17984",
                                          "primes below 300000: 25997", "primes below 400000: 33860"], out
    assert lines_of(out, "[fib] ") == ["fib(20) = 6765", "fib(25) = 75025", "fib(30) = 832040"], out
    assert lines_of(out, "[sleeper] ") == [f"woke from nap {i}" for i in range(1, 5)], out
    assert lines_of(out, "[spinner] ") == ["spinning forever"], out
    assert err == "[spinner] run: spinner: killed: used up its CPU budget of 300 ms\n", err
    rows = {line.split()[0]: line for line in out.splitlines()
            if line.split() and line.split()[0] in ("primes", "fib", "sleeper", "spinner")}
    assert sorted(rows) == ["fib", "primes", "sleeper", "spinner"], out
    for name in ("primes", "fib", "sleeper"):
        assert "exit status 0" in rows[name], rows[name]
    assert "killed: 300 ms budget" in rows["spinner"], rows["spinner"]
    # cpu ms: the spinner ran at least its budget.
    assert int(rows["spinner"].split("budget")[1].split()[0]) >= 300, rows["spinner"]
    # --boot-only: just the boot, no default program.
    status, out, err = r.run(["--boot-only", "--verbose"], timeout=300)
    assert status == 0 and "[primes]" not in out, (status, out, err)


@with_runner
def check_run_bad_guests_beside_a_good_one(r):
    """Issue 14 item 6 with several guests: a malformed module and one that
    traps each get their one line and status, and the guest beside them
    runs to its end with its exact output. (A FILE.wasm that does not
    exist is refused by the driver before anything boots.)"""
    bad = os.path.join(r.tmpdir, "bad.wasm")
    with open(bad, "wb") as f:
        f.write(b"\0asm\x01\0\0\0\x01\x05\x01\x60")  # type section cut short
    trap = r.wat("trap", '(module (func (export "_start") unreachable))')
    count = r.wat("count", COUNT)
    status, out, err = r.run([bad, "--also", trap, "--also", count], timeout=240)
    assert status == 1, (status, out, err)  # the first guest's
    assert lines_of(out, "[count.wasm] ") == ["step 1", "step 2", "step 3"], (out, err)
    assert re.search(r"^\[bad\.wasm\] run: " + re.escape(bad) + r": .+ at offset 0x[0-9a-f]+$", err, re.M), err
    assert re.search(r"^\[trap\.wasm\] trap: unreachable", err, re.M), err
