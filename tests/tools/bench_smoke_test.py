#!/usr/bin/env python3
"""The smoke test of ./build.sh bench: `tools/bench.py x86_64 --quick` on
the kernel and programs ./build.sh test just built (build/), into a
temporary directory. It checks that the run completes and that every
result is there and well formed; it asserts no timing. TAP on stdout.

  tests/tools/bench_smoke_test.py

Checks, each independent of the driver's own parser:
  1. the driver exits 0;
  2. every boot in boots.jsonl reports as many results as its plan, and
     no problem;
  3. every "# bench:" line of the console is key=value pairs with a name,
     iters >= 1 and the three quantiles, median <= p90 <= p99;
  4. results.jsonl has one row per console result line, with the same
     names in the same order, and the CSV as many rows;
  5. summary.md has a row for every result name;
  6. this kernel's phase profile (/proc/tlbk/profile) says what ran: one
     fork per fork.wait and fork.call iteration, one anonymous fault per
     first touch, one zero-page fault per zero read, one COW copy per
     COW-copy fault, and each phase's time below the whole operation's.
"""
import csv
import json
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
ARCH = "x86_64"
PAIR = re.compile(r"^[a-z0-9_]+=[^\s=]+$")


def run_driver(out):
    p = subprocess.run([sys.executable, os.path.join(TOP, "tools",
                                                     "bench.py"),
                        ARCH, "--quick", "--out", out], cwd=TOP,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=900)
    return p.returncode, p.stdout


def console_lines(out):
    """The "# bench:" lines of every console, in order."""
    found = []
    cdir = os.path.join(out, "console")
    for name in sorted(os.listdir(cdir)):
        with open(os.path.join(cdir, name), errors="replace") as f:
            found += [line.rstrip("\n") for line in f
                      if line.startswith("# bench: ")]
    return found


def line_fields(line):
    """{key: value} of one "# bench:" line; ValueError if malformed."""
    words = line[len("# bench: "):].split()
    bad = [w for w in words if not PAIR.match(w)]
    if bad:
        raise ValueError(f"not key=value: {bad[:3]}")
    return dict(w.split("=", 1) for w in words)


def line_ok(fields):
    """Why @fields are not a plausible result, or None."""
    for key in ("name", "iters", "median_ns", "p90_ns", "p99_ns"):
        if key not in fields:
            return f"no {key}"
    try:
        iters = int(fields["iters"])
        q = [int(fields[k]) for k in ("median_ns", "p90_ns", "p99_ns")]
    except ValueError as e:
        return f"not a number: {e}"
    if iters < 1:
        return "iters < 1"
    if not q[0] <= q[1] <= q[2]:
        return f"quantiles out of order: {q}"
    return None


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, good, name, why=""):
        self.n += 1
        self.failed += not good
        if not good and why:
            for line in str(why).splitlines()[-15:]:
                print(f"#   {line}")
        print(f"{'ok' if good else 'not ok'} {self.n} {name}", flush=True)


def check_lines(tap, lines):
    """Check 3; returns the names of the results, in console order."""
    names, why = [], []
    for line in lines:
        try:
            fields = line_fields(line)
        except ValueError as e:
            why.append(f"{e}: {line[:120]}")
            continue
        problem = line_ok(fields)
        if problem:
            why.append(f"{problem}: {line[:120]}")
        names.append(fields.get("name"))
    tap.check(lines and not why, "console_result_lines_well_formed",
              "\n".join(why) or "no # bench: lines")
    return names


def check_outputs(tap, out, names):
    """Checks 4 and 5."""
    with open(os.path.join(out, "results.jsonl")) as f:
        rows = [json.loads(line) for line in f]
    with open(os.path.join(out, "results.csv")) as f:
        csv_rows = list(csv.DictReader(f))
    got = [r["bench"] for r in rows]
    tap.check(got == names and len(csv_rows) == len(rows),
              "jsonl_and_csv_hold_every_console_result",
              f"console {len(names)}, jsonl {len(rows)}, csv "
              f"{len(csv_rows)}")
    with open(os.path.join(out, "summary.md")) as f:
        summary = f.read()
    missing = sorted({n for n in names if f"| {n}" not in summary})
    tap.check(not missing, "summary_has_every_result", missing)


# (result, phase): the phase runs once per iteration of the result.
ONCE_PER_OP = (("fork.wait", "fork"), ("fork.call", "fork"),
               ("fault.first_touch", "fault_anon"),
               ("fault.zero_read", "fault_zero"),
               ("fault.cow_copy", "fault_cow_copy"))


def check_profile(tap, out):
    """Check 6, from results.jsonl's prof_* columns."""
    with open(os.path.join(out, "results.jsonl")) as f:
        rows = [json.loads(line) for line in f]
    why = []
    for bench, phase in ONCE_PER_OP:
        for r in (r for r in rows if r["bench"] == bench):
            n, ns = r.get(f"prof_{phase}_n"), r.get(f"prof_{phase}_ns")
            if n != 1.0 or not ns or ns > r["mean_ns"]:
                why.append(f"{bench} {r.get('mib', '')}: prof_{phase}_n="
                           f"{n} prof_{phase}_ns={ns} mean_ns="
                           f"{r['mean_ns']}")
    tap.check(not why, "tlbk_profile_counts_each_operation_once", why)


def main():
    print("1..6", flush=True)
    tap = Tap()
    with tempfile.TemporaryDirectory(prefix="bench-smoke-") as out:
        rc, said = run_driver(out)
        tap.check(rc == 0, f"bench_{ARCH}_quick_exits_0", f"exit {rc}\n"
                  + said)
        boots = []
        if os.path.exists(os.path.join(out, "boots.jsonl")):
            with open(os.path.join(out, "boots.jsonl")) as f:
                boots = [json.loads(line) for line in f]
        bad = [b for b in boots if b["problems"] or
               b["results"] != b["plan"] or not b["plan"]]
        tap.check(boots and not bad, "every_boot_reports_its_whole_plan",
                  bad or "no boots.jsonl")
        if not os.path.isdir(os.path.join(out, "console")):
            for name in ("console_result_lines_well_formed",
                         "jsonl_and_csv_hold_every_console_result",
                         "summary_has_every_result",
                         "tlbk_profile_counts_each_operation_once"):
                tap.check(False, name, "no console/ written")
            return 1
        names = check_lines(tap, console_lines(out))
        check_outputs(tap, out, names)
        check_profile(tap, out)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
