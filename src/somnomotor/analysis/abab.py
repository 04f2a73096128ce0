"""Planning a randomised ABAB schedule: the way to separate one factor from everything else.

Nights in a diary are not randomised: alcohol goes with weekends, a dose rises
with the weeks.  An ABAB (n-of-1) plan alternates blocks of nights with and
without one factor, in a random order within each pair of blocks, so that slow
changes (season, activity, disease course) fall equally on both conditions.
The plan says only *when*; what A and B are — above all for a medicine — is
for the person and their clinician to decide.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..errors import ParameterError

#: Factors with a default pair of conditions (A, B) and the plan column they set.
ABAB_FACTORS: dict[str, tuple[str, str, str]] = {
    "alcohol": ("no alcohol in the evening", "alcohol as usual", "alcohol_units"),
    "exertion": ("lighter days (pace activity)", "activity as usual", "exertion"),
    "stretching": ("no evening stretching", "20 minutes of evening stretching",
                   "stretching_minutes"),
    "hot_bath": ("no hot bath before bed", "hot bath before bed", "hot_bath_minutes"),
    "heat": ("no heat at night", "heating pad or warm clothing at night", "heat_at_night"),
    "capsaicin": ("no capsaicin", "topical capsaicin in the evening", "capsaicin"),
    "alprazolam": ("dose A as agreed with the prescriber", "dose B as agreed with the prescriber",
                   "alprazolam_mg"),
}


def plan_abab(factor: str, *, start: dt.date | str, pairs: int = 2, block_nights: int = 7,
              seed: int | None = None, condition_a: str | None = None,
              condition_b: str | None = None) -> pd.DataFrame:
    """A randomised ABAB schedule: ``pairs`` pairs of blocks, each pair in random order.

    Parameters
    ----------
    factor : str
        One of :data:`ABAB_FACTORS` (``alcohol``, ``hot_bath``, ``heat`` …).
    start : date
        The first evening of the plan.
    pairs : int
        Number of A/B pairs (2 gives the classic four blocks).
    block_nights : int
        Nights per block (a week by default, so weekday habits balance).
    seed : int, optional
        Seed of the randomisation (record it: the plan can then be re-created).
    condition_a, condition_b : str, optional
        Descriptions of the two conditions, replacing the defaults.

    Returns
    -------
    DataFrame
        One row per night: ``date``, ``block`` (1…), ``condition`` (``A``/``B``),
        ``description``, ``factor``.

    Examples
    --------
    >>> plan = plan_abab("hot_bath", start="2024-03-01", seed=1)
    >>> len(plan), sorted(plan["condition"].unique())
    (28, ['A', 'B'])
    """
    if factor not in ABAB_FACTORS:
        raise ParameterError(f"--plan-abab: unknown factor '{factor}' "
                             f"(choose from {', '.join(ABAB_FACTORS)})")
    if pairs < 1 or block_nights < 1:
        raise ParameterError("--plan-abab: pairs and nights per block must be at least 1")
    try:
        first = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
    except ValueError:
        raise ParameterError(f"--plan-abab: start {start!r} is not a date like 2024-03-01") \
            from None
    a_text, b_text, _column = ABAB_FACTORS[factor]
    a_text, b_text = condition_a or a_text, condition_b or b_text
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(["A", "B"]) for _ in range(pairs)])
    conditions = np.repeat(order, block_nights)
    blocks = np.repeat(np.arange(1, len(order) + 1), block_nights)
    dates = pd.date_range(pd.Timestamp(first), periods=len(conditions), freq="D")
    return pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "block": blocks,
                         "condition": conditions,
                         "description": np.where(conditions == "A", a_text, b_text),
                         "factor": factor})
