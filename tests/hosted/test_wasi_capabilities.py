"""k23-run's WASI capabilities end to end (riscv64-linux ring): what the host
passes as stdio is a stream with stream rights only, whatever it is (a
directory, an append-mode log), and every call checks the descriptor's
rights. Each check is named after the hole it closed (issue 11 items 4-6)
and runs k23-run with real redirections, as a shell would."""
import os
import subprocess

from hosted import command, exit_status

PRELUDE = """
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $set_size (param i32 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_rights" (func $set_rights (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_allocate" (func $allocate (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  ;; exits with `code` unless `e` is ENOTCAPABLE (76)
  (func $expect_notcapable (param $e i32) (param $code i32)
    (if (i32.ne (local.get $e) (i32.const 76)) (then (call $exit (local.get $code)))))
"""

# Relative to fd 0: create a file, open one that is there, make a directory.
# Each must be ENOTCAPABLE; the exit status says which one was not.
STDIN_DIRECTORY = "(module" + PRELUDE + """
  (data (i32.const 100) "made.txt")
  (data (i32.const 120) "inside.txt")
  (data (i32.const 140) "madedir")
  (func (export "_start")
    (call $expect_notcapable (call $path_open (i32.const 0) (i32.const 0) (i32.const 100) (i32.const 8)
      (i32.const 1) (i64.const 0x40) (i64.const 0) (i32.const 0) (i32.const 300)) (i32.const 1))
    (call $expect_notcapable (call $path_open (i32.const 0) (i32.const 0) (i32.const 120) (i32.const 10)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 300)) (i32.const 2))
    (call $expect_notcapable (call $mkdir (i32.const 0) (i32.const 140) (i32.const 7)) (i32.const 3))))
"""

# Truncate, seek back, pwrite over, drop O_APPEND, allocate, take every
# right back: all ENOTCAPABLE on fd 1. Then one line that must be appended.
TRUNCATE_STDOUT = "(module" + PRELUDE + """
  (data (i32.const 100) "guest line\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 11))
    (call $expect_notcapable (call $set_size (i32.const 1) (i64.const 0)) (i32.const 1))
    (call $expect_notcapable (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 16)) (i32.const 2))
    (call $expect_notcapable (call $fd_pwrite (i32.const 1) (i32.const 0) (i32.const 1) (i64.const 0) (i32.const 16)) (i32.const 3))
    (call $expect_notcapable (call $set_flags (i32.const 1) (i32.const 0)) (i32.const 4))
    (call $expect_notcapable (call $allocate (i32.const 1) (i64.const 0) (i64.const 4096)) (i32.const 5))
    (call $expect_notcapable (call $set_rights (i32.const 1) (i64.const 0x3fffffff) (i64.const 0x3fffffff)) (i32.const 6))
    (call $expect_notcapable (call $set_size (i32.const 2) (i64.const 0)) (i32.const 7))
    (call $exit (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))))
"""

# Opens f.txt with every right, drops all but fd_read, then tries to write
# and truncate it (ENOTCAPABLE) and to take fd_write back (ENOTCAPABLE).
DROPPED_RIGHTS = "(module" + PRELUDE + """
  (data (i32.const 100) "f.txt")
  (data (i32.const 120) "XX")
  (func (export "_start") (local $fd i32) (local $e i32)
    (local.set $e (call $path_open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 5)
      (i32.const 0) (i64.const 0x3fffffff) (i64.const 0) (i32.const 0) (i32.const 300)))
    (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e)))))
    (local.set $fd (i32.load (i32.const 300)))
    (if (call $set_rights (local.get $fd) (i64.const 2) (i64.const 0)) (then (call $exit (i32.const 9))))
    (i32.store (i32.const 0) (i32.const 120))
    (i32.store (i32.const 4) (i32.const 2))
    (call $expect_notcapable (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16)) (i32.const 1))
    (call $expect_notcapable (call $set_size (local.get $fd) (i64.const 0)) (i32.const 2))
    (call $expect_notcapable (call $set_rights (local.get $fd) (i64.const 0x42) (i64.const 0)) (i32.const 3))
    (call $exit (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16)))))
"""


def run_redirected(arguments, stdin, stdout, cwd=None):
    """k23-run with the given open files as its stdin and stdout."""
    proc = subprocess.run(command(arguments), stdin=stdin, stdout=stdout, stderr=subprocess.PIPE,
                          cwd=cwd, timeout=120)
    return exit_status(proc.returncode), proc.stderr.decode(errors="replace")


def check_stdin_directory_is_not_a_capability(ctx):
    """Issue 11 item 4: `k23-run ... < SOMEDIR` let the guest path_open
    files in SOMEDIR relative to fd 0, outside every --dir."""
    somedir = os.path.join(ctx.tmpdir, "somedir")
    os.makedirs(somedir, exist_ok=True)
    with open(os.path.join(somedir, "inside.txt"), "w") as f:
        f.write("host data\n")
    wasm = ctx.wat("stdin_dir", STDIN_DIRECTORY)
    fd = os.open(somedir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        status, err = run_redirected([wasm], stdin=fd, stdout=subprocess.DEVNULL)
    finally:
        os.close(fd)
    assert status == 0, (status, err)
    assert sorted(os.listdir(somedir)) == ["inside.txt"], os.listdir(somedir)


def check_guest_cannot_truncate_appended_stdout(ctx):
    """Issue 11 item 5: with `k23-run ... >> host.log`,
    fd_filestat_set_size(1, 0) emptied the host's log."""
    log = os.path.join(ctx.tmpdir, "host.log")
    with open(log, "w") as f:
        f.write("earlier host line\n")
    wasm = ctx.wat("truncate_stdout", TRUNCATE_STDOUT)
    with open(log, "a") as out:
        status, err = run_redirected([wasm], stdin=subprocess.DEVNULL, stdout=out)
    with open(log) as f:
        text = f.read()
    assert (status, text) == (0, "earlier host line\nguest line\n"), (status, text, err)


def check_dropped_rights_are_enforced(ctx):
    """Issue 11 item 6: after fd_fdstat_set_rights(fd, fd_read), fd_write
    and fd_filestat_set_size still worked."""
    work = os.path.join(ctx.tmpdir, "rights")
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, "f.txt"), "w") as f:
        f.write("original")
    status, out, err = ctx.run(["--dir", work, ctx.wat("dropped_rights", DROPPED_RIGHTS)])
    with open(os.path.join(work, "f.txt")) as f:
        text = f.read()
    assert (status, text) == (0, "original"), (status, text, err)
