"""Leg movements → candidate LMs → PLM series, with their figures (WASM 2016 / AASM).

:func:`score_leg_movements` takes monolateral leg movements (detected from the
tibialis EMG by :mod:`somnomotor.detect.legs`, or marked by a technician) and
applies the rules of :mod:`somnomotor.score.leg_rules` in the order the
standards give them:

1. same-leg merging (< 0.5 s apart) and the 0.5-s minimum duration;
2. bilateral combination (WASM: overlap or < 0.5 s apart; AASM: onsets < 5 s);
3. candidate LMs (WASM: monolateral 0.5–10 s, bilateral 0.5–15 s of ≤ 4 LMs
   none > 10 s; AASM: 0.5–10 s);
4. respiratory association (WASM: −2.0/+10.25 s around the event's end;
   AASM: ±0.5 s around the event) — removed before building series by
   default, or breaking the series (``respiratory_handling="break"``);
5. PLM series on the whole recording, wake and sleep alike (WASM: ≥ 4 CLMs,
   IMI 10–90 s; AASM: ≥ 4 LMs, IMI 5–90 s);
6. arousal association (overlap or < 0.5 s gap, either order) and the stage
   of the 30-s epoch holding each onset;
7. counts and indices; every PLM figure also with respiratory-related
   movements kept (``*_incl_resp``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..detect.legs import SAME_LEG_GAP_S
from ..errors import InputError, ParameterError
from ..events import empty_events, make_events
from ..hypnogram import SLEEP_STAGES, Hypnogram
from ..params import param
from . import leg_rules as R
from .base import ScoreResult

__all__ = ["LegParams", "score_leg_movements", "RESPIRATORY_KINDS", "LEG_SUMMARY_KEYS",
           "validate_lms"]

RESPIRATORY_KINDS: tuple[str, ...] = ("apnea", "hypopnea", "rera")

#: PLM figures written twice: as is and with the suffix ``_incl_resp``.
_PLM_KEYS: tuple[str, ...] = (
    "plm_count", "plms_count", "plmw_count", "plm_index", "plms_index", "plmw_index",
    "plms_arousal_count", "plms_arousal_index", "periodicity_index", "plm_series_count",
    "plms_index_by_stage",
)

#: Every summary key :func:`score_leg_movements` writes (always present).
LEG_SUMMARY_KEYS: tuple[str, ...] = (
    "lm_count", "lm_index", "lm_movement_count", "lm_movement_index", "clm_count",
    "clm_index", "clm_respiratory_count",
    *_PLM_KEYS, *(f"{k}_incl_resp" for k in _PLM_KEYS),
    "leg_index_basis", "index_basis", "leg_rule_set", "leg_respiratory_handling",
    "leg_channels_present", "leg_unscorable_min",
    # the denominators of the indices, and the scorings that were read and used
    "leg_index_hours", "plmw_denominator_min", "scored_events_read", "respiratory_event_count",
    "arousal_count", "ahi", "arousal_index", "lm_excluded_respiratory_count",
)


@dataclass(frozen=True)
class LegParams:
    """Constants of leg-movement scoring (TOML section ``[legs]``).

    Defaults are WASM 2016 (Ferri et al., Sleep Med 26:86–95, 2016; Table 3
    of PMC9619152); ``rule_set = "aasm"`` switches to the AASM manual v2.6
    (the ``aasm_*`` fields).
    """

    rule_set: str = param("wasm2016", choices=("wasm2016", "aasm"))  # "wasm2016" | "aasm"
    # "remove": respiratory-related CLMs are taken out before series are built (as in
    # PLMScoRe, by a WASM co-author); "break": they end a run.  WASM 2016 does not say.
    respiratory_handling: str = param("remove", choices=("remove", "break"))
    min_lm_s: float = param(0.5, below="clm_max_s")  # WASM 2016 and AASM: minimum LM duration
    same_leg_gap_s: float = SAME_LEG_GAP_S  # WASM 2016: same-leg LMs < 0.5 s apart are one LM
    bilateral_gap_s: float = 0.5  # WASM 2016: overlap or < 0.5 s → one bilateral LM
    clm_max_s: float = 10.0  # WASM 2016: monolateral CLM 0.5–10 s
    bilateral_clm_max_s: float = 15.0  # WASM 2016: bilateral CLM 0.5–15 s
    bilateral_max_members: int = param(4, lo=1)  # WASM 2016: joins ≤ 4 monolateral LMs
    bilateral_member_max_s: float = 10.0  # WASM 2016: none of them > 10 s
    imi_min_s: float = param(10.0, below="imi_max_s")  # WASM 2016: IMI 10–90 s (onset to onset)
    imi_max_s: float = 90.0
    min_series_length: int = param(4, lo=2)  # WASM 2016 and AASM: ≥ 4 consecutive movements
    resp_before_end_s: float = 2.0  # WASM 2016: window from 2.0 s before the event end…
    resp_after_end_s: float = 10.25  # …to 10.25 s after it
    arousal_gap_s: float = 0.5  # WASM 2016 and AASM: overlap or < 0.5 s either order
    periodicity_min_run: int = param(3, lo=1)  # Ferri 2006: runs of ≥ 3 IMIs of 10–90 s
    aasm_bilateral_onset_s: float = 5.0  # AASM: both legs' onsets < 5 s apart → one LM
    aasm_max_lm_s: float = 10.0  # AASM: LM 0.5–10 s
    aasm_imi_min_s: float = param(5.0, below="aasm_imi_max_s")  # AASM: IMI 5–90 s
    aasm_imi_max_s: float = 90.0
    aasm_resp_margin_s: float = 0.5  # AASM: from 0.5 s before to 0.5 s after the event

    def __post_init__(self) -> None:
        if self.rule_set not in ("wasm2016", "aasm"):
            raise ValueError(f"rule_set must be 'wasm2016' or 'aasm', not {self.rule_set!r}")
        if self.respiratory_handling not in ("remove", "break"):
            raise ValueError("respiratory_handling must be 'remove' or 'break', "
                             f"not {self.respiratory_handling!r}")
        if self.min_series_length < 2:
            raise ValueError("min_series_length must be at least 2")


_LM_INPUT_COLUMNS = ("onset", "duration", "side")


def validate_lms(lms: pd.DataFrame) -> pd.DataFrame:
    """An LM table checked and normalised: numeric onset/duration, sides, channel, amplitude."""
    missing = [c for c in _LM_INPUT_COLUMNS if c not in lms.columns]
    if missing:
        raise InputError(f"leg movements lack column(s) {', '.join(missing)}")
    df = lms.copy()
    df.attrs = {}
    df["onset"] = pd.to_numeric(df["onset"], errors="coerce")
    df["duration"] = pd.to_numeric(df["duration"], errors="coerce")
    bad = ~np.isfinite(df["onset"].to_numpy(float)) | ~np.isfinite(df["duration"].to_numpy(float))
    if bad.any():
        raise InputError(f"{int(bad.sum())} leg movement(s) without a numeric onset or duration")
    if (df["duration"] < 0).any():
        raise InputError("leg movement(s) with a negative duration")
    df["side"] = df["side"].astype(str).str.strip().str.lower()
    df["side"] = df["side"].replace({"l": "left", "r": "right", "both": "bilateral",
                                     "b": "bilateral"})
    odd = sorted(set(df["side"]) - {"left", "right", "bilateral"})
    if odd:
        raise InputError(f"leg movement side must be 'left', 'right' or 'bilateral' "
                         f"(found {odd})")
    both = df["side"] == "bilateral"
    if both.any():
        # A movement marked on both legs is one LM per leg; the bilateral rule joins them.
        df = pd.concat([df[~both], df[both].assign(side="left"), df[both].assign(side="right")],
                       ignore_index=True)
    if "channel" not in df.columns:
        df["channel"] = ""
    df["channel"] = df["channel"].fillna("").astype(str)
    if "amplitude_uv" not in df.columns:
        df["amplitude_uv"] = np.nan
    return df[["onset", "duration", "side", "channel", "amplitude_uv"]]


def _hours(seconds: float) -> float:
    return seconds / 3600.0


def _rate(count: int, hours: float) -> float:
    """Events per hour; 0.0 when there is no time (the count is then 0 too)."""
    return float(count) / hours if hours > 0 else 0.0


def _stage_times(hyp: Hypnogram, unscorable: list[tuple[float, float]] | None = None
                 ) -> dict[str, float]:
    """Seconds per stage, of sleep, WASO and scored epochs, less the unscorable stretches."""
    per_epoch = np.full(len(hyp), hyp.epoch, dtype=float)
    if unscorable:
        starts = hyp.epoch_onsets()
        for on, dur in unscorable:  # few stretches
            overlap = np.minimum(starts + hyp.epoch, on + dur) - np.maximum(starts, on)
            per_epoch -= np.clip(overlap, 0.0, None)
        per_epoch = np.clip(per_epoch, 0.0, None)
    out = {s: float(per_epoch[hyp.stages == s].sum()) for s in ("W", *SLEEP_STAGES)}
    out["sleep"] = sum(out[s] for s in SLEEP_STAGES)
    out["waso"] = float(per_epoch[hyp.wake_after_sleep_onset()].sum())
    out["scored"] = float(per_epoch[hyp.stages != "?"].sum())
    return out


def _in_sleep(events: pd.DataFrame, hyp: Hypnogram) -> np.ndarray:
    """Whether each event's onset falls in a sleep epoch."""
    if not len(events):
        return np.zeros(0, bool)
    return np.isin(hyp.stage_at(events["onset"].to_numpy(float)), SLEEP_STAGES)


