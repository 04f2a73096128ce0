"""Named movement patterns across muscles: fragmentary myoclonus, hypnic jerks,
propriospinal myoclonus at sleep onset, generalized random myoclonus (GRM), and
periodic movements in muscles other than the legs.

Every classifier takes the *burst table of all channels* (one row per burst:
``onset``, ``duration``, ``amplitude_uv``, ``rest_uv``, ``tonic``, ``channel``,
``muscle``, ``side``, ``region``, ``stage``) and returns events-table rows. The
definitions, their numbers and sources are in ``../shared/docs/domain.md``
("Other movement patterns"); where no published rule exists (GRM, hypnic jerk
timing, periodic arm movements) the choice is a documented parameter.

Times are seconds from the recording start.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._util import runs
from ..hypnogram import Hypnogram
from ..params import param
from .leg_rules import build_series, periodicity_index

__all__ = [
    "PatternParams",
    "AXIAL_REGIONS",
    "REGION_DISTANCE",
    "group_bursts",
    "group_movements",
    "score_fragmentary_myoclonus",
    "score_hypnic_jerks",
    "score_propriospinal_myoclonus",
    "score_grm",
    "score_periodic_arm_movements",
    "score_neck_myoclonus",
    "neck_myoclonus_mask",
    "channel_list",
]

#: Axial regions (docs/internal-api.md): where propriospinal myoclonus starts.
AXIAL_REGIONS: frozenset[str] = frozenset({"chest", "abdomen", "back", "neck"})

#: Rank of each region's distance (along the spinal cord) from a thoracic generator:
#: propriospinal jerks reach higher ranks later (Montagna 2006; Stefani & Högl 2019).
REGION_DISTANCE: dict[str, int] = {
    "chest": 0, "abdomen": 0, "back": 0, "neck": 1, "shoulder": 1, "arm": 2, "leg": 2,
}

_NREM = ("N1", "N2", "N3")
_SLEEP = ("N1", "N2", "N3", "R")
_STAGES = ("W", *_SLEEP)  # what a stage list may hold


@dataclass(frozen=True)
class PatternParams:
    """Pattern constants (parameters section ``[muscles.patterns]``), with sources."""

    exclude_regions: tuple[str, ...] = ("chin",)  # chin activity is scored by the REM rules
    # Fragmentary myoclonus — AASM manual (excessive fragmentary myoclonus).
    fragmentary_max_s: float = 0.15  # potentials ≤ 150 ms
    fragmentary_per_min: float = 5.0  # ≥ 5 potentials a minute
    fragmentary_min_minutes: float = 20.0  # for ≥ 20 min of NREM sleep
    fragmentary_merge_s: float = 0.05  # potentials in several channels within 50 ms count once
    # Hypnic jerks (sleep starts) — AASM (no scoring rule), Bruno 1998.
    hypnic_max_s: float = 0.3  # brief (< 250 ms) jerks, + 50 ms for the envelope's smear
    hypnic_group_s: float = 0.25  # bursts of several muscles within 250 ms are one jerk
    hypnic_before_s: float = 60.0  # window: from 60 s before a wake → sleep transition …
    hypnic_after_s: float = 180.0  # … to 3 min after it ("within a few minutes")
    hypnic_min_channels: int = param(2, lo=1)  # a sleep start is a massive jerk: ≥ 2 muscles at once
    # Any stage inside the transition window: a re-entry may go straight to N2 (or R).
    hypnic_stages: tuple[str, ...] = param(("W", "N1", "N2", "N3", "R"), items=_STAGES)
    # Propriospinal myoclonus at sleep onset — Montagna 2006; Stefani & Högl 2019.
    propriospinal_group_s: float = 1.0  # bursts within 1 s of each other form one jerk
    propriospinal_min_s: float = param(0.3, below="propriospinal_max_s")  # bursts of about 0.5–2 s (with a margin)
    propriospinal_max_s: float = 3.0
    propriospinal_min_channels: int = param(3, lo=1)  # an axial start and spread to ≥ 2 more channels
    propriospinal_min_spread_s: float = 0.03  # limbs ≥ 30 ms after the axial onset (slow conduction)
    propriospinal_min_rank_corr: float = param(0.5, lo=-1.0, hi=1.0)  # onset latency rises with distance (Spearman ρ)
    propriospinal_min_jerks: int = 2  # repetitive
    propriospinal_max_interval_s: float = 60.0  # jerks of one episode ≤ 60 s apart
    propriospinal_stages: tuple[str, ...] = param(("W", "N1"), items=_STAGES)  # relaxed wakefulness → N1 …
    propriospinal_before_s: float = 180.0  # … or within 3 min before …
    propriospinal_after_s: float = 120.0  # … to 2 min after a wake → sleep transition
    # Generalized random myoclonus — Bruno 1998 (no published rule: our definition,
    # docs/definitions.md). Bruno describes brief contractions, ballistic movements,
    # slow repeated grasps, slow arm flexions and shoulder/pectoral contractions:
    # contractions of any duration up to about 10 s count.
    grm_max_burst_s: float = 10.0
    grm_merge_s: float = 0.5  # bursts < 0.5 s apart, offset → onset (any channel), are one movement
    grm_max_gap_s: float = 25.0  # movements ≤ 25 s apart (onset → onset) belong to one episode
    grm_min_movements: int = 6  # an episode holds ≥ 6 movements …
    grm_min_rate_per_min: float = 5.0  # … at ≥ 5 a minute (long sparse chains are split)
    grm_min_regions: int = param(2, lo=1)  # … random in place: ≥ 2 body regions over the episode
    grm_min_multi_fraction: float = param(0.0, hi=1.0)  # option (off): ≥ this fraction of the jerks in ≥ 2
    # muscles at once (checked where a region has ≥ 2 channels); Bruno does not require it
    grm_min_imi_cv: float = 0.3  # … random in time: intervals' coefficient of variation ≥ 0.3
    grm_periodic_max_cv: float = 0.3  # limb movements this regular (local IMI spread) are PLMs
    grm_stages: tuple[str, ...] = param(("W", "N1", "N2", "N3", "R"), items=_STAGES)  # mainly N1–N2; all allowed
    # Neck myoclonus — Frauscher 2014: brief (< 500 ms) phasic activity of neck muscles.
    neck_regions: tuple[str, ...] = ("neck",)
    neck_max_s: float = param(0.5, gt=0.0)
    # Periodic movements in other muscles — WASM 2016 series grammar, applied to arms.
    periodic_regions: tuple[str, ...] = ("arm",)
    periodic_min_s: float = param(0.1, below="periodic_max_s")  # shortest arm burst counted as a movement
    periodic_max_s: float = 10.0  # WASM 2016: CLM ≤ 10 s
    periodic_merge_s: float = 0.5  # WASM 2016: < 0.5 s apart → one (bilateral) movement
    periodic_min_count: int = 4  # WASM 2016: ≥ 4 movements
    periodic_imi_min_s: float = param(10.0, below="periodic_imi_max_s")  # WASM 2016: IMI 10–90 s
    periodic_imi_max_s: float = 90.0


def _row(onset: float, duration: float, kind: str, stage: str, *, channel: str = "",
         muscle: str = "", side: str = "", amplitude_uv: float = np.nan,
         channels: str = "") -> dict[str, Any]:
    return {"onset": float(onset), "duration": float(duration), "kind": kind, "channel": channel,
            "muscle": muscle, "side": side, "stage": stage, "amplitude_uv": float(amplitude_uv),
            "channels": channels}


def channel_list(group: pd.DataFrame) -> str:
    """The ``channels`` value of a derived event: its channels, ``;``-separated, in the
    order they first took part."""
    g = group.sort_values("onset", kind="stable")
    return ";".join(dict.fromkeys(g["channel"].astype(str)))


def _channel_fields(group: pd.DataFrame) -> dict[str, str]:
    """``channel`` filled when one channel took part; otherwise ``channels`` names them all
    (interfaces.md).  ``muscle``/``side`` are filled when common to every burst."""
    names = channel_list(group)
    one = ";" not in names
    return {"channel": names if one else "", "channels": "" if one else names,
            "muscle": _common(group["muscle"]), "side": _common(group["side"])}


def group_bursts(onsets: np.ndarray, gap_s: float) -> np.ndarray:
    """Group label per (sorted) onset: a new group starts after a gap > ``gap_s`` seconds."""
    onsets = np.asarray(onsets, dtype=float)
    if onsets.size == 0:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([[0], np.cumsum(np.diff(onsets) > gap_s)]).astype(np.int64)


def group_movements(onsets: np.ndarray, ends: np.ndarray, gap_s: float) -> np.ndarray:
    """Group label per burst (sorted by onset): bursts that overlap or are < ``gap_s``
    apart, offset → onset, are one movement (the WASM 2016 LM merging rule)."""
    onsets = np.asarray(onsets, dtype=float)
    if onsets.size == 0:
        return np.zeros(0, dtype=np.int64)
    reach = np.maximum.accumulate(np.asarray(ends, dtype=float))
    new = np.concatenate([[False], onsets[1:] - reach[:-1] >= gap_s])
    return np.cumsum(new).astype(np.int64)


def _brief(bursts: pd.DataFrame, max_s: float, min_s: float = 0.0) -> pd.DataFrame:
    if len(bursts) == 0:
        return bursts
    b = bursts[~bursts["tonic"].astype(bool) & (bursts["duration"] <= max_s)
               & (bursts["duration"] >= min_s)]
    return b.sort_values("onset", kind="stable").reset_index(drop=True)


def _common(values: pd.Series) -> str:
    u = pd.unique(values.astype(str))
    return str(u[0]) if len(u) == 1 else ""


# -- fragmentary myoclonus -------------------------------------------------------------

def _merge_rate_runs(qualifies: np.ndarray, nrem: np.ndarray, counts: np.ndarray,
                     rate: float) -> np.ndarray:
    """Join runs of qualifying minutes across NREM minutes while the joined stretch keeps
    ≥ ``rate`` potentials a minute on average (a Poisson-like rate of 6/min has single
    minutes below 5 that do not end the pattern)."""
    run_s, run_e = runs(qualifies)
    starts, ends = list(run_s), list(run_e)
    if len(starts) < 2:
        return qualifies
    csum = np.concatenate([[0], np.cumsum(counts)])
    out_s, out_e = [starts[0]], [ends[0]]
    for s_, e_ in zip(starts[1:], ends[1:], strict=True):
        a, b = out_s[-1], e_
        gap_nrem = bool(nrem[out_e[-1]:s_].all())
        if gap_nrem and (csum[b] - csum[a]) / (b - a) >= rate:
            out_e[-1] = e_
        else:
            out_s.append(s_)
            out_e.append(e_)
    merged = np.zeros_like(qualifies)
    for a, b in zip(out_s, out_e, strict=True):
        merged[a:b] = True
    return merged


def score_fragmentary_myoclonus(bursts: pd.DataFrame, hypnogram: Hypnogram,
                                params: PatternParams | None = None
                                ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Excessive fragmentary myoclonus (AASM): ≥ 20 min of NREM with ≥ 5 potentials/min.

    Potentials are brief bursts ≤ 150 ms (any EMG channel; the same potential
    seen in several channels within 50 ms counts once). NREM minutes are 60-s
    windows of two NREM epochs; a minute qualifies with ≥ 5 potentials, and runs
    of qualifying minutes join across NREM minutes while the joined stretch keeps
    ≥ 5 potentials a minute on average. When
    the qualifying minutes total ≥ 20, each run of consecutive qualifying
    minutes is one ``fragmentary_myoclonus`` row and the total is the
    ``fragmentary_myoclonus_minutes``; otherwise there are no rows and 0 minutes.

    The fragmentary myoclonus *index* counts the potentials in every sleep stage
    per hour of sleep (as in the healthy-sleeper norms of Frauscher et al.,
    Sleep 2014;37:763-773: median 25.3/h, 90th percentile 143.7/h).

    Returns
    -------
    (rows, figures)
        Events rows (list of dicts as a DataFrame) and ``{"fragmentary_myoclonus_minutes",
        "fragmentary_qualifying_minutes", "fragmentary_nrem_minutes",
        "fragmentary_potential_count", "fragmentary_index"}`` (potentials in sleep, and per
        hour of sleep; None without sleep).
    """
    p = params or PatternParams()
    per_min = int(round(60.0 / hypnogram.epoch)) or 1
    n_min = len(hypnogram) // per_min
    stages = hypnogram.stages[: n_min * per_min].reshape(n_min, per_min) if n_min else \
        np.zeros((0, per_min), dtype="<U2")
    nrem_min = np.asarray(np.isin(stages, _NREM).all(axis=1) if n_min else np.zeros(0, bool),
                          dtype=bool)
    b = _brief(bursts, p.fragmentary_max_s)
    counts = np.zeros(n_min, dtype=np.int64)
    in_sleep = 0
    if len(b):
        on = b["onset"].to_numpy(float)
        g = group_bursts(on, p.fragmentary_merge_s)
        first = on[np.concatenate([[True], np.diff(g) > 0])]
        in_sleep = int(np.isin(hypnogram.stage_at(first), _SLEEP).sum())
    if len(b) and n_min:
        idx = np.floor((first - hypnogram.offset) / 60.0).astype(np.int64)
        idx = idx[(idx >= 0) & (idx < n_min)]
        counts = np.bincount(idx, minlength=n_min)
    qualifies = _merge_rate_runs(nrem_min & (counts >= p.fragmentary_per_min), nrem_min, counts,
                                 p.fragmentary_per_min)
    total = float(qualifies.sum())
    figures: dict[str, Any] = {"fragmentary_qualifying_minutes": total,
               "fragmentary_nrem_minutes": float(nrem_min.sum()),
               "fragmentary_myoclonus_minutes": total if total >= p.fragmentary_min_minutes else 0.0,
               "fragmentary_potential_count": in_sleep}
    sleep_h = float(np.isin(hypnogram.stages, _SLEEP).sum()) * hypnogram.epoch / 3600.0
    figures["fragmentary_index"] = in_sleep / sleep_h if sleep_h > 0 else None
    rows = []
    if total >= p.fragmentary_min_minutes:
        for s, e in zip(*runs(qualifies), strict=True):
            onset = hypnogram.offset + 60.0 * s
            rows.append(_row(onset, 60.0 * (e - s), "fragmentary_myoclonus",
                             str(hypnogram.stage_at(onset)[0])))
    return pd.DataFrame(rows), figures


