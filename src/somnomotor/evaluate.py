"""Event-level agreement between a truth table and detected events, per kind.

Events are matched one-to-one by overlap, greedily (the pair that overlaps
most first), within each kind, as is usual for sleep-event detectors (e.g.
Carvelli 2020 for leg movements; YASA's ``compare_detection``).  Per kind:
precision, recall, F1, onset error; optionally the differences between two
summaries' indices.  Works for any kind of the events table (``lm``, ``plm``,
``myoclonus``, ``hypnic_jerk`` …).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import kinds as K
from .channels import MUSCLE_REGION

__all__ = ["DEFAULT_MATCH_ON", "evaluate", "match_events", "index_differences",
           "format_table"]

def _registry_match_on() -> dict[str, tuple[str, ...]]:
    return {k.name: k.match_on for k in K.all_kinds() if k.match_on}


#: Columns that must agree (when both rows fill them) for two events of a kind to
#: match: each kind's ``match_on`` in the kind registry (:mod:`somnomotor.kinds`),
#: read again at each call so that kinds registered later count.
DEFAULT_MATCH_ON: dict[str, tuple[str, ...]] = _registry_match_on()


def _prep(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["onset"] = pd.to_numeric(out["onset"], errors="coerce").astype(float)
    out["duration"] = pd.to_numeric(out["duration"], errors="coerce").fillna(0.0).astype(float)
    return out.sort_values("onset", kind="stable").reset_index(drop=True)


def match_events(truth: pd.DataFrame, events: pd.DataFrame, *, min_overlap: float = 0.0,
                 match_on: Iterable[str] = ()) -> list[tuple[int, int, float]]:
    """One-to-one matches ``(truth row, event row, overlap s)`` between two tables of one kind.

    Two events are candidates when their intervals overlap by more than
    ``min_overlap`` seconds (a zero-length event matches an interval that
    contains it) and they agree on every column of ``match_on`` that both
    fill.  Pairs are taken greedily, the largest overlap first.  Row numbers
    refer to the tables as given.

    Examples
    --------
    >>> t = pd.DataFrame({"onset": [0.0, 10.0], "duration": [1.0, 1.0]})
    >>> e = pd.DataFrame({"onset": [0.5, 30.0], "duration": [1.0, 1.0]})
    >>> match_events(t, e)
    [(0, 0, 0.5)]
    """
    if len(truth) == 0 or len(events) == 0:
        return []
    t_on = truth["onset"].to_numpy(float)
    t_end = t_on + truth["duration"].to_numpy(float)
    e_on = events["onset"].to_numpy(float)
    e_end = e_on + events["duration"].to_numpy(float)
    order = np.argsort(e_on, kind="stable")
    e_sorted = e_on[order]
    longest = float(np.nanmax(e_end - e_on)) if len(events) else 0.0
    cols = [c for c in match_on if c in truth.columns and c in events.columns]
    t_keys = {c: truth[c].fillna("").astype(str).to_numpy() for c in cols}
    e_keys = {c: events[c].fillna("").astype(str).to_numpy() for c in cols}
    pairs: list[tuple[float, int, int]] = []
    lo = np.searchsorted(e_sorted, t_on - longest - 1e-9, side="left")
    hi = np.searchsorted(e_sorted, t_end + 1e-9, side="right")
    for i in range(len(truth)):  # loops over events, not samples
        cand = order[lo[i]:hi[i]]
        if cand.size == 0:
            continue
        ov = np.minimum(t_end[i], e_end[cand]) - np.maximum(t_on[i], e_on[cand])
        point = (t_end[i] == t_on[i]) | (e_end[cand] == e_on[cand])
        ok = (ov > min_overlap) | (point & (ov >= 0))
        for c in cols:
            tv, ev = t_keys[c][i], e_keys[c][cand]
            ok &= (tv == "") | (ev == "") | (ev == tv)
        for j, o in zip(cand[ok], ov[ok], strict=True):
            pairs.append((float(o), i, int(j)))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_t: set[int] = set()
    used_e: set[int] = set()
    out = []
    for o, i, j in pairs:
        if i in used_t or j in used_e:
            continue
        used_t.add(i)
        used_e.add(j)
        out.append((i, j, o))
    out.sort()
    return out


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _regions(df: pd.DataFrame) -> np.ndarray:
    """Each row's body region, from its ``muscle`` (empty when unknown)."""
    if "muscle" not in df.columns or len(df) == 0:
        return np.full(len(df), "", dtype=object)
    return np.array([MUSCLE_REGION.get(str(m), "") for m in df["muscle"].fillna("")], dtype=object)


