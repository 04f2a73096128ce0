"""ECG: R-peak detection and removal of the cardiac artefact from EMG channels.

Trunk EMG (intercostal, pectoral, rectus abdominis, paraspinal) carries the
heart's electrical activity, often larger than the muscle bursts themselves.
This module finds the R peaks (from an ECG channel, or — when there is none —
from the EMG channel itself if the beats are clear enough), subtracts an
adaptive, amplitude-scaled beat template from an EMG channel, and measures
what is left.

The approach follows the template-subtraction family used for EMG/ECG
separation (e.g. the ECG cancelling of Moore 2014, PLOS ONE 9(12):e0114565):
a per-beat aligned P-QRS-T template, the *median* of the neighbouring beats (so
a muscle burst that happens to coincide with a few beats does not enter the
template and survives subtraction), fitted to each beat (size and a sub-sample
time shift) by least squares over the QRS.

All times are seconds, all amplitudes µV, signals float32.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage, signal

from .filters import block_mean, filter_zero_phase

__all__ = [
    "EcgParams",
    "detect_r_peaks",
    "remove_ecg",
    "residual_ecg",
    "find_r_peaks_in_emg",
]


@dataclass(frozen=True)
class EcgParams:
    """Constants of R-peak detection and template subtraction.

    Detection is Pan–Tompkins-like (Pan & Tompkins 1985, IEEE TBME 32:230):
    band-pass, squared slope, moving-window integration, adaptive threshold,
    refractory period.
    """

    # R peaks are found at the lowest integer fraction of the ECG's rate ≥ 128 Hz (512 → 128 Hz):
    # the 5–30 Hz QRS band is whole there, and the sub-sample (parabolic) R time on that smooth
    # band agrees with full-rate detection to well under a millisecond (tests/signal/test_ecg.py).
    detection_rate_hz: float = 128.0
    band_low_hz: float = 5.0  # QRS energy band (Pan & Tompkins 1985: 5–15 Hz; widened for 10–100 Hz EMG)
    band_high_hz: float = 30.0
    integration_s: float = 0.12  # moving-window integration ≈ QRS width (Pan & Tompkins 1985: 150 ms)
    refractory_s: float = 0.25  # no two beats closer (≤ 240 bpm)
    threshold_fraction: float = 0.3  # of the local beat-energy reference
    reference_block_s: float = 0.5  # block size of the running reference
    reference_max_s: float = 2.0  # running maximum over 2 s: at least one beat when HR > 30/min
    reference_median_s: float = 16.0  # running median of that maximum: robust to single spikes
    noise_floor_factor: float = 5.0  # threshold ≥ 5 × median integrated energy (between beats)
    refine_s: float = 0.08  # search ±80 ms of the energy peak for the R extremum
    template_pre_s: float = 0.30  # template window before the R peak (the whole P wave: PR ≤ 0.2 s)
    template_post_s: float = 0.40  # after the R peak (S, ST, T)
    template_beats: int = 15  # beats per median template block (adaptive template; odd: one middle)
    scale_pre_s: float = 0.05  # amplitude fit window around the R peak (QRS)
    scale_post_s: float = 0.10
    scale_min: float = 0.3  # per-beat template scale clipped to [min, max]
    scale_max: float = 3.0
    size_misfit_max: float = 0.01  # beats are sized for the median only where the QRS fits within 1 %
    buried_misfit: float = 0.25  # a beat whose QRS the template misses by > 25 % is buried in EMG …
    clear_misfit: float = 0.1  # … and, on a channel whose beats typically fit within 10 %, left out
    shift_max_samples: float = 1.0  # per-beat time correction, at most ±1 sample (first order)
    # Self-detection from an EMG channel (no ECG channel): beats must look alike and be regular.
    self_min_correlation: float = 0.8  # candidate vs median beat
    self_min_coverage: float = 0.6  # beats found / beats expected from the median RR
    self_rr_range_s: tuple[float, float] = (0.33, 1.7)  # 35–180 bpm


DEFAULT_ECG = EcgParams()


def _as_clean_float32(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """float32 copy with NaN replaced by 0, and the mask of finite samples."""
    x = np.asarray(x, dtype=np.float32)
    finite = np.isfinite(x)
    if not finite.all():
        x = np.where(finite, x, np.float32(0.0))
    return x, finite


def _qrs_band(x: np.ndarray, fs: float, p: EcgParams) -> np.ndarray:
    high = min(p.band_high_hz, 0.45 * fs)
    low = min(p.band_low_hz, 0.5 * high)
    sos = signal.butter(3, [low, high], btype="bandpass", fs=fs, output="sos")
    # float32 throughout (scipy's sosfiltfilt would run the night in float64)
    return filter_zero_phase(x, sos)


def detect_r_peaks(ecg: np.ndarray, fs: float, *, params: EcgParams | None = None) -> np.ndarray:
    """R-peak times (s) of an ECG signal.

    Band-pass 5–30 Hz, squared first difference, moving-window integration
    (≈ 120 ms), a threshold at a fraction of the local beat energy (running
    maximum over 2 s, then running median over 16 s, so it follows slow
    amplitude changes and ignores single spikes), a 250-ms refractory period;
    each beat is then placed on the R extremum of the band-passed signal (of the
    dominant polarity) with sub-sample (parabolic) precision. NaN samples
    (gaps) are treated as no data and yield no beats.

    Parameters
    ----------
    ecg : ndarray
        The ECG (or any signal with a clear QRS), µV.
    fs : float
        Sampling rate, Hz.

    Returns
    -------
    ndarray
        Sorted R-peak times in seconds from the first sample (float64).

    Examples
    --------
    >>> t = np.arange(256 * 60) / 256.0                       # a minute at 256 Hz …
    >>> ecg = sum(1000.0 * np.exp(-0.5 * ((t - b) / 0.01) ** 2)  # … one beat a second
    ...           for b in np.arange(0.5, 60.0, 1.0))
    >>> ecg = ecg + np.random.default_rng(0).normal(0.0, 20.0, t.size)
    >>> peaks = detect_r_peaks(ecg, 256.0)
    >>> len(peaks), round(float(60.0 / np.median(np.diff(peaks))))   # beats, bpm
    (60, 60)
    """
    p = params or DEFAULT_ECG
    down = max(1, int(fs // p.detection_rate_hz)) if p.detection_rate_hz > 0 else 1
    if down > 1 and np.asarray(ecg).size >= 16 * down:
        # Block means of ``down`` samples: a boxcar anti-alias, ample ahead of the 5–30 Hz
        # QRS band; a block's mean lies at its centre, (down - 1) / 2 samples in.
        x = np.asarray(ecg, dtype=np.float32)
        m = x.size // down
        coarse = block_mean(x[: m * down], down)
        del x, ecg  # the full-rate ECG goes now if the caller passed its only reference
        peaks = detect_r_peaks(coarse, fs / down, params=replace(p, detection_rate_hz=0.0))
        return peaks + (down - 1) / (2.0 * fs)
    x, finite = _as_clean_float32(ecg)
    n = x.size
    if n < int(2 * fs) or not finite.any():
        return np.zeros(0)
    y = _qrs_band(x, fs, p)
    d = np.diff(y, prepend=y[:1])
    energy = ndimage.uniform_filter1d(d * d, max(1, int(round(p.integration_s * fs))))
    energy[~finite] = 0.0

    # Adaptive threshold from a coarse running reference (block maxima).
    blk = max(1, int(round(p.reference_block_s * fs)))
    nb = int(np.ceil(n / blk))
    padded = np.zeros(nb * blk, dtype=np.float32)
    padded[:n] = energy
    block_max = padded.reshape(nb, blk).max(axis=1)
    ref = ndimage.maximum_filter1d(block_max, max(1, int(round(p.reference_max_s / p.reference_block_s))),
                                   mode="reflect")
    ref = ndimage.median_filter(ref, size=max(1, int(round(p.reference_median_s / p.reference_block_s))),
                                mode="reflect")
    # Never below a few times the typical (between-beat) energy: the noise floor.
    noise_floor = p.noise_floor_factor * float(np.median(energy if finite.all()
                                                         else energy[finite]))
    thr = np.repeat(np.maximum(p.threshold_fraction * ref, noise_floor), blk)[:n]
    cand, _ = signal.find_peaks(energy, height=thr, distance=max(1, int(round(p.refractory_s * fs))))
    if cand.size == 0:
        return np.zeros(0)

    # Place each beat on the R extremum of the dominant polarity.
    half = max(1, int(round(p.refine_s * fs)))
    offsets = np.arange(-half, half + 1)
    idx = np.clip(cand[:, None] + offsets[None, :], 0, n - 1)
    seg = y[idx]
    extreme = seg[np.arange(len(cand)), np.argmax(np.abs(seg), axis=1)]
    polarity = 1.0 if np.median(extreme) >= 0 else -1.0
    best = np.argmax(polarity * seg, axis=1)
    r = idx[np.arange(len(cand)), best]
    # Parabolic interpolation for sub-sample timing.
    r_in = np.clip(r, 1, n - 2)
    a = polarity * y[r_in - 1].astype(np.float64)
    b = polarity * y[r_in].astype(np.float64)
    c = polarity * y[r_in + 1].astype(np.float64)
    den = a - 2 * b + c
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.where(den < 0, 0.5 * (a - c) / den, 0.0)
    delta = np.clip(np.nan_to_num(delta), -0.5, 0.5)
    times = (r_in + delta) / fs
    # No beats touching a gap; one beat per refractory period after refinement.
    ok = finite[np.clip(r, 0, n - 1)]
    times = np.unique(np.round(times[ok], 6))
    if times.size > 1:
        keep = np.concatenate([[True], np.diff(times) >= p.refractory_s * 0.8])
        times = times[keep]
    return times.astype(np.float64)


def _beat_geometry(n: int, fs: float, r_peaks: np.ndarray, p: EcgParams
                   ) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Integer index and fractional shift of each usable beat, and the window (pre, post) samples."""
    r = np.sort(np.asarray(r_peaks, dtype=np.float64))
    r = r[np.isfinite(r)]
    pre = int(round(p.template_pre_s * fs))
    post_s = p.template_post_s
    if r.size > 2:
        # Shorten the window at high heart rates so neighbouring beats overlap little.
        post_s = min(post_s, max(0.15, float(np.median(np.diff(r))) - p.template_pre_s - 0.02))
    post = int(round(post_s * fs))
    pos = r * fs
    base = np.floor(pos).astype(np.int64)
    frac = (pos - base).astype(np.float32)
    valid = (base - pre >= 0) & (base + post + 1 < n)
    return base[valid], frac[valid], pre, post


