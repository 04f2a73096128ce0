"""CSV scorings: events (``onset,duration,kind[,channel]``) and hypnograms with one
stage per epoch (``W N1 N2 N3 R``; ``0 1 2 3 4`` in the R&K/YASA order W=0 N1=1
N2=2 N3=3 R=4; ``?``/``-1`` unscored).
"""

from __future__ import annotations

import csv
import io
import os
import re

import numpy as np
import pandas as pd

from ..errors import AnnotationError
from ..hypnogram import EPOCH_S
from .scorings import RawScorings, make_items
from .vocab import stage_from_annotation, stage_from_label

#: The column naming the event: ours, then BIDS ``trial_type``/``value`` (BIDS ``_events.tsv``).
_KIND_COLUMNS = ("kind", "event", "label", "type", "trial_type", "value", "description")
_STAGE_COLUMNS = ("stage", "stages", "sleep_stage", "sleepstage", "hypnogram", "hypno", "label",
                  "value", "score")
#: What an events CSV must hold, said the same way by every command.
EVENTS_CSV_COLUMNS = "an events CSV needs the columns onset, duration, kind"
_INT_LIKE = re.compile(r"^[+-]?\d+(\.0*)?$")


def _read_text(path: str | os.PathLike[str]) -> str:
    from .text import read_text

    return read_text(path)


def _numbers(values: pd.Series, column: str, path: str | os.PathLike[str],
             allow_blank: bool) -> np.ndarray:
    text = values.astype(str).str.strip()
    blank = text.isin(["", "nan", "NaN", "n/a"])  # "n/a": BIDS's missing value
    out = pd.to_numeric(text.where(~blank, "nan"), errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(out) & ~blank.to_numpy()
    if not allow_blank:
        bad |= blank.to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise AnnotationError(f"row {i + 2}: column '{column}' is not a number "
                              f"({values.iloc[i]!r}); times are seconds from the recording start",
                              path)
    return out


def read_csv_events(path: str | os.PathLike[str]) -> RawScorings:
    """CSV events with columns ``onset,duration,kind[,channel]`` (s from the recording start).

    >>> raw = read_csv_events("events.csv")
    """
    text = _read_text(path)
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    try:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=",;\t")
        df = pd.read_csv(io.StringIO("\n".join(lines)), sep=dialect.delimiter, dtype=str,
                         keep_default_na=False, skipinitialspace=True)
    except (csv.Error, pd.errors.ParserError, IndexError) as exc:
        raise AnnotationError(f"not a readable CSV events file ({exc})", path) from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    kind_col = next((c for c in _KIND_COLUMNS if c in df.columns), None)
    if "onset" not in df.columns or "duration" not in df.columns or kind_col is None:
        raise AnnotationError(f"{EVENTS_CSV_COLUMNS} (found: {', '.join(df.columns)})", path)
    onset = _numbers(df["onset"], "onset", path, allow_blank=False)
    duration = _numbers(df["duration"], "duration", path, allow_blank=True)
    if np.any(duration < 0):
        i = int(np.flatnonzero(duration < 0)[0])
        raise AnnotationError(f"row {i + 2}: negative duration ({duration[i]:g} s)", path)
    labels = df[kind_col].astype(str).str.strip().tolist()
    channel = df["channel"].astype(str).str.strip().tolist() if "channel" in df.columns else None
    stages = [(stage_from_annotation(x, None if np.isnan(d) else float(d)) or "")
              for x, d in zip(labels, duration, strict=True)]
    # A stage row may leave its duration blank (one epoch); an event may not: arousal and
    # respiratory associations depend on where it ends.
    missing = [i for i, (d, st) in enumerate(zip(duration, stages, strict=True))
               if np.isnan(d) and not st]
    if missing:
        i = missing[0]
        raise AnnotationError(f"row {i + 2}: event '{labels[i]}' has no duration (empty or NaN); "
                              "give it in seconds, 0 for an instant", path)
    return RawScorings(make_items(onset, duration, labels, channel, stages))


def not_events_problem(path: str | os.PathLike[str]) -> str:
    """Why a file sniffed as a one-stage-per-epoch hypnogram cannot be an events file."""
    lines = [ln.strip() for ln in _read_text(path).splitlines()
             if ln.strip() and not ln.lstrip().startswith(("#", "%"))]
    first = lines[0] if lines else ""
    if re.search(r"[,;\t]", first):
        cells = [c.strip().strip('"') for c in re.split(r"[,;\t]", first)]
        return f"{EVENTS_CSV_COLUMNS} (found: {', '.join(cells)})"
    return ("holds no events: it looks like a hypnogram (one stage per line); "
            f"{EVENTS_CSV_COLUMNS}, or give a hypnogram with --hypnogram")


def _stage_of_value(value: str, path: str | os.PathLike[str], row: int) -> str | None:
    v = value.strip()
    if _INT_LIKE.match(v):
        n = int(float(v))
        if n == 5:
            raise AnnotationError(
                f"line {row}: stage code 5 is ambiguous (the R&K/YASA order used here is W=0 "
                "N1=1 N2=2 N3=3 R=4; in the old R&K numbering 5 is REM and 4 is stage 4); "
                "write the stages as W N1 N2 N3 R", path)
        v = str(n)
    return stage_from_label(v)


def read_hypnogram_text(path: str | os.PathLike[str], *, epoch: float = EPOCH_S) -> RawScorings:
    """A hypnogram with one stage per epoch of ``epoch`` s, as text or CSV.

    Lines starting with ``#`` are comments.  With several columns, the one named
    ``stage`` (or ``hypnogram``, ``label``…) is used, else the last one.

    >>> raw = read_hypnogram_text("hypnogram.txt")
    """
    rows = []
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        s = line.strip()
        if s and not s.startswith(("#", "%")):
            rows.append((number, [c.strip().strip('"') for c in re.split(r"[,;\t]|\s+", s)]))
    if not rows:
        raise AnnotationError("empty hypnogram: the file holds no stages", path)
    column = -1
    first_number, first = rows[0]
    names = [c.lower() for c in first]
    if _stage_of_value(first[column], path, first_number) is None and not _INT_LIKE.match(
            first[column]) and (len(first) > 1 or names[0] in _STAGE_COLUMNS):
        # a header line: several column names, or one naming the stage column
        column = next((names.index(c) for c in _STAGE_COLUMNS if c in names), -1)
        rows = rows[1:]
        if not rows:
            raise AnnotationError("empty hypnogram: only a header line", path)
    stages: list[str] = []
    for number, cells in rows:
        value = cells[column] if -len(cells) <= column < len(cells) else ""
        stage = _stage_of_value(value, path, number)
        if stage is None:  # a guess would replace the recording's own stages: refuse
            raise AnnotationError(
                f"line {number}: {value!r} is not a sleep stage (a hypnogram file holds one "
                "stage per line: W N1 N2 N3 R, 0-4, or ? for unscored)", path)
        stages.append(stage)
    return RawScorings(make_items([], [], []), epoch_stages=stages, epoch=epoch)
