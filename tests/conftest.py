"""Shared test fixtures.  Data is generated (simulator, small builders) or read
from ../shared/data/real/ where present (those tests skip when it is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = ROOT.parent / "shared" / "data" / "real"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The folder of real reference files; skip the test when it is absent."""
    if not REAL_DATA.is_dir():
        pytest.skip("../shared/data/real is not present on this machine")
    return REAL_DATA


@pytest.fixture(scope="session")
def test_data() -> Path:
    return TEST_DATA
