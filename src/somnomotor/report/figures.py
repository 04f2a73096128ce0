"""The report's figures: SVG written directly from the data, returned as data URIs.

Every figure is drawn from what the :class:`~somnomotor.result.NightResult`
holds (hypnogram, events table, details) and, for the raw-EMG snippets, from
the recording; nothing is recomputed from the signal except the snippet
envelopes.  Figures are SVG embedded as ``data:image/svg+xml;base64,…`` so the
report is one self-contained file that prints sharp at any size.  Times on the
night axis are hours from the recording start.

The figures are event rasters, step lines, histograms and short traces: a few
SVG paths each, so they are written here with numpy (one ``<path>`` per row and
kind, traces reduced to their extremes per display column) instead of being
rendered by a plotting library.  That keeps the report of an 8-hour night to a
few tens of milliseconds and keeps matplotlib off the report's path.  Colours
and legend labels of event kinds come from the kind registry
(:mod:`somnomotor.kinds`).
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from .. import kinds as K
from ..hypnogram import Hypnogram

#: User units per inch of the figures (their pixel width as an image: 9 in → 1080).
PX_PER_IN = 120.0
#: One typographic point in user units (line widths and font sizes are given in points).
PT = PX_PER_IN / 72.0
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
GRID_COLOR = "#dddddd"
MUTED_COLOR = "#888888"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
#: Dash patterns (in points) of matplotlib's line styles, used for threshold lines.
DASHES = {"--": (3.7, 1.6), ":": (1.0, 1.65), "-.": (6.4, 1.6, 1.0, 1.6)}


# ----------------------------------------------------------------- drawing
def _num(values: np.ndarray) -> np.ndarray:
    """Coordinates as short text (one decimal of a user unit)."""
    return np.char.mod("%.1f", np.round(np.asarray(values, dtype=float), 1))


@dataclass
class Svg:
    """An SVG document being written: width and height in user units, and its elements."""

    width: float
    height: float
    parts: list[str] = field(default_factory=list)
    _clips: int = 0

    def add(self, element: str) -> None:
        self.parts.append(element)

    def clip(self, x0: float, y0: float, x1: float, y1: float) -> str:
        """A clip path for the rectangle; returns its reference (``url(#…)``)."""
        self._clips += 1
        cid = f"c{self._clips}"
        self.add(f'<clipPath id="{cid}"><rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" '
                 f'height="{y1 - y0:.1f}"/></clipPath>')
        return f"url(#{cid})"

    def text(self, x: float, y: float, text: str, *, size: float = 10.0, anchor: str = "start",
             color: str = "#000000", rotate: float = 0.0, baseline: str = "auto") -> None:
        """Text at (x, y); ``size`` in points; ``baseline`` ``auto`` / ``middle`` / ``hanging``."""
        rot = f' transform="rotate({rotate:g} {x:.1f} {y:.1f})"' if rotate else ""
        base = f' dominant-baseline="{baseline}"' if baseline != "auto" else ""
        fill = f' fill="{color}"' if color != "#000000" else ""
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size * PT:.1f}" '
                 f'text-anchor="{anchor}"{base}{fill}{rot}>{escape(text)}</text>')

    def path(self, d: str, *, stroke: str | None = None, width: float = 1.0,
             fill: str | None = None, opacity: float = 1.0, dash: Sequence[float] = (),
             clip: str | None = None) -> None:
        """A path; ``width`` and ``dash`` in points."""
        if not d:
            return
        attrs = [f'd="{d}"', f'fill="{fill or "none"}"']
        if stroke is not None:
            attrs.append(f'stroke="{stroke}" stroke-width="{width * PT:.2f}"')
        if opacity < 1.0:
            attrs.append(f'opacity="{opacity:g}"')
        if dash:
            attrs.append(f'stroke-dasharray="{" ".join(f"{v * width * PT:.1f}" for v in dash)}"')
        if clip:
            attrs.append(f'clip-path="{clip}"')
        self.add(f"<path {' '.join(attrs)}/>")

    def document(self) -> str:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:.0f}" '
                f'height="{self.height:.0f}" viewBox="0 0 {self.width:.0f} {self.height:.0f}" '
                f'font-family="{FONT}"><rect width="100%" height="100%" fill="#ffffff"/>'
                + "".join(self.parts) + "</svg>")


def new_figure(width_in: float, height_in: float) -> Svg:
    return Svg(width_in * PX_PER_IN, height_in * PX_PER_IN)


