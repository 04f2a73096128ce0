"""Activity bursts in any EMG channel: brief (phasic) bursts and sustained (tonic) activity.

Works on one conditioned channel (band-passed 10–100 Hz, mains-notched,
ECG-removed; µV). Two envelopes are used:

* a short one (moving mean of the rectified signal over ~15 ms) resolves
  brief bursts down to 20–50 ms — fragmentary myoclonus potentials
  (AASM: ≤ 150 ms) and hypnic jerks (< 250 ms) are seen;
* a slow one (~0.5 s) finds sustained (tonic) contraction lasting seconds
  to minutes, which the short envelope would cut into pieces.

Onset and offset use hysteresis over the channel's resting level, in the spirit
of WASM 2016 (onset 8 µV above resting, offset ≤ 2 µV above resting), with
thresholds that also scale with the noise floor (Moore 2014, PLOS ONE
9(12):e0114565), and a shorter quiet gap than the LM rule's 0.5 s so that
separate brief jerks stay separate.

All times are seconds, amplitudes µV.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import ndimage

from ..signal.filters import envelope

__all__ = ["BurstParams", "BURST_COLUMNS", "detect_bursts", "estimate_resting_level", "runs"]

#: Columns of the burst table returned by :func:`detect_bursts`.
BURST_COLUMNS: tuple[str, ...] = ("onset", "duration", "amplitude_uv", "tonic", "rest_uv")


@dataclass(frozen=True)
class BurstParams:
    """Burst detection constants (parameters section ``[muscles.bursts]``)."""

    envelope_s: float = 0.015  # short envelope: resolves bursts ≥ 20 ms
    onset_uv: float = 8.0  # onset: envelope ≥ 8 µV above resting (WASM 2016 LM onset rule)
    onset_factor: float = 2.0  # … and ≥ 2 × resting above it (noise-floor scaling, Moore 2014)
    offset_uv: float = 2.0  # offset: envelope ≤ 2 µV above resting (WASM 2016 LM offset rule)
    offset_factor: float = 2.0  # … or ≤ 2 × resting above it, whichever is higher (noise floor)
    min_gap_s: float = 0.05  # bursts closer than this are one burst (brief jerks stay apart)
    min_duration_s: float = 0.02  # shortest burst kept (20 ms)
    edge_fraction: float = 0.15  # a burst's edges: where the envelope is ≥ 15 % of its peak
    # (zero-phase band-pass filters ring before and after a large jerk; this keeps
    # the ringing out of the burst's onset and duration)
    tonic_envelope_s: float = 0.5  # slow envelope for sustained activity
    tonic_uv: float = 4.0  # sustained: slow envelope ≥ 4 µV above resting …
    tonic_factor: float = 1.0  # … and ≥ 1 × resting above it
    tonic_min_s: float = 5.0  # sustained when ≥ 5 s (AASM phasic bursts last 0.1–5 s)
    tonic_gap_s: float = 1.0  # dips shorter than this do not end a tonic episode
    rest_block_s: float = 1.0  # resting level: medians of 1-s blocks …
    rest_window_s: float = 600.0  # … low percentile over a running 10-min window
    rest_percentile: float = 10.0
    edge_s: float = 0.5  # bursts touching the first/last 0.5 s are filter edge effects, dropped


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) indices of the runs of True in a boolean array."""
    m = np.asarray(mask, dtype=bool)
    if m.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    d = np.diff(m.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def _close_gaps(starts: np.ndarray, ends: np.ndarray, gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Merge runs separated by fewer than ``gap`` samples."""
    if starts.size < 2:
        return starts, ends
    keep_break = (starts[1:] - ends[:-1]) >= gap
    first = np.concatenate([[True], keep_break])
    last = np.concatenate([keep_break, [True]])
    return starts[first], ends[last]


def estimate_resting_level(env: np.ndarray, fs: float, params: BurstParams | None = None
                           ) -> np.ndarray:
    """The channel's resting level (µV) per block of ``rest_block_s`` seconds.

    Block medians of the envelope, then the 10th percentile over a running
    10-min window: quiet stretches set the level, activity (even minutes of it)
    does not. NaN blocks (gaps) are ignored; returns one value per block.

    Examples
    --------
    >>> rest = estimate_resting_level(env, 512.0)   # doctest: +SKIP
    """
    p = params or BurstParams()
    blk = max(1, int(round(p.rest_block_s * fs)))
    n = env.size
    nb = max(1, -(-n // blk))
    padded = np.full(nb * blk, np.nan, dtype=np.float32)
    padded[:n] = env
    # Median of a strided subsample (every 4th sample) is plenty for a level, and 4× cheaper.
    sub = padded.reshape(nb, blk)[:, ::4] if blk >= 16 else padded.reshape(nb, blk)
    if np.isnan(sub).any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN blocks (gaps) are expected
            med = np.nanmedian(sub, axis=1)
    else:
        med = np.median(sub, axis=1)
    good = np.isfinite(med)
    if not good.any():
        return np.zeros(nb, dtype=np.float32)
    med = np.where(good, med, np.nanmedian(med[good]))
    win = max(1, int(round(p.rest_window_s / p.rest_block_s)))
    win = min(win, nb)
    rest = ndimage.percentile_filter(med, p.rest_percentile, size=win, mode="reflect")
    return rest.astype(np.float32)


def _per_sample(level: np.ndarray | float, n: int, fs: float, block_s: float) -> np.ndarray:
    level = np.asarray(level, dtype=np.float32)
    if level.ndim == 0:
        return np.full(n, float(level), dtype=np.float32)
    if level.size == n:
        return level
    blk = max(1, int(round(block_s * fs)))
    return np.repeat(level, blk)[:n] if level.size * blk >= n else np.concatenate(
        [np.repeat(level, blk), np.full(n - level.size * blk, level[-1], np.float32)])


def detect_bursts(x: np.ndarray, fs: float, *, params: BurstParams | None = None,
                  rest: np.ndarray | float | None = None,
                  env: np.ndarray | None = None) -> pd.DataFrame:
    """Bursts of muscle activity in one conditioned EMG channel.

    Parameters
    ----------
    x : ndarray
        Conditioned EMG (band-passed, notched, ECG-removed), µV; NaN = no data.
    fs : float
        Sampling rate, Hz.
    params : BurstParams
        Thresholds and windows.
    rest : ndarray or float, optional
        Resting level of the short envelope (µV), per sample, per
        ``rest_block_s`` block, or one number; estimated when omitted.
    env : ndarray, optional
        The short envelope (``envelope(x, fs, params.envelope_s)``) when the
        caller already has it.

    Returns
    -------
    DataFrame
        One row per burst, sorted by onset: ``onset`` (s), ``duration`` (s),
        ``amplitude_uv`` (peak of the short envelope above the resting level),
        ``tonic`` (True for sustained activity ≥ ``tonic_min_s``; brief bursts
        inside a tonic episode are not listed separately), ``rest_uv`` (the
        resting level at the onset, µV — the background for "× background" rules).

    Examples
    --------
    >>> bursts = detect_bursts(clean_fds, 512.0, params=BurstParams())   # doctest: +SKIP
    >>> bursts[~bursts.tonic].duration.median()                          # doctest: +SKIP
    0.11
    """
    p = params or BurstParams()
    x = np.asarray(x, dtype=np.float32)
    n = x.size
    if n < 3:
        return _empty()
    if env is None:
        env = envelope(x, fs, p.envelope_s)
    bad = ~np.isfinite(env)
    if bad.all():
        return _empty()
    if rest is None:
        rest = estimate_resting_level(env, fs, p)
    rest_s = _per_sample(rest, n, fs, p.rest_block_s)
    env0 = np.where(bad, np.float32(0.0), env)

    # --- sustained activity on the slow envelope ------------------------------
    slow = ndimage.uniform_filter1d(env0, max(1, int(round(p.tonic_envelope_s * fs))))
    t_thr = rest_s + np.maximum(np.float32(p.tonic_uv), np.float32(p.tonic_factor) * rest_s)
    ts, te = runs(slow > t_thr)
    ts, te = _close_gaps(ts, te, int(round(p.tonic_gap_s * fs)))
    long = (te - ts) >= int(round(p.tonic_min_s * fs))
    ts, te = ts[long], te[long]

    # --- brief bursts on the short envelope (hysteresis) ----------------------
    on_thr = rest_s + np.maximum(np.float32(p.onset_uv), np.float32(p.onset_factor) * rest_s)
    off_thr = rest_s + np.maximum(np.float32(p.offset_uv), np.float32(p.offset_factor) * rest_s)
    above_off = env0 > off_thr
    bs, be = runs(above_off)
    bs, be = _close_gaps(bs, be, int(round(p.min_gap_s * fs)))
    if bs.size:
        # A region counts only if it reaches the onset threshold somewhere.
        exceed = (env0 - on_thr).astype(np.float32)
        peak_excess = _segment_max(exceed, bs, be)
        keep = (peak_excess > 0) & ((be - bs) >= max(1, int(round(p.min_duration_s * fs))))
        bs, be = bs[keep], be[keep]
    if bs.size and p.edge_fraction > 0:
        bs, be = _refine_edges(env0, bs, be, p.edge_fraction)
        keep = (be - bs) >= max(1, int(round(p.min_duration_s * fs)))
        bs, be = bs[keep], be[keep]
    if ts.size and bs.size:
        # Drop brief bursts that overlap a tonic episode: they are part of it.
        k = np.searchsorted(ts, be, side="left") - 1
        inside = (k >= 0) & (bs < te[np.clip(k, 0, None)])
        bs, be = bs[~inside], be[~inside]

    edge = int(round(p.edge_s * fs))
    if edge > 0:
        ok = (bs >= edge) & (be <= n - edge)
        bs, be = bs[ok], be[ok]
    if bs.size + ts.size == 0:
        return _empty()
    excess = (env0 - rest_s).astype(np.float32)
    starts = np.concatenate([bs, ts])
    ends = np.concatenate([be, te])
    tonic = np.concatenate([np.zeros(bs.size, bool), np.ones(ts.size, bool)])
    amp = np.concatenate([_segment_max(excess, bs, be), _segment_max(excess, ts, te)])
    df = pd.DataFrame({
        "onset": starts / fs,
        "duration": (ends - starts) / fs,
        "amplitude_uv": amp.astype(np.float64),
        "tonic": tonic,
        "rest_uv": rest_s[starts].astype(np.float64),
    })
    return df.sort_values("onset", kind="stable").reset_index(drop=True)


def _refine_edges(env: np.ndarray, starts: np.ndarray, ends: np.ndarray, fraction: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Move each burst's edges in to the first/last sample at ≥ ``fraction`` × its peak."""
    lengths = ends - starts
    peak = _segment_max(env, starts, ends)
    group = np.repeat(np.arange(starts.size), lengths)
    first_of = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    idx = np.arange(int(lengths.sum())) - np.repeat(first_of, lengths) + np.repeat(starts, lengths)
    ok = env[idx] >= np.repeat(fraction * peak, lengths)
    big = np.iinfo(np.int64).max
    lo = np.minimum.reduceat(np.where(ok, idx, big), first_of)
    hi = np.maximum.reduceat(np.where(ok, idx, -1), first_of)
    del group
    return lo.astype(np.int64), (hi + 1).astype(np.int64)


def _segment_max(values: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Maximum of ``values[s:e]`` for sorted, non-overlapping, non-empty segments (vectorised)."""
    if starts.size == 0:
        return np.zeros(0, dtype=values.dtype)
    ext = np.append(values, values.dtype.type(-np.inf))
    idx = np.empty(2 * starts.size, dtype=np.int64)
    idx[0::2], idx[1::2] = starts, ends
    return np.maximum.reduceat(ext, idx)[0::2]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"onset": pd.Series(dtype=float), "duration": pd.Series(dtype=float),
                         "amplitude_uv": pd.Series(dtype=float), "tonic": pd.Series(dtype=bool),
                         "rest_uv": pd.Series(dtype=float)})
