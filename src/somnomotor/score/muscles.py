"""Every muscle: myoclonus in arms, trunk, back and neck; the named patterns; REM
sleep without atonia; the morning.

:func:`score_muscles` is the entry point. It takes tables, never a file or a
signal: each EMG channel's bursts and quality figures
(:class:`~somnomotor.detect.bursts.ChannelBursts`, made by
:func:`~somnomotor.detect.bursts.channel_bursts` from the channel conditioned
once for the whole analysis) and, for the chin, its 1-s amplitudes. The
classifiers then run on the burst table of all channels:

* :mod:`.myoclonus` — every brief burst outside the legs (``myoclonus`` rows),
  indices per muscle and stage;
* :mod:`.patterns` — fragmentary myoclonus (AASM), propriospinal myoclonus,
  hypnic jerks, generalized random myoclonus (legs included as a region),
  periodic arm movements;
* :mod:`.rem` — AASM tonic/phasic REM epochs, SINBAR, Ferri's atonia index;
* :mod:`.morning` — tonic activity after the final awakening.

Leg channels (tibialis anterior) are burst-detected too: their jerks
too short to be leg movements (< 0.5 s) are ``myoclonus`` rows, and legs are
one region for GRM. Chin contractions feed the REM rules and bruxism.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..detect.bursts import BurstParams, ChannelBursts
from ..detect.contractions import ContractionParams
from ..events import concat_events, make_events
from ..hypnogram import Hypnogram
from ..params import from_mapping
from ..recording import ChannelInfo
from .aasm_movements import AASM_SUMMARY_KEYS, score_aasm_episodes, score_aasm_movements
from .aasm_rules import AasmParams
from .base import ScoreResult
from .bruxism import long_chin_elevations
from .contractions import SUMMARY_KEYS as CONTRACTION_KEYS
from .contractions import (
    contraction_rows,
    contraction_summary,
    contraction_table,
)
from .morning import MorningParams, score_morning
from .myoclonus import myoclonus_indices, myoclonus_mask, myoclonus_rows
from .patterns import (
    PatternParams,
    neck_myoclonus_mask,
    score_fragmentary_myoclonus,
    score_grm,
    score_hypnic_jerks,
    score_neck_myoclonus,
    score_periodic_arm_movements,
    score_propriospinal_myoclonus,
)
from .rem import (
    RemParams,
    classify_rai,
    excluded_seconds,
    mini_epochs_with_bursts,
    rem_atonia_index,
    score_aasm_epochs,
    sinbar_percentages,
)

__all__ = ["MuscleParams", "score_muscles", "SUMMARY_KEYS", "CONDITIONING_ALIASES",
           "PATTERN_ORDER", "TRAIN_KINDS", "jerk_patterns", "train_labels"]

#: The values of the events table's ``pattern`` column on ``contraction`` rows, least
#: specific first: a contraction whose parts are classified differently takes the last.
PATTERN_ORDER: tuple[str, ...] = ("", "myoclonus", "fragmentary_myoclonus", "hypnic_jerk", "grm",
                                  "neck_myoclonus", "hypnagogic_foot_tremor", "alma",
                                  "rhythmic_movement", "propriospinal_myoclonus")

#: The train episodes whose parts are the train's own (not myoclonus, GRM or a sleep
#: start), in the order their labels are given (a later one wins a shared part).
TRAIN_KINDS: tuple[str, ...] = ("hypnagogic_foot_tremor", "alma", "rhythmic_movement")


def train_labels(onsets: np.ndarray, regions: np.ndarray,
                 episodes: Mapping[str, pd.DataFrame], aasm: AasmParams) -> np.ndarray:
    """Per contraction part, the kind of the train episode it lies in ("" for none).

    ALMA and foot tremor take the legs' parts, rhythmic movements the large muscle
    groups' and the legs' (``episodes``: kind → its rows, ``onset`` and ``duration``).
    The scorer and the simulator's truth (:mod:`somnomotor.simulate.pattern_truth`)
    both mark trains with it.
    """
    on = np.asarray(onsets, dtype=float)
    region = np.asarray(regions, dtype=object)
    train = np.full(on.size, "", dtype=object)
    take = {"hypnagogic_foot_tremor": ("leg",), "alma": ("leg",),
            "rhythmic_movement": (*aasm.rhythmic_regions, "leg")}
    for name in TRAIN_KINDS:
        rows = episodes.get(name)
        if rows is None or not len(rows) or not on.size:
            continue
        reg = np.isin(region, take[name])
        for a, d in zip(rows["onset"].to_numpy(float), rows["duration"].to_numpy(float),
                        strict=True):
            train[reg & (on >= a) & (on <= a + d)] = name
    return train


def jerk_patterns(pb: pd.DataFrame, hyp: Hypnogram, pp: PatternParams, *, jerk: np.ndarray,
                  in_train: np.ndarray) -> tuple[Any, ...]:
    """Propriospinal myoclonus first (slow spreading jerks), then GRM (runs of jerks), then
    hypnic jerks, on contraction parts ``pb`` (no chin): the scorer's order, which the
    simulator's truth follows too.

    ``jerk``: parts that reach the burst onset level; ``in_train``: parts of a train
    episode (a train's parts are its own).  Returns (propriospinal rows, their parts,
    GRM rows, their parts, hypnic-jerk rows, their parts, ``not_myo``: the parts no
    myoclonus — a propriospinal jerk's, a train's, or no jerk).
    """
    prop, used_prop = score_propriospinal_myoclonus(pb, hyp, pp)
    not_myo = used_prop | in_train | ~jerk
    grm, used_grm = score_grm(pb, hyp, pp, exclude=not_myo)
    hyp_rows, used_hyp = score_hypnic_jerks(pb, hyp, pp, exclude=not_myo | used_grm)
    return prop, used_prop, grm, used_grm, hyp_rows, used_hyp, not_myo


#: The promised summary keys this scorer always sets (interfaces.md).
SUMMARY_KEYS: tuple[str, ...] = (
    "myoclonus_index", "myoclonus_index_by_muscle", "grm_episode_count", "hypnic_jerk_count",
    "fragmentary_myoclonus_minutes", "rem_atonia_index", "sinbar_any_percent",
    "rem_tonic_percent", "rem_phasic_percent", "morning_tonic_seconds", *AASM_SUMMARY_KEYS,
    *CONTRACTION_KEYS,
    "neck_myoclonus_count", "neck_myoclonus_index_rem",
)

_SUB = {"bursts": BurstParams, "patterns": PatternParams, "rem": RemParams,
        "morning": MorningParams, "aasm": AasmParams, "contractions": ContractionParams}


@dataclass(frozen=True)
class MuscleParams:
    """Parameters of the muscle scorer (TOML section ``[muscles]``).

    Sub-tables ``[muscles.bursts]``, ``[muscles.patterns]``, ``[muscles.rem]``,
    ``[muscles.morning]`` override :class:`~somnomotor.detect.bursts.BurstParams`,
    :class:`~somnomotor.score.patterns.PatternParams`,
    :class:`~somnomotor.score.rem.RemParams` and
    :class:`~somnomotor.score.morning.MorningParams`.
    """

    myoclonus_exclude_muscles: tuple[str, ...] = ("mentalis", "submentalis", "masseter")  # REM rules
    myoclonus_max_s: float = 0.4  # jerks are brief (< 250 ms typical); legs ≥ 0.5 s are LMs (WASM 2016)
    chin_muscles: tuple[str, ...] = ("mentalis", "submentalis")  # AASM RSWA: chin EMG
    sinbar_arm_muscles: tuple[str, ...] = ("fds",)  # SINBAR: flexor digitorum superficialis
    artefact_max_freq_hz: float = 15.0  # brief "bursts" with mean frequency < 15 Hz are electrode
    # pops / movement artefacts, not EMG (surface EMG: 50–150 Hz mean frequency, De Luca 1997)
    bursts: BurstParams = field(default_factory=BurstParams)
    contractions: ContractionParams = field(default_factory=ContractionParams)
    patterns: PatternParams = field(default_factory=PatternParams)
    rem: RemParams = field(default_factory=RemParams)
    morning: MorningParams = field(default_factory=MorningParams)
    aasm: AasmParams = field(default_factory=AasmParams)  # [muscles.aasm]: the AASM chapter

    def __post_init__(self) -> None:
        for name, cls in _SUB.items():
            value = getattr(self, name)
            if isinstance(value, Mapping):
                object.__setattr__(self, name, from_mapping(cls, value, section=f"muscles.{name}"))


#: Keys of ``[muscles]`` that moved to ``[conditioning]`` (one conditioning for every channel):
#: old key → (new key, value translation).  Still accepted in ``[muscles]``.
CONDITIONING_ALIASES: dict[str, tuple[str, Any]] = {
    "band_low_hz": ("band_low_hz", None),
    "band_high_hz": ("band_high_hz", None),
    "analysis_min_fs_factor": ("analysis_min_fs_factor", None),
    "notch_mains": ("mains", lambda v: "auto" if v else "none"),
    "ecg_removal": ("ecg_removal", lambda v: v if isinstance(v, bool) else v != "never"),
    "ecg_min_artefact_uv": ("ecg_min_artefact_uv", None),
    "ecg_self_detect_regions": ("ecg_self_detect_regions", None),
    "high_rest_uv": ("high_rest_uv", None),
}


def _empty_bursts() -> pd.DataFrame:
    return pd.DataFrame({"onset": pd.Series(dtype=float), "duration": pd.Series(dtype=float),
                         "amplitude_uv": pd.Series(dtype=float), "tonic": pd.Series(dtype=bool),
                         "rest_uv": pd.Series(dtype=float), "channel": pd.Series(dtype=object),
                         "muscle": pd.Series(dtype=object), "side": pd.Series(dtype=object),
                         "region": pd.Series(dtype=object), "stage": pd.Series(dtype=object)})


def _epoch_rows(mask: np.ndarray, hyp: Hypnogram, kind: str, info: ChannelInfo) -> pd.DataFrame:
    idx = np.flatnonzero(mask)
    return pd.DataFrame({"onset": hyp.offset + idx * hyp.epoch, "duration": hyp.epoch,
                         "kind": kind, "channel": info.label, "muscle": info.muscle,
                         "side": info.side, "stage": hyp.stages[idx]})


def _score_rem(chin: ChannelBursts | None, fds: list[ChannelBursts], hyp: Hypnogram,
               scored: pd.DataFrame | None, duration: float, p: RemParams
               ) -> tuple[list[pd.DataFrame], dict[str, Any], dict[str, Any]]:
    rem_epochs = int((hyp.stages == "R").sum())
    per_epoch = int(round(hyp.epoch / p.mini_epoch_s))
    n_mini = len(hyp) * per_epoch
    rem_mini = np.repeat(hyp.stages == "R", per_epoch)
    excl_mini = excluded_seconds(scored, n_mini, p.mini_epoch_s, hyp.offset, p)
    summary: dict[str, Any] = {
        "rem_atonia_index": None, "rem_atonia_class": None, "sinbar_any_percent": None,
        "sinbar_combined_percent": None, "sinbar_any_abnormal": None,
        "sinbar_combined_abnormal": None, "rem_tonic_percent": None, "rem_phasic_percent": None,
        "rem_tonic_epochs": 0, "rem_phasic_epochs": 0, "rem_epochs": rem_epochs,
        "rem_time_min": rem_epochs * hyp.epoch / 60.0,
        "rem_time_excluded_min": float((rem_mini & excl_mini).sum()) * p.mini_epoch_s / 60.0,
    }
    details: dict[str, Any] = {"chin_channel": None, "fds_channels": [c.info.label for c in fds]}
    if chin is None or chin.amp_1s is None:
        details["note"] = "no chin EMG channel: REM atonia not scored"
        return [], summary, details
    details["chin_channel"] = chin.info.label
    amp = chin.amp_1s.astype(np.float64)
    n_sec = amp.size
    sec_t = np.arange(n_sec) + 0.5
    rem_bins = hyp.stage_at(sec_t) == "R"
    excl_1s = excluded_seconds(scored, n_sec, 1.0, 0.0, p)
    amp_x = np.where(excl_1s, np.nan, amp)
    rai = rem_atonia_index(amp_x, rem_bins, p) if rem_bins.any() else None
    activity = chin.contractions if p.chin_activity == "contractions" else chin.bursts
    aasm = score_aasm_epochs(amp, activity, hyp, p)
    # Mini-epochs with no data count as excluded.
    nan_mini = np.zeros(n_mini, dtype=bool)
    k = (np.flatnonzero(~np.isfinite(amp)) - hyp.offset) // p.mini_epoch_s
    k = k[(k >= 0) & (k < n_mini)].astype(np.int64)
    nan_mini[k] = True
    excl_all = excl_mini | nan_mini
    chin_phasic = mini_epochs_with_bursts(activity, hyp, min_s=p.phasic_min_s,
                                          max_s=p.phasic_max_s,
                                          background_factor=p.sinbar_background_factor,
                                          mini_epoch_s=p.mini_epoch_s)
    any_chin = chin_phasic | np.repeat(aasm["tonic"], per_epoch)
    fds_mini = None
    if fds:
        fds_mini = np.zeros(n_mini, dtype=bool)
        for c in fds:
            fds_mini |= mini_epochs_with_bursts(c.bursts, hyp, min_s=p.phasic_min_s,
                                                max_s=p.phasic_max_s,
                                                background_factor=p.sinbar_background_factor,
                                                mini_epoch_s=p.mini_epoch_s)
    sin = sinbar_percentages(any_chin, fds_mini, rem_mini, excl_all, p)
    summary.update({k: v for k, v in sin.items() if k in summary})
    summary.update(
        rem_atonia_index=rai, rem_atonia_class=classify_rai(rai, p),
        rem_tonic_epochs=int(aasm["tonic"].sum()), rem_phasic_epochs=int(aasm["phasic"].sum()),
        rem_tonic_percent=float(100.0 * aasm["tonic"].sum() / rem_epochs) if rem_epochs else None,
        rem_phasic_percent=float(100.0 * aasm["phasic"].sum() / rem_epochs) if rem_epochs else None,
        rem_time_excluded_min=float((rem_mini & excl_all).sum()) * p.mini_epoch_s / 60.0,
    )
    details.update(nrem_min_uv=aasm["nrem_min_uv"], sinbar_mini_epochs=sin["sinbar_mini_epochs"])
    if aasm["nrem_min_uv"] is None:
        details["note"] = "no NREM sleep: the AASM tonic floor is undefined; tonic epochs not scored"
    rows = [_epoch_rows(aasm["tonic"], hyp, "rem_tonic", chin.info),
            _epoch_rows(aasm["phasic"], hyp, "rem_phasic", chin.info)]
    return rows, summary, details


def score_muscles(channels: Sequence[ChannelBursts], hypnogram: Hypnogram | None, *,
                  duration: float, scored_events: pd.DataFrame | None = None,
                  params: MuscleParams | None = None, notes: Sequence[str] = ()) -> ScoreResult:
    """Score every EMG channel's bursts and the patterns across muscles for one night.

    Parameters
    ----------
    channels : sequence of ChannelBursts
        One per EMG channel: its bursts, quality row and (chin) 1-s amplitudes,
        from :func:`somnomotor.detect.bursts.channel_bursts` on the channel
        conditioned once for the analysis.
    hypnogram : Hypnogram or None
        Stages per 30-s epoch; None or unscored → indices per hour of recording.
    duration : float
        The recording's length, s.
    scored_events : DataFrame, optional
        Scored arousals, artefacts and respiratory events (``SCORED_COLUMNS``):
        arousal links and REM exclusions.
    params : MuscleParams
    notes : sequence of str
        Sentences for ``details["notes"]`` (e.g. where the R peaks came from).

    Returns
    -------
    ScoreResult
        ``events`` (kinds ``myoclonus``, ``fragmentary_myoclonus``,
        ``hypnic_jerk``, ``propriospinal_myoclonus``, ``grm``, ``rem_tonic``,
        ``rem_phasic``, ``morning_tonic``), ``summary`` (the promised keys, always
        present, null when undefined, plus per-muscle/per-stage extras),
        ``details``, ``quality`` (one row per EMG channel).

    Examples
    --------
    >>> res = score_muscles(channels, hyp, duration=rec.duration,
    ...                     scored_events=scored)
    >>> sorted(res.summary["myoclonus_index_by_muscle"])[:3]
    ['deltoid', 'fds', 'intercostal']
    """
    p = params or MuscleParams()
    duration = float(duration)
    hyp = hypnogram if hypnogram is not None else Hypnogram.unscored(duration)
    if hyp.end < duration - hyp.epoch or hyp.end > duration + hyp.epoch:
        hyp = hyp.fit_to(duration)
    scored = scored_events if scored_events is not None and len(scored_events) else None
    channels = list(channels)
    notes = list(notes)
    slow = [c for c in channels if not c.scorable]
    for c in slow:
        notes.append(f"channel '{c.info.label}' sampled at {c.info.fs:g} Hz, too slowly for "
                     "surface EMG: not scored, left out of every index")
    channels = [c for c in channels if c.scorable]

    tables = [c.bursts for c in channels if len(c.bursts)]
    bursts = pd.concat(tables, ignore_index=True) if tables else _empty_bursts()
    bursts["stage"] = hyp.stage_at(bursts["onset"].to_numpy(float)) if len(bursts) else \
        pd.Series(dtype=object)

    # One detection, many classifications: the per-channel patterns classify the
    # contractions, each cut into its jerks (``cls``: one row per part; its
    # ``contraction`` is the row of ``allc`` and of the ``contraction`` events rows).
    allc, cls = contraction_table([c.contractions for c in channels],
                                  [c.parts for c in channels])
    cls["stage"] = hyp.stage_at(cls["onset"].to_numpy(float)) if len(cls) else \
        pd.Series(dtype=object)
    con = contraction_rows([allc], hyp)
    pattern = np.full(len(cls), "", dtype=object)  # per part

    # The AASM movement chapter: bruxism, rhythmic movements, ALMA, foot tremor, large
    # movements.  The trains (rhythmic, ALMA, foot tremor) classify the contraction parts
    # (bruxism the jaw's contractions, large movements the bursts).  Bruxism and the trains
    # are scored here, once: GRM and the jerks below must not take a train's bursts.
    # Large movements must not overlap GRM or propriospinal episodes, so they are scored
    # at the end, with these episodes passed on.
    tst_h = float(hyp.is_sleep().sum()) * hyp.epoch / 3600.0 if hyp.is_scored else duration / 3600.0
    available = pd.DataFrame({"channel": [c.info.label for c in channels],
                              "muscle": [c.info.muscle for c in channels],
                              "side": [c.info.side for c in channels],
                              "region": [c.info.region for c in channels]})
    # Bruxism reads the jaw channels' contractions, and the chin's sustained elevations
    # (from its 1-s amplitudes against its level in sleep) that the contraction layer's
    # 30-s running resting level hides: a clench longer than ~15 s.
    long_chin = [long_chin_elevations(c.amp_1s, hyp, p.aasm, channel=c.info.label,
                                      muscle=c.info.muscle, side=c.info.side,
                                      region=c.info.region)
                 for c in channels if c.amp_1s is not None
                 and c.info.muscle in p.aasm.bruxism_muscles]
    jaw = pd.concat([c.contractions for c in channels
                     if c.info.muscle in p.aasm.bruxism_muscles and len(c.contractions)]
                    + [t for t in long_chin if len(t)]
                    or [bursts.iloc[:0]], ignore_index=True)
    episodes = score_aasm_episodes(bursts, hyp, p.aasm, available=available,
                                   contractions=cls, jaw=jaw)
    aasm_rows = episodes[0]
    # Parts inside a train episode: rhythmic movements (large muscle groups and the
    # legs), ALMA and foot tremor (the legs).
    train = train_labels(cls["onset"].to_numpy(float), cls["region"].to_numpy(object),
                         {"hypnagogic_foot_tremor": aasm_rows[3], "alma": aasm_rows[2],
                          "rhythmic_movement": aasm_rows[1]}, p.aasm)
    in_train = train != ""

    # Patterns: propriospinal first (slow spreading jerks), then GRM (runs of jerks),
    # then hypnic jerks among the contraction parts left (a train's parts are its own).
    pp = p.patterns
    not_chin = ~cls["region"].isin(pp.exclude_regions).to_numpy()
    pb = cls[not_chin].reset_index(drop=True)
    at = np.flatnonzero(not_chin)  # row of cls of each row of pb
    # Jerks (myoclonus, neck myoclonus, hypnic jerks) and GRM's contractions are bursts:
    # parts that reach the burst onset level (8 µV and 2 × the resting level above it,
    # the WASM onset rule), not weak contractions without one (ECG residue that escapes
    # its rule is such: 6–7-µV rows at a fixed latency after each R peak).
    jerk = pb["burst"].to_numpy(bool) if len(pb) else np.zeros(0, dtype=bool)
    prop, used_prop, grm, used_grm, hyp_rows, used_hyp, not_myo = jerk_patterns(
        pb, hyp, pp, jerk=jerk, in_train=in_train[at])
    # Fragmentary myoclonus potentials (20–150 ms, mostly < 60 ms) are shorter than the
    # contraction layer's 60-ms floor: the AASM rule counts them in the burst table.
    pbb = bursts[~bursts["region"].isin(pp.exclude_regions)].reset_index(drop=True)
    frag, frag_fig = score_fragmentary_myoclonus(pbb, hyp, pp)
    arm = score_periodic_arm_movements(pb, hyp, pp)
    n_neck = sum(1 for c in channels if c.info.region in pp.neck_regions)
    # Neck myoclonus is a classification of the neck channels' contractions (``pattern``
    # of their contraction rows) with summary figures; no rows of a kind of its own.
    # (jerks, not a propriospinal jerk's or a train's bursts, which are not myoclonus).
    neck_ok = ~not_myo
    _neck_rows, neck_fig = score_neck_myoclonus(pb[neck_ok], hyp, pp, neck_channels=n_neck)
    aasm_rows, aasm_summary, aasm_notes = score_aasm_movements(
        bursts, hyp, p.aasm, available=available, sleep_h=tst_h,
        other=pd.concat([t for t in (grm, prop) if len(t)], ignore_index=True)
        if len(grm) or len(prop) else None, episodes=episodes)

    # Myoclonus: every brief burst part (jerk), except the chin's, the propriospinal
    # jerks and the bursts of a train (rhythmic movements, ALMA, foot tremor): ~not_myo.
    myo = myoclonus_rows(pb[~not_myo], scored, exclude_muscles=p.myoclonus_exclude_muscles,
                         max_s=p.myoclonus_max_s)

    # The ``pattern`` of each contraction part: the most specific classification (later
    # assignments win, PATTERN_ORDER).  Neck myoclonus is a per-channel classification
    # and wins over the hypnic jerk or GRM a neck jerk belongs to (those have rows of
    # their own, naming the channel in ``channels``).
    pattern[at[~not_myo & myoclonus_mask(pb, exclude_muscles=p.myoclonus_exclude_muscles,
                                         max_s=p.myoclonus_max_s)]] = "myoclonus"
    neck = np.zeros(len(cls), dtype=bool)
    if n_neck:
        neck[at[neck_myoclonus_mask(pb, pp) & neck_ok]] = True
    if len(frag) and len(cls):
        brief = not_chin & (cls["duration"].to_numpy(float) <= pp.fragmentary_max_s)
        on = cls["onset"].to_numpy(float)
        for f_on, f_du in zip(frag["onset"], frag["duration"], strict=True):
            pattern[brief & (on >= f_on) & (on < f_on + f_du)] = "fragmentary_myoclonus"
    for used, name in ((used_hyp, "hypnic_jerk"), (used_grm, "grm")):
        pattern[at[used]] = name
    pattern[neck] = "neck_myoclonus"
    pattern[in_train] = train[in_train]
    pattern[at[used_prop]] = "propriospinal_myoclonus"
    if len(con):
        # A contraction's pattern: the most specific of its parts'.
        order = np.array(PATTERN_ORDER, dtype=object)
        rank = np.zeros(len(cls), dtype=np.int64)
        for i, name in enumerate(order[1:], start=1):
            rank[pattern == name] = i
        best = np.zeros(len(con), dtype=np.int64)
        np.maximum.at(best, cls["contraction"].to_numpy(np.int64), rank)
        con = con.assign(pattern=order[best])

    analysed = sorted({c.info.muscle for c in channels if c.info.muscle
                       and c.info.muscle not in p.myoclonus_exclude_muscles})
    summary: dict[str, Any] = myoclonus_indices(myo if len(myo) else pd.DataFrame(
        columns=["stage", "muscle", "arousal"]), hyp, duration, analysed)
    summary.update(
        grm_episode_count=len(grm),
        grm_index=(len(grm) / tst_h) if tst_h > 0 else None,
        hypnic_jerk_count=len(hyp_rows),
        propriospinal_myoclonus_count=len(prop),
        **frag_fig,
        **neck_fig,
        arm_pm_count=arm["arm_pm_count"], arm_pms_count=arm["arm_pms_count"],
        arm_pm_series_count=arm["arm_pm_series_count"],
        arm_pm_index=(arm["arm_pms_count"] / tst_h) if tst_h > 0 else None,
        arm_periodicity_index=arm["arm_periodicity_index"],
    )
    summary.update(aasm_summary)
    summary["not_scorable"] = aasm_notes  # count key → what is missing (the count is None)
    notes.extend(aasm_notes.values())

    # REM sleep without atonia.
    chin = next((c for c in channels if c.amp_1s is not None), None)
    fds = [c for c in channels if c.info.muscle in p.sinbar_arm_muscles]
    rem_rows, rem_summary, rem_details = _score_rem(chin, fds, hyp, scored, duration, p.rem)
    summary.update(rem_summary)

    # Contractions: every activation of every channel, chin and legs included.
    summary.update(contraction_summary(con, {c.info.label: c.info.region or "" for c in channels},
                                       hyp, duration))

    # Morning.
    morning_rows, morning_summary = score_morning(bursts, hyp, duration, p.morning)
    summary.update(morning_summary)

    events = concat_events([make_events(t) for t in
                            [con, myo, frag, hyp_rows, prop, grm, *rem_rows,
                             morning_rows, *aasm_rows] if len(t)])
    quality = pd.DataFrame([c.quality for c in [*channels, *slow]])
    details = {
        "channels": {c.info.label: {"muscle": c.info.muscle, "region": c.info.region,
                                    "bursts": int((~c.bursts["tonic"]).sum()),
                                    "tonic_episodes": int(c.bursts["tonic"].sum()),
                                    "contractions": len(c.contractions)}
                     for c in channels},
        "unscorable_channels": [c.info.label for c in slow],
        "arm_periodic": arm, "rem": rem_details, "notes": notes,
        "parameters": dataclasses.asdict(p),
    }
    for key in SUMMARY_KEYS:
        summary.setdefault(key, None)
    return ScoreResult(events=events, summary=summary, details=details, quality=quality)
