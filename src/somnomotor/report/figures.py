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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import kinds as K
from ..hypnogram import Hypnogram

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn, not with the module
    from matplotlib.figure import Figure

#: Figure resolution (dots per inch): sharp on A4 print at the report's widths.
DPI = 120
#: zlib level of the PNGs: 1 is several times faster than the default 6 and the
#: flat-coloured figures grow by only a few per cent.
PNG_COMPRESS_LEVEL = 1
#: Width (inches) and left/right margins (fractions) shared by every figure on
#: the night axis, so that a hypnogram image stacked above a raster lines up.
NIGHT_WIDTH = 9.0
NIGHT_LEFT, NIGHT_RIGHT = 0.14, 0.975
#: Stage → height on the hypnogram axis (W at the top, N3 at the bottom).
STAGE_LEVEL: dict[str, float] = {"W": 4.0, "R": 3.0, "N1": 2.0, "N2": 1.0, "N3": 0.0}
STAGE_ORDER: tuple[str, ...] = ("W", "R", "N1", "N2", "N3")
REM_COLOR = "#C0392B"
#: Colour of a kind missing from the registry (never expected).
OTHER_COLOR = "#444444"


def _figure(width: float, height: float) -> Figure:
    """A bare figure on an Agg canvas: no pyplot, no global state."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def to_data_uri(fig: Figure) -> str:
    """Render a figure to a base64 PNG data URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _night_axis(ax: Any, duration_s: float) -> None:
    from matplotlib.ticker import MaxNLocator

    hours = max(duration_s / 3600.0, 1e-6)
    ax.set_xlim(0, hours)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=10, steps=[1, 2, 2.5, 5, 10]))
    ax.set_xlabel("hours from recording start")
    ax.grid(axis="x", color="#dddddd", lw=0.5)


def _row_labels(ax: Any, labels: Sequence[str], fontsize: float | None = None) -> None:
    """Row names at y = 0, 1, … (bottom up), drawn as y tick labels without tick marks."""
    ax.set_yticks(range(len(labels)), list(labels), fontsize=fontsize)
    ax.tick_params(axis="y", length=0)


def _segments_line(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray,
                   color: str, lw: float) -> Any:
    """Many straight segments as one line broken by NaNs (one artist, one path)."""
    from matplotlib.lines import Line2D

    n = len(x0)
    x = np.full(3 * n, np.nan)
    y = np.full(3 * n, np.nan)
    x[0::3], x[1::3] = x0, x1
    y[0::3], y[1::3] = y0, y1
    return Line2D(x, y, color=color, linewidth=lw, solid_capstyle="butt")


def draw_hypnogram(ax: Any, hypnogram: Hypnogram, duration_s: float) -> None:
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
    ok = np.isfinite(level)
    ax.add_line(_segments_line(t0[ok], level[ok], t1[ok], level[ok], "#333333", 1.0))
    joins = ok[1:] & ok[:-1] & (level[1:] != level[:-1])
    jt = t1[:-1][joins]
    ax.add_line(_segments_line(jt, level[:-1][joins], jt, level[1:][joins], "#333333", 0.6))
    rem = stages == "R"
    ax.add_line(_segments_line(t0[rem], level[rem], t1[rem], level[rem], REM_COLOR, 3.0))


def figure_hypnogram(hypnogram: Hypnogram, duration_s: float) -> str:
    """The hypnogram alone, as a data URI."""
    fig = _figure(NIGHT_WIDTH, 1.7)
    fig.subplots_adjust(left=NIGHT_LEFT, right=NIGHT_RIGHT, top=0.96, bottom=0.25)
    draw_hypnogram(fig.add_subplot(), hypnogram, duration_s)
    return to_data_uri(fig)


def _ticks(ax: Any, times_h: np.ndarray, row: float, color: str, height: float = 0.8,
           lw: float = 0.8) -> None:
    """A vertical tick per event at ``times_h`` on row ``row`` (one artist for all)."""
    if not len(times_h):
        return
    lo = np.full(len(times_h), row - height / 2)
    ax.add_line(_segments_line(times_h, lo, times_h, lo + height, color, lw))


