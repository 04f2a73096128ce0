"""Behaviour of the physiological model (issue 3 acceptance), from the truth of simulated nights.

These run the model without signals (``simulate_events``), which is what the
truth of a full night equals (tested in test_interface.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from somnomotor.simulate import (
    Evening,
    alcohol_concentration,
    alprazolam_concentration,
    alprazolam_effect,
    resolve_settings,
    simulate_events,
)
from somnomotor.simulate.model import run_model

SLEEP = ["N1", "N2", "N3", "R"]
SEEDS = (0, 1, 2)


def _plms_index(hyp, truth) -> float:
    tst_h = hyp.is_sleep().sum() * hyp.epoch / 3600.0
    plms = ((truth["kind"] == "plm") & truth["stage"].isin(SLEEP)).sum()
    return plms / tst_h


def _movements(truth) -> int:
    """Every movement the model made: leg movements and brief jerks."""
    return int(truth["kind"].isin(["lm", "myoclonus"]).sum())


@pytest.mark.parametrize("seed", SEEDS)
def test_healthy_plms_index_below_5_per_hour_wasm2016(seed):
    """WASM 2016 PLMS index (PLMs with onset in sleep per hour of TST) of a healthy night < 5/h."""
    hyp, truth, _ = simulate_events("healthy", hours=8.0, seed=seed)
    assert _plms_index(hyp, truth) < 5.0


@pytest.mark.parametrize("seed", SEEDS)
def test_polio_plms_index_above_15_per_hour_wasm2016(seed):
    """WASM 2016 PLMS index of the polio_plms scenario > 15/h (clinically significant)."""
    hyp, truth, _ = simulate_events("polio_plms", hours=8.0, seed=seed)
    assert _plms_index(hyp, truth) > 15.0


def test_polio_plms_intermovement_intervals_peak_between_15_and_40_s():
    """Ferri 2006 / WASM 2016: the IMI histogram (2-s bins) of PLMs peaks at about 15-40 s."""
    imis = []
    for seed in SEEDS:
        _, truth, _ = simulate_events("polio_plms", hours=8.0, seed=seed)
        plm = truth[truth["kind"] == "plm"]
        for _, g in plm.groupby("series"):
            imis.extend(np.diff(np.sort(g["onset"].to_numpy())))
    counts, edges = np.histogram(imis, bins=np.arange(0, 92, 2))
    peak = edges[int(np.argmax(counts))]
    assert 15.0 <= peak <= 40.0
    # and every IMI inside a generated series is within the WASM 10-90 s range
    assert np.min(imis) >= 10.0 and np.max(imis) <= 90.0


def test_plm_series_have_at_least_four_movements_wasm2016():
    """WASM 2016: a PLM series is >= 4 consecutive CLMs; each generated train has >= 4."""
    _, truth, _ = simulate_events("polio_plms", hours=8.0, seed=3)
    sizes = truth[truth["kind"] == "plm"].groupby("series").size()
    assert len(sizes) > 3 and sizes.min() >= 4


def test_plm_rows_have_one_lm_row_per_leg_involved():
    """WASM 2016: a bilateral PLM joins LMs of both legs; a monolateral one is one LM."""
    _, truth, _ = simulate_events("polio_plms", hours=4.0, seed=4)
    plm = truth[truth["kind"] == "plm"]
    lm = truth[truth["kind"] == "lm"]
    assert len(plm) > 20
    on, end = lm["onset"].to_numpy(), (lm["onset"] + lm["duration"]).to_numpy()
    for row in plm.itertuples(index=False):
        inside = lm[(on >= row.onset - 1e-9) & (end <= row.onset + row.duration + 1e-9)]
        if row.side == "bilateral":
            assert set(inside["side"]) == {"left", "right"}
        else:
            assert len(inside) == 1 and inside["side"].iloc[0] == row.side
    assert set(lm["channel"]) == {"LAT", "RAT"}
    assert lm["duration"].min() >= 0.5


def test_more_alcohol_gives_more_movements_all_else_equal():
    """Alcohol lowers descending control for the hours it is in the blood: 0 < 3 < 6 units."""
    s = {"damage.leg": 0.45, "damage.arm": 0.45}
    totals = []
    for units in (0.0, 3.0, 6.0):
        ev = Evening(alcohol_units=units, alcohol_hours_before_bed=1.0)
        totals.append(sum(_movements(simulate_events("polio_plms", hours=8.0, seed=seed,
                                                     settings=s, evening=ev)[1])
                          for seed in SEEDS))
    assert totals[0] < totals[1] < totals[2]


def test_alprazolam_gives_monotonically_fewer_movements_with_a_ceiling():
    """Alprazolam 0.5 -> 1 -> 2 mg: fewer movements each step; beyond 2 mg little more (Emax)."""
    counts = {}
    for dose in (0.0, 0.5, 1.0, 2.0, 8.0):
        ev = Evening(alprazolam_mg=dose, alprazolam_minutes_before_bed=30)
        counts[dose] = sum(_movements(simulate_events("polio_plms", hours=8.0, seed=seed,
                                                      evening=ev)[1]) for seed in SEEDS)
    assert counts[0.0] > counts[0.5] > counts[1.0] > counts[2.0] >= counts[8.0]
    # ceiling: quadrupling 2 mg gains less than doubling 0.5 mg
    assert counts[2.0] - counts[8.0] < counts[0.5] - counts[1.0]
    # and even a large dose does not abolish the movements (Emax < 1)
    assert counts[8.0] > 0


def test_alprazolam_kinetics_follow_the_label():
    """Xanax label: peak 1-2 h after an oral dose, mean elimination half-life 11.2 h."""
    s = resolve_settings("healthy")
    t = np.linspace(0.0, 40.0, 40001)
    c = alprazolam_concentration(t, 1.0, 0, s)
    assert 1.0 <= t[int(np.argmax(c))] <= 2.0
    assert 8.0 <= c.max() <= 20.0  # label: 8-37 ng/mL for 0.5-3 mg
    i10, i21 = np.searchsorted(t, 10.0), np.searchsorted(t, 10.0 + 11.2)
    assert c[i21] / c[i10] == pytest.approx(0.5, rel=0.02)
    # dose-proportional concentrations, saturating effect
    assert alprazolam_concentration(np.array([2.0]), 2.0, 0, s)[0] == pytest.approx(
        2 * alprazolam_concentration(np.array([2.0]), 1.0, 0, s)[0])
    e = alprazolam_effect(np.array([0.0, 5.0, 10.0, 20.0, 40.0, 1e5]), s)
    assert np.all(np.diff(e) > 0) and e[-1] <= s["alprazolam.emax"]
    assert np.all(np.diff(np.diff(e)[:4] / np.diff([0.0, 5.0, 10.0, 20.0, 40.0])) < 0)


def test_blood_alcohol_rises_then_falls_to_zero():
    """Widmark: absorption then zero-order elimination (about 0.15 g/kg/h)."""
    s = resolve_settings("healthy")
    t = np.linspace(-1.0, 12.0, 1301)
    bac = alcohol_concentration(t, 4.0, 1.0, s)
    assert bac[0] == 0.0 and bac[-1] == 0.0
    peak = int(np.argmax(bac))
    assert np.all(np.diff(bac[peak:]) <= 1e-12)
    falling = (bac[peak + 100:] > 0.05)
    slope = np.diff(bac[peak + 100:])[falling[1:]] / (t[1] - t[0])
    assert slope.mean() == pytest.approx(-s["alcohol.elimination_g_kg_h"], rel=0.1)


def test_damaged_region_twitches_more_than_an_intact_one():
    """The same pool with its descending control damaged makes more random jerks."""
    s = {"damage.arm": 0.8, "damage.shoulder": 0.0, "myoclonus.regions": "arm,shoulder"}
    arm = shoulder = 0
    for seed in SEEDS:
        _, truth, _ = simulate_events("healthy", hours=8.0, seed=seed, settings=s)
        jerks = truth[truth["kind"] == "myoclonus"]
        arm += int(jerks["muscle"].eq("fds").sum())
        shoulder += int(jerks["muscle"].isin(["deltoid", "pectoralis"]).sum())
    assert arm > 5 * max(shoulder, 1)


@pytest.mark.parametrize("evening_kw", [{"stretching_minutes": 30}, {"hot_bath_minutes": 30},
                                        {"heat_at_night": True}])
def test_stretching_bath_and_warmth_calm_the_motor_neurons(evening_kw):
    s = {"damage.leg": 0.5, "damage.arm": 0.5}
    base = sum(_movements(simulate_events("polio_plms", hours=8.0, seed=seed, settings=s)[1])
               for seed in SEEDS)
    calm = sum(_movements(simulate_events("polio_plms", hours=8.0, seed=seed, settings=s,
                                          evening=Evening(**evening_kw))[1]) for seed in SEEDS)
    assert calm < base


def test_daytime_exertion_irritates_damaged_motor_neurons():
    s = {"damage.leg": 0.5, "damage.arm": 0.5}
    rest = sum(_movements(simulate_events("polio_plms", hours=8.0, seed=seed, settings=s)[1])
               for seed in SEEDS)
    ev = Evening(exertion=9, exertion_minutes=120)
    worked = sum(_movements(simulate_events("polio_plms", hours=8.0, seed=seed, settings=s,
                                            evening=ev)[1]) for seed in SEEDS)
    assert worked > rest


def test_movements_fragment_sleep():
    """Movement arousals shift stages (Bruno 1998: movements disturbed sleep architecture)."""
    quiet = {"plm.arousal_prob": 0.0, "myoclonus.arousal_prob": 0.0,
             "sleep_starts.arousal_prob": 0.0, "grm.arousal_prob": 0.0}
    shifts_with = shifts_without = arousals_with = arousals_without = 0
    for seed in SEEDS:
        m1 = run_model("polio_plms", hours=8.0, seed=seed)
        m0 = run_model("polio_plms", hours=8.0, seed=seed, settings=quiet)
        shifts_with += int(np.sum(m1.hypnogram.stages[1:] != m1.hypnogram.stages[:-1]))
        shifts_without += int(np.sum(m0.hypnogram.stages[1:] != m0.hypnogram.stages[:-1]))
        arousals_with += int((m1.scored["kind"] == "arousal").sum())
        arousals_without += int((m0.scored["kind"] == "arousal").sum())
        # without movement arousals the model's stages are its undisturbed architecture
        assert (m0.hypnogram.stages == m0.base_stages).all()
        plm = m1.truth[(m1.truth["kind"] == "plm") & m1.truth["stage"].isin(SLEEP)]
        assert plm["arousal"].any()
    assert shifts_with > shifts_without
    assert arousals_with > arousals_without


def test_sleep_architecture_has_cycles_n3_early_and_rem_late():
    """Carskadon & Dement: N3 dominates the first third of the night, REM the last third."""
    for seed in SEEDS:
        hyp, _, _ = simulate_events("healthy", hours=8.0, seed=seed)
        st = hyp.stages
        third = len(st) // 3
        assert (st[:third] == "N3").sum() > 2 * (st[-third:] == "N3").sum()
        assert (st[-third:] == "R").sum() > (st[:third] == "R").sum()
        assert st[0] == "W" and st[-1] == "W"
        rem_runs = np.flatnonzero(np.diff(np.concatenate([[0], (st == "R").astype(int)])) == 1)
        assert 3 <= len(rem_runs) <= 8
        assert 0.8 < hyp.is_sleep().mean() < 0.97


def test_sleep_starts_are_brief_and_at_wake_to_sleep_transitions():
    """Hypnic jerks: < 250 ms, at the transition from wake to sleep (AASM, no scoring rule)."""
    hyp, truth, _ = simulate_events("polio_sleep_starts", hours=8.0, seed=1)
    jerks = truth[truth["kind"] == "hypnic_jerk"]
    assert len(jerks) >= 3
    assert (jerks["duration"] < 0.25).all()
    st = hyp.stages
    onsets = np.flatnonzero((st[1:] != "W") & (st[:-1] == "W")) + 1
    for t in jerks["onset"]:
        assert np.min(np.abs(onsets * 30.0 - t)) < 5 * 60.0
    arm = truth[(truth["kind"] == "myoclonus") & (truth["muscle"] == "fds")]
    assert len(arm) >= len(jerks)


def test_grm_episodes_involve_at_least_two_regions():
    """GRM (Bruno 1998): non-periodic jerks in several body regions in one episode."""
    from somnomotor.simulate.scenarios import EMG_CHANNELS

    _, truth, _ = simulate_events("polio_grm", hours=8.0, seed=2)
    episodes = truth[truth["kind"] == "grm"]
    assert len(episodes) >= 3
    jerks = truth[truth["kind"].isin(["myoclonus", "lm"])]
    for ep in episodes.itertuples():
        inside = jerks[(jerks["onset"] >= ep.onset - 1e-6)
                       & (jerks["onset"] <= ep.onset + ep.duration)]
        regions = {EMG_CHANNELS[c][2] for c in inside["channel"]}
        assert len(regions) >= 2


def test_morning_tonic_activity_follows_the_final_awakening():
    hyp, truth, _ = simulate_events("polio_mixed", hours=8.0, seed=0)
    morning = truth[truth["kind"] == "morning_tonic"]
    assert len(morning) >= 1
    final_awakening = (hyp.final_sleep_epoch() + 1) * hyp.epoch
    assert (morning["onset"] >= final_awakening).all()
    assert (morning["stage"] == "W").all()
    assert (morning["duration"] >= 8.0).all()


def test_rem_truth_healthy_atonic_rbd_not():
    """AASM RSWA: healthy REM epochs hold no tonic/phasic epochs; RBD's many."""
    s = {"sleep.cycle_min": 60.0}
    _, h_truth, _ = simulate_events("healthy", hours=8.0, seed=0, settings=s)
    hyp, r_truth, _ = simulate_events("rbd", hours=8.0, seed=0, settings=s)
    assert not h_truth["kind"].isin(["rem_tonic", "rem_phasic"]).any()
    rem_rows = r_truth[r_truth["kind"].isin(["rem_tonic", "rem_phasic"])]
    n_rem = int((hyp.stages == "R").sum())
    assert len(rem_rows) > 0.4 * n_rem
    assert (rem_rows["stage"] == "R").all()
    assert (rem_rows["onset"] % 30.0 == 0).all() and (rem_rows["duration"] == 30.0).all()


