"""simulate_month: a plausible diary, the model's nights, and loading them into a store."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from somnomotor.apps.month import (
    MonthEffects,
    load_month_into_store,
    night_figures_from_truth,
    simulate_month,
)
from somnomotor.events import make_events
from somnomotor.hypnogram import Hypnogram
from somnomotor.store import Store


def test_same_seed_same_month_other_seed_other_month():
    a, b = simulate_month("P", nights=12, seed=4), simulate_month("P", nights=12, seed=4)
    c = simulate_month("P", nights=12, seed=5)
    pd.testing.assert_frame_equal(a.nights, b.nights)
    assert a.diary == b.diary
    assert not a.nights["plms_index"].equals(c.nights["plms_index"])


def test_default_diary_titrates_alprazolam_in_equal_blocks():
    m = simulate_month("P", nights=30, seed=0)
    doses = [e.dose_mg("alprazolam") for e in m.diary]
    assert doses == [0.0] * 6 + [0.5] * 6 + [1.0] * 6 + [1.5] * 6 + [2.0] * 6
    assert all(e.medications[0].time_taken for e in m.diary if e.medications)


def test_diary_looks_like_a_person():
    m = simulate_month("P", nights=60, seed=1)
    alcohol = np.array([e.alcohol_units for e in m.diary])
    assert 0.1 < np.mean(alcohol > 0) < 0.7
    assert {e.heating_pad for e in m.diary} == {True, False}
    assert all(e.time_in_bed_minutes and 6 * 60 < e.time_in_bed_minutes < 11 * 60
               for e in m.diary)
    assert all(0 <= e.morning_stiffness <= 10 for e in m.diary)


def test_a_plan_overrides_the_diary():
    plan = {"alprazolam_mg": [0.0, 1.0] * 5, "hot_bath_minutes": [20.0] * 10}
    m = simulate_month("P", nights=10, seed=2, plan=plan)
    assert [e.dose_mg("alprazolam") for e in m.diary] == [0.0, 1.0] * 5
    assert all(e.hot_bath_minutes == 20.0 for e in m.diary)
    with pytest.raises(ValueError, match="3 values for 10 nights"):
        simulate_month("P", nights=10, plan={"alcohol_units": [1, 2, 3]})
    with pytest.raises(ValueError, match="plan key"):
        simulate_month("P", nights=10, plan={"coffee": [0] * 10})


def test_alprazolam_lowers_movements_with_a_ceiling_in_the_model():
    e = MonthEffects()
    steps = [e.true_effect("plms_index", "alprazolam_mg", d) for d in (0.5, 1.0, 1.5, 2.0)]
    assert all(s < 0 for s in steps) and steps == sorted(steps, reverse=True)
    assert abs(steps[3] - steps[2]) < abs(steps[1] - steps[0]) < abs(steps[0])
    assert MonthEffects.none().true_effect("plms_index", "alprazolam_mg", 2.0) == 0.0


def test_heavier_alcohol_raises_plms_on_average():
    m = simulate_month("P", nights=300, seed=3, plan={"alprazolam_mg": np.zeros(300)})
    alcohol = np.array([e.alcohol_units for e in m.diary])
    plms = m.nights["plms_index"].to_numpy()
    assert plms[alcohol >= 2].mean() > 1.1 * plms[alcohol == 0].mean()


def test_night_figures_are_counted_from_the_truth():
    hyp = Hypnogram.from_labels(["W"] * 10 + ["N2"] * 100 + ["R"] * 20 + ["W"] * 10)
    truth = make_events([
        {"onset": 100.0, "duration": 1.0, "kind": "plm"},      # in wake: not PLMS
        {"onset": 400.0, "duration": 1.0, "kind": "plm"},
        {"onset": 500.0, "duration": 1.0, "kind": "plm"},
        {"onset": 600.0, "duration": 0.2, "kind": "myoclonus"},
        {"onset": 700.0, "duration": 5.0, "kind": "grm"},
        {"onset": 4000.0, "duration": 30.0, "kind": "morning_tonic"},
        {"onset": 4050.0, "duration": 12.0, "kind": "morning_tonic"},
    ])
    f = night_figures_from_truth(hyp, truth)
    assert f["tst_h"] == pytest.approx(1.0) and f["tib_h"] == pytest.approx(140 * 30 / 3600)
    assert f["plms_index"] == pytest.approx(2.0) and f["myoclonus_index"] == pytest.approx(1.0)
    assert f["grm_episode_count"] == 1 and f["morning_tonic_seconds"] == pytest.approx(42.0)
    assert f["sleep_efficiency"] == pytest.approx(120 / 140)


def test_load_month_into_store_files_diary_and_nights(tmp_path):
    m = simulate_month("P7", nights=9, seed=6)
    with Store(tmp_path / "s.db") as st:
        assert load_month_into_store(st, m) == 9
        nights = st.nights("P7")
        assert len(st.diary("P7")) == 9 and len(nights) == 9
        assert np.allclose(nights["plms_index"], m.nights["plms_index"])
        assert nights["recording_path"].iloc[0].startswith("simulated:")


def test_signals_are_not_simulated_here():
    with pytest.raises(ValueError, match="no signals"):
        simulate_month("P", nights=3, with_signals=True)


def test_physiological_month_files_truth_events_and_shows_alprazolam_lowering_movements(
        tmp_path):
    """fast=False: nights from simulate_events; alprazolam's direction survives the mechanism."""
    from somnomotor.analysis import assemble_nights, compare_nights

    m = simulate_month("F", nights=30, seed=1, fast=False)
    assert len(m.events) == 30 and all(len(t) for t in m.events.values())
    c = compare_nights(assemble_nights(m.diary, m.nights.rename(columns={"date": "night_date"})))
    r = c.effects.query("outcome == 'plms_index' and dose_mg == 2.0").iloc[0]
    assert r.ci_high < 1.0
    with Store(tmp_path / "s.db") as st:
        load_month_into_store(st, m)
        nid = int(st.nights("F")["night_id"].iloc[0])
        assert len(st.events(nid)) == len(m.events["2024-01-01"])
