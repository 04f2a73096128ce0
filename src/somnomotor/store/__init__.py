"""The store: subjects, analysed nights, their events and the nightly log in one SQLite file.

>>> from somnomotor.store import Store, file_night
>>> with Store("clinic-2.db") as store:
...     night_id = file_night(store, "P002", "2024-03-01", result, create_subject=True)
...     store.nights("P002")["night_date"].dt.date.astype(str).tolist()
['2024-03-01']
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pandas as pd

from ..result import NightResult
from .schema import MIGRATIONS, SCHEMA_VERSION
from .store import DB_ENV, Store, default_db_path

__all__ = ["DB_ENV", "MIGRATIONS", "SCHEMA_VERSION", "Store", "default_db_path", "file_night",
           "file_night_result", "night_date_of", "open_store"]

#: A recording that starts before this hour belongs to the previous evening's night.
NIGHT_DATE_CUTOFF_HOUR = 12


def open_store(db: Store | str | os.PathLike[str] | None) -> Store:
    """``db`` itself when it is a :class:`Store`, else the store at that path (default when None)."""
    return db if isinstance(db, Store) else Store(db)


def night_date_of(start: dt.datetime | str | None) -> dt.date | None:
    """The date of the evening a night began: recordings starting before noon count for the day before.

    Examples
    --------
    >>> night_date_of("2024-03-02T00:40:00")
    datetime.date(2024, 3, 1)
    >>> night_date_of("2024-03-01T22:15:00")
    datetime.date(2024, 3, 1)
    """
    if start is None:
        return None
    t = start if isinstance(start, dt.datetime) else dt.datetime.fromisoformat(str(start))
    d = t.date()
    return d - dt.timedelta(days=1) if t.hour < NIGHT_DATE_CUTOFF_HOUR else d


def file_night(
    store: Store | str | os.PathLike[str] | None,
    subject: str,
    night_date: dt.date | str,
    result: NightResult | dict[str, Any],
    recording_path: str | os.PathLike[str] | None = None,
    sha256: str | None = None,
    *,
    events: pd.DataFrame | None = None,
    start_time: str | None = None,
    create_subject: bool = True,
    replace: bool = False,
) -> int:
    """File one night for ``subject`` in the store; return the night's id.

    Parameters
    ----------
    store : Store, path or None
        The store (or its file; the default store when None).
    subject : str
        Subject code; created when missing unless ``create_subject`` is false.
    night_date : date or 'YYYY-MM-DD'
        The date of the evening the night began.
    result : NightResult or dict
        A :class:`~somnomotor.result.NightResult`, or a summary dict (then pass
        the events table as ``events``).
    recording_path, sha256 : optional
        Reference to the recording (the signal itself is never stored); the
        SHA-256 defaults to ``summary['provenance']['input_sha256']``.

    Examples
    --------
    >>> night_id = file_night("clinic-3.db", "P003", "2024-03-01", result, create_subject=True)
    >>> isinstance(night_id, int)
    True
    """
    if isinstance(result, NightResult):
        summary = result.summary
        events = result.events if events is None else events
        start_time = start_time or result.recording_start
        recording_path = recording_path or result.recording_path
    else:
        summary = result
    own = not isinstance(store, Store)
    st = open_store(store)
    try:
        return st.file_night(subject, night_date, summary, events, recording_path=recording_path,
                             sha256=sha256, start_time=start_time,
                             create_subject=create_subject, replace=replace)
    finally:
        if own:
            st.close()


def file_night_result(db: Store | str | os.PathLike[str] | None, subject: str,
                      result: NightResult, *, night_date: dt.date | str | None = None,
                      recording_path: str | os.PathLike[str] | None = None) -> int:
    """What ``analyze --subject`` calls: file ``result``, dating it from the recording start.

    Without ``night_date`` the night is dated by :func:`night_date_of` the
    recording's start time.
    """
    from ..errors import StoreError

    if night_date is None:
        night_date = night_date_of(result.recording_start)
        if night_date is None:
            raise StoreError("the recording has no start date; give the night's date "
                             "(--date YYYY-MM-DD)")
    return file_night(db, subject, night_date, result, recording_path)
