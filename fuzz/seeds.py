#!/usr/bin/env python3
"""Builds the seed corpus of every fuzz target from tests/fixtures.

Usage (from the repository root): python3 fuzz/seeds.py [OUT]

Writes OUT/<target>/<name> (OUT defaults to fuzz/corpus): the fixtures'
observations as CSV and .npy (f64 and f32, C and Fortran order, both byte
orders), their condensed vectors, their linkage matrices as CSV, .npy and
JSON (as `hclust linkage` writes them), labels files, and values for the
numeric flags. Only the standard library is needed. Nothing here is
committed: the corpus is rebuilt on every run, and libFuzzer adds to it.
"""

import json
import pathlib
import struct
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "linkage"
MAX_ROWS = 160  # keep the seeds small: libFuzzer mutates faster


def npy(values, shape, descr="<f8", fortran=False):
    """A version 1.0 .npy of `values` (row-major) with the given shape."""
    if fortran and len(shape) == 2:
        rows, cols = shape
        values = [values[r * cols + c] for c in range(cols) for r in range(rows)]
    shape_text = "(%d,)" % shape[0] if len(shape) == 1 else "(%s)" % ", ".join(map(str, shape))
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", shape_text)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    code = {"<f8": "<%dd", ">f8": ">%dd", "<f4": "<%df", ">f4": ">%df"}[descr]
    data = struct.pack(code % len(values), *values)
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def csv(rows):
    return "".join(",".join(repr(float(v)) for v in row) + "\n" for row in rows).encode()


def flat(rows):
    return [float(v) for row in rows for v in row]


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "fuzz" / "corpus"
    seeds = {t: {} for t in ["csv_matrix", "csv_condensed", "npy_matrix", "npy_condensed",
                             "z_csv", "z_npy", "z_json", "labels", "cli_numbers"]}
    for path in sorted(FIXTURES.glob("*.json")):
        doc = json.loads(path.read_text())
        name = path.stem
        x = doc.get("X")
        if x and len(x) <= MAX_ROWS:
            shape = (len(x), len(x[0]))
            seeds["csv_matrix"][name] = csv(x)
            seeds["npy_matrix"][name] = npy(flat(x), shape)
            if name == "n3_scipy_ties":
                seeds["npy_matrix"][name + "_f32"] = npy(flat(x), shape, "<f4")
                seeds["npy_matrix"][name + "_fortran"] = npy(flat(x), shape, fortran=True)
                seeds["npy_matrix"][name + "_big"] = npy(flat(x), shape, ">f8")
            seeds["labels"][name] = "".join("p%d\n" % i for i in range(len(x))).encode()
        y = doc.get("y")
        if y:
            seeds["csv_condensed"][name] = csv([[v] for v in y])
            seeds["csv_condensed"][name + "_row"] = csv([y])
            seeds["npy_condensed"][name] = npy([float(v) for v in y], (len(y),))
            seeds["npy_condensed"][name + "_f32"] = npy([float(v) for v in y], (len(y),), ">f4")
        for method in ["single", "ward"]:
            z = doc["linkage"].get(method)
            if z and len(z) < MAX_ROWS:
                key = "%s_%s" % (name, method)
                seeds["z_csv"][key] = csv(z)
                seeds["z_npy"][key] = npy(flat(z), (len(z), 4))
                seeds["z_json"][key] = (json.dumps({
                    "Z": z, "method": method, "metric": doc.get("metric", "precomputed"),
                    "n": len(z) + 1}) + "\n").encode()
    seeds["csv_matrix"]["header_quotes_comment"] = (
        b"\xef\xbb\xbf\"x\", \"y\"\r\n# a comment\r\n1.5, -2e3\r\n\"3\",4\r\n")
    seeds["labels"]["bom_blank"] = "\ufeffa\n\n b \nc\n\n".encode()
    for k, v in enumerate(["1", "-1", "0.5", "1e308", "nan", "1000000000000", "2\x003\x004"]):
        seeds["cli_numbers"]["value%d" % k] = bytes([k * 3, k]) + v.encode()
    for target, files in seeds.items():
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
    print("seeds: %s in %s" % (", ".join("%s %d" % (t, len(f)) for t, f in seeds.items()), out))


if __name__ == "__main__":
    main()
