"""De-identified copies of EDF/EDF+/BDF/BDF+ recordings (HIPAA Safe Harbor).

:func:`anonymize_recording` writes a copy of a recording in which everything
that identifies the person is removed, and nothing else changes: the signal
samples are copied byte for byte, the input is only ever opened for reading,
and the copy is written under a temporary name and renamed into place.

What is done to each part of the file, and why (HIPAA Privacy Rule,
45 CFR §164.514(b)(2), "Safe Harbor": names, all elements of dates except the
year, and every identifying number or code must be removed):

* **Patient field** (EDF+ ``code sex birthdate name …``) → ``X <sex> X X``:
  hospital code, birth date, name and any free text are removed; the sex
  (``M``/``F``) is kept as it is not a Safe Harbor identifier.  A plain-EDF
  (free-text) patient field becomes ``X``.
* **Recording field** (EDF+ ``Startdate dd-MMM-yyyy admincode technician
  equipment …``) → ``Startdate X X X X``: the date, the administration code
  (an identifying number), the technician's name and the equipment (which may
  carry a serial number) are removed.  With ``keep_year=True`` the start date
  becomes 1 January of the same year (``Startdate 01-JAN-yyyy X X X``): Safe
  Harbor allows the year.  A plain-EDF recording field becomes ``X``.
* **Start date** in the fixed header → ``01.01.85``, the EDF+ convention for
  an unknown/anonymised date (or ``01.01.yy`` with ``keep_year``).
* **Start time** (clock time of day) is kept by default: it is not an element
  of a date, and clock time matters for sleep (lights off, circadian timing).
  ``drop_time=True`` sets it to ``00.00.00``.
* **Annotations** (EDF+/BDF+ TALs): onsets and durations are kept; a text is
  kept only when every word of it belongs to the scoring vocabularies
  (:data:`SCORING_WORDS`: sleep stages, arousals, respiratory events, leg and
  other movements, lights, artefacts, somnomotor's own exports) and every
  number in it is short (at most three digits, e.g. ``Sleep stage 2``,
  ``SpO2 desaturation 4%``).  Any other text — free comments, names, dates,
  record numbers — is replaced by ``redacted`` (``X`` when the data record has
  no room for the longer word).  Time-keeping annotations are untouched.
* **Signal headers** (labels, transducer, physical dimension, prefilter,
  ranges, sampling) and all **samples** are copied unchanged.

File names are the caller's business: choose an output name that does not
identify the person.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._atomic import atomic_write
from .errors import RecordingError

#: Words allowed in a kept annotation (lower case).  Numbers are handled apart.
SCORING_WORDS: frozenset[str] = frozenset("""
sleep stage stages w wake wakefulness n n1 n2 n3 n4 r rem nrem ? unscored unknown mt movement time
lights light off on out in lightsoff lightson recording start starts end ends begin
arousal arousals eeg micro microarousal spontaneous spont respiratory resp limb leg legs
plm plms plmw lm clm cam asda aro res
apnea apnoea apneas obstructive central mixed hypopnea hypopnoea hypopneas rera reras
desaturation desat spo2 sao2 oxygen saturation snore snoring periodic breathing cheyne stokes
effort related flow limitation paradox respiratory_paradox
bruxism rmd rhythmic masticatory myoclonus myoclonic jerk jerks hypnic fragmentary
propriospinal generalized generalised random grm tonic phasic activity atonia rswa rbd
morning episode burst bursts candidate
left right bilateral both midline
artifact artefact artifacts artefacts impedance calibration check bio biocal
body position supine prone lateral upright
tibialis_anterior tibialis anterior mentalis submentalis masseter fds biceps deltoid pectoralis
intercostal rectus_abdominis rectus abdominis paraspinal scm chin arm arms
epoch epochs event events start_time heart rate bradycardia tachycardia arrhythmia
somnomotor no
""".split())

_NUMBER = re.compile(r"^[-+]?\d{1,3}([.,]\d{1,3})?%?$")
_SPLIT = re.compile(r"[\s,;:()\[\]/|=#\-]+")
REDACTED = "redacted"


def is_scoring_text(text: str, extra_words: Iterable[str] = ()) -> bool:
    """True when an annotation text is scoring vocabulary (kept by :func:`anonymize_recording`).

    >>> is_scoring_text("Sleep stage N2"), is_scoring_text("Obstructive Apnea")
    (True, True)
    >>> is_scoring_text("John Smith called the nurse"), is_scoring_text("MRN 123456")
    (False, False)
    """
    words = {w.lower() for w in extra_words}
    tokens = [t for t in _SPLIT.split(text.strip()) if t]
    if not tokens:
        return text.strip() == ""
    for tok in tokens:
        low = tok.lower()
        if low in SCORING_WORDS or low in words or _NUMBER.match(tok):
            continue
        return False
    return True


@dataclass
class AnonymizationReport:
    """What :func:`anonymize_recording` changed (counts only: no identifying values)."""

    source: str
    destination: str
    file_type: str
    start_date: str
    start_time_kept: bool
    fields_cleared: list[str] = field(default_factory=list)
    annotations_kept: int = 0
    annotations_redacted: int = 0


@dataclass(frozen=True)
class _Layout:
    file_type: str            # "EDF", "EDF+", "BDF", "BDF+"
    header_bytes: int
    n_records: int
    record_bytes: int
    annotation_slices: tuple[tuple[int, int], ...]  # byte ranges inside one record


def _read_layout(path: Path) -> _Layout:
    """What anonymising needs of the header, from the package's one EDF header parser
    (:func:`somnomotor.io.edf.read_layout`: the same checks as reading a recording)."""
    from .io.edf import read_layout

    layout = read_layout(path)
    base = "BDF" if layout.bdf else "EDF"
    return _Layout(base + ("+" if layout.plus else ""), layout.header_bytes, layout.n_records,
                   layout.record_bytes, layout.annotation_byte_ranges())


def _field(text: str, width: int) -> bytes:
    return text.encode("ascii")[:width].ljust(width, b" ")


def _anonymized_patient(old: str, plus: bool) -> str:
    parts = old.split()
    if plus and len(parts) >= 4 and parts[1] in ("M", "F"):
        return f"X {parts[1]} X X"
    return "X X X X" if plus else "X"


def _edfplus_year(recording_field: str, header_date: str) -> int | None:
    parts = recording_field.split()
    if len(parts) >= 2 and parts[0] == "Startdate":
        m = re.match(r"^\d{2}-[A-Z]{3}-(\d{4})$", parts[1])
        if m:
            return int(m.group(1))
    m = re.match(r"^\d{2}\.\d{2}\.(\d{2})$", header_date)
    if m:
        yy = int(m.group(1))
        return 1900 + yy if yy >= 85 else 2000 + yy
    return None


def _redact_record(area: bytes, extra: Iterable[str]) -> tuple[bytes, int, int]:
    """Rewrite one record's annotation bytes; returns (bytes, kept, redacted)."""
    body = area.rstrip(b"\x00")
    if not body:
        return area, 0, 0
    kept = redacted = 0
    tals_out: list[list[bytes]] = []
    changed = False
    for tal in body.split(b"\x00"):
        if not tal:
            continue
        parts = tal.split(b"\x14")
        head, texts = parts[0], parts[1:]
        if texts and texts[-1] == b"":
            texts = texts[:-1]
        new_texts = []
        for t in texts:
            if t == b"":
                new_texts.append(t)
                continue
            text = t.decode("utf-8", errors="replace")
            if is_scoring_text(text, extra):
                new_texts.append(t)
                kept += 1
            else:
                new_texts.append(REDACTED.encode())
                redacted += 1
                changed = True
        tals_out.append([head, *new_texts])
    if not changed:
        return area, kept, redacted
    for replacement in (REDACTED.encode(), b"X"):
        rebuilt = b"".join(
            tal[0] + b"\x14" + b"".join(t + b"\x14" for t in
                                        [replacement if t == REDACTED.encode() else t
                                         for t in tal[1:]]) + b"\x00"
            for tal in tals_out)
        if len(rebuilt) <= len(area):
            return rebuilt.ljust(len(area), b"\x00"), kept, redacted
    raise RecordingError("an annotation data record cannot be rewritten in place")  # pragma: no cover


