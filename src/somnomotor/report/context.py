"""Building the report's template context from a :class:`~somnomotor.result.NightResult`.

Every number the report shows comes from here, and every summary figure is
taken from ``result.summary`` unchanged, so the report and ``summary.json``
cannot disagree.  A displayed summary figure is a :class:`Cell`: the template
prints ``cell.text`` and carries ``cell.key`` / ``cell.value`` / ``cell.scale``
/ ``cell.digits`` as ``data-*`` attributes, which the tests use to check the
page against ``summary.json``.

Anything may be missing (a night without movements, REM or stages; an older
scorer without some details): missing values show as "—", empty tables as
"none found"; nothing here raises on absent keys.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import kinds as K
from ..events import make_events
from ..hypnogram import Hypnogram
from ..recording import Recording
from ..result import NightResult
from . import figures as F

DASH = "—"

#: Normal ranges printed beside REM-atonia figures (source in the text).
#: Resting level above which a channel is flagged as noisy (µV; the Luna convention).
HIGH_RESTING_UV = 16.0
#: At most this many raw-EMG snippets (one per kind found).
MAX_SNIPPETS = 24
#: Longest stretch of an event drawn in full (s); longer events are drawn to this
#: length and the caption of their panel says so.
SNIPPET_MAX_EVENT_S = 600.0
#: Seconds of signal shown before an event's onset and after its end.
SNIPPET_PAD_S = 4.0
#: WASM 2016 / AASM LM thresholds above the resting level (µV) when the
#: parameters recorded in the result do not say otherwise.
DEFAULT_ONSET_UV = 8.0
DEFAULT_OFFSET_UV = 2.0


@dataclass(frozen=True)
class Cell:
    """One displayed figure and where it came from.

    ``key`` is the dotted summary path (``plms_index_by_stage.N2``) or empty
    for figures not in the summary; ``value`` is the raw value; ``text`` is
    ``value × scale`` rounded to ``digits`` (or "—").
    """

    key: str
    value: Any
    text: str
    scale: float = 1.0
    digits: int = 1
    unit: str = ""
    #: Shown beside the figure (e.g. "not interpretable": too little sleep under it).
    caveat: str = ""

    @property
    def json_value(self) -> str:
        return json.dumps(self.value)

    @property
    def missing(self) -> bool:
        return self.text == DASH


def format_number(value: Any, digits: int = 1, scale: float = 1.0) -> str:
    """``value × scale`` with ``digits`` decimals; ints as ints; "—" when missing.

    >>> format_number(0.8734, 1, 100.0), format_number(None), format_number(12)
    ('87.3', '—', '12')
    """
    if value is None or isinstance(value, bool | str):
        return DASH if value is None else str(value)
    if isinstance(value, int | np.integer) and scale == 1.0:
        return str(int(value))
    try:
        f = float(value) * scale
    except (TypeError, ValueError):
        return DASH
    if not math.isfinite(f):
        return DASH
    return f"{f:.{digits}f}"


def lookup(summary: Mapping[str, Any], key: str) -> Any:
    """``summary["a"]["b"]`` for ``key="a.b"``; None when any part is missing."""
    node: Any = summary
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def cell(summary: Mapping[str, Any], key: str, digits: int = 1, *, scale: float = 1.0,
         unit: str = "") -> Cell:
    """A :class:`Cell` for the summary figure ``key``."""
    value = lookup(summary, key)
    if isinstance(value, Mapping | list):
        value = None
    return Cell(key, value, format_number(value, digits, scale), scale, digits, unit)


def plain(value: Any, digits: int = 1, unit: str = "") -> Cell:
    """A :class:`Cell` for a figure that is not a summary key (events, details, quality)."""
    return Cell("", value if not isinstance(value, np.generic) else value.item(),
                format_number(value, digits), 1.0, digits, unit)


@dataclass
class Row:
    label: str
    cells: list[Cell]
    note: str = ""
    flag: bool = False


@dataclass
class Section:
    title: str
    anchor: str
    rows: list[Row] = field(default_factory=list)


# --------------------------------------------------------------------- header
def _human_duration(seconds: float) -> str:
    if not seconds or not math.isfinite(seconds):
        return DASH
    minutes = int(round(seconds / 60.0))
    return f"{minutes // 60} h {minutes % 60:02d} min"


def parameters_digest(summary: Mapping[str, Any]) -> str:
    """Short SHA-256 of the parameters JSON (as recorded in the provenance)."""
    prov = summary.get("provenance") or {}
    if prov.get("parameters_digest"):
        return str(prov["parameters_digest"])
    params = prov.get("parameters")
    if params is None:
        return DASH
    text = json.dumps(params, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _format_start(start: str | None) -> str:
    if not start:
        return DASH
    try:
        return _dt.datetime.fromisoformat(start).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return start


def _channels(result: NightResult) -> list[dict[str, str]]:
    ch = result.channels
    if not isinstance(ch, pd.DataFrame) or not len(ch) or "label" not in ch:
        return []
    out = []
    for _, r in ch.iterrows():
        kind = str(r.get("kind", "") or "")
        if kind == "annotation":
            continue
        out.append({"label": str(r["label"]), "kind": kind,
                    "muscle": str(r.get("muscle", "") or "").replace("_", " "),
                    "side": str(r.get("side", "") or ""),
                    "fs": format_number(r.get("fs"), 0)})
    return out


def staging_warning(source: str, hypnogram: Hypnogram) -> str | None:
    """The warning printed when stages were not scored by a person (or are absent)."""
    if source.startswith("automatic"):
        return ("Sleep stages were scored automatically ("
                f"{source.split(':', 1)[-1]}), not by a sleep technologist. Every figure per "
                "hour of sleep and every figure by stage rests on them; check the hypnogram "
                "before relying on them.")
    if source == "none" or not hypnogram.is_scored:
        return ("No sleep stages: total sleep time is unknown, indices are per hour of "
                "recording, and nothing is split by stage or sleep/wake.")
    return None


def _identity(recording: Recording | None) -> list[tuple[str, str]]:
    if recording is None:
        return []
    return [(str(k).replace("_", " "), str(v)) for k, v in recording.header.items()
            if any(w in str(k).lower() for w in ("patient", "recording", "technician"))]


def _start_datetime(start: str | None) -> _dt.datetime | None:
    if not start:
        return None
    try:
        return _dt.datetime.fromisoformat(str(start))
    except ValueError:
        return None


def clock(start_iso: str | None, seconds: float, decimals: int = 0) -> str:
    """Clock time (HH:MM:SS, with ``decimals`` of a second) of ``seconds`` from the
    recording start, or "+h:mm:ss" from the start when the recording does not say
    when it began.

    >>> clock("2024-01-02T22:30:00", 5400.0), clock(None, 5400.0)
    ('00:00:00', '+1:30:00')
    >>> clock("2024-01-02T22:30:00", 61.239, 2), clock(None, 61.239, 2), clock(None, 59.9)
    ('22:31:01.23', '+0:01:01.23', '+0:00:59')
    """
    start = _start_datetime(start_iso)
    scale = 10 ** decimals
    # truncated, as a clock shows it (and at every precision the same second: the title's
    # 22:56:24 and the axis's 22:56:24.65); the epsilon keeps 0.3 s from reading 0.29
    units = math.floor(float(seconds) * scale + 1e-6)
    whole, frac = divmod(units, scale)
    tail = f".{frac:0{decimals}d}" if decimals else ""
    if start is None:
        return f"+{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}{tail}"
    return (start + _dt.timedelta(seconds=whole)).strftime("%H:%M:%S") + tail


def _kind_label(kind: str) -> str:
    try:
        return K.get(kind).label
    except KeyError:
        return kind.replace("_", " ")


# ---------------------------------------------------------------- histograms
def _as_histogram(obj: Any, default_edges: np.ndarray) -> F.Histogram | None:
    """Read a histogram in any of the shapes a scorer may store it in."""
    if obj is None:
        return None
    try:
        if isinstance(obj, Mapping):
            counts = obj.get("counts")
            edges = obj.get("edges", obj.get("bin_edges", obj.get("bins")))
            if counts is None:
                return None
            counts = np.asarray(counts, dtype=float)
            edges = default_edges if edges is None else np.asarray(edges, dtype=float)
        elif isinstance(obj, tuple | list) and len(obj) == 2 and np.ndim(obj[0]) == 1 \
                and np.ndim(obj[1]) == 1 and len(obj[1]) == len(obj[0]) + 1:
            counts, edges = np.asarray(obj[0], float), np.asarray(obj[1], float)
        else:
            counts = np.asarray(obj, dtype=float)
            edges = default_edges
        if len(edges) == len(counts):  # left edges given: add the last right edge
            step = edges[1] - edges[0] if len(edges) > 1 else 1.0
            edges = np.append(edges, edges[-1] + step)
        if len(edges) != len(counts) + 1:
            return None
        return F.Histogram(edges, counts)
    except (TypeError, ValueError):
        return None


IMI_EDGES = np.arange(0.0, 92.0, 2.0)           # WASM 2016: 2-s bins 0–90 s
LN_IMI_EDGES = np.round(np.arange(0.0, 4.55, 0.1), 10)  # ln(IMI) 0.1 bins 0–4.5


def imi_histograms(result: NightResult) -> tuple[F.Histogram | None, F.Histogram | None, str]:
    """IMI histograms from the legs scorer's details, else from CLM onsets in sleep."""
    legs = result.details.get("legs") if isinstance(result.details, Mapping) else None
    legs = legs if isinstance(legs, Mapping) else {}
    combined = legs.get("imi_histogram")
    if isinstance(combined, Mapping) and "linear_counts" in combined:
        lin = _as_histogram({"counts": combined.get("linear_counts"),
                             "edges": combined.get("linear_edges_s")}, IMI_EDGES)
        ln = _as_histogram({"counts": combined.get("ln_counts"),
                            "edges": combined.get("ln_edges")}, LN_IMI_EDGES)
    else:
        lin = _as_histogram(legs.get("imi_hist", combined), IMI_EDGES)
        ln = _as_histogram(legs.get("ln_imi_hist", legs.get("ln_imi_histogram")), LN_IMI_EDGES)
    if lin is not None or ln is not None:
        return lin, ln, "from the leg-movement scorer"
    ev = result.events
    clm = ev.loc[(ev["kind"] == "clm"), "onset"].to_numpy(float)
    imi = np.diff(np.sort(clm))
    if not len(imi):
        return None, None, "no CLM pairs"
    lin = F.Histogram(IMI_EDGES, np.histogram(imi, IMI_EDGES)[0].astype(float))
    ln = F.Histogram(LN_IMI_EDGES, np.histogram(np.log(imi[imi > 0]), LN_IMI_EDGES)[0]
                     .astype(float))
    return lin, ln, "computed from consecutive CLM onsets (whole night)"


