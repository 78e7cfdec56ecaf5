#!/usr/bin/env python3
"""hclust.linkage beside scipy and fastcluster, called from Python, in one run.

    python3 benches/python.py [--n 20000] [--d 32]
        [--methods single complete average weighted centroid median ward]
        [--pair-methods ...] [--repeat 3] [--stat best|median] [--seed 0]
        [--out benches/results/python.md]

The benchmark "from Python": the three libraries as a Python user calls them,
in one process, on one array. Data: `numpy.random.default_rng(seed).normal(
size=(n, d))`, float64, made once before anything is timed. Metric: euclidean
(every tool gets observations, so the distance matrix is in every time).

For each method, each repeat calls, in the same process and in an order that
rotates from one repeat to the next (hclust, scipy, fastcluster; then scipy,
fastcluster, hclust; ...):

  * hclust:      `hclust.linkage(X, method)`
  * scipy:       `scipy.cluster.hierarchy.linkage(X, method)`
  * fastcluster: `fastcluster.linkage(X, method)`

each timed with time.perf_counter around the call alone. Then, in the same
rotating order, the "two threads at once" test: two threading.Thread run the
same call on the same (read-only) array concurrently, released together by a
threading.Barrier; its time is from the first thread's start to the last
one's end. A library that releases the GIL for its work runs the two calls
side by side (on 2 cores a single-threaded one takes about the time of one
call); one that holds it runs them one after the other (about twice the time
of one call). Each pair's two Z are checked against the tool's own Z from the
single call (a thread-safety check).

Every call also records the CPU time of the whole process over the call
(time.process_time: all threads, rayon's included), so CPU / wall tells how
many cores were busy, and the share of the machine's CPU that *other*
processes used meanwhile (/proc/stat less our own CPU time): the noise gauge
(the tables leave out runs under 0.2 s for it: /proc/stat counts 10 ms ticks).

Threads: hclust uses rayon's global pool, all cores by default. The script
neither sets nor changes RAYON_NUM_THREADS; rayon reads it when hclust's first
call starts the pool, so set it in the environment for a one-thread-per-call
comparison (scipy and fastcluster use one thread each):

    RAYON_NUM_THREADS=1 python3 benches/python.py --out benches/results/python-1thread.md

The value seen is recorded in the output.

"same Z": hclust's Z against scipy's: `yes (bit for bit)` when np.array_equal
holds on all four columns; else whether the merges (ids and counts, columns
0, 1, 3) match and the largest |height difference|. fastcluster against scipy
is recorded the same way in the JSON, for information.

Output: a Markdown table on stdout, progress on stderr, --out (Markdown:
machine, versions, the command, a table per test) and the same path with
.json (every time of every run, CPU times, noise figures, algorithms). See
benches/README.md, section "python.py".
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import os
import platform
import shlex
import statistics
import sys
import threading
import time
from pathlib import Path

from machine import REPO, git, machine_info

METHODS = ["single", "complete", "average", "weighted", "centroid", "median", "ward"]
TOOLS = ["hclust", "scipy", "fastcluster"]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat, all cores)."""
    try:
        v = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError, IndexError):
        return float("nan")
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # less idle and iowait


def mem_available_bytes() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 1 << 62


# --- the tools ------------------------------------------------------------------


def linkage_functions() -> dict:
    import fastcluster
    import hclust
    import scipy.cluster.hierarchy as sch

    return {
        "hclust": lambda X, m: hclust.linkage(X, m),
        "scipy": lambda X, m: sch.linkage(X, m),
        "fastcluster": lambda X, m: fastcluster.linkage(X, m),
    }


def hclust_algorithm() -> str:
    """What hclust's last call in this thread ran (hclust.last_info())."""
    import hclust

    info = hclust.last_info()
    return info.get("algorithm", "?") if info else "?"


def one_call(fn, X, method: str, tool: str) -> tuple[dict, object]:
    """Times fn(X, method) alone; returns the record and Z."""
    gc.collect()
    rec: dict = {"load1": load1()}
    b0, c0 = busy_seconds(), time.process_time()
    t0 = time.perf_counter()
    Z = fn(X, method)
    t1 = time.perf_counter()
    c1, b1 = time.process_time(), busy_seconds()
    rec["wall"] = t1 - t0
    rec["cpu"] = c1 - c0
    rec["others_cpu"] = max(0.0, (b1 - b0) - rec["cpu"]) / (rec["wall"] * (os.cpu_count() or 1))
    if tool == "hclust":
        rec["algorithm"] = hclust_algorithm()
    return rec, Z


