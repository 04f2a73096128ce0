"""Shared measuring helpers for the benchmarks: wall time and peak memory."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time (s) of ``repeat`` calls and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def peak_rss_mb_of(code: str, setup: str = "") -> tuple[float, float]:
    """Run ``setup`` then ``code`` in a fresh Python; return (wall s of ``code``, peak MiB).

    The peak is the child's own high-water mark (``VmHWM`` in /proc/self/status),
    not ``ru_maxrss``, which a fresh process can inherit from a large parent.
    Imports belong in ``setup`` so they are not timed.
    """
    wrapper = (
        "import time\n"
        f"{setup}\n"
        "t0 = time.perf_counter()\n"
        f"{code}\n"
        "wall = time.perf_counter() - t0\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(wall, int(hwm.split()[1]) / 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=True)
    wall, rss = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(rss)


def self_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
