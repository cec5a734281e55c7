"""Boot checks for the kernel ring: boot the image in several machine
configurations and check what the kernel prints and the status QEMU exits
with. Each check_* function gets a BootContext (tools/driver/testrings.py)."""
import re


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
