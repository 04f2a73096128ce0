"""Scorings from every format: one internal hypnogram and events table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import edfio
import numpy as np
import pandas as pd
import pytest

from somnomotor.errors import AnnotationError
from somnomotor.events import SCORED_COLUMNS, SCORED_KINDS
from somnomotor.io import (
    read_events,
    read_hypnogram,
    read_recording,
    read_scorings,
    scorings_from_recording,
)
from somnomotor.io.scorings import align_clock_times
from somnomotor.recording import Recording

from ._scoring_builders import (
    Night,
    make_night,
    write_csv_events,
    write_csv_hypnogram,
    write_edf_annotations,
    write_nsrr_xml,
    write_remlogic,
)


def _recording(night: Night) -> Recording:
    z = np.zeros(int(night.duration), dtype=np.float32)
    return Recording.from_arrays({"LAT": z, "RAT": z}, 1.0, start=night.start)


@pytest.fixture(scope="module")
def night() -> Night:
    return make_night(seed=3, hours=1.0)


def test_four_formats_of_one_night_give_the_same_hypnogram_and_events(
        tmp_path: Path, night: Night) -> None:
    """Acceptance: RemLogic, NSRR XML, EDF+ annotations and CSV agree (R&K 4 → N3)."""
    rec = _recording(night)
    edf = read_scorings(write_edf_annotations(night, tmp_path / "n.edf"), rec)
    xml = read_scorings(write_nsrr_xml(night, tmp_path / "n.xml"), rec)
    rml = read_scorings(write_remlogic(night, tmp_path / "n.txt"), rec)
    hyp_csv = read_scorings(write_csv_hypnogram(night, tmp_path / "h.csv"), rec)
    ev_csv = read_scorings(write_csv_events(night, tmp_path / "e.csv"), rec)
    assert [s.format for s in (edf, xml, rml, hyp_csv, ev_csv)] == [
        "edf", "nsrr-xml", "remlogic", "hypnogram-text", "csv-events"]
    assert night.stage4, "the night must exercise R&K stage 4"
    expected = np.array(night.stages)
    for sc in (edf, xml, rml, hyp_csv):
        assert sc.hypnogram is not None
        np.testing.assert_array_equal(sc.hypnogram.stages, expected)
        assert (sc.hypnogram.offset, sc.hypnogram.epoch) == (0.0, 30.0)
        assert sc.unknown_labels == {}
    want = [(e.onset, e.duration, e.kind) for e in night.events]
    for sc in (edf, xml, rml, ev_csv):
        assert list(sc.events.columns) == list(SCORED_COLUMNS)
        got = list(zip(sc.events["onset"], sc.events["duration"], sc.events["kind"], strict=True))
        assert len(got) == len(want)
        for (o, d, k), (wo, wd, wk) in zip(got, want, strict=True):
            assert (k, o, d) == (wk, pytest.approx(wo, abs=1e-3), pytest.approx(wd, abs=1e-3))
    for sc in (xml, rml, ev_csv):  # the formats that carry a channel
        legs = sc.events[sc.events["kind"] == "lm"]
        assert legs["channel"].tolist() == [e.channel for e in night.events if e.kind == "lm"]
    assert hyp_csv.events.empty and ev_csv.hypnogram is None


def test_remlogic_iso_timestamps_match_clock_times(tmp_path: Path, night: Night) -> None:
    rec = _recording(night)
    a = read_scorings(write_remlogic(night, tmp_path / "a.txt"), rec)
    b = read_scorings(write_remlogic(night, tmp_path / "b.txt", iso=True), rec)
    np.testing.assert_allclose(a.events["onset"], b.events["onset"], atol=1e-6)
    np.testing.assert_array_equal(a.hypnogram.stages, b.hypnogram.stages)


def test_clock_times_are_aligned_across_midnight() -> None:
    start = dt.datetime(2020, 12, 24, 23, 59, 50)
    times = [dt.time(23, 59, 55), dt.time(0, 0, 10), dt.time(5, 0, 0), dt.time(23, 59, 49)]
    on = align_clock_times(times, start, "x.txt")
    np.testing.assert_allclose(on[:3], [5.0, 20.0, 5 * 3600 + 10.0])
    assert on[3] == pytest.approx(86399.0)  # clock ran forward a whole day, in order
    assert align_clock_times([dt.time(23, 59, 49)], start, "x")[0] == pytest.approx(-1.0)


def test_a_full_export_without_its_recording_starts_at_its_first_epoch(
        tmp_path: Path, night: Night) -> None:
    """Issue 14: the export's own first epoch is time 0, dated by its Recording Date."""
    path = write_remlogic(night, tmp_path / "r.txt")
    alone = read_scorings(path)
    with_rec = read_scorings(path, _recording(night))
    assert alone.clock_origin == night.start  # first epoch, dated by the header
    assert "first epoch" in alone.clock_origin_source
    np.testing.assert_array_equal(alone.hypnogram.stages, with_rec.hypnogram.stages)
    pd.testing.assert_frame_equal(alone.events, with_rec.events)
    assert with_rec.clock_origin is None  # the recording's start is the origin


