"""k23-run end to end (riscv64-linux ring): hand-written WAT commands for
WASI output, exit status, traps, malformed modules, preopens and the CPU
feature options. Each check_NAME(ctx) gets a tools/driver/hosted.py
HostedContext; fail with assert."""
import os
import re
import subprocess

HELLO = """
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello, world\\n")
  (data (i32.const 64) "to stderr\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 13))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 10))
    (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))))
"""

EXIT3 = """
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "bye\\n")
  (func $inner
    (call $exit (i32.const 3))
    unreachable)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 4))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $inner)
    unreachable))
"""

TRAP = """
(module
  (memory (export "memory") 1)
  (func $boom (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then unreachable))
    (local.get 0))
  (func (export "_start")
    (drop (call $boom (i32.const 0)))))
"""

DIVIDE = """
(module
  (memory (export "memory") 1)
  (func $divide (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "_start")
    (drop (call $divide (i32.const 7) (i32.const 0)))))
"""

# Exits with argc * 10 + environ count.
ARGS = """
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $args (i32.const 0) (i32.const 4)))
    (drop (call $env (i32.const 8) (i32.const 12)))
    (call $exit (i32.add (i32.mul (i32.load (i32.const 0)) (i32.const 10)) (i32.load (i32.const 8))))))
"""

# Prints argv[1] (the string args_get wrote, up to its NUL) and a newline.
ECHO_ARG = """
(module
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 40) "\\n")
  (func (export "_start") (local $p i32) (local $n i32)
    (drop (call $args_get (i32.const 100) (i32.const 1024)))
    (local.set $p (i32.load (i32.const 104)))
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $scan)))
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (local.get $n))
    (i32.store (i32.const 8) (i32.const 40))
    (i32.store (i32.const 12) (i32.const 1))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 16)))))
"""

# Reads input.txt from the preopen (fd 3) and copies it to stdout, after
# checking that "../escape.txt" is refused with ENOTCAPABLE (76).
CAT = """
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "input.txt")
  (data (i32.const 200) "../escape.txt")
  (func (export "_start") (local $e i32)
    (local.set $e (call $path_open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 13)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 300)))
    (if (i32.ne (local.get $e) (i32.const 76))
      (then (call $exit (i32.add (i32.const 100) (local.get $e)))))
    (local.set $e (call $path_open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 9)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 300)))
    (if (local.get $e) (then (call $exit (local.get $e))))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 4096))
    (drop (call $fd_read (i32.load (i32.const 300)) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 4) (i32.load (i32.const 8)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 12)))))
"""

# fd_write with an iovec past the end of memory: EFAULT (21), no crash.
BAD_POINTER = """
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 65530))
    (i32.store (i32.const 4) (i32.const 100))
    (call $exit (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"""

# An unimplemented preview1 import links to an ENOSYS (52) stub.
NOSYS = """
(module
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $exit (call $accept (i32.const 0) (i32.const 0) (i32.const 0)))))
"""

BENCH = """
(module
  (import "bench" "start" (func $start))
  (import "bench" "end" (func $end))
  (memory (export "memory") 1)
  (func (export "_start") (call $start) (call $end)))
"""


def offset_of(wasm, mnemonic, function):
    """The wasm offset of the first `mnemonic` in `function` (wasm-objdump -d)."""
    out = subprocess.run(["wasm-objdump", "-d", wasm], stdout=subprocess.PIPE, text=True, check=True).stdout
    inside = False
    for line in out.splitlines():
        if re.match(r"^[0-9a-f]+ func\[\d+\] <", line):
            inside = f"<{function}>" in line
            continue
        m = re.match(r"^\s*([0-9a-f]+):.*\|\s*(\S+)", line)
        if inside and m and m.group(2) == mnemonic:
            return int(m.group(1), 16)
    raise AssertionError(f"no {mnemonic} in {function} of {wasm}")


def check_hello_world(ctx):
    status, out, err = ctx.run([ctx.wat("hello", HELLO)])
    assert (status, out, err) == (0, "hello, world\n", "to stderr\n"), (status, out, err)