def two_calls(fn, X, method: str) -> tuple[dict, list]:
    """Two threads, each fn(X, method), released together; the pair's wall time."""
    gc.collect()
    barrier = threading.Barrier(2)
    starts, ends, Zs, errors = [0.0, 0.0], [0.0, 0.0], [None, None], [None, None]

    def work(i: int) -> None:
        try:
            barrier.wait()
            starts[i] = time.perf_counter()
            Zs[i] = fn(X, method)
            ends[i] = time.perf_counter()
        except BaseException as e:  # noqa: BLE001 - reported in the table
            errors[i] = f"{type(e).__name__}: {e}"
            barrier.abort()

    threads = [threading.Thread(target=work, args=(i,), name=f"bench-{i}") for i in range(2)]
    rec: dict = {"load1": load1()}
    b0, c0 = busy_seconds(), time.process_time()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    c1, b1 = time.process_time(), busy_seconds()
    if any(errors):
        rec.update(ok=False, reason="; ".join(e for e in errors if e))
        return rec, []
    rec["ok"] = True
    rec["wall"] = max(ends) - min(starts)
    rec["thread_walls"] = [e - s for s, e in zip(starts, ends)]
    rec["cpu"] = c1 - c0
    rec["others_cpu"] = max(0.0, (b1 - b0) - rec["cpu"]) / (rec["wall"] * (os.cpu_count() or 1))
    return rec, Zs


# --- agreement ----------------------------------------------------------------


def compare_z(Z, S) -> dict:
    """Z against the reference S: bit for bit, or merges and the largest height difference."""
    import numpy as np

    Z, S = np.asarray(Z, dtype=np.float64), np.asarray(S, dtype=np.float64)
    if Z.shape != S.shape:
        return {"equal": False, "merges_same": False, "text": f"no: shapes {Z.shape} vs {S.shape}"}
    equal = bool(np.array_equal(Z, S))
    merges = bool(np.array_equal(Z[:, [0, 1, 3]], S[:, [0, 1, 3]]))
    dh = float(np.max(np.abs(Z[:, 2] - S[:, 2]))) if Z.size else 0.0
    out = {"equal": equal, "merges_same": merges, "max_height_diff": dh}
    if equal:
        out["text"] = "yes (bit for bit)"
        return out
    rows = np.flatnonzero(np.any(Z != S, axis=1))
    out["rows_differ"] = int(rows.size)
    out["first_row"] = int(rows[0])
    if merges:
        out["text"] = f"merges same, heights differ in {rows.size} rows (max abs diff {dh:.3g})"
    else:
        swapped = bool(np.array_equal(np.sort(Z[:, :2], axis=1), np.sort(S[:, :2], axis=1))
                       and np.array_equal(Z[:, 3], S[:, 3]))
        i = int(np.flatnonzero(np.any(Z[:, [0, 1, 3]] != S[:, [0, 1, 3]], axis=1))[0])
        out["text"] = (f"no: {rows.size} of {Z.shape[0]} rows differ"
                       f"{' (same pairs, order within rows differs)' if swapped else ''}, "
                       f"first merge difference at row {i}: {Z[i].tolist()} vs {S[i].tolist()}; "
                       f"max abs height diff {dh:.3g}")
    return out


# --- machine and versions -----------------------------------------------------


def versions() -> dict:
    import importlib.metadata as md

    import fastcluster
    import hclust
    import numpy
    import scipy

    v = {"python": platform.python_version(), "numpy": numpy.__version__, "scipy": scipy.__version__,
         "fastcluster": fastcluster.__version__, "hclust": hclust.__version__}
    # where the installed hclust came from, and when its extension was built
    try:
        url = json.loads(md.distribution("hclust").read_text("direct_url.json") or "{}").get("url", "")
        if url.startswith("file://"):
            p = Path(url[len("file://"):])
            url = "this checkout's python/" if p.resolve() == (REPO / "python").resolve() else "a local folder"
        v["hclust_installed_from"] = url or "a package index"
    except Exception:  # noqa: BLE001
        v["hclust_installed_from"] = "?"
    try:
        so = next(Path(hclust.__file__).parent.glob("_hclust*.so"))
        v["hclust_extension_built"] = _dt.datetime.fromtimestamp(so.stat().st_mtime).isoformat(timespec="seconds")
    except (StopIteration, OSError):
        v["hclust_extension_built"] = "?"

    v["checkout_commit"] = git("rev-parse", "--short=12", "HEAD")
    dirty = git("status", "--porcelain", "--", "src", "python", "Cargo.toml", "Cargo.lock")
    v["checkout_tree"] = "clean" if not dirty else "uncommitted changes under src/, python/ or Cargo files"
    return v


