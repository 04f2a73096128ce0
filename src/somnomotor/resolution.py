"""Amplitude resolution of the EMG channels against the rules they feed.

A recording stores each sample as a whole number of digital steps; one step is
``(physical max − physical min) / (digital max − digital min)`` of the header
(``ChannelInfo.resolution_uv``, read by :mod:`somnomotor.io`).  Some ambulatory
devices record leg EMG with about 31 µV per step: coarser than the 8-µV LM onset
rule and the 2-µV offset rule of WASM 2016 (domain.md, leg-movement table), so
an LM onset cannot be seen at the resolution the rule asks for.  Nothing here
changes the signal; the finding is a warning, a note in the signal-quality table
and a ``signal_quality`` entry of the summary.

This module sits above :mod:`somnomotor.io`: io reports the resolution of every
channel, and the montage's channel kinds decide which rule a channel feeds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .recording import ChannelInfo, Recording

#: WASM 2016 LM onset: EMG rises 8 µV above the resting level (domain.md).
LM_ONSET_UV = 8.0
#: WASM 2016 LM offset: EMG stays ≤ 2 µV above resting for ≥ 0.5 s (domain.md); the
#: burst detector of every other muscle uses the same 2-µV activity level.
OFFSET_UV = 2.0


@dataclass
class ResolutionFindings:
    """Channels whose digital step is coarser than the rule they feed."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    resolution_uv: dict[str, float | None] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        return [f"channel '{r['channel']}' records {r['resolution_uv']:.3g} µV per digital step, "
                f"coarser than the {r['rule_uv']:g}-µV {r['rule']}: its "
                f"{'leg movements' if r['is_leg'] else 'activity'} are measured at that "
                "resolution" for r in self.rows]

    @property
    def summary(self) -> dict[str, Any]:
        """The ``signal_quality`` entry of summary.json."""
        return {"resolution_uv": dict(self.resolution_uv),
                "coarse_channels": ", ".join(r["channel"] for r in self.rows)}

    def annotate(self, quality: pd.DataFrame) -> pd.DataFrame:
        """The quality table with ``resolution_uv`` and a note on every coarse channel."""
        if not isinstance(quality, pd.DataFrame) or not len(quality):
            return quality
        q = quality.copy()
        names = (q["label"] if "label" in q else pd.Series("", index=q.index)).astype(object)
        if "channel" in q:
            names = names.where(names.notna() & (names.astype(str) != "")
                                & (names.astype(str) != "nan"), q["channel"])
        q["resolution_uv"] = [self.resolution_uv.get(str(n)) for n in names]
        coarse = {r["channel"]: f"{r['resolution_uv']:.3g} µV per step, coarser than the "
                                f"{r['rule_uv']:g}-µV {r['rule']}" for r in self.rows}
        notes = q["notes"] if "notes" in q else pd.Series([""] * len(q), index=q.index)
        out = []
        for name, note in zip(names, notes, strict=True):
            text = "; ".join(note) if isinstance(note, list | tuple) else (
                "" if note is None or (isinstance(note, float) and math.isnan(note)) else str(note))
            extra = coarse.get(str(name))
            out.append("; ".join(t for t in (text, extra) if t))
        q["notes"] = out
        return q


def _is_leg(ch: ChannelInfo) -> bool:
    return ch.muscle == "tibialis_anterior" or ch.region == "leg"


def resolution_findings(recording: Recording, *, onset_uv: float = LM_ONSET_UV,
                        offset_uv: float = OFFSET_UV) -> ResolutionFindings:
    """Check every EMG channel's digital step against the rule it feeds.

    Leg channels feed the LM onset (``onset_uv``, WASM 8 µV) and offset
    (``offset_uv``, WASM 2 µV) rules; other EMG channels feed the 2-µV activity
    level.  A channel whose step is coarser is reported once, against the
    largest rule it fails.

    >>> f = resolution_findings(somnomotor.read("nox.edf"))
    >>> round(f.rows[0]["resolution_uv"], 2)
    31.25
    """
    found = ResolutionFindings()
    for ch in recording.channels:
        if ch.kind != "emg":
            continue
        res = float(ch.resolution_uv)
        found.resolution_uv[ch.label] = None if math.isnan(res) else round(res, 6)
        if math.isnan(res):
            continue
        leg = _is_leg(ch)
        rules = ([(onset_uv, "LM onset rule (WASM 2016)"), (offset_uv, "LM offset rule (WASM 2016)")]
                 if leg else [(offset_uv, "activity level (WASM 2016 offset rule)")])
        for limit, name in rules:
            if res > limit:
                found.rows.append({"channel": ch.label, "muscle": ch.muscle, "is_leg": leg,
                                   "resolution_uv": res, "rule": name, "rule_uv": limit})
                break
    return found
