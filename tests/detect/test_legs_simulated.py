"""Leg movements on short simulated nights against the simulator's truth.

Acceptance (issue 4): LM event F1 ≥ 0.95 against the truth's ``lm`` rows, and
the PLMS index within max(1/h, 5 %) of the truth's (the truth's index is the
truth LMs scored by the same WASM 2016 scorer), over leg scenarios, seeds,
200-512 Hz, 50 and 60 Hz mains, with and without ECG bleed or an ECG channel.
"""

from __future__ import annotations

import pytest

import somnomotor.simulate.night as simulate
from somnomotor.detect.legs import detect_leg_movements
from somnomotor.evaluate import evaluate
from somnomotor.score.legs import score_leg_movements

CASES = [
    # scenario, fs, mains, seed, settings
    ("polio_plms", 512.0, 50.0, 1, {}),
    ("polio_plms", 200.0, 60.0, 2, {"channels": "LAT,RAT"}),  # no ECG channel
    ("polio_plms", 256.0, 50.0, 3, {"ecg_bleed": 4.0}),  # strong cardiac bleed
    ("polio_plms", 256.0, 60.0, 4, {"ecg_bleed": 0.0}),
    ("polio_mixed", 512.0, 60.0, 5, {}),
    ("polio_grm", 200.0, 50.0, 6, {}),
    ("polio_sleep_starts", 256.0, 60.0, 7, {}),
    ("polio_plms", 256.0, 50.0, 8, {"artifacts.pops_per_h": 120.0}),  # many electrode pops
]


def _r_peaks(rec):
    from somnomotor.signal.condition import ecg_r_peaks

    return ecg_r_peaks(rec)[0]


@pytest.mark.parametrize(("scenario", "fs", "mains", "seed", "settings"), CASES)
def test_simulated_night_lm_f1_and_plms_index(scenario, fs, mains, seed, settings) -> None:
    settings = {"channels": "LAT,RAT,ECG II", **settings}
    night = simulate.simulate_night(scenario, hours=0.5, seed=seed, fs=fs, mains_hz=mains,
                                    settings=settings)
    rec = night.recording
    lms, quality = detect_leg_movements(rec, r_peaks=_r_peaks(rec))
    found = score_leg_movements(lms, hypnogram=night.hypnogram, scored_events=night.scored,
                                recording_duration=rec.duration)
    truth_lm = night.truth[night.truth["kind"] == "lm"]
    truth = score_leg_movements(truth_lm, hypnogram=night.hypnogram,
                                scored_events=night.scored, recording_duration=rec.duration)
    m = evaluate(night.truth, found.events, kinds=["lm"])["kinds"]["lm"]
    if m["n_truth"]:
        assert m["f1"] >= 0.95, m
    else:
        assert m["n_detected"] <= 1, m
    want, got = truth.summary["plms_index"], found.summary["plms_index"]
    assert abs(got - want) <= max(1.0, 0.05 * want), (want, got)
    assert set(quality["mains_hz"]) == {mains}
