#!/usr/bin/env python3
"""./build.sh bench's host side (tools/bench.py, tools/linux_image.py),
without QEMU: the "# bench:" line parser and its errors, a boot's KTAP
verdict from a fake console, the records, median-over-reps aggregation
and ratios, the summary table and its header notes, the writers, the
option errors (usage, exit 2), the policy -> kernel arguments, the order
the configs alternate in, the QEMU command lines of both kernels, the
progress line, the console streamer (fake QEMU processes), the Linux
cache, and the plots (if gnuplot is installed). TAP on stdout; a few
seconds.
"""
import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
sys.path.insert(0, os.path.join(TOP, "tools"))
import bench  # noqa: E402
import bench_plot  # noqa: E402
import bench_results  # noqa: E402
import linux_image  # noqa: E402

LINE = ("# bench: name=fork.wait mib=64 pinned=1 kernel=linux arch=x86_64 "
        "cpus=4 iters=2000 median_ns=5400 p90_ns=6100 p99_ns=9000 "
        "mean_ns=5600.5 min_ns=4100 ipis=0.000 shootdowns=n/a "
        "page_flushes=0.001")
tests = []


def test(fn):
    """Register @fn as a test (its docstring names it)."""
    tests.append(fn)
    return fn


def raises(fn, *args):
    """The message of the exception @fn(*args) raises, or None."""
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001 - any error is the answer
        return str(e)
    return None


def rec(name="fault.first_touch", policy="batched", median=100, p99=200,
        ipis=0.0, rep=1, cpus=2, arch="x86_64", **idents):
    """A results.jsonl row as make_record makes them."""
    fields = {"name": name, "cpus": cpus, "iters": 10, "median_ns": median,
              "p90_ns": median, "p99_ns": p99, "ipis": ipis, **idents}
    kernel = "linux" if policy == "linux" else "tlbk"
    cfg = bench.Config(arch, kernel, policy, cpus, rep)
    return bench.make_record(fields, cfg, "tcg-mttcg")


# --- the line parser -------------------------------------------------------


@test
def bench_line_values():
    """Numbers become int or float, n/a None, words stay text."""
    f = bench.parse_bench_line(LINE)
    want = {"name": "fork.wait", "mib": 64, "pinned": 1, "iters": 2000,
            "median_ns": 5400, "mean_ns": 5600.5, "ipis": 0.0,
            "shootdowns": None, "page_flushes": 0.001, "kernel": "linux"}
    bad = {k: f.get(k) for k, v in want.items()
           if f.get(k) != v or type(f.get(k)) is not type(v)}
    return not bad and len(f) == 15, f"wrong: {bad}, {len(f)} keys"


@test
def bench_line_errors():
    """Malformed lines are refused with the reason and the line."""
    cases = {
        "# bench: name=x median_ns": "'median_ns' is not key=value",
        "# bench: median_ns=5": "no name=",
        "# bench: name=x median_ns=fast": "no numeric median_ns=",
        "# bench: name=x median_ns=5 p99_ns=slow": "p99_ns=slow is not a "
                                                   "number",
        "# bench: name=x name=y median_ns=1": "key 'name' is given twice",
        "# bench: name=x median_ns=1 ipis=": "'ipis=' is not key=value",
        "# bench: name=x median_ns=1 nonsense": "'nonsense' is not "
                                                "key=value",
    }
    wrong = []
    for line, reason in cases.items():
        msg = raises(bench.parse_bench_line, line)
        if not msg or reason not in msg or repr(line) not in msg:
            wrong.append(f"{line!r}: {msg}")
    return not wrong, "; ".join(wrong)


# --- a boot's console -------------------------------------------------------

