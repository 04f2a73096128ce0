"""The model run without signals: stages, events, arousals and the ground truth.

:func:`simulate_events` is what :func:`~somnomotor.simulate.simulate_night`
runs first; the signals are then synthesised from its bursts.  Both use the
same random streams, so the truth of a night is the same whether or not its
signals are made (month-long diaries use the fast path).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..events import SCORED_COLUMNS, make_events
from ..hypnogram import Hypnogram
from .aasm_patterns import aasm_truth_ok, generate_aasm
from .architecture import fragment_hypnogram, generate_hypnogram, wake_to_sleep_transitions
from .bruno import generate_bruno_grm
from .contractions import contraction_truth, generate_contractions
from .control import ControlState, Evening, compute_control
from .muscle_probes import generate_muscle_probes, probe_jerk_groups
from .pattern_truth import (
    RULE_KINDS,
    TRAIN_TRUTH_KINDS,
    aasm_truth_additions,
    mark_trains,
    pattern_truth,
    true_activations,
)
from .patterns import (
    STREAM,
    Generated,
    generate_boundary,
    generate_fm_background,
    generate_fragmentary,
    generate_grm,
    generate_morning,
    generate_myoclonus,
    generate_neck_myoclonus,
    generate_plm,
    generate_propriospinal,
    generate_rbd_limbs,
    generate_rem_content,
    generate_respiratory,
    generate_sleep_starts,
    generate_spontaneous_arousals,
    onset_excess_uv,
    resolve_overlaps,
    rest_factor,
)
from .scenarios import EMG_CHANNELS, resolve_settings

EPOCH_S = 30.0
#: WASM 2016 / AASM: a movement and an arousal are associated when they overlap
#: or less than 0.5 s separates the end of one from the onset of the other (jerks and
#: hypnic jerks here; leg movements get theirs from the scorer's own rule).
AROUSAL_LINK_S = 0.5


@dataclass
class ModelNight:
    """Everything the model decided for one night (no signals)."""

    settings: dict[str, Any]
    evening: Evening
    seed: int
    duration: float
    base_stages: np.ndarray
    hypnogram: Hypnogram
    control: ControlState
    bursts: pd.DataFrame
    truth: pd.DataFrame
    scored: pd.DataFrame
    inserted: pd.DataFrame
    probes: pd.DataFrame
    gaps: list[tuple[float, float]]
    dead: dict[str, float]
    #: The generators' own episodes of the rule-made kinds (``RULE_KINDS``): what they
    #: meant, beside what the rules make of their contractions (``truth``).
    intended: pd.DataFrame


def night_duration(hours: float) -> float:
    """Recording length (s) for ``hours``: a whole number of 30-s epochs, at least one."""
    if not isinstance(hours, int | float) or not np.isfinite(hours) or not 0 < hours <= 24:
        raise ParameterError(f"hours={hours!r}: expected a number above 0 and up to 24")
    return max(1, int(round(hours * 3600.0 / EPOCH_S))) * EPOCH_S


def _merge_intervals(onsets: np.ndarray, durations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not len(onsets):
        return onsets, durations
    order = np.argsort(onsets, kind="stable")
    s, e = onsets[order], onsets[order] + durations[order]
    out_s, out_e = [s[0]], [e[0]]
    for a, b in zip(s[1:], e[1:], strict=True):
        if a <= out_e[-1]:
            out_e[-1] = max(out_e[-1], b)
        else:
            out_s.append(a)
            out_e.append(b)
    so, eo = np.array(out_s), np.array(out_e)
    return so, eo - so


def _flags(on: np.ndarray, dur: np.ndarray, intervals_on: np.ndarray, intervals_dur: np.ndarray,
           before: float, after: float) -> np.ndarray:
    """True where [on, on+dur] overlaps any [i_on - before, i_on + i_dur + after]."""
    if not len(on) or not len(intervals_on):
        return np.zeros(len(on), dtype=bool)
    lo = intervals_on - before
    hi = intervals_on + intervals_dur + after
    return ((on[:, None] <= hi[None, :]) & (on[:, None] + dur[:, None] >= lo[None, :])).any(axis=1)


def _episode_rows(bursts: pd.DataFrame, episodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for ep in episodes:
        if "onset" in ep:
            rows.append({"onset": ep["onset"], "duration": ep["duration"], "kind": ep["kind"],
                         "side": ep["side"]})
            continue
        b = bursts[bursts["group"] == ep["group"]]
        if b.empty:
            continue
        if str(ep.get("source", "")).startswith("aasm_"):
            # ALMA alternates between the legs: with one leg lost (a dying channel) the
            # rest is no ALMA.
            two_legs = ep["kind"] != "alma" or b["channel"].nunique() >= 2
            if two_legs and aasm_truth_ok(ep["kind"], len(b)):
                rows.append({"onset": float(b["onset"].min()),
                             "duration": float((b["onset"] + b["duration"]).max()
                                               - b["onset"].min()),
                             "kind": ep["kind"], "channel": ep["channel"], "side": ep["side"],
                             "muscle": EMG_CHANNELS[ep["channel"]][0] if ep["channel"] else "",
                             "amplitude_uv": float(b["amplitude"].max())})
            continue
        regions = {EMG_CHANNELS[c][2] for c in b["channel"]}
        if ep["kind"] == "grm" and (len(regions) < 2 or len(b) < 3):
            continue
        onset = float(b["onset"].min())
        end = float((b["onset"] + b["duration"]).max())
        channel, side = "", ep["side"]
        if ep["kind"] == "hypnic_jerk":
            sides = set(b["side"])
            if len(b) == 1:
                channel, side = str(b["channel"].iloc[0]), str(b["side"].iloc[0])
            else:
                side = "bilateral" if {"left", "right"} <= sides or len(regions) > 1 \
                    else sorted(sides)[0]
        names = list(dict.fromkeys(b.sort_values("onset", kind="stable")["channel"]))
        if not channel and len(names) == 1:
            channel = str(names[0])
        rows.append({"onset": onset, "duration": end - onset, "kind": ep["kind"],
                     "channel": channel, "side": side,
                     "amplitude_uv": float(b["amplitude"].max()),
                     "channels": ";".join(names) if len(names) > 1 else ""})
    return rows


#: Columns of the inserted leg movements (``ModelNight.inserted``, ``*.inserted.csv``).
INSERTED_COLUMNS: tuple[str, ...] = (
    "onset", "duration", "channel", "side", "amplitude_uv", "onset_excess_uv", "source",
    "intended_series", "boundary",
)
#: WASM 2016 onset rule: the EMG rises 8 µV above the resting level.
ONSET_RISE_UV = 8.0


def _faults(seed: int, s: Mapping[str, Any], total: float
            ) -> tuple[list[tuple[float, float]], dict[str, float]]:
    """Recording gaps (onset, duration) and the time each dying channel dies, from the seed."""
    rng = np.random.default_rng([seed, STREAM["faults"]])
    gaps: list[tuple[float, float]] = []
    for _ in range(int(s["gaps.count"])):
        for _try in range(20):
            d = float(rng.uniform(10.0, 120.0))
            a = float(np.floor(rng.uniform(0.1, 0.9) * max(total - d, 0.0)))
            if d < total and all(a + d + 60.0 < g0 or a > g0 + gd + 60.0 for g0, gd in gaps):
                gaps.append((a, float(np.ceil(d))))
                break
    dead = {ch: float(np.floor(rng.uniform(0.5, 0.9) * total)) for ch in s["artifacts.dead_channels"]}
    return sorted(gaps), dead


def _lost(bursts: pd.DataFrame, gaps: list[tuple[float, float]], dead: Mapping[str, float]
          ) -> np.ndarray:
    """Bursts that touch a gap (±1 s) or lie on a channel after it died: never recorded."""
    on = bursts["onset"].to_numpy(float)
    end = on + bursts["duration"].to_numpy(float)
    lost = np.zeros(len(bursts), dtype=bool)
    for g0, gd in gaps:
        lost |= (on < g0 + gd + 1.0) & (end > g0 - 1.0)
    for ch, t in dead.items():
        lost |= (bursts["channel"].to_numpy() == ch) & (end > t - 1.0)
    return lost


def _leg_truth(inserted: pd.DataFrame, hyp: Hypnogram, scored: pd.DataFrame,
               total: float, gaps: list[tuple[float, float]]) -> pd.DataFrame:
    """The WASM 2016 rules applied to the true leg movements: lm, clm and plm rows.

    A burst is a leg movement when its envelope rises at least 8 µV above the
    resting level; the scorer then merges same-leg LMs < 0.5 s apart, drops
    those < 0.5 s, joins the legs, picks the CLMs and builds the series, as it
    does for detected LMs (:func:`somnomotor.score.legs.score_leg_movements`).
    """
    from ..score.legs import score_leg_movements

    lm = inserted[inserted["onset_excess_uv"] >= ONSET_RISE_UV - 1e-9]
    lms = lm.loc[:, ["onset", "duration", "side", "channel", "amplitude_uv"]].reset_index(drop=True)
    lms.attrs["unscorable"] = list(gaps)
    res = score_leg_movements(lms, hypnogram=hyp, scored_events=scored, recording_duration=total)
    return res.events


def run_model(scenario: str = "polio_mixed", *, hours: float = 8.0, seed: int = 0,
              settings: Mapping[str, Any] | None = None, evening: Evening | None = None,
              resolved: dict[str, Any] | None = None) -> ModelNight:
    """Run the model for one night; see :func:`simulate_events` (this returns more)."""
    s = resolved if resolved is not None else resolve_settings(scenario, settings)
    ev = evening if evening is not None else Evening()
    if not isinstance(ev, Evening):
        raise ParameterError("evening must be a somnomotor.simulate.Evening")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError(f"seed={seed!r}: expected a whole number >= 0")
    seed = int(seed)
    total = night_duration(hours)
    n_ep = int(round(total / EPOCH_S))
    base = generate_hypnogram(n_ep, np.random.default_rng([seed, STREAM["hypnogram"]]), s)
    control = compute_control(base, ev, s)
    gen = Generated()
    transitions = wake_to_sleep_transitions(base)
    generate_plm(seed, base, control, s, total, gen)
    generate_boundary(seed, base, s, total, gen)
    generate_myoclonus(seed, base, control, s, total, gen)
    generate_grm(seed, base, control, s, total, gen)
    generate_sleep_starts(seed, base, transitions, control, s, total, gen)
    generate_propriospinal(seed, base, transitions, s, total, gen)
    generate_bruno_grm(seed, base, control, s, total, gen)
    generate_respiratory(seed, base, s, total, gen)
    generate_spontaneous_arousals(seed, base, s, total, gen)

    # Movements fragment sleep: movement arousals lighten the following epoch.
    mov = [a for a in gen.arousals if a["movement"]]
    stages = fragment_hypnogram(base, np.array([a["onset"] for a in mov]),
                                np.array([a["shift_u"] for a in mov]),
                                s["arousal.stage_shift_prob"])
    rem_rows = generate_rem_content(seed, stages, s, gen)
    generate_rbd_limbs(seed, stages, s, gen)
    generate_morning(seed, stages, s, total, gen)
    generate_fragmentary(seed, stages, s, gen)
    generate_aasm(seed, stages, s, total, gen)
    generate_muscle_probes(seed, stages, s, total, gen)
    generate_fm_background(seed, stages, s, gen)
    generate_neck_myoclonus(seed, stages, s, gen)
    generate_contractions(seed, stages, s, total, gen)

    kept = resolve_overlaps(gen.bursts)
    kept = [b for b in kept if b["onset"] >= 0.0 and b["onset"] + b["duration"] <= total - 0.5]
    bursts = pd.DataFrame(kept, columns=["onset", "duration", "channel", "amplitude", "shape",
                                         "source", "row", "group", "series", "side", "beat",
                                         "plm_side"])
    gaps, dead = _faults(seed, s, total)
    probe_groups = {p["group"] for p in gen.probes}
    lost_groups: set[int] = set()
    if gaps or dead:
        lost = _lost(bursts, gaps, dead)
        lost_groups = set(bursts.loc[lost, "group"]) & probe_groups
        bursts = bursts[~lost].reset_index(drop=True)
    kept_groups = set(bursts["group"]) & probe_groups
    for p in gen.probes:  # a probe is recorded whole, or it does not test its rule
        p["recorded"] = p["group"] in kept_groups and p["group"] not in lost_groups
    hyp = Hypnogram(stages, epoch=EPOCH_S, source="simulator")

    # Scored events: arousals (in sleep, merged) and respiratory events.
    ar_on = np.array([a["onset"] for a in gen.arousals], dtype=float)
    ar_du = np.array([a["duration"] for a in gen.arousals], dtype=float)
    ok = (ar_on >= 0) & (ar_on + ar_du <= total) & np.isin(hyp.stage_at(ar_on), ("N1", "N2", "N3", "R"))
    ar_on, ar_du = _merge_intervals(ar_on[ok], ar_du[ok])
    resp = pd.DataFrame(gen.respiratory, columns=["onset", "duration", "kind", "label"])
    scored = pd.concat([
        pd.DataFrame({"onset": ar_on, "duration": ar_du, "kind": "arousal", "channel": "",
                      "label": "Arousal"}),
        resp.assign(channel=""),
    ], ignore_index=True)
    scored = scored.loc[:, list(SCORED_COLUMNS)].sort_values("onset", kind="stable")
    scored = scored.reset_index(drop=True)
    scored["onset"] = scored["onset"].astype(float)
    scored["duration"] = scored["duration"].astype(float)

    recorded = set(s["channels"])
    rows: list[dict[str, Any]] = []
    # The bursts of a muscle probe outside its limit are no train: each is a jerk.
    jerk_groups = probe_jerk_groups(gen.probes)
    for kind in ("myoclonus", "morning_tonic"):
        sel = bursts[bursts["row"] == kind]
        if kind == "myoclonus" and jerk_groups:
            sel = bursts[(bursts["row"] == kind) | bursts["group"].isin(list(jerk_groups))]
        for b in sel.itertuples(index=False):
            rows.append({"onset": b.onset, "duration": b.duration, "kind": kind,
                         "channel": b.channel, "muscle": EMG_CHANNELS[b.channel][0],
                         "side": b.side, "amplitude_uv": b.amplitude})
    leg = bursts[(bursts["row"] == "lm") & bursts["channel"].isin(recorded)]
    rest = s["noise.rest_uv"] * rest_factor(stages, s["noise.rest_stage_gain"])
    leg_rest = rest[np.clip((leg["onset"].to_numpy(float) // EPOCH_S).astype(int), 0,
                            len(rest) - 1)] if len(leg) else np.zeros(0)
    group_probe = {p["group"]: p["boundary"] for p in gen.probes}
    inserted = pd.DataFrame({
        "onset": leg["onset"].to_numpy(float), "duration": leg["duration"].to_numpy(float),
        "channel": leg["channel"].to_numpy(object), "side": leg["side"].to_numpy(object),
        "amplitude_uv": leg["amplitude"].to_numpy(float),
        "onset_excess_uv": onset_excess_uv(leg["amplitude"].to_numpy(float), leg_rest,
                                          float(s["fs"])),
        "source": leg["source"].to_numpy(object),
        "intended_series": pd.array([int(x) if src == "plm" else None for x, src in
                                     zip(leg["series"], leg["source"], strict=True)],
                                    dtype="Int64"),
        "boundary": [group_probe.get(g, "") for g in leg["group"]],
    }, columns=list(INSERTED_COLUMNS))
    # The muscle patterns: the scorer's rules applied to every true activation, whichever
    # generator made it (pattern_truth.py); the generators' own episodes of these kinds are
    # what they meant (``ModelNight.intended``), not the truth.
    episodes = _episode_rows(bursts, gen.episodes)
    rows.extend(r for r in episodes if r["kind"] not in RULE_KINDS)
    intended = make_events([r for r in episodes if r["kind"] in RULE_KINDS])
    intended = intended[(intended["channel"] == "") | intended["channel"].isin(recorded)]
    # The AASM chapter: the generators' episodes, and those the rules find in the other
    # activations (a chin contraction of the background > 2 s in sleep is tonic bruxism).
    table = true_activations(bursts, hyp, s)
    rows.extend(aasm_truth_additions(table, hyp, s, rows))
    table = mark_trains(table, make_events([r for r in rows if r["kind"] in TRAIN_TRUTH_KINDS]))
    patterns = pattern_truth(table, hyp, listed=rows)
    rows.extend(aasm_truth_additions(table, hyp, s, rows, large=True, other=patterns))
    rows.extend(patterns)
    rows.extend(rem_rows)
    rows.extend(contraction_truth(bursts))
    truth = make_events(rows)
    truth = truth[(truth["channel"] == "") | truth["channel"].isin(recorded)]
    truth = truth.reset_index(drop=True)
    truth["channels"] = [";".join(c for c in x.split(";") if c in recorded) if x else ""
                         for x in truth["channels"]]
    if len(truth):
        truth["stage"] = hyp.stage_at(truth["onset"].to_numpy())
        on, du = truth["onset"].to_numpy(), truth["duration"].to_numpy()
        movement = truth["kind"].isin(["myoclonus", "hypnic_jerk"]).to_numpy()
        truth["arousal"] = movement & _flags(on, du, ar_on, ar_du, AROUSAL_LINK_S, AROUSAL_LINK_S)
    # Leg movements: the rules applied to the true movements (arousal and respiratory
    # association by the scorer's WASM 2016 rules).
    truth = make_events(pd.concat([make_events(truth),
                                   _leg_truth(inserted, hyp, scored, total, gaps)],
                                  ignore_index=True))
    bursts = bursts[bursts["channel"].isin(recorded)].reset_index(drop=True)
    probes = pd.DataFrame(gen.probes, columns=["onset", "duration", "boundary", "value",
                                               "inside", "group", "side", "recorded"])
    probes = probes.astype({"onset": float, "duration": float, "boundary": object, "value": float,
                            "inside": bool, "group": np.int64, "side": object, "recorded": bool})
    return ModelNight(settings=s, evening=ev, seed=seed, duration=total, base_stages=base,
                      hypnogram=hyp, control=control, bursts=bursts, truth=truth, scored=scored,
                      inserted=inserted, probes=probes, gaps=gaps, dead=dead,
                      intended=intended.reset_index(drop=True))


def simulate_events(scenario: str = "polio_mixed", *, hours: float = 8.0, seed: int = 0,
                    settings: Mapping[str, Any] | None = None,
                    evening: Evening | None = None) -> tuple[Hypnogram, pd.DataFrame, pd.DataFrame]:
    """The model's night without signal synthesis (fast): stages, truth, scored events.

    Equals ``simulate_night(...)``'s ``hypnogram``, ``truth`` and ``scored`` for
    the same scenario, hours, seed, settings and evening.

    Parameters
    ----------
    scenario : str
        A name in :data:`~somnomotor.simulate.SCENARIOS`.
    hours : float
        Recording length (h), rounded to whole 30-s epochs.
    seed : int
        Random seed (>= 0).
    settings : mapping, optional
        Setting overrides (``{"damage.leg": 0.8}``); unknown keys raise ParameterError.
    evening : Evening, optional
        The evening's modifiers (alcohol, exertion, warmth, alprazolam).

    Returns
    -------
    (Hypnogram, DataFrame, DataFrame)
        Hypnogram (source ``simulator``), truth events table, scored events
        (arousals, apneas, hypopneas; columns ``events.SCORED_COLUMNS``).

    Examples
    --------
    >>> hyp, truth, scored = simulate_events("polio_plms", hours=1.0, seed=1)
    >>> len(hyp)
    120
    """
    m = run_model(scenario, hours=hours, seed=seed, settings=settings, evening=evening)
    return m.hypnogram, m.truth, m.scored
