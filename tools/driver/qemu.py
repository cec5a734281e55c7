"""Booting k23 images under qemu-system-riscv64 -machine virt (Debian's OpenSBI).

A boot succeeds only when the console shows the status line the loader or the
kernel prints as it powers off (boot/Shutdown.cpp, and the loader's early
self-check in loader/SelfCheck.cpp): `shutdown: status N`. QEMU's own exit
status is not enough: an image cut inside the loader makes OpenSBI jump into
code that is not there, which can end in a clean QEMU exit (status 0) with
nothing printed after OpenSBI's banner, or hang. Either is a failure with a
one-line reason (BootResult.reason).

Machines: `virt` (the default; the kernel powers off through the SiFive test
finisher or SBI SRST) and `sifive_u` (boot hart 1, a SiFive UART, no power-off
device: after its status line the kernel halts, and the driver stops QEMU)."""
import os
import re
import select
import subprocess
import sys
import time

from common import DriverError

STATUS_LINE = re.compile(r"^shutdown: status (\d+)$")
STATUS_BYTES = re.compile(rb"(?:^|\n)shutdown: status \d+\r?\n")
TIMED_OUT = 124      # like timeout(1)
NO_STATUS = 125      # QEMU exited 0 without a status line


class BootResult:
    def __init__(self, status, output, timed_out, seconds, qemu_status=None, reason=None,
                 reported_status=None):
        self.status = status          # 0 only for a reported, clean power-off; else non-zero
        self.output = output          # console text (also kept in passthrough mode)
        self.timed_out = timed_out
        self.seconds = seconds
        self.qemu_status = qemu_status        # QEMU's exit status (None when it was stopped)
        self.reported_status = reported_status  # N of the `shutdown: status N` line, or None
        self.reason = reason          # one line when the boot failed without a status

    def lines(self):
        return self.output.replace("\r\n", "\n").split("\n")


def last_line(output):
    for line in reversed(output.replace("\r\n", "\n").split("\n")):
        line = line.strip()
        if line:
            return line if len(line) <= 160 else line[:157] + "..."
    return "(none)"


def judge(output, qemu_status, timed_out, seconds, timeout, halted=False):
    """The BootResult of a boot that printed `output`: the status line decides.
    halted: QEMU was stopped after the status line (a machine that cannot
    power off)."""
    reported = None
    for line in output.replace("\r\n", "\n").split("\n"):
        m = STATUS_LINE.match(line.strip())
        if m:
            reported = int(m.group(1))
    last = last_line(output)
    if halted and reported is not None:
        return BootResult(reported, output, False, seconds, None, None, reported)
    if timed_out:
        if reported is not None:
            reason = f"boot: status {reported} reported but QEMU did not exit in {timeout:g} s"
        else:
            reason = (f"boot: no status from the kernel in {timeout:g} s "
                      f"(hung? last console line: {last})")
        return BootResult(TIMED_OUT, output, True, seconds, None, reason, reported)
    if reported is None:
        reason = f"boot: no status from the kernel (image cut? last console line: {last})"
        return BootResult(qemu_status or NO_STATUS, output, False, seconds, qemu_status, reason)
    if reported != 0:
        # Without the test finisher, SBI SRST with reason "system failure"
        # ends QEMU with status 0: the reported status is the truth.
        return BootResult(qemu_status or reported, output, False, seconds, qemu_status, None, reported)
    if qemu_status != 0:
        reason = f"boot: status 0 reported but QEMU exited with status {qemu_status}"
        return BootResult(qemu_status, output, False, seconds, qemu_status, reason, reported)
    return BootResult(0, output, False, seconds, 0, None, 0)


def cpu_option(vlen):
    if vlen == 0:
        return "rv64,v=false"
    if vlen < 128 or vlen > 1024 or vlen & (vlen - 1):
        raise DriverError(f"--vlen {vlen}: must be 0 or a power of two from 128 to 1024")
    return f"rv64,v=true,vlen={vlen},vext_spec=v1.0"


