"""Issue 8 acceptance: on simulated months with known diary effects, ``compare`` recovers
the direction of each effect and covers the true effect in its 95 % interval in at least
90 % of seeds; with no true effect it claims one in at most about 5 % of comparisons.

The months come from ``simulate_month(fast=True)``: the outcome-level model whose
coefficients are the true effects on exactly the scale compare estimates (log rate ratio
for PLMS, difference in points for stiffness), with Poisson/normal noise and AR(1)
night-to-night correlation.  The physiological mode produces the same directions but no
closed-form effect size, so the size check can only be made here.
"""

from __future__ import annotations

import numpy as np
import pytest

from somnomotor.analysis import assemble_nights, compare_nights
from somnomotor.apps.month import MonthEffects, simulate_month

SEEDS = range(60)
NIGHTS = 30
#: (outcome, factor, dose) whose true effect is non-zero in the default model.
KNOWN = [
    ("plms_index", "alcohol_units", None),        # alcohol raises movements
    ("myoclonus_index", "alcohol_units", None),
    ("plms_index", "alprazolam_mg", 0.5),          # alprazolam lowers them ...
    ("plms_index", "alprazolam_mg", 1.0),
    ("plms_index", "alprazolam_mg", 1.5),
    ("plms_index", "alprazolam_mg", 2.0),          # ... with a ceiling
    ("myoclonus_index", "alprazolam_mg", 2.0),
    ("morning_stiffness", "heat_at_night", None),  # heat lowers morning stiffness
]


def _compare(month):
    nights = month.nights.rename(columns={"date": "night_date"})
    return compare_nights(assemble_nights(month.diary, nights), subject=month.subject)


def _row(effects, outcome, factor, dose):
    r = effects[(effects["outcome"] == outcome) & (effects["factor"] == factor)]
    if dose is not None:
        r = r[r["dose_mg"] == dose]
    assert len(r) == 1, (outcome, factor, dose)
    return r.iloc[0]


@pytest.fixture(scope="module")
def known_runs():
    effects = MonthEffects()
    results = {k: {"covered": [], "direction": []} for k in KNOWN}
    top_step = []
    for seed in SEEDS:
        c = _compare(simulate_month("S", nights=NIGHTS, seed=seed, effects=effects))
        for k in KNOWN:
            r = _row(c.effects, *k)
            truth = effects.true_effect(k[0], k[1], k[2])
            results[k]["covered"].append(r.coef_low <= truth <= r.coef_high)
            results[k]["direction"].append(np.sign(r.coef) == np.sign(truth))
        dr = next(d for d in c.dose_response if d["outcome"] == "plms_index")
        step = dr["top_step"]
        truth = (effects.true_effect("plms_index", "alprazolam_mg", 2.0)
                 - effects.true_effect("plms_index", "alprazolam_mg", 1.5))
        top_step.append(np.log(step["ci_low"]) <= truth <= np.log(step["ci_high"]))
    return results, top_step


@pytest.mark.parametrize("key", KNOWN, ids=[f"{o}-{f}-{d}" for o, f, d in KNOWN])
def test_true_effect_is_in_the_95_interval_in_90_percent_of_seeds(known_runs, key):
    coverage = np.mean(known_runs[0][key]["covered"])
    assert coverage >= 0.90, f"{key}: covered in {coverage:.0%} of seeds"


@pytest.mark.parametrize("key", KNOWN, ids=[f"{o}-{f}-{d}" for o, f, d in KNOWN])
def test_direction_of_each_effect_is_recovered_in_90_percent_of_seeds(known_runs, key):
    direction = np.mean(known_runs[0][key]["direction"])
    assert direction >= 0.90, f"{key}: right direction in {direction:.0%} of seeds"


def test_the_ceiling_step_from_1_5_to_2_mg_is_covered(known_runs):
    """The Emax ceiling: the small true change between the top doses is in the interval."""
    assert np.mean(known_runs[1]) >= 0.90


def test_with_no_true_effect_an_effect_is_claimed_in_at_most_about_5_percent():
    claims = []
    for seed in SEEDS:
        c = _compare(simulate_month("N", nights=NIGHTS, seed=50_000 + seed,
                                    effects=MonthEffects.none()))
        claims.append(c.effects["clear"].to_numpy())
    rate = float(np.mean(np.concatenate(claims)))
    assert rate <= 0.06, f"claimed an effect in {rate:.1%} of null comparisons"
