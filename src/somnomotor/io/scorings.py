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
    #: The clock time of onset 0 when the file's own clock set it (no recording was
    #: given): a datetime, or a time of day when the file carries no dates.
    clock_origin: _dt.datetime | _dt.time | None = None
    #: Where ``clock_origin`` came from (``first epoch of the export``, ``start-of-analysis
    #: marker 'Début de l'analyse'``, ``the export's Start Time header``…).
    clock_origin_source: str = ""
    #: Labels the file's vendor table knows are not scorings (software notices), left out.
    ignored_labels: dict[str, int] = field(default_factory=dict, compare=False)

    def contents(self) -> str:
        """What the file holds, for the terminal: ``hypnogram (812 epochs), 22 arousal, …``."""
        parts = []
        if self.hypnogram is not None and self.hypnogram.is_scored:
            parts.append(f"hypnogram ({len(self.hypnogram)} epochs)")
        counts = self.events["kind"].value_counts() if len(self.events) else {}
        for kind in ("arousal", "apnea", "hypopnea", "rera", "lm", "plm", "lights", "movement",
                     "artifact", "other"):
            n = int(counts.get(kind, 0)) if len(self.events) else 0
            if n:
                parts.append(f"{n} {kind}")
        return ", ".join(parts) if parts else "nothing we use"


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
    clock_origin: _dt.datetime | _dt.time | None = None
    clock_origin_source: str = ""
    #: Offset (s) of a one-stage-per-epoch hypnogram's first epoch (``epoch_stages``).
    epoch_offset: float = 0.0


def make_items(onset: Sequence[float] | np.ndarray, duration: Sequence[float] | np.ndarray,
               label: Sequence[str], channel: Sequence[str] | None = None,
               stage: Sequence[str] | None = None,
               kind: Sequence[str] | None = None) -> pd.DataFrame:
    """The ``items`` table of :class:`RawScorings` from columns.

    ``kind``: the event kind a vendor table gave the row (``""``: map the label
    with the general rules; ``_marker``/``_ignore``: not a scoring, left out).
    """
    n = len(label)
    return pd.DataFrame({
        "onset": np.asarray(onset, dtype=np.float64),
        "duration": np.asarray(duration, dtype=np.float64),
        "label": pd.Series(list(label), dtype=object),
        "channel": pd.Series(list(channel) if channel is not None else [""] * n, dtype=object),
        "stage": pd.Series(list(stage) if stage is not None else [""] * n, dtype=object),
        "kind": pd.Series(list(kind) if kind is not None else [""] * n, dtype=object),
    })


def vendor_items(table: dict[str, tuple[str, str]], onset: Sequence[float] | np.ndarray,
                 duration: Sequence[float] | np.ndarray, label: Sequence[str],
                 channel: Sequence[str] | None = None) -> pd.DataFrame:
    """``items`` whose labels are classified by a vendor table (:mod:`.vendor_vocab`).

    Labels the table lacks fall back to the general rules of :mod:`.vocab`.
    """
    from .vendor_vocab import lookup
    from .vocab import is_movement_time, stage_from_annotation

    stages, kinds = [], []
    for text, dur in zip(label, duration, strict=True):
        entry = lookup(table, text)
        if entry is None:
            d = float(dur)
            stage = stage_from_annotation(text, d if d == d else None)
            stages.append("?" if is_movement_time(text) else (stage or ""))
            kinds.append("")
        elif entry[0] == "stage":
            stages.append(entry[1])
            kinds.append("")
        elif entry[0] == "event":
            stages.append("")
            kinds.append(entry[1])
        else:
            stages.append("")
            kinds.append("_" + entry[0])
    return make_items(onset, duration, label, channel, stages, kinds)


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


def export_anchor(stamps: Sequence[_dt.datetime | _dt.time], labels: Sequence[str],
                  stages: Sequence[str]) -> tuple[_dt.datetime | _dt.time | None, str]:
    """The export's own clock origin: its start-of-analysis marker, else its first epoch."""
    from .vendor_vocab import is_analysis_start

    for stamp, label in zip(stamps, labels, strict=True):
        if is_analysis_start(label):
            return stamp, f"start-of-analysis marker '{label}'"
    for stamp, stage in zip(stamps, stages, strict=True):
        if stage:
            return stamp, "first epoch of the export"
    return None, ""


