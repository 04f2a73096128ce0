"""Small analysed-night folders for the review tests, built by hand.

A night is a 10-minute two-leg EDF recording (LAT, RAT, Chin1-Chin2 at 200 Hz)
with broadband bursts where the events table says so, the events.csv and summary.json
that ``somnomotor analyze`` would write (provenance with ``input_file`` and
``input_sha256``), and scored.xml holding the hypnogram.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import edfio
import numpy as np

from somnomotor.events import make_events, write_events_csv
from somnomotor.export import write_nsrr_xml
from somnomotor.hypnogram import Hypnogram

FS = 200.0
DURATION_S = 600.0
STAGES = ["W"] * 2 + ["N1"] * 2 + ["N2"] * 8 + ["N3"] * 4 + ["R"] * 4


def event_rows() -> list[dict]:
    """Ten left and five right leg movements, their CLMs, and one chin myoclonus."""
    rows = []
    for i in range(10):
        onset = 120.0 + 25.0 * i
        rows.append({"onset": onset, "duration": 1.5, "kind": "lm", "channel": "LAT",
                     "muscle": "tibialis_anterior", "side": "left", "stage": "N2",
                     "amplitude_uv": 40.0 + i})
        rows.append({"onset": onset, "duration": 1.5, "kind": "clm", "stage": "N2",
                     "side": "left"})
    for i in range(5):
        rows.append({"onset": 300.0 + 30.0 * i, "duration": 2.0, "kind": "lm", "channel": "RAT",
                     "muscle": "tibialis_anterior", "side": "right", "stage": "N2",
                     "amplitude_uv": 30.0})
    rows.append({"onset": 500.0, "duration": 0.2, "kind": "myoclonus", "channel": "Chin1-Chin2",
                 "muscle": "mentalis", "side": "midline", "stage": "R", "amplitude_uv": 25.0})
    return rows


def write_recording(path: Path, rows: list[dict], seed: int = 0) -> None:
    """An EDF whose leg and chin channels carry broadband bursts (≈25 µV rms) at the events."""
    rng = np.random.default_rng(seed)
    n = int(DURATION_S * FS)
    t = np.arange(n) / FS
    sig = {label: rng.normal(0.0, 2.0, n) for label in ("LAT", "RAT", "Chin1-Chin2")}
    for r in rows:
        if r.get("channel") in sig:
            m = (t >= r["onset"]) & (t < r["onset"] + r["duration"])
            sig[r["channel"]][m] += rng.normal(0.0, 25.0, int(m.sum()))
    signals = [edfio.EdfSignal(x, FS, label=label, physical_dimension="uV",
                               physical_range=(-500.0, 500.0))
               for label, x in sig.items()]
    edfio.Edf(signals, data_record_duration=1.0).write(path)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_night(folder: Path, *, recording: Path | None, input_file: str = "night.edf",
                sha: str | None = None, hypnogram: bool = True) -> Path:
    """An analysed-night folder as ``analyze --out`` writes it; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    events = make_events(event_rows())
    write_events_csv(events, folder / "events.csv")
    summary = {"tst_h": 0.15, "sleep_efficiency": 0.9, "lm_index": 100.0, "plms_index": 66.7,
               "plmw_index": 0.0, "myoclonus_index": 6.7, "recording_duration_h": DURATION_S / 3600,
               "provenance": {"software_version": "test", "input_file": input_file,
                              "input_sha256": sha or (sha256(recording) if recording else "0" * 64),
                              "hypnogram_source": "file:hyp.csv",
                              "parameters": {"conditioning": {}},
                              "conditioning": {"mains_hz": None, "r_peaks_source": "none"}}}
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    if hypnogram:
        write_nsrr_xml(events, folder / "scored.xml",
                       hypnogram=Hypnogram.from_labels(STAGES, source="file:hyp.csv"),
                       duration=DURATION_S)
    return folder
