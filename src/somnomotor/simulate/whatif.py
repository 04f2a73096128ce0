"""'What if' comparisons: the same person's nights under different evenings.

Because every candidate event carries its own seeded random numbers, nights
with the same seed under two evenings are *paired*: differences come from the
evening, not from chance.  :func:`compare_evenings` runs the model (no
signals) for a few seeds per evening and tabulates what a sleep report would
show — a teaching tool, not a prediction for any real person (docs/model.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .control import Evening
from .model import run_model

_SLEEP = ("N1", "N2", "N3", "R")

#: Columns of :func:`compare_evenings`' table.
WHAT_IF_COLUMNS: tuple[str, ...] = (
    "evening", "seed", "tst_h", "plms_index", "lm_index", "myoclonus_index",
    "arousal_index", "movement_arousal_index", "stage_shifts", "peak_bac_g_kg",
    "peak_alprazolam_ng_ml",
)


def night_figures(scenario: str, evening: Evening, *, hours: float, seed: int,
                  settings: Mapping[str, Any] | None = None) -> dict[str, float]:
    """Truth-based figures of one simulated night (indices per hour of sleep).

    Examples
    --------
    >>> f = night_figures("polio_plms", Evening(), hours=8.0, seed=0)
    >>> f["plms_index"] > 15
    True
    """
    m = run_model(scenario, hours=hours, seed=seed, settings=settings, evening=evening)
    truth, hyp = m.truth, m.hypnogram
    tst_h = float(hyp.is_sleep().sum() * hyp.epoch / 3600.0)
    per_h = (lambda k: float(k) / tst_h) if tst_h > 0 else (lambda k: float("nan"))
    in_sleep = truth["stage"].isin(_SLEEP)
    arousals = m.scored[m.scored["kind"] == "arousal"]
    moved = truth[truth["arousal"] & truth["kind"].isin(["lm", "myoclonus"])]
    return {
        "tst_h": tst_h,
        "plms_index": per_h(((truth["kind"] == "plm") & in_sleep).sum()),
        "lm_index": per_h(((truth["kind"] == "lm") & in_sleep).sum()),
        "myoclonus_index": per_h(((truth["kind"] == "myoclonus") & in_sleep).sum()),
        "arousal_index": per_h(len(arousals)),
        "movement_arousal_index": per_h(moved["onset"].round(0).nunique()),
        "stage_shifts": float(np.sum(hyp.stages[1:] != hyp.stages[:-1])),
        "peak_bac_g_kg": float(m.control.bac.max()),
        "peak_alprazolam_ng_ml": float(m.control.alprazolam_ng_ml.max()),
    }


def compare_evenings(scenario: str, evenings: Mapping[str, Evening], *, nights: int = 5,
                     hours: float = 8.0, seed: int = 0,
                     settings: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Figures of ``nights`` paired nights per evening: one row per evening and seed.

    Parameters
    ----------
    scenario : str
        The person (a scenario name).
    evenings : mapping
        Name -> :class:`Evening`, e.g. ``{"none": Evening(), "3 drinks": Evening(alcohol_units=3)}``.
    nights : int
        Seeds ``seed, seed+1, …`` simulated under every evening.
    hours : float
        Length of each night (h).

    Returns
    -------
    DataFrame
        Columns :data:`WHAT_IF_COLUMNS`; ``df.groupby("evening").mean()`` gives
        the comparison.

    Examples
    --------
    >>> df = compare_evenings("polio_plms", {"none": Evening(),
    ...                                      "1 mg": Evening(alprazolam_mg=1.0)}, nights=2)
    >>> m = df.groupby("evening")["plms_index"].mean()
    >>> bool(m["1 mg"] < m["none"])
    True
    """
    rows = []
    for name, ev in evenings.items():
        for s in range(seed, seed + nights):
            rows.append({"evening": name, "seed": s,
                         **night_figures(scenario, ev, hours=hours, seed=s, settings=settings)})
    return pd.DataFrame(rows, columns=list(WHAT_IF_COLUMNS))
