#!/usr/bin/env python3
"""hclust's kd-tree paths beside quitefastmst and fastcluster.linkage_vector.

    python benches/tree.py [--n 100000 1000000 10000000] [--d 2 5 8 32]
        [--methods single ward] [--timeout 900] [--peer-timeout 600]
        [--hclust target/release/hclust] [--qfm-threads 2] [--repeat 1]
        [--merge] [--out benches/results/tree.md]

Issue 11, section "Speed". Data: Gaussian
`numpy.random.default_rng(seed).normal(size=(n, d))`, float64, written to a
temporary .npy before anything is timed; every tool reads the same file.

Each (tool, method, n, d) runs in a fresh process of its own under GNU time
(`/usr/bin/time -f "%e %M"`), which gives its wall time and peak RSS.

Timed regions:
  * hclust:       the whole `hclust linkage X.npy --method M -v -o Z.npy`
                  process (start-up, reading X, the linkage, writing Z),
                  wall clock around the GNU time process (its own %e has 10 ms
                  resolution), peak RSS from GNU time; `-v` says which algorithm ran.
  * quitefastmst: `quitefastmst.mst_euclid(X)` inside a child Python process,
                  time.perf_counter, with the number of OpenMP threads set
                  (`--qfm-threads`, default: all cores) and recorded.
  * fastcluster:  `fastcluster.linkage_vector(X, method)` the same way, only
                  for n <= --fastcluster-max-n (it is quadratic in n).
  * hclust call:  `hclust.linkage(X, method)` through the Python package the
                  same way (where `import hclust` works; all cores): the same
                  measure as the peers', without the process's file I/O.

Agreement:
  * single: hclust's sorted heights Z[:, 2] equal quitefastmst's sorted MST
    weights bit for bit (np.array_equal); where fastcluster ran, hclust's Z
    equals fastcluster's Z exactly (ids, heights, counts).
  * ward:   hclust's Z against linkage_vector's: ids and counts identical,
    heights within 1e-10 relative.
  * the Python call's Z equals the CLI's bit for bit.
  * cells with no peer: a sanity check of Z (ids in range and each used once,
    counts add up, last count is n, heights non-decreasing).

The default grid is issue 11's: single at n = 1e5, 1e6, 1e7 for d = 2, 5, 8
and n = 1e5 for d = 32; ward at n = 1e5, 1e6, 1e7 for d = 2, 5, 8. Give --n
or --d to get the full product of what you give instead.

Results go to --out (Markdown) and to the same path with .json; with --merge
the cells already in that JSON are kept unless this run redoes them (to rerun
a noisy cell). See benches/README.md, section "tree.py".
"""

from __future__ import annotations

import argparse
import importlib.util
import datetime as _dt
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import REPO, git, machine_info

GNU_TIME = "/usr/bin/time"
WARD_RTOL = 1e-10
DEFAULT_N = [100_000, 1_000_000, 10_000_000]
DEFAULT_D = [2, 5, 8, 32]
METHODS = ["single", "ward"]


# ---------------------------------------------------------------------------
# Child side: `tree.py --child TOOL METHOD X.npy OUT.npy THREADS`; prints one
# JSON line. Imports only numpy and the one tool, so the baseline is small.
# ---------------------------------------------------------------------------


def _self_maxrss_kib() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


# The Python package, where it is installed: timed as the peers are.
HAVE_HCLUST_PYTHON = importlib.util.find_spec("hclust") is not None


def child_main(tool: str, method: str, data: str, out: str, threads: str) -> None:
    import numpy as np

    info: dict = {}
    if tool == "quitefastmst":
        # OMP_NUM_THREADS is set by the parent too; set it again at runtime in
        # case the OpenMP runtime was initialised some other way.
        import quitefastmst

        if int(threads) > 0:
            quitefastmst.omp_set_num_threads(int(threads))
        info["threads"] = int(quitefastmst.omp_get_max_threads())
        X = np.load(data)
        baseline = _self_maxrss_kib()
        t0 = time.perf_counter()
        dist, _index = quitefastmst.mst_euclid(X)
        t1 = time.perf_counter()
        peak = _self_maxrss_kib()
        np.save(out, np.sort(np.asarray(dist, dtype=np.float64)))
    elif tool == "hclust":
        import hclust

        info["threads"] = os.cpu_count()
        X = np.load(data)
        baseline = _self_maxrss_kib()
        t0 = time.perf_counter()
        Z = hclust.linkage(X, method)
        t1 = time.perf_counter()
        peak = _self_maxrss_kib()
        np.save(out, np.asarray(Z, dtype=np.float64))
    elif tool == "fastcluster":
        import fastcluster

        info["threads"] = 1
        X = np.load(data)
        baseline = _self_maxrss_kib()
        t0 = time.perf_counter()
        Z = fastcluster.linkage_vector(X, method, metric="euclidean")
        t1 = time.perf_counter()
        peak = _self_maxrss_kib()
        np.save(out, np.asarray(Z, dtype=np.float64))
    else:
        raise SystemExit(f"unknown tool {tool}")
    info.update({"time": t1 - t0, "baseline_kib": baseline, "peak_self_kib": peak})
    print(json.dumps(info))


