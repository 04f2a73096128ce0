"""Mains hum taken out by subtraction: sinusoids fitted to the quiet samples, second by second.

A notch filter rings at the mains frequency after every brief, large
potential (its impulse response is a decaying sinusoid, time constant
Q / (π f0)); the ringing lengthens what the detectors measure.  A Q-10 notch
run forward only lengthened the 75–150-ms fragmentary myoclonus potentials of
simulated healthy nights by a median 0.04 s (up to 0.09 s), so that the AASM
≤ 150-ms rule lost about half of them; run forward and backward, a narrower one
rang before each jerk instead and stretched 0.2-s jerks past the 0.5-s LM
minimum.  The hum is a steady sinusoid whose amplitude and phase drift slowly,
so it is fitted instead — the regression approach of CleanLine (Mullen) and of
MNE's ``spectrum_fit``, reduced to what surface EMG needs:

1. per block of ``block_s`` seconds, the least-squares amplitude and phase of
   each mains harmonic, on the block's *quiet* samples (a first fit on all
   samples; then samples more than ``quiet_k`` robust SDs from zero in its
   residual, and ``guard_s`` either side, are left out, and the fit repeated),
   so a potential or a QRS complex neither enters the fit nor is ringed by it;
2. blocks with too few quiet samples, or louder throughout than twice the
   median block (inside a long contraction), take their phasors from their
   neighbours;
3. the phasors, as complex amplitudes on one time axis, are interpolated
   linearly between block centres (a grid frequency off by 0.05 Hz turns the
   phase by 18° a second, which the interpolation follows), and the hum they
   describe is subtracted.

Nothing is filtered: outside the hum's own sinusoids every sample is left as it
was, so no potential is lengthened and no transient starts the recording.
"""

from __future__ import annotations

import numpy as np

from .._util import dilate

__all__ = ["remove_hum"]

#: Blocks processed at a time: bounded scratch memory on a night-long channel (34 min
#: of 0.5-s blocks).
_CHUNK_BLOCKS = 4096


def _basis(freqs: np.ndarray, fs: float, m: int) -> np.ndarray:
    """(m, 2H) sines and cosines of each frequency over one block, from its first sample."""
    w = 2.0 * np.pi * np.asarray(freqs, dtype=np.float64)[None, :] * (np.arange(m)[:, None] / fs)
    return np.concatenate([np.sin(w), np.cos(w)], axis=1)


