"""SOMNOmedics DOMINO text exports → scorings.

DOMINO exports one text file per kind of scoring ("Sleep profile",
"Classification Arousals", "Flow Events", PLM, generic event lists), each a
header block, a blank line, then one line per epoch or event::

    Signal ID: SchlafProfil\\profil
    Start Time: 17/11/2010 23:57:00
    Unit:
    Signal Type: Discret
    Events list: N4,N3,N2,N1,REM,Wake,Movement
    Rate: 30 s

    23:57:00,000; Wake
    23:57:30,000; N1

and for events (``Signal Type: Impuls``; start–end, duration in ``Unit``, label)::

    00:41:31,513-00:41:42,736; 11;Hypopnea

Lines may carry dates (``17.11.2010 23:57:39,992-17.11.2010 23:57:40,992; …``).
Without a recording, onset 0 is the header's ``Start Time``.  A folder of such
files is read as one scoring: the sleep profile's epochs and every file's
events on one timeline.  Labels are mapped with the DOMINO table of
:mod:`somnomotor.io.vendor_vocab` (English and German).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import AnnotationError
from ..recording import Recording
from .clock import _STAMP, parse_duration, parse_stamps
from .scorings import RawScorings, place_on_timeline, vendor_items
from .text import read_text
from .vendor_vocab import DOMINO

_KEYS = {"signal id": "signal", "start time": "start", "startzeit": "start", "unit": "unit",
         "einheit": "unit", "signal type": "type", "signaltyp": "type",
         "events list": "events", "rate": "rate"}


def _header(lines: list[str]) -> tuple[dict[str, str], int]:
    """The header fields and the index of the first data line."""
    fields: dict[str, str] = {}
    for i, line in enumerate(lines):
        if not line.strip():
            if fields:
                return fields, i + 1
            continue
        key, sep, value = line.partition(":")
        name = _KEYS.get(key.strip().lower())
        if not sep or name is None:
            return fields, i
        fields[name] = value.strip()
    return fields, len(lines)


def looks_like_domino(text: str) -> bool:
    """True when the text starts with DOMINO's ``Signal ID:`` / ``Start Time:`` header."""
    fields, _ = _header(text.splitlines()[:12])
    return "signal" in fields and "start" in fields


def looks_like_domino_folder(path: Path) -> bool:
    """True when a folder holds DOMINO text exports."""
    return any(_is_domino_file(p) for p in sorted(path.glob("*.txt")))


