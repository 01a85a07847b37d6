#!/usr/bin/env python3
"""./build.sh run's console options do what its help says: --timeout ends
a hang with a message and exit 124, --log keeps the whole console (and the
verdict), --qemu-arg reaches QEMU, --icount gives -icount and
single-threaded TCG, and bad values are usage + exit 2. TAP on stdout;
each boot is one quick guest of the first built arch (x86_64, i686,
aarch64).
"""
import os
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
results = []


def build_sh(*args):
    p = subprocess.run([os.path.join(TOP, "build.sh"), *args], cwd=TOP,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def ok(good, name, why=""):
    results.append(good)
    if not good and why:
        print(f"# {why}")
    print(f"{'ok' if good else 'not ok'} {len(results)} {name}", flush=True)


def main():
    arch = next((a for a in ("x86_64", "i686", "aarch64") if os.path.exists(
        os.path.join(TOP, "build", a, "kernel.elf"))), None)
    if arch is None:
        print("1..0 # SKIP no kernel built (./build.sh build)")
        return 0
    print("1..5", flush=True)
    rc, out, err = build_sh("run", arch, "--timeout", "3", "--",
                            "ktest.selftest=hang")
    ok(rc == 124 and "timeout: the guest did not power off within 3s" in err,
       "--timeout ends a hang with a message and exit 124",
       f"exit {rc}, stderr ends {err.splitlines()[-1:]}")
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "console.log")
        rc, out, err = build_sh("run", arch, "--log", log,
                                "--qemu-arg", "-name", "--qemu-arg",
                                "tlbk-opt-test")
        saved = open(log).read() if os.path.exists(log) else ""
    ok(rc == 0 and "KTAP version 1" in saved and out in saved and
       "qemu exited with 3: pass" in saved,
       "--log saves the console as shown, and the verdict",
       f"exit {rc}, {len(saved)} bytes saved, {len(out)} shown")
    cmd = [line for line in err.splitlines() if line.startswith("+ ")]
    ok(cmd and cmd[0].endswith(" -name tlbk-opt-test"),
       "--qemu-arg ARG (repeated) goes to QEMU verbatim, in order",
       f"command line {cmd}")
    rc, out, err = build_sh("run", arch, "--icount")
    cmd = " ".join(line for line in err.splitlines() if line.startswith("+ "))
    ok(rc == 0 and "-icount shift=0,sleep=off" in cmd and
       "tcg,thread=single" in cmd, "--icount: -icount shift=0,sleep=off, "
       "single-threaded TCG, and the guest passes", f"exit {rc}: {cmd}")
    bad = [("--timeout", "0"), ("--timeout", "soon"), ("--tcg-threads", "x"),
           ("--icount", "--tcg-threads", "multi"), ("--log",),
           ("--qemu-arg",), ("--gdb-port", "0")]
    wrong = []
    for args in bad:
        rc, out, err = build_sh("run", arch, *args)
        if rc != 2 or "usage: ./build.sh" not in err:
            wrong.append(f"{' '.join(args)}: exit {rc}")
    ok(not wrong, "bad option values print the usage and exit 2",
       "; ".join(wrong))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
