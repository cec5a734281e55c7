"""Booting k23.img through real U-Boot (Debian's u-boot-qemu, qemu-riscv64_smode)
under qemu-system-riscv64 -machine virt, as firmware starts it on a board:
OpenSBI (-bios default) starts U-Boot in S-mode, U-Boot's distro boot finds
boot.scr on the disk's FAT partition and loads k23.img with `booti` (the
RISC-V Image header) or `bootefi` (the image as a UEFI application).

The boot script is tools/boot/boot.cmd; `boot_files` writes k23.img and
boot.scr into a folder (a board's SD card boot partition, README "Booting a
SpacemiT K1 board"), `disk_image` makes a disk of them for QEMU."""
import os
import struct
import subprocess
import tempfile

import qemu
from common import ROOT, DriverError

UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
SCRIPT = os.path.join(ROOT, "tools", "boot", "boot.cmd")
# How each way in starts the loaded image: booti's `-` is "no initrd";
# both take the device tree U-Boot itself runs with (${fdtcontroladdr}).
COMMANDS = {
    "booti": "booti ${kernel_addr_r} - ${fdtcontroladdr}",
    "bootefi": "bootefi ${kernel_addr_r} ${fdtcontroladdr}",
}
DISK_SIZE = 32 << 20
PARTITION_START = 1 << 20     # the FAT partition: 1 MiB in, to the disk's end


def tool(name, args, **kwargs):
    try:
        proc = subprocess.run([name] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs)
    except FileNotFoundError:
        raise DriverError(f"{name} not found (run ./k23 setup: u-boot-tools, mtools)")
    if proc.returncode != 0:
        out = proc.stdout.decode(errors="replace").strip().splitlines()
        raise DriverError(f"{name} failed: {out[-1] if out else proc.returncode}")
    return proc.stdout


def script_text(boot, bootargs=""):
    if boot not in COMMANDS:
        raise DriverError(f"boot command {boot}: one of {', '.join(COMMANDS)}")
    if '"' in bootargs or "\n" in bootargs:
        raise DriverError("bootargs: no quotes or newlines")
    with open(SCRIPT) as f:
        text = f.read()
    return (text.replace("@BOOT@", boot).replace("@BOOTARGS@", bootargs)
            .replace("@COMMAND@", COMMANDS[boot]))


def boot_files(image, folder, boot="booti", bootargs=""):
    """Writes k23.img and boot.scr (a legacy U-Boot script image) into folder."""
    os.makedirs(folder, exist_ok=True)
    source = os.path.join(folder, "boot.cmd")
    with open(source, "w") as f:
        f.write(script_text(boot, bootargs))
    tool("mkimage", ["-A", "riscv", "-O", "linux", "-T", "script", "-C", "none",
                     "-n", f"k23 {boot}", "-d", source, os.path.join(folder, "boot.scr")])
    with open(image, "rb") as src, open(os.path.join(folder, "k23.img"), "wb") as dst:
        dst.write(src.read())
    return [os.path.join(folder, n) for n in ("boot.scr", "k23.img")]


def disk_image(image, path, boot="booti", bootargs="", files=None):
    """A disk with an MBR (one bootable FAT16 partition, type 0x0e) holding
    boot.scr and k23.img; files: other (name, bytes) to put beside them."""
    sectors = DISK_SIZE // 512
    first = PARTITION_START // 512
    mbr = bytearray(512)
    # MBR partition entry: status 0x80 (bootable), CHS unused, type 0x0e (FAT16 LBA), LBA start, sectors.
    mbr[446:462] = struct.pack("<B3sB3sII", 0x80, b"\xff\xff\xfe", 0x0e, b"\xff\xff\xfe",
                               first, sectors - first)
    mbr[510:512] = b"\x55\xaa"
    with open(path, "wb") as f:
        f.write(mbr)
        f.truncate(DISK_SIZE)
    fat = f"{path}@@{PARTITION_START}"
    tool("mformat", ["-i", fat, "-v", "K23BOOT", "::"])
    with tempfile.TemporaryDirectory() as tmp:
        names = boot_files(image, tmp, boot, bootargs)
        for name, data in files or ():
            extra = os.path.join(tmp, name)
            with open(extra, "wb") as f:
                f.write(data)
            names.append(extra)
        tool("mcopy", ["-i", fat] + names + ["::"])
    return path


def boot(image, boot="booti", append="", smp=1, memory="256M", vlen=128, timeout=None,
         passthrough=False):
    """Boots image through U-Boot's `boot` command from a disk made for it;
    append: the kernel command line (U-Boot's bootargs)."""
    if not os.path.exists(UBOOT):
        raise DriverError(f"{UBOOT} not found (run ./k23 setup: u-boot-qemu)")
    with tempfile.TemporaryDirectory() as tmp:
        disk = disk_image(image, os.path.join(tmp, "disk.img"), boot, append)
        extra = ("-drive", f"file={disk},format=raw,if=none,id=k23disk",
                 "-device", "virtio-blk-device,drive=k23disk")
        return qemu.boot(UBOOT, smp=smp, memory=memory, vlen=vlen, timeout=timeout,
                         passthrough=passthrough, extra=extra)
