"""scipy.cluster.hierarchy's functions over hclust's engine.

Signatures, defaults, return types and dtypes are scipy 1.17's; the
computations run in Rust (`hclust._hclust`) with the GIL released.
"""

import threading

import numpy as np

from . import _hclust
from ._validate import (
    _warning,
    as_float_array,
    check_linkage,
    is_valid_im,
    is_valid_linkage,
    is_valid_y,
    num_obs_y,
)
from ._distance import pdist, _metric_args

_LINKAGE_METHODS = {
    "single": 0, "complete": 1, "average": 2, "centroid": 3,
    "median": 4, "ward": 5, "weighted": 6,
}
_EUCLIDEAN_METHODS = ("centroid", "median", "ward")

# What the last `linkage` call in each thread ran (see last_info).
_last = threading.local()


def _looks_uncondensed(y):
    return (
        y.shape[0] == y.shape[1]
        and np.allclose(np.diag(y), 0)
        and np.all(y >= 0)
        and np.allclose(y, y.T)
    )


def _observations(y):
    """Observations as float64, with scipy's warning when they look like a
    square distance matrix."""
    x = as_float_array(y)
    if x.shape[0] == x.shape[1] and _looks_uncondensed(x):
        _warning(
            "The symmetric non-negative hollow observation matrix looks "
            "suspiciously like an uncondensed distance matrix",
            stacklevel=4,
        )
    return x


def _condensed(y):
    """A condensed distance matrix as float64, checked as scipy checks it."""
    is_valid_y(y, throw=True, name="y")
    y = as_float_array(y)
    if not np.all(np.isfinite(y)):
        raise ValueError("The condensed distance matrix must contain only finite values.")
    return y


def linkage(y, method="single", metric="euclidean", optimal_ordering=False, *,
            backend="cpu", precision="f64", algorithm="auto", return_info=False):
    """Hierarchical clustering, as scipy.cluster.hierarchy.linkage.

    hclust's extras (keyword-only): ``backend`` ("cpu", "gpu", "auto"),
    ``precision`` ("f64", "f32": half the memory of the distance matrix),
    ``algorithm`` ("auto", "tree", "vector", "matrix"), and
    ``return_info=True`` to get ``(Z, info)`` where info says which backend
    and algorithm ran and why, with any notes.
    """
    if method not in _LINKAGE_METHODS:
        raise ValueError(f"Invalid method: {method}")
    y = np.asarray(y)
    if method in _EUCLIDEAN_METHODS and metric != "euclidean" and y.ndim == 2:
        raise ValueError(f"`method={method}` requires the distance metric to be Euclidean")
    if y.ndim == 1:
        condensed = _condensed(y)
        num_obs_y(condensed)
    elif y.ndim == 2:
        x = _observations(y)
        if not np.all(np.isfinite(x)):
            raise ValueError("The condensed distance matrix must contain only finite values.")
        if x.shape[0] < 2:
            raise ValueError(
                "The number of observations cannot be determined on an empty distance matrix."
            )
        # A Python metric, or the ordering (which needs the matrix): the
        # distances first, then the condensed path.
        condensed = _condensed(pdist(x, metric)) if callable(metric) or optimal_ordering else None
    else:
        raise ValueError("`y` must be 1 or 2 dimensional.")
    if condensed is not None:
        Z, info = _hclust.linkage_condensed(condensed, method, backend, precision, algorithm)
    else:
        name, kw = _metric_args(metric)
        Z, info = _hclust.linkage_observations(
            x, method, name, backend=backend, prec=precision, algorithm=algorithm, **kw
        )
    if optimal_ordering:
        Z = optimal_leaf_ordering(Z, condensed)
    _last.info = dict(info)
    if return_info:
        return Z, info
    return Z


def single(y):
    """Single (minimum) linkage: linkage(y, 'single')."""
    return linkage(y, method="single", metric="euclidean")


def complete(y):
    """Complete (maximum) linkage: linkage(y, 'complete')."""
    return linkage(y, method="complete", metric="euclidean")


def average(y):
    """Average (UPGMA) linkage: linkage(y, 'average')."""
    return linkage(y, method="average", metric="euclidean")


