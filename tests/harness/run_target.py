#!/usr/bin/env python3
"""Boot one test target under QEMU and speak TAP to prove.

  run_target.py NAME            boot target NAME (see targets.py), stream it
  run_target.py --list ARCH     print the target names for ARCH (or all)

The guest's KTAP goes through unchanged; boot-log lines become "# " comments.
The harness then checks what the guest alone cannot: that it powered off
(no hang), with a pass/fail exit code (not a triple fault), after printing a
plan and as many top-level results as the plan promised. Any broken rule
fails the target: "FAILED NAME: why", the console tail and the saved log
go to stderr (prove shows it) and the exit status is 1.

No target ever says "Bail out!" to prove: a bail-out stops the whole prove
run, kills the targets running beside it (they then read as failures of
their own) and hides every later failure. The guest's own "Bail out!" (a
panic) is passed on as a comment, "# guest: Bail out! ...", and fails the
target like any other broken rule.

User targets (init set) run a user test program as init: the KTAP is the
program's, kernel log lines ("[cpuN] ...") in between become comments, and
the kernel must also report that init exited with status 0 and that the
free page count came back ("init: free pages N before, N after").

Self-check targets (expect_failure) run the guest quietly and pass only if
the run fails in the expected way.

Comparison targets (compare set) boot the program as a user target, run the
same binary on this Linux host (tools/user_test.sh --run), and pass only if
both runs print the same result lines (ok / not ok, number, description,
directive); diagnostics may differ.
"""
import os
import re
import select
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(TOP, "tools"))

import ktap_check  # noqa: E402
import qemu  # noqa: E402
from targets import TARGETS, targets_for  # noqa: E402

# Every target's whole console, kept for reading after prove's summary.
LOG_DIR = os.path.join(TOP, "build", "test-logs")

TAIL_LINES = 40
KTAP_LINE = re.compile(r"^(KTAP version \d+|1\.\.\d+|(not )?ok \d+|Bail out!|"
                       r"\s+\S|#)")
TOP_PLAN = re.compile(r"^1\.\.(\d+)")
TOP_RESULT = re.compile(r"^(not )?ok (\d+)")
# What the kernel prints about init (after its "[cpuN] " prefix).
INIT_EXIT = re.compile(r"^\[cpu\d+\] init: (exited with status (-?\d+)|"
                       r"killed by signal \d+)")
INIT_LEFT = re.compile(r"^\[cpu\d+\] init: (\d+) other process\(es\) left "
                       r"behind")
INIT_PAGES = re.compile(r"^\[cpu\d+\] init: free pages (\d+) before, "
                        r"(\d+) after")


class Run:
    """What one guest boot produced."""

    def __init__(self):
        self.lines = []
        self.plan = None
        self.results = 0
        self.failed = 0
        self.bailed = False
        self.exit_code = None
        self.stderr = []        # what QEMU wrote on stderr
        self.timed_out = False
        self.init_exit = None   # "exited with status N" or "killed (...)"
        self.init_status = None
        self.init_pages = None  # (before, after)
        self.init_left = None   # processes init left behind

    def feed(self, line):
        self.lines.append(line)
        if m := INIT_EXIT.match(line):
            self.init_exit = m.group(1)
            if m.group(2) is not None:
                self.init_status = int(m.group(2))
        elif m := INIT_LEFT.match(line):
            self.init_left = int(m.group(1))
        elif m := INIT_PAGES.match(line):
            self.init_pages = (int(m.group(1)), int(m.group(2)))
        elif m := TOP_PLAN.match(line):
            if self.plan is None:
                self.plan = int(m.group(1))
        elif m := TOP_RESULT.match(line):
            self.results += 1
            self.failed += bool(m.group(1))
        elif line.startswith("Bail out!"):
            self.bailed = True


HOST_BINARY = os.path.join(TOP, "build", "host", "ktest-host")
# Sanitizer reports must not exit 1 (our "pass"): give them their own codes.
# Even, so they never read as a power-off status (qemu.guest_status).
HOST_ENV = {"ASAN_OPTIONS": "exitcode=86:detect_leaks=1:abort_on_error=0",
            "UBSAN_OPTIONS": "halt_on_error=1:exitcode=88:print_stacktrace=1",
            "TSAN_OPTIONS": "halt_on_error=1:exitcode=90"}
# boot "smp-tsan": ktest-host-smp built under ThreadSanitizer.
HOST_TSAN_BINARY = os.path.join(TOP, "build", "host-tsan", "ktest-host-smp")