# ---------------------------------------------------------------------------
# Parent side.
# ---------------------------------------------------------------------------


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat, all cores)."""
    v = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # less idle and iowait


def run_timed(cmd: list[str], timeout: float, env: dict | None = None, cwd: str | None = None) -> dict:
    """Runs cmd under GNU time in its own session; kills the group on timeout."""
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as tf:
        tfile = tf.name
    full = [GNU_TIME, "-o", tfile, "-f", "%e %M %U %S", *cmd]
    res: dict = {"load1": load1()}
    b0 = busy_seconds()
    t0 = time.perf_counter()
    p = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env, cwd=cwd, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except BaseException as e:  # timeout, or this script stopped (Ctrl-C, SIGTERM): end the child's group
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if not isinstance(e, subprocess.TimeoutExpired):
            raise
        out, err = p.communicate()
        res.update(ok=False, reason=f"timeout (> {timeout:g} s)", parent_wall=time.perf_counter() - t0)
        os.unlink(tfile)
        return res
    res["parent_wall"] = time.perf_counter() - t0
    busy = busy_seconds() - b0
    res["stdout"], res["stderr"], res["rc"] = out, err, p.returncode
    text = Path(tfile).read_text()
    os.unlink(tfile)
    last = [l for l in text.splitlines() if l.strip()]
    # wall: perf_counter around the GNU time process (GNU time's own %e has
    # only 10 ms resolution; it is kept as gnu_time_wall); peak RSS: GNU time
    res["wall"] = res["parent_wall"]
    try:
        el, rss, us, sy = last[-1].split()
        res["gnu_time_wall"], res["peak_kib"] = float(el), int(rss)
        res["cpu_s"] = float(us) + float(sy)
        # the CPU the rest of the machine used meanwhile, as a share of all cores
        res["others_cpu"] = max(0.0, busy - res["cpu_s"]) / (res["parent_wall"] * (os.cpu_count() or 1))
    except (IndexError, ValueError):
        pass
    if p.returncode != 0:
        sig = [l for l in last if "signal" in l]
        why = sig[0] if sig else f"exit {p.returncode}"
        if "signal 9" in why:
            why += " (OOM killer?)"
        tail = " | ".join(err.strip().splitlines()[-2:])
        res.update(ok=False, reason=f"{why}: {tail}"[:300])
    else:
        res["ok"] = True
    return res


def run_hclust(args, method: str, data: str, zout: str) -> dict:
    """One run of the hclust process."""
    cmd = [args.hclust, "linkage", data, "--method", method, "--algorithm", args.algorithm, "-v", "-o", zout]
    env = dict(os.environ)
    if args.hclust_threads:
        env["RAYON_NUM_THREADS"] = str(args.hclust_threads)
    r = run_timed(cmd, args.timeout, env=env)
    # recorded without this machine's paths
    r["cmd"] = " ".join(["HCLUST", "linkage", "X.npy", *cmd[3:-1], "Z.npy"])
    if not r["ok"]:
        return r
    lines = r.pop("stderr", "").splitlines()
    r.pop("stdout", None)
    alg = [l.split(":", 1)[1].strip() for l in lines if l.startswith("algorithm:")]
    r["algorithm"] = alg[0] if alg else "?"
    notes = [l.strip() for l in lines if l.strip() and not l.startswith("algorithm:")]
    # progress bars redraw with \r; keep only lines that read as messages
    notes = [n.split("\r")[-1] for n in notes]
    r["notes"] = [n for n in notes if n][:5]
    return r


def run_peer(args, tool: str, method: str, data: str, out: str) -> dict:
    """One run of a peer's library call, in a child process."""
    threads = args.qfm_threads if tool == "quitefastmst" else 1
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = str(threads)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", tool, method, data, out, str(threads)]
    r = run_timed(cmd, args.peer_timeout, env=env)
    if not r["ok"]:
        return r
    try:
        info = json.loads(r.pop("stdout").strip().splitlines()[-1])
    except (IndexError, ValueError):
        r.update(ok=False, reason="no result from the child: " + r.get("stderr", "")[-200:])
        return r
    r.pop("stderr", None)
    r["process_wall"] = r.get("wall")
    r.update(info)
    r["wall"] = info["time"]  # the library call
    return r