def _is_domino_file(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(2048)
    except OSError:
        return False
    from .text import decode_bytes

    return looks_like_domino(decode_bytes(head)[0].lstrip("\ufeff"))


def _split_span(field: str) -> tuple[str, str | None]:
    """``a-b`` → (a, b) where both are clock stamps; ``a`` → (a, None)."""
    text = field.strip()
    if _STAMP.match(text):
        return text, None
    for m in re.finditer("-", text):
        left, right = text[:m.start()], text[m.end():]
        if _STAMP.match(left) and _STAMP.match(right):
            return left.strip(), right.strip()
    return text, None


@dataclass
class _File:
    path: Path
    start: _dt.datetime | _dt.time | None
    stamps: list[_dt.datetime | _dt.time]
    labels: list[str]
    durations: list[float]
    stage_file: bool


def _read_file(path: Path) -> _File:
    lines = read_text(path).splitlines()
    fields, first = _header(lines)
    if "signal" not in fields or "start" not in fields:
        raise AnnotationError("not a DOMINO export (no 'Signal ID:' and 'Start Time:' header)",
                              path)
    start = parse_stamps([fields["start"]], path, what="header 'Start Time'")[0]
    unit = fields.get("unit", "").strip().lower()
    factor = {"ms": 1e-3, "s": 1.0, "sec": 1.0, "min": 60.0, "": 1.0}.get(unit)
    if factor is None:
        raise AnnotationError(f"header 'Unit: {fields.get('unit')}' is not a time unit this "
                              "reader knows (s, ms, min)", path)
    discrete = fields.get("type", "").lower().startswith("discret")
    rate = float("nan")
    if "rate" in fields:
        m = re.match(r"^\s*([\d.,]+)\s*(ms|s|sec|min)?\s*$", fields["rate"], re.IGNORECASE)
        if not m:
            raise AnnotationError(f"header 'Rate: {fields['rate']}' is not a duration", path)
        rate = float(m[1].replace(",", ".")) * {"ms": 1e-3, "min": 60.0}.get(
            (m[2] or "s").lower(), 1.0)
    if discrete and not rate > 0:
        raise AnnotationError("a DOMINO sleep profile ('Signal Type: Discret') needs its "
                              "'Rate:' (the epoch length)", path)
    begins: list[str] = []
    ends: list[str | None] = []
    rows: list[int] = []
    labels: list[str] = []
    durations: list[float] = []
    for row, line in enumerate(lines[first:], start=first + 1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(";")]
        if len(cells) < 2 or not cells[-1] or re.fullmatch(r"[\d.,]+", cells[-1]):
            raise AnnotationError(f"line {row}: expected 'time; label' or 'start-end; duration; "
                                  f"label', found {line.strip()!r} (is the file cut short?)", path)
        a, b = _split_span(cells[0])
        begins.append(a)
        ends.append(b)
        rows.append(row)
        labels.append(cells[-1])
        if discrete:
            durations.append(rate)
        elif len(cells) >= 3 and cells[1]:
            try:
                durations.append(parse_duration(cells[1]) * factor)
            except ValueError:
                raise AnnotationError(f"line {row}: duration {cells[1]!r} is not a number",
                                      path) from None
        else:
            durations.append(float("nan"))
    stamps = parse_stamps(begins, path, rows=rows)
    with_end = [i for i, e in enumerate(ends) if e is not None]
    if with_end:
        stops = parse_stamps([str(ends[i]) for i in with_end], path,
                             rows=[rows[i] for i in with_end])
        for i, stop in zip(with_end, stops, strict=True):
            begin = stamps[i]
            if isinstance(begin, _dt.datetime) and isinstance(stop, _dt.datetime):
                durations[i] = (stop - begin).total_seconds()
            elif isinstance(begin, _dt.time) and isinstance(stop, _dt.time):
                span = (stop.hour * 3600 + stop.minute * 60 + stop.second + stop.microsecond / 1e6
                        - begin.hour * 3600 - begin.minute * 60 - begin.second
                        - begin.microsecond / 1e6)
                durations[i] = span % 86400.0
    return _File(path, start, stamps, labels, durations, discrete)


def read_domino(path: str | os.PathLike[str], recording: Recording | None, *,
                origin: _dt.datetime | _dt.time | None = None) -> RawScorings:
    """Read one DOMINO text export, or a folder of them, into :class:`RawScorings`.

    >>> raw = read_domino("Sleep profile - 0001.txt", None)
    >>> raw = read_domino("exports/night1", None)
    """
    p = Path(path)
    files = ([_read_file(f) for f in sorted(p.glob("*.txt")) if _is_domino_file(f)]
             if p.is_dir() else [_read_file(p)])
    profiles = [f for f in files if f.stage_file]
    anchor_file = profiles[0] if profiles else files[0]
    anchor = anchor_file.start
    source = (f"the 'Start Time' header of {anchor_file.path.name}" if p.is_dir()
              else "the export's 'Start Time' header")
    warnings = []
    if len(profiles) > 1:
        warnings.append(f"{len(profiles)} sleep profiles in the folder "
                        f"({', '.join(f.path.name for f in profiles)}); their epochs overlap "
                        "and the later file wins")
    labels = [lab for f in files for lab in f.labels]
    durations = [d for f in files for d in f.durations]
    channels = [f.path.stem if p.is_dir() else "" for f in files for _ in f.labels]
    if not labels:
        raise AnnotationError("the DOMINO export holds no epochs or events (only its header)",
                              path)
    # Each file is in time order on its own (clock times cross midnight within it): place
    # each on the one timeline separately.
    parts, used, used_source = [], None, ""
    for f in files:
        on, used, used_source = place_on_timeline(f.stamps, recording=recording, origin=origin,
                                                  anchor=anchor, anchor_source=source,
                                                  path=f.path)
        parts.append(on)
    onsets = np.concatenate(parts) if parts else np.zeros(0)
    items = vendor_items(DOMINO, onsets, durations, labels, channels)
    # Stages only from the sleep profile(s): a "Wake" in an event list is not an epoch.
    from_profile = np.array([f.stage_file for f in files for _ in f.labels], dtype=bool)
    items.loc[~from_profile, "stage"] = ""
    epoch = next((f.durations[0] for f in profiles if f.durations), 30.0)
    return RawScorings(items, epoch=float(epoch), warnings=warnings, clock_origin=used,
                       clock_origin_source=used_source)
