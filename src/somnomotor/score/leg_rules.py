"""The leg-movement rule grammar of WASM 2016 and AASM, one small function per rule.

Every function is pure: event tables (pandas DataFrames with ``onset`` and
``duration`` in seconds) in, tables or boolean arrays out.  The rules, with
their numbers, are those of

- **WASM 2016**: Ferri R. et al., "World Association of Sleep Medicine (WASM)
  2016 standards for recording and scoring leg movements in polysomnograms",
  Sleep Medicine 26 (2016) 86–95 (summary beside AASM: Table 3 of PMC9619152);
- **AASM**: The AASM Manual for the Scoring of Sleep and Associated Events,
  v2.6, movement rules;
- **Ferri 2006**: periodicity index, Sleep 2006;29:759–769.

Boundary convention: durations and IMIs given as ranges ("0.5–10 s",
"10–90 s") include both ends; a gap "less than 0.5 s" excludes 0.5 s.  Times
are compared with a tolerance of :data:`TIME_TOL` (1 µs) so that a value
written as 10.0 s in a file is 10 s, whatever floating-point subtraction did.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._util import runs

__all__ = [
    "TIME_TOL",
    "merge_same_leg",
    "apply_minimum_duration",
    "combine_bilateral_wasm",
    "combine_bilateral_aasm",
    "is_candidate_wasm",
    "is_candidate_aasm",
    "respiratory_related_wasm",
    "respiratory_related_aasm",
    "associated_with_arousal",
    "build_series",
    "periodicity_index",
    "imi_histograms",
]

#: Tolerance (s) of every time comparison: an IMI computed as 9.9999999999 s is 10 s.
TIME_TOL = 1e-6


def _ends(df: pd.DataFrame) -> np.ndarray:
    return (df["onset"].to_numpy(float) + df["duration"].to_numpy(float))


def merge_same_leg(lms: pd.DataFrame, gap_s: float = 0.5) -> pd.DataFrame:
    """Join LMs of the same leg less than ``gap_s`` apart (offset → onset) into one LM.

    WASM 2016 (LM definition; Table 3 of PMC9619152, "same leg"): LMs of one
    leg separated by less than 0.5 s are a single LM.  The merged LM runs from
    the first onset to the last offset; its amplitude is the largest of the
    parts.  Grouping is by ``side`` (the leg), whatever the channel label.  A gap of
    exactly ``gap_s`` keeps the LMs apart.

    Examples
    --------
    >>> lms = pd.DataFrame({"onset": [0.0, 1.2], "duration": [1.0, 1.0], "side": "left"})
    >>> merge_same_leg(lms)[["onset", "duration"]].values.tolist()
    [[0.0, 2.2]]
    """
    if len(lms) == 0:
        return lms.copy().reset_index(drop=True)
    keys = ["side"]
    df = lms.sort_values(keys + ["onset"], kind="stable").reset_index(drop=True)
    on = df["onset"].to_numpy(float)
    end = _ends(df)
    same = np.ones(len(df), dtype=bool)
    for k in keys:
        col = df[k].astype(str).to_numpy()
        same[1:] &= col[1:] == col[:-1]
    same[0] = False
    # Running maximum of offsets within each leg: a long LM can swallow later ones.
    group_start = ~same
    run_id = np.cumsum(group_start) - 1
    run_max_end = pd.Series(end).groupby(run_id).cummax().to_numpy()
    prev_max_end = np.concatenate([[-np.inf], run_max_end[:-1]])
    new = group_start | (on - prev_max_end >= gap_s - TIME_TOL)
    gid = np.cumsum(new) - 1
    agg: dict[str, tuple[str, str]] = {"onset": ("onset", "min"), "_end": ("_end", "max")}
    for k in keys:
        agg[k] = (k, "first")
    if "amplitude_uv" in df.columns:
        agg["amplitude_uv"] = ("amplitude_uv", "max")
    for extra in df.columns:
        if extra not in agg and extra not in ("duration", "_end"):
            agg[extra] = (extra, "first")
    out = df.assign(_end=end, _gid=gid).groupby("_gid", sort=False).agg(**agg)
    out["duration"] = out.pop("_end") - out["onset"]
    cols = [c for c in lms.columns if c in out.columns]
    return out[cols].sort_values("onset", kind="stable").reset_index(drop=True)


def apply_minimum_duration(lms: pd.DataFrame, min_s: float = 0.5) -> pd.DataFrame:
    """Keep LMs lasting at least ``min_s`` seconds (0.5 s included).

    WASM 2016 and AASM: the minimum duration of an LM is 0.5 s.

    Examples
    --------
    >>> lms = pd.DataFrame({"onset": [0.0, 5.0], "duration": [0.5, 0.4], "side": "left"})
    >>> apply_minimum_duration(lms)["onset"].tolist()
    [0.0]
    """
    keep = lms["duration"].to_numpy(float) >= min_s - TIME_TOL
    return lms.loc[keep].reset_index(drop=True)


def _group_table(lms: pd.DataFrame, gid: np.ndarray) -> pd.DataFrame:
    """One row per group: onset, duration, side, members, longest member, channel, amplitude."""
    on = lms["onset"].to_numpy(float)
    end = _ends(lms)
    side = lms["side"].astype(str).to_numpy()
    amp = (lms["amplitude_uv"].to_numpy(float) if "amplitude_uv" in lms.columns
           else np.full(len(lms), np.nan))
    chan = lms["channel"].astype(str).to_numpy() if "channel" in lms.columns else np.full(
        len(lms), "", dtype=object)
    df = pd.DataFrame({"gid": gid, "onset": on, "end": end, "side": side,
                       "dur": end - on, "amp": amp, "channel": chan})
    g = df.groupby("gid", sort=True)
    out = pd.DataFrame({
        "onset": g["onset"].min(),
        "end": g["end"].max(),
        "n_members": g.size(),
        "longest_member": g["dur"].max(),
        "n_sides": g["side"].nunique(),
        "side": g["side"].first(),
        "channel": g["channel"].first(),
        "amplitude_uv": g["amp"].max(),
    })
    bil = out["n_sides"].to_numpy() > 1
    out.loc[bil, "side"] = "bilateral"
    out.loc[bil, "channel"] = ""
    out["duration"] = out["end"] - out["onset"]
    out = out.drop(columns=["end", "n_sides"]).reset_index(drop=True)
    return out[["onset", "duration", "side", "channel", "amplitude_uv", "n_members",
                "longest_member"]]


def combine_bilateral_wasm(lms: pd.DataFrame, gap_s: float = 0.5
                           ) -> tuple[pd.DataFrame, np.ndarray]:
    """Group LMs of the two legs that overlap or are less than ``gap_s`` apart.

    WASM 2016 (bilateral LM; Table 3 of PMC9619152): monolateral LMs on the two
    legs that overlap, or are separated by less than 0.5 s (offset of one →
    onset of the other), form one bilateral LM.  Grouping is transitive: a
    chain of such LMs is one movement.  A group whose members all come from
    one leg is that monolateral LM itself.

    Returns the movements (``onset, duration, side`` — ``left``, ``right`` or
    ``bilateral`` — ``channel``, ``amplitude_uv``, ``n_members``,
    ``longest_member``) and, per input LM (sorted by onset), its movement number.

    Examples
    --------
    >>> lms = pd.DataFrame({"onset": [0.0, 1.2], "duration": 1.0, "side": ["left", "right"]})
    >>> mov, gid = combine_bilateral_wasm(lms)
    >>> mov["side"].tolist(), gid.tolist()
    (['bilateral'], [0, 0])
    """
    lms = lms.sort_values("onset", kind="stable").reset_index(drop=True)
    if len(lms) == 0:
        return _empty_movements(), np.zeros(0, dtype=np.int64)
    on = lms["onset"].to_numpy(float)
    end = _ends(lms)
    prev_max_end = np.concatenate([[-np.inf], np.maximum.accumulate(end)[:-1]])
    new = on - prev_max_end >= gap_s - TIME_TOL
    gid = np.cumsum(new) - 1
    return _group_table(lms, gid), gid


def combine_bilateral_aasm(lms: pd.DataFrame, onset_s: float = 5.0
                           ) -> tuple[pd.DataFrame, np.ndarray]:
    """Group LMs of the two legs whose onsets are less than ``onset_s`` apart.

    AASM manual v2.6 (PLM rules): leg movements in the two legs separated by
    less than 5 s between movement onsets are counted as a single leg
    movement.  Our reading, documented: a movement starts with an LM; an LM of
    the *other* leg joins it when its onset is less than 5 s after the
    movement's first onset; an LM of the same leg starts a new movement.
    Returns as :func:`combine_bilateral_wasm`.

    Examples
    --------
    >>> lms = pd.DataFrame({"onset": [0.0, 4.0], "duration": 1.0, "side": ["left", "right"]})
    >>> combine_bilateral_aasm(lms)[0]["side"].tolist()
    ['bilateral']
    """
    lms = lms.sort_values("onset", kind="stable").reset_index(drop=True)
    if len(lms) == 0:
        return _empty_movements(), np.zeros(0, dtype=np.int64)
    on = lms["onset"].to_numpy(float)
    side = lms["side"].astype(str).to_numpy()
    gid = np.zeros(len(lms), dtype=np.int64)
    # Sequential by nature (membership depends on the group's first LM); loops over
    # events, never samples.
    g, first_on, sides = 0, on[0], {side[0]}
    for i in range(1, len(lms)):
        if on[i] - first_on < onset_s - TIME_TOL and side[i] not in sides:
            sides.add(side[i])
        else:
            g, first_on, sides = g + 1, on[i], {side[i]}
        gid[i] = g
    return _group_table(lms, gid), gid


def _empty_movements() -> pd.DataFrame:
    return pd.DataFrame({"onset": pd.Series(dtype=float), "duration": pd.Series(dtype=float),
                         "side": pd.Series(dtype=object), "channel": pd.Series(dtype=object),
                         "amplitude_uv": pd.Series(dtype=float),
                         "n_members": pd.Series(dtype=np.int64),
                         "longest_member": pd.Series(dtype=float)})


def is_candidate_wasm(movements: pd.DataFrame, *, min_s: float = 0.5, mono_max_s: float = 10.0,
                      bilateral_max_s: float = 15.0, max_members: int = 4,
                      member_max_s: float = 10.0) -> np.ndarray:
    """Which movements are candidate LMs (CLMs).

    WASM 2016 (CLM definition; Table 3 of PMC9619152): a monolateral LM of
    0.5–10 s; a bilateral LM of 0.5–15 s that joins at most 4 monolateral LMs,
    none of them longer than 10 s.  Both range ends are included.

    Examples
    --------
    >>> mov = pd.DataFrame({"duration": [10.0, 12.0], "side": ["left", "bilateral"],
    ...                     "n_members": [1, 2], "longest_member": [10.0, 8.0]})
    >>> is_candidate_wasm(mov).tolist()
    [True, True]
    """
    dur = movements["duration"].to_numpy(float)
    bil = movements["side"].astype(str).to_numpy() == "bilateral"
    ok_mono = (dur >= min_s - TIME_TOL) & (dur <= mono_max_s + TIME_TOL)
    ok_bil = ((dur >= min_s - TIME_TOL) & (dur <= bilateral_max_s + TIME_TOL)
              & (movements["n_members"].to_numpy() <= max_members)
              & (movements["longest_member"].to_numpy(float) <= member_max_s + TIME_TOL))
    return np.where(bil, ok_bil, ok_mono)


def is_candidate_aasm(movements: pd.DataFrame, *, min_s: float = 0.5, max_s: float = 10.0
                      ) -> np.ndarray:
    """Which movements count toward PLM series under AASM.

    AASM manual v2.6: an LM lasts 0.5–10 s.  For a movement joining both legs
    (onsets < 5 s apart) each member must last 0.5–10 s.

    Examples
    --------
    >>> mov = pd.DataFrame({"duration": [10.5], "side": ["left"], "longest_member": [10.5]})
    >>> is_candidate_aasm(mov).tolist()
    [False]
    """
    dur = movements["duration"].to_numpy(float)
    longest = movements["longest_member"].to_numpy(float)
    bil = movements["side"].astype(str).to_numpy() == "bilateral"
    mono_ok = (dur >= min_s - TIME_TOL) & (dur <= max_s + TIME_TOL)
    return np.where(bil, longest <= max_s + TIME_TOL, mono_ok)


def _overlaps_any(on: np.ndarray, end: np.ndarray, w_on: np.ndarray, w_end: np.ndarray, *,
                  closed: bool) -> np.ndarray:
    """For each interval [on, end], whether it overlaps any window [w_on, w_end].

    ``closed``: touching counts (``on ≤ w_end`` and ``end ≥ w_on``); otherwise
    strict (``on < w_end`` and ``end > w_on``).  O((n + m) log m).
    """
    if len(w_on) == 0 or len(on) == 0:
        return np.zeros(len(on), dtype=bool)
    order = np.argsort(w_on, kind="stable")
    ws, we = w_on[order], w_end[order]
    prefix_max_end = np.maximum.accumulate(we)
    if closed:
        k = np.searchsorted(ws, end + TIME_TOL, side="right")  # windows starting ≤ end
    else:
        k = np.searchsorted(ws, end - TIME_TOL, side="left")  # windows starting < end
    out = np.zeros(len(on), dtype=bool)
    has = k > 0
    best = prefix_max_end[np.maximum(k - 1, 0)]
    if closed:
        out[has] = best[has] >= on[has] - TIME_TOL
    else:
        out[has] = best[has] > on[has] + TIME_TOL
    return out


def respiratory_related_wasm(movements: pd.DataFrame, respiratory: pd.DataFrame, *,
                             before_end_s: float = 2.0, after_end_s: float = 10.25
                             ) -> np.ndarray:
    """CLMs related to a respiratory event under WASM 2016.

    WASM 2016 (respiratory-related LMs): a CLM that overlaps the window from
    2.0 s before to 10.25 s after the *end* of an apnea, hypopnea or RERA is
    respiratory-related and is not counted as PLM.  Touching the window
    counts as overlapping.

    Examples
    --------
    >>> apnea = pd.DataFrame({"onset": [80.0], "duration": [20.0]})   # ends at 100 s
    >>> clm = pd.DataFrame({"onset": [110.0, 111.0], "duration": [1.0, 1.0]})
    >>> respiratory_related_wasm(clm, apnea).tolist()
    [True, False]
    """
    if len(respiratory) == 0:
        return np.zeros(len(movements), dtype=bool)
    r_end = _ends(respiratory)
    return _overlaps_any(movements["onset"].to_numpy(float), _ends(movements),
                         r_end - before_end_s, r_end + after_end_s, closed=True)


def respiratory_related_aasm(movements: pd.DataFrame, respiratory: pd.DataFrame, *,
                             margin_s: float = 0.5) -> np.ndarray:
    """LMs related to a respiratory event under AASM.

    AASM manual v2.6: an LM occurring from 0.5 s before to 0.5 s after an
    apnea, hypopnea or RERA is not scored as PLM.  We read "occurring" as the
    LM overlapping the window [event onset − 0.5 s, event end + 0.5 s],
    touching included.

    Examples
    --------
    >>> apnea = pd.DataFrame({"onset": [80.0], "duration": [20.0]})
    >>> lm = pd.DataFrame({"onset": [100.4, 100.6], "duration": [1.0, 1.0]})
    >>> respiratory_related_aasm(lm, apnea).tolist()
    [True, False]
    """
    if len(respiratory) == 0:
        return np.zeros(len(movements), dtype=bool)
    return _overlaps_any(movements["onset"].to_numpy(float), _ends(movements),
                         respiratory["onset"].to_numpy(float) - margin_s,
                         _ends(respiratory) + margin_s, closed=True)


def associated_with_arousal(movements: pd.DataFrame, arousals: pd.DataFrame, *,
                            gap_s: float = 0.5) -> np.ndarray:
    """Movements associated with an arousal.

    WASM 2016 and AASM (LM–arousal association): the LM and the arousal
    overlap, or there is less than 0.5 s between the end of one and the onset
    of the other, in either order.  A gap of exactly 0.5 s is not an association.

    Examples
    --------
    >>> arousal = pd.DataFrame({"onset": [100.0], "duration": [3.0]})
    >>> lm = pd.DataFrame({"onset": [103.4, 103.5], "duration": [1.0, 1.0]})
    >>> associated_with_arousal(lm, arousal).tolist()
    [True, False]
    """
    if len(arousals) == 0:
        return np.zeros(len(movements), dtype=bool)
    # Widen the arousals by the gap on both sides; a strict overlap then means gap < 0.5 s.
    return _overlaps_any(movements["onset"].to_numpy(float), _ends(movements),
                         arousals["onset"].to_numpy(float) - gap_s,
                         _ends(arousals) + gap_s, closed=False)


def build_series(onsets: np.ndarray, eligible: np.ndarray, *, imi_min_s: float = 10.0,
                 imi_max_s: float = 90.0, min_length: int = 4) -> np.ndarray:
    """PLM series over a sequence of movements: series number per movement, 0 if none.

    WASM 2016 (PLM series): at least 4 consecutive CLMs, each IMI (onset to
    onset of consecutive movements) 10–90 s, both ends included.  The series
    ends at an IMI < 10 s or > 90 s, or at a movement that is not eligible (an
    LM that is not a CLM).  With an IMI < 10 s the run ends at the first
    movement of the short pair; the second may start a new run.
    AASM (``imi_min_s=5``): at least 4 consecutive LMs, IMI 5–90 s.

    ``onsets`` (s) must be sorted; ``eligible`` marks movements that may be in
    a series (CLMs not removed); the others only break runs.  Series are
    numbered 1, 2, … in time order.

    Examples
    --------
    >>> build_series(np.array([0.0, 20, 40, 60, 65]), np.ones(5, bool)).tolist()
    [1, 1, 1, 1, 0]
    """
    onsets = np.asarray(onsets, dtype=float)
    eligible = np.asarray(eligible, dtype=bool)
    n = onsets.size
    out = np.zeros(n, dtype=np.int64)
    if n < max(min_length, 2):
        return out
    imi = np.diff(onsets)
    link = (eligible[:-1] & eligible[1:]
            & (imi >= imi_min_s - TIME_TOL) & (imi <= imi_max_s + TIME_TOL))
    # Runs of consecutive links: a run of k links joins k + 1 movements.
    starts, stops = runs(link)  # first link index of a run, one past the last
    keep = (stops - starts + 1) >= min_length
    starts, stops = starts[keep], stops[keep]
    if starts.size == 0:
        return out
    # Movements starts[j] .. stops[j] (inclusive) belong to series j + 1.
    marks = np.zeros(n + 1, dtype=np.int64)
    ids = np.arange(1, starts.size + 1)
    np.add.at(marks, starts, ids)
    np.add.at(marks, stops + 1, -ids)
    out = np.cumsum(marks[:-1])
    return out


def periodicity_index(imis: np.ndarray, *, imi_min_s: float = 10.0, imi_max_s: float = 90.0,
                      min_run: int = 3, counted: np.ndarray | None = None) -> float | None:
    """Ferri's periodicity index: share of IMIs that are periodic.

    Ferri 2006 (Sleep 29:759–769): the IMIs of 10–90 s that belong to runs of
    at least 3 consecutive such IMIs, divided by the number of all IMIs.
    Range 0–1; None when there is no IMI (undefined, written as JSON null).
    ``counted`` (optional, per IMI) marks the IMIs that count (e.g. both
    movements in sleep); the others neither count nor join runs.

    Examples
    --------
    >>> periodicity_index(np.array([20.0, 20, 20, 5, 20]))
    0.6
    """
    imis = np.asarray(imis, dtype=float)
    use = np.ones(imis.size, bool) if counted is None else np.asarray(counted, dtype=bool)
    if not use.any():
        return None
    ok = (imis >= imi_min_s - TIME_TOL) & (imis <= imi_max_s + TIME_TOL) & use
    run_s, run_e = runs(ok)
    lengths = run_e - run_s
    periodic = int(lengths[lengths >= min_run].sum())
    return periodic / int(use.sum())


def imi_histograms(imis: np.ndarray) -> dict[str, object]:
    """IMI histograms: 2-s bins from 0 to 90 s, ln(IMI) in 0.1 bins from 0 to 4.5.

    Also the counts of IMIs < 10 s, 10–90 s (both included) and > 90 s
    (WASM 2016 recommends reporting the IMI distribution).  IMIs outside a
    histogram's range are not in its bins (they are in the counts).

    Examples
    --------
    >>> h = imi_histograms(np.array([5.0, 20.0, 120.0]))
    >>> h["count_below_10s"], h["count_10_to_90s"], h["count_above_90s"]
    (1, 1, 1)
    """
    imis = np.asarray(imis, dtype=float)
    lin_edges = np.arange(0.0, 90.0 + 1e-9, 2.0)
    ln_edges = np.round(np.arange(0.0, 4.5 + 1e-9, 0.1), 10)
    lin, _ = np.histogram(imis, bins=lin_edges)
    with np.errstate(divide="ignore"):
        ln_imis = np.log(imis[imis > 0])
    ln, _ = np.histogram(ln_imis, bins=ln_edges)
    return {
        "linear_edges_s": lin_edges.tolist(),
        "linear_counts": lin.astype(int).tolist(),
        "ln_edges": ln_edges.tolist(),
        "ln_counts": ln.astype(int).tolist(),
        "count_below_10s": int(np.sum(imis < 10.0 - TIME_TOL)),
        "count_10_to_90s": int(np.sum((imis >= 10.0 - TIME_TOL) & (imis <= 90.0 + TIME_TOL))),
        "count_above_90s": int(np.sum(imis > 90.0 + TIME_TOL)),
    }