def _best(a: dict, b: dict) -> dict:
    out = a if a["wall"] <= b["wall"] else b
    out = dict(out)
    out["peak_kib"] = max(a.get("peak_kib", 0), b.get("peak_kib", 0))
    return out


# --- agreement --------------------------------------------------------------


def check_single_qfm(Z, mst_sorted) -> str:
    import numpy as np

    h = np.sort(Z[:, 2])
    if h.shape != mst_sorted.shape:
        return f"no: {h.shape[0]} heights vs {mst_sorted.shape[0]} MST weights"
    if np.array_equal(h, mst_sorted):
        return "yes (bit for bit)"
    bad = np.flatnonzero(h != mst_sorted)
    i = int(bad[0])
    rel = np.max(np.abs(h[bad] - mst_sorted[bad]) / np.maximum(np.abs(mst_sorted[bad]), 1e-300))
    return (f"no: {bad.size} of {h.size} sorted heights differ, first at rank {i}: "
            f"hclust {h[i]!r} vs qfm {mst_sorted[i]!r}; max rel diff {rel:.3g}; "
            f"sums {h.sum()!r} vs {mst_sorted.sum()!r}")


def check_z_equal(Z, F, rtol: float) -> str:
    """rtol = 0: bit for bit; else ids/counts identical and heights within rtol."""
    import numpy as np

    if Z.shape != F.shape:
        return f"no: shapes {Z.shape} vs {F.shape}"
    ids = np.array_equal(Z[:, [0, 1, 3]], F[:, [0, 1, 3]])
    if rtol == 0:
        heights = np.array_equal(Z[:, 2], F[:, 2])
    else:
        heights = bool(np.all(np.abs(Z[:, 2] - F[:, 2]) <= rtol * np.abs(F[:, 2])))
    denom = np.maximum(np.abs(F[:, 2]), 1e-300)
    maxrel = float(np.max(np.abs(Z[:, 2] - F[:, 2]) / denom))
    if ids and heights:
        return "yes" + (" (bit for bit)" if rtol == 0 else f" (max rel height diff {maxrel:.1e})")
    rows = np.flatnonzero(np.any(Z != F, axis=1)) if rtol == 0 else np.flatnonzero(
        np.any(Z[:, [0, 1, 3]] != F[:, [0, 1, 3]], axis=1) | (np.abs(Z[:, 2] - F[:, 2]) > rtol * np.abs(F[:, 2])))
    i = int(rows[0])
    # same pairs in another order within the row?
    swapped = np.array_equal(np.sort(Z[:, :2], axis=1), np.sort(F[:, :2], axis=1))
    return (f"no: {rows.size} of {Z.shape[0]} rows differ (ids {'same' if ids else 'differ'}"
            f"{', same up to order within rows' if (not ids and swapped) else ''}, "
            f"max rel height diff {maxrel:.3g}); first row {i}: hclust {Z[i].tolist()} vs fastcluster {F[i].tolist()}")


def sanity(Z, n: int, monotone: bool) -> str:
    import numpy as np

    if Z.shape != (n - 1, 4):
        return f"bad shape {Z.shape}"
    ids = Z[:, :2].astype(np.int64).ravel()
    if not np.array_equal(np.sort(ids), np.arange(2 * n - 2)):
        return "bad: ids not each of 0 .. 2n-3 once"
    if np.any(Z[:, :2].astype(np.int64) >= n + np.arange(n - 1)[:, None]):
        return "bad: a row uses a cluster formed later"
    cnt = [1.0] * (2 * n - 1)
    a, b = Z[:, 0].astype(np.int64).tolist(), Z[:, 1].astype(np.int64).tolist()
    for k in range(n - 1):  # a few seconds at n = 1e7, once per cell
        cnt[n + k] = cnt[a[k]] + cnt[b[k]]
    if not np.array_equal(np.array(cnt[n:]), Z[:, 3]):
        return "bad: counts"
    if monotone and np.any(np.diff(Z[:, 2]) < 0):
        return "bad: heights decrease"
    return "Z valid (no peer)"


