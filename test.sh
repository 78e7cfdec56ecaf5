#!/usr/bin/env bash
# Every test: the Rust suite (cargo test), then the Python package built
# from python/ and installed in a virtual environment under target/, with
# its own tests and scipy 1.17.1's test suite run against it.
set -euo pipefail
cd "$(dirname "$0")"
root="$PWD"
cargo test
python3 -m venv target/python-env
target/python-env/bin/python -m pip install -q --upgrade pip
target/python-env/bin/python -m pip install -q "./python[test]"
# From outside the checkout, so that `import hclust` is the installed package.
cd /
"$root/target/python-env/bin/python" -m pytest -q -p no:cacheprovider "$root/python/tests"
