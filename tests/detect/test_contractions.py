"""The contraction layer: every activation of one channel, any duration (issue 12)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from somnomotor.detect.contractions import (
    ContractionParams,
    detect_contractions,
    heart_locked,
    too_slow,
)
from somnomotor.hypnogram import Hypnogram
from somnomotor.score.contractions import contraction_rows, contraction_summary

FS = 256.0


def _noise_env(seconds: float, rest: float, seed: int = 0) -> np.ndarray:
    """A 15-ms-like envelope of resting EMG: rectified noise smoothed over ~4 samples."""
    rng = np.random.default_rng(seed)
    x = np.abs(rng.normal(0.0, rest * np.sqrt(np.pi / 2), int(seconds * FS)))
    k = np.ones(4) / 4
    return np.convolve(x, k, mode="same").astype(np.float32)


@pytest.mark.parametrize("duration,factor", [(0.1, 30.0), (3.0, 3.0), (40.0, 2.5)])
def test_a_jerk_a_grasp_and_a_tonic_stretch_are_each_one_contraction(duration, factor):
    env = _noise_env(600.0, 2.0)
    i0, i1 = int(300 * FS), int((300 + duration) * FS)
    env[i0:i1] += np.float32(2.0 * factor)
    c = detect_contractions(env, FS)
    hit = c[(c.onset < 300 + duration) & (c.onset + c.duration > 300)]
    assert len(hit) == 1
    assert abs(hit.onset.iloc[0] - 300.0) < 0.1
    assert abs(hit.duration.iloc[0] - duration) < max(0.1, 0.05 * duration)
    assert bool(hit.tonic.iloc[0]) == (duration >= 5.0)


def test_pre_level_is_the_background_just_before_the_contraction():
    # AASM bruxism measures its 2 × against the background EMG immediately before an
    # elevation: ``pre_uv`` is the envelope's level over the ``pre_s`` before onset, here a
    # quieter 1-µV stretch in a 2-µV night, not the channel's resting level.
    env = _noise_env(600.0, 2.0)
    env[int(290 * FS): int(300 * FS)] = _noise_env(10.0, 1.0, seed=1)
    env[int(300 * FS): int(303 * FS)] += np.float32(40.0)
    c = detect_contractions(env, FS)
    hit = c[(c.onset > 299.0) & (c.onset < 301.0)]
    assert len(hit) == 1
    assert 0.7 < hit.pre_uv.iloc[0] < 1.3 and hit.rest_uv.iloc[0] > 1.6


def test_resting_noise_alone_gives_almost_no_contraction():
    c = detect_contractions(_noise_env(1800.0, 2.0, seed=3), FS)
    assert len(c) <= 2  # 30 min of noise


def test_threshold_follows_the_channels_own_spread():
    # The resting spread that sets the margin is the channel's own (noise-adaptive,
    # Moore 2014 style): wider where the resting envelope fluctuates more.
    quiet = _noise_env(600.0, 2.0)
    rng = np.random.default_rng(5)
    noisy = quiet * np.repeat(rng.uniform(0.4, 1.6, 600 * 16), int(FS / 16))[: quiet.size]
    noisy = noisy.astype(np.float32)
    for env in (quiet, noisy):
        env[int(300 * FS): int(302 * FS)] += np.float32(4.0)
    q, n = (detect_contractions(e, FS).query("299 < onset < 302") for e in (quiet, noisy))
    assert len(q) == 1
    # The margin (onset_sd × resting spread) is wider on the fluctuating channel.
    assert n.empty or n.spread_uv.iloc[0] > 1.5 * q.spread_uv.iloc[0]


def test_per_region_overrides_apply_and_unknown_keys_are_refused():
    p = ContractionParams(by_region={"chest": {"onset_sd": 20.0}})
    assert p.for_region("chest").onset_sd == 20.0
    assert p.for_region("arm").onset_sd == p.onset_sd
    with pytest.raises(ValueError, match="unknown key"):
        ContractionParams(by_region={"chest": {"onset_sigma": 3.0}})


def test_a_one_hertz_envelope_channel_is_too_slow():
    assert too_slow(1.0) and not too_slow(200.0)


def test_weak_short_rows_at_successive_beats_are_ecg_residue():
    beats = np.arange(0.0, 60.0, 0.9)
    t = pd.DataFrame({"onset": beats[10:14] - 0.05, "duration": 0.3, "amplitude_uv": 4.0})
    assert heart_locked(t, beats).all()
    strong = t.assign(amplitude_uv=60.0)
    assert not heart_locked(strong, beats).any()


def test_rows_and_summary_count_every_channel_and_stage():
    hyp = Hypnogram(np.array(["W", "N2", "N2", "R"]), epoch=30.0)
    t = pd.DataFrame({"onset": [5.0, 40.0, 70.0, 100.0], "duration": [0.2, 3.0, 1.0, 0.5],
                      "amplitude_uv": 10.0, "tonic": False, "rest_uv": 2.0,
                      "channel": ["Chin", "Chin", "Arm", "Arm"],
                      "muscle": ["mentalis", "mentalis", "fds", "fds"], "side": "",
                      "region": ["chin", "chin", "arm", "arm"]})
    rows = contraction_rows([t], hyp)
    assert rows.stage.tolist() == ["W", "N2", "N2", "R"]
    s = contraction_summary(rows, {"Chin": "chin", "Arm": "arm", "Neck": "neck"}, hyp, 120.0)
    tst_h = 90.0 / 3600.0
    assert s["contraction_index_by_region"]["chin"] == pytest.approx(1 / tst_h)  # W not counted
    assert s["contraction_index_by_region"]["arm"] == pytest.approx(2 / tst_h)
    assert s["contraction_index_by_region"]["neck"] == 0.0
    assert s["contraction_index_by_stage"]["N2"] == pytest.approx(2 / (60 / 3600))
    assert s["contraction_index_by_stage"]["N1"] is None
    assert s["contraction_count_by_channel"] == {"Chin": 2, "Arm": 2, "Neck": 0}
    assert s["contraction_seconds_by_channel"]["Arm"] == pytest.approx(1.5)


@pytest.mark.parametrize("dec", [1, 2, 3, 5, 7, 8, 13])
def test_row_means_are_numpy_s_mean_bit_for_bit(dec: int) -> None:
    """The 20-ms steps of the contraction envelope are block means computed as strided
    sums (issue 11: 3–4× faster); the bits must stay numpy's, or contractions at their
    thresholds could move."""
    from somnomotor.detect.contractions import _row_means

    x = np.random.default_rng(dec).gamma(2.0, 3.0, dec * 50_001).astype(np.float32)
    got = _row_means(x, dec)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, x.reshape(-1, dec).mean(axis=1))
