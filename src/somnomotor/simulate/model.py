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
from .architecture import fragment_hypnogram, generate_hypnogram, wake_to_sleep_transitions
from .control import ControlState, Evening, compute_control
from .patterns import (
    STREAM,
    Generated,
    generate_fragmentary,
    generate_grm,
    generate_morning,
    generate_myoclonus,
    generate_plm,
    generate_propriospinal,
    generate_rbd_limbs,
    generate_rem_content,
    generate_respiratory,
    generate_sleep_starts,
    generate_spontaneous_arousals,
    resolve_overlaps,
)
from .scenarios import EMG_CHANNELS, resolve_settings

EPOCH_S = 30.0
#: WASM 2016: a CLM is respiratory-related when it overlaps the window from
#: 2.0 s before to 10.25 s after the end of a respiratory event.
RESP_WINDOW_BEFORE_END_S = 2.0
RESP_WINDOW_AFTER_END_S = 10.25
#: WASM 2016 / AASM: a movement and an arousal are associated when they overlap
#: or less than 0.5 s separates the end of one from the onset of the other.
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
        rows.append({"onset": onset, "duration": end - onset, "kind": ep["kind"],
                     "channel": channel, "side": side,
                     "amplitude_uv": float(b["amplitude"].max())})
    return rows


def _plm_rows(bursts: pd.DataFrame) -> list[dict[str, Any]]:
    """One row per periodic movement: the union of its leg bursts."""
    plm = bursts[bursts["source"] == "plm"]
    if plm.empty:
        return []
    g = plm.assign(end=plm["onset"] + plm["duration"]).groupby(["series", "beat"], sort=True)
    agg = g.agg(onset=("onset", "min"), end=("end", "max"), amplitude=("amplitude", "max"),
                legs=("channel", "size"), channel=("channel", "first"),
                side=("plm_side", "first"))
    return [{"onset": r.onset, "duration": r.end - r.onset, "kind": "plm",
             "channel": r.channel if r.legs == 1 else "", "muscle": "tibialis_anterior",
             "side": r.side, "amplitude_uv": r.amplitude, "series": int(series)}
            for (series, _beat), r in zip(agg.index, agg.itertuples(index=False), strict=True)]


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
    generate_myoclonus(seed, base, control, s, total, gen)
    generate_grm(seed, base, control, s, total, gen)
    generate_sleep_starts(seed, base, transitions, control, s, total, gen)
    generate_propriospinal(seed, base, transitions, s, total, gen)
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

    kept = resolve_overlaps(gen.bursts)
    kept = [b for b in kept if b["onset"] >= 0.0 and b["onset"] + b["duration"] <= total - 0.5]
    bursts = pd.DataFrame(kept, columns=["onset", "duration", "channel", "amplitude", "shape",
                                         "source", "row", "group", "series", "side", "beat",
                                         "plm_side"])
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
    for kind in ("lm", "myoclonus", "morning_tonic"):
        sel = bursts[bursts["row"] == kind]
        for b in sel.itertuples(index=False):
            rows.append({"onset": b.onset, "duration": b.duration, "kind": kind,
                         "channel": b.channel, "muscle": EMG_CHANNELS[b.channel][0],
                         "side": b.side, "amplitude_uv": b.amplitude,
                         "series": b.series if b.source == "plm" else None})
    rows.extend(_plm_rows(bursts))
    rows.extend(_episode_rows(bursts, gen.episodes))
    rows.extend(rem_rows)
    truth = make_events(rows)
    truth = truth[(truth["channel"] == "") | truth["channel"].isin(recorded)]
    truth = truth.reset_index(drop=True)
    if len(truth):
        truth["stage"] = hyp.stage_at(truth["onset"].to_numpy())
        on, du = truth["onset"].to_numpy(), truth["duration"].to_numpy()
        movement = truth["kind"].isin(["lm", "plm", "myoclonus", "hypnic_jerk"]).to_numpy()
        truth["arousal"] = movement & _flags(on, du, ar_on, ar_du, AROUSAL_LINK_S, AROUSAL_LINK_S)
        r_end = resp["onset"].to_numpy(float) + resp["duration"].to_numpy(float)
        legs = truth["kind"].isin(["lm", "plm"]).to_numpy()
        truth["respiratory"] = legs & _flags(on, du, r_end, np.zeros_like(r_end),
                                             RESP_WINDOW_BEFORE_END_S, RESP_WINDOW_AFTER_END_S)
    truth = make_events(truth)
    bursts = bursts[bursts["channel"].isin(recorded)].reset_index(drop=True)
    return ModelNight(settings=s, evening=ev, seed=seed, duration=total, base_stages=base,
                      hypnogram=hyp, control=control, bursts=bursts, truth=truth, scored=scored)


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
