"""Two small helpers every part needs: a file's SHA-256 and JSON-ready values."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

_BLOCK = 1 << 22  # 4 MiB


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 (hex) of a file, read in 4-MiB blocks (memory stays flat)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            h.update(block)
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