# -- sleep onset: transitions --------------------------------------------------------

def sleep_entries(hypnogram: Hypnogram) -> np.ndarray:
    """Times (s) of every wake → sleep transition (sleep onset and each re-entry)."""
    st = hypnogram.stages
    if st.size == 0:
        return np.zeros(0)
    sleep = np.isin(st, _SLEEP)
    prev_wake = np.concatenate([[False], st[:-1] == "W"])
    idx = np.flatnonzero(sleep & prev_wake)
    return hypnogram.offset + idx * hypnogram.epoch


def _near_entries(t: np.ndarray, entries: np.ndarray, before: float, after: float) -> np.ndarray:
    if entries.size == 0 or t.size == 0:
        return np.zeros(t.size, dtype=bool)
    k = np.searchsorted(entries, t - after, side="left")
    k = np.clip(k, 0, entries.size - 1)
    return (t >= entries[k] - before) & (t <= entries[k] + after)


# -- propriospinal myoclonus ----------------------------------------------------------

def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 2 or np.all(x == x[0]) or np.all(y == y[0]):
        return 0.0
    rx = pd.Series(x).rank().to_numpy()
    ry = pd.Series(y).rank().to_numpy()
    return float(np.corrcoef(rx, ry)[0, 1])


def _propriospinal_jerk(group: pd.DataFrame, p: PatternParams) -> bool:
    """Axial first, spreading to more distant regions with rising latency."""
    g = group[group["region"].isin(REGION_DISTANCE)]
    if g["channel"].nunique() < p.propriospinal_min_channels:
        return False
    g = g.sort_values("onset", kind="stable").drop_duplicates("channel")
    if g["region"].iloc[0] not in AXIAL_REGIONS:
        return False
    dist = g["region"].map(REGION_DISTANCE).to_numpy(int)
    lat = g["onset"].to_numpy(float) - g["onset"].iloc[0]
    far = dist > 0
    if not far.any() or lat[far].min() < p.propriospinal_min_spread_s:
        return False
    return _spearman(dist.astype(float), lat) >= p.propriospinal_min_rank_corr


