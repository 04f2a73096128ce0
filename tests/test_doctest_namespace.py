"""No docstring example is skipped: the ones that need a recording run on the small
simulated night of the doctests' namespace (the repository's conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "somnomotor"


def test_no_docstring_example_is_skipped():
    skipped = [f"{p.relative_to(SRC)}:{i}" for p in sorted(SRC.rglob("*.py"))
               for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
               if re.search(r"doctest:\s*\+SKIP", line)]
    assert skipped == []
