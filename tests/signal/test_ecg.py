"""R-peak detection, ECG template subtraction and the residual-ECG figure."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from somnomotor.signal.ecg import (
    detect_r_peaks,
    find_r_peaks_in_emg,
    remove_ecg,
    residual_ecg,
)


def _beat_times(duration: float, rng: np.random.Generator, bpm: float = 66.0) -> np.ndarray:
    rr = 60.0 / bpm * (1 + 0.06 * np.sin(np.arange(int(duration * bpm / 60) + 5) / 7.0))
    rr = rr * (1 + 0.02 * rng.standard_normal(rr.size))
    t = 0.7 + np.cumsum(rr)
    return t[t < duration - 0.7]


def _pqrst(t_rel: np.ndarray) -> np.ndarray:
    """A QRS-T complex (mV-ish shape, unit R height) as a sum of Gaussians, t in s."""
    def g(mu: float, sd: float, a: float) -> np.ndarray:
        return a * np.exp(-0.5 * ((t_rel - mu) / sd) ** 2)

    return (g(-0.16, 0.025, 0.12) + g(-0.025, 0.008, -0.15) + g(0.0, 0.010, 1.0)
            + g(0.028, 0.010, -0.25) + g(0.25, 0.045, 0.3))


def _cardiac(n: int, fs: float, beats: np.ndarray, amp: np.ndarray | float) -> np.ndarray:
    t = np.arange(n) / fs
    out = np.zeros(n)
    amp = np.broadcast_to(np.asarray(amp, dtype=float), beats.shape)
    for b, a in zip(beats, amp, strict=True):  # builder only: a few hundred beats
        i0, i1 = int((b - 0.4) * fs), int((b + 0.6) * fs)
        out[i0:i1] += a * _pqrst(t[i0:i1] - b)
    return out


def _bandpass(x: np.ndarray, fs: float) -> np.ndarray:
    sos = signal.butter(4, [10, 100], btype="bandpass", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, x)


def _bursts(n: int, fs: float, onsets: np.ndarray, dur: float, amp: float,
            rng: np.random.Generator) -> np.ndarray:
    """Muscle bursts: band-limited noise (30–150 Hz) under a Hann window, peak ≈ amp µV."""
    out = np.zeros(n)
    sos = signal.butter(4, [30, 150], btype="bandpass", fs=fs, output="sos")
    m = int(dur * fs)
    for o in onsets:
        z = signal.sosfilt(sos, rng.standard_normal(m + 200))[200:]
        z = z / np.std(z) * amp / 2.5
        out[int(o * fs):int(o * fs) + m] += z * np.hanning(m)
    return out


@pytest.fixture(scope="module")
def night():
    rng = np.random.default_rng(3)
    duration, fs_ecg, fs = 300.0, 256.0, 512.0
    beats = _beat_times(duration, rng)
    ecg = 1000.0 * _cardiac(int(duration * fs_ecg), fs_ecg, beats, 1.0)
    ecg += 20 * rng.standard_normal(ecg.size)
    n = int(duration * fs)
    burst_onsets = np.sort(rng.uniform(2, duration - 3, 60))
    # Half the bursts start right on a beat: they must survive subtraction.
    burst_onsets[::2] = beats[np.searchsorted(beats, burst_onsets[::2]).clip(0, beats.size - 1)] - 0.02
    amp_beat = 250.0 * (1 + 0.3 * np.sin(beats / 40.0))  # slowly varying artefact size
    artefact = _cardiac(n, fs, beats, amp_beat)
    muscle = _bursts(n, fs, burst_onsets, 0.12, 50.0, rng)
    trunk = artefact + muscle + 2.0 * rng.standard_normal(n)
    return dict(beats=beats, ecg=ecg.astype(np.float32), fs_ecg=fs_ecg, fs=fs,
                trunk=_bandpass(trunk, fs).astype(np.float32),
                muscle=_bandpass(muscle, fs).astype(np.float32),
                burst_onsets=burst_onsets)


def _match(found: np.ndarray, truth: np.ndarray, tol: float) -> tuple[int, float]:
    d = np.abs(found[:, None] - truth[None, :])
    hits = int(np.sum(d.min(axis=0) <= tol))
    return hits, float(np.max(d.min(axis=1)))


def test_detect_r_peaks_finds_every_beat_within_5_ms(night):
    peaks = detect_r_peaks(night["ecg"], night["fs_ecg"])
    hits, worst = _match(peaks, night["beats"], 0.005)
    assert peaks.size == night["beats"].size
    assert hits == night["beats"].size and worst < 0.005


def test_detect_r_peaks_handles_inverted_polarity(night):
    peaks = detect_r_peaks(-night["ecg"], night["fs_ecg"])
    hits, _ = _match(peaks, night["beats"], 0.03)
    assert hits >= night["beats"].size - 1 and peaks.size <= night["beats"].size + 1


def test_detect_r_peaks_yields_no_beats_inside_a_gap(night):
    ecg = night["ecg"].copy()
    fs = night["fs_ecg"]
    ecg[int(100 * fs):int(140 * fs)] = np.nan
    peaks = detect_r_peaks(ecg, fs)
    assert not np.any((peaks > 100.05) & (peaks < 139.95))
    outside = night["beats"][(night["beats"] < 99.5) | (night["beats"] > 140.5)]
    hits, _ = _match(peaks, outside, 0.01)
    assert hits >= outside.size - 2


def test_detect_r_peaks_on_flat_or_short_input_returns_empty():
    assert detect_r_peaks(np.zeros(10_000, np.float32), 256.0).size == 0
    assert detect_r_peaks(np.ones(100, np.float32), 256.0).size == 0


def test_remove_ecg_shrinks_beat_locked_artefact_tenfold(night):
    peaks = detect_r_peaks(night["ecg"], night["fs_ecg"])
    before = residual_ecg(night["trunk"], night["fs"], peaks)
    clean = remove_ecg(night["trunk"], night["fs"], peaks)
    after = residual_ecg(clean, night["fs"], peaks)
    assert before > 20.0  # the artefact is large (hundreds of µV peak)
    assert after < 0.1 * before
    assert clean.dtype == np.float32 and clean.shape == night["trunk"].shape


def test_remove_ecg_keeps_bursts_that_coincide_with_beats(night):
    """A median-based template must not absorb a muscle burst that lands on a beat."""
    peaks = detect_r_peaks(night["ecg"], night["fs_ecg"])
    clean = remove_ecg(night["trunk"], night["fs"], peaks)
    fs = night["fs"]
    kept = []
    for o in night["burst_onsets"][::2]:  # the on-beat ones
        sl = slice(int(o * fs), int((o + 0.12) * fs))
        kept.append(np.sqrt(np.mean(clean[sl] ** 2)) / np.sqrt(np.mean(night["muscle"][sl] ** 2)))
    kept = np.array(kept)
    assert np.median(kept) > 0.85 and np.median(kept) < 1.3


def test_remove_ecg_keeps_nan_as_nan(night):
    x = night["trunk"].copy()
    x[1000:2000] = np.nan
    peaks = detect_r_peaks(night["ecg"], night["fs_ecg"])
    clean = remove_ecg(x, night["fs"], peaks)
    assert np.isnan(clean[1000:2000]).all() and np.isfinite(clean[3000:]).all()


def test_remove_ecg_without_beats_returns_the_signal(night):
    clean = remove_ecg(night["trunk"], night["fs"], np.zeros(0))
    np.testing.assert_array_equal(clean, night["trunk"])


def test_residual_ecg_is_nan_without_beats(night):
    assert np.isnan(residual_ecg(night["trunk"], night["fs"], None))


def test_find_r_peaks_in_emg_recovers_beats_from_trunk_channel(night):
    peaks, note = find_r_peaks_in_emg(night["trunk"], night["fs"])
    assert peaks is not None and "detected from this channel" in note
    hits, _ = _match(peaks, night["beats"], 0.01)
    assert hits >= 0.9 * night["beats"].size
    clean = remove_ecg(night["trunk"], night["fs"], peaks)
    assert residual_ecg(clean, night["fs"], night["beats"]) < 0.15 * residual_ecg(
        night["trunk"], night["fs"], night["beats"])


def test_find_r_peaks_in_emg_says_so_when_no_heartbeat(night):
    rng = np.random.default_rng(1)
    fs = night["fs"]
    noise = _bandpass(rng.standard_normal(int(120 * fs)) * 3, fs).astype(np.float32)
    noise += _bandpass(_bursts(noise.size, fs, rng.uniform(1, 118, 80), 0.2, 60, rng), fs
                       ).astype(np.float32)
    peaks, note = find_r_peaks_in_emg(noise, fs)
    assert peaks is None and "not removed" in note


@pytest.mark.parametrize("scenario,fs,seed", [("polio_plms", 512.0, 0), ("healthy", 256.0, 1),
                                              ("polio_mixed", 200.0, 3)])
def test_r_peaks_found_at_128_hz_agree_with_full_rate_detection(scenario, fs, seed):
    """Detection runs on the ECG brought down to ~128 Hz; the beats and their times agree
    with detection at the full rate (same beats, R times within 0.5 ms)."""
    from somnomotor.signal.ecg import EcgParams
    from somnomotor.simulate import simulate_night

    x = simulate_night(scenario, hours=0.25, seed=seed, fs=fs).recording.read("ECG II")
    full = detect_r_peaks(x, fs, params=EcgParams(detection_rate_hz=0.0))
    fast = detect_r_peaks(x, fs)
    assert fast.size == full.size > 700
    assert float(np.max(np.abs(fast - full))) < 0.0005


def test_remove_ecg_takes_the_whole_p_wave_and_follows_each_beats_r_time():
    """Trunk channel at 256 Hz, artefact 250 µV breathing ±15 %, R times found on another
    lead (±2 ms off): the template spans the whole P wave (PR up to 0.2 s, so it starts
    ~0.3 s before R) and each beat's fit takes a sub-sample time shift besides its size.
    Before: P-wave residue ~6 µV and QRS residue ~30 µV (95th percentile of the beats'
    peaks), as large as the small bursts beside them (issue 12: ECG 3–5× the bursts)."""
    rng = np.random.default_rng(5)
    fs, duration = 256.0, 300.0
    beats = _beat_times(duration, rng, bpm=70)
    n = int(duration * fs)
    t = np.arange(n) / fs
    amp = 250.0 * (1 + 0.15 * np.sin(2 * np.pi * 0.25 * beats))
    raw = 1.0 * rng.standard_normal(n)
    for b, a in zip(beats, amp, strict=True):
        i0, i1 = int((b - 0.4) * fs), int((b + 0.6) * fs)
        rel = t[i0:i1] - b
        raw[i0:i1] += a * (0.12 * np.exp(-0.5 * ((rel + 0.20) / 0.025) ** 2)  # P at −0.2 s
                           + _pqrst(rel) - 0.12 * np.exp(-0.5 * ((rel + 0.16) / 0.025) ** 2))
    x = _bandpass(raw, fs).astype(np.float32)
    found = beats + rng.uniform(-0.002, 0.002, beats.size)
    clean = remove_ecg(x, fs, found)

    def p95(a: float, b: float) -> float:
        return float(np.percentile([np.abs(clean[int((r + a) * fs):int((r + b) * fs)]).max()
                                    for r in beats[2:-2]], 95))

    noise = float(np.percentile(np.abs(_bandpass(1.0 * rng.standard_normal(n), fs)), 99.5))
    assert p95(-0.32, -0.12) < 1.7 * noise  # the P wave: about the noise
    assert p95(-0.05, 0.06) < 3.0 * noise  # the QRS: a few µV of 250


def test_a_burst_on_one_beat_leaves_no_residue_at_the_beats_around_it():
    """Beats whose size breathes (±15 %): a strong burst on one beat must not spoil the
    template of the 2 × 15 beats around it (issue 12: chest rows at every beat of a
    block on seed 35 of bench_contractions)."""
    fs, dur = 512.0, 120.0
    rng = np.random.default_rng(3)
    beats = _beat_times(dur, rng, bpm=60.0)
    n = int(dur * fs)
    size = 300.0 * (1 + 0.15 * np.sin(2 * np.pi * 0.25 * beats + 1.0))
    x = _cardiac(n, fs, beats, size)
    hit = int(np.argmin(np.abs(beats - 60.0)))
    burst = _bursts(n, fs, np.array([beats[hit] - 0.02]), 0.08, 400.0, rng)
    y = _bandpass(x + 1.0 * rng.standard_normal(n), fs) + burst
    clean = remove_ecg(y, fs, beats)
    qrs = []
    for b in beats[hit - 14: hit + 15]:  # the beats the burst's block template reaches
        if abs(b - beats[hit]) < 0.5:
            continue
        i = int(b * fs)
        qrs.append(np.sqrt(np.mean(clean[i - 26: i + 52] ** 2)))
    # what is left over each QRS is the noise (~0.5 µV), not template error (> 1.2 µV
    # at the worst beat when the block median takes the beats at their breathing sizes)
    assert max(qrs) < 0.9


def test_beats_buried_in_a_long_contraction_leave_the_beats_before_it_clean():
    """A 20-s contraction covers whole template blocks: its beats must not make the
    template of the clean beats just before it noisy (issue 12: neck rows rising for
    seconds before a long SCM contraction, bench_contractions seed 31)."""
    fs, dur = 512.0, 150.0
    rng = np.random.default_rng(5)
    beats = _beat_times(dur, rng, bpm=60.0)
    n = int(dur * fs)
    size = 80.0 * (1 + 0.15 * np.sin(2 * np.pi * 0.25 * beats))
    y = _bandpass(_cardiac(n, fs, beats, size) + 0.5 * rng.standard_normal(n), fs)
    m = int(20 * fs)
    sos = signal.butter(4, [30, 150], btype="bandpass", fs=fs, output="sos")
    emg = signal.sosfilt(sos, rng.standard_normal(m))
    y[int(80 * fs): int(80 * fs) + m] += 60.0 * emg / np.std(emg)
    clean = remove_ecg(y, fs, beats)

    def left(a: float, b: float) -> float:
        return float(np.sqrt(np.mean(clean[int(a * fs): int(b * fs)] ** 2)))

    # the 10 s just before the contraction are as clean as the minute before them
    assert left(70.0, 79.5) < 1.5 * left(10.0, 60.0)


def test_beat_segments_at_the_night_s_ends_are_the_clipped_gather() -> None:
    """A beat a sample short of a whole window at either end is gathered clipped; the rest
    come from the sliding-window view (issue 11): every row as the plain gather gives it."""
    from somnomotor.signal.ecg import _segments

    rng = np.random.default_rng(2)
    x = rng.normal(0.0, 10.0, 5000).astype(np.float32)
    pre, length = 20, 60
    base = np.array([pre, pre + 1, 400, 2500, 5000 - length + pre - 2, 5000 - length + pre])
    frac = rng.uniform(0.0, 1.0, base.size).astype(np.float32)
    got = _segments(x, base, frac, pre, length)
    k = np.arange(-pre - 1, -pre + length + 2)
    raw = x[np.clip(base[:, None] + k[None, :], 0, x.size - 1)]
    interior = _segments(x, base[2:4], frac[2:4], pre, length)
    np.testing.assert_array_equal(got[2:4], interior)
    # the clipped gather, weighted as _segments weighs it
    from somnomotor.signal.ecg import _cubic_weights

    w = _cubic_weights(frac)
    want = w[:, 0:1] * raw[:, 0:length]
    for m in range(1, 4):
        want += w[:, m:m + 1] * raw[:, m:m + length]
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-4)


def test_ecg_removal_in_row_chunks_is_the_whole_night_s_arithmetic(monkeypatch) -> None:
    """remove_ecg works through the beats a few thousand at a time (issue 11: a 12-channel
    night's peak memory); the result does not depend on the chunk."""
    import somnomotor.signal.ecg as ecg_mod

    rng = np.random.default_rng(8)
    fs, n = 256.0, 256 * 1200
    peaks = np.cumsum(rng.uniform(0.7, 1.1, 1500))
    peaks = peaks[peaks < n / fs - 1.0]
    x = rng.normal(0.0, 3.0, n).astype(np.float32)
    for r in peaks:
        i = int(r * fs)
        x[i - 3:i + 4] += np.float32(80.0) * np.hanning(7).astype(np.float32)
    whole = ecg_mod.remove_ecg(x, fs, peaks)
    monkeypatch.setattr(ecg_mod, "_ROWS", 97)  # many chunks, none a multiple of 15 beats
    np.testing.assert_array_equal(ecg_mod.remove_ecg(x, fs, peaks), whole)
    assert float(np.std(whole)) < 0.5 * float(np.std(x))  # the beats were there and went
