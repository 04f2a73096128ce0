"""The events table keeps the promised schema (interfaces.md, 'The events table')."""

import numpy as np
import pandas as pd
import pytest

from somnomotor.events import (
    EVENT_COLUMNS,
    empty_events,
    make_events,
    read_events_csv,
    write_events_csv,
)

PROMISED = ["onset", "duration", "kind", "channel", "muscle", "side", "stage",
            "amplitude_uv", "series", "arousal", "respiratory", "channels", "pattern"]


def test_columns_are_the_promised_ones_in_order():
    assert list(EVENT_COLUMNS) == PROMISED
    assert list(empty_events().columns) == PROMISED


def test_rows_are_sorted_by_onset_and_defaults_filled():
    ev = make_events([{"onset": 30.0, "duration": 1.0, "kind": "lm"},
                      {"onset": 10.0, "duration": 2.0, "kind": "plm", "series": 1}])
    assert ev["onset"].tolist() == [10.0, 30.0]
    assert ev.loc[0, "series"] == 1 and pd.isna(ev.loc[1, "series"])
    assert ev.loc[1, "stage"] == "?" and not ev.loc[1, "arousal"]


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown event kinds"):
        make_events([{"onset": 1.0, "duration": 1.0, "kind": "sneeze"}])


def test_csv_round_trip_keeps_every_field(tmp_path):
    ev = make_events([
        {"onset": 1.25, "duration": 0.75, "kind": "lm", "channel": "LAT",
         "muscle": "tibialis_anterior", "side": "left", "stage": "N2", "amplitude_uv": 23.5,
         "arousal": True},
        {"onset": 40.0, "duration": 1.5, "kind": "plm", "side": "bilateral", "series": 3,
         "respiratory": True},
    ])
    path = tmp_path / "events.csv"
    write_events_csv(ev, path)
    text = path.read_text().splitlines()
    assert text[0] == ",".join(PROMISED)
    assert text[1].endswith("true,false,,")
    back = read_events_csv(path)
    pd.testing.assert_frame_equal(back, ev)
    assert np.isnan(back.loc[1, "amplitude_uv"])


def test_channels_column_names_the_channels_of_a_derived_event(tmp_path):
    """interfaces.md: a derived event of several channels leaves ``channel`` empty and names
    them in ``channels`` (``;``-separated), appended after ``respiratory``."""
    ev = make_events([{"onset": 5.0, "duration": 0.2, "kind": "hypnic_jerk",
                       "channels": "LDELT;RDELT"},
                      {"onset": 9.0, "duration": 0.1, "kind": "myoclonus", "channel": "LFDS"}])
    assert ev["channels"].tolist() == ["LDELT;RDELT", ""]
    path = tmp_path / "events.csv"
    write_events_csv(ev, path)
    assert path.read_text().splitlines()[1].endswith(",LDELT;RDELT,")
    pd.testing.assert_frame_equal(read_events_csv(path), ev)


def test_pattern_column_names_the_classification_of_a_contraction(tmp_path):
    """interfaces.md: ``pattern``, appended after ``channels``, names on a ``contraction``
    row the per-channel pattern it was classified as (here neck myoclonus, Frauscher 2014,
    which has no kind of its own); empty on other rows and when none applies."""
    ev = make_events([{"onset": 5.0, "duration": 0.2, "kind": "contraction", "channel": "SCM L",
                       "pattern": "neck_myoclonus"},
                      {"onset": 9.0, "duration": 3.0, "kind": "contraction", "channel": "LFDS"},
                      {"onset": 12.0, "duration": 0.1, "kind": "myoclonus", "channel": "LFDS"}])
    assert ev["pattern"].tolist() == ["neck_myoclonus", "", ""]
    path = tmp_path / "events.csv"
    write_events_csv(ev, path)
    lines = path.read_text().splitlines()
    assert lines[0].endswith(",channels,pattern")
    assert lines[1].endswith(",,neck_myoclonus") and lines[2].endswith(",,")
    pd.testing.assert_frame_equal(read_events_csv(path), ev)


def test_an_events_file_without_the_channels_column_still_reads(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("onset,duration,kind,channel,muscle,side,stage,amplitude_uv,series,arousal,"
                    "respiratory\n1.0,0.5,grm,,,,N2,,,false,false\n")
    back = read_events_csv(path)
    assert list(back.columns) == PROMISED
    assert back.loc[0, "channels"] == "" and back.loc[0, "kind"] == "grm"
    assert back.loc[0, "pattern"] == ""
