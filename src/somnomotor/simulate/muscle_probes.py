"""Muscle probes: trains placed just inside and just outside the AASM movement-chapter limits.

The leg boundary probes (:func:`.patterns.generate_boundary`) test the WASM 2016
leg rules; these test the frequency and count limits of the AASM Manual v2.6
movement rules the analyser applies to the burst table
(:mod:`somnomotor.score.aasm_rules`):

=====================  =========================================  ==============================
class                  what is placed                             rule
=====================  =========================================  ==============================
``hft_low_hz``         6 bursts in one leg at 0.22–0.40 Hz        foot tremor from 0.3 Hz
``hft_high_hz``        6 bursts in one leg at 3.3–4.8 Hz          foot tremor up to 4.0 Hz
``hft_count``          3 or 4 bursts in one leg at 1.0–2.0 Hz     foot tremor: ≥ 4 bursts
``alma_low_hz``        8 bursts alternating legs at 0.40–0.62 Hz  ALMA from 0.5 Hz
``alma_high_hz``       8 bursts alternating legs at 2.4–3.5 Hz    ALMA up to 3.0 Hz
``alma_count``         3 or 4 bursts alternating legs at 1–2 Hz   ALMA: ≥ 4 alternating bursts
``rhythmic_low_hz``    6 bursts in 2–3 trunk channels, 0.40–0.62  rhythmic movement from 0.5 Hz
``rhythmic_high_hz``   5 bursts in 2–3 trunk channels, 1.7–2.4    rhythmic movement up to 2.0 Hz
``rhythmic_count``     3 or 4 bursts in 2–3 trunk channels, ~1 Hz rhythmic movement: ≥ 4
=====================  =========================================  ==============================

Frequencies within :data:`MUSCLE_DEAD_BAND` of a limit are not drawn (the
analyser reads a burst's onset to ~0.02 s, so an interval near the limit is
decided by that jitter).  Burst durations are not a criterion of these rules
(``AasmParams``), so they are kept ordinary: leg bursts 0.12–0.30 s (at most
60 % of the leg's period, and never leaving 0.4–0.6 s of quiet before the leg's
next burst, where the WASM 0.5-s offset rule would be decided by the envelope's
smear), trunk bursts 0.15–0.25 s.

The truth is what the rules make of the train: an ``alma``, ``hypnagogic_foot_tremor``
or ``rhythmic_movement`` episode only when the value is within the limit; an
alternating train too fast for ALMA is, leg by leg, a foot tremor (each leg at
half the alternation rate, ≥ 4 bursts), and the rules say so.  Leg bursts go to
the leg truth like any other (``row="lm"``): bursts < 0.5 s are not LMs, but a
same-leg train whose gaps are < 0.5 s is one LM by the WASM 2016 offset rule,
and the truth has it.

A train outside its limit is no train, but its bursts are still what the
per-channel rules (docs/definitions.md) make of them, and the truth lists that
(:func:`probe_jerk_groups`; the sleep-start and GRM rules by
:mod:`.pattern_truth`, on every activation): every burst (all are
brief, ≤ 0.30 s; bursts of one channel stay > 0.05 s apart, so the burst rule
keeps them apart) is a ``myoclonus`` jerk — leg jerks too short to be LMs
included — and a neck channel's (``SCM L``) a neck-myoclonus jerk; a trunk
beat (2–3 channels within 0.03 s) from 60 s before to 3 min after a wake →
sleep transition is a hypnic jerk (≥ 2 channels within 250 ms), unless an
earlier rule took it.  A regular train alone is no GRM (its inter-movement CV is
~0.01, the rule asks ≥ 0.3), but with other movements among its beats (leg
movements, jerks) the GRM rule may take them all, and the truth says so.  The
bursts of a train within its limit (and of an ALMA train too fast for ALMA,
which is a foot tremor in each leg) belong to the train and are not myoclonus.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .patterns import STREAM, Generated, _burst

__all__ = ["MUSCLE_PROBE_CLASSES", "MUSCLE_DEAD_BAND", "generate_muscle_probes",
           "probe_jerk_groups"]

#: Class → (truth kind, the rule it probes).
MUSCLE_PROBE_CLASSES: dict[str, tuple[str, str]] = {
    "hft_low_hz": ("hypnagogic_foot_tremor", "foot tremor trains from 0.3 Hz (AASM v2.6)"),
    "hft_high_hz": ("hypnagogic_foot_tremor", "foot tremor trains up to 4.0 Hz (AASM v2.6)"),
    "hft_count": ("hypnagogic_foot_tremor", "foot tremor: at least 4 bursts (AASM v2.6)"),
    "alma_low_hz": ("alma", "ALMA from 0.5 Hz (AASM v2.6)"),
    "alma_high_hz": ("alma", "ALMA up to 3.0 Hz (AASM v2.6)"),
    "alma_count": ("alma", "ALMA: at least 4 alternating bursts (AASM v2.6)"),
    "rhythmic_low_hz": ("rhythmic_movement", "rhythmic movement from 0.5 Hz (AASM v2.6)"),
    "rhythmic_high_hz": ("rhythmic_movement", "rhythmic movement up to 2.0 Hz (AASM v2.6)"),
    "rhythmic_count": ("rhythmic_movement", "rhythmic movement: at least 4 movements (AASM v2.6)"),
}
#: Class → (limit, lowest value, highest value); count classes draw 3 or 4 bursts.
_RANGES: dict[str, tuple[float, float, float]] = {
    "hft_low_hz": (0.3, 0.22, 0.40), "hft_high_hz": (4.0, 3.3, 4.8),
    "alma_low_hz": (0.5, 0.40, 0.62), "alma_high_hz": (3.0, 2.4, 3.5),
    "rhythmic_low_hz": (0.5, 0.40, 0.62), "rhythmic_high_hz": (2.0, 1.7, 2.4),
}
#: Half-width (as a fraction of the limit) of the band left out around a frequency limit:
#: 5 % (an onset read to ±0.02 s moves a 0.25-s interval's frequency by ~8 %, a 2-s one's by 1 %).
MUSCLE_DEAD_BAND = 0.05
_TRUNK = ("Paraspinal", "SCM L", "Rectus Abd")
_SOURCE = {"hypnagogic_foot_tremor": "aasm_hft", "alma": "aasm_alma",
           "rhythmic_movement": "aasm_rhythmic"}


def _leg_burst_s(r: np.random.Generator, period: float) -> float:
    """A leg burst's duration (s) for bursts of one leg ``period`` s apart.

    0.12-0.30 s (the analyser's 0.1-s envelope dilutes a shorter burst, which the
    truth's onset rule does not model), at most 60 % of the period, and never
    leaving 0.4-0.6 s of quiet to the leg's next burst: there the WASM 2016
    0.5-s offset rule (one LM or two) would be decided by the envelope's smear.
    """
    d = min(float(r.uniform(0.12, 0.30)), 0.6 * period)
    if 0.4 < period - d < 0.6:
        d = period - 0.6 if period - 0.6 >= 0.12 else min(period - 0.4, 0.8 * period)
    return d


def _value(r: np.random.Generator, cls: str) -> tuple[float, bool]:
    """The probe's value (Hz, or bursts for a count class) and whether it is within the rule."""
    if cls.endswith("_count"):
        n = 4.0 if r.uniform() < 0.5 else 3.0
        return n, n >= 4.0
    lim, lo, hi = _RANGES[cls]
    dead = MUSCLE_DEAD_BAND * lim
    v = float(r.uniform(lo, lim - dead)) if r.uniform() < 0.5 else float(r.uniform(lim + dead, hi))
    return v, (v >= lim) if cls.endswith("_low_hz") else (v <= lim)


def _train(cls: str, r: np.random.Generator, value: float, t0: float, group: int
           ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Bursts of one probe (relative to ``t0``) and the truth episodes the rules make of it."""
    kind = MUSCLE_PROBE_CLASSES[cls][0]
    src = _SOURCE[kind]
    inside_rule = _value_inside(cls, value)
    bursts: list[dict[str, Any]] = []
    episodes: list[dict[str, Any]] = []
    if kind == "hypnagogic_foot_tremor":
        f = value if cls != "hft_count" else float(r.uniform(1.0, 2.0))
        n = int(value) if cls == "hft_count" else 6
        ch = ("LAT", "RAT")[int(r.integers(0, 2))]
        for i in range(n):
            d = _leg_burst_s(r, 1.0 / f)
            bursts.append(_burst(t0 + i / f, d, ch, float(r.uniform(25, 50)), "lm", src,
                                 row="lm", group=group))
        if inside_rule:
            episodes.append({"kind": kind, "source": src, "group": group, "channel": ch,
                             "side": "left" if ch == "LAT" else "right"})
    elif kind == "alma":
        f = value if cls != "alma_count" else float(r.uniform(1.0, 2.0))
        n = int(value) if cls == "alma_count" else 8
        first = int(r.integers(0, 2))
        for i in range(n):
            ch = ("LAT", "RAT")[(first + i) % 2]
            d = _leg_burst_s(r, 2.0 / f)
            # An alternating train too fast for ALMA is a foot tremor in each leg: one
            # group per leg, so that each leg's train is its own truth episode.
            g = group if inside_rule or cls != "alma_high_hz" else group + (first + i) % 2
            bursts.append(_burst(t0 + i / f, d, ch, float(r.uniform(25, 50)), "lm", src,
                                 row="lm", group=g))
        if inside_rule:
            episodes.append({"kind": kind, "source": src, "group": group, "channel": "",
                             "side": "bilateral"})
        elif cls == "alma_high_hz":  # each leg at half the rate (1.6-1.75 Hz), 4 bursts
            for gg, ch in ((group, "LAT"), (group + 1, "RAT")):
                episodes.append({"kind": "hypnagogic_foot_tremor", "source": "aasm_hft",
                                 "group": gg, "channel": ch,
                                 "side": "left" if ch == "LAT" else "right"})
    else:
        f = value if cls != "rhythmic_count" else float(r.uniform(0.8, 1.2))
        n = int(value) if cls == "rhythmic_count" else (5 if cls == "rhythmic_high_hz" else 6)
        chans = list(_TRUNK[:int(r.integers(2, 4))])
        for i in range(n):
            d = float(r.uniform(0.15, 0.25))
            for ch in chans:
                bursts.append(_burst(t0 + i / f + float(r.uniform(0, 0.03)), d, ch,
                                     float(r.uniform(30, 70)), "lm", src, group=group))
        if inside_rule:
            episodes.append({"kind": kind, "source": src, "group": group, "channel": "",
                             "side": ""})
    return bursts, episodes


def _value_inside(cls: str, value: float) -> bool:
    if cls.endswith("_count"):
        return value >= 4.0
    lim = _RANGES[cls][0]
    return value >= lim if cls.endswith("_low_hz") else value <= lim


def generate_muscle_probes(seed: int, stages: np.ndarray, settings: Mapping[str, Any],
                           total_s: float, out: Generated) -> None:
    """``muscle_probes.per_h`` probes an hour, cycling through :data:`MUSCLE_PROBE_CLASSES`.

    Each at a random N1/N2 (or wake) time, at least 60 s from periodic trains,
    leg probes, AASM-chapter episodes and other muscle probes.  The probe goes
    to ``out.probes`` (class in ``boundary``, the frequency or count in
    ``value``, ``inside``), its truth episodes to ``out.episodes``.
    """
    rate = float(settings["muscle_probes.per_h"])
    if rate <= 0:
        return
    n = int(round(rate * total_s / 3600.0))
    classes = list(MUSCLE_PROBE_CLASSES)
    rng = np.random.default_rng([seed, STREAM["muscle_probes"]])
    first = int(rng.integers(len(classes)))
    light = np.flatnonzero(np.isin(stages, ("W", "N1", "N2")))
    if not light.size:
        return
    busy = [(a - 60.0, b + 60.0) for a, b in out.plm_spans]
    busy += [(p["onset"] - 60.0, p["onset"] + p["duration"] + 60.0) for p in out.probes]
    aasm = [b for b in out.bursts if str(b["source"]).startswith("aasm_")]
    busy += [(b["onset"] - 60.0, b["onset"] + b["duration"] + 60.0) for b in aasm]
    for k in range(n):
        cls = classes[(first + k) % len(classes)]
        r = np.random.default_rng([seed, STREAM["muscle_probes"], k + 1])
        value, inside = _value(r, cls)
        placed = None
        for _ in range(40):
            t0 = float(r.choice(light)) * 30.0 + float(r.uniform(0.0, 30.0))
            if t0 < 60.0 or t0 + 40.0 > total_s - 60.0:
                continue
            if any(t0 - 40.0 < b and t0 + 40.0 > a for a, b in busy):
                continue
            placed = t0
            break
        if placed is None:
            continue
        group = 60_000 + 2 * k  # (two groups: an alternating train split by leg)
        bursts, episodes = _train(cls, r, value, placed, group)
        end = max(b["onset"] + b["duration"] for b in bursts)
        busy.append((placed - 60.0, end + 60.0))
        out.bursts.extend(bursts)
        out.episodes.extend(episodes)
        out.probes.append({"onset": placed, "duration": end - placed, "boundary": cls,
                           "value": value, "inside": bool(inside), "group": group,
                           "side": str(bursts[0]["side"]) if cls.startswith("hft_") else ""})


def probe_jerk_groups(probes: list[dict[str, Any]]) -> set[int]:
    """Groups of the muscle probes whose bursts no truth train holds: each burst is a jerk.

    A probe outside its limit is no train (an ALMA train too fast for ALMA excepted:
    it is a foot tremor in each leg), so by the per-channel rules each of its
    brief bursts is ``myoclonus`` (module doc).
    """
    return {int(p["group"]) for p in probes
            if p["boundary"] in MUSCLE_PROBE_CLASSES and not p["inside"]
            and p["boundary"] != "alma_high_hz"}
