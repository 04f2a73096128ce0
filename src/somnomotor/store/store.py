"""The results store: one SQLite file holding subjects, nights, events and the diary.

The store never holds signals, only references to recordings (path, SHA-256,
start time) and what the analysis found (summary, parameters, events table),
plus the nightly log.  It is safe for several processes at once: WAL journal
(readers never block the writer), a busy timeout so concurrent writers wait
rather than fail, and every write in one ``BEGIN IMMEDIATE`` transaction, so a
write lands whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._util import json_ready
from .._version import __version__
from ..errors import StoreError
from ..events import EVENT_COLUMNS, make_events
from .schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:  # pragma: no cover
    from ..diary.entry import DiaryEntry

#: Environment variable that overrides the default store file.
DB_ENV = "SOMNOMOTOR_DB"
#: Seconds a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_S = 60.0


def default_db_path() -> Path:
    """The store file used when none is given.

    ``$SOMNOMOTOR_DB`` when set, else ``$XDG_DATA_HOME/somnomotor/somnomotor.db``,
    else ``~/.local/share/somnomotor/somnomotor.db``.

    Examples
    --------
    >>> default_db_path().name
    'somnomotor.db'
    """
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "somnomotor" / "somnomotor.db"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    """A connection to the store file; create it (and its folder) when missing.

    Parameters
    ----------
    path : path or None
        The SQLite file; :func:`default_db_path` when None.

    Examples
    --------
    >>> with Store("example.db") as store:
    ...     subject_id = store.add_subject("P004")
    ...     len(store.nights("P004"))
    0
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_db_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the store ({exc})", self.path) from None
        try:
            self._con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self._con.execute("PRAGMA journal_mode = WAL")
            self._con.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._con.close()
            raise StoreError(f"not a somnomotor store ({exc})", self.path) from None

    # -- plumbing -------------------------------------------------------------------

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything inside lands, or nothing does."""
        try:
            self._con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"the store is busy or read-only ({exc})", self.path) from None
        try:
            yield self._con
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        else:
            self._con.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        return int(self._con.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        if self.schema_version == SCHEMA_VERSION:
            return
        with self.transaction() as con:
            # Re-read inside the lock: another process may have migrated meanwhile.
            version = int(con.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StoreError(f"the store has schema version {version}, newer than this "
                                 f"somnomotor ({__version__}) knows ({SCHEMA_VERSION}); "
                                 "upgrade somnomotor", self.path)
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    con.execute(statement)
                con.execute(f"PRAGMA user_version = {number + 1}")

    # -- subjects -------------------------------------------------------------------

    def add_subject(self, code: str, *, notes: str = "", exist_ok: bool = False) -> int:
        """Add a subject (a person followed across nights); return its id."""
        code = _check_code(code)
        with self.transaction() as con:
            row = con.execute("SELECT id FROM subjects WHERE code = ?", (code,)).fetchone()
            if row is not None:
                if exist_ok:
                    return int(row[0])
                raise StoreError(f"subject '{code}' already exists", self.path)
            cur = con.execute("INSERT INTO subjects (code, created_at, notes) VALUES (?, ?, ?)",
                              (code, _now(), notes))
            return int(cur.lastrowid or 0)

    def subjects(self) -> list[str]:
        """Subject codes, sorted."""
        return [r[0] for r in self._con.execute("SELECT code FROM subjects ORDER BY code")]

    def subject_id(self, code: str) -> int:
        """The id of subject ``code``; :class:`StoreError` when unknown."""
        row = self._con.execute("SELECT id FROM subjects WHERE code = ?", (code,)).fetchone()
        if row is None:
            known = self.subjects()
            hint = f" (known: {', '.join(known[:10])})" if known else " (the store has none)"
            raise StoreError(f"unknown subject '{code}'{hint}; add it first, e.g. "
                             f"'somnomotor diary add --create-subject'", self.path)
        return int(row[0])

    def _subject_id_in(self, con: sqlite3.Connection, code: str, create: bool) -> int:
        code = _check_code(code)
        if create:
            con.execute("INSERT OR IGNORE INTO subjects (code, created_at) VALUES (?, ?)",
                        (code, _now()))
        row = con.execute("SELECT id FROM subjects WHERE code = ?", (code,)).fetchone()
        if row is None:
            return self.subject_id(code)  # raises the clear message
        return int(row[0])

    # -- nights ---------------------------------------------------------------------

    def file_night(
        self,
        subject: str,
        night_date: dt.date | str,
        summary: Mapping[str, Any],
        events: pd.DataFrame | None = None,
        *,
        recording_path: str | os.PathLike[str] | None = None,
        sha256: str | None = None,
        start_time: str | None = None,
        create_subject: bool = True,
        replace: bool = False,
    ) -> int:
        """File one analysed night (summary + events table); return the night's id.

        A subject has at most one night per date (the date of the evening the
        night began).  Filing the same recording again (same SHA-256) replaces
        the earlier result, e.g. after re-analysis with new parameters; another
        recording on a date already filed is refused unless ``replace``.
        """
        date_text = _date_text(night_date, self.path)
        provenance = summary.get("provenance", {}) if isinstance(summary, Mapping) else {}
        sha256 = sha256 or provenance.get("input_sha256")
        parameters = provenance.get("parameters", {})
        version = provenance.get("software_version") or __version__
        summary_json = json.dumps(json_ready(summary), sort_keys=True, default=_json_default,
                                  allow_nan=False)
        params_json = json.dumps(parameters, sort_keys=True, default=_json_default)
        rows = _event_rows(events)
        with self.transaction() as con:
            sid = self._subject_id_in(con, subject, create_subject)
            old = con.execute("SELECT id, sha256, recording_path FROM nights "
                              "WHERE subject_id = ? AND night_date = ?", (sid, date_text)).fetchone()
            if old is not None:
                if not replace and old[1] and sha256 and old[1] != sha256:
                    raise StoreError(f"subject '{subject}' already has a night on {date_text} "
                                     f"from another recording ({old[2]}); refusing to replace it",
                                     self.path)
                con.execute("DELETE FROM nights WHERE id = ?", (old[0],))
            cur = con.execute(
                "INSERT INTO nights (subject_id, night_date, recording_path, sha256, start_time, "
                "summary_json, parameters_json, software_version, filed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sid, date_text, None if recording_path is None else str(recording_path), sha256,
                 start_time, summary_json, params_json, str(version), _now()))
            night_id = int(cur.lastrowid or 0)
            con.executemany(
                f"INSERT INTO events (night_id, {', '.join(EVENT_COLUMNS)}) "
                f"VALUES (?, {', '.join('?' * len(EVENT_COLUMNS))})",
                ((night_id, *r) for r in rows))
        return night_id

    def nights(self, subject: str) -> pd.DataFrame:
        """One row per night of ``subject``, by date: references plus the summary's scalars.

        Columns: ``night_id``, ``night_date`` (datetime64), ``recording_path``,
        ``sha256``, ``start_time``, ``software_version``, then every scalar
        summary key (``plms_index``, ``sleep_efficiency`` …).
        """
        sid = self.subject_id(subject)
        cur = self._con.execute(
            "SELECT id, night_date, recording_path, sha256, start_time, software_version, "
            "summary_json FROM nights WHERE subject_id = ? ORDER BY night_date", (sid,))
        records = []
        for nid, date, path, sha, start, version, sj in cur:
            summary = json.loads(sj)
            row: dict[str, Any] = {"night_id": nid, "night_date": date, "recording_path": path,
                                   "sha256": sha, "start_time": start,
                                   "software_version": version}
            row.update({k: v for k, v in summary.items()
                        if k not in row and (v is None or isinstance(v, int | float | str))})
            records.append(row)
        df = pd.DataFrame.from_records(records, columns=None if records else
                                       ["night_id", "night_date", "recording_path", "sha256",
                                        "start_time", "software_version"])
        df["night_date"] = pd.to_datetime(df["night_date"])
        return df

    def night_summary(self, night_id: int) -> dict[str, Any]:
        """The full summary dict of one filed night."""
        row = self._con.execute("SELECT summary_json FROM nights WHERE id = ?",
                                (night_id,)).fetchone()
        if row is None:
            raise StoreError(f"no night with id {night_id}", self.path)
        return json.loads(row[0])  # type: ignore[no-any-return]

    def events(self, night_id: int) -> pd.DataFrame:
        """The events table of one filed night (``somnomotor.events`` schema)."""
        df = pd.read_sql_query(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events "
                               "WHERE night_id = ? ORDER BY onset, rowid", self._con, params=(night_id,))
        return make_events(df)

    def count_rows(self, table: str) -> int:
        """Rows in one of the store's tables (for checks and tests)."""
        if table not in ("subjects", "nights", "events", "diary_entries", "medications"):
            raise ValueError(f"no table {table!r}")
        return int(self._con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    # -- diary ----------------------------------------------------------------------

    def add_diary_entries(self, entries: Sequence[DiaryEntry], *, create_subject: bool = False,
                          where: str | os.PathLike[str] | None = None) -> int:
        """Add validated diary entries in one transaction: all land, or none.

        Each entry names its subject.  An unknown subject (unless
        ``create_subject``), a date already in the store, or a date given twice
        among ``entries`` is refused with one clear error and nothing is written.
        """
        from ..errors import DiaryError

        where = where or self.path
        seen: set[tuple[str, str]] = set()
        for e in entries:
            key = (e.subject, e.entry_date.isoformat())
            if key in seen:
                raise DiaryError(f"date {key[1]} appears twice for subject '{key[0]}'", where)
            seen.add(key)
        with self.transaction() as con:
            ids: dict[str, int] = {}
            for code in sorted({e.subject for e in entries}):
                try:
                    ids[code] = self._subject_id_in(con, code, create_subject)
                except StoreError as exc:
                    raise DiaryError(exc.problem, where) from None
            for code, sid in ids.items():
                dates = sorted(d for c, d in seen if c == code)
                marks = ", ".join("?" * len(dates))
                clash = con.execute(f"SELECT entry_date FROM diary_entries WHERE subject_id = ? "
                                    f"AND entry_date IN ({marks}) ORDER BY entry_date",
                                    (sid, *dates)).fetchall()
                if clash:
                    more = f" (and {len(clash) - 1} more dates)" if len(clash) > 1 else ""
                    raise DiaryError(f"subject '{code}' already has a diary entry for "
                                     f"{clash[0][0]}{more}; nothing was added", where)
            for entry in entries:
                self._insert_diary_entry(con, ids[entry.subject], entry)
        return len(entries)

    def _insert_diary_entry(self, con: sqlite3.Connection, sid: int, entry: DiaryEntry) -> None:
        row = entry.to_row()
        cols = list(row)
        cur = con.execute(f"INSERT INTO diary_entries (subject_id, {', '.join(cols)}) "
                          f"VALUES (?, {', '.join('?' * len(cols))})", (sid, *row.values()))
        did = int(cur.lastrowid or 0)
        con.executemany("INSERT INTO medications (diary_id, name, dose_mg, time_taken) "
                        "VALUES (?, ?, ?, ?)",
                        ((did, m.name, m.dose_mg, m.time_taken) for m in entry.medications))

    def diary(self, subject: str) -> list[DiaryEntry]:
        """The subject's diary entries, by date, with their medications."""
        from ..diary.entry import DiaryEntry, Medication

        sid = self.subject_id(subject)
        cur = self._con.execute("SELECT * FROM diary_entries WHERE subject_id = ? "
                                "ORDER BY entry_date", (sid,))
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        meds: dict[int, list[Medication]] = {}
        for did, name, dose, t in self._con.execute(
                "SELECT m.diary_id, m.name, m.dose_mg, m.time_taken FROM medications m "
                "JOIN diary_entries d ON d.id = m.diary_id WHERE d.subject_id = ? "
                "ORDER BY m.id", (sid,)):
            meds.setdefault(did, []).append(Medication(name, float(dose), t))
        return [DiaryEntry.from_row(r, meds.get(r["id"], []), subject=subject) for r in rows]


def _check_code(code: str) -> str:
    code = str(code).strip()
    if not code or len(code) > 64 or any(c in code for c in "\n\r\t"):
        raise StoreError(f"subject code {code!r} must be 1–64 printable characters")
    return code


def _date_text(value: dt.date | str, where: Path) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise StoreError(f"night date {value!r} is not a date like 2024-03-01", where) from None


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _event_rows(events: pd.DataFrame | None) -> Iterable[tuple[Any, ...]]:
    if events is None or not len(events):
        return []
    ev = make_events(events)
    amp = ev["amplitude_uv"].astype(object).where(ev["amplitude_uv"].notna(), None)
    series = ev["series"].astype(object).where(ev["series"].notna(), None)
    cols = [ev["onset"].tolist(), ev["duration"].tolist(), ev["kind"].tolist(),
            ev["channel"].tolist(), ev["muscle"].tolist(), ev["side"].tolist(),
            ev["stage"].tolist(), amp.tolist(),
            [None if s is None else int(s) for s in series.tolist()],
            ev["arousal"].astype(int).tolist(), ev["respiratory"].astype(int).tolist(),
            ev["channels"].tolist(), ev["pattern"].tolist()]
    return list(zip(*cols, strict=True))
