#!/usr/bin/env python3
"""Boot one test target under QEMU and speak TAP to prove.

  run_target.py NAME            boot target NAME (see targets.py), stream it
  run_target.py --list ARCH     print the target names for ARCH (or all)

The guest's KTAP goes through unchanged; boot-log lines become "# " comments.
The harness then checks what the guest alone cannot: that it powered off
(no hang: a timeout becomes "Bail out!"), with a pass/fail exit code (not a
triple fault), after printing a plan and as many top-level results as the
plan promised. Any broken rule fails the target with the console tail.

Self-check targets (expect_failure) run the guest quietly and pass only if
the run fails in the expected way.
"""
import os
import re
import select
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(TOP, "tools"))

import qemu  # noqa: E402
from targets import TARGETS, targets_for  # noqa: E402

TAIL_LINES = 40
KTAP_LINE = re.compile(r"^(KTAP version \d+|1\.\.\d+|(not )?ok \d+|Bail out!|"
                       r"\s+\S|#)")
TOP_PLAN = re.compile(r"^1\.\.(\d+)")
TOP_RESULT = re.compile(r"^(not )?ok (\d+)")


class Run:
    """What one guest boot produced."""

    def __init__(self):
        self.lines = []
        self.plan = None
        self.results = 0
        self.failed = 0
        self.bailed = False
        self.exit_code = None
        self.timed_out = False

    def feed(self, line):
        self.lines.append(line)
        if m := TOP_PLAN.match(line):
            if self.plan is None:
                self.plan = int(m.group(1))
        elif m := TOP_RESULT.match(line):
            self.results += 1
            self.failed += bool(m.group(1))
        elif line.startswith("Bail out!"):
            self.bailed = True


HOST_BINARY = os.path.join(TOP, "build", "host", "ktest-host")
# Sanitizer reports must not exit 1 (our "pass"): give them their own codes.
HOST_ENV = {"ASAN_OPTIONS": "exitcode=86:detect_leaks=1:abort_on_error=0",
            "UBSAN_OPTIONS": "halt_on_error=1:exitcode=87:print_stacktrace=1"}


def target_argv(target):
    if target.arch == "host":
        binary = HOST_BINARY
        if target.boot != "native":
            binary += "-" + target.boot
        return [binary, target.kargs], dict(os.environ, **HOST_ENV)
    kargs = f"{target.kargs} ktest.expect_cpus={target.smp}".strip()
    return qemu.qemu_argv(target.arch, target.boot, target.smp,
                          mem=target.mem, kargs=kargs, el2=target.el2,
                          gicv3=target.gicv3, tcg_threads="single",
                          cpu=target.cpu,
                          initrd=os.path.join(TOP, target.initrd)
                          if target.initrd else None), None


def boot(target, emit):
    """Boot @target, pass each console line to @emit, return a Run."""
    argv, env = target_argv(target)
    run = Run()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + target.timeout
    partial = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            run.timed_out = True
            proc.kill()
            break
        ready, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
        if not ready:
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        partial += chunk
        *done, partial = partial.split(b"\n")
        for raw in done:
            line = raw.decode("utf-8", "replace").rstrip("\r")
            run.feed(line)
            emit(line)
    if partial:
        line = partial.decode("utf-8", "replace").rstrip("\r")
        run.feed(line)
        emit(line)
    run.exit_code = proc.wait()
    return run


def verdict(run, target):
    """Return None if the run passed, else the reason it did not."""
    if run.timed_out:
        return f"timed out after {target.timeout}s without powering off"
    if run.bailed:
        return "the kernel bailed out"
    if run.exit_code not in (qemu.EXIT_PASS, qemu.EXIT_FAIL):
        return (f"QEMU exited with {run.exit_code}: the guest crashed "
                "(triple fault, reset or a power-off without status)")
    if run.plan is None:
        return "no KTAP plan was printed"
    if run.results != run.plan:
        return f"the plan promised {run.plan} results, the guest printed " \
               f"{run.results}"
    if run.exit_code == qemu.EXIT_FAIL and run.failed == 0:
        return "the kernel reported failure status with every result ok"
    if run.exit_code == qemu.EXIT_PASS and run.failed:
        return "the kernel reported success status with failed results"
    if run.failed:
        return f"{run.failed} of {run.plan} top-level results failed"
    return None


def emit_streaming(line):
    if KTAP_LINE.match(line):
        print(line, flush=True)
    else:
        print(f"# {line}", flush=True)


def print_tail(run):
    print(f"# ---- last {TAIL_LINES} console lines ----")
    for line in run.lines[-TAIL_LINES:]:
        print(f"#   {line}")


def run_normal(target):
    run = boot(target, emit_streaming)
    why = verdict(run, target)
    if why is None:
        return 0
    if not run.bailed:
        # Already-printed results stand; the bail-out explains the rest.
        print_tail(run)
        print(f"Bail out! {target.name}: {why}", flush=True)
    return 1


def run_selfcheck(target):
    """Pass only if the deliberately broken guest is reported as failed."""
    print("1..1", flush=True)
    run = boot(target, lambda line: None)
    why = verdict(run, target)
    console = "\n".join(run.lines)
    if why is not None and why.startswith("timed out"):
        console += "\ntimed out"
    if why is None:
        print_tail(run)
        print(f"not ok 1 {target.name}: a broken guest passed")
        return 1
    if not re.search(target.expect_failure, console):
        print_tail(run)
        print(f"not ok 1 {target.name}: failed ({why}) but the console "
              f"does not match /{target.expect_failure}/")
        return 1
    print(f"ok 1 {target.name}: detected ({why})")
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--list":
        names = [t.name for t in targets_for(argv[2])]
        if not names:
            print(f"no targets for '{argv[2]}'", file=sys.stderr)
            return 2
        print("\n".join(names))
        return 0
    if len(argv) != 2 or argv[1] not in TARGETS:
        print(f"usage: {argv[0]} TARGET | --list ARCH|all", file=sys.stderr)
        return 2
    target = TARGETS[argv[1]]
    try:
        if target.expect_failure:
            return run_selfcheck(target)
        return run_normal(target)
    except (qemu.ConfigError, subprocess.CalledProcessError, OSError) as e:
        print(f"Bail out! {target.name}: cannot boot: {e}", flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