CONSOLE = """\
[cpu0] tlbk: built with DEBUG=0 KCFLAGS='-O1' (clang 14.0.6)
[cpu0] init: starting /init
KTAP version 1
# bench-info: kernel=tlbk arch=x86_64 cpus=2 clock=tsc clock_hz=2999912345
1..4
# bench: name=fault.first_touch pages=256 cpus=2 iters=256 median_ns=5400 \
p90_ns=6100 p99_ns=9000 ipis=0.000 shootdowns=0.000
ok 1 fault.first_touch pages=256
# bench: name=fork.wait mib=64 pinned=1 cpus=2 iters=20 median_ns=900000 \
p99_ns=1000000 ipis=1.000
not ok 2 fork.wait mib=64 pinned=1
ok 3 shootdown.madvise mode=threads threads=4 pages=1 # SKIP 2 CPUs
# bench: name=shootdown.munmap mode=threads threads=2 pages=1 cpus=2 \
iters=5 median_ns=77 p99_ns=99 ipis=1.000
ok 4 shootdown.munmap mode=threads threads=2 pages=1
[cpu0] init: exited with status 1
"""


def feed(text):
    """A BootConsole fed @text as the serial console sends it (CRLF)."""
    con = bench.BootConsole()
    got = [con.feed(line) for line in text.replace("\n", "\r\n").split("\n")]
    return con, got


@test
def console_results():
    """Results pair with their '# bench:' line; not ok and SKIP have no
    row; the plan and the info line are read."""
    con, got = feed(CONSOLE)
    r = con.results
    return (con.ktap and con.plan == 4 and con.info["clock_hz"] == 2999912345
            and con.built == "DEBUG=0 KCFLAGS='-O1' (clang 14.0.6)"
            and len(r) == 4 and sum(x is not None for x in got) == 4
            and r[0][3]["median_ns"] == 5400 and r[1][:2] == (False, 2)
            and r[1][3] is None and r[2][3] is None and r[2][4]
            and r[3][3]["name"] == "shootdown.munmap"
            and con.problems == ["not ok 2 fork.wait mib=64 pinned=1"],
            f"results {r}, problems {con.problems}")


@test
def console_verdicts():
    """A boot fails for a not ok, a short plan, a timeout, a wrong exit
    code (tlbk: 3 is pass; Linux: 0), a CPU count or kernel mismatch."""
    tlbk = bench.Config("x86_64", "tlbk", "batched", 2, 1)
    linux = bench.Config("x86_64", "linux", "linux", 2, 1)
    good = CONSOLE.replace("not ok 2", "ok 2")
    con, _ = feed(good)
    checks = {
        "pass": (con.verdict(tlbk, 3, 9), []),
        "tlbk exit 5": (con.verdict(tlbk, 5, 9),
                        ["qemu exited with 5: FAIL (guest status 1)"]),
        "linux exit 0 is kernel mismatch only":
            (con.verdict(linux, 0, 9),
             ["the program says kernel=tlbk, not linux"]),
        "cpus": (con.verdict(bench.Config("x86_64", "tlbk", "batched", 4, 1),
                             3, 9), ["the program found 2 CPUs, QEMU has 4"]),
    }
    short, _ = feed(good.split("ok 4")[0])
    checks["short"] = (short.verdict(tlbk, None, 9),
                       ["timeout: no power-off within 9s",
                        "3 of the plan's 4 results"])
    empty, _ = feed("Linux panic\n")
    checks["no plan"] = (empty.verdict(linux, 0, 9),
                         ["no KTAP plan: the program did not run or "
                          "stopped before listing its cases"])
    usage, _ = feed("KTAP version 1\n# bench: unknown option\n")
    checks["usage"] = (usage.verdict(linux, 0, 9),
                       ["no KTAP plan: the program did not run or stopped "
                        "before listing its cases",
                        "the program said: unknown option"])
    noted, _ = feed("# bench: ignoring argument 'nokaslr'\n" + good)
    checks["a note alone is no problem"] = (noted.verdict(tlbk, 3, 9), [])
    wrong = [f"{k}: {got}" for k, (got, want) in checks.items()
             if got != want]
    return not wrong, "; ".join(wrong)


@test
def console_bad_line():
    """A malformed '# bench:' line is a problem, and its result then has
    no row."""
    con, _ = feed("KTAP version 1\n1..1\n# bench: name=x median_ns=oops\n"
                  "ok 1 x\n")
    return (len(con.problems) == 2 and "console line 3: malformed" in
            con.problems[0] and con.problems[1] == "ok 1 x has no "
            "'# bench:' line" and con.results[0][3] is None, con.problems)


