"""Sleep stages when nobody scored them, and the sleep statistics every figure rests on.

* :func:`sleep_statistics` — TIB, TST, sleep efficiency, SOL, WASO, … to the
  AASM definitions.
* :func:`stage_automatically` — YASA's LightGBM classifier on the recording's
  EEG (with EOG and chin EMG when present); needs ``somnomotor[staging]``.
* :func:`resolve_hypnogram` — the hypnogram for a night: a given file, else the
  recording's own stage annotations, else automatic staging, else none.
"""

from __future__ import annotations

from .statistics import STATISTICS_KEYS, sleep_statistics

__all__ = ["STATISTICS_KEYS", "sleep_statistics"]
