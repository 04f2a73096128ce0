"""Scorings read from files: one hypnogram and a table of scored events.

:func:`read_scorings` detects the format from the content (EDF+ annotations,
NSRR XML, Embla RemLogic event export, CSV events, one-stage-per-epoch text or
CSV hypnogram) and maps every label onto the internal vocabulary
(:mod:`somnomotor.io.vocab`).  Whatever the format, the result is the same
:class:`Scorings`: the hypnogram (or None), the events as a
:data:`~somnomotor.events.SCORED_COLUMNS` table with the original ``label``
kept, the labels we did not know (kept as kind ``other``, counted in
``unknown_labels``), and where it all came from.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AnnotationError
from ..events import SCORED_COLUMNS, empty_scored
from ..hypnogram import EPOCH_S, Hypnogram
from ..recording import Recording
from .vocab import event_kind, is_file_marker, own_motor_kind

#: Onsets may lie this far (s) outside the recording before they are an error (rounding).
TIME_TOLERANCE_S = 1.0

_SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class Scorings:
    """A hypnogram and scored events from one file (or a recording's annotations).

    ``events`` has the columns :data:`~somnomotor.events.SCORED_COLUMNS`
    (``onset`` and ``duration`` in s from the recording start, ``kind`` from
    :data:`~somnomotor.events.SCORED_KINDS`, ``channel``, original ``label``),
    sorted by onset.  ``unknown_labels`` counts labels kept as ``other``.
    """

    hypnogram: Hypnogram | None
    events: pd.DataFrame
    unknown_labels: dict[str, int]
    source: str
    format: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False)


@dataclass
class RawScorings:
    """What a format reader found, before it is mapped and checked.

    ``items``: one row per annotation with ``onset`` (s), ``duration`` (s, NaN
    when absent), ``label`` (original text), ``channel`` and ``stage`` (a stage
    code when the row is a stage, else empty; the format decides, since stage
    numbering differs between formats).  ``epoch_stages``: a hypnogram given as
    one stage per epoch (text files) instead of intervals.
    """

    items: pd.DataFrame
    epoch_stages: Sequence[str] | None = None
    epoch: float = EPOCH_S
    unknown_stage_labels: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def make_items(onset: Sequence[float] | np.ndarray, duration: Sequence[float] | np.ndarray,
               label: Sequence[str], channel: Sequence[str] | None = None,
               stage: Sequence[str] | None = None) -> pd.DataFrame:
    """The ``items`` table of :class:`RawScorings` from columns."""
    n = len(label)
    return pd.DataFrame({
        "onset": np.asarray(onset, dtype=np.float64),
        "duration": np.asarray(duration, dtype=np.float64),
        "label": pd.Series(list(label), dtype=object),
        "channel": pd.Series(list(channel) if channel is not None else [""] * n, dtype=object),
        "stage": pd.Series(list(stage) if stage is not None else [""] * n, dtype=object),
    })


# -- clock times ---------------------------------------------------------------------
def align_clock_times(times: Sequence[_dt.datetime | _dt.time], start: _dt.datetime | None,
                      path: str | os.PathLike[str]) -> np.ndarray:
    """Seconds from the recording start of clock times, across midnight.

    Full datetimes are subtracted directly.  Times of day are placed on the
    night that begins at ``start``: the first within ±12 h of the start, and
    each later one a day further whenever the clock runs backwards by more than
    12 h (the file is in time order), so 23:59 → 00:01 is two minutes.
    """
    if not len(times):
        return np.zeros(0)
    if start is None:
        raise AnnotationError("its events carry clock times, but the recording start is unknown "
                              "(give the recording, with a valid start date and time)", path)
    if all(isinstance(t, _dt.datetime) for t in times):
        return np.array([(t - start).total_seconds() for t in times])  # type: ignore[operator]
    clock = np.array([(t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6)
                      for t in times])
    t0 = start.hour * 3600 + start.minute * 60 + start.second + start.microsecond / 1e6
    first = (clock[0] - t0 + _SECONDS_PER_DAY / 2) % _SECONDS_PER_DAY - _SECONDS_PER_DAY / 2
    days = np.concatenate([[0], np.cumsum(np.diff(clock) < -_SECONDS_PER_DAY / 2)])
    return first + (clock - clock[0]) + days * _SECONDS_PER_DAY


# -- assembling the result -----------------------------------------------------------
def hypnogram_from_intervals(onset: np.ndarray, duration: np.ndarray, stages: Sequence[str], *,
                             source: str, epoch: float = EPOCH_S) -> Hypnogram:
    """A per-epoch hypnogram from stage intervals (s); gaps between them are ``?``.

    Missing or zero durations count as one epoch.  The epoch grid starts at the
    first interval's onset modulo ``epoch`` (the hypnogram ``offset``), or at 0
    when that is within rounding (1 s) of the recording's 30-s grid.
    """
    onset = np.asarray(onset, dtype=np.float64)
    duration = np.asarray(duration, dtype=np.float64)
    duration = np.where(np.isfinite(duration) & (duration > 0), duration, epoch)
    order = np.argsort(onset, kind="stable")
    onset, duration = onset[order], duration[order]
    codes = np.asarray(stages, dtype="<U2")[order]
    offset = round(float(onset[0] % epoch), 6)
    if min(offset, epoch - offset) < TIME_TOLERANCE_S:  # on the grid but for rounding
        offset = 0.0
    snap = TIME_TOLERANCE_S / epoch
    first = np.maximum(np.floor((onset - offset) / epoch + snap), 0).astype(np.int64)
    last = np.ceil((onset + duration - offset) / epoch - snap).astype(np.int64)
    last = np.maximum(last, first + 1)
    out = np.full(int(last.max()), "?", dtype="<U2")
    lengths = last - first
    index = np.repeat(first, lengths) + (np.arange(lengths.sum())
                                         - np.repeat(np.cumsum(lengths) - lengths, lengths))
    out[index] = np.repeat(codes, lengths)  # later intervals win where they overlap
    return Hypnogram(out, epoch=epoch, offset=offset, source=source)


def _check_times(items: pd.DataFrame, recording: Recording | None,
                 path: str | os.PathLike[str]) -> list[str]:
    """Events outside the recording are an error; a hypnogram running on past the
    recording's end (a night's scoring of a cropped recording) is only noted —
    :meth:`Hypnogram.fit_to` trims it — unless none of it falls inside."""
    if recording is None or not len(items):
        return []
    onsets = items["onset"].to_numpy()
    labels = items["label"].tolist()
    end = recording.duration + TIME_TOLERANCE_S
    stage = (items["stage"].astype(str) != "").to_numpy()
    bad = (onsets < -TIME_TOLERANCE_S) | ((onsets > end) & ~stage)
    if stage.any() and not np.any(stage & (onsets <= end) & (onsets >= -TIME_TOLERANCE_S)):
        bad |= stage
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise AnnotationError(
            f"{int(bad.sum())} annotation(s) lie outside the recording (0–{recording.duration:g} "
            f"s), the first '{labels[i]}' at {onsets[i]:.3f} s; is it the right recording?", path)
    late = int(np.sum(stage & (onsets > end)))
    if late:
        return [f"{late} stage annotation(s) start after the recording ends "
                f"({recording.duration:g} s); the hypnogram is longer than the recording"]
    return []


def assemble(raw: RawScorings, *, path: str | os.PathLike[str], fmt: str, source: str,
             recording: Recording | None, check_times: bool = True) -> Scorings:
    """Map labels, build the hypnogram and events, check times; see :class:`Scorings`."""
    items = raw.items
    warnings = list(raw.warnings)
    if len(items) and not np.all(np.isfinite(items["onset"])):
        raise AnnotationError("an annotation has no valid onset time", path)
    if check_times:
        warnings.extend(_check_times(items, recording, path))
    elif recording is not None and len(items):
        on = items["onset"].to_numpy()
        out = (on < -TIME_TOLERANCE_S) | (on > recording.duration + TIME_TOLERANCE_S)
        if out.any():
            warnings.append(f"{int(out.sum())} annotation(s) lie outside the recording")
    is_stage = items["stage"].astype(str) != ""
    unknown: dict[str, int] = dict(raw.unknown_stage_labels)

    hyp: Hypnogram | None = None
    if raw.epoch_stages is not None:
        hyp = Hypnogram.from_labels(raw.epoch_stages, epoch=raw.epoch, source=source)
    elif is_stage.any():
        st = items[is_stage]
        hyp = hypnogram_from_intervals(st["onset"].to_numpy(), st["duration"].to_numpy(),
                                       st["stage"].tolist(), source=source, epoch=raw.epoch)

    ev = items[~is_stage | items["label"].map(_is_movement_label).astype(bool)]
    ev = ev[~ev["label"].map(is_file_marker).astype(bool)]
    kinds = ev["label"].map(event_kind)
    for label in ev.loc[kinds == "other", "label"]:
        # a file saying "other" knows it; our own motor events are known too
        if label.strip().lower() != "other" and own_motor_kind(label) is None:
            unknown[label] = unknown.get(label, 0) + 1
    events = pd.DataFrame({
        "onset": ev["onset"].astype("float64"),
        "duration": ev["duration"].fillna(0.0).astype("float64"),
        "kind": kinds.astype(object),
        "channel": ev["channel"].fillna("").astype(str).astype(object),
        "label": ev["label"].astype(str).astype(object),
    }, columns=list(SCORED_COLUMNS))
    events = (events.sort_values("onset", kind="stable").reset_index(drop=True) if len(events)
              else empty_scored())
    return Scorings(hypnogram=hyp, events=events, unknown_labels=unknown, source=source,
                    format=fmt, warnings=tuple(warnings))


def _is_movement_label(label: str) -> bool:
    from .vocab import is_movement_time

    return is_movement_time(label.partition("|")[0]) or label.strip().lower() == "movement|6"


# -- format detection and the public readers --------------------------------------------
def _sniff(path: Path) -> str:
    """The format of a scoring file, from its first bytes."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except FileNotFoundError:
        raise AnnotationError("file not found", path) from None
    except IsADirectoryError:
        raise AnnotationError("is a folder, not a scoring file", path) from None
    except OSError as exc:
        raise AnnotationError(f"cannot read the file ({exc.strerror})", path) from None
    if not head.strip():
        raise AnnotationError("the file is empty", path)
    if head.startswith(b"0       ") or head.startswith(b"\xffBIOSEMI"):
        return "edf"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    if text.startswith("<"):
        return "nsrr-xml"
    from .remlogic import looks_like_remlogic

    if looks_like_remlogic(text):
        return "remlogic"
    first = next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
    cells = {c.strip().strip('"').lower() for c in first.replace(";", ",").replace("\t", ",")
             .split(",")}
    if "onset" in cells:
        return "csv-events"
    return "hypnogram-text"