def test_clock_times_without_a_recording_or_epochs_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text("Sleep Stage\tTime [hh:mm:ss]\tEvent\tDuration[s]\n"
                    "N2\t23:10:00\tAROUSAL-SPONT\t5\n")
    with pytest.raises(AnnotationError, match="clock times, but the recording start is unknown"):
        read_scorings(path)


def test_times_outside_the_recording_are_an_error_naming_the_file(tmp_path: Path,
                                                                   night: Night) -> None:
    short = Recording.from_arrays({"LAT": np.zeros(600, np.float32)}, 1.0, start=night.start)
    path = write_nsrr_xml(night, tmp_path / "n.xml")
    with pytest.raises(AnnotationError) as err:
        read_scorings(path, short)
    msg = str(err.value)
    assert msg.startswith(str(path)) and "lie outside the recording (0–600 s)" in msg


def test_small_rounding_outside_the_recording_is_tolerated(tmp_path: Path) -> None:
    rec = Recording.from_arrays({"LAT": np.zeros(60, np.float32)}, 1.0)
    f = tmp_path / "e.csv"
    f.write_text("onset,duration,kind\n-0.4,1,arousal\n60.5,1,lm\n")
    assert read_events(f, rec)["kind"].tolist() == ["arousal", "lm"]


def test_unknown_labels_are_kept_as_other_and_reported(tmp_path: Path) -> None:
    f = tmp_path / "e.csv"
    f.write_text("onset,duration,kind,channel\n1,2,Spindle,C3\n5,1,arousal,\n9,1,Spindle,C4\n")
    sc = read_scorings(f)
    assert sc.unknown_labels == {"Spindle": 2}
    assert sc.events["kind"].tolist() == ["other", "arousal", "other"]
    assert sc.events["label"].tolist() == ["Spindle", "arousal", "Spindle"]
    assert set(sc.events["kind"]) <= set(SCORED_KINDS)


def test_unknown_stage_concepts_are_reported_not_dropped(tmp_path: Path) -> None:
    f = tmp_path / "n.xml"
    f.write_text("<PSGAnnotation><EpochLength>30</EpochLength><ScoredEvents>"
                 "<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Wake|0"
                 "</EventConcept><Start>0</Start><Duration>60</Duration></ScoredEvent>"
                 "<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Drowsy|7"
                 "</EventConcept><Start>60</Start><Duration>30</Duration></ScoredEvent>"
                 "<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>REM sleep|5"
                 "</EventConcept><Start>90</Start><Duration>30</Duration></ScoredEvent>"
                 "<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>Movement|6"
                 "</EventConcept><Start>120</Start><Duration>30</Duration></ScoredEvent>"
                 "</ScoredEvents></PSGAnnotation>")
    sc = read_scorings(f)
    assert sc.hypnogram.stages.tolist() == ["W", "W", "?", "R", "?"]
    assert sc.unknown_labels == {"Drowsy|7": 1}
    assert sc.events["kind"].tolist() == ["movement"]


def test_movement_time_is_unscored_and_a_movement_event(tmp_path: Path) -> None:
    """R&K movement time: the epoch is '?', the event is kept as 'movement'."""
    anns = [edfio.EdfAnnotation(0, 30, "Sleep stage W"), edfio.EdfAnnotation(30, 30,
                                                                             "Movement time"),
            edfio.EdfAnnotation(60, 60, "Sleep stage 4"), edfio.EdfAnnotation(120, 30,
                                                                              "Sleep stage ?")]
    edfio.Edf([], annotations=anns).write(tmp_path / "h.edf")
    sc = read_scorings(tmp_path / "h.edf")
    assert sc.hypnogram.stages.tolist() == ["W", "?", "N3", "N3", "?"]
    assert sc.events[["onset", "kind", "label"]].values.tolist() == [[30.0, "movement",
                                                                      "Movement time"]]


@pytest.mark.parametrize(("text", "stages"), [
    ("W\nN1\nN2\nN3\nR\n?\n", ["W", "N1", "N2", "N3", "R", "?"]),
    ("# YASA order\n0\n1\n2\n3\n4\n-1\n", ["W", "N1", "N2", "N3", "R", "?"]),
    ("epoch,stage\n1,W\n2,N2\n3,REM\n", ["W", "N2", "R"]),
    ("Stage\nWake\nS4\nS3\n", ["W", "N3", "N3"]),
])
def test_text_hypnograms_in_every_documented_spelling(tmp_path: Path, text: str,
                                                      stages: list[str]) -> None:
    f = tmp_path / "h.txt"
    f.write_text(text)
    hyp = read_hypnogram(f)
    assert hyp.stages.tolist() == stages and hyp.source == "file:h.txt"


