"""One EMG channel, conditioned once for every consumer: the one conditioning path.

:func:`condition_emg` runs, on one channel:

1. *no-data marking*: NaN (gaps), saturated stretches (the signal stuck at its
   extreme) and flat stretches (identical samples: a disconnected electrode)
   become no data, with a guard either side so filter ringing at their edges
   is not mistaken for activity;
2. *analysis rate*: a channel sampled well above the band (512 Hz for a
   10–100 Hz band) is brought down to the lowest integer fraction of its rate
   at least 2.2 × the band's upper edge (512 → 256 Hz) by a short linear-phase
   FIR whose delay is removed, so times do not move and every later step costs
   half;
3. *band-pass* 10–100 Hz (upper edge clipped below Nyquist at low sampling
   rates, noted; zero-phase) and *mains notch* at the room's frequency (50 or
   60 Hz and harmonics within the band), as a subtraction of the hum fitted
   block by block (0.5 s) to the quiet samples (:mod:`somnomotor.signal.mains`): a
   notch filter rings after a brief potential and lengthened 75–150-ms
   fragmentary myoclonus potentials past the AASM 150-ms limit; a channel
   recorded in steps coarser than its noise keeps a forward notch);
4. *ECG removal* driven by the R peaks (of the ECG channel, or found in a trunk
   channel when there is none) where the beat-locked artefact is measurable
   (:func:`somnomotor.signal.ecg.remove_ecg`);
5. *rectification and envelope*: block means down to ~100 Hz, then a moving
   mean (0.1 s);
6. *resting level* (:func:`somnomotor.signal.baseline.resting_level`) and the
   stretches where it is too high to score.

The leg detector reads the envelope and resting level; the burst detector the
conditioned signal itself (:attr:`ConditionedEMG.filtered`); the report and the
review application draw it through :func:`conditioned_trace`, with the
parameters recorded in the result.  :func:`condition_recording` conditions each
EMG channel of a recording exactly once, a channel per thread, and hands each to
the caller's detector before the next is read, so memory is bounded by the
channels in flight, not by the night times the channels.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from scipy import ndimage, signal

from .._util import analysis_threads, block_any, dilate, runs
from ..params import param
from .baseline import BaselineParams, flag_high_rest, resting_level
from .filters import (
    MAINS_EXCERPT_S,
    MAINS_EXCERPTS,
    bandpass_sos,
    block_mean,
    decimate,
    detect_mains,
    filter_zero_phase,
    notch_sos,
)
from .mains import remove_hum

if TYPE_CHECKING:
    from ..recording import ChannelInfo, Recording

__all__ = ["ConditionParams", "ConditionedEMG", "Trace", "analysis_threads", "condition_emg",
           "condition_recording", "conditioned_trace", "heartbeat_from_trunk", "mark_no_data",
           "mark_clipped", "quantum", "room_mains", "room_mains_meanwhile", "trace_for_result"]

T = TypeVar("T")
#: R-peak times (s), a function returning them once found (:func:`r_peaks_meanwhile`), or None.
RPeaks = np.ndarray | Callable[[], np.ndarray | None] | None
#: The mains frequency (Hz; None: no hum to remove), or a function that waits for it.
Mains = float | None | Callable[[], float | None]


@dataclass(frozen=True)
class ConditionParams(BaselineParams):
    """Constants of EMG conditioning (TOML section ``[conditioning]``).

    One set for every EMG channel of a night; the leg detector's parameters
    (``[leg_detection]``) inherit them.
    """

    band_low_hz: float = param(10.0, gt=0.0, below="band_high_hz")  # WASM 2016 / AASM: leg EMG band about 10–100 Hz
    band_high_hz: float = 100.0
    # Analysed at the lowest integer fraction of the sampling rate ≥ 2.2 × the band's upper
    # edge (512 → 256 Hz): the band is kept whole and every later step costs half.
    analysis_min_fs_factor: float = param(2.2, lo=2.0)
    mains: str = param("auto", choices=("auto", "50", "60", "none"))  # "auto" (found in the room's EMG), "50", "60" or "none"
    # Mains hum: sinusoids fitted to each block's quiet samples and subtracted (a notch
    # would ring after every brief potential and lengthen it; signal/mains.py) …
    mains_block_s: float = param(0.5, gt=0.0)
    # … except on a channel recorded in steps coarser than its noise: a notch of this
    # quality factor, forward only (50 Hz: 5-Hz wide, rings ~64 ms).
    notch_q: float = param(10.0, gt=0.0)
    envelope_window_s: float = param(0.1, gt=0.0)  # moving mean of the rectified EMG
    envelope_rate_hz: float = param(100.0, gt=0.0)  # envelope and resting level computed at ~100 Hz
    ecg_removal: bool = True  # subtract the cardiac artefact when R peaks are known …
    # … and the beat-locked artefact (RMS over the QRS) is at least this large, µV: a smaller
    # one cannot lift the envelope past the 2-µV offset level (0: always remove).
    ecg_min_artefact_uv: float = 1.0
    # No ECG channel: the beats are sought in the first of these regions with a clear heartbeat.
    ecg_self_detect_regions: tuple[str, ...] = ("chest", "abdomen", "back", "shoulder", "neck")
    flat_run_s: float = 1.0  # identical samples for ≥ 1 s: no data (disconnected)
    saturation_run_s: float = 0.05  # at the channel's extreme for ≥ 50 ms: saturated
    # Clipping: brief flat tops (≥ 3 identical samples) exactly at the channel's extreme, met
    # at least this often (a rail is hit again and again: clipped QRS peaks, clipped
    # movement waves), are no data after filtering (0: off).
    clip_min_runs: int = param(5, lo=0)
    no_data_guard_s: float = 1.0  # no data also this long either side (filter ringing)

    def __post_init__(self) -> None:
        if self.mains not in ("auto", "50", "60", "none"):
            raise ValueError(f"mains must be 'auto', '50', '60' or 'none', not {self.mains!r}")
        if not self.analysis_min_fs_factor >= 2.0:
            raise ValueError("analysis_min_fs_factor must be at least 2 (Nyquist)")

    def analysis_factor(self, fs: float) -> int:
        """The integer factor a channel at ``fs`` Hz is brought down by before filtering."""
        return max(1, int(fs // (self.analysis_min_fs_factor * self.band_high_hz)))

    def conditioning(self) -> ConditionParams:
        """Only the conditioning constants (a subclass's detection constants dropped)."""
        if type(self) is ConditionParams:
            return self
        names = ConditionParams.__dataclass_fields__
        return ConditionParams(**{k: getattr(self, k) for k in names})


@dataclass
class ConditionedEMG:
    """A conditioned EMG channel (all amplitudes µV, times s).

    ``filtered``: band-passed, notched, ECG-removed signal at the analysis
    rate ``fs`` (float32, NaN where no data); ``fs_input`` is the channel's own
    rate.  ``envelope`` and ``rest`` (resting level) at ``fs_envelope``;
    ``no_data`` marks envelope samples without usable data.  ``flagged``:
    stretches (onset, duration) whose resting level is too high to score.
    ``gap_s``: seconds of NaN (recording gaps) in the input.  ``ecg_*``: the
    beat-locked artefact before and after removal (µV RMS over the QRS, NaN
    without beats) and where the R peaks came from (``ecg-channel``,
    ``self:<label>`` or ``none``).  ``notes``: sentences for the quality report.
    """

    filtered: np.ndarray
    fs: float
    envelope: np.ndarray
    rest: np.ndarray
    fs_envelope: float
    no_data: np.ndarray
    mains_hz: float | None = None
    flagged: list[tuple[float, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ecg_removed: bool = False
    flat: bool = False
    fs_input: float = 0.0
    gap_s: float = 0.0
    ecg_artefact_uv: float = float("nan")
    residual_ecg_uv: float = float("nan")
    ecg_source: str = "none"
    #: The R peaks (s) used for ECG removal (None without ECG removal or beats).
    r_peaks: np.ndarray | None = None
    #: The recording's quantisation step, µV (0: none found): every sample a whole multiple.
    quantum_uv: float = 0.0
    #: Analysis-rate samples clipped at the amplifier's rail (None: none).  ``filtered``
    #: keeps them (the leg rules read a clipped movement's timing); the contraction
    #: layer leaves them out (:func:`mark_clipped`).
    clipped: np.ndarray | None = None

    @property
    def no_data_s(self) -> float:
        """Seconds without usable data."""
        return float(np.count_nonzero(self.no_data)) / self.fs_envelope

    @property
    def flagged_s(self) -> float:
        """Seconds whose resting level was too high to score."""
        return float(sum(d for _, d in self.flagged))

    @property
    def resting_level_uv(self) -> float:
        """Median resting level over the usable envelope, µV (NaN when none)."""
        ok = ~self.no_data
        return float(np.median(self.rest[ok])) if ok.any() else float("nan")


def _long_repeats_only(same: np.ndarray, least: int) -> np.ndarray | None:
    """``same`` kept only near runs of at least ``least`` True (None: there is none).

    A quantised quiet channel repeats samples often, in short runs; listing all of
    them costs much of the conditioning.  A run of ``least`` ≥ 2b − 1 Trues covers a
    whole aligned block of b = (``least`` + 1) // 2, so only blocks that are wholly
    True, and their neighbours (where such a run may begin or end), are kept: every
    run that long is unchanged, only shorter ones (never marked) may be cut.
    """
    b = max(1, (least + 1) // 2)
    if b <= 1 or same.size < b:
        return same if same.any() else None
    nb = same.size // b
    full = same[:nb * b].reshape(nb, b).all(axis=1)
    if not full.any():
        return None
    near = dilate(np.asarray(full, dtype=bool), 1)
    if near.all():
        return same
    keep = np.repeat(near, b)
    keep = np.concatenate([keep, np.full(same.size - keep.size, bool(near[-1]))])
    return same & keep


def _may_repeat_long(x: np.ndarray, least: int) -> bool:
    """False when ``x`` surely holds no run of ``least`` repeats (then nothing is marked).

    Exactly the test of :func:`_long_repeats_only` (is some aligned block of b
    repeat flags wholly True?), on strided samples instead of a flag per sample:
    block k is wholly True when ``x[k·b] == x[k·b + j]`` for j = 1 … b.  The blocks
    are checked offset by offset, and only those still in the running, so a
    channel without a flat or saturated stretch costs a fraction of one pass.
    """
    b = max(1, (least + 1) // 2)
    nb = (x.size - 1) // b
    if b <= 1 or nb == 0:
        return True  # the general path decides
    idx = np.flatnonzero(x[0:nb * b:b] == x[b:nb * b + 1:b]) * b
    for j in range(1, b):
        if idx.size == 0:
            return False
        idx = idx[x[idx] == x[idx + j]]
    return idx.size > 0


def mark_no_data(x: np.ndarray, fs: float, params: ConditionParams | None = None
                 ) -> tuple[np.ndarray, list[str]]:
    """Boolean mask of samples without usable data, and notes.

    No data: NaN/inf samples; runs of identical samples lasting ≥
    ``flat_run_s`` (a disconnected electrode); runs ≥ ``saturation_run_s`` at
    the channel's largest absolute value (amplifier saturation).

    Examples
    --------
    >>> x = np.r_[np.random.default_rng(0).normal(0, 5, 1000), np.full(300, 0.0)]
    >>> bad, notes = mark_no_data(x, 256.0)
    >>> int(bad.sum()), notes
    (300, ['flat (no signal) for 1.2 s'])
    """
    p = params or ConditionParams()
    x = np.asarray(x)
    bad = ~np.isfinite(x)
    notes: list[str] = []
    if x.size < 2:
        return bad, notes
    flat_n = int(round(p.flat_run_s * fs))
    sat_n = max(2, int(round(p.saturation_run_s * fs)))
    if not _may_repeat_long(x, min(flat_n, sat_n) - 1):
        return bad, notes
    same = x[1:] == x[:-1]  # True at i when sample i + 1 repeats sample i
    same = _long_repeats_only(same, min(flat_n, sat_n) - 1)
    if same is None:
        return bad, notes
    starts, ends = runs(same)  # runs of repeats; the run of samples is [start, end + 1)
    ends = ends + 1
    lengths = ends - starts
    hi = float(np.nanmax(x)) if np.isfinite(x).any() else 0.0
    lo = float(np.nanmin(x)) if np.isfinite(x).any() else 0.0
    v = x[starts]
    at_rail = ((v > 0) & (v >= 0.98 * hi)) | ((v < 0) & (v <= 0.98 * lo))
    is_sat = (lengths >= sat_n) & at_rail
    is_flat = (lengths >= flat_n) & ~is_sat
    sel = is_flat | is_sat
    if sel.any():
        bad = bad.copy()
        for s0, e0 in zip(starts[sel], ends[sel], strict=True):  # few runs, not samples
            bad[s0:e0] = True
    if is_sat.any():
        notes.append(f"saturated for {float(lengths[is_sat].sum() / fs):.1f} s")
    if is_flat.any():
        notes.append(f"flat (no signal) for {float(lengths[is_flat].sum() / fs):.1f} s")
    return bad, notes


def _mains_of(p: ConditionParams, x: np.ndarray, fs: float) -> float | None:
    if p.mains == "auto":
        return detect_mains(x, fs)
    return None if p.mains == "none" else float(p.mains)


def _notch_forward(y: np.ndarray, fs: float, mains: float, p: ConditionParams) -> np.ndarray:
    """Mains notches, forward only, the first half second from a backward pass."""
    upper = min(p.band_high_hz, 0.45 * fs) + 5.0
    notches = notch_sos(fs, mains, up_to=upper, q=p.notch_q)
    if not len(notches):
        return y
    # Forward only: a notch rings at the mains frequency after a large, brief jerk (time
    # constant Q / (π f0)); run forward-backward it would ring on both sides.
    sos_n = notches.astype(np.float32)
    head = min(y.size, int(fs))
    # The forward notch needs ~0.5 s to settle on the hum; the first half second is taken
    # from a backward pass over the first second, settled by then.
    first = signal.sosfilt(sos_n, y[:head][::-1])[::-1]
    out = signal.sosfilt(sos_n, y).astype(np.float32, copy=False)
    out[:head // 2] = first[:head // 2]
    return out


def stepped(x: np.ndarray, n: int = 1 << 17) -> bool:
    """Whether the channel is recorded in steps coarser than its noise: at least half of
    its successive samples (of the first ``n`` finite ones) are identical.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> stepped(np.round(rng.normal(0, 3, 5000) / 31.0) * 31.0), stepped(rng.normal(0, 3, 5000))
    (True, False)
    """
    v = np.asarray(x[: 2 * n], dtype=np.float32)
    v = v[np.isfinite(v)][:n]
    if v.size < 3:
        return False
    return bool(np.count_nonzero(v[1:] == v[:-1]) >= 0.5 * (v.size - 1))


def _remove_mains(y: np.ndarray, fs: float, mains: float, p: ConditionParams,
                  bad: np.ndarray | None, steps: bool) -> np.ndarray:
    """The hum at the mains frequency and its harmonics up to the band's top.

    Subtracted (:func:`somnomotor.signal.mains.remove_hum`: sinusoids fitted to the
    quiet samples), so nothing rings after a brief potential: a Q-10 notch run forward
    lengthened 75–150-ms fragmentary myoclonus potentials by a median 0.04 s (up to
    0.09 s), and the AASM ≤ 150-ms rule lost about half of them.  A channel recorded in
    steps coarser than its noise and hum (``steps``) holds no additive hum, only the
    quantiser toggling as the hum crosses a step's edge: a fitted sinusoid would be
    added where it is flat, so there the notch stays.
    """
    if steps:
        return _notch_forward(y, fs, mains, p)
    upper = min(p.band_high_hz, 0.45 * fs) + 5.0
    freqs = [mains * k for k in range(1, int(upper // mains) + 1)]
    return remove_hum(y, fs, freqs, block_s=p.mains_block_s, exclude=bad, overwrite=True)


#: Samples compared at a time where only the few that match are kept (small scratch).
_SCAN = 1 << 20


def mark_clipped(x: np.ndarray, params: ConditionParams | None = None) -> np.ndarray | None:
    """Samples in brief flat tops at the channel's very extreme (clipping), or None.

    An amplifier that clips brief peaks (a QRS or a movement wave riding on a large
    DC offset) leaves runs of ≥ 3 identical samples exactly at its rail, too short
    for :func:`mark_no_data`'s saturation rule (≥ ``saturation_run_s``) but each
    one a distorted waveform: the ECG template no longer fits the clipped beat,
    and its residue looks like a contraction.  A rail is hit again and again, so
    the extreme must carry at least ``clip_min_runs`` such runs; a float
    signal's single maximum never does.

    Examples
    --------
    >>> x = np.sin(np.arange(2000) / 10.0) * 120.0
    >>> mark_clipped(x) is None
    True
    >>> m = mark_clipped(np.clip(x, -100.0, 100.0))
    >>> bool(m.any()), bool(m[np.argmax(x)]), bool(m[0])
    (True, True, False)
    """
    p = params or ConditionParams()
    x = np.asarray(x)
    if p.clip_min_runs <= 0 or x.size < 3:
        return None
    # nanmax and nanmin (NaN ignored), without their warning on an all-NaN signal
    hi, lo = float(np.fmax.reduce(x)), float(np.fmin.reduce(x))
    if not (np.isfinite(hi) or np.isfinite(lo)) and not np.isfinite(x).any():
        return None
    out: np.ndarray | None = None
    for rail in (hi, lo):
        if rail == 0.0:
            continue
        # few samples: runs are found among them, not the night (a million at a time)
        at = np.concatenate([np.flatnonzero(x[i:i + _SCAN] == rail) + i
                             for i in range(0, x.size, _SCAN)])
        if at.size < 3 * p.clip_min_runs:
            continue
        brk = np.flatnonzero(np.diff(at) != 1)
        first = np.concatenate(([0], brk + 1))
        last = np.concatenate((brk, [at.size - 1]))
        long = (last - first + 1) >= 3
        if np.count_nonzero(long) < p.clip_min_runs:
            continue
        if out is None:
            out = np.zeros(x.size, dtype=bool)
        for a, b in zip(at[first[long]], at[last[long]] + 1, strict=True):  # runs at the rail
            out[a:b] = True
    return out


def quantum(x: np.ndarray, n: int = 1 << 17) -> float:
    """The channel's quantisation step, µV: every sample difference a whole multiple (else 0).

    Read from the first ``n`` finite samples.  An EDF channel always has a digital
    resolution, mostly far below a microvolt; some ambulatory devices record EMG in
    steps of ~31 µV, larger than the resting EMG itself.

    Examples
    --------
    >>> quantum(np.round(np.random.default_rng(0).normal(0, 40, 5000) / 31.0) * 31.0)
    31.0
    >>> quantum(np.random.default_rng(0).normal(0, 40, 5000))
    0.0
    """
    x = np.asarray(x)
    parts: list[np.ndarray] = []
    got = 0
    for i in range(0, x.size, n):  # chunk by chunk: no float64 copy of a whole night
        c = np.asarray(x[i:i + n], dtype=np.float64)
        c = c[np.isfinite(c)]
        parts.append(c)
        got += c.size
        if got >= n:
            break
    v = np.concatenate(parts)[:n] if parts else np.zeros(0)
    d = np.abs(np.diff(v))
    d = d[d > 0]
    if d.size < 10:
        return 0.0
    q = float(d.min())
    ratio = d / q
    return q if bool(np.all(np.abs(ratio - np.round(ratio)) < 1e-3)) else 0.0


def _filter(held: list[np.ndarray], fs: float, bad: np.ndarray, p: ConditionParams,
            mains: Mains, notes: list[str], steps: bool,
            released: Callable[[], None] | None = None
            ) -> tuple[np.ndarray, float, np.ndarray, float | None]:
    """Analysis rate, band-pass and notch: (signal with NaN where no data, rate, no-data
    mask, mains frequency).

    ``mains`` may be a function that waits for the room's line: it is called only once
    the channel is band-passed.

    ``held``: the input-rate signal alone in a list, taken out and let go of once brought
    to the analysis rate (when it was the caller's only reference, the night at the input
    rate is not held while the filters run).  It already holds NaN wherever ``bad`` is
    true (:func:`condition_emg` masks it once).  ``steps``: :func:`stepped` of it.
    """
    x = held.pop()
    has_bad = bool(bad.any())
    d = p.analysis_factor(fs)
    xa = decimate(x, fs, d)
    fs_a = fs / d if xa.size != x.size else fs
    bad_a = ~np.isfinite(xa) if (has_bad or xa is not x) else bad
    del x
    if released is not None:
        released()
    has_bad_a = bool(bad_a.any())
    sos, band_note = bandpass_sos(fs_a, p.band_low_hz, p.band_high_hz)
    if band_note:
        notes.append(band_note)
    src = [np.where(bad_a, np.float32(0.0), xa) if has_bad_a else xa]
    del xa
    y = filter_zero_phase(src.pop(), sos)  # it holds the only reference: let go of early
    if callable(mains):  # found meanwhile (condition_recording): needed only from here on
        mains = mains()
    if mains is not None:
        y = _remove_mains(y, fs_a, mains, p, bad_a if has_bad_a else None, steps)
    if has_bad_a:
        y[bad_a] = np.nan
    return y, fs_a, bad_a, mains


def condition_emg(x: np.ndarray, fs: float, *, params: ConditionParams | None = None,
                  r_peaks: RPeaks = None, mains: Mains | str = "detect",
                  r_peaks_source: str = "ecg-channel", envelope: bool = True,
                  released: Callable[[], None] | None = None) -> ConditionedEMG:
    """Condition one EMG channel for every detector and view.

    Parameters
    ----------
    x : ndarray
        Raw EMG, µV, at ``fs`` Hz; NaN where there is no data.
    fs : float
        Sampling rate, Hz (≥ 50 Hz; 200 Hz or more recommended by WASM 2016).
    params : ConditionParams
        Or any subclass (e.g. ``LegDetectParams``).
    r_peaks : ndarray or callable, optional
        R-peak times (s); drive ECG-artefact removal.  A function returning
        them (:func:`r_peaks_meanwhile`) is called only after the filters, so
        the beats can be found while the channel is filtered.
    mains : float or None, optional
        The room's mains frequency when the caller knows it
        (:func:`room_mains`), or a function that returns it (called only once
        the channel is band-passed, so the line can be found meanwhile); by
        default it follows ``params.mains``.
    r_peaks_source : str
        Where the R peaks came from, recorded in ``ecg_source``.
    envelope : bool
        Also the ~100-Hz envelope, its resting level and the no-data and
        flagged stretches (steps 5–6; the leg detector and the traces need
        them).  False leaves them empty: a channel only the burst detector
        reads skips their cost.
    released : callable, optional
        Called once the input-rate signal is let go of (brought to the
        analysis rate): :func:`condition_recording` then reads the next
        channels, so a night's raw channels are not all in memory at once.

    Returns
    -------
    ConditionedEMG

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> c = condition_emg(rng.normal(0, 2.5, 512 * 120), 512.0)
    >>> c.fs, c.fs_envelope, c.filtered.dtype, 0.5 < float(np.median(c.rest)) < 3.0
    (256.0, 85.33333333333333, dtype('float32'), True)
    """
    p = params or ConditionParams()
    notes: list[str] = []
    x = np.asarray(x, dtype=np.float32)
    bad, bad_notes = mark_no_data(x, fs, p)
    notes += bad_notes
    has_bad = bool(bad.any())  # NaN/inf are no data: without any, there is no gap either
    gap_s = float(np.count_nonzero(~np.isfinite(x))) / fs if x.size and has_bad else 0.0
    flat = has_bad and bool(bad.all()) and x.size > 0 and not np.isnan(x).all()
    if isinstance(mains, str):
        mains = _mains_of(p, np.where(bad, np.float32(0.0), x) if has_bad else x, fs)
    xm = np.where(bad, np.float32(np.nan), x) if has_bad else x  # no data is NaN from here
    # What is read off the input-rate signal is read first, so that the filters run
    # without it (when the caller passed its only reference, as condition_recording does).
    clipped = mark_clipped(xm, p)
    q_uv = quantum(x)
    steps = stepped(xm) if mains is not None else False  # no data (NaN) left out
    n_input = int(x.size)
    all_bad = bool(n_input and bad.all())
    held = [xm]
    del x, xm
    y, fs_a, bad_a, mains = _filter(held, fs, bad, p, mains, notes, steps, released)
    del bad
    clip_a = None
    if clipped is not None:
        # Filtered as recorded (no step into a zero fill) and the ECG removed with the beats
        # as recorded (a template with holes at the clipped QRS would leave every unclipped
        # beat); the contraction layer leaves them out.
        d = max(1, int(round(fs / fs_a)))
        m = y.size
        pad = np.zeros(m * d, dtype=bool)
        pad[: min(clipped.size, m * d)] = clipped[: m * d]
        clip_a = dilate(block_any(pad, d), 1)
        notes.append(f"clipped at the amplifier's rail {int(runs(clipped)[0].size)} times "
                     f"({float(np.count_nonzero(clipped)) / fs:.1f} s, no contraction there)")
    if q_uv >= 1.0:
        notes.append(f"recorded in steps of {q_uv:g} µV")

    ecg_removed = False
    artefact = residual = float("nan")
    source = "none"
    if callable(r_peaks):  # found meanwhile (r_peaks_meanwhile): needed only from here on
        r_peaks = r_peaks()
    if p.ecg_removal and r_peaks is not None and len(r_peaks) >= 3:
        from .ecg import remove_ecg, residual_ecg

        peaks = np.asarray(r_peaks, dtype=float)
        artefact = residual_ecg(y, fs_a, peaks)
        residual = artefact
        source = r_peaks_source if np.isfinite(artefact) else "none"
        if np.isfinite(artefact) and artefact >= p.ecg_min_artefact_uv:
            y = remove_ecg(y, fs_a, peaks)
            ecg_removed = True
            residual = residual_ecg(y, fs_a, peaks)
            via = f" with R peaks from '{source[5:]}' (no ECG channel)" \
                if source.startswith("self:") else ""
            notes.append(f"ECG removed{via} ({artefact:.1f} µV → {residual:.1f} µV "
                         "beat-locked RMS)")
        elif np.isfinite(artefact):
            notes.append(f"cardiac artefact {artefact:.1f} µV (below "
                         f"{p.ecg_min_artefact_uv:g} µV): not removed")

    beats = (np.asarray(r_peaks, dtype=float)
             if p.ecg_removal and r_peaks is not None and len(r_peaks) >= 3 else None)
    # Rectify, bring down to ~100 Hz, smooth.
    factor = max(1, int(round(fs_a / p.envelope_rate_hz)))
    fs_env = fs_a / factor
    if gap_s > 0:
        notes.append(f"{gap_s:.0f} s without data (gaps) excluded")
    if not envelope:
        if flat:
            notes.append("no usable signal (flat or disconnected channel)")
        empty = np.zeros(0, dtype=np.float32)
        return ConditionedEMG(filtered=y, fs=float(fs_a), envelope=empty, rest=empty,
                              fs_envelope=float(fs_env), no_data=np.zeros(0, dtype=bool),
                              mains_hz=mains, notes=notes, ecg_removed=ecg_removed,
                              flat=flat or all_bad, fs_input=float(fs),
                              gap_s=gap_s, ecg_artefact_uv=artefact, residual_ecg_uv=residual,
                              ecg_source=source, r_peaks=beats,
                          quantum_uv=q_uv, clipped=clip_a)
    env = block_mean(np.abs(y), factor)
    no_data = ~np.isfinite(env)
    if factor > 1 and bad_a.any():
        # A block with any no-data sample is no data.
        nb = env.size
        padded = np.concatenate([bad_a, np.ones(nb * factor - bad_a.size, dtype=bool)])
        no_data |= block_any(padded, factor)
    guard = int(round(p.no_data_guard_s * fs_env))
    if guard > 0 and no_data.any():
        no_data = dilate(no_data, guard)
    env_f = np.where(no_data, np.float32(0.0), env)
    size = max(1, int(round(p.envelope_window_s * fs_env)))
    env_s = ndimage.uniform_filter1d(env_f, size, mode="nearest").astype(np.float32, copy=False)
    env_s[no_data] = np.nan

    rest = resting_level(env_s, fs_env, p)
    if not np.isfinite(rest).any():
        rest = np.zeros_like(env_s)
    flagged = flag_high_rest(rest, fs_env, p.high_rest_uv, p.high_rest_min_s)
    if flagged:
        total = sum(d for _, d in flagged)
        notes.append(f"resting level above {p.high_rest_uv:g} µV for {total:.0f} s "
                     "(not scored there)")
    if flat or (n_input and no_data.all()):
        notes.append("no usable signal (flat or disconnected channel)")
    return ConditionedEMG(filtered=y, fs=float(fs_a), envelope=env_s, rest=rest,
                          fs_envelope=float(fs_env), no_data=no_data, mains_hz=mains,
                          flagged=flagged, notes=notes, ecg_removed=ecg_removed,
                          flat=flat or bool(n_input and no_data.all()), fs_input=float(fs),
                          gap_s=gap_s, ecg_artefact_uv=artefact, residual_ecg_uv=residual,
                          ecg_source=source, r_peaks=beats,
                          quantum_uv=q_uv, clipped=clip_a)


def _meanwhile(fn: Callable[..., T], *args: Any) -> Future[T]:
    """``fn(*args)`` begun in a thread of its own; its future (the thread ends with it)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="somnomotor-meanwhile")
    job = pool.submit(fn, *args)
    pool.shutdown(wait=False)
    return job


def ecg_r_peaks(recording: Recording) -> tuple[np.ndarray | None, str | None]:
    """R peaks (s) of the recording's first ECG channel and its label; (None, None) without one."""
    ecg = recording.channels_of_kind("ecg")
    if not ecg:
        return None, None
    from .ecg import detect_r_peaks

    label = ecg[0].label
    return detect_r_peaks(recording.read(label), ecg[0].fs), label


def r_peaks_meanwhile(recording: Recording) -> Callable[[], np.ndarray | None]:
    """Start finding the ECG's R peaks (:func:`ecg_r_peaks`) in a thread; a function that waits for them.

    Pass the function as ``r_peaks`` to :func:`condition_recording` (or
    :func:`~somnomotor.detect.legs.detect_leg_movements`): each channel calls
    it only once filtered, so the beats are found while the first channels
    are read and filtered (numpy and scipy release the GIL).

    Examples
    --------
    >>> later = r_peaks_meanwhile(rec)          # returns at once; the beats are found meanwhile
    >>> first = condition_recording(rec, rec.emg_channels()[:1], r_peaks=later)[0]
    >>> peaks, _label = ecg_r_peaks(rec)        # None without an ECG channel
    >>> peaks is None or bool(np.array_equal(first.r_peaks, peaks))
    True
    """
    job = _meanwhile(ecg_r_peaks, recording)
    return lambda: job.result()[0]


def room_mains(recording: Recording, channels: Sequence[ChannelInfo]) -> float | None:
    """The mains frequency of the room: the line found most often among the EMG channels.

    Mains hum belongs to the room, not the electrode: a line found in one
    channel is notched in all (it may hide under a noisier channel's
    spectrum).  Each channel is looked at only in the 12 excerpts of 20 s that
    :func:`~somnomotor.signal.filters.detect_mains` would use, read on their
    own, so this costs a few reads, not a pass over the night.
    """
    found = []
    for info in channels:
        if not info.fs > 0:
            continue
        n = info.n_samples or int(round(recording.duration * info.fs))
        seg = int(MAINS_EXCERPT_S * info.fs)
        if n > seg * MAINS_EXCERPTS:
            starts = np.linspace(0, n - seg, MAINS_EXCERPTS).astype(np.int64)
            x = np.concatenate([recording.read(info.label, s / info.fs, (s + seg) / info.fs)
                                for s in starts])
        else:
            x = recording.read(info.label)
        f = detect_mains(x, info.fs)
        if f is not None:
            found.append(f)
    return max(set(found), key=found.count) if found else None


def room_mains_meanwhile(recording: Recording, channels: Sequence[ChannelInfo]
                         ) -> Callable[[], float | None]:
    """Start finding :func:`room_mains` in a thread; a function that waits for it.

    Pass it as ``mains`` to :func:`condition_recording` (or :func:`condition_emg`):
    each channel calls it only once band-passed, so the first channels are read
    and filtered while the room's line is looked for.
    """
    return _meanwhile(room_mains, recording, list(channels)).result


def heartbeat_from_trunk(recording: Recording, channels: Sequence[ChannelInfo],
                         params: ConditionParams | None = None, why: str = "no ECG channel",
                         *, keep: dict[str, np.ndarray] | None = None
                         ) -> tuple[np.ndarray | None, str, str]:
    """No usable ECG (``why``): R peaks from the first trunk channel whose heartbeat is clear.

    Trunk channels (``ecg_self_detect_regions``) are tried in the order chest,
    shoulder, abdomen, back, neck (where the QRS is usually largest), each
    band-passed at its analysis rate; the beats found are then used for every
    channel.  Returns (peaks or None, source, one-line note).  With ``keep``,
    the raw signal of the channel the beats came from is put there under its
    label, so :func:`condition_recording` (``preread=keep``) need not read it
    again.
    """
    p = params or ConditionParams()
    order = {r: i for i, r in enumerate(("chest", "shoulder", "abdomen", "back", "neck"))}
    trunk = sorted((c for c in channels if c.region in p.ecg_self_detect_regions and c.fs > 0),
                   key=lambda c: order.get(c.region, 99))
    for info in trunk:
        x = recording.read(info.label)
        peaks = _r_peaks_in_emg(x, info.fs, p)
        if peaks is not None:
            if keep is not None:
                keep[info.label] = x
            return peaks, f"self:{info.label}", (
                f"{why}: {peaks.size} R peaks found in '{info.label}' and used to "
                "remove the ECG artefact from every channel")
    return None, "none", (f"{why} and no clear heartbeat in any trunk channel: "
                          "the ECG artefact is not removed (trunk bursts may include QRS "
                          "complexes)")


def condition_recording(
    recording: Recording,
    channels: Sequence[ChannelInfo],
    params: ConditionParams | None = None,
    *,
    r_peaks: RPeaks = None,
    r_peaks_source: str = "ecg-channel",
    then: Callable[[ChannelInfo, ConditionedEMG], T] | None = None,
    threads: int | None = None,
    mains: Mains | str = "room",
    envelope: Callable[[ChannelInfo], bool] | None = None,
    preread: dict[str, np.ndarray] | None = None,
    stop: threading.Event | None = None,
) -> list[Any]:
    """Condition each channel exactly once, a channel per thread, and hand it on.

    Every channel is read once (float32), conditioned by :func:`condition_emg`
    with the room's mains frequency (:func:`room_mains`, when ``params.mains``
    is ``"auto"``) and the R peaks, and passed to ``then(info, conditioned)``
    — the caller's detectors — whose result is kept instead of the
    conditioned signal.  numpy and scipy release the GIL, so the threads
    (:func:`analysis_threads`, or ``threads``) share the cores.  The channels
    are read a thread-count at a time, each group in one pass over the file
    (:meth:`~somnomotor.recording.Recording.read_many`), the next group while
    the previous one is conditioned; memory is bounded by two groups of
    channels in flight, not by the night times the channels.  ``envelope(info)`` says which channels
    need the ~100-Hz envelope and resting level (all when None).
    ``preread``: channels already read whole (label → raw signal, e.g. the
    trunk channel :func:`heartbeat_from_trunk` found the beats in), used
    instead of reading them again and taken out of the mapping as they are.
    ``stop``: once set (the caller failed meanwhile), no channel is read or
    conditioned any more; the channels not done are None.

    Returns
    -------
    list
        ``then``'s result per channel, in the order of ``channels`` (the
        :class:`ConditionedEMG` objects when ``then`` is None).
    """
    p = params or ConditionParams()
    channels = list(channels)
    if isinstance(mains, str) and mains == "room":  # the caller may pass the line it found
        mains = room_mains_meanwhile(recording, channels) if p.mains == "auto" and channels \
            else "detect"

    def work(info: ChannelInfo, held: list[np.ndarray], let_go: threading.Event | None = None
             ) -> Any:
        try:
            if stop is not None and stop.is_set():
                return None
            # condition_emg gets the only reference, and lets the raw signal go once at the
            # analysis rate (``let_go`` says so)
            cond = condition_emg(held.pop(), info.fs, params=p, r_peaks=r_peaks, mains=mains,
                                 r_peaks_source=r_peaks_source,
                                 envelope=envelope(info) if envelope is not None else True,
                                 released=let_go.set if let_go is not None else None)
        finally:
            if let_go is not None:
                let_go.set()
        return then(info, cond) if then is not None else cond

    pre = preread if preread is not None else {}
    # Channels already read go first, so their signals are let go of first.
    order = sorted(range(len(channels)), key=lambda i: channels[i].label not in pre)

    def load(group: list[ChannelInfo]) -> list[list[np.ndarray]]:
        """Each channel's raw signal in a list of its own (work() takes it out)."""
        given = [pre.pop(c.label) if c.label in pre else None for c in group]
        read = iter(recording.read_many([c.label for c, x in zip(group, given, strict=True)
                                         if x is None]))
        return [[x if x is not None else next(read)] for x in given]

    n = min(threads or analysis_threads(), len(channels))
    done: list[Any] = [None] * len(channels)
    if n <= 1:
        for i in order:
            if stop is not None and stop.is_set():
                break
            done[i] = work(channels[i], load([channels[i]])[0])
        return done
    # The channels are read n at a time, each group in one pass over the file, as soon as
    # the group two before it is done and the group before it has let its input-rate
    # signals go (brought to the analysis rate, the first step): the next group is in
    # memory when a thread comes free (the channels of a group end together, and threads
    # waiting for a read would leave the cores idle), and one group of raw signals at
    # most is held besides the channels being conditioned.
    groups = [order[i:i + n] for i in range(0, len(order), n)]
    futures: list[Any] = []
    let_go: list[threading.Event] = []
    with ThreadPoolExecutor(max_workers=n) as pool:
        for g, group in enumerate(groups):
            if stop is not None and stop.is_set():
                break
            for f in futures[:max(0, (g - 1) * n)]:
                f.result()
            for ev in let_go[max(0, (g - 1) * n):]:
                ev.wait()  # set by every channel of the group before, failed ones too
            held = load([channels[i] for i in group])
            events = [threading.Event() for _ in group]
            let_go += events
            futures += [pool.submit(work, channels[i], h, ev)
                        for i, h, ev in zip(group, held, events, strict=True)]
            del held
        for i, f in zip(order[:len(futures)], futures, strict=True):
            done[i] = f.result()
    return done


@dataclass
class Trace:
    """A window of one conditioned channel, as the detectors saw it.

    ``signal`` at ``fs`` (the analysis rate) from ``t0`` s; ``envelope`` (the
    leg detector's ~100-Hz envelope) at ``fs_envelope`` from ``t0``; ``note``
    says what, if anything, could not be reproduced.
    """

    signal: np.ndarray
    fs: float
    envelope: np.ndarray
    fs_envelope: float
    t0: float
    note: str = ""

    def times(self) -> np.ndarray:
        """Sample times (s from the recording start) of ``signal``."""
        return self.t0 + np.arange(self.signal.size) / self.fs

    def envelope_at(self, times: np.ndarray) -> np.ndarray:
        """The envelope interpolated at ``times`` (s)."""
        te = self.t0 + (np.arange(self.envelope.size) + 0.5) / self.fs_envelope
        return np.interp(times, te, self.envelope).astype(np.float32)


def _r_peaks_in_emg(x: np.ndarray, fs: float, p: ConditionParams) -> np.ndarray | None:
    """R peaks (s) in a trunk EMG signal: at its analysis rate, band-passed as conditioning does.

    The one rule for beats found in an EMG channel, for the whole night
    (:func:`heartbeat_from_trunk`) and for a review window alike.
    """
    from .ecg import find_r_peaks_in_emg

    d = p.analysis_factor(fs)
    xa = decimate(x, fs, d)
    fs_a = fs / d if xa.size != x.size else fs
    sos, _ = bandpass_sos(fs_a, p.band_low_hz, p.band_high_hz)
    peaks, _note = find_r_peaks_in_emg(filter_zero_phase(xa, sos), fs_a)
    return peaks


def _window_r_peaks(recording: Recording, source: str, a: float, b: float,
                    params: ConditionParams) -> np.ndarray | None:
    """R peaks (s, from ``a``) in a window, found by the same rule as in the analysis."""
    from .ecg import detect_r_peaks

    if source.startswith("ecg-channel:"):
        label = source.split(":", 1)[1]
        info = recording.channel(label)
        return detect_r_peaks(recording.read(label, a, b), info.fs)
    if source.startswith("self:"):
        label = source.split(":", 1)[1]
        info = recording.channel(label)
        return _r_peaks_in_emg(recording.read(label, a, b), info.fs, params)
    return None


def conditioned_trace(recording: Recording, label: str, t0: float, t1: float,
                      params: ConditionParams | None = None, *,
                      mains: float | None | str = "detect", r_peaks_source: str = "none",
                      margin_s: float = 30.0) -> Trace:
    """One channel from ``t0`` to ``t1`` s, conditioned as the detectors saw it.

    The same :func:`condition_emg`, with the parameters the analysis recorded
    (``summary["provenance"]["parameters"]["conditioning"]``), the room's mains
    frequency (``provenance["conditioning"]["mains_hz"]``; None: no notch;
    ``"detect"``: looked for in the window) and the R peaks found in the
    window by the same rule and from the same channel
    (``provenance["conditioning"]["r_peaks_source"]``: ``ecg-channel:<label>``,
    ``self:<label>`` or ``none``).  It runs on the window and ``margin_s``
    either side, where the filters and the template settle; the margin is cut.

    Examples
    --------
    >>> tr = conditioned_trace(rec, "LAT", 600.0, 630.0, mains=50.0)
    >>> tr.fs, tr.signal.size
    (256.0, 7680)
    """
    if not (0.0 <= t0 < t1) or t0 >= recording.duration:
        from ..errors import InputError

        where = recording.path if recording.path is not None else "the recording"
        raise InputError(f"{where}: window {t0:g}-{t1:g} s of {label} is not inside the "
                         f"recording (0-{recording.duration:g} s)")
    p = (params or ConditionParams()).conditioning()
    info = recording.channel(label)
    t1 = min(t1, recording.duration)
    a = max(0.0, t0 - margin_s)
    b = min(recording.duration, t1 + margin_s)
    x = recording.read(label, a, b)
    peaks = _window_r_peaks(recording, r_peaks_source, a, b, p) if p.ecg_removal else None
    cond = condition_emg(x, info.fs, params=p, r_peaks=peaks,
                         mains=mains if p.mains == "auto" else "detect")
    i0 = max(0, int(round((t0 - a) * cond.fs)))
    i1 = max(i0, int(round((t1 - a) * cond.fs)))
    e0 = max(0, int(np.floor((t0 - a) * cond.fs_envelope)))
    e1 = max(e0, int(np.ceil((t1 - a) * cond.fs_envelope)))
    note = ("R peaks of the analysis could not be found again in this window; the cardiac "
            "artefact is drawn as recorded" if r_peaks_source != "none" and p.ecg_removal
            and (peaks is None or len(peaks) < 3) else "")
    return Trace(signal=cond.filtered[i0:i1], fs=cond.fs,
                 envelope=np.nan_to_num(cond.envelope[e0:e1]), fs_envelope=cond.fs_envelope,
                 t0=a + i0 / cond.fs, note=note)


def trace_for_result(recording: Recording, label: str, t0: float, t1: float,
                     provenance: Mapping[str, Any]) -> Trace:
    """:func:`conditioned_trace` with the conditioning a result recorded in its provenance.

    Raises :class:`~somnomotor.errors.InputError` when the result does not
    record its conditioning (an older analysis): no silent fallback to other
    settings.
    """
    from ..errors import InputError
    from ..params import from_mapping

    params = provenance.get("parameters", {}) if isinstance(provenance, Mapping) else {}
    recorded = provenance.get("conditioning") if isinstance(provenance, Mapping) else None
    if not isinstance(params, Mapping) or "conditioning" not in params \
            or not isinstance(recorded, Mapping):
        raise InputError("the result does not record its signal conditioning (analysed by "
                         "an older version?): analyse the night again to draw its traces")
    p = from_mapping(ConditionParams, params["conditioning"], section="conditioning")
    return conditioned_trace(recording, label, t0, t1, p, mains=recorded.get("mains_hz"),
                             r_peaks_source=str(recorded.get("r_peaks_source") or "none"))
