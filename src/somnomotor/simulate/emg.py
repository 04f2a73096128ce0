"""Surface EMG from motor-unit action-potential trains, plus what real electrodes add.

Per channel, the bursts the model decided (onset, duration, amplitude) become
an *activation envelope* ``a(t)`` (µV of rectified EMG above rest).  Where the
muscle is active a pool of motor units (MUs) fires:

* pool size ``N = N0 · (1 - 0.7·d)`` and MUAP size ``∝ 1/(1 - 0.7·d)``: fewer,
  larger units after denervation and reinnervation in damaged regions
  (post-polio motor units are enlarged: Einarsson 1991; Trojan & Cashman 2005);
* recruitment by size (Henneman): thresholds spread exponentially over the
  activation range; a recruited unit fires at 6 Hz rising to 30 Hz with drive
  (De Luca & Hostage 2010), with 20 % interval jitter;
* brief jerks (myoclonus) are hypersynchronous: each recruited unit fires once
  or twice inside the jerk;
* each MUAP is a surface (volume-conducted) second-derivative-of-Gaussian
  wave, 3-6 ms wide (Mexican hat; spectral peak 40-80 Hz).

The summed trains are scaled by a slow automatic gain so that their
rectified envelope (125-ms mean) follows ``a(t)``: the truth's amplitude is
the signal's.  Then the channel gets resting noise (Gaussian, mean rectified
``noise.rest_uv``), stage-dependent tone (chin), ECG bleed, mains hum, slow
baseline drift and rare electrode pops.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.signal import fftconvolve, oaconvolve

#: Motor units in an intact pool as seen by a surface electrode (order of magnitude).
POOL_SIZE = 40
#: Activation (µV) that recruits the whole pool.
FULL_RECRUITMENT_UV = 80.0
#: Firing rate range (Hz), De Luca & Hostage 2010.
RATE_MIN_HZ, RATE_MAX_HZ = 6.0, 30.0
#: Rectified-mean window (s) of the automatic gain.
AGC_WINDOW_S = 0.125
_SQRT_PI_2 = float(np.sqrt(np.pi / 2.0))


def _moving_mean(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving mean over ``width`` samples (same length, float64), zeros beyond the ends."""
    if width <= 1:
        return x.astype(np.float64)
    half = width // 2
    c = np.cumsum(np.concatenate([np.zeros(half + 1), x.astype(np.float64),
                                  np.zeros(width - half)]))
    return (c[width:width + x.size] - c[:x.size]) / width


def upsample_seconds(per_second: np.ndarray, fs: float, n: int) -> np.ndarray:
    """Linear interpolation of values at whole seconds to ``n`` samples at integer ``fs`` (float32).

    Cheaper than ``np.interp`` for slow curves (drift, stage envelopes): one
    multiply-add per sample, no search.
    """
    k = int(round(fs))
    need = int(np.ceil(n / k)) + 1
    v = np.asarray(per_second, dtype=np.float32)
    if v.size < need:
        v = np.pad(v, (0, need - v.size), mode="edge")
    frac = (np.arange(k, dtype=np.float32) / np.float32(k))[None, :]
    out = v[:need - 1, None] + (v[1:need] - v[:need - 1])[:, None] * frac
    return out.reshape(-1)[:n]


def _dilated_index(act: np.ndarray, n: int, pad: int) -> np.ndarray:
    """Sample indices within ``pad`` samples of any index in ``act`` (sorted, unique)."""
    mark = np.zeros(n + 1, dtype=np.int32)
    brk = np.flatnonzero(np.diff(act) > 1)
    starts = np.concatenate([[act[0]], act[brk + 1]])
    ends = np.concatenate([act[brk], [act[-1]]]) + 1
    np.add.at(mark, np.clip(starts - pad, 0, n), 1)
    np.add.at(mark, np.clip(ends + pad, 0, n), -1)
    return np.flatnonzero(np.cumsum(mark[:n]) > 0)


