"""The simulator's promised interface (docs/internal-api.md): shapes, labels, determinism."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from somnomotor.errors import ParameterError
from somnomotor.events import EVENT_COLUMNS, SCORED_COLUMNS, read_events_csv
from somnomotor.simulate import (
    ALL_CHANNELS,
    SCENARIOS,
    Evening,
    simulate_events,
    simulate_night,
    write_night,
)


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def night():
    return simulate_night("polio_mixed", hours=0.5, seed=11)


def test_scenarios_include_the_promised_ones():
    assert {"healthy", "polio_plms", "polio_grm", "polio_sleep_starts", "rbd",
            "polio_mixed"} <= set(SCENARIOS)


def test_night_has_16_channels_in_uv_at_256_hz(night):
    rec = night.recording
    assert rec.labels == list(ALL_CHANNELS)
    assert all(c.fs == 256.0 and c.unit == "uV" for c in rec.channels)
    assert rec.read("LAT").dtype == np.float32
    assert rec.duration == pytest.approx(1800.0)
    assert night.hypnogram.source == "simulator"
    assert len(night.hypnogram) == 60


def test_annotations_carry_one_stage_per_epoch_and_the_scored_events(night):
    ann = night.recording.annotations
    stages = ann[ann["text"].str.startswith("Sleep stage ")]
    assert len(stages) == len(night.hypnogram)
    assert (stages["text"].str.removeprefix("Sleep stage ").to_numpy()
            == night.hypnogram.stages).all()
    assert (ann["text"] == "Arousal").sum() == (night.scored["kind"] == "arousal").sum()


def test_truth_and_scored_have_the_promised_columns(night):
    assert tuple(night.truth.columns) == EVENT_COLUMNS
    assert tuple(night.scored.columns) == SCORED_COLUMNS


def test_simulate_events_equals_the_nights_truth(night):
    hyp, truth, scored = simulate_events("polio_mixed", hours=0.5, seed=11)
    assert (hyp.stages == night.hypnogram.stages).all()
    pd.testing.assert_frame_equal(truth, night.truth)
    pd.testing.assert_frame_equal(scored, night.scored)


def test_same_seed_and_settings_give_byte_identical_files(tmp_path):
    a, b = tmp_path / "a" / "n.edf", tmp_path / "b" / "n.edf"
    for p in (a, b):
        write_night(simulate_night("polio_plms", hours=0.25, seed=5,
                                   settings={"damage.leg": 0.8}), p)
    assert _sha(a) == _sha(b)
    assert _sha(a.with_name("n.truth.csv")) == _sha(b.with_name("n.truth.csv"))


def test_another_seed_gives_another_night(tmp_path):
    a, b = tmp_path / "a.edf", tmp_path / "b.edf"
    write_night(simulate_night("polio_plms", hours=0.25, seed=5), a)
    write_night(simulate_night("polio_plms", hours=0.25, seed=6), b)
    assert _sha(a) != _sha(b)


def test_truth_csv_reads_back_equal(tmp_path, night):
    write_night(night, tmp_path / "n.edf")
    back = read_events_csv(tmp_path / "n.truth.csv")
    assert len(back) == len(night.truth)
    assert (back["kind"] == night.truth["kind"]).all()
    np.testing.assert_allclose(back["onset"], night.truth["onset"], atol=1e-4)


@pytest.mark.parametrize("bad", [{"nope": 1}, {"damage.leg": 2.0}, {"damage.leg": "x"},
                                 {"fs": 100}, {"mains_hz": 55}, {"channels": "LAT,XYZ"}])
def test_bad_settings_raise_parameter_error(bad):
    with pytest.raises(ParameterError):
        simulate_events("healthy", hours=0.1, seed=0, settings=bad)


def test_bad_evening_raises_parameter_error():
    with pytest.raises(ParameterError):
        Evening(alprazolam_mg=-1.0)
    with pytest.raises(ParameterError):
        Evening.from_mapping({"beer": 3})


def test_unknown_scenario_raises_parameter_error():
    with pytest.raises(ParameterError):
        simulate_events("nope", hours=0.1)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("hours", [0.005, 0.02])
def test_very_short_nights_of_every_scenario_are_consistent(scenario, hours):
    n = simulate_night(scenario, hours=hours, seed=1,
                       settings={"resp.index_per_h": 20, "artifacts.pops_per_h": 2000,
                                 "channels": "LAT,Chin1-Chin2,C4-M1"})
    assert n.recording.duration == len(n.hypnogram) * 30.0 >= 30.0
    assert (n.truth["onset"] + n.truth["duration"] <= n.recording.duration).all()
    assert np.isfinite(n.recording.read("LAT")).all()


@pytest.mark.parametrize("hours", [0, -1, 25, float("nan")])
def test_impossible_lengths_raise_parameter_error(hours):
    with pytest.raises(ParameterError):
        simulate_events("healthy", hours=hours)
