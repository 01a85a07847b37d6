#!/usr/bin/env python3
"""./build.sh bench: boot the benchmark program on tlbk (and Linux), collect
its results, write a table, plots and the raw data.

  bench.py [ARCH|all] [options]         (./build.sh bench builds first)
  bench.py --list-arches [ARCH|all] [options]
                                        check the options, print the arches

The program (build/user/ARCH/bench/bench, bench/) runs as /init, the same
binary on both kernels, in the same QEMU machine (machine, CPU model,
memory, vCPUs, accelerator). It prints KTAP with one "# bench:" line of
key=value pairs before each result (bench/README.md); this driver streams
the console, prints one progress line per result, and decides each boot
by its KTAP: the plan's count of results, all "ok".

Outputs in --out (default build/bench/DATE-HOST/): results.jsonl and
results.csv (one row per result per boot), summary.md (a table per arch:
medians over reps, tlbk/Linux ratios, p99s, IPIs per operation),
boots.jsonl (one line per boot: command, verdict, console),
console/*.log (each boot's raw console, after a first line "+ QEMU
command"; each row names its boot's), initramfs/ARCH.cpio, and
plots/*.png with the .dat and .gp files that make them.
"""
import argparse
import csv
import datetime
import json
import os
import re
import select
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linux_image  # noqa: E402
import mkinitramfs  # noqa: E402
from bench_plot import make_plots  # noqa: E402
from bench_results import (COLUMNS, COUNTERS, IDENT_KEYS,  # noqa: E402
                           NOTE_NOKASLR, STAT_KEYS, aggregate, result_key,
                           summary_lines, write_csv, write_jsonl, write_text)
import qemu  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARCHES = qemu.ARCHES
POLICIES = ("batched", "naive", "broadcast")
BROADCAST_ARCHES = ("aarch64",)
# Keys of the line the driver knows better (it booted the machine).
LINE_ONLY = ("name", "kernel", "arch")
LINUX_CMDLINE = {
    "x86_64": "console=ttyS0 quiet transparent_hugepage=never panic=-1",
    "i686": "console=ttyS0 quiet transparent_hugepage=never panic=-1",
    # nokaslr: with KASLR on, arm64 Linux turns KPTI on (a page-table
    # switch on every kernel entry), which tlbk does not do. Linux hands
    # the word on to /init as argv[1] (its early parser alone knows it),
    # which the program ignores; kaslr.disabled=1 would stay in the
    # kernel but leaves KPTI on (checked: "forced ON by KASLR").
    "aarch64": "console=ttyAMA0 quiet nokaslr transparent_hugepage=never "
               "panic=-1",
}
# Seen with QEMU 7.2 and Debian's 6.1: under -icount, x86 Linux hangs at
# "x86: Booting SMP configuration" (any -cpu, shift=0 with or without
# sleep=off); with one vCPU, and on aarch64, it boots.
LINUX_ICOUNT_UP_ONLY = ("x86_64", "i686")


# --- options ---------------------------------------------------------------


def parse_policy(text):
    """The tlbk kernel arguments for policy @text ("batched+tlb.lazy=0" ->
    ["tlb=batched", "tlb.lazy=0"]); ValueError saying what is wrong."""
    base, *opts = text.split("+")
    if base not in POLICIES:
        raise ValueError(f"policy '{text}' must start with "
                         f"{', '.join(POLICIES)}, not '{base}'")
    for opt in opts:
        # A dotted key keeps out tlb=, init= and ktest=, which would
        # change what is measured or what runs.
        if not re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+=[^\s\"+]+",
                            opt):
            raise ValueError(f"policy '{text}': '{opt}' is not a boot "
                             "option like tlb.lazy=0")
    return [f"tlb={base}"] + opts


def policy_list(text):
    """argparse type of --policy: the distinct policies, in order."""
    out = []
    for p in text.split(","):
        try:
            parse_policy(p)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e))
        if p not in out:
            out.append(p)
    return out


def count(lo, hi):
    """argparse type: a whole number in [lo, hi]."""
    def parse(text):
        """Check one word of the option."""
        if not re.fullmatch(r"\d+", text) or not lo <= int(text) <= hi:
            raise argparse.ArgumentTypeError(
                f"'{text}' is not a whole number from {lo} to {hi}")
        return int(text)
    return parse