def target_argv(target, gdb_port=None):
    if target.arch == "host":
        binary = HOST_BINARY
        if target.boot == "smp-tsan":
            # Without ASLR: clang 14's TSan cannot map its shadow on
            # kernels with more mmap randomisation bits than it expects
            # ("unexpected memory mapping"); setarch -R needs no root.
            return (["setarch", os.uname().machine, "-R", HOST_TSAN_BINARY,
                     target.kargs], dict(os.environ, **HOST_ENV))
        if target.boot != "native":
            binary += "-" + target.boot
        return [binary, target.kargs], dict(os.environ, **HOST_ENV)
    kargs = f"{target.kargs} ktest.expect_cpus={target.smp}".strip()
    return qemu.qemu_argv(target.arch, target.boot, target.smp,
                          mem=target.mem, kargs=kargs, el2=target.el2,
                          gicv3=target.gicv3, tcg_threads=target.tcg_threads,
                          cpu=target.cpu, gdb_port=gdb_port,
                          extra=target.qemu_args,
                          initrd=os.path.join(TOP, target.initrd)
                          if target.initrd else None), None


def held_port():
    """A listening socket on 127.0.0.1 (an ephemeral port): a gdb stub
    asked for that port cannot bind it."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s


def boot(target, emit):
    """Boot @target, pass each console line to @emit, return a Run. QEMU's
    stderr lines are emitted too, and kept in Run.stderr."""
    holder = held_port() if target.hold_gdb_port else None
    try:
        argv, env = target_argv(target, holder.getsockname()[1]
                                if holder else None)
        return collect(target, argv, env, emit)
    finally:
        if holder:
            holder.close()


def collect(target, argv, env, emit):
    run = Run()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    partial = {proc.stdout: b"", proc.stderr: b""}
    deadline = time.monotonic() + target.timeout
    while partial:
        left = deadline - time.monotonic()
        if left <= 0:
            run.timed_out = True
            proc.kill()
            break
        ready, _, _ = select.select(list(partial), [], [], min(left, 1.0))
        for pipe in ready:
            chunk = os.read(pipe.fileno(), 65536)
            if not chunk:
                rest = partial.pop(pipe)
                done = [rest] if rest else []
            else:
                *done, partial[pipe] = (partial[pipe] + chunk).split(b"\n")
            for raw in done:
                line = raw.decode("utf-8", "replace").rstrip("\r")
                if pipe is proc.stderr:
                    run.stderr.append(line)
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
    # An odd code from 3 up is a power-off with a status (init's exit
    # code on user targets); 1 is QEMU's own start-up failure, 0 a
    # power-off without a status, anything else a crash.
    if qemu.guest_status(run.exit_code) is None:
        return qemu.describe_exit(run.exit_code, run.stderr[-5:])
    if target.init:
        why = init_verdict(run, target)
        if why:
            return why
    if run.plan is None:
        return "no KTAP plan was printed"
    if run.results != run.plan:
        return f"the plan promised {run.plan} results, the guest printed " \
               f"{run.results}"
    if run.exit_code != qemu.EXIT_PASS and run.failed == 0:
        return "the kernel reported failure status with every result ok"
    if run.exit_code == qemu.EXIT_PASS and run.failed:
        return "the kernel reported success status with failed results"
    if run.failed:
        return f"{run.failed} of {run.plan} top-level results failed"
    if target.console_must and not any(re.search(target.console_must, l)
                                       for l in run.lines):
        return f"no console line matches /{target.console_must}/"
    return None


def init_verdict(run, target):
    """What the kernel said about init, for user targets."""
    if run.init_exit is None:
        return f"the kernel never reported that init ({target.init}) ended"
    if run.init_status is None:
        return f"init ({target.init}) was {run.init_exit}"
    if run.init_left:
        return f"init left {run.init_left} process(es) behind (not reaped)"
    if run.init_pages is None:
        return "the kernel did not report the free page count after init"
    before, after = run.init_pages
    if before != after:
        return f"init leaked pages: {before} free before, {after} after"
    if run.init_status != 0 and run.plan is not None and \
            run.results == run.plan and not run.failed:
        return f"init exited with status {run.init_status} with every " \
               "result ok"
    return None


def emit_streaming(line):
    if line.startswith("Bail out!"):
        # See the top of the file: never a bail-out to prove.
        print(f"# guest: {line}", flush=True)
    elif KTAP_LINE.match(line):
        print(line, flush=True)
    else:
        print(f"# {line}", flush=True)


def print_tail(run):
    """The console tail on stderr, which prove shows even when quiet."""
    print(f"---- last {TAIL_LINES} console lines ----", file=sys.stderr)
    for line in run.lines[-TAIL_LINES:]:
        print(f"  {line}", file=sys.stderr)
    sys.stderr.flush()


def report_failure(target, why, log=None):
    """Say why @target failed, on stdout (a TAP comment) and on stderr."""
    print(f"# FAILED {target.name}: {why}", flush=True)
    print(f"FAILED {target.name}: {why}" +
          (f" (console saved in {log})" if log else ""),
          file=sys.stderr, flush=True)


def save_log(target, lines, suffix=""):
    """Write @lines to build/test-logs/NAME[suffix].log; return its path."""
    os.makedirs(LOG_DIR, exist_ok=True)
    path = os.path.join(LOG_DIR, f"{target.name}{suffix}.log")
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))
    return os.path.relpath(path, TOP)


def ktap_verdict(lines, whose):
    """None if @lines are a KTAP stream Linux's parser accepts, else why."""
    errs = ktap_check.check(lines)
    if not errs:
        return None
    return f"{whose} output breaks the KTAP rules of Linux's parser: " \
           f"{errs[0]}" + (f" (and {len(errs) - 1} more)" if errs[1:] else "")