def test_respiratory_events_are_scored_and_flag_their_leg_movements_wasm2016():
    """WASM 2016: a LM within 2.0 s before to 10.25 s after a respiratory event's end is respiratory."""
    _, truth, scored = simulate_events("polio_mixed", hours=8.0, seed=1)
    resp = scored[scored["kind"].isin(["apnea", "hypopnea"])]
    assert len(resp) >= 5
    assert set(resp["label"]) <= {"Obstructive apnea", "Hypopnea"}
    flagged = truth[(truth["kind"] == "lm") & truth["respiratory"]]
    assert len(flagged) >= 2
    ends = (resp["onset"] + resp["duration"]).to_numpy()
    for r in flagged.itertuples():
        assert np.any((r.onset <= ends + 10.25) & (r.onset + r.duration >= ends - 2.0))


def test_leg_bursts_of_one_leg_are_at_least_one_second_apart():
    _, truth, _ = simulate_events("polio_mixed", hours=8.0, seed=2)
    for ch in ("LAT", "RAT"):
        lm = truth[(truth["kind"] == "lm") & (truth["channel"] == ch)].sort_values("onset")
        gaps = lm["onset"].to_numpy()[1:] - (lm["onset"] + lm["duration"]).to_numpy()[:-1]
        assert gaps.min() >= 1.0


