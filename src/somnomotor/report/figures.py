"""The report's figures: matplotlib (Agg, no pyplot state), returned as data URIs.

Every figure is drawn from what the :class:`~somnomotor.result.NightResult`
holds (hypnogram, events table, details) and, for the raw-EMG snippets, from
the recording; nothing is recomputed from the signal except the snippet
envelopes.  Figures are PNG embedded as ``data:image/png;base64,…`` so the
report is one self-contained file.  Times on the night axis are hours from the
recording start.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg", force=False)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ..hypnogram import Hypnogram  # noqa: E402

#: Figure resolution (dots per inch): sharp on A4 print at the report's widths.
DPI = 120
#: Width (inches) and left/right margins (fractions) shared by every figure on
#: the night axis, so that a hypnogram image stacked above a raster lines up.
NIGHT_WIDTH = 9.0
NIGHT_LEFT, NIGHT_RIGHT = 0.14, 0.975
#: Stage → height on the hypnogram axis (W at the top, N3 at the bottom).
STAGE_LEVEL: dict[str, float] = {"W": 4.0, "R": 3.0, "N1": 2.0, "N2": 1.0, "N3": 0.0}
STAGE_ORDER: tuple[str, ...] = ("W", "R", "N1", "N2", "N3")
#: Colours per event kind (colour-blind-safe Okabe–Ito palette).
KIND_COLOR: dict[str, str] = {
    "lm": "#999999", "clm": "#56B4E9", "plm": "#D55E00", "myoclonus": "#0072B2",
    "grm": "#CC79A7", "hypnic_jerk": "#E69F00", "fragmentary_myoclonus": "#009E73",
    "propriospinal_myoclonus": "#F0E442", "rem_tonic": "#882255", "rem_phasic": "#AA4499",
    "morning_tonic": "#000000",
}
REM_COLOR = "#C0392B"


def to_data_uri(fig: Figure) -> str:
    """Render a figure to a base64 PNG data URI (and release it)."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _night_axis(ax, duration_s: float) -> None:  # type: ignore[no-untyped-def]
    from matplotlib.ticker import MaxNLocator

    hours = max(duration_s / 3600.0, 1e-6)
    ax.set_xlim(0, hours)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=10, steps=[1, 2, 2.5, 5, 10]))
    ax.set_xlabel("hours from recording start")
    ax.grid(axis="x", color="#dddddd", lw=0.5)


def draw_hypnogram(ax, hypnogram: Hypnogram, duration_s: float) -> None:  # type: ignore[no-untyped-def]
    """Stage steps on ``ax`` (hours); REM drawn thick in red; unscored left blank."""
    _night_axis(ax, duration_s)
    ax.set_ylim(-0.5, 4.5)
    ax.set_yticks([STAGE_LEVEL[s] for s in STAGE_ORDER], list(STAGE_ORDER))
    if not len(hypnogram) or not hypnogram.is_scored:
        ax.text(0.5, 0.5, "no hypnogram", transform=ax.transAxes, ha="center", va="center",
                color="#888888")
        return
    stages = hypnogram.stages
    level = np.array([STAGE_LEVEL.get(s, np.nan) for s in stages])
    t0 = hypnogram.epoch_onsets() / 3600.0
    t1 = t0 + hypnogram.epoch / 3600.0
    # horizontal segments per epoch, vertical joins between scored neighbours
    segs = np.stack([np.stack([t0, level], 1), np.stack([t1, level], 1)], 1)
    ok = np.isfinite(level)
    ax.add_collection(LineCollection(list(segs[ok]), colors="#333333", linewidths=1.0))
    joins = ok[1:] & ok[:-1] & (level[1:] != level[:-1])
    jt = t1[:-1][joins]
    vsegs = np.stack([np.stack([jt, level[:-1][joins]], 1), np.stack([jt, level[1:][joins]], 1)], 1)
    ax.add_collection(LineCollection(list(vsegs), colors="#333333", linewidths=0.6))
    rem = stages == "R"
    ax.add_collection(LineCollection(list(segs[rem]), colors=REM_COLOR, linewidths=3.0))


