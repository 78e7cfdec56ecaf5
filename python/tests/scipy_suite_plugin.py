"""A pytest plugin that puts hclust in place of scipy.cluster.hierarchy's
public functions before scipy's own tests import them, so that
`pytest -p scipy_suite_plugin --pyargs scipy.cluster.tests.test_hierarchy`
runs scipy's suite against hclust. Private helpers the tests use
(`_hierarchy`, `_order_cluster_tree`, `Heap`, ...) stay scipy's."""

import scipy.cluster.hierarchy as _sch

import hclust

REPLACED = list(_sch.__all__) + ["ClusterWarning"]

_originals = {name: getattr(_sch, name) for name in REPLACED}
for _name in REPLACED:
    setattr(_sch, _name, getattr(hclust, _name))

# scipy's array-API test marks look functions up by identity: give hclust's
# functions the entries of the ones they replace.
try:
    from scipy._lib._array_api import xp_capabilities_table as _table
except ImportError:  # older scipy
    _table = None
if _table is not None:
    for _name, _orig in _originals.items():
        if _orig in _table:
            _table[getattr(hclust, _name)] = _table[_orig]
