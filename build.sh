#!/usr/bin/env bash
# The one entry point: dependencies, build, run, test, debug.
# Run ./build.sh help for the commands.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$TOP"
ARCHES=(x86_64 i686 aarch64)
JOBS=$(nproc 2>/dev/null || echo 2)

usage() {
	cat <<'EOT'
usage: ./build.sh COMMAND [ARGS]

  deps                      install the Debian packages the build and tests need
                            (idempotent; the other commands run it when needed)
  build [ARCH|all]          build the kernel(s) into build/ARCH/ and the user
                            programs into build/user/ARCH/ (default: all, which
                            also builds the host tests into build/host/ and
                            build/host-tsan/); writes
                            build/compile_commands.json covering all of them
  initramfs ARCH            pack the user test programs into build/ARCH/initramfs.cpio
                            (/init = syscall_test, all of them under /bin)
  run ARCH [OPTIONS] [-- KERNEL ARGS]
                            boot ARCH under QEMU, serial console on this terminal
      --smp N               CPUs (default 1)
      --mem SIZE            guest RAM (default 256M)
      --accel tcg|kvm       accelerator (default tcg; kvm: x86_64 only, functional only)
      --boot direct|image|uboot
                            aarch64: bare ELF via -kernel (direct), the arm64
                            Image via -kernel, or U-Boot booti of the Image
      --el2                 aarch64: enter at EL2 (-M virt,virtualization=on)
      --gicv3               aarch64: GICv3 (automatic above 8 CPUs)
      --cpu MODEL           QEMU CPU model (default max on x86, cortex-a72 on aarch64)
      --initrd FILE         a cpio newc initramfs (x86: Multiboot module;
                            aarch64: boots the Image, which QEMU passes it to,
                            or with --boot uboot a raw ramdisk for booti);
                            the kernel then runs init=PATH (default /init),
                            and words after a second -- are init's arguments
      --tcg-threads single|multi
                            TCG vCPUs in lock-step on one host thread, or one
                            host thread each (default multi; the harness: single)
      --icount              -icount shift=0,sleep=off: deterministic virtual
                            time (implies single-threaded TCG)
      --timeout S           stop QEMU after S seconds without a power-off:
                            "timeout: ..." and exit 124
      --log FILE            save the whole console in FILE (still shown)
      --monitor             QEMU's monitor on build/ARCH/monitor.sock; prints
                            how to connect (info tlb, info mem, ...)
      --qemu-arg ARG        one more QEMU argument, verbatim (repeatable:
                            --qemu-arg -d --qemu-arg int)
  test [ARCH|all]           build, then run every test target through prove:
                            the kernels under QEMU, the MI code on the host,
                            and the user runtime's programs on Linux
  bench [ARCH|all] [OPTIONS]
                            build, then boot the benchmark program
                            (build/user/ARCH/bench/bench) as /init under QEMU:
                            fault latency, fork cost, TLB shootdown cost
      --quick               short runs (about a minute or two for all)
      --smp N               vCPUs (default 2; 1 with --icount)
      --smp-sweep N,N,...   boot once per vCPU count (instead of --smp)
      --policy P[,P...]     tlbk policies: batched|naive|broadcast (aarch64
                            only), boot options joined by +, e.g.
                            batched+tlb.lazy=0 (default batched)
      --vs-linux            also boot Debian's Linux (fetched once into
                            build/linux/) with the same program and machine
      --icount              -icount shift=0,sleep=off: instruction counts
                            (deterministic) instead of wall time; with more
                            vCPUs the shootdown cases run at one CPU only
      --reps N              boots per configuration, alternated (default 1)
      --only NAME[,NAME]    only these groups (fault, fork, shootdown) or cases
      --mem SIZE            guest RAM (default 512M)
      --timeout S           seconds per boot (default 900; 300 with --quick)
      --out DIR             output directory
                            Results: build/bench/<date>-<host>/, see bench/README.md.
                            Builds into build/bench-build/ with DEBUG=0 unless
                            DEBUG=1 is set
  debug ARCH [OPTIONS] [-- KERNEL ARGS]
                            like run, but QEMU waits for gdb; prints the gdb command
      --gdb-port N          the gdb stub's port on 127.0.0.1 (default 1234)
  clean                     remove build/
  help                      this text

ARCH is one of: x86_64 i686 aarch64.

Environment (build, run, debug, test, bench): DEBUG=0|1 (default 1, bench 0: sanity
checks such as spinlock lock order), KCFLAGS='...' (extra kernel C flags).
A change rebuilds the kernel; the boot log prints
  tlbk: built with DEBUG=1 KCFLAGS='...' (clang X.Y.Z)