def _lengths_text(lengths: Sequence[int]) -> str:
    """"median 18 (range 4–31)" of the PLMs per series, or "none found"."""
    if not lengths:
        return "none found"
    arr = np.asarray(lengths)
    return (f"median {format_number(float(np.median(arr)), 1 if len(arr) % 2 == 0 else 0)}"
            f" (range {arr.min()}–{arr.max()})")


def imi_counts(result: NightResult) -> list[tuple[str, Cell]]:
    """IMI counts < 10 s, 10–90 s, > 90 s from the legs scorer's details (WASM 2016)."""
    legs = result.details.get("legs") if isinstance(result.details, Mapping) else None
    hist = legs.get("imi_histogram") if isinstance(legs, Mapping) else None
    if not isinstance(hist, Mapping):
        return []
    return [(label, plain(hist.get(key), 0)) for label, key in
            (("IMI < 10 s", "count_below_10s"), ("IMI 10–90 s", "count_10_to_90s"),
             ("IMI > 90 s", "count_above_90s")) if key in hist]


def _series_lengths(result: NightResult) -> list[int]:
    legs = result.details.get("legs") if isinstance(result.details, Mapping) else None
    if isinstance(legs, Mapping) and legs.get("series_lengths") is not None:
        try:
            return [int(x) for x in legs["series_lengths"]]
        except (TypeError, ValueError):
            return []
    plm = result.events[result.events["kind"] == "plm"]
    if not len(plm) or plm["series"].isna().all():
        return []
    return [int(n) for n in plm.groupby("series").size().tolist()]


