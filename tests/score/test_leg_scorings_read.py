"""The leg scorer's summary says which scorings it read and used, and what its
indices were divided by (issue 13: every index names its denominator; unknown is
shown as unknown, not 0)."""

from __future__ import annotations

import pandas as pd
import pytest

from somnomotor.hypnogram import Hypnogram
from somnomotor.score.legs import LegParams, score_leg_movements

NO_LMS = pd.DataFrame(columns=["onset", "duration", "side"])


def _night() -> Hypnogram:
    # 10 min wake, 60 min N2, 10 min wake (WASO), 40 min REM: 100 min of sleep
    return Hypnogram.from_labels(["W"] * 20 + ["N2"] * 120 + ["W"] * 20 + ["R"] * 80)


def test_ahi_and_arousal_index_count_the_scored_events_in_sleep_per_hour_of_sleep():
    scored = pd.DataFrame({
        "onset": [900.0, 1200.0, 5500.0, 60.0, 950.0, 5000.0],
        "duration": [15.0, 20.0, 12.0, 15.0, 5.0, 4.0],
        "kind": ["apnea", "Hypopnea", "rera", "apnea", "arousal", "arousal"]})
    res = score_leg_movements(NO_LMS, hypnogram=_night(), scored_events=scored,
                              recording_duration=7200.0, params=LegParams())
    s = res.summary
    assert s["scored_events_read"] is True
    assert s["respiratory_event_count"] == 4 and s["arousal_count"] == 2
    sleep_h = 100.0 / 60.0
    assert s["leg_index_hours"] == pytest.approx(sleep_h)
    assert s["ahi"] == pytest.approx(3 / sleep_h)          # the apnea at 60 s is in wake (before sleep onset)
    assert s["arousal_index"] == pytest.approx(2 / sleep_h)
    assert s["plmw_denominator_min"] == pytest.approx(10.0)  # WASO, the PLMW denominator
    assert s["lm_excluded_respiratory_count"] == 0


def test_indices_of_scorings_never_read_are_unknown_not_zero():
    res = score_leg_movements(NO_LMS, hypnogram=_night(), scored_events=None,
                              recording_duration=7200.0, params=LegParams())
    s = res.summary
    assert s["scored_events_read"] is False
    assert s["ahi"] is None and s["arousal_index"] is None
    assert s["respiratory_event_count"] == 0


def test_without_stages_the_denominator_is_the_recording():
    res = score_leg_movements(NO_LMS, hypnogram=Hypnogram.unscored(3600.0), scored_events=None,
                              recording_duration=3600.0, params=LegParams())
    assert res.summary["leg_index_hours"] == pytest.approx(1.0)
    assert res.summary["plmw_denominator_min"] is None