@test
def records():
    """A row has the driver's arch/kernel/policy/rep, every ident and
    counter key (None where absent or n/a), and extra keys kept."""
    cfg = bench.Config("aarch64", "linux", "linux", 4, 3)
    fields = dict(bench.parse_bench_line(LINE), max_ns=7, arch="wrong")
    r = bench.make_record(fields, cfg, "tcg-icount")
    return (r["bench"] == "fork.wait" and r["arch"] == "aarch64" and
            r["kernel"] == "linux" and r["policy"] == "linux" and
            r["rep"] == 3 and r["accel"] == "tcg-icount" and r["cpus"] == 4
            and r["mib"] == 64 and r["mode"] is None and
            r["shootdowns"] is None and r["ipi_sent"] is None and
            r["max_ns"] == 7 and "name" not in r and
            list(r)[:7] == list(bench.COLUMNS[:7]), r)


# --- aggregation, table, writers -------------------------------------------


def rep_rows():
    """Three reps of a case on Linux and tlbk batched, one on naive."""
    rows = []
    for rep, (lin, bat) in enumerate([(100, 300), (100, 200), (400, 250)], 1):
        rows.append(rec("fork.wait", "linux", lin, lin * 2, None, rep,
                        mib=64, pinned=1))
        rows.append(rec("fork.wait", "batched", bat, bat * 3, 1.5, rep,
                        mib=64, pinned=1))
    rows.append(rec("fork.wait", "naive", 150, 151, 2.0, 1, mib=64,
                    pinned=1))
    rows.append(rec("fork.wait", "batched", 999, 999, 1.0, 1, cpus=4,
                    mib=64, pinned=1))
    return rows


@test
def aggregation():
    """Cells are the median over reps of each boot's median (and p99,
    ipis); the ratio is tlbk / Linux."""
    agg = bench_results.aggregate(rep_rows())
    key = (("fork.wait", ("mib", 64), ("pinned", 1)), 2)
    cell = agg["x86_64"][key]
    lin, bat = cell["linux"], cell["batched"]
    ratio = bench_results.ratio(bat["median"], lin["median"])
    even = bench_results.median_of([1, 2, 3, None, 10])
    return (lin == {"median": 100, "p99": 200, "ipis": None, "reps": 3} and
            bat == {"median": 250, "p99": 750, "ipis": 1.5, "reps": 3} and
            ratio == 2.5 and bench_results.ratio(5, None) is None and
            bench_results.ratio(5, 0) is None and even == 2.5 and
            list(agg["x86_64"]) == [key, (key[0], 4)],
            f"{cell}, ratio {ratio}, {even}")


@test
def table():
    """The arch table: Linux and each policy's median, ratios to 2
    decimals, p99s, IPIs/op; a row per result and vCPU count."""
    agg = bench_results.aggregate(rep_rows())
    lines = bench_results.arch_table(agg["x86_64"], ["linux", "batched", "naive"])
    head = [c.strip() for c in lines[0].strip("|").split("|")]
    row = [c.strip() for c in lines[2].strip("|").split("|")]
    row4 = [c.strip() for c in lines[3].strip("|").split("|")]
    want_head = ["result", "cpus", "Linux median", "batched median",
                 "naive median", "batched/Linux", "naive/Linux",
                 "Linux p99", "batched p99", "naive p99", "Linux IPIs/op",
                 "batched IPIs/op", "naive IPIs/op"]
    want_row = ["fork.wait mib=64 pinned=1", "2", "100", "250", "150",
                "2.50", "1.50", "200", "750", "151", "-", "1.500", "2.000"]
    return (head == want_head and row == want_row and len(lines) == 4 and
            row4[:6] == ["fork.wait mib=64 pinned=1", "4", "-", "999", "-",
                         "-"], "\n# ".join(lines))


def meta(**kw):
    """summary_lines' run description, with @kw changed."""
    m = {"date": "2024-01-02 03:04", "host": "h", "qemu": "7.2.0",
         "host_cpus": 2, "accel": "tcg-mttcg", "command": "./build.sh bench",
         "reps": 3, "max_smp": 2, "arches": ["x86_64", "aarch64"],
         "policies": ["linux", "batched"],
         "linux": {"x86_64": "6.1.0-57-amd64 (linux-image-6.1.0-57-amd64 "
                   "6.1.1-1)"}}
    m.update(kw)
    return m


