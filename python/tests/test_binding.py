"""The Python binding against scipy: identical results, dtypes, errors,
the GIL, and hclust's extras. Run with `pytest python/tests`."""

import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import scipy.cluster.hierarchy as sch
import scipy.spatial.distance as ssd

import hclust

HERE = os.path.dirname(os.path.abspath(__file__))
METHODS = ["single", "complete", "average", "weighted", "centroid", "median", "ward"]


def data(n=60, m=3, seed=0):
    return np.random.default_rng(seed).normal(size=(n, m))


def test_every_scipy_name_is_there():
    for name in list(sch.__all__) + ["ClusterWarning"]:
        assert hasattr(hclust, name), name
    assert hclust.pdist is not ssd.pdist and callable(hclust.squareform)


@pytest.mark.parametrize("method", METHODS)
def test_linkage_equals_scipy_on_observations_and_condensed(method):
    X = data()
    Z = hclust.linkage(X, method)
    assert Z.dtype == np.float64 and Z.shape == (59, 4)
    np.testing.assert_allclose(Z, sch.linkage(X, method), rtol=1e-12, atol=0)
    y = ssd.pdist(X)
    np.testing.assert_allclose(hclust.linkage(y, method), sch.linkage(y, method), rtol=1e-12)


@pytest.mark.parametrize("metric", ["cityblock", "chebyshev", "cosine", "correlation",
                                    "canberra", "braycurtis", "sqeuclidean", "jensenshannon"])
def test_pdist_and_linkage_on_other_metrics(metric):
    X = np.abs(data(40, 4, seed=3)) + 0.1
    np.testing.assert_allclose(hclust.pdist(X, metric), ssd.pdist(X, metric), rtol=1e-12)
    np.testing.assert_allclose(hclust.linkage(X, "average", metric),
                               sch.linkage(X, "average", metric), rtol=1e-12)


def test_metric_parameters_and_a_callable_metric():
    X = data(30, 3, seed=5)
    np.testing.assert_allclose(hclust.pdist(X, "minkowski", p=3), ssd.pdist(X, "minkowski", p=3))
    w = np.array([1.0, 2.0, 0.5])
    np.testing.assert_allclose(hclust.pdist(X, "minkowski", p=1.5, w=w),
                               ssd.pdist(X, "minkowski", p=1.5, w=w))
    V = np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(hclust.pdist(X, "seuclidean", V=V), ssd.pdist(X, "seuclidean", V=V))
    f = lambda u, v: float(np.abs(u - v).sum())  # noqa: E731
    np.testing.assert_allclose(hclust.linkage(X, "complete", f), sch.linkage(X, "complete", f))


def test_flat_clusters_and_the_analysis_functions_equal_scipys():
    X = data(80, 2, seed=7)
    Z = sch.linkage(X, "ward")
    for crit, t in [("distance", 3.0), ("maxclust", 4), ("inconsistent", 1.0)]:
        T = hclust.fcluster(Z, t, criterion=crit)
        assert T.dtype == np.int32
        np.testing.assert_array_equal(T, sch.fcluster(Z, t, criterion=crit))
    np.testing.assert_allclose(hclust.cophenet(Z), sch.cophenet(Z))
    c, d = hclust.cophenet(Z, ssd.pdist(X))
    c2, d2 = sch.cophenet(Z, ssd.pdist(X))
    assert abs(c - c2) < 1e-12
    np.testing.assert_allclose(hclust.inconsistent(Z, 3), sch.inconsistent(Z, 3))
    np.testing.assert_array_equal(hclust.leaves_list(Z), sch.leaves_list(Z))
    np.testing.assert_array_equal(hclust.cut_tree(Z, n_clusters=[2, 5]),
                                  sch.cut_tree(Z, n_clusters=[2, 5]))
    np.testing.assert_allclose(hclust.optimal_leaf_ordering(Z, ssd.pdist(X)),
                               sch.optimal_leaf_ordering(Z, ssd.pdist(X)))
    T = sch.fcluster(Z, 4, "maxclust")
    for a, b in zip(hclust.leaders(Z, T), sch.leaders(Z, T)):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == np.int32


def test_dendrogram_dict_equals_scipys_and_plots():
    X = data(25, 2, seed=9)
    Z = sch.linkage(X, "average")
    for kw in [{}, {"truncate_mode": "lastp", "p": 6}, {"truncate_mode": "level", "p": 2},
               {"color_threshold": 1.0, "count_sort": True}, {"orientation": "left"}]:
        a = hclust.dendrogram(Z, no_plot=True, **kw)
        b = sch.dendrogram(Z, no_plot=True, **kw)
        assert a == b, kw
    calls = []
    a = hclust.dendrogram(Z, no_plot=True, link_color_func=lambda k: calls.append(k) or "k")
    b_calls = []
    sch.dendrogram(Z, no_plot=True, link_color_func=lambda k: b_calls.append(k) or "k")
    assert calls == b_calls and set(a["color_list"]) == {"k"}
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    hclust.dendrogram(Z, ax=ax)
    assert len(ax.collections) >= 1
    plt.close(fig)