def score_propriospinal_myoclonus(bursts: pd.DataFrame, hypnogram: Hypnogram,
                                  params: PatternParams | None = None
                                  ) -> tuple[pd.DataFrame, np.ndarray]:
    """Propriospinal myoclonus at sleep onset (Montagna 2006; Stefani & Högl 2019).

    A *jerk* is a group of bursts (0.3–3 s; onsets within 1 s of each other) in
    ≥ 3 channels that starts in an axial muscle (chest, abdomen, back, neck) and
    reaches more distant regions (shoulder, arm, leg) ≥ 30 ms later, onset
    latency rising with distance (Spearman ρ ≥ 0.5). An *episode* is ≥ 2 such
    jerks ≤ 60 s apart in relaxed wakefulness or N1, or within 3 min before to
    2 min after a wake → sleep transition (it fades once sleep deepens). One
    ``propriospinal_myoclonus`` row per episode (onset of its first jerk, to
    the end of its last); ``channels`` names every channel of its jerks.

    Returns
    -------
    (rows, used)
        Events rows, and a boolean per row of ``bursts`` marking bursts that
        belong to an episode (so other classifiers can leave them out).
    """
    p = params or PatternParams()
    used = np.zeros(len(bursts), dtype=bool)
    if len(bursts) == 0:
        return pd.DataFrame(), used
    b = bursts.reset_index(drop=True)
    near = _near_entries(b["onset"].to_numpy(float), sleep_entries(hypnogram),
                         p.propriospinal_before_s, p.propriospinal_after_s)
    cand = (~b["tonic"].astype(bool) & b["duration"].between(p.propriospinal_min_s,
                                                              p.propriospinal_max_s)
            & (b["stage"].isin(p.propriospinal_stages) | near))
    c = b[cand].sort_values("onset", kind="stable")
    if len(c) == 0:
        return pd.DataFrame(), used
    g = group_bursts(c["onset"].to_numpy(float), p.propriospinal_group_s)
    jerks: list[tuple[float, float, np.ndarray]] = []
    for _, grp in c.groupby(g, sort=True):
        if _propriospinal_jerk(grp, p):
            jerks.append((float(grp["onset"].min()),
                          float((grp["onset"] + grp["duration"]).max()), grp.index.to_numpy()))
    rows = []
    i = 0
    while i < len(jerks):
        j = i
        while j + 1 < len(jerks) and jerks[j + 1][0] - jerks[j][0] <= p.propriospinal_max_interval_s:
            j += 1
        if j - i + 1 >= p.propriospinal_min_jerks:
            onset, end = jerks[i][0], max(e for _, e, _ in jerks[i:j + 1])
            idx_all = np.concatenate([idx for _, _, idx in jerks[i:j + 1]])
            members = c.loc[idx_all]
            rows.append(_row(onset, end - onset, "propriospinal_myoclonus",
                             str(hypnogram.stage_at(onset)[0]), **_channel_fields(members),
                             amplitude_uv=float(members["amplitude_uv"].max())))
            used[idx_all] = True
        i = j + 1
    return pd.DataFrame(rows), used