#: Beats (rows) processed at a time where a night's beats × window would be a temporary.
_ROWS = 4096


def _cubic_weights(t: np.ndarray) -> np.ndarray:
    """Catmull-Rom weights (beats × 4) for points -1, 0, 1, 2 at fractional position ``t``.

    Cubic, not linear: at 200–256 Hz a QRS spans only a few samples, and linear
    interpolation would leave ~10 % of it behind after subtraction.
    """
    t = np.asarray(t, dtype=np.float32)[:, None]
    t2, t3 = t * t, t * t * t
    return np.concatenate([(-t3 + 2 * t2 - t) / 2, (3 * t3 - 5 * t2 + 2) / 2,
                           (-3 * t3 + 4 * t2 + t) / 2, (t3 - t2) / 2], axis=1)


def _segments(x: np.ndarray, base: np.ndarray, frac: np.ndarray, pre: int, length: int
              ) -> np.ndarray:
    """Beat-aligned segments (beats × length), cubic-interpolated to each beat's R time."""
    first = base - pre - 1
    inside = (first >= 0) & (first + length + 3 <= x.size)
    if inside.all():
        # Rows of a sliding-window view: no (beats × length) index array to build.
        raw = np.lib.stride_tricks.sliding_window_view(x, length + 3)[first]
    else:
        # The same rows; only the beats at the very ends (a sample short of a window)
        # are gathered clipped, so one early beat does not cost the whole night's gather.
        raw = np.empty((base.size, length + 3), dtype=x.dtype)
        if x.size >= length + 3:
            raw[inside] = np.lib.stride_tricks.sliding_window_view(x, length + 3)[first[inside]]
        k = np.arange(-pre - 1, -pre + length + 2)
        raw[~inside] = x[np.clip(base[~inside, None] + k[None, :], 0, x.size - 1)]
    w = _cubic_weights(frac)
    out = np.empty((base.size, length), dtype=np.result_type(w, raw))
    # Rows a few thousand at a time: the products' scratch stays a few MB, not a night's.
    term = np.empty((min(base.size, _ROWS), length), dtype=out.dtype)
    for r0 in range(0, base.size, _ROWS):
        r1 = min(base.size, r0 + _ROWS)
        o, t, wr, rr = out[r0:r1], term[:r1 - r0], w[r0:r1], raw[r0:r1]
        np.multiply(wr[:, 0:1], rr[:, 0:length], out=o)
        for m in range(1, 4):
            np.multiply(wr[:, m:m + 1], rr[:, m:m + length], out=t)
            o += t
    return out.astype(np.float32, copy=False)