def test_scored_arousals_do_not_overlap_and_lie_in_sleep():
    hyp, _, scored = simulate_events("polio_mixed", hours=8.0, seed=3)
    ar = scored[scored["kind"] == "arousal"].sort_values("onset")
    assert len(ar) > 10
    assert (ar["onset"].to_numpy()[1:] > (ar["onset"] + ar["duration"]).to_numpy()[:-1]).all()
    assert np.isin(hyp.stage_at(ar["onset"].to_numpy()), SLEEP).all()


def test_fragmentary_myoclonus_episodes_when_asked():
    """AASM fragmentary myoclonus: >= 20 min of NREM with >= 5 potentials/min, each <= 150 ms."""
    _, truth, _ = simulate_events("healthy", hours=8.0, seed=0,
                                  settings={"fragmentary.rate_per_min": 8.0})
    eps = truth[truth["kind"] == "fragmentary_myoclonus"]
    assert len(eps) >= 1 and (eps["duration"] >= 20 * 60).all()
    jerks = truth[truth["kind"] == "myoclonus"]
    for ep in eps.itertuples():
        inside = jerks[(jerks["onset"] >= ep.onset) & (jerks["onset"] < ep.onset + ep.duration)]
        assert len(inside) / (ep.duration / 60.0) >= 5.0
        assert (inside["duration"] <= 0.25).all()