# -- hypnic jerks ---------------------------------------------------------------------

def score_hypnic_jerks(bursts: pd.DataFrame, hypnogram: Hypnogram,
                       params: PatternParams | None = None, *, exclude: np.ndarray | None = None
                       ) -> tuple[pd.DataFrame, np.ndarray]:
    """Hypnic jerks (sleep starts): brief jerks at the wake → sleep transition.

    No AASM scoring rule exists; we use the AASM description and Bruno 1998:
    bursts < 250 ms (measured ≤ 0.3 s) in ≥ 2 muscles within 250 ms of each
    other — a sleep start is a massive jerk; a single muscle's twitch stays
    ``myoclonus``, but one muscle group is enough (Bruno's patient whose sleep
    starts involved only the arms) — from 60 s before to 3 min after a wake →
    sleep transition (sleep onset or a re-entry into sleep). One ``hypnic_jerk``
    row per jerk; ``channels`` names the channels that took part (``channel``
    when only one did: ``hypnic_min_channels`` = 1); ``muscle``/``side`` are
    filled when common to its bursts.

    Returns
    -------
    (rows, used)
        Events rows and a boolean per burst row marking bursts in a jerk.
    """
    p = params or PatternParams()
    used = np.zeros(len(bursts), dtype=bool)
    if len(bursts) == 0:
        return pd.DataFrame(), used
    b = bursts.reset_index(drop=True)
    entries = sleep_entries(hypnogram)
    on = b["onset"].to_numpy(float)
    cand = (~b["tonic"].astype(bool).to_numpy() & (b["duration"].to_numpy(float) < p.hypnic_max_s)
            & b["stage"].isin(p.hypnic_stages).to_numpy()
            & _near_entries(on, entries, p.hypnic_before_s, p.hypnic_after_s))
    if exclude is not None:
        cand &= ~np.asarray(exclude, bool)
    c = b[cand].sort_values("onset", kind="stable")
    rows = []
    if len(c):
        g = group_bursts(c["onset"].to_numpy(float), p.hypnic_group_s)
        for _, grp in c.groupby(g, sort=True):
            if grp["channel"].nunique() < p.hypnic_min_channels:
                continue
            onset = float(grp["onset"].min())
            end = float((grp["onset"] + grp["duration"]).max())
            rows.append(_row(onset, end - onset, "hypnic_jerk", str(grp["stage"].iloc[0]),
                             **_channel_fields(grp), amplitude_uv=float(grp["amplitude_uv"].max())))
            used[grp.index.to_numpy()] = True
    return pd.DataFrame(rows), used


