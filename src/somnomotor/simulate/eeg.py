"""Stage-dependent EEG and EOG, so that automatic staging has something real to work on.

Background EEG is a sum of band-limited Gaussian rhythms whose amplitudes
follow the stage (AASM Manual; Rechtschaffen & Kales 1968): alpha (8-12 Hz)
in relaxed wake, theta (4-7 Hz) in N1, delta (0.5-2 Hz) growing from N2 to
N3 (> 75 µV slow waves), low-voltage mixed frequency in R.  Graphoelements
are added as events: sleep spindles (11-15 Hz, 0.5-2 s) and K-complexes in
N2, sawtooth waves (2-6 Hz) in R, alpha bursts during arousals.  The EOG
carries blinks and saccades in wake, slow rolling eye movements in N1, rapid
eye movements in R (opposite polarity in E1 and E2: conjugate movements), and
frontal delta leaking in from the EEG in N2-N3.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.signal import butter, sosfilt

#: Band (Hz) -> RMS amplitude (µV) by stage.
BANDS: dict[tuple[float, float], Mapping[str, float]] = {
    (0.5, 2.0): {"W": 6.0, "N1": 9.0, "N2": 14.0, "N3": 50.0, "R": 9.0, "?": 6.0},
    (4.0, 7.0): {"W": 4.0, "N1": 13.0, "N2": 9.0, "N3": 9.0, "R": 11.0, "?": 4.0},
    (8.0, 12.0): {"W": 16.0, "N1": 5.0, "N2": 3.5, "N3": 3.0, "R": 5.0, "?": 5.0},
    (15.0, 25.0): {"W": 5.0, "N1": 3.0, "N2": 2.0, "N3": 1.5, "R": 4.0, "?": 3.0},
}
#: Events per minute by stage.
SPINDLES_PER_MIN = {"N2": 4.0, "N3": 1.0}
K_COMPLEXES_PER_MIN = {"N2": 1.2}
SAWTOOTH_PER_MIN = {"R": 1.5}
RAPID_EYE_MOVEMENTS_PER_MIN = {"R": 12.0}
BLINKS_PER_MIN = {"W": 10.0}


def _stage_envelope(stages: np.ndarray, table: Mapping[str, float], n: int,
                    fs: float) -> np.ndarray:
    """Per-sample amplitude from per-epoch values, smoothed over ~2 s at stage changes."""
    from scipy.ndimage import uniform_filter1d

    from .emg import upsample_seconds

    per_epoch = np.array([table.get(str(s), 0.0) for s in stages], dtype=np.float32)
    per_second = uniform_filter1d(np.repeat(per_epoch, 30), 2, mode="nearest")
    return upsample_seconds(per_second, fs, n)


def _band_noise(n: int, fs: float, band: tuple[float, float],
                rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS Gaussian noise band-passed to ``band`` (Hz)."""
    sos = butter(2, [band[0], min(band[1], 0.45 * fs)], btype="bandpass", fs=fs, output="sos")
    x = sosfilt(sos, rng.standard_normal(n, dtype=np.float32)).astype(np.float32)
    x /= max(float(np.std(x[: min(n, 1 << 20)])), 1e-9)
    return x


def _event_times(stages: np.ndarray, per_min: Mapping[str, float],
                 rng: np.random.Generator) -> np.ndarray:
    """Poisson event times (s) with a per-stage rate."""
    rates = np.array([per_min.get(str(s), 0.0) for s in stages]) / 2.0  # per epoch
    counts = rng.poisson(rates)
    ep = np.repeat(np.arange(stages.size), counts)
    return np.sort(ep * 30.0 + rng.uniform(0, 30.0, size=ep.size))


def _add(x: np.ndarray, t0: float, wave: np.ndarray, fs: float) -> None:
    i0 = int(round(t0 * fs))
    i1 = min(x.size, i0 + wave.size)
    if i0 < 0 or i1 <= i0:
        return
    x[i0:i1] += wave[: i1 - i0]


