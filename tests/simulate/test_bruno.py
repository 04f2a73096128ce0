"""Bruno's patterns in the simulator (Bruno 1998) and neck myoclonus (Frauscher 2014)."""

from __future__ import annotations

import numpy as np
import pytest

from somnomotor.simulate.model import run_model
from somnomotor.simulate.scenarios import EMG_CHANNELS


@pytest.fixture(scope="module")
def bruno():  # type: ignore[no-untyped-def]
    return run_model("polio_grm_bruno", hours=4.0, seed=11)


def test_bruno_grm_is_single_muscle_contractions_wandering_over_the_body(bruno):
    """Bruno 1998: GRM random in place — one muscle at a time, ≥ 2 regions an episode —
    and random in time; slow grasps (1–3 s), arm flexions (~2 s), pectoral contractions
    (~5 s) among the jerks."""
    b = bruno.bursts[bruno.bursts["group"] >= 40_000]
    assert b["group"].nunique() >= 3
    for _, g in b.groupby("group"):
        g = g.sort_values("onset")
        assert g["channel"].map(lambda c: EMG_CHANNELS[c][2]).nunique() >= 2
        # one muscle at a time: each contraction ends ≥ 0.8 s before the next starts
        assert (g["onset"].to_numpy()[1:] - (g["onset"] + g["duration"]).to_numpy()[:-1]
                >= 0.8 - 1e-9).all()
    slow = b[b["duration"] >= 1.0]
    assert ((slow["channel"] == "Pectoral R") & slow["duration"].between(4.0, 6.0)).any()
    assert (slow["channel"].isin(["EMG MFD-l", "EMG MFD-r"])
            & slow["duration"].between(1.0, 3.0)).any()


def test_bruno_grm_truth_names_its_channels(bruno):
    """interfaces.md: a derived event of several channels names them in ``channels``."""
    grm = bruno.truth[bruno.truth["kind"] == "grm"]
    assert len(grm) >= 3
    assert (grm["channel"] == "").all()
    assert all(len(c.split(";")) >= 2 for c in grm["channels"])


def test_neck_myoclonus_truth_is_every_brief_neck_burst_frauscher2014(bruno):
    """Frauscher 2014: neck myoclonus = brief (< 500 ms) neck-muscle bursts, REM mostly."""
    t = bruno.truth
    neck = t[t["kind"] == "neck_myoclonus"]
    myo_neck = t[(t["kind"] == "myoclonus") & t["channel"].map(
        lambda c: EMG_CHANNELS.get(c, ("", "", ""))[2] == "neck") & (t["duration"] < 0.5)]
    assert len(neck) == len(myo_neck) > 0
    np.testing.assert_allclose(neck["onset"].to_numpy(), myo_neck["onset"].to_numpy())
    assert (neck["stage"] == "R").mean() > 0.5  # generated in REM (30/h) over the background


def test_arm_only_sleep_starts_name_only_arm_channels():
    """Bruno 1998: a patient whose sleep starts involved only the arm muscles.  The model's
    sleep starts (``intended``) are arm jerks; the truth is the sleep-start rule on every
    activation, so each is a truth hypnic jerk naming its arm channels (and any other jerk
    that fell within the same 250 ms: the rule cannot tell it apart)."""
    m = run_model("polio_sleep_starts", hours=4.0, seed=2)
    meant = m.intended[m.intended["kind"] == "hypnic_jerk"]
    hj = m.truth[m.truth["kind"] == "hypnic_jerk"]
    assert len(meant) > 0
    for r in meant.itertuples(index=False):
        names = [c for c in (r.channels.split(";") if r.channels else [r.channel]) if c]
        assert names and all(EMG_CHANNELS[c][2] == "arm" for c in names)
        hit = hj[(hj["onset"] <= r.onset + r.duration) & (hj["onset"] + hj["duration"] >= r.onset)]
        assert len(hit) == 1
        got = hit["channels"].iloc[0].split(";") if hit["channels"].iloc[0] else \
            [hit["channel"].iloc[0]]
        assert set(names) <= set(got)


def test_default_scenarios_make_no_bruno_episodes():
    m = run_model("polio_grm", hours=2.0, seed=1)
    assert not (m.bursts["group"] >= 40_000).any()
