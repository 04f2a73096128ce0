"""Read EDF, EDF+ (C and D), BDF and BDF+ recordings lazily, read-only.

The header is checked field by field before anything else happens, so a broken
file gets one clear :class:`~somnomotor.errors.RecordingError` naming the file
and the field.  edfio decodes the start date and the EDF+ annotation lists
(TALs).  Samples are decoded one channel and one time window at a time: only
the data records that overlap the window are read, in blocks of about 8 MiB,
and only the wanted channel's columns of each block are kept and decoded, so
reading one channel never holds the others in memory.  The same path serves
EDF (16-bit) and BDF (24-bit, decoded with a strided byte view; edfio itself
would load a whole BDF file).  Several whole channels can be read in one pass
over the data records (:meth:`Recording.read_many`), each record read once for
all of them.

EDF+D: each data record is placed at its true onset, read from the
time-keeping annotation of the record; samples between records are NaN and the
gaps are listed in :attr:`Recording.gaps`.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import edfio
import numpy as np
import pandas as pd
from edfio.edf_annotations import _ANNOTATIONS_PATTERN

from ..channels import infer_channel
from ..errors import RecordingError
from ..recording import ChannelInfo, Gap, Recording

# -- header layout (EDF spec, https://www.edfplus.info/specs/edf.html) --------------
_MAIN_FIELDS: tuple[tuple[str, int, str], ...] = (
    ("version", 8, "version"),
    ("patient", 80, "local patient identification"),
    ("recording", 80, "local recording identification"),
    ("startdate", 8, "start date"),
    ("starttime", 8, "start time"),
    ("header_bytes", 8, "number of bytes in header"),
    ("reserved", 44, "reserved"),
    ("n_records", 8, "number of data records"),
    ("record_duration", 8, "duration of a data record"),
    ("n_signals", 4, "number of signals"),
)
_SIGNAL_FIELDS: tuple[tuple[str, int, str], ...] = (
    ("label", 16, "label"),
    ("transducer", 80, "transducer type"),
    ("unit", 8, "physical dimension"),
    ("physical_min", 8, "physical minimum"),
    ("physical_max", 8, "physical maximum"),
    ("digital_min", 8, "digital minimum"),
    ("digital_max", 8, "digital maximum"),
    ("prefilter", 80, "prefiltering"),
    ("samples_per_record", 8, "number of samples in each data record"),
    ("reserved", 32, "reserved"),
)
_MAIN_HEADER_BYTES = 256
_SIGNAL_HEADER_BYTES = 256
_BDF_MAGIC = b"\xffBIOSEMI"
#: Header fields holding text: non-ASCII bytes there are decoded (UTF-8, else Latin-1)
#: with one warning; in every other (numeric, date, count) field they are an error.
_TEXT_FIELDS = frozenset({"patient", "recording", "reserved", "label", "transducer", "unit",
                          "prefilter"})
_MICRO_SIGNS = (b"\xc2\xb5", b"\xce\xbc", b"\xb5")
_ANNOTATION_LABELS = ("EDF Annotations", "BDF Annotations")

#: Physical dimension (lower case) → factor to µV.
UNIT_TO_UV: dict[str, float] = {
    "uv": 1.0, "µv": 1.0, "μv": 1.0, "microvolt": 1.0, "microvolts": 1.0,
    "mv": 1e3, "millivolt": 1e3, "millivolts": 1e3,
    "v": 1e6, "volt": 1e6, "volts": 1e6,
    "nv": 1e-3, "nanovolt": 1e-3, "nanovolts": 1e-3,
}

#: Time-keeping tolerance (s): record onsets closer than this to contiguous are contiguous.
_CONTIGUITY_TOL_S = 1e-6


class _Signal(NamedTuple):
    label: str
    transducer: str
    unit: str
    physical_min: float
    physical_max: float
    digital_min: int
    digital_max: int
    prefilter: str
    samples_per_record: int
    is_annotation: bool


@dataclass(frozen=True)
class EdfLayout:
    """Everything the header promises, checked against the file size.

    The one EDF/BDF header parser of the package: :func:`read_recording` and
    :func:`somnomotor.anonymize.anonymize_recording` both start from it.
    """

    path: Path
    bdf: bool
    plus: str  # "", "C" or "D"
    header: dict[str, str]
    header_bytes: int
    n_records: int
    record_duration: float
    signals: tuple[_Signal, ...]
    file_size: int
    notes: tuple[str, ...] = ()

    @property
    def bytes_per_sample(self) -> int:
        return 3 if self.bdf else 2

    @property
    def samples_per_record(self) -> int:
        return sum(s.samples_per_record for s in self.signals)

    @property
    def record_bytes(self) -> int:
        return self.samples_per_record * self.bytes_per_sample

    def sample_offsets(self) -> np.ndarray:
        lens = np.array([s.samples_per_record for s in self.signals], dtype=np.int64)
        return np.concatenate([[0], np.cumsum(lens)])

    def annotation_byte_ranges(self) -> tuple[tuple[int, int], ...]:
        """Byte ranges, inside one data record, of the EDF+/BDF+ annotation signals."""
        offsets = self.sample_offsets() * self.bytes_per_sample
        return tuple((int(offsets[k]), int(offsets[k + 1]))
                     for k, s in enumerate(self.signals) if s.is_annotation and self.plus)

    @property
    def file_type(self) -> str:
        base = "BDF" if self.bdf else "EDF"
        return f"{base}+{self.plus}" if self.plus else base


def _fail(path: Path, problem: str) -> RecordingError:
    return RecordingError(problem, path)


def _decode_text_field(chunk: bytes) -> tuple[str, str]:
    """(text, encoding) of a header text field holding non-ASCII bytes: UTF-8, else Latin-1."""
    try:
        return chunk.decode("utf-8").strip(), "UTF-8"
    except UnicodeDecodeError:
        return chunk.decode("latin-1").strip(), "Latin-1"


def _decode_fields(path: Path, raw: bytes, fields: tuple[tuple[str, int, str], ...],
                   count: int, skip_first_byte: bool = False) -> list[dict[str, str]]:
    """Split a header block into strings per field (and per signal).

    Text fields (:data:`_TEXT_FIELDS`) holding non-ASCII bytes are decoded
    (UTF-8, else Latin-1) and marked ``non_ascii_<field>`` = encoding; in any
    other field non-ASCII bytes are structural damage and refused.
    """
    out: list[dict[str, str]] = [{} for _ in range(count)]
    pos = 0
    for name, width, words in fields:
        for i in range(count):
            chunk = raw[pos:pos + width]
            pos += width
            check = chunk[1:] if (skip_first_byte and name == "version") else chunk
            if not any(b > 127 for b in check):
                out[i][name] = chunk.decode("ascii", errors="replace").strip()
                continue
            if name == "unit":
                # µ is the non-ASCII character writers most often put in a unit (Latin-1
                # 0xB5, UTF-8 micro sign or Greek mu): read it as 'u' so µV is a voltage.
                fixed = chunk
                for mu in _MICRO_SIGNS:
                    fixed = fixed.replace(mu, b"u")
                if all(b <= 127 for b in fixed):
                    out[i]["unit"] = fixed.decode("ascii").strip()
                    out[i]["non_ascii_unit"] = "µ read as 'u'"
                    continue
            if name in _TEXT_FIELDS:
                out[i][name], out[i]["non_ascii_" + name] = _decode_text_field(chunk)
                continue
            where = f"signal {i + 1} " if fields is _SIGNAL_FIELDS else ""
            raise _fail(path, f"header field '{words}' {where}holds non-ASCII bytes "
                              f"({_shown(chunk)}); only text fields may (numbers, dates and counts "
                              "must be plain ASCII)")
    return out


def _shown(raw: bytes) -> str:
    """Header bytes for a message: quoted text, other bytes as \\xNN (no Python b'…')."""
    return "'" + raw.decode("latin-1").encode("unicode_escape").decode("ascii") + "'"


def _non_ascii_warning(head: dict[str, str], sigs: list[dict[str, str]]) -> str | None:
    """One warning naming every header field whose non-ASCII bytes were decoded."""
    parts: list[str] = []
    for name, _width, words in _MAIN_FIELDS:
        if head.get("non_ascii_" + name):
            parts.append(f"{words} [{head['non_ascii_' + name]}]")
    for name, _width, words in _SIGNAL_FIELDS:
        hit = [s for s in sigs if s.get("non_ascii_" + name)]
        if not hit:
            continue
        encodings = ", ".join(sorted({s["non_ascii_" + name] for s in hit}))
        shown = [f"'{s['label']}'" + (f": '{s[name]}'" if name != "label" else "")
                 for s in hit[:3]]
        more = f" and {len(hit) - 3} more" if len(hit) > 3 else ""
        what = "channel" if len(hit) == 1 else f"{len(hit)} channels"
        parts.append(f"{words} of {what} ({', '.join(shown)}{more}) [{encodings}]")
    if not parts:
        return None
    return ("header fields hold non-ASCII bytes (EDF asks for plain ASCII) and were decoded "
            "as text: " + "; ".join(parts))


def _number(path: Path, text: str, words: str, kind: type, label: str = "") -> float:
    where = f"channel '{label}': " if label else ""
    try:
        value = kind(text)
    except ValueError:
        raise _fail(path, f"{where}header field '{words}' is not a number ({text!r})") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(path, f"{where}header field '{words}' is not a finite number ({text!r})")
    return value


def read_layout(path: Path) -> EdfLayout:
    """Read and check the header; every lie or inconsistency is a RecordingError.

    Non-ASCII bytes in text fields (names, labels, units) are decoded with one
    note in ``notes``; structural damage (counts, sizes, numbers that are not
    numbers, a file shorter or longer than the header says) is refused.
    """
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:  # read-only, never written
            main = fh.read(_MAIN_HEADER_BYTES)
            if len(main) < _MAIN_HEADER_BYTES:
                raise _fail(path, f"file is too short to be EDF/BDF ({len(main)} bytes; "
                                  f"the header alone needs {_MAIN_HEADER_BYTES})")
            bdf = main.startswith(_BDF_MAGIC)
            if not bdf and not main.startswith(b"0       "):
                if main.startswith(b"GDF"):
                    raise _fail(path, "is a GDF file; only EDF, EDF+, BDF and BDF+ are read")
                raise _fail(path, f"not an EDF or BDF file (the version field is "
                                  f"{_shown(main[:8])}, expected '0' or '\\xffBIOSEMI')")
            head = _decode_fields(path, main, _MAIN_FIELDS, 1, skip_first_byte=bdf)[0]
            ns = int(_number(path, head["n_signals"], "number of signals", int))
            if ns < 1:
                raise _fail(path, f"header says the file holds {ns} signals")
            sig_raw = fh.read(_SIGNAL_HEADER_BYTES * ns)
    except FileNotFoundError:
        raise RecordingError("file not found", path) from None
    except IsADirectoryError:
        raise RecordingError("is a folder, not a recording file", path) from None
    except PermissionError:
        raise RecordingError("permission denied when opening the file", path) from None
    expected_hdr = _MAIN_HEADER_BYTES + _SIGNAL_HEADER_BYTES * ns
    if len(sig_raw) < _SIGNAL_HEADER_BYTES * ns:
        raise _fail(path, f"file is truncated inside its header ({size} bytes; the header of "
                          f"{ns} signals needs {expected_hdr})")
    header_bytes = int(_number(path, head["header_bytes"], "number of bytes in header", int))
    if header_bytes != expected_hdr:
        raise _fail(path, f"header field 'number of bytes in header' says {header_bytes} but "
                          f"{ns} signals need {expected_hdr} (256 × (signals + 1))")
    n_records = int(_number(path, head["n_records"], "number of data records", int))
    record_duration = float(_number(path, head["record_duration"],
                                    "duration of a data record", float))
    if record_duration < 0:
        raise _fail(path, f"data-record duration is negative ({record_duration} s)")
    reserved = head["reserved"]
    plus = ""
    for tag in ("EDF+C", "EDF+D", "BDF+C", "BDF+D"):
        if reserved.startswith(tag):
            plus = tag[-1]

    signals: list[_Signal] = []
    decoded = _decode_fields(path, sig_raw, _SIGNAL_FIELDS, ns)
    note = _non_ascii_warning(head, decoded)
    notes: list[str] = [note] if note else []
    for s in decoded:
        label = s["label"]
        is_ann = label in _ANNOTATION_LABELS
        spr = int(_number(path, s["samples_per_record"], "number of samples in each data record",
                          int, label))
        pmin = _number(path, s["physical_min"], "physical minimum", float, label)
        pmax = _number(path, s["physical_max"], "physical maximum", float, label)
        dmin = int(_number(path, s["digital_min"], "digital minimum", int, label))
        dmax = int(_number(path, s["digital_max"], "digital maximum", int, label))
        if spr < 0:
            raise _fail(path, f"channel '{label}' has {spr} samples per data record")
        if not is_ann:
            if spr == 0:
                raise _fail(path, f"channel '{label}' has sampling rate 0 in its header "
                                  "(0 samples per data record)")
            if record_duration == 0:
                raise _fail(path, f"data-record duration is 0 s, so channel '{label}' has no "
                                  "sampling rate")
            if pmin == pmax:
                raise _fail(path, f"channel '{label}': physical minimum equals physical maximum "
                                  f"({pmin:g}), so its samples cannot be scaled")
            if dmin >= dmax:
                raise _fail(path, f"channel '{label}': digital minimum ({dmin}) is not below "
                                  f"digital maximum ({dmax})")
        signals.append(_Signal(label, s["transducer"], s["unit"], float(pmin), float(pmax), dmin,
                               dmax, s["prefilter"], spr, is_ann))

    header = {k: v for k, v in head.items() if not k.startswith("non_ascii_")}
    layout = EdfLayout(path=path, bdf=bdf, plus=plus, header=header, header_bytes=header_bytes,
                     n_records=n_records, record_duration=record_duration,
                     signals=tuple(signals), file_size=size, notes=tuple(notes))
    return _check_size(layout)


def _check_size(layout: EdfLayout) -> EdfLayout:
    path, rb = layout.path, layout.record_bytes
    data = layout.file_size - layout.header_bytes
    if rb == 0:
        raise _fail(path, "header says each data record holds 0 samples")
    held, extra = divmod(data, rb)
    n = layout.n_records
    if n == 0:
        raise _fail(path, "header says the file holds zero data records (no signal data)")
    if n == -1:  # allowed while recording; the file size decides
        if held == 0:
            raise _fail(path, "the file holds no complete data record")
        return replace(layout, n_records=held)
    if n < -1:
        raise _fail(path, f"header field 'number of data records' is {n}")
    if held < n:
        missing = n * rb - data
        raise _fail(path, f"file is truncated: the header promises {n} data records of {rb} "
                          f"bytes but only {held} complete record(s) are present "
                          f"({missing} bytes missing)")
    if held > n or extra:
        raise _fail(path, f"header fields do not match the file size: {n} data records of {rb} "
                          f"bytes (from the samples per record) need {n * rb} data bytes, but "
                          f"the file holds {data}")
    return layout


# -- reading data records ---------------------------------------------------------------
#: Bytes read per system call when collecting one signal's bytes from many records.
_CHUNK_BYTES = 1 << 23


def read_record_columns(layout: EdfLayout, r0: int, r1: int, b0: int, b1: int) -> np.ndarray:
    """Bytes ``[b0, b1)`` of data records ``[r0, r1)``, as a ``(r1 - r0, b1 - b0)`` uint8 array.

    The records are read in blocks of about 8 MiB and only the wanted columns
    are kept, so memory stays at the result plus one block whatever the file
    size (a memory map would also do, but its pages would count against the
    process as the whole night is touched).
    """
    return read_record_column_sets(layout, r0, r1, [(b0, b1)])[0]


def _record_blocks(layout: EdfLayout, r0: int, r1: int
                   ) -> Iterator[tuple[int, np.ndarray]]:
    """Data records ``[r0, r1)`` in blocks of about 8 MiB: (index of the block's first
    record from ``r0``, its records as a ``(k, record_bytes)`` uint8 array).

    The array is one buffer, reused for the next block: copy what is kept.
    """
    rb = layout.record_bytes
    n = r1 - r0
    if n <= 0:
        return
    per_chunk = max(1, _CHUNK_BYTES // rb)
    buf = np.empty(min(n, per_chunk) * rb, dtype=np.uint8)
    with open(layout.path, "rb", buffering=0) as fh:  # read-only, straight to the OS
        for c0 in range(0, n, per_chunk):  # a loop over blocks, not samples
            c1 = min(n, c0 + per_chunk)
            want = (c1 - c0) * rb
            fh.seek(layout.header_bytes + (r0 + c0) * rb)
            view, got = memoryview(buf).cast("B"), 0  # type: ignore[arg-type]
            while got < want:  # a raw read may return less than asked
                step = fh.readinto(view[got:want])
                if not step:
                    break
                got += step
            if got != want:
                raise _fail(layout.path, "file became shorter while it was being read")
            yield c0, buf[:want].reshape(c1 - c0, rb)


def read_record_column_sets(layout: EdfLayout, r0: int, r1: int,
                            columns: Sequence[tuple[int, int]]) -> list[np.ndarray]:
    """:func:`read_record_columns` for several byte ranges in ONE pass over the records.

    Every data record is read once whatever the number of ranges (signals), so
    reading k channels costs one pass over the file, not k.
    """
    n = r1 - r0
    outs = [np.empty((max(n, 0), b1 - b0), dtype=np.uint8) for b0, b1 in columns]
    for c0, records in _record_blocks(layout, r0, r1):
        for out, (b0, b1) in zip(outs, columns, strict=True):
            out[c0:c0 + records.shape[0]] = records[:, b0:b1]
    return outs


def read_int16_columns_uv(layout: EdfLayout, r0: int, r1: int,
                          columns: Sequence[tuple[int, int]],
                          scales: Sequence[tuple[np.float32, np.float32]]) -> list[np.ndarray]:
    """16-bit signals at byte ranges ``columns`` of records ``[r0, r1)``, in µV (float32).

    One pass over the records; each block's samples go straight into the
    float32 result and are scaled there (``value × gain + offset``, per
    ``scales``) while in cache: no intermediate copy of the night's bytes.
    The same values as decoding :func:`read_record_column_sets`' bytes.
    """
    n = max(r1 - r0, 0)
    outs = [np.empty((n, (b1 - b0) // 2), dtype=np.float32) for b0, b1 in columns]
    for c0, records in _record_blocks(layout, r0, r1):
        k = records.shape[0]
        for out, (b0, b1), (gain, offset) in zip(outs, columns, scales, strict=True):
            dst = out[c0:c0 + k]
            np.copyto(dst, records[:, b0:b1].view("<i2"), casting="unsafe")
            dst *= gain
            dst += offset
    return [o.reshape(-1) for o in outs]


def _decode_24_bit(block: np.ndarray) -> np.ndarray:
    """A BDF signal's bytes (records × bytes) as its digital samples (int32).

    24-bit little-endian two's complement → int32: the three bytes go to the top of
    each 32-bit word, then an arithmetic right shift (sign extension for free).
    """
    n = block.size // 3
    value = np.zeros(n, dtype="<i4")
    value.view(np.uint8).reshape(n, 4)[:, 1:] = block.reshape(n, 3)
    value >>= 8
    return value


# -- time keeping and annotations ------------------------------------------------------
#: edfio's TAL pattern, on bytes: one regex pass over all records of an annotation signal.
_TAL = re.compile(_ANNOTATIONS_PATTERN.pattern.encode("ascii"), re.VERBOSE)


def _decode_text(raw: bytes) -> str:
    """Annotation text: UTF-8 as EDF+ requires, Latin-1 for older writers."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _read_annotations(layout: EdfLayout
                      ) -> tuple[np.ndarray | None, list[tuple[float, float | None, str]]]:
    """(record onsets from the time-keeping TALs or None, all other annotations).

    The first TAL of every data record of the first annotation signal is the
    record's time stamp (EDF+ spec, "time keeping"); its text is empty.
    """
    offsets = layout.sample_offsets() * layout.bytes_per_sample
    n = layout.n_records
    onsets = np.full(n, np.nan)
    annotations: list[tuple[float, float | None, str]] = []
    first_signal = True
    for k, sig in enumerate(layout.signals):
        if not sig.is_annotation:
            continue
        block = read_record_columns(layout, 0, n, int(offsets[k]), int(offsets[k + 1]))
        width = block.shape[1]
        previous = -1
        for m in _TAL.finditer(block.tobytes()):  # one step per TAL, not per byte
            record = m.start() // width
            onset = float(m[1])
            duration = float(m[2]) if m[2] else None
            texts = m[3].split(b"\x14")
            if first_signal and record != previous:
                if texts[0] != b"":
                    raise _fail(layout.path, f"data record {record + 1} lacks its time-keeping "
                                             "annotation (EDF+ requires one per record)")
                onsets[record] = onset
                texts = texts[1:]
            previous = record
            annotations.extend((onset, duration, _decode_text(t)) for t in texts if t)
        if first_signal and np.isnan(onsets).any():
            r = int(np.flatnonzero(np.isnan(onsets))[0])
            raise _fail(layout.path, f"data record {r + 1} lacks its time-keeping annotation "
                                     f"in '{sig.label}' (EDF+ requires one per record)")
        first_signal = False
    return (onsets if n and not first_signal else None), annotations


