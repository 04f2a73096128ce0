"""Sleep stages when nobody scored them, and the sleep statistics every figure rests on.

* :func:`sleep_statistics` — TIB, TST, sleep efficiency, SOL, WASO, … to the
  AASM definitions.
* :func:`stage_automatically` — YASA's LightGBM classifier on the recording's
  EEG (with EOG and chin EMG when present); needs ``somnomotor[staging]``
  (imported only when called).
* :func:`resolve_hypnogram` — the hypnogram for a night: a given file, else the
  recording's own stage annotations, else automatic staging, else none.
"""

from __future__ import annotations

from .resolve import NO_STAGES_NOTE, STAGING_MODES, resolve_hypnogram, unstaged_hypnogram
from .statistics import STATISTICS_KEYS, find_lights, sleep_statistics
from .yasa_adapter import (
    PROBABILITY_COLUMNS,
    StagingParams,
    select_staging_channels,
    stage_automatically,
    staging_confidence,
)

__all__ = [
    "NO_STAGES_NOTE",
    "PROBABILITY_COLUMNS",
    "STAGING_MODES",
    "STATISTICS_KEYS",
    "StagingParams",
    "find_lights",
    "resolve_hypnogram",
    "select_staging_channels",
    "sleep_statistics",
    "stage_automatically",
    "staging_confidence",
    "unstaged_hypnogram",
]
