#!/usr/bin/env python3
"""The plots of ./build.sh bench (tools/bench.py): gnuplot PNGs of the
aggregated results, each with the .dat and .gp files that make it, so a
user can replot (`gnuplot NAME.gp` in the plots/ directory):

  fault-ARCH.png              fault latency per kind, tlbk vs Linux (bars)
  fork-ARCH.png               fork.wait and fork.call against resident MiB
  shootdown-OP-ARCH.png       cost against CPU count, threads mode
  range-mprotect-ARCH.png     cost against range size (log x), both modes

Without gnuplot, make_plots says so and makes none.
"""
import os
import shutil
import subprocess

from bench_results import key_label


def gnuplot_terminal():
    """'pngcairo' or 'png', whichever this gnuplot has; None without
    gnuplot (or with neither)."""
    if not shutil.which("gnuplot"):
        return None
    for term in ("pngcairo", "png"):
        p = subprocess.run(["gnuplot", "-e", f"set terminal {term}"],
                           stdin=subprocess.DEVNULL, capture_output=True)
        if p.returncode == 0 and not p.stderr.strip():
            return term
    return None


def quote(text):
    """A gnuplot string literal of @text."""
    return '"' + str(text).replace('"', "'") + '"'


def series_label(policy, extra):
    """A plot legend: kernel config, then the @extra words."""
    kernel = "Linux" if policy == "linux" else f"tlbk {policy}"
    return " ".join([kernel] + extra)


def line_series(by_key, want, xkey, shown):
    """{label: [(x, median)]} over the (key, cpus) cells of one arch for
    which want(name, idents) holds: x is the ident @xkey, one series per
    kernel config and other ident keys. Labels name the config, the
    @shown idents (the name is "name") and the vCPUs if they differ."""
    cells = [(key, cpus, cell) for (key, cpus), cell in by_key.items()
             if want(key[0], dict(key[1:])) and xkey in dict(key[1:])]
    many_cpus = len({cpus for _, cpus, _ in cells}) > 1
    series = {}
    for key, cpus, cell in cells:
        idents = dict(key[1:], name=key[0])
        extra = [idents["name"] if k == "name" else f"{k}={idents[k]}"
                 for k in shown if k in idents]
        if many_cpus:
            extra.append(f"smp{cpus}")
        for policy, stats in cell.items():
            if stats["median"] is None:
                continue
            label = series_label(policy, extra)
            series.setdefault(label, []).append((idents[xkey],
                                                 stats["median"]))
    return {label: sorted(pts) for label, pts in series.items()}


def wide(values):
    """Do positive @values span enough (16x) to want a log axis?"""
    values = list(values)
    return bool(values) and min(values) > 0 and \
        max(values) >= 16 * min(values)


def line_plot(base, term, title, xlabel, ylabel, series):
    """Write base.dat and base.gp (one data block per series, lines and
    points) and run gnuplot on them; the PNG's path. Axes are log 2 (x)
    and log 10 (y) where the values span a wide range."""
    names = list(series)
    with open(base + ".dat", "w") as f:
        for label in names:
            f.write(f"# {label}\n")
            f.writelines(f"{x} {y}\n" for x, y in series[label])
            f.write("\n\n")
    name = os.path.basename(base)
    plots = [f"'{name}.dat' index {i} using 1:2 with linespoints "
             f"title {quote(label)}" for i, label in enumerate(names)]
    xs = [x for pts in series.values() for x, _ in pts]
    ys = [y for pts in series.values() for _, y in pts]
    logx = wide(xs)
    script = gp_preamble(term, name, title, ylabel) + [
        f"set xlabel {quote(xlabel + (' (log)' if logx else ''))}",
        "set logscale x 2" if logx else "set xtics 1" if max(xs) <= 16
        else "# linear x",
        "set logscale y" if wide(ys) else "set yrange [0:*]",
        "plot " + ", \\\n     ".join(plots)]
    return run_gnuplot(base, script)


