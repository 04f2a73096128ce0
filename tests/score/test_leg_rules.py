"""One test per row of the LM table in domain.md (WASM 2016 / AASM), boundaries included.

Sources: WASM 2016 = Ferri et al., Sleep Med 26:86-95 (Table 3 of PMC9619152);
AASM = scoring manual v2.6 movement rules; Ferri 2006 = periodicity index.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from somnomotor.hypnogram import Hypnogram
from somnomotor.score import leg_rules as R
from somnomotor.score.legs import LegParams, score_leg_movements


def lm_table(*rows: tuple[float, float, str]) -> pd.DataFrame:
    return pd.DataFrame([{"onset": o, "duration": d, "side": s, "channel": s[0].upper() + "AT",
                          "amplitude_uv": 20.0} for o, d, s in rows])


def periodic(start: float, n: int, imi: float, dur: float = 1.0, side: str = "left"):
    return [(start + i * imi, dur, side) for i in range(n)]


def n2(hours: float = 1.0) -> Hypnogram:
    return Hypnogram.from_labels(["N2"] * int(hours * 120))


def score(rows, *, hyp=None, scored=None, **kw):
    return score_leg_movements(lm_table(*rows), hypnogram=hyp if hyp is not None else n2(),
                               scored_events=scored, params=LegParams(**kw))


def plm_onsets(res) -> list[float]:
    ev = res.events
    return ev.loc[ev["kind"] == "plm", "onset"].round(3).tolist()


# --- minimum duration (WASM 2016 and AASM: 0.5 s) -----------------------------------

def test_wasm2016_minimum_lm_duration_0_5s_included() -> None:
    res = score([(10.0, 0.5, "left"), (20.0, 0.49, "left")])
    assert res.summary["lm_count"] == 1
    assert res.events.loc[res.events.kind == "lm", "onset"].tolist() == [10.0]


# --- same leg: < 0.5 s apart → one LM (WASM 2016) ------------------------------------

def test_wasm2016_same_leg_lms_less_than_0_5s_apart_are_one_lm() -> None:
    out = R.merge_same_leg(lm_table((10.0, 1.0, "left"), (11.49, 1.0, "left")))
    assert len(out) == 1 and out["duration"].iloc[0] == pytest.approx(2.49)


def test_wasm2016_same_leg_lms_exactly_0_5s_apart_stay_two() -> None:
    out = R.merge_same_leg(lm_table((10.0, 1.0, "left"), (11.5, 1.0, "left")))
    assert len(out) == 2


def test_wasm2016_same_leg_merge_does_not_join_different_legs() -> None:
    out = R.merge_same_leg(lm_table((10.0, 1.0, "left"), (11.2, 1.0, "right")))
    assert sorted(out["side"]) == ["left", "right"]


def test_wasm2016_same_leg_merge_makes_two_short_parts_one_valid_lm() -> None:
    res = score([(10.0, 0.3, "left"), (10.5, 0.3, "left")])
    assert res.summary["lm_count"] == 1


# --- bilateral (WASM 2016): overlap or < 0.5 s → one bilateral LM ---------------------

def test_wasm2016_bilateral_overlapping_lms_are_one_bilateral_lm() -> None:
    mov, _ = R.combine_bilateral_wasm(lm_table((10.0, 2.0, "left"), (11.0, 2.0, "right")))
    assert mov["side"].tolist() == ["bilateral"]
    assert mov["onset"].iloc[0] == 10.0 and mov["duration"].iloc[0] == 3.0


def test_wasm2016_bilateral_gap_below_0_5s_joins_and_at_0_5s_does_not() -> None:
    joined, _ = R.combine_bilateral_wasm(lm_table((10.0, 1.0, "left"), (11.49, 1.0, "right")))
    apart, _ = R.combine_bilateral_wasm(lm_table((10.0, 1.0, "left"), (11.5, 1.0, "right")))
    assert joined["side"].tolist() == ["bilateral"]
    assert apart["side"].tolist() == ["left", "right"]


def test_wasm2016_bilateral_clm_lasts_up_to_15s_inclusive() -> None:
    ok, _ = R.combine_bilateral_wasm(lm_table((0.0, 8.0, "left"), (7.0, 8.0, "right")))
    long, _ = R.combine_bilateral_wasm(lm_table((0.0, 8.0, "left"), (7.01, 8.0, "right")))
    assert ok["duration"].iloc[0] == 15.0 and R.is_candidate_wasm(ok).tolist() == [True]
    assert R.is_candidate_wasm(long).tolist() == [False]


def test_wasm2016_bilateral_clm_joins_at_most_4_monolateral_lms() -> None:
    four = lm_table((0, 1.0, "left"), (0.9, 1.0, "right"), (1.8, 1.0, "left"), (2.7, 1, "right"))
    five = lm_table((0, 1.0, "left"), (0.9, 1.0, "right"), (1.8, 1.0, "left"), (2.7, 1, "right"),
                    (3.6, 1.0, "left"))
    m4, _ = R.combine_bilateral_wasm(four)
    m5, _ = R.combine_bilateral_wasm(five)
    assert m4["n_members"].tolist() == [4] and R.is_candidate_wasm(m4).tolist() == [True]
    assert m5["n_members"].tolist() == [5] and R.is_candidate_wasm(m5).tolist() == [False]


def test_wasm2016_bilateral_clm_none_of_its_lms_longer_than_10s() -> None:
    ok, _ = R.combine_bilateral_wasm(lm_table((0.0, 10.0, "left"), (9.0, 2.0, "right")))
    bad, _ = R.combine_bilateral_wasm(lm_table((0.0, 10.01, "left"), (9.0, 2.0, "right")))
    assert R.is_candidate_wasm(ok).tolist() == [True]
    assert R.is_candidate_wasm(bad).tolist() == [False]


# --- candidate LM (WASM 2016): monolateral 0.5-10 s ----------------------------------

def test_wasm2016_monolateral_clm_is_0_5_to_10s_inclusive() -> None:
    mov, _ = R.combine_bilateral_wasm(lm_table((0.0, 0.5, "left"), (20.0, 10.0, "left"),
                                               (40.0, 10.01, "left")))
    assert R.is_candidate_wasm(mov).tolist() == [True, True, False]


def test_wasm2016_lm_has_no_maximum_duration_but_long_lm_is_not_clm() -> None:
    res = score([(0.0, 30.0, "left")])
    assert res.summary["lm_count"] == 1 and res.summary["clm_count"] == 0


# --- bilateral (AASM): onsets < 5 s apart → one LM -----------------------------------

def test_aasm_bilateral_onsets_less_than_5s_apart_count_as_one_lm() -> None:
    one, _ = R.combine_bilateral_aasm(lm_table((10.0, 1.0, "left"), (14.99, 1.0, "right")))
    two, _ = R.combine_bilateral_aasm(lm_table((10.0, 1.0, "left"), (15.0, 1.0, "right")))
    assert len(one) == 1 and one["side"].iloc[0] == "bilateral"
    assert len(two) == 2


def test_aasm_bilateral_rule_does_not_join_the_same_leg() -> None:
    mov, _ = R.combine_bilateral_aasm(lm_table((10.0, 1.0, "left"), (13.0, 1.0, "left")))
    assert len(mov) == 2


def test_aasm_maximum_lm_duration_10s() -> None:
    mov, _ = R.combine_bilateral_aasm(lm_table((0.0, 10.0, "left"), (30.0, 10.01, "left")))
    assert R.is_candidate_aasm(mov).tolist() == [True, False]


# --- PLM series (WASM 2016): >= 4 CLMs, IMI 10-90 s inclusive -------------------------

def test_wasm2016_plm_series_needs_at_least_4_consecutive_clms() -> None:
    assert score(periodic(100, 4, 20.0)).summary["plm_count"] == 4
    assert score(periodic(100, 3, 20.0)).summary["plm_count"] == 0


def test_wasm2016_plm_imi_10s_and_90s_are_included() -> None:
    assert score(periodic(100, 4, 10.0)).summary["plm_count"] == 4
    assert score(periodic(100, 4, 90.0)).summary["plm_count"] == 4


def test_wasm2016_plm_imi_just_outside_10_to_90s_breaks_series() -> None:
    assert score(periodic(100, 4, 9.99)).summary["plm_count"] == 0
    assert score(periodic(100, 4, 90.01)).summary["plm_count"] == 0


def test_wasm2016_imi_measured_onset_to_onset() -> None:
    # Long CLMs (9 s) with 10-s onset-to-onset IMIs leave 1-s gaps: still a series.
    assert score(periodic(100, 4, 10.0, dur=9.0)).summary["plm_count"] == 4


def test_wasm2016_series_ends_at_imi_below_10s_and_second_clm_may_start_new_run() -> None:
    rows = periodic(100, 4, 20.0) + periodic(165, 4, 20.0)  # 160 → 165: IMI 5 s
    res = score(rows)
    assert res.summary["plm_series_count"] == 2
    assert plm_onsets(res) == [100, 120, 140, 160, 165, 185, 205, 225]
    series = res.events.loc[res.events.kind == "plm", "series"].tolist()
    assert series == [1, 1, 1, 1, 2, 2, 2, 2]


def test_wasm2016_series_ends_at_imi_above_90s() -> None:
    res = score(periodic(100, 4, 20.0) + periodic(251, 4, 20.0))  # 160 → 251: 91 s
    assert res.summary["plm_series_count"] == 2 and res.summary["plm_count"] == 8


def test_wasm2016_series_ends_at_an_lm_that_is_not_a_clm() -> None:
    # A 12-s LM (not a CLM) between CLMs breaks the run: 3 + 3 CLMs, no series.
    rows = periodic(100, 3, 20.0) + [(155.0, 12.0, "left")] + periodic(180, 3, 20.0)
    assert score(rows).summary["plm_count"] == 0


def test_wasm2016_series_are_built_across_wake_and_sleep_and_counted_by_onset_stage() -> None:
    hyp = Hypnogram.from_labels(["N2"] * 4 + ["W"] * 2 + ["N2"] * 114)
    res = score(periodic(60, 6, 20.0), hyp=hyp)  # onsets 60..160; W epochs cover 120-180
    assert res.summary["plm_count"] == 6
    assert res.summary["plm_series_count"] == 1
    assert res.summary["plmw_count"] == 3 and res.summary["plms_count"] == 3
    stages = res.events.loc[res.events.kind == "plm", "stage"].tolist()
    assert stages == ["N2", "N2", "N2", "W", "W", "W"]


# --- PLM series (AASM): >= 4 LMs, IMI 5-90 s ----------------------------------------

def test_aasm_plm_series_imi_5_to_90s_inclusive() -> None:
    assert score(periodic(100, 4, 5.0), rule_set="aasm").summary["plm_count"] == 4
    assert score(periodic(100, 4, 4.99), rule_set="aasm").summary["plm_count"] == 0
    assert score(periodic(100, 4, 90.0), rule_set="aasm").summary["plm_count"] == 4
    assert score(periodic(100, 4, 5.0)).summary["plm_count"] == 0  # WASM needs 10 s


# --- respiratory (WASM 2016): -2.0 / +10.25 s around the event end ------------------

def _resp(onset: float, duration: float, kind: str = "apnea") -> pd.DataFrame:
    return pd.DataFrame({"onset": [onset], "duration": [duration], "kind": [kind]})


@pytest.mark.parametrize(("lm_onset", "lm_dur", "related"), [
    (97.0, 1.0, True),      # ends 98.0 = end - 2.0: touches the window
    (96.9, 1.0, False),     # ends 97.9 < 98.0
    (110.25, 1.0, True),    # starts at end + 10.25
    (110.26, 1.0, False),   # starts after the window
    (105.0, 1.0, True),     # inside
])
def test_wasm2016_respiratory_window_minus_2_0_to_plus_10_25s_of_event_end(
        lm_onset: float, lm_dur: float, related: bool) -> None:
    mov = lm_table((lm_onset, lm_dur, "left"))
    for kind in ("apnea", "hypopnea", "rera"):
        assert R.respiratory_related_wasm(mov, _resp(80.0, 20.0, kind)).tolist() == [related]


def test_wasm2016_respiratory_clm_not_counted_as_plm_and_removed_before_series() -> None:
    # Five CLMs at 20-s IMIs; the third is respiratory-related. Removed: the IMI around it
    # is 40 s, the run is 4 CLMs long and stays a series.
    rows = periodic(100, 5, 20.0)
    res = score(rows, scored=_resp(130.0, 10.0))  # end 140; window 138-150.25 → CLM at 140
    assert res.summary["plm_count"] == 4
    assert 140.0 not in plm_onsets(res)
    assert res.summary["plm_count_incl_resp"] == 5
    clm = res.events[res.events.kind == "clm"]
    assert clm.loc[clm.onset == 140.0, "respiratory"].tolist() == [True]


def test_wasm2016_respiratory_handling_break_ends_the_run() -> None:
    res = score(periodic(100, 5, 20.0), scored=_resp(130.0, 10.0), respiratory_handling="break")
    assert res.summary["plm_count"] == 0 and res.summary["plm_count_incl_resp"] == 5


def test_aasm_respiratory_lm_from_0_5s_before_to_0_5s_after_event() -> None:
    ev = _resp(100.0, 20.0)  # 100-120 → window 99.5-120.5
    mov = lm_table((98.5, 1.0, "left"), (98.4, 1.0, "left"), (120.5, 1.0, "left"),
                   (120.6, 1.0, "left"))
    mov = mov.sort_values("onset").reset_index(drop=True)
    assert R.respiratory_related_aasm(mov, ev).tolist() == [False, True, True, False]


# --- arousal link: overlap or < 0.5 s either order ----------------------------------

def _arousal(onset: float, duration: float) -> pd.DataFrame:
    return pd.DataFrame({"onset": [onset], "duration": [duration], "kind": ["arousal"]})


@pytest.mark.parametrize(("lm_onset", "expected"), [
    (99.0, True),    # overlap
    (101.49, True),  # arousal 100-101, LM 0.49 s after its end
    (101.5, False),  # exactly 0.5 s after: no link
    (98.51, True),   # LM 98.51-99.51 ends 0.49 s before the arousal
    (98.5, False),   # ends exactly 0.5 s before
])
def test_wasm2016_aasm_arousal_link_overlap_or_gap_below_0_5s_either_order(
        lm_onset: float, expected: bool) -> None:
    mov = lm_table((lm_onset, 1.0, "left"))
    assert R.associated_with_arousal(mov, _arousal(100.0, 1.0)).tolist() == [expected]


def test_plms_arousal_index_counts_plms_with_arousal_per_hour_tst() -> None:
    res = score(periodic(100, 4, 20.0), scored=_arousal(120.5, 3.0))
    assert res.summary["plms_arousal_count"] == 1
    assert res.summary["plms_arousal_index"] == pytest.approx(1.0)


# --- indices, periodicity, histograms -----------------------------------------------

def test_indices_per_hour_of_tst_plmw_per_hour_of_waso() -> None:
    hyp = Hypnogram.from_labels(["N2"] * 60 + ["W"] * 60 + ["N2"] * 120)  # TST 1.5 h, WASO 0.5 h
    rows = periodic(100, 6, 20.0) + periodic(1900, 5, 20.0)
    res = score(rows, hyp=hyp)
    assert res.summary["plms_count"] == 6 and res.summary["plmw_count"] == 5
    assert res.summary["plms_index"] == pytest.approx(6 / 1.5)
    assert res.summary["plmw_index"] == pytest.approx(5 / 0.5)
    assert res.summary["plms_index_by_stage"]["N2"] == pytest.approx(6 / 1.5)
    # no REM in this night: the REM index is unknown (null), not 0 (issue 13)
    assert res.summary["plms_index_by_stage"]["R"] is None
    assert res.summary["plms_index_by_stage_incl_resp"]["R"] is None
    assert res.summary["index_basis"] == "sleep"


def test_unscored_hypnogram_indices_per_hour_of_recording_and_said_so() -> None:
    res = score_leg_movements(lm_table(*periodic(100, 4, 20.0)), hypnogram=None,
                              recording_duration=7200.0)
    assert res.summary["index_basis"] == "recording"
    assert res.summary["plms_index"] == pytest.approx(2.0)
    assert res.summary["plms_index_by_stage"]["N2"] is None


def test_ferri2006_periodicity_index_counts_runs_of_at_least_3_imis_10_to_90s() -> None:
    assert R.periodicity_index(np.array([20.0, 20.0, 5.0, 20.0, 20.0, 20.0])) == pytest.approx(0.5)
    assert R.periodicity_index(np.array([20.0, 20.0, 5.0])) == 0.0
    assert R.periodicity_index(np.array([10.0, 90.0, 50.0])) == 1.0
    assert R.periodicity_index(np.array([])) is None


def test_imi_histograms_bins_and_counts() -> None:
    h = R.imi_histograms(np.array([1.0, 9.99, 10.0, 21.0, 90.0, 95.0]))
    assert len(h["linear_counts"]) == 45 and len(h["ln_counts"]) == 45
    assert h["linear_counts"][0] == 1 and h["linear_counts"][10] == 1
    assert (h["count_below_10s"], h["count_10_to_90s"], h["count_above_90s"]) == (2, 3, 1)


def test_summary_keys_present_when_there_are_no_movements() -> None:
    res = score_leg_movements(pd.DataFrame({"onset": [], "duration": [], "side": []}),
                              hypnogram=n2(), recording_duration=3600.0)
    for key in ("lm_count", "clm_count", "plm_count", "plms_count", "plmw_count", "lm_index",
                "plm_index", "plms_index", "plmw_index", "plms_arousal_index",
                "plms_arousal_count", "periodicity_index", "plm_series_count",
                "plms_index_by_stage", "plms_index_incl_resp", "plm_count_incl_resp"):
        assert key in res.summary
    assert res.summary["plms_index"] == 0.0 and res.summary["periodicity_index"] is None
    assert len(res.events) == 0


def test_bad_side_is_a_clear_input_error() -> None:
    from somnomotor.errors import InputError

    with pytest.raises(InputError, match="side"):
        score_leg_movements(pd.DataFrame({"onset": [1.0], "duration": [1.0], "side": ["up"]}),
                            hypnogram=n2())


# --- properties ---------------------------------------------------------------------

lm_lists = st.lists(
    st.tuples(st.floats(0, 3000, allow_nan=False), st.floats(0.1, 20, allow_nan=False),
              st.sampled_from(["left", "right"])), max_size=60)


@settings(max_examples=60, deadline=None)
@given(rows=lm_lists, rule_set=st.sampled_from(["wasm2016", "aasm"]))
def test_property_plm_subset_of_clm_series_of_4_and_imis_in_range(rows, rule_set) -> None:
    res = score_leg_movements(lm_table(*rows) if rows else
                              pd.DataFrame({"onset": [], "duration": [], "side": []}),
                              hypnogram=n2(), params=LegParams(rule_set=rule_set))
    ev = res.events
    clm = set(ev.loc[ev.kind == "clm", "onset"].round(6))
    plm = ev[ev.kind == "plm"]
    assert set(plm["onset"].round(6)) <= clm
    lo = 10.0 if rule_set == "wasm2016" else 5.0
    for _, grp in plm.groupby("series"):
        assert len(grp) >= 4
        imi = np.diff(grp["onset"].to_numpy())
        assert np.all(imi >= lo - 1e-6) and np.all(imi <= 90 + 1e-6)
    assert res.summary["plm_count"] == res.summary["plm_count_incl_resp"]  # no resp events
    assert res.summary["plms_count"] + res.summary["plmw_count"] <= res.summary["plm_count"]
    pi = res.summary["periodicity_index"]
    assert pi is None or 0.0 <= pi <= 1.0


@settings(max_examples=60, deadline=None)
@given(rows=lm_lists)
def test_property_same_leg_merge_leaves_gaps_of_at_least_0_5s(rows) -> None:
    if not rows:
        return
    out = R.merge_same_leg(lm_table(*rows))
    for _, grp in out.groupby("side"):
        on = grp["onset"].to_numpy()
        end = on + grp["duration"].to_numpy()
        assert np.all(on[1:] - np.maximum.accumulate(end)[:-1] >= 0.5 - 1e-6)


def test_ferri2006_periodicity_counts_only_imis_with_both_clms_in_sleep() -> None:
    # 4 IMIs of 20 s; the 2nd and 3rd reach into a wake CLM: 2 IMIs count, none in a run of 3.
    imis = np.array([20.0, 20.0, 20.0, 20.0])
    counted = np.array([True, False, False, True])
    assert R.periodicity_index(imis, counted=counted) == 0.0
    assert R.periodicity_index(imis, counted=np.zeros(4, bool)) is None
    hyp = Hypnogram.from_labels(["N2"] * 4 + ["W"] * 1 + ["N2"] * 115)  # W 120-150 s
    res = score(periodic(60, 12, 20.0), hyp=hyp)  # CLMs 60..280; those at 120 and 140 in W
    # counted IMIs: 2 before the wake (a run of 2) and 6 after it (a run of 6) → 6 / 8
    assert res.summary["periodicity_index"] == pytest.approx(3 / 4)


def test_docstring_examples_run() -> None:
    import doctest

    from somnomotor.score import legs

    for module in (R, legs):
        res = doctest.testmod(module, extraglobs={"np": np, "pd": pd, "Hypnogram": Hypnogram})
        assert res.failed == 0 and res.attempted > 0


def test_technician_bilateral_mark_is_one_lm_per_leg_joined_into_one_clm() -> None:
    res = score([(100.0, 2.0, "bilateral")])
    ev = res.events
    assert sorted(ev.loc[ev.kind == "lm", "side"]) == ["left", "right"]
    assert ev.loc[ev.kind == "clm", "side"].tolist() == ["bilateral"]
    assert res.summary["lm_count"] == 2 and res.summary["clm_count"] == 1


def test_unscorable_stretches_leave_the_denominators() -> None:
    lms = lm_table(*periodic(100, 4, 20.0))
    lms.attrs["unscorable"] = [(1800.0, 1800.0)]  # the second half hour could not be scored
    res = score_leg_movements(lms, hypnogram=n2(1.0))
    assert res.summary["plms_index"] == pytest.approx(8.0)  # 4 PLMs in 0.5 h
    assert res.summary["leg_unscorable_min"] == pytest.approx(30.0)


def test_lm_count_is_per_leg_and_lm_movement_count_joins_bilateral_lms() -> None:
    res = score([(100.0, 1.0, "left"), (100.2, 1.0, "right"), (200.0, 1.0, "left")])
    assert res.summary["lm_count"] == 3 and res.summary["lm_movement_count"] == 2
    assert res.summary["lm_movement_index"] == pytest.approx(2.0)