def smp_list(text):
    """argparse type of --smp-sweep: "1,2,4" -> [1, 2, 4]."""
    vcpus = count(1, 255)
    out = []
    for word in text.split(","):
        n = vcpus(word)
        if n not in out:
            out.append(n)
    return out


def name_list(text):
    """argparse type of --only: comma-separated case names or groups."""
    names = text.split(",")
    if not all(re.fullmatch(r"[A-Za-z0-9_.-]+", n) for n in names):
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a comma list of names (fault,fork.wait)")
    return names


def mem_size(text):
    """argparse type of --mem: QEMU's size syntax (512M, 1G)."""
    if not re.fullmatch(r"[1-9]\d*[KMGT]?", text):
        raise argparse.ArgumentTypeError(f"'{text}' is not a size like 512M")
    return text


def option_parser():
    """The argparse parser of ./build.sh bench."""
    p = argparse.ArgumentParser(
        prog="./build.sh bench",
        description="Run the benchmarks under QEMU (bench/README.md).")
    p.add_argument("arch", nargs="?", default="all",
                   choices=ARCHES + ("all",))
    p.add_argument("--quick", action="store_true",
                   help="short runs (the guest's --quick)")
    smp = p.add_mutually_exclusive_group()
    # No default here: argparse would take "--smp 2" for the default
    # and let it pass beside --smp-sweep.
    smp.add_argument("--smp", type=count(1, 255), metavar="N",
                     help="vCPUs (default 2; 1 with --icount)")
    smp.add_argument("--smp-sweep", type=smp_list, metavar="N,N,...",
                     help="boot once per vCPU count")
    p.add_argument("--policy", type=policy_list, default=["batched"],
                   metavar="P[,P...]",
                   help="tlbk policies: batched|naive|broadcast, boot "
                   "options joined by + (batched+tlb.lazy=0)")
    p.add_argument("--icount", action="store_true",
                   help="-icount shift=0,sleep=off: instruction counts")
    p.add_argument("--reps", type=count(1, 1000), default=1, metavar="N",
                   help="boots per configuration (default 1)")
    p.add_argument("--vs-linux", action="store_true",
                   help="also boot Debian's Linux with the same program")
    p.add_argument("--out", metavar="DIR", help="output directory "
                   "(default build/bench/DATE-HOST/)")
    p.add_argument("--only", type=name_list, metavar="NAME[,NAME]",
                   help="only these groups or cases (the guest's --only)")
    p.add_argument("--mem", type=mem_size, default="512M", metavar="SIZE",
                   help="guest RAM (default 512M)")
    p.add_argument("--timeout", type=count(1, 86400), metavar="S",
                   help="seconds per boot (default 900; 300 with --quick)")
    p.add_argument("--build", metavar="DIR",
                   help="where the kernels (DIR/ARCH/) and the programs "
                   "(DIR/user/ARCH/) are (default build/; ./build.sh bench "
                   "builds into build/bench-build/ with DEBUG=0)")
    return p


def parse_args(argv):
    """The options of @argv, checked (usage and exit 2 on an error)."""
    p = option_parser()
    a = p.parse_args(argv)
    a.arches = list(ARCHES) if a.arch == "all" else [a.arch]
    # icount runs the vCPUs round-robin on one host thread: one vCPU is
    # what it measures well (bench/README.md, "Caveats").
    a.smps = a.smp_sweep or [a.smp or (1 if a.icount else 2)]
    if a.timeout is None:
        a.timeout = 300 if a.quick else 900
    if not any(kernel_configs(arch, a.policy, a.vs_linux)
               for arch in a.arches):
        p.error(f"--policy {','.join(a.policy)} leaves nothing to run on "
                f"{', '.join(a.arches)} (broadcast is aarch64 only)")
    return a


def guest_args(a, smp):
    """The benchmark program's arguments for options @a at @smp vCPUs."""
    args = ["--quick"] if a.quick else []
    if a.only:
        args += ["--only", ",".join(a.only)]
    if a.icount and smp > 1:
        # Under icount an IPI waits for QEMU's next vCPU switch, and a
        # spinner may keep the measuring vCPU from running: shootdown
        # cases at one CPU only (fork and fault cases still see them all).
        args += ["--smp-max", "1"]
    return args


