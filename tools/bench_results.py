#!/usr/bin/env python3
"""The results of ./build.sh bench (tools/bench.py) once the boots are
done: their schema, the aggregation over reps (the median of each boot's
median), the Markdown summary with the tlbk/Linux ratios, and the
results.jsonl / results.csv writers.
"""
import csv
import json
import statistics

# The keys that, with the name, tell one result from another.
IDENT_KEYS = ("op", "mib", "pinned", "mode", "threads", "pages")
STAT_KEYS = ("iters", "median_ns", "p90_ns", "p99_ns", "mean_ns", "min_ns")
# Counters the program reports today; any other numeric key on a line is
# kept too (as a column after these).
COUNTERS = ("ipis", "shootdowns", "ipi_sent", "page_flushes",
            "asid_flushes", "full_flushes", "coalesced", "skipped_by_gen",
            "lazy_skipped", "broadcast_tlbi", "merged_flushes",
            "catchup_flushes")
COLUMNS = ("bench", "arch", "kernel", "policy", "cpus", "accel", "rep") + \
    IDENT_KEYS + STAT_KEYS + COUNTERS + ("console",)
NOTE_NOKASLR = "Linux booted with nokaslr (KPTI off; tlbk has no KPTI)"


def key_label(key):
    """A result key as text: "fork.wait mib=64 pinned=1"."""
    return " ".join([key[0]] + [f"{k}={v}" for k, v in key[1:]])


def result_key(rec):
    """What identifies a result across boots: its name and the
    identifying keys it has."""
    return (rec["bench"],) + tuple((k, rec[k]) for k in IDENT_KEYS
                                   if rec.get(k) is not None)


def median_of(values):
    """The median of the values that are not None; None if none are."""
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def aggregate(rows):
    """{arch: {(key, cpus): {policy: stats}}}, stats being the medians
    over reps of median_ns, p99_ns and ipis, and the number of reps.
    Results keep the order they first ran in."""
    groups = {}
    for r in rows:
        cell = groups.setdefault(r["arch"], {}).setdefault(
            (result_key(r), r["cpus"]), {})
        cell.setdefault(r["policy"], []).append(r)
    return {arch: {rk: {pol: {"median": median_of(x["median_ns"] for x in rs),
                              "p99": median_of(x["p99_ns"] for x in rs),
                              "ipis": median_of(x["ipis"] for x in rs),
                              "reps": len(rs)}
                        for pol, rs in cell.items()}
                   for rk, cell in by_key.items()}
            for arch, by_key in groups.items()}


def ratio(tlbk, linux):
    """tlbk / Linux, or None without both (or with a zero Linux)."""
    if tlbk is None or not linux:
        return None
    return tlbk / linux


def fmt(v, digits=None):
    """A table cell: - for missing, @digits decimals if given, else whole
    numbers (the medians are ns or instructions)."""
    if v is None:
        return "-"
    if digits is not None:
        return f"{v:.{digits}f}"
    return str(int(round(v)))


def policy_title(policy):
    """A config's name in table headers: "Linux" or the policy."""
    return "Linux" if policy == "linux" else policy


def arch_table(by_key, policies):
    """The Markdown table of one arch: a row per (result, cpus)."""
    tlbk = [p for p in policies if p != "linux"]
    linux = "linux" in policies
    head = ["result", "cpus"] + [f"{policy_title(p)} median"
                                 for p in policies]
    if linux:
        head += [f"{p}/Linux" for p in tlbk]
    head += [f"{policy_title(p)} p99" for p in policies]
    head += [f"{policy_title(p)} IPIs/op" for p in policies]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "---|" * len(head)]
    # Each result where it first ran, its vCPU counts in order under it.
    first = {}
    for key, _ in by_key:
        first.setdefault(key, len(first))
    keys = sorted(by_key, key=lambda kc: (first[kc[0]], kc[1]))
    for key, cpus in keys:
        cell = by_key[(key, cpus)]
        get = lambda p, s: cell.get(p, {}).get(s)  # noqa: E731
        row = [key_label(key), str(cpus)]
        row += [fmt(get(p, "median")) for p in policies]
        if linux:
            row += [fmt(ratio(get(p, "median"), get("linux", "median")), 2)
                    for p in tlbk]
        row += [fmt(get(p, "p99")) for p in policies]
        row += [fmt(get(p, "ipis"), 3) for p in policies]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def summary_header(meta):
    """The lines above the tables: where and how the numbers were
    measured, and what they can and cannot be compared with."""
    icount = meta["accel"] == "tcg-icount"
    lines = [f"# tlbk benchmarks: {meta['date']} on {meta['host']}", "",
             f"- command: `{meta['command']}`",
             f"- QEMU: {meta['qemu']}; host CPUs: {meta['host_cpus']}",
             f"- accel: {meta['accel']} ("
             + ("-icount shift=0,sleep=off, single-threaded TCG"
                if icount else "-accel tcg,thread=multi") + ")",
             "- unit: " + ("insns (icount): instruction counts, "
                           "deterministic" if icount else
                           "ns: wall times under TCG are host time, noisy: "
                           "compare ratios measured in one run"),
             f"- each cell: the median over {meta['reps']} rep(s) of each "
             "boot's median; IPIs/op from /proc/interrupts on both kernels"]
    for arch, version in meta.get("linux", {}).items():
        lines.append(f"- Linux {arch}: {version}")
    for built in meta.get("tlbk_built", []):
        lines.append(f"- tlbk built with {built}" + (
            " (sanity checks on: DEBUG=0 ./build.sh bench measures "
            "without them)" if "DEBUG=1" in built else ""))
    lines += [f"- note: {note}" for note in meta.get("notes", [])]
    if meta["max_smp"] > meta["host_cpus"] and not icount:
        lines.append(f"- WARNING: {meta['max_smp']} vCPUs on "
                     f"{meta['host_cpus']} host cores: shootdown wall times "
                     "measure host scheduling; use --icount and the "
                     "IPI/flush counters")
    return lines


def summary_lines(meta, agg, failures):
    """summary.md's lines: header, a table per arch, failed boots."""
    lines = summary_header(meta)
    for arch in meta["arches"]:
        if arch not in agg:
            continue
        policies = [p for p in meta["policies"]
                    if any(p in cell for cell in agg[arch].values())]
        lines += ["", f"## {arch}", ""]
        if arch == "aarch64" and "linux" in policies:
            lines += [NOTE_NOKASLR, ""]
        lines += arch_table(agg[arch], policies)
    if failures:
        lines += ["", f"## Failed boots ({len(failures)})", ""]
        lines += [f"- {f}" for f in failures]
    return lines


def write_jsonl(path, rows):
    """One JSON object per line."""
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def csv_columns(rows):
    """COLUMNS, then any other key the rows have, sorted."""
    extra = sorted({k for r in rows for k in r} - set(COLUMNS))
    return list(COLUMNS) + extra


def write_csv(path, rows):
    """The rows as CSV, None as an empty cell."""
    cols = csv_columns(rows)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for r in rows:
            w.writerow(["" if r.get(c) is None else r[c] for c in cols])


def write_text(path, lines):
    """@lines to @path, newline-terminated."""
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