def _metrics(t: pd.DataFrame, e: pd.DataFrame, min_overlap: float, rule: tuple[str, ...]
             ) -> dict[str, Any]:
    """Precision, recall, F1 and timing errors of one kind's events ``e`` against ``t``."""
    pairs = match_events(t, e, min_overlap=min_overlap, match_on=rule)
    tp = len(pairs)
    fp, fn = len(e) - tp, len(t) - tp
    on_mean: float | None = None
    on_med: float | None = None
    dur_mean: float | None = None
    if pairs:
        ti = np.array([p[0] for p in pairs])
        ei = np.array([p[1] for p in pairs])
        d_on = e["onset"].to_numpy()[ei] - t["onset"].to_numpy()[ti]
        d_dur = e["duration"].to_numpy()[ei] - t["duration"].to_numpy()[ti]
        on_mean, on_med = float(d_on.mean()), float(np.median(np.abs(d_on)))
        dur_mean = float(d_dur.mean())
    return {
        "n_truth": int(len(t)), "n_detected": int(len(e)), "tp": tp, "fp": fp, "fn": fn,
        "precision": _ratio(tp, len(e)), "recall": _ratio(tp, len(t)),
        "f1": _ratio(2 * tp, len(t) + len(e)),
        "onset_error_mean_s": on_mean, "onset_error_median_abs_s": on_med,
        "duration_error_mean_s": dur_mean,
    }