def to_data_uri(svg: Svg) -> str:
    """The SVG document as a base64 data URI for an ``<img>``."""
    return ("data:image/svg+xml;base64,"
            + base64.b64encode(svg.document().encode("utf-8")).decode("ascii"))


def nice_ticks(lo: float, hi: float, nbins: int = 10,
               steps: Sequence[float] = (1, 2, 2.5, 5, 10)) -> np.ndarray:
    """At most about ``nbins`` + 1 round tick values covering [lo, hi].

    >>> nice_ticks(0, 8.0).tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    >>> nice_ticks(0, 92, nbins=8).tolist()
    [0.0, 20.0, 40.0, 60.0, 80.0]
    """
    span = hi - lo
    if not (math.isfinite(span) and span > 0):
        return np.array([lo])
    raw = span / nbins
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next((s * mag for s in steps if s * mag >= raw * (1 - 1e-9)), 10 * mag)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = np.arange(first, hi + step * 1e-9, step)
    return np.round(ticks, 10)


def tick_labels(ticks: np.ndarray) -> list[str]:
    """Labels without needless decimals: ``0 2 4`` or ``0.5 1.0 1.5``."""
    if not len(ticks):
        return []
    step = float(np.min(np.diff(ticks))) if len(ticks) > 1 else 1.0
    decimals = 0
    while decimals < 6 and abs(step * 10 ** decimals - round(step * 10 ** decimals)) > 1e-6:
        decimals += 1
    return [f"{0.0 if v == 0 else v:.{decimals}f}" for v in ticks]  # never "-0"


