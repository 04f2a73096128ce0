"""Let the C allocator reuse freed signal-sized blocks instead of returning them to the OS.

Conditioning a channel makes a few dozen temporary arrays of 10–60 MB each.
glibc's malloc serves blocks above its (dynamic) mmap threshold with fresh
``mmap`` calls and unmaps them on ``free``, so every temporary costs page faults
and zeroing by the kernel: on a 12-channel night about a third of the whole
CPU time was system time.  Raising the mmap threshold to 128 MiB and the trim
threshold to the same keeps such blocks in the heap for reuse, while memory
above the trim threshold is still given back.  Linux/glibc only; elsewhere
(or if libc cannot be loaded) nothing changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

__all__ = ["reuse_freed_memory"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_BYTES = 128 * 1024 * 1024
_done = False


def reuse_freed_memory() -> bool:
    """Tune glibc's thresholds once per process; True when they were set."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        ok = bool(libc.mallopt(_M_MMAP_THRESHOLD, _BYTES)) and bool(
            libc.mallopt(_M_TRIM_THRESHOLD, _BYTES))
    except (OSError, AttributeError):
        return False
    _done = ok
    return ok