@test
def summary_notes():
    """The header: QEMU, host CPUs, accel, Linux version, the noise (or
    determinism) note, the vCPU warning, the aarch64 nokaslr note."""
    rows = rep_rows() + [rec("fault.zero_read", p, arch="aarch64")
                         for p in ("linux", "batched")]
    agg = bench_results.aggregate(rows)
    text = "\n".join(bench_results.summary_lines(
        meta(max_smp=4, tlbk_built=["DEBUG=1 KCFLAGS=''"],
             notes=["broadcast: not on x86"]), agg,
        ["x86_64 tlbk: timeout"]))
    quiet = "\n".join(bench_results.summary_lines(meta(accel="tcg-icount",
                                               max_smp=4), agg, []))
    want = ["QEMU: 7.2.0; host CPUs: 2", "accel: tcg-mttcg",
            "compare ratios measured in one run",
            "Linux x86_64: 6.1.0-57-amd64",
            "WARNING: 4 vCPUs on 2 host cores: shootdown wall times measure "
            "host scheduling; use --icount and the IPI/flush counters",
            "## aarch64\n\nLinux booted with nokaslr (KPTI off; tlbk has no "
            "KPTI)", "## Failed boots (1)\n\n- x86_64 tlbk: timeout",
            "| fault.zero_read | 2 | 100 | 100 | 1.00 |",
            "- note: broadcast: not on x86",
            "- tlbk built with DEBUG=1 KCFLAGS='' (sanity checks on: "
            "DEBUG=0 ./build.sh bench measures without them)"]
    missing = [w for w in want if w not in text]
    return (not missing and "instruction counts, deterministic" in quiet and
            "WARNING" not in quiet and "Failed" not in quiet,
            f"missing {missing}")


@test
def writers():
    """results.jsonl and results.csv hold the rows (None: null, empty
    cell), the CSV's columns fixed first then extra keys."""
    rows = rep_rows()
    rows[0]["max_ns"] = 5
    with tempfile.TemporaryDirectory() as tmp:
        bench_results.write_jsonl(os.path.join(tmp, "r.jsonl"), rows)
        bench_results.write_csv(os.path.join(tmp, "r.csv"), rows)
        bench_results.write_text(os.path.join(tmp, "s.md"), ["a", "b"])
        back = [json.loads(x) for x in open(os.path.join(tmp, "r.jsonl"))]
        table = list(csv.reader(open(os.path.join(tmp, "r.csv"))))
        md = open(os.path.join(tmp, "s.md")).read()
    head = table[0]
    first = dict(zip(head, table[1]))
    return (back == rows and head == list(bench.COLUMNS) + ["max_ns"] and
            head[-2] == "console" and
            len(table) == len(rows) + 1 and first["median_ns"] == "100" and
            first["ipis"] == "" and first["mode"] == "" and
            first["max_ns"] == "5" and dict(zip(head, table[2]))["max_ns"]
            == "" and md == "a\nb\n", f"{head}, {first}")


# --- options, policies, order ----------------------------------------------


