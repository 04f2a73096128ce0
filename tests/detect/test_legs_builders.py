"""Small builders of tibialis EMG with known leg movements (for the detection tests)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from somnomotor.recording import Recording

#: Gaussian noise of this SD (µV) has a mean rectified value of SD·√(2/π).
_RECT = np.sqrt(2 / np.pi)


def leg_signal(duration_s: float, fs: float, bursts: list[tuple[float, float, float]], *,
               rest_uv: float = 2.0, mains_hz: float | None = None, mains_uv: float = 0.0,
               seed: int = 0) -> np.ndarray:
    """Broadband EMG-like noise whose rectified mean is ``rest_uv`` at rest and
    ``rest_uv + amp`` inside each burst ``(onset s, duration s, amp µV)``.

    The noise is band-limited 20-90 Hz-ish (white noise through the same kind of
    band the detector uses would be circular; white noise is fine: the detector's
    band-pass keeps ~60-70 % of its power, so levels are set after filtering).
    """
    rng = np.random.default_rng(seed)
    n = int(round(duration_s * fs))
    t = np.arange(n) / fs
    level = np.full(n, rest_uv, dtype=np.float64)
    for on, dur, amp in bursts:
        i0, i1 = int(round(on * fs)), int(round((on + dur) * fs))
        level[i0:i1] += amp
    from scipy import signal as sps

    sos = sps.butter(4, [20, min(90, 0.45 * fs)], "bandpass", fs=fs, output="sos")
    noise = sps.sosfilt(sos, rng.normal(size=n + int(fs)))[int(fs):]
    noise /= noise.std()
    x = noise * level / _RECT
    if mains_hz:
        x += mains_uv * np.sin(2 * np.pi * mains_hz * t)
    return x.astype(np.float32)


def leg_recording(duration_s: float, fs: float, left: list, right: list, **kw) -> Recording:
    sig = {"LAT": leg_signal(duration_s, fs, left, seed=1, **kw),
           "RAT": leg_signal(duration_s, fs, right, seed=2, **kw)}
    return Recording.from_arrays(sig, fs)


def burst_table(bursts: list[tuple[float, float, float]], side: str) -> pd.DataFrame:
    return pd.DataFrame({"onset": [b[0] for b in bursts], "duration": [b[1] for b in bursts],
                         "side": side})
