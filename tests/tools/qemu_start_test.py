#!/usr/bin/env python3
"""./build.sh run / debug must report a QEMU that did not start as a
failure, quoting QEMU: a missing --initrd file, a bad --mem, a gdb port
already taken. QEMU's own exit code for those is 1, once the project's
"pass". TAP on stdout; needs build/x86_64 (./build.sh build x86_64).

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


def main():
    print("1..3", flush=True)
    ok = check(1, "run with a missing --initrd file fails as a start-up "
               "failure", ["run", "x86_64", "--initrd", "no-such.cpio"],
               "no-such.cpio")
    ok &= check(2, "run with --mem 1X fails as a start-up failure",
                ["run", "x86_64", "--mem", "1X"], "-m 1X")
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        port = str(held.getsockname()[1])
        ok &= check(3, "debug with its gdb port taken fails as a start-up "
                    "failure", ["debug", "x86_64", "--gdb-port", port],
                    "127.0.0.1:" + port)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
