#!/usr/bin/env python3
"""./build.sh run / debug must report a QEMU that did not start as a
failure, quoting QEMU: a missing --initrd file, a bad --mem, a gdb port
already taken. QEMU's own exit code for those is 1, once the project's
"pass". And the x86 boot code's own early failure (i686 on a CPU without
PAE) must exit 5, a guest failure, not 3 (pass). TAP on stdout; uses the
first built kernel (x86_64, i686, aarch64).

  tests/tools/qemu_start_test.py
"""
import os
import socket
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
VERDICT = "qemu exited with 1: qemu failed to start (exit 1): qemu-system-"


def build_sh(*args):
    p = subprocess.run([os.path.join(TOP, "build.sh"), *args], cwd=TOP,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=120)
    return p.returncode, p.stdout


def check(num, name, args, want):
    rc, out = build_sh(*args)
    verdicts = [line for line in out.splitlines()
                if line.startswith("qemu exited with")]
    good = rc == 1 and verdicts and verdicts[-1].startswith(VERDICT) and \
        want in verdicts[-1]
    if not good:
        for line in out.splitlines()[-10:]:
            print(f"#   {line}")
        print(f"# exit {rc}, verdict {verdicts[-1:] or '(none)'}; want exit "
              f"1 and a verdict naming {want!r}")
    print(f"{'ok' if good else 'not ok'} {num} {name}", flush=True)
    return good


def built(arch):
    return os.path.exists(os.path.join(TOP, "build", arch, "kernel.elf"))


def main():
    arch = next((a for a in ("x86_64", "i686", "aarch64") if built(a)), None)
    if arch is None:
        print("1..0 # SKIP no kernel built (./build.sh build)")
        return 0
    print("1..4", flush=True)
    ok = check(1, "run with a missing --initrd file fails as a start-up "
               "failure", ["run", arch, "--initrd", "no-such.cpio"],
               "no-such.cpio")
    ok &= check(2, "run with --mem 1X fails as a start-up failure",
                ["run", arch, "--mem", "1X"], "-m 1X")
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        port = str(held.getsockname()[1])
        ok &= check(3, "debug with its gdb port taken fails as a start-up "
                    "failure", ["debug", arch, "--gdb-port", port],
                    "127.0.0.1:" + port)
    if not built("i686"):
        print("ok 4 # SKIP i686 not built")
        return 0 if ok else 1
    rc, out = build_sh("run", "i686", "--cpu", "486", "--timeout", "30")
    early = "x86 boot: FATAL: CPU has no PAE" in out and \
        "qemu exited with 5: FAIL" in out and rc == 1
    if not early:
        for line in out.splitlines()[-5:]:
            print(f"#   {line}")
    print(f"{'ok' if early else 'not ok'} 4 an x86 early boot failure "
          "(i686, CPU without PAE) exits 5: FAIL", flush=True)
    return 0 if ok and early else 1


if __name__ == "__main__":
    sys.exit(main())
