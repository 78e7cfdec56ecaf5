#!/usr/bin/env python3
"""Time hclust beside scipy and fastcluster on the same data, in the same run.

    python benches/compare.py [--n 2000 10000 20000] [--d 32]
        [--methods single complete average weighted centroid median ward]
        [--repeat 1] [--hclust PATH] [--skip scipy fastcluster]
        [--gpu auto|yes|no] [--vector] [--algorithm auto|tree|vector|matrix]
        [--busy] [--numpy-small-pages] [--timeout 600]
        [--out benches/results/table.md]

The tools take turns run by run (with --repeat K, every tool's first run
before any tool's second), so that a slow spell of a shared machine falls
on all of them. --busy keeps one core busy with `yes > /dev/null` (started
and stopped by this script) for the whole measurement.

Every (tool, method, n) runs in a fresh process of its own, so that its peak
RSS is its own. Peak RSS comes from GNU time (`/usr/bin/time -f "%e %M"`,
Debian package `time`) when it is installed, else from a small Python
wrapper that reads ru_maxrss of RUSAGE_CHILDREN after its one child exits.

Timed regions:
  * scipy:       `scipy.cluster.hierarchy.linkage(X, method, metric='euclidean')`
                 timed with time.perf_counter inside the child process
                 (so it includes the distance matrix, not the imports).
  * fastcluster: `fastcluster.linkage(X, method, metric='euclidean')`, the same
                 way (fastcluster computes pdist itself on observations).
  * hclust:      the whole `hclust linkage data.npy --method M -o z.npy`
                 process, wall clock: process start, reading the .npy, the
                 distance matrix, the linkage and writing Z.
  * hclust-gpu:  the same with `--backend gpu`, where a GPU adapter exists
                 (`--gpu auto`: a real GPU, as `hclust info` lists it; `--gpu
                 yes` also counts a CPU driver such as Mesa's lavapipe).

Every Z is compared with scipy's: ids and counts must be identical and
heights equal within 1e-9 relative.

See benches/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ALL_METHODS = ["single", "complete", "average", "weighted", "centroid", "median", "ward"]
PY_TOOLS = ["scipy", "fastcluster"]
TOOLS = ["hclust", "hclust-gpu", *PY_TOOLS]
HCLUST_TOOLS = ("hclust", "hclust-gpu")
REPO = Path(__file__).resolve().parent.parent
GNU_TIME = "/usr/bin/time"
RTOL = 1e-9

# ---------------------------------------------------------------------------
# Child side: `compare.py --child TOOL METHOD DATA.npy Z.npy`. Prints one JSON
# line. Kept import-light so that the baseline is numpy + the one tool.
# ---------------------------------------------------------------------------


def _self_maxrss_kib() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


VECTOR_METHODS = ("single", "ward", "centroid", "median")


def child_main(tool: str, method: str, data: str, zout: str, vector: str = "0") -> None:
    import numpy as np

    if tool == "scipy":
        from scipy.cluster.hierarchy import linkage
    elif tool == "fastcluster":
        import fastcluster

        # --vector: the O(n m) memory variant, without the distance matrix
        linkage = fastcluster.linkage_vector if vector == "1" else fastcluster.linkage
    else:
        raise SystemExit(f"unknown tool {tool}")
    X = np.load(data)
    baseline = _self_maxrss_kib()  # peak so far: interpreter + imports + X
    t0 = time.perf_counter()
    Z = linkage(X, method, metric="euclidean")
    t1 = time.perf_counter()
    peak = _self_maxrss_kib()
    np.save(zout, np.asarray(Z, dtype=np.float64))
    print(json.dumps({"time": t1 - t0, "baseline_kib": baseline, "peak_self_kib": peak}))


# The fallback when GNU time is missing: runs ONE child, then reports its wall
# time and peak RSS (RUSAGE_CHILDREN is exact with exactly one child).
# argv: WRAPPER OUTFILE CMD...; writes "elapsed maxrss_kib" to OUTFILE and
# exits like the child (128 + signal when killed).
_WRAPPER = r"""
import os, resource, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
rc = subprocess.call(cmd)
el = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(out, "w") as f:
    if rc < 0:
        f.write("Command terminated by signal %d\n" % -rc)
    f.write("%.6f %d\n" % (el, rss))
