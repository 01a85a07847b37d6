#!/usr/bin/env python3
"""Run a static ELF directly (execve, never through a shell) for
tools/user_test.sh, and probe whether this host can run an arch's binaries.

  elf_run.py probe ARCH OUT [EMULATOR]
        write OUT, a 3-instruction static ELF for ARCH that exits 42, and
        run it (under EMULATOR if given, e.g. qemu-i386); exit 0 only if it
        ran and exited 42, else say why on stderr and exit 1
  elf_run.py run SECONDS PROGRAM [ARGS...]
        run PROGRAM with ARGS, stdout/stderr inherited; exit with its
        status (128 + signal if killed), 124 after SECONDS (the process
        group is killed), 126 if the kernel refuses the binary (ENOEXEC)

Why not timeout(1): when execve fails with ENOEXEC, its execvp hands the
file to /bin/sh, which reports a syntax error and exit 2 instead of 126.
"""
import errno
import os
import signal
import struct
import subprocess
import sys

PROBE_EXIT = 42
BASE = 0x400000
# (ELF class, e_machine, code): exit(42) by the arch's Linux syscall ABI.
ARCHES = {
    # mov edi, 42; mov eax, 60 (exit); syscall
    "x86_64": (64, 62, bytes.fromhex("bf2a000000b83c0000000f05")),
    # mov ebx, 42; mov eax, 1 (exit); int 0x80
    "i686": (32, 3, bytes.fromhex("bb2a000000b801000000cd80")),
    # movz x0, #42; movz x8, #93 (exit); svc #0
    "aarch64": (64, 183, struct.pack("<III", 0xD2800540, 0xD2800BA8,
                                     0xD4000001)),
}


def probe_elf(arch):
    """The bytes of a static ELF executable for @arch that exits 42: an
    ELF header, one R+X PT_LOAD of the whole file at BASE, the code."""
    cls, machine, code = ARCHES[arch]
    ident = b"\x7fELF" + bytes([1 if cls == 32 else 2, 1, 1]) + bytes(9)
    if cls == 64:
        ehsize, phsize = 64, 56
        entry = BASE + ehsize + phsize
        size = ehsize + phsize + len(code)
        eh = struct.pack("<16sHHIQQQIHHHHHH", ident, 2, machine, 1, entry,
                         ehsize, 0, 0, ehsize, phsize, 1, 0, 0, 0)
        ph = struct.pack("<IIQQQQQQ", 1, 5, 0, BASE, BASE, size, size,
                         0x1000)
    else:
        ehsize, phsize = 52, 32
        entry = BASE + ehsize + phsize
        size = ehsize + phsize + len(code)
        eh = struct.pack("<16sHHIIIIIHHHHHH", ident, 2, machine, 1, entry,
                         ehsize, 0, 0, ehsize, phsize, 1, 0, 0, 0)
        ph = struct.pack("<IIIIIIII", 1, 0, BASE, BASE, size, size, 5,
                         0x1000)
    return eh + ph + code


def write_atomically(path, data):
    """Concurrent probes (prove -j) each write their own temporary file."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = f"{path}.{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o755)
    os.replace(tmp, path)


def probe(arch, out, emulator=None):
    write_atomically(out, probe_elf(arch))
    argv = ([emulator] if emulator else []) + [out]
    how = f"under {emulator}" if emulator else "natively"
    try:
        rc = subprocess.run(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, timeout=20).returncode
    except OSError as e:
        print(f"elf_run: {arch} probe {how}: {e.strerror}", file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired:
        print(f"elf_run: {arch} probe {how}: hung", file=sys.stderr)
        return 1
    if rc != PROBE_EXIT:
        print(f"elf_run: {arch} probe {how}: exit {rc}, not {PROBE_EXIT}",
              file=sys.stderr)
        return 1
    return 0


def run(seconds, argv):
    try:
        proc = subprocess.Popen(argv, start_new_session=True)
    except OSError as e:
        print(f"elf_run: cannot execute {argv[0]}: {e.strerror}",
              file=sys.stderr)
        return 126 if e.errno in (errno.ENOEXEC, errno.EACCES) else 127
    try:
        rc = proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return 124
    return 128 - rc if rc < 0 else rc


def main(argv):
    if len(argv) in (4, 5) and argv[1] == "probe" and argv[2] in ARCHES:
        return probe(argv[2], argv[3], argv[4] if len(argv) == 5 else None)
    if len(argv) >= 4 and argv[1] == "run" and argv[2].isdigit():
        return run(int(argv[2]), argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
