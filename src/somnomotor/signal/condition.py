"""One EMG channel, conditioned for detection: filtered, envelope, resting level, flags.

:func:`condition_emg` runs, on one channel:

1. *no-data marking*: NaN (gaps), saturated stretches (the signal stuck at its
   extreme) and flat stretches (identical samples: a disconnected electrode)
   become no data, with a guard either side so filter ringing at their edges
   is not mistaken for activity;
2. *band-pass* 10–100 Hz (upper edge clipped below Nyquist at low sampling
   rates, noted; zero-phase) and *mains notch* at the frequency found in the
   signal (50 or 60 Hz and harmonics within the band; forward-only, so that
   its ringing after a large jerk does not also precede it);
3. *ECG removal* driven by the R peaks of the ECG channel, when given
   (:func:`somnomotor.signal.ecg.remove_ecg`; skipped with a note if that
   module is unavailable);
4. *rectification and envelope*: block means down to ~100 Hz, then a moving
   mean (0.1 s);
5. *resting level* (:func:`somnomotor.signal.baseline.resting_level`) and the
   stretches where it is too high to score.

The envelope and resting level are at ``fs_envelope`` (~100 Hz): leg-movement
rules work at 0.5-s scale, and 10-ms resolution keeps an 8-hour night cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage, signal

from .baseline import BaselineParams, flag_high_rest, resting_level
from .filters import bandpass_sos, block_mean, detect_mains, filter_zero_phase, notch_sos

__all__ = ["ConditionParams", "ConditionedEMG", "condition_emg", "mark_no_data"]


@dataclass(frozen=True)
class ConditionParams(BaselineParams):
    """Constants of EMG conditioning (inherited by the detectors' parameters)."""

    band_low_hz: float = 10.0  # WASM 2016 / AASM: leg EMG band about 10–100 Hz
    band_high_hz: float = 100.0
    mains: str = "auto"  # "auto" (found in the signal), "50", "60" or "none"
    notch_q: float = 10.0  # mains notch quality factor (50 Hz: 5-Hz wide, rings ~64 ms)
    envelope_window_s: float = 0.1  # moving mean of the rectified EMG
    envelope_rate_hz: float = 100.0  # envelope and resting level computed at ~100 Hz
    ecg_removal: bool = True  # subtract the cardiac artefact when R peaks are given …
    # … and the beat-locked artefact (RMS over the QRS) is at least this large, µV: a smaller
    # one cannot lift the envelope past the 2-µV offset level (0: always remove).
    ecg_min_artefact_uv: float = 1.0
    flat_run_s: float = 1.0  # identical samples for ≥ 1 s: no data (disconnected)
    saturation_run_s: float = 0.05  # at the channel's extreme for ≥ 50 ms: saturated
    no_data_guard_s: float = 1.0  # no data also this long either side (filter ringing)

    def __post_init__(self) -> None:
        if self.mains not in ("auto", "50", "60", "none"):
            raise ValueError(f"mains must be 'auto', '50', '60' or 'none', not {self.mains!r}")


@dataclass
class ConditionedEMG:
    """A conditioned EMG channel (all amplitudes µV, times s).

    ``filtered``: band-passed, notched, ECG-removed signal at ``fs`` (float32,
    NaN where no data).  ``envelope`` and ``rest`` (resting level) at
    ``fs_envelope``; ``no_data`` marks envelope samples without usable data.
    ``flagged``: stretches (onset, duration) whose resting level is too high
    to score.  ``notes``: sentences for the quality report.
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

    @property
    def no_data_s(self) -> float:
        """Seconds without usable data."""
        return float(np.count_nonzero(self.no_data)) / self.fs_envelope

    @property
    def flagged_s(self) -> float:
        """Seconds whose resting level was too high to score."""
        return float(sum(d for _, d in self.flagged))


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = np.diff(mask.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def _dilate(mask: np.ndarray, r: int) -> np.ndarray:
    """Grow True runs by ``r`` samples on both sides (cumulative-sum box filter)."""
    n = mask.size
    c = np.concatenate([[0], np.cumsum(mask, dtype=np.int64)])
    idx = np.arange(n)
    return (c[np.minimum(idx + r + 1, n)] - c[np.maximum(idx - r, 0)]) > 0


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
    same = x[1:] == x[:-1]  # True at i when sample i + 1 repeats sample i
    if not same.any():
        return bad, notes
    starts, ends = _runs(same)  # runs of repeats; the run of samples is [start, end + 1)
    ends = ends + 1
    lengths = ends - starts
    hi = float(np.nanmax(x)) if np.isfinite(x).any() else 0.0
    lo = float(np.nanmin(x)) if np.isfinite(x).any() else 0.0
    flat_n = int(round(p.flat_run_s * fs))
    sat_n = max(2, int(round(p.saturation_run_s * fs)))
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


def condition_emg(x: np.ndarray, fs: float, *, params: ConditionParams | None = None,
                  r_peaks: np.ndarray | None = None) -> ConditionedEMG:
    """Condition one EMG channel for detection.

    Parameters
    ----------
    x : ndarray
        Raw EMG, µV, at ``fs`` Hz; NaN where there is no data.
    fs : float
        Sampling rate, Hz (≥ 50 Hz; 200 Hz or more recommended by WASM 2016).
    params : ConditionParams
        Or any subclass (e.g. ``LegDetectParams``).
    r_peaks : ndarray, optional
        R-peak times (s) from the ECG channel; drive ECG-artefact removal.

    Returns
    -------
    ConditionedEMG

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> c = condition_emg(rng.normal(0, 2.5, 512 * 120), 512.0)
    >>> c.fs_envelope, c.filtered.dtype, 0.5 < float(np.median(c.rest)) < 3.0
    (102.4, dtype('float32'), True)
    """
    p = params or ConditionParams()
    notes: list[str] = []
    x = np.asarray(x, dtype=np.float32)
    bad, bad_notes = mark_no_data(x, fs, p)
    notes += bad_notes
    has_bad = bool(bad.any())
    flat = has_bad and bool(bad.all()) and x.size > 0 and not np.isnan(x).all()
    # Zero-filled copy for filtering (a zero-phase IIR filter would spread NaN everywhere);
    # the no-data mask is applied again afterwards.
    xf = np.where(bad, np.float32(0.0), x) if has_bad else x

    # Band-pass (zero-phase), then the mains notch.
    sos, band_note = bandpass_sos(fs, p.band_low_hz, p.band_high_hz)
    if band_note:
        notes.append(band_note)
    if p.mains == "auto":
        mains = detect_mains(xf, fs)
    elif p.mains == "none":
        mains = None
    else:
        mains = float(p.mains)
    y = filter_zero_phase(xf, sos)
    if mains is not None:
        upper = min(p.band_high_hz, 0.45 * fs) + 5.0
        notches = notch_sos(fs, mains, up_to=upper, q=p.notch_q)
        if len(notches):
            # Forward only: a notch rings at the mains frequency after a large, brief jerk
            # (time constant Q / (π f0)); run forward-backward it would ring on both sides
            # and could stretch a 0.15-s jerk past the 0.5-s LM minimum.  The phase it adds
            # is confined to the notch band, so the envelope's timing is unchanged.
            sos_n = notches.astype(np.float32)
            head = min(y.size, int(fs))
            # The forward notch needs ~0.5 s to settle on the hum; the first half second
            # is taken from a backward pass over the first second, settled by then.
            first = signal.sosfilt(sos_n, y[:head][::-1])[::-1]
            y = signal.sosfilt(sos_n, y).astype(np.float32, copy=False)
            y[:head // 2] = first[:head // 2]
    if has_bad:
        y[bad] = np.nan

    ecg_removed = False
    if p.ecg_removal and r_peaks is not None and len(r_peaks) >= 3:
        try:
            from .ecg import remove_ecg, residual_ecg
        except ImportError:  # pragma: no cover - the ECG module is part of the package
            notes.append("ECG removal unavailable; not applied")
        else:
            peaks = np.asarray(r_peaks, dtype=float)
            artefact = residual_ecg(y, fs, peaks) if p.ecg_min_artefact_uv > 0 else np.inf
            if np.isfinite(artefact) and artefact >= p.ecg_min_artefact_uv:
                y = remove_ecg(y, fs, peaks)
                ecg_removed = True
            elif np.isfinite(artefact):
                notes.append(f"cardiac artefact {artefact:.1f} µV (below "
                             f"{p.ecg_min_artefact_uv:g} µV): not removed")

    # Rectify, bring down to ~100 Hz, smooth.
    factor = max(1, int(round(fs / p.envelope_rate_hz)))
    fs_env = fs / factor
    env = block_mean(np.abs(y), factor)
    no_data = ~np.isfinite(env)
    if factor > 1 and has_bad:
        # A block with any no-data sample is no data.
        nb = env.size
        padded = np.concatenate([bad, np.ones(nb * factor - bad.size, dtype=bool)])
        no_data |= padded.reshape(nb, factor).any(axis=1)
    guard = int(round(p.no_data_guard_s * fs_env))
    if guard > 0 and no_data.any():
        no_data = _dilate(no_data, guard)
    env_f = np.where(no_data, np.float32(0.0), env)
    size = max(1, int(round(p.envelope_window_s * fs_env)))
    env_s = ndimage.uniform_filter1d(env_f, size, mode="nearest").astype(np.float32)
    env_s[no_data] = np.nan

    rest = resting_level(env_s, fs_env, p)
    if not np.isfinite(rest).any():
        rest = np.zeros_like(env_s)
    flagged = flag_high_rest(rest, fs_env, p.high_rest_uv, p.high_rest_min_s)
    if flagged:
        total = sum(d for _, d in flagged)
        notes.append(f"resting level above {p.high_rest_uv:g} µV for {total:.0f} s "
                     "(not scored there)")
    if flat or (x.size and no_data.all()):
        notes.append("no usable signal (flat or disconnected channel)")
    return ConditionedEMG(filtered=y, fs=float(fs), envelope=env_s, rest=rest,
                          fs_envelope=float(fs_env), no_data=no_data, mains_hz=mains,
                          flagged=flagged, notes=notes, ecg_removed=ecg_removed,
                          flat=flat or bool(x.size and no_data.all()))
