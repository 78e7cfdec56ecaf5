#!/usr/bin/env python3
"""How long the first touch of a fresh n = 10,000 condensed matrix takes,
with and without transparent huge pages (numpy's madvise switch), each run
in a new process after a pause, as a single hclust run meets its memory.

On a virtual machine whose balloon driver reports free memory to the host,
free 2 MiB blocks are handed back to the host after about 2 s, and a huge
page must then be backed afresh; small pages often come from fragments the
host still backs. The README's note on huge pages quotes this script.

    python3 benches/first_touch.py [--runs 5] [--pause 3] [--mib 400]
"""

import argparse
import subprocess
import sys
import time

CHILD = """
import numpy as np, sys, time
np._core.multiarray._set_madvise_hugepage(sys.argv[1] == "1")
n = int(sys.argv[2]) * (1 << 20) // 8
t = time.perf_counter()
a = np.ones(n)
print(f"{time.perf_counter() - t:.3f}")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pause", type=float, default=3.0, help="seconds before each run")
    ap.add_argument("--mib", type=int, default=400, help="size of the array")
    args = ap.parse_args()
    times: dict[str, list[float]] = {"huge pages": [], "small pages": []}
    for _ in range(args.runs):
        for name, flag in (("huge pages", "1"), ("small pages", "0")):
            time.sleep(args.pause)
            out = subprocess.run(
                [sys.executable, "-c", CHILD, flag, str(args.mib)],
                check=True,
                capture_output=True,
                text=True,
            )
            times[name].append(float(out.stdout))
    print(f"first touch of {args.mib} MiB, {args.runs} runs each, {args.pause} s apart")
    for name, ts in times.items():
        ts.sort()
        print(f"{name:12s} median {ts[len(ts) // 2]:.3f} s  (min {ts[0]:.3f}, max {ts[-1]:.3f})")


if __name__ == "__main__":
    main()
