"""Invariants of the truth for any settings (hypothesis property tests, short nights)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from somnomotor.events import EVENT_COLUMNS, EVENT_KINDS
from somnomotor.simulate import SCENARIOS, Evening, alcohol_concentration, simulate_events
from somnomotor.simulate.scenarios import EMG_CHANNELS

damage = st.floats(0.0, 1.0, allow_nan=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=st.sampled_from(sorted(SCENARIOS)), seed=st.integers(0, 10_000),
       hours=st.floats(0.2, 3.0), leg=damage, arm=damage, chest=damage,
       alcohol=st.floats(0.0, 8.0), alprazolam=st.sampled_from([0.0, 0.5, 1.0, 2.0]))
def test_truth_invariants_hold_for_any_night(scenario, seed, hours, leg, arm, chest, alcohol,
                                              alprazolam):
    s = {"damage.leg": leg, "damage.arm": arm, "damage.chest": chest,
         "resp.index_per_h": 5.0, "grm.episodes_per_h": 2.0}
    ev = Evening(alcohol_units=alcohol, alprazolam_mg=alprazolam)
    hyp, truth, scored = simulate_events(scenario, hours=hours, seed=seed, settings=s, evening=ev)
    duration = len(hyp) * 30.0
    assert tuple(truth.columns) == EVENT_COLUMNS
    assert set(truth["kind"]) <= set(EVENT_KINDS)
    assert (truth["onset"] >= 0).all() and (truth["onset"] + truth["duration"] <= duration).all()
    assert (truth["stage"].to_numpy() == hyp.stage_at(truth["onset"].to_numpy())).all()
    lm = truth[truth["kind"] == "lm"]
    assert lm["duration"].between(0.5, 10.0).all()
    assert set(lm["channel"]) <= {"LAT", "RAT"}
    for ch, g in lm.groupby("channel"):
        g = g.sort_values("onset")
        gaps = g["onset"].to_numpy()[1:] - (g["onset"] + g["duration"]).to_numpy()[:-1]
        assert (gaps >= 1.0 - 1e-9).all()
        assert (g["side"] == EMG_CHANNELS[ch][1]).all()
    jerks = truth[truth["kind"] == "myoclonus"]
    assert jerks["duration"].between(0.02, 0.25).all()
    assert (jerks["amplitude_uv"] > 8.0).all()
    plm = truth[truth["kind"] == "plm"]
    if len(plm):
        assert plm.groupby("series").size().min() >= 4
    rem = truth[truth["kind"].isin(["rem_tonic", "rem_phasic"])]
    assert (rem["stage"] == "R").all()
    assert (lm["amplitude_uv"] >= 8.0).all()  # WASM 2016: an LM rises >= 8 µV above rest
    ar = scored[scored["kind"] == "arousal"]
    assert np.isin(hyp.stage_at(ar["onset"].to_numpy()), ["N1", "N2", "N3", "R"]).all()


def test_alcohol_drunk_long_before_bed_changes_nothing():
    """Alcohol acts while it is in the blood and in the rebound as it is metabolised
    (Roehrs & Roth 2001): 2 units a day before bed are long gone by bedtime."""
    plain = simulate_events("polio_plms", hours=4.0, seed=5)[1]
    long_ago = simulate_events("polio_plms", hours=4.0, seed=5,
                               evening=Evening(alcohol_units=2, alcohol_hours_before_bed=24))[1]
    pd.testing.assert_frame_equal(plain, long_ago)
    recent = simulate_events("polio_plms", hours=4.0, seed=5,
                             evening=Evening(alcohol_units=2, alcohol_hours_before_bed=0.5))[1]
    moves = ["lm", "myoclonus"]
    assert recent["kind"].isin(moves).sum() > plain["kind"].isin(moves).sum()


def test_alcohol_after_it_is_cleared_still_raises_movements_for_hours():
    """The rebound (Roehrs & Roth 2001): 2 units 3 h before bed are out of the blood
    at lights-off, yet the night has more movements than without them."""
    from somnomotor.simulate.scenarios import DEFAULTS

    assert alcohol_concentration(np.array([0.0]), 2.0, 3.0, DEFAULTS)[0] == 0.0
    counts = []
    for units in (0, 2):
        n = 0
        for seed in range(6):
            truth = simulate_events("polio_mixed", hours=6.0, seed=seed,
                                    evening=Evening(alcohol_units=units,
                                                    alcohol_hours_before_bed=3.0))[1]
            n += int(truth["kind"].isin(["plm", "myoclonus"]).sum())
        counts.append(n)
    assert counts[1] > 1.05 * counts[0]
