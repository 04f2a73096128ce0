"""Morning (final-awakening) activity: sustained contraction after the last sleep epoch.

Polio survivors describe morning rigidity and painful spasms. No published
rule exists (``../shared/docs/domain.md``): we report, per muscle, the seconds
and episodes of tonic (sustained) activity from the final awakening — the end
of the last sleep epoch — to the end of the recording, and the same measure in
the last 10 minutes of sleep before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..hypnogram import Hypnogram

__all__ = ["MorningParams", "final_awakening", "score_morning"]


@dataclass(frozen=True)
class MorningParams:
    """Morning-activity constants (parameters section ``[muscles.morning]``); this project's."""

    last_sleep_window_s: float = 600.0  # the last 10 minutes of sleep
    exclude_regions: tuple[str, ...] = ("chin",)  # chin tone in wake is normal, not a spasm


def final_awakening(hypnogram: Hypnogram) -> float | None:
    """End (s) of the last sleep epoch, or None when the night holds no sleep."""
    last = hypnogram.final_sleep_epoch()
    if last is None:
        return None
    return float(hypnogram.offset + (last + 1) * hypnogram.epoch)


def _clip(on: np.ndarray, end: np.ndarray, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    return np.clip(on, lo, hi), np.clip(end, lo, hi)


def score_morning(bursts: pd.DataFrame, hypnogram: Hypnogram, recording_duration: float,
                  params: MorningParams | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Tonic seconds and episodes per muscle after the final awakening and before it.

    Parameters
    ----------
    bursts : DataFrame
        Burst table of all channels (``onset``, ``duration``, ``tonic``,
        ``channel``, ``muscle``, ``side``, ``region``, ``amplitude_uv``).
    hypnogram : Hypnogram
    recording_duration : float
        Seconds.

    Returns
    -------
    (rows, summary)
        ``morning_tonic`` events (each tonic episode overlapping the window,
        clipped to it, with its channel) and the figures
        ``morning_tonic_seconds`` (summed over channels),
        ``morning_tonic_episodes``, ``morning_tonic_seconds_by_muscle``,
        ``morning_tonic_episodes_by_muscle``, ``last_10min_sleep_tonic_seconds``,
        ``last_10min_sleep_tonic_seconds_by_muscle``, ``morning_window_s``.

    Examples
    --------
    >>> rows, figures = score_morning(bursts, hyp, rec.duration)
    >>> bool(figures["morning_tonic_seconds"] == rows["duration"].sum())
    True
    """
    p = params or MorningParams()
    wake = final_awakening(hypnogram)
    summary: dict[str, Any] = {
        "morning_tonic_seconds": 0.0, "morning_tonic_episodes": 0,
        "morning_tonic_seconds_by_muscle": {}, "morning_tonic_episodes_by_muscle": {},
        "last_10min_sleep_tonic_seconds": 0.0, "last_10min_sleep_tonic_seconds_by_muscle": {},
        "morning_window_s": 0.0,
    }
    if wake is None:
        summary["morning_window_s"] = None
        return pd.DataFrame(), summary
    summary["morning_window_s"] = max(0.0, recording_duration - wake)
    if len(bursts) == 0:
        return pd.DataFrame(), summary
    t = bursts[bursts["tonic"].astype(bool) & ~bursts["region"].isin(p.exclude_regions)]
    if len(t) == 0:
        return pd.DataFrame(), summary
    on = t["onset"].to_numpy(float)
    end = on + t["duration"].to_numpy(float)

    a, b = _clip(on, end, wake, recording_duration)
    after = b > a
    rows = pd.DataFrame({"onset": a[after], "duration": (b - a)[after], "kind": "morning_tonic",
                         "channel": t["channel"].to_numpy()[after],
                         "muscle": t["muscle"].to_numpy()[after],
                         "side": t["side"].to_numpy()[after],
                         "stage": hypnogram.stage_at(a[after]),
                         "amplitude_uv": t["amplitude_uv"].to_numpy(float)[after]})
    secs = pd.Series((b - a)[after], index=t["muscle"].to_numpy()[after])
    by_m = secs.groupby(level=0).sum()
    n_m = secs.groupby(level=0).size()

    a2, b2 = _clip(on, end, max(0.0, wake - p.last_sleep_window_s), wake)
    before = b2 > a2
    secs2 = pd.Series((b2 - a2)[before], index=t["muscle"].to_numpy()[before])
    by_m2 = secs2.groupby(level=0).sum()

    summary.update(
        morning_tonic_seconds=float(secs.sum()),
        morning_tonic_episodes=int(after.sum()),
        morning_tonic_seconds_by_muscle={str(k): float(v) for k, v in by_m.items()},
        morning_tonic_episodes_by_muscle={str(k): int(v) for k, v in n_m.items()},
        last_10min_sleep_tonic_seconds=float(secs2.sum()),
        last_10min_sleep_tonic_seconds_by_muscle={str(k): float(v) for k, v in by_m2.items()},
    )
    return rows, summary
