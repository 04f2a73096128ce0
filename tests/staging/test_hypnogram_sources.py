"""The hypnogram from files and from the recording's own annotations (through somnomotor.io)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import somnomotor.io as io
from somnomotor.errors import AnnotationError
from somnomotor.hypnogram import Hypnogram
from somnomotor.recording import ChannelInfo, Recording
from somnomotor.staging import resolve_hypnogram

from .conftest import read_sleep_edf_excerpt


def leg_recording(seconds: float, annotations: pd.DataFrame | None = None) -> Recording:
    ch = ChannelInfo("LAT", 200.0, kind="emg", muscle="tibialis_anterior", side="left",
                     region="leg")
    return Recording.from_arrays({"LAT": np.zeros(int(seconds * 200), dtype=np.float32)}, 200.0,
                                 channels=[ch], annotations=annotations)


def test_a_hypnogram_file_is_used_and_named_in_the_source(tmp_path: Path) -> None:
    path = tmp_path / "night-hypnogram.txt"
    path.write_text("W\nN1\nN2\nN2\nR\n")
    hyp = resolve_hypnogram(leg_recording(150.0), hypnogram_path=path)
    assert hyp.source == "file:night-hypnogram.txt"
    assert hyp.stages.tolist() == ["W", "N1", "N2", "N2", "R"]


def test_a_file_without_stages_is_an_annotation_error(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("onset,duration,kind\n10,3,arousal\n")
    with pytest.raises(AnnotationError, match="no sleep stages"):
        resolve_hypnogram(leg_recording(150.0), hypnogram_path=path)


def test_stage_annotations_in_the_recording_are_used_before_automatic_staging() -> None:
    ann = pd.DataFrame({"onset": [0.0, 60.0], "duration": [60.0, 90.0],
                        "text": ["Sleep stage W", "Sleep stage N2"]})
    hyp = resolve_hypnogram(leg_recording(150.0, ann), staging="auto")
    assert hyp.source == "edf-annotations"
    assert hyp.stages.tolist() == ["W", "W", "N2", "N2", "N2"]


_RK_TO_AASM = {"Sleep stage W": "W", "Sleep stage 1": "N1", "Sleep stage 2": "N2",
               "Sleep stage 3": "N3", "Sleep stage 4": "N3", "Sleep stage R": "R",
               "Sleep stage ?": "?", "Movement time": "?"}


@pytest.mark.realdata
def test_sleep_edf_expert_hypnogram_is_fully_mapped_and_aligned(sleep_edf_dir: Path) -> None:
    """Acceptance (issue 7): every label of the SC4001 hypnogram is mapped, epochs line up."""
    import edfio

    path = sleep_edf_dir / "SC4001EC-Hypnogram.edf"
    sc = io.read_scorings(path)
    assert sc.unknown_labels == {}
    hyp = sc.hypnogram
    assert hyp is not None and hyp.offset == 0.0 and hyp.epoch == 30.0
    # the same stages, epoch by epoch, decoded independently from the annotations
    expected: list[str] = []
    for ann in edfio.read_edf(path).annotations:
        expected += [_RK_TO_AASM[ann.text]] * round(ann.duration / 30.0)
    assert hyp.stages.tolist() == expected

    rec = read_sleep_edf_excerpt(sleep_edf_dir / "short_psg.edf")
    fitted = resolve_hypnogram(rec, hypnogram_path=hyp)
    assert len(fitted) == 10 and (fitted.stages == "W").all()
    assert any("longer than the recording" in w for w in fitted.warnings)


@pytest.mark.realdata
def test_sleep_edf_hypnogram_file_longer_than_the_excerpt_is_trimmed(sleep_edf_dir: Path) -> None:
    """Acceptance (issue 7): the 24-h expert hypnogram given for the 5-min excerpt is fitted."""
    rec = read_sleep_edf_excerpt(sleep_edf_dir / "short_psg.edf")
    hyp = resolve_hypnogram(rec, hypnogram_path=sleep_edf_dir / "SC4001EC-Hypnogram.edf")
    assert hyp.source == "file:SC4001EC-Hypnogram.edf"
    assert len(hyp) == 10 and (hyp.stages == "W").all()
    assert any("longer than the recording" in w for w in hyp.warnings)


def test_fit_of_a_given_hypnogram_object_keeps_its_source() -> None:
    hyp = resolve_hypnogram(leg_recording(95.0),
                            hypnogram_path=Hypnogram.from_labels(["W", "N2"], source="simulator"))
    assert hyp.source == "simulator"
    assert hyp.stages.tolist() == ["W", "N2", "?", "?"]