# --- what runs, in which order ------------------------------------------


class Config:
    """One boot: an arch, a kernel (tlbk with a policy, or linux), a vCPU
    count and a repetition number (from 1)."""

    def __init__(self, arch, kernel, policy, smp, rep, reps=1):
        self.arch, self.kernel, self.policy = arch, kernel, policy
        self.smp, self.rep, self.reps = smp, rep, reps

    def __repr__(self):
        """For test failure messages."""
        return (f"Config({self.arch}, {self.kernel}, {self.policy}, "
                f"smp{self.smp}, rep{self.rep})")

    def label(self):
        """How progress lines name the boot."""
        kernel = "linux" if self.kernel == "linux" else f"tlbk {self.policy}"
        return f"{self.arch} {kernel} smp{self.smp} rep{self.rep}/{self.reps}"

    def log_name(self):
        """The console file name: ARCH-KERNEL-POLICY-smpN-repR.log."""
        return (f"{self.arch}-{self.kernel}-{self.policy}-smp{self.smp}"
                f"-rep{self.rep}.log")


def policy_runs_on(policy, arch):
    """Does @policy exist on @arch (broadcast: aarch64 only)?"""
    return not policy.startswith("broadcast") or arch in BROADCAST_ARCHES


def kernel_configs(arch, policies, vs_linux):
    """(kernel, policy) pairs booted on @arch: Linux first, then tlbk's
    policies that exist there."""
    configs = [("linux", "linux")] if vs_linux else []
    return configs + [("tlbk", p) for p in policies
                      if policy_runs_on(p, arch)]


def linux_boots(arch, smp, icount):
    """Can Debian's Linux boot this machine (see LINUX_ICOUNT_UP_ONLY)?"""
    return not (icount and smp > 1 and arch in LINUX_ICOUNT_UP_ONLY)


def plan_boots(arches, smps, policies, vs_linux, reps, icount=False):
    """Every boot in order: for rep, for arch, for smp, for kernel config,
    so a change of host load during the run hits every config alike."""
    return [Config(arch, kernel, policy, smp, rep, reps)
            for rep in range(1, reps + 1) for arch in arches
            for smp in smps
            for kernel, policy in kernel_configs(arch, policies, vs_linux)
            if kernel == "tlbk" or linux_boots(arch, smp, icount)]


# --- the console ---------------------------------------------------------


class BenchLineError(ValueError):
    """A "# bench:" line that does not follow the protocol."""


NUMBER = re.compile(r"-?(\d+|\d+\.\d*|\.\d+)([eE][-+]?\d+)?")


def value(text):
    """A line's value: None for n/a, int or float for numbers, else the
    text."""
    if text == "n/a":
        return None
    if NUMBER.fullmatch(text):
        return int(text) if re.fullmatch(r"-?\d+", text) else float(text)
    return text


def parse_kv(line, prefix):
    """The key=value pairs of @line after @prefix, as a dict."""
    if not line.startswith(prefix):
        raise BenchLineError(f"does not start with '{prefix}'")
    fields = {}
    for word in line[len(prefix):].split():
        key, eq, text = word.partition("=")
        if not eq or not key or not text:
            raise BenchLineError(f"'{word}' is not key=value")
        if key in fields:
            raise BenchLineError(f"key '{key}' is given twice")
        fields[key] = value(text)
    return fields


def is_numeric_key(key):
    """Must @key's value be a number (or n/a)?"""
    return key in STAT_KEYS or key in COUNTERS or key.endswith("_ns") or \
        key in ("mib", "pinned", "threads", "pages", "cpus")


def parse_bench_line(line):
    """The fields of a "# bench:" result line; BenchLineError (which
    quotes the line) if it is malformed: no name or median, or a word
    that is not key=value, or text where a number belongs."""
    try:
        fields = parse_kv(line, "# bench:")
        if not isinstance(fields.get("name"), str):
            raise BenchLineError("no name=")
        if not isinstance(fields.get("median_ns"), (int, float)):
            raise BenchLineError("no numeric median_ns=")
        for key, v in fields.items():
            if isinstance(v, str) and is_numeric_key(key):
                raise BenchLineError(f"{key}={v} is not a number")
    except BenchLineError as e:
        raise BenchLineError(f"malformed '# bench:' line ({e}): {line!r}")
    return fields


