"""``somnomotor evaluate``: per-kind table on stdout, JSON with --out, errors as one line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from somnomotor.cli import main
from somnomotor.events import make_events, write_events_csv


def _write(path: Path, rows: list[dict]) -> Path:
    write_events_csv(make_events(pd.DataFrame(rows)), path)
    return path


def test_prints_table_and_writes_json(tmp_path: Path, capsys) -> None:
    truth = _write(tmp_path / "t.csv", [
        {"onset": 10.0, "duration": 1.0, "kind": "lm", "side": "left"},
        {"onset": 30.0, "duration": 1.0, "kind": "lm", "side": "left"},
        {"onset": 50.0, "duration": 0.1, "kind": "myoclonus", "muscle": "fds"}])
    found = _write(tmp_path / "e.csv", [
        {"onset": 10.1, "duration": 1.0, "kind": "lm", "side": "left"},
        {"onset": 80.0, "duration": 1.0, "kind": "lm", "side": "left"}])
    ts, s = tmp_path / "ts.json", tmp_path / "s.json"
    ts.write_text(json.dumps({"plms_index": 10.0}))
    s.write_text(json.dumps({"plms_index": 12.0}))
    out = tmp_path / "r.json"
    assert main(["evaluate", "--truth", str(truth), "--events", str(found), "--out", str(out),
                 "--truth-summary", str(ts), "--summary", str(s)]) == 0
    text = capsys.readouterr().out
    assert "lm" in text and "myoclonus" in text and "plms_index" in text
    res = json.loads(out.read_text())
    assert res["kinds"]["lm"]["f1"] == pytest.approx(0.5)
    assert res["kinds"]["myoclonus"]["precision"] is None
    assert res["index_differences"]["plms_index"]["difference"] == 2.0


def test_kinds_option_limits_the_comparison(tmp_path: Path, capsys) -> None:
    t = _write(tmp_path / "t.csv", [{"onset": 1.0, "duration": 1.0, "kind": "lm"},
                                     {"onset": 1.0, "duration": 1.0, "kind": "plm"}])
    out = tmp_path / "r.json"
    assert main(["evaluate", "--truth", str(t), "--events", str(t), "--kinds", "plm",
                 "--out", str(out)]) == 0
    assert list(json.loads(out.read_text())["kinds"]) == ["plm"]


def test_unreadable_truth_is_one_line_exit_1(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "t.csv"
    bad.write_text("a,b\n1,2\n")
    e = _write(tmp_path / "e.csv", [{"onset": 1.0, "duration": 1.0, "kind": "lm"}])
    assert main(["evaluate", "--truth", str(bad), "--events", str(e)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "t.csv" in err[0]


def test_summary_options_go_together(tmp_path: Path, capsys) -> None:
    e = _write(tmp_path / "e.csv", [{"onset": 1.0, "duration": 1.0, "kind": "lm"}])
    assert main(["evaluate", "--truth", str(e), "--events", str(e),
                 "--summary", str(tmp_path / "s.json")]) == 1
    assert "--truth-summary" in capsys.readouterr().err