def _series_for(mov: pd.DataFrame, cand: np.ndarray, resp: np.ndarray, p: LegParams, *,
                exclude_resp: bool) -> np.ndarray:
    """Series number per movement (0 = none) under the rule set and respiratory handling."""
    onsets = mov["onset"].to_numpy(float)
    if p.rule_set == "aasm":
        imi_min, imi_max = p.aasm_imi_min_s, p.aasm_imi_max_s
    else:
        imi_min, imi_max = p.imi_min_s, p.imi_max_s
    if not exclude_resp:
        return R.build_series(onsets, cand, imi_min_s=imi_min, imi_max_s=imi_max,
                              min_length=p.min_series_length)
    if p.respiratory_handling == "break":
        return R.build_series(onsets, cand & ~resp, imi_min_s=imi_min, imi_max_s=imi_max,
                              min_length=p.min_series_length)
    keep = ~(cand & resp)  # respiratory-related CLMs vanish; IMIs are measured across them
    out = np.zeros(len(mov), dtype=np.int64)
    out[keep] = R.build_series(onsets[keep], cand[keep], imi_min_s=imi_min, imi_max_s=imi_max,
                               min_length=p.min_series_length)
    return out


def _plm_figures(mov: pd.DataFrame, series: np.ndarray, cand: np.ndarray, resp_removed: np.ndarray,
                 stage: np.ndarray, in_waso: np.ndarray, arousal: np.ndarray,
                 times: dict[str, float], basis_sleep: bool, p: LegParams) -> dict[str, Any]:
    in_plm = series > 0
    if basis_sleep:
        in_sleep = np.isin(stage, SLEEP_STAGES)
        sleep_h = _hours(times["sleep"])
    else:
        in_sleep = np.ones(len(mov), dtype=bool)
        in_waso = np.zeros(len(mov), dtype=bool)
        sleep_h = _hours(times["recording"])
    plms = in_plm & in_sleep
    plmw = in_plm & in_waso
    plms_ar = plms & arousal
    plm_count = int(in_plm.sum())
    by_stage: dict[str, float | None] = {}
    for s in SLEEP_STAGES:
        # a stage the night did not have (or not staged at all): unknown, not 0
        by_stage[s] = (_rate(int(np.sum(in_plm & (stage == s))), _hours(times[s]))
                       if basis_sleep and times[s] > 0 else None)
    # Ferri 2006: IMIs between consecutive CLMs (those kept for series building) with both
    # CLMs in sleep; an IMI reaching into wake neither counts nor joins a periodic run.
    sel = cand & ~resp_removed
    on = mov["onset"].to_numpy(float)[sel]
    asleep = in_sleep[sel]
    all_imis = np.diff(on)
    both = asleep[:-1] & asleep[1:] if on.size > 1 else np.zeros(0, bool)
    imis = all_imis[both]
    pi = R.periodicity_index(all_imis, imi_min_s=p.imi_min_s, imi_max_s=p.imi_max_s,
                             min_run=p.periodicity_min_run, counted=both)
    return {
        "plm_count": plm_count,
        "plms_count": int(plms.sum()),
        "plmw_count": int(plmw.sum()),
        "plm_index": _rate(plm_count, _hours(times["tib"])),
        "plms_index": _rate(int(plms.sum()), sleep_h),
        "plmw_index": _rate(int(plmw.sum()), _hours(times["waso"])) if basis_sleep else 0.0,
        "plms_arousal_count": int(plms_ar.sum()),
        "plms_arousal_index": _rate(int(plms_ar.sum()), sleep_h),
        "periodicity_index": pi,
        "plm_series_count": int(np.unique(series[in_plm]).size),
        "plms_index_by_stage": by_stage,
        "_imis": imis,
    }


