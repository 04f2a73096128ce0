"""Write a simulated night: EDF+C (edfio) with annotations, and the truth CSV.

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


def truth_path(path: str | os.PathLike[str]) -> Path:
    """``night.edf`` -> ``night.truth.csv`` (same folder)."""
    p = Path(path)
    stem = p.name[:-4] if p.name.lower().endswith(".edf") else p.name
    return p.with_name(stem + ".truth.csv")


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
        x = np.clip(rec.read(ch.label).astype(np.float64), -lim, lim)
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
    tpath = truth_path(path)
    write_events_csv(night.truth, tpath)
    return tpath
