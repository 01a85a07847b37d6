#!/usr/bin/env python3
"""build/compile_commands.json covers the kernels, user/, tests/user and
tests/host, and its commands work: for each part, clang -fsyntax-only is
run from the entries (arguments and directory as clangd would use them) on
the files that include "u/ktap.h" (which clangd could not find before) and
a few others. TAP on stdout; needs ./build.sh build (all).
"""
import json
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
DB = os.path.join(TOP, "build", "compile_commands.json")
PER_PART = 4


def part(entry):
    """Which part of the tree an entry compiles: kernel-ARCH, user-ARCH
    (user/ and tests/user), host."""
    out = os.path.join(entry["directory"], entry["output"])
    rel = os.path.relpath(out, os.path.join(TOP, "build"))
    top = rel.split(os.sep)
    if top[0] == "user":
        return "user-" + top[1]
    if top[0] == "host":
        return "host"
    return "kernel-" + top[0]


def source(entry):
    return os.path.relpath(os.path.join(entry["directory"], entry["file"]),
                           TOP)


def syntax_argv(args):
    """The entry's command with -c -o OUT (and dependency outputs) turned
    into -fsyntax-only."""
    argv, skip = [], 0
    for a in args:
        if skip:
            skip -= 1
        elif a in ("-o", "-MF", "-MT", "-MJ"):
            skip = 1
        elif a in ("-c", "-MMD", "-MP"):
            pass
        else:
            argv.append(a)
    return argv + ["-fsyntax-only"]


def pick(entries):
    """Per part: the ktap.h users first, then tests/ sources, PER_PART in
    all."""
    def order(e):
        with open(os.path.join(TOP, source(e))) as f:
            text = f.read()
        return ('"u/ktap.h"' not in text and "<u/ktap.h>" not in text,
                not source(e).startswith("tests/"), source(e))
    by_part = {}
    for e in entries:
        by_part.setdefault(part(e), []).append(e)
    return {p: sorted(es, key=order)[:PER_PART]
            for p, es in by_part.items()}


def main():
    with open(DB) as f:
        entries = json.load(f)
    # The parts built in this tree (./build.sh build ARCH builds the
    # kernel and user/ of ARCH; build all the host tests as well).
    build = os.path.join(TOP, "build")
    want_parts = [f"{k}-{a}" for a in ("x86_64", "i686", "aarch64")
                  for k, d in (("kernel", a), ("user", f"user/{a}/tests"))
                  if os.path.isdir(os.path.join(build, d))]
    if os.path.isdir(os.path.join(build, "host", "obj")):
        want_parts.append("host")
    if not want_parts:
        print("1..0 # SKIP nothing built (./build.sh build)")
        return 0
    want_dirs = tuple(d for d, p in (("core/", "kernel"), ("arch/", "kernel"),
                                     ("user/", "user"),
                                     ("tests/user/", "user"),
                                     ("tests/host/", "host"))
                      if any(w.startswith(p) for w in want_parts))
    picked = pick(entries)
    print(f"1..{2 + len(want_parts)}", flush=True)
    missing = [p for p in want_parts if p not in picked]
    print(f"{'not ok' if missing else 'ok'} 1 entries for every part "
          f"{'(missing: ' + ', '.join(missing) + ')' if missing else ''}")
    dirs = {d for d in want_dirs
            if not any(source(e).startswith(d) for e in entries)}
    print(f"{'not ok' if dirs else 'ok'} 2 entries for sources in "
          f"{', '.join(want_dirs)}{' (none in ' + ', '.join(dirs) + ')' if dirs else ''}")
    bad = bool(missing or dirs)
    for num, p in enumerate(want_parts, 3):
        failed = []
        for e in picked.get(p, []):
            r = subprocess.run(syntax_argv(e["arguments"]),
                               cwd=e["directory"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            if r.returncode:
                failed.append(source(e))
                for line in r.stdout.splitlines()[:5]:
                    print(f"#   {line}")
        good = picked.get(p) and not failed
        bad |= not good
        names = ", ".join(source(e) for e in picked.get(p, []))
        print(f"{'ok' if good else 'not ok'} {num} {p}: clang -fsyntax-only "
              f"from the entries ({names})", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