def test_to_tree_and_disjoint_set():
    Z = sch.linkage(data(20, 2), "single")
    root = hclust.to_tree(Z)
    assert root.get_count() == 20 and root.pre_order() == list(sch.to_tree(Z).pre_order())
    ds = hclust.DisjointSet([1, 2, 3])
    assert ds.merge(1, 2) and ds.connected(1, 2) and not ds.connected(1, 3)


def test_input_dtypes_and_layouts_are_converted():
    X = data(50, 3, seed=11)
    Z = sch.linkage(X, "ward")
    np.testing.assert_allclose(hclust.linkage(np.asfortranarray(X), "ward"), Z)
    np.testing.assert_allclose(hclust.linkage(X[::1, :].copy(order="F"), "ward"), Z)
    Zf = hclust.linkage(X.astype(np.float32), "ward")
    np.testing.assert_allclose(Zf, sch.linkage(X.astype(np.float32), "ward"), rtol=1e-6)
    Xi = np.arange(40).reshape(20, 2) ** 2
    np.testing.assert_allclose(hclust.linkage(Xi, "complete"), sch.linkage(Xi, "complete"))


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="Invalid method"):
        hclust.linkage(data(), "nope")
    with pytest.raises(ValueError, match="finite"):
        hclust.linkage(np.array([np.nan, 1.0, 2.0]))
    with pytest.raises(ValueError, match="Euclidean"):
        hclust.linkage(data(), "ward", "cityblock")
    with pytest.raises(ValueError):
        hclust.linkage(data(), "single", "nosuchmetric")
    with pytest.raises(TypeError):
        hclust.is_valid_linkage(np.zeros((2, 4), dtype=np.int64), throw=True)
    with pytest.warns(hclust.ClusterWarning):
        hclust.linkage(np.array([[0.0, 1.0], [1.0, 0.0]]))


def test_the_extras():
    X = data(300, 2, seed=13)
    Z, info = hclust.linkage(X, "ward", return_info=True)
    assert set(info) >= {"backend", "algorithm", "reason", "notes"}
    assert hclust.last_info()["algorithm"] == info["algorithm"]
    Zt, info_t = hclust.linkage(np.tile(X, (10, 1)) + 1e-3 * data(3000, 2), "single",
                                algorithm="tree", return_info=True)
    assert "kd-tree" in info_t["algorithm"]
    root = 2 * 300 - 2
    assert list(hclust.members(Z, root)) == list(range(300))
    T = hclust.fcluster(Z, 3, "maxclust")
    s = hclust.cluster_summaries(T, X)
    assert len(s) == 3 and sum(len(c["members"]) for c in s) == 300
    assert s[0]["centroid"] is not None
    cuts = hclust.suggest_cuts(Z)
    assert cuts and all(k >= 1 for _, _, k, _ in cuts)
    Z32, info32 = hclust.linkage(X, "average", precision="f32", return_info=True)
    np.testing.assert_allclose(Z32[:, 2], sch.linkage(X, "average")[:, 2], rtol=1e-5)


def test_save_dendrogram(tmp_path):
    Z = sch.linkage(data(30, 2), "average")
    for ext in ("svg", "png"):
        out = tmp_path / f"d.{ext}"
        hclust.save_dendrogram(Z, out, truncate_mode="lastp", p=10)
        assert out.stat().st_size > 100


def test_the_gil_is_released_during_linkage():
    # Another Python thread keeps running while linkage computes: with the
    # GIL held for the call, it could not tick inside the call's window.
    X = data(5000, 32, seed=17)
    ticks, stop = [], threading.Event()

    def probe():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    th = threading.Thread(target=probe)
    th.start()
    time.sleep(0.02)
    t0 = time.perf_counter()
    hclust.linkage(X, "average")
    t1 = time.perf_counter()
    stop.set()
    th.join()
    assert t1 - t0 > 0.05, "the call is too short to tell"
    inside = [t for t in ticks if t0 + 0.01 < t < t1 - 0.01]
    assert len(inside) > 10, (len(inside), t1 - t0)


def test_scipys_own_suite_passes_against_hclust(tmp_path):
    # scipy 1.17's tests for scipy.cluster.hierarchy, with hclust's
    # functions put in place of scipy's (see scipy_suite_plugin.py), and
    # proof that they were the ones called: every passing test but
    # test_Heap (scipy's private heap) made calls into hclust's code.
    import json
    import re
    counts = tmp_path / "counts.json"
    env = dict(os.environ, PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""),
               HCLUST_SUITE_COUNTS=str(counts))
    env.pop("HCLUST_SUITE_SKIP", None)
    probe = subprocess.run(
        [sys.executable, "-c",
         "import scipy_suite_plugin, hclust; "
         "import scipy.cluster.tests.test_hierarchy as t; "
         "assert t.linkage is hclust.linkage and t.dendrogram is hclust.dendrogram"],
        env=env, cwd="/", capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "scipy_suite_plugin",
         "--pyargs", "scipy.cluster.tests.test_hierarchy", "scipy.cluster.tests.test_disjoint_set"],
        env=env, cwd="/", capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert " passed" in r.stdout and " failed" not in r.stdout
    m = re.search(r"hclust reached by (\d+) of (\d+) tests \(test_Heap excluded\)", r.stdout)
    assert m, r.stdout[-4000:]
    assert m.group(1) == m.group(2) and int(m.group(2)) > 150, m.group(0)
    assert "UNREACHED" not in r.stdout, r.stdout[-4000:]
    tests = json.loads(counts.read_text())["tests"]
    passed = {n: t["calls"] for n, t in tests.items() if t["outcome"] == "passed"}
    assert len(passed) == int(m.group(2)) + 1  # test_Heap
    assert not [n for n, c in passed.items() if c == 0 and "::test_Heap" not in n]
    assert any("test_disjoint_set.py::" in n for n in passed)


