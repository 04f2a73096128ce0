"""Sleep architecture: 30-s stages with realistic cycles, and fragmentation by arousals.

A night is: sleep-onset latency (wake), then NREM-REM cycles of about 90 min
(Carskadon & Dement, Principles and Practice of Sleep Medicine, ch. 2) until
the final awakening, then a few minutes of wake before lights-on.  Within a
cycle the order is N1 → N2 → N3 → N2 → R; N3 takes a large share of the first
cycles and vanishes later, REM lengthens from cycle to cycle.  Brief
spontaneous awakenings (W, then N1) are scattered through the night.

Movements then make sleep worse: a movement-related arousal lightens the next
epoch with probability ``arousal.stage_shift_prob`` (N3→N2, N2→N1, R→N1,
N1→W) — the fragmentation Bruno 1998 saw in polio survivors who were unaware
of their movements.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

#: Share of a cycle in REM and N3 by cycle number (0-based); later cycles use the last value.
_REM_SHARE = (0.10, 0.18, 0.24, 0.28, 0.32, 0.34)
_N3_SHARE = (0.40, 0.25, 0.10, 0.04, 0.0, 0.0)

#: One step lighter, for stage shifts caused by arousals.
LIGHTER: dict[str, str] = {"N3": "N2", "N2": "N1", "R": "N1", "N1": "W", "W": "W", "?": "?"}


def generate_hypnogram(n_epochs: int, rng: np.random.Generator,
                       settings: Mapping[str, Any]) -> np.ndarray:
    """Stages (``<U2``) for ``n_epochs`` 30-s epochs of one night.

    Parameters
    ----------
    n_epochs : int
        Number of 30-s epochs from lights-off to the end of the recording.
    rng : numpy Generator
        The architecture's own random stream.
    settings : mapping
        Resolved settings (``sleep.*``).

    Returns
    -------
    ndarray of str
        ``W N1 N2 N3 R`` per epoch; starts and ends in wake when long enough.

    Examples
    --------
    >>> from somnomotor.simulate.scenarios import DEFAULTS
    >>> st = generate_hypnogram(960, np.random.default_rng(0), DEFAULTS)
    >>> str(st[0]), str(st[-1]), bool((st == "R").any() and (st == "N3").any())
    ('W', 'W', True)
    """
    stages = np.full(n_epochs, "W", dtype="<U2")
    if n_epochs < 4:
        return stages
    sol = int(round(rng.lognormal(np.log(max(settings["sleep.onset_latency_min"], 0.5)), 0.4) * 2))
    sol = int(np.clip(sol, 1, max(1, n_epochs // 10)))
    final = int(round(settings["sleep.final_wake_min"] * 2 * rng.uniform(0.7, 1.3)))
    final = int(np.clip(final, 1, max(1, n_epochs // 10)))
    i, end, k = sol, n_epochs - final, 0
    while i < end:
        length = int(round(np.clip(rng.normal(settings["sleep.cycle_min"], 10.0),
                                   0.6 * settings["sleep.cycle_min"],
                                   1.4 * settings["sleep.cycle_min"]) * 2))
        length = max(length, 6)
        rem = int(round(length * _REM_SHARE[min(k, 5)] * rng.uniform(0.7, 1.3)))
        n3 = int(round(length * _N3_SHARE[min(k, 5)] * rng.uniform(0.7, 1.3)))
        n1 = int(rng.integers(2, 7)) if k == 0 else int(rng.integers(1, 4))
        n2 = max(length - rem - n3 - n1, 2)
        n2a = max(1, int(round(n2 * (0.55 if n3 else 0.5))))
        for stage, count in (("N1", n1), ("N2", n2a), ("N3", n3), ("N2", n2 - n2a), ("R", rem)):
            j = min(i + count, end)
            stages[i:j] = stage
            i = j
            if i >= end:
                break
        k += 1
    # Brief spontaneous awakenings in sleep: W (1-2 epochs) then N1 (1-2 epochs).
    sleep_idx = np.flatnonzero(stages[sol:end] != "W") + sol
    n_wake = rng.poisson(settings["sleep.awakenings_per_h"] * len(sleep_idx) / 120.0)
    if len(sleep_idx) > 8 and n_wake:
        at = np.sort(rng.choice(sleep_idx[2:-4], size=min(n_wake, len(sleep_idx) // 8),
                                replace=False))
        w_len = rng.geometric(0.5, size=at.size)
        n1_len = rng.integers(1, 3, size=at.size)
        for a, wl, nl in zip(at, w_len, n1_len, strict=True):
            stages[a:min(a + wl, end)] = "W"
            stages[min(a + wl, end):min(a + wl + nl, end)] = "N1"
    # Brief lightening to N1 inside N2 (about 3 per hour of N2).
    in_n2 = np.flatnonzero(stages == "N2")
    n_light = int(rng.poisson(3.0 * in_n2.size / 120.0))
    if n_light and in_n2.size:
        stages[rng.choice(in_n2, size=min(n_light, in_n2.size), replace=False)] = "N1"
    return stages


def wake_to_sleep_transitions(stages: np.ndarray) -> np.ndarray:
    """Epoch indices where sleep begins after wake (sleep onset and each re-entry)."""
    st = np.asarray(stages)
    sleep = st != "W"
    return np.flatnonzero(sleep[1:] & ~sleep[:-1]) + 1


def fragment_hypnogram(stages: np.ndarray, arousal_onsets: np.ndarray,
                       shift_draws: np.ndarray, shift_prob: float,
                       epoch_s: float = 30.0) -> np.ndarray:
    """Lighten the epoch after each movement-related arousal with probability ``shift_prob``.

    ``shift_draws`` are the arousals' uniform draws (fixed per arousal, so more
    arousals never change the fate of the others).  Epochs before sleep onset
    and after the final awakening are left alone.

    Examples
    --------
    >>> st = np.array(["W", "N2", "N2", "N2", "W"])
    >>> fragment_hypnogram(st, np.array([40.0]), np.array([0.1]), 0.5).tolist()
    ['W', 'N2', 'N1', 'N2', 'W']
    """
    out = np.asarray(stages).copy()
    sleep = np.flatnonzero(out != "W")
    if not sleep.size or not len(arousal_onsets):
        return out
    first, last = sleep[0], sleep[-1]
    nxt = np.floor(np.asarray(arousal_onsets) / epoch_s).astype(int) + 1
    hit = (np.asarray(shift_draws) < shift_prob) & (nxt > first) & (nxt < last)
    for e in np.unique(nxt[hit]):
        out[e] = LIGHTER.get(str(out[e]), str(out[e]))
    return out
