"""The review application over a folder written by the real pipeline (analyze + write_outputs)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from _nights import STAGES, event_rows, write_recording
from fastapi.testclient import TestClient

from somnomotor.events import read_events_csv
from somnomotor.hypnogram import Hypnogram
from somnomotor.web import create_app


@pytest.fixture(scope="module")
def analysed_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``night.edf`` analysed once into ``out/night`` (report skipped)."""
    from somnomotor.pipeline import analyze, read, write_outputs

    base = tmp_path_factory.mktemp("analysed")
    rec_path = base / "night.edf"
    write_recording(rec_path, event_rows())
    rec = read(rec_path)
    result = analyze(rec, hypnogram=Hypnogram.from_labels(STAGES, source="file:test"),
                     staging="none")
    write_outputs(result, base / "out" / "night", recording=rec, report=False)
    return base


@pytest.fixture
def analysed(analysed_once: Path, tmp_path: Path) -> Path:
    """A private copy per test (reviews write into the night folder)."""
    copy = tmp_path / "base"
    shutil.copytree(analysed_once, copy)
    return copy / "out"


def _reject_one_lm_and_export(c: TestClient) -> dict:
    lm = c.get("/api/nights/night/events", params={"kind": "lm"}).json()["events"][3]
    r = c.post("/api/nights/night/review/decisions",
               json={"key": lm["key"], "decision": "reject", "reviewer": "QA"})
    assert r.status_code == 200
    assert c.post("/api/nights/night/review/export", json={"reviewer": "QA"}).status_code == 200
    return lm


def test_pipeline_output_is_served_with_signal_and_hypnogram(analysed: Path) -> None:
    c = TestClient(create_app(analysed), base_url="http://127.0.0.1")
    nights = c.get("/api/nights").json()["nights"]
    assert [n["id"] for n in nights] == ["night"]
    s = c.get("/api/nights/night/summary").json()
    assert s["signal"]["available"] is True      # found above the output folder, same SHA-256
    hyp = c.get("/api/nights/night/hypnogram").json()
    assert hyp["stages"] == STAGES                # read back from scored.xml
    lms = c.get("/api/nights/night/events", params={"kind": "lm"}).json()["events"]
    assert len(lms) >= 10
    # the detected movements sit on the bursts written into the recording
    truth = np.array(sorted(r["onset"] for r in event_rows() if r["kind"] == "lm"))
    onsets = np.array([e["onset"] for e in lms])
    assert np.abs(onsets[:, None] - truth[None, :]).min(axis=1).max() < 0.5


def test_reviewed_export_of_a_pipeline_night_reads_back(analysed: Path) -> None:
    c = TestClient(create_app(analysed), base_url="http://127.0.0.1")
    first = _reject_one_lm_and_export(c)
    before = read_events_csv(analysed / "night" / "events.csv")
    after = read_events_csv(analysed / "night" / "reviewed-events.csv")
    assert len(after) == len(before) - 1
    gone = after[(after["kind"] == "lm") & (after["channel"] == first["channel"])
                 & np.isclose(after["onset"], first["onset"])]
    assert gone.empty


def test_score_events_rescores_the_reviewed_leg_movements(analysed: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    """The export feeds ``somnomotor score-events``: one LM fewer after one rejection."""
    from somnomotor.cli import main

    c = TestClient(create_app(analysed), base_url="http://127.0.0.1")
    _reject_one_lm_and_export(c)
    night = analysed / "night"
    hyp = analysed / "hyp.txt"
    hyp.write_text("\n".join(STAGES) + "\n", encoding="utf-8")
    counts = {}
    for name in ("events.csv", "reviewed-events.csv"):
        out = analysed / f"rescored-{name}"
        assert main(["score-events", str(night / name), "--hypnogram", str(hyp),
                     "--out", str(out)]) == 0
        counts[name] = json.loads((out / "summary.json").read_text())["lm_count"]
    assert counts["reviewed-events.csv"] == counts["events.csv"] - 1


def test_evaluate_compares_reviewed_with_automatic_events(analysed: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    """``somnomotor evaluate --truth reviewed --events automatic``: the rejection is an FP."""
    from somnomotor.cli import main

    c = TestClient(create_app(analysed), base_url="http://127.0.0.1")
    _reject_one_lm_and_export(c)
    night = analysed / "night"
    figures = analysed / "agreement.json"
    assert main(["evaluate", "--truth", str(night / "reviewed-events.csv"), "--events",
                 str(night / "events.csv"), "--kinds", "lm", "--out", str(figures)]) == 0
    lm = json.loads(figures.read_text())["kinds"]["lm"]
    assert (lm["fp"], lm["fn"]) == (1, 0)
    assert lm["tp"] == lm["n_truth"] == lm["n_detected"] - 1
