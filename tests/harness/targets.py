"""The test targets: one prove test per (arch, boot path, machine, CPU count).

Each target boots the kernel, which runs every in-kernel suite and prints
KTAP. Self-check targets boot with a deliberate fault and pass only if the
harness reports that fault as a failure: they prove a broken kernel cannot
slip through as a pass.

User targets (init set) boot the initramfs and run one user test program
as init: its KTAP is the result. Comparison targets (compare set) also run
the same program on this Linux host and require identical results.
"""
import glob
import os
import platform
from dataclasses import dataclass

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
# Where ./build.sh initramfs puts the programs of tests/user/ (/bin/NAME).
USER_BIN = "/bin"
USER_SMPS = (1, 4)

TLBNONE_ARCHES = ("x86_64", "i686", "aarch64")
# The programs that race CPUs against each other, booted under
# multi-threaded TCG MTTCG_REPEAT times each.
MTTCG_PROGRAMS = ("fork", "thread", "smp", "coherence", "proclimit",
                  "ptshare")
# The programs run under vm.fork=copy as well as the default share.
FORK_MODE_PROGRAMS = ("fork", "zero", "mm", "coherence", "ptshare")
MTTCG_REPEAT = 8


def default_boot(arch):
    return "elf" if arch == "aarch64" else "multiboot"


@dataclass(frozen=True)
class Target:
    name: str
    arch: str
    boot: str
    smp: int = 1
    mem: str = "256M"
    cpu: str = None  # QEMU CPU model; None: the default of tools/qemu.py
    initrd: str = None  # path under the top directory
    el2: bool = False
    gicv3: bool = False
    kargs: str = ""
    timeout: int = 60
    # "single" (lock-step SMP tests run 100x faster, PLATFORM.md) or
    # "multi": vCPUs on host threads, for races only real parallelism shows.
    tcg_threads: str = "single"
    # Self-checks: the run must FAIL and its console must match this regex.
    expect_failure: str = ""
    # Self-checks whose bug shows only when a race happens (the host
    # simulation's threads): boots allowed until it is seen.
    attempts: int = 1
    # Passing runs must also print a console line matching this regex
    # (evidence the run exercised what it is for, e.g. ASID rollovers).
    console_must: str = ""
    # User targets: the program run as init (the kernel's init= path).
    init: str = None
    # Comparison targets: ARCH/PROGRAM for tools/user_test.sh --run.
    compare: str = None
    # Tool targets (arch "tool"): a host command, run from the top
    # directory, whose standard output is the TAP.
    command: tuple = None
    # More QEMU arguments, verbatim (tools/qemu.py extra).
    qemu_args: tuple = ()
    # Ask for a gdb stub on a port the harness holds: QEMU cannot start.
    hold_gdb_port: bool = False


def user_programs():
    """The user test programs (tests/user/NAME.c -> NAME), sorted."""
    return sorted(os.path.basename(f)[:-2]
                  for f in glob.glob(os.path.join(TOP, "tests/user/*.c")))


def initramfs_boot(arch):
    """QEMU ignores -initrd for a bare aarch64 ELF: boot the Image there."""
    return "image" if arch == "aarch64" else "multiboot"


def _boots():
    t = []
    for arch in ("x86_64", "i686"):
        for smp in (1, 2, 4, 8):
            t.append(Target(f"{arch}-multiboot-smp{smp}", arch, "multiboot",
                            smp))
    # i686: RAM above the 896 MiB direct map (the HIGH zone); x86_64: more
    # RAM than the 1 GiB early map of the boot code.
    t.append(Target("i686-multiboot-mem1536M-smp2", "i686", "multiboot", 2,
                    mem="1536M"))
    t.append(Target("x86_64-multiboot-mem2G-smp2", "x86_64", "multiboot", 2,
                    mem="2G"))
    # A CPU without NX (and without PAE's no-execute bit in use).
    t.append(Target("i686-multiboot-nonx-smp2", "i686", "multiboot", 2,
                    cpu="qemu32"))
    for smp in (1, 2, 4, 8):
        t.append(Target(f"aarch64-elf-smp{smp}", "aarch64", "elf", smp))
    t.append(Target("aarch64-elf-gicv3-smp16", "aarch64", "elf", 16,
                    gicv3=True))
    t.append(Target("aarch64-image-smp2", "aarch64", "image", 2))
    t.append(Target("aarch64-elf-el2-smp4", "aarch64", "elf", 4, el2=True))
    t.append(Target("aarch64-uboot-smp1", "aarch64", "uboot", 1))
    t.append(Target("aarch64-uboot-el2-smp2", "aarch64", "uboot", 2,
                    el2=True))
    return t