def weighted(y):
    """Weighted (WPGMA) linkage: linkage(y, 'weighted')."""
    return linkage(y, method="weighted", metric="euclidean")


def centroid(y):
    """Centroid (UPGMC) linkage: linkage(y, 'centroid')."""
    return linkage(y, method="centroid", metric="euclidean")


def median(y):
    """Median (WPGMC) linkage: linkage(y, 'median')."""
    return linkage(y, method="median", metric="euclidean")


def ward(y):
    """Ward's minimum variance linkage: linkage(y, 'ward')."""
    return linkage(y, method="ward", metric="euclidean")


def num_obs_linkage(Z):
    """The number of original observations of the linkage matrix Z."""
    Z = check_linkage(Z)
    return Z.shape[0] + 1


def is_monotonic(Z):
    """Whether the merge heights of Z never decrease."""
    Z = check_linkage(Z)
    return bool(np.all(Z[1:, 2] >= Z[:-1, 2]))


def correspond(Z, Y):
    """Whether Z and the condensed matrix Y have the same number of observations."""
    is_valid_linkage(Z, throw=True)
    is_valid_y(Y, throw=True)
    Z = np.asarray(Z)
    Y = np.asarray(Y)
    return bool(num_obs_y(Y) == num_obs_linkage(Z))


def cophenet(Z, Y=None):
    """Cophenetic distances of Z, and with Y their correlation with Y.

    Returns the condensed cophenetic matrix, or ``(c, d)`` with Y.
    """
    Z = check_linkage(Z)
    if np.any(Z[:, 3] > Z.shape[0] + 1):
        # Counts beyond n cannot come from n observations.
        raise ValueError("Linkage 'Z' contains excessive observations in a cluster")
    d = _hclust.cophenet(Z)
    if Y is None:
        return d
    Y = as_float_array(Y)
    is_valid_y(Y, throw=True, name="Y")
    z = d - d.mean()
    y = Y - Y.mean()
    c = np.sum(z * y) / np.sqrt(np.sum(z * z) * np.sum(y * y))
    return (c, d)


def inconsistent(Z, d=2):
    """The inconsistency matrix of Z over d levels: mean, std, count, coefficient."""
    Z = check_linkage(Z)
    if not (d == np.floor(d)) or d < 0:
        raise ValueError("The second argument d must be a nonnegative integer value.")
    return _hclust.inconsistent(Z, int(d))


def from_mlab_linkage(Z):
    """Converts a MATLAB linkage matrix (1-based, 3 columns) to scipy's."""
    Z = np.asarray(Z, dtype=np.float64, order="C")
    if Z.ndim == 1 and Z.shape[0] == 0:
        return Z.copy()
    if Z.ndim != 2:
        raise ValueError("The linkage array must be rectangular.")
    if Z.shape[0] == 0:
        return Z.copy()
    if Z.shape[1] != 3:
        raise ValueError("The linkage array must be rectangular.")
    if Z[:, :2].min() < 1.0 or Z[:, :2].max() > 2 * Z.shape[0]:
        raise ValueError("The format of the indices is not 1..N")
    Zpart = np.column_stack([Z[:, :2] - 1.0, Z[:, 2]])
    n = Zpart.shape[0] + 1
    size = np.ones(2 * n - 1)
    counts = np.empty(n - 1)
    for i in range(n - 1):
        a, b = int(Zpart[i, 0]), int(Zpart[i, 1])
        size[n + i] = size[a] + size[b]
        counts[i] = size[n + i]
    return np.column_stack([Zpart, counts])


def to_mlab_linkage(Z):
    """Converts scipy's linkage matrix to MATLAB's (1-based, 3 columns)."""
    Z = np.asarray(Z, dtype=np.float64, order="C")
    if Z.ndim == 1 and Z.shape[0] == 0:
        return Z.copy()
    is_valid_linkage(Z, throw=True, name="Z")
    return np.column_stack([Z[:, :2] + 1.0, Z[:, 2]])


