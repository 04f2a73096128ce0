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

from ..hypnogram import Hypnogram
from .aasm_rules import AasmParams, episode_rows

__all__ = ["score_bruxism"]


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
