"""compare's parts: tolerance check, confounding notes, few nights, ABAB plans."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from somnomotor.analysis import (
    assemble_nights,
    check_tolerance,
    compare_nights,
    confounding_notes,
    format_effects_table,
    plan_abab,
)
from somnomotor.analysis.compare import DISCLAIMER
from somnomotor.apps.month import simulate_month
from somnomotor.diary import validate_entry
from somnomotor.errors import ParameterError


def _data(doses, plms=None, *, alcohol=None, bath=None, seed=0):
    """A diary + nights table built directly: doses per night, PLMS index per night."""
    n = len(doses)
    rng = np.random.default_rng(seed)
    alcohol = np.zeros(n) if alcohol is None else np.asarray(alcohol, float)
    bath = np.zeros(n) if bath is None else np.asarray(bath, float)
    dates = pd.date_range("2024-01-01", periods=n)
    entries = [validate_entry({
        "subject": "T", "date": d.date().isoformat(), "alcohol_units": alcohol[i],
        "exertion": float(rng.integers(2, 7)), "stretching_minutes": 10,
        "hot_bath_minutes": bath[i], "heating_pad": "no", "capsaicin": "no",
        "morning_stiffness": float(rng.integers(3, 7)),
        "medications": f"alprazolam {doses[i]:g} mg" if doses[i] else ""})
        for i, d in enumerate(dates)]
    plms = rng.uniform(15, 25, n) if plms is None else np.asarray(plms, float)
    nights = pd.DataFrame({"night_date": dates, "plms_index": plms, "tst_h": 7.0,
                           "myoclonus_index": rng.uniform(20, 30, n),
                           "sleep_efficiency": rng.uniform(0.8, 0.9, n)})
    return assemble_nights(entries, nights)


def test_fading_effect_at_a_stable_dose_is_flagged():
    """Tolerance: PLMS rising week by week at an unchanged 1 mg."""
    doses = [0.0] * 7 + [1.0] * 35
    plms = np.r_[np.full(7, 30.0), 8.0 * np.exp(0.25 * np.arange(35) / 7.0)]
    tol = check_tolerance(_data(doses, plms))
    fading = {f["outcome"]: f for f in tol["fading"]}
    assert tol["stable_period"] == {"dose_mg": 1.0, "nights": 35, "from": "2024-01-08"}
    assert fading["plms_index"]["rising"]
    assert fading["plms_index"]["change_per_week"] == pytest.approx(np.exp(0.25), rel=0.05)
    assert "PLMS index rose week by week" in tol["summary"]


def test_steady_effect_at_a_stable_dose_is_not_flagged():
    doses = [0.0] * 7 + [1.0] * 35
    tol = check_tolerance(_data(doses, seed=3))
    assert not {f["outcome"]: f for f in tol["fading"]}["plms_index"]["rising"]


def test_dose_creeping_up_after_a_stable_period_is_reported():
    doses = [0.5] * 16 + [1.0] * 5 + [1.5] * 5 + [2.0] * 5
    course = check_tolerance(_data(doses))["dose_course"]
    assert course["stable_dose_found"]["dose_mg"] == 0.5
    assert course["increases_after_stable"] == 3 and course["creeping"]
    assert course["slope_mg_per_30_days_last_60_days"] > 0


def test_titration_without_a_stable_period_is_not_called_creeping():
    course = check_tolerance(_data([0.0] * 6 + [0.5] * 6 + [1.0] * 6))["dose_course"]
    assert course["increases"] == 2 and not course["creeping"]


def test_factors_that_go_together_get_a_confounding_note():
    n = 30
    alcohol = np.tile([0, 0, 2], 10)
    bath = (alcohol > 0).astype(float) * 20
    bath[:2] = 20  # almost always together
    notes = confounding_notes(_data([0.0] * n, alcohol=alcohol, bath=bath))
    assert any("evening alcohol and hot bath before bed went together" in s for s in notes)


def test_a_rising_dose_gets_a_time_confounding_note():
    notes = confounding_notes(_data([0.0] * 10 + [1.0] * 10 + [2.0] * 10))
    assert any("dose rose over the weeks" in s for s in notes)


def test_too_few_nights_gives_notes_not_numbers():
    c = compare_nights(_data([0.0] * 4), subject="T")
    assert not len(c.effects)
    assert any("cannot be compared yet" in n for n in c.notes)
    assert "not enough nights" in format_effects_table(c)


def test_a_factor_never_varied_is_not_compared():
    c = compare_nights(_data([0.0] * 15 + [1.0] * 15), subject="T")
    assert "hot_bath" not in set(c.effects["factor"])
    assert any("hot bath before bed: too few nights" in n for n in c.notes)


def test_nights_without_a_recording_still_count_for_the_ratings():
    data = _data([0.0] * 15 + [1.0] * 15)
    data.loc[data.index[:20], ["plms_index", "tst_h", "myoclonus_index", "sleep_efficiency"]] \
        = np.nan
    data.loc[data.index[:20], "recorded"] = False
    c = compare_nights(data, subject="T")
    stiff = c.effects[c.effects["outcome"] == "morning_stiffness"]
    plms = c.effects[c.effects["outcome"] == "plms_index"]
    assert stiff["n_nights"].iloc[0] == 30 and plms["n_nights"].iloc[0] == 10


def test_the_table_and_json_never_prescribe():
    c = compare_nights(_data([0.0] * 15 + [1.0] * 15), subject="T")
    text = format_effects_table(c)
    assert DISCLAIMER in text and c.to_dict()["disclaimer"] == DISCLAIMER
    for word in ("should take", "increase your dose", "you must"):
        assert word not in text.lower()


def test_abab_plan_randomises_order_within_each_pair():
    plan = plan_abab("heat", start="2024-03-01", pairs=3, block_nights=7, seed=11)
    assert len(plan) == 42 and plan["date"].iloc[0] == "2024-03-01"
    blocks = plan.groupby("block")["condition"].agg(["first", "nunique", "size"])
    assert (blocks["nunique"] == 1).all() and (blocks["size"] == 7).all()
    order = blocks["first"].tolist()
    for i in range(0, 6, 2):
        assert sorted(order[i:i + 2]) == ["A", "B"]
    assert plan.equals(plan_abab("heat", start="2024-03-01", pairs=3, seed=11))
    orders = {tuple(plan_abab("heat", start="2024-03-01", pairs=3, seed=s)
                    .groupby("block")["condition"].first()) for s in range(20)}
    assert len(orders) > 1


def test_abab_plan_for_a_medicine_leaves_the_doses_to_the_prescriber():
    plan = plan_abab("alprazolam", start="2024-03-01", seed=1)
    assert plan["description"].str.contains("agreed with the prescriber").all()


def test_abab_plan_rejects_unknown_factor_and_bad_start():
    with pytest.raises(ParameterError, match="unknown factor 'coffee'"):
        plan_abab("coffee", start="2024-03-01")
    with pytest.raises(ParameterError, match="not a date"):
        plan_abab("heat", start="March")


def test_an_abab_month_separates_heat_from_time():
    """A planned ABAB for heat: its effect on stiffness is recovered."""
    plan = plan_abab("heat", start="2024-01-01", pairs=2, block_nights=7, seed=5)
    heat = (plan["condition"] == "B").astype(float).to_numpy()
    month = simulate_month("A", nights=28, seed=8, plan={"heat_at_night": heat,
                                                         "alprazolam_mg": np.zeros(28)})
    c = compare_nights(assemble_nights(month.diary,
                                       month.nights.rename(columns={"date": "night_date"})))
    r = c.effects.query("outcome == 'morning_stiffness' and factor == 'heat_at_night'").iloc[0]
    assert r.ci_low < -1.5 < r.ci_high and r.estimate < 0


def test_a_level_without_any_events_is_not_estimable_rather_than_infinite():
    data = _data([0.0] * 15 + [1.0] * 15, seed=2)
    data["grm_episode_count"] = np.r_[np.tile([1.0, 3.0, 2.0], 5), np.zeros(15)]
    with np.errstate(all="raise"):
        c = compare_nights(data, subject="T")
    r = c.effects.query("outcome == 'grm_episode_count' and factor == 'alprazolam_mg'").iloc[0]
    assert not r.estimable and not r.clear and np.isnan(r.estimate)
    assert "not estimable" in format_effects_table(c)
    assert c.to_dict()["effects"][0]["estimate"] is not None


def test_few_nights_give_one_note_per_shortfall_not_one_per_outcome():
    """Issue 13: with few nights the same 'too few' note was repeated for all 11 outcomes."""
    c = compare_nights(_data([0.0] * 4 + [1.0] * 3, alcohol=[0, 2, 0, 2, 0, 2, 1],
                             bath=[0, 20, 20, 0, 0, 20, 0]), subject="T")
    too_few = [n for n in c.notes if "too few for" in n]
    assert len(too_few) == len(set(too_few)) and len(too_few) <= 2
    assert any("PLMS index" in n and "myoclonus index" in n for n in too_few)


def test_the_dose_course_names_the_highest_dose_when_the_last_equals_the_first():
    """Issue 13: '0.5 → 0.5 mg' although the doses reached 2 mg."""
    tol = check_tolerance(_data([0.5] * 4 + [2.0] * 4 + [0.5] * 4))
    assert tol["dose_course"]["max_mg"] == 2.0
    assert "0.5 → 0.5" not in tol["summary"]
    assert "first 0.5 mg, last 0.5 mg, from 0.5 to 2 mg" in tol["summary"]


def test_a_fit_that_does_not_converge_is_a_warning_in_json_and_page(tmp_path):
    """Zero events on every night of a dose: the Poisson fit cannot converge.

    The comparison says so in its warnings (compare.json and the page), and
    the coefficient is not passed on as a number.
    """
    import json

    from somnomotor.analysis.report import write_compare_outputs

    data = _data([0.0] * 15 + [1.0] * 15, seed=2)
    data["grm_episode_count"] = np.r_[np.tile([1.0, 3.0, 2.0], 5), np.zeros(15)]
    c = compare_nights(data, subject="T")
    assert not c.fits["grm_episode_count"].converged
    assert any("did not converge" in w and "infinity" in w for w in c.warnings)
    rows = c.effects.query("outcome == 'grm_episode_count'")
    assert not rows["estimable"].any()  # no silent coefficient from the fit
    paths = write_compare_outputs(c, tmp_path)
    saved = json.loads(paths["json"].read_text())
    assert saved["warnings"] == c.warnings
    html = paths["html"].read_text()
    assert "Warnings" in html and "did not converge" in html
    # A comparison whose fits all converge has no warnings.
    assert compare_nights(_data([0.0] * 15 + [1.0] * 15, seed=2), subject="T").warnings == []
