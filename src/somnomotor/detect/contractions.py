"""Every contraction of one EMG channel, whatever its duration: the base layer.

A *contraction* is one activation of one channel: a 0.1-s jerk, a 3-s grasp,
a 40-s tonic stretch.  Every other per-channel kind (``myoclonus``, ``lm``,
the REM rules' phasic bursts …) classifies these.

Detection runs on a contraction envelope: the short burst envelope
(:func:`~somnomotor.detect.bursts.burst_envelope`, ~15 ms) averaged in
``step_s`` steps (20 ms) and smoothed over ``envelope_s`` (0.1 s), so that the
rectified noise's own fluctuation shrinks and slow, weak contractions stand out.

Thresholds are relative to the channel's own resting level *and* its resting
variability (noise-adaptive, in the spirit of Moore 2014, PLOS ONE
9(12):e0114565, for leg EMG):

* resting level ``r``: 1-s block medians of the contraction envelope, their
  20th percentile over a running 5-min window (the chin: median over 30 s) (the burst detector's 10th
  percentile over 10 min sits below the envelope's typical resting value when
  the level changes with stage or electrode impedance, and noise then crosses
  a small margin);
* resting spread ``σ``: ``r`` × the channel's relative spread at rest — the
  median, over quiet 1-s blocks (block mean ≤ ``quiet_block_factor`` × ``r``), of
  the block's standard deviation divided by its mean.  ECG residue, mains,
  quantisation steps all widen it, so the threshold follows what the channel
  really carries at rest.

Hysteresis as in WASM 2016: a contraction starts where the envelope rises above
``r + max(onset_uv, onset_sd·σ)`` (reached somewhere inside it) and the
envelope stays above ``r + max(offset_uv, offset_sd·σ)``; it ends at the start
of a quiet stretch of at least ``quiet_s`` below that lower level.  Shortest
contraction kept: ``min_s`` = 60 ms, measured on the 20-ms steps — jerks of
~0.1 s (hypnic jerks, myoclonus of 50–250 ms) are contractions; shorter
potentials (fragmentary myoclonus, 20–150 ms, mostly under 60 ms and small)
stay in the burst table.  Every setting may be changed
per body region (``by_region``: e.g. the trunk, where ECG residue lives, or the
chin).

All times are seconds, amplitudes µV.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import ndimage

from .._util import block_any, range_max, runs
from ..signal.baseline import median_rows, nanmedian_rows

__all__ = ["CONTRACTION_COLUMNS", "ContractionParams", "below_resolution", "detect_contractions",
           "heart_locked", "resting_spread", "too_slow"]

#: Columns of the per-channel contraction table (a superset of the burst table's
#: ``onset``, ``duration``, ``amplitude_uv``, ``tonic``, ``rest_uv``).
CONTRACTION_COLUMNS: tuple[str, ...] = ("onset", "duration", "amplitude_uv", "tonic", "rest_uv",
                                        "spread_uv", "mean_uv", "snr", "pre_uv")

_TUNABLE = ("envelope_s", "step_s", "onset_uv", "onset_sd", "offset_uv", "offset_sd", "quiet_s",
            "min_s", "tonic_s", "quiet_block_factor", "min_fs", "edge_s", "rest_block_s",
            "rest_window_s", "rest_percentile", "ecg_max_s", "ecg_window_s", "ecg_max_uv",
            "ecg_beats", "pre_s", "quantum_ptp")


@dataclass(frozen=True)
class ContractionParams:
    """Contraction detection (parameters section ``[muscles.contractions]``).

    ``by_region`` overrides any other field for one body region, e.g.
    ``[muscles.contractions.by_region.chest] onset_sd = 7``.
    """

    envelope_s: float = 0.1  # contraction envelope: 0.1-s mean of the 15-ms envelope
    step_s: float = 0.02  # … computed in 20-ms steps
    onset_uv: float = 1.0  # onset: ≥ 1 µV above resting …
    onset_sd: float = 9.0  # … and ≥ 9 resting spreads above it (noise-adaptive)
    offset_uv: float = 0.5  # offset: ≤ 0.5 µV above resting …
    offset_sd: float = 2.5  # … or ≤ 2.5 resting spreads (the lower hysteresis level)
    quiet_s: float = 0.25  # a contraction ends at the start of ≥ 0.25 s below the offset level
    min_s: float = 0.06  # shortest contraction (60 ms; shorter potentials stay bursts)
    tonic_s: float = 5.0  # contractions ≥ 5 s are marked tonic (AASM phasic: 0.1–5 s)
    quiet_block_factor: float = 1.25  # quiet 1-s blocks: mean ≤ 1.25 × resting level
    min_fs: float = 40.0  # a channel sampled below this cannot hold the 10–100 Hz EMG band
    edge_s: float = 0.5  # contractions touching the first/last 0.5 s are filter edges
    ecg_max_s: float = 0.7  # ECG residue: contractions shorter than this, …
    ecg_window_s: float = 0.2  # … starting within 0.2 s of an R peak, …
    ecg_max_uv: float = 12.0  # … peaking < 12 µV above resting, with another such row …
    ecg_beats: float = 3.0  # … within 3 beats: ECG residue, not a contraction
    rest_block_s: float = 1.0  # resting level: medians of 1-s blocks of the envelope …
    rest_window_s: float = 300.0  # … their 20th percentile over a running 5-min window, so
    rest_percentile: float = 20.0  # the level follows stage and electrode changes, and
    # contractions up to ~4 min do not lift it
    pre_s: float = 2.0  # ``pre_uv``: the envelope's median over the 2 s before onset — the
    # local background "immediately before" an elevation (AASM bruxism, 2 × background)
    quantum_ptp: float = 2.5  # coarse quantisation: a contraction spans > 2.5 steps peak to peak
    by_region: dict[str, dict[str, float]] = field(default_factory=lambda: {
        # Trunk channels carry ECG residue after removal: a wider margin there.
        "chest": {"onset_sd": 10.0}, "abdomen": {"onset_sd": 10.0}, "back": {"onset_sd": 10.0},
        # Chin tone steps with stage (wake ≈ 2 × NREM): a 30-s median resting level
        # follows them; sustained REM chin activity is the REM rules' (rem_tonic).
        "chin": {"rest_window_s": 30.0, "rest_percentile": 50.0},
    })

    def __post_init__(self) -> None:
        for name in ("envelope_s", "step_s", "quiet_s", "min_s", "tonic_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0")
        if not isinstance(self.by_region, Mapping):
            raise ValueError("by_region must map a region to its overrides")
        for region, over in self.by_region.items():
            if not isinstance(over, Mapping):
                raise ValueError(f"by_region.{region} must be a table of overrides")
            bad = sorted(set(over) - set(_TUNABLE))
            if bad:
                raise ValueError(f"by_region.{region}: unknown key(s) {', '.join(bad)} "
                                 f"(known: {', '.join(_TUNABLE)})")

    def for_region(self, region: str | None) -> ContractionParams:
        """These settings with the overrides of ``region`` applied."""
        over = self.by_region.get(region or "", {})
        if not over:
            return self
        changes: dict[str, Any] = {k: float(v) for k, v in over.items()}
        return dataclasses.replace(self, **changes)


def too_slow(fs: float, params: ContractionParams | None = None) -> bool:
    """True when a channel sampled at ``fs`` Hz cannot carry surface EMG (10–100 Hz)."""
    p = params or ContractionParams()
    return not fs >= p.min_fs


def heart_locked(table: pd.DataFrame, r_peaks: np.ndarray | None,
                 params: ContractionParams | None = None) -> np.ndarray:
    """True for contractions that are ECG residue left after removal.

    Residue makes short, weak "contractions" at successive heartbeats: a row is
    residue when it is shorter than ``ecg_max_s``, peaks less than
    ``ecg_max_uv`` above resting, starts within ``ecg_window_s`` of an R peak,
    and one of the ``ecg_beats`` beats before or after carries such a row too.  A true contraction
    seldom repeats at two successive beats; a strong or long one never counts.

    Examples
    --------
    >>> beats = np.arange(0.0, 10.0, 1.0)
    >>> t = pd.DataFrame({"onset": [2.05, 5.02, 6.5, 9.0], "duration": [0.4, 0.4, 0.4, 0.4],
    ...                   "amplitude_uv": [4.0, 5.0, 4.0, 40.0]})
    >>> heart_locked(t, beats).tolist()
    [True, True, False, False]
    """
    p = params or ContractionParams()
    n = len(table)
    out = np.zeros(n, dtype=bool)
    if n == 0 or r_peaks is None or len(r_peaks) < 3:
        return out
    beats = np.sort(np.asarray(r_peaks, dtype=float))
    on = table["onset"].to_numpy(float)
    k = np.clip(np.searchsorted(beats, on), 1, beats.size - 1)
    k = np.where(np.abs(beats[k - 1] - on) < np.abs(beats[k] - on), k - 1, k)
    cand = ((np.abs(beats[k] - on) <= p.ecg_window_s)
            & (table["duration"].to_numpy(float) < p.ecg_max_s)
            & (table["amplitude_uv"].to_numpy(float) < p.ecg_max_uv))
    w = int(p.ecg_beats)
    count = np.zeros(beats.size, dtype=np.int64)
    np.add.at(count, k[cand], 1)
    cs = np.concatenate([[0], np.cumsum(count)])
    near = cs[np.minimum(k + w + 1, beats.size)] - cs[np.maximum(k - w, 0)] - 1
    return cand & (near >= 1)


def below_resolution(table: pd.DataFrame, y: np.ndarray, fs: float, quantum_uv: float,
                     params: ContractionParams | None = None) -> np.ndarray:
    """True for contractions a coarse quantiser cannot tell from its own step noise.

    A channel recorded in steps of ``quantum_uv`` (e.g. 31 µV) larger than its
    resting EMG toggles between neighbouring steps wherever slow drift (sweat,
    offset) brings it near a step's edge: bursts of square edges that the band
    pass turns into broadband "contractions".  Such toggling spans at most ±1
    step; a contraction the quantiser really saw spans more.  A row is below
    resolution when the conditioned signal ``y`` (rate ``fs``) spans less than
    ``quantum_ptp`` steps peak to peak inside it.  Off (all False) without a step.

    Examples
    --------
    >>> y = np.zeros(1000, dtype=np.float32); y[100:110] = [30, -30] * 5; y[500:510] = 90
    >>> t = pd.DataFrame({"onset": [0.4, 1.9], "duration": [0.1, 0.1]})
    >>> below_resolution(t, y, 250.0, 31.0).tolist()
    [True, False]
    """
    p = params or ContractionParams()
    n = len(table)
    if n == 0 or not quantum_uv > 0 or not p.quantum_ptp > 0:
        return np.zeros(n, dtype=bool)
    i0 = np.clip((table["onset"].to_numpy(float) * fs).astype(np.int64), 0, y.size - 1)
    i1 = np.clip(((table["onset"] + table["duration"]).to_numpy(float) * fs).astype(np.int64) + 1,
                 i0 + 1, y.size)
    ptp = np.array([np.nanmax(y[a:b]) - np.nanmin(y[a:b]) if np.isfinite(y[a:b]).any() else 0.0
                    for a, b in zip(i0, i1, strict=True)])  # one per row, not per sample
    return ptp < p.quantum_ptp * quantum_uv


def _block_values(values: np.ndarray, blk: int) -> tuple[np.ndarray, np.ndarray]:
    nb = values.size // blk
    g = values[: nb * blk].reshape(nb, blk)
    return g.mean(axis=1), g.std(axis=1)


def resting_spread(env: np.ndarray, fs: float, rest_b: np.ndarray, block_s: float,
                   quiet_block_factor: float = 1.25) -> float:
    """The channel's relative spread at rest: median std/mean of its quiet blocks.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> env = np.abs(rng.normal(3.0, 0.3, 50 * 600))
    >>> 0.05 < resting_spread(env, 50.0, np.full(600, 3.0), 1.0) < 0.15
    True
    """
    blk = max(2, int(round(block_s * fs)))
    mean, sd = _block_values(env, blk)
    if mean.size == 0:
        return 0.0
    r = np.resize(rest_b, mean.size) if rest_b.size else np.zeros(mean.size)
    quiet = np.isfinite(mean) & (mean > 0) & (mean <= quiet_block_factor * np.maximum(r, 1e-6))
    if quiet.sum() < 10:
        quiet = np.isfinite(mean) & (mean > 0)
        if not quiet.any():
            return 0.0
        # Too few quiet blocks: the quietest quarter of the blocks.
        quiet &= mean <= np.nanpercentile(mean[quiet], 25)
    return float(np.median(sd[quiet] / mean[quiet]))


def _refine(coarse: np.ndarray, level: np.ndarray, s: np.ndarray, t: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """First and last+1 step of ``coarse > level`` inside each run [s, t) (the run kept if none)."""
    lengths = t - s
    first_of = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    idx = np.arange(int(lengths.sum())) - np.repeat(first_of, lengths) + np.repeat(s, lengths)
    ok = coarse[idx] > level[idx]
    big = np.iinfo(np.int64).max
    lo = np.minimum.reduceat(np.where(ok, idx, big), first_of)
    hi = np.maximum.reduceat(np.where(ok, idx, -1), first_of) + 1
    none = hi <= 0
    lo[none], hi[none] = s[none], t[none]
    return lo.astype(np.int64), hi.astype(np.int64)


def _running_rest(slow: np.ndarray, nodata: np.ndarray, blk: int, p: ContractionParams
                  ) -> np.ndarray:
    """Resting level per block: a low percentile of block medians over a running window."""
    nb = slow.size // blk
    if nb == 0:
        return np.zeros(0, dtype=np.float32)
    g = np.where(nodata[: nb * blk], np.nan, slow[: nb * blk]).reshape(nb, blk)
    if nodata.any():
        # Blocks wholly without data stay NaN (without nanmedian's warning: thread-safe).
        med = nanmedian_rows(g).astype(np.float64)
    else:
        med = median_rows(g)  # np.median(g, axis=1), by a fast sort of the short rows
    ok = np.isfinite(med)
    if not ok.any():
        return np.zeros(0, dtype=np.float32)
    med = np.where(ok, med, np.nanmedian(med[ok])).astype(np.float32)
    size = max(1, int(round(p.rest_window_s / p.rest_block_s)))
    return ndimage.percentile_filter(med, p.rest_percentile, size=size, mode="nearest")


def _row_means(x: np.ndarray, dec: int) -> np.ndarray:
    """``x.reshape(-1, dec).mean(axis=1)`` (float32, ``x.size`` a multiple of ``dec``), the
    same bits, faster for short rows.

    numpy sums a row of fewer than 8 in order, first to last, as the ``dec`` strided
    slices added here do (3–4× faster than a mean along a short axis); from 8 on it sums
    pairwise, and its own mean is kept.
    """
    if dec >= 8:
        return x.reshape(-1, dec).mean(axis=1)
    out = x[0::dec].copy()
    for j in range(1, dec):
        out += x[j::dec]
    out /= np.float32(dec)
    return out


def detect_contractions(env: np.ndarray, fs_env: float,
                        params: ContractionParams | None = None) -> pd.DataFrame:
    """Every contraction of one channel from its short envelope (see the module doc).

    Parameters
    ----------
    env : ndarray
        The short (~15 ms) envelope of the conditioned channel, µV (NaN: no data).
    fs_env : float
        Its rate, Hz.
    params : ContractionParams
        Already resolved for the channel's region (:meth:`ContractionParams.for_region`).

    Returns
    -------
    DataFrame
        :data:`CONTRACTION_COLUMNS`: ``onset``, ``duration`` (s), ``amplitude_uv``
        (peak of the short envelope above resting), ``tonic`` (≥ ``tonic_s``),
        ``rest_uv`` (resting level at onset), ``spread_uv`` (resting spread σ at
        onset), ``mean_uv`` (mean envelope above resting over the contraction),
        ``snr`` (peak of the contraction envelope above resting, in resting spreads),
        ``pre_uv`` (median of the contraction envelope over the ``pre_s`` before
        onset, the local background; NaN where there is no data before).

    Examples
    --------
    >>> fs = 256.0
    >>> env = np.full(int(fs * 120), 3.0, dtype=np.float32)
    >>> env[int(fs * 60): int(fs * 63)] = 12.0          # a 3-s grasp
    >>> c = detect_contractions(env, fs)
    >>> len(c), round(float(c.onset[0]), 1), round(float(c.duration[0]), 1)
    (1, 60.0, 3.0)
    """
    p = params or ContractionParams()
    e = np.asarray(env, dtype=np.float32)
    dec = max(1, int(round(p.step_s * fs_env)))
    nd = e.size // dec
    if nd < 10:
        return _empty()
    fs_c = fs_env / dec
    bad = ~np.isfinite(e[: nd * dec])
    if bad.any():
        e0 = np.where(bad, np.float32(0.0), e[: nd * dec])
        nodata = block_any(bad, dec)
    else:  # the usual case: no copy, no block-wise test
        e0, nodata = e[: nd * dec], np.zeros(nd, dtype=bool)
    coarse = _row_means(e0, dec)
    width = max(1, int(round(p.envelope_s * fs_c)))
    slow = ndimage.uniform_filter1d(coarse, width, mode="nearest")
    blk = max(2, int(round(p.rest_block_s * fs_c)))
    rest_b = _running_rest(slow, nodata, blk, p)
    if rest_b.size == 0:
        return _empty()
    bidx = np.minimum(np.arange(nd) // blk, rest_b.size - 1)
    rest = rest_b[bidx]
    rel = resting_spread(np.where(nodata, np.nan, slow), fs_c, rest_b, p.rest_block_s,
                         p.quiet_block_factor)
    sigma = np.float32(rel) * rest
    on_t = rest + np.maximum(np.float32(p.onset_uv), np.float32(p.onset_sd) * sigma)
    off_t = rest + np.maximum(np.float32(p.offset_uv), np.float32(p.offset_sd) * sigma)
    above = (slow > off_t) & ~nodata
    s, t = runs(above)
    if s.size == 0:
        return _empty()
    quiet = max(1, int(round(p.quiet_s * fs_c)))
    if s.size > 1:  # dips shorter than quiet_s do not end a contraction
        brk = (s[1:] - t[:-1]) >= quiet
        s = s[np.concatenate([[True], brk])]
        t = t[np.concatenate([brk, [True]])]
    speak = range_max(slow, s, t)
    keep = speak > on_t[s]
    # The 0.1-s smoothing widens each run by up to half a window on each side: the
    # edges are the first and last 20-ms step of the unsmoothed envelope above the
    # offset level inside the run.
    s2, t2 = _refine(coarse, off_t, s, t)
    keep &= (t2 - s2) >= max(1, int(round(p.min_s * fs_c)))
    edge = int(round(p.edge_s * fs_c))
    keep &= (s2 >= edge) & (t2 <= nd - edge)
    if nodata.any():  # the band-pass rings at the edges of a gap, as at the recording's
        near = ndimage.binary_dilation(nodata, iterations=max(1, edge))
        cs = np.concatenate([[0], np.cumsum(near)])
        keep &= (cs[np.minimum(t2 + 1, nd)] - cs[np.maximum(s2 - 1, 0)]) == 0
    s2, t2, speak = s2[keep], t2[keep], speak[keep]
    if s2.size == 0:
        return _empty()
    peak = range_max(e0, s2 * dec, np.minimum(t2 * dec, e0.size))
    csum = np.concatenate([[0.0], np.cumsum(coarse, dtype=np.float64)])
    mean = (csum[t2] - csum[s2]) / (t2 - s2)
    base = rest[s2]
    dur = (t2 - s2) / fs_c
    pre = _pre_level(slow, nodata, s2, max(1, int(round(p.pre_s * fs_c))))
    return pd.DataFrame({
        "onset": s2 / fs_c, "duration": dur,
        "amplitude_uv": (peak - base).astype(np.float64),
        "tonic": dur >= p.tonic_s,
        "rest_uv": base.astype(np.float64),
        "spread_uv": sigma[s2].astype(np.float64),
        "mean_uv": (mean - base).astype(np.float64),
        "snr": ((speak - base) / np.maximum(sigma[s2], 1e-6)).astype(np.float64),
        "pre_uv": pre,
    })


def _pre_level(slow: np.ndarray, nodata: np.ndarray, starts: np.ndarray, w: int) -> np.ndarray:
    """Median of ``slow`` over the ``w`` steps before each start (NaN without data there)."""
    out = np.full(starts.size, np.nan)
    ok = starts >= w
    if not ok.any() or slow.size < w:
        return out
    win = np.lib.stride_tricks.sliding_window_view(slow, w)[starts[ok] - w]
    gap = np.lib.stride_tricks.sliding_window_view(nodata, w)[starts[ok] - w].any(axis=1)
    out[ok] = np.where(gap, np.nan, np.median(win, axis=1))
    return out


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=bool if c == "tonic" else float)
                         for c in CONTRACTION_COLUMNS})


def as_dict(params: ContractionParams) -> dict[str, Any]:
    """The settings as plain data (for provenance)."""
    return dataclasses.asdict(params)
