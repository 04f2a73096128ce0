"""The resting level of a rectified EMG envelope, and where it is too high to score.

WASM 2016 (Ferri et al., Sleep Med 26:86–95) defines leg-movement onset and
offset relative to the EMG's *resting level*.  It is estimated here as a
running median over about 60 s of the envelope where the leg is at rest: a
first estimate (a low running quantile, robust even when activity fills most of
a window), then running medians after excluding the stretches that rise above
it (provisional activity), as Luna's LM command and the Stanford detector do
(Moore 2014, PLOS ONE 9(12):e0114565).

The estimate is computed on short blocks (0.5 s) and interpolated back to the
envelope's sampling rate, so an 8-hour night costs a few tens of
milliseconds.  Where the resting level is too high to score (Luna flags
> 16 µV) the stretches are returned so that the detector can exclude and
report them.  In noisy recordings the detection thresholds may scale with the
noise floor (Moore 2014): :func:`detection_thresholds`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._util import runs
from ..params import param

__all__ = ["BaselineParams", "detection_thresholds", "flag_high_rest", "median_rows",
           "nanmedian_rows",
           "resting_level"]


@dataclass(frozen=True)
class BaselineParams:
    """Constants of the resting-level estimate (inherited by the detectors' parameters)."""

    rest_window_s: float = param(60.0, gt=0.0)  # running median over ~60 s (Luna LM; Moore 2014)
    rest_block_s: float = param(0.5, gt=0.0)  # resolution of the estimate
    rest_initial_quantile: float = param(0.2, hi=1.0)  # first estimate: a low running quantile (robust to
    # activity filling up to ~80 % of a window), then medians of what stays near it
    rest_iterations: int = 2  # re-estimates after excluding provisional activity
    rest_activity_uv: float = 2.0  # a block > rest + 2 µV is activity (WASM 2016 offset level)
    rest_guard_s: float = 0.5  # also exclude this much either side of activity
    rest_min_fraction: float = param(0.1, hi=1.0)  # a window needs ≥ 10 % resting blocks, else interpolated
    high_rest_uv: float = 16.0  # resting level too high to score (Luna's LM flag: > 16 µV)
    high_rest_min_s: float = 30.0  # flag only stretches at least this long
    noise_adaptive: bool = False  # thresholds scale with the noise floor (Moore 2014)
    # With noise_adaptive (off by default: WASM 2016 gives fixed margins), onset at
    # rest + max(8 µV, 1.0 × rest) and offset at rest + max(2 µV, 0.4 × rest): identical to
    # WASM 2016 while the resting level is ≤ 5 µV, wider margins above (factors tuned on
    # simulated nights with 7-10 µV resting noise; Moore 2014 gives the principle).
    noise_onset_factor: float = 1.0
    noise_offset_factor: float = 0.4


#: Samples a block median looks at, at most: a longer block is subsampled evenly (every
#: k-th sample), plenty for a level and k times cheaper (1-s blocks at 256 Hz: every 4th).
_BLOCK_MEDIAN_SAMPLES = 64


def _block_medians(env: np.ndarray, block: int) -> np.ndarray:
    n = env.size
    nb = -(-n // block)
    pad = nb * block - n
    e = np.concatenate([env, np.full(pad, np.nan, dtype=np.float32)]) if pad else env
    blocks = e.reshape(nb, block)
    if block > _BLOCK_MEDIAN_SAMPLES:
        blocks = blocks[:, :: block // _BLOCK_MEDIAN_SAMPLES]
    gappy = ~np.isfinite(blocks).all(axis=1)  # the padded last block, gaps, no data
    if not gappy.any():
        return median_rows(blocks)
    # The slow NaN-aware median only where it is needed.
    out = np.empty(nb, dtype=np.float32)
    out[~gappy] = median_rows(blocks[~gappy])
    out[gappy] = nanmedian_rows(blocks[gappy])
    return out


def median_rows(blocks: np.ndarray) -> np.ndarray:
    """The median of each row of a 2-D float32 array without NaN, as ``np.median(axis=1)``.

    The same value (the middle one, or the mean of the two middle ones in
    float32), found by sorting the short rows: numpy's vectorised sort is many
    times faster than the selection ``np.median`` runs row by row.
    """
    b = np.asarray(blocks, dtype=np.float32)
    if b.ndim != 2 or b.shape[1] == 0:
        return np.median(b, axis=1).astype(np.float32)
    k = b.shape[1]
    srt = np.sort(b, axis=1)
    if k % 2:
        return np.ascontiguousarray(srt[:, k // 2])
    return (srt[:, k // 2 - 1] + srt[:, k // 2]) / np.float32(2.0)


def nanmedian_rows(blocks: np.ndarray) -> np.ndarray:
    """Median of each row ignoring NaN; NaN for an all-NaN row (a gap), silently.

    All-NaN rows are filled before ``np.nanmedian`` instead of silencing its
    warning: ``warnings.catch_warnings`` is not thread-safe and the channels
    are analysed in threads.
    """
    empty = ~np.isfinite(blocks).any(axis=1)
    if empty.any():
        blocks = blocks.copy()
        blocks[empty] = 0.0
    out = np.nanmedian(blocks, axis=1).astype(np.float32)
    out[empty] = np.nan
    return out


def _running_median(values: np.ndarray, window: int, min_periods: int,
                    quantile: float = 0.5) -> np.ndarray:
    roll = pd.Series(values, dtype="float64").rolling(window, center=True,
                                                      min_periods=min_periods)
    out = roll.median() if quantile == 0.5 else roll.quantile(quantile)
    return out.to_numpy()


def _fill_by_interpolation(values: np.ndarray) -> np.ndarray:
    ok = np.isfinite(values)
    if ok.all() or not ok.any():
        return values
    idx = np.arange(values.size)
    return np.interp(idx, idx[ok], values[ok])


def resting_level(envelope: np.ndarray, fs: float, params: BaselineParams | None = None,
                  *, per_block: bool = False) -> np.ndarray:
    """Running resting level (µV) of a rectified-EMG envelope, one value per sample.

    This is the one resting-level estimator: the leg detector uses it with the
    60-s defaults; the burst detector with a 10-min window, 1-s blocks, its 10th
    percentile and no exclusion passes (``BurstParams.baseline()``).

    Parameters
    ----------
    envelope : ndarray
        Rectified, smoothed EMG in µV (e.g. :func:`somnomotor.signal.filters.envelope`),
        NaN where there is no data.
    fs : float
        The envelope's sampling rate, Hz.
    params : BaselineParams
        Window (60 s), block (0.5 s), exclusion passes and margins.

    per_block : bool
        Return one value per ``rest_block_s`` block instead of per sample.

    Returns
    -------
    ndarray of float32
        The resting level per sample (or per block), µV.  Stretches with no resting data are
        interpolated from their neighbours; an envelope with no finite sample
        gives NaN throughout.

    Examples
    --------
    >>> env = np.full(6000, 2.0, dtype=np.float32); env[3000:3200] = 50.0
    >>> float(resting_level(env, 100.0)[3100])
    2.0
    """
    p = params or BaselineParams()
    env = np.asarray(envelope, dtype=np.float32)
    n = env.size
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    block = max(1, int(round(p.rest_block_s * fs)))
    med = _block_medians(env, block)
    nb = med.size
    window = max(3, int(round(p.rest_window_s / (block / fs))) | 1)
    # A recording shorter than the window's minimum still gets a level from what it has.
    min_periods = max(1, min(int(p.rest_min_fraction * window), int(np.isfinite(med).sum())))
    rest_b = _running_median(med, window, min_periods, p.rest_initial_quantile)
    rest_b = _fill_by_interpolation(rest_b)
    guard = int(round(p.rest_guard_s * fs / block))
    for _ in range(max(0, p.rest_iterations)):
        active = med > rest_b + p.rest_activity_uv
        if guard > 0 and active.any():
            # Dilate the activity mask by the guard (cumulative-sum box filter: vectorised).
            c = np.concatenate([[0], np.cumsum(active.astype(np.int32))])
            lo = np.clip(np.arange(nb) - guard, 0, nb)
            hi = np.clip(np.arange(nb) + guard + 1, 0, nb)
            active = (c[hi] - c[lo]) > 0
        vals = np.where(active, np.nan, med)
        new = _running_median(vals, window, min_periods)
        if not np.isfinite(new).any():
            break  # no resting stretch long enough anywhere: keep the low-quantile estimate
        rest_b = _fill_by_interpolation(new)
    if per_block:
        return np.asarray(rest_b, dtype=np.float32)
    centres = (np.arange(nb) + 0.5) * block
    if nb == 1:
        return np.full(n, rest_b[0], dtype=np.float32)
    return np.interp(np.arange(n, dtype=np.float64), centres, rest_b).astype(np.float32)


def flag_high_rest(rest: np.ndarray, fs: float, limit_uv: float = 16.0,
                   min_duration_s: float = 30.0) -> list[tuple[float, float]]:
    """Stretches (onset s, duration s) where the resting level exceeds ``limit_uv`` µV.

    Only stretches lasting at least ``min_duration_s`` are returned.  Luna's LM
    command flags a resting level above 16 µV: leg movements there cannot be
    told from the noise, so the detector excludes and reports them.

    Examples
    --------
    >>> r = np.r_[np.full(1000, 2.0), np.full(4000, 20.0)]
    >>> flag_high_rest(r, 100.0)
    [(10.0, 40.0)]
    """
    high = np.asarray(rest) > limit_uv
    if not high.any():
        return []
    starts, ends = runs(high)
    keep = (ends - starts) >= min_duration_s * fs
    return [(float(s / fs), float((e - s) / fs)) for s, e in zip(starts[keep], ends[keep],
                                                                  strict=True)]


def detection_thresholds(rest: np.ndarray, onset_uv: float, offset_uv: float,
                         params: BaselineParams | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Absolute onset and offset levels (µV) per sample.

    WASM 2016: onset at the resting level + 8 µV, offset at ≤ resting + 2 µV.
    With ``params.noise_adaptive`` the margins grow with the noise floor, in
    the manner of Moore 2014's noise-floor-adjustable thresholds: onset at
    rest + max(8 µV, ``noise_onset_factor`` × rest), offset at
    rest + max(2 µV, ``noise_offset_factor`` × rest).

    Examples
    --------
    >>> on, off = detection_thresholds(np.array([2.0]), 8.0, 2.0)
    >>> float(on[0]), float(off[0])
    (10.0, 4.0)
    """
    p = params or BaselineParams()
    rest = np.asarray(rest, dtype=np.float32)
    if p.noise_adaptive:
        on = rest + np.maximum(np.float32(onset_uv), np.float32(p.noise_onset_factor) * rest)
        off = rest + np.maximum(np.float32(offset_uv), np.float32(p.noise_offset_factor) * rest)
    else:
        on = rest + np.float32(onset_uv)
        off = rest + np.float32(offset_uv)
    return on, off