# -- generalized random myoclonus ---------------------------------------------------

def _in_periodic_series(b: pd.DataFrame, p: PatternParams) -> np.ndarray:
    """Bursts of a region that belong to a periodic series (WASM 2016 grammar, per region).

    Periodic leg (or arm) movements are PLMs, not random myoclonus: GRM leaves them out.
    """
    out = np.zeros(len(b), dtype=bool)
    for region in ("leg", *p.periodic_regions):
        sel = np.flatnonzero((b["region"] == region).to_numpy()
                             & (b["duration"].to_numpy(float) >= p.periodic_min_s))
        if sel.size < p.periodic_min_count:
            continue
        order = sel[np.argsort(b["onset"].to_numpy(float)[sel], kind="stable")]
        on = b["onset"].to_numpy(float)[order]
        g = group_movements(on, on + b["duration"].to_numpy(float)[order], p.periodic_merge_s)
        first = np.concatenate([[True], np.diff(g) > 0])
        series = build_series(on[first], np.ones(int(first.sum()), bool),
                              imi_min_s=p.periodic_imi_min_s, imi_max_s=p.periodic_imi_max_s,
                              min_length=p.periodic_min_count)
        # Only locally regular stretches are periodic limb movements: the WASM grammar
        # alone also chains random movements 10–90 s apart. Regularity: the robust
        # spread (1.4826 × MAD / median) of the (up to) 5 series intervals around a
        # movement ≤ 0.3 — one missed beat (a doubled interval) does not break it.
        mov = on[first]
        link = (series[:-1] > 0) & (series[:-1] == series[1:])
        spread = _local_spread(np.where(link, np.diff(mov), np.nan), 5)
        ok = np.zeros(mov.size, dtype=bool)
        if spread.size:
            good = spread <= p.grm_periodic_max_cv
            ok[:-1] |= good
            ok[1:] |= good
        periodic_mov = (series > 0) & ok
        out[order] = periodic_mov[g]
    return out


