"""Small helpers every part needs: a file's SHA-256, JSON-ready values, the runs of a
boolean mask (the one run-finding helper) and the allocator setting for channel-sized
temporaries."""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

_BLOCK = 1 << 24  # 16 MiB


def analysis_threads() -> int:
    """Channels conditioned at once: the CPUs this process may use, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 (hex) of a file, read in 16-MiB blocks into one buffer (memory stays flat).

    Reading and hashing release the GIL; the blocks are large so that a thread
    hashing beside busy Python threads waits for the GIL only a few dozen times
    a night, not thousands.
    """
    h = hashlib.sha256()
    buf = bytearray(_BLOCK)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as fh:
        while n := fh.readinto(view):
            h.update(view[:n])
    return h.hexdigest()


def json_ready(value: Any) -> Any:
    """A JSON-ready copy: NaN/inf → None, numpy scalars and arrays → Python, tuples → lists.

    ``json.dump(json_ready(x), allow_nan=False)`` never fails on numbers.
    """
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, np.ndarray):
        return [json_ready(v) for v in value.tolist()]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if np.isfinite(f) else None
    return value


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) indices of the runs of True in a boolean array.

    Examples
    --------
    >>> runs(np.array([0, 1, 1, 0, 1], dtype=bool))
    (array([1, 4]), array([3, 5]))
    """
    m = np.asarray(mask, dtype=bool)
    if m.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    d = np.diff(m.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def range_max(values: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """``max(values[a:b])`` for each of the sorted, non-overlapping, non-empty ``[a, b)``.

    One ``np.maximum.reduceat`` over the night, without copying it: a range that runs
    to the last sample is reduceat's last one.

    Examples
    --------
    >>> range_max(np.array([1, 5, 2, 7, 3]), np.array([0, 2]), np.array([2, 5]))
    array([5, 7])
    """
    if starts.size == 0:
        return np.zeros(0, dtype=values.dtype)
    idx = np.empty(2 * starts.size, dtype=np.int64)
    idx[0::2], idx[1::2] = starts, stops
    if idx[-1] >= values.size:
        idx = idx[:-1]
    return np.maximum.reduceat(values, idx)[0::2]


def block_any(mask: np.ndarray, size: int) -> np.ndarray:
    """Whether any sample of each consecutive block of ``size`` is True (``mask.size`` a
    multiple of ``size``): ``mask.reshape(-1, size).any(axis=1)``.

    Short blocks (≤ 32, e.g. 2 samples when 512 Hz comes down to 256 Hz) are the OR of
    ``size`` strided slices: numpy's reduction along a short axis is 5–13× slower.

    Examples
    --------
    >>> block_any(np.array([0, 0, 1, 0, 0, 0], dtype=bool), 2).tolist()
    [False, True, False]
    """
    m = np.asarray(mask, dtype=bool)
    if size > 32:
        return np.asarray(m.reshape(-1, size).any(axis=1), dtype=bool)
    out = m[0::size].copy()
    for j in range(1, size):
        out |= m[j::size]
    return out


def dilate(mask: np.ndarray, r: int) -> np.ndarray:
    """Grow the True runs by ``r`` samples on both sides (a new array).

    A running maximum over ``2 r + 1`` samples (SciPy's, in C): the same mask as a
    cumulative-sum box filter, without its night-long integer temporaries.

    Examples
    --------
    >>> dilate(np.array([0, 0, 1, 0, 0, 0], dtype=bool), 1).astype(int).tolist()
    [0, 1, 1, 1, 0, 0]
    """
    m = np.ascontiguousarray(mask, dtype=bool)
    if r <= 0 or m.size == 0:
        return m.copy()
    from scipy import ndimage  # here, not at import: the command line starts without SciPy

    return ndimage.maximum_filter1d(m.view(np.uint8), 2 * r + 1, mode="constant",
                                    cval=0).view(bool)

# -- the C allocator ----------------------------------------------------------
# Conditioning a channel makes a few dozen temporary arrays of 10–60 MB each.  glibc's
# malloc serves blocks above its (dynamic) mmap threshold with fresh mmap calls and
# unmaps them on free, so every temporary costs page faults and zeroing by the kernel:
# on a 12-channel night about a third of the whole CPU time was system time.  Raising
# the mmap threshold to 128 MiB keeps such blocks in the heap for reuse; the trim
# threshold (512 MiB: free memory at the heap's top beyond it is given back) is above
# what a night's channels hold at once, since with it at 128 MiB the heap of a
# 12-channel night fell from ~580 to ~280 MB and grew again several times a night,
# each time touching fresh pages.  Linux/glibc only.
# The channels are conditioned in threads, and glibc gives each thread its own arena,
# whose heaps (64 MiB at most) cannot hold such blocks: they would be mmapped and
# unmapped again whatever the thresholds.  One arena (M_ARENA_MAX = 1) keeps every
# thread's blocks in the one heap the thresholds govern (the few, large allocations of
# numpy do not contend for its lock); on the 12-channel night it halves the page faults.
# It changes the allocator of the whole process, so the library never calls it: the
# command line does (``somnomotor analyze``, and ``somnomotor batch`` in each worker),
# and a program embedding somnomotor may opt in the same way.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
_BYTES = 128 * 1024 * 1024
_TRIM_BYTES = 512 * 1024 * 1024
_done = False


def reuse_freed_memory() -> bool:
    """Let glibc reuse freed channel-sized blocks (once per process); True when set.

    Call it before any thread starts: threads that already have arenas keep them.

    Opt-in: a process-wide allocator setting, called by the command line
    (``analyze``, ``batch`` workers), never by library code.
    """
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        try:  # by its soname: find_library would spawn ldconfig
            libc = ctypes.CDLL("libc.so.6")
        except OSError:
            libc = ctypes.CDLL(ctypes.util.find_library("c"))
        ok = bool(libc.mallopt(_M_MMAP_THRESHOLD, _BYTES)) and bool(
            libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_BYTES)) and bool(libc.mallopt(_M_ARENA_MAX, 1))
    except (OSError, AttributeError):
        return False
    _done = ok
    return ok