def check_proc_exit_status(ctx):
    status, out, err = ctx.run([ctx.wat("exit3", EXIT3)])
    assert (status, out, err) == (3, "bye\n", ""), (status, out, err)


def check_trap_line_and_status(ctx):
    wasm = ctx.wat("trap", TRAP)
    status, out, err = ctx.run([wasm])
    expected = f"trap: unreachable in boom at wasm offset {offset_of(wasm, 'unreachable', 'boom'):#x}\n"
    assert (status, err) == (134, expected), (status, err, expected)


def check_divide_by_zero_trap(ctx):
    wasm = ctx.wat("divide", DIVIDE)
    status, out, err = ctx.run([wasm])
    expected = f"trap: integer divide by zero in divide at wasm offset {offset_of(wasm, 'i32.div_s', 'divide'):#x}\n"
    assert (status, err) == (134, expected), (status, err, expected)


def check_malformed_module(ctx):
    path = os.path.join(ctx.tmpdir, "bad.wasm")
    with open(path, "wb") as f:
        f.write(b"\0asm\x01\0\0\0\x01\x05\x01\x60")  # type section cut short
    status, out, err = ctx.run([path])
    assert status == 1, (status, err)
    assert err.count("\n") == 1 and re.fullmatch(re.escape(f"k23-run: {path}: ") + r".+ at offset 0x[0-9a-f]+\n", err), err
    path = os.path.join(ctx.tmpdir, "notwasm.wasm")
    with open(path, "wb") as f:
        f.write(b"hello")
    status, out, err = ctx.run([path])
    assert status == 1 and err.startswith(f"k23-run: {path}: ") and "at offset 0x" in err, (status, err)


def check_param_count_over_limit(ctx):
    # Issue 11 item 1: a function type with 40,000 i64 params was accepted
    # (jit/Abi.h relies on at most 1000); now one line and status 1.
    def leb(n):
        out = bytearray()
        while True:
            byte, n = n & 0x7f, n >> 7
            out.append(byte | (0x80 if n else 0))
            if not n:
                return bytes(out)

    def section(ident, contents):
        return bytes([ident]) + leb(len(contents)) + contents

    types = b"\x01\x60" + leb(40000) + b"\x7e" * 40000 + b"\x00"
    module = (b"\0asm\x01\0\0\0" + section(1, types) + section(3, b"\x01\x00")
              + section(10, b"\x01\x02\x00\x0b"))
    path = os.path.join(ctx.tmpdir, "params40000.wasm")
    with open(path, "wb") as f:
        f.write(module)
    status, out, err = ctx.run([path])
    assert status == 1, (status, err)
    offset = 8 + 1 + len(leb(len(types))) + 2  # the param count, after 0x60
    expected = (f"k23-run: {path}: param count 40000 exceeds the limit of 1000 (limit exceeded)"
                f" at offset {offset:#x}\n")
    assert err == expected, (err, expected)


def check_missing_file_and_usage(ctx):
    status, out, err = ctx.run([os.path.join(ctx.tmpdir, "nope.wasm")])
    assert status == 1 and "No such file" in err, (status, err)
    status, out, err = ctx.run(["--bogus"])
    assert status == 2, (status, err)
    status, out, err = ctx.run([])
    assert status == 2, (status, err)


def check_unknown_import_is_a_link_error(ctx):
    wasm = ctx.wat("unknown", '(module (import "env" "nope" (func)) (func (export "_start")))')
    status, out, err = ctx.run([wasm])
    assert status == 1 and "unknown import env.nope" in err, (status, err)


def check_args_and_environ(ctx):
    status, _, err = ctx.run(["--env", "A=1", "--env", "B=2", "--env", "C=", ctx.wat("args", ARGS), "x", "y"])
    assert status == 33, (status, err)
    status, out, err = ctx.run([ctx.wat("echo", ECHO_ARG), "héllo wörld"])
    assert (status, out) == (0, "héllo wörld\n"), (status, out, err)