def _with_pattern_rows(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` plus, for a classification that is no kind of the table, its contraction rows.

    A per-channel classification without an events kind of its own (neck
    myoclonus) is written as the ``pattern`` of ``contraction`` rows; those rows
    are compared as that kind.  A table that already has rows of the kind (a
    truth file, or a table a caller prepared) is left as it is, so nothing is
    counted twice.
    """
    if "pattern" not in df.columns or not len(df):
        return df
    pattern = df["pattern"].fillna("").astype(str)
    sel = (df["kind"] == "contraction") & (pattern != "") & ~pattern.isin(set(df["kind"]))
    if not sel.any():
        return df
    return pd.concat([df, df[sel].assign(kind=pattern[sel])], ignore_index=True)


def evaluate(truth: pd.DataFrame, events: pd.DataFrame, *, kinds: Iterable[str] | None = None,
             min_overlap: float = 0.0, match_on: Mapping[str, Iterable[str]] | None = None,
             truth_summary: Mapping[str, Any] | None = None,
             summary: Mapping[str, Any] | None = None, by_region: bool = True) -> dict[str, Any]:
    """Per-kind agreement of ``events`` with ``truth`` (both events tables).

    Parameters
    ----------
    truth, events : DataFrame
        Tables with ``onset``, ``duration`` (s) and ``kind`` (extra columns
        such as ``side`` are used by ``match_on``).
    kinds : iterable of str, optional
        Kinds to compare; default: every kind present in ``truth``.  A
        classification written only in the ``pattern`` column of ``contraction``
        rows (``neck_myoclonus``) is compared as a kind of its own.
    min_overlap : float
        Seconds two events must overlap by to match (default: any overlap).
    match_on : mapping kind → columns
        Columns that must agree for a match; default :data:`DEFAULT_MATCH_ON`
        (leg movements must be on the same leg).
    truth_summary, summary : mapping, optional
        Two summaries; their shared numeric keys are compared too.
    by_region : bool
        Also the figures per body region (from each row's ``muscle``) for every
        kind whose rows name a muscle.

    Returns
    -------
    dict
        ``{"kinds": {kind: {n_truth, n_detected, tp, fp, fn, precision, recall,
        f1, onset_error_mean_s, onset_error_median_abs_s,
        duration_error_mean_s}}, "regions": {kind: {region: {the same}}},
        "index_differences": {...}}``.  Ratios with a zero denominator are None
        (JSON null).

    Examples
    --------
    >>> t = pd.DataFrame({"onset": [0.0, 10.0], "duration": 1.0, "kind": "lm"})
    >>> e = pd.DataFrame({"onset": [0.1], "duration": 1.0, "kind": "lm"})
    >>> evaluate(t, e)["kinds"]["lm"]["recall"]
    0.5
    """
    for name, df in (("truth", truth), ("events", events)):
        missing = [c for c in ("onset", "duration", "kind") if c not in df.columns]
        if missing:
            raise ValueError(f"{name} table lacks column(s) {', '.join(missing)}")
    truth = _prep(_with_pattern_rows(truth))
    events = _prep(_with_pattern_rows(events))
    rules = dict(_registry_match_on() if match_on is None else match_on)
    kinds = list(kinds) if kinds is not None else sorted(set(truth["kind"].astype(str)))
    out: dict[str, Any] = {"kinds": {}}
    for kind in kinds:
        t = truth[truth["kind"] == kind].reset_index(drop=True)
        e = events[events["kind"] == kind].reset_index(drop=True)
        rule = tuple(rules.get(kind, ()))
        out["kinds"][kind] = _metrics(t, e, min_overlap, rule)
        if by_region:
            rt, re_ = _regions(t), _regions(e)
            names = sorted({r for r in (*rt, *re_) if r})
            if names:
                out.setdefault("regions", {})[kind] = {
                    r: _metrics(t[rt == r].reset_index(drop=True),
                                e[re_ == r].reset_index(drop=True), min_overlap, rule)
                    for r in names}
    if truth_summary is not None and summary is not None:
        out["index_differences"] = index_differences(truth_summary, summary)
    return out


def index_differences(truth: Mapping[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    """For every numeric key both summaries hold: truth, value, difference (value − truth).

    Nested dicts of numbers (e.g. ``plms_index_by_stage``) are compared key by key
    as ``outer.inner``.
    """
    out: dict[str, Any] = {}

    def walk(a: Mapping[str, Any], b: Mapping[str, Any], prefix: str) -> None:
        for k in a:
            if k not in b or k == "provenance":
                continue
            va, vb = a[k], b[k]
            name = f"{prefix}{k}"
            if isinstance(va, Mapping) and isinstance(vb, Mapping):
                walk(va, vb, name + ".")
            elif (isinstance(va, int | float) and isinstance(vb, int | float)
                  and not isinstance(va, bool) and not isinstance(vb, bool)):
                out[name] = {"truth": va, "value": vb, "difference": vb - va}

    walk(truth, other, "")
    return out


def format_table(result: Mapping[str, Any]) -> str:
    """The per-kind figures of :func:`evaluate` as a fixed-width text table."""
    def f(v: Any, spec: str) -> str:
        return "—" if v is None else format(v, spec)

    lines = [f"{'kind':<24}{'truth':>7}{'found':>7}{'TP':>6}{'FP':>6}{'FN':>6}"
             f"{'prec':>7}{'recall':>7}{'F1':>7}{'onset err s':>13}"]
    for kind, m in result["kinds"].items():
        lines.append(f"{kind:<24}{m['n_truth']:>7}{m['n_detected']:>7}{m['tp']:>6}{m['fp']:>6}"
                     f"{m['fn']:>6}{f(m['precision'], '.3f'):>7}{f(m['recall'], '.3f'):>7}"
                     f"{f(m['f1'], '.3f'):>7}{f(m['onset_error_median_abs_s'], '.3f'):>13}")
        for region, r in (result.get("regions") or {}).get(kind, {}).items():
            name = f"  {region}"
            lines.append(f"{name:<24}{r['n_truth']:>7}{r['n_detected']:>7}{r['tp']:>6}"
                         f"{r['fp']:>6}{r['fn']:>6}{f(r['precision'], '.3f'):>7}"
                         f"{f(r['recall'], '.3f'):>7}{f(r['f1'], '.3f'):>7}"
                         f"{f(r['onset_error_median_abs_s'], '.3f'):>13}")
    diffs = result.get("index_differences") or {}
    if diffs:
        lines.append("")
        lines.append(f"{'summary key':<32}{'truth':>10}{'value':>10}{'diff':>10}")
        for k, d in diffs.items():
            lines.append(f"{k:<32}{d['truth']:>10.3f}{d['value']:>10.3f}{d['difference']:>10.3f}")
    return "\n".join(lines)