# --- the run ------------------------------------------------------------------


def mem_available_bytes() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable"):
            return int(line.split()[1]) * 1024
    return 1 << 62


def versions(args) -> dict:
    import numpy

    v = {"python": platform.python_version(), "numpy": numpy.__version__}
    for mod in ("quitefastmst", "fastcluster", "hclust"):
        try:
            v[mod] = __import__(mod).__version__
        except Exception as e:  # noqa: BLE001
            v[mod] = f"missing ({e})"

    v["hclust_commit"] = git("rev-parse", "--short=12", "HEAD")
    dirty = git("status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock", "build.rs")
    v["hclust_tree"] = "clean" if not dirty else "uncommitted changes under src/ or Cargo files"
    try:
        v["hclust_version"] = subprocess.run([args.hclust, "--version"], capture_output=True,
                                             text=True).stdout.strip()
    except OSError:
        v["hclust_version"] = "?"
    b = Path(args.hclust).resolve()
    v["hclust_binary"] = str(b.relative_to(REPO)) if b.is_relative_to(REPO) else b.name
    v["hclust_label"] = args.hclust_label
    return v


def cells(args) -> list[tuple[int, int, str]]:
    out = []
    custom = args.n is not None or args.d is not None
    ns = args.n or DEFAULT_N
    ds = args.d or DEFAULT_D
    for n in sorted(ns):
        for d in ds:
            for m in args.methods:
                if not custom and d > 16 and (m != "single" or n > 100_000):
                    continue  # issue 11's grid: d = 32 for single at n = 1e5 only
                out.append((n, d, m))
    return out


def key(n, d, m) -> str:
    return f"{m}/{n}/{d}"


def run_cell(args, n, d, m, data, tmp) -> dict:
    import numpy as np

    cell: dict = {"n": n, "d": d, "method": m, "date": _dt.datetime.now().isoformat(timespec="seconds")}
    xbytes = n * d * 8
    # rough peaks: hclust ~ X + tree copy + Z + a few n-vectors; peers similar
    need = 3 * xbytes + 48 * n + (1 << 28)
    if need > mem_available_bytes():
        cell["skipped"] = f"needs about {need / 2**30:.1f} GiB, more than is available"
        return cell
    zpath = os.path.join(tmp, "z_hclust.npy")
    peers = []
    if m == "single" and "quitefastmst" not in args.skip:
        peers.append("quitefastmst")
    if n <= args.fastcluster_max_n and "fastcluster" not in args.skip:
        peers.append("fastcluster")
    if "hclust-python" not in args.skip and HAVE_HCLUST_PYTHON:
        peers.append("hclust")
    outs = {tool: os.path.join(tmp, f"out_{tool}.npy") for tool in peers}
    # The tools take turns, run by run, so that a slow spell of the shared
    # machine falls on all of them alike; each keeps its best run.
    h: dict | None = None
    best: dict = {}
    for k in range(args.repeat):
        if h is None or h["ok"]:
            log(f"[{m} n={n} d={d}] hclust, run {k + 1} of {args.repeat} (load {load1()}) ...")
            r = run_hclust(args, m, data, zpath)
            log(f"    hclust: {fmt_run(r)}  alg={r.get('algorithm')}")
            h = r if h is None or not r["ok"] else _best(h, r)
        for tool in peers:
            if tool in best and not best[tool]["ok"]:
                continue  # a failure (a timeout) is not retried
            label = "hclust Python call" if tool == "hclust" else tool
            log(f"    {label} (load {load1()}) ...")
            r = run_peer(args, tool, m, data, outs[tool])
            log(f"    {label}: {fmt_run(r)}")
            best[tool] = r if tool not in best or not r["ok"] else _best(best[tool], r)
    cell["hclust"] = h
    Z = np.load(zpath) if h["ok"] else None
    for tool in peers:
        r = best[tool]
        if r["ok"] and Z is not None:
            P = np.load(outs[tool])
            if tool == "quitefastmst":
                r["agree"] = check_single_qfm(Z, P)
            elif tool == "hclust":
                r["agree"] = "yes (bit for bit)" if np.array_equal(Z, P) else "NO"
            else:
                r["agree"] = check_z_equal(Z, P, 0.0 if m == "single" else WARD_RTOL)
            log(f"    agreement with {'the Python call' if tool == 'hclust' else tool}: {r['agree']}")
            del P
        cell["hclust_call" if tool == "hclust" else tool] = r
        if os.path.exists(outs[tool]):
            os.unlink(outs[tool])
    if Z is not None and not peers:
        cell["sanity"] = sanity(Z, n, monotone=True)
        log(f"    {cell['sanity']}")
    if os.path.exists(zpath):
        os.unlink(zpath)
    return cell