def bar_plot(base, term, title, ylabel, categories, columns):
    """A clustered bar chart: a cluster per category, a bar per column
    ({label: [value or None per category]})."""
    with open(base + ".dat", "w") as f:
        f.write("# case " + " ".join(quote(c) for c in columns) + "\n")
        for i, cat in enumerate(categories):
            vals = ["NaN" if v[i] is None else str(v[i])
                    for v in columns.values()]
            f.write(f"{quote(cat)} {' '.join(vals)}\n")
    name = os.path.basename(base)
    plots = [f"'{name}.dat' using {i + 2}{':xtic(1)' if i == 0 else ''} "
             f"title {quote(label)}" for i, label in enumerate(columns)]
    script = gp_preamble(term, name, title, ylabel) + [
        "set style data histograms", "set style histogram clustered gap 1",
        "set style fill solid 0.8 border -1", "set xtics rotate by -30",
        "set yrange [0:*]", "plot " + ", \\\n     ".join(plots)]
    return run_gnuplot(base, script)


def gp_preamble(term, name, title, ylabel):
    """The first lines of every plot script."""
    # noenhanced: case names have underscores, not subscripts.
    return [f"set terminal {term} noenhanced size 1000,650",
            f"set output '{name}.png'",
            f"set title {quote(title)}", f"set ylabel {quote(ylabel)}",
            "set key below", "set grid"]


def run_gnuplot(base, script):
    """Write base.gp and run it in its directory (so `gnuplot X.gp` there
    replots); the PNG, or None with a note if gnuplot failed."""
    with open(base + ".gp", "w") as f:
        f.write("\n".join(script) + "\n")
    p = subprocess.run(["gnuplot", os.path.basename(base) + ".gp"],
                       cwd=os.path.dirname(base), stdin=subprocess.DEVNULL,
                       capture_output=True, text=True)
    if p.returncode:
        print(f"note: gnuplot failed on {base}.gp: "
              f"{p.stderr.strip().splitlines()[-1:]}")
        return None
    return base + ".png"


def fault_plot(plots, term, arch, by_key, unit):
    """Fault latency on @arch: a cluster per fault case, a bar per kernel
    config, at the least vCPU count measured."""
    cells = {k: c for k, c in by_key.items() if k[0][0].startswith("fault.")}
    if not cells:
        return []
    cpus = min(c for _, c in cells)
    keys = [k for k in cells if k[1] == cpus]
    policies = list(dict.fromkeys(p for k in keys for p in cells[k]))
    columns = {series_label(p, []): [cells[k].get(p, {}).get("median")
                                     for k in keys] for p in policies}
    cats = [key_label(k[0])[len("fault."):] for k in keys]
    png = bar_plot(os.path.join(plots, f"fault-{arch}"), term,
                   f"{arch}: page fault latency (smp{cpus})",
                   f"median {unit}", cats, columns)
    return [png] if png else []


def plot_specs(by_key):
    """The line plots of one arch: (file name, title, x key, x label,
    idents shown in the labels, want(name, idents))."""
    specs = [("fork", "fork cost against resident size (pinned)", "mib",
              "resident MiB", ("name",),
              lambda n, i: n in ("fork.wait", "fork.call") and
              i.get("pinned") == 1)]
    for op in ("madvise", "mprotect", "munmap"):
        specs.append((f"shootdown-{op}", f"shootdown.{op} (threads mode) "
                      "against CPUs sharing the space", "threads",
                      "threads (one per CPU)", ("pages",),
                      lambda n, i, op=op: n == f"shootdown.{op}" and
                      i.get("mode") == "threads"))
    ops = {dict(k[1:]).get("op") for k, _ in by_key
           if k[0] == "shootdown.range"}
    for op in sorted(o for o in ops if o):
        specs.append((f"range-{op}", f"shootdown.range op={op} against "
                      "range size", "pages", "pages", ("mode", "threads"),
                      lambda n, i, op=op: n == "shootdown.range" and
                      i.get("op") == op))
    return specs


def make_plots(out, agg, unit):
    """Every plot the results allow, under out/plots/; their paths."""
    term = gnuplot_terminal()
    if term is None:
        print("note: gnuplot (Debian gnuplot-nox) with a png terminal is "
              "missing: no plots")
        return []
    plots = os.path.join(out, "plots")
    os.makedirs(plots, exist_ok=True)
    made = []
    for arch, by_key in agg.items():
        made += fault_plot(plots, term, arch, by_key, unit)
        for name, title, xkey, xlabel, shown, want in plot_specs(by_key):
            series = line_series(by_key, want, xkey, shown)
            if series:
                png = line_plot(os.path.join(plots, f"{name}-{arch}"), term,
                                f"{arch}: {title}", xlabel,
                                f"median {unit}", series)
                made += [png] if png else []
    return made


# --- main ------------------------------------------------------------------