@dataclass
class Axes:
    """A plotting box (user units) with data limits: maps data to the SVG's coordinates."""

    svg: Svg
    left: float
    top: float
    right: float
    bottom: float
    xlim: tuple[float, float] = (0.0, 1.0)
    ylim: tuple[float, float] = (0.0, 1.0)
    _clip: str | None = None
    #: Clock time of x = 0 on a night axis (None: unknown, or not a night axis).
    start: _dt.datetime | None = None

    @classmethod
    def fractions(cls, svg: Svg, left: float, right: float, top: float, bottom: float) -> Axes:
        """A box given as matplotlib's ``subplots_adjust`` fractions (``top``/``bottom`` from below)."""
        return cls(svg, left * svg.width, (1 - top) * svg.height, right * svg.width,
                   (1 - bottom) * svg.height)

    def px(self, x: np.ndarray | float) -> np.ndarray:
        x0, x1 = self.xlim
        return self.left + (np.asarray(x, dtype=float) - x0) / (x1 - x0) * (self.right - self.left)

    def py(self, y: np.ndarray | float) -> np.ndarray:
        y0, y1 = self.ylim
        return self.bottom - (np.asarray(y, dtype=float) - y0) / (y1 - y0) * (self.bottom - self.top)

    @property
    def clip(self) -> str:
        if self._clip is None:
            self._clip = self.svg.clip(self.left, self.top, self.right, self.bottom)
        return self._clip

    # -- decorations
    def frame(self) -> None:
        self.svg.path(f"M{self.left:.1f} {self.top:.1f}H{self.right:.1f}V{self.bottom:.1f}"
                      f"H{self.left:.1f}Z", stroke="#000000", width=0.8)

    def xticks(self, ticks: np.ndarray, labels: Sequence[str] | None = None, *,
               size: float = 10.0) -> None:
        ticks = ticks[(ticks >= min(self.xlim) - 1e-9) & (ticks <= max(self.xlim) + 1e-9)]
        x = self.px(ticks)
        labels = tick_labels(ticks) if labels is None else labels
        self.svg.path("".join(f"M{a} {self.bottom:.1f}v{3.5 * PT:.1f}" for a in _num(x)),
                      stroke="#000000", width=0.8)
        for xi, lab in zip(x, labels, strict=False):
            self.svg.text(float(xi), self.bottom + 3.5 * PT + 2, lab, size=size, anchor="middle",
                          baseline="hanging")

    def yticks(self, ticks: Sequence[float] | np.ndarray, labels: Sequence[str] | None = None, *,
               marks: bool = True, size: float = 10.0) -> None:
        ticks = np.asarray(ticks, dtype=float)
        y = self.py(ticks)
        labels = tick_labels(ticks) if labels is None else labels
        if marks:
            self.svg.path("".join(f"M{self.left:.1f} {b}h{-3.5 * PT:.1f}" for b in _num(y)),
                          stroke="#000000", width=0.8)
        pad = (3.5 * PT if marks else 0.0) + 3
        for yi, lab in zip(y, labels, strict=False):
            self.svg.text(self.left - pad, float(yi), lab, size=size, anchor="end",
                          baseline="middle")

    def xlabel(self, text: str, size: float = 10.0) -> None:
        self.svg.text((self.left + self.right) / 2, self.bottom + 3.5 * PT + 4 + 2.3 * size * PT,
                      text, size=size, anchor="middle")

    def ylabel(self, text: str, size: float = 10.0, offset: float = 42.0) -> None:
        x, y = self.left - offset, (self.top + self.bottom) / 2
        self.svg.text(x, y, text, size=size, anchor="middle", rotate=-90)

    def title(self, text: str, size: float = 8.0) -> None:
        self.svg.text(self.left, self.top - 5, text, size=size)

    def message(self, text: str) -> None:
        """Grey text in the middle of the box (an empty figure says why)."""
        self.svg.text((self.left + self.right) / 2, (self.top + self.bottom) / 2, text,
                      anchor="middle", baseline="middle", color=MUTED_COLOR)

    # -- data
    def segments(self, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray,
                 color: str, width: float, dash: Sequence[float] = ()) -> None:
        """Straight segments (data coordinates) as one path."""
        if not len(x0):
            return
        a, b, c, d = (_num(self.px(x0)), _num(self.py(y0)), _num(self.px(x1)),
                      _num(self.py(y1)))
        path = "".join(f"M{p} {q}L{r} {s}" for p, q, r, s in zip(a, b, c, d, strict=True))
        self.svg.path(path, stroke=color, width=width, dash=dash, clip=self.clip)

    def ticks(self, x: np.ndarray, row: float, color: str, height: float = 0.8,
              width: float = 0.8) -> None:
        """A vertical tick per value of ``x`` on ``row`` (one path for all)."""
        if not len(x):
            return
        y0 = _num(self.py(row - height / 2))
        dy = float(self.py(row + height / 2) - self.py(row - height / 2))
        path = "".join(f"M{a} {y0}v{dy:.1f}" for a in _num(self.px(x)))
        self.svg.path(path, stroke=color, width=width, clip=self.clip)

    def bars(self, t0: np.ndarray, t1: np.ndarray, row: float, color: str, height: float = 0.7,
             opacity: float = 0.6) -> None:
        """A filled bar from ``t0`` to ``t1`` per episode on ``row`` (one path for all)."""
        if not len(t0):
            return
        y0 = _num(self.py(row - height / 2))
        y1 = _num(self.py(row + height / 2))
        a, b = _num(self.px(t0)), _num(self.px(t1))
        path = "".join(f"M{p} {y0}H{q}V{y1}H{p}Z" for p, q in zip(a, b, strict=True))
        self.svg.path(path, fill=color, opacity=opacity, clip=self.clip)

    def line(self, x: np.ndarray, y: np.ndarray, color: str, width: float = 1.0,
             dash: Sequence[float] = ()) -> None:
        """A polyline through the points (data coordinates)."""
        if not len(x):
            return
        xs, ys = _num(self.px(x)), _num(self.py(y))
        path = "M" + "L".join(f"{p} {q}" for p, q in zip(xs, ys, strict=True))
        self.svg.path(path, stroke=color, width=width, dash=dash, clip=self.clip)

    def hline(self, y: float, color: str, width: float, dash: Sequence[float] = ()) -> None:
        yy = float(self.py(y))
        self.svg.path(f"M{self.left:.1f} {yy:.1f}H{self.right:.1f}", stroke=color, width=width,
                      dash=dash, clip=self.clip)

    def vspan(self, x0: float, x1: float, color: str, opacity: float) -> None:
        a, b = float(self.px(x0)), float(self.px(x1))
        self.svg.path(f"M{a:.1f} {self.top:.1f}H{b:.1f}V{self.bottom:.1f}H{a:.1f}Z", fill=color,
                      opacity=opacity, clip=self.clip)

    def stairs(self, counts: np.ndarray, edges: np.ndarray, color: str) -> None:
        """A filled step histogram."""
        x = np.repeat(edges, 2)
        y = np.concatenate([[0.0], np.repeat(counts, 2), [0.0]])
        xs, ys = _num(self.px(x)), _num(self.py(y))
        path = "M" + "L".join(f"{p} {q}" for p, q in zip(xs, ys, strict=True)) + "Z"
        self.svg.path(path, fill=color, clip=self.clip)