def synthesize_eeg(stages: np.ndarray, arousals: pd.DataFrame, n: int, fs: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two central EEG derivations (C4-M1, C3-M2) and their frontal delta share (µV float32).

    Returns ``(c4, c3, delta)``; ``delta`` is handed to the EOG as leakage.
    """
    common = np.zeros(n, dtype=np.float32)
    delta = np.zeros(n, dtype=np.float32)
    arousal_gain = np.ones(n, dtype=np.float32)
    for a in arousals.itertuples(index=False):
        i0, i1 = int(a.onset * fs), int((a.onset + a.duration) * fs)
        arousal_gain[max(0, i0):min(n, i1)] = 2.5
    for band, table in BANDS.items():
        env = _stage_envelope(stages, table, n, fs)
        if band[0] >= 8.0:
            env *= arousal_gain
        comp = _band_noise(n, fs, band, rng) * env
        common += comp
        if band[0] < 1.0:
            delta = comp
    # Spindles: 11-15 Hz, 0.5-2 s, Hann envelope, 15-40 µV.
    for t0 in _event_times(stages, SPINDLES_PER_MIN, rng):
        d = rng.uniform(0.5, 2.0)
        tt = np.arange(int(d * fs)) / fs
        f = rng.uniform(11.0, 15.0)
        _add(common, t0, (rng.uniform(15, 40) * np.hanning(tt.size)
                          * np.sin(2 * np.pi * f * tt)).astype(np.float32), fs)
    # K-complexes: sharp negative wave then a slower positive one (75-150 µV).
    for t0 in _event_times(stages, K_COMPLEXES_PER_MIN, rng):
        tt = np.arange(int(1.5 * fs)) / fs
        amp = rng.uniform(75, 150)
        w = -amp * np.exp(-0.5 * ((tt - 0.25) / 0.08) ** 2) \
            + 0.6 * amp * np.exp(-0.5 * ((tt - 0.75) / 0.18) ** 2)
        _add(common, t0, w.astype(np.float32), fs)
    # Sawtooth waves in R: trains of 2-6 Hz triangular waves, 2-5 s.
    from scipy.signal import sawtooth

    for t0 in _event_times(stages, SAWTOOTH_PER_MIN, rng):
        d = rng.uniform(2.0, 5.0)
        tt = np.arange(int(d * fs)) / fs
        w = rng.uniform(20, 40) * sawtooth(2 * np.pi * rng.uniform(2, 4) * tt, 0.2) \
            * np.hanning(tt.size)
        _add(common, t0, w.astype(np.float32), fs)
    c4 = common + 4.0 * rng.standard_normal(n, dtype=np.float32)
    c3 = 0.9 * common + 4.0 * rng.standard_normal(n, dtype=np.float32)
    return c4, c3, delta


def synthesize_eog(stages: np.ndarray, delta: np.ndarray, n: int, fs: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """E1-M2 and E2-M2 (µV float32): eye movements of opposite polarity, plus delta leakage."""
    eye = np.zeros(n, dtype=np.float32)
    # Rapid eye movements in R: fast (~30 ms) deflection, slower return, 50-200 µV.
    for t0 in _event_times(stages, RAPID_EYE_MOVEMENTS_PER_MIN, rng):
        tt = np.arange(int(1.2 * fs)) / fs
        w = rng.choice([-1, 1]) * rng.uniform(50, 200) * (1 - np.exp(-tt / 0.03)) \
            * np.exp(-tt / 0.5)
        _add(eye, t0, w.astype(np.float32), fs)
    # Blinks in W: 0.3 s, 100-200 µV.
    for t0 in _event_times(stages, BLINKS_PER_MIN, rng):
        tt = np.arange(int(0.4 * fs)) / fs
        _add(eye, t0, (rng.uniform(100, 200) * np.sin(np.pi * tt / 0.4) ** 2)
             .astype(np.float32), fs)
    # Slow eye movements in N1 (0.2-0.5 Hz rolling, ~50 µV).
    sem = _stage_envelope(stages, {"N1": 50.0, "W": 8.0}, n, fs)
    f = rng.uniform(0.2, 0.5)
    eye += sem * np.sin(2 * np.pi * f * np.arange(n) / fs + rng.uniform(0, 6.28)).astype(
        np.float32)
    e1 = eye + 0.5 * delta + 3.0 * rng.standard_normal(n, dtype=np.float32)
    e2 = -eye + 0.5 * delta + 3.0 * rng.standard_normal(n, dtype=np.float32)
    return e1, e2
