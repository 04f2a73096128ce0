"""The muscle patterns' truth is the scorer's rules on every true activation (pattern_truth.py).

A pattern the true contractions form is in the truth whichever generator made them —
the random background contractions of ``contractions.*`` too — and a pattern the rules
reject is not (docs/model.md, "Truth"; the rules: docs/definitions.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from somnomotor.hypnogram import Hypnogram
from somnomotor.simulate.model import run_model
from somnomotor.simulate.pattern_truth import (
    aasm_truth_additions,
    jerk_peak_uv,
    pattern_truth,
    true_activations,
)
from somnomotor.simulate.patterns import _burst
from somnomotor.simulate.scenarios import resolve_settings

SETTINGS = resolve_settings("healthy")
HYP = Hypnogram(np.array(["N2"] * 40), epoch=30.0, source="simulator")
#: Irregular onset-to-onset intervals (CV ≈ 0.5): random in time.
IRREGULAR = (3.0, 6.0, 2.5, 9.0, 4.0, 5.5, 2.0)


def _bursts(specs: list[tuple[float, float, str, float]], source: str = "contraction"
            ) -> pd.DataFrame:
    rows = [_burst(t, d, ch, a, "phasic", source) for t, d, ch, a in specs]
    return pd.DataFrame(rows)


def _rules(bursts: pd.DataFrame, hyp: Hypnogram = HYP) -> list[dict]:  # type: ignore[type-arg]
    return pattern_truth(true_activations(bursts, hyp, SETTINGS), hyp)


def _wandering(channels: list[str], amplitude: float = 40.0, duration: float = 0.6,
               intervals: tuple[float, ...] = IRREGULAR, t0: float = 300.0
               ) -> list[tuple[float, float, str, float]]:
    onsets = t0 + np.concatenate([[0.0], np.cumsum(intervals)])
    return [(float(t), duration, channels[i % len(channels)], amplitude)
            for i, t in enumerate(onsets)]


def test_random_contractions_wandering_over_two_regions_are_grm_in_the_truth():
    """Bruno 1998 / definitions.md: ≥ 6 movements at ≥ 5 a minute, ≥ 2 body regions,
    inter-movement CV ≥ 0.3 — whichever generator made the contractions."""
    rows = _rules(_bursts(_wandering(["EMG MFD-l", "Deltoid L", "LAT"])))
    grm = [r for r in rows if r["kind"] == "grm"]
    assert len(grm) == 1
    assert grm[0]["onset"] == pytest.approx(300.0)
    assert set(grm[0]["channels"].split(";")) == {"EMG MFD-l", "Deltoid L", "LAT"}


@pytest.mark.parametrize("why, specs", [
    ("one region (random in place fails)", _wandering(["EMG MFD-l", "EMG MFD-r"])),
    ("periodic (CV < 0.3)", _wandering(["EMG MFD-l", "Deltoid L", "LAT"],
                                       intervals=(4.0, 4.1, 3.9, 4.0, 4.05, 3.95, 4.0))),
    ("too few (5 movements)", _wandering(["EMG MFD-l", "Deltoid L"], intervals=IRREGULAR[:4])),
    ("too weak: no jerks (below the burst level)", _wandering(["EMG MFD-l", "Deltoid L", "LAT"],
                                                              amplitude=3.0)),
])
def test_contractions_the_grm_rule_rejects_are_no_grm_in_the_truth(why, specs):
    assert not [r for r in _rules(_bursts(specs)) if r["kind"] == "grm"], why


def test_a_generated_episode_the_rule_rejects_stays_out_and_the_generator_keeps_it():
    """A generator's GRM in one region is what it meant (``intended``), not truth."""
    b = _bursts(_wandering(["EMG MFD-l", "EMG MFD-r"]), source="grm")
    assert not [r for r in _rules(b) if r["kind"] == "grm"]


def test_the_burst_level_grows_with_duration():
    """The burst envelope's crest over a longer contraction reaches higher (measured
    gain): 4.5 µV held 2 s reaches the 8-µV level, a 0.15-s blip of 10 µV does not."""
    peak = jerk_peak_uv(np.array([4.5, 10.0, 10.0]), np.array([2.0, 0.15, 0.5]))
    assert peak[0] >= 8.0 > peak[1]
    assert peak[2] > peak[1]