def maxdists(Z):
    """The largest merge height below (and at) each link."""
    Z = check_linkage(Z)
    return _hclust.maxdists(Z)


def _check_r(Z, R):
    R = np.asarray(R, order="C")
    is_valid_im(R, throw=True, name="R")
    if Z.shape[0] != R.shape[0]:
        raise ValueError(
            "The inconsistency matrix and linkage matrix each have a different number of rows."
        )
    return np.ascontiguousarray(R, dtype=np.float64)


def maxinconsts(Z, R):
    """The largest inconsistency coefficient below (and at) each link."""
    Z = check_linkage(Z)
    R = _check_r(Z, R)
    return _hclust.maxinconsts(Z, R)


def maxRstat(Z, R, i):
    """The largest value of column i of R below (and at) each link."""
    Z = check_linkage(Z)
    if not isinstance(i, (int, np.integer)):
        raise TypeError("The third argument must be an integer.")
    if i < 0 or i > 3:
        raise ValueError("i must be an integer between 0 and 3 inclusive.")
    R = _check_r(Z, R)
    return _hclust.max_rstat(Z, R, int(i))


def fcluster(Z, t, criterion="inconsistent", depth=2, R=None, monocrit=None):
    """Flat clusters from Z (int32 labels from 1), as scipy's fcluster."""
    Z = check_linkage(Z)
    if criterion not in ("inconsistent", "distance", "maxclust", "monocrit", "maxclust_monocrit"):
        raise ValueError(f"Invalid cluster formation criterion: {criterion}")
    if R is not None and criterion == "inconsistent":
        R = _check_r(Z, R)
    else:
        R = None
    if criterion in ("monocrit", "maxclust_monocrit"):
        if monocrit is None:
            raise ValueError(f"criterion {criterion!r} needs monocrit")
        monocrit = list(np.asarray(monocrit, dtype=np.float64))
    if criterion in ("maxclust", "maxclust_monocrit"):
        t = float(int(t))
    return _hclust.fcluster(Z, float(t), criterion, int(depth), R, monocrit)


def fclusterdata(X, t, criterion="inconsistent", metric="euclidean", depth=2,
                 method="single", R=None):
    """Clusters observations in one call: linkage, then fcluster."""
    X = np.asarray(X, order="C", dtype=np.float64)
    if X.ndim != 2:
        raise TypeError("The observation matrix X must be an n by m array.")
    Y = pdist(X, metric=metric)
    Z = linkage(Y, method=method)
    if R is None:
        R = inconsistent(Z, d=depth)
    else:
        R = np.asarray(R, order="C")
    return fcluster(Z, criterion=criterion, depth=depth, R=R, t=t)


def leaves_list(Z):
    """The leaf ids of Z left to right (int32)."""
    Z = check_linkage(Z)
    return _hclust.leaves_list(Z)


def leaders(Z, T):
    """The root node of each flat cluster of T: (L, M), int32."""
    Z = check_linkage(Z)
    T = np.asarray(T, order="C")
    if T.dtype != np.int32:
        raise TypeError("T must be a one-dimensional array of integers.")
    if T.shape[0] != Z.shape[0] + 1:
        raise ValueError("Mismatch: len(T)!=Z.shape[0] + 1.")
    return _hclust.leaders(Z, [int(v) for v in T])


def cut_tree(Z, n_clusters=None, height=None):
    """Cluster ids for each observation at several cuts (one column each)."""
    Z = check_linkage(Z)
    if n_clusters is not None and height is not None:
        raise ValueError("At least one of either height or n_clusters must be None")
    if n_clusters is not None:
        ks = np.atleast_1d(np.asarray(n_clusters))
        return _hclust.cut_tree(Z, [int(k) for k in ks], None)
    if height is not None:
        hs = np.atleast_1d(np.asarray(height, dtype=np.float64))
        return _hclust.cut_tree(Z, None, [float(h) for h in hs])
    return _hclust.cut_tree(Z, None, None)