def check_preopen_read_and_escape(ctx):
    work = os.path.join(ctx.tmpdir, "cat")
    os.makedirs(os.path.join(work, "inner"), exist_ok=True)
    with open(os.path.join(work, "inner", "input.txt"), "w") as f:
        f.write("contents of input.txt\n")
    with open(os.path.join(work, "escape.txt"), "w") as f:
        f.write("must not be readable\n")
    wasm = ctx.wat("cat", CAT)
    status, out, err = ctx.run(["--dir", "inner", wasm], cwd=work)
    assert (status, out) == (0, "contents of input.txt\n"), (status, out, err)
    status, out, err = ctx.run(["--dir", os.path.join(work, "inner") + "::/data", wasm])
    assert (status, out) == (0, "contents of input.txt\n"), (status, out, err)
    status, out, err = ctx.run(["--dir", os.path.join(work, "missing"), wasm])
    assert status == 1 and "missing" in err, (status, err)


def check_bad_guest_pointer_is_efault(ctx):
    status, out, err = ctx.run([ctx.wat("badptr", BAD_POINTER)])
    assert status == 21, (status, out, err)


def check_unimplemented_wasi_is_enosys(ctx):
    status, out, err = ctx.run([ctx.wat("nosys", NOSYS)])
    assert status == 52, (status, out, err)


def check_bench_markers(ctx):
    status, out, err = ctx.run([ctx.wat("bench", BENCH)])
    assert (status, out, err) == (0, "", ""), (status, out, err)


def check_print_isa(ctx):
    status, out, err = ctx.run(["--print-isa"])
    assert status == 0, (status, err)
    isa = out.split()[0]
    base = isa.split("_")[0]
    assert base.startswith("rv64imafdc") and "v" in base[len("rv64"):], out
    assert "_zba" in isa and "_zbb" in isa and "_zbs" in isa, out
    status, out, err = ctx.run(["--print-isa"], vlen=0)  # a hart without V
    assert status == 0 and "v" not in out.split()[0].split("_")[0][len("rv64"):], out
    status, out, err = ctx.run(["--isa", "rv64gc", "--print-isa"])
    assert status == 0, (status, err)
    assert out.split()[0].split("_")[0] == "rv64imafdc" and "(--isa)" in out, out
    status, out, err = ctx.run(["--isa", "rv32gc", "--print-isa"])
    assert status == 2, (status, out, err)


def check_isa_override_still_runs(ctx):
    status, out, err = ctx.run(["--isa", "rv64gc", ctx.wat("hello", HELLO)])
    assert (status, out) == (0, "hello, world\n"), (status, out, err)


RECURSE = """
(module
  (memory (export "memory") 1)
  (func $forever (param i32) (result i32)
    (i32.add (call $forever (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "_start") (drop (call $forever (i32.const 0)))))
"""

OUT_OF_BOUNDS = """
(module
  (memory (export "memory") 1)
  (func $poke (param i32) (i32.store (local.get 0) (i32.const 1)))
  (func (export "_start") (call $poke (i32.const 65534))))
"""

# memory.fill / memory.copy past the end (0 + 16 > 65536 - 8): the trap
# names the function and the instruction's offset (the inline bounds check
# is a trap site).
BULK_OUT_OF_BOUNDS = """
(module
  (memory (export "memory") 1)
  (func $OP (param i32) (memory.OP (local.get 0) (i32.const 0) (i32.const 16)))
  (func (export "_start") (call $OP (i32.const 65528))))
"""

# Grows memory, writes into the new page and prints from there: WASI sees
# the grown memory.
GROW = """
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (memory.grow (i32.const 2)))
    (i32.store (i32.const 100000) (i32.const 0x0a6b6f))  ;; "ok\\n"
    (i32.store (i32.const 0) (i32.const 100000))
    (i32.store (i32.const 4) (i32.const 3))
    (call $exit (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"""


