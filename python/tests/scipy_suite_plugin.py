"""A pytest plugin that puts hclust in place of scipy.cluster.hierarchy's
public functions before scipy's own tests import them, so that
`pytest -p scipy_suite_plugin --pyargs scipy.cluster.tests.test_hierarchy`
runs scipy's suite against hclust. Private helpers the tests use
(`_hierarchy`, `_order_cluster_tree`, `Heap`, ...) stay scipy's.

It also proves that the substituted objects were the ones called: during
each test's setup and call it counts the calls that reach code defined in
hclust's package files (a profile hook, on the test's thread and on any
thread the test starts). At the end of the session it prints

    hclust reached by N of M tests (test_Heap excluded)

where M counts the tests that ran and passed, less test_Heap (which tests
scipy's private heap), and it fails the session, listing them, if any of
those tests made no call into hclust.

Environment variables:
  HCLUST_SUITE_SKIP=name[,name...]  leave these names scipy's (to check
                                    that the check above can fail)
  HCLUST_SUITE_COUNTS=path          write the per-test counts there (JSON)
"""

import json
import os
import sys
import threading

import pytest
import scipy.cluster.hierarchy as _sch

import hclust

REPLACED = list(_sch.__all__) + ["ClusterWarning"]

_SKIP = [s.strip() for s in os.environ.get("HCLUST_SUITE_SKIP", "").split(",") if s.strip()]
_unknown = sorted(set(_SKIP) - set(REPLACED))
if _unknown:
    raise ValueError(f"HCLUST_SUITE_SKIP names no substituted object: {', '.join(_unknown)}")

_originals = {name: getattr(_sch, name) for name in REPLACED if name not in _SKIP}
for _name in _originals:
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


# --- counting the calls that reach hclust ----------------------------------

_HCLUST_DIR = os.path.dirname(os.path.realpath(hclust.__file__)) + os.sep
_EXCLUDED = "test_Heap"  # scipy's private heap: no hclust code to reach

_inside = {}      # code filename -> whether it is one of hclust's files
_counts = {}      # nodeid -> calls into hclust during setup and call
_outcomes = {}    # nodeid -> "passed" / "failed" / "skipped"
_result = {}      # filled at session finish, printed in the summary


def _is_hclust_file(filename):
    try:
        return os.path.realpath(filename).startswith(_HCLUST_DIR)
    except (TypeError, ValueError):
        return False


def _make_hook(counter):
    inside = _inside

    def hook(frame, event, arg):
        if event == "call":
            filename = frame.f_code.co_filename
            hit = inside.get(filename)
            if hit is None:
                hit = inside[filename] = _is_hclust_file(filename)
            if hit:
                counter[0] += 1

    return hook


def _profiled(item):
    """The body of the setup and call wrappers: the phase runs with the
    profile hook on, and its calls into hclust are added to item's count."""
    counter = [0]
    hook = _make_hook(counter)
    prev, prev_threads = sys.getprofile(), threading.getprofile()
    threading.setprofile(hook)
    sys.setprofile(hook)
    try:
        return (yield)
    finally:
        sys.setprofile(prev)
        threading.setprofile(prev_threads)
        _counts[item.nodeid] = _counts.get(item.nodeid, 0) + counter[0]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    return (yield from _profiled(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    return (yield from _profiled(item))


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _outcomes[report.nodeid] = report.outcome
    elif report.failed:  # teardown errors
        _outcomes[report.nodeid] = "failed"


def _is_excluded(nodeid):
    return _EXCLUDED in nodeid.rsplit("::", 1)[-1]


def pytest_sessionfinish(session, exitstatus):
    passed = sorted(n for n, o in _outcomes.items() if o == "passed" and not _is_excluded(n))
    unreached = [n for n in passed if _counts.get(n, 0) == 0]
    _result.update(passed=passed, unreached=unreached)
    if unreached and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    path = os.environ.get("HCLUST_SUITE_COUNTS")
    if path:
        data = {
            "skipped_substitutions": _SKIP,
            "tests": {n: {"calls": _counts.get(n, 0), "outcome": _outcomes.get(n, "not run")}
                      for n in sorted(set(_counts) | set(_outcomes))},
            "unreached": unreached,
        }
        with open(path, "w") as f:
            json.dump(data, f, indent=1)


def pytest_terminal_summary(terminalreporter):
    if "passed" not in _result:
        return
    passed, unreached = _result["passed"], _result["unreached"]
    if unreached:
        terminalreporter.section("tests that did not reach hclust", sep="=", red=True)
        for n in unreached:
            terminalreporter.write_line(f"UNREACHED {n}")
    if _SKIP:
        terminalreporter.write_line(f"left scipy's (HCLUST_SUITE_SKIP): {', '.join(_SKIP)}")
    terminalreporter.write_line(
        f"hclust reached by {len(passed) - len(unreached)} of {len(passed)} tests "
        f"({_EXCLUDED} excluded)", red=bool(unreached), green=not unreached)