def _shift_templates(tmpl: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """Each template resampled onto its beat's integer sample grid (cubic).

    Output sample ``k`` lies at template position ``k - frac``: between points
    ``k - 1`` and ``k`` at ``t = 1 - frac``.
    """
    n, length = tmpl.shape
    w = _cubic_weights(1.0 - np.asarray(frac, dtype=np.float32))
    # Term m weighs template point k + m - 2 (points k - 2 … k + 1), zero beyond the
    # template's ends: each term covers the output columns where its point exists.
    out = np.zeros((n, length), dtype=np.float32)
    term = np.empty((min(n, _ROWS), length), dtype=np.float32)  # rows a few thousand at a time
    for r0 in range(0, n, _ROWS):
        r1 = min(n, r0 + _ROWS)
        for m in range(4):
            lo, hi = max(0, 2 - m), min(length, length + 2 - m)
            t = term[:r1 - r0, lo:hi]
            np.multiply(w[r0:r1, m:m + 1], tmpl[r0:r1, lo + m - 2:hi + m - 2], out=t)
            out[r0:r1, lo:hi] += t
    return out


def _block_templates(seg: np.ndarray, beats: int) -> np.ndarray:
    """Adaptive template per beat: median of blocks of ``beats`` beats, interpolated between blocks.

    The median (not the mean) keeps a muscle burst that coincides with a few beats
    out of the template, so subtraction leaves it in place.
    """
    nbeat, length = seg.shape
    if nbeat <= beats:
        return np.repeat(np.median(seg, axis=0)[None, :], nbeat, axis=0).astype(np.float32)
    nblk = nbeat // beats
    # Median over the beats of each block, taken along a contiguous axis (fast partition),
    # a few thousand beats at a time (the transposed copy stays small).
    med = np.empty((nblk, length), dtype=np.float32)
    step_b = max(1, _ROWS // beats)
    for b0 in range(0, nblk, step_b):
        b1 = min(nblk, b0 + step_b)
        blocks = np.ascontiguousarray(seg[b0 * beats: b1 * beats].reshape(b1 - b0, beats, length)
                                      .transpose(0, 2, 1))
        if beats % 2:
            med[b0:b1] = np.partition(blocks, beats // 2, axis=-1)[..., beats // 2]
        else:
            med[b0:b1] = np.median(blocks, axis=-1)
    del blocks
    if nblk == 1:
        return np.repeat(med, nbeat, axis=0)
    centres = (np.arange(nblk) + 0.5) * beats - 0.5
    pos = np.arange(nbeat, dtype=np.float64)
    j = np.clip(np.searchsorted(centres, pos) - 1, 0, nblk - 2)
    w = np.clip((pos - centres[j]) / (centres[j + 1] - centres[j]), 0.0, 1.0).astype(np.float32)
    step = med[1:] - med[:-1]
    out = med[j]
    for r0 in range(0, nbeat, _ROWS):  # rows a few thousand at a time: small temporaries
        r1 = min(nbeat, r0 + _ROWS)
        out[r0:r1] += w[r0:r1, None] * step[j[r0:r1]]
    return out


def remove_ecg(x: np.ndarray, fs: float, r_peaks: np.ndarray, *,
               params: EcgParams | None = None) -> np.ndarray:
    """The signal with the cardiac artefact subtracted (µV, float32).

    For every beat, a P-QRS-T template (300 ms before — the whole P wave — to 400 ms
    after the R peak, shorter at high heart rates) is the median of the surrounding
    block of 15 beats, interpolated between blocks so it follows slow changes (the
    beats brought to a common size first, and beats buried in a contraction standing
    in as the night's median beat, so neither a burst on one beat nor a long
    contraction spoils the template of the clean beats beside them); it is aligned to
    the beat's R time with sub-sample precision, fitted to the beat by least squares
    over the QRS (−50 to +100 ms) with two terms — its size (clipped to 0.3–3) and a
    time shift of at most ±1 sample (the template's derivative), which takes up the
    R-time error between the lead the beats were found on and this channel — tapered
    at its ends, and subtracted. Apply to a band-passed EMG (10–100 Hz). NaN stays
    NaN.

    Parameters
    ----------
    x : ndarray
        EMG channel, µV.
    fs : float
        Its sampling rate, Hz.
    r_peaks : ndarray
        R-peak times, s (from :func:`detect_r_peaks`, any channel's clock).

    Returns
    -------
    ndarray
        Cleaned signal, same length, float32.

    Examples
    --------
    >>> peaks = detect_r_peaks(ecg, 256.0)
    >>> clean = remove_ecg(bandpassed_intercostal, 256.0, peaks)
    >>> clean.shape == bandpassed_intercostal.shape
    True
    """
    p = params or DEFAULT_ECG
    xc, finite = _as_clean_float32(x)
    n = xc.size
    if n == 0 or r_peaks is None or len(r_peaks) < 3:
        return np.array(x, dtype=np.float32, copy=True)
    base, frac, pre, post = _beat_geometry(n, fs, np.asarray(r_peaks), p)
    length = pre + post + 1
    if base.size < 3:
        return np.array(x, dtype=np.float32, copy=True)
    seg = _segments(xc, base, frac, pre, length)
    q0 = max(0, pre - int(round(p.scale_pre_s * fs)))
    q1 = min(length, pre + int(round(p.scale_post_s * fs)) + 1)
    # The beats' sizes breathe (and step with posture), so at each sample the block's
    # beats spread by tens of µV; a burst on one beat then shifts the median by a rank —
    # a few µV at every sample it covers, left behind at all 2 × 15 beats the block's
    # template reaches.  Each beat is first brought to a common size (least squares
    # over the QRS against a first template), so the median's ranks differ by noise only.
    sq0 = seg[:, q0:q1]
    # (the median is taken column by column, so the QRS columns alone give the same values)
    t0 = _block_templates(np.ascontiguousarray(sq0), p.template_beats)
    e00 = np.einsum("ij,ij->i", t0, t0)
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.einsum("ij,ij->i", t0, sq0) / e00
        # A beat the template fits poorly (a burst on it, or an artefact small beside
        # the EMG) keeps its own size: its estimate would be the burst's, not the heart's.
        left = sq0 - size[:, None] * t0
        misfit = np.einsum("ij,ij->i", left, left) / (size * size * e00)
        del left
    good = misfit <= p.size_misfit_max
    size = np.where(good, size, 1.0)
    size = np.clip(np.nan_to_num(size, nan=1.0), p.scale_min, p.scale_max).astype(np.float32)
    del sq0, t0
    # Only the QRS columns of the beats as recorded are needed again (the fit below);
    # the beats are brought to a common size in place.
    sq = np.ascontiguousarray(seg[:, q0:q1])
    seg_n = seg
    del seg
    seg_n /= size[:, None]
    buried = ~(misfit <= p.buried_misfit)
    if buried.any() and good.sum() >= 3 and float(np.nanmedian(misfit)) <= p.clear_misfit:
        # A clear artefact (trunk, neck): beats buried in a long contraction are noise
        # to the template — the median of a block of them carries ~1/4 of the EMG's
        # size, smeared onto the beats before and after.  They stand in as the
        # night's median beat, so the shape there comes from the clean beats.
        pick = np.flatnonzero(good)
        pick = pick[np.linspace(0, pick.size - 1, min(pick.size, 2001)).astype(np.int64)]
        seg_n[buried] = np.median(seg_n[pick], axis=0)
    tmpl = _block_templates(seg_n, p.template_beats)
    del seg_n
    taper = signal.windows.tukey(length, alpha=0.2).astype(np.float32)
    tmpl *= taper[None, :]
    # Least-squares amplitude per beat over the QRS.
    tq = tmpl[:, q0:q1]
    # Per beat, amplitude *and* a small time shift (first-order Taylor: s ≈ a·T + b·T′,
    # shift −b/a samples): at 256 Hz a QRS slope of a 250-µV artefact moves ~25 µV per
    # millisecond of R-time error, more than the bursts beside it.
    dt = np.gradient(tmpl, axis=1)
    dq = dt[:, q0:q1]
    a11 = np.einsum("ij,ij->i", tq, tq)
    a12 = np.einsum("ij,ij->i", tq, dq)
    a22 = np.einsum("ij,ij->i", dq, dq)
    y1 = np.einsum("ij,ij->i", tq, sq)
    y2 = np.einsum("ij,ij->i", dq, sq)
    del sq
    with np.errstate(divide="ignore", invalid="ignore"):
        det = a11 * a22 - a12 * a12
        ok = (a11 > 0) & (det > 1e-9 * a11 * a22)
        scale = np.where(ok, (a22 * y1 - a12 * y2) / det, np.where(a11 > 0, y1 / a11, 1.0))
        slope = np.where(ok, (a11 * y2 - a12 * y1) / det, 0.0)
    scale = np.clip(np.nan_to_num(scale, nan=1.0), p.scale_min, p.scale_max).astype(np.float32)
    slope = np.clip(np.nan_to_num(slope), -p.shift_max_samples * scale,
                    p.shift_max_samples * scale).astype(np.float32)
    # Resample each scaled template onto the integer sample grid of its beat.
    tmpl *= scale[:, None]
    dt *= slope[:, None]  # the tapered template's derivative: zero at the window's ends too
    tmpl += dt
    del dt
    shifted = _shift_templates(tmpl, frac)
    del tmpl
    k = np.arange(-pre, -pre + length)
    out = np.array(xc, dtype=np.float32, copy=True)
    # Alternate beats never overlap at physiological heart rates, so each half is a
    # plain update of whole rows of a (writeable) sliding-window view of the output
    # (np.subtract.at, needed otherwise, is slow).
    windows = np.lib.stride_tricks.sliding_window_view(out, length, writeable=True)
    for part in (slice(0, None, 2), slice(1, None, 2)):
        b_part = base[part]
        if b_part.size > 1 and int(np.min(np.diff(b_part))) < length:
            np.subtract.at(out, (b_part[:, None] + k[None, :]).ravel(), shifted[part].ravel())
        else:
            windows[b_part - pre] -= shifted[part]
    out[~finite] = np.nan
    return out


def residual_ecg(x: np.ndarray, fs: float, r_peaks: np.ndarray | None, *,
                 params: EcgParams | None = None) -> float:
    """Size of the beat-locked artefact in a channel: RMS (µV) of its median beat over the QRS.

    The median of all beat-aligned segments keeps what is time-locked to the R
    peak (the cardiac artefact) and averages away muscle activity and noise; its
    RMS from 50 ms before to 100 ms after the R peak is the figure. Before
    :func:`remove_ecg` it measures the artefact, after it the residual. NaN when
    fewer than 3 usable beats.

    Examples
    --------
    >>> residual_ecg(clean, 256.0, peaks) < residual_ecg(bandpassed_intercostal, 256.0, peaks)
    True
    """
    p = params or DEFAULT_ECG
    if r_peaks is None or len(r_peaks) < 3:
        return float("nan")
    xc, _ = _as_clean_float32(x)
    n = xc.size
    pre = int(round(p.scale_pre_s * fs))
    post = int(round(p.scale_post_s * fs))
    r = np.sort(np.asarray(r_peaks, dtype=np.float64))
    pos = r * fs
    base = np.floor(pos).astype(np.int64)
    frac = (pos - base).astype(np.float32)
    valid = (base - pre >= 0) & (base + post + 1 < n)
    if valid.sum() < 3:
        return float("nan")
    # A spread-out subsample is enough for a median beat; caps memory on long nights.
    sel = np.flatnonzero(valid)
    if sel.size > 4000:
        sel = sel[np.linspace(0, sel.size - 1, 4000).astype(np.int64)]
    seg = _segments(xc, base[sel], frac[sel], pre, pre + post + 1)
    med = np.median(seg, axis=0)
    med = med - np.median(med)
    return float(np.sqrt(np.mean(med.astype(np.float64) ** 2)))


def find_r_peaks_in_emg(x: np.ndarray, fs: float, *, params: EcgParams | None = None
                        ) -> tuple[np.ndarray | None, str]:
    """R peaks detected from an EMG channel itself, when no ECG channel exists.

    Candidates from :func:`detect_r_peaks` are kept only when they resemble the
    median beat (correlation ≥ 0.8; muscle bursts do not), and the result is
    accepted only when the rhythm is plausible (median RR 0.33–1.7 s) and the
    kept beats cover ≥ 60 % of the beats that rhythm implies.

    Returns
    -------
    (ndarray or None, str)
        R-peak times (s) or None, and a one-line note saying which.
    """
    p = params or DEFAULT_ECG
    xc, finite = _as_clean_float32(x)
    n = xc.size
    cand = detect_r_peaks(xc, fs, params=p)
    if cand.size < 10:
        return None, "no ECG channel and no heartbeat found in this channel; ECG artefact not removed"
    y = _qrs_band(xc, fs, p)
    pre = int(round(p.scale_pre_s * fs))
    post = int(round(p.scale_post_s * fs))
    pos = cand * fs
    base = np.floor(pos).astype(np.int64)
    frac = (pos - base).astype(np.float32)
    valid = (base - pre >= 0) & (base + post + 1 < n)
    cand, base, frac = cand[valid], base[valid], frac[valid]
    if cand.size < 10:
        return None, "no ECG channel and no heartbeat found in this channel; ECG artefact not removed"
    seg = _segments(y, base, frac, pre, pre + post + 1).astype(np.float64)
    tmpl = np.median(seg, axis=0)
    seg_c = seg - seg.mean(axis=1, keepdims=True)
    t_c = tmpl - tmpl.mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = (seg_c @ t_c) / (np.linalg.norm(seg_c, axis=1) * np.linalg.norm(t_c))
    kept = cand[np.nan_to_num(corr) >= p.self_min_correlation]
    if kept.size < 10:
        return None, ("no ECG channel and the heartbeat in this channel is not clear enough; "
                      "ECG artefact not removed")
    rr = np.diff(kept)
    med_rr = float(np.median(rr))
    lo, hi = p.self_rr_range_s
    expected = finite.sum() / fs / med_rr if med_rr > 0 else np.inf
    coverage = kept.size / expected if expected > 0 else 0.0
    if not (lo <= med_rr <= hi) or coverage < p.self_min_coverage:
        return None, (f"no ECG channel and the heartbeat in this channel is not regular enough "
                      f"(coverage {coverage:.0%}); ECG artefact not removed")
    return kept, (f"no ECG channel: {kept.size} R peaks detected from this channel itself "
                  f"({60.0 / med_rr:.0f} bpm) and used for ECG removal")
