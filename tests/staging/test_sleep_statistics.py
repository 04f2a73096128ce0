"""Sleep statistics: hand-computed values on small hypnograms (AASM Manual v2.6, II.B).

Each hypnogram below is 30-s epochs, so one epoch is 0.5 min; the expected
values are worked out by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from somnomotor.errors import AnnotationError, ParameterError
from somnomotor.hypnogram import Hypnogram
from somnomotor.staging import STATISTICS_KEYS, find_lights, sleep_statistics

PROMISED_SUMMARY_KEYS = ("tib_h", "tst_h", "sleep_efficiency", "sol_min", "waso_min")


def hyp(*labels: str, offset: float = 0.0) -> Hypnogram:
    return Hypnogram.from_labels(labels, offset=offset)


def test_promised_summary_keys_are_returned() -> None:
    stats = sleep_statistics(hyp("W", "N2", "W"))
    assert set(PROMISED_SUMMARY_KEYS) <= set(stats)
    assert tuple(stats) == STATISTICS_KEYS


def test_no_sleep_at_all_gives_zero_tst_and_undefined_latencies() -> None:
    """AASM: SOL is to the first epoch of sleep; with no sleep it does not exist (None)."""
    s = sleep_statistics(hyp("W", "W", "W", "W", "W", "W"))
    assert s["tib_min"] == 3.0 and s["tib_h"] == pytest.approx(0.05)
    assert s["tst_min"] == 0.0 and s["tst_h"] == 0.0
    assert s["sleep_efficiency"] == 0.0
    assert s["wake_min"] == 3.0
    for key in ("sol_min", "spt_min", "waso_min", "waso_spt_min", "rem_latency_min",
                "sleep_onset_s", "final_awakening_s", "sleep_maintenance_efficiency",
                "n1_percent", "n2_percent", "n3_percent", "rem_percent"):
        assert s[key] is None, key
    assert s["awakening_count"] == 0
    assert s["stage_shift_count"] == 0


def test_sleep_from_the_first_epoch_and_final_awakening_at_the_last_epoch() -> None:
    """AASM: SOL 0 when the first epoch is sleep; final awakening = end of the last epoch."""
    # N2 N2 N3 R W N2: TST 5 epochs = 2.5 min, W once inside SPT.
    s = sleep_statistics(hyp("N2", "N2", "N3", "R", "W", "N2"))
    assert s["sol_min"] == 0.0
    assert s["sleep_onset_s"] == 0.0
    assert s["final_awakening_s"] == 180.0      # end of epoch 6 = hypnogram end
    assert s["tib_min"] == 3.0
    assert s["tst_min"] == 2.5
    assert s["spt_min"] == 3.0
    assert s["waso_min"] == 0.5 and s["waso_spt_min"] == 0.5
    assert s["rem_latency_min"] == 1.5          # R starts at 90 s, sleep onset at 0 s
    assert s["sleep_efficiency"] == pytest.approx(2.5 / 3.0)
    assert s["sleep_maintenance_efficiency"] == pytest.approx(2.5 / 3.0)
    assert s["n2_min"] == 1.5 and s["n3_min"] == 0.5 and s["rem_min"] == 0.5
    assert s["n2_percent"] == pytest.approx(60.0)
    assert s["n3_percent"] == pytest.approx(20.0)
    assert s["rem_percent"] == pytest.approx(20.0)
    assert s["n1_percent"] == 0.0
    assert s["awakening_count"] == 1
    assert s["stage_shift_count"] == 4          # N2>N3, N3>R, R>W, W>N2


def test_unscored_epochs_inside_the_night_are_in_bed_but_not_sleep() -> None:
    """Unscored ends are outside TIB; unscored epochs inside TIB are not sleep, not W."""
    # ? | W N1 ? ? N2 W | ?   → TIB = 6 epochs (60 s … 240 s) = 3.0 min
    s = sleep_statistics(hyp("?", "W", "N1", "?", "?", "N2", "W", "?"))
    assert s["lights_off_s"] == 30.0 and s["lights_on_s"] == 210.0
    assert s["tib_min"] == 3.0
    assert s["unscored_min"] == 1.0
    assert s["tst_min"] == 1.0
    assert s["sleep_efficiency"] == pytest.approx(1.0 / 3.0)
    assert s["sol_min"] == 0.5                  # from 30 s to 60 s
    assert s["sleep_onset_s"] == 60.0
    assert s["final_awakening_s"] == 180.0      # end of the N2 epoch
    assert s["spt_min"] == 2.0                  # 60 s → 180 s; includes the unscored epochs
    assert s["sleep_maintenance_efficiency"] == pytest.approx(0.5)
    assert s["waso_spt_min"] == 0.0             # unscored epochs are not W
    assert s["waso_min"] == 0.5                 # AASM: W from sleep onset to lights on
    assert s["wake_min"] == 1.0
    assert s["stage_shift_count"] == 3          # W>N1, N1>N2 (across ?), N2>W
    assert s["awakening_count"] == 1


def test_wake_split_by_unscored_epochs_is_one_awakening() -> None:
    s = sleep_statistics(hyp("N2", "W", "?", "W", "N2", "W", "N2"))
    assert s["awakening_count"] == 2
    assert s["waso_min"] == 1.5
    assert s["stage_shift_count"] == 4


def test_aasm_waso_includes_wake_after_the_final_awakening() -> None:
    """AASM v2.6 II.B.7: WASO = stage W during TRT minus sleep latency."""
    s = sleep_statistics(hyp("W", "N1", "N2", "W", "N2", "W", "W", "W"))
    assert s["waso_min"] == 2.0                 # epochs 4, 6, 7, 8
    assert s["waso_spt_min"] == 0.5             # epoch 4 only
    assert s["final_awakening_s"] == 150.0
    assert s["awakening_count"] == 2            # after epoch 3 and the final awakening


def test_rem_latency_is_counted_from_sleep_onset() -> None:
    """AASM v2.6 II.B.6: stage R latency = sleep onset → first epoch of R."""
    s = sleep_statistics(hyp("W", "W", "W", "N1", "N2", "N2", "R", "R"))
    assert s["sol_min"] == 1.5
    assert s["rem_latency_min"] == 1.5


def test_no_rem_leaves_rem_latency_undefined() -> None:
    s = sleep_statistics(hyp("W", "N2", "N3"))
    assert s["rem_latency_min"] is None
    assert s["rem_percent"] == 0.0


def test_offset_hypnogram_reports_times_from_the_recording_start() -> None:
    s = sleep_statistics(hyp("W", "N2", "N2", offset=10.0))
    assert s["lights_off_s"] == 10.0
    assert s["sleep_onset_s"] == 40.0
    assert s["final_awakening_s"] == 100.0


def test_lights_off_and_on_define_time_in_bed() -> None:
    """AASM: TRT is lights off → lights on; epochs outside are ignored, missing time unscored."""
    h = hyp("W", "W", "N2", "N2", "W", "N2")
    s = sleep_statistics(h, lights_off=30.0, lights_on=300.0)
    # epochs 2..6 lie inside (their midpoints 45…165 s); 180…300 s is not covered
    assert s["tib_min"] == 4.5
    assert s["tst_min"] == 1.5
    assert s["unscored_min"] == 2.0
    assert s["sol_min"] == 0.5
    assert s["sleep_efficiency"] == pytest.approx(1.5 / 4.5)


def test_lights_on_before_lights_off_is_refused() -> None:
    with pytest.raises(ParameterError, match="lights on"):
        sleep_statistics(hyp("W", "N2"), lights_off=60.0, lights_on=30.0)


def test_unscored_hypnogram_gives_no_statistics() -> None:
    s = sleep_statistics(Hypnogram.unscored(3600.0))
    assert all(v is None for v in s.values())


def test_unscored_hypnogram_with_lights_has_time_in_bed_only() -> None:
    s = sleep_statistics(Hypnogram.unscored(3600.0), lights_off=0.0, lights_on=3600.0)
    assert s["tib_h"] == 1.0
    assert s["tst_h"] is None and s["sleep_efficiency"] is None


stage_lists = st.lists(st.sampled_from(["W", "N1", "N2", "N3", "R", "?"]), min_size=1,
                       max_size=200)


@settings(max_examples=150, deadline=None)
@given(stage_lists)
def test_statistics_are_consistent_and_never_nan(labels: list[str]) -> None:
    s = sleep_statistics(Hypnogram.from_labels(labels))
    for key, value in s.items():
        assert value is None or (isinstance(value, int | float) and math.isfinite(value)), key
    if s["tib_min"] is None:
        assert all(v is None for v in s.values())
        return
    parts = [s[k] or 0.0 for k in ("wake_min", "n1_min", "n2_min", "n3_min", "rem_min",
                                   "unscored_min")]
    assert sum(parts) == pytest.approx(s["tib_min"])
    assert 0.0 <= s["sleep_efficiency"] <= 1.0
    if s["sol_min"] is not None:
        assert s["sol_min"] + s["spt_min"] <= s["tib_min"] + 1e-9
        assert s["tst_min"] <= s["spt_min"] + 1e-9
        assert s["waso_spt_min"] <= s["waso_min"] <= s["wake_min"]
        assert sum(s[f"{k}_percent"] for k in ("n1", "n2", "n3", "rem")) == pytest.approx(100.0)
    else:
        assert s["tst_min"] == 0.0


def test_statistics_use_the_hypnogram_epoch_length() -> None:
    h = Hypnogram(np.array(["W", "N2", "N2", "W"]), epoch=20.0)
    s = sleep_statistics(h)
    assert s["tib_min"] == pytest.approx(80.0 / 60.0)
    assert s["tst_min"] == pytest.approx(40.0 / 60.0)
    assert s["final_awakening_s"] == 60.0


def scored_lights(*rows: tuple[float, str]) -> pd.DataFrame:
    return pd.DataFrame({"onset": [r[0] for r in rows], "duration": [0.0] * len(rows),
                         "kind": ["lights"] * len(rows), "channel": [""] * len(rows),
                         "label": [r[1] for r in rows]})


def test_lights_off_and_on_are_found_in_scored_events() -> None:
    ev = scored_lights((20.0, "LIGHTS_OUT"), (600.0, "Lights On"), (5.0, "lights-on"))
    assert find_lights(ev) == {"lights_off": 20.0, "lights_on": 600.0}


def test_missing_lights_events_give_none() -> None:
    assert find_lights(scored_lights((20.0, "Lights off"))) == {"lights_off": 20.0,
                                                                "lights_on": None}
    empty = scored_lights()
    assert find_lights(empty) == {"lights_off": None, "lights_on": None}


def test_lights_on_only_before_lights_off_is_an_annotation_error() -> None:
    with pytest.raises(AnnotationError, match="lights on"):
        find_lights(scored_lights((600.0, "Lights off"), (20.0, "Lights on")))


def test_found_lights_feed_sleep_statistics() -> None:
    h = hyp("W", "W", "N2", "N2", "W", "N2")
    s = sleep_statistics(h, **find_lights(scored_lights((30.0, "Lights off"),
                                                        (300.0, "Lights on"))))
    assert s["tib_min"] == 4.5 and s["sol_min"] == 0.5
