"""The store: schema and migrations, nights and events, concurrency, clear errors."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from somnomotor.errors import StoreError
from somnomotor.events import make_events
from somnomotor.hypnogram import Hypnogram
from somnomotor.result import NightResult
from somnomotor.store import (
    SCHEMA_VERSION,
    Store,
    default_db_path,
    file_night,
    file_night_result,
    night_date_of,
)
from somnomotor.store import schema as schema_mod


def _summary(plms: float, sha: str = "a" * 64) -> dict:
    return {"plms_index": plms, "tst_h": 7.0, "sleep_efficiency": 0.85,
            "plms_index_by_stage": {"N1": 1.0, "N2": 2.0},
            "provenance": {"software_version": "0.1.0", "input_sha256": sha,
                           "parameters": {"legs": {"rule_set": "wasm2016"}}}}


def _events(n: int = 3) -> pd.DataFrame:
    return make_events([{"onset": 10.0 * i, "duration": 1.5, "kind": "plm", "side": "left",
                         "stage": "N2", "series": 1, "arousal": i % 2 == 0,
                         "amplitude_uv": 20.0 + i} for i in range(n)])


def test_new_store_has_current_schema_and_wal(tmp_path):
    with Store(tmp_path / "s.db") as st:
        assert st.schema_version == SCHEMA_VERSION
        mode = st._con.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode.lower() == "wal"
        tables = {r[0] for r in st._con.execute("SELECT name FROM sqlite_master "
                                                "WHERE type = 'table'")}
    assert {"subjects", "nights", "events", "diary_entries", "medications"} <= tables


def test_filed_night_reads_back_summary_and_events(tmp_path):
    with Store(tmp_path / "s.db") as st:
        nid = file_night(st, "P1", "2024-03-01", _summary(12.5), "/data/n1.edf",
                         events=_events(4))
        nights = st.nights("P1")
        assert list(nights["night_date"].dt.strftime("%Y-%m-%d")) == ["2024-03-01"]
        assert nights["plms_index"].iloc[0] == 12.5
        assert nights["recording_path"].iloc[0] == "/data/n1.edf"
        assert nights["sha256"].iloc[0] == "a" * 64
        back = st.events(nid)
        assert st.night_summary(nid)["plms_index_by_stage"] == {"N1": 1.0, "N2": 2.0}
    pd.testing.assert_frame_equal(back, _events(4))


def test_filing_the_same_recording_again_replaces_it(tmp_path):
    with Store(tmp_path / "s.db") as st:
        file_night(st, "P1", "2024-03-01", _summary(10.0), events=_events(5))
        file_night(st, "P1", "2024-03-01", _summary(11.0), events=_events(2))
        assert st.count_rows("nights") == 1 and st.count_rows("events") == 2
        assert st.nights("P1")["plms_index"].iloc[0] == 11.0


def test_another_recording_on_a_filed_date_is_refused_and_nothing_changes(tmp_path):
    with Store(tmp_path / "s.db") as st:
        file_night(st, "P1", "2024-03-01", _summary(10.0), events=_events(5))
        with pytest.raises(StoreError, match="already has a night on 2024-03-01"):
            file_night(st, "P1", "2024-03-01", _summary(99.0, sha="b" * 64), events=_events(1))
        assert st.count_rows("events") == 5
        assert st.nights("P1")["plms_index"].iloc[0] == 10.0
        file_night(st, "P1", "2024-03-01", _summary(99.0, sha="b" * 64), replace=True)
        assert st.nights("P1")["plms_index"].iloc[0] == 99.0


def test_nan_in_summary_is_stored_as_null(tmp_path):
    with Store(tmp_path / "s.db") as st:
        nid = file_night(st, "P1", "2024-03-01", {"plms_index": float("nan")})
        assert st.night_summary(nid)["plms_index"] is None


def test_night_date_is_the_evening_the_night_began():
    assert str(night_date_of("2024-03-02T00:40:00")) == "2024-03-01"
    assert str(night_date_of("2024-03-01T21:50:00")) == "2024-03-01"
    assert night_date_of(None) is None


def test_file_night_result_dates_from_the_recording_start(tmp_path):
    result = NightResult(events=_events(2), summary=_summary(5.0),
                         hypnogram=Hypnogram.from_labels(["W", "N2"]),
                         recording_start="2024-05-11T01:10:00",
                         recording_path="/data/night.edf")
    nid = file_night_result(tmp_path / "s.db", "P9", result)
    with Store(tmp_path / "s.db") as st:
        nights = st.nights("P9")
        assert nights["night_date"].iloc[0] == pd.Timestamp("2024-05-10")
        assert nights["start_time"].iloc[0] == "2024-05-11T01:10:00"
        assert len(st.events(nid)) == 2


def test_unknown_subject_is_a_clear_error(tmp_path):
    with Store(tmp_path / "s.db") as st, pytest.raises(StoreError, match="unknown subject 'X'"):
        st.nights("X")


def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="notes.db"):
        Store(bad)


def test_a_store_from_a_newer_somnomotor_is_refused(tmp_path):
    path = tmp_path / "s.db"
    Store(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    con.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_a_new_migration_is_applied_once_and_keeps_the_data(tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    with Store(path) as st:
        file_night(st, "P1", "2024-03-01", _summary(3.0))
    extra = ("ALTER TABLE subjects ADD COLUMN birth_year INTEGER",)
    monkeypatch.setattr(schema_mod, "MIGRATIONS", (*schema_mod.MIGRATIONS, extra))
    import somnomotor.store.store as store_mod

    monkeypatch.setattr(store_mod, "MIGRATIONS", (*schema_mod.MIGRATIONS,))
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Store(path) as st:
        assert st.schema_version == SCHEMA_VERSION + 1
        cols = [r[1] for r in st._con.execute("PRAGMA table_info(subjects)")]
        assert "birth_year" in cols
        assert st.nights("P1")["plms_index"].iloc[0] == 3.0
    with Store(path) as st:  # opening again applies nothing twice
        assert st.schema_version == SCHEMA_VERSION + 1


def test_default_path_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("SOMNOMOTOR_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "somnomotor" / "somnomotor.db"
    monkeypatch.setenv("SOMNOMOTOR_DB", str(tmp_path / "mine.db"))
    assert default_db_path() == tmp_path / "mine.db"


_WRITER = """
import sys, time
import pandas as pd
from somnomotor.events import make_events
from somnomotor.store import Store
path, subject, first_day, n, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
events = make_events([{"onset": 10.0 * i, "duration": 1.5, "kind": "plm"} for i in range(20)])
with Store(path) as st:
    while time.time() < go:  # start together
        time.sleep(0.005)
    for i in range(n):
        day = (pd.Timestamp("2024-01-01") + pd.Timedelta(days=first_day + i)).date()
        st.file_night(subject, day, {"plms_index": float(i),
                                     "provenance": {"input_sha256": f"{first_day}-{i}"}}, events)
