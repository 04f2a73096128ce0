"""Choosing the hypnogram: file → recording's annotations → automatic staging → none."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import numpy as np
import pytest

from somnomotor.errors import AnnotationError, MontageError, ParameterError
from somnomotor.hypnogram import Hypnogram
from somnomotor.recording import ChannelInfo, Recording
from somnomotor.staging import NO_STAGES_NOTE, resolve_hypnogram

needs_yasa = pytest.mark.skipif(importlib.util.find_spec("yasa") is None,
                                reason="the 'staging' extra (yasa) is not installed")


def emg_only(seconds: float = 125.0) -> Recording:
    """A leg-EMG-only recording (no EEG), 125 s: not a whole number of epochs."""
    ch = ChannelInfo("LAT", 200.0, kind="emg", muscle="tibialis_anterior", side="left",
                     region="leg")
    x = np.zeros(int(seconds * 200.0), dtype=np.float32)
    return Recording.from_arrays({"LAT": x}, 200.0, channels=[ch])


def scorings_with(hyp: Hypnogram | None) -> SimpleNamespace:
    return SimpleNamespace(hypnogram=hyp, unknown_labels={}, events=None, source="edf")


def test_a_given_hypnogram_wins_and_is_fitted_to_the_recording() -> None:
    rec = emg_only()
    own = scorings_with(Hypnogram.from_labels(["N2"] * 5))
    hyp = resolve_hypnogram(rec, hypnogram_path=Hypnogram.from_labels(["W", "N1", "N2"],
                                                                       source="file:x.csv"),
                            scorings=own)
    assert hyp.source == "file:x.csv"
    assert hyp.stages.tolist() == ["W", "N1", "N2", "?", "?"]      # 125 s → 5 epochs
    assert any("shorter than the recording" in w for w in hyp.warnings)


def test_the_recordings_own_stages_come_next_as_edf_annotations() -> None:
    rec = emg_only()
    hyp = resolve_hypnogram(rec, scorings=scorings_with(Hypnogram.from_labels(["W"] + ["N2"] * 6)))
    assert hyp.source == "edf-annotations"
    assert len(hyp) == 5
    assert any("longer than the recording" in w for w in hyp.warnings)


def test_no_staging_gives_an_unscored_night_that_says_indices_are_per_hour_of_recording() -> None:
    rec = emg_only()
    hyp = resolve_hypnogram(rec, staging="none", scorings=scorings_with(None))
    assert hyp.source == "none"
    assert len(hyp) == 5 and not hyp.is_scored
    assert NO_STAGES_NOTE in hyp.warnings
    assert "per hour of recording" in NO_STAGES_NOTE


def test_stage_annotations_that_are_all_unscored_do_not_count_as_stages() -> None:
    rec = emg_only()
    hyp = resolve_hypnogram(rec, staging="none",
                            scorings=scorings_with(Hypnogram.from_labels(["?"] * 5)))
    assert hyp.source == "none"


def test_automatic_staging_without_eeg_falls_back_to_no_stages_with_the_reason() -> None:
    hyp = resolve_hypnogram(emg_only(), staging="auto", scorings=scorings_with(None))
    assert hyp.source == "none"
    assert any("automatic sleep staging was not possible" in w and "EEG" in w
               for w in hyp.warnings)
    assert NO_STAGES_NOTE in hyp.warnings


def test_naming_a_missing_eeg_channel_is_an_error_not_a_fallback() -> None:
    with pytest.raises(MontageError, match="'C4-M1'"):
        resolve_hypnogram(emg_only(), staging="auto", scorings=scorings_with(None), eeg="C4-M1")


def test_unknown_staging_mode_is_refused() -> None:
    with pytest.raises(ParameterError, match="staging"):
        resolve_hypnogram(emg_only(), staging="yes")


def test_a_hypnogram_starting_after_the_recording_ends_is_refused() -> None:
    late = Hypnogram.from_labels(["W", "N2"], offset=600.0)
    with pytest.raises(AnnotationError, match="after the recording ends"):
        resolve_hypnogram(emg_only(), hypnogram_path=late)


@needs_yasa
def test_a_night_without_stages_is_staged_automatically(synthetic_night: Recording) -> None:
    hyp = resolve_hypnogram(synthetic_night, staging="auto", scorings=scorings_with(None))
    assert hyp.source == "automatic:yasa"
    assert len(hyp) == int(np.ceil(synthetic_night.duration / 30.0))
    assert hyp.probabilities is not None and hyp.probabilities.shape == (len(hyp), 5)
    assert any("automatically by YASA" in w for w in hyp.warnings)


def test_probabilities_follow_the_stages_when_the_hypnogram_is_fitted() -> None:
    p = np.tile([0.7, 0.1, 0.1, 0.05, 0.05], (3, 1))
    staged = Hypnogram(np.array(["W", "N1", "N2"]), source="automatic:yasa", probabilities=p)
    longer = resolve_hypnogram(emg_only(125.0), hypnogram_path=staged)     # 5 epochs
    assert longer.probabilities.shape == (5, 5)
    assert np.array_equal(longer.probabilities[:3], p)
    assert np.isnan(longer.probabilities[3:]).all()
    shorter = resolve_hypnogram(emg_only(60.0), hypnogram_path=staged)     # 2 epochs
    assert shorter.probabilities.shape == (2, 5)
