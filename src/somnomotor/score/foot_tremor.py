"""Hypnagogic foot tremor (HFT) / high-frequency leg movements (HFLM).

Rule (AASM Manual v2.6, movement rules; Yang & Winkelman 2010 for HFLM): at
least 4 bursts in a train in one leg, at 0.3–4.0 Hz (bursts usually
250–1000 ms; seen at wake–sleep transitions and in light NREM — reported in
the ``stage`` column, not required).  Frequency is 1 / the onset-to-onset
interval of successive bursts of the channel.  Bursts already in an ALMA or
rhythmic-movement episode are left out.  Without a leg channel: not scorable.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..hypnogram import Hypnogram
from .aasm_rules import AasmParams, episode_rows, frequency_trains

__all__ = ["score_foot_tremor"]


def score_foot_tremor(table: pd.DataFrame, hyp: Hypnogram, p: AasmParams, *,
                      available: pd.DataFrame, exclude: np.ndarray | None = None
                      ) -> tuple[pd.DataFrame, dict[str, Any], np.ndarray]:
    """HFT trains per leg channel; ``(rows, summary, used)`` as :func:`.alma.score_alma`."""
    used = np.zeros(len(table), dtype=bool)
    if not (available["region"] == "leg").any():
        return (episode_rows("hypnagogic_foot_tremor", [], hyp.stage_at),
                {"hypnagogic_foot_tremor_count": None,
                 "hypnagogic_foot_tremor_note":
                     "hypnagogic foot tremor not scorable: no leg (tibialis) EMG channel"}, used)
    ok = ((table["region"] == "leg").to_numpy() & ~table["tonic"].to_numpy(bool)
          & (table["duration"].to_numpy(float) <= p.hft_max_burst_s))
    if exclude is not None:
        ok &= ~exclude
    spans = []
    for ch in dict.fromkeys(table.loc[ok, "channel"]):
        sel = np.flatnonzero(ok & (table["channel"] == ch).to_numpy())
        sub = table.iloc[sel]
        order = np.argsort(sub["onset"].to_numpy(float), kind="stable")
        sub, sel = sub.iloc[order], sel[order]
        for idx in frequency_trains(sub["onset"].to_numpy(float), p.hft_min_hz, p.hft_max_hz,
                                    p.hft_min_bursts):
            tr = sub.iloc[idx]
            spans.append((float(tr["onset"].iloc[0]), float((tr["onset"] + tr["duration"]).max()),
                          str(ch), str(tr["muscle"].iloc[0]), str(tr["side"].iloc[0])))
            used[sel[idx]] = True
    spans.sort()
    return (episode_rows("hypnagogic_foot_tremor", spans, hyp.stage_at),
            {"hypnagogic_foot_tremor_count": len(spans)}, used)
