"""The checks every scorer passes (style.md: one shared test for all scorers):
the events-table schema, empty input, NaN input, one-sample input — never a
crash, never an invented event, every promised summary key present."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from somnomotor.detect.legs import LegDetectParams, detect_leg_movements
from somnomotor.events import EVENT_COLUMNS, EVENT_KINDS, empty_scored
from somnomotor.hypnogram import Hypnogram
from somnomotor.pipeline import analyze, score_recording_muscles
from somnomotor.recording import Recording
from somnomotor.score.legs import LEG_SUMMARY_KEYS, LegParams, score_leg_movements
from somnomotor.score.muscles import SUMMARY_KEYS

FS = 256.0
LABELS = ("LAT", "RAT", "EMG MFD-r", "Intercostal R", "Paraspinal", "Chin1-Chin2")


def _recording(fill: float, seconds: float) -> Recording:
    n = max(1, int(seconds * FS))
    return Recording.from_arrays({k: np.full(n, fill, np.float32) for k in LABELS}, FS)


def _hypnogram(seconds: float) -> Hypnogram:
    n = max(1, int(np.ceil(seconds / 30.0)))
    return Hypnogram.from_labels((["W", "N1", "N2", "N2", "N3", "R"] * n)[:n])


def _check_schema(events: pd.DataFrame) -> None:
    assert list(events.columns) == list(EVENT_COLUMNS)
    assert set(events["kind"]) <= set(EVENT_KINDS)
    assert events["onset"].is_monotonic_increasing


def _check_summary(summary: dict, keys) -> None:
    missing = [k for k in keys if k not in summary]
    assert not missing, missing
    json.dumps(summary, allow_nan=False)  # valid JSON: no NaN literals


CASES = {
    "flat (disconnected)": (0.0, 600.0),
    "all NaN (a gap)": (np.nan, 600.0),
    "one sample": (5.0, 1.0 / FS),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_leg_scorer_contract(case):
    fill, seconds = CASES[case]
    rec = _recording(fill, seconds)
    lms, quality = detect_leg_movements(rec, LegDetectParams())
    assert len(lms) == 0
    res = score_leg_movements(lms, hypnogram=_hypnogram(seconds), scored_events=empty_scored(),
                              recording_duration=rec.duration, params=LegParams())
    _check_schema(res.events)
    assert len(res.events) == 0
    _check_summary(res.summary, LEG_SUMMARY_KEYS)
    assert res.summary["lm_count"] == 0 and res.summary["plms_index"] == 0


@pytest.mark.parametrize("case", sorted(CASES))
def test_muscle_scorer_contract(case):
    fill, seconds = CASES[case]
    rec = _recording(fill, seconds)
    res = score_recording_muscles(rec, _hypnogram(seconds), scored_events=empty_scored())
    _check_schema(res.events)
    assert not (res.events["kind"] == "myoclonus").any()
    _check_summary(res.summary, SUMMARY_KEYS)
    assert res.summary["myoclonus_index"] in (0, 0.0, None)


def test_leg_scorer_on_an_empty_night_without_stages():
    res = score_leg_movements(pd.DataFrame(columns=["onset", "duration", "side"]),
                              hypnogram=Hypnogram.unscored(3600.0), scored_events=empty_scored(),
                              recording_duration=3600.0, params=LegParams())
    _check_schema(res.events)
    assert res.summary["index_basis"] == "recording"
    _check_summary(res.summary, LEG_SUMMARY_KEYS)


@pytest.mark.parametrize("case", sorted(CASES))
def test_whole_analysis_contract(case):
    fill, seconds = CASES[case]
    result = analyze(_recording(fill, seconds), hypnogram=_hypnogram(seconds), staging="none")
    _check_schema(result.events)
    assert len(result.events[result.events["kind"].isin(["lm", "myoclonus"])]) == 0
    _check_summary(result.summary, LEG_SUMMARY_KEYS + tuple(SUMMARY_KEYS))
