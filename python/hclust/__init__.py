"""hclust: scipy.cluster.hierarchy's API on a fast Rust engine.

``import hclust`` gives every name of scipy 1.17's
``scipy.cluster.hierarchy.__all__`` with scipy's signatures and results,
plus ``pdist`` and ``squareform`` (scipy.spatial.distance's), and hclust's
extras: keyword-only ``backend``, ``precision``, ``algorithm`` and
``return_info`` on ``linkage``; ``members``, ``cluster_summaries``,
``suggest_cuts``, ``save_dendrogram``, ``report`` (the HTML report) and
``last_info``. Ctrl-C stops a long ``linkage`` or ``pdist`` with
KeyboardInterrupt.

The computations release the GIL, so threads run in parallel.
"""

from ._validate import ClusterWarning, is_valid_im, is_valid_linkage
from ._distance import pdist, squareform
from ._hierarchy import (
    average, centroid, complete, cophenet, correspond, cut_tree, fcluster,
    fclusterdata, from_mlab_linkage, inconsistent, is_isomorphic, is_monotonic,
    leaders, leaves_list, linkage, maxdists, maxinconsts, maxRstat, median,
    num_obs_linkage, optimal_leaf_ordering, single, to_mlab_linkage, ward,
    weighted, members, cluster_summaries, suggest_cuts, save_dendrogram, last_info, report,
)
from ._tree import ClusterNode, DisjointSet, to_tree
from ._dendrogram import dendrogram, set_link_color_palette

__all__ = [
    "ClusterNode", "DisjointSet", "average", "centroid", "complete", "cophenet",
    "correspond", "cut_tree", "dendrogram", "fcluster", "fclusterdata",
    "from_mlab_linkage", "inconsistent", "is_isomorphic", "is_monotonic",
    "is_valid_im", "is_valid_linkage", "leaders", "leaves_list", "linkage",
    "maxRstat", "maxdists", "maxinconsts", "median", "num_obs_linkage",
    "optimal_leaf_ordering", "set_link_color_palette", "single", "to_mlab_linkage",
    "to_tree", "ward", "weighted", "ClusterWarning",
    "pdist", "squareform",
    "members", "cluster_summaries", "suggest_cuts", "save_dendrogram", "last_info", "report",
]

__version__ = "0.1.0"
