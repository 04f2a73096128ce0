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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import ndimage

from .._util import range_max, runs
from ..params import param
from ..recording import ChannelInfo
from ..signal.baseline import BaselineParams, resting_level
from ..signal.condition import ConditionedEMG
from ..signal.filters import block_mean, envelope
from .contractions import (
    ContractionParams,
    below_resolution,
    detect_contractions,
    heart_locked,
    too_slow,
)

__all__ = ["BurstParams", "BURST_COLUMNS", "PART_COLUMNS", "burst_envelope", "burst_frequency",
           "contraction_parts", "detect_bursts",
           "bursts_in_channel", "channel_bursts", "ChannelBursts", "estimate_resting_level",
           "runs"]

#: Columns of the burst table returned by :func:`detect_bursts`.
BURST_COLUMNS: tuple[str, ...] = ("onset", "duration", "amplitude_uv", "tonic", "rest_uv")


@dataclass(frozen=True)
class BurstParams:
    """Burst detection constants (parameters section ``[muscles.bursts]``)."""

    envelope_s: float = param(0.015, gt=0.0)  # short envelope: resolves bursts ≥ 20 ms
    envelope_max_fs: float = param(256.0, gt=0.0)  # envelope kept at ≤ 256 Hz (4-ms steps): enough for 20-ms bursts
    onset_uv: float = 8.0  # onset: envelope ≥ 8 µV above resting (WASM 2016 LM onset rule)
    onset_factor: float = 2.0  # … and ≥ 2 × resting above it (noise-floor scaling, Moore 2014)
    offset_uv: float = param(2.0, at_most="onset_uv")  # offset: envelope ≤ 2 µV above resting (WASM 2016 LM offset rule)
    offset_factor: float = 2.0  # … or ≤ 2 × resting above it, whichever is higher (noise floor)
    min_gap_s: float = 0.05  # bursts closer than this are one burst (brief jerks stay apart)
    min_duration_s: float = 0.02  # shortest burst kept (20 ms)
    edge_fraction: float = param(0.15, hi=1.0)  # a burst's edges: where the envelope is ≥ 15 % of its peak
    # (zero-phase band-pass filters ring before and after a large jerk; this keeps
    # the ringing out of the burst's onset and duration)
    tonic_envelope_s: float = param(0.5, gt=0.0)  # slow envelope for sustained activity
    tonic_uv: float = 4.0  # sustained: slow envelope ≥ 4 µV above resting …
    tonic_factor: float = 1.0  # … and ≥ 1 × resting above it
    tonic_min_s: float = 5.0  # sustained when ≥ 5 s (AASM phasic bursts last 0.1–5 s)
    tonic_gap_s: float = 1.0  # dips shorter than this do not end a tonic episode
    rest_block_s: float = param(1.0, gt=0.0)  # resting level: medians of 1-s blocks …
    rest_window_s: float = param(600.0, gt=0.0)  # … low percentile over a running 10-min window
    rest_percentile: float = param(10.0, hi=100.0)
    edge_s: float = 0.5  # bursts touching the first/last 0.5 s are filter edge effects, dropped

    def baseline(self) -> BaselineParams:
        """The resting-level settings of bursts: a low percentile, no exclusion passes."""
        return BaselineParams(rest_window_s=self.rest_window_s, rest_block_s=self.rest_block_s,
                              rest_initial_quantile=self.rest_percentile / 100.0,
                              rest_iterations=0)


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

    The one estimator (:func:`somnomotor.signal.baseline.resting_level`) with
    the burst settings: block medians of the envelope, then their 10th
    percentile over a running 10-min window, so quiet stretches set the level
    and activity (even minutes of it) does not.  NaN (gaps) is ignored.

    Examples
    --------
    >>> env = np.full(256 * 120, 3.0, dtype=np.float32)
    >>> rest = estimate_resting_level(env, 256.0)
    >>> rest.size, float(rest[0])
    (120, 3.0)
    """
    p = params or BurstParams()
    rest = resting_level(np.asarray(env, dtype=np.float32), fs, p.baseline(), per_block=True)
    if rest.size == 0 or not np.isfinite(rest).any():
        return np.zeros(max(1, rest.size), dtype=np.float32)
    return rest


#: Time step (s) of the slow envelope used for sustained activity.
_TONIC_STEP_S = 0.05


def burst_envelope(x: np.ndarray, fs: float, params: BurstParams | None = None
                   ) -> tuple[np.ndarray, float]:
    """The short envelope (mean rectified EMG over ``envelope_s``), µV, and its rate (Hz).

    The rectified signal is first averaged in blocks so the envelope runs at
    ≤ ``envelope_max_fs`` (e.g. 512 Hz → 256 Hz): onsets keep 4-ms precision and
    every later step costs half. NaN (no data) stays NaN.

    Examples
    --------
    >>> clean = np.random.default_rng(0).normal(0.0, 3.0, 512 * 10)  # 10 s at 512 Hz
    >>> env, fs_env = burst_envelope(clean, 512.0)
    >>> fs_env, env.size
    (256.0, 2560)
    """
    p = params or BurstParams()
    x = np.asarray(x, dtype=np.float32)
    d = max(1, int(fs // p.envelope_max_fs))
    if d == 1:
        return envelope(x, fs, p.envelope_s), float(fs)
    m = x.size // d
    rect = np.abs(x[0: m * d: d])
    for j in range(1, d):  # d strided slices (d = 2 at 512 Hz), not a loop over samples
        rect += np.abs(x[j: m * d: d])
    rect *= np.float32(1.0 / d)
    fs_e = fs / d
    return envelope(rect, fs_e, p.envelope_s), float(fs_e)


def _per_block(level: np.ndarray | float, n: int, blk: int, nb: int) -> np.ndarray:
    """A resting level given as one number, per block or per sample → one value per block."""
    lv = np.asarray(level, dtype=np.float32)
    if lv.ndim == 0:
        return np.full(nb, float(lv), dtype=np.float32)
    if lv.size == n and n != nb:
        lv = lv[::blk]
    if lv.size >= nb:
        return np.ascontiguousarray(lv[:nb])
    return np.concatenate([lv, np.full(nb - lv.size, lv[-1] if lv.size else 0.0, np.float32)])


def detect_bursts(x: np.ndarray | None, fs: float, *, params: BurstParams | None = None,
                  rest: np.ndarray | float | None = None,
                  env: tuple[np.ndarray, float] | None = None,
                  sustained: bool = True) -> pd.DataFrame:
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
        Resting level of the short envelope (µV), per envelope sample, per
        ``rest_block_s`` block, or one number; estimated when omitted.
    env : (ndarray, float), optional
        ``burst_envelope(x, fs, params)`` when the caller already has it
        (then ``x`` may be None).
    sustained : bool
        False: brief bursts only, none dropped for lying inside sustained activity
        (the jerks that make up each contraction: :func:`contraction_parts`).

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
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(0.0, 3.0, 512 * 60)          # a minute of 3-µV background …
    >>> for t in (20, 40):                          # … with two 0.1-s jerks
    ...     x[512 * t: 512 * t + 51] += rng.normal(0.0, 60.0, 51)
    >>> bursts = detect_bursts(x, 512.0, params=BurstParams())
    >>> bursts.onset.round(1).tolist(), bool(bursts.tonic.any())
    ([20.0, 40.0], False)
    """
    bursts, jerks = _bursts_and_jerks(x, fs, params or BurstParams(), rest, env, sustained)
    return bursts if sustained else jerks