def read_scorings(path: str | os.PathLike[str], recording: Recording | None = None, *,
                  epoch: float = EPOCH_S, expect: str = "any") -> Scorings:
    """Read a hypnogram and scored events from a file, whatever its format.

    Parameters
    ----------
    path : str or path-like
        EDF+/BDF+ (annotations; a recording or an annotation-only file), NSRR XML,
        Embla RemLogic event export, CSV events (``onset,duration,kind[,channel]``)
        or a hypnogram with one stage per epoch (CSV or text).
    recording : Recording, optional
        The recording the scorings belong to: clock times are aligned to its
        start, and times outside it raise :class:`~somnomotor.errors.AnnotationError`.
    epoch : float
        Epoch length (s) of one-stage-per-epoch hypnograms.
    expect : str
        ``"events"`` when the file is given as scored events (``--events``): a
        table without ``onset, duration, kind`` is then refused with one line
        saying so, rather than read as a hypnogram.

    Returns
    -------
    Scorings

    Examples
    --------
    >>> sc = read_scorings("night.xml", recording=rec)        # doctest: +SKIP
    >>> sc.hypnogram.stages[:3], sc.events["kind"].unique()    # doctest: +SKIP
    """
    p = Path(path)
    fmt = _sniff(p)
    source = f"file:{p.name}"
    if fmt == "edf":
        from .annotations import read_edf_annotations

        raw = read_edf_annotations(p, recording)
    elif fmt == "nsrr-xml":
        from .nsrr import read_nsrr_xml

        raw = read_nsrr_xml(p)
    elif fmt == "remlogic":
        from .remlogic import read_remlogic

        raw = read_remlogic(p, recording)
    elif fmt == "csv-events":
        from .csvfiles import read_csv_events

        raw = read_csv_events(p)
    elif expect == "events":
        from .csvfiles import not_events_problem

        raise AnnotationError(not_events_problem(p), p)
    else:
        from .csvfiles import read_hypnogram_text

        raw = read_hypnogram_text(p, epoch=epoch)
    return assemble(raw, path=p, fmt=fmt, source=source, recording=recording)


