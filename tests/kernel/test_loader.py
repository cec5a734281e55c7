"""Boot checks for the loader (loader/): KASLR, and refusal of tampered,
truncated and foreign-signed images. Each check_* gets a BootContext
(tools/driver/testrings.py); tampered images are written to a temp dir."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import qemu

BASE_LINE = re.compile(r"^kernel base 0x([0-9a-f]{16})$")
# The KASLR window of the Sv48 layout QEMU virt uses (boot/AddressSpace.h).
SV48_WINDOW = (0xffff_c000_0000_0000, 0xffff_ffff_8000_0000)
SV39_WINDOW = (0xffff_ffe0_0000_0000, 0xffff_ffff_8000_0000)


def lines(boot):
    return [l.strip() for l in boot.lines()]


def tail(boot, n=15):
    return "\n".join(lines(boot)[-n:])


def kernel_base(ctx, boot):
    bases = [int(m.group(1), 16) for m in map(BASE_LINE.match, lines(boot)) if m]
    assert len(bases) == 1, f"expected one 'kernel base 0x<16 hex>' line, got {len(bases)}:\n{tail(boot)}"
    return bases[0]


def has_banner(ctx, boot):
    return any(l.startswith(f"k23 {ctx.version} ") for l in lines(boot))


def mkimage(*args):
    tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "mkimage.py")
    proc = subprocess.run([sys.executable, tool] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=120)
    assert proc.returncode == 0, f"mkimage {args[0]} failed: {proc.stdout.decode(errors='replace')}"
    return proc.stdout.decode()


def signed_range(image):
    offset, length = map(int, mkimage("signed-range", image).split())
    return offset, length


def boot_file(ctx, path, **kwargs):
    kwargs.setdefault("timeout", 60)
    return qemu.boot(path, **kwargs)


def assert_refused(ctx, boot, what, words=("signature", "integrity")):
    refusals = [l for l in lines(boot) if l.startswith("loader: ") and any(w in l for w in words)]
    assert refusals, f"{what}: no 'loader: ...{'/'.join(words)}...' line (status {boot.status}):\n{tail(boot)}"
    assert boot.status != 0, f"{what}: refused but QEMU exited with status 0"
    assert not boot.timed_out, f"{what}: did not power off"
    assert not has_banner(ctx, boot), f"{what}: the kernel started:\n{tail(boot)}"
    assert not any(BASE_LINE.match(l) for l in lines(boot)), f"{what}: the loader went on to place the kernel"
    return refusals[0]


def check_loader_good_boot_logs(ctx):
    boot = ctx.boot()
    out = lines(boot)
    assert boot.status == 0 and has_banner(ctx, boot), f"good image did not boot:\n{tail(boot)}"
    assert any(l.startswith("loader: signature ok") for l in out), tail(boot, 30)
    assert any(re.match(r"^loader: kernel \d+ bytes compressed, \d+ bytes decompressed$", l) for l in out), tail(boot, 30)
    assert any(l.startswith("loader: entropy from /chosen/rng-seed") for l in out), tail(boot, 30)
    base = kernel_base(ctx, boot)
    # The kernel reports the base it runs at: the same one.
    assert any(l.startswith(f"kernel: running at {base:#018x}") for l in out), tail(boot, 30)


def check_loader_kaslr_two_boots_differ(ctx):
    bases = []
    for _ in range(2):
        boot = ctx.boot()
        assert boot.status == 0, f"boot failed (status {boot.status}):\n{tail(boot)}"
        base = kernel_base(ctx, boot)
        window = SV48_WINDOW if any("mmu sv48" in l for l in lines(boot)) else SV39_WINDOW
        assert base % (2 << 20) == 0, f"kernel base {base:#x} is not 2 MiB aligned"
        assert window[0] <= base < window[1], f"kernel base {base:#x} outside the KASLR window"
        bases.append(base)
    assert bases[0] != bases[1], f"two boots chose the same kernel base {bases[0]:#x}"


def tamper_offsets(offset, length, payload_end):
    """>= 24 offsets spread over the signed range: every header field, the
    payload's edges and inside, and the signature."""
    header = [0, 3, 7, 8, 12, 16, 19, 24, 31, 32, 36, 40, 55, 71]
    payload = [72, 73, 200]
    payload_len = payload_end - offset - 72
    payload += [72 + payload_len * k // 8 for k in range(1, 8)]
    payload += [payload_end - offset - 1]
    signature = [payload_end - offset + k for k in (0, 1, 31, 32, 50, 63)]
    rel = sorted(set(header + payload + signature + [length - 1]))
    assert all(0 <= r < length for r in rel)
    return [offset + r for r in rel]


def check_loader_refuses_tampered_images(ctx):
    offset, length = signed_range(ctx.image)
    with open(ctx.image, "rb") as f:
        original = f.read()
    assert offset + length <= len(original), "signed range beyond the image"
    payload_end = offset + length - 64
    offsets = tamper_offsets(offset, length, payload_end)
    assert len(offsets) >= 24 and offsets[0] == offset and offsets[-1] == offset + length - 1
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "tampered.img")
        for at in offsets:
            data = bytearray(original)
            data[at] ^= 0x01 if at % 2 else 0x80
            with open(path, "wb") as f:
                f.write(data)
            boot = boot_file(ctx, path)
            try:
                assert_refused(ctx, boot, f"byte {at} (signed offset {at - offset}) flipped")
            except AssertionError as e:
                failures.append(str(e))
    assert not failures, f"{len(failures)} of {len(offsets)} tampered images not refused:\n" + "\n".join(failures[:3])


