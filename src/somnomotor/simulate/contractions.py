"""Contractions in the simulator: slow contractions of any muscle, and the contraction truth.

:func:`generate_contractions` adds activations that no named pattern makes — a
slow grasp, a 2-s arm flexion, a 5-s pectoral contraction, a 30-s tonic
stretch — in every EMG channel, with durations log-uniform between
``contractions.min_s`` and ``contractions.max_s`` and envelope amplitudes
log-uniform between ``contractions.amp_lo`` and ``contractions.amp_hi`` times
the channel's resting level at that moment: ``noise.rest_uv``, and on the chin
its stage's own level (electrode noise and tone together, ``chin.rest_uv`` and
``chin.tone_*_uv``), so that a "2x" contraction in a toned wake chin is 2x that
tone and not invisible under it.  Off by default
(``contractions.per_h`` = 0).

:func:`contraction_truth` turns every activation inserted in a channel (jerks,
the bursts of every pattern, LMs, tonic episodes, REM activity, these slow
contractions) into one ``contraction`` truth row: the analysis's base layer.
Activations of one channel closer than ``gap_s`` are one contraction (the
detector's quiet window); fragmentary myoclonus potentials (AASM: ≤ 150 ms,
small, in trains) and activations shorter than ``min_s`` are not contractions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .patterns import Generated, _burst
from .scenarios import EMG_CHANNELS

__all__ = ["CONTRACTION_STREAM", "contraction_truth", "generate_contractions"]

#: Random stream of the slow-contraction generator (after the patterns' streams).
CONTRACTION_STREAM = 40

#: Stage gates: contractions happen mostly awake and in light sleep.
CONTRACTION_GATE = {"W": 1.0, "N1": 0.8, "N2": 0.5, "N3": 0.2, "R": 0.3, "?": 0.0}


def generate_contractions(seed: int, stages: np.ndarray, settings: Mapping[str, Any],
                          total_s: float, out: Generated) -> None:
    """Slow contractions in every EMG channel (module doc); appended to ``out.bursts``."""
    rate = float(settings.get("contractions.per_h", 0.0))
    if rate <= 0:
        return
    rng = np.random.default_rng([seed, CONTRACTION_STREAM])
    n = rng.poisson(rate * total_s / 3600.0 / 0.6)  # thinned by the stage gate below
    t = rng.uniform(5.0, max(total_s - 40.0, 6.0), size=n)
    idx = np.clip((t // 30.0).astype(int), 0, len(stages) - 1)
    keep = rng.uniform(size=n) < np.array([CONTRACTION_GATE.get(str(stages[i]), 0.0) for i in idx])
    lo, hi = float(settings["contractions.min_s"]), float(settings["contractions.max_s"])
    a_lo, a_hi = float(settings["contractions.amp_lo"]), float(settings["contractions.amp_hi"])
    dur = np.exp(rng.uniform(np.log(lo), np.log(hi), size=n))
    gain = np.exp(rng.uniform(np.log(a_lo), np.log(a_hi), size=n))
    labels = [c for c in EMG_CHANNELS if c in set(settings["channels"])] or list(EMG_CHANNELS)
    pick = rng.integers(0, len(labels), size=n)
    for i in np.flatnonzero(keep):
        ch = labels[pick[i]]
        rest = _chin_rest_uv(settings, str(stages[idx[i]])) if EMG_CHANNELS[ch][2] == "chin" \
            else float(settings["noise.rest_uv"])
        amp = float(gain[i]) * rest
        shape = "tonic" if dur[i] >= 5.0 else "phasic"
        out.bursts.append(_burst(t[i], dur[i], ch, amp, shape, "contraction", row=""))


def _chin_rest_uv(settings: Mapping[str, Any], stage: str) -> float:
    """The chin's resting level in ``stage``: electrode noise and the stage's tone (night.py)."""
    tone = {"W": "chin.tone_wake_uv", "R": "chin.tone_rem_uv"}.get(stage, "chin.tone_nrem_uv")
    return float(np.hypot(float(settings["chin.rest_uv"]), float(settings[tone])))


def contraction_truth(bursts: pd.DataFrame, *, gap_s: float = 0.25, min_s: float = 0.0
                      ) -> list[dict[str, Any]]:
    """One ``contraction`` truth row per inserted activation of a channel (module doc)."""
    rows: list[dict[str, Any]] = []
    bursts = bursts[bursts["source"] != "fragmentary"]
    if len(bursts) == 0:
        return rows
    for ch, b in bursts.groupby("channel", sort=True):
        b = b.sort_values("onset")
        on = b["onset"].to_numpy(float)
        end = on + b["duration"].to_numpy(float)
        amp = b["amplitude"].to_numpy(float)
        side = b["side"].to_numpy(object)
        muscle = EMG_CHANNELS[str(ch)][0]
        i = 0
        while i < on.size:
            j, e = i, end[i]
            while j + 1 < on.size and on[j + 1] < e + gap_s:
                j += 1
                e = max(e, end[j])
            if e - on[i] >= min_s:
                rows.append({"onset": float(on[i]), "duration": float(e - on[i]),
                             "kind": "contraction", "channel": str(ch), "muscle": muscle,
                             "side": str(side[i]), "amplitude_uv": float(amp[i:j + 1].max())})
            i = j + 1
    return rows