#: OpenBLAS runs a matrix product of M·N·K ≤ 4 × 65536 on the calling thread alone; a
#: larger one wakes its own threads, which spin against the channels' threads.
_ONE_THREAD_MNK = 4 * 65536


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b``, in row slices small enough for BLAS to stay on this thread.

    The channels are conditioned in threads of their own (one per core): a BLAS
    thread pool on top would only contend with them.
    """
    rows = max(1, _ONE_THREAD_MNK // max(1, a.shape[1] * b.shape[1]))
    out = np.empty((a.shape[0], b.shape[1]), dtype=np.result_type(a, b))
    for i in range(0, a.shape[0], rows):
        np.matmul(a[i:i + rows], b, out=out[i:i + rows])
    return out


def _combine(coef: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """``coef @ basis.T`` in float32 (blocks × samples)."""
    return _product(np.asarray(coef, dtype=np.float32), np.ascontiguousarray(basis.T))


def _fit(y: np.ndarray, quiet: np.ndarray, x: np.ndarray, outer: np.ndarray,
         least: int) -> tuple[np.ndarray, np.ndarray]:
    """Per block (rows of ``y``), least-squares coefficients on the quiet samples.

    Returns (coefficients (nb, 2H), whether the block had ≥ ``least`` quiet samples).
    The block sums are matrix products (:func:`_product`; float32 products summed
    over a block's ~100 samples: ~1e-6 relative, far below the EMG's noise).
    """
    k = x.shape[1]
    # Blocks without a left-out sample share one normal matrix; the others get their own.
    full = quiet.all(axis=1)
    ok = np.ones(quiet.shape[0], dtype=bool)
    part = np.flatnonzero(~full)
    yq = np.where(quiet, y, np.float32(0.0)) if part.size else y
    rhs = _product(yq, x).astype(np.float64)
    shared = np.linalg.inv(outer.sum(axis=0).reshape(k, k) + 1e-6 * np.eye(k))
    coef = rhs @ shared.T
    if part.size:
        qp = quiet[part]
        normal = _product(qp.astype(np.float64), outer).reshape(-1, k, k)
        ok[part] = qp.sum(axis=1) >= least
        bad = ~ok[part]
        normal[bad] = np.eye(k)
        rp = rhs[part]
        rp[bad] = 0.0
        normal += 1e-6 * np.eye(k)
        coef[part] = np.linalg.solve(normal, rp[:, :, None])[:, :, 0]
    return coef, ok


def remove_hum(y: np.ndarray, fs: float, freqs: np.ndarray | list[float], *,
               block_s: float = 0.5, quiet_k: float = 4.0, guard_s: float = 0.05,
               min_quiet: float = 0.3, loud_block: float = 2.0,
               exclude: np.ndarray | None = None, overwrite: bool = False) -> np.ndarray:
    """``y`` without the sinusoids at ``freqs`` Hz fitted block by block (float32 copy).

    Parameters
    ----------
    y : ndarray
        The signal (µV), finite.
    fs : float
        Its sampling rate (Hz).
    freqs : sequence of float
        The mains frequency and the harmonics to take out (each below Nyquist).
    block_s : float
        Length of the blocks each fit covers (s).
    quiet_k, guard_s : float
        Samples farther than ``quiet_k`` robust SDs of their block from zero in
        the first fit's residual, and ``guard_s`` either side of them, are left
        out of the second fit.
    min_quiet : float
        A block needs this fraction of quiet samples; otherwise its phasors
        come from the neighbouring blocks.
    loud_block : float
        A block whose robust SD exceeds this many times the median block's (a
        contraction filling it) also takes its phasors from its neighbours.
    exclude : ndarray of bool, optional
        Samples never to fit (no data).
    overwrite : bool
        Subtract the hum from ``y`` itself (a float32 array the caller no longer
        needs) and return it, instead of a copy: a night-long array less.

    Examples
    --------
    >>> fs = 200.0
    >>> t = np.arange(int(20 * fs)) / fs
    >>> rng = np.random.default_rng(0)
    >>> noise = rng.normal(0.0, 2.0, t.size)
    >>> x = noise + 30.0 * np.sin(2 * np.pi * 50.0 * t + 0.4)
    >>> x[2000:2020] += 300.0 * rng.standard_normal(20)   # a 0.1-s potential
    >>> clean = remove_hum(x, fs, [50.0])
    >>> float(np.max(np.abs(clean[:1900] - noise[:1900]))) < 1.5   # the hum is gone …
    True
    >>> float(np.max(np.abs(clean[2030:] - noise[2030:]))) < 1.5   # … nothing rings after
    True
    """
    x = np.asarray(y, dtype=np.float32)
    in_place = overwrite and x is y and x.flags.writeable
    f = np.asarray([v for v in freqs if 0.0 < v < 0.5 * fs], dtype=np.float64)
    n = x.size
    m = max(8, int(round(block_s * fs)))
    if f.size == 0 or n < m:
        return x if in_place else x.copy()
    nb = -(-n // m)
    basis64 = _basis(f, fs, m)
    basis = basis64.astype(np.float32)
    k = basis.shape[1]
    outer = (basis64[:, :, None] * basis64[:, None, :]).reshape(m, k * k)
    h = f.size
    guard = max(0, int(round(guard_s * fs)))
    least = max(2 * h + 1, int(min_quiet * m))
    # Complex amplitude per block and harmonic on the recording's own time axis:
    # hum(t) = Im(G · e^{iωt}), G = a + i·b for a·sin(ωt) + b·cos(ωt) with t from 0.
    g = np.zeros((nb, h), dtype=np.complex128)
    ok_all = np.zeros(nb, dtype=bool)
    for c0 in range(0, nb, _CHUNK_BLOCKS):
        c1 = min(nb, c0 + _CHUNK_BLOCKS)
        part = x[c0 * m: c1 * m]
        seg = np.zeros((c1 - c0) * m, dtype=np.float32)
        seg[: part.size] = part
        valid = np.zeros(seg.size, dtype=bool)
        valid[: part.size] = True
        if exclude is not None:
            valid[: part.size] &= ~np.asarray(exclude[c0 * m: c1 * m], dtype=bool)
        yb = seg.reshape(-1, m)
        vb = valid.reshape(-1, m)
        # A first fit on every sample; in its residual (the hum gone) the loud samples
        # — potentials, QRS complexes — farther than ``quiet_k`` robust SDs of the block
        # from zero, and a guard either side, are left out of the second fit (every
        # fourth sample is enough for the SD).
        coef, _ = _fit(yb, vb, basis, outer, least)
        res = yb - _combine(coef, basis)
        sub = np.abs(res[:, ::4])
        mid = sub.shape[1] // 2
        sd = np.float32(1.4826) * np.partition(sub, mid, axis=1)[:, mid:mid + 1]
        loud = (np.abs(res) > np.float32(quiet_k) * np.maximum(sd, np.float32(1e-6))).ravel()
        loud = dilate(loud, guard)
        quiet = vb & ~loud.reshape(-1, m)
        coef, ok = _fit(yb, quiet, basis, outer, least)
        # A block louder throughout than the channel's usual (inside a contraction lasting
        # the whole block) would fit the contraction's own content at the mains frequency:
        # its phasors come from the neighbouring blocks.
        whole = vb.all(axis=1)
        if whole.any():
            ok &= sd[:, 0] <= np.float32(loud_block) * np.median(sd[whole, 0])
        # Block-local phase → the recording's: a block starting at t0 turns by ω·t0.
        t0 = (np.arange(c0, c1) * m / fs)[:, None]
        local = coef[:, :h] + 1j * coef[:, h:]
        g[c0:c1] = local * np.exp(-1j * 2.0 * np.pi * f[None, :] * t0)
        ok_all[c0:c1] = ok
    if not ok_all.any():
        return x if in_place else x.copy()
    good = np.flatnonzero(ok_all)
    idx = np.arange(nb, dtype=np.float64)
    if good.size < nb:
        g = np.column_stack([np.interp(idx, good, g[good, j].real)
                             + 1j * np.interp(idx, good, g[good, j].imag) for j in range(h)])
    # G at each block's start and end (midpoints between centres; the ends held), then
    # per block hum(k) = Im((Ga + (Gb - Ga)·u_k) · e^{iω(t0 + k/fs)}), u_k = k / m: a
    # matrix product per chunk.
    edge = np.concatenate([g[:1], 0.5 * (g[:-1] + g[1:]), g[-1:]])
    ga, gb = edge[:-1], edge[1:]
    u = (np.arange(m) / m)[:, None]
    sin_k, cos_k = basis64[:, :h], basis64[:, h:]
    # Im(P e^{iφ}) = Re(P)·sin φ + Im(P)·cos φ, for P = Ga·e^{iωt0} and Q = (Gb - Ga)·e^{iωt0}.
    synth = np.concatenate([sin_k, cos_k, u * sin_k, u * cos_k], axis=1).astype(np.float32)
    out = x if in_place else x.copy()  # every fit above is done: x is read no more
    for c0 in range(0, nb, _CHUNK_BLOCKS):
        c1 = min(nb, c0 + _CHUNK_BLOCKS)
        rot = np.exp(1j * 2.0 * np.pi * f[None, :] * (np.arange(c0, c1) * m / fs)[:, None])
        p = ga[c0:c1] * rot
        q = (gb[c0:c1] - ga[c0:c1]) * rot
        coef = np.concatenate([p.real, p.imag, q.real, q.imag], axis=1)
        hum = _combine(coef, synth).ravel()
        i0, i1 = c0 * m, min(n, c1 * m)
        out[i0:i1] -= hum[: i1 - i0]
    return out