def _grid(svg: Svg, rows: int, cols: int, *, left: float, right: float, top: float,
          bottom: float, wspace: float, hspace: float) -> list[Axes]:
    """A rows × cols grid of boxes laid out as matplotlib's ``subplots_adjust`` does."""
    W = (right - left) * svg.width
    H = (top - bottom) * svg.height
    w = W / (cols + (cols - 1) * wspace)
    h = H / (rows + (rows - 1) * hspace)
    out = []
    for r in range(rows):
        for c in range(cols):
            x0 = left * svg.width + c * w * (1 + wspace)
            y0 = (1 - top) * svg.height + r * h * (1 + hspace)
            out.append(Axes(svg, x0, y0, x0 + w, y0 + h))
    return out


def _colour(kind: str) -> str:
    try:
        return K.get(kind).colour
    except KeyError:
        return OTHER_COLOR


# ----------------------------------------------------------------- figures
def _night_axes(svg: Svg, duration_s: float, top: float, bottom: float,
                ylim: tuple[float, float], start: _dt.datetime | None = None) -> Axes:
    """The night axis (hours from the recording start, labelled in clock time) shared by
    the stacked figures."""
    ax = Axes.fractions(svg, NIGHT_LEFT, NIGHT_RIGHT, top, bottom)
    ax.start = start
    ax.xlim = (0.0, max(duration_s / 3600.0, 1e-6))
    ax.ylim = ylim
    return ax


#: Steps (minutes) of the clock-time axis, the first that gives at most 10 ticks.
CLOCK_STEPS_MIN: tuple[int, ...] = (1, 2, 5, 10, 15, 30, 60, 120, 180)


def clock_ticks(start: _dt.datetime | None, hours: float) -> tuple[np.ndarray, list[str]]:
    """Ticks (hours from the start) at round clock times, and their "HH:MM" labels.

    Without a start time: round hours from the start, labelled "+h:mm".

    >>> t, lab = clock_ticks(_dt.datetime(2024, 1, 1, 22, 47), 2.0)
    >>> lab
    ['23:00', '23:15', '23:30', '23:45', '00:00', '00:15', '00:30', '00:45']
    >>> round(float(t[0]), 4)
    0.2167
    """
    minutes = max(hours * 60.0, 1e-6)
    step = next((m for m in CLOCK_STEPS_MIN if minutes / m <= 10), 240)
    offset = 0.0 if start is None else start.hour * 60 + start.minute + start.second / 60.0
    first = math.ceil(offset / step - 1e-9) * step
    marks = np.arange(first, offset + minutes + 1e-9, step)
    ticks = (marks - offset) / 60.0
    if start is None:
        labels = [f"+{int(m) // 60}:{int(m) % 60:02d}" for m in marks]
    else:
        labels = [f"{int(m) // 60 % 24:02d}:{int(m) % 60:02d}" for m in marks]
    return ticks, labels


def _night_decorations(ax: Axes) -> None:
    ticks, labels = clock_ticks(ax.start, ax.xlim[1])
    ax.xticks(ticks, labels)
    ax.xlabel("clock time" if ax.start is not None else
              "time from recording start (h:mm; start time unknown)")
    ax.frame()


def _night_grid(ax: Axes) -> None:
    ticks, _ = clock_ticks(ax.start, ax.xlim[1])
    ax.segments(ticks, np.full(len(ticks), ax.ylim[0]), ticks, np.full(len(ticks), ax.ylim[1]),
                GRID_COLOR, 0.5)