RESULT = re.compile(r"(not ok|ok) (\d+)\b ?(.*)")
PLAN = re.compile(r"1\.\.(\d+)")


class BootConsole:
    """The KTAP of one boot, read line by line: the plan, the results with
    their "# bench:" fields, and what was wrong."""

    def __init__(self):
        self.ktap = False
        self.plan = None
        self.info = None
        # (ok, number, description, fields or None, skipped)
        self.results = []
        self.problems = []
        self.notes = []		# "# bench:" lines of text, not results
        self.built = None	# tlbk's "built with DEBUG=... KCFLAGS=..."
        self.pending = None	# the last "# bench:" line's fields
        self.lineno = 0

    def feed(self, line):
        """Take one console line (no newline); return the result tuple if
        it was a result line, else None."""
        self.lineno += 1
        line = line.rstrip("\r")
        if line == "KTAP version 1":
            self.ktap = True
        elif line.startswith("# bench-info:"):
            self.info = self.parse(parse_kv, line, "# bench-info:")
        elif line.startswith("# bench:") and "=" not in line:
            # The program's own words (a usage error, an argument it
            # ignored): shown if the boot fails, not a result.
            self.notes.append(line[len("# bench:"):].strip())
        elif line.startswith("# bench:"):
            self.pending = self.parse(parse_bench_line, line)
        elif "tlbk: built with " in line:
            self.built = line.split("tlbk: built with ", 1)[1].strip()
        elif line.startswith("Bail out!"):
            self.problems.append(f"the program bailed out: {line}")
        elif self.plan is None and PLAN.fullmatch(line):
            self.plan = int(PLAN.fullmatch(line).group(1))
        elif RESULT.fullmatch(line):
            return self.result(RESULT.fullmatch(line))
        return None

    def parse(self, fn, *args):
        """@fn(*args), or None with the error kept as a problem."""
        try:
            return fn(*args)
        except BenchLineError as e:
            self.problems.append(f"console line {self.lineno}: {e}")
            return None

    def result(self, m):
        """Record an ok / not ok line, paired with the "# bench:" line
        just before it if that names the same case."""
        desc, _, directive = m.group(3).partition(" # ")
        ok = m.group(1) == "ok"
        skip = directive.upper().startswith("SKIP")
        fields, self.pending = self.pending, None
        if fields and fields["name"] != desc.split(" ")[0]:
            self.problems.append(f"result {m.group(2)} ({desc}) follows the "
                                 f"'# bench:' line of {fields['name']}")
            fields = None
        if not ok:
            self.problems.append(f"not ok {m.group(2)} {desc}")
            fields = None
        elif not fields and not skip:
            self.problems.append(f"ok {m.group(2)} {desc} has no "
                                 "'# bench:' line")
        r = (ok, int(m.group(2)), desc, fields if ok else None, skip)
        self.results.append(r)
        return r

    def verdict(self, cfg, code, timeout):
        """Every problem of the boot (empty: it passed), given QEMU's exit
        @code (None: stopped after @timeout s)."""
        problems = list(self.problems)
        if code is None:
            problems.append(f"timeout: no power-off within {timeout}s")
        if self.plan is None:
            problems.append("no KTAP plan: the program did not run or "
                            "stopped before listing its cases")
        elif len(self.results) < self.plan:
            problems.append(f"{len(self.results)} of the plan's "
                            f"{self.plan} results")
        if self.info and self.info.get("kernel") != cfg.kernel:
            problems.append(f"the program says kernel="
                            f"{self.info.get('kernel')}, not {cfg.kernel}")
        if self.info and self.info.get("cpus") != cfg.smp:
            problems.append(f"the program found {self.info.get('cpus')} "
                            f"CPUs, QEMU has {cfg.smp}")
        # tlbk's own verdict (a leak, a panic) is in its exit status;
        # Linux powers off with 0 however init ended.
        want = qemu.EXIT_PASS if cfg.kernel == "tlbk" else 0
        if code is not None and code != want:
            problems.append(f"qemu exited with {code}: "
                            f"{qemu.describe_exit(code)}")
        if problems and self.notes:
            problems.append("the program said: " + " / ".join(self.notes))
        return problems