# ----------------------------------------------------------------- snippets
def _quality_names(q: pd.DataFrame) -> pd.Series:
    """Channel names of a quality table (scorers call the column ``label`` or ``channel``)."""
    names = pd.Series([""] * len(q), index=q.index, dtype=object)
    for col in ("channel", "label"):
        if col in q:
            names = q[col].where(q[col].notna() & (q[col].astype(str) != ""), names)
    return names.astype(str)


def _quality_row(result: NightResult, label: str, leg: bool = True) -> Mapping[str, Any]:
    """The channel's quality row: the leg detector's (``label``) or the burst detector's
    (``channel``) when both report it, so the resting level is the detector's own."""
    q = result.quality
    if isinstance(q, pd.DataFrame) and len(q):
        hit = q[_quality_names(q) == label]
        col = "label" if leg else "channel"
        if col in hit:
            own = hit[hit[col].astype(str) == label]
            hit = own if len(own) else hit
        if len(hit):
            return hit.iloc[0].to_dict()
    return {}


def _thresholds(summary: Mapping[str, Any], leg: bool,
                rest: float | None) -> tuple[float | None, float | None]:
    """Onset and offset levels (µV) the detector compared the envelope with.

    Legs: resting + 8 µV / + 2 µV (WASM 2016), or the recorded parameters.
    Other muscles (``[muscles.bursts]``): resting + max(onset_uv, onset_factor ×
    resting) and resting + max(offset_uv, offset_factor × resting).
    """
    if rest is None:
        return None, None
    params = lookup(summary, "provenance.parameters") or {}
    params = params if isinstance(params, Mapping) else {}

    def num(section: Mapping[str, Any], *names: str) -> float | None:
        for n in names:
            v = section.get(n)
            if isinstance(v, int | float) and not isinstance(v, bool):
                return float(v)
        return None

    if leg:
        sec = params.get("leg_detection") or {}
        sec = sec if isinstance(sec, Mapping) else {}
        on = num(sec, "onset_threshold_uv", "onset_uv") or DEFAULT_ONSET_UV
        off = num(sec, "offset_threshold_uv", "offset_uv") or DEFAULT_OFFSET_UV
        if sec.get("noise_adaptive") is True:
            # the detector's noise-floor-adjusted margins (signal.baseline.detection_thresholds)
            on = max(on, (num(sec, "noise_onset_factor") or 0.0) * rest)
            off = max(off, (num(sec, "noise_offset_factor") or 0.0) * rest)
        return rest + on, rest + off
    sec = lookup(params, "muscles.bursts") if "muscles" in params else None
    if not isinstance(sec, Mapping):
        return None, None
    on_uv, on_f = num(sec, "onset_uv"), num(sec, "onset_factor") or 0.0
    off_uv, off_f = num(sec, "offset_uv"), num(sec, "offset_factor") or 0.0
    return (None if on_uv is None else rest + max(on_uv, on_f * rest),
            None if off_uv is None else rest + max(off_uv, off_f * rest))


def _channel_for(result: NightResult, recording: Recording, row: pd.Series) -> str | None:
    if row["channel"] and row["channel"] in recording.labels:
        return str(row["channel"])
    muscle = row["muscle"] or ("tibialis_anterior" if row["kind"] in K.leg_kinds() else "")
    if not muscle:
        return None
    sides = [row["side"]] if row["side"] in ("left", "right", "midline") else ["left", "right", ""]
    for side in sides:
        for c in recording.channels:
            if c.muscle == muscle and (c.side == side or side == ""):
                return c.label
    return None


#: At most this many channels are stacked in the example of an event over several
#: channels (GRM, hypnic jerk, propriospinal myoclonus).
MAX_STACKED = 6


def _listed_channels(row: pd.Series, recording: Recording) -> list[str]:
    """The channels an event over several channels names (``channels``), in the order
    listed, that the recording holds."""
    names = str(row.get("channels", "") or "")
    seen = [c for c in dict.fromkeys(n.strip() for n in names.split(";")) if c]
    return [c for c in seen if c in recording.labels][:MAX_STACKED]


def build_snippets(result: NightResult, recording: Recording | None) -> list[F.Snippet]:
    """A representative event of every kind found (median amplitude of its kind),
    with the EMG the detectors saw around it.

    An event on one channel is drawn on that channel, with its envelope and the
    detector's levels; an event over several channels (a row with ``channels``:
    GRM, hypnic jerks, propriospinal myoclonus) is drawn as stacked traces of the
    channels it names (at most :data:`MAX_STACKED`).
    """
    from ..errors import InputError
    from ..signal.condition import trace_for_result

    if recording is None or not len(result.events):
        return []
    ev = result.events
    listed = (ev["channels"].fillna("").astype(str) if "channels" in ev
              else pd.Series("", index=ev.index))
    chosen: list[pd.Series] = []
    # An example of every kind found that sits on a channel or names its channels,
    # whatever the kind (the registry's snippet rank orders them; unranked kinds follow
    # in registry order).
    order = {k.name: (k.snippet_rank if k.snippet_rank is not None else 1000, i)
             for i, k in enumerate(K.all_kinds())}
    found = sorted(set(ev["kind"]), key=lambda k: order.get(k, (2000, 0)))
    for kind in found:
        if len(chosen) >= MAX_SNIPPETS:
            break
        g = ev[ev["kind"] == kind]
        on_channel = g[(g["channel"] != "") | (g["muscle"] != "")]
        over_several = g[(g["channel"] == "") & (listed[g.index] != "")]
        if len(on_channel):
            g = on_channel
        elif len(over_several):
            g = over_several
        elif kind not in K.leg_kinds():
            continue
        if kind == "myoclonus":  # the muscle with the most bursts
            top = g["muscle"].value_counts().index[0]
            g = g[g["muscle"] == top]
        amp = g["amplitude_uv"].to_numpy(float)
        if np.isfinite(amp).any():
            i = int(np.nanargmin(np.abs(amp - np.nanmedian(amp))))
        else:
            i = len(g) // 2
        chosen.append(g.iloc[i])
    out = []
    for row in chosen:
        several = [] if row["channel"] else _listed_channels(row, recording)
        label = _channel_for(result, recording, row) if not several else several[0]
        if label is None:
            continue
        ch = recording.channel(label)
        dur = float(row["duration"])
        t0 = max(0.0, float(row["onset"]) - SNIPPET_PAD_S)
        shown = min(dur, SNIPPET_MAX_EVENT_S)
        t1 = min(recording.duration, float(row["onset"]) + shown + SNIPPET_PAD_S)
        # The signal the detectors saw: the same conditioning, with the recorded parameters
        # (a result that does not record them gets no traces rather than other ones).
        provenance = result.summary.get("provenance", {})
        try:
            trace = trace_for_result(recording, label, t0, t1, provenance)
            others = [(c, trace_for_result(recording, c, t0, t1, provenance))
                      for c in several[1:]]
        except InputError:
            return []
        y = trace.signal
        if len(y) < 8:
            continue
        times = trace.times()
        env = trace.envelope_at(times)
        leg = row["kind"] in K.leg_kinds()
        q = _quality_row(result, label, leg)
        rest = q.get("resting_level_uv")
        rest = float(rest) if isinstance(rest, int | float | np.floating) and \
            np.isfinite(rest) else None
        on_level, off_level = _thresholds(result.summary, leg, rest)
        where = (f"{len(several)} channels" if len(several) > 1 else label)
        title = (f"{_kind_label(str(row['kind']))} · {where} · "
                 f"{clock(result.recording_start, float(row['onset']))} · "
                 f"{dur:.{2 if dur < 1 else 1}f} s · "
                 f"{row['stage'] or DASH}" + (f" (first {shown:.0f} s)" if shown < dur else ""))
        # the raw samples of the same window, for the report's raw view
        unconditioned = recording.read(label, float(times[0]), float(times[-1]) + 1.0 / ch.fs)
        stack: tuple[F.StackedTrace, ...] = ()
        if len(several) > 1:
            # the first channel's raw window is the one read above (its trace starts there)
            stack = tuple(
                F.StackedTrace(c, tr.times(), np.asarray(tr.signal, dtype=float),
                               np.asarray(raw if raw is not None else
                                          recording.read(c, float(tr.t0), float(tr.times()[-1])
                                                         + 1.0 / recording.channel(c).fs),
                                          dtype=float),
                               float(recording.channel(c).fs))
                for c, tr, raw in [(label, trace, unconditioned),
                                   *((c, tr, None) for c, tr in others)]
                if tr.signal.size >= 8)
        out.append(F.Snippet(
            title=title, times=times, raw=y, envelope=env, onset=float(row["onset"]),
            duration=dur, resting_uv=rest,
            onset_threshold_uv=on_level, offset_threshold_uv=off_level,
            unconditioned=np.asarray(unconditioned, dtype=float), raw_fs=float(ch.fs),
            onset_clock=clock(result.recording_start, float(row["onset"]), 2), stack=stack))
    return out


