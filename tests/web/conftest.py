"""Fixtures for the review application: a results folder with analysed nights."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _nights import event_rows, write_night, write_recording  # noqa: E402


@pytest.fixture(scope="session")
def recording_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One 10-min EDF shared by the tests (never written after creation)."""
    path = tmp_path_factory.mktemp("rec") / "night.edf"
    write_recording(path, event_rows())
    return path


@pytest.fixture
def results(tmp_path: Path, recording_file: Path) -> Path:
    """``data/night.edf`` and ``data/out/{night, batch/b1}`` analysed nights beside it."""
    data = tmp_path / "data"
    data.mkdir()
    rec = data / "night.edf"
    rec.write_bytes(recording_file.read_bytes())
    out = data / "out"
    write_night(out / "night", recording=rec)
    write_night(out / "batch" / "b1", recording=rec, hypnogram=False)
    return out


@pytest.fixture
def client(results: Path):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from somnomotor.web import create_app

    return TestClient(create_app(results), base_url="http://127.0.0.1")
