"""The nightly log as CSV: import (all or nothing), export, and a table for analysis."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .._atomic import atomic_write
from ..errors import DiaryError
from .entry import COLUMNS, FIELDS, DiaryEntry, validate_entry

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


class DiaryStore(Protocol):
    """What :func:`import_diary_csv` needs of a store (:class:`somnomotor.store.Store`).

    The diary sits below the store (the store keeps diary entries), so it names
    the one method it calls instead of importing the store.
    """

    def add_diary_entries(self, entries: Sequence[DiaryEntry], *, create_subject: bool = False,
                          where: str | os.PathLike[str] | None = None) -> int: ...


def read_diary_csv(path: str | os.PathLike[str], *, subject: str | None = None
                   ) -> list[DiaryEntry]:
    """Read and validate every row of a diary CSV (columns :data:`~.entry.COLUMNS`).

    The first problem found raises :class:`DiaryError` naming the file, the
    line, the field and what was expected.  ``subject`` fills a missing
    ``subject`` column and must match it where present.

    Examples
    --------
    >>> entries = read_diary_csv("diary.csv", subject="P001")
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DiaryError("file not found", p) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DiaryError(f"cannot read the diary ({exc})", p) from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise DiaryError("empty file: expected a header line with at least 'date'", p)
    entries = []
    for record in reader:
        if None in record:
            raise DiaryError(f"line {reader.line_num}: more values than columns "
                             "(quote a value that holds a comma)", p)
        if not any((v or "").strip() for v in record.values()):
            continue
        entries.append(validate_entry(record, where=f"{p}: line {reader.line_num}",
                                      subject=subject))
    if not entries:
        raise DiaryError("no diary rows below the header", p)
    return entries


def import_diary_csv(store: DiaryStore, path: str | os.PathLike[str], *, subject: str | None = None,
                     create_subject: bool = False) -> int:
    """Validate a diary CSV and add every row to ``store`` in one transaction.

    Nothing is added unless every row is valid and new: a bad value, an
    unknown subject or a date already in the store leaves the store as it was,
    and so does a crash part-way (the transaction never commits).  Returns the
    number of entries added.
    """
    entries = read_diary_csv(path, subject=subject)
    return store.add_diary_entries(entries, create_subject=create_subject, where=str(path))


def diary_csv_text(entries: Iterable[DiaryEntry]) -> str:
    """The entries as CSV text with the documented columns, in order."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for e in entries:
        writer.writerow(e.to_record())
    return buf.getvalue()


def write_diary_csv(entries: Iterable[DiaryEntry], path: str | os.PathLike[str]) -> None:
    """Write the entries to ``path`` (whole or not at all); re-importable by :func:`read_diary_csv`."""
    text = diary_csv_text(entries)
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def diary_frame(entries: Sequence[DiaryEntry], *, drugs: Sequence[str] = ("alprazolam",)
                ) -> pd.DataFrame:
    """One row per entry: ``date`` (datetime64), every field, a ``<drug>_mg`` column per drug.

    Booleans become floats 1/0 (NaN when not recorded) so the table feeds a
    regression directly; ``time_in_bed_minutes`` is added.
    """
    import pandas as pd  # here, so that the diary's command line starts without pandas

    rows = []
    for e in entries:
        row: dict[str, object] = {"subject": e.subject, "date": pd.Timestamp(e.entry_date)}
        for f in FIELDS:
            v = getattr(e, f.name)
            row[f.name] = (float(v) if v is not None else float("nan")) if f.kind == "bool" else v
        for drug in drugs:
            row[f"{drug}_mg"] = e.dose_mg(drug)
        row["time_in_bed_minutes"] = e.time_in_bed_minutes
        rows.append(row)
    cols = ["subject", "date", *(f.name for f in FIELDS), *(f"{d}_mg" for d in drugs),
            "time_in_bed_minutes"]
    df = pd.DataFrame(rows, columns=cols)
    for f in FIELDS:
        if f.kind in ("float", "int", "bool"):
            df[f.name] = pd.to_numeric(df[f.name], errors="coerce").astype("float64")
    df["time_in_bed_minutes"] = pd.to_numeric(df["time_in_bed_minutes"]).astype("float64")
    return df
