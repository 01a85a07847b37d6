#!/usr/bin/env python3
"""Run the README's examples and check they still print what it shows.

  readme_check.py [README]     run every example, TAP on stdout; exit 1 if
                               one no longer prints what is documented

An example is a fenced code block holding lines that start with "$ ": each
such line is a command (run from the top directory with bash), and the lines
after it, up to the next "$ " or the end of the block, are what it prints.
Every documented line must appear in the command's output (stdout and stderr
together), in the documented order; lines between them may differ, and a
"..." line stands for lines the README leaves out. "<n>" in a documented
line stands for any decimal number (counts that move with every change to
the kernel's size, such as free pages). The exit status must be 0 unless
the example's last line is "(exit N)".
"""
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT = 600
EXIT_LINE = re.compile(r"^\(exit (\d+)\)$")
NUMBER = "<n>"


def examples(text):
    """(line number, command, [expected lines]) for each "$ " command."""
    out, in_block, cur = [], False, None
    for num, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            in_block = not in_block
            cur = None
            continue
        if not in_block:
            continue
        if line.startswith("$ "):
            cur = (num, line[2:], [])
            out.append(cur)
        elif cur is not None:
            cur[2].append(line.rstrip())
    return out


def matcher(want):
    """A test for one documented line: equality, or a regex with "<n>"."""
    if NUMBER not in want:
        return lambda line: line == want
    pattern = re.compile(re.escape(want).replace(re.escape(NUMBER), r"\d+")
                         + "$")
    return lambda line: pattern.match(line) is not None


def missing(expected, actual):
    """The first documented line not found in order in @actual, or None."""
    i = 0
    for want in expected:
        if want.strip() in ("", "...") or EXIT_LINE.match(want):
            continue
        matches = matcher(want)
        while i < len(actual) and not matches(actual[i]):
            i += 1
        if i == len(actual):
            return want
        i += 1
    return None


def run(cmd):
    proc = subprocess.run(["bash", "-c", cmd], cwd=TOP, text=True,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=TIMEOUT,
                          errors="replace")
    return proc.returncode, [l.rstrip() for l in proc.stdout.splitlines()]


def main(argv):
    path = argv[0] if argv else os.path.join(TOP, "README.md")
    with open(path) as f:
        todo = examples(f.read())
    print("KTAP version 1")
    print(f"1..{len(todo)}")
    failed = 0
    for n, (line, cmd, expected) in enumerate(todo, 1):
        want_status = 0
        if expected and (m := EXIT_LINE.match(expected[-1])):
            want_status = int(m.group(1))
        try:
            status, actual = run(cmd)
        except subprocess.TimeoutExpired:
            status, actual = None, []
        gone = missing(expected, actual)
        ok = status == want_status and gone is None
        if not ok:
            failed += 1
            print(f"# README line {line}: $ {cmd}")
            if status != want_status:
                print(f"# exit status {status}, documented {want_status}")
            if gone is not None:
                print(f"# documented line not printed: {gone!r}")
            for l in actual[-15:]:
                print(f"#   | {l}")
        print(f"{'' if ok else 'not '}ok {n} readme_line_{line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
