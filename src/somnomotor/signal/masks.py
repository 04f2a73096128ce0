"""Runs of True in a boolean mask, and growing them: the one run-finding helper.

Every detector and conditioning step that needs the stretches of a mask
(no-data, above a threshold, quiet) uses :func:`runs`; nothing loops over
samples.
"""

from __future__ import annotations

import numpy as np

__all__ = ["dilate", "runs"]


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


def dilate(mask: np.ndarray, r: int) -> np.ndarray:
    """Grow the True runs by ``r`` samples on both sides (cumulative-sum box filter).

    Examples
    --------
    >>> dilate(np.array([0, 0, 1, 0, 0, 0], dtype=bool), 1).astype(int).tolist()
    [0, 1, 1, 1, 0, 0]
    """
    m = np.asarray(mask, dtype=bool)
    if r <= 0 or m.size == 0:
        return m.copy()
    n = m.size
    c = np.concatenate([[0], np.cumsum(m, dtype=np.int64)])
    idx = np.arange(n)
    return (c[np.minimum(idx + r + 1, n)] - c[np.maximum(idx - r, 0)]) > 0