def test_what_if_table_pairs_nights_and_shows_the_dose_response():
    from somnomotor.simulate import compare_evenings
    from somnomotor.simulate.whatif import WHAT_IF_COLUMNS

    df = compare_evenings("polio_plms", {"none": Evening(), "0.5 mg": Evening(alprazolam_mg=0.5),
                                         "2 mg": Evening(alprazolam_mg=2.0),
                                         "4 drinks": Evening(alcohol_units=4,
                                                             alcohol_hours_before_bed=1)},
                          nights=2, hours=8.0)
    assert tuple(df.columns) == WHAT_IF_COLUMNS and len(df) == 8
    m = df.groupby("evening").mean(numeric_only=True)
    assert m.loc["none", "plms_index"] > m.loc["0.5 mg", "plms_index"] > m.loc["2 mg", "plms_index"]
    assert m.loc["4 drinks", "lm_index"] > m.loc["none", "lm_index"]
    assert m.loc["4 drinks", "peak_bac_g_kg"] > 0.3 and m.loc["none", "peak_bac_g_kg"] == 0.0
    assert m.loc["2 mg", "peak_alprazolam_ng_ml"] > m.loc["0.5 mg", "peak_alprazolam_ng_ml"] > 0


def test_asymmetric_damage_puts_the_movements_on_the_weaker_side():
    """Polio often strikes one side harder: asymmetry.leg = 0.8 -> mostly right-leg LMs."""
    s = {"asymmetry.leg": 0.8, "asymmetry.arm": -0.8, "damage.arm": 0.7}
    _, truth, _ = simulate_events("polio_plms", hours=8.0, seed=1, settings=s)
    lm = truth[truth["kind"] == "lm"]
    assert (lm["side"] == "right").sum() > 3 * (lm["side"] == "left").sum()
    arm = truth[(truth["kind"] == "myoclonus") & (truth["muscle"] == "fds")]
    assert (arm["side"] == "left").sum() > 3 * max((arm["side"] == "right").sum(), 1)
    _, even, _ = simulate_events("polio_plms", hours=8.0, seed=1)
    lm = even[even["kind"] == "lm"]
    left, right = (lm["side"] == "left").sum(), (lm["side"] == "right").sum()
    assert 0.7 < left / right < 1.4


def test_asymmetry_outside_minus_one_to_one_is_refused():
    from somnomotor.errors import ParameterError

    with pytest.raises(ParameterError):
        simulate_events("healthy", hours=0.1, settings={"asymmetry.leg": 1.5})
