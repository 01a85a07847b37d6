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
#   tools/user_test.sh --run ARCH/PROG@qemu
#                                       the same under qemu-user, whatever
#                                       the probe says
#
# Runners come from a probe, not from uname -m: tools/elf_run.py writes a
# 3-instruction static ELF of the arch that exits 42 and runs it. If it runs
# natively (the host's arch; i686 on an x86_64 kernel with 32-bit support;
# any arch with binfmt_misc), programs run natively; otherwise under
# qemu-<arch> user mode (Debian package qemu-user), if the same probe runs
# there. Programs are exec'd directly (tools/elf_run.py run), never through
# a shell, so an ELF the kernel refuses cannot turn into a shell syntax
# error. USER_TEST_PROBE=fail (or USER_TEST_EMULATE=1) makes the native
# probe fail, so every arch runs under qemu: that path is tested on any
# host, and list/run include PROG@qemu targets for a few programs of each
# arch that runs natively. Programs see USER_TEST_QEMU=1 under qemu, to skip
# checks of what qemu-user answers itself.
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

# Programs also run under qemu-user on an arch that runs natively, so the
# emulator path stays tested wherever the native one is taken.
FORCED_QEMU_PROGRAMS=(syscall_test fork_test thread_test)

# Targets: ARCH/PROGRAM for every tests/user/*.c, ARCH/bench (the
# benchmark program, bench/, in its --quick form: it checks what it
# measures, and runs the same on Linux), and ARCH/PROGRAM@qemu for
# FORCED_QEMU_PROGRAMS on each arch this host runs natively.
list_targets() {
	local a f
	for a in "$@"; do
		for f in "$TOP"/tests/user/*.c; do
			f=${f##*/}
			echo "$a/${f%.c}"
		done
		echo "$a/bench"
		[[ $(runner_for "$a" 2>/dev/null) == native ]] || continue
		for f in "${FORCED_QEMU_PROGRAMS[@]}"; do
			echo "$a/$f@qemu"
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

# How this host runs @arch's binaries: prints "native" or the qemu-user
# command, from running the probe ELF; returns 1 (reasons on stderr) if
# neither runs it. USER_TEST_PROBE=fail skips the native try.
runner_for() {
	local arch=$1 probe qemu
	probe=$TOP/build/user/probe/$arch
	qemu=$(qemu_for "$arch")
	if [[ ${USER_TEST_PROBE:-} != fail && ${USER_TEST_EMULATE:-0} != 1 ]] &&
		python3 "$TOP/tools/elf_run.py" probe "$arch" "$probe"; then
		echo native
		return 0
	fi
	if ! command -v "$qemu" >/dev/null; then
		echo "user_test: $qemu missing (apt-get install qemu-user)" >&2
		return 1
	fi
	python3 "$TOP/tools/elf_run.py" probe "$arch" "$probe" "$qemu" ||
		return 1
	echo "$qemu"
}

# Run one program with its output on stdout; exit with its status.
run_one() {
	local target=$1 arch=${1%%/*} prog=${1#*/} bin runner rc=0 forced=0
	if [[ $prog == *@qemu ]]; then
		prog=${prog%@qemu}
		forced=1
		export USER_TEST_PROBE=fail
	fi
	local args=(argv-check)
	bin=$TOP/build/user/$arch/tests/$prog
	if [[ $prog == bench ]]; then
		bin=$TOP/build/user/$arch/bench/bench
		args=(--quick)
	fi
	[[ -x $bin ]] || { echo "FAILED $target: $bin not built" >&2; exit 1; }
	runner=$(runner_for "$arch" 2>&1) ||
		{ echo "FAILED $target: this host runs no $arch binary: $runner" >&2; exit 1; }
	# The probe's reasons for not running natively, as diagnostics.
	[[ $runner == *$'\n'* ]] && sed 's/^/# /' <<<"${runner%$'\n'*}"
	runner=${runner##*$'\n'}
	[[ $forced -eq 0 || $runner != native ]] ||
		{ echo "FAILED $target: USER_TEST_PROBE=fail still ran it natively" >&2; exit 1; }
	# Tests kill children with SIGSEGV on purpose: no core files.
	ulimit -c 0
	export USER_TEST_ENV=1
	echo "# $target: $runner"
	if [[ $runner == native ]]; then
		python3 "$TOP/tools/elf_run.py" run "$TIMEOUT" "$bin" "${args[@]}" 2>&1 ||
			rc=$?
	else
		export USER_TEST_QEMU=1
		python3 "$TOP/tools/elf_run.py" run "$TIMEOUT" "$runner" "$bin" \
			"${args[@]}" 2>&1 || rc=$?
	fi
	[[ $rc -eq 124 ]] && echo "FAILED $target: timed out after ${TIMEOUT}s" >&2
	exit "$rc"
}

build_all() {
	local a
	for a in "$@"; do
		mkdir -p "$TOP/build/user/$a"
		# The lock ./build.sh initramfs holds: one build of user/ at a time.
		flock "$TOP/build/user/$a/.lock" \
			make -s -C "$TOP/user" ARCH="$a" -j"$(nproc)" >/dev/null ||
			die "build failed for $a"
	done
}

# Everything under prove, one program per host core at a time, except
# file_test: it counts the IPIs this host sends a thread spinning on
# another CPU, which only holds while nothing else competes for that CPU
# (Linux sends none to a CPU that switched to another process). So the
# file_test runs go last, one at a time.
run_all() {
	local -a par=() ser=()
	local t status=0

	for t in "$@"; do
		if [[ ${t#*/} == file_test ]]; then
			ser+=("$t")
		else
			par+=("$t")
		fi
	done
	prove -j"$(nproc)" --exec "$TOP/tools/user_test.sh --run" \
		"${par[@]}" || status=1
	if [[ ${#ser[@]} -gt 0 ]]; then
		prove --exec "$TOP/tools/user_test.sh --run" "${ser[@]}" ||
			status=1
	fi
	return $status
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
		run_all "${targets[@]}" ;;
	esac
}

main "$@"
