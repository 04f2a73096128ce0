"""Morning (final-awakening) tonic activity, per muscle, and the last 10 minutes of sleep."""

from __future__ import annotations

import pandas as pd
import pytest

from somnomotor.hypnogram import Hypnogram
from somnomotor.score.morning import final_awakening, score_morning


def _tonic(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["onset", "duration", "channel", "muscle", "region"])
    return df.assign(side="midline", amplitude_uv=20.0, tonic=True)


HYP = Hypnogram.from_labels(["W"] * 2 + ["N2"] * 40 + ["W"] * 20)  # last sleep epoch ends 1260 s
DURATION = 62 * 30.0


def test_final_awakening_is_end_of_last_sleep_epoch():
    assert final_awakening(HYP) == 1260.0
    assert final_awakening(Hypnogram.from_labels(["W", "W"])) is None


def test_tonic_after_final_awakening_counts_per_muscle():
    b = _tonic([(1300.0, 120.0, "Paraspinal", "paraspinal", "back"),
                (1400.0, 30.0, "SCM L", "scm", "neck"),
                (1500.0, 60.0, "Paraspinal", "paraspinal", "back")])
    rows, s = score_morning(b, HYP, DURATION)
    assert s["morning_tonic_seconds"] == pytest.approx(210.0)
    assert s["morning_tonic_episodes"] == 3
    assert s["morning_tonic_seconds_by_muscle"] == {"paraspinal": 180.0, "scm": 30.0}
    assert s["morning_tonic_episodes_by_muscle"] == {"paraspinal": 2, "scm": 1}
    assert set(rows["kind"]) == {"morning_tonic"} and set(rows["stage"]) == {"W"}


def test_tonic_in_last_10_minutes_of_sleep_is_counted_apart():
    b = _tonic([(1000.0, 40.0, "Paraspinal", "paraspinal", "back"),   # in the last 10 min
                (500.0, 40.0, "Paraspinal", "paraspinal", "back"),    # earlier: neither
                (1240.0, 40.0, "Rectus Abd", "rectus_abdominis", "abdomen")])  # straddles
    rows, s = score_morning(b, HYP, DURATION)
    assert s["last_10min_sleep_tonic_seconds"] == pytest.approx(60.0)
    assert s["morning_tonic_seconds"] == pytest.approx(20.0)  # the straddling part after 1260 s
    assert rows["onset"].tolist() == [1260.0]


def test_brief_bursts_and_chin_tone_are_not_morning_spasms():
    b = _tonic([(1300.0, 60.0, "Chin", "mentalis", "chin")])
    b = pd.concat([b, _tonic([(1400.0, 0.2, "FDS L", "fds", "arm")]).assign(tonic=False)])
    rows, s = score_morning(b, HYP, DURATION)
    assert s["morning_tonic_seconds"] == 0.0 and len(rows) == 0


def test_no_sleep_gives_undefined_window():
    rows, s = score_morning(_tonic([]), Hypnogram.from_labels(["W"] * 4), 120.0)
    assert s["morning_window_s"] is None and s["morning_tonic_seconds"] == 0.0