# A panic's console (core/panic.c): "Call trace:", at least one line that
# is only a 0x kernel address (what a host symbolizer reads), then the
# Bail out! line matching @reason.
def _traced(reason):
    return (r"Call trace:\n(?:\[cpu\d+\] )?[ \t]+0x[0-9a-f]+\n(?:.*\n)*?" +
            reason)


def _selfchecks():
    """One per arch and failure kind the harness must catch."""
    t = []
    for arch, boot in (("x86_64", "multiboot"), ("i686", "multiboot"),
                       ("aarch64", "elf")):
        t.append(Target(f"{arch}-selfcheck-panic", arch, boot,
                        kargs="ktest.selftest=panic",
                        expect_failure=_traced(
                            r"Bail out! panic .*deliberate panic")))
        t.append(Target(f"{arch}-selfcheck-trap", arch, boot,
                        kargs="ktest.selftest=trap",
                        expect_failure=_traced(
                            r"Bail out! panic .*unhandled")))
        t.append(Target(f"{arch}-selfcheck-fail", arch, boot,
                        kargs="ktest.selftest=fail",
                        expect_failure=r"not ok \d+ ktest_selftest"))
        t.append(Target(f"{arch}-selfcheck-lockorder", arch, boot,
                        kargs="ktest.selftest=lockorder",
                        expect_failure=r"Bail out! panic .*lock order"))
        # A filter that matches nothing (a typo) must not pass as 1..0.
        t.append(Target(f"{arch}-selfcheck-nomatch", arch, boot,
                        kargs="ktest.filter=prinkt",
                        expect_failure=r"no suite matches 'prinkt'"))
        t.append(Target(f"{arch}-selfcheck-hang", arch, boot,
                        kargs="ktest.selftest=hang", timeout=8,
                        expect_failure=r"timed out"))
    # The user test programs as an initramfs (./build.sh initramfs ARCH):
    # a Multiboot module on x86, QEMU's -initrd for the aarch64 Image;
    # ktest=1 runs the in-kernel suites (the initramfs one reads it)
    # instead of init.
    for arch in ("x86_64", "i686", "aarch64"):
        t.append(Target(f"{arch}-initramfs-smp2", arch, initramfs_boot(arch),
                        2, initrd=f"build/{arch}/initramfs.cpio",
                        kargs="ktest=1"))
    # No remote invalidation: other CPUs must keep the stale entry.
    for arch in TLBNONE_ARCHES:
        t.append(Target(f"{arch}-selfcheck-tlbnone", arch, default_boot(arch),
                        2, kargs="tlb=none ktest.filter=shootdown",
                        expect_failure=r"not ok \d+ shootdown"))
    return t