# --- Markdown -------------------------------------------------------------------


def pick(walls: list[float], stat: str) -> float:
    return min(walls) if stat == "best" else statistics.median(walls)


def secs(w: float | None) -> str:
    if w is None:
        return ""
    return f"{w:.3f}" if w < 1 else f"{w:.2f}" if w < 100 else f"{w:.0f}"


MIN_GAUGE_S = 0.2  # /proc/stat counts in 10 ms ticks: shorter runs give no usable share


def others_range(recs: list[dict]) -> str:
    vals = [min(1.0, r["others_cpu"]) for r in recs
            if "others_cpu" in r and r["others_cpu"] == r["others_cpu"] and r["wall"] >= MIN_GAUGE_S]
    if not vals:
        return f"n/a (< {MIN_GAUGE_S:g} s)" if recs else "?"
    lo, hi = 100 * min(vals), 100 * max(vals)
    return f"{lo:.0f}%" if round(lo) == round(hi) else f"{lo:.0f}–{hi:.0f}%"


def _summarize_runs(t: dict, test: str, ok: list, stat: str) -> bool:
    """Best, median and the chosen wall time of one test's good runs, and
    the CPU/wall of the run nearest the chosen time, as `<test>_...` keys
    of `t`; False when there were none."""
    if not ok:
        return False
    walls = [r["wall"] for r in ok]
    t[f"{test}_best"], t[f"{test}_median"] = min(walls), statistics.median(walls)
    t[f"{test}_time"] = pick(walls, stat)
    r = min(ok, key=lambda r: abs(r["wall"] - t[f"{test}_time"]))
    t[f"{test}_cpu_per_wall"] = r["cpu"] / r["wall"] if r["wall"] > 0 else None
    return True


def summarize(cell: dict, stat: str) -> None:
    """Adds best / median / the chosen figure for each tool and test of one method."""
    for tool in TOOLS:
        t = cell["tools"].get(tool)
        if not t:
            continue
        _summarize_runs(t, "single", [r for r in t["single"] if r.get("ok", True) and "wall" in r], stat)
        if _summarize_runs(t, "pair", [r for r in t.get("pair", []) if r.get("ok")], stat):
            if t.get("single_time"):
                t["pair_ratio"] = t["pair_time"] / t["single_time"]