def test_stage_code_5_outside_xml_is_refused_as_ambiguous(tmp_path: Path) -> None:
    f = tmp_path / "h.txt"
    f.write_text("0\n2\n5\n")
    with pytest.raises(AnnotationError, match="line 3: stage code 5 is ambiguous"):
        read_hypnogram(f)


@pytest.mark.parametrize(("text", "message"), [
    ("", "the file is empty"),
    ("# nothing\n\n", "empty hypnogram"),
    ("stage\n", "only a header line"),
    ("apple\npear\nplum\n", "line 1: 'apple' is not a sleep stage"),
    ("W\nN2\nN2 \n?\nbanana\nN3\n", "line 5: 'banana' is not a sleep stage"),  # issue 13
])
def test_empty_or_alien_hypnograms_are_clear_errors(tmp_path: Path, text: str,
                                                    message: str) -> None:
    f = tmp_path / "h.txt"
    f.write_text(text)
    with pytest.raises(AnnotationError) as err:
        read_hypnogram(f)
    assert message in str(err.value) and str(f) in str(err.value)


def test_read_hypnogram_refuses_an_events_only_file(tmp_path: Path, night: Night) -> None:
    with pytest.raises(AnnotationError, match="holds no sleep stages"):
        read_hypnogram(write_csv_events(night, tmp_path / "e.csv"))


def test_read_hypnogram_fits_to_the_recording(tmp_path: Path, night: Night) -> None:
    rec = Recording.from_arrays({"LAT": np.zeros(3615, np.float32)}, 1.0)
    hyp = read_hypnogram(write_csv_hypnogram(night, tmp_path / "h.csv"), rec)
    assert len(hyp) == 121 and hyp.stages[-1] == "?"


@pytest.mark.parametrize(("text", "message"), [
    ("onset,duration,kind\nabc,1,arousal\n", "row 2: column 'onset' is not a number"),
    ("onset,duration,kind\n1,-2,arousal\n", "negative duration"),
    ("onset,duration,label\n", None),
    ("<PSGAnnotation><ScoredEvents>", "not valid XML"),
    ("<Other/>", "not an NSRR XML annotation file"),
])
def test_broken_event_files_give_one_line_errors(tmp_path: Path, text: str,
                                                 message: str | None) -> None:
    f = tmp_path / "f.csv"
    f.write_text(text)
    if message is None:
        assert read_events(f).empty
        return
    with pytest.raises(AnnotationError) as err:
        read_scorings(f)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_scorings_from_a_recordings_own_annotations(tmp_path: Path) -> None:
    sig = edfio.EdfSignal(np.zeros(180 * 10), 10, label="LAT")
    anns = [edfio.EdfAnnotation(0, 60, "Sleep stage W"), edfio.EdfAnnotation(60, 90,
                                                                             "Sleep stage N2"),
            edfio.EdfAnnotation(75.5, 3.0, "Arousal"), edfio.EdfAnnotation(100, None, "Blink")]
    edfio.Edf([sig], annotations=anns).write(tmp_path / "r.edf")
    sc = scorings_from_recording(read_recording(tmp_path / "r.edf"))
    assert sc.source == "edf-annotations" and sc.hypnogram.source == "edf-annotations"
    assert sc.hypnogram.stages.tolist() == ["W", "W", "N2", "N2", "N2"]
    assert sc.events["kind"].tolist() == ["arousal", "other"]
    assert sc.events["duration"].tolist() == [3.0, 0.0]
    assert sc.unknown_labels == {"Blink": 1}


def test_annotation_file_starting_later_is_shifted_onto_the_recording(tmp_path: Path) -> None:
    start = dt.datetime(2021, 3, 1, 22, 0, 0)
    edfio.Edf([], annotations=[edfio.EdfAnnotation(0, 30, "Sleep stage N1"),
                               edfio.EdfAnnotation(10, 2, "Arousal")],
              starttime=(start + dt.timedelta(seconds=60)).time(),
              recording=edfio.Recording(startdate=start.date())).write(tmp_path / "a.edf")
    rec = Recording.from_arrays({"LAT": np.zeros(300, np.float32)}, 1.0, start=start)
    sc = read_scorings(tmp_path / "a.edf", rec)
    assert sc.events["onset"].tolist() == [70.0]
    assert sc.hypnogram.stages.tolist() == ["?", "?", "N1"]