def fmt_run(r: dict | None) -> str:
    if r is None:
        return "—"
    if not r.get("ok"):
        return r.get("reason", "failed")
    return f"{r['wall']:.2f} s, {r.get('peak_kib', 0) / 1024:.0f} MiB, load {r['load1']}"


# --- Markdown -------------------------------------------------------------------


def over(a: dict | None, b: dict | None) -> str:
    """a's time over b's, where both ran."""
    if a and b and a.get("ok") and b.get("ok") and b["wall"] > 0:
        return f"{a['wall'] / b['wall']:.2f}"
    return ""


def t(r: dict | None) -> str:
    if r is None:
        return ""
    if not r.get("ok"):
        return "timeout" if r.get("reason", "").startswith("timeout") else "failed: " + r.get("reason", "")
    w = r["wall"]
    return f"{w:.3f}" if w < 1 else f"{w:.2f}" if w < 100 else f"{w:.0f}"


def mib(r: dict | None, peer: bool = False) -> str:
    if r is None or not r.get("ok") or "peak_kib" not in r:
        return ""
    s = f"{r['peak_kib'] / 1024:.0f}"
    if peer and "baseline_kib" in r:
        s += f" (+{max(0, r['peak_self_kib'] - r['baseline_kib']) / 1024:.0f})"
    return s


def loads(*runs) -> str:
    """The 1-minute load average before each run of the row, in column order."""
    return " / ".join(f"{r['load1']:.1f}" for r in runs if r and "load1" in r)


def others(*runs) -> str:
    """The share of the machine's CPU that other processes used during each run."""
    return " / ".join(f"{100 * r['others_cpu']:.0f}%" if "others_cpu" in r else "?"
                      for r in runs if r and "load1" in r)


def short_alg(a: str | None) -> str:
    if not a:
        return ""
    return a.split(" (")[0]


def fmt_n(n: int) -> str:
    return f"{n:,}"