# ------------------------------------------------------------------ sections
STAGE_NAMES = {"N1": "N1", "N2": "N2", "N3": "N3", "R": "REM"}


NOT_INTERPRETABLE = "not interpretable"


def basis_word(summary: Mapping[str, Any]) -> str:
    """What the indices are per hour of: "sleep" or "recording" (no stages)."""
    return "recording" if summary.get("index_basis") == "recording" else "sleep"


def _relabel(label: str, summary: Mapping[str, Any]) -> str:
    """A row label with its unit per hour of what the run counted over."""
    if basis_word(summary) == "recording":
        return (label.replace("/h sleep", "/h recording")
                .replace("/h time in bed", "/h recording"))
    return label


def caveat(summary: Mapping[str, Any], key: str) -> str:
    """"not interpretable" for an index over less sleep than the documented minimum."""
    if summary.get("indices_interpretable") is False and (
            "index" in key.split(".")[0] or key.split(".")[0] in ("ahi", "arousal_index")):
        return NOT_INTERPRETABLE
    return ""


STAGE_MINUTES = {"W": ("wake_min", "wake"), "N1": ("n1_min", "N1"), "N2": ("n2_min", "N2"),
                 "N3": ("n3_min", "N3"),
                 "R": ("rem_min", "REM")}


def icell(summary: Mapping[str, Any], key: str, digits: int = 1, *, scale: float = 1.0,
          unit: str = "") -> Cell:
    """:func:`cell` with the "not interpretable" caveat where it applies; an index of a
    stage the night did not have says so (a scorer may write 0 there)."""
    c = cell(summary, key, digits, scale=scale, unit=unit)
    cv = caveat(summary, key) if not c.missing else ""
    stage = key.rsplit(".", 1)[-1] if "_by_stage" in key else ""
    if stage in STAGE_MINUTES:
        minutes_key, name = STAGE_MINUTES[stage]
        if lookup(summary, minutes_key) == 0:  # summary.json says null there (older: 0)
            cv = f"no {name} in this night: unknown"
    return Cell(c.key, c.value, c.text, c.scale, c.digits, c.unit, cv)


def legs_rows(summary: Mapping[str, Any]) -> list[Row]:
    """The standard leg-movement table: each figure without and with respiratory-related CLMs.

    The rows are the registry's ``legs`` report rows (:mod:`somnomotor.kinds`);
    "/h sleep" reads "/h recording" when the run had no stages.
    """
    rows = []
    for r in K.report_rows("legs"):
        # respiratory-related movements are a PLM matter (WASM 2016): LM/CLM rows have none
        incl = (icell(summary, f"{r.key}_incl_resp", r.digits, scale=r.scale)
                if r.incl_resp else Cell("", None, ""))
        rows.append(Row(_relabel(r.label, summary),
                        [icell(summary, r.key, r.digits, scale=r.scale), incl]))
    for st, name in STAGE_NAMES.items():
        rows.append(Row(f"PLMS index in {name} (/h of {name})",
                        [icell(summary, f"plms_index_by_stage.{st}", 1),
                         icell(summary, f"plms_index_by_stage_incl_resp.{st}", 1)]))
    return rows


def denominator_rows(summary: Mapping[str, Any]) -> list[Row]:
    """The times every index is divided by, as the run counted them."""
    word = basis_word(summary)
    rows = [Row(f"Hours of {word} under the indices (/h {word})",
                [cell(summary, "leg_index_hours", 2, unit="h")],
                note="less the stretches no leg channel could be scored"),
            Row("Wake after sleep onset under the PLMW index",
                [cell(summary, "plmw_denominator_min", 1, unit="min")],
                note="wake epochs from sleep onset to the last sleep epoch (the sleep "
                     "period), less unscorable stretches; the WASO above also counts the "
                     "wake after the final awakening"),
            Row("Minimum sleep for interpretable indices",
                [cell(summary, "min_sleep_for_indices_min", 0, unit="min")])]
    for name, key in (("N1", "n1_min"), ("N2", "n2_min"), ("N3", "n3_min"),
                      ("REM", "rem_min")):
        rows.append(Row(f"{name} (under the {name} indices)", [cell(summary, key, 1, unit="min")]))
    return rows


