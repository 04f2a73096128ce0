"""Conditioning one EMG channel: mains, band, gaps, saturation, flat channel, ECG."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from somnomotor.signal.condition import ConditionParams, condition_emg, mark_no_data

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "detect"))
from test_legs_builders import leg_signal  # noqa: E402


@pytest.mark.parametrize("mains", [50.0, 60.0])
def test_mains_found_and_removed(mains: float) -> None:
    fs = 256.0
    x = leg_signal(300, fs, [], mains_hz=mains, mains_uv=20.0)
    c = condition_emg(x, fs)
    assert c.mains_hz == mains
    assert np.median(c.rest) == pytest.approx(2.0 * 0.95, abs=0.4)  # hum gone: rest ≈ 2 µV


def test_mains_forced_off_leaves_hum_in_the_resting_level() -> None:
    fs = 256.0
    x = leg_signal(300, fs, [], mains_hz=50.0, mains_uv=20.0)
    c = condition_emg(x, fs, params=ConditionParams(mains="none"))
    assert c.mains_hz is None and np.median(c.rest) > 8.0


def test_200hz_recording_band_clipped_and_noted() -> None:
    c = condition_emg(leg_signal(120, 200.0, []), 200.0)
    assert any("clipped to 90 Hz" in n for n in c.notes)
    assert c.fs_envelope == 100.0


def test_nan_gap_is_no_data_with_guard() -> None:
    fs = 256.0
    x = leg_signal(300, fs, [])
    x[int(100 * fs):int(110 * fs)] = np.nan
    c = condition_emg(x, fs)
    t = np.arange(c.envelope.size) / c.fs_envelope
    assert c.no_data[(t > 99.5) & (t < 110.5)].all()
    assert not c.no_data[(t < 98) | (t > 112)].any()
    assert c.no_data_s == pytest.approx(12.0, abs=0.2)


def test_saturated_stretch_becomes_no_data() -> None:
    fs = 256.0
    x = leg_signal(120, fs, [])
    x[int(50 * fs):int(52 * fs)] = 3000.0  # stuck at the rail
    x[int(60 * fs)] = 3000.0
    bad, notes = mark_no_data(x, fs)
    assert bad[int(50 * fs):int(52 * fs)].all() and not bad[int(60 * fs)]
    assert any("saturated" in n for n in notes)


def test_flat_channel_is_reported_not_scored() -> None:
    c = condition_emg(np.zeros(256 * 120, dtype=np.float32), 256.0)
    assert c.flat
    assert any("no usable signal" in n for n in c.notes)


def test_ecg_removal_used_when_r_peaks_given() -> None:
    from somnomotor.signal.ecg import detect_r_peaks

    fs = 256.0
    n = int(120 * fs)
    beats = np.arange(0.5, 119.5, 0.9)
    ecg = np.zeros(n, np.float32)
    qrs = np.exp(-0.5 * (np.arange(-10, 11) / 2.5) ** 2).astype(np.float32)
    for b in beats:
        i = int(b * fs)
        ecg[i - 10:i + 11] += qrs
    x = leg_signal(120, fs, []) + 60.0 * ecg  # strong cardiac bleed into the leg channel
    peaks = detect_r_peaks(1000.0 * ecg, fs)
    plain = condition_emg(x, fs)
    cleaned = condition_emg(x, fs, r_peaks=peaks)
    assert cleaned.ecg_removed and not plain.ecg_removed
    assert np.median(cleaned.rest) < np.median(plain.rest)


def test_negligible_cardiac_artefact_is_left_alone_and_noted() -> None:
    from somnomotor.signal.ecg import detect_r_peaks

    fs = 256.0
    n = int(120 * fs)
    ecg = np.zeros(n, np.float32)
    qrs = np.exp(-0.5 * (np.arange(-10, 11) / 2.5) ** 2).astype(np.float32)
    for b in np.arange(0.5, 119.5, 0.9):
        i = int(b * fs)
        ecg[i - 10:i + 11] += qrs
    x = leg_signal(120, fs, []) + 0.2 * ecg  # a trace of bleed, far below the 2-µV level
    c = condition_emg(x, fs, r_peaks=detect_r_peaks(1000.0 * ecg, fs))
    assert not c.ecg_removed
    assert any("not removed" in n for n in c.notes)


def test_docstring_examples_run() -> None:
    import doctest

    from somnomotor.recording import Recording
    from somnomotor.signal import condition

    # the examples' recording (the doctests' namespace gives them a simulated night)
    rng = np.random.default_rng(0)
    rec = Recording.from_arrays({"LAT": rng.normal(0, 2, 700 * 256).astype(np.float32)}, 256.0)
    res = doctest.testmod(condition, extraglobs={"np": np, "rec": rec})
    assert res.failed == 0 and res.attempted > 0


def test_strong_hum_leaves_no_transient_after_the_first_tenth_of_a_second() -> None:
    fs = 256.0
    t = np.arange(int(60 * fs)) / fs
    x = leg_signal(60, fs, []) + (40.0 * np.sin(2 * np.pi * 50 * t + 0.7)).astype(np.float32)
    c = condition_emg(x, fs)
    head = c.envelope[int(0.1 * c.fs_envelope):int(2 * c.fs_envelope)]
    assert c.mains_hz == 50.0 and np.all(head < np.median(c.rest) + 2.0)


def test_no_data_marking_keeps_every_long_repeat_when_it_skips_the_short_ones() -> None:
    """The fast path (only blocks wholly of repeats are looked at) marks exactly what a
    listing of every run of repeated samples marks: quantised noise with many short
    repeats, plus flat and saturated stretches of every length around the limits."""
    from somnomotor._util import runs

    def every_run(x: np.ndarray, fs: float) -> np.ndarray:
        p = ConditionParams()
        bad = ~np.isfinite(x)
        same = x[1:] == x[:-1]
        starts, ends = runs(same)
        ends = ends + 1
        lengths = ends - starts
        hi, lo = float(np.nanmax(x)), float(np.nanmin(x))
        v = x[starts]
        rail = ((v > 0) & (v >= 0.98 * hi)) | ((v < 0) & (v <= 0.98 * lo))
        sat = (lengths >= max(2, round(p.saturation_run_s * fs))) & rail
        flat = (lengths >= round(p.flat_run_s * fs)) & ~sat
        for a, b in zip(starts[sat | flat], ends[sat | flat], strict=True):
            bad[a:b] = True
        return bad

    rng = np.random.default_rng(7)
    for _ in range(300):
        fs = float(rng.choice([100.0, 200.0, 256.0, 512.0]))
        n = int(rng.integers(50, 4000))
        x = np.round(rng.normal(0.0, rng.uniform(0.2, 3.0), n)).astype(np.float32)
        for _ in range(int(rng.integers(0, 5))):
            a, length = int(rng.integers(0, n)), int(rng.integers(1, 2 * int(fs)))
            x[a:a + length] = rng.choice([0.0, float(x.max()), float(x.min()), 3.0])
        bad, _notes = mark_no_data(x, fs)
        assert np.array_equal(bad, every_run(x, fs))


def test_a_long_flat_start_does_not_make_the_channel_look_stepped(monkeypatch) -> None:
    """Whether a channel is recorded in coarse steps is read off its data: a disconnected
    start (flat, no data) is left out, and the hum is still subtracted, not notched."""
    import somnomotor.signal.condition as cond_mod

    fs = 256.0
    rng = np.random.default_rng(3)
    n_flat, n = int(400 * fs), int(900 * fs)
    t = np.arange(n) / fs
    x = (rng.normal(0.0, 3.0, n) + 20.0 * np.sin(2 * np.pi * 50.0 * t)).astype(np.float32)
    x[:n_flat] = 0.0  # 400 s flat: more than half of what stepped() looks at
    assert cond_mod.stepped(x)  # the raw samples alone would say "stepped"
    calls = {"hum": 0, "notch": 0}
    real_hum, real_notch = cond_mod.remove_hum, cond_mod._notch_forward

    def hum(*a, **k):
        calls["hum"] += 1
        return real_hum(*a, **k)

    def notch(*a, **k):
        calls["notch"] += 1
        return real_notch(*a, **k)

    monkeypatch.setattr(cond_mod, "remove_hum", hum)
    monkeypatch.setattr(cond_mod, "_notch_forward", notch)
    c = cond_mod.condition_emg(x, fs, mains=50.0)
    assert calls == {"hum": 1, "notch": 0}
    assert any("flat" in note for note in c.notes)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 13, 32, 33, 128])
def test_block_any_is_numpy_s_any_along_blocks(size: int) -> None:
    """A no-data sample makes its block no data when a night comes down in rate; the
    strided OR (issue 11: a 512-Hz night with gaps spent 80 ms per channel in numpy's
    any along 2-sample rows) gives numpy's answer."""
    from somnomotor._util import block_any

    mask = np.random.default_rng(size).random(size * 10_007) < 0.01
    got = block_any(mask, size)
    assert got.dtype == bool
    np.testing.assert_array_equal(got, mask.reshape(-1, size).any(axis=1))
