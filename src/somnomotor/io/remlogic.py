"""Embla RemLogic "Event Export" text files → scorings.

The export is a header block (patient, recording date, events included…),
then a tab-separated table whose header row names the columns, e.g.::

    Sleep Stage  Position  Time [hh:mm:ss.xxx]  Event  Duration[s]  Location

Times are clock times (``22:15:30.000``, ``22.15.30`` or ISO
``2024-03-12T22:15:30.000``) and are aligned to the recording start across
midnight; without the recording, the export's first epoch (or its
start-of-analysis marker) is time 0, so a full export scores on its own.  ``SLEEP-S0…S4``, ``SLEEP-REM``,
``SLEEP-UNSCORED`` rows make the hypnogram; ``Location`` becomes the channel.
"""

from __future__ import annotations

import datetime as _dt
import os

from ..errors import AnnotationError
from ..recording import Recording
from .clock import parse_duration, parse_stamps
from .scorings import RawScorings, export_anchor, place_on_timeline, vendor_items
from .text import read_text
from .vendor_vocab import REMLOGIC, normalise

#: Column names of the table's header row, in the languages RemLogic is installed in.
_TIME = ("time", "zeit", "heure", "tid", "tijd")
_EVENT = ("event", "ereignis", "evenement", "handelse", "gebeurtenis")
_DURATION = ("duration", "dauer", "duree", "varaktighet", "duur")
_LOCATION = ("location", "ort", "emplacement", "lokalisation", "plats", "locatie")


def _names(line: str) -> list[str]:
    return [normalise(c) for c in line.split("\t")]


def _header_index(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        cells = _names(line)
        if any(c in _EVENT for c in cells) and any(c.startswith(_TIME) for c in cells):
            return i
    return None


def looks_like_remlogic(text: str) -> bool:
    """True when the text has RemLogic's tab-separated ``Time […]``/``Event`` header row."""
    return _header_index(text.splitlines()[:200]) is not None


def _recording_date(lines: list[str], path: str | os.PathLike[str]) -> _dt.date | None:
    """The ``Recording Date:`` of the header block, when there is one."""
    for line in lines:
        key, _, value = line.partition(":")
        if normalise(key) in ("recording date", "aufnahmedatum", "date d'enregistrement") \
                and value.strip():
            try:
                stamp = parse_stamps([value.strip() + " 00:00:00"], path, what="header line")[0]
            except AnnotationError:
                return None
            return stamp.date() if isinstance(stamp, _dt.datetime) else None
    return None


def read_remlogic(path: str | os.PathLike[str], recording: Recording | None, *,
                  origin: _dt.datetime | _dt.time | None = None) -> RawScorings:
    """Read a RemLogic event export.

    Clock times are aligned to ``recording.start``; without a recording, to
    ``origin``, else to the export's own start-of-analysis marker or first
    epoch (dated with the header's ``Recording Date`` when it has one).

    >>> raw = read_remlogic("night1-events.txt", rec)
    """
    lines = read_text(path).splitlines()
    h = _header_index(lines)
    if h is None:
        raise AnnotationError("not a RemLogic event export (no 'Time'/'Event' header row)", path)
    names = _names(lines[h])
    col_time = next(i for i, c in enumerate(names) if c.startswith(_TIME))
    col_event = next(i for i, c in enumerate(names) if c in _EVENT)
    col_dur = next((i for i, c in enumerate(names) if c.startswith(_DURATION)), None)
    col_loc = next((i for i, c in enumerate(names) if c.startswith(_LOCATION)), None)
    time_text: list[str] = []
    rows: list[int] = []
    labels: list[str] = []
    durations: list[float] = []
    channels: list[str] = []
    for row, line in enumerate(lines[h + 1:], start=h + 2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) <= max(col_time, col_event):
            raise AnnotationError(f"line {row}: expected {len(names)} tab-separated columns, "
                                  f"found {len(cells)} (is the file cut short?)", path)
        event = cells[col_event].strip()
        time_text.append(cells[col_time])
        rows.append(row)
        dur_text = cells[col_dur].strip() if (col_dur is not None and col_dur < len(cells)) else ""
        try:
            durations.append(parse_duration(dur_text))
        except ValueError:
            raise AnnotationError(f"line {row}: duration {dur_text!r} is not a number",
                                  path) from None
        channels.append(cells[col_loc].strip() if col_loc is not None and col_loc < len(cells)
                        else "")
        labels.append(event)
    stamps = parse_stamps(time_text, path, rows=rows)
    items = vendor_items(REMLOGIC, [0.0] * len(labels), durations, labels, channels)
    anchor, source = export_anchor(stamps, labels, items["stage"].tolist())
    day = _recording_date(lines[:h], path)
    if isinstance(anchor, _dt.time) and day is not None:
        anchor = _dt.datetime.combine(day, anchor)
        source += " (dated by the header's Recording Date)"
    onsets, used, used_source = place_on_timeline(stamps, recording=recording, origin=origin,
                                                  anchor=anchor, anchor_source=source, path=path)
    items["onset"] = onsets
    return RawScorings(items, clock_origin=used, clock_origin_source=used_source)