EOT
}

die_usage() {
	echo "build.sh: $*" >&2
	echo >&2
	usage >&2
	exit 2
}

# --- deps -------------------------------------------------------------------

# "command-or-file package" pairs: what must exist, and the package providing it.
DEPS=(
	"make make"
	"clang clang"
	"ld.lld lld"
	"llvm-objcopy llvm"
	"llvm-symbolizer llvm"
	"nasm nasm"
	"python3 python3"
	"prove perl"
	"qemu-system-x86_64 qemu-system-x86"
	"qemu-system-i386 qemu-system-x86"
	"qemu-system-aarch64 qemu-system-arm"
	"qemu-aarch64 qemu-user"
	"llvm-ar llvm"
	"/usr/lib/u-boot/qemu_arm64/u-boot.bin u-boot-qemu"
	"mkenvimage u-boot-tools"
	"gdb-multiarch gdb-multiarch"
	"musl-gcc musl-tools"
	"gnuplot gnuplot-nox"
)

missing_packages() {
	local pair what pkg
	for pair in "${DEPS[@]}"; do
		what=${pair%% *}
		pkg=${pair##* }
		if [[ $what == /* ]]; then
			[[ -e $what ]] || echo "$pkg"
		else
			command -v "$what" >/dev/null 2>&1 || echo "$pkg"
		fi
	done | sort -u
}

cmd_deps() {
	local missing
	missing=$(missing_packages)
	if [[ -z $missing ]]; then
		echo "deps: everything is installed"
		return 0
	fi
	echo "deps: installing:" $missing
	local sudo=
	[[ $(id -u) -eq 0 ]] || sudo=sudo
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends $missing >/dev/null
	missing=$(missing_packages)
	if [[ -n $missing ]]; then
		echo "deps: still missing after install:" $missing >&2
		exit 1
	fi
}

ensure_deps() {
	[[ -z $(missing_packages) ]] || cmd_deps
}

# --- build ------------------------------------------------------------------

arch_list() {
	case "${1:-all}" in
	all) echo "${ARCHES[@]}" ;;
	x86_64 | i686 | aarch64) echo "$1" ;;
	*) die_usage "unknown arch '$1'" ;;
	esac
}

# Run "$@" holding DIR/.lock (flock): builds started at once in one tree
# (two ./build.sh run, a run beside a test) take turns on DIR instead of
# racing on its files.
with_lock() {
	local dir=$1
	shift
	mkdir -p "$dir"
	flock "$dir/.lock" "$@"
}

# build/compile_commands.json for clangd: the kernels, user/ and
# tests/user per arch, tests/host: whatever has been built.
merge_compile_commands() {
	local files=() f
	for f in build/{x86_64,i686,aarch64}/compile_commands.json \
		build/user/{x86_64,i686,aarch64}/compile_commands.json \
		build/host/compile_commands.json; do
		[[ -s $f ]] && files+=("$f")
	done
	[[ ${#files[@]} -gt 0 ]] || return 0
	with_lock build python3 - build/compile_commands.json "${files[@]}" <<'EOT'
import json, os, sys
out = sys.argv[1]
entries = [e for f in sys.argv[2:] for e in json.load(open(f))]
with open(f"{out}.{os.getpid()}", "w") as f:
	print(json.dumps(entries, indent=1), file=f)
os.replace(f"{out}.{os.getpid()}", out)
EOT
}

# The kernel build's knobs, from the environment (build, run, debug,
# test): DEBUG=0|1 (default 1: sanity checks such as lock order) and
# KCFLAGS (extra C flags). A change rebuilds the kernel; the boot log says
# what it was built with.
check_build_env() {
	case ${DEBUG:-1} in
	0 | 1) ;;
	*) die_usage "DEBUG is 0 or 1, not '${DEBUG}'" ;;
	esac
}

build_kernel() {
	echo "== build $1"
	with_lock "build/$1" make --no-print-directory -j"$JOBS" \
		ARCH="$1" DEBUG="${DEBUG:-1}" KCFLAGS="${KCFLAGS:-}"
}

# build [ARCH|all]: the kernel(s) and the user programs of each arch, and
# for all the host build of the MI code too; then the merged
# compile_commands.json.
cmd_build() {
	[[ $# -le 1 ]] || die_usage "build takes at most one ARCH"
	local archs a
	archs=$(arch_list "${1:-all}")
	check_build_env
	ensure_deps
	for a in $archs; do
		build_kernel "$a"
		echo "== build user/ $a"
		with_lock "build/user/$a" make --no-print-directory -s \
			-j"$JOBS" -C user ARCH="$a"
	done
	if [[ ${1:-all} == all ]]; then
		echo "== build host (MI code under ASan + UBSan)"
		with_lock build/host make --no-print-directory -j"$JOBS" \
			-f tests/host/Makefile
		# The coherence layer's threads-as-CPUs binary again, under
		# ThreadSanitizer (it cannot share objects with ASan).
		echo "== build host-tsan (smp/ on threads under TSan)"
		with_lock build/host-tsan make --no-print-directory \
			-j"$JOBS" -f tests/host/Makefile O=build/host-tsan \
			SAN=-fsanitize=thread build/host-tsan/ktest-host-smp
	fi
	merge_compile_commands
}

# --- initramfs ----------------------------------------------------------------

# The programs of tests/libc/, linked statically against the system's musl
# libc by musl-gcc: binaries from another compiler, linker and libc than
# user/, like the ones people bring. musl-gcc targets the host's own arch,
# so only that arch gets them.
build_libc_programs() {
	local a=$1 src bin out=build/user/$1/libc
	[[ $a == "$(uname -m)" ]] || return 0
	mkdir -p "$out"
	for src in tests/libc/*.c; do
		bin=$out/$(basename "$src" .c)
		[[ $bin -nt $src ]] && continue
		echo "  MUSLCC  $a $src"
		musl-gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$bin" "$src"
	done
}

# build/ARCH/initramfs.cpio: the user test programs, with syscall_test as
# /init and every program under /bin (the tests/libc/ ones too, on the
# host's own arch).
cmd_initramfs() {
	[[ $# -eq 1 ]] || die_usage "initramfs needs one ARCH"
	local a=$1 p dir pairs=()
	arch_list "$a" >/dev/null
	[[ $a != all ]] || die_usage "initramfs needs one ARCH, not all"
	ensure_deps
	# One packer per arch at a time (see with_lock): the user programs,
	# the musl ones and the cpio are all written below.
	mkdir -p "build/user/$a"
	local lock
	exec {lock}>"build/user/$a/.lock"
	flock "$lock"
	make --no-print-directory -s -C user ARCH="$a"
	dir=build/user/$a/tests
	pairs+=("/init=$dir/syscall_test")
	for p in "$dir"/*; do
		pairs+=("/bin/${p##*/}=$p")
	done
	build_libc_programs "$a"
	for p in build/user/"$a"/libc/*; do
		[[ -f $p ]] && pairs+=("/bin/${p##*/}=$p")
	done
	python3 tools/mkinitramfs.py "build/$a/initramfs.cpio.$$" "${pairs[@]}"
	mv "build/$a/initramfs.cpio.$$" "build/$a/initramfs.cpio"
	exec {lock}>&-
	echo "initramfs: build/$a/initramfs.cpio (${#pairs[@]} entries)"
}

# --- run / debug --------------------------------------------------------------

# Translate build.sh run options into tools/qemu.py options.
qemu_cmd() {
	local mode=$1
	shift
	[[ $# -ge 1 ]] || die_usage "$mode needs an ARCH"
	local arch=$1
	shift
	arch_list "$arch" >/dev/null
	[[ $arch != all ]] || die_usage "$mode needs one ARCH, not all"
	local args=() kargs=()
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--smp | --mem | --accel | --initrd | --cpu)
			[[ $# -ge 2 ]] || die_usage "$1 needs a value"
			args+=("$1" "$2")
			shift 2 ;;
		--gdb-port)
			[[ $# -ge 2 ]] || die_usage "$1 needs a value"
			[[ $2 =~ ^[0-9]+$ && $2 -ge 1 && $2 -le 65535 ]] ||
				die_usage "--gdb-port is a TCP port (1-65535), not '$2'"
			args+=("$1" "$2")
			shift 2 ;;
		--boot)
			[[ $# -ge 2 ]] || die_usage "--boot needs a value"
			case "$2" in
			direct) ;;
			image | uboot) args+=(--boot "$2") ;;
			*) die_usage "--boot is direct, image or uboot, not '$2'" ;;
			esac
			shift 2 ;;
		--qemu-arg | --log)
			[[ $# -ge 2 ]] || die_usage "$1 needs a value"
			# One word, so a value starting with - stays a value.
			args+=("$1=$2")
			shift 2 ;;
		--qemu-arg=* | --log=*)
			args+=("$1")
			shift ;;
		--tcg-threads)
			[[ $# -ge 2 ]] || die_usage "$1 needs a value"
			[[ $2 == single || $2 == multi ]] ||
				die_usage "--tcg-threads is single or multi, not '$2'"
			args+=("$1" "$2")
			shift 2 ;;
		--timeout)
			[[ $# -ge 2 ]] || die_usage "$1 needs a value"
			[[ $2 =~ ^[0-9]+$ && $2 -ge 1 ]] ||
				die_usage "--timeout is a whole number of seconds, not '$2'"
			args+=("$1" "$2")
			shift 2 ;;
		--el2 | --gicv3 | --icount | --monitor)
			args+=("$1")
			shift ;;
		--)
			shift
			kargs=("$@")
			break ;;
		*) die_usage "unknown $mode option '$1'" ;;
		esac
	done
	if [[ " ${args[*]} " == *" --icount "* && " ${args[*]} " == *" --tcg-threads multi "* ]]; then
		die_usage "--icount runs single-threaded TCG: not with --tcg-threads multi"
	fi
	check_build_env
	build_kernel "$arch" >/dev/null
	merge_compile_commands
	exec python3 tools/qemu.py "$mode" "$arch" "${args[@]}" -- "${kargs[@]}"
}

# --- bench ------------------------------------------------------------------

# bench [ARCH|all] [OPTIONS]: tools/bench.py checks the options (usage and
# exit 2) and names the arches; build their kernels and user programs
# (the benchmark is one of them), then hand over to it. The build goes to
# build/bench-build/ with DEBUG=0 by default: numbers without the sanity
# checks, and no rebuild of the kernels tests are booting from build/.
cmd_bench() {
	local archs a out=build/bench-build
	archs=$(python3 tools/bench.py --list-arches "$@") || exit $?
	[[ -n $archs ]] || exit 0	# --help was asked for
	DEBUG=${DEBUG:-0}
	check_build_env
	ensure_deps
	for a in $archs; do
		echo "== build $a (DEBUG=$DEBUG) into $out/$a"
		with_lock "$out/$a" make --no-print-directory -j"$JOBS" \
			ARCH="$a" O="$out/$a" DEBUG="$DEBUG" KCFLAGS="${KCFLAGS:-}"
		echo "== build user/ $a into $out/user/$a"
		with_lock "$out/user/$a" make --no-print-directory -s \
			-j"$JOBS" -C user ARCH="$a" O="$TOP/$out/user/$a"
	done
	exec python3 tools/bench.py --build "$out" "$@"
}

# --- test -------------------------------------------------------------------

cmd_test() {
	[[ $# -le 1 ]] || die_usage "test takes at most one ARCH"
	local which=${1:-all} targets status=0 a
	local -a user_arches
	arch_list "$which" >/dev/null
	cmd_build "$which"
	for a in $(arch_list "$which"); do
		cmd_initramfs "$a"
	done
	mapfile -t targets < <(python3 tests/harness/run_target.py --list "$which")
	echo "== test: ${#targets[@]} kernel targets"
	prove -j"$JOBS" --exec "python3 tests/harness/run_target.py" \
		"${targets[@]}" || status=1
	# The user runtime and its programs, run on this Linux host: the same
	# static binaries will run on the kernel.
	read -ra user_arches <<<"$(arch_list "$which")"
	echo "== test: user runtime on Linux (${user_arches[*]})"
	tools/user_test.sh "${user_arches[@]}" || status=1
	# build.sh, tools/ and the harness themselves: cheap host-side checks
	# (QEMU start-up failures, the console symbolizer, ...).
	echo "== test: tooling"
	prove --exec env tests/tools/*_test.* || status=1
	return $status
}

main() {
	[[ $# -ge 1 ]] || { usage; exit 2; }
	local cmd=$1
	shift
	case "$cmd" in
	deps) [[ $# -eq 0 ]] || die_usage "deps takes no arguments"; cmd_deps ;;
	initramfs) cmd_initramfs "$@" ;;
	build) cmd_build "$@" ;;
	run) ensure_deps; qemu_cmd run "$@" ;;
	debug) ensure_deps; qemu_cmd debug "$@" ;;
	test) cmd_test "$@" ;;
	bench) cmd_bench "$@" ;;
	clean) rm -rf build ;;
	help | -h | --help) usage ;;
	*) die_usage "unknown command '$cmd'" ;;
	esac
}

main "$@"
