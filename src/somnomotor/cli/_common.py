"""Small helpers shared by the command modules."""

from __future__ import annotations

import sys
from pathlib import Path


def progress_enabled() -> bool:
    """Long work shows progress on a terminal and stays quiet when not on one."""
    return sys.stderr.isatty()


def note(message: str) -> None:
    """A progress or warning line on standard error (only on a terminal)."""
    if progress_enabled():
        print(message, file=sys.stderr, flush=True)


def warn(message: str) -> None:
    """A warning the user must see, terminal or not."""
    print(f"somnomotor: warning: {message}", file=sys.stderr, flush=True)


def out_dir(path: str | None, default: str = ".") -> Path:
    p = Path(path or default)
    p.mkdir(parents=True, exist_ok=True)
    return p
