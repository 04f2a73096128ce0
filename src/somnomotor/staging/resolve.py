"""Choosing the hypnogram for a night, and saying where it came from.

Order of precedence:

1. a hypnogram file the user gave (``file:NAME``);
2. the recording's own sleep-stage annotations (``edf-annotations``);
3. automatic staging from the EEG (``automatic:yasa``) when ``staging="auto"``;
4. no stages (``none``): the scorers then give indices per hour of recording.

Whatever is chosen is fitted to the recording (``Hypnogram.fit_to``), which
warns when it is longer or shorter than the recording.  When automatic staging
is wanted but impossible (no EEG, the ``staging`` extra not installed, a night
shorter than one epoch) the night is scored without stages and a warning says
why — the movement analysis still runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import (
    AnnotationError,
    MissingExtraError,
    MontageError,
    ParameterError,
    RecordingError,
)
from ..hypnogram import Hypnogram
from ..recording import Recording

#: Accepted values of ``staging``.
STAGING_MODES: tuple[str, ...] = ("auto", "none")

NO_STAGES_NOTE = ("no sleep stages: movements were scored without them and every index is "
                  "per hour of recording, not per hour of sleep")


def _relabel(hyp: Hypnogram, source: str, notes: list[str] | tuple[str, ...] = ()) -> Hypnogram:
    return Hypnogram(hyp.stages, epoch=hyp.epoch, offset=hyp.offset, source=source,
                     probabilities=hyp.probabilities, warnings=(*hyp.warnings, *notes))


def _unknown_note(where: str, unknown: dict[str, int] | None) -> list[str]:
    if not unknown:
        return []
    listed = ", ".join(f"'{k}' ×{v}" for k, v in sorted(unknown.items()))
    return [f"{where}: labels not in the vocabulary (not used as stages): {listed}"]


def _fit(hyp: Hypnogram, recording: Recording, where: str | os.PathLike[str] | None
         ) -> Hypnogram:
    if hyp.offset >= recording.duration:
        raise AnnotationError(f"the hypnogram starts at {hyp.offset:g} s, after the recording "
                              f"ends ({recording.duration:g} s)", where)
    fitted = hyp.fit_to(recording.duration)
    return _align_probabilities(fitted)


def _align_probabilities(hyp: Hypnogram) -> Hypnogram:
    """Trim or NaN-pad per-epoch probabilities to the hypnogram's length.

    ``Hypnogram.fit_to`` trims/pads the stages only; the probabilities must
    follow, else row i would no longer belong to epoch i.
    """
    p = hyp.probabilities
    if p is None or len(p) == len(hyp):
        return hyp
    out = np.full((len(hyp), p.shape[1]), np.nan)
    n = min(len(p), len(hyp))
    out[:n] = p[:n]
    return Hypnogram(hyp.stages, epoch=hyp.epoch, offset=hyp.offset, source=hyp.source,
                     probabilities=out, warnings=hyp.warnings)


def unstaged_hypnogram(recording: Recording, *, reason: str | None = None) -> Hypnogram:
    """All-unscored hypnogram over the recording, source ``none``, with a warning.

    Examples
    --------
    >>> unstaged_hypnogram(rec).source
    'none'
    """
    notes = ([reason] if reason else []) + [NO_STAGES_NOTE]
    return _relabel(Hypnogram.unscored(recording.duration), "none", notes)


def resolve_hypnogram(recording: Recording, *,
                      hypnogram_path: str | os.PathLike[str] | Hypnogram | None = None,
                      staging: str = "auto", scorings: Any | None = None,
                      eeg: str | None = None, eog: str | None = None,
                      emg: str | None = None) -> Hypnogram:
    """The hypnogram the scorers should use for ``recording``, fitted to it.

    Parameters
    ----------
    recording : Recording
    hypnogram_path : path or Hypnogram, optional
        A hypnogram file (any format ``somnomotor.io.read_scorings`` reads), or
        a Hypnogram already in memory; it wins over everything else.
    staging : {"auto", "none"}
        What to do when neither a file nor the recording holds stages:
        stage automatically, or score without stages.
    scorings : Scorings, optional
        The recording's own scorings when already read
        (``somnomotor.io.scorings_from_recording``), so they are not parsed twice.
    eeg, eog, emg : str, optional
        Channel labels for automatic staging (default: chosen from the montage).
        Naming a channel makes a problem with it an error instead of a fallback.

    Returns
    -------
    Hypnogram
        ``source`` is ``file:NAME``, ``edf-annotations``, ``automatic:yasa`` or
        ``none``; ``warnings`` explain fitting, fallbacks and automatic staging.

    Raises
    ------
    AnnotationError
        The given file holds no sleep stages, or starts after the recording ends.
    ParameterError
        ``staging`` is not "auto" or "none".

    Examples
    --------
    >>> hyp = resolve_hypnogram(rec, hypnogram_path="night.csv")
    >>> hyp.source
    'file:night.csv'
    """
    if staging not in STAGING_MODES:
        raise ParameterError(f"staging must be one of {', '.join(STAGING_MODES)}, "
                             f"not {staging!r}")
    if isinstance(hypnogram_path, Hypnogram):
        return _fit(hypnogram_path, recording, None)
    if hypnogram_path is not None:
        return _from_file(recording, hypnogram_path)

    if scorings is None and len(recording.annotations):
        from ..io import scorings_from_recording

        scorings = scorings_from_recording(recording)
    own = getattr(scorings, "hypnogram", None) if scorings is not None else None
    if own is not None and own.is_scored:
        notes = list(getattr(scorings, "warnings", ()))
        return _relabel(_fit(own, recording, recording.path), "edf-annotations", notes)

    if staging == "none":
        return unstaged_hypnogram(recording)
    from .yasa_adapter import stage_automatically

    try:
        staged = stage_automatically(recording, eeg=eeg, eog=eog, emg=emg)
    except (MissingExtraError, MontageError, RecordingError) as exc:
        if any((eeg, eog, emg)) and isinstance(exc, MontageError):
            raise
        return unstaged_hypnogram(recording,
                                  reason=f"automatic sleep staging was not possible: "
                                         f"{exc.problem}")
    return _fit(staged, recording, recording.path)


def _from_file(recording: Recording, path: str | os.PathLike[str]) -> Hypnogram:
    from ..io import read_scorings

    sc = read_scorings(path, recording=recording)
    if sc.hypnogram is None or not sc.hypnogram.is_scored:
        raise AnnotationError("holds no sleep stages (expected one stage per 30-s epoch: "
                              "W N1 N2 N3 R, or 'Sleep stage …' annotations)", path)
    notes = [*sc.warnings, *_unknown_note(Path(path).name, sc.unknown_labels)]
    return _relabel(_fit(sc.hypnogram, recording, path), f"file:{Path(path).name}", notes)
