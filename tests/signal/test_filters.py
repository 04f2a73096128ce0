"""Band-pass, mains detection/notch, envelope: behaviour on built signals."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from somnomotor.signal import filters
from somnomotor.signal.filters import (
    bandpass,
    block_mean,
    detect_mains,
    envelope,
    notch,
)


def _tone(f: float, fs: float, seconds: float = 20.0, amp: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * fs)) / fs
    return (amp * np.sin(2 * np.pi * f * t)).astype(np.float32)


def _gain(y: np.ndarray, x: np.ndarray, fs: float) -> float:
    mid = slice(int(2 * fs), -int(2 * fs))
    return float(np.std(y[mid]) / np.std(x[mid]))


def test_bandpass_passes_the_emg_band_and_stops_outside() -> None:
    fs = 512.0
    assert _gain(bandpass(_tone(40, fs), fs)[0], _tone(40, fs), fs) == pytest.approx(1, abs=0.05)
    assert _gain(bandpass(_tone(1, fs), fs)[0], _tone(1, fs), fs) < 0.01
    assert _gain(bandpass(_tone(200, fs), fs)[0], _tone(200, fs), fs) < 0.05


def test_bandpass_returns_float32_and_no_note_at_512_hz() -> None:
    y, note = bandpass(_tone(40, 512.0), 512.0)
    assert y.dtype == np.float32
    assert note == ""


def test_bandpass_upper_edge_clipped_below_nyquist_with_note_at_200_hz() -> None:
    fs = 200.0
    y, note = bandpass(_tone(40, fs), fs)
    assert "clipped to 90 Hz" in note
    assert _gain(y, _tone(40, fs), fs) == pytest.approx(1, abs=0.05)


def test_bandpass_is_zero_phase() -> None:
    fs = 512.0
    x = _tone(30, fs)
    y, _ = bandpass(x, fs)
    mid = slice(2000, 6000)
    lag = np.argmax(np.correlate(y[mid], x[mid], "full")) - (6000 - 2000 - 1)
    assert lag == 0


def test_nan_gap_stays_local_and_does_not_smear() -> None:
    fs = 256.0
    x = np.random.default_rng(0).normal(0, 5, int(60 * fs)).astype(np.float32)
    x[5000:6000] = np.nan
    y, _ = bandpass(x, fs)
    assert np.isnan(y[5000:6000]).all()
    assert np.isfinite(y[:5000]).all() and np.isfinite(y[6000:]).all()
    env = envelope(y, fs, 0.1)
    assert np.isnan(env[5000:6000]).all() and np.isfinite(env[6000:]).all()


def test_all_nan_signal_gives_all_nan_without_error() -> None:
    y, _ = bandpass(np.full(1000, np.nan), 256.0)
    assert np.isnan(y).all()


def test_very_short_signal_is_filtered_without_error() -> None:
    y, _ = bandpass(np.ones(5, dtype=np.float32), 256.0)
    assert y.shape == (5,)


@pytest.mark.parametrize("mains", [50.0, 60.0])
@pytest.mark.parametrize("fs", [200.0, 256.0, 512.0])
def test_detect_mains_finds_the_line_frequency(mains: float, fs: float) -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(0, 3, int(120 * fs)).astype(np.float32) + _tone(mains, fs, 120, 2.0)
    assert detect_mains(x, fs) == mains


def test_detect_mains_on_a_quiet_channel_with_one_loud_minute() -> None:
    """A quiet chin (0.3 µV noise) with a 1.5-µV hum and a minute of loud activity.

    The loud minute's broadband power must not bury the hum that stands far above
    the quiet floor in every other stretch (per-stretch spectra, their median).
    """
    fs, seconds = 256.0, 3600
    rng = np.random.default_rng(4)
    x = rng.normal(0, 0.3, int(seconds * fs)).astype(np.float32) + _tone(50.0, fs, seconds, 1.5)
    loud = slice(int(1620 * fs), int(1680 * fs))  # holds one of the 12 sampled stretches
    x[loud] += rng.normal(0, 40.0, loud.stop - loud.start).astype(np.float32)
    assert detect_mains(x, fs) == 50.0


def test_detect_mains_none_for_clean_noise() -> None:
    x = np.random.default_rng(3).normal(0, 3, int(120 * 512)).astype(np.float32)
    assert detect_mains(x, 512.0) is None


def test_detect_mains_none_when_the_rate_is_too_low() -> None:
    x = np.random.default_rng(3).normal(0, 3, 100 * 100).astype(np.float32)
    assert detect_mains(x, 100.0) is None


def test_notch_removes_mains_and_harmonics_and_keeps_emg_band() -> None:
    fs = 512.0
    x = _tone(50, fs) + _tone(150, fs) + _tone(75, fs)
    y = notch(x, fs, 50.0)
    spec = np.abs(np.fft.rfft(y[1024:-1024]))
    f = np.fft.rfftfreq(y[1024:-1024].size, 1 / fs)
    at = lambda q: spec[np.argmin(np.abs(f - q))]  # noqa: E731
    assert at(50) < 0.01 * at(75)
    assert at(150) < 0.01 * at(75)
    assert _gain(notch(_tone(75, fs), fs, 50.0), _tone(75, fs), fs) == pytest.approx(1, abs=0.02)


def test_envelope_of_a_sine_is_its_rectified_mean() -> None:
    fs = 512.0
    env = envelope(_tone(40, fs, amp=10.0), fs, 0.1)
    assert np.median(env) == pytest.approx(10 * 2 / np.pi, rel=0.02)


def test_block_mean_ignores_nan_and_handles_a_short_tail() -> None:
    x = np.array([1, 3, np.nan, 5, np.nan, np.nan, 7], dtype=np.float32)
    out = block_mean(x, 2)
    assert out[0] == 2 and out[1] == 5 and np.isnan(out[2]) and out[3] == 7


def test_docstring_examples_run() -> None:
    res = doctest.testmod(filters, extraglobs={"np": np})
    assert res.failed == 0 and res.attempted > 0