def figure_hypnogram(hypnogram: Hypnogram, duration_s: float,
                     start: _dt.datetime | None = None) -> str:
    """The hypnogram: stage steps (hours); REM drawn thick in red; unscored left blank."""
    svg = new_figure(NIGHT_WIDTH, 1.7)
    ax = _night_axes(svg, duration_s, 0.96, 0.25, (-0.5, 4.5), start)
    _night_grid(ax)
    ax.yticks([STAGE_LEVEL[s] for s in STAGE_ORDER], list(STAGE_ORDER))
    if not len(hypnogram) or not hypnogram.is_scored:
        ax.message("no hypnogram")
    else:
        stages = hypnogram.stages
        level = np.array([STAGE_LEVEL.get(s, np.nan) for s in stages])
        t0 = hypnogram.epoch_onsets() / 3600.0
        t1 = t0 + hypnogram.epoch / 3600.0
        # one horizontal segment per run of epochs in one stage, vertical joins
        # between scored neighbours; unscored epochs stay blank
        ok = np.isfinite(level)
        joins = ok[1:] & ok[:-1] & (level[1:] != level[:-1])
        jt = t1[:-1][joins]
        ax.segments(jt, level[:-1][joins], jt, level[1:][joins], "#333333", 0.6)
        first = np.flatnonzero(np.r_[True, (stages[1:] != stages[:-1])
                                     | (t0[1:] - t1[:-1] > 1e-9)])
        end = np.r_[first[1:], len(stages)] - 1
        run_ok = ok[first]
        ax.segments(t0[first][run_ok], level[first][run_ok], t1[end][run_ok],
                    level[first][run_ok], "#333333", 1.0)
        rem = stages[first] == "R"
        ax.segments(t0[first][rem], level[first][rem], t1[end][rem], level[first][rem],
                    REM_COLOR, 3.0)
    _night_decorations(ax)
    return to_data_uri(svg)


def figure_plm_timeline(events: pd.DataFrame, duration_s: float,
                        start: _dt.datetime | None = None) -> str:
    """PLMs, CLMs (respiratory-related apart) and LMs per leg over the night.

    Drawn on the night axis of :func:`figure_hypnogram`, to be shown under it.
    """
    kind = events["kind"]
    rows = [("LM right", (kind == "lm") & (events["side"] == "right"), _colour("lm")),
            ("LM left", (kind == "lm") & (events["side"] == "left"), _colour("lm")),
            ("CLM", (kind == "clm") & ~events["respiratory"], _colour("clm")),
            ("CLM resp.", (kind == "clm") & events["respiratory"], "#7f7f7f"),
            ("PLM", kind == "plm", _colour("plm")),
            ("PLM + arousal", (kind == "plm") & events["arousal"], "#8B0000")]
    svg = new_figure(NIGHT_WIDTH, 2.1)
    ax = _night_axes(svg, duration_s, 0.97, 0.2, (-0.7, len(rows) - 0.3), start)
    _night_grid(ax)
    for i, (_, mask, color) in enumerate(rows):
        ax.ticks(events.loc[mask, "onset"].to_numpy(float) / 3600.0, i, color)
    ax.yticks(range(len(rows)), [r[0] for r in rows], marks=False)
    if not kind.isin(list(K.leg_kinds())).any():
        ax.message("no leg movements found")
    _night_decorations(ax)
    return to_data_uri(svg)


@dataclass(frozen=True)
class Histogram:
    """Bin edges and counts (len(counts) == len(edges) - 1)."""

    edges: np.ndarray
    counts: np.ndarray


def figure_imi_histograms(linear: Histogram | None, ln: Histogram | None) -> str:
    """IMI histograms: 2-s bins 0–90 s and ln(IMI) 0.1 bins (WASM 2016, Ferri 2006)."""
    svg = new_figure(9.0, 2.6)
    boxes = _grid(svg, 1, 2, left=0.07, right=0.975, top=0.95, bottom=0.19, wspace=0.2,
                  hspace=0.0)
    for ax, (hist, label, mark) in zip(boxes, ((linear, "IMI (s)", (10.0, 90.0)),
                                               (ln, "ln(IMI)", (np.log(10.0), np.log(90.0)))),
                                       strict=True):
        if hist is None or not np.sum(hist.counts):
            ax.message("no intermovement intervals")
        else:
            edges = np.asarray(hist.edges, dtype=float)
            counts = np.asarray(hist.counts, dtype=float)
            top = float(np.max(counts)) * 1.05
            ax.xlim = (float(edges[0]), float(edges[-1] + 0.02 * (edges[-1] - edges[0])))
            ax.ylim = (0.0, top)
            ax.stairs(counts, edges, _colour("clm"))
            m = np.asarray(mark)
            ax.segments(m, np.zeros(2), m, np.full(2, top), "#D55E00", 0.8, dash=DASHES["--"])
            ax.xticks(nice_ticks(*ax.xlim, nbins=9))
            ax.yticks(nice_ticks(0.0, top, nbins=5))
        ax.xlabel(label)
        ax.ylabel("count", offset=40.0)
        ax.frame()
    return to_data_uri(svg)


#: Width of a character of the figures' font relative to its size (DejaVu Sans is
#: wide: its widest lower-case letters reach 0.7; 0.62 errs on the wide side).
CHAR_WIDTH = 0.62