def _bars(ax: Any, t0: np.ndarray, t1: np.ndarray, row: float, color: str,
          height: float = 0.7) -> None:
    """A bar per episode from ``t0`` to ``t1`` on row ``row`` (one collection for all)."""
    from matplotlib.collections import PolyCollection

    y0 = np.full(len(t0), row - height / 2)
    y1 = y0 + height
    verts = np.stack([np.stack([t0, y0], 1), np.stack([t1, y0], 1),
                      np.stack([t1, y1], 1), np.stack([t0, y1], 1)], 1)
    ax.add_collection(PolyCollection(verts, facecolors=color, edgecolors="none", alpha=0.6),
                      autolim=False)


def _colour(kind: str) -> str:
    try:
        return K.get(kind).colour
    except KeyError:
        return OTHER_COLOR


def figure_plm_timeline(events: pd.DataFrame, duration_s: float) -> str:
    """PLMs, CLMs (respiratory-related apart) and LMs per leg over the night.

    Drawn on the night axis of :func:`figure_hypnogram`, to be shown under it.
    """
    fig = _figure(NIGHT_WIDTH, 2.1)
    fig.subplots_adjust(left=NIGHT_LEFT, right=NIGHT_RIGHT, top=0.97, bottom=0.2)
    ax = fig.add_subplot()
    _night_axis(ax, duration_s)
    kind = events["kind"]
    rows = [("LM right", (kind == "lm") & (events["side"] == "right"), _colour("lm")),
            ("LM left", (kind == "lm") & (events["side"] == "left"), _colour("lm")),
            ("CLM", (kind == "clm") & ~events["respiratory"], _colour("clm")),
            ("CLM resp.", (kind == "clm") & events["respiratory"], "#7f7f7f"),
            ("PLM", kind == "plm", _colour("plm")),
            ("PLM + arousal", (kind == "plm") & events["arousal"], "#8B0000")]
    for i, (_, mask, color) in enumerate(rows):
        _ticks(ax, events.loc[mask, "onset"].to_numpy(float) / 3600.0, i, color)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    _row_labels(ax, [r[0] for r in rows])
    if not kind.isin(list(K.leg_kinds())).any():
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
    fig = _figure(9.0, 2.6)
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
        ax.stairs(hist.counts, hist.edges, fill=True, color=_colour("clm"))
        top = float(np.max(hist.counts)) * 1.05
        ax.add_line(_segments_line(np.asarray(mark), np.zeros(2), np.asarray(mark),
                                   np.full(2, top), "#D55E00", 0.8))
        ax.lines[-1].set_linestyle("--")
        ax.set_ylim(0, top)
        ax.set_xlim(hist.edges[0], hist.edges[-1] + 0.02 * (hist.edges[-1] - hist.edges[0]))
    return to_data_uri(fig)


def figure_muscle_raster(events: pd.DataFrame, duration_s: float,
                         rows: Sequence[tuple[str, str, str]]) -> str:
    """One row per (muscle, side, channel) with its events over the night.

    ``rows`` lists ``(label, muscle, side)``; events are matched on muscle and side.
    Derived events without a muscle (e.g. GRM episodes) get their own row.  Drawn
    on the night axis of :func:`figure_hypnogram`, to be shown under it.  Episode
    kinds (``EventKind.episode``) are bars, the others ticks; colours and legend
    labels come from the kind registry.
    """
    n = len(rows) + 1
    height = 1.0 + 0.24 * n
    fig = _figure(NIGHT_WIDTH, height)
    fig.subplots_adjust(left=NIGHT_LEFT, right=NIGHT_RIGHT, top=1 - 0.08 / height,
                        bottom=0.75 / height)
    ax = fig.add_subplot()
    _night_axis(ax, duration_s)
    labels = []
    legs = list(K.leg_kinds())
    episodes = {k.name for k in K.all_kinds() if k.episode}
    for i, (label, muscle, side) in enumerate(list(rows) + [("patterns (all muscles)", "", "*")]):
        if side == "*":
            sel = events[(events["muscle"] == "") & ~events["kind"].isin(legs)]
        else:
            sel = events[(events["muscle"] == muscle) & (events["side"] == side)]
        labels.append(label)
        row = n - 1 - i
        for kind, grp in sel.groupby("kind", sort=False):
            color = _colour(str(kind))
            t0 = grp["onset"].to_numpy(float) / 3600.0
            if kind in episodes:
                t1 = t0 + np.maximum(grp["duration"].to_numpy(float) / 3600.0, 1e-3)
                _bars(ax, t0, t1, row, color)
            else:
                _ticks(ax, t0, row, color, lw=0.6)
    ax.set_ylim(-0.7, n - 0.3)
    _row_labels(ax, labels[::-1], fontsize=7)
    present = set(events["kind"])
    shown = [k for k in K.all_kinds() if k.name in present]
    if shown:
        from matplotlib.patches import Patch

        handles = [Patch(color=k.colour, label=k.label) for k in shown]
        fig.legend(handles=handles, loc="lower center", ncols=min(8, len(handles)), fontsize=7,
                   frameon=False, handlelength=1.2)
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


