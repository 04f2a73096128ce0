"""Dates and clock times as scoring exports write them.

Exports write a time of day (``22:30:00``, ``22.30.00``, ``23:57:00,000``,
``8:39:30 PM``) or a date and a time (``15/01/2016 22:30:00``,
``11/18/2021 8:39:30 PM``, ``17.11.2010 23:57:00,250``, ISO
``2016-01-15T22:30:00.000``).  Whether ``05/01/2016`` is the 5th of January
or the 1st of May depends on the user's locale, so a column is read as a
whole: an order that makes any date impossible is ruled out, and of the
orders left the one that keeps the night shortest is taken (a night spans a
day; the wrong order jumps by a month).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Sequence

from ..errors import AnnotationError

Stamp = _dt.datetime | _dt.time

_STAMP = re.compile(r"""^\s*
    (?:(?P<d1>\d{1,4})[./-](?P<d2>\d{1,2})[./-](?P<d3>\d{1,4})(?:\s+|T))?
    (?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?
    \s*(?P<ampm>[AaPp]\.?[Mm]\.?)?
    \s*(?:Z|[+-]\d{2}:?\d{2})?\s*$""", re.VERBOSE)

FORMATS_KNOWN = ("hh:mm:ss[.fff]", "dd/mm/yyyy hh:mm:ss", "mm/dd/yyyy hh:mm:ss AM/PM",
                 "dd.mm.yyyy hh:mm:ss,fff", "yyyy-mm-ddThh:mm:ss")


def _year(text: str) -> int:
    y = int(text)
    if len(text) <= 2:
        return 1900 + y if y >= 85 else 2000 + y  # the EDF convention (1985–2084)
    return y


def _hour(h: int, ampm: str | None) -> int:
    if not ampm:
        return h
    pm = ampm.lower().startswith("p")
    if not 1 <= h <= 12:
        raise ValueError("hour out of range for AM/PM")
    return (h % 12) + (12 if pm else 0)


def parse_stamps(values: Sequence[str], path: str | os.PathLike[str], *,
                 rows: Sequence[int] | None = None, what: str = "line") -> list[Stamp]:
    """Datetimes (when the values carry dates) or times of day, one per value.

    ``rows`` numbers the values in error messages (``what`` names them: line,
    row).  A value in an unknown format, a mix of values with and without
    dates, or dates that fit no day/month order raise
    :class:`~somnomotor.errors.AnnotationError` (one line, naming the file).

    >>> parse_stamps(["15/01/2016 23:59:30", "16/01/2016 00:00:00"], "x")[1]
    datetime.datetime(2016, 1, 16, 0, 0)
    >>> parse_stamps(["8:39:30 PM"], "x")
    [datetime.time(20, 39, 30)]
    """
    numbers = list(rows) if rows is not None else list(range(1, len(values) + 1))
    parts = []
    for value, row in zip(values, numbers, strict=True):
        m = _STAMP.match(str(value))
        if not m:
            raise AnnotationError(
                f"{what} {row}: {str(value).strip()!r} is not a date and time in a format this "
                f"reader knows ({', '.join(FORMATS_KNOWN)})", path)
        parts.append((m, row, value))
    if not parts:
        return []
    dated = [m["d1"] is not None for m, _, _ in parts]
    if any(dated) and not all(dated):
        i = dated.index(not dated[0])
        raise AnnotationError(f"{what} {parts[i][1]}: {str(parts[i][2]).strip()!r} "
                              f"{'has' if dated[i] else 'lacks'} a date where the rows before "
                              f"{'do not' if dated[i] else 'have one'}", path)

    def clock(m: re.Match[str]) -> _dt.time:
        frac = (m["f"] or "0")[:6].ljust(6, "0")
        return _dt.time(_hour(int(m["h"]), m["ampm"]), int(m["m"]), int(m["s"] or 0), int(frac))

    times: list[_dt.time] = []
    for m, row, value in parts:
        try:
            times.append(clock(m))
        except ValueError:
            raise AnnotationError(f"{what} {row}: {str(value).strip()!r} is not a valid clock "
                                  "time", path) from None
    if not dated[0]:
        return list(times)

    orders = ("YMD",) if len(parts[0][0]["d1"]) == 4 else ("DMY", "MDY")
    best: list[Stamp] | None = None
    best_span = None
    for order in orders:
        out: list[Stamp] = []
        try:
            for (m, _row, _value), t in zip(parts, times, strict=True):
                a, b, c = m["d1"], m["d2"], m["d3"]
                if order == "YMD":
                    day = _dt.date(int(a), int(b), int(c))
                elif order == "DMY":
                    day = _dt.date(_year(c), int(b), int(a))
                else:
                    day = _dt.date(_year(c), int(a), int(b))
                out.append(_dt.datetime.combine(day, t))
        except ValueError:
            continue
        span = max(out) - min(out)  # type: ignore[type-var, operator]
        if best_span is None or span < best_span:
            best, best_span = out, span
    if best is None:
        m, row, value = parts[0]
        raise AnnotationError(f"{what} {row}: the dates (first {str(value).strip()!r}) fit no "
                              "day/month order (dd/mm/yyyy, mm/dd/yyyy, yyyy-mm-dd)", path)
    return best


def parse_duration(text: str) -> float:
    """Seconds from ``30``, ``30.5``, ``30,5`` or ``hh:mm:ss``; NaN when blank.

    >>> parse_duration("0:01:30"), parse_duration("12,5")
    (90.0, 12.5)
    """
    t = str(text).strip()
    if not t:
        return float("nan")
    if ":" in t:
        fields = [float(x.replace(",", ".")) for x in t.split(":")]
        total = 0.0
        for f in fields:
            total = total * 60 + f
        return total
    return float(t.replace(",", "."))
