"""Small events tables and hypnograms for the export tests."""

from __future__ import annotations

import numpy as np

from somnomotor.events import EVENT_KINDS, make_events
from somnomotor.hypnogram import Hypnogram

FS = 256.0  # the sampling rate "one sample" refers to in the round-trip tests


def every_kind_events(n_per_kind: int = 3, seed: int = 0):
    """An events table holding every registered kind, with awkward onsets (not on sample or ms grid)."""
    rng = np.random.default_rng(seed)
    rows = []
    muscles = {"lm": "tibialis_anterior", "clm": "", "plm": "", "myoclonus": "fds",
               "grm": "", "hypnic_jerk": "deltoid", "fragmentary_myoclonus": "mentalis",
               "propriospinal_myoclonus": "rectus_abdominis", "rem_tonic": "mentalis",
               "rem_phasic": "mentalis", "morning_tonic": "paraspinal"}
    sides = {"lm": ["left", "right"], "clm": ["left", "right", "bilateral"],
             "plm": ["bilateral", "left"], "myoclonus": ["left", "right"], "grm": [""],
             "hypnic_jerk": ["left"], "fragmentary_myoclonus": ["midline"],
             "propriospinal_myoclonus": ["midline"], "rem_tonic": ["midline"],
             "rem_phasic": ["midline"], "morning_tonic": ["midline"]}
    channels = {"lm": "LAT", "myoclonus": "EMG MFD-l", "hypnic_jerk": "Deltoid L",
                "rem_tonic": "Chin1-Chin2", "rem_phasic": "Chin1-Chin2",
                "fragmentary_myoclonus": "Chin1-Chin2", "morning_tonic": "Paraspinal"}
    for kind in EVENT_KINDS:
        for i in range(n_per_kind):
            kind_sides = sides.get(kind, ["left", "right", ""])  # kinds without a detector yet
            side = kind_sides[i % len(kind_sides)]
            rows.append({
                "onset": float(rng.uniform(10, 3500)) + 1 / 3,
                "duration": float(rng.uniform(0.1, 12.0)),
                "kind": kind, "channel": channels.get(kind, ""), "muscle": muscles.get(kind, ""),
                "side": side, "stage": str(rng.choice(["W", "N1", "N2", "N3", "R"])),
                "amplitude_uv": float(rng.uniform(5, 80)) if i else np.nan,
                "series": (i + 1) if kind == "plm" else None,
                "arousal": bool(i % 2), "respiratory": kind == "clm" and i == 0,
            })
    return make_events(rows)


def small_hypnogram(n_epochs: int = 120) -> Hypnogram:
    pattern = ["W"] * 4 + ["N1"] * 3 + ["N2"] * 20 + ["N3"] * 10 + ["R"] * 8 + ["?"] * 1
    stages = (pattern * (n_epochs // len(pattern) + 1))[:n_epochs]
    return Hypnogram.from_labels(stages, source="file:test.csv")