def check_stack_exhaustion_traps(ctx):
    wasm = ctx.wat("recurse", RECURSE)
    status, out, err = ctx.run([wasm])
    assert status == 134 and re.fullmatch(r"trap: call stack exhausted in forever at wasm offset 0x[0-9a-f]+\n", err), (status, err)


def check_out_of_bounds_store_traps(ctx):
    wasm = ctx.wat("oob", OUT_OF_BOUNDS)
    status, out, err = ctx.run([wasm])
    expected = f"trap: out of bounds memory access in poke at wasm offset {offset_of(wasm, 'i32.store', 'poke'):#x}\n"
    assert (status, err) == (134, expected), (status, err, expected)


def check_out_of_bounds_memory_fill_and_copy_trap_at_their_offset(ctx):
    for op in ("fill", "copy"):
        wasm = ctx.wat(f"bulk_oob_{op}", BULK_OUT_OF_BOUNDS.replace("OP", op))
        status, out, err = ctx.run([wasm])
        expected = (f"trap: out of bounds memory access in {op} at wasm offset "
                    f"{offset_of(wasm, 'memory.' + op, op):#x}\n")
        assert (status, err) == (134, expected), (status, err, expected)


def check_wasi_sees_grown_memory(ctx):
    status, out, err = ctx.run([ctx.wat("grow", GROW)])
    assert (status, out) == (0, "ok\n"), (status, out, err)


def run_driver(ctx, arguments, cwd):
    proc = subprocess.run([os.path.join(ctx.root, "k23"), "run", "--hosted"] + arguments, cwd=cwd,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=300)
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def check_driver_run_hosted(ctx):
    """`./k23 run --hosted` passes the arguments and the exit status through."""
    noop = os.path.join(os.path.dirname(ctx.root), "shared", "workloads", "sightglass", "noop")
    if os.path.isdir(noop):
        status, out, err = run_driver(ctx, ["--dir", ".", "benchmark.wasm"], noop)
        with open(os.path.join(noop, "benchmark.stdout.expected")) as f:
            assert (status, out) == (0, f.read()), (status, out, err[-500:])
    status, out, err = run_driver(ctx, [ctx.wat("exit3", EXIT3)], ctx.tmpdir)
    assert (status, out) == (3, "bye\n"), (status, out, err[-500:])
    status, out, err = run_driver(ctx, ["--isa", "rv64gc", ctx.wat("trap", TRAP)], ctx.tmpdir)
    assert status == 134 and "trap: unreachable in boom" in err, (status, err[-500:])
    status, out, err = run_driver(ctx, ["--env", "A=1", ctx.wat("args", ARGS), "x"], ctx.tmpdir)
    assert status == 21, (status, err[-500:])


# Copies stdin to stdout until end of file, then sleeps 20 ms with
# poll_oneoff and exits with the number of events it reported.
STDIN_ECHO = """
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (block $eof
      (loop $copy
        (i32.store (i32.const 0) (i32.const 1024))
        (i32.store (i32.const 4) (i32.const 7))
        (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (br_if $eof (i32.eqz (i32.load (i32.const 8))))
        (i32.store (i32.const 4) (i32.load (i32.const 8)))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 12)))
        (br $copy)))
    ;; one relative monotonic clock subscription of 20 ms at 256
    (i64.store (i32.const 256) (i64.const 42))
    (i32.store8 (i32.const 264) (i32.const 0))
    (i32.store (i32.const 272) (i32.const 1))
    (i64.store (i32.const 280) (i64.const 20000000))
    (drop (call $poll (i32.const 256) (i32.const 512) (i32.const 1) (i32.const 600)))
    (if (i64.ne (i64.load (i32.const 512)) (i64.const 42)) (then (call $exit (i32.const 99))))
    (call $exit (i32.load (i32.const 600)))))
"""


def check_stdin_and_poll_oneoff(ctx):
    text = "line one\nline two, which is longer than the 7-byte buffer\n"
    status, out, err = ctx.run([ctx.wat("stdin", STDIN_ECHO)], stdin=text)
    assert (status, out) == (1, text), (status, out, err)


