"""Sleep bruxism (rhythmic masticatory muscle activity) — AASM Manual v2.6.

Rules (AASM v2.6, bruxism): chin or masseter EMG elevations at least twice the
background amplitude; *phasic* elevations last 0.25–2 s and at least 3 of them
in a regular sequence make an episode; a *tonic* episode is one elevation
lasting more than 2 s; at least 3 s of stable background EMG must come before
a new episode is scored.  Sleep bruxism: most of an episode's elevation time
lies in epochs of ``bruxism_stages`` (the tone of wakefulness is not bruxism).

Chin tone is a property of the stage: it rises on waking (a wake epoch in
NREM is a 30-s chin elevation ≥ 2× the NREM level) and falls into REM.  The
analyser's elevations start where the envelope crosses its threshold, often a
fraction of a second *before* the epoch boundary, so the stage at the onset
alone would call such a wake epoch N2.  An elevation is therefore placed in
the stage where most of it lies (``bruxism_sleep_fraction`` of its time in
sleep), and the 2× background is measured against the *local* background
— the EMG immediately before the elevation (``pre_uv`` of the contraction
table: the median envelope over the seconds before onset), as the AASM
defines it — where the table has one, else against the channel's resting level.

In REM, chin (mentalis) activity is what the REM sleep behaviour disorder
rules score (AASM v2.6: sustained and transient chin muscle activity in REM),
and the chin alone cannot tell a clench from it: chin elevations in REM feed
:mod:`.rem`, not bruxism; a masseter channel's (``bruxism_rem_muscles``) still
make REM bruxism.

Elevations of several jaw channels (chin and masseter) that overlap are one
elevation.  Elevations separated by less than ``bruxism_stable_s`` of
background belong to one candidate episode; it is scored when it holds a tonic
elevation or ≥ ``bruxism_min_phasic`` phasic ones (both: mixed).  "Regular
sequence" has no number in the manual and is not tested.  Without a chin or
masseter channel bruxism is not scorable (None and a note), never 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._util import runs
from ..hypnogram import Hypnogram
from .aasm_rules import AasmParams, episode_rows

__all__ = ["long_chin_elevations", "score_bruxism"]


def _union(on: np.ndarray, end: np.ndarray, ch: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge overlapping intervals (sorted by onset); keep the first channel of each."""
    o, e, c = [float(on[0])], [float(end[0])], [str(ch[0])]
    for a, b, k in zip(on[1:], end[1:], ch[1:], strict=True):
        if a <= e[-1]:
            e[-1] = max(e[-1], float(b))
        else:
            o.append(float(a))
            e.append(float(b))
            c.append(str(k))
    return np.array(o), np.array(e), np.array(c, dtype=object)


def _background(table: pd.DataFrame) -> np.ndarray:
    """The background each elevation is measured against: the local level before it
    (``pre_uv``) where known, else the channel's resting level (``rest_uv``)."""
    rest = table["rest_uv"].to_numpy(float)
    if "pre_uv" not in table.columns:
        return rest
    pre = table["pre_uv"].to_numpy(float)
    return np.where(np.isfinite(pre) & (pre > 0), pre, rest)


def _sleep_fraction(on: float, end: float, hyp: Hypnogram, stages: tuple[str, ...]) -> float:
    """Share of ``[on, end)`` spent in epochs of ``stages`` (sampled every 0.25 s)."""
    t = np.arange(on, max(end, on + 1e-6), 0.25) + 0.125
    return float(np.isin(hyp.stage_at(t), stages).mean())


def long_chin_elevations(amp_1s: np.ndarray, hyp: Hypnogram, p: AasmParams, *,
                         channel: str, muscle: str, side: str, region: str = "chin",
                         window_s: int = 300, min_s: int = 10) -> pd.DataFrame:
    """Sustained chin elevations the contraction layer cannot see, from the 1-s amplitudes.

    The contraction layer follows the chin's resting level with a 30-s running
    median (its tone steps with stage), so a clench longer than ~15 s raises that
    level and is not found.  The bruxism rule has the hypnogram: here the
    background is the chin's own level in the sleep stages where its activity is
    bruxism (``bruxism_stages``, REM left out for a chin), the median of the 1-s
    mean rectified amplitudes of those seconds over a running ``window_s``
    (5 min).  An elevation is a run of ≥ ``min_s`` (10) such seconds at ≥ 2 ×
    that background (``bruxism_background_factor``) — the long clenches only:
    shorter ones are the contraction layer's, which times them to 20 ms (a 1.97-s
    phasic contraction touches 3 whole seconds, and would read as > 2 s) —, preceded by
    ``bruxism_stable_s`` of sleep at background level and ending in sleep (a run
    at a wake → sleep transition is the waking tone fading, not a clench).  Rows
    in the jaw table's columns (``tonic`` true, ``rest_uv`` and ``pre_uv`` the
    background, ``amplitude_uv`` the median excess), to be joined to the jaw
    channels' contractions (overlapping elevations are one,
    :func:`score_bruxism`).
    """
    cols = ["onset", "duration", "amplitude_uv", "tonic", "rest_uv", "pre_uv", "channel",
            "muscle", "side", "region"]
    x = np.asarray(amp_1s, dtype=float)
    if x.size < 4 or not hyp.is_scored:
        return pd.DataFrame(columns=cols)
    st = hyp.stage_at(np.arange(x.size) + 0.5)  # second i covers [i, i + 1) of the recording
    asleep = np.isin(st, p.bruxism_stages) & (st != "R") & np.isfinite(x)
    if not asleep.any():
        return pd.DataFrame(columns=cols)
    # Running median of the sleep seconds' amplitudes (the background).
    sx = pd.Series(np.where(asleep, x, np.nan))
    bg = sx.rolling(window_s, center=True, min_periods=30).median().to_numpy()
    bg = np.where(np.isfinite(bg), bg, float(np.nanmedian(sx)))
    up = asleep & (x >= p.bruxism_background_factor * bg)
    quiet = asleep & ~up
    stable = int(np.ceil(p.bruxism_stable_s))
    rows = []
    for a, b in zip(*runs(up), strict=True):
        if b - a < max(min_s, 3) or a < stable or b >= x.size or not quiet[a - stable:a].all() \
                or not quiet[b]:
            continue
        base = float(np.median(bg[a:b]))
        rows.append({"onset": float(a), "duration": float(b - a),
                     "amplitude_uv": float(np.median(x[a:b]) - base), "tonic": True,
                     "rest_uv": base, "pre_uv": base, "channel": channel, "muscle": muscle,
                     "side": side, "region": region})
    return pd.DataFrame(rows, columns=cols)


