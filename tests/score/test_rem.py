"""REM sleep without atonia: AASM tonic/phasic, SINBAR mini-epochs, Ferri's REM atonia index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from somnomotor.hypnogram import Hypnogram
from somnomotor.score.rem import (
    RemParams,
    atonia_index,
    classify_rai,
    excluded_seconds,
    mini_epochs_with_bursts,
    rem_atonia_index,
    score_aasm_epochs,
    sinbar_percentages,
    subtract_local_minimum,
)


def _bursts(onsets, durations, amplitude_uv=20.0, rest_uv=2.0) -> pd.DataFrame:
    onsets = np.asarray(onsets, float)
    return pd.DataFrame({"onset": onsets, "duration": np.broadcast_to(durations, onsets.shape),
                         "amplitude_uv": amplitude_uv, "rest_uv": rest_uv, "tonic": False})


# -- Ferri's REM atonia index ------------------------------------------------------------

def test_rai_formula_on_hand_computed_example():
    """Ferri 2008/2010: RAI = %(≤1 µV) / (100 − %(1, 2] µV).

    Bins 0.2 0.5 0.9 1.0 0.0 are ≤ 1 (5 of 10 = 50 %); 1.5 1.8 2.0 are in (1, 2]
    (30 %); 2.5 3.0 are above.  RAI = 50 / (100 − 30) = 0.7142857…
    """
    v = np.array([0.2, 0.5, 0.9, 1.0, 1.5, 1.8, 2.0, 2.5, 3.0, 0.0])
    assert atonia_index(v) == pytest.approx(50.0 / 70.0)


def test_rai_boundaries_1_and_2_uv_are_inclusive_upper():
    """Ferri 2008: a bin of exactly 1 µV is atonic; exactly 2 µV is in (1, 2]."""
    assert atonia_index(np.array([1.0, 3.0])) == pytest.approx(50 / 100)
    assert atonia_index(np.array([2.0, 3.0])) == pytest.approx(0 / 50)


def test_rai_subtracts_minimum_of_surrounding_60_bins():
    """Ferri 2010: each 1-s value minus the minimum of the ±30 surrounding bins.

    A 3-µV floor with a repeating 0 / 0.5 / 1.5 / 4.0 µV pattern on top: after the
    correction the pattern is what is left → 50 % ≤ 1, 25 % in (1, 2] → RAI 50/75.
    """
    amp = 3.0 + np.tile([0.0, 0.5, 1.5, 4.0], 50)
    corrected = subtract_local_minimum(amp, 60)
    np.testing.assert_allclose(corrected, amp - 3.0)
    rai = rem_atonia_index(amp, np.ones(amp.size, bool))
    assert rai == pytest.approx(50.0 / 75.0)


def test_rai_window_is_local_not_global():
    """A low stretch 100 s away must not lower the floor of distant bins."""
    amp = np.full(300, 5.0)
    amp[:40] = 1.0  # a quieter stretch far from the bins at 200–300 s
    corrected = subtract_local_minimum(amp, 60)
    assert np.allclose(corrected[200:], 0.0)


def test_rai_ignores_nan_bins_and_is_none_without_rem():
    amp = np.array([3.0, np.nan, 3.0, 6.0])
    assert rem_atonia_index(amp, np.zeros(4, bool)) is None
    assert rem_atonia_index(amp, np.ones(4, bool)) == pytest.approx((2 / 3 * 100) / 100)


@pytest.mark.parametrize("rai,verdict", [(0.79, "abnormal"), (0.8, "borderline"),
                                         (0.9, "borderline"), (0.91, "normal")])
def test_rai_classes_ferri_2010_cutoffs(rai, verdict):
    assert classify_rai(rai) == verdict


# -- AASM: 3-s mini-epochs and phasic epochs ----------------------------------------------

def test_mini_epoch_arithmetic_burst_counts_in_every_mini_epoch_it_overlaps():
    """AASM/SINBAR 3-s mini-epochs: a burst from 2.5 to 3.5 s touches mini-epochs 0 and 1."""
    hyp = Hypnogram.from_labels(["R"])
    m = mini_epochs_with_bursts(_bursts([2.5], 1.0), hyp, min_s=0.1, max_s=5.0,
                                background_factor=4.0)
    assert m.tolist() == [True, True] + [False] * 8


def test_mini_epochs_respect_hypnogram_offset():
    hyp = Hypnogram.from_labels(["R"], offset=1.0)
    m = mini_epochs_with_bursts(_bursts([3.2], 0.2), hyp, min_s=0.1, max_s=5.0,
                                background_factor=4.0)
    assert np.flatnonzero(m).tolist() == [0]  # 3.2 s lies in [1, 4)


@pytest.mark.parametrize("duration,amplitude,counted", [
    (0.1, 6.0, True),     # 0.1 s and peak (6 + 2) = 4 × background: the edges count
    (0.05, 20.0, False),  # too short (< 0.1 s)
    (5.5, 20.0, False),   # too long (> 5 s)
    (0.5, 5.9, False),    # peak 7.9 µV < 4 × 2 µV background
])
def test_aasm_phasic_burst_duration_and_4x_background(duration, amplitude, counted):
    """AASM: phasic bursts last 0.1–5 s and are ≥ 4 × the background."""
    hyp = Hypnogram.from_labels(["R"])
    m = mini_epochs_with_bursts(_bursts([10.0], duration, amplitude_uv=amplitude), hyp,
                                min_s=0.1, max_s=5.0, background_factor=4.0)
    assert bool(m.any()) is counted


def _hyp_with_rem(n_nrem: int = 4) -> Hypnogram:
    return Hypnogram.from_labels(["N2"] * n_nrem + ["R"] * 2)


@pytest.mark.parametrize("n_mini,phasic", [(5, True), (4, False)])
def test_aasm_phasic_epoch_needs_5_of_10_mini_epochs(n_mini, phasic):
    """AASM: a REM epoch is phasic when ≥ 5 of its 10 3-s mini-epochs hold bursts."""
    hyp = _hyp_with_rem()
    amp = np.full(int(hyp.end), 5.0)
    rem0 = 4 * 30.0
    onsets = rem0 + 3.0 * np.arange(n_mini) + 1.0
    res = score_aasm_epochs(amp, _bursts(onsets, 0.5), hyp)
    assert res["phasic"].tolist() == [False] * 4 + [phasic, False]


@pytest.mark.parametrize("seconds_above,tonic", [(16, True), (15, True), (14, False)])
def test_aasm_tonic_epoch_needs_half_the_epoch_above_nrem_minimum(seconds_above, tonic):
    """AASM: tonic when ≥ 50 % of the 30-s REM epoch has chin EMG above the NREM minimum."""
    hyp = _hyp_with_rem()
    rng = np.random.default_rng(0)
    amp = 5.0 + 0.2 * rng.random(int(hyp.end))  # NREM 5.0–5.2 µV
    rem0 = 4 * 30
    amp[rem0:rem0 + 60] = 2.0  # atonia
    amp[rem0:rem0 + seconds_above] = 6.0
    res = score_aasm_epochs(amp, _bursts([], 0.5), hyp)
    assert res["tonic"].tolist() == [False] * 4 + [tonic, False]
    assert 5.0 <= res["nrem_min_uv"] <= 5.2


def test_aasm_tonic_not_scored_without_nrem():
    hyp = Hypnogram.from_labels(["W", "R"])
    res = score_aasm_epochs(np.full(60, 9.0), _bursts([], 0.5), hyp)
    assert res["nrem_min_uv"] is None and not res["tonic"].any()


# -- SINBAR ---------------------------------------------------------------------------

def test_sinbar_percentages_exclude_artefact_mini_epochs_from_denominator():
    """SINBAR 2012: % of artefact-free REM mini-epochs; excluded ones leave the denominator."""
    any_chin = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], bool)
    fds = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0], bool)
    rem = np.ones(10, bool)
    excl = np.array([0, 1, 0, 0, 0, 0, 0, 0, 0, 0], bool)
    r = sinbar_percentages(any_chin, fds, rem, excl)
    assert r["sinbar_mini_epochs"] == 9
    assert r["sinbar_any_percent"] == pytest.approx(100 / 9)
    assert r["sinbar_combined_percent"] == pytest.approx(200 / 9)


@pytest.mark.parametrize("n_any,abnormal", [(18, False), (19, True)])
def test_sinbar_any_mentalis_cutoff_18_percent(n_any, abnormal):
    """SINBAR 2012: "any" mentalis activity in > 18 % of REM mini-epochs is abnormal."""
    any_chin = np.zeros(100, bool)
    any_chin[:n_any] = True
    r = sinbar_percentages(any_chin, None, np.ones(100, bool), np.zeros(100, bool))
    assert r["sinbar_any_abnormal"] is abnormal and r["sinbar_combined_percent"] is None


@pytest.mark.parametrize("n,abnormal", [(32, False), (33, True)])
def test_sinbar_combined_cutoff_32_percent(n, abnormal):
    """SINBAR 2012: any mentalis + phasic FDS in > 32 % of REM mini-epochs is abnormal."""
    chin = np.zeros(100, bool)
    fds = np.zeros(100, bool)
    chin[:10] = True
    fds[10:n] = True
    r = sinbar_percentages(chin, fds, np.ones(100, bool), np.zeros(100, bool))
    assert r["sinbar_combined_abnormal"] is abnormal


def test_excluded_seconds_marks_arousals_and_respiratory_events():
    scored = pd.DataFrame({"onset": [10.0, 50.0, 80.0], "duration": [3.0, 10.0, 5.0],
                           "kind": ["arousal", "apnea", "lm"], "channel": "", "label": ""})
    m = excluded_seconds(scored, 100, 1.0)
    assert m[10:13].all() and not m[13] and m[50:60].all() and not m[80:85].any()
    m2 = excluded_seconds(scored, 100, 1.0, params=RemParams(exclude_respiratory=False))
    assert not m2[50:60].any()


def test_rswa_phasic_rules_read_the_chins_contraction_table():
    """Issue 12: chin contractions feed the REM rules.  AASM v2.6 (RBD rules): a REM epoch
    is phasic when ≥ 5 of its 10 mini-epochs hold 0.1–5 s bursts ≥ 4 × background; SINBAR
    counts mini-epochs with bursts ≥ 2 × background.  The bursts sit in the chin's
    contraction table (the burst table is empty): the REM figures come from it."""
    from somnomotor.channels import ChannelInfo
    from somnomotor.detect.bursts import ChannelBursts
    from somnomotor.score.muscles import MuscleParams, score_muscles

    hyp = Hypnogram.from_labels(["N2"] * 4 + ["R"] * 4)
    info = ChannelInfo("Chin", 256.0, kind="emg", muscle="mentalis", side="midline",
                       region="chin")
    on = 120.0 + 3.0 * np.array([0, 2, 4, 6, 8]) + 1.0  # 5 of the 10 mini-epochs of epoch 4
    con = _bursts(on, np.full(on.size, 0.5), amplitude_uv=20.0, rest_uv=2.0).assign(
        channel="Chin", muscle="mentalis", side="midline", region="chin")
    empty = con.iloc[:0]
    amp = np.full(240, 2.0)
    chin = ChannelBursts(info, empty, {"channel": "Chin"}, amp, con)
    res = score_muscles([chin], hyp, duration=240.0)
    assert res.summary["rem_phasic_epochs"] == 1 and res.summary["rem_phasic_percent"] == 25.0
    assert res.summary["sinbar_any_percent"] == 12.5  # 5 of the 40 REM mini-epochs
    old = MuscleParams(rem=RemParams(chin_activity="bursts"))
    res = score_muscles([chin], hyp, duration=240.0, params=old)
    assert res.summary["rem_phasic_epochs"] == 0


def test_aasm_tonic_an_epoch_without_scorable_seconds_is_not_tonic_and_warns_nothing():
    """AASM tonic rule on an epoch whose chin is all unscorable (NaN): not tonic, silently.

    The fraction of seconds above the NREM minimum has no denominator there; it
    must be 0, not NaN, and not print numpy's "Mean of empty slice" to the user.
    """
    import warnings

    hyp = _hyp_with_rem()
    amp = np.full(int(hyp.end), 5.0)
    rem0 = 4 * 30
    amp[rem0:rem0 + 30] = np.nan  # first REM epoch: no data
    amp[rem0 + 30:rem0 + 60] = 6.0  # second: tonic
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = score_aasm_epochs(amp, _bursts([], 0.5), hyp)
    assert res["tonic"].tolist()[-2:] == [False, True]