def scorings_from_recording(recording: Recording) -> Scorings:
    """The scorings held in a recording's own EDF+ annotations (source ``edf-annotations``).

    Annotations outside the recording are kept, with a warning (a recording's
    own annotations are not checked as strictly as a separate file's).

    >>> sc = scorings_from_recording(read_recording("night.edf"))   # doctest: +SKIP
    """
    from .annotations import raw_from_annotation_table

    raw = raw_from_annotation_table(recording.annotations)
    return assemble(raw, path=recording.path or "recording", fmt="edf",
                    source="edf-annotations", recording=recording, check_times=False)


def read_hypnogram(path: str | os.PathLike[str], recording: Recording | None = None, *,
                   epoch: float = EPOCH_S) -> Hypnogram:
    """Only the hypnogram of a scoring file; :class:`AnnotationError` when it holds none.

    When ``recording`` is given the hypnogram is fitted to its duration
    (trimmed or padded with ``?``, with a note in ``hypnogram.warnings``).

    >>> hyp = read_hypnogram("hypnogram.csv")                  # doctest: +SKIP
    """
    sc = read_scorings(path, recording, epoch=epoch)
    if sc.hypnogram is None or not len(sc.hypnogram):
        raise AnnotationError("holds no sleep stages (empty hypnogram)", path)
    if not sc.hypnogram.is_scored:
        raise AnnotationError("every epoch of its hypnogram is unscored", path)
    return sc.hypnogram.fit_to(recording.duration) if recording is not None else sc.hypnogram


def read_events(path: str | os.PathLike[str], recording: Recording | None = None) -> pd.DataFrame:
    """Only the scored events of a scoring file (columns ``SCORED_COLUMNS``).

    >>> ev = read_events("events.csv")                         # doctest: +SKIP
    """
    return read_scorings(path, recording, expect="events").events
