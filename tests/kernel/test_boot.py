"""Boot checks for the kernel ring: boot the image in several machine
configurations and check what the kernel prints and the status QEMU exits
with. Each check_* function gets a BootContext (tools/driver/testrings.py)."""
import os
import re
import tempfile

import qemu


def banner(ctx, boot):
    for line in boot.lines():
        if line.startswith(f"k23 {ctx.version} "):
            return line
    tail = "\n".join(boot.lines()[-15:])
    raise AssertionError(f"no 'k23 {ctx.version}' banner (status {boot.status}):\n{tail}")


def check_banner_and_clean_shutdown(ctx):
    boot = ctx.boot()
    banner(ctx, boot)
    assert not boot.timed_out, "kernel did not shut down"
    assert boot.status == 0, f"clean boot exited with status {boot.status}"


def check_memory_size_from_device_tree(ctx):
    # The banner reports the RAM found in the device tree's /memory node.
    for size, mib in (("128M", 128), ("1G", 1024), ("4G", 4096)):
        boot = ctx.boot(memory=size)
        line = banner(ctx, boot)
        assert re.search(rf"\b{mib} MiB\b", line), f"-m {size}: banner says '{line}'"
        assert boot.status == 0, f"-m {size}: status {boot.status}"


def check_smp4_boots(ctx):
    boot = ctx.boot(smp=4)
    banner(ctx, boot)
    assert boot.status == 0, f"-smp 4: status {boot.status}"


def check_hart_without_vector(ctx):
    boot = ctx.boot(vlen=0)
    line = banner(ctx, boot)
    assert boot.status == 0, f"no V: status {boot.status}"
    isa = re.search(r"isa (\S+)", line)
    assert isa, f"banner names no ISA: '{line}'"
    base = isa.group(1).split("_")[0]
    assert "v" not in base[4:], f"hart without V reports '{isa.group(1)}'"


def check_ktest_failure_sets_exit_status(ctx):
    # A test that fails on purpose (run only when named) must give a FAIL
    # line, a closing count and a non-zero QEMU status.
    boot = ctx.boot(append="ktest=ktest_selftest_failure")
    lines = [l.strip() for l in boot.lines()]
    assert any(l.startswith("ktest: FAIL ktest_selftest_failure") for l in lines), \
        "no FAIL line for ktest_selftest_failure:\n" + "\n".join(lines[-15:])
    assert "ktest: 0 passed, 1 failed" in lines, "\n".join(lines[-15:])
    assert boot.status != 0, "a failed kernel test left QEMU's exit status at 0"


def check_production_image_has_no_ktests(ctx):
    # The KTESTs are linked into k23-test.img only (kernel/CMakeLists.txt):
    # `ktest` on the production image says where they are and fails, rather
    # than reporting "0 passed"; the image still boots and runs guests.
    assert ctx.production_image != ctx.image, "the ring should boot the test image"
    boot = qemu.boot(ctx.production_image, append="ktest", timeout=120)
    lines = [l.strip() for l in boot.lines()]
    tail = "\n".join(lines[-15:])
    assert "ktest: this kernel has no KTESTs (they are in k23-test.img: ./k23 image --test)" in lines, tail
    assert not any(re.match(r"^ktest: \d+ passed", l) for l in lines), tail
    assert boot.status != 0, f"ktest on the production image exited with status 0:\n{tail}"
    assert os.path.getsize(ctx.production_image) < os.path.getsize(ctx.image), \
        "the production image is not smaller than the one with the KTESTs"


def check_sifive_u_boots_on_hart1_with_sifive_uart(ctx):
    # QEMU sifive_u with Debian's OpenSBI: hart 0 is an E51 monitor core
    # without S-mode, so the loader and the kernel start on hart 1; the
    # console is a SiFive UART (sifive,uart0), and there is no power-off
    # device (SBI SRST says not supported): the kernel reports its status,
    # says it halts, and the driver stops QEMU.
    boot = ctx.boot(machine="sifive_u", smp=2, append="ktest")
    lines = [l.strip() for l in boot.lines()]
    tail = "\n".join(lines[-20:])
    line = banner(ctx, boot)
    assert "(hart 1," in line, f"sifive_u banner: '{line}'"
    assert "kernel: console sifive,uart0 at 0x10010000" in lines, f"no SiFive UART console:\n{tail}"
    assert "ktest: PASS uart_at_device_tree_address" in lines, f"uart KTEST did not pass:\n{tail}"
    summary = [l for l in lines if re.match(r"^ktest: \d+ passed, \d+ failed$", l)]
    failures = "\n".join(l for l in lines if l.startswith("ktest: FAIL") or "FAILED" in l)
    assert summary and summary[-1].endswith(" 0 failed"), f"KTESTs on sifive_u:\n{failures}\n{tail}"
    assert any(l.startswith("shutdown: the firmware cannot power off") for l in lines), tail
    assert boot.status == 0 and boot.reported_status == 0 and boot.reason is None, \
        f"sifive_u: status {boot.status}, reason {boot.reason}:\n{tail}"


def check_sifive_u_loader_refusal_reports_and_halts(ctx):
    # The loader's self-check on a machine without a test finisher and with
    # another device tree: a flipped magic byte is refused with its line and
    # status 1, then the loader halts (the driver stops QEMU).
    with open(ctx.image, "rb") as f:
        data = bytearray(f.read())
    data[73] ^= 0x01  # the K23LDR magic (bytes 72..79)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "flipped.img")
        with open(path, "wb") as f:
            f.write(data)
        boot = qemu.boot(path, machine="sifive_u", smp=2, timeout=60)
    lines = [l.strip() for l in boot.lines()]
    tail = "\n".join(lines[-10:])
    assert any(l.startswith("loader: integrity: no K23LDR magic") for l in lines), tail
    assert boot.status == 1 and boot.reported_status == 1 and boot.reason is None, \
        f"status {boot.status}, reason {boot.reason}:\n{tail}"
    assert "shutdown: the firmware cannot power off: halted" in lines, tail
