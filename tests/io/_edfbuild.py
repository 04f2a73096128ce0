"""A tiny EDF/BDF writer for tests: full control over every header byte.

Real writers refuse to write broken files; these tests need broken ones
(lying record counts, physical min = max, …) and EDF+D time keeping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Sig:
    label: str
    digital: np.ndarray  # all samples, int
    spr: int  # samples per record
    unit: str = "uV"
    pmin: float = -3276.8
    pmax: float = 3276.7
    dmin: int = -32768
    dmax: int = 32767
    overrides: dict[str, str] = field(default_factory=dict)


def _f(value: object, width: int) -> bytes:
    text = value if isinstance(value, bytes) else str(value).encode("latin-1")
    return text[:width].ljust(width, b" ")


def _tal(onset: float, duration: float | None, text: str) -> bytes:
    t = f"{onset:+.6f}".rstrip("0").rstrip(".")
    if duration is not None:
        t += f"\x15{duration:g}"
    return (t + "\x14" + text + "\x14\x00").encode()


def build_edf(path: Path, signals: Sequence[Sig], *, record_duration: float = 1.0,
              n_records: int | None = None, bdf: bool = False, plus: str = "",
              record_onsets: Sequence[float] | None = None,
              annotations: Sequence[tuple[float, float | None, str]] = (),
              ann_bytes: int = 120, startdate: str = "24.12.20", starttime: str = "22.30.00",
              main_overrides: dict[str, bytes | str] | None = None, truncate: int = 0,
              extra_bytes: int = 0) -> Path:
    """Write an EDF (or BDF) file; ``plus`` "C"/"D" adds an annotation signal."""
    bps = 3 if bdf else 2
    n = n_records if n_records is not None else len(signals[0].digital) // signals[0].spr
    sigs = list(signals)
    ann_label = "BDF Annotations" if bdf else "EDF Annotations"
    if plus:
        sigs.append(Sig(ann_label, np.zeros(0, int), ann_bytes // bps, unit="", pmin=-1, pmax=1,
                        dmin=-32768 if not bdf else -8388608, dmax=32767 if not bdf else 8388607))
    ns = len(sigs)
    version = b"\xffBIOSEMI" if bdf else b"0"
    reserved = (b"BDF+" if bdf else b"EDF+") + plus.encode() if plus else b""
    recording = "Startdate 24-DEC-2020 X X X" if plus else "rec"
    main = {
        "version": version, "patient": "X X X X" if plus else "patient",
        "recording": recording, "startdate": startdate, "starttime": starttime,
        "header_bytes": 256 * (ns + 1), "reserved": reserved, "n_records": n,
        "record_duration": f"{record_duration:g}", "n_signals": ns,
    }
    main.update(main_overrides or {})
    widths = (("version", 8), ("patient", 80), ("recording", 80), ("startdate", 8),
              ("starttime", 8), ("header_bytes", 8), ("reserved", 44), ("n_records", 8),
              ("record_duration", 8), ("n_signals", 4))
    head = b"".join(_f(main[k], w) for k, w in widths)
    fields = (("label", 16), ("transducer", 80), ("unit", 8), ("pmin", 8), ("pmax", 8),
              ("dmin", 8), ("dmax", 8), ("prefilter", 80), ("spr", 8), ("reserved", 32))
    for name, width in fields:
        for s in sigs:
            value = {"label": s.label, "transducer": "", "unit": s.unit, "pmin": f"{s.pmin:g}",
                     "pmax": f"{s.pmax:g}", "dmin": s.dmin, "dmax": s.dmax, "prefilter": "",
                     "spr": s.spr, "reserved": ""}[name]
            head += _f(s.overrides.get(name, value), width)
    onsets = list(record_onsets) if record_onsets is not None else [
        r * record_duration for r in range(n)]
    anns = sorted(annotations)
    body = bytearray()
    for r in range(n):
        for s in sigs:
            if s.label == ann_label:
                raw = _tal(onsets[r], None, "")
                if r == 0:
                    for a in anns:
                        raw += _tal(*a)
                assert len(raw) <= s.spr * bps, "annotation record too small"
                body += raw.ljust(s.spr * bps, b"\x00")
                continue
            chunk = np.asarray(s.digital[r * s.spr:(r + 1) * s.spr], dtype=np.int64)
            if bdf:
                u = (chunk & 0xFFFFFF).astype(np.uint32)
                b = np.stack([u & 0xFF, (u >> 8) & 0xFF, (u >> 16) & 0xFF], axis=1)
                body += b.astype(np.uint8).tobytes()
            else:
                body += chunk.astype("<i2").tobytes()
    data = head + bytes(body)
    if truncate:
        data = data[:-truncate]
    data += b"\x00" * extra_bytes
    path.write_bytes(data)
    return path


def ramp(n: int, lo: int = -1000, hi: int = 1000) -> np.ndarray:
    return np.linspace(lo, hi, n).round().astype(np.int64)
