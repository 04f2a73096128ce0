"""Generators of the AASM movement chapter: ALMA, hypnagogic foot tremor, bruxism,
rhythmic movements and large muscle group movements, each with its truth episode.

Every pattern is drawn as episodes at a rate per hour (settings ``aasm.*``,
all 0 by default so that the other scenarios are unchanged), gated by stage
(where the literature places it), kept ≥ ``aasm.spacing_s`` apart from one
another, and written as bursts in the channels the rule reads:

* ALMA: 6–16 bursts (0.1–0.5 s) alternating between LAT and RAT at 1–2 Hz
  (AASM v2.6: 0.5–3.0 Hz; Chervin 2003), light NREM and arousals;
* hypnagogic foot tremor: 6–14 bursts (0.15–0.4 s) in one leg at 1–2.5 Hz
  (AASM v2.6: 0.3–4.0 Hz), at wake–sleep transitions and N1–N2;
* bruxism: on the chin channel, phasic (4–8 elevations of 0.4–1.5 s at about
  1 Hz), tonic (one elevation of 3–10 s) or mixed, elevations ≥ 4 × the
  resting level (AASM v2.6: ≥ 2 ×), N1–N2;
* rhythmic movements: 6–20 bursts (0.2–0.4 s) at 0.7–1.6 Hz in the back, neck
  and abdomen together (body rocking; AASM v2.6: 0.5–2.0 Hz), W–N1–N2;
* large movements: 4–30 s of sustained activity in 2–4 channels of arms,
  trunk and neck (IRLSSG 2021: 3–45 s in ≥ 2 channels), W–N1–N2.

A truth episode is written when its bursts survive the overlap rules with
the rule's minimum count (:func:`aasm_truth`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .patterns import Generated, _burst, _stage_at

__all__ = ["AASM_KINDS", "AASM_SOURCES", "generate_aasm", "aasm_truth_ok"]

#: Pattern → (setting of its rate, random stream, stage gate, truth kind).
AASM_KINDS: dict[str, tuple[str, int, dict[str, float], str]] = {
    "alma": ("aasm.alma_per_h", 31, {"W": 0.3, "N1": 1.0, "N2": 1.0, "N3": 0.3, "R": 0.2},
             "alma"),
    "hft": ("aasm.foot_tremor_per_h", 32, {"W": 1.0, "N1": 1.0, "N2": 0.6, "N3": 0.0, "R": 0.0},
            "hypnagogic_foot_tremor"),
    "bruxism": ("aasm.bruxism_per_h", 33, {"W": 0.2, "N1": 1.0, "N2": 1.0, "N3": 0.2,
                                            "R": 0.2}, "bruxism"),
    "rhythmic": ("aasm.rhythmic_per_h", 34, {"W": 1.0, "N1": 1.0, "N2": 0.6, "N3": 0.1,
                                              "R": 0.1}, "rhythmic_movement"),
    "large": ("aasm.large_per_h", 35, {"W": 1.0, "N1": 1.0, "N2": 0.7, "N3": 0.3, "R": 0.2},
              "large_movement"),
}
#: Burst sources of these generators (``patterns.PRIORITY`` ranks them).
AASM_SOURCES: tuple[str, ...] = tuple(f"aasm_{k}" for k in AASM_KINDS)

#: Minimum bursts a truth episode needs after overlaps (the rules' counts).
_MIN_BURSTS = {"alma": 4, "hypnagogic_foot_tremor": 4, "rhythmic_movement": 4}
_LARGE_CHANNELS = ("EMG MFD-l", "EMG MFD-r", "Deltoid L", "Pectoral R", "Rectus Abd",
                   "Paraspinal", "SCM L")
_RHYTHMIC_CHANNELS = ("Paraspinal", "SCM L", "Rectus Abd")


def _episode(kind: str, r: np.random.Generator, t0: float, group: int, rest: float
             ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    src = f"aasm_{kind}"
    bursts: list[dict[str, Any]] = []
    ep: dict[str, Any] = {"kind": AASM_KINDS[kind][3], "source": src, "group": group,
                          "side": "", "channel": ""}
    if kind == "alma":
        n, f = int(r.integers(6, 17)), float(r.uniform(1.0, 2.0))
        first = int(r.integers(0, 2))
        for i in range(n):
            ch = ("LAT", "RAT")[(first + i) % 2]
            d = float(r.uniform(0.1, 0.5)) * min(1.0, 0.9 / f)
            bursts.append(_burst(t0 + i / f + r.uniform(-0.03, 0.03), d, ch,
                                 float(r.uniform(25, 60)), "lm", src, group=group))
        ep["side"] = "bilateral"
    elif kind == "hft":
        n, f = int(r.integers(6, 15)), float(r.uniform(1.0, 2.5))
        ch = ("LAT", "RAT")[int(r.integers(0, 2))]
        for i in range(n):
            d = float(r.uniform(0.15, 0.4)) * min(1.0, 0.8 / f)
            bursts.append(_burst(t0 + i / f, d, ch, float(r.uniform(20, 50)), "lm", src,
                                 group=group))
        ep.update(channel=ch, side="left" if ch == "LAT" else "right")
    elif kind == "bruxism":
        form = ("phasic", "tonic", "mixed")[int(r.choice(3, p=[0.5, 0.3, 0.2]))]
        amp = max(4.0 * rest, float(r.uniform(25, 60)))
        t = t0
        if form in ("tonic", "mixed"):
            d = float(r.uniform(3.0, 10.0))
            bursts.append(_burst(t, d, "Chin1-Chin2", amp, "tonic", src, group=group))
            t += d + 1.0
        if form in ("phasic", "mixed"):
            for _ in range(int(r.integers(4, 9))):
                d = float(r.uniform(0.4, 1.5))
                bursts.append(_burst(t, d, "Chin1-Chin2", amp * r.uniform(0.8, 1.2), "lm", src,
                                     group=group))
                t += d + float(r.uniform(0.4, 0.8))
        ep.update(channel="Chin1-Chin2", side="midline", form=form)
    elif kind == "rhythmic":
        n, f = int(r.integers(6, 21)), float(r.uniform(0.7, 1.6))
        chans = list(_RHYTHMIC_CHANNELS[:int(r.integers(2, 4))])
        for i in range(n):
            d = float(r.uniform(0.2, 0.4))
            for ch in chans:
                bursts.append(_burst(t0 + i / f + r.uniform(0, 0.04), d, ch,
                                     float(r.uniform(30, 70)), "lm", src, group=group))
    else:  # large
        d = float(r.uniform(4.0, 30.0))
        picks = r.choice(len(_LARGE_CHANNELS), size=int(r.integers(2, 5)), replace=False)
        for c in picks:
            lag = float(r.uniform(0.0, 0.5))
            bursts.append(_burst(t0 + lag, d - lag - float(r.uniform(0, 0.5)),
                                 _LARGE_CHANNELS[int(c)], float(r.uniform(20, 50)), "tonic", src,
                                 group=group))
    return bursts, ep


def generate_aasm(seed: int, stages: np.ndarray, settings: Mapping[str, Any], total_s: float,
                  out: Generated) -> None:
    """Episodes of the five AASM-chapter patterns (none at the default rates of 0)."""
    taken: list[tuple[float, float]] = []
    spacing = float(settings["aasm.spacing_s"])
    for ki, (kind, (key, stream, gate, _)) in enumerate(AASM_KINDS.items()):
        rate = float(settings[key])
        if rate <= 0:
            continue
        rng = np.random.default_rng([seed, stream])
        n = rng.poisson(rate * total_s / 3600.0 / 0.6)  # ~60 % pass the stage gate
        starts = rng.uniform(30.0, max(total_s - 90.0, 31.0), size=n)
        u = rng.uniform(size=n)
        for i, t0 in enumerate(starts):
            st = str(_stage_at(stages, np.array([t0]))[0])
            if not u[i] < gate.get(st, 0.0):
                continue
            if any(abs(t0 - a) < spacing + 50.0 or a - 50.0 <= t0 <= b + spacing
                   for a, b in taken):
                continue
            r = np.random.default_rng([seed, stream, i + 1])
            group = 90_000 + 1000 * ki + i  # (other generators use 10_000–59_999)
            bursts, ep = _episode(kind, r, float(t0), group, float(settings["noise.rest_uv"]))
            end = max(b["onset"] + b["duration"] for b in bursts)
            taken.append((float(t0), end))
            out.bursts.extend(bursts)
            out.episodes.append(ep)


def aasm_truth_ok(kind: str, n_bursts: int) -> bool:
    """Whether an episode's surviving bursts still meet the rule's minimum count."""
    return n_bursts >= _MIN_BURSTS.get(kind, 1)