def _bursts_and_jerks(x: np.ndarray | None, fs: float, p: BurstParams,
                      rest: np.ndarray | float | None, env: tuple[np.ndarray, float] | None,
                      sustained: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`detect_bursts`' table and its jerks (``sustained=False``) from one pass.

    The brief bursts are found once; the jerks are all of them, the bursts
    table drops those inside a tonic episode and adds the episodes.
    """
    if env is None:
        if x is None or np.asarray(x).size < 3:
            return _empty(), _empty()
        env_values, fs = burst_envelope(x, fs, p)
    else:
        env_values, fs = env
    e = np.asarray(env_values, dtype=np.float32)
    n = e.size
    if n < 3:
        return _empty(), _empty()
    bad = ~np.isfinite(e)
    if bad.all():
        return _empty(), _empty()
    if rest is None:
        rest = estimate_resting_level(e, fs, p)
    # Thresholds live per resting-level block; samples are compared block-wise
    # (no per-sample threshold arrays: one channel of a night is ~15 M samples).
    blk = max(1, int(round(p.rest_block_s * fs)))
    nb = -(-n // blk)
    rest_b = _per_block(rest, n, blk, nb)
    env0 = np.zeros(nb * blk, dtype=np.float32)
    env0[:n] = e
    if bad.any():
        env0[:n][bad] = 0.0
    grid = env0.reshape(nb, blk)

    # --- sustained activity on a slow envelope (50-ms steps) ------------------
    ts = te = np.zeros(0, dtype=np.int64)
    if sustained:
        dec = max(1, int(round(_TONIC_STEP_S * fs)))
        nd = env0.size // dec
        coarse = env0[: nd * dec].reshape(nd, dec).mean(axis=1)
        slow = ndimage.uniform_filter1d(coarse, max(1, int(round(p.tonic_envelope_s / (dec / fs)))))
        t_b = rest_b + np.maximum(np.float32(p.tonic_uv), np.float32(p.tonic_factor) * rest_b)
        t_d = t_b[np.minimum((np.arange(nd) * dec) // blk, nb - 1)]
        ts, te = runs(slow > t_d)
        ts, te = _close_gaps(ts, te, int(round(p.tonic_gap_s * fs / dec)))
        long = (te - ts) >= int(round(p.tonic_min_s * fs / dec))
        ts, te = ts[long], te[long]
        if ts.size:
            # The slow envelope finds a gradual rise into sustained activity late: an episode
            # starts where the unsmoothed 50-ms envelope rises above the level and stays there
            # (dips shorter than tonic_gap_s aside) up to it.
            cs, ce = _close_gaps(*runs(coarse > t_d), int(round(p.tonic_gap_s * fs / dec)))
            j = np.searchsorted(ce, ts, side="left")  # the first fast run not ending before ts
            ok = j < cs.size
            ok[ok] = cs[j[ok]] <= ts[ok]
            ts[ok] = cs[j[ok]]
        ts, te = ts * dec, np.minimum(te * dec, n)

    # --- brief bursts on the short envelope (hysteresis) ----------------------
    on_b = rest_b + np.maximum(np.float32(p.onset_uv), np.float32(p.onset_factor) * rest_b)
    off_b = rest_b + np.maximum(np.float32(p.offset_uv), np.float32(p.offset_factor) * rest_b)
    above_off = (grid > off_b[:, None]).ravel()[:n]
    bs, be = runs(above_off)
    del above_off
    bs, be = _close_gaps(bs, be, int(round(p.min_gap_s * fs)))
    if bs.size:
        # A region counts only if it reaches the onset threshold somewhere.
        peak = range_max(env0, bs, be)
        keep = (peak > on_b[bs // blk]) & ((be - bs) >= max(1, int(round(p.min_duration_s * fs))))
        bs, be = bs[keep], be[keep]
    if bs.size and p.edge_fraction > 0:
        bs, be = _refine_edges(env0, bs, be, p.edge_fraction)
        keep = (be - bs) >= max(1, int(round(p.min_duration_s * fs)))
        bs, be = bs[keep], be[keep]
    edge = int(round(p.edge_s * fs))
    if edge > 0:
        ok = (bs >= edge) & (be <= n - edge)
        bs, be = bs[ok], be[ok]
    jerks = _table(env0, rest_b, blk, fs, bs, be, np.zeros(bs.size, bool))
    if not ts.size:
        return jerks, jerks.copy()
    # The bursts table: the brief bursts (the jerks' rows) outside every tonic episode —
    # one that overlaps an episode is part of it — and the episodes.
    brief = jerks
    if bs.size:
        k = np.searchsorted(ts, be, side="left") - 1
        inside = (k >= 0) & (bs < te[np.clip(k, 0, None)])
        brief = jerks[~inside]  # the jerks' rows are the runs bs-be in order
    tonic = _table(env0, rest_b, blk, fs, ts, te, np.ones(ts.size, bool))
    parts = [t for t in (brief, tonic) if len(t)]
    bursts = pd.concat(parts).sort_values("onset", kind="stable").reset_index(drop=True)
    return bursts, jerks


def _table(env0: np.ndarray, rest_b: np.ndarray, blk: int, fs: float, starts: np.ndarray,
           ends: np.ndarray, tonic: np.ndarray) -> pd.DataFrame:
    """The burst table of the runs ``starts``-``ends`` (envelope samples), sorted by onset."""
    if starts.size == 0:
        return _empty()
    peak = range_max(env0, starts, ends)
    base = rest_b[starts // blk]
    df = pd.DataFrame({
        "onset": starts / fs,
        "duration": (ends - starts) / fs,
        "amplitude_uv": (peak - base).astype(np.float64),
        "tonic": tonic,
        "rest_uv": base.astype(np.float64),
    })
    return df.sort_values("onset", kind="stable").reset_index(drop=True)


def burst_frequency(x: np.ndarray, fs: float, onsets: np.ndarray, durations: np.ndarray
                    ) -> np.ndarray:
    """Mean frequency (Hz) of each burst from its zero crossings: crossings / (2 × duration).

    Surface EMG's mean frequency lies around 50–150 Hz (De Luca 1997); an electrode
    pop or a movement artefact, after the 10-Hz high-pass, rings at 10–15 Hz.
    Only the bursts' own samples are touched.
    """
    on = np.asarray(onsets, dtype=float)
    if on.size == 0:
        return np.zeros(0)
    x = np.asarray(x, dtype=np.float32)
    i0 = np.clip(np.round(on * fs).astype(np.int64), 0, x.size - 1)
    i1 = np.clip(np.round((on + np.asarray(durations, float)) * fs).astype(np.int64), i0 + 2,
                 x.size)
    lengths = i1 - i0
    first_of = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    idx = np.arange(int(lengths.sum())) - np.repeat(first_of, lengths) + np.repeat(i0, lengths)
    neg = np.signbit(np.nan_to_num(x[idx]))
    change = np.empty(idx.size, dtype=np.int64)
    change[0] = 0
    change[1:] = neg[1:] != neg[:-1]
    change[first_of] = 0  # no crossing between the last sample of one burst and the next
    crossings = np.add.reduceat(change, first_of)
    return crossings / (2.0 * lengths / fs)


def _refine_edges(env: np.ndarray, starts: np.ndarray, ends: np.ndarray, fraction: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Move each burst's edges in to the first/last sample at ≥ ``fraction`` × its peak."""
    lengths = ends - starts
    peak = range_max(env, starts, ends)
    group = np.repeat(np.arange(starts.size), lengths)
    first_of = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    idx = np.arange(int(lengths.sum())) - np.repeat(first_of, lengths) + np.repeat(starts, lengths)
    ok = env[idx] >= np.repeat(fraction * peak, lengths)
    big = np.iinfo(np.int64).max
    lo = np.minimum.reduceat(np.where(ok, idx, big), first_of)
    hi = np.maximum.reduceat(np.where(ok, idx, -1), first_of)
    del group
    return lo.astype(np.int64), (hi + 1).astype(np.int64)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"onset": pd.Series(dtype=float), "duration": pd.Series(dtype=float),
                         "amplitude_uv": pd.Series(dtype=float), "tonic": pd.Series(dtype=bool),
                         "rest_uv": pd.Series(dtype=float)})


