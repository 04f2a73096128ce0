"""Myoclonus: every brief burst (jerk) in every muscle, and its indices.

A ``myoclonus`` row is one brief (non-tonic, ≤ 0.4 s) burst in one channel,
with its muscle, side, stage and peak amplitude over the resting level. Leg
(tibialis anterior) bursts of ≥ 0.5 s are leg movements (WASM 2016) for the
legs scorer; shorter leg jerks — too short to be LMs — are myoclonus here.
Chin bursts are left to the REM rules (phasic activity), not listed as jerks.

Indices are per hour of total sleep time (TST): bursts with onset in a sleep
epoch (N1, N2, N3, R), overall, per muscle and per stage (per hour of that
stage). When the night is not staged, per hour of recording.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..hypnogram import SLEEP_STAGES, Hypnogram

__all__ = ["myoclonus_rows", "myoclonus_mask", "link_arousals", "myoclonus_indices"]


def link_arousals(onset: np.ndarray, end: np.ndarray, scored_events: pd.DataFrame | None,
                  gap_s: float = 0.5) -> np.ndarray:
    """True where an event overlaps a scored arousal or is < ``gap_s`` s from one, either order.

    The WASM 2016 / AASM movement–arousal association rule, applied to any burst.
    """
    out = np.zeros(len(onset), dtype=bool)
    if scored_events is None or len(scored_events) == 0 or len(onset) == 0:
        return out
    ar = scored_events[scored_events["kind"].astype(str) == "arousal"]
    if len(ar) == 0:
        return out
    a_on = np.sort(ar["onset"].to_numpy(float))
    a_end = (ar["onset"] + ar["duration"]).to_numpy(float)[np.argsort(ar["onset"].to_numpy(float))]
    # Nearest arousal starting before the event's end + gap.
    k = np.searchsorted(a_on, np.asarray(end) + gap_s, side="right") - 1
    ok = k >= 0
    kk = np.clip(k, 0, None)
    # An arousal of index ≤ k overlaps when its end + gap ≥ onset; the running max of ends covers it.
    run_end = np.maximum.accumulate(a_end)
    out[ok] = run_end[kk[ok]] + gap_s >= np.asarray(onset)[ok]
    return out


def myoclonus_mask(table: pd.DataFrame, *,
                   exclude_muscles: tuple[str, ...] = ("mentalis", "submentalis", "masseter"),
                   max_s: float = 0.4) -> np.ndarray:
    """True for the rows of a contraction (or burst) table that are jerks: not tonic,
    not of an excluded muscle, at most ``max_s`` long.

    Examples
    --------
    >>> t = pd.DataFrame({"tonic": [False, False, True], "muscle": ["fds", "mentalis", "fds"],
    ...                   "duration": [0.4, 0.1, 6.0]})
    >>> myoclonus_mask(t).tolist()
    [True, False, False]
    """
    if len(table) == 0:
        return np.zeros(0, dtype=bool)
    return np.asarray(~table["tonic"].astype(bool) & ~table["muscle"].isin(exclude_muscles)
                      & (table["duration"] <= max_s), dtype=bool)


def myoclonus_rows(bursts: pd.DataFrame, scored_events: pd.DataFrame | None = None, *,
                   exclude_muscles: tuple[str, ...] = ("mentalis", "submentalis", "masseter"),
                   max_s: float = 0.4) -> pd.DataFrame:
    """``myoclonus`` events rows from the burst table of all channels.

    Parameters
    ----------
    bursts : DataFrame
        Columns ``onset``, ``duration``, ``amplitude_uv``, ``tonic``, ``channel``,
        ``muscle``, ``side``, ``stage``.
    scored_events : DataFrame, optional
        Scored arousals set the ``arousal`` flag (overlap or < 0.5 s apart).
    exclude_muscles : tuple of str
        Muscles without myoclonus rows (chin: scored by the REM rules).
    max_s : float
        Longest burst that is a jerk (s). Leg bursts ≥ 0.5 s are leg movements
        (WASM 2016), so with the default 0.4 s a leg burst is either an LM or a
        jerk, never both.

    Examples
    --------
    >>> rows = myoclonus_rows(bursts, scored)
    """
    if len(bursts) == 0:
        return pd.DataFrame()
    b = bursts[myoclonus_mask(bursts, exclude_muscles=exclude_muscles, max_s=max_s)]
    if len(b) == 0:
        return pd.DataFrame()
    on = b["onset"].to_numpy(float)
    end = on + b["duration"].to_numpy(float)
    return pd.DataFrame({
        "onset": on, "duration": b["duration"].to_numpy(float), "kind": "myoclonus",
        "channel": b["channel"].to_numpy(), "muscle": b["muscle"].to_numpy(),
        "side": b["side"].to_numpy(), "stage": b["stage"].to_numpy(),
        "amplitude_uv": b["amplitude_uv"].to_numpy(float),
        "arousal": link_arousals(on, end, scored_events),
    })


def myoclonus_indices(rows: pd.DataFrame, hypnogram: Hypnogram, recording_duration: float,
                      muscles: list[str]) -> dict[str, Any]:
    """``myoclonus_index``, ``myoclonus_index_by_muscle``, ``myoclonus_index_by_stage``, counts.

    ``muscles`` lists every muscle analysed, so muscles without bursts show 0.
    Stage indices are per hour of that stage (None when the stage is absent).
    """
    staged = hypnogram.is_scored
    ep_h = hypnogram.epoch / 3600.0
    tst_h = float(hypnogram.is_sleep().sum()) * ep_h if staged else recording_duration / 3600.0
    n = len(rows)
    if n:
        in_sleep = rows["stage"].isin(SLEEP_STAGES).to_numpy() if staged else np.ones(n, bool)
    else:
        in_sleep = np.zeros(0, bool)
    sleep_rows = rows[in_sleep] if n else rows

    def per_h(count: float, hours: float) -> float | None:
        return float(count) / hours if hours > 0 else None

    by_muscle = {m: per_h(int((sleep_rows["muscle"] == m).sum()) if len(sleep_rows) else 0, tst_h)
                 for m in muscles}
    by_stage: dict[str, float | None] = {}
    for st in SLEEP_STAGES:
        hours = float((hypnogram.stages == st).sum()) * ep_h
        count = int((rows["stage"] == st).sum()) if n else 0
        by_stage[st] = per_h(count, hours)
    return {
        "myoclonus_count": int(len(sleep_rows)),
        "myoclonus_count_total": int(n),
        "myoclonus_index": per_h(len(sleep_rows), tst_h),
        "myoclonus_index_by_muscle": by_muscle,
        "myoclonus_index_by_stage": by_stage,
        "myoclonus_arousal_count": int(sleep_rows["arousal"].sum()) if len(sleep_rows) else 0,
    }
