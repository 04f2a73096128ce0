"""Reading recordings (EDF/EDF+/BDF) and scorings (hypnograms, events).

``read_recording`` opens a recording lazily and read-only; ``read_scorings``
reads a hypnogram and scored events from EDF+ annotations, NSRR XML, CSV,
one-stage-per-epoch text or an Embla RemLogic event export, detecting the
format from the content.
"""

from __future__ import annotations

from .edf import read_recording
from .scorings import (
    Scorings,
    read_events,
    read_hypnogram,
    read_scorings,
    scorings_from_recording,
)

__all__ = [
    "Scorings",
    "read_events",
    "read_hypnogram",
    "read_recording",
    "read_scorings",
    "scorings_from_recording",
]
