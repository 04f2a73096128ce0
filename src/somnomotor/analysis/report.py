"""The longitudinal report: trends night by night, effects, dose–response, tolerance.

One self-contained HTML file (figures embedded as PNG), plus ``compare.json``.
"""

from __future__ import annotations

import base64
import io
import json
import os
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._atomic import atomic_write
from .._version import __version__
from .compare import CONFOUNDING_NOTE, DISCLAIMER, Comparison, simulated_note
from .data import DOSE_COLUMN, OUTCOMES

#: Outcomes drawn night by night in the trend figure.
TREND_OUTCOMES = ("plms_index", "myoclonus_index", "grm_episode_count", "morning_tonic_seconds",
                  "sleep_efficiency", "morning_stiffness", "penn_frequency", "sleep_quality")
_DPI = 96
#: No text on a figure is smaller than this (points; at :data:`_DPI` and at most
#: :data:`PAGE_WIDTH_PX` wide, a figure is shown at its own size, so 10 pt is 13 px).
MIN_FONT_PT = 10.0
#: The page's content width (max-width 1100 px less the padding): figures fit in it.
PAGE_WIDTH_PX = 1068


def _fmt(value: float | None, scale: str, digits: int = 2) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    return f"×{value:.{digits}f}" if scale == "ratio" else f"{value:+.{digits}f}"


def interval_digits(low: float, high: float, scale: str, clear: bool) -> int:
    """Decimals that keep a clear interval's exclusion of no change visible (2, up to 4).

    >>> interval_digits(1.0004, 1.5, "ratio", True), interval_digits(1.2, 1.5, "ratio", True)
    (4, 2)
    """
    null = 1.0 if scale == "ratio" else 0.0
    for digits in (2, 3, 4):
        if not clear or not (np.isfinite(low) and np.isfinite(high)):
            return digits
        if round(low, digits) != null and round(high, digits) != null:
            return digits
    return 4


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _trend_figure(data: pd.DataFrame) -> str:
    return _png(_trend_fig(data))


def _trend_fig(data: pd.DataFrame) -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    shown = [o for o in OUTCOMES if o.name in TREND_OUTCOMES and data[o.name].notna().any()]
    fig, axes = plt.subplots(max(len(shown), 1), 1, figsize=(10, 1.9 * max(len(shown), 1)),
                             sharex=True, squeeze=False)
    dates = data["date"]
    dose = data[DOSE_COLUMN].fillna(0.0).to_numpy()
    top = max(float(dose.max()), 1e-9)
    alcohol = data["alcohol_units"].fillna(0).to_numpy() > 0
    heat = data["heat_at_night"].fillna(0).to_numpy() > 0
    for ax, o in zip(axes[:, 0], shown, strict=False):
        y = data[o.name].to_numpy(dtype=float)
        for level in np.unique(dose[dose > 0]):  # one shaded band per dose, not per night
            ax.fill_between(dates, 0, 1, where=dose == level, step="mid", color="#5b7bb2",
                            alpha=0.08 + 0.25 * level / top, lw=0,
                            transform=ax.get_xaxis_transform())
        ax.plot(dates, y, color="#444", lw=0.8)
        ax.scatter(dates[heat], y[heat], s=14, color="#c0392b", zorder=3)
        ax.scatter(dates[~heat], y[~heat], s=14, facecolor="white", edgecolor="#444", zorder=3)
        ax.scatter(dates[alcohol], y[alcohol], marker="^", s=30, color="#8e44ad", zorder=4)
        if len(y) > 60:  # a long run: a weekly running mean shows the course
            ax.plot(dates, pd.Series(y).rolling(7, center=True, min_periods=4).mean(),
                    color="#1f3a68", lw=1.6, zorder=5)
        ax.set_ylabel(textwrap.fill(o.label, 18) + f"\n({o.unit})", fontsize=MIN_FONT_PT)
        ax.tick_params(labelsize=MIN_FONT_PT)
    fig.autofmt_xdate()
    return fig


def _forest_figure(comparison: Comparison) -> str | None:
    fig = _forest_fig(comparison)
    return None if fig is None else _png(fig)


def _forest_fig(comparison: Comparison) -> Any:
    import matplotlib.pyplot as plt

    eff = comparison.effects
    if not len(eff):
        return None
    outs = [o for o in OUTCOMES if (eff["outcome"] == o.name).any()]
    cols = min(3, len(outs))
    nrows = int(np.ceil(len(outs) / cols))
    labels = list(dict.fromkeys(f"{r.factor_label}, {r.contrast}" for r in eff.itertuples()))
    fig, axes = plt.subplots(nrows, cols, figsize=(10.5, 0.3 * len(labels) * nrows + 1.2),
                             sharey=True, squeeze=False)
    ypos = {lab: i for i, lab in enumerate(labels)}
    for ax, o in zip(axes.ravel(), outs, strict=False):
        part = eff[eff["outcome"] == o.name]
        ratio = part["scale"].iloc[0] == "ratio"
        for r in part[part["estimable"]].itertuples():
            y = ypos[f"{r.factor_label}, {r.contrast}"]
            color = "#c0392b" if r.clear else "#555"
            ax.plot([r.ci_low, r.ci_high], [y, y], color=color, lw=1.5)
            ax.plot([r.estimate], [y], "o", color=color, ms=4)
        ax.axvline(1.0 if ratio else 0.0, color="#999", lw=0.8, ls="--")
        if ratio:
            from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

            ax.set_xscale("log")
            # 0.5, 1, 2 … rather than a lone "1": ratios are read against their ticks
            ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0), numticks=6))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_title(textwrap.fill(o.label, 18), fontsize=MIN_FONT_PT + 1)
        ax.tick_params(labelsize=MIN_FONT_PT)
    for ax in axes.ravel()[len(outs):]:
        ax.axis("off")
    for row in axes:
        row[0].set_yticks(range(len(labels)))
        row[0].set_yticklabels(labels, fontsize=MIN_FONT_PT)
    axes[0, 0].invert_yaxis()  # shared: the first factor on top in every panel
    fig.tight_layout()
    return fig


