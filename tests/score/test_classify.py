"""One detection, many classifications (issue 12): the per-channel patterns classify the
contraction table, and each ``contraction`` row names its classification in ``pattern``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import signal

from somnomotor.detect.bursts import contraction_parts
from somnomotor.events import EVENT_COLUMNS
from somnomotor.hypnogram import Hypnogram
from somnomotor.pipeline import score_recording_muscles
from somnomotor.recording import Recording
from somnomotor.score.muscles import PATTERN_ORDER

FS = 256.0
HYP = Hypnogram.from_labels(["N2"] * 20)


def _burst(m: int, amp: float, rng: np.random.Generator) -> np.ndarray:
    sos = signal.butter(4, [30, 120], btype="bandpass", fs=FS, output="sos")
    z = signal.sosfilt(sos, rng.standard_normal(m + 256))[256:]
    return z / np.std(z) * amp / 2.5 * signal.windows.tukey(m, 0.3)


def _night(events: dict[str, list[tuple[float, float, float]]], duration: float = 600.0,
           seed: int = 0) -> Recording:
    """Channels of 2.5-µV noise with bursts (onset s, duration s, amplitude µV)."""
    rng = np.random.default_rng(seed)
    n = int(duration * FS)
    out = {}
    for label, bursts in events.items():
        x = 2.5 * rng.standard_normal(n)
        for on, du, amp in bursts:
            m = int(du * FS)
            x[int(on * FS):int(on * FS) + m] += _burst(m, amp, rng)
        out[label] = x.astype(np.float32)
    return Recording.from_arrays(out, FS)


def _contractions(res, channel: str) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    ev = res.events
    return ev[(ev["kind"] == "contraction") & (ev["channel"] == channel)]


def test_pattern_is_the_last_events_column_and_named_on_contraction_rows_only():
    """interfaces.md: ``pattern`` appended after ``channels``; empty on every other kind."""
    rec = _night({"SCM L": [(100.0, 0.12, 60.0)], "EMG MFD-l": [(200.0, 0.12, 60.0)]})
    res = score_recording_muscles(rec, HYP)
    assert list(res.events.columns) == list(EVENT_COLUMNS)
    assert EVENT_COLUMNS[-2:] == ("channels", "pattern")
    assert (res.events.loc[res.events["kind"] != "contraction", "pattern"] == "").all()
    assert set(res.events["pattern"]) <= set(PATTERN_ORDER)


def test_neck_jerk_is_neck_myoclonus_arm_jerk_myoclonus_slow_grasp_nothing():
    """Frauscher 2014: a neck contraction < 500 ms is neck myoclonus — a classification of
    the neck channel's contraction, not a kind of its own; a brief arm jerk is myoclonus;
    a 3-s grasp is a contraction with no pattern (too long for a jerk, alone: not GRM)."""
    rec = _night({"SCM L": [(100.0, 0.15, 60.0), (300.0, 0.3, 60.0)],
                  "EMG MFD-l": [(200.0, 0.12, 60.0), (400.0, 3.0, 40.0)]})
    res = score_recording_muscles(rec, HYP)
    assert "neck_myoclonus" not in set(res.events["kind"])
    neck = _contractions(res, "SCM L")
    arm = _contractions(res, "EMG MFD-l")
    assert neck["pattern"].tolist() == ["neck_myoclonus", "neck_myoclonus"]
    assert arm["pattern"].tolist() == ["myoclonus", ""]
    assert abs(arm["duration"].iloc[1] - 3.0) < 0.3
    assert res.summary["neck_myoclonus_count"] == 2
    myo = res.events[res.events["kind"] == "myoclonus"]
    assert sorted(myo["channel"]) == ["EMG MFD-l", "SCM L", "SCM L"]


def test_a_neck_contraction_of_half_a_second_is_not_neck_myoclonus():
    """Frauscher 2014: neck myoclonus is < 500 ms; a 0.8-s neck contraction is not."""
    rec = _night({"SCM L": [(100.0, 0.8, 60.0)]})
    res = score_recording_muscles(rec, HYP)
    c = _contractions(res, "SCM L")
    assert len(c) == 1 and c["pattern"].iloc[0] == ""
    assert res.summary["neck_myoclonus_count"] == 0


def test_a_rhythmic_train_is_one_episode_and_its_contractions_say_so():
    """AASM v2.6 rhythmic movement disorder: ≥ 4 bursts at 0.5–2.0 Hz over large muscle
    groups.  Eight 0.3-s bursts at 1 Hz in the neck and back: one ``rhythmic_movement``
    episode; its contractions carry that pattern, and its bursts are not myoclonus."""
    train = [(100.0 + k, 0.3, 50.0) for k in range(8)]
    rec = _night({"SCM L": train, "Paraspinal": [(t + 0.02, d, a) for t, d, a in train],
                  "EMG MFD-l": [(300.0, 0.12, 60.0)]}, seed=2)
    res = score_recording_muscles(rec, HYP)
    rmd = res.events[res.events["kind"] == "rhythmic_movement"]
    assert len(rmd) == 1 and abs(rmd["onset"].iloc[0] - 100.0) < 0.1
    for ch in ("SCM L", "Paraspinal"):
        c = _contractions(res, ch)
        assert set(c["pattern"]) == {"rhythmic_movement"}
    myo = res.events[res.events["kind"] == "myoclonus"]
    assert myo["channel"].tolist() == ["EMG MFD-l"]


def test_three_bursts_are_not_a_rhythmic_train():
    """AASM v2.6: ≥ 4 movements make a cluster — three at 1 Hz are myoclonus."""
    train = [(100.0 + k, 0.3, 50.0) for k in range(3)]
    rec = _night({"SCM L": train, "Paraspinal": [(t + 0.02, d, a) for t, d, a in train]},
                 seed=3)
    res = score_recording_muscles(rec, HYP)
    assert not (res.events["kind"] == "rhythmic_movement").any()
    assert (res.events["kind"] == "myoclonus").sum() == 6


# -- contraction parts -----------------------------------------------------------------

def _table(rows, **extra):  # type: ignore[no-untyped-def]
    df = pd.DataFrame(rows, columns=["onset", "duration", "amplitude_uv"])
    return df.assign(tonic=df["duration"] >= 5.0, rest_uv=2.0, **extra)


def test_a_contraction_holding_two_jerks_is_cut_into_them():
    """A sleep start followed 0.5 s later by a second jerk, merged into one contraction:
    both jerks are parts of it, each with its own onset and duration."""
    c = _table([(10.0, 1.2, 90.0)])
    j = _table([(10.05, 0.15, 90.0), (10.7, 0.2, 40.0), (30.0, 0.1, 40.0)])
    p = contraction_parts(c, j)
    assert p[["onset", "duration"]].values.tolist() == [[10.05, 0.15], [10.7, 0.2]]
    assert p["contraction"].tolist() == [0, 0] and p["burst"].all()


def test_a_weak_slow_contraction_without_a_burst_is_one_part():
    c = _table([(10.0, 3.0, 6.0)])
    p = contraction_parts(c, _table([]))
    assert p[["onset", "duration"]].values.tolist() == [[10.0, 3.0]]
    assert not p["burst"].any()


def test_sustained_activity_is_not_cut_but_a_train_inside_a_long_contraction_is():
    """A 20-s tonic contraction covered by its bursts stays whole; one whose eight bursts
    cover a quarter of it, standing well out of its background, is cut into them; bursts
    only just above its background (raised tone) do not cut it."""
    c = _table([(10.0, 20.0, 60.0), (50.0, 20.0, 60.0), (90.0, 20.0, 60.0)])
    covered = _table([(10.0, 9.0, 60.0), (19.2, 10.0, 60.0)])
    train = _table([(50.0 + 2 * k, 0.6, 60.0) for k in range(8)])
    weak = _table([(90.0 + 2 * k, 0.6, 9.0) for k in range(8)])
    jerks = pd.concat([covered, train, weak], ignore_index=True)
    p = contraction_parts(c, jerks, background=np.array([6.0, 4.0, 4.0]))
    assert p.loc[p["contraction"] == 0, ["onset", "duration"]].values.tolist() == [[10.0, 20.0]]
    assert p.loc[p["contraction"] == 1, "onset"].tolist() == [50.0 + 2 * k for k in range(8)]
    assert p.loc[p["contraction"] == 2, "duration"].tolist() == [20.0]


def test_a_weak_contraction_whose_crests_cross_the_burst_level_is_one_jerk_not_a_train():
    """A 3.8-s contraction hovering about the burst onset level crosses it four times at
    ~1 Hz (its bursts cover 77 % of it): one sustained part, a jerk (it reaches the burst
    level), not four parts a rhythmic-movement rule (0.5–2 Hz, ≥ 4) would take.  Two
    jerks in a 1.2-s contraction (29 % covered) are still cut into them."""
    c = _table([(10.0, 3.8, 9.5), (30.0, 1.2, 90.0)])
    crests = _table([(10.4, 0.8, 9.5), (11.4, 0.68, 8.2), (12.1, 0.94, 8.2), (13.2, 0.54, 8.7),
                     (30.05, 0.15, 90.0), (30.7, 0.2, 40.0)])
    p = contraction_parts(c, crests)
    assert p.loc[p["contraction"] == 0, ["onset", "duration"]].values.tolist() == [[10.0, 3.8]]
    assert p.loc[p["contraction"] == 0, "burst"].tolist() == [True]
    assert p.loc[p["contraction"] == 1, "onset"].tolist() == [30.05, 30.7]


def test_a_sustained_contraction_reaching_the_burst_level_is_a_jerk_a_weak_one_not():
    """definitions.md (GRM): contractions up to 10 s count — Bruno's ~5-s pectoral
    contractions — when they reach the burst onset level; a 6-s contraction covered by
    its burst is one part and a jerk, a 6-s contraction holding no burst is neither."""
    c = _table([(10.0, 6.0, 40.0), (30.0, 6.0, 3.0)])
    p = contraction_parts(c, _table([(10.1, 5.8, 40.0)]))
    assert p[["onset", "duration"]].values.tolist() == [[10.0, 6.0], [30.0, 6.0]]
    assert p["burst"].tolist() == [True, False]


def test_bursts_of_a_contraction_must_stand_out_of_its_level_between_them():
    """A 4-s contraction whose four bursts (half of it) peak at 11 µV over a level of
    5 µV between them is one sustained contraction (and a jerk): its crests do not stand
    8 µV and 2 × that level out of it.  The same bursts over a quiet 2.1 µV between them
    are a train, cut into its four parts."""
    c = _table([(10.0, 4.0, 8.0)])
    crests = _table([(10.2 + k, 0.5, 9.0) for k in range(4)])  # 9 µV above a 2-µV rest
    whole = contraction_parts(c, crests, between=np.array([5.0]))
    assert whole[["onset", "duration"]].values.tolist() == [[10.0, 4.0]]
    assert whole["burst"].tolist() == [True]
    train = contraction_parts(c, crests, between=np.array([2.1]))
    assert train["onset"].tolist() == [10.2, 11.2, 12.2, 13.2]