def driver(*args):
    """Run tools/bench.py with @args: (exit code, stdout, stderr)."""
    p = subprocess.run([sys.executable, os.path.join(TOP, "tools",
                                                     "bench.py"), *args],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


@test
def option_errors():
    """Bad options print the usage and exit 2, before anything builds."""
    bad = [["--smp", "0"], ["--reps", "0"], ["--policy", "bogus"],
           ["--smp-sweep", "1,x"], ["--smp", "2", "--smp-sweep", "1,2"],
           ["--mem", "lots"], ["--timeout", "0"], ["--only", "a b"],
           ["--policy", "batched+lazy"], ["x86_64", "--policy", "broadcast"],
           ["sparc"], ["--frobnicate"]]
    wrong = []
    for args in bad:
        rc, out, err = driver("--list-arches", *args)
        if rc != 2 or "usage: ./build.sh bench" not in err or out:
            wrong.append(f"{args}: exit {rc}")
    p = subprocess.run([os.path.join(TOP, "build.sh"), "bench", "--reps",
                        "0"], cwd=TOP, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=30)
    if p.returncode != 2 or "== build" in p.stdout:
        wrong.append(f"build.sh bench --reps 0: exit {p.returncode}")
    return not wrong, "; ".join(wrong)


@test
def option_values():
    """Good options: the arches build.sh is to build, the defaults."""
    rc, out, _ = driver("--list-arches", "--smp-sweep", "1,4,1",
                        "--policy", "batched,broadcast")
    rc2, out2, _ = driver("--list-arches", "i686", "--quick")
    a = bench.parse_args(["aarch64", "--smp-sweep", "1,4,1", "--quick",
                          "--only", "fault,fork.wait"])
    d = bench.parse_args([])
    ic = bench.parse_args(["--icount"])
    ic4 = bench.parse_args(["--icount", "--smp", "4"])
    return (rc == 0 and out == "x86_64 i686 aarch64\n" and rc2 == 0 and
            out2 == "i686\n" and a.smps == [1, 4] and a.timeout == 300 and
            bench.guest_args(a, 4) == ["--quick", "--only",
                                       "fault,fork.wait"]
            and d.smps == [2] and d.timeout == 900 and d.mem == "512M" and
            d.policy == ["batched"] and d.reps == 1 and
            d.arches == list(bench.ARCHES) and bench.guest_args(d, 2) == []
            and ic.smps == [1] and bench.guest_args(ic, 1) == [] and
            bench.guest_args(ic4, 4) == ["--smp-max", "1"],
            f"{out!r} {out2!r} {vars(a)}")


@test
def policies():
    """A policy and its +options become tlbk's kernel arguments."""
    good = {"batched": ["tlb=batched"], "naive": ["tlb=naive"],
            "batched+tlb.lazy=0": ["tlb=batched", "tlb.lazy=0"],
            "batched+tlb.asid=0+tlb.ceiling=1":
                ["tlb=batched", "tlb.asid=0", "tlb.ceiling=1"],
            "broadcast+tlb.asid_bits=3": ["tlb=broadcast",
                                          "tlb.asid_bits=3"]}
    wrong = [p for p, want in good.items() if bench.parse_policy(p) != want]
    for p in ("bogus", "none", "batched+", "batched+tlb=naive",
              "batched+init=/x", "batched+tlb.lazy", "Batched"):
        if not raises(bench.parse_policy, p):
            wrong.append(f"{p} accepted")
    return not wrong, wrong


@test
def alternation():
    """Boots go for rep, for arch, for smp, for config (Linux first);
    broadcast only on aarch64."""
    boots = bench.plan_boots(["x86_64", "aarch64"], [1, 2],
                             ["batched", "broadcast"], True, 2)
    got = [(c.rep, c.arch, c.smp, c.policy) for c in boots]
    want = []
    for rep in (1, 2):
        for arch, pols in (("x86_64", ["linux", "batched"]),
                           ("aarch64", ["linux", "batched", "broadcast"])):
            want += [(rep, arch, smp, p) for smp in (1, 2) for p in pols]
    names = {c.log_name() for c in boots}
    # Under icount x86 Linux boots only with one vCPU (it hangs with more).
    ic = [(c.arch, c.smp, c.policy) for c in bench.plan_boots(
        ["i686", "aarch64"], [1, 2], ["naive"], True, 1, icount=True)]
    return (got == want and ic == [
                ("i686", 1, "linux"), ("i686", 1, "naive"),
                ("i686", 2, "naive"), ("aarch64", 1, "linux"),
                ("aarch64", 1, "naive"), ("aarch64", 2, "linux"),
                ("aarch64", 2, "naive")] and boots[1].kernel == "tlbk" and
            boots[0].kernel == "linux" and
            "aarch64-tlbk-broadcast-smp2-rep2.log" in names and
            "x86_64-linux-linux-smp1-rep1.log" in names and
            boots[-1].label() == "aarch64 tlbk broadcast smp2 rep2/2",
            f"{got} {ic}")


# --- QEMU command lines -----------------------------------------------------


@test
def command_lines():
    """tlbk and Linux get the same machine up to -kernel; the kernel
    command lines carry the policy / Linux options (norandmaps under
    icount) and init's args."""
    wrong = []
    with tempfile.TemporaryDirectory() as build:
        for arch, f in (("x86_64", "kernel32.elf"), ("i686", "kernel.elf"),
                        ("aarch64", "Image")):
            os.makedirs(os.path.join(build, arch))
            open(os.path.join(build, arch, f), "w").close()
        for arch in bench.ARCHES:
            for icount in (False, True):
                cfg = bench.Config(arch, "tlbk", "batched+tlb.lazy=0", 4, 1)
                t = bench.tlbk_argv(cfg, "512M", icount, "x.cpio",
                                    ["--quick"], build)
                lin = bench.linux_argv(cfg, "512M", icount, "x.cpio",
                                       ["--quick"], "vmlinuz")
                k = t.index("-kernel")
                if t[:k] != lin[:lin.index("-kernel")]:
                    wrong.append(f"{arch} icount={icount}: {t[:k]} vs {lin}")
                if ("-icount" in t) != icount or \
                        ("tcg,thread=single" in t) != icount:
                    wrong.append(f"{arch} icount={icount}: {t}")
                kargs = t[t.index("-append") + 1]
                cmdline = lin[lin.index("-append") + 1]
                tail = ("panic=-1 norandmaps -- --quick" if icount else
                        "panic=-1 -- --quick")
                if kargs != "tlb=batched tlb.lazy=0 -- --quick" or \
                        not cmdline.endswith(tail) or \
                        ("nokaslr" in cmdline) != (arch == "aarch64") or \
                        lin[-4:-2] != ["-initrd", "x.cpio"]:
                    wrong.append(f"{arch}: {kargs!r} / {cmdline!r}")
    return not wrong, "; ".join(wrong)


# --- streaming and progress --------------------------------------------------

FAKE_QEMU = r"""
import sys, time
out = sys.stdout
out.write("KTAP version 1\r\n# bench-info: kernel=tlbk cpus=2\r\n1..2\r\n")
out.flush()
out.write("# bench: name=a.b pages=1 cpus=2 median_ns=10 p99_ns=20 ipis=1\r\n"
          "ok 1 a.b pa")
out.flush()
time.sleep(0.2)
out.write("ges=1\r\n# bench: name=a.c cpus=2 median_ns=30 p99_ns=40\r\n"
          "ok 2 a.c\r\n")
sys.exit(3)
"""


@test
def fake_boot():
    """A boot of a fake QEMU: rows, report, console log, progress lines."""
    cfg = bench.Config("x86_64", "tlbk", "batched", 2, 1)
    out = io.StringIO()
    progress = bench.Progress([cfg, cfg], out=out)
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "c.log")
        rows, rep = bench.run_boot(cfg, [sys.executable, "-c", FAKE_QEMU],
                                   log, 20, progress, "tcg-mttcg")
        saved = open(log, "rb").read()
    lines = out.getvalue().splitlines()
    return (len(rows) == 2 and rows[0]["pages"] == 1 and
            rows[1]["median_ns"] == 30 and rep["problems"] == [] and
            rep["exit"] == 3 and rep["plan"] == 2 and saved.startswith(
                b"+ ") and b"\nKTAP version 1\r\n" in saved and
            b"ok 1 a.b pages=1\r\n" in saved and
            rows[0]["console"] == "console/c.log"
            and len(lines) == 2 and lines[0].startswith(
                "[  1/  4] x86_64 tlbk batched smp2 rep1/1 a.b pages=1")
            and lines[0].endswith("ETA ?") and progress.done == 1 and
            progress.total() == 4 and progress.eta().startswith("~"),
            f"{rows} {rep['problems']} {lines}")


