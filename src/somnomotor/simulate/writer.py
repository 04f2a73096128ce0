"""Write a simulated night: EDF+C (edfio) with annotations, and the truth CSV.

A night with recording gaps (``gaps.count``) is written as EDF+D: the data
records inside a gap are left out and every record keeps its true onset in its
time-keeping annotation (EDF+ specification, section 2.2.4).  Beside the truth
go ``*.inserted.csv`` (the leg movements as inserted) and, when the night has
boundary probes, ``*.probes.csv``.

The EDF+ has 1-s data records, physical dimension ``uV`` on every signal,
16-bit digital range and a physical range per channel kind wide enough for
the largest simulated value (values beyond it are clipped, which real
amplifiers do too).  The header's start date and time come from the seed
(:func:`~somnomotor.simulate.night.start_datetime`), never from the clock, so
the same seed and settings give byte-identical files.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .._atomic import atomic_path
from ..errors import InputError
from ..events import write_events_csv
from .night import SimulatedNight

#: Physical range (± µV) by channel kind.
PHYSICAL_RANGE_UV: dict[str, float] = {"emg": 2000.0, "ecg": 5000.0, "eeg": 1000.0,
                                       "eog": 1000.0}
#: Pre-filtering noted in the header (what the simulated amplifier passes).
PREFILTER: dict[str, str] = {"emg": "HP:0.1Hz LP:0.4*fs", "ecg": "HP:0.1Hz", "eeg": "HP:0.1Hz",
                             "eog": "HP:0.1Hz"}


def truth_path(path: str | os.PathLike[str], what: str = "truth") -> Path:
    """``night.edf`` -> ``night.truth.csv`` (same folder); ``what="probes"`` -> ``night.probes.csv``."""
    p = Path(path)
    stem = p.name[:-4] if p.name.lower().endswith(".edf") else p.name
    return p.with_name(f"{stem}.{what}.csv")


def _tals(raw: bytes) -> tuple[bytes, list[bytes]]:
    """An annotation signal's bytes in one record -> (time-keeping TAL, other TALs)."""
    parts = [t for t in raw.split(b"\x00") if t]
    return parts[0] + b"\x00", [t + b"\x00" for t in parts[1:]]


def make_discontinuous(path: Path, gaps: list[tuple[float, float]]) -> None:
    """Turn an EDF+C file of 1-s records into EDF+D without the records inside ``gaps``.

    Gaps are whole seconds.  Annotations that were stored in a left-out record
    move to the next record kept (their onsets are absolute, so they keep their
    time); the annotation signal is widened when a record needs more room.
    """
    b = path.read_bytes()
    hb, n_rec, ns = int(b[184:192]), int(b[236:244]), int(b[252:256])
    labels = [b[256 + 16 * i:256 + 16 * (i + 1)].strip() for i in range(ns)]
    spr_at = 256 + ns * (16 + 80 + 8 * 5 + 80)
    spr = [int(b[spr_at + 8 * i:spr_at + 8 * (i + 1)]) for i in range(ns)]
    k_ann = labels.index(b"EDF Annotations")
    if k_ann != ns - 1:  # pragma: no cover - edfio writes the annotation signal last
        raise ValueError("the annotation signal is not the last signal")
    rec = 2 * sum(spr)
    data_bytes = 2 * sum(spr[:-1])
    drop = np.zeros(n_rec, dtype=bool)
    for g0, gd in gaps:
        drop[int(round(g0)):int(round(g0 + gd))] = True
    keep = np.flatnonzero(~drop)
    carried: list[bytes] = []
    records: list[tuple[bytes, bytes]] = []
    for r in range(n_rec):
        raw = b[hb + r * rec:hb + (r + 1) * rec]
        head, tals = _tals(raw[data_bytes:])
        if drop[r]:
            carried += tals
            continue
        records.append((raw[:data_bytes], head + b"".join(carried + tals)))
        carried = []
    if carried and records:  # a gap at the very end: keep its annotations in the last record
        d, a = records[-1]
        records[-1] = (d, a + b"".join(carried))
    width = max(2 * spr[-1], max(len(a) for _, a in records))
    width += width % 2
    out = bytearray(b[:hb])
    out[192:236] = b"EDF+D".ljust(44)
    out[236:244] = str(len(keep)).encode().ljust(8)
    out[spr_at + 8 * (ns - 1):spr_at + 8 * ns] = str(width // 2).encode().ljust(8)
    for d, a in records:
        out += d + a.ljust(width, b"\x00")
    path.write_bytes(bytes(out))


def write_night(night: SimulatedNight, path: str | os.PathLike[str]) -> Path:
    """Write the night as EDF+C at ``path`` and its truth at ``<path without .edf>.truth.csv``.

    Both files are written atomically (temporary name, then rename).

    Parameters
    ----------
    night : SimulatedNight
        From :func:`~somnomotor.simulate.simulate_night`.
    path : path-like
        The EDF file to write (``.edf``).

    Returns
    -------
    Path
        The truth CSV's path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from somnomotor.simulate import simulate_night
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_night(simulate_night("healthy", hours=0.1), d / "n.edf").name
    'n.truth.csv'
    """
    from edfio import Edf, EdfAnnotation, EdfSignal, Patient, Recording

    path = Path(path)
    if path.suffix.lower() != ".edf":
        raise InputError("the output of a simulated night must end in .edf", path)
    rec = night.recording
    signals = []
    for ch in rec.channels:
        lim = PHYSICAL_RANGE_UV.get(ch.kind, 2000.0)
        x = np.nan_to_num(np.clip(rec.read(ch.label).astype(np.float64), -lim, lim), nan=0.0)
        signals.append(EdfSignal(x, sampling_frequency=ch.fs, label=ch.label,
                                 transducer_type=ch.transducer[:80],
                                 physical_dimension="uV", physical_range=(-lim, lim),
                                 prefiltering=PREFILTER.get(ch.kind, "")))
    ann = [EdfAnnotation(float(round(r.onset, 4)), float(round(r.duration, 4)), str(r.text))
           for r in rec.annotations.itertuples(index=False)]
    start = rec.start
    assert start is not None
    edf = Edf(signals,
              patient=Patient(code="SIM", sex="X", name="Simulated",
                              additional=(f"scenario={night.settings.get('scenario', '')}",)),
              recording=Recording(startdate=start.date(), hospital_administration_code="SIM",
                                  investigator_technician_code="somnomotor",
                                  equipment_code="simulator",
                                  additional=(f"seed={night.seed}",)),
              starttime=start.time(), data_record_duration=1.0, annotations=ann)
    with atomic_path(path) as tmp:
        edf.write(tmp)
        if night.gaps:
            make_discontinuous(Path(tmp), night.gaps)
    tpath = truth_path(path)
    write_events_csv(night.truth, tpath)
    if len(night.inserted):
        with atomic_path(truth_path(path, "inserted")) as tmp:
            night.inserted.to_csv(tmp, index=False, float_format="%.6f")
    if len(night.probes):
        with atomic_path(truth_path(path, "probes")) as tmp:
            night.probes.to_csv(tmp, index=False, float_format="%.6f")
    return tpath
