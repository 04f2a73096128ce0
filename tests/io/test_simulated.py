"""The simulator's EDF+ read back: labels, signals, stages and scored events."""

from __future__ import annotations

import edfio
import numpy as np
import pytest

import somnomotor.simulate as simulate
from somnomotor.io import read_recording, scorings_from_recording


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    night = simulate.simulate_night(hours=0.25, seed=2)
    path = tmp_path_factory.mktemp("sim") / "night.edf"
    simulate.write_night(night, path)
    return night, path


def test_simulated_night_reads_back_with_every_label_inferred(written) -> None:  # type: ignore[no-untyped-def]
    night, path = written
    rec = read_recording(path)
    ref = edfio.read_edf(path)
    assert rec.labels == night.recording.labels and rec.warnings == []
    for ours, truth, sig in zip(rec.channels, night.recording.channels, ref.signals,
                                strict=True):
        assert (ours.kind, ours.muscle, ours.side, ours.region) == (
            truth.kind, truth.muscle, truth.side, truth.region), ours.label
        x = rec.read(ours.label)
        np.testing.assert_allclose(x, sig.data, rtol=1e-5, atol=1e-3)  # same decoding
        step = (sig.physical_max - sig.physical_min) / (sig.digital_max - sig.digital_min)
        np.testing.assert_allclose(x, night.recording.read(ours.label), atol=step)


def test_simulated_annotations_give_the_simulators_hypnogram_and_scorings(written) -> None:  # type: ignore[no-untyped-def]
    night, path = written
    sc = scorings_from_recording(read_recording(path))
    assert sc.unknown_labels == {} and sc.source == "edf-annotations"
    n = len(night.hypnogram)
    np.testing.assert_array_equal(sc.hypnogram.stages[:n], night.hypnogram.stages)
    want = night.scored.sort_values("onset", kind="stable").reset_index(drop=True)
    assert sc.events["kind"].tolist() == want["kind"].tolist()
    np.testing.assert_allclose(sc.events["onset"], want["onset"], atol=1e-3)
    np.testing.assert_allclose(sc.events["duration"], want["duration"], atol=1e-3)