def _user():
    """Each user test program as init, per arch, at -smp 1 and 4; the
    coherence test with tlb=none must fail; one program compared with its
    run on this Linux host."""
    t = []
    for arch in ("x86_64", "i686", "aarch64"):
        boot, initrd = initramfs_boot(arch), f"build/{arch}/initramfs.cpio"
        for prog in user_programs():
            short = prog[:-5] if prog.endswith("_test") else prog
            # Words after "--" reach init as arguments / environment,
            # as tools/user_test.sh passes them on Linux.
            for smp in USER_SMPS:
                t.append(Target(f"{arch}-user-{short}-smp{smp}", arch, boot,
                                smp, initrd=initrd, timeout=120,
                                kargs=f"init={USER_BIN}/{prog} -- "
                                      "argv-check USER_TEST_ENV=1",
                                init=f"{USER_BIN}/{prog}"))
        # fork's other page-table mode (the default, vm.fork=share, runs
        # in the targets above): the programs that fork and check memory.
        for prog in FORK_MODE_PROGRAMS:
            for smp in USER_SMPS:
                t.append(Target(f"{arch}-user-{prog}-forkcopy-smp{smp}", arch,
                                boot, smp, initrd=initrd, timeout=120,
                                kargs=f"init={USER_BIN}/{prog}_test "
                                      "vm.fork=copy",
                                init=f"{USER_BIN}/{prog}_test"))
        # Multi-threaded TCG, as ./build.sh run boots: the vCPUs really
        # run in parallel, which shows races single-threaded TCG hides (a
        # page leak seen in 1 of 3 runs). Each run is its own target, so
        # a 1-in-3 failure is missed with probability (2/3)^8 < 4%.
        for prog in MTTCG_PROGRAMS:
            for rep in range(1, MTTCG_REPEAT + 1):
                t.append(Target(f"{arch}-user-{prog}-mttcg-smp4-r{rep}",
                                arch, boot, 4, initrd=initrd, timeout=180,
                                kargs=f"init={USER_BIN}/{prog}_test",
                                init=f"{USER_BIN}/{prog}_test",
                                tcg_threads="multi"))
        # No remote invalidation: remote readers keep the old translation.
        # The program's diagnostic is the proof (what the kernel does
        # with stale entries afterwards, up to a panic, is no matter).
        t.append(Target(f"{arch}-user-coherence-tlbnone-smp4", arch, boot, 4,
                        initrd=initrd, timeout=120,
                        kargs=f"init={USER_BIN}/coherence_test tlb=none",
                        init=f"{USER_BIN}/coherence_test",
                        expect_failure=r"# (munmap|mprotect)_\w+: round \d+: "
                                       r"stale translation"))
        if arch == platform.machine():
            # A static musl binary (tests/libc/, built by ./build.sh
            # initramfs for the host's arch only): same results as here.
            for smp in USER_SMPS:
                t.append(Target(f"{arch}-user-musl-smp{smp}", arch, boot, smp,
                                initrd=initrd, timeout=120,
                                kargs=f"init={USER_BIN}/musl_test",
                                init=f"{USER_BIN}/musl_test"))
            t.append(Target(f"{arch}-user-musl-vs-linux", arch, boot, 2,
                            initrd=initrd, timeout=120,
                            kargs=f"init={USER_BIN}/musl_test",
                            init=f"{USER_BIN}/musl_test",
                            compare=f"build/user/{arch}/libc/musl_test"))
        if arch == "aarch64":
            # U-Boot's booti with a raw ramdisk, found in /chosen.
            t.append(Target("aarch64-uboot-user-fork-smp2", arch, "uboot", 2,
                            initrd=initrd, timeout=120,
                            kargs=f"init={USER_BIN}/fork_test",
                            init=f"{USER_BIN}/fork_test"))
        t.append(Target(f"{arch}-user-syscall-vs-linux", arch, boot, 2,
                        initrd=initrd, timeout=120,
                        kargs=f"init={USER_BIN}/syscall_test",
                        init=f"{USER_BIN}/syscall_test",
                        compare=f"{arch}/syscall_test"))
    return t


def _files():
    """The file layer (tests/user/file_test.c). Its ARCH-user-file-smp1/4
    targets come from _user(), like every user program's; these add one
    run per arch under multi-threaded TCG, where the munmap burst and the
    remote CPU counting its TLB / function-call IPIs really run at once."""
    t = []
    for arch in ("x86_64", "i686", "aarch64"):
        t.append(Target(f"{arch}-user-file-mttcg-smp4", arch,
                        initramfs_boot(arch), 4,
                        initrd=f"build/{arch}/initramfs.cpio", timeout=180,
                        kargs=f"init={USER_BIN}/file_test",
                        init=f"{USER_BIN}/file_test", tcg_threads="multi"))
    return t