def anonymize_recording(src: str | os.PathLike[str], dst: str | os.PathLike[str], *,
                        keep_year: bool = False, drop_time: bool = False,
                        extra_words: Iterable[str] = (),
                        chunk_records: int = 2048) -> AnonymizationReport:
    """Write a de-identified copy of an EDF/EDF+/BDF/BDF+ recording.

    See the module docstring for exactly what is removed (HIPAA Safe Harbor).
    Samples are copied byte for byte; the input is opened read-only; the output
    is written whole or not at all, in blocks of ``chunk_records`` data records
    (memory does not grow with the night).

    Parameters
    ----------
    src, dst : path
        Input recording and output file (must differ).
    keep_year : bool
        Keep the year of the start date (1 January of that year); default
        ``01.01.85`` (EDF+ convention for an anonymised date).
    drop_time : bool
        Also set the start clock time to 00.00.00.
    extra_words : iterable of str
        Words to accept in annotation texts beyond :data:`SCORING_WORDS`
        (e.g. a lab's own event names).

    Returns
    -------
    AnonymizationReport
        Counts of what changed (no identifying values).

    Raises
    ------
    RecordingError
        The input is not a readable EDF/BDF file (truncated, inconsistent header).

    Examples
    --------
    >>> report = anonymize_recording("night3.edf", "subject07-night3.edf")
    >>> report.fields_cleared, report.start_date
    (['patient', 'recording', 'startdate'], '01.01.85')
    """
    src, dst = Path(src), Path(dst)
    if not src.is_file():
        raise RecordingError("file not found", src)
    if dst.exists() and os.path.samefile(src, dst):
        raise RecordingError("output would overwrite the input; choose another file name", dst)
    extra = tuple(extra_words)
    layout = _read_layout(src)
    with open(src, "rb") as fh:  # read-only
        head = fh.read(layout.header_bytes)
        plus = layout.file_type.endswith("+")
        header = bytearray(head[:layout.header_bytes])
        # These fields are replaced anyway: read them leniently (files in the wild
        # carry names in Latin-1 or UTF-8 although EDF asks for ASCII).
        old_patient = bytes(header[8:88]).decode("latin-1")
        old_recording = bytes(header[88:168]).decode("latin-1")
        old_date = bytes(header[168:176]).decode("latin-1")
        year = _edfplus_year(old_recording, old_date) if keep_year else None
        if year is not None and 1985 <= year <= 2084:
            date = f"01.01.{year % 100:02d}"
            rec_field = f"Startdate 01-JAN-{year} X X X" if plus else "X"
        else:
            date = "01.01.85"
            rec_field = "Startdate X X X X" if plus else "X"
        header[8:88] = _field(_anonymized_patient(old_patient, plus), 80)
        header[88:168] = _field(rec_field, 80)
        header[168:176] = _field(date, 8)
        if drop_time:
            header[176:184] = _field("00.00.00", 8)
        report = AnonymizationReport(
            source=str(src), destination=str(dst), file_type=layout.file_type,
            start_date=date, start_time_kept=not drop_time,
            fields_cleared=["patient", "recording", "startdate"] + (["starttime"] if drop_time
                                                                    else []))
        with atomic_write(dst, "wb") as out:
            out.write(bytes(header))
            fh.seek(layout.header_bytes)
            remaining = layout.n_records
            while remaining > 0:
                n = min(chunk_records, remaining)
                block = fh.read(n * layout.record_bytes)
                if len(block) < n * layout.record_bytes:
                    raise RecordingError("file ended inside a data record", src)
                if layout.annotation_slices:
                    arr = np.frombuffer(block, dtype=np.uint8).reshape(n, layout.record_bytes)
                    arr = arr.copy()
                    for a, b in layout.annotation_slices:
                        for i in range(n):
                            area = arr[i, a:b].tobytes()
                            new, k, r = _redact_record(area, extra)
                            report.annotations_kept += k
                            report.annotations_redacted += r
                            if new is not area:
                                arr[i, a:b] = np.frombuffer(new, dtype=np.uint8)
                    block = arr.tobytes()
                out.write(block)
                remaining -= n
            # bytes after the last promised record (rare) are not copied: they
            # are not part of the recording and could hold anything.
    return report
