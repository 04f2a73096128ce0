"""Outputs are written whole or not at all (architecture.md, Principles)."""

import os
import stat

import pytest

from somnomotor._atomic import atomic_path, atomic_write


def test_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path):
    target = tmp_path / "summary.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(target) as fh:
        fh.write("half of the new")
        raise RuntimeError("crash mid-write")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_finished_file_has_ordinary_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "a.csv") as fh:
            fh.write("x")
        with atomic_path(tmp_path / "b.edf") as p:
            p.write_bytes(b"y")
    finally:
        os.umask(old)
    for name in ("a.csv", "b.edf"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644