def _counter():
    """aarch64's EL0 counter access (CNTKCTL_EL1) on the paths that enter
    at EL2 and drop to EL1 (CNTHCTL_EL2 is set there too): counter_test
    reads CNTVCT_EL0 on every CPU and requires CNTPCT_EL0 to trap. The
    EL1 entries are the plain ARCH-user-counter-smpN targets."""
    initrd = "build/aarch64/initramfs.cpio"
    init = f"{USER_BIN}/counter_test"
    return [Target("aarch64-user-counter-el2-smp4", "aarch64", "image", 4,
                   initrd=initrd, timeout=120, el2=True,
                   kargs=f"init={init}", init=init),
            Target("aarch64-uboot-el2-user-counter-smp2", "aarch64", "uboot",
                   2, initrd=initrd, timeout=120, el2=True,
                   kargs=f"init={init}", init=init)]


def _i686_tls():
    """i686-user-musl-*: Debian has no i386 musl without multiarch, so
    these run tests/user/tls_test (libu), which makes the calls a static
    i386 musl makes at start-up and for threads: set_thread_area(-1),
    %gs:0 reads, clone(CLONE_SETTLS) with a struct user_desc, fork."""
    boot, initrd = initramfs_boot("i686"), "build/i686/initramfs.cpio"
    return [Target(f"i686-user-musl-smp{smp}", "i686", boot, smp,
                   initrd=initrd, timeout=120,
                   kargs=f"init={USER_BIN}/tls_test",
                   init=f"{USER_BIN}/tls_test")
            for smp in USER_SMPS]


def _host():
    """The MI code natively under ASan + UBSan (tests/host), once per PTE
    codec; boot names the binary (native = the x86_64 codec)."""
    return [Target("host-mi-sanitizers", "host", "native", timeout=120),
            Target("host-i686pae-sanitizers", "host", "i686pae",
                   timeout=120),
            Target("host-aarch64-sanitizers", "host", "aarch64",
                   timeout=120),
            Target("host-selfcheck-fail", "host", "native",
                   kargs="ktest.selftest=fail",
                   expect_failure=r"not ok \d+ ktest_selftest"),
            # The simulated TLB ignores invalidations: the coherence suite
            # must then see the stale translation.
            Target("host-selfcheck-tlb", "host", "native",
                   kargs="sim.tlb=none",
                   expect_failure=r"not ok \d+ sim_tlb"),
            # The ASID allocators with one rule broken: a PCID slot
            # reused unflushed after eviction, a tag reused unflushed
            # after a rollover. The simulated TLB must show stale reads.
            Target("host-selfcheck-asid-evict", "host", "native",
                   kargs="sim.bug=no_evict_flush ktest.filter=sim_asid",
                   expect_failure=r"stale reads; first at .*\n.*\n"
                                  r"\s*not ok \d+ percpu_walk_evicts"),
            Target("host-selfcheck-asid-rollover", "host", "native",
                   kargs="sim.bug=no_rollover_flush ktest.filter=sim_asid",
                   expect_failure=r"stale reads; first at .*\n.*\n"
                                  r"\s*not ok \d+ global_walk_rolls_over")]


# ktest-host-smp: the real coherence layer on 4 threads as CPUs
# (tests/host/smp), freed frames poisoned so a stale read of one shows.
HOST_SMP_KARGS = "pmm.poison=1 ktest.filter=sim_coherence"

