"""Pattern classifiers over the bursts of all channels: each test breaks the pattern's
defining property and checks the classifier notices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from somnomotor.hypnogram import Hypnogram
from somnomotor.score.patterns import (
    PatternParams,
    group_bursts,
    score_fragmentary_myoclonus,
    score_grm,
    score_hypnic_jerks,
    score_periodic_arm_movements,
    score_propriospinal_myoclonus,
    sleep_entries,
)

CHANNELS = {  # label: (muscle, side, region)
    "LAT": ("tibialis_anterior", "left", "leg"), "RAT": ("tibialis_anterior", "right", "leg"),
    "FDS L": ("fds", "left", "arm"), "FDS R": ("fds", "right", "arm"),
    "Deltoid L": ("deltoid", "left", "shoulder"), "Pectoral R": ("pectoralis", "right", "shoulder"),
    "Intercostal R": ("intercostal", "right", "chest"),
    "Rectus Abd": ("rectus_abdominis", "midline", "abdomen"),
    "Paraspinal": ("paraspinal", "midline", "back"), "SCM L": ("scm", "left", "neck"),
}


def _bursts(rows: list[tuple[float, float, str]], hyp: Hypnogram,
            amplitude: float = 50.0) -> pd.DataFrame:
    """Burst table from (onset s, duration s, channel label) triples."""
    df = pd.DataFrame(rows, columns=["onset", "duration", "channel"])
    df["muscle"] = [CHANNELS[c][0] for c in df["channel"]]
    df["side"] = [CHANNELS[c][1] for c in df["channel"]]
    df["region"] = [CHANNELS[c][2] for c in df["channel"]]
    df["amplitude_uv"] = amplitude
    df["rest_uv"] = 2.0
    df["tonic"] = False
    df["stage"] = hyp.stage_at(df["onset"].to_numpy(float)) if len(df) else []
    return df.sort_values("onset").reset_index(drop=True)


def test_group_bursts_splits_on_gaps():
    assert group_bursts(np.array([0.0, 0.1, 0.2, 1.0, 1.05]), 0.25).tolist() == [0, 0, 0, 1, 1]


# -- fragmentary myoclonus (AASM: ≥ 5 potentials/min, ≤ 150 ms, ≥ 20 min of NREM) ----------

def _frag(rate_per_min: int, minutes: int, duration: float = 0.08, stage: str = "N2"):
    hyp = Hypnogram.from_labels(["W"] * 2 + [stage] * 120 + ["W"] * 2)
    rows = []
    chans = list(CHANNELS)
    for m in range(minutes):
        for k in range(rate_per_min):
            rows.append((60.0 + 60.0 * m + 60.0 * (k + 0.5) / rate_per_min, duration,
                         chans[(m + k) % len(chans)]))
    return _bursts(rows, hyp), hyp


def test_fragmentary_myoclonus_aasm_20_minutes_at_5_per_minute_is_scored():
    b, hyp = _frag(5, 20)
    rows, fig = score_fragmentary_myoclonus(b, hyp)
    assert fig["fragmentary_myoclonus_minutes"] == 20.0
    assert len(rows) == 1 and rows["onset"].iloc[0] == 60.0 and rows["duration"].iloc[0] == 1200.0
    assert set(rows["kind"]) == {"fragmentary_myoclonus"}


def test_fragmentary_myoclonus_aasm_19_minutes_is_not_enough():
    b, hyp = _frag(5, 19)
    rows, fig = score_fragmentary_myoclonus(b, hyp)
    assert fig["fragmentary_myoclonus_minutes"] == 0.0 and len(rows) == 0
    assert fig["fragmentary_qualifying_minutes"] == 19.0


def test_fragmentary_myoclonus_aasm_4_per_minute_is_not_enough():
    b, hyp = _frag(4, 40)
    _, fig = score_fragmentary_myoclonus(b, hyp)
    assert fig["fragmentary_myoclonus_minutes"] == 0.0 and fig["fragmentary_qualifying_minutes"] == 0


def test_fragmentary_myoclonus_aasm_potentials_longer_than_150_ms_do_not_count():
    b, hyp = _frag(6, 30, duration=0.2)
    _, fig = score_fragmentary_myoclonus(b, hyp)
    assert fig["fragmentary_myoclonus_minutes"] == 0.0


def test_fragmentary_myoclonus_aasm_needs_nrem_not_rem():
    b, hyp = _frag(6, 30, stage="R")
    _, fig = score_fragmentary_myoclonus(b, hyp)
    assert fig["fragmentary_myoclonus_minutes"] == 0.0 and fig["fragmentary_nrem_minutes"] == 0


def test_fragmentary_potential_seen_in_two_channels_counts_once():
    hyp = Hypnogram.from_labels(["N2"] * 60)
    rows = []
    for m in range(25):
        for k in range(3):  # 3 potentials a minute, each in 2 channels 10 ms apart
            t = 60.0 * m + 10.0 + 15.0 * k
            rows += [(t, 0.08, "FDS L"), (t + 0.01, 0.08, "FDS R")]
    _, fig = score_fragmentary_myoclonus(_bursts(rows, hyp), hyp)
    assert fig["fragmentary_qualifying_minutes"] == 0


def test_fragmentary_index_counts_potentials_in_every_sleep_stage_per_hour_of_sleep():
    """FM index as in Frauscher 2014 (per hour of sleep, any stage); wake does not count."""
    hyp = Hypnogram.from_labels(["W"] * 20 + ["N2"] * 60 + ["R"] * 40 + ["W"] * 20)  # 50 min sleep
    rows = [(10.0 + 20.0 * k, 0.1, "FDS L") for k in range(30)]  # 30 in the first 10 min: wake
    rows += [(600.0 + 20.0 * k, 0.1, "FDS L") for k in range(150)]  # 150 in sleep (N2 and R)
    rows += [(600.0 + 20.0 * k + 0.01, 0.1, "FDS R") for k in range(150)]  # the same, merged
    rows += [(610.0 + 60.0 * k, 0.3, "FDS L") for k in range(20)]  # > 150 ms: not potentials
    _, fig = score_fragmentary_myoclonus(_bursts(rows, hyp), hyp)
    assert fig["fragmentary_potential_count"] == 150
    assert fig["fragmentary_index"] == pytest.approx(150 / (50 / 60))
    _, none = score_fragmentary_myoclonus(_bursts([], Hypnogram.from_labels(["W"] * 4)),
                                          Hypnogram.from_labels(["W"] * 4))
    assert none["fragmentary_index"] is None and none["fragmentary_potential_count"] == 0


# -- hypnic jerks (sleep onset) -------------------------------------------------------

def _sleep_onset_hyp() -> Hypnogram:
    return Hypnogram.from_labels(["W"] * 10 + ["N1"] * 4 + ["N2"] * 40)  # sleep onset at 300 s


def test_sleep_entries_are_wake_to_sleep_transitions():
    hyp = Hypnogram.from_labels(["W", "W", "N1", "N2", "W", "N2", "N2", "W", "R"])
    assert sleep_entries(hyp).tolist() == [60.0, 150.0, 240.0]


def test_hypnic_jerk_bilateral_brief_jerk_at_sleep_onset():
    hyp = _sleep_onset_hyp()
    b = _bursts([(310.0, 0.12, "FDS L"), (310.02, 0.1, "FDS R")], hyp)
    rows, used = score_hypnic_jerks(b, hyp)
    assert len(rows) == 1 and rows["kind"].iloc[0] == "hypnic_jerk"
    assert rows["onset"].iloc[0] == pytest.approx(310.0) and rows["muscle"].iloc[0] == "fds"
    assert used.all()


def test_hypnic_jerk_in_one_region_names_its_channels_bruno1998():
    """Bruno 1998: one patient's sleep starts involved only the arm muscles. One muscle group
    is enough; the row names the channels that took part (interfaces.md: ``channels``)."""
    hyp = _sleep_onset_hyp()
    b = _bursts([(310.02, 0.1, "FDS R"), (310.0, 0.12, "FDS L")], hyp)
    rows, _ = score_hypnic_jerks(b, hyp)
    assert len(rows) == 1
    assert rows.loc[0, "channel"] == "" and rows.loc[0, "channels"] == "FDS L;FDS R"
    assert rows.loc[0, "side"] == ""  # left and right: not common
    whole = _bursts([(310.0, 0.12, "FDS L"), (310.05, 0.1, "Deltoid L"), (310.1, 0.1, "LAT")],
                    hyp)
    rows, _ = score_hypnic_jerks(whole, hyp)
    assert rows.loc[0, "channels"] == "FDS L;Deltoid L;LAT" and rows.loc[0, "muscle"] == ""
    assert rows.loc[0, "side"] == "left"


def test_hypnic_jerk_groups_bursts_within_250ms_boundary():
    """Bursts of one sleep start are within 250 ms (``hypnic_group_s``): 0.24 s apart → one
    jerk of two channels; 0.26 s apart → two single-channel twitches, no sleep start."""
    hyp = _sleep_onset_hyp()
    assert len(score_hypnic_jerks(_bursts([(310.0, 0.1, "FDS L"), (310.24, 0.1, "LAT")], hyp),
                                  hyp)[0]) == 1
    assert len(score_hypnic_jerks(_bursts([(310.0, 0.1, "FDS L"), (310.26, 0.1, "LAT")], hyp),
                                  hyp)[0]) == 0


def test_hypnic_jerk_same_jerk_deep_in_sleep_is_not_a_sleep_start():
    """Sleep-onset timing is the defining property: 20 min after onset it is just myoclonus."""
    hyp = _sleep_onset_hyp()
    b = _bursts([(1500.0, 0.12, "FDS L"), (1500.02, 0.1, "FDS R")], hyp)
    rows, _ = score_hypnic_jerks(b, hyp)
    assert len(rows) == 0


def test_hypnic_jerk_must_be_brief():
    hyp = _sleep_onset_hyp()
    b = _bursts([(310.0, 0.6, "FDS L"), (310.02, 0.6, "FDS R")], hyp)
    assert len(score_hypnic_jerks(b, hyp)[0]) == 0


def test_hypnic_jerk_single_muscle_twitch_stays_myoclonus():
    hyp = _sleep_onset_hyp()
    b = _bursts([(310.0, 0.12, "FDS L")], hyp)
    assert len(score_hypnic_jerks(b, hyp)[0]) == 0
    one = score_hypnic_jerks(b, hyp, PatternParams(hypnic_min_channels=1))[0]
    assert len(one) == 1
    assert one.loc[0, "channel"] == "FDS L" and one.loc[0, "channels"] == ""


# -- propriospinal myoclonus ----------------------------------------------------------

SPREAD = [("Rectus Abd", 0.0), ("Intercostal R", 0.03), ("Paraspinal", 0.05), ("SCM L", 0.12),
          ("Deltoid L", 0.14), ("FDS L", 0.18), ("FDS R", 0.18), ("LAT", 0.25)]


def _propriospinal(times, spread, hyp):
    rows = [(t + lat, 0.8, ch) for t in times for ch, lat in spread]
    return _bursts(rows, hyp)


def test_propriospinal_axial_onset_spreading_to_limbs_is_one_episode():
    """Montagna 2006: jerks start axially, limbs follow with rising latency, repeat at sleep onset."""
    hyp = _sleep_onset_hyp()
    b = _propriospinal([200.0, 208.0, 217.0, 229.0], SPREAD, hyp)
    rows, used = score_propriospinal_myoclonus(b, hyp)
    assert len(rows) == 1 and rows["kind"].iloc[0] == "propriospinal_myoclonus"
    assert rows["onset"].iloc[0] == pytest.approx(200.0)
    assert rows["onset"].iloc[0] + rows["duration"].iloc[0] == pytest.approx(229.25 + 0.8)
    assert used.all()
    # interfaces.md: a derived event of several channels names them in ``channels``.
    assert rows["channel"].iloc[0] == ""
    assert rows["channels"].iloc[0].split(";") == [ch for ch, _ in SPREAD]


def test_propriospinal_limb_first_is_not_propriospinal():
    """Reversed propagation (limbs first, axial last) breaks the defining property."""
    hyp = _sleep_onset_hyp()
    reverse = [(ch, 0.25 - lat) for ch, lat in SPREAD]
    b = _propriospinal([200.0, 208.0, 217.0, 229.0], reverse, hyp)
    assert len(score_propriospinal_myoclonus(b, hyp)[0]) == 0


def test_propriospinal_simultaneous_onsets_are_not_spreading():
    hyp = _sleep_onset_hyp()
    same = [(ch, 0.0) for ch, _ in SPREAD]
    b = _propriospinal([200.0, 208.0, 217.0], same, hyp)
    assert len(score_propriospinal_myoclonus(b, hyp)[0]) == 0


def test_propriospinal_single_jerk_is_not_repetitive():
    hyp = _sleep_onset_hyp()
    b = _propriospinal([200.0], SPREAD, hyp)
    assert len(score_propriospinal_myoclonus(b, hyp)[0]) == 0


def test_propriospinal_fades_once_sleep_deepens():
    """The same spreading jerks 20 min into N2 are not propriospinal myoclonus at sleep onset."""
    hyp = _sleep_onset_hyp()
    b = _propriospinal([1400.0, 1408.0, 1417.0], SPREAD, hyp)
    assert len(score_propriospinal_myoclonus(b, hyp)[0]) == 0


# -- generalized random myoclonus -----------------------------------------------------

def _grm_rows(times, regions_cycle):
    region_channels = {"leg": ["LAT", "RAT"], "arm": ["FDS L", "FDS R"],
                       "shoulder": ["Deltoid L", "Pectoral R"]}
    rows = []
    for i, t in enumerate(times):
        for ch in region_channels[regions_cycle[i % len(regions_cycle)]]:
            rows.append((t, 0.15, ch))
    return rows


def test_grm_random_jerks_in_several_regions_are_one_episode():
    """Bruno 1998: non-periodic jerks in ≥ 2 regions (legs, arms, shoulders)."""
    hyp = Hypnogram.from_labels(["N2"] * 20)
    rng = np.random.default_rng(0)
    times = 100.0 + np.cumsum(np.concatenate([[0], np.minimum(0.8 + rng.exponential(5.0, 11), 15.0)]))
    regions = list(rng.choice(["leg", "arm", "shoulder"], size=times.size))
    b = _bursts(_grm_rows(times, regions), hyp)
    rows, used = score_grm(b, hyp)
    assert len(rows) == 1 and rows["kind"].iloc[0] == "grm"
    assert rows["onset"].iloc[0] == pytest.approx(100.0) and used.all()


def test_grm_periodic_jerks_are_not_grm():
    """Periodic timing (constant 8-s intervals) breaks the non-periodic property."""
    hyp = Hypnogram.from_labels(["N2"] * 20)
    times = 100.0 + 8.0 * np.arange(12)
    b = _bursts(_grm_rows(times, ["leg", "arm", "shoulder"]), hyp)
    assert len(score_grm(b, hyp)[0]) == 0


@pytest.mark.parametrize(("spread", "is_grm"), [(0.28, False), (0.32, True)])
def test_grm_random_in_time_boundary_cv_0_3(spread, is_grm):
    """Random in time: the intervals' coefficient of variation must be ≥ 0.3
    (``grm_min_imi_cv``); alternating intervals of 6 × (1 ± spread) s have CV = spread."""
    hyp = Hypnogram.from_labels(["N2"] * 20)
    imi = 6.0 * (1 + spread * np.resize([1.0, -1.0], 10))
    times = 100.0 + np.concatenate([[0.0], np.cumsum(imi)])
    regions = ["shoulder"] * 11  # shoulders are not checked for periodic series (legs, arms are)
    regions[3], regions[7] = "arm", "leg"
    b = _bursts(_grm_rows(times, regions), hyp)
    assert (len(score_grm(b, hyp)[0]) == 1) is is_grm


def test_grm_one_region_only_is_not_generalized():
    hyp = Hypnogram.from_labels(["N2"] * 20)
    rng = np.random.default_rng(1)
    times = 100.0 + np.cumsum(np.concatenate([[0], np.minimum(0.8 + rng.exponential(5.0, 11), 15.0)]))
    b = _bursts(_grm_rows(times, ["arm"]), hyp)
    assert len(score_grm(b, hyp)[0]) == 0


def test_grm_sparse_random_jerks_are_not_an_episode():
    """Jerks a minute apart never chain into an episode (25-s gap limit)."""
    hyp = Hypnogram.from_labels(["N2"] * 60)
    times = 60.0 + 60.0 * np.arange(20) + np.random.default_rng(2).uniform(0, 20, 20)
    b = _bursts(_grm_rows(times, ["leg", "arm", "shoulder"]), hyp)
    assert len(score_grm(b, hyp)[0]) == 0


def test_grm_leaves_periodic_leg_movements_out():
    """A PLM train (legs every 20 s) plus a few arm jerks is not GRM."""
    hyp = Hypnogram.from_labels(["N2"] * 40)
    rows = [(100.0 + 20.0 * k, 1.5, "LAT") for k in range(20)]
    rows += [(133.0, 0.1, "FDS L"), (171.0, 0.1, "FDS R"), (260.0, 0.1, "FDS L")]
    b = _bursts(rows, hyp)
    assert len(score_grm(b, hyp)[0]) == 0


# -- periodic arm movements -----------------------------------------------------------

def test_periodic_arm_movements_wasm_series_grammar():
    """WASM 2016 grammar applied to arms: ≥ 4 movements with IMIs 10–90 s form a series."""
    hyp = Hypnogram.from_labels(["N2"] * 40)
    rows = [(100.0 + 20.0 * k, 0.3, "FDS L") for k in range(6)]
    rows += [(100.0 + 20.0 * k + 0.2, 0.3, "FDS R") for k in range(6)]  # bilateral: one movement
    out = score_periodic_arm_movements(_bursts(rows, hyp), hyp)
    assert out["arm_pm_count"] == 6 and out["arm_pm_series_count"] == 1
    assert out["arm_pms_count"] == 6 and out["arm_periodicity_index"] == pytest.approx(1.0)


def test_periodic_arm_movements_random_timing_gives_no_series():
    hyp = Hypnogram.from_labels(["N2"] * 40)
    t = 100.0 + np.cumsum([3, 4, 2, 5, 3, 4, 2, 6])
    out = score_periodic_arm_movements(_bursts([(x, 0.3, "FDS L") for x in t], hyp), hyp)
    assert out["arm_pm_count"] == 0 and out["arm_pm_series_count"] == 0


def test_fragmentary_single_low_minutes_do_not_break_the_pattern():
    """A rate of ~6/min has minutes with 4: the joined stretch keeps ≥ 5/min on average."""
    hyp = Hypnogram.from_labels(["N2"] * 80)
    per_minute = [6, 7, 4, 6, 6, 3, 7, 6, 6, 5, 4, 7, 6, 6, 6, 5, 7, 4, 6, 6, 6, 7, 5, 6]
    rows = []
    for m, k in enumerate(per_minute):
        rows += [(60.0 * m + 60.0 * (j + 0.5) / k, 0.08, "FDS L") for j in range(k)]
    rows += [(60.0 * m + 30.0, 0.08, "FDS L") for m in range(24, 40)]  # 1/min afterwards
    rows_out, fig = score_fragmentary_myoclonus(_bursts(rows, hyp), hyp)
    assert len(rows_out) == 1 and fig["fragmentary_myoclonus_minutes"] == 24.0
    assert rows_out["onset"].iloc[0] == 0.0 and rows_out["duration"].iloc[0] == 24 * 60.0


def test_grm_leaves_out_a_plm_train_with_a_missed_beat():
    """A doubled IMI (missed beat) keeps a PLM train periodic (robust spread), so not GRM."""
    hyp = Hypnogram.from_labels(["N2"] * 40)
    t = 100.0 + 20.0 * np.array([0, 1, 2, 3, 5, 6, 7, 8, 9, 10])  # beat 4 missing
    rows = [(x, 1.5, ch) for x in t for ch in ("LAT", "RAT")]
    jerks = [(113.0, 0.1, "FDS L"), (113.0, 0.1, "FDS R"), (131.0, 0.1, "Deltoid L"),
             (131.0, 0.1, "Pectoral R"), (152.0, 0.1, "FDS L"), (152.0, 0.1, "FDS R"),
             (178.0, 0.1, "Deltoid L"), (178.0, 0.1, "Pectoral R")]
    assert len(score_grm(_bursts(rows + jerks, hyp), hyp)[0]) == 0
    # Break the leg rhythm (random intervals): the same jerks now make a GRM episode.
    rng = np.random.default_rng(3)
    t2 = 100.0 + np.cumsum(np.concatenate([[0], rng.uniform(2.0, 9.0, 9)]))
    rows2 = [(x, 1.0, ch) for x in t2 for ch in ("LAT", "RAT")] + jerks
    assert len(score_grm(_bursts(rows2, hyp), hyp)[0]) == 1


def test_grm_single_muscle_contractions_wandering_over_the_body_are_grm_bruno1998():
    """Bruno 1998 does not ask that jerks involve several muscles at once: single-muscle
    contractions wandering over the body are GRM by default; the multi-muscle option
    (``grm_min_multi_fraction``) turns the old requirement back on."""
    hyp = Hypnogram.from_labels(["N2"] * 20)
    rng = np.random.default_rng(6)
    times = 100.0 + np.cumsum(np.concatenate([[0], np.minimum(0.8 + rng.exponential(5.0, 11),
                                                                  15.0)]))
    chans = rng.choice(["FDS L", "Deltoid L", "LAT", "Pectoral R", "FDS R", "RAT"], times.size)
    rows = [(t, 0.15, str(ch)) for t, ch in zip(times, chans, strict=True)]
    found = score_grm(_bursts(rows, hyp), hyp)[0]
    assert len(found) == 1
    assert found.loc[0, "channel"] == ""
    assert set(found.loc[0, "channels"].split(";")) == set(chans.tolist())
    strict = PatternParams(grm_min_multi_fraction=0.5)
    assert len(score_grm(_bursts(rows, hyp), hyp, strict)[0]) == 0
    both = rows + [(t + 0.01, 0.15, {"FDS L": "FDS R", "Deltoid L": "Pectoral R", "LAT": "RAT",
                                       "Pectoral R": "Deltoid L", "FDS R": "FDS L",
                                       "RAT": "LAT"}[ch]) for t, _, ch in rows]
    assert len(score_grm(_bursts(both, hyp), hyp, strict)[0]) == 1


def _bruno_episode(durations: list[float], chans: list[str],
                   gaps: tuple[float, ...] = (3.0, 11.5, 4.0, 6.0, 12.0, 3.5, 8.0)
                   ) -> list[tuple[float, float, str]]:
    """Contractions at irregular onsets (CV of the intervals ≈ 0.5), one muscle at a time."""
    t = 100.0 + np.concatenate([[0.0], np.cumsum(gaps)])[:len(durations)]
    return [(float(x), d, c) for x, d, c in zip(t, durations, chans, strict=True)]


@pytest.mark.parametrize("slow_s", [1.5, 2.0, 5.0, 10.0])
def test_grm_slow_grasps_flexions_and_pectoral_contractions_count_up_to_10s_bruno1998(slow_s):
    """Bruno 1998: slow grasps, slow arm flexions and pectoral contractions are part of GRM:
    contractions up to 10 s count (``grm_max_burst_s``)."""
    hyp = Hypnogram.from_labels(["N2"] * 20)
    chans = ["FDS L", "Pectoral R", "FDS R", "LAT", "Deltoid L", "FDS L", "RAT"]
    durs = [0.2, slow_s, 0.15, 1.0, slow_s, 0.2, 0.3]
    found = score_grm(_bursts(_bruno_episode(durs, chans), hyp), hyp)[0]
    assert len(found) == 1


def test_grm_contractions_longer_than_10s_do_not_count():
    """Boundary of ``grm_max_burst_s`` (10 s): 10.5-s contractions leave the episode under
    6 movements."""
    hyp = Hypnogram.from_labels(["N2"] * 20)
    chans = ["FDS L", "Pectoral R", "FDS R", "LAT", "Deltoid L", "FDS L", "RAT"]
    durs = [0.2, 10.5, 0.15, 1.0, 10.5, 0.2, 0.3]
    assert len(score_grm(_bursts(_bruno_episode(durs, chans), hyp), hyp)[0]) == 0


def test_grm_random_in_place_needs_two_regions():
    """Random in place: the same irregular contractions in one region (both arms) are not GRM;
    one contraction moved to a second region makes them GRM."""
    hyp = Hypnogram.from_labels(["N2"] * 20)
    chans = ["FDS L", "FDS R", "FDS L", "FDS R", "FDS L", "FDS R", "FDS L"]
    durs = [0.2, 2.0, 0.15, 1.0, 3.0, 0.2, 0.3]
    gaps = (3.0, 8.0, 2.0, 6.0, 9.0, 2.5, 5.0)  # < 10 s: no periodic arm series (WASM grammar)
    assert len(score_grm(_bursts(_bruno_episode(durs, chans, gaps), hyp), hyp)[0]) == 0
    chans[3] = "Deltoid L"
    assert len(score_grm(_bursts(_bruno_episode(durs, chans, gaps), hyp), hyp)[0]) == 1


def test_group_movements_merges_offset_to_onset_under_half_a_second():
    """WASM 2016: bursts < 0.5 s apart (offset → onset) are one movement, however long."""
    from somnomotor.score.patterns import group_movements

    on = np.array([0.0, 3.0, 3.4, 10.0])
    end = np.array([2.8, 3.2, 4.0, 10.2])
    assert group_movements(on, end, 0.5).tolist() == [0, 0, 0, 1]


def test_grm_long_sparse_chain_is_split_and_only_the_dense_part_kept():
    """A night-long chain of sparse jerks (~20 s apart) holding one dense flurry: only the
    flurry (≥ 5 movements a minute) is a GRM episode."""
    hyp = Hypnogram.from_labels(["N2"] * 120)
    rng = np.random.default_rng(4)
    sparse = 60.0 + np.cumsum(rng.uniform(15.0, 24.0, 150))
    sparse = sparse[sparse < 3500]
    flurry = 1800.0 + np.cumsum(np.concatenate([[0], np.minimum(0.8 + rng.exponential(4.0, 11),
                                                                  12.0)]))
    sparse = sparse[(sparse < 1790) | (sparse > flurry[-1] + 10)]
    regions = ["leg", "arm", "shoulder"]
    rows = _grm_rows(sparse, [regions[i % 3] for i in range(sparse.size)])
    rows += _grm_rows(flurry, list(rng.choice(regions, size=flurry.size)))
    out, _ = score_grm(_bursts(rows, hyp), hyp)
    assert len(out) == 1
    assert out["onset"].iloc[0] >= 1750.0 and out["onset"].iloc[0] + out["duration"].iloc[0] <= flurry[-1] + 40


# -- neck myoclonus (Frauscher 2014: brief < 500 ms phasic neck activity, REM mostly) ---------

def test_neck_myoclonus_brief_neck_bursts_boundary_500ms_frauscher2014():
    from somnomotor.score.patterns import score_neck_myoclonus

    hyp = Hypnogram.from_labels(["N2"] * 10 + ["R"] * 10)  # REM from 300 s, 5 min of REM
    b = _bursts([(100.0, 0.2, "SCM L"), (320.0, 0.49, "SCM L"), (400.0, 0.51, "SCM L"),
                 (450.0, 0.1, "FDS L")], hyp)
    rows, fig = score_neck_myoclonus(b, hyp, neck_channels=1)
    assert rows["onset"].tolist() == [100.0, 320.0]  # 0.51 s is too long; FDS is no neck muscle
    assert set(rows["kind"]) == {"neck_myoclonus"} and set(rows["channel"]) == {"SCM L"}
    assert fig["neck_myoclonus_count"] == 2 and fig["neck_myoclonus_rem_count"] == 1
    assert fig["neck_myoclonus_index_rem"] == pytest.approx(1 / (5 / 60))


def test_neck_myoclonus_figures_are_null_without_a_neck_channel_or_rem():
    from somnomotor.score.patterns import score_neck_myoclonus

    hyp = Hypnogram.from_labels(["N2"] * 20)
    b = _bursts([(100.0, 0.2, "SCM L")], hyp)
    assert score_neck_myoclonus(b, hyp, neck_channels=0)[1]["neck_myoclonus_count"] is None
    rows, fig = score_neck_myoclonus(b, hyp, neck_channels=1)
    assert fig["neck_myoclonus_count"] == 1 and fig["neck_myoclonus_index_rem"] is None


def test_grm_counts_sustained_contractions_up_to_10s_even_when_flagged_tonic():
    """The burst detector flags activity ≥ 5 s as tonic; a 5–10 s pectoral contraction is
    still one of Bruno's GRM contractions; a tonic stretch over 10 s is not."""
    hyp = Hypnogram.from_labels(["N2"] * 20)
    chans = ["FDS L", "Pectoral R", "FDS R", "LAT", "Deltoid L", "FDS L", "RAT"]
    for dur, expected in ((6.0, 1), (10.5, 0)):
        durs = [0.2, dur, 0.15, 1.0, dur, 0.2, 0.3]
        b = _bursts(_bruno_episode(durs, chans), hyp)
        b.loc[b["duration"] >= 5.0, "tonic"] = True
        assert len(score_grm(b, hyp)[0]) == expected