def render(state: dict) -> str:
    stat = state["stat"]
    statword = "best" if stat == "best" else "median"
    L = ["# hclust.linkage beside scipy and fastcluster, from Python", "",
         "Generated by `benches/python.py`; see benches/README.md, section \"python.py\".", ""]
    mi, v = state["machine"], state["versions"]
    L.append(f"- Machine: {mi['cpu']}, {mi['cores']} cores ({mi['usable_cores']} usable by this process), "
             f"{mi['ram']} RAM, {mi['os']}")
    L.append(f"- Python {v['python']}, numpy {v['numpy']}, scipy {v['scipy']}, fastcluster {v['fastcluster']}, "
             f"hclust {v['hclust']} (installed from {v['hclust_installed_from']}, extension built "
             f"{v['hclust_extension_built']}; checkout at `{v['checkout_commit']}`, {v['checkout_tree']})")
    L.append(f"- Run {state['date']}: `{state['command']}`")
    L.append(f"- Data: `numpy.random.default_rng({state['seed']}).normal(size=({state['n']}, {state['d']}))`, "
             "float64, one array for every call; metric euclidean, so every time includes the distance matrix.")
    rt = state["env"].get("RAYON_NUM_THREADS")
    L.append(f"- Threads: hclust {'RAYON_NUM_THREADS=' + rt if rt else 'all cores (RAYON_NUM_THREADS unset)'}; "
             "scipy and fastcluster one thread per call.")
    L.append(f"- Times in seconds, the {statword} of {state['repeat']} run(s) (all runs are in the JSON): "
             "time.perf_counter around the call alone, in one Python process; the tools take turns, in an order "
             "that rotates from one repeat to the next.")
    L.append("- others' CPU: the share of the machine's CPU that other processes used during the runs of the row "
             "(lowest–highest; /proc/stat less this process's CPU time; only runs of 0.2 s or more, as /proc/stat counts in "
             "10 ms ticks): above a few % the figures are noisy.")
    L.append("")
    cells = [state["cells"][m] for m in state["methods"] if m in state["cells"]]

    L.append("## One call")
    L.append("")
    L.append("| method | hclust s | scipy s | fastcluster s | hclust/fastcluster | same Z | hclust algorithm | others' CPU |")
    L.append("|---|---:|---:|---:|---:|---|---|---:|")
    for c in cells:
        T = c["tools"]
        h, s, f = (T.get(k, {}) for k in TOOLS)
        ratio = ""
        if h.get("single_time") and f.get("single_time"):
            ratio = f"{h['single_time'] / f['single_time']:.2f}"
        recs = [r for k in TOOLS for r in T.get(k, {}).get("single", [])]
        L.append(f"| {c['method']} | {secs(h.get('single_time'))} | {secs(s.get('single_time'))} | "
                 f"{secs(f.get('single_time'))} | {ratio} | {c.get('same_z', {}).get('text', '')} | "
                 f"{h.get('algorithm', '')} | {others_range(recs)} |")
    L.append("")
    L.append("hclust/fastcluster: below 1, hclust is faster. same Z: hclust's Z against scipy's "
             "(np.array_equal on all four columns; otherwise whether ids and counts match, and the largest "
             "height difference).")
    L.append("")

    paired = [c for c in cells if any(c["tools"].get(k, {}).get("pair") for k in TOOLS)]
    if paired:
        L.append("## Two threads at once")
        L.append("")
        L.append("Two `threading.Thread` run the same call on the same array at the same time; the pair's time "
                 "runs from the first thread's start to the last one's end. ratio = pair / one call: about 1 when "
                 "the two calls run side by side on separate cores, about 2 when they run one after the other "
                 "(the GIL held, or the cores already busy with one call). CPU/wall: the process's CPU time over "
                 "the wall time, i.e. how many cores were busy on average.")
        L.append("")
        L.append("| method | tool | one call s | two threads at once s | ratio | CPU/wall one | CPU/wall pair | "
                 "pair Z = one call's | others' CPU |")
        L.append("|---|---|---:|---:|---:|---:|---:|---|---:|")
        for c in paired:
            for tool in TOOLS:
                t = c["tools"].get(tool)
                if not t or not t.get("pair"):
                    continue
                fails = [r["reason"] for r in t["pair"] if not r.get("ok")]
                if "pair_time" not in t:
                    L.append(f"| {c['method']} | {tool} | {secs(t.get('single_time'))} | failed: "
                             f"{fails[0] if fails else '?'} | | | | | |")
                    continue
                cw1 = t.get("single_cpu_per_wall")
                cw2 = t.get("pair_cpu_per_wall")
                same = "yes" if all(t.get("pair_same", [True])) else "NO"
                recs = t["single"] + [r for r in t["pair"] if r.get("ok")]
                L.append(f"| {c['method']} | {tool} | {secs(t.get('single_time'))} | {secs(t['pair_time'])} | "
                         f"{t['pair_ratio']:.2f} | {'' if cw1 is None else f'{cw1:.2f}'} | "
                         f"{'' if cw2 is None else f'{cw2:.2f}'} | {same} | {others_range(recs)} |")
        L.append("")
    notes = list(state.get("notes", []))
    for c in cells:
        fc = c.get("fastcluster_vs_scipy")
        if fc and not fc.get("equal"):
            notes.append(f"{c['method']}: fastcluster against scipy (information): {fc['text']}")
        for k, msg in c.get("skipped", {}).items():
            notes.append(f"{c['method']}: {k} skipped: {msg}")
    if notes:
        L.append("## Notes")
        L.append("")
        L.extend(f"- {n}" for n in notes)
        L.append("")
    return "\n".join(L).rstrip("\n") + "\n"