def optimal_leaf_ordering(Z, y, metric="euclidean"):
    """Z with its leaves reordered so that adjacent leaves are nearest."""
    Z = check_linkage(Z)
    y = np.asarray(y)
    if y.ndim == 1:
        y = _condensed(y)
    elif y.ndim == 2:
        y = _condensed(pdist(_observations(y), metric))
    else:
        raise ValueError("`y` must be 1 or 2 dimensional.")
    if num_obs_y(y) != Z.shape[0] + 1:
        raise ValueError("Linkage matrix and condensed distance matrix do not correspond.")
    return _hclust.optimal_leaf_ordering(Z, y)


def is_isomorphic(T1, T2):
    """Whether two flat clusterings are equal up to renaming the clusters."""
    T1 = np.asarray(T1, order="C")
    T2 = np.asarray(T2, order="C")
    if T1.ndim != 1:
        raise ValueError("T1 must be one-dimensional.")
    if T2.ndim != 1:
        raise ValueError("T2 must be one-dimensional.")
    if T1.shape != T2.shape:
        raise ValueError("T1 and T2 must have the same number of elements.")
    forward, back = {}, {}
    for a, b in zip(T1.tolist(), T2.tolist()):
        if forward.setdefault(a, b) != b or back.setdefault(b, a) != a:
            return False
    return True


# hclust's extras.

def members(Z, node):
    """The observations under cluster id ``node`` of Z (a leaf, a merge, or
    a truncated dendrogram's contracted leaf), ascending."""
    Z = check_linkage(Z)
    return np.sort(np.asarray(_hclust.node_members(Z, int(node)), dtype=np.int64))


def cluster_summaries(T, X=None):
    """Per flat cluster of labels T: its label, members, and with the
    observations X its centroid and medoid, as a list of dicts."""
    T = [int(v) for v in np.asarray(T)]
    X = None if X is None else as_float_array(X)
    return _hclust.cluster_summaries(T, X)


def suggest_cuts(Z):
    """Where to cut Z: the elbow of the merge heights, the largest gap and
    the most inconsistent link, each as (method, threshold, k, description)."""
    Z = check_linkage(Z)
    return _hclust.suggest_cuts(Z)


def save_dendrogram(Z, path, labels=None, truncate_mode=None, p=30, color_threshold=None,
                    max_d=None, title=None):
    """Draws the dendrogram of Z to an SVG or PNG file (by extension)."""
    Z = check_linkage(Z)
    labels = None if labels is None else [str(v) for v in labels]
    _hclust.save_dendrogram(Z, str(path), labels, truncate_mode or "none", int(p),
                            color_threshold, max_d, title)


def last_info():
    """What this thread's last linkage call ran: backend, algorithm,
    reasons, notes (empty before any call)."""
    return dict(getattr(_last, "info", {}))


def report(X, out_dir, method="ward", metric="euclidean", *, max_d=None, k=None, title=None,
           labels=None, backend="cpu", precision="f64", algorithm="auto",
           cophenet_sample=None):
    """The HTML report of observations X (n samples by m features), as
    ``hclust report`` writes it: linkage, cophenetic correlation (exact, or
    estimated from sampled pairs on large inputs, and labelled so), the cut
    (at ``max_d``, into at most ``k`` clusters, or the elbow's suggestion),
    dendrograms, a scatter plot of the clusters and clusters.csv, written
    into the folder ``out_dir`` (created if needed).

    Returns a dict: ``html`` (the page's path), ``files``, ``Z``,
    ``clusters`` (int32 labels from 1), ``cut`` (how and where),
    ``cophenetic`` and ``cophenetic_text``, ``linkage`` (what ran, as
    ``linkage(..., return_info=True)`` reports it)."""
    x = as_float_array(X)
    if x.ndim != 2:
        raise ValueError(f"X must be 2-dimensional (samples by features), got shape {x.shape}")
    if max_d is not None and k is not None:
        raise ValueError("give max_d or k, not both")
    if labels is not None:
        labels = [str(v) for v in labels]
    return _hclust.report(x, str(out_dir), str(method), str(metric),
                          None if max_d is None else float(max_d),
                          None if k is None else int(k),
                          None if title is None else str(title), labels, backend, precision,
                          algorithm, None if cophenet_sample is None else int(cophenet_sample))