def place_on_timeline(stamps: Sequence[_dt.datetime | _dt.time], *,
                      recording: Recording | None, origin: _dt.datetime | _dt.time | None,
                      anchor: _dt.datetime | _dt.time | None, anchor_source: str,
                      path: str | os.PathLike[str]
                      ) -> tuple[np.ndarray, _dt.datetime | _dt.time | None, str]:
    """Seconds of clock stamps on the timeline: (onsets, clock origin, its source).

    The recording's start is the origin when a recording is given (origin
    returned as None); else ``origin`` (another file of the same night set it);
    else the export's own ``anchor`` (its start-of-analysis marker or first
    epoch).  Without any of them clock times cannot be placed: an error.
    """
    if recording is not None:
        return align_clock_times(stamps, recording.start, path), None, ""
    base, source = (origin, "given") if origin is not None else (anchor, anchor_source)
    if base is None:
        raise AnnotationError("its events carry clock times, but the recording start is unknown "
                              "and the file has no epochs or start-of-analysis marker to start "
                              "from (give the recording)", path)
    if not len(stamps):
        return np.zeros(0), base, source
    first = stamps[0]
    if isinstance(base, _dt.datetime):
        start = base
    elif isinstance(first, _dt.datetime):  # a time of day against dated stamps: nearest day
        start = _dt.datetime.combine(first.date(), base)
        half = _dt.timedelta(hours=12)
        start += _dt.timedelta(days=1) if start < first - half else (
            _dt.timedelta(days=-1) if start > first + half else _dt.timedelta(0))
    else:
        start = _dt.datetime.combine(_dt.date(2000, 1, 1), base)
    return align_clock_times(stamps, start, path), base, source


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
                 path: str | os.PathLike[str]) -> tuple[pd.DataFrame, list[str]]:
    """Events outside the recording are an error.  A hypnogram running on past the
    recording's end (a night's scoring of a cropped recording) or starting before it
    (an export whose epochs begin before the signal) is only noted — stage epochs
    wholly outside are left out, :meth:`Hypnogram.fit_to` trims the rest — unless
    none of it falls inside."""
    if recording is None or not len(items):
        return items, []
    onsets = items["onset"].to_numpy()
    ends = onsets + np.nan_to_num(items["duration"].to_numpy(dtype=float), nan=EPOCH_S)
    labels = items["label"].tolist()
    end = recording.duration + TIME_TOLERANCE_S
    stage = (items["stage"].astype(str) != "").to_numpy()
    early_stage = stage & (ends <= TIME_TOLERANCE_S)
    bad = ((onsets < -TIME_TOLERANCE_S) & ~stage) | ((onsets > end) & ~stage)
    if stage.any() and not np.any(stage & (onsets <= end) & (ends > TIME_TOLERANCE_S)):
        bad |= stage
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise AnnotationError(
            f"{int(bad.sum())} annotation(s) lie outside the recording (0–{recording.duration:g} "
            f"s), the first '{labels[i]}' at {onsets[i]:.3f} s; is it the right recording?", path)
    notes = []
    late = int(np.sum(stage & (onsets > end)))
    if late:
        notes.append(f"{late} stage annotation(s) start after the recording ends "
                     f"({recording.duration:g} s); the hypnogram is longer than the recording")
    if early_stage.any():
        notes.append(f"{int(early_stage.sum())} stage epoch(s) end before the recording starts "
                     "(the scoring began earlier than the signal); left out")
        items = items[~early_stage].reset_index(drop=True)
    return items, notes