# --- the run --------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20_000, help="number of points (default 20000)")
    ap.add_argument("--d", type=int, default=32, help="dimensions (default 32)")
    ap.add_argument("--methods", nargs="+", choices=METHODS, default=METHODS, help="default: all seven")
    ap.add_argument("--pair-methods", nargs="*", choices=METHODS,
                    help="methods for the two-threads test (default: the same as --methods; none: skip it)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per tool, method and test (default 3)")
    ap.add_argument("--stat", choices=["best", "median"], default="best",
                    help="which of the --repeat times the tables give (default best; JSON has all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(REPO / "benches" / "results" / "python.md"),
                    help="Markdown output; the JSON goes beside it with .json (default benches/results/python.md)")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    pair_methods = args.methods if args.pair_methods is None else args.pair_methods

    import numpy as np

    out_md = Path(args.out)
    out_json = out_md.with_suffix(".json")
    out_md.parent.mkdir(parents=True, exist_ok=True)
    argv = [a.replace(str(REPO) + "/", "") for a in sys.argv[1:]]
    rt = os.environ.get("RAYON_NUM_THREADS")
    command = (f"RAYON_NUM_THREADS={rt} " if rt else "") + "python3 benches/python.py " + \
        " ".join(shlex.quote(a) for a in argv)
    command = command.rstrip()

    fns = linkage_functions()
    state: dict = {
        "date": _dt.datetime.now().isoformat(timespec="seconds"), "command": command,
        "machine": machine_info(), "versions": versions(),
        "env": {k: os.environ[k] for k in ("RAYON_NUM_THREADS", "OMP_NUM_THREADS") if k in os.environ},
        "n": args.n, "d": args.d, "seed": args.seed, "repeat": args.repeat, "stat": args.stat,
        "methods": args.methods, "pair_methods": pair_methods, "cells": {}, "notes": [],
    }
    X = np.random.default_rng(args.seed).normal(size=(args.n, args.d))
    X.setflags(write=False)  # shared by the two threads; nobody writes to it

    # untimed warm-up: imports, rayon's pool, first-call paths
    Xw = X[: min(args.n, 200)]
    for m in args.methods:
        for tool in TOOLS:
            fns[tool](Xw, m)
    gc.collect()

    matrix = 8 * args.n * (args.n - 1) // 2  # one condensed float64 distance matrix
    log(f"n={args.n} d={args.d}, {args.repeat} run(s) each; one distance matrix {matrix / 2**30:.2f} GiB")
    for m in args.methods:
        cell: dict = {"method": m, "tools": {k: {"single": [], "pair": []} for k in TOOLS}, "skipped": {}}
        state["cells"][m] = cell
        Zref: dict = {}
        do_pair = m in pair_methods
        for rep in range(args.repeat):
            order = TOOLS[rep % 3:] + TOOLS[: rep % 3]
            for tool in order:
                if mem_available_bytes() < 2.5 * matrix + (256 << 20):
                    cell["skipped"].setdefault(tool, "not enough memory for one call")
                    continue
                log(f"[{m}] run {rep + 1}/{args.repeat} {tool} (load {load1()}) ...")
                try:
                    rec, Z = one_call(fns[tool], X, m, tool)
                except Exception as e:  # noqa: BLE001
                    cell["tools"][tool]["single"].append({"ok": False, "reason": f"{type(e).__name__}: {e}"})
                    log(f"    failed: {type(e).__name__}: {e}")
                    continue
                rec["ok"] = True
                log(f"    {rec['wall']:.3f} s, CPU/wall {rec['cpu'] / max(rec['wall'], 1e-9):.2f}")
                cell["tools"][tool]["single"].append(rec)
                if tool == "hclust":
                    cell["tools"][tool]["algorithm"] = rec["algorithm"]
                if tool not in Zref:
                    Zref[tool] = np.asarray(Z)
                del Z
            if not do_pair:
                continue
            for tool in order:
                if tool not in Zref:
                    continue
                if mem_available_bytes() < 5 * matrix + (512 << 20):
                    cell["skipped"].setdefault(f"{tool} two threads", "not enough memory for two calls at once")
                    continue
                log(f"[{m}] run {rep + 1}/{args.repeat} {tool} x 2 threads (load {load1()}) ...")
                rec, Zs = two_calls(fns[tool], X, m)
                t = cell["tools"][tool]
                t["pair"].append(rec)
                if rec.get("ok"):
                    same = [bool(np.array_equal(np.asarray(z), Zref[tool])) for z in Zs]
                    t.setdefault("pair_same", []).extend(same)
                    log(f"    {rec['wall']:.3f} s (threads {', '.join(f'{w:.3f}' for w in rec['thread_walls'])}), "
                        f"CPU/wall {rec['cpu'] / max(rec['wall'], 1e-9):.2f}, Z same as one call's: {all(same)}")
                else:
                    log(f"    failed: {rec['reason']}")
                del Zs
        if "hclust" in Zref and "scipy" in Zref:
            cell["same_z"] = compare_z(Zref["hclust"], Zref["scipy"])
            log(f"[{m}] hclust vs scipy: {cell['same_z']['text']}")
        if "fastcluster" in Zref and "scipy" in Zref:
            cell["fastcluster_vs_scipy"] = compare_z(Zref["fastcluster"], Zref["scipy"])
        summarize(cell, args.stat)
        del Zref
        out_json.write_text(json.dumps(state, indent=1) + "\n")
        out_md.write_text(render(state))

    md = render(state)
    out_md.write_text(md)
    out_json.write_text(json.dumps(state, indent=1) + "\n")
    print(md, end="")
    log(f"wrote {out_md} and {out_json}")


if __name__ == "__main__":
    main()
