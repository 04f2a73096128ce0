"""The small hand-written fixtures in tests/data/io: one 4.5-min night crossing
midnight (23:59:00 → 00:03:30) in RemLogic, NSRR XML, YASA-order text and CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from somnomotor.io import read_scorings
from somnomotor.montage import apply_montage
from somnomotor.recording import Recording

STAGES = ["W", "W", "N1", "N2", "N3", "N3", "R", "?", "W"]
EVENTS = [(72.25, 1.5, "lm", "EMG-Tib L"), (101.5, 4.0, "arousal", "EEG-C4-M1"),
          (185.0, 12.0, "apnea", "Flow"), (200.0, 8.0, "other", "SpO2"),
          (250.0, 10.5, "hypopnea", "Flow")]


@pytest.fixture()
def folder(test_data: Path) -> Path:
    return test_data / "io"


@pytest.fixture()
def recording() -> Recording:
    z = np.zeros(270, np.float32)
    return Recording.from_arrays({"EMG 1": z, "EMG 2": z, "Abd": z}, 1.0,
                                 start=dt.datetime(2024, 3, 12, 23, 59, 0))


@pytest.mark.parametrize(("name", "unknown"), [
    ("remlogic_export.txt", {}),  # DESAT: in the RemLogic table (kind other), not unknown
    ("nsrr_sample.xml", {"SpO2 desaturation|SpO2 desaturation": 1}),
])
def test_fixture_nights_agree(folder: Path, recording: Recording, name: str,
                              unknown: dict[str, int]) -> None:
    """RemLogic (clock times across midnight, SLEEP-S4 → N3) and NSRR XML (REM = 5)."""
    sc = read_scorings(folder / name, recording)
    assert sc.hypnogram.stages.tolist() == STAGES
    got = list(sc.events[["onset", "duration", "kind", "channel"]].itertuples(index=False,
                                                                             name=None))
    assert got == EVENTS
    assert sc.unknown_labels == unknown


def test_fixture_text_hypnogram_and_csv_events(folder: Path, recording: Recording) -> None:
    assert read_scorings(folder / "hypnogram_yasa.txt").hypnogram.stages.tolist() == STAGES
    sc = read_scorings(folder / "events.csv", recording)
    got = list(sc.events[["onset", "duration", "kind", "channel"]].itertuples(index=False,
                                                                             name=None))
    assert got == EVENTS and sc.unknown_labels == {"desaturation": 1}


def test_fixture_montage(folder: Path, recording: Recording) -> None:
    rec = apply_montage(recording, folder / "montage.toml")
    assert [(c.kind, c.muscle, c.side) for c in rec.channels] == [
        ("emg", "tibialis_anterior", "left"), ("emg", "tibialis_anterior", "right"),
        ("resp", "", "")]