def assemble(raw: RawScorings, *, path: str | os.PathLike[str], fmt: str, source: str,
             recording: Recording | None, check_times: bool = True) -> Scorings:
    """Map labels, build the hypnogram and events, check times; see :class:`Scorings`."""
    items = raw.items
    if "kind" not in items:
        items = items.assign(kind="")
    warnings = list(raw.warnings)
    if len(items) and not np.all(np.isfinite(items["onset"])):
        raise AnnotationError("an annotation has no valid onset time", path)
    vendor_kind = items["kind"].fillna("").astype(str)
    not_scoring = vendor_kind.str.startswith("_").to_numpy()
    ignored: dict[str, int] = {}
    for label in items.loc[vendor_kind == "_ignore", "label"]:
        ignored[label] = ignored.get(label, 0) + 1
    items = items[~not_scoring].reset_index(drop=True)
    if recording is None and raw.clock_origin is not None and len(items):
        before = (items["onset"].to_numpy() < -TIME_TOLERANCE_S) & (
            items["stage"].astype(str) == "").to_numpy()
        if before.any():
            warnings.append(f"{int(before.sum())} event(s) before the export's clock origin "
                            f"({raw.clock_origin_source}) left out")
            items = items[~before].reset_index(drop=True)
        early = ((items["onset"] + items["duration"].fillna(raw.epoch)).to_numpy()
                 <= TIME_TOLERANCE_S) & (items["stage"].astype(str) != "").to_numpy()
        if early.any():
            items = items[~early].reset_index(drop=True)
    if check_times:
        items, notes = _check_times(items, recording, path)
        warnings.extend(notes)
    elif recording is not None and len(items):
        on = items["onset"].to_numpy()
        out = (on < -TIME_TOLERANCE_S) | (on > recording.duration + TIME_TOLERANCE_S)
        if out.any():
            warnings.append(f"{int(out.sum())} annotation(s) lie outside the recording")
    is_stage = items["stage"].astype(str) != ""
    unknown: dict[str, int] = dict(raw.unknown_stage_labels)

    hyp: Hypnogram | None = None
    if raw.epoch_stages is not None:
        hyp = Hypnogram.from_labels(raw.epoch_stages, epoch=raw.epoch, offset=raw.epoch_offset,
                                    source=source)
    elif is_stage.any():
        st = items[is_stage]
        hyp = hypnogram_from_intervals(st["onset"].to_numpy(), st["duration"].to_numpy(),
                                       st["stage"].tolist(), source=source, epoch=raw.epoch)

    ev = items[~is_stage | items["label"].map(_is_movement_label).astype(bool)]
    ev = ev[~ev["label"].map(is_file_marker).astype(bool)]
    given = ev["kind"].fillna("").astype(str)
    general = ev["label"].map(event_kind)
    kinds = given.where(given != "", general)
    for label in ev.loc[(given == "") & (general == "other"), "label"]:
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
                    format=fmt, warnings=tuple(warnings), clock_origin=raw.clock_origin,
                    clock_origin_source=raw.clock_origin_source, ignored_labels=ignored)


def _is_movement_label(label: str) -> bool:
    from .vocab import is_movement_time

    return is_movement_time(label.partition("|")[0]) or label.strip().lower() == "movement|6"


