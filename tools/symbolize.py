#!/usr/bin/env python3
"""Symbolize kernel addresses in console output, as Linux's
scripts/decode_stacktrace.sh does for its logs.

  symbolize.py KERNEL_ELF < console > annotated

Every hex address on a line (0x..., or [<...>] as in a backtrace) that
falls in an executable section of KERNEL_ELF gets " function (file:line)"
appended to the line, from one long-running llvm-symbolizer fed addresses
on stdin. tools/qemu.py run uses the Symbolizer class on the live console.
"""
import os
import re
import struct
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDRESS = re.compile(rb"\[<(?:0x)?([0-9a-fA-F]{4,16})>\]|"
                     rb"\b0x([0-9a-fA-F]{4,16})\b")
SHF_EXECINSTR = 0x4


def text_ranges(elf):
    """[start, end) of each executable section of @elf (ELF32/64, LE)."""
    with open(elf, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[5] != 1:
        raise ValueError(f"{elf}: not a little-endian ELF file")
    if data[4] == 2:
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", data, 0x3a)
        fmt, fields = "<IIQQQQ", lambda t: (t[2], t[3], t[5])
    else:
        shoff, = struct.unpack_from("<I", data, 0x20)
        shentsize, shnum = struct.unpack_from("<HH", data, 0x2e)
        fmt, fields = "<IIIIII", lambda t: (t[2], t[3], t[5])
    ranges = []
    for i in range(shnum):
        flags, addr, size = fields(struct.unpack_from(
            fmt, data, shoff + i * shentsize))
        if flags & SHF_EXECINSTR and size:
            ranges.append((addr, addr + size))
    return ranges


class Symbolizer:
    """Addresses in @elf's text to "function (file:line)", through one
    llvm-symbolizer process; answers are cached per address."""

    def __init__(self, elf, tool="llvm-symbolizer"):
        self.elf = elf
        self.ranges = text_ranges(elf)
        self.cache = {}
        self.proc = subprocess.Popen(
            [tool, f"--obj={elf}", "--functions=linkage", "--no-inlines"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def in_text(self, addr):
        return any(lo <= addr < hi for lo, hi in self.ranges)

    def lookup(self, addr):
        """ "function (file:line)" for @addr, or None if unknown."""
        if addr in self.cache:
            return self.cache[addr]
        self.proc.stdin.write(f"{addr:#x}\n")
        self.proc.stdin.flush()
        reply = []
        while (line := self.proc.stdout.readline()) not in ("\n", ""):
            reply.append(line.strip())
        found = None
        if len(reply) >= 2 and reply[0] != "??":
            where = reply[1].rsplit(":", 1)[0]  # drop the column
            if where.startswith(TOP + os.sep):
                where = where[len(TOP) + 1:]
            found = f"{reply[0]} ({where})"
        self.cache[addr] = found
        return found

    def annotate(self, line):
        """The text to append to console @line (bytes): " function
        (file:line)" per kernel text address on it, in order."""
        notes = []
        for m in ADDRESS.finditer(line):
            addr = int(m.group(1) or m.group(2), 16)
            if self.in_text(addr) and (found := self.lookup(addr)):
                notes.append(" " + found)
        return "".join(notes).encode()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    sym = Symbolizer(argv[1])
    for line in sys.stdin.buffer:
        body = line.rstrip(b"\r\n")
        sys.stdout.buffer.write(body + sym.annotate(body) +
                                line[len(body):])
    sym.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
