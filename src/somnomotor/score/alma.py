"""Alternating leg muscle activation (ALMA) — AASM Manual v2.6; Chervin et al. 2003.

Rule (AASM v2.6, movement rules): at least 4 discrete bursts of anterior
tibialis activity alternating between the legs, at 0.5–3.0 Hz (bursts usually
100–500 ms; a series usually 1–30 s).  Frequency here is 1 / the onset-to-onset
interval of successive alternating bursts (:class:`~.aasm_rules.AasmParams`).
Trains at most ``alma_join_s`` apart are one series.  Needs both legs: without a left and a right tibialis channel ALMA is not
scorable (summary value None and a note), never 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..hypnogram import Hypnogram
from .aasm_rules import AasmParams, episode_rows, frequency_trains, join_spans

__all__ = ["score_alma"]


def score_alma(table: pd.DataFrame, hyp: Hypnogram, p: AasmParams, *,
               available: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any], np.ndarray]:
    """ALMA episodes among the leg bursts of ``table``.

    ``available`` lists the recorded EMG channels (``channel``, ``region``, ``side``).
    Returns ``(rows, summary, used)``: events rows (kind ``alma``), the summary
    (``alma_count``, ``alma_index`` — None when not scorable — and ``alma_note``),
    and a boolean mask over ``table`` of the bursts in an episode.
    """
    used = np.zeros(len(table), dtype=bool)
    legs = available[available["region"] == "leg"]
    sides = set(legs["side"])
    if not {"left", "right"} <= sides:
        missing = " and ".join(s for s in ("left", "right") if s not in sides)
        return (episode_rows("alma", [], hyp.stage_at),
                {"alma_count": None, "alma_index": None,
                 "alma_note": f"ALMA not scorable: no {missing} leg (tibialis) EMG channel"},
                used)
    sel = np.flatnonzero((table["region"] == "leg").to_numpy()
                         & table["side"].isin(["left", "right"]).to_numpy()
                         & ~table["tonic"].to_numpy(bool)
                         & (table["duration"].to_numpy(float) <= p.alma_max_burst_s))
    sub = table.iloc[sel]
    order = np.argsort(sub["onset"].to_numpy(float), kind="stable")
    sub, sel = sub.iloc[order], sel[order]
    trains = []
    for idx in frequency_trains(sub["onset"].to_numpy(float), p.alma_min_hz, p.alma_max_hz,
                                p.alma_min_bursts, alternate=sub["side"].to_numpy(object)):
        tr = sub.iloc[idx]
        trains.append((float(tr["onset"].iloc[0]), float((tr["onset"] + tr["duration"]).max())))
        used[sel[idx]] = True
    spans = [(a, b, "", "tibialis_anterior", "bilateral")
             for a, b in join_spans(trains, p.alma_join_s)]
    return episode_rows("alma", spans, hyp.stage_at), {"alma_count": len(spans)}, used
