"""Diary entries: every value checked at the boundary, with one clear message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from somnomotor.diary import parse_medications, validate_entry
from somnomotor.errors import DiaryError


def _entry(**values):
    base = {"subject": "P1", "date": "2024-03-01"}
    base.update(values)
    return validate_entry(base)


def test_a_full_entry_is_typed():
    e = _entry(bedtime="22:50", lights_out="23:05", final_awakening="06:40", rise_time="07:10",
               alcohol_units="2", last_drink_time="21:00", exertion="6", heating_pad="yes",
               capsaicin="no", morning_stiffness="4.5", penn_frequency="2", penn_severity="1",
               sleep_quality="4", medications="alprazolam 0.5 mg at 22:35; baclofen 10 mg")
    assert e.alcohol_units == 2.0 and e.exertion == 6.0 and e.heating_pad is True
    assert e.capsaicin is False and e.penn_frequency == 2 and e.sleep_quality == 4
    assert e.dose_mg("alprazolam") == 0.5 and e.dose_mg("baclofen") == 10.0
    assert e.medications[0].time_taken == "22:35"
    assert e.time_in_bed_minutes == pytest.approx(8 * 60 + 20)


def test_night_across_midnight_is_read_as_the_next_morning():
    e = _entry(bedtime="00:30", lights_out="00:45", final_awakening="07:00", rise_time="07:30")
    assert e.time_in_bed_minutes == 7 * 60


def test_rise_time_before_bedtime_is_refused():
    with pytest.raises(DiaryError, match="rise_time 22:00 is before bedtime 23:00"):
        _entry(bedtime="23:00", rise_time="22:00")


def test_lights_out_before_bedtime_is_refused():
    with pytest.raises(DiaryError, match="lights_out"):
        _entry(bedtime="23:00", lights_out="22:30")


@pytest.mark.parametrize("text, expected", [
    ("alprazolam 500", "give the dose's unit"),
    ("alprazolam 500 µg", "not µg (500 µg = 0.5 mg)"),
    ("alprazolam 0.5 tablets", "not 'tablets'"),
    ("alprazolam 500 mg", "outside the plausible"),
    ("alprazolam 1 g", "not g"),
])
def test_a_dose_in_the_wrong_unit_names_the_field(text, expected):
    with pytest.raises(DiaryError, match="medications") as exc:
        _entry(medications=text)
    assert expected in str(exc.value)
    assert "\n" not in str(exc.value)


def test_dose_with_a_comma_decimal_and_no_time_is_read():
    (m,) = parse_medications("Alprazolam 1,5 mg")
    assert (m.name, m.dose_mg, m.time_taken) == ("alprazolam", 1.5, None)


@pytest.mark.parametrize("field, value, expected", [
    ("morning_stiffness", "11", "0 to 10"),
    ("penn_frequency", "5", "0 to 4"),
    ("penn_frequency", "1.5", "whole number"),
    ("sleep_quality", "0", "1 to 5"),
    ("exertion", "lots", "expected a number"),
    ("heating_pad", "maybe", "yes or no"),
    ("bedtime", "25:00", "clock time"),
    ("alcohol_units", "-1", "0 to 40"),
])
def test_out_of_range_values_are_refused_naming_the_field(field, value, expected):
    with pytest.raises(DiaryError, match=field) as exc:
        _entry(**{field: value})
    assert expected in str(exc.value)


def test_penn_severity_needs_spasms():
    """Penn Spasm Frequency Scale: severity is rated only when frequency is 1–4."""
    with pytest.raises(DiaryError, match="penn_severity"):
        _entry(penn_frequency="0", penn_severity="2")


def test_unknown_column_and_missing_date_are_refused():
    with pytest.raises(DiaryError, match="unknown column 'mood'"):
        _entry(mood="fine")
    with pytest.raises(DiaryError, match="date: missing"):
        validate_entry({"subject": "P1"})
    with pytest.raises(DiaryError, match="2024-02-30"):
        _entry(date="2024-02-30")


def test_consensus_sleep_diary_names_map_onto_ours():
    e = _entry(time_into_bed="22:40", time_tried_to_sleep="23:00", time_to_fall_asleep="20",
               number_of_awakenings="3", waso="25", final_awakening_time="06:30",
               time_out_of_bed="06:50", quality="2", comments="restless legs")
    assert (e.bedtime, e.lights_out, e.rise_time) == ("22:40", "23:00", "06:50")
    assert (e.sol_minutes, e.awakenings, e.waso_minutes, e.sleep_quality) == (20.0, 3, 25.0, 2)
    assert e.notes == "restless legs"


def test_a_subject_column_must_match_the_import_subject():
    with pytest.raises(DiaryError, match="subject"):
        validate_entry({"subject": "P2", "date": "2024-03-01"}, subject="P1")


@given(bed=st.integers(18 * 60, 27 * 60 - 1), in_bed=st.integers(30, 14 * 60))
def test_any_night_within_the_noon_to_noon_day_is_accepted(bed, in_bed):
    rise = bed + in_bed
    if rise >= 36 * 60:  # past noon of the next day: outside the entry's window
        return
    fmt = lambda m: f"{(m // 60) % 24:02d}:{m % 60:02d}"  # noqa: E731
    e = _entry(bedtime=fmt(bed), rise_time=fmt(rise))
    assert e.time_in_bed_minutes == in_bed
