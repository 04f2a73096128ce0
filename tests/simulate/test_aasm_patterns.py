"""The simulator's AASM-chapter generators: the aasm_mixed scenario has every kind in its
truth, each truth episode obeys its rule's numbers, and the other scenarios have none."""

from __future__ import annotations

import pandas as pd
import pytest

from somnomotor.score.aasm_movements import score_aasm_movements
from somnomotor.score.aasm_rules import AasmParams
from somnomotor.simulate import SCENARIOS, simulate_events
from somnomotor.simulate.model import run_model
from somnomotor.simulate.scenarios import EMG_CHANNELS

KINDS = ("alma", "hypnagogic_foot_tremor", "bruxism", "rhythmic_movement", "large_movement")


def test_aasm_mixed_has_every_kind_in_its_truth():
    _, truth, _ = simulate_events("aasm_mixed", hours=3.0, seed=5)
    counts = truth["kind"].value_counts()
    for k in KINDS:
        assert counts.get(k, 0) >= 1, k
    large = truth[truth["kind"] == "large_movement"]
    assert ((large["duration"] >= 3.0) & (large["duration"] <= 45.0)).all()


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s != "aasm_mixed"])
def test_other_scenarios_have_no_aasm_chapter_events(scenario):
    _, truth, _ = simulate_events(scenario, hours=1.0, seed=2)
    assert not truth["kind"].isin(KINDS).any()


def test_the_rules_find_the_truth_in_the_simulators_own_bursts():
    m = run_model("aasm_mixed", hours=2.0, seed=8)
    b = m.bursts
    table = pd.DataFrame({
        "onset": b["onset"], "duration": b["duration"], "amplitude_uv": b["amplitude"],
        "rest_uv": 2.0, "tonic": b["duration"] >= 5.0, "channel": b["channel"],
        "muscle": [EMG_CHANNELS[c][0] for c in b["channel"]],
        "side": [EMG_CHANNELS[c][1] for c in b["channel"]],
        "region": [EMG_CHANNELS[c][2] for c in b["channel"]]})
    labels = list(EMG_CHANNELS)
    avail = pd.DataFrame({"channel": labels, "muscle": [EMG_CHANNELS[c][0] for c in labels],
                          "side": [EMG_CHANNELS[c][1] for c in labels],
                          "region": [EMG_CHANNELS[c][2] for c in labels]})
    _, s, _ = score_aasm_movements(table, m.hypnogram, AasmParams(), available=avail,
                                   sleep_h=1.0)
    for k, key in zip(KINDS, ("alma_count", "hypnagogic_foot_tremor_count",
                              "bruxism_episode_count", "rhythmic_movement_count",
                              "large_movement_count"), strict=True):
        assert s[key] == int((m.truth["kind"] == k).sum()), k
