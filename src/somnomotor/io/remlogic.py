"""Embla RemLogic "Event Export" text files → scorings.

The export is a header block (patient, recording date, events included…),
then a tab-separated table whose header row names the columns, e.g.::

    Sleep Stage  Position  Time [hh:mm:ss.xxx]  Event  Duration[s]  Location

Times are clock times (``22:15:30.000``, ``22.15.30`` or ISO
``2024-03-12T22:15:30.000``) and are aligned to the recording start across
midnight, so the recording is needed.  ``SLEEP-S0…S4``, ``SLEEP-REM``,
``SLEEP-UNSCORED`` rows make the hypnogram; ``Location`` becomes the channel.
"""

from __future__ import annotations

import datetime as _dt
import os
import re

from ..errors import AnnotationError
from ..recording import Recording
from .scorings import RawScorings, align_clock_times, make_items
from .vocab import is_movement_time, stage_from_annotation

_TIME_OF_DAY = re.compile(r"^(\d{1,2})[:.](\d{2})[:.](\d{2})(?:[.,](\d+))?$")


def _header_index(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        cells = [c.strip().lower() for c in line.split("\t")]
        if "event" in cells and any(c.startswith("time") for c in cells):
            return i
    return None


def looks_like_remlogic(text: str) -> bool:
    """True when the text has RemLogic's tab-separated ``Time […]``/``Event`` header row."""
    return _header_index(text.splitlines()[:200]) is not None


def _parse_time(value: str, row: int, path: str | os.PathLike[str]) -> _dt.datetime | _dt.time:
    v = value.strip()
    m = _TIME_OF_DAY.match(v)
    if m:
        hh, mm, ss, frac = m.groups()
        micro = int((frac or "0").ljust(6, "0")[:6])
        try:
            return _dt.time(int(hh), int(mm), int(ss), micro)
        except ValueError:
            pass
    else:
        try:
            # Local clock time, like the recording's start: an offset is dropped.
            return _dt.datetime.fromisoformat(v.replace(",", ".")).replace(tzinfo=None)
        except ValueError:
            pass
    raise AnnotationError(f"line {row}: {value!r} is not a clock time (hh:mm:ss.xxx or ISO)",
                          path)


def read_remlogic(path: str | os.PathLike[str], recording: Recording | None) -> RawScorings:
    """Read a RemLogic event export; clock times are aligned to ``recording.start``.

    >>> raw = read_remlogic("night1-events.txt", rec)            # doctest: +SKIP
    """
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError as exc:
        raise AnnotationError(f"cannot read the file ({exc.strerror})", path) from None
    h = _header_index(lines)
    if h is None:
        raise AnnotationError("not a RemLogic event export (no 'Time'/'Event' header row)", path)
    names = [c.strip().lower() for c in lines[h].split("\t")]
    col_time = next(i for i, c in enumerate(names) if c.startswith("time"))
    col_event = names.index("event")
    col_dur = next((i for i, c in enumerate(names) if c.startswith("duration")), None)
    col_loc = next((i for i, c in enumerate(names) if c.startswith("location")), None)
    times: list[_dt.datetime | _dt.time] = []
    labels, durations, channels, stages = [], [], [], []
    for row, line in enumerate(lines[h + 1:], start=h + 2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) <= max(col_time, col_event):
            raise AnnotationError(f"line {row}: expected {len(names)} tab-separated columns, "
                                  f"found {len(cells)}", path)
        event = cells[col_event].strip()
        times.append(_parse_time(cells[col_time], row, path))
        dur_text = cells[col_dur].strip().replace(",", ".") if (
            col_dur is not None and col_dur < len(cells)) else ""
        try:
            durations.append(float(dur_text) if dur_text else float("nan"))
        except ValueError:
            raise AnnotationError(f"line {row}: duration {dur_text!r} is not a number",
                                  path) from None
        channels.append(cells[col_loc].strip() if col_loc is not None and col_loc < len(cells)
                        else "")
        labels.append(event)
        stage = stage_from_annotation(event, durations[-1] if durations[-1] == durations[-1]
                                      else None)
        stages.append("?" if is_movement_time(event) else (stage or ""))
    onsets = align_clock_times(times, recording.start if recording is not None else None, path)
    return RawScorings(make_items(onsets, durations, labels, channels, stages))