def test_scipy_suite_check_fails_when_a_name_stays_scipys():
    # The check above can fail: with linkage and DisjointSet left scipy's,
    # the tests that use only those are named and the run fails.
    import re
    env = dict(os.environ, PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""),
               HCLUST_SUITE_SKIP="linkage,DisjointSet")
    env.pop("HCLUST_SUITE_COUNTS", None)
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "scipy_suite_plugin",
         "--pyargs", "scipy.cluster.tests.test_hierarchy", "scipy.cluster.tests.test_disjoint_set",
         "-k", "test_linkage_ties or disjoint_set or TestIsIsomorphic"],
        env=env, cwd="/", capture_output=True, text=True)
    out = r.stdout
    assert r.returncode == 1, out[-4000:] + r.stderr[-2000:]
    assert " failed" not in out, out[-4000:]  # scipy's objects pass scipy's tests
    unreached = [line[len("UNREACHED "):] for line in out.splitlines() if line.startswith("UNREACHED ")]
    ties = [u for u in unreached if "::TestLinkage::test_linkage_ties[" in u]
    dsets = [u for u in unreached if "test_disjoint_set.py::" in u]
    assert ties and dsets and len(ties) + len(dsets) == len(unreached), out[-4000:]
    m = re.search(r"hclust reached by (\d+) of (\d+) tests \(test_Heap excluded\)", out)
    assert m, out[-4000:]
    # TestIsIsomorphic uses neither, so its tests still reach hclust.
    assert int(m.group(1)) > 0 and int(m.group(2)) - int(m.group(1)) == len(unreached), m.group(0)


CTRL_C = """
import os, signal, sys, threading, time
import numpy as np
import hclust
kind = sys.argv[1]
rng = np.random.default_rng(0)
def fire():
    time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGINT)
threading.Thread(target=fire, daemon=True).start()
t = time.perf_counter()
try:
    if kind == "pdist":
        hclust.pdist(rng.normal(size=(20000, 64)))
    elif kind == "matrix":
        hclust.linkage(rng.normal(size=(12000, 16)), "average")
    else:
        hclust.linkage(rng.normal(size=(60000, 8)), "ward", algorithm="vector")
    print("finished", time.perf_counter() - t)
except KeyboardInterrupt:
    print("interrupted", time.perf_counter() - t)
"""


@pytest.mark.parametrize("kind", ["vector", "matrix", "pdist"])
def test_ctrl_c_stops_a_long_run_with_keyboard_interrupt(kind):
    # SIGINT half a second into a run of many seconds: KeyboardInterrupt,
    # soon after the signal (the run itself would take 5 to 20 s here).
    r = subprocess.run([sys.executable, "-c", CTRL_C, kind], capture_output=True, text=True,
                       timeout=120, cwd="/")
    assert r.returncode == 0, r.stderr
    word, seconds = r.stdout.split()
    assert word == "interrupted", r.stdout
    assert float(seconds) < 3.0, r.stdout


def test_report_writes_the_html_report(tmp_path):
    X = data(200, 2, seed=21)
    r = hclust.report(X, tmp_path / "rep", k=3, title="three blobs")
    page = (tmp_path / "rep" / "report.html").read_text()
    assert "three blobs" in page and ("<svg" in page.lower() or "<img" in page.lower())
    assert r["html"] == tmp_path / "rep" / "report.html"
    assert all(os.path.exists(f) for f in r["files"])
    assert r["cut"] == ("k", 3.0)
    Z = sch.linkage(X, "ward")
    np.testing.assert_array_equal(r["Z"], Z)
    np.testing.assert_array_equal(r["clusters"], sch.fcluster(Z, 3, "maxclust"))
    assert r["clusters"].dtype == np.int32
    c, _ = sch.cophenet(Z, ssd.pdist(X))
    assert abs(r["cophenetic"] - c) < 1e-12
    assert r["linkage"]["algorithm"]
    with pytest.raises(ValueError, match="not both"):
        hclust.report(X, tmp_path / "x", max_d=1.0, k=2)
    with pytest.raises(ValueError):
        hclust.report(X, tmp_path / "y", method="nosuch")