def legend_lines(svg_width: float, items: Sequence[tuple[str, str]], size: float = 7.0,
                 margin: float = 0.02) -> list[list[tuple[str, str, float]]]:
    """The legend's items broken into lines that fit the figure's width.

    Each line is a list of ``(label, colour, width)``; a line holds as many items
    as fit between the side margins (``margin`` × width each side), so no label
    runs off either edge.

    >>> lines = legend_lines(1080.0, [("Leg movement", "#000")] * 12)
    >>> [len(line) for line in lines]
    [8, 4]
    """
    room = svg_width * (1 - 2 * margin)
    lines: list[list[tuple[str, str, float]]] = [[]]
    used = 0.0
    for label, color in items:
        w = (1.6 + CHAR_WIDTH * len(label) + 1.6) * size * PT
        if lines[-1] and used + w > room:
            lines.append([])
            used = 0.0
        lines[-1].append((label, color, w))
        used += w
    return lines if lines[0] else []


def _legend_row(svg: Svg, lines: Sequence[Sequence[tuple[str, str, float]]], y: float,
                size: float = 7.0) -> None:
    """Coloured squares and labels, each line of :func:`legend_lines` centred, from ``y`` down."""
    for k, line in enumerate(lines):
        x = (svg.width - sum(w for _, _, w in line)) / 2
        yy = y + k * 1.6 * size * PT
        for label, color, w in line:
            s = 0.9 * size * PT
            svg.add(f'<rect x="{x:.1f}" y="{yy - s / 2:.1f}" width="{s:.1f}" height="{s:.1f}" '
                    f'fill="{color}"/>')
            svg.text(x + s + 0.5 * size * PT, yy, label, size=size, baseline="middle")
            x += w


def figure_muscle_raster(events: pd.DataFrame, duration_s: float,
                         rows: Sequence[tuple[str, str, str]],
                         start: _dt.datetime | None = None) -> str:
    """One row per (muscle, side, channel) with its events over the night.

    ``rows`` lists ``(label, muscle, side)``: one row per channel, with the events of
    that channel (events naming no channel: on their muscle and side).
    Derived events without a muscle (e.g. GRM episodes) get their own row.  Drawn
    on the night axis of :func:`figure_hypnogram`, to be shown under it.  Episode
    kinds (``EventKind.episode``) are bars, the others ticks; colours and legend
    labels come from the kind registry.
    """
    n = len(rows) + 1
    present = set(events["kind"])
    shown = [(k.label, k.colour) for k in K.all_kinds() if k.name in present]
    legend = legend_lines(NIGHT_WIDTH * PX_PER_IN, shown)
    line_in = 1.6 * 7.0 * PT / PX_PER_IN  # one legend line (inches)
    legend_in = line_in * len(legend)
    height = 1.0 + 0.24 * n + legend_in
    svg = new_figure(NIGHT_WIDTH, height)
    ax = _night_axes(svg, duration_s, 1 - 0.08 / height, (0.75 + legend_in) / height,
                     (-0.7, n - 0.3), start)
    _night_grid(ax)
    labels = []
    legs = list(K.leg_kinds())
    episodes = {k.name for k in K.all_kinds() if k.episode}
    for i, (label, muscle, side) in enumerate(list(rows) + [("patterns (all muscles)", "", "*")]):
        if side == "*":
            sel = events[(events["muscle"] == "") & ~events["kind"].isin(legs)]
        else:
            # the channel's own events; events naming no channel go to their muscle's row
            sel = events[(events["channel"] == label)
                         | ((events["channel"] == "") & (events["muscle"] == muscle)
                            & (events["side"] == side) & (muscle != ""))]
        labels.append(label)
        row = n - 1 - i
        for kind, grp in sel.groupby("kind", sort=False):
            color = _colour(str(kind))
            t0 = grp["onset"].to_numpy(float) / 3600.0
            if kind in episodes:
                t1 = t0 + np.maximum(grp["duration"].to_numpy(float) / 3600.0, 1e-3)
                ax.bars(t0, t1, row, color)
            else:
                ax.ticks(t0, row, color, width=0.6)
    ax.yticks(range(n), labels[::-1], marks=False, size=7.0)
    _night_decorations(ax)
    if legend:  # under the axis label, every line inside the figure
        _legend_row(svg, legend, svg.height - legend_in * PX_PER_IN - 0.1 * PX_PER_IN
                    + 0.5 * line_in * PX_PER_IN)
    return to_data_uri(svg)