def figure_hypnogram(hypnogram: Hypnogram, duration_s: float) -> str:
    """The hypnogram alone, as a data URI."""
    fig = Figure(figsize=(NIGHT_WIDTH, 1.7))
    fig.subplots_adjust(left=NIGHT_LEFT, right=NIGHT_RIGHT, top=0.96, bottom=0.25)
    draw_hypnogram(fig.add_subplot(), hypnogram, duration_s)
    return to_data_uri(fig)


def _ticks(ax, times_h: np.ndarray, row: float, color: str, height: float = 0.8,  # type: ignore[no-untyped-def]
           lw: float = 0.8) -> None:
    if not len(times_h):
        return
    segs = np.stack([np.stack([times_h, np.full_like(times_h, row - height / 2)], 1),
                     np.stack([times_h, np.full_like(times_h, row + height / 2)], 1)], 1)
    ax.add_collection(LineCollection(list(segs), colors=color, linewidths=lw))


def figure_plm_timeline(events: pd.DataFrame, duration_s: float) -> str:
    """PLMs, CLMs (respiratory-related apart) and LMs per leg over the night.

    Drawn on the night axis of :func:`figure_hypnogram`, to be shown under it.
    """
    fig = Figure(figsize=(NIGHT_WIDTH, 2.1))
    fig.subplots_adjust(left=NIGHT_LEFT, right=NIGHT_RIGHT, top=0.97, bottom=0.2)
    ax = fig.add_subplot()
    _night_axis(ax, duration_s)
    rows = [("LM right", (events["kind"] == "lm") & (events["side"] == "right"), KIND_COLOR["lm"]),
            ("LM left", (events["kind"] == "lm") & (events["side"] == "left"), KIND_COLOR["lm"]),
            ("CLM", (events["kind"] == "clm") & ~events["respiratory"], KIND_COLOR["clm"]),
            ("CLM resp.", (events["kind"] == "clm") & events["respiratory"], "#7f7f7f"),
            ("PLM", events["kind"] == "plm", KIND_COLOR["plm"]),
            ("PLM + arousal", (events["kind"] == "plm") & events["arousal"], "#8B0000")]
    for i, (_, mask, color) in enumerate(rows):
        _ticks(ax, events.loc[mask, "onset"].to_numpy(float) / 3600.0, i, color)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows])
    if not (events["kind"].isin(["lm", "clm", "plm"])).any():
        ax.text(0.5, 0.5, "no leg movements found", transform=ax.transAxes, ha="center",
                va="center", color="#888888")
    return to_data_uri(fig)


@dataclass(frozen=True)
class Histogram:
    """Bin edges and counts (len(counts) == len(edges) - 1)."""

    edges: np.ndarray
    counts: np.ndarray


def figure_imi_histograms(linear: Histogram | None, ln: Histogram | None) -> str:
    """IMI histograms: 2-s bins 0–90 s and ln(IMI) 0.1 bins (WASM 2016, Ferri 2006)."""
    fig = Figure(figsize=(9.0, 2.6))
    fig.subplots_adjust(left=0.07, right=0.975, top=0.95, bottom=0.19, wspace=0.2)
    for k, (hist, label, mark) in enumerate(((linear, "IMI (s)", (10.0, 90.0)),
                                             (ln, "ln(IMI)", (np.log(10.0), np.log(90.0))))):
        ax = fig.add_subplot(1, 2, k + 1)
        ax.set_xlabel(label)
        ax.set_ylabel("count")
        if hist is None or not np.sum(hist.counts):
            ax.text(0.5, 0.5, "no intermovement intervals", transform=ax.transAxes,
                    ha="center", va="center", color="#888888")
            continue
        ax.stairs(hist.counts, hist.edges, fill=True, color=KIND_COLOR["clm"])
        for m in mark:
            ax.axvline(m, color="#D55E00", lw=0.8, ls="--")
        ax.set_xlim(hist.edges[0], hist.edges[-1] + 0.02 * (hist.edges[-1] - hist.edges[0]))
    return to_data_uri(fig)


