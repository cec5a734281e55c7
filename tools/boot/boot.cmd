# k23's U-Boot boot script (tools/driver/uboot.py makes boot.scr of it with
# u-boot-tools' mkimage). U-Boot's distro boot finds boot.scr on a bootable
# partition and runs it with ${devtype} ${devnum}:${distro_bootpart} set to
# that partition; run by hand (`load ... ${scriptaddr} boot.scr; source
# ${scriptaddr}`), it falls back to the first partition of mmc 0.
if test -z "${devtype}"; then setenv devtype mmc; setenv devnum 0; setenv distro_bootpart 1; fi
echo k23: loading k23.img from ${devtype} ${devnum}:${distro_bootpart}, entering with @BOOT@
setenv bootargs "@BOOTARGS@"
load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} k23.img
@COMMAND@
echo k23: @BOOT@ returned: not a bootable k23.img?