def make_record(fields, cfg, accel):
    """One results.jsonl row from a "# bench:" line's @fields."""
    rec = {"bench": fields["name"], "arch": cfg.arch, "kernel": cfg.kernel,
           "policy": cfg.policy, "cpus": fields.get("cpus", cfg.smp),
           "accel": accel, "rep": cfg.rep}
    for key in IDENT_KEYS + STAT_KEYS + COUNTERS:
        rec[key] = fields.get(key)
    for key, v in fields.items():
        if key not in rec and key not in LINE_ONLY:
            rec[key] = v
    return rec


# --- QEMU ----------------------------------------------------------------


def accel_name(icount):
    """The accel column: "tcg-icount" or "tcg-mttcg"."""
    return "tcg-icount" if icount else "tcg-mttcg"


def machine_argv(arch, smp, mem, icount):
    """QEMU up to the kernel: made by qemu.py's own functions, so Linux
    gets the machine, CPU model, accelerator and devices tlbk gets."""
    if arch == "aarch64":
        argv = qemu.aarch64_args(smp, False, False, "tcg", None)
    else:
        argv = qemu.x86_args(arch, "tcg", None)
    argv += qemu.accel_args("tcg", "single" if icount else "multi")
    if icount:
        argv += ["-icount", "shift=0,sleep=off"]
    return argv + ["-m", str(mem), "-smp", str(smp), "-display", "none",
                   "-serial", "stdio", "-monitor", "none", "-nic", "none",
                   "-no-reboot"]


def tlbk_argv(cfg, mem, icount, cpio, args, build=None):
    """QEMU booting tlbk with policy cfg.policy, /init getting @args."""
    kargs = parse_policy(cfg.policy) + (["--"] + args if args else [])
    return qemu.qemu_argv(cfg.arch, smp=cfg.smp, mem=mem, accel="tcg",
                          kargs=" ".join(kargs), initrd=cpio, build=build,
                          tcg_threads="single" if icount else "multi",
                          icount=icount)


def linux_argv(cfg, mem, icount, cpio, args, vmlinuz):
    """QEMU booting Debian's @vmlinuz the same way, /init getting @args.
    Under icount also norandmaps: with mmap and stack addresses random,
    x86_64 Linux's mprotect/munmap instruction counts moved by up to 11%
    from boot to boot (VMAs merge or not by where they land); tlbk has no
    address randomization."""
    cmdline = LINUX_CMDLINE[cfg.arch] + (" norandmaps" if icount else "")
    cmdline += " -- " + " ".join(args) if args else ""
    return machine_argv(cfg.arch, cfg.smp, mem, icount) + \
        ["-kernel", vmlinuz, "-initrd", cpio, "-append", cmdline]


def bench_binary(arch, build):
    """Where user/'s make puts the benchmark program of @arch."""
    return os.path.join(build, "user", arch, "bench", "bench")


def write_initramfs(path, binary):
    """The cpio both kernels boot: /init = the program, plus the console
    node and the /proc mount point Linux needs."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(mkinitramfs.build([("/dev/console", "@chr:5:1"),
                                   ("/proc", "@dir"), ("/init", binary)]))


def stream_qemu(argv, timeout, log, on_line):
    """Run QEMU, its console into @log (raw) and, line by line, to
    @on_line(text). Returns (exit code or None after @timeout seconds,
    the last lines QEMU wrote on stderr). Ctrl-C stops QEMU and is
    raised again."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    tail = []
    reader = threading.Thread(target=keep_tail, args=(proc.stderr, tail))
    reader.start()
    deadline = time.monotonic() + timeout
    status, rest = None, b""
    try:
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 1))
            if not ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                status = proc.wait()
                break
            log.write(chunk)
            *lines, rest = (rest + chunk).split(b"\n")
            for line in lines:
                on_line(line.decode("utf-8", "replace"))
    finally:
        if proc.poll() is None:
            qemu.stop(proc)
        reader.join()
    if rest:
        on_line(rest.decode("utf-8", "replace"))
    return status, tail


