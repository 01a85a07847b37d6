#!/bin/sh
# Write a QEMU -M virt pflash image (flash bank 1, 64 MiB) holding a U-Boot
# environment that boots the arm64 Image at 0x40400000 without waiting:
#
#   tools/uboot-env.sh OUT.img "BOOTARGS" [RAMDISK_ADDR:SIZE]
#
# With a ramdisk (loaded by QEMU at RAMDISK_ADDR, e.g. -device
# loader,file=initramfs.cpio,addr=0x48000000,force-raw=on), booti is given
# ADDR:SIZE, U-Boot's form for a raw ramdisk without a uImage header, and
# writes linux,initrd-start/-end into /chosen of the DTB it hands over.
#
# Use with: -bios /usr/lib/u-boot/qemu_arm64/u-boot.bin
#           -drive if=pflash,format=raw,index=1,file=OUT.img
#           -device loader,file=build/aarch64/Image,addr=0x40400000
# U-Boot (qemu_arm64) keeps its environment at the start of flash bank 1,
# 0x40000 bytes with a CRC32 header: exactly what mkenvimage -s 0x40000
# writes. bootargs reaches the kernel as /chosen/bootargs in the DTB that
# booti passes (U-Boot's copy of QEMU's, ${fdtcontroladdr}).
set -eu

if [ $# -ne 2 ] && [ $# -ne 3 ]; then
	echo "usage: $0 OUT.img \"BOOTARGS\" [RAMDISK_ADDR:SIZE]" >&2
	exit 2
fi
out=$1
bootargs=$2
ramdisk=${3:--}
case $ramdisk in
-|0x[0-9a-fA-F]*:0x[0-9a-fA-F]*) ;;
*)	echo "$0: RAMDISK must be ADDR:SIZE in hex (0x...:0x...)" >&2; exit 2 ;;
esac

case $bootargs in
*'
'*)	echo "$0: BOOTARGS must be a single line" >&2; exit 2 ;;
esac
command -v mkenvimage >/dev/null 2>&1 || {
	echo "$0: mkenvimage not found (Debian package u-boot-tools)" >&2
	exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
	echo "bootdelay=0"
	printf 'bootargs=%s\n' "$bootargs"
	# \${fdtcontroladdr} is expanded by U-Boot, not here.
	echo "bootcmd=booti 0x40400000 $ramdisk \${fdtcontroladdr}"
} > "$tmp/env.txt"
mkenvimage -s 0x40000 -o "$tmp/env.bin" "$tmp/env.txt"
# The virt machine's flash banks are exactly 64 MiB each.
cp "$tmp/env.bin" "$tmp/flash.img"
truncate -s 64M "$tmp/flash.img"
mv "$tmp/flash.img" "$out"
