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
