"""The Hypnogram type: stage lookup by time and fitting to a recording."""

import numpy as np
import pytest

from somnomotor.hypnogram import Hypnogram


def test_stage_at_uses_the_epoch_holding_the_time():
    h = Hypnogram.from_labels(["W", "N1", "N2", "R"], offset=10.0)
    assert h.stage_at([0.0, 10.0, 39.999, 40.0, 129.9, 130.0]).tolist() == [
        "?", "W", "W", "N1", "R", "?"]


def test_unknown_stage_code_is_refused():
    with pytest.raises(ValueError):
        Hypnogram.from_labels(["W", "S2"])


def test_fit_to_pads_and_trims_with_a_warning():
    h = Hypnogram.from_labels(["W"] * 4)
    longer = h.fit_to(200.0)
    assert len(longer) == 7 and longer.stages[-1] == "?" and longer.warnings
    shorter = h.fit_to(60.0)
    assert len(shorter) == 2 and "longer" in shorter.warnings[0]


def test_wake_after_sleep_onset_is_wake_between_first_and_last_sleep():
    h = Hypnogram.from_labels(["W", "N1", "W", "N2", "W", "W"])
    assert h.wake_after_sleep_onset().tolist() == [False, False, True, False, False, False]
    assert h.sleep_onset_epoch() == 1 and h.final_sleep_epoch() == 3
    assert np.array_equal(h.is_sleep(), [False, True, False, True, False, False])


def test_fit_to_keeps_stage_probabilities_aligned_with_epochs():
    probs = np.eye(5)[[0, 1, 2, 3]]
    h = Hypnogram(np.array(["W", "N1", "N2", "N3"]), probabilities=probs)
    assert h.fit_to(60.0).probabilities.shape == (2, 5)
    padded = h.fit_to(180.0).probabilities
    assert padded.shape == (6, 5) and np.isnan(padded[4:]).all()
    assert np.array_equal(padded[:4], probs)