def keep_tail(pipe, tail):
    """Keep the last lines of QEMU's @pipe (stderr) in @tail."""
    for raw in iter(pipe.readline, b""):
        tail.append(raw.decode("utf-8", "replace").rstrip())
        del tail[:-5]


# --- progress --------------------------------------------------------------


def duration(seconds):
    """1m02s style."""
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m{s % 60:02d}s"


class Progress:
    """Counts results and boots to print "[ 12/ 54] ... ETA ~4m10s"."""

    def __init__(self, boots, out=None):
        self.boots, self.out = boots, out or sys.stdout
        # Labels padded to the longest, so the result names line up.
        self.width = max((len(c.label()) for c in boots), default=0)
        self.start = time.monotonic()
        self.done = 0		# boots finished
        self.seconds = {}	# (arch, kernel) -> durations of its boots
        self.boot_start = self.start
        self.results = 0	# result lines so far
        self.counted = 0	# result lines of the finished boots
        self.plans = {}		# (arch, smp[, kernel, policy]) -> plan

    def begin(self):
        """A boot starts now."""
        self.boot_start = time.monotonic()

    def learn_plan(self, cfg, n):
        """The plan of @cfg's boot: the same program with the same
        arguments and CPUs has the same plan on the other configs."""
        self.plans[(cfg.arch, cfg.smp, cfg.kernel, cfg.policy)] = n
        self.plans.setdefault((cfg.arch, cfg.smp), n)

    def expected(self, cfg):
        """The result count a boot of @cfg should have, or None."""
        return self.plans.get((cfg.arch, cfg.smp, cfg.kernel, cfg.policy),
                              self.plans.get((cfg.arch, cfg.smp)))

    def total(self):
        """All results of the run, as far as known; None if a boot's
        count cannot be told yet."""
        later = [self.expected(c) for c in self.boots[self.done:]]
        if None in later:
            return None
        return self.counted + sum(later)

    def boot_estimate(self, cfg):
        """Seconds a boot of @cfg should take: the average of the boots of
        its arch and kernel so far (Linux boots take longer than tlbk's),
        else of every boot so far."""
        same = self.seconds.get((cfg.arch, cfg.kernel))
        every = [s for times in self.seconds.values() for s in times]
        return statistics.mean(same or every)

    def eta(self):
        """The time left, from the boots done so far."""
        if self.done == 0:
            return "?"	# no boot time to go by yet
        left = sum(self.boot_estimate(c) for c in self.boots[self.done:]) \
            - (time.monotonic() - self.boot_start)
        return "~" + duration(max(left, 0))

    def line(self, cfg, desc, note=""):
        """Print the progress line of one result."""
        self.results += 1
        total = self.total()
        total = "?" if total is None else str(total)
        elapsed = duration(time.monotonic() - self.start)
        print(f"[{self.results:>3}/{total:>3}] {cfg.label():<{self.width}} "
              f"{desc:<36} elapsed {elapsed}  ETA {self.eta()}{note}",
              file=self.out, flush=True)

    def end(self, n_results):
        """The current boot ended with @n_results result lines."""
        cfg = self.boots[self.done]
        self.seconds.setdefault((cfg.arch, cfg.kernel), []).append(
            time.monotonic() - self.boot_start)
        self.done += 1
        self.counted += n_results


# --- one boot --------------------------------------------------------------


def run_boot(cfg, argv, log_path, timeout, progress, accel):
    """Boot @cfg: its rows, and a dict saying how the boot went."""
    console = BootConsole()
    progress.begin()

    def on_line(text):
        """Parse one console line; print a result's progress line."""
        had_plan = console.plan is not None
        r = console.feed(text)
        if not had_plan and console.plan is not None:
            progress.learn_plan(cfg, console.plan)
        if r:
            ok, _, desc, _, skip = r
            progress.line(cfg, desc, "  SKIP" if skip else
                          "" if ok else "  NOT OK")

    start = time.monotonic()
    with open(log_path, "wb") as log:
        # The command first, so the log alone says how to boot it again.
        log.write(f"+ {shlex.join(argv)}\n".encode())
        code, tail = stream_qemu(argv, timeout, log, on_line)
    seconds = time.monotonic() - start
    progress.end(len(console.results))
    problems = console.verdict(cfg, code, timeout)
    if code == qemu.EXIT_START_FAILED and tail:
        problems.append("qemu said: " + " / ".join(tail))
    rows = [dict(make_record(r[3], cfg, accel), console=os.path.join(
        "console", os.path.basename(log_path)))
        for r in console.results if r[3]]
    report = {"arch": cfg.arch, "kernel": cfg.kernel, "policy": cfg.policy,
              "cpus": cfg.smp, "rep": cfg.rep, "seconds": round(seconds, 1),
              "exit": code, "results": len(rows), "plan": console.plan,
              "problems": problems, "console": log_path, "argv": argv,
              "info": console.info, "tlbk_built": console.built}
    return rows, report