def check_loader_refuses_truncated_image(ctx):
    offset, length = signed_range(ctx.image)
    with open(ctx.image, "rb") as f:
        original = f.read()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "truncated.img")
        # Middle of the payload; the signature's last byte (the trailer is
        # then missing entirely); inside the header.
        for cut in (offset + length // 2, offset + length - 1, offset + 40):
            with open(path, "wb") as f:
                f.write(original[:cut])
            boot = boot_file(ctx, path)
            line = assert_refused(ctx, boot, f"image cut at {cut} of {len(original)}")
            if cut == offset + length // 2:
                assert "truncated" in line, f"truncation reported as '{line}'"


def configured_signing_key(ctx):
    cache = os.path.join(os.path.dirname(ctx.image), "CMakeCache.txt")
    try:
        with open(cache) as f:
            for line in f:
                if line.startswith("K23_SIGNING_KEY:"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return None


def check_loader_refuses_other_key(ctx):
    openssl = shutil.which("openssl")
    assert openssl, "openssl not found"
    with tempfile.TemporaryDirectory() as tmp:
        key = os.path.join(tmp, "other.pem")
        subprocess.run([openssl, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        path = os.path.join(tmp, "other-key.img")
        mkimage("resign", "--image", ctx.image, "--key", key, "--out", path)
        with open(path, "rb") as f, open(ctx.image, "rb") as g:
            other, mine = f.read(), g.read()
        assert len(other) == len(mine) and other != mine, "re-signing changed nothing"
        boot = boot_file(ctx, path)
        line = assert_refused(ctx, boot, "image signed with another key", words=("signature",))
        assert line.startswith("loader: signature check failed"), line
        # Re-signing with the build's own key gives a bootable image again:
        # the refusal above is about the key, not about mkimage resign.
        own = configured_signing_key(ctx)
        if own and os.path.exists(own):
            mkimage("resign", "--image", path, "--key", own, "--out", path)
            boot = boot_file(ctx, path)
            assert boot.status == 0 and has_banner(ctx, boot), f"re-signed with own key:\n{tail(boot)}"


def check_loader_sv39_when_device_tree_says_so(ctx):
    # QEMU 7.2's virt hart always advertises "riscv,sv48" (and has no cpu
    # property to turn it off), so dump its device tree, make the hart say
    # "riscv,sv39" (same length, patched in place) and boot with that: the
    # loader must pick the Sv39 layout and every KTEST must pass under it.
    with tempfile.TemporaryDirectory() as tmp:
        dtb = os.path.join(tmp, "virt.dtb")
        cmd = qemu.command(ctx.image, append="ktest")
        cmd[cmd.index("virt")] = f"virt,dumpdtb={dtb}"
        subprocess.run(cmd + ["-display", "none"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=60)
        with open(dtb, "rb") as f:
            blob = f.read()
        assert blob.count(b"riscv,sv48") >= 1, "QEMU's device tree has no riscv,sv48 mmu-type"
        sv39 = os.path.join(tmp, "sv39.dtb")
        with open(sv39, "wb") as f:
            f.write(blob.replace(b"riscv,sv48", b"riscv,sv39"))
        boot = ctx.boot(append="ktest", extra=("-dtb", sv39), timeout=120)
        out = lines(boot)
        assert any("mmu sv39" in l for l in out), f"loader did not choose Sv39:\n{tail(boot)}"
        base = kernel_base(ctx, boot)
        assert SV39_WINDOW[0] <= base < SV39_WINDOW[1] and base % (2 << 20) == 0, f"Sv39 base {base:#x}"
        summary = [l for l in out if re.match(r"^ktest: \d+ passed, \d+ failed$", l)]
        assert summary and summary[0].endswith(" 0 failed") and boot.status == 0, \
            f"KTESTs under Sv39 (status {boot.status}):\n{tail(boot, 25)}"


# ---------------------------------------------------------------- issue 11 item 7
# A boot that never reports its status is a failure. The loader checks its
# own prologue and a CRC-32 of itself first thing (loader/SelfCheck.cpp); the
# driver (tools/driver/qemu.py) fails any boot without a `shutdown: status N`
# line. Hung boots here are stopped after HANG_TIMEOUT seconds: a good or
# refused boot takes well under one.
HANG_TIMEOUT = 10
# The part of the loader whose loss the loader cannot report: the header page,
# entry.S, the self-check itself and the UEFI entry (about 9 KiB in the default
# build). Cuts beyond it must be reported by the loader.
SELF_CHECK_CODE = 12288


def loader_file_size(ctx):
    path = os.path.join(os.path.dirname(ctx.image), "k23-loader.bin")
    size = os.path.getsize(path)
    assert SELF_CHECK_CODE < size, f"loader binary {path} is only {size} bytes"
    return size


def status_lines(boot):
    return [l for l in lines(boot) if qemu.STATUS_LINE.match(l)]


def assert_failed_with_one_line(ctx, boot, what):
    """Non-zero status, no kernel, and exactly one line saying why: the
    loader's `loader: ` refusal right before its status line, or the driver's
    one-line reason. Returns that line."""
    out = lines(boot)
    assert boot.status != 0, f"{what}: status 0 (QEMU {boot.qemu_status}):\n{tail(boot)}"
    assert not has_banner(ctx, boot), f"{what}: the kernel started:\n{tail(boot)}"
    statuses = status_lines(boot)
    if statuses:
        assert statuses == [statuses[-1]] and statuses[-1] != "shutdown: status 0", \
            f"{what}: status lines {statuses}:\n{tail(boot)}"
        at = out.index(statuses[-1])
        before = [l for l in out[:at] if l]
        assert before and before[-1].startswith("loader: "), \
            f"{what}: no 'loader: ' line before '{statuses[-1]}':\n{tail(boot)}"
        return before[-1]
    assert boot.reason and "\n" not in boot.reason and boot.reason.startswith("boot: no status"), \
        f"{what}: no status line and no one-line reason ({boot.reason!r}):\n{tail(boot)}"
    return boot.reason


def check_image_cut_inside_loader_reports_failure(ctx):
    with open(ctx.image, "rb") as f:
        original = f.read()
    offset, length = signed_range(ctx.image)
    loader = loader_file_size(ctx)
    # In the loader's first bytes (its entry and self-check): only the driver
    # can tell; past them: the loader's CRC-32 must catch it; in the zero
    # padding before the payload, the header, the payload, the signature and
    # the end marker: the payload checks must.
    early = [16, 100, 2000]
    in_loader = [SELF_CHECK_CODE, loader // 4, loader // 2, 3 * loader // 4, loader - 1]
    in_payload = [loader + (offset - loader) // 2, offset + 40, offset + length // 2,
                  offset + length - 1, len(original) - 1]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cut.img")
        for cut in early + in_loader + in_payload:
            with open(path, "wb") as f:
                f.write(original[:cut])
            boot = boot_file(ctx, path, timeout=HANG_TIMEOUT)
            what = f"image cut at {cut} of {len(original)} (loader {loader} bytes)"
            try:
                line = assert_failed_with_one_line(ctx, boot, what)
                if cut in in_loader:
                    assert line.startswith("loader: integrity: the image is cut inside the loader"), f"{what}: '{line}'"
                    assert not boot.timed_out, f"{what}: did not power off"
                if cut in in_payload:
                    assert line.startswith("loader: ") and "integrity" in line, f"{what}: '{line}'"
            except AssertionError as e:
                failures.append(str(e))
    assert not failures, f"{len(failures)} cut images not reported:\n" + "\n".join(failures[:4])


def check_loader_magic_flip_detected(ctx):
    # The image's first bytes (boot/ImageFormat.h, ImagePrologue): bytes
    # 0..5 are "MZ" and the jump, which run before anything can check them
    # (refused, or at least never a silent success); the RISC-V Image header
    # (6..63) and the PE header are covered by the loader's CRC-32; bytes
    # 64..67 are the CRC-32 itself, 68..71 the UEFI entry's offset, 72..79
    # the magic, 80..87 the payload offset: refused by the loader's self-check.
    with open(ctx.image, "rb") as f:
        original = f.read()
    checksum = "loader: integrity: loader checksum mismatch"
    expected = {range(6, 72): checksum,
                range(72, 80): "loader: integrity: no K23LDR magic",
                range(80, 88): "loader: integrity: the image's bytes 80..87 say the payload starts at",
                range(0x80, 0x1b0): checksum}
    flipped = list(range(0, 6)) + [8, 16, 23, 32, 48, 55, 56, 60] + list(range(64, 88)) + [0x80, 0x84, 0xa8, 0x188]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "flipped.img")
        for at in flipped:
            for bit in ((0x01, 0x80) if at >= 64 else (0x01 if at % 2 else 0x80,)):
                data = bytearray(original)
                data[at] ^= bit
                with open(path, "wb") as f:
                    f.write(data)
                boot = boot_file(ctx, path, timeout=HANG_TIMEOUT)
                what = f"prologue byte {at} ^ {bit:#04x}"
                try:
                    line = assert_failed_with_one_line(ctx, boot, what)
                    for where, start in expected.items():
                        if at in where:
                            assert line.startswith(start), f"{what}: refused as '{line}', expected '{start}...'"
                            assert not boot.timed_out and boot.qemu_status != 0, \
                                f"{what}: refused but QEMU status {boot.qemu_status}"
                except AssertionError as e:
                    failures.append(str(e))
    assert not failures, f"{len(failures)} prologue flips not refused:\n" + "\n".join(failures[:4])


# A "kernel" that powers off cleanly through SBI SRST without printing: what
# an image cut inside the loader used to amount to (QEMU exits 0).
SILENT_SHUTDOWN = bytes.fromhex(
    "b7585253"    # lui  a7, 0x53525
    "93884835"    # addi a7, a7, 0x354      a7 = SRST (SBI spec §10)
    "13080000"    # li   a6, 0              system_reset
    "13050000"    # li   a0, 0              shutdown
    "93050000"    # li   a1, 0              no reason
    "73000000"    # ecall
    "6f000000")   # j    .


def k23_run(ctx, image, timeout):
    proc = subprocess.run([sys.executable, os.path.join(ctx.root, "k23"), "run", "--image", image,
                           "--timeout", str(timeout)],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout + 120)
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def check_run_image_cut_exits_nonzero(ctx):
    with open(ctx.image, "rb") as f:
        original = f.read()
    loader = loader_file_size(ctx)
    with tempfile.TemporaryDirectory() as tmp:
        # 1. Silence then a clean QEMU exit: QEMU says 0, the driver must not.
        silent = os.path.join(tmp, "silent.img")
        with open(silent, "wb") as f:
            f.write(SILENT_SHUTDOWN)
        boot = boot_file(ctx, silent, timeout=30)
        assert boot.qemu_status == 0 and not status_lines(boot), \
            f"the silent image should end QEMU with 0 and no status line (QEMU {boot.qemu_status})"
        status, out, err = k23_run(ctx, silent, 30)
        reason = [l for l in err.splitlines() if l.strip()]
        assert status != 0, f"./k23 run --image (silent power-off) exited 0:\n{out[-500:]}"
        assert len(reason) == 1 and reason[0].startswith("boot: no status from the kernel (image cut? last console line: "), \
            f"./k23 run --image (silent power-off): stderr {reason}"
        # 2. Cut inside the loader: the loader says so, the exit status says so.
        cut = os.path.join(tmp, "cut.img")
        with open(cut, "wb") as f:
            f.write(original[:loader // 2])
        status, out, err = k23_run(ctx, cut, 30)
        assert status != 0, f"./k23 run --image (cut at {loader // 2}) exited 0:\n{out[-500:]}"
        assert any(l.strip().startswith("loader: integrity: the image is cut inside the loader") for l in out.splitlines()), \
            f"./k23 run --image (cut at {loader // 2}): no loader line:\n{out[-500:]}"
        # 3. A hang: one line when the timeout stops it.
        hang = os.path.join(tmp, "hang.img")
        with open(hang, "wb") as f:
            f.write(original[:16])
        status, out, err = k23_run(ctx, hang, 5)
        reason = [l for l in err.splitlines() if l.strip()]
        assert status != 0 and len(reason) == 1 and reason[0].startswith("boot: no status from the kernel in 5 s"), \
            f"./k23 run --image (cut at 16, hangs): status {status}, stderr {reason}"
