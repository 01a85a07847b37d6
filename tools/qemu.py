#!/usr/bin/env python3
"""Build the QEMU command line for a kernel target.

One place knows how each arch and boot path is started, so `./build.sh run`,
`./build.sh debug` and the test harness boot guests the same way.

Boot paths:
  x86_64, i686:  multiboot        (-kernel; x86_64 uses the ELF32 copy)
  aarch64:       elf              (-kernel ELF, entered at EL1)
                 image            (-kernel arm64 Image: QEMU's Linux loader,
                                   the only direct path that passes -initrd)
                 uboot            (U-Boot -bios, booti of the arm64 Image)
Machine options (aarch64): el2 (virtualization=on: entry at EL2),
gicv3 (gic-version=3, needed above 8 CPUs; chosen automatically then).

Exit status convention (see include/kern/arch.h): the guest powers off with
QEMU exit code (min(status + 1, 127) << 1) | 1, so 3 = pass, 5 = fail, any
other odd code >= 7 a failing status. QEMU's own codes never mean a guest
verdict: 1 = QEMU did not start (bad option, missing file, port in use),
0 = a power-off without a status (PSCI/ACPI off, a triple fault or reset
under -no-reboot); even codes = a crash.
"""
import argparse
import os
import select
import shlex
import socket
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UBOOT_BIN = "/usr/lib/u-boot/qemu_arm64/u-boot.bin"
QBOOT_ROM = "/usr/share/qemu/qboot.rom"
ARCHES = ("x86_64", "i686", "aarch64")
BOOTS = {"x86_64": ("multiboot",), "i686": ("multiboot",),
         "aarch64": ("elf", "image", "uboot")}
# include/kern/arch.h: POWEROFF_STATUS_MAX and poweroff_exit_value().
POWEROFF_STATUS_MAX = 126
EXIT_NO_STATUS, EXIT_START_FAILED = 0, 1
GDB_PORT = 1234


def exit_code_for(status):
    """QEMU's exit code for a guest that powers off with @status."""
    if status < 0 or status > POWEROFF_STATUS_MAX:
        status = POWEROFF_STATUS_MAX
    return ((status + 1) << 1) | 1


EXIT_PASS, EXIT_FAIL = exit_code_for(0), exit_code_for(1)


def guest_status(code):
    """The guest's power-off status carried by QEMU exit @code, or None
    if QEMU did not exit through a guest power-off with a status."""
    if code < EXIT_PASS or code % 2 == 0:
        return None
    return (code >> 1) - 1


def describe_exit(code, stderr_tail=()):
    """One line saying what QEMU's exit @code means (and, for a start-up
    failure, what QEMU said on stderr)."""
    if code == EXIT_START_FAILED:
        said = " / ".join(stderr_tail) or "(nothing on stderr)"
        return f"qemu failed to start (exit 1): {said}"
    if code < 0:
        return f"qemu was killed by signal {-code}"
    if code == EXIT_NO_STATUS:
        return ("the guest powered off without a status or crashed "
                "(QEMU exit 0: PSCI/ACPI off, triple fault or reset)")
    status = guest_status(code)
    if status is None:
        return f"the guest crashed (QEMU exit {code}: no status power-off)"
    if status == 0:
        return "pass"
    if status == POWEROFF_STATUS_MAX:
        return f"FAIL (guest status {status} or more)"
    return f"FAIL (guest status {status})"


class ConfigError(Exception):
    """A target that cannot be booted as asked; the message says why."""


def default_boot(arch):
    return BOOTS[arch][0]


def kernel_file(arch, boot, build):
    base = os.path.join(build, arch)
    if arch == "x86_64":
        return os.path.join(base, "kernel32.elf")
    if arch == "aarch64" and boot in ("image", "uboot"):
        return os.path.join(base, "Image")
    return os.path.join(base, "kernel.elf")


