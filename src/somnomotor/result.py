"""The result of analysing one night: everything a report or the store needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .hypnogram import Hypnogram


@dataclass
class NightResult:
    """Events table, summary and provenance of one night, plus what the report draws.

    ``events``: the events table (``somnomotor.events.EVENT_COLUMNS``).
    ``summary``: the flat-first summary dict written to ``summary.json``
    (includes ``provenance``).
    ``hypnogram``: the stages the scorers used.
    ``channels``: per channel: label, kind, muscle, side, region, fs, unit.
    ``quality``: per EMG channel signal-quality figures (resting level µV,
    mains Hz, residual ECG, flagged and excluded seconds).
    ``details``: figures that are not summary keys (IMI histograms, series
    lengths, per-muscle tables, sleep statistics detail) keyed by scorer.
    ``scored``: the scored input events the night was analysed with (arousals,
    respiratory events… from files and the recording's own annotations;
    ``somnomotor.events.SCORED_COLUMNS``), so exports can carry them on.
    """

    events: pd.DataFrame
    summary: dict[str, Any]
    hypnogram: Hypnogram
    channels: pd.DataFrame = field(default_factory=pd.DataFrame)
    quality: pd.DataFrame = field(default_factory=pd.DataFrame)
    details: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    scored: pd.DataFrame = field(default_factory=pd.DataFrame)
    recording_path: str | None = None
    recording_start: str | None = None
    recording_duration: float = 0.0
