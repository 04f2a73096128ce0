"""The hypnogram: one sleep stage per 30-s epoch, used by every scorer.

Stages are ``W N1 N2 N3 R`` and ``?`` for unscored (or outside the scored
night).  ``offset`` is the time (s) of the first epoch's start relative to the
recording start; ``source`` says where the stages came from (``file:NAME``,
``edf-annotations``, ``automatic:yasa``, ``simulator`` or ``none``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

STAGES: tuple[str, ...] = ("W", "N1", "N2", "N3", "R", "?")
SLEEP_STAGES: tuple[str, ...] = ("N1", "N2", "N3", "R")
EPOCH_S = 30.0


@dataclass(frozen=True)
class Hypnogram:
    """Stages per epoch; see the module docstring."""

    stages: np.ndarray
    epoch: float = EPOCH_S
    offset: float = 0.0
    source: str = "none"
    probabilities: np.ndarray | None = field(default=None, compare=False, repr=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        arr = np.asarray(self.stages, dtype="<U2")
        bad = sorted(set(arr.tolist()) - set(STAGES))
        if bad:
            raise ValueError(f"unknown stage codes {bad}; use {' '.join(STAGES)}")
        object.__setattr__(self, "stages", arr)

    @classmethod
    def from_labels(cls, labels: Iterable[str], *, epoch: float = EPOCH_S, offset: float = 0.0,
                    source: str = "none") -> Hypnogram:
        return cls(np.asarray(list(labels), dtype="<U2"), epoch=epoch, offset=offset, source=source)

    @classmethod
    def unscored(cls, duration: float, *, source: str = "none") -> Hypnogram:
        """All epochs ``?`` over ``duration`` seconds."""
        n = int(np.ceil(duration / EPOCH_S - 1e-9))
        return cls(np.full(n, "?", dtype="<U2"), source=source)

    def __len__(self) -> int:
        return int(self.stages.size)

    @property
    def end(self) -> float:
        return self.offset + len(self) * self.epoch

    @property
    def is_scored(self) -> bool:
        return bool(np.any(self.stages != "?"))

    def epoch_onsets(self) -> np.ndarray:
        return self.offset + np.arange(len(self)) * self.epoch

    def epoch_index(self, t: float | Sequence[float] | np.ndarray) -> np.ndarray:
        """Epoch number holding each time ``t`` (s), or -1 outside the hypnogram."""
        t = np.atleast_1d(np.asarray(t, dtype=float))
        idx = np.floor((t - self.offset) / self.epoch + 1e-9).astype(np.int64)
        idx[(idx < 0) | (idx >= len(self)) | ~np.isfinite(t)] = -1
        return idx

    def stage_at(self, t: float | Sequence[float] | np.ndarray) -> np.ndarray:
        """Stage (``W N1 N2 N3 R ?``) of the epoch holding each time ``t`` (s)."""
        idx = self.epoch_index(t)
        out = np.full(idx.shape, "?", dtype="<U2")
        ok = idx >= 0
        out[ok] = self.stages[idx[ok]]
        return out

    def is_sleep(self) -> np.ndarray:
        """Boolean per epoch: N1, N2, N3 or R."""
        return np.isin(self.stages, SLEEP_STAGES)

    def sleep_onset_epoch(self) -> int | None:
        """Index of the first sleep epoch, or None when there is no sleep."""
        s = np.flatnonzero(self.is_sleep())
        return int(s[0]) if s.size else None

    def final_sleep_epoch(self) -> int | None:
        """Index of the last sleep epoch, or None when there is no sleep."""
        s = np.flatnonzero(self.is_sleep())
        return int(s[-1]) if s.size else None

    def wake_after_sleep_onset(self) -> np.ndarray:
        """Boolean per epoch: W between sleep onset and the final sleep epoch."""
        out = np.zeros(len(self), dtype=bool)
        first, last = self.sleep_onset_epoch(), self.final_sleep_epoch()
        if first is not None and last is not None:
            out[first:last + 1] = self.stages[first:last + 1] == "W"
        return out

    def stage_intervals(self) -> list[tuple[float, float, str]]:
        """Runs of equal stage as (onset s, duration s, stage)."""
        if not len(self):
            return []
        change = np.flatnonzero(self.stages[1:] != self.stages[:-1]) + 1
        starts = np.concatenate([[0], change])
        ends = np.concatenate([change, [len(self)]])
        return [(self.offset + s * self.epoch, (e - s) * self.epoch, str(self.stages[s]))
                for s, e in zip(starts, ends, strict=True)]

    def fit_to(self, duration: float) -> Hypnogram:
        """Trim or pad (with ``?``) to cover ``[0, duration)`` seconds, noting it."""
        n_needed = int(np.ceil((duration - self.offset) / self.epoch - 1e-9))
        n_needed = max(n_needed, 0)
        warnings = list(self.warnings)
        stages, probs = self.stages, self.probabilities
        if len(self) > n_needed:
            extra = len(self) - n_needed
            warnings.append(f"hypnogram is {extra} epoch(s) longer than the recording; "
                            "the extra epochs were ignored")
            stages = stages[:n_needed]
            probs = None if probs is None else probs[:n_needed]
        elif len(self) < n_needed:
            missing = n_needed - len(self)
            if missing > 1 or (duration - self.offset) - len(self) * self.epoch >= 1.0:
                warnings.append(f"hypnogram is {missing} epoch(s) shorter than the recording; "
                                "the rest is treated as unscored")
            stages = np.concatenate([stages, np.full(missing, "?", dtype="<U2")])
            if probs is not None:  # unscored epochs have no stage probabilities
                pad = np.full((missing, *np.shape(probs)[1:]), np.nan)
                probs = np.concatenate([np.asarray(probs, dtype=float), pad])
        return Hypnogram(stages, epoch=self.epoch, offset=self.offset, source=self.source,
                         probabilities=probs, warnings=tuple(warnings))