# What each machine needs: whether its firmware can power it off (else the
# kernel halts after its status line), and how many harts it must have.
MACHINES = {
    "virt": {"powers_off": True, "min_smp": 1},
    # Hart 0 is an E51 monitor core without S-mode; OpenSBI boots on hart 1.
    "sifive_u": {"powers_off": False, "min_smp": 2},
}
HALT_GRACE = 2.0   # seconds after the status line before a halted machine is stopped


def command(image, append="", smp=1, memory="256M", vlen=128, extra=(), machine="virt", initrd=None):
    if machine not in MACHINES:
        raise DriverError(f"--machine {machine}: one of {', '.join(MACHINES)}")
    cmd = ["qemu-system-riscv64", "-machine", machine, "-bios", "default"]
    if machine == "virt":
        cmd += ["-cpu", cpu_option(vlen)]
    elif vlen != 128:
        raise DriverError(f"--vlen: {machine} has fixed CPUs (without V)")
    cmd += ["-smp", str(max(smp, MACHINES[machine]["min_smp"])), "-m", str(memory),
            "-kernel", image, "-no-reboot"]
    if append:
        cmd += ["-append", append]
    if initrd:
        # QEMU loads it into RAM and sets /chosen/linux,initrd-start and -end.
        cmd += ["-initrd", initrd]
    return cmd + list(extra)


def stop(proc):
    """SIGTERM first: QEMU then puts the terminal back out of raw mode."""
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


DLE = 0x10
END_OF_INPUT = bytes((DLE, ord("D")))  # kernel/ConsoleInput.h
FRAME_BEGIN = bytes((DLE, ord("B")))   # kernel/WasiRun.cpp's console frame


def frame_input(data):
    """The driver's stdin as the kernel's console input (kernel/ConsoleInput.h):
    each DLE byte doubled, so DLE D can only be the end of the input."""
    return data.replace(bytes((DLE,)), bytes((DLE, DLE)))


class InputFeed:
    """Copies this process's stdin to QEMU's serial input, framed
    (frame_input), then DLE D at its end. A terminal in its usual
    (canonical) mode hands over a line at a time and reports Ctrl-D at the
    start of a line as the end: the guest sees what a program reading a
    terminal sees. Never blocks: reads stop while much is still unsent (the
    guest is not reading), writes wait until QEMU takes them. Nothing is
    read or sent before the kernel opens the guests' console frame (DLE B):
    the firmware empties the UART's receiver when it sets the UART up, and
    would eat what came before."""

    MAX_PENDING = 1 << 16

    def __init__(self, proc):
        self.proc = proc
        self.pending = bytearray()
        self.source = 0
        self.reading = True
        self.sink = proc.stdin.fileno()
        self.started = False
        os.set_blocking(self.sink, False)

    def console_seen(self, output):
        if not self.started and FRAME_BEGIN in output:
            self.started = True

    def read_fds(self):
        return [self.source] if self.started and self.reading and len(self.pending) < self.MAX_PENDING else []

    def write_fds(self):
        return [self.sink] if self.started and self.sink is not None and self.pending else []

    def readable(self):
        try:
            chunk = os.read(self.source, 65536)
        except OSError:
            chunk = b""
        if chunk:
            self.pending += frame_input(chunk)
        else:
            self.pending += END_OF_INPUT
            self.reading = False

    def writable(self):
        try:
            n = os.write(self.sink, self.pending)
        except BlockingIOError:
            return
        except OSError:  # QEMU has gone
            self.sink, self.pending, self.reading = None, bytearray(), False
            return
        del self.pending[:n]


