"""The review application over a folder written by the real pipeline (analyze + write_outputs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _nights import STAGES, event_rows, write_recording
from fastapi.testclient import TestClient

from somnomotor.events import read_events_csv
from somnomotor.hypnogram import Hypnogram
from somnomotor.web import create_app


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from somnomotor.pipeline import analyze, read, write_outputs

    base = tmp_path_factory.mktemp("analysed")
    rec_path = base / "night.edf"
    write_recording(rec_path, event_rows())
    rec = read(rec_path)
    result = analyze(rec, hypnogram=Hypnogram.from_labels(STAGES, source="file:test"),
                     staging="none")
    write_outputs(result, base / "out" / "night", recording=rec, report=False)
    return base / "out"


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
    lms = c.get("/api/nights/night/events", params={"kind": "lm"}).json()["events"]
    first = lms[0]
    r = c.post("/api/nights/night/review/decisions",
               json={"key": first["key"], "decision": "reject", "reviewer": "QA"})
    assert r.status_code == 200
    assert c.post("/api/nights/night/review/export", json={"reviewer": "QA"}).status_code == 200
    before = read_events_csv(analysed / "night" / "events.csv")
    after = read_events_csv(analysed / "night" / "reviewed-events.csv")
    assert len(after) == len(before) - 1
    gone = after[(after["kind"] == "lm") & (after["channel"] == first["channel"])
                 & np.isclose(after["onset"], first["onset"])]
    assert gone.empty
