"""Boot checks for issue 18, "Boot like a board": k23.img entered the ways
firmware on a board enters it — U-Boot `booti` (the RISC-V Image header),
U-Boot `bootefi` (the image as a UEFI application) — besides OpenSBI's
`-kernel`, with the same loader checks on every path; and the image headers
and boot script the README's board recipe relies on."""
import os
import re
import struct
import tempfile

import uboot

BANNER = re.compile(r"^k23 \S+ riscv64 \(hart (\d+),")
KTEST_SUMMARY = re.compile(r"^ktest: (\d+) passed, (\d+) failed$")
# tools/driver/uboot.py boots U-Boot, which waits 2 s for a key first.
UBOOT_TIMEOUT = 240


def lines(boot):
    return [l.strip() for l in boot.lines()]


def tail(boot, n=20):
    return "\n".join(lines(boot)[-n:])


def read_image(ctx):
    with open(ctx.image, "rb") as f:
        return f.read()


def assert_ktests_pass(ctx, boot, how):
    out = lines(boot)
    assert any(l.startswith(f"k23: loading k23.img from virtio 0:1, entering with {how}") for l in out), \
        f"{how}: U-Boot did not run k23's boot.scr:\n{tail(boot)}"
    assert any(BANNER.match(l) for l in out), f"{how}: no kernel banner:\n{tail(boot)}"
    summary = [m for m in map(KTEST_SUMMARY.match, out) if m]
    assert summary, f"{how}: no ktest summary (status {boot.status}, {boot.reason}):\n{tail(boot)}"
    failures = [l for l in out if l.startswith("ktest: FAIL ")]
    assert summary[-1].group(2) == "0" and int(summary[-1].group(1)) > 0, \
        f"{how}: {summary[-1].group(0)}: {'; '.join(failures)[:600]}"
    assert boot.status == 0, f"{how}: status {boot.status} ({boot.reason}):\n{tail(boot)}"


def check_uboot_booti_boots_and_passes_ktests(ctx):
    boot = uboot.boot(ctx.image, "booti", append="ktest", timeout=UBOOT_TIMEOUT)
    assert_ktests_pass(ctx, boot, "booti")
    out = lines(boot)
    # booti places the image at the start of RAM + text_offset (0x200000).
    assert any(l.startswith("loader: k23 loader ") and " at 0x80200000," in l for l in out), \
        f"booti: the loader did not run at 0x80200000:\n{tail(boot)}"
    assert not any("entered through UEFI" in l for l in out), "booti: the loader thinks it came through UEFI"


def check_uboot_bootefi_boots_and_passes_ktests(ctx):
    boot = uboot.boot(ctx.image, "bootefi", append="ktest", timeout=UBOOT_TIMEOUT)
    assert_ktests_pass(ctx, boot, "bootefi")
    out = lines(boot)
    uefi = [l for l in out if l.startswith("loader: entered through UEFI: memory map of ")]
    assert uefi, f"bootefi: the loader did not take the UEFI memory map:\n{tail(boot)}"
    # Debian's U-Boot 2023.01 installs RISCV_EFI_BOOT_PROTOCOL (CONFIG_EFI_RISCV_BOOT_PROTOCOL).
    assert uefi[0].endswith("; boot hart from RISCV_EFI_BOOT_PROTOCOL"), f"bootefi: {uefi[0]}"
    loader = [l for l in out if l.startswith("loader: k23 loader ")]
    assert loader and " at 0x80200000," not in loader[0], \
        f"bootefi: expected U-Boot's EFI loader to place the image elsewhere: {loader}"
    assert any(l.startswith("loader: signature ok") for l in out), f"bootefi: no signature check:\n{tail(boot)}"