def render(state: dict) -> str:
    L = []
    L.append("# hclust's kd-tree paths beside quitefastmst and fastcluster.linkage_vector")
    L.append("")
    L.append("Generated by `benches/tree.py` (issue 11, section \"Speed\"); see benches/README.md.")
    L.append("")
    mi, v = state["machine"], state["versions"]
    L.append(f"- Machine: {mi['cpu']}, {mi['cores']} cores, {mi['ram']} RAM, {mi['os']}")
    if v.get("hclust_label"):
        L.append(f"- hclust: {v['hclust_version']}, {v['hclust_label']}")
    else:
        L.append(f"- hclust: {v['hclust_version']}, commit `{v['hclust_commit']}` "
                 f"(working tree: {v['hclust_tree']}), binary: {v['hclust_binary']}")
    L.append(f"- Python {v['python']}, numpy {v['numpy']}, quitefastmst {v['quitefastmst']}, "
             f"fastcluster {v['fastcluster']}, hclust (Python package) {v.get('hclust', 'not recorded')}")
    for run in state["runs"]:
        L.append(f"- Run {run['date']}: `{run['command']}`")
    L.append(f"- Data: `numpy.random.default_rng({state['seed']}).normal(size=(n, d))`, float64, one .npy per (n, d) "
             "read by every tool; generated before the timed runs.")
    L.append(f"- hclust threads: {state['hclust_threads'] or 'all cores (rayon default)'}; "
             "quitefastmst threads: as recorded per cell; fastcluster: 1 thread.")
    L.append("- Times in seconds. hclust: the whole process (start-up, reading X, linkage, writing Z as .npy), "
             "wall clock (perf_counter around the GNU time process that runs it). Peers: the library call only (time.perf_counter), "
             "in a child process that loaded X first. With `--repeat K` the tools take turns (hclust, then each peer, K times) "
             "and each keeps its best run.")
    L.append("- Peak: peak RSS of the process in MiB (GNU time); for the Python peers `(+N)` is what the call added "
             "above the baseline (interpreter, numpy, the tool, X).")
    L.append("- load: the 1-minute load average just before each run of the row (hclust / quitefastmst / "
             "linkage_vector, as far as they ran); the 2-core machine is shared with other work, and above "
             "about 0.5 the times are noisy (our own previous run counts in it too).")
    L.append("- others' CPU: the share of all cores that other processes used while each run ran "
             "(busy time from /proc/stat less the run's own user + system time): the better noise gauge; "
             "`?` for runs made before the script recorded it.")
    L.append("")
    cells_ = state["cells"]

    def rows(method):
        return sorted((c for c in cells_.values() if c["method"] == method), key=lambda c: (c["d"], c["n"]))

    single = rows("single")
    if single:
        L.append("## Single linkage")
        L.append("")
        L.append("| n | d | hclust s | hclust peak MiB | hclust algorithm | quitefastmst s | qfm threads | qfm peak MiB | "
                 "hclust / qfm | hclust Python call s | call / qfm | fastcluster.linkage_vector s | fc peak MiB | "
                 "heights = qfm MST weights | Z = linkage_vector | load | others' CPU |")
        L.append("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|")
        for c in single:
            if "skipped" in c:
                L.append(f"| {fmt_n(c['n'])} | {c['d']} | skipped: {c['skipped']} |" + " |" * 14)
                continue
            h, q, f = c.get("hclust"), c.get("quitefastmst"), c.get("fastcluster")
            call = c.get("hclust_call")
            ratio, call_ratio = over(h, q), over(call, q)
            fc = t(f) if f else "not run (quadratic)"
            L.append(f"| {fmt_n(c['n'])} | {c['d']} | {t(h)} | {mib(h)} | {short_alg(h.get('algorithm'))} | "
                     f"{t(q)} | {q.get('threads', '') if q else ''} | {mib(q, True)} | {ratio} | {t(call)} | "
                     f"{call_ratio} | {fc} | "
                     f"{mib(f, True)} | {(q or {}).get('agree', c.get('sanity', ''))} | "
                     f"{(f or {}).get('agree', '')} | {loads(h, q, f)} | {others(h, q, f)} |")
        L.append("")
    ward = rows("ward")
    if ward:
        L.append("## Ward")
        L.append("")
        L.append("| n | d | hclust s | hclust peak MiB | hclust algorithm | fastcluster.linkage_vector s | fc peak MiB | "
                 "linkage_vector / hclust | Z = linkage_vector (ids, counts; heights 1e-10 rel.) | load | others' CPU |")
        L.append("|---:|---:|---:|---:|---|---:|---:|---:|---|---:|---:|")
        fc100 = {c["d"]: c["fastcluster"] for c in ward
                 if c["n"] == 100_000 and c.get("fastcluster", {}).get("ok")}
        for c in ward:
            if "skipped" in c:
                L.append(f"| {fmt_n(c['n'])} | {c['d']} | skipped: {c['skipped']} |" + " |" * 8)
                continue
            h, f = c.get("hclust"), c.get("fastcluster")
            if f:
                fc = t(f)
                sp = f"{f['wall'] / h['wall']:.1f}" if f.get("ok") and h.get("ok") and h["wall"] > 0 else ""
                agree = f.get("agree", "")
            else:
                base = fc100.get(c["d"])
                if base:
                    est = base["wall"] * (c["n"] / 100_000) ** 2
                    fc = f"not run (quadratic); estimate ~{est:,.0f} ({(c['n'] // 100_000) ** 2} x the 100k cell)"
                    sp = f"~{est / h['wall']:,.0f} (estimate)" if h.get("ok") else ""
                else:
                    fc, sp = "not run (quadratic)", ""
                agree = c.get("sanity", "")
            L.append(f"| {fmt_n(c['n'])} | {c['d']} | {t(h)} | {mib(h)} | {short_alg(h.get('algorithm'))} | {fc} | "
                     f"{mib(f, True)} | {sp} | {agree} | {loads(h, f)} | {others(h, f)} |")
        L.append("")
    notes = []
    for c in sorted(cells_.values(), key=lambda c: (c["method"], c["d"], c["n"])):
        h = c.get("hclust") or {}
        for nt in h.get("notes", []):
            notes.append(f"- {c['method']} n={fmt_n(c['n'])} d={c['d']}: hclust stderr: `{nt}`")
        for tool in ("hclust", "hclust_call", "quitefastmst", "fastcluster"):
            r = c.get(tool)
            if r and not r.get("ok"):
                notes.append(f"- {c['method']} n={fmt_n(c['n'])} d={c['d']}: {tool} {r.get('reason')}")
    notes.extend(f"- {nt}" for nt in state.get("notes", []))
    goals = goal_lines(cells_)
    if goals:
        L.append("## Issue 11's goals on this run")
        L.append("")
        L.extend(goals)
        L.append("")
    if notes:
        L.append("## Notes from the runs")
        L.append("")
        L.extend(notes)
        L.append("")
    return "\n".join(L).rstrip("\n") + "\n"


