"""A guest's stdin inside the kernel (issue 14 items 1 and 3;
kernel/ConsoleInput.h, kernel/WasiRun.cpp, tools/driver/qemu.py's
InputFeed), through the driver's command line: `./k23 run`'s stdin reaches
the first guest's fd 0 byte for byte (DLE bytes and the driver's own
end-of-input escape among them) and its end is the guest's end of file;
stdin at /dev/null is end of file at once; the other guests of a run read
end of file; a guest waiting on an empty console is off the hart while
another guest runs."""
import importlib.util
import os
import re
import select
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _load(name):
    spec = importlib.util.spec_from_file_location(f"k23_stdin_{name}", os.path.join(HERE, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = _load("test_run")      # Runner, with_runner
sched = _load("test_sched")  # COUNT, lines_of
with_runner = run.with_runner

# Copies stdin to stdout until end of file, reading at most 7 bytes at a
# time (so a longer input takes many reads); traps on any errno.
CAT = """
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (local $n i32)
    (loop $more
      (i32.store (i32.const 0) (i32.const 1024))
      (i32.store (i32.const 4) (i32.const 7))
      (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)) (then unreachable))
      (local.set $n (i32.load (i32.const 16)))
      (if (local.get $n)
        (then
          (i32.store (i32.const 4) (local.get $n))
          (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)) (then unreachable))
          (br $more))))))
"""


def run_binary(r, arguments, data):
    proc = subprocess.run(r.command(arguments), cwd=r.tmpdir, input=data, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


@with_runner
def check_run_stdin_reaches_the_guest_byte_for_byte(r):
    """The issue's `echo -n 'hello\\x10world' | ./k23 run cat.wasm`, then
    every byte value, DLE D (the driver's end-of-input escape) and DLE DLE
    in the data: the guest copies exactly what came in and ends at the
    input's end."""
    cat = r.wat("cat", CAT)
    status, out, err = run_binary(r, [cat], b"hello\x10world")
    assert (status, out, err) == (0, b"hello\x10world", b""), (status, out, err)
    data = bytes(range(256)) + b"\x10D\x10\x10\x10" + bytes(range(255, -1, -1)) + b"\r\n\x04end"
    status, out, err = run_binary(r, [cat], data)
    assert (status, out, err) == (0, data, b""), (status, out[:80], err)


@with_runner
def check_run_stdin_at_dev_null_is_end_of_file(r):
    """No input: the first read is end of file, the guest ends, no hang."""
    status, out, err = r.run([r.wat("cat", CAT)], timeout=120)
    assert (status, out, err) == (0, "", ""), (status, out, err)


@with_runner
def check_run_only_the_first_guest_reads_stdin(r):
    """With --also, the input is the first guest's; the other reads end of
    file at once and ends with nothing to copy."""
    cat = r.wat("cat", CAT)
    other = r.wat("other", CAT)
    status, out, err = r.run([cat, "--also", other], input=b"line one\nline two\n")
    assert status == 0, (status, out, err)
    assert sched.lines_of(out, "[cat.wasm] ") == ["line one", "line two"], out
    assert sched.lines_of(out, "[other.wasm] ") == [], out


@with_runner
def check_run_guest_waiting_on_an_empty_console_lets_another_run(r):
    """The reader is first and its stdin stays open and empty: the other
    guest runs to its end meanwhile; the reader sits on the console past
    that for a second and a half more, yet the kernel's account of its time
    on the hart stays well under it (a busy wait would keep it there); then
    a line arrives, stdin closes, the reader copies the line and ends."""
    cat = r.wat("cat", CAT)
    count = r.wat("count", sched.COUNT)
    proc = subprocess.Popen(r.command(["--verbose", cat, "--also", count]), cwd=r.tmpdir, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        seen = b""
        deadline = time.monotonic() + 240
        while b"[count.wasm] step 3" not in seen:
            ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(proc.stdout.fileno(), 65536) if ready else b""
            assert chunk, f"the other guest did not finish while the reader waited: {seen[-2000:]!r}"
            seen += chunk
        time.sleep(1.5)
        assert proc.poll() is None, "the run ended before its stdin did"
        rest, err = proc.communicate(b"typed\n", timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = (seen + rest).decode(errors="replace")
    assert proc.returncode == 0, (proc.returncode, out, err)
    assert sched.lines_of(out, "[cat.wasm] ") == ["typed"], out
    assert sched.lines_of(out, "[count.wasm] ") == ["step 1", "step 2", "step 3"], out
    m = re.search(r"^run: " + re.escape(cat) + r": exit status 0, (\d+) ms on the hart \(\d+ ticks\), \d+ instructions, "
                  r"\d+ turns, \d+ preempted, (\d+) waits\r?$", out, re.M)
    assert m, out
    assert int(m.group(1)) < 1000 and int(m.group(2)) >= 1, m.group(0)