@test
def main_end_to_end():
    """bench.main on fake QEMUs (rep 1 passes, rep 2 dies after its
    plan): every output written, the good rows kept, exit 1."""
    def fake_argv(cfg, a, cpio, linux):
        if cfg.rep == 1:
            return [sys.executable, "-c", FAKE_QEMU]
        return [sys.executable, "-c", "print('KTAP version 1\\n1..2')"]
    saved = bench.boot_argv, bench.bench_binary
    bench.boot_argv = fake_argv
    bench.bench_binary = lambda arch, build: os.path.abspath(__file__)
    try:
        with tempfile.TemporaryDirectory() as out:
            stdout = io.StringIO()
            with contextlib.redirect_stdout(stdout):
                rc = bench.main(["x86_64", "--reps", "2", "--out", out])
            files = sorted(f for f in os.listdir(out) if f != "plots")
            logs = sorted(os.listdir(os.path.join(out, "console")))
            first_log = open(os.path.join(out, "console", logs[0])).read()
            rows = [json.loads(x) for x in open(os.path.join(
                out, "results.jsonl"))]
            boots = [json.loads(x) for x in open(os.path.join(
                out, "boots.jsonl"))]
            md = open(os.path.join(out, "summary.md")).read()
    finally:
        bench.boot_argv, bench.bench_binary = saved
    text = stdout.getvalue()
    return (rc == 1 and files == ["boots.jsonl", "console", "initramfs",
                                  "results.csv", "results.jsonl",
                                  "summary.md"] and
            logs == ["x86_64-tlbk-batched-smp2-rep1.log",
                     "x86_64-tlbk-batched-smp2-rep2.log"] and
            first_log.startswith(f"+ {sys.executable} -c ") and
            rows[0]["console"] == "console/" + logs[0] and
            [r["bench"] for r in rows] == ["a.b", "a.c"] and
            boots[0]["problems"] == [] and boots[1]["problems"] == [
                "0 of the plan's 2 results",
                "qemu exited with 0: the guest powered off without a "
                "status or crashed (QEMU exit 0: PSCI/ACPI off, triple "
                "fault or reset)"] and
            "## Failed boots (1)" in md and "| a.b pages=1 | 2 | 10 | 20 | "
            "1.000 |" in md and "FAIL x86_64 tlbk batched smp2 rep2/2: 0 "
            "of the plan's 2 results" in text and
            "bench: 1 of 2 boots failed" in text and
            "[  2/  4] x86_64 tlbk batched smp2 rep1/2 a.c " in text,
            f"rc {rc} {files} {logs} {boots}\n{text}")


