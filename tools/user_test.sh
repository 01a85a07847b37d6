#!/usr/bin/env bash
# Build the user runtime (user/) and the user test programs (tests/user/)
# for every arch and run each program on this Linux host, to show that the
# same static binaries that target the kernel's Linux-subset ABI run on
# Linux unchanged. One prove result per arch x program:
#
#   tools/user_test.sh [ARCH...]        build, then run all under prove
#   tools/user_test.sh --list [ARCH...] print the targets (ARCH/PROGRAM)
#   tools/user_test.sh --run ARCH/PROG  run one program, KTAP on stdout
#                                       (what prove --exec calls)
#
# Runners: a program of the host's own arch runs natively; i686 on an
# x86_64 host runs natively if the host kernel executes 32-bit binaries and
# under qemu-i386 otherwise; anything else runs under qemu-<arch> user mode
# (Debian package qemu-user). USER_TEST_EMULATE=1 puts every arch under
# qemu, to exercise that path on any host. Programs see USER_TEST_QEMU=1
# under qemu, to skip checks of what qemu-user answers itself.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ALL_ARCHES=(x86_64 i686 aarch64)
TIMEOUT=${USER_TEST_TIMEOUT:-120}

die() { echo "user_test: $*" >&2; exit 2; }

check_arches() {
	local a
	for a in "$@"; do
		case $a in x86_64|i686|aarch64) ;; *) die "unknown arch '$a'" ;; esac
	done
}

# Targets: ARCH/PROGRAM for every tests/user/*.c.
list_targets() {
	local a f
	for a in "$@"; do
		for f in "$TOP"/tests/user/*.c; do
			f=${f##*/}
			echo "$a/${f%.c}"
		done
	done
}

qemu_for() {
	case $1 in
	x86_64) echo qemu-x86_64 ;;
	i686) echo qemu-i386 ;;
	aarch64) echo qemu-aarch64 ;;
	esac
}

# Can the host run @arch's binaries without an emulator (first choice)?
host_runs() {
	local host
	host=$(uname -m)
	[[ $1 == "$host" ]] || [[ $1 == i686 && $host == x86_64 ]]
}

# Run one program with its output on stdout; exit with its status. Exit
# 126 means the kernel refused the binary (no 32-bit support): then fall
# back to the emulator, once, and say so.
run_one() {
	local target=$1 arch=${1%%/*} prog=${1#*/} bin qemu rc=0
	bin=$TOP/build/user/$arch/tests/$prog
	[[ -x $bin ]] || { echo "Bail out! $bin not built"; exit 1; }
	qemu=$(qemu_for "$arch")
	# Tests kill children with SIGSEGV on purpose: no core files.
	ulimit -c 0
	export USER_TEST_ENV=1
	if [[ ${USER_TEST_EMULATE:-0} != 1 ]] && host_runs "$arch"; then
		echo "# $target: native"
		timeout "$TIMEOUT" "$bin" argv-check 2>&1 || rc=$?
		[[ $rc -eq 126 ]] || return_status "$rc"
		echo "# $target: host kernel cannot run it natively, trying $qemu"
	fi
	command -v "$qemu" >/dev/null ||
		{ echo "Bail out! $qemu missing (apt-get install qemu-user)"; exit 1; }
	echo "# $target: $qemu"
	export USER_TEST_QEMU=1
	rc=0
	timeout "$TIMEOUT" "$qemu" "$bin" argv-check 2>&1 || rc=$?
	return_status "$rc"
}

return_status() {
	[[ $1 -eq 124 ]] && echo "Bail out! timed out after ${TIMEOUT}s"
	exit "$1"
}

build_all() {
	local a
	for a in "$@"; do
		make -s -C "$TOP/user" ARCH="$a" -j"$(nproc)" >/dev/null ||
			die "build failed for $a"
	done
}

main() {
	local -a arches targets
	case ${1:-} in
	--run)
		[[ $# -eq 2 && $2 == */* ]] || die "usage: --run ARCH/PROGRAM"
		check_arches "${2%%/*}"
		run_one "$2" ;;
	--list)
		shift
		arches=("${@:-${ALL_ARCHES[@]}}")
		check_arches "${arches[@]}"
		list_targets "${arches[@]}" ;;
	-*) die "unknown option '$1'" ;;
	*)
		arches=("${@:-${ALL_ARCHES[@]}}")
		check_arches "${arches[@]}"
		build_all "${arches[@]}"
		mapfile -t targets < <(list_targets "${arches[@]}")
		cd "$TOP"
		exec prove -j"$(nproc)" --exec "$TOP/tools/user_test.sh --run" \
			"${targets[@]}" ;;
	esac
}

main "$@"
