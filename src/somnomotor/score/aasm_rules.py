"""Shared pieces of the AASM movement-chapter rules: parameters and trains.

The rules of the AASM Manual v2.6 (movement rules: ALMA, hypnagogic foot
tremor, bruxism, rhythmic movement disorder) and of the IRLSSG position
statement (Ferri et al., Sleep 2021;44:zsab092: large muscle group movements)
are classifications of the per-channel activation table (one row per burst or
contraction: ``onset``, ``duration``, ``amplitude_uv`` above ``rest_uv``,
``tonic``, ``channel``, ``muscle``, ``side``, ``region``).  Each pattern is
its own module (:mod:`.alma`, :mod:`.foot_tremor`, :mod:`.bruxism`,
:mod:`.rhythmic`, :mod:`.large_movements`); :mod:`.aasm_movements` runs them
in order.  Where the manual leaves a choice, it is a field below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["AasmParams", "above_background", "channels_of", "episode_rows", "frequency_trains",
           "join_spans"]


@dataclass(frozen=True)
class AasmParams:
    """Constants of the AASM movement chapter (parameters section ``[muscles.aasm]``)."""

    # Alternating leg muscle activation — AASM Manual v2.6; Chervin et al. 2003.
    alma_min_bursts: int = 4  # ≥ 4 discrete alternating bursts
    alma_min_hz: float = 0.5  # alternation frequency 0.5–3.0 Hz
    alma_max_hz: float = 3.0
    # Frequency: 1 / the onset-to-onset interval of successive (alternating) bursts.
    alma_join_s: float = 2.0  # two trains ≤ 2 s apart (end to onset) are one series: a single
    # weak or missed burst does not cut a series (2 s = the slowest interval allowed, 1/0.5 Hz)
    alma_max_burst_s: float = 10.0  # bursts "usually 100–500 ms": not a criterion; 10 s (an LM's
    # upper limit, WASM 2016) only keeps sustained activity out
    # Hypnagogic foot tremor / high-frequency leg movements — AASM v2.6; Yang & Winkelman 2010.
    hft_min_bursts: int = 4  # ≥ 4 bursts in a train
    hft_min_hz: float = 0.3  # 0.3–4.0 Hz
    hft_max_hz: float = 4.0
    hft_max_burst_s: float = 10.0  # bursts "usually 250–1000 ms": not a criterion (as ALMA)
    # Bruxism — AASM v2.6 (chin or masseter EMG).
    bruxism_background_factor: float = 2.0  # elevations ≥ 2 × background EMG
    bruxism_phasic_min_s: float = 0.25  # phasic elevations 0.25–2 s …
    bruxism_phasic_max_s: float = 2.0
    bruxism_min_phasic: int = 3  # … ≥ 3 of them in a regular sequence
    bruxism_tonic_min_s: float = 2.0  # tonic: one elevation > 2 s
    bruxism_stable_s: float = 3.0  # ≥ 3 s of stable background before a new episode
    bruxism_muscles: tuple[str, ...] = ("mentalis", "submentalis", "masseter")
    bruxism_stages: tuple[str, ...] = ("N1", "N2", "N3", "R", "?")  # sleep bruxism (ICSD-3):
    # an episode lies in sleep ("?": unscored recordings); chin tone of wakefulness is not one
    bruxism_sleep_fraction: float = 0.5  # … i.e. at least half of its time is in those
    # stages: a wake epoch's chin tone detected from 0.2 s before the boundary is wake
    bruxism_rem_muscles: tuple[str, ...] = ("masseter",)  # in REM only these: chin activity
    # in REM is REM sleep without atonia's (AASM RBD rules), not told apart from a clench
    # Rhythmic movement disorder — AASM v2.6.
    rhythmic_min_bursts: int = 4  # ≥ 4 movements make a cluster
    rhythmic_min_hz: float = 0.5  # 0.5–2.0 Hz
    rhythmic_max_hz: float = 2.0
    rhythmic_background_factor: float = 2.0  # each burst ≥ 2 × background EMG
    rhythmic_regions: tuple[str, ...] = ("shoulder", "chest", "abdomen", "back", "neck")
    # "large muscle groups": trunk and neck (head banging, body rocking); a train in the
    # legs alone is a foot tremor (0.3–4.0 Hz contains 0.5–2.0 Hz), legs join a trunk episode
    rhythmic_join_s: float = 1.0  # trains of several channels within 1 s are one episode
    # Large muscle group movements — IRLSSG, Ferri et al. Sleep 2021;44:zsab092.
    large_min_s: float = 3.0  # 3–45 s (adults)
    large_max_s: float = 45.0
    large_min_channels: int = 2  # EMG increase in ≥ 2 channels
    large_merge_s: float = 0.5  # activity of one channel with gaps < 0.5 s is one stretch
    large_min_together: float = 0.5  # ≥ 2 channels active at once over ≥ half of the movement
    # (ours: IRLSSG's "3–45 s of EMG increase in ≥ 2 channels" is one movement of several
    # channels, not one channel's activity touched for a moment by another's)
    # (the WASM LM offset rule's 0.5 s of quiet)
    large_not_legs_only: bool = True  # activity of the two legs alone meets the LM criteria
    # (WASM 2016: LMs 0.5–10 s; bilateral ones are scored per leg), so ≥ 1 channel is not a leg
    large_regions: tuple[str, ...] = ("leg", "arm", "shoulder", "chest", "abdomen", "back",
                                      "neck", "chin")

    def __post_init__(self) -> None:
        for lo, hi in (("alma_min_hz", "alma_max_hz"), ("hft_min_hz", "hft_max_hz"),
                       ("rhythmic_min_hz", "rhythmic_max_hz"),
                       ("bruxism_phasic_min_s", "bruxism_phasic_max_s"),
                       ("large_min_s", "large_max_s")):
            if not 0 < getattr(self, lo) < getattr(self, hi):
                raise ValueError(f"{lo} must be > 0 and below {hi}")
        if not 0 <= self.large_min_together <= 1:
            raise ValueError("large_min_together must be in [0, 1]")
        if not 0 < self.bruxism_sleep_fraction <= 1:
            raise ValueError("bruxism_sleep_fraction must be in (0, 1]")
        for k in ("alma_min_bursts", "hft_min_bursts", "bruxism_min_phasic",
                  "rhythmic_min_bursts", "large_min_channels"):
            if getattr(self, k) < 1:
                raise ValueError(f"{k} must be ≥ 1")


def above_background(table: pd.DataFrame, factor: float) -> np.ndarray:
    """Rows whose peak is ≥ ``factor`` × the channel's background (resting) level.

    ``amplitude_uv`` is the peak above rest, so the peak is ``amplitude + rest``.
    """
    if not len(table):
        return np.zeros(0, dtype=bool)
    amp = table["amplitude_uv"].to_numpy(float)
    rest = table["rest_uv"].to_numpy(float)
    return (amp + rest) >= factor * rest


def frequency_trains(onsets: np.ndarray, min_hz: float, max_hz: float, min_count: int,
                     alternate: np.ndarray | None = None) -> list[np.ndarray]:
    """Indices (into sorted ``onsets``) of trains of ≥ ``min_count`` events at ``min_hz``–``max_hz``.

    Successive events belong to one train when their onset-to-onset interval
    ``dt`` has ``min_hz ≤ 1/dt ≤ max_hz`` (and, with ``alternate`` — a label per
    event — when their labels differ).
    """
    n = onsets.size
    if n < min_count:
        return []
    dt = np.diff(onsets)
    with np.errstate(divide="ignore"):
        f = np.where(dt > 0, 1.0 / np.where(dt > 0, dt, 1.0), np.inf)
    link = (f >= min_hz - 1e-9) & (f <= max_hz + 1e-9)
    if alternate is not None:
        link &= alternate[1:] != alternate[:-1]
    out: list[np.ndarray] = []
    i = 0
    while i < n:
        j = i
        while j < n - 1 and link[j]:
            j += 1
        if j - i + 1 >= min_count:
            out.append(np.arange(i, j + 1))
        i = j + 1
    return out


def episode_rows(kind: str, spans: list[tuple[float, float, str, str, str]],
                 stage_at: Callable[[np.ndarray], np.ndarray]) -> pd.DataFrame:
    """Events-table rows of one kind from spans ``(onset, end, channel, muscle, side)``."""
    cols = ["onset", "duration", "kind", "channel", "muscle", "side", "stage"]
    if not spans:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("onset", "duration") else object)
                             for c in cols})
    on = np.array([s[0] for s in spans], dtype=float)
    end = np.array([s[1] for s in spans], dtype=float)
    return pd.DataFrame({"onset": on, "duration": end - on, "kind": kind,
                         "channel": [s[2] for s in spans], "muscle": [s[3] for s in spans],
                         "side": [s[4] for s in spans], "stage": stage_at(on)})


def join_spans(spans: list[tuple[float, float]], join_s: float) -> list[tuple[float, float]]:
    """Merge (onset, end) spans, sorted by onset, whose gap (end to next onset) is ≤ ``join_s``."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a - out[-1][1] <= join_s + 1e-9:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def channels_of(table: pd.DataFrame) -> str:
    """The channels of an episode, ``+``-joined in order of first appearance."""
    return "+".join(dict.fromkeys(table["channel"].astype(str)))
