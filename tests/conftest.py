"""Shared test fixtures.  Data is generated (simulator, small builders) or read
from ../shared/data/real/ where present (those tests skip when it is absent)."""

from __future__ import annotations

import shutil
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


#: Debian's Chromium, driven by Playwright (no browser download).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """A headless Debian Chromium for the page tests; fails (never skips) when missing."""
    import playwright.sync_api as sync_api
    if not shutil.which("chromium"):
        pytest.fail("Debian's chromium is missing: run `make browser` (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