def run_normal(target):
    run = boot(target, emit_streaming)
    log = save_log(target, run.lines)
    why = verdict(run, target) or ktap_verdict(run.lines, "the guest's")
    if why is None:
        return 0
    # Already-printed results stand; a short plan or a non-zero exit
    # status is what makes prove count the target as failed.
    print_tail(run)
    report_failure(target, why, log)
    return 1


def selfcheck_once(target):
    """One boot of a self-check: (passed, line to print, run) where passed
    says the broken guest was reported as failed in the expected way."""
    run = boot(target, lambda line: None)
    save_log(target, run.lines)
    why = verdict(run, target)
    console = "\n".join(run.lines)
    if why is None:
        return False, f"not ok 1 {target.name}: a broken guest passed", run
    # The harness's own finding (a timeout, QEMU not starting) counts.
    console += "\n" + why
    if not re.search(target.expect_failure, console):
        return False, (f"not ok 1 {target.name}: failed ({why}) but the "
                       f"console does not match /{target.expect_failure}/"), \
            run
    return True, f"ok 1 {target.name}: detected ({why})", run


def run_selfcheck(target):
    """Pass only if the deliberately broken guest is reported as failed,
    in one of target.attempts boots (a bug that needs a race to show)."""
    print("1..1", flush=True)
    for attempt in range(1, target.attempts + 1):
        passed, line, run = selfcheck_once(target)
        if passed:
            if attempt > 1:
                print(f"# detected on boot {attempt} of {target.attempts}")
            print(line)
            return 0
        if attempt < target.attempts:
            print(f"# boot {attempt}: {line[len('not ok 1 '):]}; the race "
                  "that shows the bug may not have happened: again")
    print_tail(run)
    print(line)
    return 1


def result_lines(lines):
    """The top-level result lines, without diagnostics or whitespace noise."""
    return [" ".join(line.split()) for line in lines
            if TOP_RESULT.match(line)]


def run_host(prog):
    """Run ARCH/PROGRAM (a user/ test through tools/user_test.sh) or a
    host binary named by its path under the top directory (build/...) on
    this Linux host; returns (exit code, lines)."""
    argv = [os.path.join(TOP, prog)] if prog.startswith("build/") else \
        [os.path.join(TOP, "tools", "user_test.sh"), "--run", prog]
    p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=300)
    return p.returncode, p.stdout.decode("utf-8", "replace").splitlines()


def run_compare(target):
    """The program in the kernel and on Linux must give the same results."""
    print("1..2", flush=True)
    run = boot(target, lambda line: print(f"# kernel: {line}", flush=True))
    save_log(target, run.lines)
    why = verdict(run, target) or ktap_verdict(run.lines, "the guest's")
    if why is None:
        print(f"ok 1 {target.init} runs in the kernel")
    else:
        print_tail(run)
        print(f"not ok 1 {target.init} runs in the kernel: {why}")
    rc, host = run_host(target.compare)
    save_log(target, host, "-linux")
    for line in host:
        print(f"# linux: {line}")
    mine, theirs = result_lines(run.lines), result_lines(host)
    same = mine == theirs and rc == 0 and mine
    if bad := ktap_verdict(host, "Linux's"):
        print(f"# {bad}")
        same = False
    if not same:
        print(f"# linux exit code {rc}; results differ:")
        for i in range(max(len(mine), len(theirs))):
            k = mine[i] if i < len(mine) else "(none)"
            h = theirs[i] if i < len(theirs) else "(none)"
            if k != h:
                print(f"#   kernel: {k}")
                print(f"#   linux:  {h}")
    print(f"{'ok' if same else 'not ok'} 2 same results as "
          f"{target.compare} on Linux", flush=True)
    return 0 if why is None and same else 1


def run_tool(target):
    """A host command whose standard output is the TAP; its exit status
    is the verdict."""
    try:
        return subprocess.run(list(target.command), cwd=TOP,
                              stdin=subprocess.DEVNULL,
                              timeout=target.timeout).returncode
    except subprocess.TimeoutExpired:
        report_failure(target, f"timed out after {target.timeout}s")
        return 1


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
        if target.command:
            return run_tool(target)
        if target.expect_failure:
            return run_selfcheck(target)
        if target.compare:
            return run_compare(target)
        return run_normal(target)
    except (qemu.ConfigError, subprocess.CalledProcessError,
            subprocess.TimeoutExpired, OSError) as e:
        report_failure(target, f"cannot boot: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
