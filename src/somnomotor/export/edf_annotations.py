"""``scored.edf``: the events (and stages) as an EDF+ annotation-only file.

The file holds no signals, only an ``EDF Annotations`` signal (EDF+C, data
record duration 0 as the EDF+ specification allows for annotation-only files),
so EDFbrowser, MNE (``mne.read_annotations``), Luna and edfio open it, and
EDFbrowser can import it onto the original recording.  Each event becomes one
annotation whose onset and duration are written in full precision (edfio
writes the shortest text that round-trips the float) and whose text is given by
:func:`somnomotor.export._vocab.event_text` (e.g. ``"LM left"``, ``"PLM bilateral"``,
``"Myoclonus fds right"``); each 30-s epoch of the hypnogram becomes
``"Sleep stage W"`` … ``"Sleep stage R"`` / ``"Sleep stage ?"``.
"""

from __future__ import annotations

import datetime as _dt
import os

import edfio
import numpy as np
import pandas as pd

from .._atomic import atomic_path
from ..events import make_events
from ..hypnogram import Hypnogram
from ._vocab import STAGE_TEXT, event_texts


def _annotations(events: pd.DataFrame, hypnogram: Hypnogram | None,
                 duration: float) -> list[edfio.EdfAnnotation]:
    out: list[edfio.EdfAnnotation] = []
    if hypnogram is not None and len(hypnogram):
        for onset, stage in zip(hypnogram.epoch_onsets(), hypnogram.stages, strict=True):
            if onset >= duration > 0:
                break
            out.append(edfio.EdfAnnotation(float(onset), float(hypnogram.epoch), STAGE_TEXT[stage]))
    texts = event_texts(events)
    onsets = events["onset"].to_numpy(dtype=float)
    durations = events["duration"].to_numpy(dtype=float)
    for onset, dur, text in zip(onsets, durations, texts, strict=True):
        out.append(edfio.EdfAnnotation(float(onset), float(dur), text))
    return out


def write_scored_edf(events: pd.DataFrame, path: str | os.PathLike[str], *,
                     start: _dt.datetime | None, duration: float,
                     hypnogram: Hypnogram | None = None) -> None:
    """Write the events (and the hypnogram) as an EDF+ annotation-only file.

    Parameters
    ----------
    events : DataFrame
        The events table (``somnomotor.events.EVENT_COLUMNS``); onsets and
        durations in seconds from the recording start.
    path : path
        Output file (``scored.edf``); written whole or not at all.
    start : datetime or None
        Start of the recording (its date and time go in the header so that the
        annotations line up with the recording); None writes the EDF+
        convention for an unknown date (01.01.85, ``Startdate X``) and 00.00.00.
    duration : float
        Length of the recording (s).  Events must lie inside it.
    hypnogram : Hypnogram, optional
        Stages, one annotation per 30-s epoch.

    Raises
    ------
    ValueError
        An event starts before 0 or after ``duration`` (a programming error:
        the events do not belong to this recording).

    Examples
    --------
    >>> write_scored_edf(result.events, "out/scored.edf", start=rec.start,
    ...                  duration=rec.duration, hypnogram=result.hypnogram)
    """
    events = make_events(events)
    onsets = events["onset"].to_numpy(dtype=float)
    if len(onsets) and (np.nanmin(onsets) < 0 or (duration > 0 and np.nanmax(onsets) > duration)):
        raise ValueError(f"event onsets {np.nanmin(onsets):.3f}–{np.nanmax(onsets):.3f} s lie "
                         f"outside the recording (0–{duration:.3f} s)")
    annotations = _annotations(events, hypnogram, duration)
    if start is not None:
        recording = edfio.Recording(startdate=start.date())
        starttime = start.time().replace(microsecond=0, tzinfo=None)
    else:
        recording = edfio.Recording()
        starttime = _dt.time(0, 0, 0)
    if not annotations:
        # edfio refuses an annotation-only file without annotations; an empty
        # night still gets a valid file, marked so nobody mistakes it for a failure.
        annotations = [edfio.EdfAnnotation(0.0, None, "somnomotor: no events")]
    edf = edfio.Edf([], recording=recording, starttime=starttime, annotations=annotations)
    with atomic_path(path) as tmp:
        edf.write(tmp)
