#!/usr/bin/env python3
"""The console symbolizer of ./build.sh run (tools/qemu.py's Console with
tools/symbolize.py): a fake console line with a known function's address
(panic, from llvm-nm) must come out with "panic (core/panic.c:N)"
appended, in both address forms (0x... and a backtrace's [<...>]), while
addresses outside kernel text stay as they were. TAP on stdout; one
result per built arch.
"""
import io
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
sys.path.insert(0, os.path.join(TOP, "tools"))
import qemu  # noqa: E402
import symbolize  # noqa: E402


def symbol_address(elf, name):
    out = subprocess.run(["llvm-nm", elf], stdout=subprocess.PIPE,
                         text=True, check=True).stdout
    return next(int(f[0], 16) for f in map(str.split, out.splitlines())
                if len(f) == 3 and f[2] == name)


def check(arch):
    elf = os.path.join(TOP, "build", arch, "kernel.elf")
    addr = symbol_address(elf, "panic") + 4
    width = 16 if addr >> 32 else 8
    console = (f"trap: fault at pc {addr:#x} sp 0x1000\r\n"
               f"Call trace:\r\n  [<{addr:0{width}x}>]\r\n"
               f"user pc 0x201234\r\n").encode()
    out = io.BytesIO()
    sym = symbolize.Symbolizer(elf)
    con = qemu.Console(out, annotate=sym.annotate)
    # In pieces, as a pipe delivers them: lines split across reads.
    for i in range(0, len(console), 7):
        con.feed(console[i:i + 7])
    con.close()
    sym.close()
    lines = out.getvalue().decode().split("\r\n")
    for line in lines:
        print(f"#   {line}")
    want = " panic (core/panic.c:"
    return (want in lines[0] and lines[0].startswith(
        f"trap: fault at pc {addr:#x} sp 0x1000 panic") and
        want in lines[2] and lines[3] == "user pc 0x201234" and
        lines[1] == "Call trace:")


def main():
    arches = [a for a in qemu.ARCHES
              if os.path.exists(os.path.join(TOP, "build", a, "kernel.elf"))]
    if not arches:
        print("1..0 # SKIP no kernel built (./build.sh build)")
        return 0
    print(f"1..{len(arches)}", flush=True)
    good = True
    for num, arch in enumerate(arches, 1):
        ok = check(arch)
        good &= ok
        print(f"{'ok' if ok else 'not ok'} {num} {arch}: kernel text "
              "addresses get 'function (file:line)', others not", flush=True)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