def check_uboot_refuses_tampered_images(ctx):
    """A flipped byte in the signed payload, and one in the loader itself,
    are refused through booti and through bootefi (the -kernel path is
    tests/kernel/test_loader.py's)."""
    original = read_image(ctx)
    (payload_offset,) = struct.unpack_from("<Q", original, 80)
    cases = {"payload": (payload_offset + 72 + 1000, ("signature", "integrity")),
             "loader": (0x1000 + len(original[0x1000:payload_offset]) // 3, ("integrity",))}
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (at, words) in cases.items():
            data = bytearray(original)
            data[at] ^= 0x10
            path = os.path.join(tmp, f"{name}.img")
            with open(path, "wb") as f:
                f.write(data)
            for how in ("booti", "bootefi"):
                boot = uboot.boot(path, how, append="ktest", timeout=UBOOT_TIMEOUT)
                out = lines(boot)
                what = f"{how}, {name} byte {at} flipped"
                refusals = [l for l in out if l.startswith("loader: ") and any(w in l for w in words)]
                if not refusals:
                    failures.append(f"{what}: no 'loader: ...{'/'.join(words)}...' line:\n{tail(boot, 8)}")
                elif boot.status == 0 or any(BANNER.match(l) for l in out):
                    failures.append(f"{what}: refused ('{refusals[0]}') but status {boot.status} or the kernel ran")
    assert not failures, f"{len(failures)} tampered boots not refused:\n" + "\n".join(failures)


def check_image_headers_for_booti_and_bootefi(ctx):
    """The headers firmware reads (boot/ImageFormat.h), parsed here
    independently of tools/mkimage.py."""
    img = read_image(ctx)
    size = len(img)
    # RISC-V Image header (Linux Documentation/riscv/boot-image-header.rst).
    code0, code1, text_offset, image_size, flags, version = struct.unpack_from("<IIQQQI", img, 0)
    assert img[0:2] == b"MZ", "byte 0: no 'MZ' (c.li s4, -13)"
    jump = struct.unpack_from("<I", img, 2)[0]
    assert jump & 0x7f == 0x6f and (jump >> 7) & 0x1f == 0, f"bytes 2..5: {jump:#010x} is not `j`"
    imm = ((jump >> 31) & 1) << 20 | ((jump >> 12) & 0xff) << 12 | ((jump >> 20) & 1) << 11 | ((jump >> 21) & 0x3ff) << 1
    assert 2 + imm == 0x1000, f"the entry jumps to {2 + imm:#x}, not to the loader's code at 0x1000"
    assert text_offset == 0x200000, f"text_offset {text_offset:#x}"
    assert image_size >= size and image_size % 4096 == 0, f"image_size {image_size} for a {size}-byte file"
    assert flags == 0 and version == 2, f"flags {flags}, version {version:#x}"
    assert img[48:56] == b"RISCV\0\0\0" and img[56:60] == b"RSC\x05", "no RISC-V Image magic"
    (pe,) = struct.unpack_from("<I", img, 60)
    # The loader's prologue.
    crc, efi_entry = struct.unpack_from("<II", img, 64)
    assert img[72:80] == b"K23LDR\0\0", "no K23LDR magic at 72"
    (payload_offset,) = struct.unpack_from("<Q", img, 80)
    assert payload_offset % 4096 == 0 and img[payload_offset:payload_offset + 8] == b"K23IMG\0\0", \
        f"payload offset {payload_offset}"
    # PE/COFF (Microsoft PE format; UEFI spec 2.10 §2.1.1).
    assert pe == 0x80 and img[pe:pe + 4] == b"PE\0\0", f"e_lfanew {pe:#x}: no PE signature"
    machine, sections, _, _, _, optional_size, characteristics = struct.unpack_from("<HHIIIHH", img, pe + 4)
    assert machine == 0x5064 and sections == 1, f"machine {machine:#x}, {sections} sections"
    assert characteristics & 0x0002 and not characteristics & 0x0001, f"characteristics {characteristics:#x}"
    opt = pe + 24
    magic, = struct.unpack_from("<H", img, opt)
    entry, base_of_code, image_base, section_alignment, file_alignment = struct.unpack_from("<IIQII", img, opt + 16)
    size_of_image, size_of_headers, _, subsystem = struct.unpack_from("<IIIH", img, opt + 56)
    directories, = struct.unpack_from("<I", img, opt + 108)
    assert magic == 0x20b and subsystem == 10, f"optional header magic {magic:#x}, subsystem {subsystem}"
    assert entry == efi_entry and 0x1000 <= entry < payload_offset, f"AddressOfEntryPoint {entry:#x}"
    assert size_of_headers == 0x1000 and size_of_image >= size and size_of_image % section_alignment == 0
    assert optional_size == 112 + 8 * directories
    sec = opt + optional_size
    name, vsize, va, raw_size, raw_at = struct.unpack_from("<8sIIII", img, sec)
    assert name.rstrip(b"\0") == b".text" and va == raw_at == 0x1000, f"section {name} at {va:#x}/{raw_at:#x}"
    assert raw_at + raw_size == size and va + vsize == size_of_image, \
        f"the section covers {raw_at:#x}+{raw_size:#x} of a {size:#x}-byte file"
    assert not any(img[sec + 40:0x1000]), "the header page is not zero after the section table"
    # The entry points are the loader's code.
    assert img[efi_entry:efi_entry + 4] != b"\0\0\0\0" and img[0x1000:0x1004] != b"\0\0\0\0"


def check_boot_script_loads_and_boots(ctx):
    """The boot.scr the README puts on a board's SD card: a U-Boot script
    image of tools/boot/boot.cmd with both boot commands."""
    for how, command in (("booti", "booti ${kernel_addr_r} - ${fdtcontroladdr}"),
                         ("bootefi", "bootefi ${kernel_addr_r} ${fdtcontroladdr}")):
        with tempfile.TemporaryDirectory() as tmp:
            scr, img = uboot.boot_files(ctx.image, tmp, how)
            with open(scr, "rb") as f:
                data = f.read()
            # Legacy image header (U-Boot include/image.h): magic, type 6 = script.
            assert data[:4] == bytes.fromhex("27051956") and data[30] == 6, f"{how}: boot.scr is not a script image"
            text = data[64 + 8:].decode()
            assert "load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} k23.img" in text, text
            assert command in text, f"{how}: no '{command}' in boot.scr"
            with open(img, "rb") as f:
                assert f.read() == read_image(ctx)
