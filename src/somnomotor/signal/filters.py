"""Filters for surface EMG: band-pass, mains detection and notch, envelope.

Every function takes one channel as a 1-D array in µV (any float dtype) with
its sampling rate ``fs`` in Hz and returns float32.  Samples that are NaN
(gaps of a discontinuous recording, or data the caller marked invalid) are
treated as *no data*: they are zero-filled for filtering so that a zero-phase
IIR filter cannot smear NaN over the whole channel, and they are NaN again in
the output.

The band and the mains notch follow the leg-EMG recording recommendations of
WASM 2016 (Ferri et al., Sleep Med 26:86–95; band-pass about 10–100 Hz, mains
notch at 50 or 60 Hz) and the AASM manual.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage, signal

from .._util import block_any

__all__ = [
    "bandpass",
    "bandpass_sos",
    "block_mean",
    "decimate",
    "detect_mains",
    "envelope",
    "filter_zero_phase",
    "notch",
    "notch_sos",
]

#: Butterworth order of the band-pass (4 → 8 poles, 4 second-order sections).
_BANDPASS_ORDER = 4
#: The highest usable band edge as a fraction of the sampling rate (Nyquist is 0.5).
_MAX_EDGE_FRACTION = 0.45
#: Quality factor of each mains notch (bandwidth f0/Q: 50 Hz → 1.7 Hz).
_NOTCH_Q = 30.0
#: Mains frequencies looked for (Hz).
_MAINS_CANDIDATES = (50.0, 60.0)
#: A line must stand this many times above the neighbouring spectrum (≈ 8 dB).
_MAINS_MIN_RATIO = 6.0
#: Length (s) and number of the stretches of signal that the mains detector looks at.
MAINS_EXCERPT_S = 20.0
MAINS_EXCERPTS = 12


def _fill_nan(x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """float32 copy-or-view with NaN/inf set to 0, and the mask of bad samples (None if none)."""
    x = np.asarray(x, dtype=np.float32)
    bad = ~np.isfinite(x)
    if bad.any():
        return np.where(bad, np.float32(0.0), x), bad
    return x, None


def _restore_nan(y: np.ndarray, bad: np.ndarray | None) -> np.ndarray:
    if bad is not None:
        y[bad] = np.nan
    return y


def bandpass_sos(fs: float, low: float = 10.0, high: float = 100.0) -> tuple[np.ndarray, str]:
    """Second-order sections of the EMG band-pass, and a note when the band was changed.

    The upper edge is clipped to 0.45 × ``fs`` when the sampling rate is too low
    for it (e.g. 200 Hz → 90 Hz); the note says so.  When even ``low`` is above
    that limit only a high-pass at ``low`` Hz is possible and that is noted too.

    Examples
    --------
    >>> sos, note = bandpass_sos(200.0)
    >>> note
    'band-pass upper edge 100 Hz clipped to 90 Hz (sampling rate 200 Hz)'
    """
    if not fs > 0:
        raise ValueError(f"sampling rate must be positive, not {fs}")
    limit = _MAX_EDGE_FRACTION * fs
    note = ""
    if low >= limit:
        low = min(low, 0.4 * fs)
        note = (f"sampling rate {fs:g} Hz is too low for a {high:g} Hz band; "
                f"high-pass at {low:g} Hz only")
        sos = signal.butter(_BANDPASS_ORDER, low, "highpass", fs=fs, output="sos")
        return sos, note
    if high > limit:
        note = f"band-pass upper edge {high:g} Hz clipped to {limit:g} Hz (sampling rate {fs:g} Hz)"
        high = limit
    sos = signal.butter(_BANDPASS_ORDER, [low, high], "bandpass", fs=fs, output="sos")
    return sos, note


def notch_sos(fs: float, f0: float, *, up_to: float | None = None, q: float = _NOTCH_Q
              ) -> np.ndarray:
    """Second-order sections notching ``f0`` Hz and its harmonics below Nyquist.

    ``up_to`` (Hz) limits the harmonics further, e.g. to the band-pass upper edge
    when the band-pass already removes what lies above.  Returns an empty
    (0, 6) array when no harmonic fits.
    """
    top = 0.49 * fs if up_to is None else min(0.49 * fs, up_to)
    harmonics = f0 * np.arange(1, int(top // f0) + 1)
    sections = []
    for f in harmonics:
        b, a = signal.iirnotch(f, q, fs=fs)
        sections.append(signal.tf2sos(b, a))
    return np.concatenate(sections) if sections else np.zeros((0, 6))


def filter_zero_phase(x: np.ndarray, sos: np.ndarray) -> np.ndarray:
    """Zero-phase (forward–backward) filtering by ``sos``; float32 out, NaN kept as NaN.

    Short signals are padded less (the pad never exceeds the signal); a signal
    of fewer than 2 samples is returned unfiltered.  The input is let go of once
    copied into the padded signal: a caller that passes its only reference
    (``filter_zero_phase(box.pop(), sos)``) does not hold the night twice more.
    """
    xf, bad = _fill_nan(x)
    if len(sos) == 0 or xf.size < 2:
        return _restore_nan(np.array(xf, dtype=np.float32, copy=True), bad)
    # scipy's sosfiltfilt (odd extension of 3 × (2 × sections + 1) samples, each pass
    # started in the steady state of its first sample), run in float32 throughout: its
    # own initial state is float64 and would turn both passes, and two night-long
    # copies, into float64.  float32 keeps ~7 significant digits, far below an EMG
    # amplifier's resolution.
    sos64 = np.asarray(sos, dtype=np.float64)
    sos32 = sos64.astype(np.float32)
    n = xf.size
    pad = min(3 * (2 * len(sos64) + 1), n - 1)
    ext = np.empty(n + 2 * pad, dtype=np.float32)
    ext[pad:pad + n] = xf
    if pad:
        ext[:pad] = 2 * xf[0] - xf[pad:0:-1]
        ext[pad + n:] = 2 * xf[-1] - xf[-2:-pad - 2:-1]
    del x, xf  # the input goes now if the caller passed its only reference
    zi = signal.sosfilt_zi(sos64)
    y, _ = signal.sosfilt(sos32, ext, zi=(zi * float(ext[0])).astype(np.float32))
    del ext
    back = y[::-1]
    y, _ = signal.sosfilt(sos32, back, zi=(zi * float(back[0])).astype(np.float32))
    del back
    out = np.ascontiguousarray(y[::-1][pad:pad + n])
    return _restore_nan(out, bad)


def bandpass(x: np.ndarray, fs: float, low: float = 10.0, high: float = 100.0
             ) -> tuple[np.ndarray, str]:
    """Zero-phase Butterworth band-pass of one EMG channel.

    Parameters
    ----------
    x : ndarray
        Signal in µV; NaN samples are treated as no data and stay NaN.
    fs : float
        Sampling rate, Hz.
    low, high : float
        Band edges, Hz (WASM 2016: about 10–100 Hz).  ``high`` is clipped to
        0.45 × ``fs`` for low sampling rates.

    Returns
    -------
    filtered : ndarray of float32, µV
    note : str
        Empty, or one sentence saying how the band was changed.

    Examples
    --------
    >>> y, note = bandpass(np.random.default_rng(0).normal(size=2000), 200.0)
    >>> y.dtype, note.startswith("band-pass upper edge")
    (dtype('float32'), True)
    """
    sos, note = bandpass_sos(fs, low, high)
    return filter_zero_phase(x, sos), note


def notch(x: np.ndarray, fs: float, f0: float) -> np.ndarray:
    """Remove mains interference: zero-phase notches at ``f0`` Hz and its harmonics.

    Harmonics at or above Nyquist (``fs / 2``) are skipped.  Output float32 µV,
    NaN where the input was NaN.

    Examples
    --------
    >>> t = np.arange(0, 10, 1 / 500)
    >>> y = notch(np.sin(2 * np.pi * 50 * t), 500.0, 50.0)
    >>> float(np.abs(y[500:-500]).max()) < 0.05
    True
    """
    return filter_zero_phase(x, notch_sos(fs, f0))


def detect_mains(x: np.ndarray, fs: float) -> float | None:
    """The mains frequency (50.0 or 60.0 Hz) found in the signal's spectrum, or None.

    A candidate counts when its spectral peak stands at least ~8 dB above the
    neighbouring spectrum (2–5 Hz either side); of 50 and 60 Hz the stronger
    wins.  The spectrum is estimated (Welch, 0.5-Hz resolution) on up to 12
    stretches of 20 s spread over the recording, so the cost does not grow
    with the night's length.  Candidates at or above Nyquist are not looked for.

    Examples
    --------
    >>> t = np.arange(0, 60, 1 / 256)
    >>> rng = np.random.default_rng(1)
    >>> detect_mains(rng.normal(size=t.size) + 3 * np.sin(2 * np.pi * 60 * t), 256.0)
    60.0
    """
    xf, _bad = _fill_nan(x)
    seg = int(MAINS_EXCERPT_S * fs)
    nper = int(2 * fs)
    if xf.size < nper or not fs > 2 * min(_MAINS_CANDIDATES) + 5:
        return None
    if xf.size > seg * MAINS_EXCERPTS:
        # One spectrum per stretch and their median: one loud stretch (a movement,
        # a minute of muscle activity) must not bury, in a mean, a hum that stands
        # far above a quiet channel's floor everywhere else; nor may steps where
        # stretches were joined end to end spread broadband leakage.
        starts = np.linspace(0, xf.size - seg, MAINS_EXCERPTS).astype(np.int64)
        spectra = [signal.welch(xf[s:s + seg], fs=fs, nperseg=nper) for s in starts]
        freqs = spectra[0][0]
        psd = np.median([p for _, p in spectra], axis=0)
    else:
        freqs, psd = signal.welch(xf, fs=fs, nperseg=nper)
    best, best_ratio = None, _MAINS_MIN_RATIO
    for f0 in _MAINS_CANDIDATES:
        if f0 + 5 >= fs / 2:
            continue
        peak = psd[(freqs >= f0 - 0.75) & (freqs <= f0 + 0.75)].max()
        near = (np.abs(freqs - f0) >= 2) & (np.abs(freqs - f0) <= 5)
        ref = np.median(psd[near])
        ratio = peak / ref if ref > 0 else (np.inf if peak > 0 else 0.0)
        if ratio > best_ratio:
            best, best_ratio = f0, ratio
    return best


#: Moving-mean windows up to this many samples are summed directly (see :func:`envelope`).
_SHORT_WINDOW = 8


def envelope(x: np.ndarray, fs: float, window_s: float) -> np.ndarray:
    """Amplitude envelope: the moving mean of the rectified signal over ``window_s`` s.

    Output float32 µV at the input's sampling rate, NaN where the input was
    NaN (gap samples count as zero inside neighbouring windows).

    Examples
    --------
    >>> env = envelope(np.array([0, 4, -4, 4, -4, 0], dtype=float), 100.0, 0.03)
    >>> [round(float(v), 2) for v in env]
    [1.33, 2.67, 4.0, 4.0, 2.67, 1.33]
    """
    xf, bad = _fill_nan(x)
    size = max(1, int(round(window_s * fs)))
    r = np.abs(xf)
    if size > _SHORT_WINDOW or r.size < size:
        y = ndimage.uniform_filter1d(r, size, mode="nearest")
        return _restore_nan(np.asarray(y, dtype=np.float32), bad)
    # A short window (a burst envelope's 15 ms is 4 samples at 256 Hz): the sum of
    # ``size`` shifted copies, in float32, is several times faster than the running
    # sum; the same window (samples i - size // 2 … i + (size - 1) // 2) and the same
    # "nearest" edges, equal to ~1e-7.
    lo = size // 2
    hi = size - 1 - lo
    n = r.size
    y = np.empty(n, dtype=np.float32)
    m = n - size + 1  # outputs whose window lies inside the signal: y[lo:lo + m]
    if size == 1:
        y[:] = r
    else:
        np.add(r[0:m], r[1:1 + m], out=y[lo:lo + m])
        for k in range(2, size):
            y[lo:lo + m] += r[k:k + m]
    for i in (*range(lo), *range(lo + m, n)):  # the edges: the end samples repeated
        idx = np.clip(np.arange(i - lo, i + hi + 1), 0, n - 1)
        y[i] = r[idx].sum(dtype=np.float32)
    y *= np.float32(1.0 / size)
    return _restore_nan(y, bad)


def block_mean(x: np.ndarray, factor: int) -> np.ndarray:
    """Mean of consecutive blocks of ``factor`` samples (the last block may be short).

    NaN samples are ignored; a block of NaN only is NaN.  Used to bring an
    envelope from the EMG rate down to ~100 Hz, where LM detection runs.
    """
    x = np.asarray(x, dtype=np.float32)
    if factor <= 1:
        return x.copy()
    n = x.size
    nb = -(-n // factor)
    pad = nb * factor - n
    xp = np.concatenate([x, np.full(pad, np.nan, dtype=np.float32)]) if pad else x
    blocks = xp.reshape(nb, factor)
    finite = np.isfinite(blocks)
    if finite.all():
        if factor <= 16:
            # A sum of ``factor`` strided slices: several times faster than a mean along
            # a short axis.
            out = xp[0::factor].copy()
            for j in range(1, factor):
                out += xp[j::factor]
            out *= np.float32(1.0 / factor)
            return out
        return blocks.mean(axis=1, dtype=np.float32)
    sums = np.where(finite, blocks, np.float32(0)).sum(axis=1, dtype=np.float32)
    counts = finite.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (sums / counts).astype(np.float32)
    out[counts == 0] = np.nan
    return out


def decimate(x: np.ndarray, fs: float, factor: int) -> np.ndarray:
    """Down by an integer ``factor``: a short linear-phase anti-alias FIR, delay removed.

    The FIR has 8·d + 1 taps (cut-off 0.47 × the new rate): its delay of 4·d input
    samples is exactly 4 output samples, removed, so output sample m lies at input
    sample m·d and times do not move.  NaN (no data) is zero-filled for the filter
    and a block holding any NaN is NaN again.  ``factor`` 1 (or a signal too short
    to filter) returns float32 unchanged.

    Examples
    --------
    >>> y = decimate(np.ones(1024), 512.0, 2)
    >>> y.size, round(float(y[100]), 3)
    (512, 1.0)
    """
    d = int(factor)
    x = np.asarray(x, dtype=np.float32)
    if d <= 1 or x.size < 16 * d:
        return x
    xf, bad = _fill_nan(x)
    h = signal.firwin(8 * d + 1, 0.47 * fs / d, fs=fs).astype(np.float32)
    m = -(-x.size // d)
    y = signal.upfirdn(h, xf, 1, d)[4:4 + m].astype(np.float32, copy=False)
    if bad is not None:
        pad = np.zeros(m * d, dtype=bool)
        pad[: bad.size] = bad
        y[block_any(pad, d)] = np.nan
    return y