def _dose_figure(comparison: Comparison) -> str | None:
    fig = _dose_fig(comparison)
    return None if fig is None else _png(fig)


def _dose_fig(comparison: Comparison) -> Any:
    import matplotlib.pyplot as plt

    drs = comparison.dose_response
    if not drs:
        return None
    cols = min(4, len(drs))
    nrows = int(np.ceil(len(drs) / cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(2.6 * cols, 2.6 * nrows), squeeze=False)
    for ax, dr in zip(axes.ravel(), drs, strict=False):
        lv = dr["levels"]
        d = np.array([x["dose_mg"] for x in lv])
        est = np.array([x["estimate"] for x in lv])
        lo = np.array([np.nan if x["ci_low"] is None else x["ci_low"] for x in lv])
        hi = np.array([np.nan if x["ci_high"] is None else x["ci_high"] for x in lv])
        lo = np.where(np.isnan(lo), est, lo)
        hi = np.where(np.isnan(hi), est, hi)
        ax.errorbar(d, est, yerr=[est - lo, hi - est], fmt="o", color="#2c3e50", capsize=3,
                    ms=4)
        fit = dr.get("emax_fit")
        if fit:
            grid = np.linspace(0, d.max(), 60)
            curve = fit["emax_coef"] * grid / (fit["ed50_mg"] + grid)
            ax.plot(grid, np.exp(curve) if dr["scale"] == "ratio" else curve, color="#5b7bb2")
        ax.axhline(1.0 if dr["scale"] == "ratio" else 0.0, color="#999", lw=0.8, ls="--")
        ax.set_title(textwrap.fill(dr["outcome_label"], 22), fontsize=MIN_FONT_PT + 1)
        ax.set_xlabel("alprazolam (mg)", fontsize=MIN_FONT_PT)
        ax.set_ylabel("ratio to none" if dr["scale"] == "ratio" else "difference from none",
                      fontsize=MIN_FONT_PT)
        ax.tick_params(labelsize=MIN_FONT_PT)
    for ax in axes.ravel()[len(drs):]:
        ax.axis("off")
    fig.tight_layout()
    return fig


def _effect_blocks(comparison: Comparison) -> list[dict[str, Any]]:
    eff = comparison.effects
    blocks = []
    for o in OUTCOMES:
        part = eff[eff["outcome"] == o.name] if len(eff) else eff
        if not len(part):
            continue
        scale = part["scale"].iloc[0]
        rows = []
        for r in part.itertuples():
            digits = interval_digits(r.ci_low, r.ci_high, scale, bool(r.clear))
            rows.append({"factor_label": r.factor_label, "contrast": r.contrast,
                         "est": _fmt(r.estimate, scale, digits),
                         "ci": f"{_fmt(r.ci_low, scale, digits)} to "
                               f"{_fmt(r.ci_high, scale, digits)}",
                         "n_exposed": r.n_exposed, "clear": r.clear})
        blocks.append({"outcome": o.name, "label": o.label, "n": int(part["n_nights"].iloc[0]), "rows": rows,
                       "how": "ratio" if scale == "ratio" else f"difference in {o.unit}"})
    return blocks


def _no_effects_reason(comparison: Comparison) -> str:
    reasons = [n for n in comparison.notes if "too few" in n or "cannot be compared" in n]
    return "; ".join(reasons) if reasons else "see the notes under Confounding"


def render_compare_html(comparison: Comparison) -> str:
    """The longitudinal report as one self-contained HTML string."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from jinja2 import Environment, select_autoescape

    text = resources.files(__package__).joinpath("templates/compare.html").read_text("utf-8")
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template = env.from_string(text)
    data = comparison.data
    figures = {"trends": _trend_figure(data) if data is not None and len(data) else "",
               "forest": _forest_figure(comparison), "dose": _dose_figure(comparison)}
    c = comparison.to_dict() | {"n_diary": comparison.n_diary, "n_recorded": comparison.n_recorded,
                                "first_date": comparison.first_date,
                                "last_date": comparison.last_date}
    return template.render(c=c, figures=figures, effect_blocks=_effect_blocks(comparison),
                           simulated_note=simulated_note(comparison),
                           no_effects_reason=_no_effects_reason(comparison),
                           disclaimer=DISCLAIMER, confounding=CONFOUNDING_NOTE,
                           version=__version__, fmt=_fmt)


def write_compare_outputs(comparison: Comparison, out_dir: str | os.PathLike[str]
                          ) -> dict[str, Path]:
    """Write ``compare.json`` and ``compare.html`` to ``out_dir`` (each whole or not at all)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "compare.json", "html": out / "compare.html"}
    with atomic_write(paths["json"], "w", encoding="utf-8") as fh:
        json.dump(comparison.to_dict(), fh, indent=2, allow_nan=False)
        fh.write("\n")
    html = render_compare_html(comparison)
    with atomic_write(paths["html"], "w", encoding="utf-8") as fh:
        fh.write(html)
    return paths