def _host_smp():
    """The policies (under every tag mode each) must never let a read see
    an old or foreign frame; each deliberately broken rule must."""
    t = [Target(f"host-smp-coherence-{name}", "host", "smp", timeout=120,
                kargs=f"{kargs} {HOST_SMP_KARGS}")
         for name, kargs in (("batched", "tlb=batched"),
                             ("naive", "tlb=naive"),
                             ("lazy0", "tlb=batched tlb.lazy=0"),
                             ("ceiling1", "tlb=batched tlb.ceiling=1"))]
    # The same walks under ThreadSanitizer: no data race in smp/ either.
    t += [Target(f"host-smp-tsan-{name}", "host", "smp-tsan", timeout=180,
                 kargs=f"{kargs} {HOST_SMP_KARGS}")
          for name, kargs in (("batched", "tlb=batched"),
                              ("naive", "tlb=naive"))]
    for name, kargs in (("tlbnone", "tlb=none"),
                        ("skip-catchup", "tlb.bug=skip_catchup"),
                        ("no-evict-flush", "tlb.bug=no_evict_flush"),
                        ("no-rollover-flush", "tlb.bug=no_rollover_flush"),
                        ("drop-coalesced", "tlb.bug=drop_coalesced"),
                        ("early-free", "tlb.bug=early_free"),
                        ("skip-lazy-tables", "tlb.bug=skip_lazy_tables")):
        t.append(Target(f"host-smp-selfcheck-{name}", "host", "smp",
                        timeout=120, kargs=f"{kargs} {HOST_SMP_KARGS}",
                        expect_failure=r"[1-9]\d* (stale|freed-table walks)",
                        attempts=3))
    # Fork's shared page tables (sim_ptshare): forks, copies of a shared
    # table and drops of a share racing on four CPUs; without remote
    # invalidation, or with frames freed before the flush, reads go stale.
    ptshare = "pmm.poison=1 ktest.filter=sim_ptshare"
    t += [Target(f"host-smp-ptshare-{name}", "host", "smp", timeout=120,
                 kargs=f"{kargs} {ptshare}")
          for name, kargs in (("batched", "tlb=batched"),
                              ("naive", "tlb=naive"),
                              ("lazy0", "tlb=batched tlb.lazy=0"))]
    t.append(Target("host-smp-tsan-ptshare", "host", "smp-tsan", timeout=180,
                    kargs=f"tlb=batched {ptshare}"))
    for name, kargs in (("tlbnone", "tlb=none"),
                        ("early-free", "tlb.bug=early_free")):
        t.append(Target(f"host-smp-selfcheck-ptshare-{name}", "host", "smp",
                        timeout=120, kargs=f"{kargs} {ptshare}",
                        expect_failure=r"[1-9]\d* (stale|freed-table walks)"
                                       r"|first stale read",
                        attempts=3))
    return t


def _tools():
    """Checks of the project's own tooling, run on the host: the KTAP
    checker rejects what Linux's parser rejects; the README's examples
    still print what it shows."""
    return [Target("tool-ktap-check-selftest", "tool", "host",
                   command=("python3", "tools/ktap_check.py", "--self-test")),
            Target("tool-readme-examples", "tool", "host", timeout=900,
                   command=("python3", "tools/readme_check.py"))]


def _tooling():
    """QEMU start-up failures (a missing -initrd file, a bad -m, a gdb port
    in use) must fail as such: QEMU's own exit 1 is no guest verdict.
    They cost no boot: QEMU stops before the guest runs."""
    start = r"qemu failed to start \(exit 1\): qemu-system-\S+: "
    t = []
    for arch in ("x86_64", "aarch64"):
        boot = default_boot(arch)
        t.append(Target(f"{arch}-selfcheck-qemu-noinitrd", arch,
                        initramfs_boot(arch), initrd="build/no-such.cpio",
                        timeout=20, expect_failure=start + r".*no-such\.cpio"))
        t.append(Target(f"{arch}-selfcheck-qemu-badmem", arch, boot,
                        mem="1X", timeout=20,
                        expect_failure=start + r".*(ram size|1X)"))
        t.append(Target(f"{arch}-selfcheck-qemu-gdbport", arch, boot,
                        hold_gdb_port=True, timeout=20,
                        expect_failure=start + r".*127\.0\.0\.1"))
    return t


# The coherence layer's policies and options (smp/tlb*.c): every one the
# arch has runs the TLB suites (tlb*: the protocol's counters, batches,
# stale-entry checks) and the shootdown suite, and the coherence program.
TLB_POLICIES = (
    ("batched", "tlb=batched"),
    ("naive", "tlb=naive"),
    ("lazy0", "tlb=batched tlb.lazy=0"),
    ("ceiling1", "tlb=batched tlb.ceiling=1"),
    ("ceiling4096", "tlb=batched tlb.ceiling=4096"),
)
# aarch64 only: broadcast TLBI, untagged (tlb.asid=0), and 3-bit global
# ASIDs, where a few processes already roll the generation over.
TLB_POLICIES_AARCH64 = (
    ("broadcast", "tlb=broadcast"),
    ("asid0", "tlb=batched tlb.asid=0"),
    ("asid3", "tlb=batched tlb.asid_bits=3"),
    ("broadcast-asid3", "tlb=broadcast tlb.asid_bits=3"),
)


