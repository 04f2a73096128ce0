"""Bruno's patterns as he described them (Bruno 1998), and neck myoclonus (Frauscher 2014).

* :func:`generate_bruno_grm` — generalized random myoclonus as Bruno describes
  it: "brief contractions and even ballistic movements of the arms and legs,
  slow repeated grasping movements of the hands, slow flexion of the arms, and
  contraction of the shoulder and pectoral muscles". Each contraction is in one
  muscle, picked at random over the body (random in place), at irregular
  intervals (random in time); slow grasps last 1–3 s (forearm flexors), arm
  flexions about 2 s, pectoral contractions about 5 s.
* :func:`generate_neck_myoclonus` — brief (< 500 ms) phasic bursts of the neck
  muscles in REM sleep.
* :func:`neck_myoclonus_truth` — the truth rows of ``neck_myoclonus``: every true
  brief burst (a ``myoclonus`` truth row) of a neck channel shorter than 500 ms,
  whatever made it (the kind classifies contractions, as the scorer does).

Arm-only sleep starts (Bruno's patient) need no generator of their own:
``sleep_starts.regions = ("arm",)`` (scenario ``polio_sleep_starts``).

Each generator draws from its own random streams, so nights whose settings
leave them off (the defaults) are unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .control import ControlState
from .patterns import (
    GRM_GATE,
    REGION_CHANNELS,
    Generated,
    _burst,
    _factor_at,
    _gate,
    _stage_at,
)
from .scenarios import EMG_CHANNELS

__all__ = ["BRUNO_CONTRACTIONS", "generate_bruno_grm", "generate_neck_myoclonus",
           "neck_myoclonus_truth"]

#: Random streams of this module (far from :data:`~.patterns.STREAM`'s numbers).
STREAM_BRUNO_GRM = 120
STREAM_NECK = 121

#: Bruno's contractions: name → (weight, duration range s, regions or channels, envelope
#: shape). Jerks and ballistic movements anywhere in the limbs and shoulders; grasps in the
#: forearm flexors; arm flexions in the forearm flexors or the deltoid; pectoral contractions.
BRUNO_CONTRACTIONS: dict[str, tuple[float, tuple[float, float], tuple[str, ...], str]] = {
    "jerk": (0.35, (0.06, 0.25), ("arm", "leg", "shoulder", "chest"), "brief"),
    "ballistic": (0.15, (0.5, 1.5), ("arm", "leg"), "lm"),
    "grasp": (0.2, (1.0, 3.0), ("EMG MFD-l", "EMG MFD-r"), "lm"),
    "flexion": (0.15, (1.6, 2.4), ("EMG MFD-l", "EMG MFD-r", "Deltoid L"), "lm"),
    "pectoral": (0.15, (4.0, 6.0), ("Pectoral R",), "lm"),
}

_NECK_MAX_S = 0.5  # Frauscher 2014: neck myoclonus is < 500 ms


def _pool(spec: tuple[str, ...]) -> tuple[str, ...]:
    """Channels of ``spec`` (region names or channel labels)."""
    out: list[str] = []
    for x in spec:
        out.extend(REGION_CHANNELS.get(x, (x,)) if x in REGION_CHANNELS else (x,))
    return tuple(out)


def generate_bruno_grm(seed: int, stages: np.ndarray, control: ControlState,
                       settings: Mapping[str, Any], total_s: float, out: Generated) -> None:
    """GRM episodes of single-muscle contractions wandering over the body (Bruno 1998).

    Episodes start at up to ``bruno_grm.episodes_per_h`` an hour (thinned by the
    GRM stage gate and the damage of arms, shoulders and legs); each holds
    ``bruno_grm.contractions_mean`` contractions (at least 7), one muscle at a
    time, of the kinds of :data:`BRUNO_CONTRACTIONS`, each starting 0.8 s plus an
    exponential pause (mean 4 s, at most 14 s) after the previous one ends, in
    at least two body regions. Truth: one ``grm`` row per episode; the brief
    jerks are ``myoclonus`` rows too, leg contractions ≥ 0.5 s leg movements.
    """
    rate = float(settings.get("bruno_grm.episodes_per_h", 0.0))
    if rate <= 0:
        return
    names = list(BRUNO_CONTRACTIONS)
    w = np.array([BRUNO_CONTRACTIONS[k][0] for k in names])
    w = w / w.sum()
    regions = ("arm", "shoulder", "leg")
    rng = np.random.default_rng([seed, STREAM_BRUNO_GRM])
    n = rng.poisson(rate * total_s / 3600.0)
    starts = np.sort(rng.uniform(0, total_s, size=n))
    amp_med = float(settings["myoclonus.amplitude_median_uv"]) * 1.3
    mean_n = float(settings.get("bruno_grm.contractions_mean", 10.0))
    for i, t0 in enumerate(starts):
        r = np.random.default_rng([seed, STREAM_BRUNO_GRM, i + 1])
        f = np.mean([_factor_at(control, g, np.array([t0]))[0] for g in regions])
        if not r.uniform() < _gate(GRM_GATE, _stage_at(stages, np.array([t0])))[0] * f:
            continue
        n_c = 7 + int(r.poisson(max(mean_n - 7.0, 0.0)))
        kinds = r.choice(len(names), size=n_c, p=w)
        picks: list[tuple[float, float, str, str]] = []
        t = float(t0)
        for k in kinds:
            _, (lo, hi), spec, shape = BRUNO_CONTRACTIONS[names[k]]
            pool = _pool(spec)
            ch = str(pool[int(r.integers(len(pool)))])
            d = float(r.uniform(lo, hi))
            picks.append((t, d, ch, shape))
            t += d + 0.8 + float(min(r.exponential(4.0), 14.0))
        if len({EMG_CHANNELS[p[2]][2] for p in picks}) < 2:  # random in place: ≥ 2 regions
            first = EMG_CHANNELS[picks[0][2]][2]
            other = [c for c in _pool(("arm", "leg", "shoulder")) if EMG_CHANNELS[c][2] != first]
            picks[-1] = (picks[-1][0], 0.15, other[int(r.integers(len(other)))], "brief")
        if picks[-1][0] + picks[-1][1] > total_s - 3.0:
            continue
        group = 40_000 + i
        for onset, d, ch, shape in picks:
            a = float(np.clip(r.lognormal(np.log(amp_med), 0.4), 20.0, 400.0))
            leg = EMG_CHANNELS[ch][2] == "leg"
            row = "myoclonus" if d < 0.5 else ("lm" if leg else "")
            out.bursts.append(_burst(onset, d, ch, a, shape, "grm", row=row, group=group))
        out.episodes.append({"kind": "grm", "source": "grm", "group": group, "side": "bilateral"})
        if r.uniform() < settings["grm.arousal_prob"]:
            out.arousals.append({"onset": float(picks[0][0]) + 0.5, "duration": 8.0,
                                 "movement": True, "shift_u": float(r.uniform())})


def generate_neck_myoclonus(seed: int, stages: np.ndarray, settings: Mapping[str, Any],
                            out: Generated) -> None:
    """Brief (0.05–0.25 s) neck-muscle bursts in REM, ``neck_myoclonus.per_h_rem`` an hour of REM.

    Their truth rows come from :func:`neck_myoclonus_truth` (they are ``myoclonus``
    rows of a neck channel).
    """
    rate = float(settings.get("neck_myoclonus.per_h_rem", 0.0))
    chans = REGION_CHANNELS.get("neck", ())
    if rate <= 0 or not chans:
        return
    rem = np.flatnonzero(np.asarray(stages) == "R")
    if rem.size == 0:
        return
    rng = np.random.default_rng([seed, STREAM_NECK])
    n = rng.poisson(rate * rem.size * 30.0 / 3600.0)
    ep = rng.choice(rem, size=n)
    t = np.sort(ep * 30.0 + rng.uniform(0.5, 29.0, size=n))
    dur = rng.uniform(0.05, 0.25, size=n)
    amp = np.clip(rng.lognormal(np.log(float(settings["myoclonus.amplitude_median_uv"])), 0.4,
                                size=n), 15.0, 400.0)
    ch_i = rng.integers(len(chans), size=n)
    for k in range(n):
        out.bursts.append(_burst(float(t[k]), float(dur[k]), chans[int(ch_i[k])], float(amp[k]),
                                 "brief", "myoclonus", row="myoclonus"))


def neck_myoclonus_truth(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``neck_myoclonus`` truth rows: the ``myoclonus`` rows of neck channels under 500 ms."""
    return [{**r, "kind": "neck_myoclonus"} for r in rows
            if r.get("kind") == "myoclonus" and r.get("channel") in EMG_CHANNELS
            and EMG_CHANNELS[str(r["channel"])][2] == "neck" and float(r["duration"]) < _NECK_MAX_S]