def scoring_rows(summary: Mapping[str, Any]) -> list[Row]:
    """Respiratory events and arousals read from the scorings and used by the leg scorer.

    An index is unknown ("—") when no event of its kind was read: a scoring without
    them cannot be told from a night nobody scored for them.
    """
    word = basis_word(summary)
    resp_n, ar_n = summary.get("respiratory_event_count"), summary.get("arousal_count")
    resp_note = ("" if resp_n else "none read: unknown, not 0") if "ahi" in summary else \
        "not recorded in this result"
    ar_note = ("" if ar_n else "none read: unknown, not 0") if "arousal_index" in summary else \
        "not recorded in this result"
    return [
        Row("Respiratory events read (apnea, hypopnea, RERA)",
            [cell(summary, "respiratory_event_count", 0)]),
        Row(f"Apnea–hypopnea index, from the scoring (/h {word})",
            [icell(summary, "ahi", 1)], note=resp_note),
        Row("Arousals read", [cell(summary, "arousal_count", 0)]),
        Row(f"Arousal index, from the scoring (/h {word})", [icell(summary, "arousal_index", 1)],
            note=ar_note),
        Row("CLMs not counted as PLM for being respiratory-related",
            [cell(summary, "lm_excluded_respiratory_count", 0)],
            note="WASM 2016: −2.0 to +10.25 s around the end of a respiratory event"),
    ]


STAGE_COLUMNS = ("N1", "N2", "N3", "R")


def _by_stage_keys(summary: Mapping[str, Any]) -> list[str]:
    return sorted(k for k, v in summary.items()
                  if k.endswith("_by_stage") and isinstance(v, Mapping))


def stage_table_columns(summary: Mapping[str, Any]) -> tuple[str, ...]:
    """The stages of the by-stage table: N1, N2, N3, R, and W first when an index
    is given for wake too (the contraction index is; the PLMS index is not)."""
    wake = any("W" in summary[k] for k in _by_stage_keys(summary))
    return (("W",) if wake else ()) + STAGE_COLUMNS


def stage_table_rows(summary: Mapping[str, Any]) -> list[Row]:
    """Every index the run split by stage (summary keys ``*_by_stage``, whatever the
    scorer), one row each: per hour of each stage; "—" where a stage is absent, and
    blank where the index is not given for that stage (wake, for most)."""
    rows = []
    columns = stage_table_columns(summary)
    for key in _by_stage_keys(summary):
        name = key[:-len("_by_stage")]
        try:
            label = next(r.label for r in K.report_rows("legs") if r.key == name)
        except StopIteration:
            label = name.replace("_", " ")
        label = label.split(" (/h")[0]
        rows.append(Row(f"{label} (/h of the stage)",
                        [icell(summary, f"{key}.{st}", 1) if st in summary[key]
                         else Cell("", None, "") for st in columns]))
    return rows


def sleep_rows(summary: Mapping[str, Any]) -> list[Row]:
    return [
        Row("Time in bed (TIB)", [cell(summary, "tib_h", 2, unit="h")]),
        Row("Total sleep time (TST)", [cell(summary, "tst_h", 2, unit="h")]),
        Row("Sleep efficiency", [cell(summary, "sleep_efficiency", 1, scale=100.0, unit="%")]),
        Row("Sleep-onset latency", [cell(summary, "sol_min", 1, unit="min")]),
        Row("Wake after sleep onset (WASO)", [cell(summary, "waso_min", 1, unit="min")],
            note="from sleep onset to the end of the recording"),
        Row("Wake within the sleep period", [cell(summary, "waso_spt_min", 1, unit="min")],
            note="from sleep onset to the last sleep epoch"),
        Row("REM latency (from sleep onset)", [cell(summary, "rem_latency_min", 1, unit="min")]),
        Row("Awakenings", [cell(summary, "awakening_count", 0)]),
        Row("Stage shifts", [cell(summary, "stage_shift_count", 0)]),
    ]


def stage_rows(summary: Mapping[str, Any]) -> list[Row]:
    out = []
    for name, key, pct in (("W", "wake", False), ("N1", "n1", True), ("N2", "n2", True),
                           ("N3", "n3", True), ("REM", "rem", True)):
        cells = [cell(summary, f"{key}_min", 1, unit="min")]
        cells.append(cell(summary, f"{key}_percent", 1, unit="%") if pct else plain(None))
        out.append(Row(name, cells))
    return out


def channel_kinds(events: pd.DataFrame) -> list[tuple[str, str]]:
    """(kind, ``count``/``seconds``) of every kind found on a channel, in registry order.

    Generic over the registry: a kind added there shows up here without edits.
    Kinds whose events name no channel (PLM, CLM) are not per channel and have no
    column; events over several channels count in each channel the ``channels``
    column names (when the events table has it).
    """
    on = events[events["channel"].astype(str) != ""]
    found = set(on["kind"])
    if "channels" in events:  # events over several channels name them all (";"-separated)
        found |= set(events.loc[events["channels"].fillna("").astype(str) != "", "kind"])
    out = []
    for k in K.all_kinds():
        if k.name in found:
            how = k.per_muscle[1] if k.per_muscle is not None else (
                "seconds" if k.episode else "count")
            out.append((k.name, how))
    known = {k for k, _ in out}
    out += [(k, "count") for k in sorted(found - known)]
    return out


def channel_patterns(events: pd.DataFrame) -> list[str]:
    """The ``pattern`` values found on ``contraction`` rows that name a channel, most
    general first (``score.muscles.PATTERN_ORDER``; unknown values after, sorted).

    Neck myoclonus has no rows of its own: only these columns give its per-channel count.
    """
    from ..score.muscles import PATTERN_ORDER

    if "pattern" not in events:
        return []
    con = events[(events["kind"] == "contraction") & (events["channel"].astype(str) != "")]
    found = set(con["pattern"].fillna("").astype(str)) - {""}
    return [p for p in PATTERN_ORDER if p in found] + sorted(found - set(PATTERN_ORDER))


_PATTERN_PREFIX = "contractions: "