HOT_LOOP = """
(module
  (func $hot_loop (param $n i32) (result i32)
    (local $acc i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $n) (i32.const 3))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again)))
    (local.get $acc))
  (func (export "_start")
    (drop (call $hot_loop (i32.const 200000)))))
"""


def check_profile_names_jit_functions(ctx):
    # ./k23 profile --hosted: k23-run --perf-map writes /tmp/perf-PID.map, so
    # the counted instructions of JIT code are attributed to the wasm
    # function by name, and the hot loop is the top entry.
    wasm = ctx.wat("hot_loop", HOT_LOOP)
    proc = subprocess.run([os.path.join(ctx.root, "k23"), "profile", "--hosted", "--top", "3", wasm],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:]
    rows = [l for l in proc.stdout.splitlines() if re.match(r"^\s*\d+\.\d+%", l)]
    assert rows and re.search(r"\bjit\s+wasm:hot_loop$", rows[0]), proc.stdout[-2000:]
    share = float(rows[0].split("%")[0])
    assert share > 50.0, f"hot_loop has only {share}% of the instructions:\n{proc.stdout[-2000:]}"


# Runaway guests for --timeout (jit::Engine::interrupt): a loop that never
# exits, and an endless chain of tail calls (no stack growth, no loop).
SPIN = """
(module
  (memory (export "memory") 1)
  (func $spin (loop (br 0)))
  (func (export "_start") (call $spin)))
"""

PING_PONG = """
(module
  (memory (export "memory") 1)
  (func $ping (param i64) (return_call $pong (i64.add (local.get 0) (i64.const 1))))
  (func $pong (param i64) (return_call $ping (local.get 0)))
  (func (export "_start") (call $ping (i64.const 0))))
"""


def timed_run(ctx, arguments):
    import time
    start = time.monotonic()
    status, out, err = ctx.run(arguments, timeout=60)
    return status, out, err, time.monotonic() - start


def check_timeout_interrupts_a_loop(ctx):
    wasm = ctx.wat("spin", SPIN)
    status, out, err, seconds = timed_run(ctx, ["--timeout", "1", wasm])
    # In the loop: the baseline checks at its header, the optimized code
    # (OSR moves the loop there) at the branch back to it.
    expected = [f"trap: interrupted in spin at wasm offset {offset_of(wasm, op, 'spin'):#x}\n" for op in ("loop", "br")]
    assert status == 134 and err in expected, (status, err, expected)
    # Not a timing test: only that it was the timer, not something else.
    assert 1 <= seconds < 30, seconds


def check_timeout_interrupts_endless_tail_calls(ctx):
    wasm = ctx.wat("pingpong", PING_PONG, flags=["--enable-tail-call"])
    status, out, err, seconds = timed_run(ctx, ["--timeout", "0.5", wasm])
    assert status == 134 and re.fullmatch(r"trap: interrupted in p(ing|ong) at wasm offset 0x[0-9a-f]+\n", err), (status, err)
    assert 0.5 <= seconds < 30, seconds


def check_timeout_spares_a_guest_that_finishes(ctx):
    status, out, err = ctx.run(["--timeout", "30", ctx.wat("hello", HELLO)])
    assert (status, out, err) == (0, "hello, world\n", "to stderr\n"), (status, out, err)


def check_timeout_needs_positive_seconds(ctx):
    wasm = ctx.wat("hello", HELLO)
    for value in ["0", "-1", "abc", "1s", "nan"]:
        status, out, err = ctx.run(["--timeout", value, wasm])
        assert status == 2 and err.startswith(f"k23-run: --timeout {value}: "), (value, status, err)


def many_functions_module(count):
    """A module of `count` functions, each a chain of arithmetic long enough
    that the optimizing tier takes a while, all called three times by
    _start (hot at budget 1)."""
    body = "(local.get 0)\n" + "\n".join(f"      i32.const {k} i32.add i32.const 3 i32.mul" for k in range(60))
    funcs = "\n".join(f"  (func $f{i} (param i32) (result i32)\n{body})" for i in range(count))
    calls = "\n".join(f"    (drop (call $f{i} (i32.const {i})))" for i in range(count)) * 3
    return f"(module\n  (memory (export \"memory\") 1)\n{funcs}\n  (func (export \"_start\")\n{calls}))\n"


