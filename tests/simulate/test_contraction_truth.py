"""The simulator's contraction truth and slow-contraction generator (issue 12)."""

from __future__ import annotations

from somnomotor.simulate import simulate_events


def test_every_inserted_activation_is_a_contraction_row_and_slow_ones_can_be_added():
    _, plain, _ = simulate_events("polio_mixed", hours=1.0, seed=2)
    _, more, _ = simulate_events("polio_mixed", hours=1.0, seed=2,
                                 settings={"contractions.per_h": 30.0})
    c0 = plain[plain.kind == "contraction"]
    c1 = more[more.kind == "contraction"]
    # Every myoclonus and LM of the truth lies inside a contraction row of its channel.
    for kind in ("myoclonus", "lm"):
        for r in plain[plain.kind == kind].itertuples():
            same = c0[(c0.channel == r.channel) & (c0.onset <= r.onset + 1e-6)
                      & (c0.onset + c0.duration >= r.onset + r.duration - 1e-6)]
            assert len(same) == 1, (kind, r.onset, r.channel)
    assert (c0.muscle != "").all() and (c0.side != "").all()
    long = c1[c1.duration >= 0.4]
    assert len(c1) > len(c0) and len(long) > len(c0[c0.duration >= 0.4])


def test_a_chin_contraction_is_sized_against_the_chin_s_own_resting_level_in_its_stage():
    # Issue 12: amplitudes "2x to 30x the resting level". The chin's level is its stage's
    # tone with the electrode noise (6 uV awake, under 1 uV asleep); sizing chin
    # contractions against the limbs' noise.rest_uv made the weak ones in wake smaller
    # than the chin's own tone: no detector could see them.
    import numpy as np

    from somnomotor.simulate.contractions import _chin_rest_uv, generate_contractions
    from somnomotor.simulate.patterns import Generated
    from somnomotor.simulate.scenarios import resolve_settings

    s = dict(resolve_settings("polio_mixed"))
    s.update({"contractions.per_h": 600.0, "contractions.amp_lo": 2.0,
              "contractions.amp_hi": 2.0, "channels": ["Chin1-Chin2", "LAT"]})
    stages = np.array(["W"] * 60 + ["N2"] * 60)
    out = Generated()
    generate_contractions(5, stages, s, stages.size * 30.0, out)
    rows = [b for b in out.bursts if b["channel"] == "Chin1-Chin2"]
    assert rows
    for b in rows:
        stage = str(stages[int(b["onset"] // 30)])
        assert np.isclose(b["amplitude"], 2.0 * _chin_rest_uv(s, stage))
    wake = [b["amplitude"] for b in rows if b["onset"] < 1800]
    assert wake and min(wake) >= 2.0 * s["chin.tone_wake_uv"]
    legs = {round(b["amplitude"], 6) for b in out.bursts if b["channel"] == "LAT"}
    assert legs == {round(2.0 * s["noise.rest_uv"], 6)}