def _pattern_title(pattern: str) -> str:
    """Per-channel column title of the contractions classified as ``pattern``."""
    try:
        label = K.get(pattern).label
    except KeyError:
        label = pattern.replace("_", " ")
    return f"{_PATTERN_PREFIX}{label}"


def _column_title(kind: str) -> str:
    """The registry's per-muscle column title of a kind, unless other kinds share it
    (``lm`` and ``myoclonus`` once shared "bursts / LMs"): then the kind's own label."""
    try:
        k = K.get(kind)
    except KeyError:
        return kind.replace("_", " ")
    if k.per_muscle is None:
        return k.label
    shared = sum(1 for o in K.all_kinds() if o.per_muscle and o.per_muscle[0] == k.per_muscle[0])
    return k.per_muscle[0] if shared == 1 else k.label


def muscle_headings(result: NightResult) -> list[str]:
    """Headings of the per-channel table: per kind found on a channel, its count (or
    seconds) and, for counted kinds, the channel's own index."""
    word = basis_word(result.summary or {})
    heads = ["channel", "muscle", "side"]
    for kind, how in channel_kinds(result.events):
        title = _column_title(kind)
        heads.append(title)
        if how == "count":
            heads.append(f"{title} /h {word}")
    heads += [_pattern_title(p) for p in channel_patterns(result.events)]
    return heads


def muscle_header(result: NightResult) -> list[tuple[str, list[str]]]:
    """The per-channel table's two heading rows: per kind found on a channel, its title
    over its columns' own headings (``n`` and ``/h sleep`` for counted kinds, ``s`` for
    kinds given in seconds).  The flat :func:`muscle_headings` name the same columns;
    two short rows keep the table within the page's width."""
    word = basis_word(result.summary or {})
    out = []
    for kind, how in channel_kinds(result.events):
        title = _column_title(kind)
        if how == "count":
            out.append((title, ["n", f"/h {word}"]))
        else:
            out.append((title.removesuffix(" (s)"), ["s"]))
    out += [(_pattern_title(p), ["n"]) for p in channel_patterns(result.events)]
    return out


#: Data columns of one per-channel table at most: more kinds continue in a further
#: table (channel repeated), so each stays within the page's width, printed too.
MUSCLE_TABLE_COLUMNS = 10


def muscle_tables(result: NightResult) -> list[dict[str, Any]]:
    """The per-channel table, split by kinds into tables of at most
    :data:`MUSCLE_TABLE_COLUMNS` data columns (a pattern's count column counting two): each ``{"header": [(title, subs)],
    "rows": [(channel, [cells])], "first": bool}``; the first also shows muscle and side."""
    header = muscle_header(result)
    rows = muscle_rows(result)
    chunks: list[list[int]] = [[]]
    used = 0
    for i, (title, subs) in enumerate(header):
        # a pattern's count column takes the room of two: its heading's words are long
        # ("contractions:", "propriospinal") and a heading breaks only between words
        room = 2 if title.startswith(_PATTERN_PREFIX) else len(subs)
        if chunks[-1] and used + room > MUSCLE_TABLE_COLUMNS:
            chunks.append([])
            used = 0
        chunks[-1].append(i)
        used += room
    starts = np.cumsum([2] + [len(subs) for _, subs in header])  # cells: muscle, side, …
    out = []
    for n, chunk in enumerate(c for c in chunks if c):
        lo, hi = int(starts[chunk[0]]), int(starts[chunk[-1] + 1])
        out.append({"header": [header[i] for i in chunk], "first": n == 0,
                    "rows": [(r.label, (r.cells[:2] if n == 0 else []) + r.cells[lo:hi])
                             for r in rows]})
    return out


def muscle_rows(result: NightResult) -> list[Row]:
    """Per EMG channel, that channel's own figures: events of each kind found on it
    (count, or seconds for episodes), and for counted kinds the channel's own index:
    its events in sleep (any time without stages) per hour of the indices' basis;
    then its contractions by ``pattern`` (:func:`channel_patterns`)."""
    ev = result.events
    summary = result.summary or {}
    hours = lookup(summary, "leg_index_hours")
    if not isinstance(hours, int | float):
        hours = lookup(summary, "tst_h" if basis_word(summary) == "sleep"
                       else "recording_duration_h")
    in_basis = (ev["stage"].isin(["N1", "N2", "N3", "R"]) if basis_word(summary) == "sleep"
                else pd.Series(True, index=ev.index))
    kinds = channel_kinds(ev)
    patterns = channel_patterns(ev)
    rows = []
    for ch in _channels(result):
        if ch["kind"] != "emg":
            continue
        mine = ev["channel"] == ch["label"]
        if "channels" in ev:  # an event over several channels counts in each of them
            mine = mine | ev["channels"].fillna("").astype(str).str.split(";").apply(
                lambda names, lab=ch["label"]: lab in names)
        cells = [Cell("", ch["muscle"] or DASH, ch["muscle"] or DASH),
                 Cell("", ch["side"] or DASH, ch["side"] or DASH)]
        for kind, how in kinds:
            sel = mine & (ev["kind"] == kind)
            if how == "seconds":
                cells.append(plain(float(ev.loc[sel, "duration"].sum()), 0))
            else:
                cells.append(plain(int(sel.sum()), 0))
                n = int((sel & in_basis).sum())
                idx = n / hours if isinstance(hours, int | float) and hours > 0 else None
                c = plain(idx, 1)
                cells.append(Cell(c.key, c.value, c.text, c.scale, c.digits, c.unit,
                                  caveat(summary, "x_index")))
        con = (ev["channel"] == ch["label"]) & (ev["kind"] == "contraction")
        for pat in patterns:
            cells.append(plain(int((con & (ev["pattern"].astype(str) == pat)).sum()), 0))
        rows.append(Row(ch["label"], cells))
    return rows


def registry_rows(summary: Mapping[str, Any], section: str, *,
                  found_note: bool = False) -> list[Row]:
    """The registry's report rows of one table (``patterns``, ``rem``, ``morning`` …).

    A row whose ``always`` is false is shown only when the summary holds its key.
    With ``found_note`` the note says "found" / "none found" / "—".
    """
    rows = []
    for r in K.report_rows(section):
        if not r.always and r.key not in summary:
            continue
        c = icell(summary, r.key, r.digits, scale=r.scale, unit=_relabel(r.unit, summary))
        v = c.value
        note = r.note
        if found_note:
            found = isinstance(v, int | float) and v > 0
            note = "found" if found else ("—" if c.missing else "none found")
        flag = isinstance(v, int | float) and not isinstance(v, bool) and (
            (r.flag_below is not None and v < r.flag_below)
            or (r.flag_above is not None and v > r.flag_above))
        rows.append(Row(_relabel(r.label, summary), [c], note=note, flag=flag))
    return rows