def goal_lines(cells_: dict) -> list[str]:
    def get(m, n, d, tool):
        c = cells_.get(key(n, d, m))
        r = c.get(tool) if c else None
        return r if r and r.get("ok") else None

    out = []

    def ratio_goal(n, d, label):
        h, q = get("single", n, d, "hclust"), get("single", n, d, "quitefastmst")
        call = get("single", n, d, "hclust_call")
        if h and q:
            r = h["wall"] / q["wall"]
            verdict = "met" if r <= 1 else "within the 1.25x floor" if r <= 1.25 else "not met"
            line = (f"- single {label}: no slower than quitefastmst (floor 1.25x): "
                    f"{h['wall']:.2f} s (whole process) vs {q['wall']:.2f} s, ratio {r:.2f}: {verdict}")
            if call:
                rc = call["wall"] / q["wall"]
                verdict = "met" if rc <= 1 else "within the 1.25x floor" if rc <= 1.25 else "not met"
                line += f"; library call against library call {call['wall']:.2f} s, ratio {rc:.2f}: {verdict}"
            out.append(line)

    ratio_goal(1_000_000, 2, "1,000,000 x 2")
    ratio_goal(1_000_000, 5, "1,000,000 x 5")
    h = get("single", 10_000_000, 2, "hclust")
    if h:
        out.append(f"- single 10,000,000 x 2 under 15 s: {h['wall']:.2f} s: {'met' if h['wall'] < 15 else 'not met'}")
    h, q = get("single", 100_000, 32, "hclust"), get("single", 100_000, 32, "quitefastmst")
    if h and q:
        out.append(f"- single 100,000 x 32 faster than quitefastmst: {h['wall']:.2f} s vs {q['wall']:.2f} s: "
                   f"{'met' if h['wall'] < q['wall'] else 'not met'}")
    h, f = get("ward", 100_000, 2, "hclust"), get("ward", 100_000, 2, "fastcluster")
    if h and f:
        same = f.get("agree", "").startswith("yes")
        sp = f["wall"] / h["wall"]
        out.append(f"- ward 100,000 x 2 at least 10x faster than linkage_vector with the same Z: {sp:.1f}x, "
                   f"Z {'same' if same else 'differs'}: {'met' if sp >= 10 and same else 'not met'}")
    h = get("ward", 1_000_000, 2, "hclust")
    if h:
        out.append(f"- ward 1,000,000 x 2 under 60 s: {h['wall']:.2f} s: {'met' if h['wall'] < 60 else 'not met'}")
    return out