# -- format detection and the public readers --------------------------------------------
def _sniff(path: Path) -> str:
    """The format of a scoring file, from its first bytes (a folder: DOMINO exports)."""
    if path.is_dir():
        from .domino import looks_like_domino_folder

        if looks_like_domino_folder(path):
            return "domino"
        raise AnnotationError("is a folder without DOMINO text exports, not a scoring file", path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except FileNotFoundError:
        raise AnnotationError("file not found", path) from None
    except OSError as exc:
        raise AnnotationError(f"cannot read the file ({exc.strerror})", path) from None
    if not head.strip():
        raise AnnotationError("the file is empty", path)
    if head.startswith(b"0       ") or head.startswith(b"\xffBIOSEMI"):
        return "edf"
    from .text import decode_bytes

    text = decode_bytes(head)[0].lstrip("\ufeff").lstrip()
    if text.startswith("<"):
        return "profusion-xml" if "<CMPStudyConfig" in text else "nsrr-xml"
    from .domino import looks_like_domino
    from .noxturnal import looks_like_noxturnal
    from .remlogic import looks_like_remlogic

    if looks_like_remlogic(text):
        return "remlogic"
    if looks_like_noxturnal(text):
        return "noxturnal"
    if looks_like_domino(text):
        return "domino"
    first = next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
    cells = {c.strip().strip('"').lower() for c in first.replace(";", ",").replace("\t", ",")
             .split(",")}
    if "onset" in cells:
        return "csv-events"
    return "hypnogram-text"


#: Formats read, as :attr:`Scorings.format` names them.
FORMATS: tuple[str, ...] = ("edf", "nsrr-xml", "profusion-xml", "remlogic", "noxturnal",
                            "domino", "csv-events", "hypnogram-text")


def read_scorings(path: str | os.PathLike[str], recording: Recording | None = None, *,
                  epoch: float = EPOCH_S, expect: str = "any",
                  origin: _dt.datetime | _dt.time | None = None) -> Scorings:
    """Read a hypnogram and scored events from a file, whatever its format.

    Parameters
    ----------
    path : str or path-like
        EDF+/BDF+ (annotations; a recording or an annotation-only file), NSRR XML,
        Compumedics Profusion XML, Embla RemLogic event export, Noxturnal CSV
        export, SOMNOmedics DOMINO text export (or a folder of them), CSV events
        (``onset,duration,kind[,channel]``) or a hypnogram with one stage per
        epoch (CSV or text).
    recording : Recording, optional
        The recording the scorings belong to: clock times are aligned to its
        start, and times outside it raise :class:`~somnomotor.errors.AnnotationError`.
    epoch : float
        Epoch length (s) of one-stage-per-epoch hypnograms.
    expect : str
        ``"events"`` when the file is given as scored events (``--events``): a
        table without ``onset, duration, kind`` is then refused with one line
        saying so, rather than read as a hypnogram.
    origin : datetime or time, optional
        Without a recording: the clock time of onset 0 (another export of the
        same night set it).  Without either, an export with clock times starts
        at its own start-of-analysis marker or first epoch
        (:attr:`Scorings.clock_origin`).

    Returns
    -------
    Scorings

    Examples
    --------
    >>> sc = read_scorings("night.xml", recording=rec)
    >>> sc.source, len(sc.hypnogram) * 30.0 == rec.duration
    ('file:night.xml', True)
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
    elif fmt == "profusion-xml":
        from .profusion import read_profusion_xml

        raw = read_profusion_xml(p)
    elif fmt == "remlogic":
        from .remlogic import read_remlogic

        raw = read_remlogic(p, recording, origin=origin)
    elif fmt == "noxturnal":
        from .noxturnal import read_noxturnal

        raw = read_noxturnal(p, recording, origin=origin)
    elif fmt == "domino":
        from .domino import read_domino

        raw = read_domino(p, recording, origin=origin)
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

    >>> from somnomotor.io.edf import read_recording
    >>> sc = scorings_from_recording(read_recording("night.edf"))
    >>> sc.source
    'edf-annotations'
    """
    from .annotations import raw_from_annotation_table

    raw = raw_from_annotation_table(recording.annotations)
    return assemble(raw, path=recording.path or "recording", fmt="edf",
                    source="edf-annotations", recording=recording, check_times=False)


def read_hypnogram(path: str | os.PathLike[str], recording: Recording | None = None, *,
                   epoch: float = EPOCH_S,
                   origin: _dt.datetime | _dt.time | None = None) -> Hypnogram:
    """Only the hypnogram of a scoring file; :class:`AnnotationError` when it holds none.

    When ``recording`` is given the hypnogram is fitted to its duration
    (trimmed or padded with ``?``, with a note in ``hypnogram.warnings``).

    >>> hyp = read_hypnogram("hypnogram.csv")         # a column "stage", one row per epoch
    >>> hyp.epoch, hyp.source
    (30.0, 'file:hypnogram.csv')
    """
    sc = read_scorings(path, recording, epoch=epoch, origin=origin)
    if sc.hypnogram is None or not len(sc.hypnogram):
        raise AnnotationError("holds no sleep stages (empty hypnogram)", path)
    if not sc.hypnogram.is_scored:
        raise AnnotationError("every epoch of its hypnogram is unscored", path)
    return sc.hypnogram.fit_to(recording.duration) if recording is not None else sc.hypnogram


def read_events(path: str | os.PathLike[str], recording: Recording | None = None) -> pd.DataFrame:
    """Only the scored events of a scoring file (columns ``SCORED_COLUMNS``).

    >>> ev = read_events("events.csv")
    >>> list(ev.columns[:3])
    ['onset', 'duration', 'kind']
    """
    return read_scorings(path, recording, expect="events").events
