#!/bin/sh
# Write a QEMU -M virt pflash image (flash bank 1, 64 MiB) holding a U-Boot
# environment that boots the arm64 Image at 0x40400000 without waiting:
#
#   tools/uboot-env.sh OUT.img "BOOTARGS"
#
# Use with: -bios /usr/lib/u-boot/qemu_arm64/u-boot.bin
#           -drive if=pflash,format=raw,index=1,file=OUT.img
#           -device loader,file=build/aarch64/Image,addr=0x40400000
# U-Boot (qemu_arm64) keeps its environment at the start of flash bank 1,
# 0x40000 bytes with a CRC32 header: exactly what mkenvimage -s 0x40000
# writes. bootargs reaches the kernel as /chosen/bootargs in the DTB that
# booti passes (U-Boot's copy of QEMU's, ${fdtcontroladdr}).
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 OUT.img \"BOOTARGS\"" >&2
	exit 2
fi
out=$1
bootargs=$2

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
	# Single quotes: ${fdtcontroladdr} is expanded by U-Boot, not here.
	echo 'bootcmd=booti 0x40400000 - ${fdtcontroladdr}'
} > "$tmp/env.txt"
mkenvimage -s 0x40000 -o "$tmp/env.bin" "$tmp/env.txt"
# The virt machine's flash banks are exactly 64 MiB each.
cp "$tmp/env.bin" "$tmp/flash.img"
truncate -s 64M "$tmp/flash.img"
mv "$tmp/flash.img" "$out"
