"""The events table: one row per event, the fixed schema of ``interfaces.md``.

Every scorer returns rows of this table and nothing else.  Columns, in order:
``onset`` (s from recording start), ``duration`` (s), ``kind``, ``channel``,
``muscle``, ``side``, ``stage``, ``amplitude_uv``, ``series``, ``arousal``,
``respiratory``, ``channels``, ``pattern``.

``channels`` names the channels of a derived event that involves several
(hypnic jerk, GRM, propriospinal myoclonus), ``;``-separated, and then leaves
``channel`` empty; it is empty for events of one channel.  Files written before
the column existed read back with it empty.

``pattern`` names, on a ``contraction`` row, the per-channel classification of
that contraction (``myoclonus``, ``neck_myoclonus``, ``fragmentary_myoclonus``,
``hypnic_jerk``, ``grm``, ``propriospinal_myoclonus``, ``rhythmic_movement``),
empty when none applies and on every other kind.  Files written before the
column existed read back with it empty.

Input scorings (arousals, respiratory events, technician-scored leg movements
read from files) use a smaller table, :data:`SCORED_COLUMNS`.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import kinds as _kinds
from ._atomic import atomic_write

EVENT_COLUMNS: tuple[str, ...] = (
    "onset",
    "duration",
    "kind",
    "channel",
    "muscle",
    "side",
    "stage",
    "amplitude_uv",
    "series",
    "arousal",
    "respiratory",
    "channels",
    "pattern",
)

#: The promised kinds (interfaces.md), as declared in :mod:`somnomotor.kinds` at
#: import.  A kind is added there, once; validation reads the live registry
#: (:func:`somnomotor.kinds.names`), so kinds registered later are valid too.
EVENT_KINDS: tuple[str, ...] = _kinds.names()

SIDES: tuple[str, ...] = ("left", "right", "bilateral", "midline", "")
STAGES: tuple[str, ...] = ("W", "N1", "N2", "N3", "R", "?")

#: Scored events read from annotation files (inputs, not our findings).
SCORED_COLUMNS: tuple[str, ...] = ("onset", "duration", "kind", "channel", "label")

#: Internal vocabulary of scored (input) event kinds (declared in :data:`somnomotor.kinds.SCORED`).
SCORED_KINDS: tuple[str, ...] = tuple(_kinds.SCORED)

_DEFAULTS: dict[str, Any] = {
    "channel": "",
    "muscle": "",
    "side": "",
    "stage": "?",
    "amplitude_uv": np.nan,
    "series": pd.NA,
    "arousal": False,
    "respiratory": False,
    "channels": "",
    "pattern": "",
}


def empty_events() -> pd.DataFrame:
    """An events table with no rows and the promised columns and dtypes."""
    return make_events([])


def make_events(rows: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build a well-typed events table from rows (dicts) or a partial DataFrame.

    Missing columns get their defaults (empty channel/muscle/side, stage ``?``,
    amplitude NaN, series empty, arousal and respiratory false).  Rows are sorted
    by onset (stably, so simultaneous events keep their order), the index is reset.
    Unknown kinds raise ``ValueError``: a programming error, not a user's.
    """
    df = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    for col in EVENT_COLUMNS:
        if col not in df.columns:
            df[col] = _DEFAULTS.get(col, np.nan) if len(df) else pd.Series(dtype=object)
    df = df.loc[:, list(EVENT_COLUMNS)]
    out = pd.DataFrame(
        {
            "onset": df["onset"].astype("float64"),
            "duration": df["duration"].astype("float64"),
            "kind": df["kind"].astype("object").fillna("").astype(str),
            "channel": df["channel"].astype("object").fillna("").astype(str),
            "muscle": df["muscle"].astype("object").fillna("").astype(str),
            "side": df["side"].astype("object").fillna("").astype(str),
            "stage": df["stage"].astype("object").fillna("?").astype(str),
            "amplitude_uv": pd.to_numeric(df["amplitude_uv"], errors="coerce").astype("float64"),
            "series": pd.array(pd.to_numeric(df["series"], errors="coerce"), dtype="Int64"),
            "arousal": df["arousal"].astype("object").fillna(False).astype(bool),
            "respiratory": df["respiratory"].astype("object").fillna(False).astype(bool),
            "channels": df["channels"].astype("object").fillna("").astype(str),
            "pattern": df["pattern"].astype("object").fillna("").astype(str),
        }
    )
    bad = sorted(set(out["kind"]) - set(_kinds.names()))
    if bad:
        raise ValueError(f"unknown event kinds {bad}; declare them in somnomotor.kinds")
    out = out.sort_values("onset", kind="stable").reset_index(drop=True)
    return out


def concat_events(tables: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate events tables and sort the result by onset."""
    tables = [t for t in tables if len(t)]
    if not tables:
        return empty_events()
    return make_events(pd.concat(tables, ignore_index=True))


def events_to_csv_text(events: pd.DataFrame) -> str:
    """The events table as CSV text: promised columns, ``true``/``false`` flags."""
    df = make_events(events)
    out = df.copy()
    out["arousal"] = np.where(df["arousal"], "true", "false")
    out["respiratory"] = np.where(df["respiratory"], "true", "false")
    out["series"] = df["series"].astype("object").where(df["series"].notna(), "")
    buf = io.StringIO()
    out.to_csv(buf, index=False, float_format="%.4f", lineterminator="\n")
    return buf.getvalue()


def write_events_csv(events: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write the events table to ``path`` whole or not at all."""
    text = events_to_csv_text(events)
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def read_events_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read an ``events.csv`` (or a simulator truth file) back into an events table."""
    from .errors import InputError

    try:
        df = pd.read_csv(path, dtype={"channel": str, "muscle": str, "side": str, "stage": str,
                                            "channels": str, "pattern": str},
                         keep_default_na=False, na_values={"amplitude_uv": [""], "series": [""]})
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read events table: {exc}", path) from None
    missing = [c for c in ("onset", "duration", "kind") if c not in df.columns]
    if missing:
        raise InputError("an events CSV needs the columns onset, duration, kind "
                         f"(found: {', '.join(map(str, df.columns))})", path)
    for flag in ("arousal", "respiratory"):
        if flag in df.columns:
            df[flag] = df[flag].astype(str).str.lower().isin(["true", "1", "yes"])
    unknown = sorted(set(df["kind"].astype(str)) - set(_kinds.names()))
    if unknown:
        raise InputError(f"unknown event kind(s) {unknown}", path)
    return make_events(df)


def empty_scored() -> pd.DataFrame:
    """A scored-events (input) table with no rows."""
    return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("onset", "duration") else object)
                         for c in SCORED_COLUMNS})