def test_brief_background_jerks_are_myoclonus_in_the_truth_weak_or_long_ones_not():
    """definitions.md: every jerk ≤ 0.4 s reaching the burst level is myoclonus."""
    b = _bursts([(100.0, 0.2, "EMG MFD-l", 40.0), (200.0, 0.2, "EMG MFD-l", 3.0),
                 (300.0, 1.5, "EMG MFD-l", 40.0), (400.0, 0.2, "Chin1-Chin2", 40.0)])
    myo = [r["onset"] for r in _rules(b) if r["kind"] == "myoclonus"]
    assert myo == [100.0]
    listed = [{"onset": 100.0, "kind": "myoclonus", "channel": "EMG MFD-l"}]
    table = true_activations(b, HYP, SETTINGS)
    assert not [r for r in pattern_truth(table, HYP, listed) if r["kind"] == "myoclonus"]


def test_a_background_pair_of_jerks_at_a_sleep_transition_is_a_sleep_start():
    """Sleep starts: ≥ 2 muscles within 250 ms, from 60 s before to 3 min after a
    wake → sleep transition; the same pair in the middle of N2 is not one."""
    hyp = Hypnogram(np.array(["W"] * 10 + ["N1"] * 30), epoch=30.0, source="simulator")
    pair = [(310.0, 0.12, "EMG MFD-l", 60.0), (310.1, 0.12, "Deltoid L", 60.0)]
    hj = [r for r in _rules(_bursts(pair), hyp) if r["kind"] == "hypnic_jerk"]
    assert [(r["onset"], r["channels"]) for r in hj] == [(310.0, "EMG MFD-l;Deltoid L")]
    later = [(t + 600.0, d, c, a) for t, d, c, a in pair]
    assert not [r for r in _rules(_bursts(later), hyp) if r["kind"] == "hypnic_jerk"]


def test_a_long_chin_contraction_in_sleep_is_tonic_bruxism_in_the_truth():
    """AASM v2.6: one chin elevation ≥ 2× background lasting > 2 s is a tonic bruxism
    episode; in wake (chin tone is wakefulness) or lasting ≤ 2 s it is not."""
    hyp = Hypnogram(np.array(["N2"] * 20 + ["W"] * 20), epoch=30.0, source="simulator")
    b = _bursts([(100.0, 4.0, "Chin1-Chin2", 3.0), (200.0, 1.5, "Chin1-Chin2", 3.0),
                 (700.0, 4.0, "Chin1-Chin2", 20.0)])
    rows = aasm_truth_additions(true_activations(b, hyp, SETTINGS), hyp, SETTINGS, [])
    assert [(r["kind"], r["onset"]) for r in rows] == [("bruxism", 100.0)]
    generated = [{"kind": "bruxism", "onset": 99.0, "duration": 6.0}]
    assert aasm_truth_additions(true_activations(b, hyp, SETTINGS), hyp, SETTINGS,
                                generated) == []


def test_the_acceptance_background_forms_grm_the_truth_holds_and_nothing_without_it():
    """On a healthy night no generator makes GRM; random contractions (issue 12's
    background, dense here) do form episodes by the rule, and the truth has them."""
    bg = {"contractions.per_h": 400.0, "contractions.min_s": 0.1, "contractions.max_s": 30.0,
          "contractions.amp_lo": 2.0, "contractions.amp_hi": 30.0}
    m = run_model("healthy", hours=2.0, seed=3, settings=bg)
    grm = m.truth[m.truth["kind"] == "grm"]
    assert len(grm) > 0 and not (m.intended["kind"] == "grm").any()
    contr = m.bursts[m.bursts["source"] == "contraction"]
    for r in grm.itertuples(index=False):
        inside = contr[(contr["onset"] >= r.onset) & (contr["onset"] <= r.onset + r.duration)]
        assert len(inside) > 0
    quiet = run_model("healthy", hours=2.0, seed=3)
    assert not (quiet.truth["kind"] == "grm").any()


def test_neck_jerks_under_500_ms_are_neck_myoclonus_whatever_made_them():
    """Frauscher 2014: brief (< 500 ms) phasic neck activity.  A 0.45-s neck jerk of the
    background is neck myoclonus (though no myoclonus row: those are ≤ 0.4 s); a 0.6-s
    one and a weak one are not."""
    b = _bursts([(100.0, 0.45, "SCM L", 40.0), (200.0, 0.6, "SCM L", 40.0),
                 (300.0, 0.2, "SCM L", 3.0), (400.0, 0.2, "EMG MFD-l", 40.0)])
    rows = _rules(b)
    assert [r["onset"] for r in rows if r["kind"] == "neck_myoclonus"] == [100.0]
    assert [r["onset"] for r in rows if r["kind"] == "myoclonus"] == [400.0]