def _segments(layout: EdfLayout, onsets: np.ndarray) -> tuple[np.ndarray, list[Gap]]:
    """Runs of contiguous records: array of (first record, end record) and the gaps (s)."""
    T = layout.record_duration
    step = np.diff(onsets)
    if np.any(step < T - _CONTIGUITY_TOL_S):
        r = int(np.flatnonzero(step < T - _CONTIGUITY_TOL_S)[0]) + 1
        raise _fail(layout.path, f"data record {r + 1} starts at {onsets[r]:.6g} s, before the "
                                 f"previous record ends ({onsets[r - 1] + T:.6g} s)")
    breaks = np.flatnonzero(step > T + _CONTIGUITY_TOL_S) + 1
    starts = np.concatenate([[0], breaks])
    ends = np.concatenate([breaks, [onsets.size]])
    gaps = [Gap(onset=float(onsets[e - 1] + T), duration=float(onsets[e] - onsets[e - 1] - T))
            for e in ends[:-1]]
    return np.stack([starts, ends], axis=1), gaps


# -- the sample reader -------------------------------------------------------------
class _SampleReader:
    """Decodes samples [i0, i1) of one channel, in µV, from the mapped data records."""

    def __init__(self, layout: EdfLayout, ordinary: list[int], scales: list[float],
                 onsets: np.ndarray, segments: np.ndarray, gappy: bool) -> None:
        self._layout = layout
        self._ordinary = ordinary
        self._offsets = layout.sample_offsets()
        self._onsets = onsets
        self._segments = segments
        self._gappy = gappy
        self._gain: list[tuple[np.float32, np.float32]] = []
        for k, scale in zip(ordinary, scales, strict=True):
            s = layout.signals[k]
            gain = (s.physical_max - s.physical_min) / (s.digital_max - s.digital_min)
            offset = s.physical_min - gain * s.digital_min
            self._gain.append((np.float32(gain * scale), np.float32(offset * scale)))

    def _values(self, k: int, index: int, r0: int, r1: int) -> np.ndarray:
        """Samples of signal ``k`` (channel ``index``) in records [r0, r1), µV float32.

        Only that signal's bytes of those records are read.
        """
        return self._read_uv(r0, r1, [(k, index)])[0]

    def _read_uv(self, r0: int, r1: int, signals: Sequence[tuple[int, int]]
                 ) -> list[np.ndarray]:
        """Signals ``(k, channel index)`` in records [r0, r1), µV float32, in one pass."""
        bps = self._layout.bytes_per_sample
        columns = [(int(self._offsets[k] * bps), int(self._offsets[k + 1] * bps))
                   for k, _ in signals]
        scales = [self._gain[index] for _, index in signals]
        if bps == 2:
            return read_int16_columns_uv(self._layout, r0, r1, columns, scales)
        out = []
        for block, (gain, offset) in zip(read_record_column_sets(self._layout, r0, r1, columns),
                                         scales, strict=True):
            values = _decode_24_bit(block).astype(np.float32)
            values *= gain
            values += offset
            out.append(values)
        return out

    def many(self, indices: Sequence[int]) -> list[np.ndarray] | None:
        """Whole channels ``indices``, µV, in one pass over the data records.

        The same values as ``self(index, 0, n)`` for each; None when the records
        are not one contiguous stretch (EDF+D gaps), where each channel is read
        on its own.
        """
        if self._gappy or len(self._segments) != 1 or self._onsets.size == 0 \
                or self._onsets[0] != 0:
            return None
        first, end = (int(v) for v in self._segments[0])
        return self._read_uv(first, end, [(self._ordinary[i], i) for i in indices])

    def __call__(self, index: int, i0: int, i1: int) -> np.ndarray:
        k = self._ordinary[index]
        spr = self._layout.signals[k].samples_per_record
        fs = spr / self._layout.record_duration
        out = np.full(i1 - i0, np.nan, dtype=np.float32) if self._gappy else None
        for first, end in self._segments:
            k0 = int(round(self._onsets[first] * fs))
            k1 = k0 + (end - first) * spr
            lo, hi = max(i0, k0), min(i1, k1)
            if lo >= hi:
                continue
            r0 = first + (lo - k0) // spr
            r1 = first + -(-(hi - k0) // spr)
            skip = lo - k0 - (r0 - first) * spr
            values = self._values(k, index, r0, r1)[skip:skip + hi - lo]
            if out is None:
                return values
            out[lo - i0:hi - i0] = values
        if out is None:  # window outside the data
            return np.full(i1 - i0, np.nan, dtype=np.float32)
        return out


# -- header values ------------------------------------------------------------------
def _start_datetime(layout: EdfLayout, header_raw: bytes, warnings_out: list[str]
                    ) -> _dt.datetime | None:
    """Start date (edfio: EDF+ 'Startdate' field, 1985–2084 rule) and time (hh.mm.ss)."""
    h = layout.header
    try:
        hh, mm_, ss = (int(x) for x in h["starttime"].split("."))
        start_time = _dt.time(hh, mm_, ss)
    except ValueError:
        warnings_out.append(f"start time {h['starttime']!r} is not a valid hh.mm.ss time; "
                            "clock times cannot be aligned")
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = (edfio.read_bdf(header_raw) if layout.bdf
                      else edfio.read_edf(header_raw, lazy_load_data=False))
            start_date = parsed.startdate
    except Exception:  # noqa: BLE001 - edfio's messages vary; ours is below
        warnings_out.append(f"start date {h['startdate']!r} is not a valid date; "
                            "clock times cannot be aligned")
        return None
    return _dt.datetime.combine(start_date, start_time)


def _unit_scale(sig: _Signal) -> tuple[float, float, str | None]:
    """(factor applied, factor recorded: nan when the unit was not a known voltage, note)."""
    unit = sig.unit.strip()
    factor = UNIT_TO_UV.get(unit.lower())
    if factor is not None:
        return factor, factor, None
    if unit:
        return 1.0, float("nan"), (f"channel '{sig.label}' has unit '{unit}', not a known "
                                   "voltage; its values are kept as stored (assumed µV)")
    return 1.0, float("nan"), f"channel '{sig.label}' has no unit in its header; µV assumed"


#: Channel kinds whose signals are voltages: a unit that is not one is worth its own warning.
_VOLTAGE_KINDS = frozenset({"emg", "eeg", "eog", "ecg"})
#: Units of electrode-impedance channels (a Nox recording has one per electrode).
_IMPEDANCE_UNITS = frozenset({"ohm", "ohms", "kohm", "kohms", "kω", "ω", "kohm."})


def _unit_notes(infos: list[tuple[str, str, str | None]]) -> list[str]:
    """Unit notes: one per channel of a voltage kind, one line for all the others.

    ``infos``: (kind, unit, note) per channel.  Impedance, position, oximetry
    and similar channels (a Nox recording has forty) have units that are not
    voltages by nature; they are summed up in one line.
    """
    def own_line(kind: str, unit: str) -> bool:
        return kind in _VOLTAGE_KINDS and unit.strip().lower() not in _IMPEDANCE_UNITS

    others = [note for kind, unit, note in infos if note and not own_line(kind, unit)]
    if len(others) <= 3:
        return [note for _kind, _unit, note in infos if note]
    out = [note for kind, unit, note in infos if note and own_line(kind, unit)]
    rest: dict[str, int] = {}
    for kind, unit, note in infos:
        if note and not own_line(kind, unit):
            key = unit.strip() or "no unit"
            rest[key] = rest.get(key, 0) + 1
    if rest:
        listed = ", ".join(f"'{u}' ×{n}" if u != "no unit" else f"no unit ×{n}"
                           for u, n in sorted(rest.items(), key=lambda kv: (-kv[1], kv[0])))
        out.append(f"{sum(rest.values())} channel(s) are not voltages (impedance, position, "
                   f"oximetry…: units {listed}); their values are kept as stored")
    return out


def read_recording(path: str | os.PathLike[str]) -> Recording:
    """Open an EDF/EDF+/BDF/BDF+ recording lazily and read-only.

    The header is checked and the annotations are read; signals are read on
    demand with :meth:`Recording.read` as float32 µV (V, mV and nV converted;
    a missing or unknown unit is kept as stored, with a warning in
    ``recording.warnings`` and ``scale_to_uv`` NaN).  In EDF+D files samples
    inside gaps are NaN and ``recording.gaps`` lists the gaps (s).  Each
    channel's kind, muscle and side are inferred from its label
    (:func:`somnomotor.channels.infer_channel`); a lab's montage file is applied
    above this layer (:func:`somnomotor.montage.apply_montage`, or
    ``somnomotor.read(path, montage=...)``).

    Parameters
    ----------
    path : str or path-like
        The recording file.

    Returns
    -------
    Recording
        Times are seconds from the first data record; ``start`` is its clock time.

    Raises
    ------
    RecordingError
        The file is not EDF/BDF, or its header is inconsistent (truncated, lying
        record counts or sizes, physical min = max, digital min ≥ max, zero
        records, sampling rate 0, non-ASCII header).

    Examples
    --------
    >>> rec = read_recording("night.edf")               # LAT at 256 Hz
    >>> rec.read("LAT", start=600, stop=630).shape
    (7680,)
    """
    path = Path(path)
    layout = read_layout(path)
    warn: list[str] = list(layout.notes)
    with open(path, "rb") as fh:  # the header and the first data record, for edfio
        header_raw = fh.read(layout.header_bytes + layout.record_bytes)
    start = _start_datetime(layout, header_raw, warn)

    ordinary = [k for k, s in enumerate(layout.signals) if not s.is_annotation]
    scales = [_unit_scale(layout.signals[k]) for k in ordinary]
    T = layout.record_duration
    has_annotations = any(s.is_annotation for s in layout.signals)
    raw_onsets, annotations = (_read_annotations(layout) if has_annotations
                               else (None, []))
    t0 = 0.0
    onsets: np.ndarray
    if raw_onsets is not None and T > 0:
        t0 = float(raw_onsets[0])
        onsets = raw_onsets - t0
        if layout.plus != "D":
            nominal = np.arange(layout.n_records) * T
            if not np.allclose(onsets, nominal, atol=_CONTIGUITY_TOL_S + 1e-9 * layout.n_records):
                if layout.plus == "C":
                    warn.append("the EDF+C file's record time stamps are not contiguous; "
                                "records were placed at their time stamps")
                else:
                    onsets = nominal
    else:
        onsets = np.arange(layout.n_records) * T
    segments, gaps = (_segments(layout, onsets) if T > 0
                      else (np.array([[0, layout.n_records]]), []))
    reader = _SampleReader(layout, ordinary, [s[0] for s in scales], onsets, segments,
                           gappy=bool(gaps))
    duration = round(float(onsets[-1] + T), 9) if onsets.size else 0.0
    if start is not None and t0:
        start = start + _dt.timedelta(seconds=t0)

    channels: list[ChannelInfo] = []
    seen: dict[str, int] = {}
    unit_infos: list[tuple[str, str, str | None]] = []
    for k, (_applied, recorded, unit_note) in zip(ordinary, scales, strict=True):
        s = layout.signals[k]
        label = s.label
        if label in seen:
            seen[label] += 1
            new = f"{label} ({seen[label]})"
            warn.append(f"channel label '{label}' appears more than once; "
                        f"occurrence {seen[label]} is called '{new}'")
            label = new
        else:
            seen[label] = 1
        fs = s.samples_per_record / T
        info = infer_channel(label)
        unit_infos.append((info.kind, s.unit, unit_note))
        step = (s.physical_max - s.physical_min) / (s.digital_max - s.digital_min)
        channels.append(replace(info, label=label, fs=fs, unit=s.unit, scale_to_uv=recorded,
                                resolution_uv=abs(step) * recorded,
                                transducer=s.transducer, prefilter=s.prefilter,
                                n_samples=int(round(duration * fs))))
    warn.extend(_unit_notes(unit_infos))
    ann = pd.DataFrame({
        "onset": pd.Series([a[0] - t0 for a in annotations], dtype="float64"),
        "duration": pd.Series([np.nan if a[1] is None else a[1] for a in annotations],
                              dtype="float64"),
        "text": pd.Series([a[2] for a in annotations], dtype=object),
    }).sort_values("onset", kind="stable").reset_index(drop=True)
    header = dict(layout.header)
    header["n_records"] = str(layout.n_records)
    rec = Recording(path=path, start=start, duration=duration, channels=tuple(channels),
                    _reader=reader, annotations=ann, gaps=tuple(gaps),
                    file_type=layout.file_type, header=header, warnings=warn)
    return rec
