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


#: Issue 12's acceptance background: random contractions in every EMG channel
#: (``contractions.*``: 60 an hour, 0.1–30 s, 2–30× the resting level) on top of a
#: scenario's own patterns.  With :func:`acceptance_settings` (trunk ECG 3–5× the bursts)
#: these are the nights of both acceptance figures: the contraction layer's F1 per
#: region (bench_contractions) and the episode F1 per kind (bench_episodes).
ACCEPTANCE_BACKGROUND: dict[str, float] = {
    "contractions.per_h": 60.0, "contractions.min_s": 0.1, "contractions.max_s": 30.0,
    "contractions.amp_lo": 2.0, "contractions.amp_hi": 30.0}


def acceptance_settings(seed: int, **extra: float) -> dict[str, float]:
    """The acceptance background and the seed's trunk ECG (``ecg_bleed`` 3, 4 or 5 by
    ``seed % 3``: a trunk QRS of 30–60 µV, 3–5× the bursts), then ``extra`` on top."""
    s = dict(ACCEPTANCE_BACKGROUND)
    s["ecg_bleed"] = 3.0 + 2.0 * ((seed % 3) / 2.0)
    s.update(extra)
    return s
