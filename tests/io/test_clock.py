"""Dates and clock times as exports write them (somnomotor.io.clock)."""

from __future__ import annotations

import datetime as dt

import pytest

from somnomotor.errors import AnnotationError
from somnomotor.io.clock import parse_duration, parse_stamps
from somnomotor.io.text import decode_bytes


def test_day_month_order_is_read_from_the_whole_column() -> None:
    # 13/01 rules out month-first; 01/13 rules out day-first.
    assert parse_stamps(["12/01/2016 23:00:00", "13/01/2016 01:00:00"], "x")[1] == \
        dt.datetime(2016, 1, 13, 1, 0)
    assert parse_stamps(["01/12/2016 11:00:00 PM", "01/13/2016 1:00:00 AM"], "x")[0] == \
        dt.datetime(2016, 1, 12, 23, 0)
    # Both orders possible: the one keeping the night short (a day, not a month) wins.
    night = parse_stamps(["05/01/2016 23:59:30", "06/01/2016 00:00:00"], "x")
    assert night == [dt.datetime(2016, 1, 5, 23, 59, 30), dt.datetime(2016, 1, 6)]


@pytest.mark.parametrize("text, expected", [
    ("15.01.2016 23:57:00,250", dt.datetime(2016, 1, 15, 23, 57, 0, 250000)),
    ("2016-01-15T22:30:00.000", dt.datetime(2016, 1, 15, 22, 30)),
    ("2016-01-15 22:30:00Z", dt.datetime(2016, 1, 15, 22, 30)),
    ("15/01/16 22:30:00", dt.datetime(2016, 1, 15, 22, 30)),
    ("22.30.05", dt.time(22, 30, 5)),
    ("12:05:00 AM", dt.time(0, 5)),
    ("23:57:39,992", dt.time(23, 57, 39, 992000)),
])
def test_formats(text: str, expected: object) -> None:
    assert parse_stamps([text], "x") == [expected]


@pytest.mark.parametrize("values, message", [
    (["15 janv 2016 22:30"], "format this reader knows"),
    (["2016.15.01 22:30:00"], "no day/month order"),
    (["15/01/2016 22:30:00", "22:30:30"], "lacks a date"),
    (["25:61:00"], "not a valid clock time"),
    (["13:00:00 PM"], "not a valid clock time"),
])
def test_bad_stamps_are_one_line_naming_the_row(values: list[str], message: str) -> None:
    with pytest.raises(AnnotationError, match=message) as err:
        parse_stamps(values, "export.csv", rows=[7 + i for i in range(len(values))])
    assert "export.csv" in str(err.value) and "\n" not in str(err.value)
    assert "line 7" in str(err.value) or "line 8" in str(err.value)


def test_durations() -> None:
    assert parse_duration("0:01:30") == 90.0 and parse_duration("12,5") == 12.5
    assert parse_duration("") != parse_duration("")  # NaN


def test_encodings_are_told_from_the_bytes() -> None:
    text = "Heure de début,Événement\r\n"
    for enc in ("utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "utf-8", "cp1252"):
        assert decode_bytes(text.encode(enc))[0] == text, enc
