"""Burst detection in any EMG channel: brief bursts, tonic activity, ECG-laden trunk channels."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from somnomotor.detect.bursts import BurstParams, detect_bursts, estimate_resting_level, runs
from somnomotor.signal.ecg import detect_r_peaks, find_r_peaks_in_emg, remove_ecg
from somnomotor.signal.filters import bandpass, envelope

FS = 512.0


def _burst(m: int, amp: float, rng: np.random.Generator) -> np.ndarray:
    """Band-limited (30–150 Hz) noise under a Hann window; peak ≈ ``amp`` µV."""
    sos = signal.butter(4, [30, 150], btype="bandpass", fs=FS, output="sos")
    z = signal.sosfilt(sos, rng.standard_normal(m + 256))[256:]
    return z / np.std(z) * amp / 2.5 * signal.windows.tukey(m, 0.3)


def _channel(duration: float, onsets, durations, amps, rng, noise_uv: float = 2.0) -> np.ndarray:
    n = int(duration * FS)
    x = noise_uv * rng.standard_normal(n)
    for o, d, a in zip(onsets, durations, amps, strict=True):
        m = int(d * FS)
        x[int(o * FS):int(o * FS) + m] += _burst(m, a, rng)
    return x


def _f1(found: np.ndarray, truth: np.ndarray, tol: float = 0.1) -> float:
    if found.size == 0 or truth.size == 0:
        return 0.0
    d = np.abs(found[:, None] - truth[None, :])
    tp_t = int(np.sum(d.min(axis=0) <= tol))
    tp_f = int(np.sum(d.min(axis=1) <= tol))
    prec, rec = tp_f / found.size, tp_t / truth.size
    return 0.0 if prec + rec == 0 else 2 * prec * rec / (prec + rec)


def test_runs_finds_start_and_exclusive_end():
    s, e = runs(np.array([0, 1, 1, 0, 1, 0, 0, 1], dtype=bool))
    assert s.tolist() == [1, 4, 7] and e.tolist() == [3, 5, 8]


def test_brief_bursts_of_30_to_200_ms_are_each_found_with_onset_and_duration():
    rng = np.random.default_rng(0)
    onsets = np.arange(2.0, 118.0, 1.9)
    onsets = onsets + rng.uniform(0, 0.3, onsets.size)
    durs = rng.uniform(0.03, 0.2, onsets.size)
    x = _channel(120.0, onsets, durs, np.full(onsets.size, 40.0), rng)
    y, _ = bandpass(x, FS)
    b = detect_bursts(y, FS, params=BurstParams())
    brief = b[~b.tonic]
    assert _f1(brief.onset.to_numpy(), onsets, tol=0.03) >= 0.97
    # Durations track the truth (Hann-shaped bursts: the envelope sees their middle part).
    d = np.abs(brief.onset.to_numpy()[:, None] - onsets[None, :])
    j = d.argmin(axis=1)
    assert np.corrcoef(brief.duration.to_numpy(), durs[j])[0, 1] > 0.8
    assert (brief.amplitude_uv > 8).all()


def test_two_jerks_100_ms_apart_stay_separate_bursts():
    rng = np.random.default_rng(1)
    x = _channel(20.0, [5.0, 5.2], [0.1, 0.1], [40.0, 40.0], rng)
    y, _ = bandpass(x, FS)
    b = detect_bursts(y, FS)
    assert len(b) == 2 and abs(b.onset[1] - 5.2) < 0.03


def test_resting_noise_alone_gives_no_bursts():
    rng = np.random.default_rng(2)
    y, _ = bandpass(3.0 * rng.standard_normal(int(300 * FS)), FS)
    assert len(detect_bursts(y, FS)) == 0


def test_sustained_contraction_is_one_tonic_episode():
    rng = np.random.default_rng(3)
    n = int(120 * FS)
    x = 2.0 * rng.standard_normal(n)
    sl = slice(int(40 * FS), int(70 * FS))
    sos = signal.butter(4, [30, 150], btype="bandpass", fs=FS, output="sos")
    x[sl] += 15.0 * signal.sosfilt(sos, rng.standard_normal(sl.stop - sl.start))
    y, _ = bandpass(x, FS)
    b = detect_bursts(y, FS)
    tonic = b[b.tonic]
    assert len(tonic) == 1
    assert abs(tonic.onset.iloc[0] - 40) < 0.5 and abs(tonic.duration.iloc[0] - 30) < 1.0
    assert len(b[~b.tonic]) == 0  # nothing split out of it


def test_brief_burst_at_the_end_beside_a_tonic_episode_is_a_row_of_its_own():
    """With no edge margin (``edge_s=0``) a brief burst may run to the last sample; next to
    a tonic episode it is still one brief row, with its own peak (this raised IndexError)."""
    from dataclasses import replace

    fs = 256.0
    env = (2.0 + 0.2 * np.random.default_rng(0).random(int(120 * fs))).astype(np.float32)
    env[int(30 * fs):int(45 * fs)] = 20.0  # a 15-s tonic episode
    env[-int(0.2 * fs):] = 40.0  # a brief burst to the end
    b = detect_bursts(None, fs, params=replace(BurstParams(), edge_s=0.0), env=(env, fs))
    assert list(b["tonic"]) == [True, False]
    assert b["onset"].iloc[1] == pytest.approx(119.8, abs=0.01)
    assert b["amplitude_uv"].iloc[1] + b["rest_uv"].iloc[1] == pytest.approx(40.0)


def test_resting_level_ignores_minutes_of_activity():
    rng = np.random.default_rng(4)
    x = 2.0 * rng.standard_normal(int(600 * FS))
    x[int(100 * FS):int(220 * FS)] *= 20  # two minutes of strong activity
    env = envelope(x, FS, 0.015)
    rest = estimate_resting_level(env, FS)
    quiet = float(np.median(env[: int(90 * FS)]))
    assert np.all(rest < 1.5 * quiet)


def test_nan_gap_is_no_activity():
    rng = np.random.default_rng(5)
    x = _channel(60.0, [10.0, 40.0], [0.1, 0.1], [40.0, 40.0], rng)
    y, _ = bandpass(x, FS)
    y[int(20 * FS):int(30 * FS)] = np.nan
    b = detect_bursts(y, FS)
    assert len(b) == 2 and not ((b.onset > 19) & (b.onset < 31)).any()


@pytest.fixture(scope="module")
def trunk_with_ecg():
    """Intercostal-like channel: QRS artefact ~5× the bursts, plus the ECG channel."""
    rng = np.random.default_rng(7)
    duration, fs_ecg = 600.0, 256.0
    rr = 0.9 * (1 + 0.05 * np.sin(np.arange(800) / 9)) * (1 + 0.02 * rng.standard_normal(800))
    beats = 0.8 + np.cumsum(rr)
    beats = beats[beats < duration - 1]

    def qrs(t):
        return (np.exp(-0.5 * (t / 0.010) ** 2) - 0.25 * np.exp(-0.5 * ((t - 0.028) / 0.01) ** 2)
                - 0.15 * np.exp(-0.5 * ((t + 0.025) / 0.008) ** 2)
                + 0.3 * np.exp(-0.5 * ((t - 0.25) / 0.045) ** 2))

    def cardiac(fs, amp):
        n = int(duration * fs)
        out = np.zeros(n)
        w = np.arange(int(-0.3 * fs), int(0.5 * fs))
        for b in beats:  # builder only
            i = int(b * fs)
            out[i + w] += amp * qrs((i + w) / fs - b)
        return out

    onsets = np.sort(rng.uniform(2, duration - 3, 150))
    onsets = onsets[np.concatenate([[True], np.diff(onsets) > 0.5])]
    durs = rng.uniform(0.05, 0.3, onsets.size)
    muscle = _channel(duration, onsets, durs, np.full(onsets.size, 40.0), rng, noise_uv=2.0)
    raw = muscle + cardiac(FS, 500.0)  # band-passed QRS ≈ 5× the band-passed bursts
    ecg = cardiac(fs_ecg, 1000.0) + 15 * rng.standard_normal(int(duration * fs_ecg))
    y, _ = bandpass(raw, FS)
    ym, _ = bandpass(muscle, FS)
    return dict(y=y, ym=ym, ecg=ecg.astype(np.float32), fs_ecg=fs_ecg, onsets=onsets)


def test_trunk_artefact_is_five_times_the_bursts(trunk_with_ecg):
    t = trunk_with_ecg
    ratio = np.percentile(np.abs(t["y"] - t["ym"]), 99.9) / np.percentile(np.abs(t["ym"]), 99.9)
    assert ratio >= 4.5


def test_trunk_burst_f1_with_ecg_channel_at_least_0_9(trunk_with_ecg):
    """Issue 5 acceptance: ECG artefact 5× the bursts, ECG channel present → F1 ≥ 0.9."""
    t = trunk_with_ecg
    peaks = detect_r_peaks(t["ecg"], t["fs_ecg"])
    clean = remove_ecg(t["y"], FS, peaks)
    b = detect_bursts(clean, FS)
    assert _f1(b.onset.to_numpy(), t["onsets"], tol=0.05) >= 0.9


def test_trunk_without_ecg_removal_is_swamped(trunk_with_ecg):
    """The same channel without removal: every beat looks like a burst (F1 collapses)."""
    t = trunk_with_ecg
    b = detect_bursts(t["y"], FS)
    assert _f1(b.onset.to_numpy(), t["onsets"], tol=0.05) < 0.6


def test_trunk_without_ecg_channel_uses_its_own_beats_and_says_so(trunk_with_ecg):
    t = trunk_with_ecg
    peaks, note = find_r_peaks_in_emg(t["y"], FS)
    assert peaks is not None and "no ECG channel" in note
    b = detect_bursts(remove_ecg(t["y"], FS, peaks), FS)
    assert _f1(b.onset.to_numpy(), t["onsets"], tol=0.05) >= 0.85


def test_electrode_pop_has_low_mean_frequency_unlike_emg():
    """A pop (step + exponential decay) rings at ~10–15 Hz after the 10-Hz high-pass;
    EMG bursts sit at 30+ Hz: burst_frequency tells them apart."""
    from somnomotor.detect.bursts import burst_frequency

    rng = np.random.default_rng(8)
    n = int(60 * FS)
    x = 2.0 * rng.standard_normal(n)
    t = np.arange(int(2 * FS)) / FS
    x[int(20 * FS):int(22 * FS)] += 300.0 * np.exp(-t / 0.3)  # the pop
    x[int(40 * FS):int(40.15 * FS)] += _burst(int(0.15 * FS), 60.0, rng)
    y, _ = bandpass(x, FS)
    b = detect_bursts(y, FS)
    assert len(b) == 2
    f = burst_frequency(y, FS, b.onset.to_numpy(), b.duration.to_numpy())
    assert f[0] < 15.0 < 30.0 < f[1]
