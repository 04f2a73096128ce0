"""REM sleep without atonia: AASM tonic/phasic epochs, SINBAR mini-epochs, Ferri's atonia index.

Inputs are already-conditioned figures of the chin (and FDS) channels:

* ``amp_1s``: the rectified EMG (10–100 Hz) averaged in 1-s bins, µV, one value
  per second from the recording start (NaN = no data);
* activation tables (``onset``, ``duration``, ``amplitude_uv`` above
  ``rest_uv``, ``tonic``): the chin's contractions
  (:mod:`somnomotor.detect.contractions`, issue 12: chin contractions feed the
  REM rules; ``chin_activity = "bursts"`` reads the burst table instead).
  Measured on rbd/polio/healthy nights against the simulator's REM truth, the
  contraction table scores the AASM epochs at least as well as the bursts
  (phasic epochs 65 of 65 against 64 of 65; tonic unchanged).

Rules (``../shared/docs/domain.md``):

* AASM manual v2.6, REM sleep behaviour disorder rules: a 30-s REM epoch is
  *tonic* when ≥ 50 % of it holds chin EMG above the minimum amplitude seen
  in NREM; *phasic* when ≥ 5 of its 10 sequential 3-s mini-epochs hold bursts
  of transient activity lasting 0.1–5 s and ≥ 4 × the background.
* SINBAR (Frauscher et al., Sleep 2012;35:835–847): the share of 3-s REM
  mini-epochs with "any" (tonic or phasic) mentalis activity — abnormal above
  18 % — and with any mentalis or phasic activity in either FDS — abnormal above
  32 %. Mini-epochs with artefacts or arousals are excluded.
* REM atonia index (Ferri et al., J Sleep Res 2008; Sleep Med 2010;11:947):
  1-s averages of the rectified chin EMG, each minus the minimum of the
  surrounding 60 bins (±30 s); RAI = %bins ≤ 1 µV / (100 − %bins in (1, 2] µV);
  < 0.8 abnormal, 0.8–0.9 borderline, > 0.9 normal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import ndimage

from ..hypnogram import Hypnogram
from ..params import param

__all__ = [
    "RemParams",
    "atonia_index",
    "subtract_local_minimum",
    "rem_atonia_index",
    "classify_rai",
    "mini_epochs_with_bursts",
    "score_aasm_epochs",
    "sinbar_percentages",
    "excluded_seconds",
]


@dataclass(frozen=True)
class RemParams:
    """REM-without-atonia constants (parameters section ``[muscles.rem]``)."""

    mini_epoch_s: float = param(3.0, gt=0.0)  # AASM and SINBAR mini-epochs
    tonic_fraction: float = param(0.5, hi=1.0)  # AASM: ≥ 50 % of the epoch above the NREM minimum
    nrem_min_percentile: float = param(5.0, hi=100.0)  # "minimum NREM amplitude": 5th percentile of NREM 1-s bins (robust minimum)
    phasic_min_s: float = param(0.1, below="phasic_max_s")  # AASM: bursts 0.1–5 s
    phasic_max_s: float = 5.0
    phasic_background_factor: float = 4.0  # AASM: ≥ 4 × background
    phasic_mini_epochs: int = param(5, lo=1, hi=10)  # AASM: ≥ 5 of the 10 mini-epochs
    sinbar_background_factor: float = 2.0  # SINBAR: phasic bursts ≥ 2 × background
    sinbar_any_cutoff_percent: float = param(18.0, hi=100.0)  # SINBAR 2012: "any" mentalis > 18 % abnormal
    sinbar_combined_cutoff_percent: float = param(32.0, hi=100.0)  # SINBAR 2012: any mentalis + phasic FDS > 32 %
    rai_window_bins: int = param(60, lo=1)  # Ferri 2010: minimum of the surrounding 60 1-s bins (±30)
    rai_low_uv: float = param(1.0, below="rai_high_uv")  # Ferri 2008: bins ≤ 1 µV …
    rai_high_uv: float = 2.0  # … and bins in (1, 2] µV
    rai_abnormal_below: float = param(0.8, hi=1.0, at_most="rai_normal_above")  # Ferri 2010
    rai_normal_above: float = param(0.9, hi=1.0)
    chin_activity: str = param("contractions", choices=("contractions", "bursts"))  # the
    # chin's table the phasic rules read: its contractions (detect/contractions.py) or bursts
    exclude_kinds: tuple[str, ...] = field(default=("arousal", "artifact", "movement"))
    exclude_respiratory: bool = True  # SINBAR excludes activity tied to respiratory events
    respiratory_kinds: tuple[str, ...] = field(default=("apnea", "hypopnea", "rera"))


def atonia_index(corrected_uv: np.ndarray, params: RemParams | None = None) -> float | None:
    """Ferri's REM atonia index from noise-corrected 1-s chin amplitudes (µV).

    RAI = %(bins ≤ 1 µV) / (100 − %(bins in (1, 2] µV)) (Ferri 2008/2010).
    NaN bins are ignored; None when there are no bins.

    Examples
    --------
    >>> atonia_index(np.array([0.5, 0.5, 0.5, 1.5, 3.0]))   # 60 / (100 - 20)
    0.75
    """
    p = params or RemParams()
    v = np.asarray(corrected_uv, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    low = 100.0 * np.mean(v <= p.rai_low_uv)
    mid = 100.0 * np.mean((v > p.rai_low_uv) & (v <= p.rai_high_uv))
    if 100.0 - mid <= 0:
        return None
    return float(low / (100.0 - mid))


def subtract_local_minimum(amp_1s: np.ndarray, window_bins: int = 60) -> np.ndarray:
    """Each 1-s value minus the minimum of the surrounding ``window_bins`` bins (±half), µV.

    Ferri 2010's noise correction. NaN bins stay NaN and never serve as the minimum.
    """
    a = np.asarray(amp_1s, dtype=np.float64)
    filled = np.where(np.isfinite(a), a, np.inf)
    local_min = ndimage.minimum_filter1d(filled, size=window_bins + 1, mode="nearest")
    out = a - local_min
    out[~np.isfinite(a) | ~np.isfinite(local_min)] = np.nan
    return out


def rem_atonia_index(amp_1s: np.ndarray, rem_bins: np.ndarray, params: RemParams | None = None
                     ) -> float | None:
    """RAI of the chin over the 1-s bins flagged in ``rem_bins`` (None without REM).

    Examples
    --------
    >>> chin_amp_1s = np.full(600, 1.0)          # 10 min of atonic chin, 1 µV …
    >>> chin_amp_1s[100:110] = 20.0               # … with 10 s of activity
    >>> round(rem_atonia_index(chin_amp_1s, np.ones(600, dtype=bool)), 3)
    0.983
    """
    p = params or RemParams()
    corrected = subtract_local_minimum(amp_1s, p.rai_window_bins)
    mask = np.asarray(rem_bins, dtype=bool)[: corrected.size]
    return atonia_index(corrected[: mask.size][mask], p)


def classify_rai(rai: float | None, params: RemParams | None = None) -> str | None:
    """``abnormal`` (< 0.8), ``borderline`` (0.8–0.9) or ``normal`` (> 0.9) (Ferri 2010)."""
    p = params or RemParams()
    if rai is None:
        return None
    if rai < p.rai_abnormal_below:
        return "abnormal"
    if rai <= p.rai_normal_above:
        return "borderline"
    return "normal"


def _interval_mask(onsets: np.ndarray, ends: np.ndarray, n_bins: int, bin_s: float,
                   offset: float = 0.0) -> np.ndarray:
    """Boolean per bin: overlapped by any [onset, end) interval (vectorised difference array)."""
    out = np.zeros(n_bins + 1, dtype=np.int64)
    if len(onsets) == 0 or n_bins == 0:
        return out[:n_bins].astype(bool)
    i0 = np.floor((np.asarray(onsets) - offset) / bin_s).astype(np.int64)
    i1 = np.ceil((np.asarray(ends) - offset) / bin_s - 1e-9).astype(np.int64)
    i1 = np.maximum(i1, i0 + 1)
    ok = (i1 > 0) & (i0 < n_bins)
    i0, i1 = np.clip(i0[ok], 0, n_bins), np.clip(i1[ok], 0, n_bins)
    np.add.at(out, i0, 1)
    np.add.at(out, i1, -1)
    return np.cumsum(out)[:n_bins] > 0


def mini_epochs_with_bursts(bursts: pd.DataFrame, hypnogram: Hypnogram, *, min_s: float,
                            max_s: float, background_factor: float, mini_epoch_s: float = 3.0
                            ) -> np.ndarray:
    """Boolean per mini-epoch (hypnogram grid): holds a burst of ``min_s``–``max_s`` s whose
    peak is ≥ ``background_factor`` × the background (resting level).

    A burst counts in every mini-epoch it overlaps. Mini-epoch ``k`` spans
    ``offset + k·3 s`` to ``offset + (k+1)·3 s``.
    """
    n = int(round(len(hypnogram) * hypnogram.epoch / mini_epoch_s))
    if bursts is None or len(bursts) == 0:
        return np.zeros(n, dtype=bool)
    b = bursts
    dur = b["duration"].to_numpy(float)
    peak = b["amplitude_uv"].to_numpy(float) + b["rest_uv"].to_numpy(float)
    ok = (dur >= min_s) & (dur <= max_s) & (peak >= background_factor * b["rest_uv"].to_numpy(float))
    on = b["onset"].to_numpy(float)[ok]
    return _interval_mask(on, on + dur[ok], n, mini_epoch_s, hypnogram.offset)


def _tonic_epochs(amp_1s: np.ndarray, hypnogram: Hypnogram, p: RemParams,
                  phasic_1s: np.ndarray | None = None) -> tuple[np.ndarray, float | None]:
    """Per epoch: ≥ 50 % of its 1-s bins above the minimum NREM amplitude (AASM).

    Seconds overlapped by a brief (phasic) burst do not count as tonic: the
    tonic rule is about the sustained level, not about transient bursts.
    """
    n_ep = len(hypnogram)
    per = int(round(hypnogram.epoch))
    start = int(round(hypnogram.offset))
    a = np.asarray(amp_1s, dtype=np.float64)
    if phasic_1s is not None:
        a = a.copy()
        m = np.asarray(phasic_1s, bool)[: a.size]
        above_floor_forbidden = np.zeros(a.size, bool)
        above_floor_forbidden[: m.size] = m
    else:
        above_floor_forbidden = np.zeros(a.size, bool)
    need = start + n_ep * per
    if a.size < need:
        a = np.concatenate([a, np.full(need - a.size, np.nan)])
    grid = a[start:need].reshape(n_ep, per) if n_ep else np.zeros((0, per))
    nrem = np.isin(hypnogram.stages, ("N1", "N2", "N3"))
    nrem_vals = grid[nrem].ravel()
    nrem_vals = nrem_vals[np.isfinite(nrem_vals)]
    if nrem_vals.size == 0:
        return np.zeros(n_ep, dtype=bool), None
    floor_uv = float(np.percentile(nrem_vals, p.nrem_min_percentile))
    forbid = np.concatenate([above_floor_forbidden, np.zeros(max(0, need - a.size), bool)])
    forbid = forbid[start:need].reshape(n_ep, per) if n_ep else np.zeros((0, per), bool)
    finite = np.isfinite(grid)
    with np.errstate(invalid="ignore"):
        above = (grid > floor_uv) & ~forbid & finite
    # The fraction of each epoch's scorable seconds above the floor; an epoch with
    # none scorable is 0 (not tonic), without nanmean's empty-slice warning.
    n = finite.sum(axis=1)
    frac = np.divide(above.sum(axis=1), n, out=np.zeros(n.shape), where=n > 0)
    return frac >= p.tonic_fraction, floor_uv


def score_aasm_epochs(amp_1s: np.ndarray, bursts: pd.DataFrame, hypnogram: Hypnogram,
                      params: RemParams | None = None) -> dict[str, Any]:
    """AASM tonic and phasic scoring of every REM epoch from the chin.

    Tonic: ≥ 50 % of the epoch's 1-s bins above the NREM floor, seconds holding a
    brief burst excluded; phasic: ≥ 5 of its 10 mini-epochs with a 0.1–5 s burst
    ≥ 4 × background.

    Returns
    -------
    dict
        ``tonic`` and ``phasic`` (bool per epoch, True only in R epochs),
        ``phasic_mini`` (bool per 3-s mini-epoch), ``nrem_min_uv`` (the NREM
        floor used, or None when there is no NREM), ``rem_epochs``.
    """
    p = params or RemParams()
    rem = hypnogram.stages == "R"
    phasic_1s = None
    if bursts is not None and len(bursts):
        brief = bursts[~bursts["tonic"].astype(bool)]
        on = brief["onset"].to_numpy(float)
        phasic_1s = _interval_mask(on, on + brief["duration"].to_numpy(float),
                                   int(np.asarray(amp_1s).size), 1.0)
    tonic, floor_uv = _tonic_epochs(amp_1s, hypnogram, p, phasic_1s)
    per_epoch = int(round(hypnogram.epoch / p.mini_epoch_s))
    mini = mini_epochs_with_bursts(bursts, hypnogram, min_s=p.phasic_min_s, max_s=p.phasic_max_s,
                                   background_factor=p.phasic_background_factor,
                                   mini_epoch_s=p.mini_epoch_s)
    counts = mini[: len(hypnogram) * per_epoch].reshape(len(hypnogram), per_epoch).sum(axis=1) \
        if len(hypnogram) else np.zeros(0, int)
    phasic = counts >= p.phasic_mini_epochs
    return {"tonic": tonic & rem, "phasic": phasic & rem, "phasic_mini": mini,
            "nrem_min_uv": floor_uv, "rem_epochs": int(rem.sum())}


def excluded_seconds(scored_events: pd.DataFrame | None, n_bins: int, bin_s: float,
                     offset: float = 0.0, params: RemParams | None = None) -> np.ndarray:
    """Boolean per bin: overlapped by a scored arousal, artefact, movement or respiratory event."""
    p = params or RemParams()
    if scored_events is None or len(scored_events) == 0:
        return np.zeros(n_bins, dtype=bool)
    kinds = set(p.exclude_kinds) | (set(p.respiratory_kinds) if p.exclude_respiratory else set())
    ev = scored_events[scored_events["kind"].astype(str).isin(kinds)]
    on = ev["onset"].to_numpy(float)
    return _interval_mask(on, on + ev["duration"].to_numpy(float), n_bins, bin_s, offset)


def sinbar_percentages(any_chin_mini: np.ndarray, fds_phasic_mini: np.ndarray | None,
                       rem_mini: np.ndarray, excluded_mini: np.ndarray,
                       params: RemParams | None = None) -> dict[str, Any]:
    """SINBAR figures over REM mini-epochs that are not excluded.

    ``any_chin_mini``: mini-epochs with any mentalis activity (tonic or phasic);
    ``fds_phasic_mini``: mini-epochs with phasic activity in either FDS (None when
    no FDS channel). Returns ``sinbar_any_percent``, ``sinbar_combined_percent``
    (None without FDS), the mini-epoch counts and the cut-off verdicts.

    Examples
    --------
    >>> r = sinbar_percentages(np.array([1, 0, 0, 0], bool), np.array([0, 1, 0, 0], bool),
    ...                        np.ones(4, bool), np.zeros(4, bool))
    >>> r["sinbar_any_percent"], r["sinbar_combined_percent"]
    (25.0, 50.0)
    """
    p = params or RemParams()
    use = np.asarray(rem_mini, bool) & ~np.asarray(excluded_mini, bool)
    n = int(use.sum())
    out: dict[str, Any] = {"sinbar_mini_epochs": n}
    if n == 0:
        out.update(sinbar_any_percent=None, sinbar_combined_percent=None,
                   sinbar_any_abnormal=None, sinbar_combined_abnormal=None)
        return out
    any_pct = 100.0 * float(np.sum(any_chin_mini[use])) / n
    out["sinbar_any_percent"] = any_pct
    out["sinbar_any_abnormal"] = any_pct > p.sinbar_any_cutoff_percent
    if fds_phasic_mini is None:
        out["sinbar_combined_percent"] = None
        out["sinbar_combined_abnormal"] = None
    else:
        comb = 100.0 * float(np.sum((any_chin_mini | fds_phasic_mini)[use])) / n
        out["sinbar_combined_percent"] = comb
        out["sinbar_combined_abnormal"] = comb > p.sinbar_combined_cutoff_percent
    return out