@pytest.mark.realdata
def test_sleep_edf_expert_hypnogram(real_data: Path) -> None:
    """SC4001EC: R&K stages 3 and 4 → N3; counts of the whole night."""
    hyp = read_hypnogram(real_data / "sleep-edf-via-edfio" / "SC4001EC-Hypnogram.edf")
    stages, counts = np.unique(hyp.stages, return_counts=True)
    got = dict(zip(stages.tolist(), counts.tolist(), strict=True))
    assert got["N1"] == 58 and got["N2"] == 250 and got["N3"] == 220 and got["R"] == 125
    assert hyp.stages[:1021].tolist() == ["W"] * 1021  # the first 30630 s are wake


@pytest.mark.realdata
def test_yasa_hypnograms(real_data: Path) -> None:
    hyp = read_hypnogram(real_data / "yasa-notebook-data" / "data_full_6hrs_100Hz_hypno_30s.txt")
    assert len(hyp) == 720 and set(hyp.stages) == {"W", "N1", "N2", "N3", "R"}
    sub = read_hypnogram(real_data / "yasa-notebook-data" / "sub-02_hypno_30s.txt")
    assert len(sub) == 98 and sub.stages[0] == "W"


def test_a_hypnogram_longer_than_the_recording_is_kept_with_a_note(tmp_path: Path,
                                                                   night: Night) -> None:
    """A whole night's stages for a cropped recording: noted, trimmed later by fit_to;
    events outside the recording stay an error."""
    short = Recording.from_arrays({"LAT": np.zeros(600, np.float32)}, 1.0, start=night.start)
    sc = read_scorings(write_csv_hypnogram(night, tmp_path / "h.csv"), short)
    assert len(sc.hypnogram) == 120  # epochs of a text hypnogram carry no times to check
    path = tmp_path / "stages.edf"
    edfio.Edf([], annotations=[edfio.EdfAnnotation(0, 300, "Sleep stage W"),
                               edfio.EdfAnnotation(300, 3000, "Sleep stage 2"),
                               edfio.EdfAnnotation(3300, 300, "Sleep stage R")],
              starttime=night.start.time(),
              recording=edfio.Recording(startdate=night.start.date())).write(path)
    sc = read_scorings(path, short)
    assert any("start after the recording ends" in w for w in sc.warnings)
    hyp = read_hypnogram(path, short)
    assert len(hyp) == 20 and any("longer than the recording" in w for w in hyp.warnings)
    late = Recording.from_arrays({"LAT": np.zeros(60, np.float32)}, 1.0, start=night.start
                                 + dt.timedelta(hours=2))
    with pytest.raises(AnnotationError, match="lie outside the recording"):
        read_scorings(path, late)


def test_luna_style_letter_stages_count_only_as_intervals(tmp_path: Path) -> None:
    """`W`/`R`/`?` with a duration are stages; a zero-length `R` is an event label."""
    anns = [edfio.EdfAnnotation(0, 30, "W"), edfio.EdfAnnotation(30, 60, "N2"),
            edfio.EdfAnnotation(90, 30, "R"), edfio.EdfAnnotation(120, 30, "?"),
            edfio.EdfAnnotation(100, None, "R")]
    edfio.Edf([], annotations=anns).write(tmp_path / "l.edf")
    sc = read_scorings(tmp_path / "l.edf")
    assert sc.hypnogram.stages.tolist() == ["W", "N2", "N2", "R", "?"]
    assert sc.events["label"].tolist() == ["R"] and sc.unknown_labels == {"R": 1}


def test_stage_times_off_the_grid_by_rounding_snap_to_it_and_real_offsets_are_kept() -> None:
    from somnomotor.io.scorings import hypnogram_from_intervals

    hyp = hypnogram_from_intervals(np.array([-0.25, 29.8, 60.1]), np.array([30.0, 30.0, 30.0]),
                                   ["W", "N1", "N2"], source="x")
    assert (hyp.offset, hyp.stages.tolist()) == (0.0, ["W", "N1", "N2"])
    late = hypnogram_from_intervals(np.array([15.0, 45.0]), np.array([30.0, 60.0]),
                                    ["W", "R"], source="x")
    assert (late.offset, late.stages.tolist()) == (15.0, ["W", "R", "R"])


def test_a_csv_with_onsets_but_no_kind_says_which_columns_it_needs(tmp_path: Path) -> None:
    f = tmp_path / "lms.csv"
    f.write_text("onset,duration,side\n10,1,left\n")
    with pytest.raises(AnnotationError, match="needs the columns onset, duration, kind"):
        read_scorings(f)


def test_csv_event_without_duration_is_refused(tmp_path):
    """Bad input: NaN durations would silently change arousal association."""
    from somnomotor.errors import AnnotationError
    from somnomotor.io import read_scorings

    path = tmp_path / "events.csv"
    path.write_text("onset,duration,kind\n10,nan,arousal\n")
    with pytest.raises(AnnotationError, match="row 2: event 'arousal' has no duration"):
        read_scorings(path)