def figure_muscle_raster(events: pd.DataFrame, duration_s: float,
                         rows: Sequence[tuple[str, str, str]]) -> str:
    """One row per (muscle, side, channel) with its events over the night.

    ``rows`` lists ``(label, muscle, side)``; events are matched on muscle and side.
    Derived events without a muscle (e.g. GRM episodes) get their own row.  Drawn
    on the night axis of :func:`figure_hypnogram`, to be shown under it.
    """
    n = len(rows) + 1
    height = 1.0 + 0.24 * n
    fig = Figure(figsize=(NIGHT_WIDTH, height))
    fig.subplots_adjust(left=NIGHT_LEFT, right=NIGHT_RIGHT, top=1 - 0.08 / height,
                        bottom=0.75 / height)
    ax = fig.add_subplot()
    _night_axis(ax, duration_s)
    labels = []
    spans = {"rem_tonic", "rem_phasic", "morning_tonic", "grm", "fragmentary_myoclonus"}
    for i, (label, muscle, side) in enumerate(list(rows) + [("patterns (all muscles)", "", "*")]):
        if side == "*":
            sel = events[(events["muscle"] == "") & ~events["kind"].isin(["clm", "plm", "lm"])]
        else:
            sel = events[(events["muscle"] == muscle) & (events["side"] == side)]
        labels.append(label)
        for kind, grp in sel.groupby("kind", sort=False):
            color = KIND_COLOR.get(str(kind), "#444444")
            t0 = grp["onset"].to_numpy(float) / 3600.0
            if kind in spans:
                t1 = t0 + np.maximum(grp["duration"].to_numpy(float) / 3600.0, 1e-3)
                y0, y1 = n - 1 - i - 0.35, n - 1 - i + 0.35
                verts = np.stack([np.stack([t0, np.full_like(t0, y0)], 1),
                                  np.stack([t1, np.full_like(t0, y0)], 1),
                                  np.stack([t1, np.full_like(t0, y1)], 1),
                                  np.stack([t0, np.full_like(t0, y1)], 1)], 1)
                ax.add_collection(PolyCollection(list(verts), facecolors=color, edgecolors="none",
                                                 alpha=0.6))
            else:
                _ticks(ax, t0, n - 1 - i, color, lw=0.6)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_yticks(range(n), labels[::-1], fontsize=7)
    present = [k for k in KIND_COLOR if k in set(events["kind"])]
    if present:
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], color=KIND_COLOR[k], lw=2, label=k.replace("_", " "))
                   for k in present]
        fig.legend(handles=handles, loc="lower center", ncols=min(8, len(handles)), fontsize=7,
                   frameon=False)
    return to_data_uri(fig)


@dataclass(frozen=True)
class Snippet:
    """Raw EMG around one event, with the levels the detector compared it to (µV)."""

    title: str
    times: np.ndarray          # s from recording start
    raw: np.ndarray            # µV
    envelope: np.ndarray       # µV (rectified, smoothed)
    onset: float
    duration: float
    resting_uv: float | None
    onset_threshold_uv: float | None
    offset_threshold_uv: float | None


def figure_snippets(snippets: Sequence[Snippet]) -> str:
    """A grid of raw-EMG snippets: raw trace, envelope, event span and thresholds."""
    n = len(snippets)
    cols = 2 if n > 1 else 1
    rows = int(np.ceil(n / cols))
    fig = Figure(figsize=(9.0, 2.3 * rows))
    fig.subplots_adjust(left=0.07, right=0.975, top=1 - 0.3 / (2.3 * rows),
                        bottom=0.45 / (2.3 * rows), hspace=0.55, wspace=0.15)
    for k, sn in enumerate(snippets):
        ax = fig.add_subplot(rows, cols, k + 1)
        t = sn.times - sn.onset
        ax.plot(t, sn.raw, color="#9a9a9a", lw=0.4, label="EMG (µV)")
        ax.plot(t, sn.envelope, color="#0072B2", lw=1.0, label="envelope")
        ax.axvspan(0.0, sn.duration, color="#D55E00", alpha=0.12, lw=0)
        for level, style, name in ((sn.resting_uv, ":", "resting"),
                                   (sn.onset_threshold_uv, "--", "onset threshold"),
                                   (sn.offset_threshold_uv, "-.", "offset threshold")):
            if level is not None and np.isfinite(level):
                ax.axhline(level, color="#D55E00", lw=0.8, ls=style, label=name)
        ax.set_title(sn.title, fontsize=8, loc="left")
        ax.set_xlabel("s from event onset", fontsize=7)
        ax.tick_params(labelsize=7)
        if k == 0:
            ax.legend(fontsize=6, loc="upper right", frameon=False)
    return to_data_uri(fig)