@dataclass(frozen=True)
class StackedTrace:
    """One channel of an event over several channels: the conditioned trace (µV at
    ``times``, s from the recording start) and the raw samples of the same window
    (µV at ``raw_fs`` from ``times[0]``)."""

    label: str
    times: np.ndarray
    signal: np.ndarray
    unconditioned: np.ndarray
    raw_fs: float


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
    #: The raw samples of the same window (µV, at ``raw_fs`` from ``times[0]``), for
    #: the report's raw view; None when not read.
    unconditioned: np.ndarray | None = None
    raw_fs: float = 0.0
    #: Clock time of the onset ("HH:MM:SS.ss", or "+h:mm:ss.ss" from the recording
    #: start when its clock time is unknown): the time axis is seconds from it.
    onset_clock: str = ""
    #: An event over several channels: each channel's trace, stacked (then ``raw`` and
    #: ``envelope`` are the first channel's and no levels are drawn).
    stack: tuple[StackedTrace, ...] = ()


#: Columns a snippet trace is reduced to (about two per unit of its panel's width).
SNIPPET_COLUMNS = 600


def decimate_for_display(t: np.ndarray, x: np.ndarray, columns: int = SNIPPET_COLUMNS,
                         ) -> tuple[np.ndarray, np.ndarray]:
    """The trace as drawn at ``columns`` columns: each column's minimum and maximum, in time order.

    Drawing ``(t, x)`` and the result look the same at that resolution (every
    excursion keeps its extreme), but the result has fewer than ``4 × columns + 2``
    points.  Shorter traces are returned unchanged.

    >>> t = np.arange(10_050) / 1000.0
    >>> td, xd = decimate_for_display(t, np.sin(t * 50), columns=100)
    >>> len(td), float(xd.max()) > 0.99, bool(np.all(np.diff(td) >= 0)), bool(td[-1] > 10.0)
    (202, True, True, True)
    """
    n = len(x)
    if n <= 2 * columns:
        return t, x
    per = n // columns
    nb = n // per
    m = per * nb  # the tail left over is shorter than one column
    blocks = x[:m].reshape(nb, per)
    tb = t[:m].reshape(nb, per)
    lo_i, hi_i = np.argmin(blocks, 1), np.argmax(blocks, 1)
    first, second = np.minimum(lo_i, hi_i), np.maximum(lo_i, hi_i)
    rows = np.arange(nb)
    td = np.stack([tb[rows, first], tb[rows, second]], 1).ravel()
    xd = np.stack([blocks[rows, first], blocks[rows, second]], 1).ravel()
    if m < n:
        tail_t, tail_x = t[m:], x[m:]
        i, j = sorted((int(np.argmin(tail_x)), int(np.argmax(tail_x))))
        td = np.append(td, [tail_t[i], tail_t[j]])
        xd = np.append(xd, [tail_x[i], tail_x[j]])
    return td, xd


def _snippet_legend(ax: Axes, items: Sequence[tuple[str, str, float, Sequence[float]]]) -> None:
    size = 6.0
    y = ax.top + 1.2 * size * PT
    x = ax.right - 11.0 * size * PT
    for label, color, width, dash in items:
        ax.svg.path(f"M{x:.1f} {y:.1f}h{2.2 * size * PT:.1f}", stroke=color, width=width,
                    dash=dash)
        ax.svg.text(x + 2.7 * size * PT, y, label, size=size, baseline="middle")
        y += 1.4 * size * PT


def _draw_stack(ax: Axes, sn: Snippet, raw: bool) -> None:
    """The channels of an event over several channels, one band each (top: the first
    listed), each scaled to its own largest excursion, which its label gives in µV."""
    n = len(sn.stack)
    ax.ylim = (-0.6, n - 0.4)
    for i, st in enumerate(sn.stack):
        if raw and st.unconditioned.size and st.raw_fs > 0:
            t = st.times[0] - sn.onset + np.arange(st.unconditioned.size) / st.raw_fs
            y = np.nan_to_num(st.unconditioned)
        else:
            t, y = st.times - sn.onset, np.nan_to_num(st.signal)
        peak = float(np.max(np.abs(y), initial=0.0))
        centre = n - 1 - i
        scaled = centre + (0.45 * y / peak if peak > 0 else 0.0 * y)
        ax.line(*decimate_for_display(t, scaled), color="#6f6f6f", width=0.4)
        ax.svg.text(ax.left + 3, float(ax.py(centre + 0.42)), f"{st.label} (±{peak:.0f} µV)",
                    size=6.0, baseline="hanging", color="#333333")