sys.exit(128 - rc if rc < 0 else rc)
"""

# ---------------------------------------------------------------------------
# Parent side.
# ---------------------------------------------------------------------------


@dataclass
class Run:
    ok: bool
    reason: str = ""
    wall: float | None = None  # whole process, seconds
    time: float | None = None  # the timed region (python tools), seconds
    peak_kib: int | None = None  # peak RSS of the tool process
    baseline_kib: int | None = None  # python tools: peak RSS before linkage
    z: Path | None = None


@dataclass
class Result:
    runs: list[Run] = field(default_factory=list)

    @property
    def ok_runs(self) -> list[Run]:
        return [r for r in self.runs if r.ok]

    @property
    def failed(self) -> Run | None:
        bad = [r for r in self.runs if not r.ok]
        return bad[0] if bad else None

    def best(self, attr: str) -> float | None:
        vals = [getattr(r, attr) for r in self.ok_runs if getattr(r, attr) is not None]
        return min(vals) if vals else None

    def worst(self, attr: str) -> float | None:
        vals = [getattr(r, attr) for r in self.ok_runs if getattr(r, attr) is not None]
        return max(vals) if vals else None


def have_gnu_time() -> bool:
    if not os.access(GNU_TIME, os.X_OK):
        return False
    try:
        p = subprocess.run([GNU_TIME, "-f", "%e %M", "true"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.returncode == 0


def _tail(text: str, n: int = 200) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    s = lines[-1] if lines else ""
    return s if len(s) <= n else s[: n - 3] + "..."


def measure(argv: list[str], timeout: float, use_gnu_time: bool, workdir: Path, env=None):
    """Runs argv in a new session. Returns (ok, reason, wall, peak_kib, stdout)."""
    tfile = workdir / "rusage.txt"
    tfile.unlink(missing_ok=True)
    if use_gnu_time:
        cmd = [GNU_TIME, "-f", "%e %M", "-o", str(tfile), *argv]
    else:
        cmd = [sys.executable, "-c", _WRAPPER, str(tfile), *argv]
    t0 = time.perf_counter()
    p = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env=env,
    )
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.communicate()
        return False, f"timeout after {timeout:g} s", None, None, ""
    wall = time.perf_counter() - t0

    rtext = tfile.read_text() if tfile.exists() else ""
    m = None
    for line in reversed(rtext.strip().splitlines()):
        m = re.fullmatch(r"\s*([0-9.]+)\s+(\d+)\s*", line)
        if m:
            break
    peak = int(m.group(2)) if m else None
    if not use_gnu_time and m:
        wall = float(m.group(1))  # exclude the wrapper's own start-up

    sig = re.search(r"terminated by signal (\d+)", rtext)
    if sig or p.returncode < 0:
        num = int(sig.group(1)) if sig else -p.returncode
        try:
            name = signal.Signals(num).name
        except ValueError:
            name = f"signal {num}"
        why = f"killed by {name}"
        if num == signal.SIGKILL:
            why += ", out of memory?"
        return False, why, wall, peak, out
    if p.returncode != 0:
        msg = _tail(err) or _tail(out)
        return False, f"exit {p.returncode}: {msg}" if msg else f"exit {p.returncode}", wall, peak, out
    return True, "", wall, peak, out


def run_tool(tool, method, data, workdir, args, use_gnu_time) -> Run:
    zout = workdir / f"z_{tool}.npy"
    zout.unlink(missing_ok=True)
    env = None
    if tool in HCLUST_TOOLS:
        argv = [str(args.hclust), "linkage", str(data), "--method", method, "-o", str(zout)]
        if args.vector:
            argv += ["--memory", "low"]
        if args.algorithm:
            argv += ["--algorithm", args.algorithm]
        if tool == "hclust-gpu":
            argv += ["--backend", "gpu"]
        if args.hclust_threads:
            env = dict(os.environ, RAYON_NUM_THREADS=str(args.hclust_threads))
    else:
        argv = [sys.executable, str(Path(__file__).resolve()), "--child", tool, method, str(data), str(zout),
                "1" if args.vector else "0"]
        if args.numpy_small_pages:
            env = dict(os.environ, NUMPY_MADVISE_HUGEPAGE="0")
    ok, reason, wall, peak, out = measure(argv, args.timeout, use_gnu_time, workdir, env)
    if not ok:
        return Run(False, reason, wall=wall, peak_kib=peak)
    if not zout.exists():
        return Run(False, "no Z written", wall=wall, peak_kib=peak)
    if tool in HCLUST_TOOLS:
        return Run(True, wall=wall, time=wall, peak_kib=peak, z=zout)
    try:
        info = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return Run(False, f"bad child output: {_tail(out)!r}", wall=wall, peak_kib=peak)
    if peak is None:
        peak = info["peak_self_kib"]
    elif abs(peak - info["peak_self_kib"]) > max(0.5 * peak, 65536):
        print(
            f"  warning: {tool}: peak RSS from the wrapper ({peak} KiB) and from the "
            f"child itself ({info['peak_self_kib']} KiB) disagree",
            file=sys.stderr,
        )
    return Run(True, wall=wall, time=info["time"], peak_kib=peak, baseline_kib=info["baseline_kib"], z=zout)


def compare_z(za, zb) -> str:
    """'yes', or where za first differs from the reference zb."""
    import numpy as np

    if za.shape != zb.shape:
        return f"no: shape {za.shape} vs {zb.shape}"
    ids_a, ids_b = za[:, [0, 1, 3]], zb[:, [0, 1, 3]]
    h_a, h_b = za[:, 2], zb[:, 2]
    scale = np.maximum(np.abs(h_a), np.abs(h_b))
    bad_h = ~(np.abs(h_a - h_b) <= RTOL * scale)  # also catches NaN
    bad = np.any(ids_a != ids_b, axis=1) | bad_h
    if not bad.any():
        return "yes"
    i = int(np.argmax(bad))

    def row(r):
        return f"[{r[0]:.0f}, {r[1]:.0f}, {r[2]:.17g}, {r[3]:.0f}]"

    return f"no: row {i} {row(za[i])} vs {row(zb[i])} ({int(bad.sum())} rows differ)"


def make_blobs(n: int, d: int, centres: int = 10):
    """n points in d dimensions around `centres` isotropic Gaussian blobs."""
    import numpy as np

    rng = np.random.default_rng(0)
    c = rng.uniform(-10.0, 10.0, size=(centres, d))
    labels = rng.integers(0, centres, size=n)
    X = c[labels] + rng.standard_normal((n, d))
    return np.ascontiguousarray(X, dtype=np.float64)


def machine_info(args) -> list[str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    from importlib.metadata import PackageNotFoundError, version

    def ver(pkg):
        try:
            return version(pkg)
        except PackageNotFoundError:
            return "not installed"

    try:
        hv = subprocess.run([str(args.hclust), "--version"], capture_output=True, text=True, timeout=30)
        hver = hv.stdout.strip() or hv.stderr.strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        hver = f"unavailable ({e})"
    try:
        mem = next(
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/meminfo").read_text().splitlines()
            if ln.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem = "unknown"
    threads = args.hclust_threads or os.environ.get("RAYON_NUM_THREADS") or f"all {usable}"
    return [
        f"- CPU: {cpu}",
        f"- cores: {os.cpu_count()} logical, {usable} usable by this process; memory {mem}",
        f"- OS: {platform.system()} {platform.release()}; Python {platform.python_version()}",
        f"- numpy {ver('numpy')}, scipy {ver('scipy')}, fastcluster {ver('fastcluster')}",
        f"- {hver} ({shown_path(args.hclust)}), threads: {threads}",
        f"- peak RSS via: {'GNU time' if args._gnu_time else 'python wrapper (RUSAGE_CHILDREN)'}",
        f"- hclust GPU: {args._gpu_note}",
    ]


def shown_path(p: Path) -> str:
    """A path as the results show it: relative to the repository when inside
    it, else the file's name alone (no machine's paths in committed results)."""
    try:
        return str(Path(p).resolve().relative_to(REPO.resolve()))
    except ValueError:
        return Path(p).name


def gpu_adapters(hclust: Path) -> list[tuple[str, str]]:
    """(name, device type) of each adapter `hclust info` lists."""
    try:
        p = subprocess.run([str(hclust), "info"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return []
    found = []
    for line in p.stdout.splitlines():
        m = re.match(r"gpu: (.*) \[(\w+) (\w+)\]", line)
        if m:
            found.append((m.group(1), m.group(3)))
    return found


def fmt_time(t: float | None) -> str:
    if t is None:
        return "-"
    if t < 0.1:
        return f"{t:.4f}"
    if t < 10:
        return f"{t:.3f}"
    return f"{t:.1f}"


def mib(kib: float | None) -> str:
    return "-" if kib is None else f"{kib / 1024:.0f}"


def cell_time(res: Result | None) -> str:
    if res is None:
        return "skipped"
    if res.failed:
        return f"failed ({res.failed.reason})"
    return fmt_time(res.best("time"))


def cell_peak(res: Result | None, python_tool: bool) -> str:
    if res is None:
        return "skipped"
    if res.failed:
        return mib(res.failed.peak_kib) if res.failed.peak_kib else "-"
    peak = res.worst("peak_kib")
    if not python_tool:
        return mib(peak)
    above = max(r.peak_kib - r.baseline_kib for r in res.ok_runs)
    return f"{mib(peak)} (+{mib(above)})"


def speedup(other: Result | None, hc: Result | None) -> str:
    if not other or not hc or other.failed or hc.failed:
        return "-"
    a, b = other.best("time"), hc.best("time")
    if not a or not b:
        return "-"
    return f"{a / b:.2f}x"


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(*sys.argv[2:7])
        return 0

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[2000, 10000, 20000], help="numbers of points")
    ap.add_argument("--d", type=int, default=32, help="dimensions (default 32)")
    ap.add_argument("--methods", nargs="+", default=ALL_METHODS, choices=ALL_METHODS, metavar="METHOD")
    ap.add_argument("--repeat", type=int, default=1, help="runs per cell; the best time and the largest peak are kept")
    ap.add_argument("--hclust", type=Path, default=REPO / "target" / "release" / "hclust", help="hclust binary")
    ap.add_argument("--hclust-threads", type=int, default=None, help="RAYON_NUM_THREADS for hclust (default: all cores)")
    ap.add_argument("--skip", nargs="+", default=[], choices=PY_TOOLS, help="tools not to run")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per run (default 600)")
    ap.add_argument("--out", type=Path, default=REPO / "benches" / "results" / "table.md")
    ap.add_argument("--no-gnu-time", action="store_true", help="measure peak RSS with the Python wrapper even if GNU time exists")
    ap.add_argument("--gpu", choices=["auto", "yes", "no"], default="auto",
                    help="time hclust --backend gpu too: auto = when a real GPU adapter exists "
                         "(not a CPU driver such as lavapipe), yes = whenever any adapter exists")
    ap.add_argument("--vector", action="store_true",
                    help="the paths without a distance matrix: hclust --memory low against "
                         "fastcluster.linkage_vector (single, ward, centroid, median; scipy is skipped)")
    ap.add_argument("--algorithm", choices=["auto", "tree", "vector", "matrix"], default=None,
                    help="hclust's --algorithm (default: hclust's own choice)")
    ap.add_argument("--busy", action="store_true",
                    help="keep one core busy with `yes > /dev/null` while measuring")
    ap.add_argument("--numpy-small-pages", action="store_true",
                    help="run scipy and fastcluster with NUMPY_MADVISE_HUGEPAGE=0: numpy asks for "
                         "huge pages for its large arrays, which a VM whose host backs fresh huge "
                         "pages slowly makes many times slower (see benches/first_touch.py)")
    args = ap.parse_args()
    if args.vector:
        args.skip = sorted(set(args.skip) | {"scipy"})
        args.methods = [m for m in args.methods if m in VECTOR_METHODS] or list(VECTOR_METHODS)
    if args.repeat < 1:
        ap.error("--repeat must be >= 1")

    if not (args.hclust.is_file() and os.access(args.hclust, os.X_OK)):
        print(f"error: no hclust binary at {args.hclust}; run `cargo build --release` first", file=sys.stderr)
        return 2
    args.hclust = args.hclust.resolve()
    gpu_note = "not asked for (--gpu no)"
    if args.gpu != "no":
        adapters = gpu_adapters(args.hclust)
        usable = [a for a in adapters if args.gpu == "yes" or a[1] != "Cpu"]
        if args.vector:
            gpu_note = "not run: the paths without a distance matrix run on the CPU"
        elif usable:
            gpu_note = f"{usable[0][0]} ({usable[0][1]})"
        elif adapters:
            gpu_note = "not run: only a CPU driver (" + adapters[0][0] + "); --gpu yes times it anyway"
        else:
            gpu_note = "not run: no GPU adapter"
        if not usable or args.vector:
            args.skip = sorted(set(args.skip) | {"hclust-gpu"})
    else:
        args.skip = sorted(set(args.skip) | {"hclust-gpu"})
    args._gpu_note = gpu_note
    tools = [t for t in TOOLS if t not in args.skip]
    for t in tools:
        if t in PY_TOOLS:
            probe = subprocess.run([sys.executable, "-c", f"import {t}"], capture_output=True, text=True)
            if probe.returncode != 0:
                print(
                    f"error: cannot import {t} ({_tail(probe.stderr)}); "
                    "pip install -r benches/requirements.txt, or pass --skip " + t,
                    file=sys.stderr,
                )
                return 2
    args._gnu_time = not args.no_gnu_time and have_gnu_time()
    if not args._gnu_time and not args.no_gnu_time:
        print(
            f"note: {GNU_TIME} not found; measuring peak RSS with a Python wrapper "
            "(apt-get install time for GNU time)",
            file=sys.stderr,
        )

    machine = machine_info(args)
    print("\n".join(machine), file=sys.stderr, flush=True)

    busy = subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) if args.busy else None
    try:
        return measure_all(args, tools, machine, busy)
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()


def measure_all(args, tools, machine, busy) -> int:
    import numpy as np

    results: dict[tuple[int, str, str], Result] = {}
    agrees: dict[tuple[int, str], str] = {}
    fc_agrees: dict[tuple[int, str], str] = {}
    gpu_agrees: dict[tuple[int, str], str] = {}
    with tempfile.TemporaryDirectory(prefix="hclust-bench-") as tmp:
        tmp = Path(tmp)
        for n in args.n:
            data = tmp / f"blobs_n{n}_d{args.d}.npy"
            np.save(data, make_blobs(n, args.d))
            for method in args.methods:
                zs = {}
                cell = {tool: Result() for tool in tools}
                failed = set()
                for tool in tools:
                    (tmp / f"{tool}_{n}_{method}").mkdir()
                # The tools take turns, run by run.
                for k in range(args.repeat):
                    for tool in tools:
                        if tool in failed:
                            continue
                        wd = tmp / f"{tool}_{n}_{method}"
                        run = run_tool(tool, method, data, wd, args, args._gnu_time)
                        cell[tool].runs.append(run)
                        label = f"{tool:11s} n={n:<6d} {method:8s}"
                        if args.repeat > 1:
                            label += f" #{k + 1}"
                        if run.ok:
                            print(f"  {label} {fmt_time(run.time)} s, peak {mib(run.peak_kib)} MiB", file=sys.stderr, flush=True)
                        else:
                            print(f"  {label} FAILED: {run.reason}", file=sys.stderr, flush=True)
                            failed.add(tool)
                            continue
                        z = np.load(run.z)
                        if tool in zs and compare_z(z, zs[tool]) != "yes":
                            print(f"  warning: {tool} gave different Z on repeat", file=sys.stderr)
                        zs[tool] = z
                for tool in tools:
                    results[(n, method, tool)] = cell[tool]
                ref = zs.get("scipy")
                for tool, dest in (("hclust", agrees), ("hclust-gpu", gpu_agrees), ("fastcluster", fc_agrees)):
                    if args.vector and tool == "hclust" and "hclust" in zs and "fastcluster" in zs:
                        # no scipy at these sizes: compare with fastcluster's linkage_vector
                        dest[(n, method)] = "vs fastcluster: " + compare_z(zs["hclust"], zs["fastcluster"])
                    elif "scipy" not in tools:
                        dest[(n, method)] = "n/a (scipy skipped)"
                    elif tool not in tools:
                        dest[(n, method)] = "skipped"
                    elif ref is None:
                        dest[(n, method)] = "n/a (scipy failed)"
                    elif tool not in zs:
                        dest[(n, method)] = "n/a (failed)"
                    else:
                        dest[(n, method)] = compare_z(zs[tool], ref)

    get = lambda n, m, t: results.get((n, m, t))  # noqa: E731
    gpu = "hclust-gpu" in tools
    head = [
        "n", "method", "hclust s", *(["hclust gpu s"] if gpu else []), "scipy s", "fastcluster s",
        "speed-up vs fastcluster", "speed-up vs scipy",
        "hclust peak MiB", *(["hclust gpu peak MiB"] if gpu else []), "scipy peak MiB", "fastcluster peak MiB",
        "agrees with scipy", *(["gpu agrees with scipy"] if gpu else []), "fastcluster = scipy (info)",
    ]
    rows = []
    for n in args.n:
        for m in args.methods:
            rows.append([
                str(n), m,
                cell_time(get(n, m, "hclust")),
                *([cell_time(get(n, m, "hclust-gpu"))] if gpu else []),
                cell_time(get(n, m, "scipy")),
                cell_time(get(n, m, "fastcluster")),
                speedup(get(n, m, "fastcluster"), get(n, m, "hclust")),
                speedup(get(n, m, "scipy"), get(n, m, "hclust")),
                cell_peak(get(n, m, "hclust"), False),
                *([cell_peak(get(n, m, "hclust-gpu"), False)] if gpu else []),
                cell_peak(get(n, m, "scipy"), True),
                cell_peak(get(n, m, "fastcluster"), True),
                agrees[(n, m)],
                *([gpu_agrees[(n, m)]] if gpu else []),
                fc_agrees[(n, m)],
            ])

    def md_table(h, rs):
        out = ["| " + " | ".join(h) + " |", "|" + "|".join("---" for _ in h) + "|"]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rs]
        return out

    # Per-process details: process wall time and the baseline of python tools.
    dhead = ["n", "method", "tool", "status", "timed s", "process wall s", "peak MiB", "baseline MiB", "above baseline MiB"]
    drows = []
    for n in args.n:
        for m in args.methods:
            for t in tools:
                res = get(n, m, t)
                if res.failed:
                    drows.append([str(n), m, t, f"failed ({res.failed.reason})", "-", fmt_time(res.failed.wall), mib(res.failed.peak_kib), "-", "-"])
                    continue
                py = t in PY_TOOLS
                drows.append([
                    str(n), m, t, "ok",
                    fmt_time(res.best("time")),
                    fmt_time(res.best("wall")),
                    mib(res.worst("peak_kib")),
                    mib(max(r.baseline_kib for r in res.ok_runs)) if py else "-",
                    mib(max(r.peak_kib - r.baseline_kib for r in res.ok_runs)) if py else "-",
                ])

    cmdline = "python benches/compare.py " + " ".join(
        f"'{a}'" if (" " in a or not a) else a for a in sys.argv[1:]
    )
    doc = [
        "# hclust vs scipy vs fastcluster",
        "",
        f"`{cmdline.strip()}` on {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        "",
        f"Data: blobs, 10 isotropic Gaussian clusters in d={args.d}, numpy default_rng(0), float64; "
        f"metric euclidean; best of {args.repeat} run(s), the tools taking turns"
        + (f"; hclust --algorithm {args.algorithm}" if args.algorithm else "")
        + ("; `yes > /dev/null` kept one core busy throughout" if busy is not None else "")
        + ("; scipy and fastcluster ran with NUMPY_MADVISE_HUGEPAGE=0" if args.numpy_small_pages else "")
        + ".",
        "",
        *machine,
        "",
        "Times in seconds: scipy/fastcluster = the linkage call on observations (includes pdist); "
        "hclust = the whole CLI process (start-up, read .npy, pdist, linkage, write Z; "
        "hclust gpu: the same with --backend gpu). "
        "Peak MiB = peak RSS of the process; for scipy/fastcluster (+N) is the peak above the "
        "baseline after imports and loading X.",
        "",
        *md_table(head, rows),
        "",
        "## Per process",
        "",
        *md_table(dhead, drows),
        "",
    ]
    text = "\n".join(doc)
    print()
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