def _tlb_policies():
    t = []
    for arch in ("x86_64", "i686", "aarch64"):
        policies = TLB_POLICIES + (TLB_POLICIES_AARCH64
                                   if arch == "aarch64" else ())
        boot = default_boot(arch)
        ib, initrd = initramfs_boot(arch), f"build/{arch}/initramfs.cpio"
        for name, kargs in policies:
            # The tlb suites at 2, 4 and 8 CPUs under every policy (at
            # one CPU they skip: nothing remote); the shootdown suite at 4.
            for suites, glob, smps in (("tlb", "tlb*", (2, 4, 8)),
                                       ("shootdown", "shootdown", (4,))):
                for smp in smps:
                    t.append(Target(f"{arch}-{suites}-{name}-smp{smp}", arch,
                                    boot, smp,
                                    kargs=f"{kargs} ktest.filter={glob}"))
            # With 3-bit ASIDs the program's processes roll the
            # generation over: the totals line must say so.
            t.append(Target(f"{arch}-user-coherence-{name}-smp4", arch, ib, 4,
                            initrd=initrd, timeout=120,
                            kargs=f"init={USER_BIN}/coherence_test {kargs}",
                            init=f"{USER_BIN}/coherence_test",
                            console_must=ROLLED_OVER if "asid3" in name
                            else ""))
        # The catch-up is load-bearing: without it a CPU back from lazy
        # mode reads the old frame, and the tlb suite must say so.
        t.append(Target(f"{arch}-selfcheck-tlbcatchup", arch, boot, 4,
                        kargs="tlb=batched tlb.bug=skip_catchup "
                              "ktest.filter=tlb",
                        expect_failure=r"read the old frame"))
        # The ASID layer (tests/kernel/smp/asid_test.c) at the CPU's width.
        t.append(Target(f"{arch}-asid-smp4", arch, boot, 4,
                        kargs="ktest.filter=asid"))
    t += _asids()
    return t


# The kernel's totals line after init (smp/tlb.c tlb_report): at least
# one rollover happened.
ROLLED_OVER = r"tlb: totals: .* asid_rollovers [1-9]"


def _asids():
    """aarch64's global ASIDs at widths where rollovers happen within a
    test: the asid suite (3 bits at -smp 4; 2 bits, the least that 2 CPUs
    allow, at -smp 2), user programs that make many processes under
    multi-threaded TCG, and the self-check that a rollover without the
    flush is caught."""
    boot, ib = default_boot("aarch64"), initramfs_boot("aarch64")
    initrd = "build/aarch64/initramfs.cpio"
    t = [Target("aarch64-asid-bits3-smp4", "aarch64", boot, 4,
                kargs="tlb.asid_bits=3 ktest.filter=asid"),
         Target("aarch64-asid-bits2-smp2", "aarch64", boot, 2,
                kargs="tlb.asid_bits=2 ktest.filter=asid"),
         Target("aarch64-selfcheck-asid-rollover", "aarch64", boot, 4,
                kargs="tlb.asid_bits=3 tlb.bug=no_rollover_flush "
                      "ktest.filter=asid",
                expect_failure=r"expected flushed == others")]
    t.append(Target("aarch64-user-asid-bits2-mttcg-smp2", "aarch64", ib, 2,
                    initrd=initrd, timeout=180,
                    kargs=f"init={USER_BIN}/asid_test tlb.asid_bits=2",
                    init=f"{USER_BIN}/asid_test", tcg_threads="multi",
                    console_must=ROLLED_OVER))
    for prog in ("asid", "fork", "proclimit"):
        t.append(Target(f"aarch64-user-{prog}-asid3-mttcg-smp4", "aarch64",
                        ib, 4, initrd=initrd, timeout=180,
                        kargs=f"init={USER_BIN}/{prog}_test tlb.asid_bits=3",
                        init=f"{USER_BIN}/{prog}_test", tcg_threads="multi",
                        console_must=ROLLED_OVER))
    return t


TARGETS = {t.name: t for t in
           _host() + _host_smp() + _tools() + _boots() + _selfchecks() + _user() +
           _files() + _counter() + _tooling() + _i686_tls() +
           _tlb_policies()}


def targets_for(arch):
    return [t for t in TARGETS.values() if arch in ("all", t.arch)]