def figure_snippets(snippets: Sequence[Snippet], *, raw: bool = False) -> str:
    """A grid of EMG snippets: the conditioned trace, envelope, event span and thresholds.

    With ``raw`` the raw samples of the same windows instead (no envelope or
    thresholds: those belong to the conditioned signal).  An event over several
    channels is drawn as their traces stacked.  Every panel's time axis is seconds
    from the event's onset, whose clock time the axis label gives."""
    n = len(snippets)
    cols = 2 if n > 1 else 1
    rows = int(np.ceil(n / cols))
    svg = new_figure(9.0, 2.3 * rows)
    boxes = _grid(svg, rows, cols, left=0.07, right=0.975, top=1 - 0.3 / (2.3 * rows),
                  bottom=0.45 / (2.3 * rows), wspace=0.15, hspace=0.55)
    legend_done = False
    for ax, sn in zip(boxes, snippets, strict=False):
        t = np.asarray(sn.times, dtype=float) - sn.onset
        ax.xlim = (float(t[0]), float(t[-1])) if len(t) > 1 and t[-1] > t[0] else (0.0, 1.0)
        if sn.stack:
            if raw:  # the raw samples run one sample past the conditioned window
                ends = [st.times[0] - sn.onset + (st.unconditioned.size - 1) / st.raw_fs
                        for st in sn.stack if st.raw_fs > 0 and st.unconditioned.size]
                ax.xlim = (ax.xlim[0], max([ax.xlim[1], *ends]))
            ax.vspan(0.0, sn.duration, "#D55E00", 0.12)
            _draw_stack(ax, sn, raw)
        else:
            _draw_single(ax, sn, raw, legend=not legend_done)
            legend_done = True
        ax.title(sn.title)
        ax.xticks(nice_ticks(*ax.xlim, nbins=6), size=7.0)
        ax.xlabel(f"s from the onset at {sn.onset_clock}" if sn.onset_clock
                  else "s from event onset", size=7.0)
        ax.frame()
    return to_data_uri(svg)


def _draw_single(ax: Axes, sn: Snippet, raw: bool, legend: bool) -> None:
    """One channel: the trace, its envelope and the detector's levels (or the raw samples)."""
    t = np.asarray(sn.times, dtype=float) - sn.onset
    y = np.nan_to_num(np.asarray(sn.raw, dtype=float))
    env = np.nan_to_num(np.asarray(sn.envelope, dtype=float))
    if raw_view := (raw and sn.unconditioned is not None and sn.raw_fs > 0):
        y = np.nan_to_num(np.asarray(sn.unconditioned, dtype=float))
        t = float(sn.times[0]) - sn.onset + np.arange(y.size) / sn.raw_fs
        env = np.zeros(0)
        if len(t) > 1 and t[-1] > t[0]:
            ax.xlim = (float(t[0]), float(t[-1]))
    levels = [] if raw_view else [(float(v), s, name) for v, s, name in (
        (sn.resting_uv, ":", "resting"), (sn.onset_threshold_uv, "--", "onset threshold"),
        (sn.offset_threshold_uv, "-.", "offset threshold")) if v is not None and np.isfinite(v)]
    ys = [y.min(initial=0.0), y.max(initial=0.0), env.max(initial=0.0),
          *(v for v, _, _ in levels)]
    lo, hi = min(ys), max(ys)
    pad = 0.05 * (hi - lo) if hi > lo else 1.0
    ax.ylim = (lo - pad, hi + pad)
    ax.vspan(0.0, sn.duration, "#D55E00", 0.12)
    ax.line(*decimate_for_display(t, y), color="#9a9a9a", width=0.4)
    if env.size:
        step = max(1, len(t) // SNIPPET_COLUMNS)  # the envelope is smooth: every step-th one
        ax.line(t[::step], env[::step], color="#0072B2", width=1.0)
    for v, style, _name in levels:
        ax.hline(v, "#D55E00", 0.8, dash=DASHES[style])
    ax.yticks(nice_ticks(*ax.ylim, nbins=4), size=7.0)
    if legend and raw_view:
        _snippet_legend(ax, [("raw EMG (µV)", "#9a9a9a", 0.8, ())])
    elif legend:
        _snippet_legend(ax, [("EMG (µV)", "#9a9a9a", 0.8, ()), ("envelope", "#0072B2", 1.0, ()),
                             *((name, "#D55E00", 0.8, DASHES[s]) for _, s, name in levels)])