def check_exit_while_tier_up_compiles(ctx):
    """The guest returns while the background tier-up thread still compiles
    the functions it asked for (budget 1: every function, at its first
    call). k23-run must not free the module under that thread: this crashed
    once in the fresh-clone CI (VERIFY(index < m_size) after the last
    output line of shootout-keccak and blake3-scalar)."""
    wasm = ctx.wat("many_functions", many_functions_module(400))
    assert os.path.getsize(wasm) > 128 * 1024, os.path.getsize(wasm)  # hundreds of jobs: the guest ends long before the thread
    for attempt in range(12):
        status, out, err = ctx.run(["--tier", "auto", "--tier-budget", "1", wasm])
        assert (status, out, err) == (0, "", ""), (attempt, status, err[-300:])


# A command whose only hot loop is inline in _start: entered once, so only
# on-stack replacement moves it to optimized code. It exits with the low
# byte of acc = (acc * 31 + i) mod 2^32 over i < 300000.
def hot_start_module(iterations=300000):
    """A command whose only hot loop is in _start (it exits with a status
    hot_start_status computes): only on-stack replacement moves it."""
    return f"""
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (local $i i32) (local $acc i32)
    (loop $again
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const {iterations}))))
    (call $exit (i32.and (local.get $acc) (i32.const 255)))))
"""


HOT_START = hot_start_module()

TIER_UP_RE = re.compile(r"tier-up: (\d+) functions tiered up, (\d+) refused; .*OSR: (\d+) loop entries, (\d+) transfers")


def hot_start_status(iterations=300000):
    acc = 0
    for i in range(iterations):
        acc = (acc * 31 + i) & 0xffffffff
    return acc & 255


def check_hot_loop_in_start_moves_to_optimized_code(ctx):
    """OSR is on by default: _start's loop moves to its OSR entry (inline
    compile: deterministic), with --no-tier-up-osr it stays baseline; the
    same exit status every way, background compile included."""
    wasm = ctx.wat("hot_start", HOT_START)
    expected = hot_start_status()
    status, out, err = ctx.run(["--verbose", "--tier-up-compile", "inline", wasm])
    counts = TIER_UP_RE.search(err)
    assert status == expected and counts and counts.group(3, 4) == ("1", "1"), (status, expected, err)
    status, out, err = ctx.run(["--verbose", "--tier-up-compile", "inline", "--no-tier-up-osr", wasm])
    counts = TIER_UP_RE.search(err)
    assert status == expected and counts and counts.group(3, 4) == ("0", "0"), (status, expected, err)
    status, out, err = ctx.run([wasm])
    assert (status, err) == (expected, ""), (status, expected, err)


# _start calls $f twice: at budget 1 the second call runs f's budget out,
# the job goes to the background thread, and the guest returns at once.
TIER_UP_LAST = """
(module
  (memory (export "memory") 1)
  (func $f (param i32) (result i32)
    (i32.mul (i32.add (local.get 0) (i32.const 3)) (i32.const 7)))
  (func (export "_start")
    (drop (call $f (call $f (i32.const 1))))))
"""


def check_verbose_counts_tier_ups_finished_after_the_guest(ctx):
    """k23-run --verbose counts a background compile that finished after the
    guest's last helper call (it used to drain the thread without
    installing what finished: 0 functions tiered up)."""
    wasm = ctx.wat("tier_up_last", TIER_UP_LAST)
    for attempt in range(3):
        status, out, err = ctx.run(["--verbose", "--tier-budget", "1", wasm])
        counts = TIER_UP_RE.search(err)
        assert status == 0 and counts and counts.group(1, 2) == ("1", "0"), (attempt, status, err)