def main() -> None:
    # SIGTERM (kill PID) unwinds like Ctrl-C, so the running child is ended too
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(*sys.argv[2:7])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, nargs="+", help="numbers of points (default: issue 11's grid)")
    ap.add_argument("--d", type=int, nargs="+", help="dimensions (default: issue 11's grid)")
    ap.add_argument("--methods", nargs="+", choices=METHODS, default=METHODS)
    ap.add_argument("--timeout", type=float, default=900, help="seconds per hclust run (default 900)")
    ap.add_argument("--peer-timeout", type=float, default=600, help="seconds per peer run (default 600)")
    ap.add_argument("--hclust", default=str(REPO / "target" / "release" / "hclust"))
    ap.add_argument("--hclust-label", help="how to describe the binary in the output, e.g. the commit it was built from "
                    "(default: this checkout's HEAD and whether src/ has uncommitted changes)")
    ap.add_argument("--algorithm", default="auto", choices=["auto", "tree", "vector", "matrix"],
                    help="hclust --algorithm (default auto)")
    ap.add_argument("--hclust-threads", type=int, help="RAYON_NUM_THREADS for hclust (default: unset, all cores)")
    ap.add_argument("--qfm-threads", type=int, default=os.cpu_count(),
                    help="OpenMP threads for quitefastmst (default: all cores)")
    ap.add_argument("--fastcluster-max-n", type=int, default=100_000,
                    help="run linkage_vector only up to this n (default 100000; it is quadratic)")
    ap.add_argument("--skip", nargs="*", default=[], choices=["quitefastmst", "fastcluster", "hclust-python"])
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool and cell, the tools taking turns; the best time is kept")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--merge", action="store_true", help="keep the other cells of the existing JSON")
    ap.add_argument("--tmp", help="folder for the data and Z files (default: a new temporary folder)")
    ap.add_argument("--out", default=str(REPO / "benches" / "results" / "tree.md"))
    ap.add_argument("--note", action="append", default=[],
                    help="a line for the Notes section of --out (kept in the JSON; repeatable)")
    ap.add_argument("--render-only", action="store_true",
                    help="run nothing: rewrite --out from its JSON (with --note added)")
    args = ap.parse_args()

    if not os.path.exists(GNU_TIME):
        raise SystemExit(f"{GNU_TIME} (GNU time) is needed for peak RSS: apt-get install time")
    if not os.path.exists(args.hclust):
        raise SystemExit(f"no hclust binary at {args.hclust}: cargo build --release")
    import numpy as np

    out_md = Path(args.out)
    out_json = out_md.with_suffix(".json")
    out_md.parent.mkdir(parents=True, exist_ok=True)
    # the command line as typed, with this repository's location left out
    argv = [a.replace(str(REPO) + "/", "") for a in sys.argv[1:]]
    for i, a in enumerate(argv[:-1]):  # a binary outside the checkout: its path says nothing here
        if a == "--hclust" and not Path(args.hclust).resolve().is_relative_to(REPO):
            argv[i + 1] = "HCLUST"
    if args.tmp:
        argv = [a if a != args.tmp else "TMPDIR" for a in argv]
    command = "python3 benches/tree.py " + " ".join(shlex.quote(a) for a in argv)
    state = {"cells": {}, "runs": []}
    if (args.merge or args.render_only) and out_json.exists():
        state = json.loads(out_json.read_text())
    state.setdefault("notes", []).extend(args.note)
    if args.render_only:
        out_json.write_text(json.dumps(state, indent=1) + "\n")
        out_md.write_text(render(state))
        log(f"wrote {out_md} and {out_json}")
        return
    state.update(machine=machine_info(), versions=versions(args), seed=args.seed,
                 hclust_threads=args.hclust_threads)
    state["runs"].append({"date": _dt.datetime.now().isoformat(timespec="seconds"), "command": command})

    todo = cells(args)
    tmpctx = tempfile.TemporaryDirectory(prefix="hclust-tree-bench-", dir=args.tmp)
    tmp = tmpctx.name
    log(f"{len(todo)} cells; data and Z files in a temporary folder")
    header_printed = False
    try:
        for (n, d) in dict.fromkeys((n, d) for n, d, _ in todo):
            data = os.path.join(tmp, f"x_{n}_{d}.npy")
            if n * d * 8 * 2 > mem_available_bytes():
                for (nn, dd, m) in todo:
                    if (nn, dd) == (n, d):
                        state["cells"][key(n, d, m)] = {"n": n, "d": d, "method": m,
                                                         "skipped": "X does not fit in memory"}
                continue
            X = np.random.default_rng(args.seed).normal(size=(n, d))
            np.save(data, X)
            del X
            for (nn, dd, m) in todo:
                if (nn, dd) != (n, d):
                    continue
                cell = run_cell(args, n, d, m, data, tmp)
                state["cells"][key(n, d, m)] = cell
                out_json.write_text(json.dumps(state, indent=1) + "\n")
                out_md.write_text(render(state))
                if not header_printed:
                    print("| method | n | d | hclust s | peak MiB | algorithm | peer s | hclust/peer | agreement | load |")
                    print("|---|---:|---:|---:|---:|---|---:|---:|---|---:|")
                    header_printed = True
                h = cell.get("hclust") or {}
                p = cell.get("quitefastmst") or cell.get("fastcluster")
                ratio = f"{h['wall'] / p['wall']:.2f}" if p and p.get("ok") and h.get("ok") else ""
                pname = "qfm " if cell.get("quitefastmst") else "lv " if p else ""
                agree = "; ".join(filter(None, [(cell.get(k) or {}).get("agree", "")
                                                for k in ("quitefastmst", "fastcluster")])) or cell.get("sanity", "")
                print(f"| {m} | {fmt_n(n)} | {d} | {t(h) if h else cell.get('skipped', '')} | {mib(h)} | "
                      f"{short_alg(h.get('algorithm'))} | {pname}{t(p)} | {ratio} | {agree} | {h.get('load1', '')} |",
                      flush=True)
            os.unlink(data)
    finally:
        tmpctx.cleanup()
    log(f"wrote {out_md} and {out_json}")


if __name__ == "__main__":
    main()