#: Columns a snippet trace is reduced to (about two per pixel of its panel).
SNIPPET_COLUMNS = 1000


def decimate_for_display(t: np.ndarray, x: np.ndarray, columns: int = SNIPPET_COLUMNS,
                         ) -> tuple[np.ndarray, np.ndarray]:
    """The trace as drawn at ``columns`` columns: each column's minimum and maximum.

    Drawing ``(t, x)`` and the result look the same at that resolution (every
    excursion keeps its extreme), but the result has at most ``2 × columns``
    points.  Shorter traces are returned unchanged.

    >>> t = np.arange(10_000) / 1000.0
    >>> td, xd = decimate_for_display(t, np.sin(t * 50), columns=100)
    >>> len(td), float(xd.max()) > 0.99
    (200, True)
    """
    n = len(x)
    if n <= 2 * columns:
        return t, x
    per = n // columns
    m = per * columns
    blocks = x[:m].reshape(columns, per)
    tb = t[:m].reshape(columns, per)
    lo_i, hi_i = np.argmin(blocks, 1), np.argmax(blocks, 1)
    first = np.minimum(lo_i, hi_i)
    second = np.maximum(lo_i, hi_i)
    rows = np.arange(columns)
    td = np.stack([tb[rows, first], tb[rows, second]], 1).ravel()
    xd = np.stack([blocks[rows, first], blocks[rows, second]], 1).ravel()
    if m < n:  # the tail shorter than one column
        td = np.append(td, [t[m:][np.argmin(x[m:])], t[m:][np.argmax(x[m:])]])
        xd = np.append(xd, [x[m:].min(), x[m:].max()])
    return td, xd


def figure_snippets(snippets: Sequence[Snippet]) -> str:
    """A grid of raw-EMG snippets: raw trace, envelope, event span and thresholds."""
    from matplotlib.ticker import MaxNLocator

    n = len(snippets)
    cols = 2 if n > 1 else 1
    rows = int(np.ceil(n / cols))
    fig = _figure(9.0, 2.3 * rows)
    fig.subplots_adjust(left=0.07, right=0.975, top=1 - 0.3 / (2.3 * rows),
                        bottom=0.45 / (2.3 * rows), hspace=0.55, wspace=0.15)
    for k, sn in enumerate(snippets):
        ax = fig.add_subplot(rows, cols, k + 1)
        t = np.asarray(sn.times, dtype=float) - sn.onset
        ax.plot(*decimate_for_display(t, np.asarray(sn.raw, dtype=float)), color="#9a9a9a",
                lw=0.4, label="EMG (µV)")
        step = max(1, len(t) // SNIPPET_COLUMNS)  # the envelope is smooth: every step-th sample
        ax.plot(t[::step], np.asarray(sn.envelope)[::step], color="#0072B2", lw=1.0,
                label="envelope")
        ax.axvspan(0.0, sn.duration, color="#D55E00", alpha=0.12, lw=0)
        for level, style, name in ((sn.resting_uv, ":", "resting"),
                                   (sn.onset_threshold_uv, "--", "onset threshold"),
                                   (sn.offset_threshold_uv, "-.", "offset threshold")):
            if level is not None and np.isfinite(level):
                ax.axhline(level, color="#D55E00", lw=0.8, ls=style, label=name)
        ax.set_title(sn.title, fontsize=8, loc="left")
        ax.set_xlabel("s from event onset", fontsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.tick_params(labelsize=7)
        if k == 0:
            ax.legend(fontsize=6, loc="upper right", frameon=False)
    return to_data_uri(fig)
