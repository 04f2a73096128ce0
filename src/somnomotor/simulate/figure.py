"""A teaching figure of one simulated night: what the model did, and why.

Four panels sharing the time axis (hours from lights-off): the hypnogram; the
evening's drugs (blood alcohol, plasma alprazolam); each region's net drive
(excitability minus descending inhibition) against the threshold of the
logistic rate curve; and a raster of the generated events by body region.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .. import kinds as K
from .._atomic import atomic_path
from ..errors import InputError
from .scenarios import EMG_CHANNELS, REGIONS

_STAGE_Y = {"W": 4, "R": 3, "N1": 2, "N2": 1, "N3": 0, "?": np.nan}


def plot_model(night: Any, path: str | os.PathLike[str], *, title: str | None = None) -> Path:
    """Draw the model's night (a :class:`SimulatedNight`) to a PNG or SVG at ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from somnomotor.simulate import simulate_night
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> plot_model(simulate_night("polio_plms", hours=1, settings={"channels": "LAT"}),
    ...            d / "model.png").name
    'model.png'
    """
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError("the figure must be a .png, .svg or .pdf file", path)
    fig = model_figure(night, title=title)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format=path.suffix.lower().lstrip("."), bbox_inches="tight",
                    metadata={"Software": None} if path.suffix.lower() == ".png" else None)
    plt.close(fig)
    return path


def model_figure(night: Any, *, title: str | None = None) -> Any:
    """The matplotlib figure :func:`plot_model` saves; legends sit beside the panels,
    never over a trace."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    control, hyp, truth, s = night.control, night.hypnogram, night.truth, night.settings
    t_ep = (np.arange(len(hyp)) + 0.5) * hyp.epoch / 3600.0
    fig, ax = plt.subplots(4, 1, figsize=(11, 9), sharex=True,
                           gridspec_kw={"height_ratios": [1.2, 1, 1.6, 1.6]})
    ax[0].step(t_ep, [_STAGE_Y[str(x)] for x in hyp.stages], where="mid", color="k", lw=1)
    ax[0].set_yticks(range(5), ["N3", "N2", "N1", "R", "W"])
    ax[0].set_ylabel("stage")
    ax[1].plot(control.t_h, control.bac * 1000, label="blood alcohol (mg/kg)")
    ax[1].plot(control.t_h, control.alprazolam_ng_ml * 10, label="alprazolam (ng/mL × 10)")
    beside = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "borderaxespad": 0.0}
    ax[1].legend(fontsize=8, **beside)
    ax[1].set_ylabel("drugs")
    for r in REGIONS:
        ax[2].plot(control.t_h, control.excitability[r] - control.inhibition[r], lw=1,
                   label=f"{r} (damage {s[f'damage.{r}']:.2g})")
    ax[2].axhline(s["control.threshold"], color="k", ls="--", lw=1)
    ax[2].set_ylabel("net drive X − I")
    ax[2].legend(fontsize=7, ncol=1, **beside)
    rows = {r: i for i, r in enumerate(REGIONS)}
    for kind, g in truth.groupby("kind"):
        if g.empty:
            continue
        region = [EMG_CHANNELS[c][2] if c in EMG_CHANNELS else "" for c in g["channel"]]
        y = np.array([rows.get(r, len(REGIONS)) for r in region], dtype=float)
        ax[3].scatter(g["onset"] / 3600.0, y, s=6, marker="|", color=K.colours().get(kind, "k"),
                      label=kind)
    ax[3].set_yticks(range(len(REGIONS) + 1), [*REGIONS, "episode"])
    ax[3].legend(fontsize=7, ncol=1, markerscale=3, **beside)
    ax[3].set_xlabel("hours from lights-off")
    fig.suptitle(title or f"simulated night: scenario {s.get('scenario', '')}, "
                 "a qualitative model (not a clinical prediction)", fontsize=10)
    fig.tight_layout()
    return fig