@dataclass
class ChannelBursts:
    """What burst detection leaves of one conditioned channel (its samples dropped).

    ``bursts``: :data:`BURST_COLUMNS` plus ``channel``, ``muscle``, ``side``,
    ``region``; ``quality``: the channel's row of the muscle quality table;
    ``amp_1s``: mean rectified conditioned EMG per second (the chin only).
    """

    info: ChannelInfo
    bursts: pd.DataFrame
    quality: dict[str, Any]
    amp_1s: np.ndarray | None = None
    #: Every contraction (:mod:`.contractions`), with ``channel``, ``muscle``, ``side``,
    #: ``region``; empty when the channel is too slow to score (``scorable`` false).
    contractions: pd.DataFrame = field(default_factory=pd.DataFrame)
    scorable: bool = True
    #: The jerks of each contraction (:func:`contraction_parts`, ``contraction`` = row of
    #: ``contractions``) with ``channel``, ``muscle``, ``side``, ``region``; when None,
    #: each contraction is one part.
    parts: pd.DataFrame | None = None


def channel_bursts(info: ChannelInfo, cond: ConditionedEMG, params: BurstParams | None = None,
                   *, artefact_max_freq_hz: float = 0.0, want_amp: bool = False,
                   high_rest_uv: float = 16.0,
                   contraction_params: ContractionParams | None = None) -> ChannelBursts:
    """The bursts, contractions and quality figures of one conditioned channel.

    See :func:`bursts_in_channel`; the contractions use ``contraction_params``
    resolved for the channel's region.  A channel sampled too slowly for the
    EMG band (:func:`~somnomotor.detect.contractions.too_slow`) gets no bursts,
    no contractions, a note, and ``scorable`` false.
    """
    cp = (contraction_params or ContractionParams()).for_region(info.region)
    if too_slow(info.fs, cp):
        note = (f"sampled at {info.fs:g} Hz, too slowly for surface EMG (10–100 Hz band; "
                f"needs ≥ {cp.min_fs:g} Hz): not scored, left out of every index")
        quality = {"channel": info.label, "muscle": info.muscle, "side": info.side,
                   "region": info.region, "fs": info.fs, "resting_level_uv": float("nan"),
                   "mains_hz": cond.mains_hz, "ecg_artefact_uv": cond.ecg_artefact_uv,
                   "residual_ecg": cond.residual_ecg_uv, "ecg_source": cond.ecg_source,
                   "fs_analysis": cond.fs, "flagged_s": 0.0, "excluded_s": cond.gap_s,
                   "bursts": 0, "tonic_episodes": 0, "artefacts": 0, "contractions": 0,
                   "notes": "; ".join([*cond.notes, note])}
        empty = _empty().assign(channel=pd.Series(dtype=object), muscle=pd.Series(dtype=object),
                                side=pd.Series(dtype=object), region=pd.Series(dtype=object))
        return ChannelBursts(info, empty, quality, None, empty.copy(), scorable=False)
    b, fig, amp = bursts_in_channel(cond, params, artefact_max_freq_hz=artefact_max_freq_hz,
                                    amp_1s=want_amp, high_rest_uv=high_rest_uv,
                                    contraction_params=cp)
    contractions = fig.pop("contractions")
    parts = fig.pop("parts")
    notes = list(cond.notes)
    if fig["flagged_s"] > 0 and not cond.flagged:
        notes.append(f"resting level above {high_rest_uv:g} µV for {fig['flagged_s']:.0f} s")
    if fig["artefacts"]:
        notes.append(f"{fig['artefacts']} artefact transient(s) (mean frequency < "
                     f"{artefact_max_freq_hz:g} Hz) not counted as bursts")
    quality = {"channel": info.label, "muscle": info.muscle, "side": info.side,
               "region": info.region, "fs": info.fs,
               "resting_level_uv": fig["resting_level_uv"], "mains_hz": cond.mains_hz,
               "ecg_artefact_uv": cond.ecg_artefact_uv, "residual_ecg": cond.residual_ecg_uv,
               "ecg_source": cond.ecg_source, "fs_analysis": cond.fs,
               "flagged_s": fig["flagged_s"], "excluded_s": cond.gap_s,
               "bursts": int((~b["tonic"]).sum()), "tonic_episodes": int(b["tonic"].sum()),
               "artefacts": fig["artefacts"], "contractions": len(contractions),
               "notes": "; ".join(notes)}
    b = b.assign(channel=info.label, muscle=info.muscle, side=info.side, region=info.region)
    contractions = contractions.assign(channel=info.label, muscle=info.muscle, side=info.side,
                                       region=info.region)
    parts = parts.assign(channel=info.label, muscle=info.muscle, side=info.side,
                         region=info.region)
    return ChannelBursts(info, b, quality, amp, contractions, parts=parts)