def run_qemu(cmd, timeout, echo, halt_grace=None, console=None, feed_stdin=False):
    """Runs QEMU and keeps what its console prints. echo: the console goes to
    this terminal too (stdin stays the terminal's), and QEMU's own messages to
    stderr, but for its "terminating on signal" when the driver stops it;
    otherwise stderr is kept with the console. halt_grace: stop QEMU this long
    after the status line (a machine that cannot power off).
    Returns (exit status or None when stopped, output, how) with how one of
    "exited", "timeout", "halted". console: a function that gets each
    console chunk instead of this terminal (with echo; stdin is then not the
    terminal's, so QEMU leaves the terminal as it is). feed_stdin: with
    console, this process's stdin goes to the serial input (InputFeed)."""
    feed_stdin = feed_stdin and echo and console is not None
    stdin = subprocess.PIPE if feed_stdin else None if echo and console is None else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(cmd, stdin=stdin,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE if echo else subprocess.STDOUT)
    except FileNotFoundError:
        raise DriverError("qemu-system-riscv64 not found (run ./k23 setup)")
    console_fd = proc.stdout.fileno()
    error_fd = proc.stderr.fileno() if echo else None
    kept = {console_fd: bytearray(), error_fd: bytearray()}
    deadline = None if timeout is None else time.monotonic() + timeout
    how = "exited"
    status_seen = False
    feed = InputFeed(proc) if feed_stdin else None
    try:
        open_fds = [fd for fd in (console_fd, error_fd) if fd is not None]
        while open_fds:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            feed_read = feed.read_fds() if feed else []
            feed_write = feed.write_fds() if feed else []
            ready, writable, _ = select.select(open_fds + feed_read, feed_write, [], wait)
            if not ready and not writable:
                how = "halted" if status_seen else "timeout"
                stop(proc)
                break
            if feed and writable:
                feed.writable()
            for fd in ready:
                if feed and fd in feed_read:
                    feed.readable()
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    open_fds.remove(fd)
                    continue
                kept[fd] += chunk
                if fd == console_fd and feed:
                    feed.console_seen(kept[fd])
                if fd == console_fd:
                    if echo and console is not None:
                        console(chunk)
                    elif echo:
                        sys.stdout.buffer.write(chunk)
                        sys.stdout.buffer.flush()
                    if halt_grace is not None and not status_seen and STATUS_BYTES.search(kept[fd]):
                        status_seen = True
                        halt_deadline = time.monotonic() + halt_grace
                        deadline = halt_deadline if deadline is None else min(deadline, halt_deadline)
    except KeyboardInterrupt:
        stop(proc)
        raise
    finally:
        if proc.stdin:
            proc.stdin.close()
        proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    status = proc.wait() if how == "exited" else None
    for line in kept[error_fd].decode(errors="replace").splitlines():
        if not (how != "exited" and "terminating on signal" in line):
            print(line, file=sys.stderr)
    return status, kept[console_fd].decode(errors="replace"), how


def boot(image, append="", smp=1, memory="256M", vlen=128, timeout=None, passthrough=False,
         extra=(), machine="virt", initrd=None, console=None, feed_stdin=False):
    """Boots image. passthrough: console on this terminal (./k23 run), or
    given to `console` chunk by chunk, and kept for the verdict; otherwise the console output is captured (with a
    120 s timeout by default). The result's status is 0 only when the kernel
    reported status 0."""
    start = time.monotonic()
    cmd = command(image, append, smp, memory, vlen, extra, machine, initrd)
    if passthrough and not (feed_stdin and console is not None):
        cmd += ["-nographic"]
    else:
        # Also when this process's stdin feeds the serial input: -nographic
        # would read Ctrl-A in it as the monitor's escape.
        cmd += ["-display", "none", "-serial", "stdio", "-monitor", "none"]
    if not passthrough:
        # Captured boots (tests, bench) have a limit; ./k23 run's
        # (passthrough) runs as long as its guest unless --timeout says.
        timeout = timeout or 120
    halt_grace = None if MACHINES[machine]["powers_off"] else HALT_GRACE
    status, output, how = run_qemu(cmd, timeout, passthrough, halt_grace, console, feed_stdin)
    return judge(output, status, how == "timeout", time.monotonic() - start, timeout,
                 halted=how == "halted")
