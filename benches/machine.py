"""The machine and the checkout a benchmark ran on, for the headers of
benches/*.py's reports: CPU model, cores (and those usable by this
process), RAM, OS; git's answers about this repository."""

import os
import platform
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _first(path: str, prefix: str):
    """The first line of `path` that starts with `prefix`, or None."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line
    except OSError:
        pass
    return None


def machine_info() -> dict:
    cpu = _first("/proc/cpuinfo", "model name")
    mem = _first("/proc/meminfo", "MemTotal")
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count()
    return {
        "cpu": cpu.split(":", 1)[1].strip() if cpu else "?",
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "ram": f"{int(mem.split()[1]) / 1024 / 1024:.1f} GiB" if mem else "?",
        "os": platform.platform(),
    }


def git(*args: str) -> str:
    """What `git -C <this repository> ARGS` prints, or "?" when it fails."""
    try:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