def x86_args(arch, accel, cpu):
    exe = "qemu-system-x86_64" if arch == "x86_64" else "qemu-system-i386"
    args = [exe, "-M", "pc",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if accel == "kvm":
        if arch != "x86_64":
            raise ConfigError("kvm: 32-bit paging faults under this host's "
                              "KVM (PLATFORM.md); use --accel tcg for i686")
        args += ["-cpu", "host,-arch-capabilities", "-bios", QBOOT_ROM]
    else:
        args += ["-cpu", cpu or "max"]
    return args


def aarch64_args(smp, el2, gicv3, accel, cpu):
    if accel == "kvm":
        raise ConfigError("kvm: an x86 host cannot run aarch64 guests "
                          "under KVM; use --accel tcg")
    machine = "virt"
    if el2:
        machine += ",virtualization=on"
    if gicv3 or smp > 8:
        machine += ",gic-version=3"
    return ["qemu-system-aarch64", "-M", machine, "-cpu", cpu or "cortex-a72",
            "-semihosting"]


# Where QEMU's loader puts the initramfs for U-Boot: 128 MiB into RAM,
# clear of the Image (0x40400000) and of U-Boot, which relocates to the top.
UBOOT_RAMDISK_ADDR = 0x48000000


def uboot_env(build, kargs, ramdisk=None):
    """Write the U-Boot environment flash image carrying @kargs, and the
    booti ramdisk argument for @ramdisk (a file) if given."""
    out = os.path.join(build, "aarch64", "uboot-env.img")
    argv = [os.path.join(TOP, "tools", "uboot-env.sh"), out, kargs]
    if ramdisk:
        argv.append(f"{UBOOT_RAMDISK_ADDR:#x}:{os.path.getsize(ramdisk):#x}")
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return out


def boot_args(arch, boot, build, kargs, initrd):
    kernel = kernel_file(arch, boot, build)
    if not os.path.exists(kernel):
        raise ConfigError(f"{kernel} is missing: run ./build.sh build {arch}")
    if boot == "uboot":
        env = uboot_env(build, kargs, initrd)
        args = ["-bios", UBOOT_BIN,
                "-drive", f"if=pflash,format=raw,index=1,file={env}",
                "-device", f"loader,file={kernel},addr=0x40400000"]
        if initrd:
            args += ["-device", f"loader,file={initrd},"
                     f"addr={UBOOT_RAMDISK_ADDR:#x},force-raw=on"]
        return args
    args = ["-kernel", kernel, "-append", kargs]
    if initrd:
        args += ["-initrd", initrd]
    return args


def accel_args(accel, tcg_threads):
    if accel == "kvm":
        if not os.access("/dev/kvm", os.R_OK | os.W_OK):
            raise ConfigError("kvm: /dev/kvm is not usable on this machine")
        return ["-accel", "kvm"]
    if accel != "tcg":
        raise ConfigError(f"unknown accelerator '{accel}' (tcg or kvm)")
    return ["-accel", f"tcg,thread={tcg_threads}"]


def qemu_argv(arch, boot=None, smp=1, mem="256M", accel="tcg", kargs="",
              el2=False, gicv3=False, initrd=None, build=None,
              tcg_threads="multi", gdb=False, cpu=None, gdb_port=None,
              icount=False, monitor=None, extra=()):
    """Return the argv list that boots @arch with the given options.
    @gdb: halt at the first instruction for gdb; @gdb_port: the gdb stub's
    port on 127.0.0.1 (default 1234 with @gdb); @icount: deterministic
    instruction counting (single-threaded TCG); @monitor: a unix socket
    path for QEMU's monitor; @extra: more QEMU arguments, verbatim, last."""
    build = build or os.path.join(TOP, "build")
    if arch not in ARCHES:
        raise ConfigError(f"unknown arch '{arch}' ({', '.join(ARCHES)})")
    if boot is None and arch == "aarch64" and initrd:
        boot = "image"	# QEMU ignores -initrd for a bare ELF
    boot = boot or default_boot(arch)
    if boot not in BOOTS[arch]:
        raise ConfigError(f"{arch} boots with {', '.join(BOOTS[arch])}, "
                          f"not '{boot}'")
    if arch != "aarch64" and (el2 or gicv3):
        raise ConfigError("--el2 and --gicv3 are aarch64 options")
    if icount:
        if accel != "tcg":
            raise ConfigError("--icount needs --accel tcg")
        if tcg_threads == "multi":
            raise ConfigError("--icount runs single-threaded TCG; "
                              "drop --tcg-threads multi")
    if arch == "aarch64":
        argv = aarch64_args(smp, el2, gicv3, accel, cpu)
    else:
        argv = x86_args(arch, accel, cpu)
    argv += accel_args(accel, "single" if icount else tcg_threads)
    if icount:
        argv += ["-icount", "shift=0,sleep=off"]
    mon = f"unix:{monitor},server=on,wait=off" if monitor else "none"
    argv += ["-m", str(mem), "-smp", str(smp), "-display", "none",
             "-serial", "stdio", "-monitor", mon, "-nic", "none",
             "-no-reboot"]
    argv += boot_args(arch, boot, build, kargs, initrd)
    if gdb or gdb_port is not None:
        # 127.0.0.1 only: -s would listen on every interface.
        argv += ["-gdb", f"tcp:127.0.0.1:{gdb_port or GDB_PORT}"]
    if gdb:
        argv += ["-S"]
    return argv + list(extra)


def add_common_options(p):
    p.add_argument("arch", choices=ARCHES)
    p.add_argument("--boot")
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--mem", default="256M")
    p.add_argument("--accel", default="tcg", choices=("tcg", "kvm"))
    p.add_argument("--tcg-threads", choices=("single", "multi"),
                   help="default multi (single with --icount)")
    p.add_argument("--icount", action="store_true",
                   help="-icount shift=0,sleep=off, single-threaded TCG")
    p.add_argument("--el2", action="store_true")
    p.add_argument("--gicv3", action="store_true")
    p.add_argument("--initrd")
    p.add_argument("--cpu", help="QEMU CPU model (default: max on x86, "
                   "cortex-a72 on aarch64)")
    p.add_argument("--build")
    p.add_argument("--gdb-port", type=int)
    p.add_argument("--qemu-arg", action="append", default=[],
                   help="one more QEMU argument, verbatim (repeatable)")
    p.add_argument("--timeout", type=int,
                   help="kill QEMU after this many seconds")
    p.add_argument("--log", help="also save the console in this file")
    p.add_argument("--monitor", action="store_true",
                   help="QEMU monitor on a unix socket under build/ARCH")


def check_options(p, a):
    """Reject values argparse's types let through (usage, exit 2)."""
    if a.smp < 1 or a.smp > 255:
        p.error("--smp must be between 1 and 255")
    if a.gdb_port is not None and not 1 <= a.gdb_port <= 65535:
        p.error("--gdb-port must be between 1 and 65535")
    if a.timeout is not None and a.timeout < 1:
        p.error("--timeout must be a positive number of seconds")
    if a.icount and a.tcg_threads == "multi":
        p.error("--icount runs single-threaded TCG: not with "
                "--tcg-threads multi")


def main():
    if sys.argv[1:2] == ["monitor"]:
        if len(sys.argv) != 3:
            print("usage: qemu.py monitor SOCKET", file=sys.stderr)
            return 2
        return monitor_client(sys.argv[2])
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=("run", "print", "debug"))
    add_common_options(p)
    argv = sys.argv[1:]
    # Everything after "--" is the kernel command line, verbatim.
    split = argv.index("--") if "--" in argv else len(argv)
    a = p.parse_args(argv[:split])
    kargs = " ".join(argv[split + 1:])
    check_options(p, a)
    build = a.build or os.path.join(TOP, "build")
    monitor = os.path.join(build, a.arch, "monitor.sock") if a.monitor \
        else None
    try:
        argv = qemu_argv(a.arch, a.boot, a.smp, a.mem, a.accel, kargs,
                         a.el2, a.gicv3, a.initrd, a.build,
                         a.tcg_threads or ("single" if a.icount else "multi"),
                         gdb=(a.mode == "debug"), cpu=a.cpu,
                         gdb_port=a.gdb_port, icount=a.icount,
                         monitor=monitor, extra=a.qemu_arg)
    except (ConfigError, subprocess.CalledProcessError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if a.mode == "print":
        print(shlex.join(argv))
        return 0
    if a.mode == "debug":
        print_gdb_help(a.arch, build, a.gdb_port or GDB_PORT)
    if monitor:
        print(f"monitor: QEMU's monitor listens on {monitor}; connect with\n"
              f"  socat - UNIX-CONNECT:{monitor}\n"
              f"  or: python3 tools/qemu.py monitor {monitor}",
              file=sys.stderr)
    print(f"+ {shlex.join(argv)}", file=sys.stderr)
    log = open(a.log, "wb") if a.log else None
    sym = console_symbolizer(os.path.join(build, a.arch, "kernel.elf"))
    try:
        status, stderr_tail = run_qemu(argv, a.timeout, log,
                                       sym.annotate if sym else None)
        if status is None:
            verdict = (f"timeout: the guest did not power off within "
                       f"{a.timeout}s; QEMU was stopped")
        else:
            verdict = (f"qemu exited with {status}: "
                       f"{describe_exit(status, stderr_tail)}")
        print(verdict, file=sys.stderr)
        if log:
            log.write(verdict.encode() + b"\n")
    finally:
        if log:
            log.close()
        if sym:
            sym.close()
    if status is None:
        return 124
    return 0 if status == EXIT_PASS else 1


STDERR_TAIL = 5


def console_symbolizer(elf):
    """A symbolize.Symbolizer for @elf: kernel text addresses in the
    console get " function (file:line)" appended; None (and a note) if
    llvm-symbolizer cannot run."""
    try:
        import symbolize
        return symbolize.Symbolizer(elf)
    except (OSError, ValueError) as e:
        print(f"note: console addresses not symbolized: {e}",
              file=sys.stderr)
        return None


def copy_stderr(pipe, tail):
    """Pass QEMU's stderr through, keeping its last lines in @tail."""
    for raw in iter(pipe.readline, b""):
        sys.stderr.buffer.write(raw)
        sys.stderr.buffer.flush()
        tail.append(raw.decode("utf-8", "replace").rstrip())
        del tail[:-STDERR_TAIL]


class Console:
    """QEMU's serial output on its way to this terminal (and a log): bytes
    are shown as they come, so prompts and partial lines appear at once;
    at each end of line, @annotate(line) may add text before the newline."""

    def __init__(self, out, log=None, annotate=None):
        self.out, self.log, self.annotate = out, log, annotate
        self.line = b""
        self.held_cr = False

    def write(self, data):
        self.out.write(data)
        if self.log:
            self.log.write(data)

    def feed(self, chunk):
        *lines, rest = chunk.split(b"\n")
        for piece in lines:
            self.feed_piece(piece + b"\n")
        if rest:
            self.feed_piece(rest)
        self.out.flush()

    def feed_piece(self, piece):
        """@piece holds at most one newline, at its end."""
        newline = piece.endswith(b"\n")
        body = piece[:-1] if newline else piece
        if self.held_cr and (body or not newline):
            # The held "\r" was not the end of the line after all.
            self.write(b"\r")
            self.line += b"\r"
            self.held_cr = False
        # A "\r" before "\n" waits: the note must go before it, or the
        # terminal would print the note over the start of the line.
        if body.endswith(b"\r"):
            body = body[:-1]
            self.held_cr = True
        self.write(body)
        self.line += body
        if newline:
            note = self.annotate(self.line) if self.annotate else b""
            self.write(note + (b"\r\n" if self.held_cr else b"\n"))
            self.held_cr = False
            self.line = b""

    def close(self):
        if self.held_cr:
            self.write(b"\r")
        self.out.flush()


def stop(proc):
    """SIGTERM first: QEMU then puts the terminal back out of raw mode."""
    proc.terminate()
    try:
        return proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def run_qemu(argv, timeout=None, log=None, annotate=None):
    """Run QEMU with its console on this terminal (input from it, output
    through a Console); return its exit code, None if @timeout seconds
    passed first, and the last lines it wrote on stderr."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    tail = []
    reader = threading.Thread(target=copy_stderr, args=(proc.stderr, tail))
    reader.start()
    console = Console(sys.stdout.buffer, log, annotate)
    deadline = time.monotonic() + timeout if timeout else None
    status = None
    try:
        while True:
            left = deadline - time.monotonic() if deadline else 1.0
            if left <= 0:
                stop(proc)
                break
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                status = proc.wait()
                break
            console.feed(chunk)
    except KeyboardInterrupt:
        status = stop(proc)
    console.close()
    reader.join()
    return status, tail


def monitor_client(path):
    """A minimal socat: this terminal to QEMU's monitor socket and back."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as e:
        print(f"monitor: cannot connect to {path}: {e.strerror}",
              file=sys.stderr)
        return 1

    def pump():
        while data := sock.recv(4096):
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        os._exit(0)
    threading.Thread(target=pump, daemon=True).start()
    for line in sys.stdin.buffer:
        sock.sendall(line)
    sock.shutdown(socket.SHUT_WR)
    time.sleep(0.5)
    return 0


GDB_ARCH = {"x86_64": "i386:x86-64", "i686": "i386", "aarch64": "aarch64"}


def gdb_script(arch, build, port):
    """Write build/ARCH/gdb-init, the commands that attach gdb to the
    halted guest (gdb-multiarch -x FILE), and return its path."""
    elf = os.path.join(build, arch, "kernel.elf")
    path = os.path.join(build, arch, "gdb-init")
    lines = [f"# ./build.sh debug {arch}: gdb-multiarch -q -x {path}",
             f"set architecture {GDB_ARCH[arch]}", f"file {elf}"]
    offset = entry_offset(elf) if arch == "aarch64" else 0
    if offset:
        # The aarch64 ELF is linked at its TTBR1 address; it starts at the
        # physical one with the MMU off: its symbols a second time there.
        lines.append(f"add-symbol-file {elf} -o {offset:#x}")
    lines.append(f"target remote 127.0.0.1:{port}")
    with open(path + ".new", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(path + ".new", path)
    return path


def entry_offset(elf):
    """The entry's physical address minus the link address of the code
    there (kernel_entry_pa and _head, arch/aarch64/kernel.ld), modulo 2^64;
    0 if the kernel is entered at its link address."""
    try:
        out = subprocess.run(["llvm-nm", elf], stdout=subprocess.PIPE,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return 0
    syms = {f[2]: int(f[0], 16) for f in map(str.split, out.splitlines())
            if len(f) == 3}
    if "kernel_entry_pa" not in syms or "_head" not in syms:
        return 0
    return (syms["kernel_entry_pa"] - syms["_head"]) % (1 << 64)


def print_gdb_help(arch, build, port):
    elf = os.path.join(build, arch, "kernel.elf")
    script = gdb_script(arch, build, port)
    print("QEMU is halted at the first instruction; its gdb stub listens "
          f"on 127.0.0.1:{port}. Attach with:", file=sys.stderr)
    print(f"  gdb-multiarch -q -x {script}", file=sys.stderr)
    print(f"  (or: gdb-multiarch -q {elf} -ex 'set architecture "
          f"{GDB_ARCH[arch]}' -ex 'target remote 127.0.0.1:{port}')",
          file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