def pattern_rows(summary: Mapping[str, Any]) -> list[Row]:
    """Named patterns: the registry's ``patterns`` rows, each saying whether it was found."""
    return registry_rows(summary, "patterns", found_note=True)


def _rem_params(summary: Mapping[str, Any]) -> Mapping[str, Any]:
    rem = lookup(summary, "provenance.parameters.muscles.rem")
    return rem if isinstance(rem, Mapping) else {}


def rem_rows(summary: Mapping[str, Any]) -> list[Row]:
    """RAI and SINBAR with the cut-offs of the run's own parameters ([muscles.rem])."""
    p = _rem_params(summary)
    low, high = p.get("rai_abnormal_below"), p.get("rai_normal_above")
    any_cut, comb_cut = p.get("sinbar_any_cutoff_percent"), p.get("sinbar_combined_cutoff_percent")
    rai_note = (f"< {low:g} abnormal, {low:g}–{high:g} borderline, > {high:g} normal "
                "(Ferri 2008/2010; this run's parameters)"
                if isinstance(low, int | float) and isinstance(high, int | float)
                else "cut-offs not recorded in this result")
    any_note = (f"> {any_cut:g} % abnormal (mentalis “any” activity, SINBAR: Frauscher 2012; "
                "this run's parameters)" if isinstance(any_cut, int | float)
                else "cut-off not recorded in this result")
    comb_note = (f"> {comb_cut:g} % abnormal (mentalis any + phasic FDS, SINBAR: Frauscher "
                 "2012; this run's parameters)" if isinstance(comb_cut, int | float)
                 else "cut-off not recorded in this result")
    rows = [
        Row("REM sleep", [cell(summary, "rem_min", 1, unit="min")]),
        Row("REM atonia index (RAI, chin)", [cell(summary, "rem_atonia_index", 2)],
            note=rai_note),
        Row("SINBAR: mentalis any activity, 3-s mini-epochs",
            [cell(summary, "sinbar_any_percent", 1, unit="%")], note=any_note),
    ]
    if "sinbar_combined_percent" in summary:
        rows.append(Row("SINBAR: mentalis any + FDS phasic",
                        [cell(summary, "sinbar_combined_percent", 1, unit="%")],
                        note=comb_note))
    rows += registry_rows(summary, "rem")
    rai = lookup(summary, "rem_atonia_index")
    if isinstance(rai, int | float) and isinstance(high, int | float):
        rows[1].flag = rai < high
    sa = lookup(summary, "sinbar_any_percent")
    if isinstance(sa, int | float) and isinstance(any_cut, int | float):
        rows[2].flag = sa > any_cut
    sc = lookup(summary, "sinbar_combined_percent")
    if len(rows) > 3 and isinstance(sc, int | float) and isinstance(comb_cut, int | float):
        rows[3].flag = sc > comb_cut
    return rows


def morning_rows(summary: Mapping[str, Any]) -> list[Row]:
    rows = registry_rows(summary, "morning")
    by_muscle = summary.get("morning_tonic_seconds_by_muscle")
    n = len(by_muscle) if isinstance(by_muscle, Mapping) else None
    for r in rows:
        if r.cells and r.cells[0].key in ("morning_tonic_seconds", "morning_tonic_episodes"):
            r.label += (f", summed over {n} muscle{'s' if n != 1 else ''}" if n is not None
                        else ", summed over the muscles")
            r.note = ("a sum over muscles: it can exceed the time after the final awakening "
                      "when several muscles are active at once; each muscle below")
    if isinstance(by_muscle, Mapping):
        for m in sorted(by_muscle):
            rows.append(Row(f"  {m.replace('_', ' ')} (this muscle alone)",
                            [cell(summary, f"morning_tonic_seconds_by_muscle.{m}", 0, unit="s")]))
    return rows


QUALITY_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("resting_level_uv", "resting level (µV)", 1),
    ("mains_hz", "mains (Hz)", 0),
    ("residual_ecg", "residual ECG (µV, beat-locked RMS)", 2),
    ("flagged_s", "flagged (s)", 0),
    ("excluded_s", "excluded (s)", 0),
)


def quality_table(result: NightResult) -> tuple[list[str], list[Row], Cell]:
    """Per channel signal-quality rows and the total excluded time (min)."""
    q = result.quality
    if not isinstance(q, pd.DataFrame) or not len(q) or not ({"label", "channel"} & set(q)):
        return [], [], plain(None)
    q = q.assign(_name=_quality_names(q))
    cols = [(c, name, d) for c, name, d in QUALITY_COLUMNS if c in q.columns]
    # The legs detector and the every-muscle scorer each report the channels they read
    # (the leg channels by both); say which figure is whose when a channel appears twice.
    if "label" in q and "channel" in q and q["_name"].duplicated(keep=False).any():
        q = q.assign(_source=np.where(q["label"].notna() & (q["label"].astype(str) != "")
                                      & q["label"].astype(str).ne("nan"),
                                      "leg detector", "burst detector"))
    else:
        q = q.assign(_source="")
    rows = []
    for _, r in q.iterrows():
        cells = [plain(r.get(c) if pd.notna(r.get(c)) else None, d) for c, _, d in cols]
        rest = r.get("resting_level_uv")
        flag = bool(isinstance(rest, int | float | np.floating) and rest > HIGH_RESTING_UV)
        notes = r.get("notes", "")
        notes = "; ".join(notes) if isinstance(notes, list | tuple) else (
            "" if notes is None or (isinstance(notes, float) and math.isnan(notes)) else str(notes))
        if flag:
            notes = (notes + "; " if notes else "") + f"resting level above {HIGH_RESTING_UV:g} µV"
        muscle = str(r.get("muscle", "") or "").replace("_", " ")
        source = f" — {r['_source']}" if r["_source"] else ""
        rows.append(Row(f"{r['_name']}" + (f" ({muscle})" if muscle else "") + source, cells,
                        note=notes, flag=flag))
    excluded = plain(float(pd.to_numeric(q["excluded_s"], errors="coerce").fillna(0).sum()) / 60.0
                     if "excluded_s" in q else None, 1, "min")
    return [name for _, name, _ in cols], rows, excluded


