"""EDF+ annotations → scorings (in a recording or in an annotation-only EDF+ file).

Stage annotations (``Sleep stage W/1/2/3/4/R/?``, ``Sleep stage N1``…,
``Movement time``) make the hypnogram; every other annotation is an event.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..recording import Recording
from .edf import read_recording
from .scorings import RawScorings, make_items
from .vocab import is_movement_time, stage_from_annotation


def raw_from_annotation_table(annotations: pd.DataFrame, shift: float = 0.0) -> RawScorings:
    """Annotation table (``onset``, ``duration``, ``text``) → :class:`RawScorings`.

    ``shift`` (s) is added to every onset (an annotation file starting later
    than the recording it describes).
    """
    ann = annotations[annotations["text"].astype(str).str.strip() != ""]
    texts = ann["text"].astype(str).str.strip().tolist()
    durations = ann["duration"].to_numpy(dtype=float)
    stages = []
    for t, d in zip(texts, durations, strict=True):
        stage = stage_from_annotation(t, None if np.isnan(d) else float(d))
        stages.append("?" if is_movement_time(t) else (stage or ""))
    return RawScorings(make_items(ann["onset"].to_numpy(dtype=float) + shift,
                                  ann["duration"].to_numpy(dtype=float), texts, stage=stages))


def read_edf_annotations(path: str | os.PathLike[str],
                         recording: Recording | None = None) -> RawScorings:
    """The annotations of an EDF+/BDF+ file, aligned to ``recording`` when given.

    Onsets are relative to the annotation file's own start; when both files
    carry a start date and time, they are moved onto the recording's timeline.
    """
    own = read_recording(path)
    shift = 0.0
    raw_warnings = []
    if recording is not None and recording.start is not None and own.start is not None:
        shift = (own.start - recording.start).total_seconds()
        if shift:
            raw_warnings.append(f"the annotation file starts {shift:g} s after the recording; "
                                "its times were shifted onto the recording's timeline")
    raw = raw_from_annotation_table(own.annotations, shift)
    raw.warnings.extend(raw_warnings)
    return raw
