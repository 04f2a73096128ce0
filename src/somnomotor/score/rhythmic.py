"""Rhythmic movement disorder (RMD) episodes — AASM Manual v2.6.

Rule (AASM v2.6, rhythmic movement disorder): at least 4 individual movements
make a rhythmic cluster, at 0.5–2.0 Hz, each burst at least twice the
background EMG, over large muscle groups.  A train is looked for in each
channel of a large-muscle region (trunk and neck by default:
``rhythmic_regions``); trains of several channels that overlap (within
``rhythmic_join_s``) are one episode, and leg bursts inside it belong to it
(leg rolling).  Without a channel of those regions: not scorable.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..hypnogram import Hypnogram
from .aasm_rules import AasmParams, above_background, episode_rows, frequency_trains

__all__ = ["score_rhythmic_movements"]


def score_rhythmic_movements(table: pd.DataFrame, hyp: Hypnogram, p: AasmParams, *,
                             available: pd.DataFrame, exclude: np.ndarray | None = None
                             ) -> tuple[pd.DataFrame, dict[str, Any], np.ndarray]:
    """RMD episodes; ``(rows, summary, used)`` as :func:`.alma.score_alma`."""
    used = np.zeros(len(table), dtype=bool)
    if not available["region"].isin(p.rhythmic_regions).any():
        return (episode_rows("rhythmic_movement", [], hyp.stage_at),
                {"rhythmic_movement_count": None,
                 "rhythmic_movement_note": "rhythmic movements not scorable: no EMG channel of "
                                           + ", ".join(p.rhythmic_regions)}, used)
    ok = (table["region"].isin(p.rhythmic_regions).to_numpy() & ~table["tonic"].to_numpy(bool)
          & above_background(table, p.rhythmic_background_factor))
    if exclude is not None:
        ok &= ~exclude
    trains: list[tuple[float, float, str]] = []
    for ch in dict.fromkeys(table.loc[ok, "channel"]):
        sel = np.flatnonzero(ok & (table["channel"] == ch).to_numpy())
        sub = table.iloc[sel]
        order = np.argsort(sub["onset"].to_numpy(float), kind="stable")
        sub, sel = sub.iloc[order], sel[order]
        for idx in frequency_trains(sub["onset"].to_numpy(float), p.rhythmic_min_hz,
                                    p.rhythmic_max_hz, p.rhythmic_min_bursts):
            tr = sub.iloc[idx]
            trains.append((float(tr["onset"].iloc[0]),
                           float((tr["onset"] + tr["duration"]).max()), str(ch)))
            used[sel[idx]] = True
    trains.sort()
    spans: list[tuple[float, float, str, str, str]] = []
    for t0, t1, ch in trains:
        if spans and t0 <= spans[-1][1] + p.rhythmic_join_s:
            a, b, chs, _, _ = spans[-1]
            if ch not in chs.split("+"):
                chs = f"{chs}+{ch}"
            spans[-1] = (a, max(b, t1), chs, "", "")
        else:
            spans.append((t0, t1, ch, "", ""))
    on = table["onset"].to_numpy(float)
    legs = (table["region"] == "leg").to_numpy()
    for a, b, _, _, _ in spans:
        used |= legs & (on >= a) & (on <= b)
    # A derived event (kinds.py: per_channel False): the channel column stays empty.
    spans = [(a, b, "", "", "") for a, b, _, _, _ in spans]
    return (episode_rows("rhythmic_movement", spans, hyp.stage_at),
            {"rhythmic_movement_count": len(spans)}, used)