def activation_envelope(bursts: pd.DataFrame, n: int, fs: float,
                        rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Activation envelope (µV, float32) and a 'brief burst' mask for one channel's bursts.

    Shapes: ``brief`` a Tukey window (jerks); ``lm``/``phasic`` 60-ms rise,
    120-ms fall, plateau modulated between 0.65 and 1 of the amplitude;
    ``tonic`` 0.5-s ramps and a slowly wandering plateau (0.8-1).
    """
    a = np.zeros(n, dtype=np.float32)
    brief = np.zeros(n, dtype=bool)
    for b in bursts.itertuples(index=False):
        i0 = int(round(b.onset * fs))
        i1 = min(n, max(i0 + 2, int(round((b.onset + b.duration) * fs))))
        m = i1 - i0
        if m <= 0 or i0 < 0:
            continue
        x = np.arange(m, dtype=np.float64) / fs
        if b.shape == "brief":
            ramp = max(1, m // 4)
            env = np.ones(m)
            env[:ramp] = np.sin(0.5 * np.pi * (np.arange(ramp) + 1) / ramp)
            env[m - ramp:] = env[:ramp][::-1]
            brief[i0:i1] = True
        else:
            rise, fall = (0.5, 0.5) if b.shape == "tonic" else (0.06, 0.12)
            env = np.minimum(np.clip((x + 1.0 / fs) / rise, 0, 1),
                             np.clip((b.duration - x) / fall, 0, 1))
            lo = 0.8 if b.shape == "tonic" else 0.65
            step = 1.0 if b.shape == "tonic" else 0.15
            knots = rng.uniform(lo, 1.0, size=int(b.duration / step) + 3)
            knots[int(np.argmax(knots))] = 1.0
            mod = np.interp(x / step, np.arange(knots.size), knots)
            env = env * mod
        np.maximum(a[i0:i1], (b.amplitude * env).astype(np.float32), out=a[i0:i1])
    return a, brief


def motor_unit_signal(a: np.ndarray, brief: np.ndarray, fs: float, damage: float,
                      rng: np.random.Generator, block: int = 1 << 16) -> np.ndarray:
    """Summed MUAP trains where ``a > 0``, gain-scaled so the rectified envelope follows ``a``.

    Parameters
    ----------
    a : ndarray
        Activation envelope (µV above rest), float32.
    brief : ndarray of bool
        Samples of brief (hypersynchronous) jerks.
    fs : float
        Sampling rate (Hz).
    damage : float
        0-1: the region's damage (fewer, larger motor units).

    Returns
    -------
    ndarray
        float32 µV, zero where the muscle is at rest.
    """
    n = a.size
    out = np.zeros(n, dtype=np.float32)
    act = np.flatnonzero(a > 0.05)
    if not act.size:
        return out
    n_mu = max(4, int(round(POOL_SIZE * (1.0 - 0.7 * damage))))
    size = 1.0 / (1.0 - 0.7 * damage)
    thresholds = (np.exp(np.linspace(0, np.log(30.0), n_mu)) - 1.0) / 29.0 * 0.6
    thresholds[:3] = 0.0
    mu_amp = size * rng.lognormal(0.0, 0.3, n_mu) * (1.0 + 2.0 * thresholds)
    width_ms = rng.uniform(3.0, 6.0, n_mu) * (1.0 + 0.3 * damage)
    half = int(np.ceil(0.02 * fs))
    tt = (np.arange(-half, half + 1) / fs)[None, :] * 1000.0 + rng.uniform(-1, 1, (n_mu, 1))
    z = tt / width_ms[:, None]
    kernels = (1.0 - z ** 2) * np.exp(-0.5 * z ** 2)  # second derivative of a Gaussian
    kernels *= rng.choice([-1.0, 1.0], size=(n_mu, 1))
    phase0 = rng.uniform(0, 1, n_mu)
    s_act = np.zeros(act.size, dtype=np.float64)
    for b0 in range(0, act.size, block):
        idx = act[b0:b0 + block]
        q = np.clip(a[idx] / FULL_RECRUITMENT_UV, 0, 1)[None, :]
        on = q > thresholds[:, None]
        rate = RATE_MIN_HZ + (RATE_MAX_HZ - RATE_MIN_HZ) * np.clip(
            (q - thresholds[:, None]) / (1.0 - thresholds[:, None] + 1e-9), 0, 1)
        inc = np.where(on, rate / fs, 0.0) * (1.0 + 0.2 * rng.standard_normal((n_mu, idx.size)))
        phase = phase0[:, None] + np.cumsum(np.clip(inc, 0, None), axis=1)
        phase0 = phase[:, -1] % 1.0
        spikes = np.diff(np.floor(phase), axis=1, prepend=np.floor(phase[:, :1])) > 0
        bb = brief[idx]
        if bb.any():
            # Hypersynchronous jerks: every recruited unit fires with probability ~2/len.
            cols = np.flatnonzero(bb)
            p = np.clip(2.5 / max(1.0, 0.1 * fs), 0.05, 0.9)
            sync = (rng.uniform(size=(n_mu, cols.size)) < p) & on[:, cols]
            spikes[:, cols] = sync
        trains = spikes * mu_amp[:, None]
        s_act[b0:b0 + idx.size] = fftconvolve(trains, kernels, mode="same", axes=1).sum(axis=0)
    # Gain computed on the active samples and one window around them only: a
    # centred window never reaches from one active stretch into the next, so
    # the moving means over the compressed index are exact.
    w = max(1, int(round(AGC_WINDOW_S * fs)))
    idx = _dilated_index(act, n, w)
    sd = np.zeros(idx.size, dtype=np.float64)
    sd[np.searchsorted(idx, act)] = s_act
    env_s = _moving_mean(np.abs(sd), w)
    env_a = _moving_mean(a[idx], w)
    # First the overall scale (MU sizes are relative), then the local gain.
    scale = float(env_a.sum() / max(env_s.sum(), 1e-12))
    sd *= scale
    env_s *= scale
    gain = np.where(env_a > 0, env_a / np.maximum(env_s, 0.3 * env_a + 1e-9), 0.0)
    out[idx] = (sd * gain).astype(np.float32)
    return out


def ecg_template(fs: float) -> np.ndarray:
    """One ECG beat (lead II, µV), R peak at the centre sample: Gaussian P-Q-R-S-T waves.

    Wave times, widths and heights after the dynamical model of McSharry et
    al. (IEEE TBME 2003;50:289-294), scaled to a 1-mV R wave.
    """
    half = int(round(0.45 * fs))
    t = np.arange(-half, half + 1) / fs
    waves = ((-0.20, 0.025, 120.0), (-0.03, 0.010, -150.0), (0.0, 0.011, 1000.0),
             (0.03, 0.010, -250.0), (0.26, 0.045, 300.0))
    beat = np.zeros_like(t)
    for mu, sd, h in waves:
        beat += h * np.exp(-0.5 * ((t - mu) / sd) ** 2)
    return beat


def heartbeats(stages: np.ndarray, arousals: pd.DataFrame, duration: float, bpm: float,
               rng: np.random.Generator) -> np.ndarray:
    """R-peak times (s): stage-dependent rate, respiratory sinus arrhythmia, arousal tachycardia."""
    rel = {"W": 1.08, "N1": 1.03, "N2": 1.0, "N3": 0.95, "R": 1.05, "?": 1.0}
    mult = np.array([rel.get(str(s), 1.0) for s in stages])
    grid = np.arange(0.0, duration + 2.0, 0.25)
    rate = np.repeat(mult, int(30 / 0.25))[: grid.size]
    rate = np.pad(rate, (0, grid.size - rate.size), mode="edge") * bpm / 60.0
    for a in arousals.itertuples(index=False):
        sel = (grid >= a.onset) & (grid < a.onset + a.duration + 5.0)
        rate[sel] *= 1.15
    rate *= 1.0 + 0.03 * np.sin(2 * np.pi * 0.25 * grid)
    rate *= 1.0 + 0.02 * np.interp(grid, grid[::20], rng.standard_normal(grid[::20].size))
    phase = np.cumsum(rate) * 0.25
    k = np.arange(1, int(phase[-1]))
    return np.interp(k, phase, grid)


def ecg_signal(r_peaks: np.ndarray, n: int, fs: float) -> np.ndarray:
    """The ECG (µV, float32) with R peaks at ``r_peaks`` (rounded to samples)."""
    train = np.zeros(n, dtype=np.float64)
    idx = np.round(r_peaks * fs).astype(int)
    idx = idx[(idx >= 0) & (idx < n)]
    train[idx] = 1.0
    return oaconvolve(train, ecg_template(fs), mode="same").astype(np.float32)


#: ECG bleed into each EMG channel as a fraction of the ECG lead (sign = polarity).
ECG_BLEED: dict[str, float] = {
    "Intercostal R": 0.06, "Pectoral R": -0.05, "Rectus Abd": 0.03, "Paraspinal": -0.025,
    "SCM L": 0.015, "Deltoid L": 0.01, "EMG MFD-l": 0.004, "EMG MFD-r": -0.004,
    "LAT": 0.003, "RAT": -0.003, "Chin1-Chin2": 0.005,
}


def ecg_bleed(ecg: np.ndarray, decg: np.ndarray, gain: float, fs: float, duration: float,
              rng: np.random.Generator) -> np.ndarray:
    """The cardiac artefact one EMG channel picks up (µV, float32).

    Not a copy of lead II: each channel sees its own projection of the heart's
    dipole (lead II mixed with its time derivative, weight ±0.4), its size
    breathes with respiration (±15 % at 0.25 Hz) and steps with body position
    (log-normal, SD 20 %, about once an hour) — what makes template
    subtraction work for its living.  ``decg`` is the derivative of ``ecg``
    scaled to the same peak.
    """
    if gain == 0.0:
        return np.zeros(ecg.size, dtype=np.float32)
    from scipy.ndimage import uniform_filter1d

    m = int(np.ceil(duration)) + 2
    t = np.arange(m, dtype=np.float64)
    mod = 1.0 + 0.15 * np.sin(2 * np.pi * 0.25 * t + rng.uniform(0, 2 * np.pi))
    n_pos = rng.poisson(duration / 3600.0)
    steps = np.ones(m)
    for at, factor in zip(rng.uniform(0, m, n_pos), rng.lognormal(0.0, 0.2, n_pos), strict=True):
        steps[int(at):] *= factor
    mod *= uniform_filter1d(steps, 2, mode="nearest")
    w = rng.uniform(-0.4, 0.4)
    out = upsample_seconds(gain * mod, fs, ecg.size)
    out *= ecg + np.float32(w) * decg
    return out


def slow_curve(seconds: int, smooth_s: float, rng: np.random.Generator) -> np.ndarray:
    """A unit-SD Gaussian curve with one value per second, smooth over ``smooth_s`` seconds."""
    from scipy.ndimage import gaussian_filter1d

    d = gaussian_filter1d(rng.standard_normal(max(seconds, 2)), smooth_s, mode="wrap")
    return d / max(float(d.std()), 1e-9)


def slow_drift(n: int, fs: float, sd_uv: float, rng: np.random.Generator) -> np.ndarray:
    """Slow baseline drift (< 0.2 Hz), SD ``sd_uv``; made at 1 Hz and interpolated."""
    if sd_uv <= 0:
        return np.zeros(n, dtype=np.float32)
    from scipy.ndimage import gaussian_filter1d

    m = int(n / fs) + 3
    d = gaussian_filter1d(rng.standard_normal(m), 5.0)
    d *= sd_uv / max(float(d.std()), 1e-9)
    return upsample_seconds(d, fs, n)


def electrode_pop(fs: float, amplitude: float, tau: float) -> np.ndarray:
    """An electrode pop: a step that decays exponentially (time constant ``tau`` s)."""
    t = np.arange(int(5 * tau * fs)) / fs
    return (amplitude * np.exp(-t / tau)).astype(np.float32)


def emg_band(fs: float) -> tuple[float, float]:
    """The EMG band the analyser looks at: 10 Hz to 100 Hz, the top clipped to 0.45 × ``fs``."""
    return 10.0, min(100.0, 0.45 * fs)


def tissue_filtered_noise(n: int, fs: float, corner_hz: float,
                          rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise through a first-order low-pass at ``corner_hz``, unit RMS in the EMG band.

    Resting surface EMG is not white: the electrode-skin interface and the
    tissue between distant active fibres and the electrodes attenuate high
    frequencies (volume conduction is a low-pass filter; Lindström & Magnusson,
    Proc IEEE 1977;65:653-662), so the power of a relaxed chin falls with
    frequency across the EMG band.  Scaled so that its RMS *after* the
    analyser's band-pass (:func:`emg_band`) is 1: a level set in µV is the level
    the analyser sees.  ``corner_hz <= 0`` gives white noise, scaled the same way.
    """
    from scipy.signal import lfilter

    w = rng.standard_normal(n)
    lo, hi = emg_band(fs)
    f = np.linspace(lo, hi, 512)
    if corner_hz > 0:
        a = float(np.exp(-2.0 * np.pi * corner_hz / fs))
        y = lfilter([1.0 - a], [1.0, -a], w)
        gain2 = (1.0 - a) ** 2 / (1.0 - 2.0 * a * np.cos(2.0 * np.pi * f / fs) + a * a)
    else:
        y = w
        gain2 = np.ones_like(f)
    # Unit-variance white noise has one-sided density 2/fs per Hz.
    in_band = float(np.trapezoid(gain2, f)) * 2.0 / fs
    return (y / np.sqrt(in_band)).astype(np.float32)
