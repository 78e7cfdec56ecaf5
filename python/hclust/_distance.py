"""scipy.spatial.distance's pdist and squareform over hclust's metrics."""

import numpy as np

from . import _hclust

_NAMES = {
    "braycurtis", "canberra", "chebyshev", "cityblock", "correlation", "cosine",
    "dice", "euclidean", "hamming", "jaccard", "jensenshannon", "mahalanobis",
    "minkowski", "rogerstanimoto", "russellrao", "seuclidean", "sokalsneath",
    "sqeuclidean", "yule",
}


def _metric_args(metric, **kwargs):
    """(name, keyword arguments of the native calls) for a metric name."""
    if not isinstance(metric, str):
        raise TypeError("metric must be a string or a callable")
    name = metric.lower()
    kw = {}
    if "p" in kwargs and kwargs["p"] is not None:
        kw["p"] = float(kwargs.pop("p"))
    if "w" in kwargs and kwargs["w"] is not None:
        kw["w"] = [float(v) for v in np.asarray(kwargs.pop("w"), dtype=np.float64).ravel()]
    if "V" in kwargs and kwargs["V"] is not None:
        kw["v"] = [float(v) for v in np.asarray(kwargs.pop("V"), dtype=np.float64).ravel()]
    if "VI" in kwargs and kwargs["VI"] is not None:
        kw["vi"] = np.ascontiguousarray(kwargs.pop("VI"), dtype=np.float64)
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    if kwargs:
        raise TypeError(f"unexpected keyword arguments for metric {metric!r}: {sorted(kwargs)}")
    return name, kw


def pdist(X, metric="euclidean", *, out=None, **kwargs):
    """Pairwise distances between the rows of X, condensed (scipy's pdist)."""
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"A 2-dimensional array must be passed. (Shape was {X.shape}).")
    m = X.shape[0]
    if callable(metric):
        Xf = X
        d = np.empty(m * (m - 1) // 2, dtype=np.float64)
        k = 0
        for i in range(m - 1):
            for j in range(i + 1, m):
                d[k] = metric(Xf[i], Xf[j], **kwargs)
                k += 1
    else:
        Xd = np.ascontiguousarray(X, dtype=np.float64)
        name, kw = _metric_args(metric, **kwargs)
        if m < 2:
            d = np.empty(0, dtype=np.float64)
        else:
            d = _hclust.pdist(Xd, name, **kw)
    if out is not None:
        out[...] = d
        return out
    return d


def squareform(X, force="no", checks=True):
    """Converts between condensed and square distance matrices."""
    X = np.ascontiguousarray(X)
    s = X.shape
    if force.lower() == "tomatrix" and len(s) != 1:
        raise ValueError("Forcing 'tomatrix' but input X is not a distance vector.")
    if force.lower() == "tovector" and len(s) != 2:
        raise ValueError("Forcing 'tovector' but input X is not a distance matrix.")
    if len(s) == 1:
        if s[0] == 0:
            return np.zeros((1, 1), dtype=X.dtype)
        d = int(np.ceil(np.sqrt(s[0] * 2)))
        if d * (d - 1) != s[0] * 2:
            raise ValueError(
                "Incompatible vector size. It must be a binomial coefficient n choose 2 for some integer n >= 2."
            )
        M = np.zeros((d, d), dtype=X.dtype)
        iu = np.triu_indices(d, 1)
        M[iu] = X
        M.T[iu] = X
        return M
    if len(s) == 2:
        if s[0] != s[1]:
            raise ValueError("The matrix argument must be square.")
        if checks:
            if not np.allclose(X, X.T) or np.any(np.diag(X) != 0):
                raise ValueError("Distance matrix 'X' must be symmetric and have a zero diagonal.")
        if s[0] <= 1:
            return np.array([], dtype=X.dtype)
        return X[np.triu_indices(s[0], 1)].copy()
    raise ValueError(
        f"The first argument must be one or two dimensional array. A {len(s)}-dimensional array is not permitted"
    )
