"""Argument checks with scipy's exception types and messages.

scipy's tests (and its users' code) match on these messages, so they say
what scipy says; the checks themselves are hclust's.
"""

import warnings

import numpy as np


class ClusterWarning(UserWarning):
    """Warns about suspicious input (as scipy.cluster.hierarchy's)."""


def _warning(msg, stacklevel=3):
    warnings.warn(msg, ClusterWarning, stacklevel=stacklevel)


def as_float_array(a, name="array"):
    """`a` as a C-contiguous float64 array, converted once when needed."""
    return np.ascontiguousarray(np.asarray(a, dtype=np.float64))


def _fail(kind, msg, throw, warning):
    if throw:
        raise kind(msg)
    if warning:
        _warning(msg, stacklevel=4)
    return False


def is_valid_linkage(Z, warning=False, throw=False, name=None):
    """Whether Z is a valid linkage matrix (scipy's checks and messages)."""
    Z = np.asarray(Z, order="C")
    name_str = f"{name!r} " if name else ""
    if Z.dtype != np.float64:
        return _fail(TypeError, f"Linkage matrix {name_str}must contain doubles.", throw, warning)
    if Z.ndim != 2:
        return _fail(
            ValueError,
            f"Linkage matrix {name_str}must have shape=2 (i.e. be two-dimensional).",
            throw,
            warning,
        )
    if Z.shape[1] != 4:
        return _fail(ValueError, f"Linkage matrix {name_str}must have 4 columns.", throw, warning)
    if Z.shape[0] == 0:
        return _fail(
            ValueError,
            "Linkage must be computed on at least two observations.",
            throw,
            warning,
        )
    n = Z.shape[0]
    if np.any(Z[:, :2] < 0):
        return _fail(ValueError, f"Linkage {name_str}contains negative indices.", throw, warning)
    if np.any(Z[:, 2] < 0):
        return _fail(ValueError, f"Linkage {name_str}contains negative distances.", throw, warning)
    if np.any(Z[:, 3] < 0):
        return _fail(ValueError, f"Linkage {name_str}contains negative counts.", throw, warning)
    if not np.all(np.isfinite(Z)):
        return _fail(ValueError, f"Linkage {name_str}contains non-finite values.", throw, warning)
    # Each cluster id must refer to an earlier cluster, used once.
    ids = Z[:, :2]
    if np.any(ids != np.floor(ids)):
        return _fail(
            ValueError, f"Linkage {name_str}contains non-integer cluster ids.", throw, warning
        )
    if np.any(ids >= np.arange(n + 1, 2 * n + 1)[:, None]):
        return _fail(
            ValueError,
            f"Linkage {name_str}uses non-singleton cluster before it is formed.",
            throw,
            warning,
        )
    flat = ids.ravel().astype(np.int64)
    if np.unique(flat).size < flat.size:
        return _fail(
            ValueError, f"Linkage {name_str}uses the same cluster more than once.", throw, warning
        )
    return True


def is_valid_im(R, warning=False, throw=False, name=None):
    """Whether R is a valid inconsistency matrix (scipy's checks)."""
    R = np.asarray(R, order="C")
    name_str = f"{name!r} " if name else ""
    if R.dtype != np.float64:
        return _fail(
            TypeError, f"Inconsistency matrix {name_str}must contain doubles.", throw, warning
        )
    if R.ndim != 2:
        return _fail(
            ValueError,
            f"Inconsistency matrix {name_str}must have shape=2 (i.e. be two-dimensional).",
            throw,
            warning,
        )
    if R.shape[1] != 4:
        return _fail(
            ValueError, f"Inconsistency matrix {name_str}must have 4 columns.", throw, warning
        )
    if R.shape[0] < 1:
        return _fail(
            ValueError, f"Inconsistency matrix {name_str}must have at least one row.", throw, warning
        )
    if np.any(R[:, 0] < 0):
        return _fail(
            ValueError, f"Inconsistency matrix {name_str}contains negative link height means.",
            throw, warning,
        )
    if np.any(R[:, 1] < 0):
        return _fail(
            ValueError,
            f"Inconsistency matrix {name_str}contains negative link height standard deviations.",
            throw, warning,
        )
    if np.any(R[:, 2] < 0):
        return _fail(
            ValueError, f"Inconsistency matrix {name_str}contains negative link counts.",
            throw, warning,
        )
    return True


def check_linkage(Z, name="Z"):
    """Z as float64, C order, raising scipy's errors when it is not valid."""
    Z = np.asarray(Z, order="C")
    is_valid_linkage(Z, throw=True, name=name)
    return np.ascontiguousarray(Z, dtype=np.float64)


def is_valid_y(y, throw=False, name="y"):
    """Whether y is a condensed distance matrix (a binomial length)."""
    y = np.asarray(y)
    if y.ndim != 1:
        if throw:
            raise ValueError(f"Condensed distance matrix '{name}' must have shape=1 (i.e. be one-dimensional).")
        return False
    n = y.shape[0]
    d = int(np.ceil(np.sqrt(n * 2)))
    if (d * (d - 1) / 2) != n:
        if throw:
            raise ValueError(
                f"Length n of condensed distance matrix '{name}' must be a binomial "
                "coefficient, i.e.there must be a k such that (k \\choose 2)=n)!"
            )
        return False
    return True


def num_obs_y(y):
    """The number of observations of a condensed distance matrix."""
    y = np.asarray(y)
    is_valid_y(y, throw=True)
    k = y.shape[0]
    if k == 0:
        raise ValueError("The number of observations cannot be determined on an empty distance matrix.")
    d = int(np.ceil(np.sqrt(k * 2)))
    return d