def score_leg_movements(
    lms: pd.DataFrame,
    *,
    hypnogram: Hypnogram | None,
    scored_events: pd.DataFrame | None = None,
    recording_duration: float | None = None,
    params: LegParams | None = None,
) -> ScoreResult:
    """Score monolateral leg movements into CLMs and PLM series, with their indices.

    Parameters
    ----------
    lms : DataFrame
        Monolateral leg movements: ``onset`` and ``duration`` (s), ``side``
        (``left``/``right``), optional ``channel`` and ``amplitude_uv`` (µV).
        ``lms.attrs["leg_channels"]`` (list of labels), when present, is
        reported as ``leg_channels_present``.
    hypnogram : Hypnogram or None
        Stages per 30-s epoch.  None or all unscored: indices are per hour of
        recording, ``index_basis`` is ``"recording"`` and stage-specific
        figures are null.
    scored_events : DataFrame
        Scored events (``onset, duration, kind``): kinds ``arousal``,
        ``apnea``, ``hypopnea``, ``rera`` are used.
    recording_duration : float
        Seconds; when None, the end of the hypnogram or of the last event.
    params : LegParams

    Returns
    -------
    ScoreResult
        ``events``: rows of kinds ``lm``, ``clm`` and ``plm`` (``series`` set);
        ``summary``: the keys in :data:`LEG_SUMMARY_KEYS`; ``details``: IMI
        histograms, series lengths, counts of merged/short LMs.

    Index definitions: ``lm_index`` = monolateral LMs (``lm`` rows) with onset
    in sleep per hour of TST; ``lm_movement_index`` likewise for movements
    after bilateral combination (a bilateral LM once); ``clm_index`` for CLMs; ``plms_index``
    = PLMs in sleep per hour of TST (N1+N2+N3+R epochs × 30 s);
    ``plmw_index`` = PLMs in wake after sleep onset per hour of WASO;
    ``plm_index`` = all PLMs per hour of time in bed (scored epochs);
    ``plms_index_by_stage[S]`` = PLMs in stage S per hour of stage S (None when
    the night has no scorable time in S, or no stages).
    Stretches in ``lms.attrs["unscorable"]`` (no leg channel usable: no data,
    or a resting level too high) are taken out of every denominator and
    reported as ``leg_unscorable_min``.
    A rate over zero time is 0.0; ``periodicity_index`` without any IMI is None.

    Examples
    --------
    >>> lms = pd.DataFrame({"onset": [30.0, 50, 70, 90], "duration": 1.0, "side": "left"})
    >>> hyp = Hypnogram.from_labels(["N2"] * 10)
    >>> res = score_leg_movements(lms, hypnogram=hyp)
    >>> res.summary["plms_count"], res.summary["plms_index"]
    (4, 48.0)
    """
    p = params or LegParams()
    if not isinstance(p, LegParams):
        raise ParameterError("params must be a LegParams")
    lm_in = validate_lms(lms)
    scored = scored_events if scored_events is not None else pd.DataFrame(
        {"onset": [], "duration": [], "kind": []})
    for col in ("onset", "duration", "kind"):
        if col not in scored.columns:
            raise InputError(f"scored events lack column '{col}'")
    scored = scored.assign(kind=scored["kind"].astype(str).str.lower())
    arousals = scored[scored["kind"] == "arousal"]
    resp_events = scored[scored["kind"].isin(RESPIRATORY_KINDS)]

    # Duration and hypnogram.
    last_end = float((lm_in["onset"] + lm_in["duration"]).max()) if len(lm_in) else 0.0
    if recording_duration is None:
        ends = [last_end]
        if hypnogram is not None:
            ends.append(hypnogram.end)
        if len(scored):
            ends.append(float((scored["onset"] + scored["duration"]).max()))
        recording_duration = max(ends)
    hyp = (hypnogram.fit_to(recording_duration) if hypnogram is not None
           else Hypnogram.unscored(recording_duration))
    basis_sleep = hyp.is_scored
    unscorable = list(lms.attrs.get("unscorable", [])) if hasattr(lms, "attrs") else []
    times = _stage_times(hyp, unscorable)
    lost = float(sum(d for _, d in unscorable))
    times["recording"] = max(float(recording_duration) - lost, 0.0)
    times["tib"] = times["scored"] if basis_sleep else times["recording"]

    # 1. Same-leg merging and minimum duration (WASM 2016; AASM minimum duration).
    n_in = len(lm_in)
    if p.rule_set == "wasm2016":
        lm_m = R.merge_same_leg(lm_in, gap_s=p.same_leg_gap_s)
    else:
        lm_m = lm_in.sort_values("onset", kind="stable").reset_index(drop=True)
    n_merged = n_in - len(lm_m)
    lm = R.apply_minimum_duration(lm_m, p.min_lm_s)
    n_short = len(lm_m) - len(lm)
    lm = lm.sort_values("onset", kind="stable").reset_index(drop=True)

    # 2–3. Bilateral combination and candidates.
    if p.rule_set == "wasm2016":
        mov, gid = R.combine_bilateral_wasm(lm, gap_s=p.bilateral_gap_s)
        cand = R.is_candidate_wasm(mov, min_s=p.min_lm_s, mono_max_s=p.clm_max_s,
                                   bilateral_max_s=p.bilateral_clm_max_s,
                                   max_members=p.bilateral_max_members,
                                   member_max_s=p.bilateral_member_max_s)
        resp = R.respiratory_related_wasm(mov, resp_events, before_end_s=p.resp_before_end_s,
                                          after_end_s=p.resp_after_end_s)
    else:
        mov, gid = R.combine_bilateral_aasm(lm, onset_s=p.aasm_bilateral_onset_s)
        cand = R.is_candidate_aasm(mov, min_s=p.min_lm_s, max_s=p.aasm_max_lm_s)
        resp = R.respiratory_related_aasm(mov, resp_events, margin_s=p.aasm_resp_margin_s)
    resp = resp & cand if len(mov) else resp

    # 4–5. Series, with and without the respiratory exclusion.
    series = _series_for(mov, cand, resp, p, exclude_resp=True)
    series_incl = _series_for(mov, cand, resp, p, exclude_resp=False)

    # 6. Arousals and stages.
    m_on = mov["onset"].to_numpy(float)
    stage = hyp.stage_at(m_on) if len(mov) else np.zeros(0, dtype="<U2")
    waso_epochs = hyp.wake_after_sleep_onset()
    ep = hyp.epoch_index(m_on) if len(mov) else np.zeros(0, dtype=np.int64)
    in_waso = np.zeros(len(mov), dtype=bool)
    ok = ep >= 0
    in_waso[ok] = waso_epochs[ep[ok]]
    ar_mov = R.associated_with_arousal(mov, arousals, gap_s=p.arousal_gap_s)
    ar_lm = R.associated_with_arousal(lm, arousals, gap_s=p.arousal_gap_s)
    lm_stage = hyp.stage_at(lm["onset"].to_numpy(float)) if len(lm) else np.zeros(0, "<U2")

    # 7. Figures.
    resp_removed = resp if p.respiratory_handling == "remove" else np.zeros(len(mov), bool)
    fig = _plm_figures(mov, series, cand, resp_removed, stage, in_waso, ar_mov, times,
                       basis_sleep, p)
    fig_incl = _plm_figures(mov, series_incl, cand, np.zeros(len(mov), bool), stage, in_waso,
                            ar_mov, times, basis_sleep, p)
    sleep_h = _hours(times["sleep"] if basis_sleep else times["recording"])
    lm_sleep = np.isin(lm_stage, SLEEP_STAGES) if basis_sleep else np.ones(len(lm), bool)
    mov_sleep = np.isin(stage, SLEEP_STAGES) if basis_sleep else np.ones(len(mov), bool)
    clm_sleep = mov_sleep & cand
    channels = lms.attrs.get("leg_channels") if hasattr(lms, "attrs") else None

    summary: dict[str, Any] = {
        "lm_count": int(len(lm)),
        "lm_index": _rate(int(lm_sleep.sum()), sleep_h),
        # Movements after bilateral combination (a bilateral LM counts once), CLM or not.
        "lm_movement_count": int(len(mov)),
        "lm_movement_index": _rate(int(mov_sleep.sum()), sleep_h),
        "clm_count": int(cand.sum()),
        "clm_index": _rate(int(clm_sleep.sum()), sleep_h),
        "clm_respiratory_count": int(resp.sum()),
    }
    for k in _PLM_KEYS:
        summary[k] = fig[k]
    for k in _PLM_KEYS:
        summary[f"{k}_incl_resp"] = fig_incl[k]
    summary["index_basis"] = "sleep" if basis_sleep else "recording"
    summary["leg_index_basis"] = summary["index_basis"]
    summary["leg_rule_set"] = p.rule_set
    summary["leg_respiratory_handling"] = p.respiratory_handling
    summary["leg_channels_present"] = (list(channels) if channels is not None else None)
    summary["leg_unscorable_min"] = lost / 60.0
    # Denominators, shown beside the indices: hours of sleep (or of recording without
    # stages) and the minutes of wake after sleep onset of the PLMW index.
    summary["leg_index_hours"] = sleep_h
    summary["plmw_denominator_min"] = times["waso"] / 60.0 if basis_sleep else None
    # The respiratory events and arousals read from the scorings and used above.  An
    # index is unknown (None), not 0, when no event of its kind was read: a file without
    # such events cannot be told from a night nobody scored for them.
    read = bool(len(scored))
    in_sleep_resp = _in_sleep(resp_events, hyp) if basis_sleep else np.ones(len(resp_events), bool)
    in_sleep_ar = _in_sleep(arousals, hyp) if basis_sleep else np.ones(len(arousals), bool)
    summary["scored_events_read"] = read
    summary["respiratory_event_count"] = int(len(resp_events))
    summary["arousal_count"] = int(len(arousals))
    summary["ahi"] = _rate(int(in_sleep_resp.sum()), sleep_h) if len(resp_events) else None
    summary["arousal_index"] = _rate(int(in_sleep_ar.sum()), sleep_h) if len(arousals) else None
    # CLMs that did not count as PLMs for being respiratory-related (WASM 2016 / AASM).
    summary["lm_excluded_respiratory_count"] = int(resp.sum())

    # Events table rows.
    lm_resp = resp[gid] if len(lm) else np.zeros(0, bool)
    lm_rows = pd.DataFrame({
        "onset": lm["onset"].to_numpy(float), "duration": lm["duration"].to_numpy(float),
        "kind": "lm", "channel": lm["channel"].to_numpy(), "muscle": "tibialis_anterior",
        "side": lm["side"].to_numpy(), "stage": lm_stage,
        "amplitude_uv": lm["amplitude_uv"].to_numpy(float), "arousal": ar_lm,
        "respiratory": lm_resp,
    })
    mov_rows = pd.DataFrame({
        "onset": m_on, "duration": mov["duration"].to_numpy(float),
        "channel": mov["channel"].to_numpy(), "muscle": "tibialis_anterior",
        "side": mov["side"].to_numpy(), "stage": stage,
        "amplitude_uv": mov["amplitude_uv"].to_numpy(float), "arousal": ar_mov,
        "respiratory": resp,
    })
    clm_rows = mov_rows[cand].assign(kind="clm")
    plm_rows = mov_rows[series > 0].assign(kind="plm", series=series[series > 0])
    tables = [t for t in (lm_rows, clm_rows, plm_rows) if len(t)]
    events = make_events(pd.concat(tables, ignore_index=True)) if tables else empty_events()

    lengths = np.bincount(series[series > 0])[1:] if (series > 0).any() else np.zeros(0, int)
    lengths_incl = (np.bincount(series_incl[series_incl > 0])[1:]
                    if (series_incl > 0).any() else np.zeros(0, int))
    details: dict[str, Any] = {
        "rule_set": p.rule_set,
        "respiratory_handling": p.respiratory_handling,
        "index_basis": summary["index_basis"],
        "hours": {"tst": _hours(times["sleep"]), "waso": _hours(times["waso"]),
                  "tib": _hours(times["tib"]), "recording": _hours(times["recording"]),
                  **{s: _hours(times[s]) for s in SLEEP_STAGES}},
        "lm_input_count": n_in,
        "lm_merged_same_leg": n_merged,
        "lm_shorter_than_minimum": n_short,
        "movement_count": int(len(mov)),
        "bilateral_movement_count": int(np.sum(mov["side"].to_numpy() == "bilateral")),
        "non_candidate_movement_count": int(np.sum(~cand)),
        "imi_histogram": R.imi_histograms(fig["_imis"]),
        "imi_histogram_incl_resp": R.imi_histograms(fig_incl["_imis"]),
        "series_lengths": lengths.astype(int).tolist(),
        "series_lengths_incl_resp": lengths_incl.astype(int).tolist(),
        "hypnogram_warnings": list(hyp.warnings),
    }
    quality = lms.attrs.get("quality") if hasattr(lms, "attrs") else None
    quality_df = pd.DataFrame(quality) if quality else pd.DataFrame()
    if len(quality_df):
        details["resting_level"] = quality_df.to_dict(orient="records")
        details["resting_level_median_uv"] = {
            str(r["label"]): r.get("resting_level_uv") for r in quality_df.to_dict("records")}
    return ScoreResult(events=events, summary=summary, details=details, quality=quality_df)