def all_summary_cells(summary: Mapping[str, Any]) -> list[Cell]:
    """Every summary figure (nested dicts flattened to dotted keys), for the appendix."""
    out: list[Cell] = []

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for k, v in node.items():
            if not prefix and k in ("provenance", "warnings"):
                continue
            key = f"{prefix}{k}"
            if isinstance(v, Mapping):
                walk(v, key + ".")
            elif v is None or (isinstance(v, int | float) and not isinstance(v, bool)):
                out.append(cell(summary, key, 0 if isinstance(v, int) else 3))
            elif isinstance(v, bool | str):
                out.append(Cell(key, v, str(v)))

    walk(summary, "")
    return out


def _as_texts(value: Any) -> list[str]:
    """Warnings as a list of lines, whatever shape they came in."""
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


# -------------------------------------------------------------------- build
def build_context(result: NightResult, recording: Recording | None = None, *,
                  include_identity: bool = False) -> dict[str, Any]:
    """Everything ``templates/night.html`` needs, figures included (data URIs).

    Parameters
    ----------
    result : NightResult
        One analysed night.
    recording : Recording, optional
        Needed only for the raw-EMG snippets (skipped without it) and for the
        identity fields (shown only with ``include_identity``).
    include_identity : bool
        Show the patient/recording identification fields of the file header.
    """
    summary = result.summary or {}
    events = make_events(result.events) if len(result.events) else make_events([])
    result = NightResult(events=events, summary=summary, hypnogram=result.hypnogram,
                         channels=result.channels, quality=result.quality,
                         details=result.details or {}, warnings=result.warnings,
                         recording_path=result.recording_path,
                         recording_start=result.recording_start,
                         recording_duration=result.recording_duration)
    hyp = result.hypnogram
    prov = summary.get("provenance") or {}
    duration = float(result.recording_duration or
                     (lookup(summary, "recording_duration_h") or 0.0) * 3600.0 or
                     (hyp.end if len(hyp) else 0.0))
    source = str(prov.get("hypnogram_source") or hyp.source or "none")
    file_name = prov.get("input_file") or (Path(result.recording_path).name
                                           if result.recording_path else DASH)
    header = {
        "file_name": file_name,
        "start": _format_start(result.recording_start),
        "duration": _human_duration(duration),
        "duration_h": cell(summary, "recording_duration_h", 2, unit="h"),
        "channels": _channels(result),
        "hypnogram_source": source,
        "staging_warning": staging_warning(source, hyp),
        "software_version": prov.get("software_version", DASH),
        "parameters_digest": parameters_digest(summary),
        "input_sha256": str(prov.get("input_sha256") or DASH)[:16],
        "index_basis": summary.get("index_basis"),
        "identity": _identity(recording) if include_identity else [],
    }
    lin, ln, imi_source = imi_histograms(result)
    lengths = _series_lengths(result)
    emg_rows = [(f"{c['label']}", c["muscle"].replace(" ", "_"), c["side"])
                for c in header["channels"] if c["kind"] == "emg"]
    snippets = build_snippets(result, recording)
    q_cols, q_rows, excluded = quality_table(result)
    kinds_found = sorted(set(events["kind"]))
    start = _start_datetime(result.recording_start)
    return {
        "title": f"somnomotor night report — {file_name}",
        "header": header,
        "warnings": _as_texts(result.warnings or summary.get("warnings")),
        "sleep_rows": sleep_rows(summary),
        "stage_rows": stage_rows(summary),
        "legs_rows": legs_rows(summary),
        "has_incl_resp": any(k.endswith("_incl_resp") for k in summary),
        "series_lengths": lengths,
        "series_lengths_text": _lengths_text(lengths),
        "imi_source": imi_source,
        "imi_counts": imi_counts(result),
        "leg_channels_missing": summary.get("leg_channels_present") is False,
        "muscle_rows": muscle_rows(result),
        "muscle_headings": muscle_headings(result),
        "muscle_tables": muscle_tables(result),
        "denominator_rows": denominator_rows(summary),
        "scoring_rows": scoring_rows(summary),
        "stage_table_rows": stage_table_rows(summary),
        "stage_table_heads": ["index", *(STAGE_NAMES.get(s, s)
                                         for s in stage_table_columns(summary))],
        "indices_note": (summary.get("indices_note") or
                         "indices over too little sleep are not interpretable")
        if summary.get("indices_interpretable") is False else "",
        "basis_word": basis_word(summary),
        "pattern_rows": pattern_rows(summary),
        # The healthy yardsticks are per hour of sleep (or of REM): without stages the
        # night's figures are per hour of recording and cannot be set beside them.
        "healthy_rows": (registry_rows(summary, "healthy")
                         if basis_word(summary) == "sleep" else []),
        "kinds_found": kinds_found,
        "rem_rows": rem_rows(summary),
        "morning_rows": morning_rows(summary),
        "quality_columns": q_cols,
        "quality_rows": q_rows,
        "excluded_min": excluded,
        "all_cells": all_summary_cells(summary),
        "snippets_note": ("" if snippets else
                          ("raw-EMG snippets need the recording; not drawn" if recording is None
                           else "no events to illustrate")),
        "figures": {
            "hypnogram": F.figure_hypnogram(hyp, duration, start),
            "plm_timeline": F.figure_plm_timeline(events, duration, start),
            "imi": F.figure_imi_histograms(lin, ln),
            "raster": F.figure_muscle_raster(events, duration, emg_rows, start),
            "snippets": F.figure_snippets(snippets) if snippets else None,
            "snippets_raw": F.figure_snippets(snippets, raw=True) if snippets else None,
        },
    }


def summary_keys_shown(context: Mapping[str, Any]) -> Sequence[str]:
    """The summary keys the report displays (for tests and audits)."""
    keys = []
    for name in ("sleep_rows", "stage_rows", "legs_rows", "pattern_rows", "healthy_rows",
                 "rem_rows", "morning_rows", "denominator_rows", "scoring_rows",
                 "stage_table_rows"):
        for row in context[name]:
            keys += [c.key for c in row.cells if c.key]
    return keys
