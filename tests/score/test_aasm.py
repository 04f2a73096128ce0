"""The AASM movement chapter (AASM Manual v2.6 movement rules; IRLSSG 2021): each test
sits on one side of a rule's boundary and checks the classifier answers accordingly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from somnomotor.hypnogram import Hypnogram
from somnomotor.score.aasm_movements import AASM_SUMMARY_KEYS, score_aasm_movements
from somnomotor.score.aasm_rules import AasmParams, frequency_trains
from somnomotor.score.alma import score_alma
from somnomotor.score.bruxism import score_bruxism
from somnomotor.score.foot_tremor import score_foot_tremor
from somnomotor.score.large_movements import score_large_movements
from somnomotor.score.rhythmic import score_rhythmic_movements

CHANNELS = {  # label: (muscle, side, region)
    "LAT": ("tibialis_anterior", "left", "leg"), "RAT": ("tibialis_anterior", "right", "leg"),
    "FDS L": ("fds", "left", "arm"), "Paraspinal": ("paraspinal", "midline", "back"),
    "SCM L": ("scm", "left", "neck"), "Chin": ("mentalis", "midline", "chin"),
    "Masseter L": ("masseter", "left", "chin"),
}
P = AasmParams()
HYP = Hypnogram.unscored(600.0)


def _avail(labels=tuple(CHANNELS)) -> pd.DataFrame:
    return pd.DataFrame({"channel": list(labels), "muscle": [CHANNELS[c][0] for c in labels],
                         "side": [CHANNELS[c][1] for c in labels],
                         "region": [CHANNELS[c][2] for c in labels]})


def _table(rows: list[tuple[float, float, str]], amplitude: float = 20.0, rest: float = 2.0,
           tonic: bool = False) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["onset", "duration", "channel"])
    for i, col in enumerate(("muscle", "side", "region")):
        df[col] = [CHANNELS[c][i] for c in df["channel"]]
    df["amplitude_uv"] = amplitude
    df["rest_uv"] = rest
    df["tonic"] = tonic
    return df


def _train(n: int, interval: float, channels: list[str], t0: float = 100.0,
           dur: float = 0.2) -> list[tuple[float, float, str]]:
    return [(t0 + i * interval, dur, channels[i % len(channels)]) for i in range(n)]


# -- trains -----------------------------------------------------------------------------

def test_frequency_trains_split_where_an_interval_leaves_the_band():
    on = np.array([0.0, 1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 13.0, 14.0])
    trains = frequency_trains(on, 0.5, 3.0, 4)
    assert [t.tolist() for t in trains] == [[0, 1, 2, 3], [4, 5, 6, 7, 8]]


# -- ALMA: ≥ 4 alternating bursts, 0.5–3.0 Hz (AASM v2.6; Chervin 2003) -------------------

@pytest.mark.parametrize(("n", "interval", "expected"), [
    (4, 1.0, 1), (3, 1.0, 0),            # ≥ 4 bursts
    (4, 2.0, 1), (4, 2.05, 0),           # 0.5 Hz lower limit
    (4, 1 / 3.0, 1), (4, 0.32, 0),       # 3.0 Hz upper limit
])
def test_alma_burst_count_and_frequency_limits(n, interval, expected):
    rows, summary, used = score_alma(_table(_train(n, interval, ["LAT", "RAT"], dur=0.15)),
                                     HYP, P, available=_avail())
    assert summary["alma_count"] == expected
    assert len(rows) == expected and used.sum() == (n if expected else 0)


@pytest.mark.parametrize(("gap", "episodes"), [(2.0, 1), (2.1, 2)])
def test_alma_trains_close_together_are_one_series(gap, episodes):
    first = _train(4, 0.5, ["LAT", "RAT"], dur=0.2)  # ends at 101.7
    second = _train(4, 0.5, ["LAT", "RAT"], t0=101.7 + gap, dur=0.2)
    _, summary, _ = score_alma(_table(first + second), HYP, P, available=_avail())
    assert summary["alma_count"] == episodes


def test_alma_needs_alternation_between_the_legs():
    rows, summary, _ = score_alma(_table(_train(6, 1.0, ["LAT"])), HYP, P, available=_avail())
    assert summary["alma_count"] == 0


def test_alma_without_both_legs_is_not_scorable_not_zero():
    rows, summary, _ = score_alma(_table(_train(6, 1.0, ["LAT"])), HYP, P,
                                  available=_avail(("LAT", "Chin")))
    assert summary["alma_count"] is None
    assert "no right leg" in summary["alma_note"]


# -- HFT: ≥ 4 bursts in a train, 0.3–4.0 Hz (AASM v2.6; Yang & Winkelman 2010) ----------

@pytest.mark.parametrize(("n", "interval", "expected"), [
    (4, 1.0, 1), (3, 1.0, 0),            # ≥ 4 bursts
    (4, 1 / 0.3, 1), (4, 3.4, 0),        # 0.3 Hz lower limit
    (4, 0.25, 1), (4, 0.24, 0),          # 4.0 Hz upper limit
])
def test_foot_tremor_burst_count_and_frequency_limits(n, interval, expected):
    rows, summary, _ = score_foot_tremor(_table(_train(n, interval, ["LAT"], dur=0.1)), HYP, P,
                                         available=_avail())
    assert summary["hypnagogic_foot_tremor_count"] == expected


def test_foot_tremor_without_a_leg_channel_is_not_scorable():
    _, summary, _ = score_foot_tremor(_table([]), HYP, P, available=_avail(("Chin",)))
    assert summary["hypnagogic_foot_tremor_count"] is None
    assert "no leg" in summary["hypnagogic_foot_tremor_note"]


def test_alternating_train_is_alma_not_foot_tremor():
    table = _table(_train(8, 0.5, ["LAT", "RAT"]))
    _, summary, _ = score_aasm_movements(table, HYP, P, available=_avail(), sleep_h=1.0)
    assert summary["alma_count"] == 1
    assert summary["hypnagogic_foot_tremor_count"] == 0


# -- Bruxism (AASM v2.6) -------------------------------------------------------------------

def _brux(rows, **kw):
    return score_bruxism(_table(rows, **kw), HYP, P, available=_avail())[1]


def test_bruxism_phasic_needs_three_elevations():
    assert _brux(_train(3, 1.5, ["Chin"], dur=0.5))["bruxism_phasic_count"] == 1
    assert _brux(_train(2, 1.5, ["Chin"], dur=0.5))["bruxism_episode_count"] == 0


@pytest.mark.parametrize(("dur", "expected"), [(0.25, 1), (0.24, 0), (2.0, 1)])
def test_bruxism_phasic_duration_limits(dur, expected):
    s = _brux(_train(3, dur + 1.0, ["Chin"], dur=dur))
    assert s["bruxism_phasic_count"] == expected
    assert s["bruxism_tonic_count"] == 0  # 2.0 s is phasic, not tonic (tonic: > 2 s)


@pytest.mark.parametrize(("dur", "expected"), [(2.01, 1), (2.0, 0)])
def test_bruxism_tonic_is_one_elevation_over_two_seconds(dur, expected):
    s = _brux([(100.0, dur, "Chin")])
    assert s["bruxism_tonic_count"] == expected and s["bruxism_episode_count"] == expected


@pytest.mark.parametrize(("amplitude", "expected"), [(2.0, 1), (1.9, 0)])
def test_bruxism_needs_twice_the_background(amplitude, expected):
    # peak = rest + amplitude above rest; rest 2 µV: 2 µV above → peak 4 µV = 2 × background
    assert _brux([(100.0, 3.0, "Chin")], amplitude=amplitude)["bruxism_episode_count"] == expected


@pytest.mark.parametrize(("gap", "episodes"), [(3.0, 2), (2.9, 1)])
def test_bruxism_new_episode_needs_three_seconds_of_stable_background(gap, episodes):
    s = _brux([(100.0, 3.0, "Chin"), (103.0 + gap, 3.0, "Chin")])
    assert s["bruxism_episode_count"] == episodes


def test_bruxism_overlapping_chin_and_masseter_are_one_elevation():
    s = _brux([(100.0, 0.5, "Chin"), (100.1, 0.5, "Masseter L"), (101.5, 0.5, "Chin")])
    assert s["bruxism_episode_count"] == 0  # two elevations, not three


def test_bruxism_is_scored_in_sleep_only():
    hyp = Hypnogram.from_labels(["W"] * 4 + ["N2"] * 4)
    table = _table([(40.0, 5.0, "Chin"), (160.0, 5.0, "Chin")])
    rows, s, _ = score_bruxism(table, hyp, P, available=_avail())
    assert s["bruxism_episode_count"] == 1 and rows["stage"].tolist() == ["N2"]


def test_bruxism_wake_epoch_chin_tone_is_not_sleep_bruxism():
    # AASM v2.6 / ICSD-3: *sleep* bruxism.  A wake epoch inside N2 raises the chin tone for
    # its 30 s; the elevation is detected from 0.2 s before the boundary (stage N2 there),
    # but it lies in W: not bruxism.  One mostly in N2 that starts in W is.
    hyp = Hypnogram.from_labels(["N2", "W", "N2", "N2", "W", "N2"])
    _, s, _ = score_bruxism(_table([(29.8, 30.2, "Chin")]), hyp, P, available=_avail())
    assert s["bruxism_episode_count"] == 0
    _, s, _ = score_bruxism(_table([(119.0, 6.0, "Chin")]), hyp, P, available=_avail())
    assert s["bruxism_episode_count"] == 0  # 1 s in N2, 5 s in W
    _, s, _ = score_bruxism(_table([(148.0, 6.0, "Chin")]), hyp, P, available=_avail())
    assert s["bruxism_episode_count"] == 1  # 2 s in W, 4 s in N2


def test_bruxism_chin_elevations_in_rem_are_the_rem_rules_masseter_ones_count():
    # AASM v2.6 RBD rules: sustained / transient chin activity in REM is REM sleep without
    # atonia (scored by score/rem.py); a chin-only clench cannot be told from it there.
    hyp = Hypnogram.from_labels(["R"] * 4)
    tonic = [(40.0, 6.0, "Chin")]
    phasic = _train(4, 1.5, ["Chin"], t0=70.0, dur=0.5)
    _, s, _ = score_bruxism(_table(tonic + phasic), hyp, P, available=_avail())
    assert s["bruxism_episode_count"] == 0
    _, s, _ = score_bruxism(_table([(40.0, 6.0, "Masseter L")]), hyp, P, available=_avail())
    assert s["bruxism_episode_count"] == 1
    _, s, _ = score_bruxism(_table(tonic), Hypnogram.from_labels(["N2"] * 4), P,
                            available=_avail())
    assert s["bruxism_episode_count"] == 1


@pytest.mark.parametrize(("pre", "expected"), [(2.0, 1), (4.0, 1), (4.1, 0), (np.nan, 1)])
def test_bruxism_twice_the_local_background_before_the_elevation(pre, expected):
    # AASM v2.6: elevations ≥ 2 × the background EMG — the EMG just before the elevation
    # (``pre_uv``), not a night-long resting level: peak 8 µV (rest 2 + 6 above).
    table = _table([(100.0, 3.0, "Chin")], amplitude=6.0, rest=2.0).assign(pre_uv=pre)
    _, s, _ = score_bruxism(table, HYP, P, available=_avail())
    assert s["bruxism_episode_count"] == expected


def test_bruxism_without_chin_or_masseter_is_not_scorable():
    _, s, _ = score_bruxism(_table([]), HYP, P, available=_avail(("LAT", "RAT")))
    assert s["bruxism_episode_count"] is None and "no chin or masseter" in s["bruxism_note"]
    _, s, _ = score_bruxism(_table(_train(3, 1.5, ["Masseter L"], dur=0.5)), HYP, P,
                            available=_avail(("Masseter L",)))
    assert s["bruxism_episode_count"] == 1


# -- Rhythmic movement disorder (AASM v2.6) -------------------------------------------------

@pytest.mark.parametrize(("n", "interval", "expected"), [
    (4, 1.0, 1), (3, 1.0, 0),            # ≥ 4 movements
    (4, 2.0, 1), (4, 2.05, 0),           # 0.5 Hz
    (4, 0.5, 1), (4, 0.48, 0),           # 2.0 Hz
])
def test_rhythmic_count_and_frequency_limits(n, interval, expected):
    _, s, _ = score_rhythmic_movements(_table(_train(n, interval, ["Paraspinal"])), HYP, P,
                                       available=_avail())
    assert s["rhythmic_movement_count"] == expected


@pytest.mark.parametrize(("amplitude", "expected"), [(2.0, 1), (1.9, 0)])
def test_rhythmic_bursts_need_twice_the_background(amplitude, expected):
    _, s, _ = score_rhythmic_movements(_table(_train(5, 1.0, ["Paraspinal"]), amplitude=amplitude),
                                       HYP, P, available=_avail())
    assert s["rhythmic_movement_count"] == expected


def test_rhythmic_trains_of_several_channels_are_one_episode_with_the_legs():
    table = _table(_train(6, 1.0, ["Paraspinal"]) + _train(6, 1.0, ["SCM L"], t0=100.1)
                   + _train(6, 1.0, ["LAT"], t0=100.05))
    rows, s, _ = score_aasm_movements(table, HYP, P, available=_avail(), sleep_h=1.0)
    assert s["rhythmic_movement_count"] == 1
    assert s["hypnagogic_foot_tremor_count"] == 0  # the leg bursts belong to the episode


def test_rhythmic_without_large_muscle_channels_is_not_scorable():
    _, s, _ = score_rhythmic_movements(_table([]), HYP, P, available=_avail(("LAT", "RAT")))
    assert s["rhythmic_movement_count"] is None


# -- Large muscle group movements (IRLSSG, Ferri et al. Sleep 2021) ------------------------

@pytest.mark.parametrize(("dur", "expected"), [(3.0, 1), (2.9, 0), (45.0, 1), (45.5, 0)])
def test_large_movement_duration_limits(dur, expected):
    rows, s = score_large_movements(_table([(100.0, dur, "FDS L"), (100.0, dur, "Paraspinal")],
                                           tonic=True), HYP, P, available=_avail())
    assert s["large_movement_count"] == expected


def test_large_movement_needs_two_channels():
    _, s = score_large_movements(_table([(100.0, 10.0, "Paraspinal")]), HYP, P,
                                 available=_avail())
    assert s["large_movement_count"] == 0
    _, s = score_large_movements(_table([(100.0, 10.0, "Paraspinal")]), HYP, P,
                                 available=_avail(("Paraspinal",)))
    assert s["large_movement_count"] is None


def test_large_movement_of_the_legs_alone_is_a_leg_movement():
    _, s = score_large_movements(_table([(100.0, 5.0, "LAT"), (100.2, 5.0, "RAT")]), HYP, P,
                                 available=_avail())
    assert s["large_movement_count"] == 0


def test_large_movement_not_meeting_another_movements_criteria():
    table = _table([(100.0, 8.0, "FDS L"), (100.5, 8.0, "Paraspinal")])
    other = pd.DataFrame({"onset": [104.0], "duration": [2.0]})
    _, s = score_large_movements(table, HYP, P, available=_avail(), other=other)
    assert s["large_movement_count"] == 0


@pytest.mark.parametrize(("jerk_s", "expected"), [(0.2, 0), (1.9, 0), (2.0, 1)])
def test_large_movement_is_several_channels_together_not_a_touch(jerk_s, expected):
    # IRLSSG 2021: 3–45 s of EMG increase in ≥ 2 channels.  A bilateral leg movement
    # (LAT 100–104, RAT 100.4–104) with a neck jerk inside it is the LM and a jerk;
    # channels together over ≥ half of the span (``large_min_together``) are one movement.
    table = _table([(100.0, 4.0, "LAT"), (100.4, 3.6, "RAT"), (101.0, jerk_s, "SCM L")])
    _, s = score_large_movements(table, HYP, P, available=_avail())
    assert s["large_movement_count"] == expected


def test_large_movement_spans_the_activity_that_makes_it():
    rows, _ = score_large_movements(_table([(100.0, 6.0, "FDS L"), (102.0, 6.0, "Paraspinal")]),
                                    HYP, P, available=_avail())
    assert rows["onset"].tolist() == [100.0] and rows["duration"].tolist() == [8.0]


# -- The chapter in one call ---------------------------------------------------------------

def test_every_promised_key_and_an_index_per_hour():
    table = _table(_train(3, 1.5, ["Chin"], dur=0.5))
    rows, s, notes = score_aasm_movements(table, HYP, P, available=_avail(), sleep_h=2.0)
    assert set(AASM_SUMMARY_KEYS) <= set(s)
    assert s["bruxism_episode_count"] == 1 and s["bruxism_index"] == 0.5
    assert notes == {}


def test_missing_channels_make_nulls_with_notes_naming_them():
    _, s, notes = score_aasm_movements(_table([]), HYP, P, available=_avail(("SCM L",)),
                                       sleep_h=1.0)
    assert s["alma_count"] is None and s["bruxism_episode_count"] is None
    assert s["bruxism_index"] is None
    assert s["rhythmic_movement_count"] == 0  # the neck is a large muscle group
    assert set(notes) == {"alma_count", "hypnagogic_foot_tremor_count",
                          "bruxism_episode_count", "large_movement_count"}
    assert "chin or masseter" in notes["bruxism_episode_count"]


@pytest.mark.parametrize("bad", [dict(alma_min_hz=3.0), dict(hft_min_bursts=0),
                                 dict(bruxism_phasic_min_s=2.5)])
def test_parameters_refuse_empty_ranges(bad):
    with pytest.raises(ValueError):
        AasmParams(**bad)


# -- Healthy yardsticks (Frauscher et al., Sleep 2014) -------------------------------------

def test_healthy_yardsticks_flag_only_figures_above_the_90th_percentile():
    from somnomotor.kinds import YARDSTICKS, report_rows
    from somnomotor.score.yardsticks import healthy_comparison

    out = healthy_comparison({"plms_index": 24.8, "hypnagogic_foot_tremor_count": 5,
                              "rem_phasic_percent": 15.7, "rem_tonic_percent": None})
    assert out["healthy_p90"]["plms_index"] == 24.8
    assert out["above_healthy_p90"]["plms_index"] is False  # at the p90, not above
    assert out["above_healthy_p90"]["hypnagogic_foot_tremor_count"] is True
    assert out["above_healthy_p90"]["rem_phasic_percent"] is True
    assert out["above_healthy_p90"]["rem_tonic_percent"] is None
    rows = report_rows("healthy")
    assert [r.key for r in rows] == [y.night_key for y in YARDSTICKS]  # the night's figure
    assert all(r.flag_above == y.p90 for r, y in zip(rows, YARDSTICKS, strict=True))


# -- Through the muscle scorer: not scorable, parameters -----------------------------------

def test_score_muscles_says_what_is_not_scorable_on_a_recording_without_chin_or_right_leg():
    from somnomotor.pipeline import score_recording_muscles
    from somnomotor.recording import Recording

    rng = np.random.default_rng(0)
    fs, n = 256.0, int(256 * 120)
    rec = Recording.from_arrays({lab: (2.5 * rng.standard_normal(n)).astype(np.float32)
                                 for lab in ("LAT", "EMG MFD-l")}, fs)
    res = score_recording_muscles(rec, Hypnogram.from_labels(["N2"] * 4))
    s = res.summary
    assert s["alma_count"] is None and s["bruxism_episode_count"] is None
    assert s["hypnagogic_foot_tremor_count"] == 0 and s["large_movement_count"] == 0
    assert "right leg" in s["not_scorable"]["alma_count"]
    assert any("chin or masseter" in n for n in res.details["notes"])


def test_aasm_parameters_are_a_muscles_sub_table():
    from somnomotor.errors import ParameterError
    from somnomotor.params import from_mapping
    from somnomotor.score.muscles import MuscleParams

    p = from_mapping(MuscleParams, {"aasm": {"alma_min_bursts": 5}}, section="muscles")
    assert p.aasm.alma_min_bursts == 5
    with pytest.raises(ParameterError, match="muscles.aasm"):
        from_mapping(MuscleParams, {"aasm": {"no_such": 1}}, section="muscles")


def _chin_1s(stages: list[str], elevated: list[tuple[int, int]], level: float = 0.7,
             factor: float = 3.0) -> tuple[np.ndarray, Hypnogram]:
    hyp = Hypnogram(np.array(stages), epoch=30.0)
    x = np.full(len(stages) * 30, level)
    for a, b in elevated:
        x[a:b] = factor * level
    return x, hyp


def test_a_long_chin_clench_is_found_from_the_1_s_amplitudes_at_2x_the_sleep_level():
    """AASM v2.6 bruxism: a tonic elevation (> 2 s) at ≥ 2 × background, after ≥ 3 s of
    stable background.  A 25-s clench in N2 (the contraction layer's 30-s running level
    hides it) is one elevation; at 1.5 × it is none; a 6-s one is left to the
    contraction layer; in REM the chin's activity is the REM rules'."""
    from somnomotor.score.bruxism import long_chin_elevations

    info = {"channel": "Chin", "muscle": "mentalis", "side": "midline"}
    p = AasmParams()
    x, hyp = _chin_1s(["N2"] * 20, [(300, 325), (400, 406)])
    e = long_chin_elevations(x, hyp, p, **info)
    assert e[["onset", "duration"]].values.tolist() == [[300.0, 25.0]]
    assert e["amplitude_uv"].iloc[0] == pytest.approx(1.4) and e["tonic"].all()
    rows, _, _ = score_bruxism(e, hyp, p, available=_avail(["Chin"]))
    assert rows["onset"].tolist() == [300.0]
    weak, _ = _chin_1s(["N2"] * 20, [(300, 325)], factor=1.5)
    assert long_chin_elevations(weak, hyp, p, **info).empty
    x, rem = _chin_1s(["R"] * 20, [(300, 325)])
    assert long_chin_elevations(x, rem, p, **info).empty


def test_waking_tone_fading_into_sleep_or_rising_into_wake_is_no_clench():
    """An elevation needs ≥ 3 s of stable sleep background before it and must end in
    sleep: the chin's wake tone ramping down after a wake → N2 transition, or up into
    a wake epoch, is not bruxism."""
    from somnomotor.score.bruxism import long_chin_elevations

    info = {"channel": "Chin", "muscle": "mentalis", "side": "midline"}
    stages = ["N2"] * 10 + ["W"] * 2 + ["N2"] * 10
    x, hyp = _chin_1s(stages, [(285, 300), (300, 360), (360, 375)], factor=8.0)
    assert long_chin_elevations(x, hyp, AasmParams(), **info).empty
