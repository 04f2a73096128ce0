"""Leg-movement detection on built tibialis EMG with known bursts (WASM 2016 rules)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from somnomotor.detect.legs import (
    QUALITY_COLUMNS,
    LegDetectParams,
    detect_leg_movements,
    detect_lms_in_channel,
    find_leg_channels,
)
from somnomotor.errors import MontageError
from somnomotor.recording import Recording
from somnomotor.signal.condition import ConditionedEMG, condition_emg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_legs_builders import leg_recording, leg_signal  # noqa: E402

FS_ENV = 100.0


def _cond(env: np.ndarray, rest: float = 2.0) -> ConditionedEMG:
    """A conditioned channel given directly by its envelope (rules tested exactly)."""
    env = np.asarray(env, dtype=np.float32)
    return ConditionedEMG(filtered=env, fs=FS_ENV, envelope=env,
                          rest=np.full(env.size, rest, np.float32), fs_envelope=FS_ENV,
                          no_data=np.zeros(env.size, bool))


def _env(seconds: float, pieces: list[tuple[float, float, float]], rest: float = 2.0):
    env = np.full(int(seconds * FS_ENV), rest, dtype=np.float32)
    for on, dur, level in pieces:
        env[int(round(on * FS_ENV)):int(round((on + dur) * FS_ENV))] = level
    return env


def _found(env, **kw) -> pd.DataFrame:
    return detect_lms_in_channel(_cond(env), LegDetectParams(**kw))[0]


# --- onset / offset / duration rules (exact, on a given envelope) -------------------

def test_wasm2016_onset_at_8uv_above_resting() -> None:
    # 9.9 µV (7.9 above rest 2) never starts an LM; 10 µV (8 above) does.
    assert len(_found(_env(30, [(10, 2.0, 9.9)]))) == 0
    got = _found(_env(30, [(10, 2.0, 10.0)]))
    assert got["onset"].tolist() == [pytest.approx(10.0)]


def test_wasm2016_offset_at_start_of_0_5s_at_most_2uv_above_rest() -> None:
    # Burst 10-12 s, dip to rest for 0.49 s, burst again (at 5 µV, between the levels)
    # until 14 s: the dip is too short, the LM ends at 14 s.
    env = _env(30, [(10, 2.0, 30.0), (12.0, 0.49, 2.0), (12.49, 1.51, 5.0)])
    got = _found(env)
    assert len(got) == 1
    assert got["onset"].iloc[0] + got["duration"].iloc[0] == pytest.approx(14.0, abs=0.011)


def test_wasm2016_quiet_0_5s_ends_the_lm_at_its_start() -> None:
    env = _env(30, [(10, 2.0, 30.0), (12.0, 0.5, 2.0), (12.5, 1.5, 30.0)])
    got = _found(env)
    assert len(got) == 2
    assert got["duration"].iloc[0] == pytest.approx(2.0, abs=0.011)


def test_wasm2016_activity_between_2_and_8uv_does_not_end_the_lm() -> None:
    env = _env(30, [(10, 1.0, 30.0), (11.0, 3.0, 4.1)])  # 2.1 µV above rest: not quiet
    got = _found(env)
    assert got["duration"].tolist() == [pytest.approx(4.0, abs=0.011)]


def test_wasm2016_minimum_duration_0_5s() -> None:
    assert len(_found(_env(30, [(10, 0.5, 30.0)]))) == 1
    assert len(_found(_env(30, [(10, 0.48, 30.0)]))) == 0


def test_wasm2016_computer_detection_median_rule_rejects_sparse_spikes() -> None:
    # Spikes of 30 µV every 0.2 s for 3 s keep the envelope non-quiet only briefly
    # between spikes when the gaps are filled at 3 µV (1 µV above rest): the event lasts
    # 3 s but no 0.5-s window has a median ≥ 2 µV above rest.
    pieces = [(10.0, 3.0, 3.0)] + [(10.0 + 0.2 * k, 0.02, 30.0) for k in range(15)]
    env = _env(30, pieces)
    assert len(_found(env, morphology_rule=False)) == 1
    assert len(_found(env)) == 0


def test_wasm2016_computer_detection_median_rule_accepts_a_sustained_0_5s() -> None:
    spikes = [(10.0 + 0.2 * k, 0.02, 30.0) for k in range(15)]
    just_below = [(10.0, 3.0, 3.0)] + spikes + [(11.0, 0.52, 3.95)]  # median 1.95 µV above
    just_at = [(10.0, 3.0, 3.0)] + spikes + [(11.0, 0.52, 4.05)]  # median 2.05 µV above
    assert len(_found(_env(30, just_below))) == 0
    assert len(_found(_env(30, just_at))) == 1


def test_amplitude_is_peak_envelope_above_rest() -> None:
    got = _found(_env(30, [(10, 1.0, 12.0), (10.5, 0.2, 42.0)]))
    assert got["amplitude_uv"].tolist() == [pytest.approx(40.0)]


def test_high_resting_level_stretch_excluded_and_reported() -> None:
    cond = _cond(_env(300, [(50, 1.0, 60.0), (200, 1.0, 60.0)]))
    cond.flagged = [(150.0, 100.0)]
    got, counts = detect_lms_in_channel(cond, LegDetectParams())
    assert got["onset"].round(2).tolist() == [50.0] and counts["flagged"] == 1


def test_no_data_ends_an_lm_and_never_starts_one() -> None:
    cond = _cond(_env(60, [(10, 5.0, 40.0)]))
    cond.no_data[int(12 * FS_ENV):int(20 * FS_ENV)] = True
    got = detect_lms_in_channel(cond)[0]
    assert got["duration"].tolist() == [pytest.approx(2.0, abs=0.011)]


# --- on built EMG signals ----------------------------------------------------------

def _match(found: pd.DataFrame, truth: list[tuple[float, float, float]], tol: float = 0.3):
    on = found["onset"].to_numpy()
    hits = sum(bool(np.any(np.abs(on - t[0]) < tol)) for t in truth)
    return hits, len(found)


@pytest.mark.parametrize(("fs", "mains"), [(200.0, 50.0), (256.0, 60.0), (512.0, 50.0)])
def test_detects_known_bursts_in_noise(fs: float, mains: float) -> None:
    rng = np.random.default_rng(int(fs))
    left = [(20 + 24 * i + rng.uniform(0, 4), rng.uniform(0.6, 5), rng.uniform(12, 80))
            for i in range(20)]
    right = [(25 + 31 * i + rng.uniform(0, 4), rng.uniform(0.6, 5), rng.uniform(12, 80))
             for i in range(15)]
    rec = leg_recording(520, fs, left, right, mains_hz=mains, mains_uv=10.0)
    lms, quality = detect_leg_movements(rec)
    for side, truth in (("left", left), ("right", right)):
        hits, n = _match(lms[lms.side == side], truth)
        assert hits == len(truth) and n == len(truth)
    assert set(quality["mains_hz"]) == {mains}
    assert list(quality.columns) == list(QUALITY_COLUMNS)
    dur_err = np.median(np.abs(np.sort(lms[lms.side == "left"]["duration"].to_numpy())
                               - np.sort([b[1] for b in left])))
    assert dur_err < 0.25


def test_no_leg_channel_gives_no_movements_and_says_so() -> None:
    rec = Recording.from_arrays({"C4-M1": np.zeros(256 * 60, np.float32)}, 256.0)
    lms, quality = detect_leg_movements(rec)
    assert len(lms) == 0 and len(quality) == 0
    assert lms.attrs["leg_channels"] == []
    assert find_leg_channels(rec) == []


def test_named_channel_that_does_not_exist_is_a_montage_error() -> None:
    rec = leg_recording(60, 256.0, [], [])
    with pytest.raises(MontageError, match="XYZ"):
        detect_leg_movements(rec, channels=["XYZ"])


def test_flat_disconnected_leg_channel_gives_no_movements_and_a_note() -> None:
    sig = {"LAT": np.zeros(256 * 300, np.float32),
           "RAT": leg_signal(300, 256.0, [(100.0, 2.0, 40.0)])}
    lms, quality = detect_leg_movements(Recording.from_arrays(sig, 256.0))
    assert lms["side"].tolist() == ["right"]
    note = quality.set_index("label").loc["LAT", "notes"]
    assert "no usable signal" in note


def test_saturated_stretch_gives_no_invented_movement() -> None:
    x = leg_signal(300, 256.0, [(100.0, 2.0, 40.0)])
    x[int(200 * 256):int(203 * 256)] = 3276.7  # the amplifier's rail
    rec = Recording.from_arrays({"LAT": x}, 256.0)
    lms, quality = detect_leg_movements(rec)
    assert lms["onset"].round(0).tolist() == [100.0]
    assert quality["excluded_s"].iloc[0] > 3.0


def test_electrode_pops_are_not_leg_movements() -> None:
    fs = 256.0
    x = leg_signal(300, fs, [(100.0, 2.0, 40.0)])
    t = np.arange(int(2 * fs)) / fs
    for at in (50.0, 150.0, 250.0):  # a sudden 800-µV baseline jump decaying over 0.3 s
        i = int(at * fs)
        x[i:i + t.size] += (800.0 * np.exp(-t / 0.3)).astype(np.float32)
    lms, _ = detect_leg_movements(Recording.from_arrays({"LAT": x}, fs))
    assert lms["onset"].round(0).tolist() == [100.0]


def test_nan_gap_in_recording_is_tolerated() -> None:
    x = leg_signal(300, 256.0, [(100.0, 2.0, 40.0), (200.0, 2.0, 40.0)])
    x[int(150 * 256):int(160 * 256)] = np.nan
    lms, quality = detect_leg_movements(Recording.from_arrays({"RAT": x}, 256.0))
    assert lms["onset"].round(0).tolist() == [100.0, 200.0]


def test_moore2014_noise_adaptive_option_widens_margins_only_in_noise() -> None:
    # Resting level 12 µV: a +10-µV movement passes WASM's fixed 8 µV, not the adaptive
    # margin (max(8, 1.0 × 12) = 12 µV).  At a 2-µV resting level both agree.
    noisy = _env(30, [(10, 2.0, 22.0)], rest=12.0)
    cond = _cond(noisy, rest=12.0)
    assert len(detect_lms_in_channel(cond, LegDetectParams())[0]) == 1
    assert len(detect_lms_in_channel(cond, LegDetectParams(noise_adaptive=True))[0]) == 0
    quiet = _cond(_env(30, [(10, 2.0, 10.0)]))
    assert len(detect_lms_in_channel(quiet, LegDetectParams(noise_adaptive=True))[0]) == 1


def test_conditioned_channel_and_detection_agree_with_the_recording_path() -> None:
    x = leg_signal(120, 256.0, [(50.0, 1.5, 30.0)])
    direct = detect_lms_in_channel(condition_emg(x, 256.0, params=LegDetectParams()))[0]
    via, _ = detect_leg_movements(Recording.from_arrays({"LAT": x}, 256.0))
    assert direct["onset"].tolist() == via["onset"].tolist()


def test_leg_channel_sampled_too_slowly_for_emg_is_skipped_with_a_note() -> None:
    sig = {"LAT": np.zeros(30 * 600, np.float32), "RAT": leg_signal(600, 256.0, [])}
    rec = Recording.from_arrays(sig, {"LAT": 30.0, "RAT": 256.0})
    lms, quality = detect_leg_movements(rec)
    q = quality.set_index("label")
    assert "too low for EMG" in q.loc["LAT", "notes"] and len(lms) == 0


def test_summary_says_when_the_recording_has_no_leg_channel() -> None:
    from somnomotor.hypnogram import Hypnogram
    from somnomotor.score.legs import score_leg_movements

    rec = Recording.from_arrays({"C4-M1": np.zeros(256 * 60, np.float32)}, 256.0)
    lms, _ = detect_leg_movements(rec)
    res = score_leg_movements(lms, hypnogram=Hypnogram.from_labels(["N2"] * 2),
                              recording_duration=60.0)
    assert res.summary["leg_channels_present"] == []
    assert res.summary["lm_count"] == 0 and res.summary["plms_index"] == 0.0


def test_wrong_unit_is_noted_in_the_quality_table() -> None:
    x_mv = leg_signal(120, 256.0, [(50.0, 2.0, 40.0)]) / 1000.0  # stored in mV, read as µV
    lms, quality = detect_leg_movements(Recording.from_arrays({"LAT": x_mv}, 256.0))
    assert len(lms) == 0
    assert "implausibly low" in quality["notes"].iloc[0]


def test_stretches_unusable_in_every_leg_channel_are_reported_unscorable() -> None:
    fs = 256.0
    a, b = leg_signal(300, fs, [], seed=1), leg_signal(300, fs, [], seed=2)
    a[int(100 * fs):int(160 * fs)] = np.nan  # both legs lost 100-160 s
    b[int(90 * fs):int(170 * fs)] = np.nan
    a[int(200 * fs):int(250 * fs)] = np.nan  # only the left leg lost 200-250 s
    lms, _ = detect_leg_movements(Recording.from_arrays({"LAT": a, "RAT": b}, fs))
    (on, dur), = lms.attrs["unscorable"]
    assert on == pytest.approx(99.0, abs=1.0) and dur == pytest.approx(62.0, abs=2.0)


def test_range_maxima_are_the_plain_maxima_up_to_the_last_sample() -> None:
    """range_max (the leg, burst and contraction detectors' one range maximum) takes each
    range's maximum without copying the night (issue 11); a range that runs to the last
    sample included."""
    from somnomotor._util import range_max

    rng = np.random.default_rng(7)
    for values in (rng.normal(size=1000).astype(np.float32), rng.integers(0, 50, 997)):
        cuts = np.sort(rng.choice(np.arange(1, values.size), 40, replace=False))
        starts, stops = cuts[0::2], cuts[1::2]
        stops = np.concatenate([stops[:-1], [values.size]])  # the last runs to the end
        want = np.array([values[a:b].max() for a, b in zip(starts, stops, strict=True)])
        np.testing.assert_array_equal(range_max(values, starts, stops), want)
        inner = stops.copy()
        inner[-1] = values.size - 1
        want[-1] = values[starts[-1]:values.size - 1].max()
        np.testing.assert_array_equal(range_max(values, starts, inner), want)
