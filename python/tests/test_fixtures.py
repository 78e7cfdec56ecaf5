"""The binding against the project's golden fixtures (tests/fixtures,
written by scipy 1.17.1 with tests/fixtures/generate.py): every linkage,
pdist and analysis result identical to the stored one."""

import glob
import json
import os
import warnings

import numpy as np
import pytest

import hclust

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fixtures")


def load(kind):
    files = sorted(glob.glob(os.path.join(FIXTURES, kind, "*.json")))
    assert files, f"no fixtures under {kind}/"
    return [json.load(open(f)) for f in files]


@pytest.mark.parametrize("fx", load("linkage"), ids=lambda f: f["name"])
def test_linkage_equals_scipys_fixture(fx):
    data = np.asarray(fx["y"] if fx["input"] == "condensed" else fx["X"], dtype=np.float64)
    for method, Z in fx["linkage"].items():
        ours = hclust.linkage(data, method, metric=fx.get("metric") or "euclidean")
        np.testing.assert_array_equal(ours, np.asarray(Z), err_msg=f"{fx['name']} {method}")


def test_pdist_and_linkage_per_metric_equal_scipys_fixture():
    fx = json.load(open(os.path.join(FIXTURES, "metrics.json")))
    checked = 0
    for ds in fx["datasets"]:
        X = np.asarray(ds["X"])
        for case in ds["cases"]:
            what = f"{ds['name']} {case['metric']} {case.get('kwargs')}"
            kwargs = {k: (np.asarray(v) if isinstance(v, list) else v)
                      for k, v in (case.get("kwargs") or {}).items()}
            Xc = np.asarray(case["X"]) if "X" in case else X
            y = hclust.pdist(Xc, case["metric"], **kwargs)
            want = np.asarray(case["y"], dtype=np.float64)
            # The Rust suite's rule (tests/golden_metrics.rs): 1e-12
            # relative, with a floor for scipy's rounding residue near 0.
            assert np.all(np.abs(y - want) <= 1e-12 * np.maximum(np.abs(want), 1e-3)), what
            for method, Z in (case.get("linkage") or {}).items():
                ours, Z = hclust.linkage(y, method), np.asarray(Z)
                np.testing.assert_array_equal(ours[:, [0, 1, 3]], Z[:, [0, 1, 3]],
                                              err_msg=f"{what} {method}")
                np.testing.assert_allclose(ours[:, 2], Z[:, 2], rtol=1e-12,
                                           err_msg=f"{what} {method}")
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("fx", load("analysis"), ids=lambda f: f["name"])
def test_analysis_equals_scipys_fixture(fx):
    X = np.asarray(fx["X"], dtype=np.float64)
    y = hclust.pdist(X)
    for case in fx["cases"]:
        what = f"{fx['name']} {case['method']}"
        Z = np.asarray(case["Z"])
        np.testing.assert_array_equal(hclust.linkage(X, case["method"]), Z, err_msg=what)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            c, d = hclust.cophenet(Z, y)
        want = case["cophenet"]["c"]
        if want is None:  # NaN (every cophenetic distance equal), with scipy's warning
            assert np.isnan(c) and caught, what
        else:
            assert c == pytest.approx(want, rel=1e-12, abs=1e-15) and not caught, what
        np.testing.assert_array_equal(d, case["cophenet"]["d"], err_msg=what)
        for depth, R in case["inconsistent"].items():
            np.testing.assert_allclose(hclust.inconsistent(Z, int(depth)), R, rtol=1e-12,
                                       atol=1e-15, err_msg=f"{what} depth {depth}")
        R = hclust.inconsistent(Z, 2)
        monocrit = {"maxRstat3": hclust.maxRstat(Z, R, 3)}
        np.testing.assert_array_equal(hclust.maxdists(Z), case["maxdists"], err_msg=what)
        np.testing.assert_allclose(hclust.maxinconsts(Z, R), case["maxinconsts"], rtol=1e-12,
                                   atol=1e-15, err_msg=what)
        for i, v in case["maxRstat"].items():
            np.testing.assert_allclose(hclust.maxRstat(Z, R, int(i)), v, rtol=1e-12, atol=1e-15,
                                       err_msg=f"{what} maxRstat {i}")
        flats = []
        for f in case["fcluster"]:
            mc = None if f["monocrit"] is None else monocrit[f["monocrit"]]
            T = hclust.fcluster(Z, f["t"], criterion=f["criterion"], depth=f["depth"],
                                monocrit=mc)
            # Exactly scipy's numbering, not only the same partition.
            np.testing.assert_array_equal(T, f["T"], err_msg=f"{what} {f['criterion']} {f['t']}")
            assert T.dtype == np.int32
            flats.append(T)
        for ld in case["leaders"]:
            L, M = hclust.leaders(Z, flats[ld["fcluster_index"]])
            np.testing.assert_array_equal(L, ld["L"], err_msg=what)
            np.testing.assert_array_equal(M, ld["M"], err_msg=what)
        for ct in case["cut_tree"]:
            got = hclust.cut_tree(Z, n_clusters=ct["n_clusters"], height=ct["height"])
            want = np.asarray(ct["result"])
            for col in range(want.shape[1]):
                # scipy fills only the first column whose cut height comes
                # before every merge and leaves later ones all zero (a scipy
                # bug, as in tests/golden_analysis.rs): there hclust gives
                # every observation its own group.
                if col > 0 and ct["height"] is not None and ct["height"][col] <= Z[:, 2].min():
                    assert not want[:, col].any(), what
                    np.testing.assert_array_equal(got[:, col], np.arange(len(X)), err_msg=what)
                else:
                    np.testing.assert_array_equal(got[:, col], want[:, col], err_msg=what)
        np.testing.assert_array_equal(hclust.leaves_list(Z), case["leaves_list"], err_msg=what)
        np.testing.assert_array_equal(hclust.optimal_leaf_ordering(Z, y),
                                      case["optimal_leaf_ordering"], err_msg=what)
        for dg in case["dendrogram"]:
            kwargs = dict(dg["kwargs"])
            got = hclust.dendrogram(Z, **kwargs)
            for key, want in dg["result"].items():
                assert _same(got[key], want), f"{what} dendrogram {kwargs} {key}"


def _same(a, b):
    if isinstance(a, np.ndarray):
        a = a.tolist()
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b
