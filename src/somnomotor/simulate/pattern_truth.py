"""The muscle patterns' truth: the scorer's pattern rules applied to the true activations.

A generator that makes a pattern (a GRM episode, a sleep start, a propriospinal
episode) does not own it: the contractions of every generator — the random
slow contractions of ``contractions.*`` too — are one set of activations, and a
pattern is in the truth when the rules of :mod:`somnomotor.score.patterns` find
it in that set, whichever generator made its contractions.  So random
contractions that happen to wander over two regions at irregular intervals are a
GRM episode in the truth (that is the rule: Bruno 1998, docs/definitions.md),
and a generated episode the rule rejects is not.  This is how the leg truth is
built (WASM 2016 applied to the inserted leg movements, ``model._leg_truth``).

The table the rules read (:func:`true_activations`) is the recorded channels'
activations, one row per burst the model inserted: onset, duration, peak
amplitude above rest, its channel's muscle, side and region, and the stage.
What the analyser's table tells apart, this one tells apart the same way:

* ``burst`` — a jerk reaches the burst onset level: the envelope's rise the
  onset rule reads (:func:`~.patterns.onset_excess_uv`) is ≥ 8 µV and ≥ 2× the
  resting level (``detect.bursts.BurstParams``); weaker contractions are
  contractions but no jerks (no GRM movement, no sleep start, no myoclonus);
* ``tonic`` — sustained, ≥ 5 s (the burst detector's ``tonic_min_s``);
* trains — the bursts of a true ALMA, foot-tremor or rhythmic-movement episode
  belong to the train, not to GRM, sleep starts or myoclonus, as in
  ``score_muscles``;
* fragmentary myoclonus potentials (≤ 150 ms, in runs of minutes) are left out,
  as in the contraction truth: they are counted by their own rule.

:func:`pattern_truth` then runs, in the scorer's order, propriospinal myoclonus,
GRM (leaving out the propriospinal jerks, the trains and what is no jerk) and
hypnic jerks (leaving out both), adds ``myoclonus`` rows for the jerks no
generator listed (a brief background contraction: ≤ 0.4 s, a jerk, not a jaw or
chin muscle, not a propriospinal jerk or a train's burst), and makes every
``neck_myoclonus`` row: a neck jerk under 500 ms (Frauscher 2014), neither a
propriospinal jerk nor a train's burst.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..detect.bursts import BurstParams
from ..hypnogram import Hypnogram
from .contractions import _chin_rest_uv
from .patterns import REST_MEDIAN_RATIO, rest_factor, rest_seen_uv
from .scenarios import EMG_CHANNELS

__all__ = ["AASM_TRUTH_KINDS", "RULE_KINDS", "TRAIN_TRUTH_KINDS", "aasm_truth_additions",
           "mark_trains", "pattern_truth", "true_activations"]

#: The kinds whose truth is made here (by the rules), not by the generators' episodes.
RULE_KINDS: frozenset[str] = frozenset({"propriospinal_myoclonus", "grm", "hypnic_jerk"})
#: Truth kinds whose bursts are a train's (score_muscles: parts inside a train episode).
TRAIN_TRUTH_KINDS: tuple[str, ...] = ("hypnagogic_foot_tremor", "alma", "rhythmic_movement")
#: The AASM-chapter kinds: the generators' episodes (checked by their rule) stay, and the
#: rules on every activation add the episodes no generator made (:func:`aasm_truth_additions`).
AASM_TRUTH_KINDS: tuple[str, ...] = ("bruxism", "rhythmic_movement", "alma",
                                     "hypnagogic_foot_tremor", "large_movement")
#: Burst sources that are no contraction of the pattern rules (their own rule counts them).
_NOT_ACTIVATIONS = ("fragmentary",)
#: The burst detector's onset level (8 µV and 2× rest) and its sustained-activity
#: duration (5 s): its own defaults, one source.
_BURSTS = BurstParams()
#: The burst envelope's peak over an activation, per µV of its amplitude, by its duration:
#: the ~15-ms envelope of a contraction fluctuates, and the longer the contraction the
#: higher its highest fluctuation reaches; a brief one ends before its ramps reach the
#: plateau.  Measured with the analyser's own conditioning and burst detector
#: (``pipeline.detect_channels``, parts flagged ``burst``) on 5,700 isolated random
#: contractions (``contractions.*``, 240/h, 2–30× rest, trunk ECG 3–5×) of 16 2-h
#: ``healthy`` nights, seeds 150–165: per duration bin, the amplitude found as a jerk
#: half the time is 8 µV / gain.  Duration (s, bin centres) → gain.
JERK_PEAK_GAIN: tuple[tuple[float, ...], tuple[float, ...]] = (
    (0.115, 0.15, 0.195, 0.26, 0.35, 0.47, 0.64, 0.87, 1.18, 1.67, 2.45),
    (0.48, 0.68, 0.97, 1.25, 1.36, 1.61, 1.75, 1.77, 1.82, 1.95, 2.15))


def jerk_peak_uv(amplitude: np.ndarray, duration: np.ndarray) -> np.ndarray:
    """What the burst envelope shows above rest at its peak (:data:`JERK_PEAK_GAIN`)."""
    d, g = (np.log(np.asarray(x, dtype=float)) for x in JERK_PEAK_GAIN)
    gain = np.exp(np.interp(np.log(np.maximum(np.asarray(duration, dtype=float), 1e-3)), d, g))
    return np.asarray(amplitude, dtype=float) * gain


def true_activations(bursts: pd.DataFrame, hyp: Hypnogram, settings: Mapping[str, Any],
                     trains: pd.DataFrame | None = None) -> pd.DataFrame:
    """The pattern rules' table of the recorded activations (module doc).

    ``bursts`` is the model's burst table (``ModelNight.bursts`` columns);
    ``trains`` the truth rows of the train kinds (ALMA, foot tremor, rhythmic
    movement), whose bursts are marked ``train``.  ``rest_uv`` is the resting
    level the analyser measures; a chin's is its stage's own (electrode noise and
    tone), the level its contractions are drawn against.
    """
    recorded = set(settings["channels"]) & set(EMG_CHANNELS)
    b = bursts[bursts["channel"].isin(recorded) & ~bursts["source"].isin(_NOT_ACTIVATIONS)]
    b = b.sort_values("onset", kind="stable").reset_index(drop=True)
    on = b["onset"].to_numpy(float)
    dur = b["duration"].to_numpy(float)
    amp = b["amplitude"].to_numpy(float)
    ch = b["channel"].astype(str).to_numpy()
    stages = hyp.stages
    if len(stages):
        rest = float(settings["noise.rest_uv"]) * rest_factor(stages,
                                                              float(settings["noise.rest_stage_gain"]))
        r = rest[np.clip((on // hyp.epoch).astype(int), 0, len(rest) - 1)]
    else:
        r = np.full(on.size, float(settings["noise.rest_uv"]))
    fs = float(settings["fs"])
    seen = REST_MEDIAN_RATIO * rest_seen_uv(r, fs)  # the analyser's resting level
    # A jerk: the burst envelope's peak reaches the onset level, whatever the duration.
    jerk = jerk_peak_uv(amp, dur) >= np.maximum(_BURSTS.onset_uv, _BURSTS.onset_factor * seen)
    region = np.array([EMG_CHANNELS[c][2] for c in ch], dtype=object)
    chin = region == "chin"
    if chin.any():
        st = hyp.stage_at(on[chin]) if len(stages) else np.full(int(chin.sum()), "?")
        seen[chin] = [_chin_rest_uv(settings, str(x)) for x in st]
    table = pd.DataFrame({
        "onset": on, "duration": dur, "amplitude_uv": amp, "rest_uv": seen,
        "tonic": dur >= _BURSTS.tonic_min_s, "channel": ch,
        "muscle": [EMG_CHANNELS[c][0] for c in ch], "side": b["side"].astype(str).to_numpy(),
        "region": region, "stage": hyp.stage_at(on) if on.size else np.zeros(0, dtype=object),
        "burst": jerk,
        "train": np.zeros(on.size, dtype=bool), "row": b["row"].astype(str).to_numpy(),
    })
    return mark_trains(table, trains)


def mark_trains(table: pd.DataFrame, trains: pd.DataFrame | None) -> pd.DataFrame:
    """``table`` with ``train`` true for the bursts inside a train episode of ``trains``
    (:func:`somnomotor.score.muscles.train_labels`, the scorer's own marking)."""
    from ..score.aasm_rules import AasmParams
    from ..score.muscles import train_labels

    table = table.copy()
    episodes = ({k: trains[trains["kind"] == k] for k in TRAIN_TRUTH_KINDS}
                if trains is not None and len(trains) else {})
    table["train"] = train_labels(table["onset"].to_numpy(float),
                                  table["region"].to_numpy(object), episodes,
                                  AasmParams()) != ""
    return table


def pattern_truth(table: pd.DataFrame, hyp: Hypnogram,
                  listed: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """``propriospinal_myoclonus``, ``grm``, ``hypnic_jerk`` and ``neck_myoclonus`` truth
    rows, and the ``myoclonus`` rows of jerks no generator listed (``listed``: the
    truth's ``myoclonus`` rows so far): the rules on ``table``
    (:func:`true_activations`), in the scorer's order (module doc)."""
    from ..score.muscles import MuscleParams, jerk_patterns
    from ..score.myoclonus import myoclonus_mask
    from ..score.patterns import PatternParams, neck_myoclonus_mask

    pp = PatternParams()
    mp = MuscleParams()
    pb = table[~table["region"].isin(pp.exclude_regions)].reset_index(drop=True)
    if len(pb) == 0:
        return []
    prop, _, grm, _, hj, _, not_myo = jerk_patterns(
        pb, hyp, pp, jerk=pb["burst"].to_numpy(bool), in_train=pb["train"].to_numpy(bool))
    rows: list[dict[str, Any]] = []
    for t in (prop, grm, hj):
        if len(t):
            rows.extend(t.drop(columns=["stage"]).to_dict("records"))
    # Jerks no generator listed (a random contraction) that the myoclonus rule takes; the
    # generators list their own jerks (and the bursts of a probe outside its limit).
    keys = {(round(float(r["onset"]), 6), str(r["channel"])) for r in listed or ()
            if r["kind"] == "myoclonus"}
    new = np.array([(round(float(o), 6), str(c)) not in keys
                    for o, c in zip(pb["onset"], pb["channel"], strict=True)], dtype=bool)
    myo = (myoclonus_mask(pb, exclude_muscles=mp.myoclonus_exclude_muscles,
                          max_s=mp.myoclonus_max_s) & ~not_myo & new)
    # Neck myoclonus (Frauscher 2014): every neck jerk under 500 ms, not a propriospinal
    # jerk's nor a train's, whatever made it (score_muscles' ``neck_ok``).
    neck = neck_myoclonus_mask(pb, pp) & ~not_myo
    for kind, sel in (("myoclonus", myo), ("neck_myoclonus", neck)):
        for r in pb[sel].itertuples(index=False):
            rows.append({"onset": float(r.onset), "duration": float(r.duration), "kind": kind,
                         "channel": str(r.channel), "muscle": str(r.muscle),
                         "side": str(r.side), "amplitude_uv": float(r.amplitude_uv)})
    return rows


def _overlaps(on: float, end: float, rows: list[dict[str, Any]]) -> bool:
    return any(on <= float(r["onset"]) + float(r["duration"]) and float(r["onset"]) <= end
               for r in rows)


def aasm_truth_additions(table: pd.DataFrame, hyp: Hypnogram, settings: Mapping[str, Any],
                         existing: list[dict[str, Any]], *, large: bool = False,
                         other: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """AASM-chapter episodes the rules find in the true activations that overlap no truth
    row of their kind in ``existing`` (the generators' own, checked by their rule).

    Without ``large``: bruxism (the jaw's activations against their stage's chin level),
    rhythmic movements, ALMA and foot tremor.  With ``large``: large movements, which
    must not overlap the trains, bruxism, and ``other`` (GRM and propriospinal rows).
    """
    from ..events import make_events
    from ..score.aasm_movements import score_aasm_episodes
    from ..score.aasm_rules import AasmParams
    from ..score.large_movements import score_large_movements

    p = AasmParams()
    labels = [c for c in EMG_CHANNELS if c in set(settings["channels"])]
    available = pd.DataFrame({"channel": labels,
                              "muscle": [EMG_CHANNELS[c][0] for c in labels],
                              "side": [EMG_CHANNELS[c][1] for c in labels],
                              "region": [EMG_CHANNELS[c][2] for c in labels]})
    t = table.drop(columns=["burst", "train", "row"]).reset_index(drop=True)
    if large:
        ctx = [r for r in [*existing, *(other or [])]
               if r["kind"] in (*TRAIN_TRUTH_KINDS, "bruxism", *RULE_KINDS)]
        found, _ = score_large_movements(t, hyp, p, available=available,
                                         other=make_events(ctx) if ctx else None)
        tables = [found]
    else:
        jaw = t[t["muscle"].isin(p.bruxism_muscles)]
        tables, _ = score_aasm_episodes(t, hyp, p, available=available, jaw=jaw)
    out: list[dict[str, Any]] = []
    for found in tables:
        if not len(found):
            continue
        for r in found.drop(columns=["stage"], errors="ignore").to_dict("records"):
            same = [e for e in existing if e["kind"] == r["kind"]]
            if not _overlaps(float(r["onset"]), float(r["onset"]) + float(r["duration"]), same):
                out.append(r)
    return out
