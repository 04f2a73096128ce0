"""A fresh clone is self-contained: the README's links resolve inside it, and
``make contract`` says what it needs when the development tree's ../shared is absent."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("doc", ["README.md", *sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))])
def test_every_relative_link_resolves_inside_the_repository(doc):
    """Issue 13: README linked ../shared/docs/interfaces.md, outside a clone."""
    path = ROOT / doc
    for target in LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):
            continue  # http(s):, mailto:
        resolved = (path.parent / target).resolve()
        assert resolved.is_relative_to(ROOT), f"{doc}: {target} points outside the repository"
        assert resolved.exists(), f"{doc}: {target} does not exist"


def test_the_interfaces_document_is_in_the_repository():
    text = (ROOT / "docs" / "interfaces.md").read_text(encoding="utf-8")
    assert "# somnomotor — the promised interfaces" in text
    assert "indices_interpretable" in text and "min_sleep_for_indices_min" in text


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_contract_without_the_shared_checker_says_what_it_needs(tmp_path):
    """In a clone there is no ../shared: one clear message, exit 2, nothing installed."""
    clone = tmp_path / "clone"
    clone.mkdir()
    shutil.copy(ROOT / "Makefile", clone / "Makefile")
    r = subprocess.run(["make", "-s", "contract"], cwd=clone, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode != 0
    assert "make contract: needs the shared contract checker at ../shared/tools/check-contract" \
        in r.stderr
    assert not (clone / ".venv").exists()
