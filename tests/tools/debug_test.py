#!/usr/bin/env python3
"""./build.sh debug: the gdb stub listens on 127.0.0.1 only, on
--gdb-port, and the gdb-init script it writes attaches gdb-multiarch to
the halted guest, which sits at the kernel ELF's entry point, a named
symbol. TAP on stdout; needs build/aarch64 (./build.sh build aarch64).
"""
import os
import socket
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
ARCH = "aarch64"
SCRIPT = os.path.join(TOP, "build", ARCH, "gdb-init")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def elf_entry(elf):
    out = subprocess.run(["llvm-readelf", "-h", elf], text=True,
                         stdout=subprocess.PIPE, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines()
                    if "Entry point" in line), 16)


def main():
    if not os.path.exists(os.path.join(TOP, "build", ARCH, "kernel.elf")):
        print(f"1..0 # SKIP {ARCH} not built")
        return 0
    print("1..3", flush=True)
    port = free_port()
    if os.path.exists(SCRIPT):
        os.unlink(SCRIPT)
    qemu = subprocess.Popen([os.path.join(TOP, "build.sh"), "debug", ARCH,
                             "--gdb-port", str(port)], cwd=TOP,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    for _ in range(100):
        if os.path.exists(SCRIPT):
            break
        time.sleep(0.1)
    time.sleep(0.5)
    gdb = subprocess.run(["gdb-multiarch", "-nx", "-batch", "-x", SCRIPT,
                          "-ex", "p/x $pc", "-ex", "info symbol $pc",
                          "-ex", "kill"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=60)
    try:
        out, err = qemu.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        qemu.kill()
        out, err = qemu.communicate()
    cmd = next((line for line in err.splitlines() if line.startswith("+ ")),
               "")
    good = f" -gdb tcp:127.0.0.1:{port} -S" in cmd
    print(f"# {cmd}")
    print(f"{'ok' if good else 'not ok'} 1 the gdb stub is on "
          f"127.0.0.1:{port} only, QEMU halted (-S)", flush=True)
    hint = f"gdb-multiarch -q -x {SCRIPT}"
    good2 = hint in err and os.path.exists(SCRIPT)
    print(f"{'ok' if good2 else 'not ok'} 2 debug prints '{hint}' and "
          "writes the script", flush=True)
    entry = elf_entry(os.path.join(TOP, "build", ARCH, "kernel.elf"))
    for line in gdb.stdout.splitlines():
        print(f"# gdb: {line}")
    pc_line = f"$1 = {entry:#x}"
    named = [line for line in gdb.stdout.splitlines()
             if " in section " in line]
    good3 = pc_line in gdb.stdout and named
    print(f"{'ok' if good3 else 'not ok'} 3 gdb attaches with the script; "
          f"pc is the ELF entry {entry:#x}, a named symbol", flush=True)
    return 0 if good and good2 and good3 else 1


if __name__ == "__main__":
    sys.exit(main())