def qemu_version():
    """QEMU's version, as its --version says it."""
    try:
        out = subprocess.run(["qemu-system-x86_64", "--version"],
                             capture_output=True, text=True).stdout
    except OSError:
        return "unknown"
    first = out.splitlines()[0] if out else "unknown"
    return first.replace("QEMU emulator version ", "")


def shown(path):
    """@path as a user would type it here: relative below the current
    directory, else absolute."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def default_out(started):
    """build/bench/YYYYmmdd-HHMMSS-HOST/."""
    stamp = started.strftime("%Y%m%d-%H%M%S")
    return os.path.join(TOP, "build", "bench",
                        f"{stamp}-{socket.gethostname()}")


def fetch_linux(arches):
    """The Debian kernel of each arch; FetchError if one cannot be had."""
    return {arch: linux_image.linux_kernel(arch, log=print)
            for arch in arches}


def skip_notes(a, linux):
    """What the run leaves out of what was asked, one line each."""
    notes = []
    skipped = [arch for arch in a.arches for p in a.policy
               if not policy_runs_on(p, arch)]
    if skipped:
        notes.append("tlb=broadcast exists on aarch64 only: not run on "
                     f"{', '.join(dict.fromkeys(skipped))}")
    hangs = [f"{arch} smp{n}" for arch in a.arches for n in a.smps
             if linux and not linux_boots(arch, n, a.icount)]
    if hangs:
        notes.append("x86 Linux hangs bringing up its other CPUs under "
                     f"-icount (QEMU 7.2): Linux not booted on "
                     f"{', '.join(hangs)}")
    return notes


def print_notes(a, linux, notes):
    """What the run leaves out or changes, said before it starts."""
    for note in notes:
        print(f"note: {note}")
    if linux and "aarch64" in a.arches:
        print(f"note: aarch64: {NOTE_NOKASLR}")
    if max(a.smps) > (os.cpu_count() or 1) and not a.icount:
        print(f"WARNING: {max(a.smps)} vCPUs on {os.cpu_count()} host "
              "cores: shootdown wall times measure host scheduling; use "
              "--icount and the IPI/flush counters")


def boot_argv(cfg, a, cpio, linux):
    """The QEMU command line of boot @cfg."""
    if cfg.kernel == "linux":
        return linux_argv(cfg, a.mem, a.icount, cpio,
                          guest_args(a, cfg.smp), linux[cfg.arch]["path"])
    return tlbk_argv(cfg, a.mem, a.icount, cpio, guest_args(a, cfg.smp),
                     a.build)


def run_all(a, boots, out, linux):
    """Boot everything in order; (rows, boot reports, interrupted)."""
    cpios = {}
    for arch in a.arches:
        cpios[arch] = os.path.join(out, "initramfs", f"{arch}.cpio")
        write_initramfs(cpios[arch], bench_binary(arch, a.build))
    progress = Progress(boots)
    rows, reports = [], []
    try:
        for cfg in boots:
            argv = boot_argv(cfg, a, cpios[cfg.arch], linux)
            log = os.path.join(out, "console", cfg.log_name())
            got, report = run_boot(cfg, argv, log, a.timeout, progress,
                                   accel_name(a.icount))
            rows += got
            reports.append(report)
            for problem in report["problems"]:
                print(f"FAIL {cfg.label()}: {problem}", flush=True)
            if report["problems"]:
                print(f"     console: {shown(log)}", flush=True)
    except KeyboardInterrupt:
        print("bench: interrupted; writing what was measured")
        return rows, reports, True
    return rows, reports, False


def typed_args(argv):
    """@argv without the --build that ./build.sh bench adds itself: the
    command as the user typed it."""
    if argv[:2] == ["--build", "build/bench-build"]:
        return argv[2:]
    return argv


def run_meta(a, reports, linux):
    """What summary_header says about the run."""
    return {"date": a.started.strftime("%Y-%m-%d %H:%M"),
            "host": socket.gethostname(), "qemu": qemu_version(),
            "host_cpus": os.cpu_count() or 1, "accel": accel_name(a.icount),
            "command": "./build.sh bench " + shlex.join(typed_args(a.argv)),
            "reps": a.reps, "max_smp": max(a.smps), "arches": a.arches,
            "policies": (["linux"] if linux else []) + a.policy,
            "linux": {arch: f"{i['kernel']} ({i['package']} {i['version']})"
                      for arch, i in linux.items()},
            "notes": a.notes,
            "tlbk_built": sorted({r["tlbk_built"] for r in reports
                                  if r["tlbk_built"]})}


def write_outputs(a, out, rows, reports, linux):
    """results.jsonl/.csv, boots.jsonl, summary.md and the plots; print
    the summary. The failed boots' one-line descriptions."""
    write_jsonl(os.path.join(out, "results.jsonl"), rows)
    write_csv(os.path.join(out, "results.csv"), rows)
    write_jsonl(os.path.join(out, "boots.jsonl"), reports)
    failures = [f"{r['arch']} {r['kernel']} {r['policy']} smp{r['cpus']} "
                f"rep{r['rep']}: {'; '.join(r['problems'])} (console: "
                f"{os.path.relpath(r['console'], out)})"
                for r in reports if r["problems"]]
    meta = run_meta(a, reports, linux)
    agg = aggregate(rows)
    lines = summary_lines(meta, agg, failures)
    pngs = make_plots(out, agg, "insns (icount)" if a.icount else "ns")
    if pngs:
        lines += ["", "Plots: " + ", ".join(os.path.relpath(p, out)
                                            for p in pngs)]
    write_text(os.path.join(out, "summary.md"), lines)
    print()
    print("\n".join(lines))
    print(f"\nbench: {len(rows)} results in {shown(out)}/")
    return failures