def _local_spread(imi: np.ndarray, window: int) -> np.ndarray:
    """Robust spread (1.4826 × MAD / median) of the ``window`` intervals centred on each."""
    if imi.size == 0:
        return np.zeros(0)
    half = window // 2
    padded = np.concatenate([np.full(half, np.nan), imi, np.full(half, np.nan)])
    win = np.lib.stride_tricks.sliding_window_view(padded, window)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(win, axis=1)
        mad = np.nanmedian(np.abs(win - med[:, None]), axis=1)
    return np.where(np.isfinite(med) & (med > 0), 1.4826 * mad / med, np.inf)


def _dense_runs(onsets: np.ndarray, max_gap: float, min_count: int, min_rate_per_min: float
                ) -> np.ndarray:
    """Episode label per (sorted) movement, −1 outside: chains of gaps ≤ ``max_gap`` s, each
    split at its largest gap until every piece keeps ≥ ``min_rate_per_min`` movements a
    minute (pieces under ``min_count`` movements are dropped). Loops over movements only.
    """
    out = np.full(onsets.size, -1, dtype=np.int64)
    chain = group_bursts(onsets, max_gap)
    bounds = np.flatnonzero(np.diff(np.concatenate([[-1], chain, [chain[-1] + 1 if chain.size
                                                                  else 0]])))
    stack = [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    label = 0
    while stack:
        a, b = stack.pop()
        if b - a < min_count:
            continue
        span = onsets[b - 1] - onsets[a]
        if span <= 0 or 60.0 * (b - a - 1) / span >= min_rate_per_min:
            out[a:b] = label
            label += 1
            continue
        k = a + int(np.argmax(np.diff(onsets[a:b])))  # split after movement k
        stack += [(a, k + 1), (k + 1, b)]
    return out


def score_grm(bursts: pd.DataFrame, hypnogram: Hypnogram, params: PatternParams | None = None,
              *, exclude: np.ndarray | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Generalized random myoclonus episodes (Bruno 1998; definition ours, docs/definitions.md).

    Bruno describes brief contractions and ballistic movements of the arms and
    legs, slow repeated grasps, slow arm flexions and shoulder/pectoral
    contractions, random in time and place. Contractions of any duration up to
    10 s (``grm_max_burst_s``; any channel, legs included; sustained activity of
    5–10 s too, longer tonic stretches not)
    merge into movements (overlapping or < 0.5 s apart, offset → onset);
    movements ≤ 25 s apart form a candidate episode, split at its largest gaps
    until each piece keeps ≥ 5 movements a minute. An episode is GRM when it
    holds ≥ 6 movements, is *random in place* (≥ 2 body regions over the
    episode; one muscle at a time is enough) and *random in time* (coefficient
    of variation of its inter-movement intervals ≥ 0.3; a periodic train, CV ≈
    0.1, is not GRM). Leg and arm movements that belong to a regular periodic
    series (WASM 2016 grammar: ≥ 4 movements, IMIs 10–90 s, and locally regular
    — the robust spread, 1.4826 × MAD / median, of the 5 surrounding intervals
    ≤ 0.3) are periodic limb movements and are left out. Option, off by default
    (``grm_min_multi_fraction`` > 0): at least that fraction of the jerks must
    involve ≥ 2 muscles at once (counted where a region has ≥ 2 channels).
    One ``grm`` row per episode; ``channels`` names the channels that took part.

    Returns
    -------
    (rows, used)
        Events rows and a boolean per burst row marking bursts in an episode.
    """
    p = params or PatternParams()
    used = np.zeros(len(bursts), dtype=bool)
    if len(bursts) == 0:
        return pd.DataFrame(), used
    b = bursts.reset_index(drop=True)
    # Sustained contractions count by their duration alone: the burst detector calls
    # activity ≥ 5 s "tonic", but a 5-s pectoral contraction is one of Bruno's.
    cand = ((b["duration"] <= p.grm_max_burst_s)
            & b["stage"].isin(p.grm_stages)).to_numpy().copy()
    if exclude is not None:
        cand &= ~np.asarray(exclude, bool)
    cand &= ~_in_periodic_series(b, p)
    c = b[cand].sort_values("onset", kind="stable")
    if len(c) == 0:
        return pd.DataFrame(), used
    on = c["onset"].to_numpy(float)
    mov = group_movements(on, on + c["duration"].to_numpy(float), p.grm_merge_s)
    mov_onset = pd.Series(on).groupby(mov).min().to_numpy()
    episode_of_mov = _dense_runs(mov_onset, p.grm_max_gap_s, p.grm_min_movements,
                                 p.grm_min_rate_per_min)
    episode = episode_of_mov[mov]
    # Per movement: how many channels jerked, and could more than one have (its region
    # holds ≥ 2 channels in this recording)?
    per_region = b.groupby("region")["channel"].nunique()
    mov_df = pd.DataFrame({"mov": mov, "channel": c["channel"].to_numpy(),
                           "region": c["region"].to_numpy()})
    n_chan = mov_df.groupby("mov")["channel"].nunique().to_numpy()
    multi_possible = mov_df.groupby("mov")["region"].first().map(per_region).to_numpy() >= 2
    rows = []
    for e, grp in c.groupby(episode, sort=True):
        if e < 0:
            continue
        in_e = episode_of_mov == e
        m_on = mov_onset[in_e]
        if m_on.size < p.grm_min_movements or grp["region"].nunique() < p.grm_min_regions:
            continue
        eligible = multi_possible[in_e]
        if (p.grm_min_multi_fraction > 0 and eligible.any()
                and float(np.mean(n_chan[in_e][eligible] >= 2)) < p.grm_min_multi_fraction):
            continue
        imi = np.diff(m_on)
        cv = float(np.std(imi) / np.mean(imi)) if imi.size > 1 and np.mean(imi) > 0 else 0.0
        if cv < p.grm_min_imi_cv:
            continue
        onset = float(grp["onset"].min())
        end = float((grp["onset"] + grp["duration"]).max())
        rows.append(_row(onset, end - onset, "grm", str(hypnogram.stage_at(onset)[0]),
                         **_channel_fields(grp), amplitude_uv=float(grp["amplitude_uv"].max())))
        used[grp.index.to_numpy()] = True
    return pd.DataFrame(rows), used


# -- neck myoclonus -------------------------------------------------------------------

def score_neck_myoclonus(bursts: pd.DataFrame, hypnogram: Hypnogram,
                         params: PatternParams | None = None, *, neck_channels: int = 0
                         ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Neck myoclonus (Frauscher 2014): brief (< 500 ms) phasic activity of a neck muscle.

    Each non-tonic burst shorter than ``neck_max_s`` (0.5 s) in a channel of the
    ``neck_regions`` (``neck``: sternocleidomastoid, neck extensors) is one
    ``neck_myoclonus`` row of its channel, in any stage; Frauscher et al. found it
    mostly in REM sleep, so the index is per hour of REM.

    Parameters
    ----------
    neck_channels : int
        How many neck channels the recording has (0: the figures are null, not 0).

    Returns
    -------
    (rows, figures)
        Events rows and ``{"neck_myoclonus_count", "neck_myoclonus_rem_count",
        "neck_myoclonus_index_rem"}`` (the index null without REM or without a neck channel).
    """
    p = params or PatternParams()
    rem_h = float((hypnogram.stages == "R").sum()) * hypnogram.epoch / 3600.0
    figures: dict[str, Any] = {"neck_myoclonus_count": None, "neck_myoclonus_rem_count": None,
                               "neck_myoclonus_index_rem": None}
    if neck_channels <= 0:
        return pd.DataFrame(), figures
    b = bursts[neck_myoclonus_mask(bursts, p)] if len(bursts) else bursts
    rows = [_row(r.onset, r.duration, "neck_myoclonus", str(r.stage), channel=str(r.channel),
                 muscle=str(r.muscle), side=str(r.side), amplitude_uv=float(r.amplitude_uv))
            for r in b.itertuples(index=False)]
    n_rem = int((b["stage"] == "R").sum()) if len(b) else 0
    figures.update(neck_myoclonus_count=len(rows), neck_myoclonus_rem_count=n_rem,
                   neck_myoclonus_index_rem=(n_rem / rem_h) if rem_h > 0 else None)
    return pd.DataFrame(rows), figures


def neck_myoclonus_mask(table: pd.DataFrame, params: PatternParams | None = None) -> np.ndarray:
    """True for the neck myoclonus rows of a contraction table: a non-tonic contraction
    shorter than ``neck_max_s`` (Frauscher 2014: < 500 ms) of a ``neck_regions`` channel."""
    p = params or PatternParams()
    if len(table) == 0:
        return np.zeros(0, dtype=bool)
    return np.asarray(table["region"].isin(p.neck_regions) & ~table["tonic"].astype(bool)
                      & (table["duration"] < p.neck_max_s), dtype=bool)


# -- periodic movements in other muscles ---------------------------------------------

def score_periodic_arm_movements(bursts: pd.DataFrame, hypnogram: Hypnogram,
                                 params: PatternParams | None = None) -> dict[str, Any]:
    """Periodic movements in the arms: the WASM 2016 series grammar applied to arm bursts.

    Arm bursts (0.1–10 s) of both sides merge into movements when < 0.5 s
    apart; series are ≥ 4 movements with IMIs of 10–90 s (the legs' own
    :func:`~somnomotor.score.leg_rules.build_series`), and Ferri's periodicity
    index over the intervals in sleep. No events kind is
    promised for these yet; the figures are summary keys: ``arm_pm_count``
    (movements in series), ``arm_pm_series_count``, ``arm_pms_count`` (with
    onset in sleep) and the movement onsets in ``details``.
    """
    p = params or PatternParams()
    out: dict[str, Any] = {"arm_pm_count": 0, "arm_pms_count": 0, "arm_pm_series_count": 0,
                           "arm_movement_count": 0, "arm_periodicity_index": None, "onsets": []}
    if len(bursts) == 0:
        return out
    b = bursts[bursts["region"].isin(p.periodic_regions)]
    b = b[b["duration"].between(p.periodic_min_s, p.periodic_max_s)].sort_values("onset")
    if len(b) == 0:
        return out
    on = b["onset"].to_numpy(float)
    g = group_movements(on, on + b["duration"].to_numpy(float), p.periodic_merge_s)
    mov = pd.Series(on).groupby(g).min().to_numpy()
    series = build_series(mov, np.ones(mov.size, bool), imi_min_s=p.periodic_imi_min_s,
                          imi_max_s=p.periodic_imi_max_s, min_length=p.periodic_min_count)
    in_series = series > 0
    sleep = np.isin(hypnogram.stage_at(mov), _SLEEP)
    out.update(arm_movement_count=int(mov.size), arm_pm_count=int(in_series.sum()),
               arm_pms_count=int((in_series & sleep).sum()),
               arm_pm_series_count=int(series.max()) if series.size else 0,
               arm_periodicity_index=periodicity_index(np.diff(mov[sleep])),
               onsets=mov[in_series].tolist())
    return out