"""


def test_two_processes_writing_nights_at_once_lose_nothing(tmp_path):
    """Two processes file 25 nights each into one new store at the same moment."""
    import subprocess
    import sys
    import time

    path = str(tmp_path / "shared.db")
    go = time.time() + 2.0
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, path, "P1", str(first), "25",
                               str(go)], stderr=subprocess.PIPE, text=True)
             for first in (0, 100)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    with Store(path) as st:
        assert st.count_rows("subjects") == 1
        assert len(st.nights("P1")) == 50
        assert st.count_rows("events") == 50 * 20


def test_a_reader_keeps_its_snapshot_while_a_writer_commits(tmp_path):
    """WAL: an open read transaction neither blocks a writer nor sees half a write."""
    path = tmp_path / "s.db"
    with Store(path) as writer:
        file_night(writer, "P1", "2024-03-01", _summary(1.0), events=_events(3))
        reader = sqlite3.connect(path, timeout=1.0, isolation_level=None)
        reader.execute("BEGIN")
        assert reader.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 3
        file_night(writer, "P1", "2024-03-02", _summary(2.0), events=_events(4))  # not blocked
        assert reader.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 3
        reader.execute("COMMIT")
        assert reader.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 7
        reader.close()


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_event = st.fixed_dictionaries({
    "onset": st.floats(0, 40_000, allow_nan=False), "duration": st.floats(0, 60, allow_nan=False),
    "kind": st.sampled_from(["lm", "plm", "myoclonus", "grm", "morning_tonic"]),
    "channel": st.sampled_from(["LAT", "RAT", "Rectus Abd", ""]),
    "side": st.sampled_from(["left", "right", "bilateral", "midline", ""]),
    "stage": st.sampled_from(["W", "N1", "N2", "N3", "R", "?"]),
    "amplitude_uv": st.one_of(st.none(), st.floats(0, 500, allow_nan=False)),
    "series": st.one_of(st.none(), st.integers(1, 50)),
    "arousal": st.booleans(), "respiratory": st.booleans()})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_event, max_size=30))
def test_any_events_table_comes_back_from_the_store_unchanged(tmp_path, rows):
    with Store(tmp_path / "prop.db") as st_:
        nid = file_night(st_, "P", "2024-01-01", {"plms_index": 1.0}, events=make_events(rows),
                         replace=True)
        back = st_.events(nid)
    pd.testing.assert_frame_equal(back, make_events(rows))


def test_an_unknown_stage_index_is_stored_and_read_back_as_null(tmp_path):
    """A by-stage index of a stage the night lacked is null in summary.json (issue 13);
    the store keeps it null (unknown), never 0, and its nights table still reads."""
    summary = _summary(12.5)
    summary["plms_index_by_stage"] = {"N1": 1.0, "N2": 2.0, "N3": None, "R": None}
    with Store(tmp_path / "s.db") as st:
        nid = file_night(st, "P1", "2024-03-01", summary)
        back = st.night_summary(nid)["plms_index_by_stage"]
        assert back == {"N1": 1.0, "N2": 2.0, "N3": None, "R": None}
        assert st.nights("P1")["plms_index"].iloc[0] == 12.5