#: Columns of the table of contraction parts (:func:`contraction_parts`).
PART_COLUMNS: tuple[str, ...] = ("onset", "duration", "amplitude_uv", "tonic", "rest_uv",
                                 "contraction", "burst")


def _between_bursts(env: np.ndarray, fs_env: float, contractions: pd.DataFrame,
                    jerks: pd.DataFrame) -> np.ndarray:
    """Per contraction: the mean short envelope over it outside its bursts (µV, NaN when
    its bursts cover it whole) — the level the bursts of a train must stand out of."""
    n = len(contractions)
    out = np.full(n, np.nan)
    if n == 0 or len(jerks) == 0:
        return out
    m = env.size
    a = np.clip((jerks["onset"].to_numpy(float) * fs_env).astype(np.int64), 0, m)
    b = np.clip(((jerks["onset"] + jerks["duration"]).to_numpy(float) * fs_env).astype(np.int64)
                + 1, 0, m)
    c0 = np.clip((contractions["onset"].to_numpy(float) * fs_env).astype(np.int64), 0, m)
    c1 = np.clip(((contractions["onset"] + contractions["duration"]).to_numpy(float)
                  * fs_env).astype(np.int64), 0, m)
    # Sums over the stretches between consecutive edges (of contractions and jerks) only:
    # no night-long running sums (a channel's envelope is ~7 M samples).
    edges = np.unique(np.concatenate([[0], a, b, c0, c1]))
    edges = edges[edges < m]
    ends = np.append(edges[1:], m)

    def inside(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Stretches inside an interval [lo, hi): more have started than ended before."""
        return (np.searchsorted(np.sort(lo), edges, side="right")
                - np.searchsorted(np.sort(hi), edges, side="right")) > 0

    # Only the stretches inside a contraction and outside every jerk are summed, each over
    # its own samples (gathered: a small part of the night).
    need = inside(c0, c1) & ~inside(a, b) & (ends > edges)
    seg_sum = np.zeros(edges.size)
    seg_cnt = np.zeros(edges.size, dtype=np.int64)
    if need.any():
        lo, length = edges[need], (ends - edges)[need]
        first = np.concatenate([[0], np.cumsum(length)[:-1]])
        vals = env[np.repeat(lo - first, length) + np.arange(int(length.sum()))]
        finite = np.isfinite(vals)
        vals = np.where(finite, vals, np.float32(0.0)).astype(np.float64)
        seg_sum[need] = np.add.reduceat(vals, first)
        seg_cnt[need] = np.add.reduceat(finite.astype(np.int64), first)
    cs_e = np.concatenate([[0.0], np.cumsum(seg_sum)])
    cs_n = np.concatenate([[0], np.cumsum(seg_cnt)])
    i0 = np.searchsorted(edges, c0)  # contraction edges are stretch edges
    i1 = np.searchsorted(edges, c1)
    cnt = cs_n[i1] - cs_n[i0]
    ok = cnt > 0
    out[ok] = (cs_e[i1] - cs_e[i0])[ok] / cnt[ok]
    return out


def contraction_parts(contractions: pd.DataFrame, jerks: pd.DataFrame,
                      train_cover: float = 0.5, background: np.ndarray | None = None,
                      params: BurstParams | None = None, train_min_s: float = 0.1,
                      train_factor: float = 3.0, sustained_cover: float = 0.7,
                      between: np.ndarray | None = None) -> pd.DataFrame:
    """What the per-channel pattern rules classify: each contraction cut into its jerks.

    A contraction (the WASM-like layer: onset above the channel's resting level,
    end at the start of ≥ 0.25 s of quiet) may hold several jerks, e.g. a sleep
    start followed 0.5 s later by a propriospinal jerk, or a rhythmic train whose
    pauses are shorter than the quiet stretch; and a large jerk's edges include
    the band-pass filter's ringing.  A *part* is a brief burst of the burst rule
    (:func:`detect_bursts` with ``sustained=False``: hysteresis at the WASM
    8-µV / 2-µV levels scaled to the resting level, edges at 15 % of the peak)
    that overlaps the contraction; bursts outside every contraction are noise
    the contraction layer refused.  A contraction holding no such burst (a weak,
    slow contraction) is one part: itself.  So is a tonic contraction (≥ 5 s)
    unless it holds ≥ 2 bursts covering less than ``train_cover`` (half) of it: then it is a
    train of jerks (a rhythmic movement, a run of myoclonus) that the quiet
    stretches between them were too short or too noisy to end, and its bursts
    are its parts — those that stand out of the stretch's own background
    (``background``: the median short envelope over each contraction, µV; peak ≥
    background + max(``onset_uv``, ``train_factor`` × background), the burst onset
    rule with 3 × instead of 2 ×, set on development seeds 5–6 where 2 × let wake
    tone through) and
    last ≥ ``train_min_s`` (0.1 s): a jerk stands out of the activity it sits in,
    noise riding on a long stretch of raised tone (wake, a drifting electrode) does
    not.  Sustained activity is covered by its bursts almost whole.

    A shorter (not tonic) contraction whose ≥ 2 bursts cover at least
    ``sustained_cover`` (70 %) of it is one part too, and a jerk (``burst``: it
    reaches the burst level): a weak contraction whose envelope hovers about the
    burst onset level crosses it again and again, and its crests are no train.
    On the issue-12 acceptance nights a 4-µV, 3.8-s intercostal contraction fell
    into four such crests at ~1 Hz, a "rhythmic movement"; trains of jerks leave
    quiet between them (the simulator's rhythmic trains cover at most 64 %).  With
    ``between`` (per contraction: the mean short envelope over it outside its bursts,
    µV), the bursts of a shorter contraction holding ≥ 2 must stand out of that level
    by the burst onset rule (``onset_uv`` and ``onset_factor`` × it); if none does, the
    contraction is one sustained part (a 5-µV, 3-s leg contraction's crests made a
    false foot tremor; a train's pauses fall back to rest).

    Returns
    -------
    DataFrame
        :data:`PART_COLUMNS`, sorted by onset: ``contraction`` is the row of
        ``contractions`` the part belongs to; ``burst`` is true for a burst (a
        jerk reaching the burst onset level), false for a whole contraction.

    Examples
    --------
    >>> c = pd.DataFrame({"onset": [10.0, 30.0], "duration": [1.6, 8.0],
    ...                   "amplitude_uv": [90.0, 20.0], "tonic": [False, True],
    ...                   "rest_uv": [2.0, 2.0]})
    >>> j = pd.DataFrame({"onset": [5.0, 10.2, 11.0, 31.0], "duration": 0.2,
    ...                   "amplitude_uv": [40.0, 90.0, 60.0, 20.0], "tonic": False,
    ...                   "rest_uv": 2.0})
    >>> contraction_parts(c, j)[["onset", "contraction"]].values.tolist()
    [[10.2, 0.0], [11.0, 0.0], [30.0, 1.0]]
    >>> train = pd.DataFrame({"onset": 30.0 + np.arange(8.0), "duration": 0.3,
    ...                       "amplitude_uv": 50.0, "tonic": False, "rest_uv": 2.0})
    >>> contraction_parts(c, train)["onset"].tolist()[1:4]   # the 8-s tonic one, cut
    [30.0, 31.0, 32.0]
    """
    n = len(contractions)
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype=bool if c in ("tonic", "burst") else
                                          (np.int64 if c == "contraction" else float))
                             for c in PART_COLUMNS})
    c_on = contractions["onset"].to_numpy(float)
    c_end = c_on + contractions["duration"].to_numpy(float)
    c_tonic = contractions["tonic"].to_numpy(bool)
    j_on = jerks["onset"].to_numpy(float) if len(jerks) else np.zeros(0)
    j_end = j_on + (jerks["duration"].to_numpy(float) if len(jerks) else 0.0)
    # The contraction a burst overlaps (the last one starting before the burst ends: the
    # contraction's edges are on 20-ms steps, the burst's on the envelope's samples).
    k = np.searchsorted(c_on, j_end, side="left") - 1
    kk = np.clip(k, 0, None)
    inside = (k >= 0) & (j_on < c_end[kk]) if j_on.size else np.zeros(0, bool)
    p = params or BurstParams()
    peak = (jerks["amplitude_uv"].to_numpy(float) + jerks["rest_uv"].to_numpy(float)
            if j_on.size else np.zeros(0))  # each burst's peak envelope, µV

    def coverage() -> tuple[np.ndarray, np.ndarray]:
        """Per contraction: the seconds its bursts still ``inside`` cover, and their number."""
        covered = np.zeros(n)
        np.add.at(covered, kk[inside], (np.minimum(j_end, c_end[kk]) - j_on)[inside])
        return covered, np.bincount(kk[inside], minlength=n)

    reached = np.zeros(n, dtype=bool)  # a whole part that holds a burst reaches the level
    if c_tonic.any() and inside.any():
        covered, count = coverage()
        whole_tonic = c_tonic & ((covered >= train_cover * (c_end - c_on)) | (count < 2))
        reached |= whole_tonic & (count >= 1)
        inside &= ~whole_tonic[kk]
        if background is not None:  # a split stretch keeps its jerks only
            bg = np.asarray(background, dtype=float)[kk]
            inside &= ~c_tonic[kk] | ((peak >= bg + np.maximum(p.onset_uv, train_factor * bg))
                                      & (j_end - j_on >= train_min_s))
    sustained = np.zeros(n, dtype=bool)
    if inside.any():
        covered, count = coverage()
        sustained = ~c_tonic & (count >= 2) & (covered >= sustained_cover * (c_end - c_on))
        if between is not None:
            # Bursts of a shorter contraction holding ≥ 2 must stand out of its level
            # between them (the burst onset rule: 8 µV and 2 × that level above it).
            bt = np.asarray(between, dtype=float)[kk]
            several = ~c_tonic[kk] & (count[kk] >= 2) & np.isfinite(bt)
            weak = several & (peak < bt + np.maximum(p.onset_uv, p.onset_factor * bt))
            stands = np.zeros(n, dtype=np.int64)
            np.add.at(stands, kk[inside & ~weak], 1)
            sustained |= ~c_tonic & (count >= 2) & (stands == 0)
            inside &= ~weak
        inside &= ~sustained[kk]
    has = np.zeros(n, dtype=bool)
    has[kk[inside]] = True
    whole = ~has
    parts = pd.DataFrame({
        "onset": np.concatenate([j_on[inside], c_on[whole]]),
        "duration": np.concatenate([jerks["duration"].to_numpy(float)[inside] if j_on.size
                                    else np.zeros(0),
                                    contractions["duration"].to_numpy(float)[whole]]),
        "amplitude_uv": np.concatenate([jerks["amplitude_uv"].to_numpy(float)[inside]
                                        if j_on.size else np.zeros(0),
                                        contractions["amplitude_uv"].to_numpy(float)[whole]]),
        "tonic": np.concatenate([np.zeros(int(inside.sum()), bool), c_tonic[whole]]),
        "rest_uv": np.concatenate([jerks["rest_uv"].to_numpy(float)[inside] if j_on.size
                                   else np.zeros(0),
                                   contractions["rest_uv"].to_numpy(float)[whole]]),
        "contraction": np.concatenate([kk[inside], np.flatnonzero(whole)]).astype(np.int64),
        "burst": np.concatenate([np.ones(int(inside.sum()), bool), (sustained | reached)[whole]]),
    })
    return parts.sort_values("onset", kind="stable").reset_index(drop=True)


def bursts_in_channel(cond: ConditionedEMG, params: BurstParams | None = None, *,
                      artefact_max_freq_hz: float = 0.0, amp_1s: bool = False,
                      high_rest_uv: float = 16.0,
                      contraction_params: ContractionParams | None = None
                      ) -> tuple[pd.DataFrame, dict[str, Any], np.ndarray | None]:
    """Bursts of one conditioned channel, with artefact transients taken out.

    Brief "bursts" whose mean frequency (zero crossings) is below
    ``artefact_max_freq_hz`` are electrode pops or movement artefacts, not EMG
    (surface EMG: 50–150 Hz, De Luca 1997), and are dropped.  With ``amp_1s``
    the mean rectified conditioned signal per second is returned too (the REM
    rules' chin amplitude).

    Returns
    -------
    (bursts, figures, amp_1s or None)
        The :data:`BURST_COLUMNS` table; ``figures``: ``resting_level_uv``
        (median of the burst resting level), ``artefacts`` (count dropped),
        ``flagged_s`` (seconds whose resting level exceeds ``high_rest_uv``),
        ``contractions`` (the channel's contraction table,
        :func:`~somnomotor.detect.contractions.detect_contractions` on the same
        envelope and resting level), ``parts`` (their jerks, :func:`contraction_parts`).
    """
    p = params or BurstParams()
    y, fs = cond.filtered, cond.fs
    if cond.clipped is not None and cond.clipped.size == y.size:
        y = np.where(cond.clipped, np.float32(np.nan), y)  # clipped at the rail: no contraction
    env, fs_env = burst_envelope(y, fs, p)
    rest = estimate_resting_level(env, fs_env, p)
    b, jerks = _bursts_and_jerks(None, fs, p, rest, (env, fs_env), True)
    cp = contraction_params or ContractionParams()
    contractions = detect_contractions(env, fs_env, cp)
    if len(contractions) and cond.r_peaks is not None:
        contractions = contractions[~heart_locked(contractions, cond.r_peaks, cp)]
        contractions = contractions.reset_index(drop=True)
    if len(contractions) and cond.quantum_uv > 0:  # coarse quantisation's own step noise
        contractions = contractions[~below_resolution(contractions, y, fs, cond.quantum_uv, cp)]
        contractions = contractions.reset_index(drop=True)
    # The background of each tonic contraction (median short envelope over it): a train
    # of jerks merged into one long contraction is cut at the jerks that stand out of it.
    background = np.zeros(len(contractions))
    for i in np.flatnonzero(contractions["tonic"].to_numpy(bool)) if len(contractions) else ():
        a = int(contractions["onset"].iat[i] * fs_env)
        seg = env[a: a + int(contractions["duration"].iat[i] * fs_env) + 1]
        background[i] = float(np.nanmedian(seg)) if np.isfinite(seg).any() else 0.0
    between = _between_bursts(env, fs_env, contractions, jerks)
    del env
    n_artefacts = 0
    if len(jerks) and artefact_max_freq_hz > 0:
        # The brief bursts' mean frequency, once: the bursts table's brief rows are jerks
        # (the same runs, so the same onsets); the jerks that cut contractions go too.
        jf = burst_frequency(y, fs, jerks["onset"].to_numpy(), jerks["duration"].to_numpy())
        pops = jerks["onset"].to_numpy()[jf < artefact_max_freq_hz]
        bad = ~b["tonic"].to_numpy(bool) & np.isin(b["onset"].to_numpy(), pops)
        n_artefacts = int(bad.sum())
        b = b[~bad].reset_index(drop=True)
        jerks = jerks[jf >= artefact_max_freq_hz].reset_index(drop=True)
    if len(contractions) and artefact_max_freq_hz > 0:
        # The same rule for contractions: a "contraction" whose mean frequency is below
        # the EMG band is an electrode pop or movement artefact (frequency of its first
        # 2 s at most, enough for zero crossings and cheap for long contractions).
        cf = burst_frequency(y, fs, contractions["onset"].to_numpy(),
                             np.minimum(contractions["duration"].to_numpy(), 2.0))
        contractions = contractions[cf >= artefact_max_freq_hz].reset_index(drop=True)
        background = background[cf >= artefact_max_freq_hz]
        between = between[cf >= artefact_max_freq_hz]
    parts = contraction_parts(contractions, jerks, background=background, params=p,
                              between=between)
    amp = block_mean(np.abs(y), max(1, int(round(fs)))) if amp_1s else None
    # Seconds whose resting level is too high to score (as Luna flags: > 16 µV).
    flagged = float((rest > high_rest_uv).sum()) * p.rest_block_s
    figures = {"resting_level_uv": float(np.median(rest)) if rest.size else float("nan"),
               "artefacts": n_artefacts, "flagged_s": flagged, "contractions": contractions,
               "parts": parts}
    return b, figures, amp
