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
MTTCG_PROGRAMS = ("fork", "thread", "smp", "coherence", "proclimit")
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
    # User targets: the program run as init (the kernel's init= path).
    init: str = None
    # Comparison targets: ARCH/PROGRAM for tools/user_test.sh --run.
    compare: str = None


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


def _selfchecks():
    """One per arch and failure kind the harness must catch."""
    t = []
    for arch, boot in (("x86_64", "multiboot"), ("i686", "multiboot"),
                       ("aarch64", "elf")):
        t.append(Target(f"{arch}-selfcheck-panic", arch, boot,
                        kargs="ktest.selftest=panic",
                        expect_failure=r"Bail out! panic .*deliberate panic"))
        t.append(Target(f"{arch}-selfcheck-trap", arch, boot,
                        kargs="ktest.selftest=trap",
                        expect_failure=r"Bail out! panic .*unhandled"))
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
                   expect_failure=r"not ok \d+ sim_tlb")]


TARGETS = {t.name: t for t in _host() + _boots() + _selfchecks() + _user() +
           _i686_tls()}


def targets_for(arch):
    return [t for t in TARGETS.values() if arch in ("all", t.arch)]
