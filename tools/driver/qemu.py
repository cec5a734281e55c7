"""Booting k23 images under qemu-system-riscv64 -machine virt (Debian's OpenSBI)."""
import subprocess
import time

from common import DriverError


class BootResult:
    def __init__(self, status, output, timed_out, seconds):
        self.status = status          # QEMU's exit status (the kernel's SBI SRST status)
        self.output = output          # console text (captured mode only)
        self.timed_out = timed_out
        self.seconds = seconds

    def lines(self):
        return self.output.replace("\r\n", "\n").split("\n")


def cpu_option(vlen):
    if vlen == 0:
        return "rv64,v=false"
    if vlen < 128 or vlen > 1024 or vlen & (vlen - 1):
        raise DriverError(f"--vlen {vlen}: must be 0 or a power of two from 128 to 1024")
    return f"rv64,v=true,vlen={vlen},vext_spec=v1.0"


def command(image, append="", smp=1, memory="256M", vlen=128, extra=()):
    cmd = ["qemu-system-riscv64", "-machine", "virt", "-bios", "default",
           "-cpu", cpu_option(vlen), "-smp", str(smp), "-m", str(memory),
           "-kernel", image, "-no-reboot"]
    if append:
        cmd += ["-append", append]
    return cmd + list(extra)


def boot(image, append="", smp=1, memory="256M", vlen=128, timeout=None, passthrough=False,
         extra=()):
    """Boots image. passthrough: console on this terminal (./k23 run);
    otherwise the console output is captured and returned."""
    start = time.monotonic()
    if passthrough:
        cmd = command(image, append, smp, memory, vlen, extra) + ["-nographic"]
        try:
            proc = subprocess.run(cmd, timeout=timeout)
            return BootResult(proc.returncode, "", False, time.monotonic() - start)
        except subprocess.TimeoutExpired:
            return BootResult(124, "", True, time.monotonic() - start)
        except FileNotFoundError:
            raise DriverError("qemu-system-riscv64 not found (run ./k23 setup)")
    cmd = command(image, append, smp, memory, vlen, extra) + [
        "-display", "none", "-serial", "stdio", "-monitor", "none"]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout or 120)
        return BootResult(proc.returncode, proc.stdout.decode(errors="replace"), False,
                          time.monotonic() - start)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        return BootResult(124, out, True, time.monotonic() - start)