@test
def stream_timeout():
    """A guest that never powers off is stopped at the timeout (None) and
    its last partial line still reaches the parser."""
    got = []
    start = time.monotonic()
    code, _ = bench.stream_qemu(
        ["sh", "-c", "printf 'one\\ntwo'; exec sleep 30"], 1, io.BytesIO(),
        got.append)
    took = time.monotonic() - start
    code2, tail = bench.stream_qemu(
        ["sh", "-c", "echo oops >&2; exit 1"], 5, io.BytesIO(), got.append)
    return (code is None and got == ["one", "two"] and took < 8 and
            code2 == 1 and tail == ["oops"], f"{code} {got} {took:.1f}s "
            f"{code2} {tail}")


@test
def progress_counts():
    """The total is '?' until every config's plan is known (a plan stands
    for its arch and vCPU count); durations print as 1m02s."""
    a = bench.Config("x86_64", "linux", "linux", 2, 1)
    b = bench.Config("x86_64", "tlbk", "batched", 2, 1)
    c = bench.Config("i686", "tlbk", "batched", 2, 1)
    p = bench.Progress([a, b, c], out=io.StringIO())
    before = p.total()
    p.learn_plan(a, 10)
    mid = p.total()
    p.learn_plan(c, 7)
    known = p.total()
    p.end(4)		# the Linux boot ended early: 4 results, not 10
    after = p.total()
    durations = [bench.duration(s) for s in (5, 62, 3725)]
    return (before is None and mid is None and known == 27 and
            after == 21 and durations == ["5s", "1m02s", "1h02m05s"],
            f"{before} {mid} {known} {after} {durations}")


# --- Linux cache, errors, plots ----------------------------------------------


@test
def linux_cache():
    """A complete cache (VERSION naming an existing vmlinuz) is used
    without apt; a partial one is not a cache."""
    with tempfile.TemporaryDirectory() as build:
        d = os.path.join(build, "linux", "i686")
        os.makedirs(d)
        with open(os.path.join(d, "VERSION"), "w") as f:
            f.write("package=linux-image-6.1.0-9-686-pae version=6.1.1-1 "
                    "kernel=6.1.0-9-686-pae\n")
        partial = linux_image.read_version(d)
        open(os.path.join(d, "vmlinuz-6.1.0-9-686-pae"), "w").close()
        saved, linux_image.fetch = linux_image.fetch, None  # no apt here
        try:
            info = linux_image.linux_kernel("i686", build)
        finally:
            linux_image.fetch = saved
    return (partial is None and info["kernel"] == "6.1.0-9-686-pae" and
            info["version"] == "6.1.1-1" and
            info["path"].endswith("linux/i686/vmlinuz-6.1.0-9-686-pae"),
            f"{partial} {info}")