def main(argv):
    """./build.sh bench; exit 0 if every boot passed, 1 if not (or if
    nothing could run), 2 for bad options."""
    if argv[:1] == ["--list-arches"]:
        # build.sh asks which arches to build; help goes to stderr there.
        sys.stdout, real = sys.stderr, sys.stdout
        a = parse_args(argv[1:])
        print(" ".join(a.arches), file=real)
        return 0
    a = parse_args(argv)
    a.argv = argv
    a.build = os.path.abspath(a.build or os.path.join(TOP, "build"))
    a.started = datetime.datetime.now()
    missing = [bench_binary(arch, a.build) for arch in a.arches
               if not os.path.isfile(bench_binary(arch, a.build))]
    if missing:
        print(f"bench: missing {', '.join(missing)}: run "
              "./build.sh bench (it builds user/)", file=sys.stderr)
        return 1
    try:
        linux = fetch_linux(a.arches) if a.vs_linux else {}
    except linux_image.FetchError as e:
        print(f"bench: --vs-linux: {e}", file=sys.stderr)
        return 1
    out = os.path.abspath(a.out or default_out(a.started))
    os.makedirs(os.path.join(out, "console"), exist_ok=True)
    boots = plan_boots(a.arches, a.smps, a.policy, a.vs_linux, a.reps,
                       a.icount)
    a.notes = skip_notes(a, linux)
    print_notes(a, linux, a.notes)
    print(f"bench: {len(boots)} boots ({accel_name(a.icount)}, timeout "
          f"{a.timeout}s each) into {shown(out)}/", flush=True)
    rows, reports, interrupted = run_all(a, boots, out, linux)
    failures = write_outputs(a, out, rows, reports, linux)
    if interrupted:
        return 130
    if failures:
        print(f"bench: {len(failures)} of {len(reports)} boots failed "
              "(see above and summary.md)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
