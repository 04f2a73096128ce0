"""Noxturnal (Nox Medical) CSV event exports → scorings.

Noxturnal writes UTF-16 with a BOM, comma-separated, in the user's language:
a header row (``Start Time,End Time,Event,Duration`` — in French
``Heure de début,Heure de fin,Événement,Durée``, in German
``Startzeit,Endzeit,Ereignis,Dauer``), a row of units (``[],[],[],[s]``), then
one row per event with a date and a clock time (``15/01/2016 22:30:00``).
30-s stage rows make the hypnogram; the labels are mapped with the Noxturnal
table of :mod:`somnomotor.io.vendor_vocab`.  Without a recording, onset 0 is
the export's start-of-analysis marker (``Début de l'analyse``), else its first
epoch.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os

from ..errors import AnnotationError
from ..recording import Recording
from .clock import parse_duration, parse_stamps
from .scorings import RawScorings, export_anchor, place_on_timeline, vendor_items
from .text import read_text
from .vendor_vocab import NOXTURNAL, normalise

_START = frozenset(normalise(w) for w in (
    "Start Time", "Start", "Begin", "Heure de début", "Début", "Startzeit", "Beginn", "Anfang"))
_END = frozenset(normalise(w) for w in ("End Time", "End", "Heure de fin", "Fin", "Endzeit",
                                       "Ende"))
_EVENT = frozenset(normalise(w) for w in ("Event", "Événement", "Evénement", "Ereignis", "Type",
                                         "Event Type", "Type d'événement", "Ereignistyp"))
_DURATION = frozenset(normalise(w) for w in ("Duration", "Durée", "Dauer"))
_LOCATION = frozenset(normalise(w) for w in ("Location", "Signal", "Canal", "Emplacement",
                                            "Kanal", "Position"))


def _columns(line: str) -> tuple[str, list[str]] | None:
    for sep in (",", ";", "\t"):
        cells = [normalise(c.strip().strip('"')) for c in line.split(sep)]
        if (any(c in _START for c in cells) and any(c in _EVENT for c in cells)
                and (any(c in _END for c in cells) or any(c in _DURATION for c in cells))):
            return sep, cells
    return None


def looks_like_noxturnal(text: str) -> bool:
    """True when the first line names Noxturnal's start, event and end/duration columns."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    return _columns(first) is not None


def read_noxturnal(path: str | os.PathLike[str], recording: Recording | None, *,
                   origin: _dt.datetime | _dt.time | None = None) -> RawScorings:
    """Read a Noxturnal CSV export (any of its languages; UTF-16 or UTF-8).

    >>> raw = read_noxturnal("noxturnal-events.csv", None)
    """
    lines = read_text(path).splitlines()
    head = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    found = _columns(lines[head]) if head is not None else None
    if head is None or found is None:
        raise AnnotationError("not a Noxturnal export (no start/event/end header row)", path)
    sep, names = found
    col_start = next(i for i, c in enumerate(names) if c in _START)
    col_event = next(i for i, c in enumerate(names) if c in _EVENT)
    col_end = next((i for i, c in enumerate(names) if c in _END), None)
    col_dur = next((i for i, c in enumerate(names) if c in _DURATION), None)
    col_loc = next((i for i, c in enumerate(names) if c in _LOCATION), None)
    starts, ends, rows, labels, durations, channels = [], [], [], [], [], []
    needed = max(c for c in (col_start, col_event, col_end, col_dur) if c is not None)
    reader = csv.reader(io.StringIO("\n".join(lines[head + 1:])), delimiter=sep)
    for row, cells in enumerate(reader, start=head + 2):
        if not any(c.strip() for c in cells):
            continue
        if all(c.strip() in ("", "[]") or (c.strip().startswith("[") and c.strip().endswith("]"))
               for c in cells):
            continue  # the row of units: [],[],[],[s]
        if len(cells) <= needed:
            raise AnnotationError(f"line {row}: expected {needed + 1} columns, found "
                                  f"{len(cells)} (is the file cut short?)", path)
        starts.append(cells[col_start])
        if col_end is not None:
            ends.append(cells[col_end])
        rows.append(row)
        labels.append(cells[col_event].strip())
        channels.append(cells[col_loc].strip() if col_loc is not None else "")
        text = cells[col_dur].strip() if col_dur is not None else ""
        try:
            durations.append(parse_duration(text))
        except ValueError:
            raise AnnotationError(f"line {row}: duration {text!r} is not a number",
                                  path) from None
    if not labels:
        raise AnnotationError("the export holds no events (only its header)", path)
    stamps = parse_stamps(starts, path, rows=rows)
    if col_end is not None:
        stops = parse_stamps(ends, path, rows=rows)
        for i, (a, b) in enumerate(zip(stamps, stops, strict=True)):
            if durations[i] != durations[i] and isinstance(a, _dt.datetime) \
                    and isinstance(b, _dt.datetime):
                durations[i] = (b - a).total_seconds()
    items = vendor_items(NOXTURNAL, [0.0] * len(labels), durations, labels, channels)
    anchor, source = export_anchor(stamps, labels, items["stage"].tolist())
    onsets, used, used_source = place_on_timeline(stamps, recording=recording, origin=origin,
                                                  anchor=anchor, anchor_source=source, path=path)
    items["onset"] = onsets
    return RawScorings(items, clock_origin=used, clock_origin_source=used_source)