@test
def linux_unreachable():
    """No cache and no archive: one clear line (FetchError), and the
    driver exits 1 for --vs-linux."""
    saved = linux_image.SOURCES, linux_image.RETRIES
    linux_image.SOURCES = ["deb [trusted=yes] http://127.0.0.1:9/debian "
                           "bookworm main"]
    linux_image.RETRIES = 0	# apt's back-off would take 7 s here
    try:
        with tempfile.TemporaryDirectory() as build:
            msg = raises(linux_image.linux_kernel, "x86_64", build)
            left = os.listdir(os.path.join(build, "linux", "x86_64"))
    finally:
        linux_image.SOURCES, linux_image.RETRIES = saved
    err = io.StringIO()
    saved_fetch, saved_bin = bench.fetch_linux, bench.bench_binary

    def no_network(arches):
        """A fetch that fails as without network."""
        raise linux_image.FetchError("apt-get update failed: no network")
    bench.fetch_linux = no_network
    bench.bench_binary = lambda arch, build: sys.executable
    try:
        with contextlib.redirect_stderr(err):
            rc = bench.main(["x86_64", "--vs-linux"])
    finally:
        bench.fetch_linux, bench.bench_binary = saved_fetch, saved_bin
    return (msg is not None and msg.startswith("apt-get update") and
            "Could not connect to 127.0.0.1:9" in msg and
            "\n" not in msg and left == [] and rc == 1 and
            err.getvalue() == "bench: --vs-linux: apt-get update failed: "
            "no network\n", f"{msg!r} {left} {rc} {err.getvalue()!r}")


@test
def plots():
    """With gnuplot: only the plots the results allow, each with its .dat
    and .gp beside the PNG."""
    if not bench_plot.gnuplot_terminal():
        return None, "gnuplot is not installed"
    rows = [rec(f"fault.{k}", p, median=m, pages=256)
            for k, m in (("first_touch", 5), ("cow_copy", 9))
            for p in ("linux", "batched")]
    rows += [rec(n, p, median=mib * 10 + 1, mib=mib, pinned=1)
             for n in ("fork.wait", "fork.call") for mib in (0, 16, 64)
             for p in ("linux", "batched")]
    with tempfile.TemporaryDirectory() as out, \
            contextlib.redirect_stdout(io.StringIO()):
        only_fault = bench_plot.make_plots(out, bench_results.aggregate(rows[:4]), "ns")
        both = bench_plot.make_plots(out, bench_results.aggregate(rows), "ns")
        files = sorted(os.listdir(os.path.join(out, "plots")))
        dat = open(os.path.join(out, "plots", "fork-x86_64.dat")).read()
    names = [os.path.basename(p) for p in only_fault + both]
    return (names == ["fault-x86_64.png", "fault-x86_64.png",
                      "fork-x86_64.png"] and
            files == ["fault-x86_64.dat", "fault-x86_64.gp",
                      "fault-x86_64.png", "fork-x86_64.dat", "fork-x86_64.gp",
                      "fork-x86_64.png"] and
            "# Linux fork.wait\n0 1\n16 161\n64 641\n" in dat,
            f"{names} {files}")


def main():
    """Run every test, print TAP."""
    print(f"1..{len(tests)}", flush=True)
    failed = 0
    for num, fn in enumerate(tests, 1):
        try:
            good, why = fn()
        except Exception as e:  # noqa: BLE001 - a crash fails the test
            good, why = False, f"{type(e).__name__}: {e}"
        name = f"{fn.__name__}: {fn.__doc__.splitlines()[0]}"
        if good is None:
            print(f"ok {num} {name} # SKIP {why}", flush=True)
            continue
        if not good:
            failed += 1
            for line in str(why).splitlines():
                print(f"# {line}")
        print(f"{'ok' if good else 'not ok'} {num} {name}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