def score_bruxism(table: pd.DataFrame, hyp: Hypnogram, p: AasmParams, *,
                  available: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any], np.ndarray]:
    """Bruxism episodes on the jaw channels; ``(rows, summary, used)`` as :func:`.alma.score_alma`.

    Summary: ``bruxism_episode_count``, ``bruxism_index`` (/h sleep, set by the
    caller), ``bruxism_phasic_count``, ``bruxism_tonic_count``, ``bruxism_mixed_count``.
    """
    used = np.zeros(len(table), dtype=bool)
    jaw_ch = available[available["muscle"].isin(p.bruxism_muscles)]
    if not len(jaw_ch):
        return (episode_rows("bruxism", [], hyp.stage_at),
                {"bruxism_episode_count": None, "bruxism_phasic_count": None,
                 "bruxism_tonic_count": None, "bruxism_mixed_count": None,
                 "bruxism_note": "bruxism not scorable: no chin or masseter EMG channel"}, used)
    muscle_of = dict(zip(jaw_ch["channel"], jaw_ch["muscle"], strict=True))
    side_of = dict(zip(jaw_ch["channel"], jaw_ch["side"], strict=True))
    jaw = table["muscle"].isin(p.bruxism_muscles).to_numpy()
    peak = table["amplitude_uv"].to_numpy(float) + table["rest_uv"].to_numpy(float)
    sel = np.flatnonzero(jaw & (peak >= p.bruxism_background_factor * _background(table)))
    if sel.size:  # chin elevations in REM are the REM rules' (RSWA), masseter ones bruxism
        mid = (table["onset"].to_numpy(float) + table["duration"].to_numpy(float) / 2)[sel]
        rem_chin = ((hyp.stage_at(mid) == "R")
                    & ~table["muscle"].iloc[sel].isin(p.bruxism_rem_muscles).to_numpy())
        sel = sel[~rem_chin]
    counts = {"phasic": 0, "tonic": 0, "mixed": 0}
    spans: list[tuple[float, float, str, str, str]] = []
    if sel.size:
        sub = table.iloc[sel]
        order = np.argsort(sub["onset"].to_numpy(float), kind="stable")
        sub, sel = sub.iloc[order], sel[order]
        s_on = sub["onset"].to_numpy(float)
        s_end = s_on + sub["duration"].to_numpy(float)
        on, end, ch = _union(s_on, s_end, sub["channel"].to_numpy(object))
        dur = end - on
        i = 0
        while i < on.size:
            j, reach = i, end[i]
            while j + 1 < on.size and on[j + 1] - reach < p.bruxism_stable_s:
                j += 1
                reach = max(reach, end[j])
            d = dur[i:j + 1]
            tonic = bool((d > p.bruxism_tonic_min_s).any())
            phasic = int(((d >= p.bruxism_phasic_min_s)
                          & (d <= p.bruxism_phasic_max_s)).sum()) >= p.bruxism_min_phasic
            asleep = _sleep_fraction(on[i], reach, hyp, p.bruxism_stages) \
                >= p.bruxism_sleep_fraction
            if (tonic or phasic) and asleep:
                kind = "mixed" if tonic and phasic else "tonic" if tonic else "phasic"
                counts[kind] += 1
                c = str(ch[i])
                spans.append((float(on[i]), float(reach), c, str(muscle_of.get(c, "")),
                              str(side_of.get(c, ""))))
                used[sel[(s_on >= on[i]) & (s_on <= reach)]] = True
            i = j + 1
    return (episode_rows("bruxism", spans, hyp.stage_at),
            {"bruxism_episode_count": len(spans), "bruxism_phasic_count": counts["phasic"],
             "bruxism_tonic_count": counts["tonic"], "bruxism_mixed_count": counts["mixed"]},
            used)
