"""Large muscle group movements — IRLSSG position statement (Ferri et al., Sleep 2021;44:zsab092).

Rule: 3–45 s (adults) of EMG increase (and/or movement artefact) in at least
2 channels, not meeting any other movement's criteria.  Each channel's
activity (every burst, brief or tonic) with gaps shorter than
``large_merge_s`` is one stretch; a candidate is a stretch of time in which
≥ ``large_min_channels`` channels are active at once, extended to the
stretches that make it; it is scored when it lasts 3–45 s, the channels are
active together over at least ``large_min_together`` of it (the rule's "EMG
increase in ≥ 2 channels" is the movement itself: a brief neck jerk inside a
bilateral leg movement, or a 2-s leg movement at the end of a wake epoch's
chin tone, only touch for a moment and are not one large movement), and overlaps no
episode of another movement (activity of the legs alone meets the leg-movement
criteria, ``large_not_legs_only``) (ALMA, foot tremor, bruxism, rhythmic movement,
GRM, propriospinal myoclonus: ``other``).  Needs ≥ 2 EMG channels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..hypnogram import Hypnogram
from .aasm_rules import AasmParams, episode_rows

__all__ = ["score_large_movements"]


def _stretches(on: np.ndarray, end: np.ndarray, gap: float) -> list[tuple[float, float]]:
    order = np.argsort(on, kind="stable")
    out: list[tuple[float, float]] = []
    for a, b in zip(on[order], end[order], strict=True):
        if out and a - out[-1][1] < gap:
            out[-1] = (out[-1][0], max(out[-1][1], float(b)))
        else:
            out.append((float(a), float(b)))
    return out


def score_large_movements(table: pd.DataFrame, hyp: Hypnogram, p: AasmParams, *,
                          available: pd.DataFrame, other: pd.DataFrame | None = None
                          ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Large movements; ``(rows, summary)`` (summary ``large_movement_count``)."""
    chans = available[available["region"].isin(p.large_regions)]["channel"]
    if chans.nunique() < p.large_min_channels:
        return (episode_rows("large_movement", [], hyp.stage_at),
                {"large_movement_count": None,
                 "large_movement_note": f"large movements not scorable: fewer than "
                                        f"{p.large_min_channels} EMG channels"})
    sub = table[table["region"].isin(p.large_regions)]
    stretches: list[tuple[float, float, str]] = []
    for ch, g in sub.groupby("channel", sort=False):
        on = g["onset"].to_numpy(float)
        stretches += [(a, b, str(ch)) for a, b in
                      _stretches(on, on + g["duration"].to_numpy(float), p.large_merge_s)]
    # Sweep: times where ≥ min_channels distinct channels are active.
    edges = sorted([(a, 1, c) for a, _, c in stretches] + [(b, -1, c) for _, b, c in stretches],
                   key=lambda e: (e[0], e[1]))
    legs = set(available.loc[available["region"] == "leg", "channel"])
    active: dict[str, int] = {}
    cores: list[tuple[float, float]] = []
    start = None
    for t, step, c in edges:
        active[c] = active.get(c, 0) + step
        if active[c] == 0:
            del active[c]
        big = len(active) >= p.large_min_channels and not (
            p.large_not_legs_only and set(active) <= legs)
        if big and start is None:
            start = t
        elif not big and start is not None:
            cores.append((start, t))
            start = None
    spans: list[tuple[float, float]] = []
    together: list[float] = []  # seconds of each span with ≥ min_channels active at once
    for a, b in cores:  # extend each core to the stretches that make it; merge
        parts = [(s0, s1) for s0, s1, _ in stretches if s0 < b and s1 > a]
        lo, hi = min(s for s, _ in parts), max(e for _, e in parts)
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
            together[-1] += b - a
        else:
            spans.append((lo, hi))
            together.append(b - a)
    o_on = other["onset"].to_numpy(float) if other is not None and len(other) else np.zeros(0)
    o_end = o_on + (other["duration"].to_numpy(float) if o_on.size else 0.0)  # type: ignore[index]
    keep = [(a, b, "", "", "") for (a, b), both in zip(spans, together, strict=True)
            if p.large_min_s <= b - a <= p.large_max_s
            and both >= p.large_min_together * (b - a)
            and not ((o_on < b) & (o_end > a)).any()]
    return (episode_rows("large_movement", keep, hyp.stage_at),
            {"large_movement_count": len(keep)})
