"""Diary CSV import: all rows or none; export round-trips; a crash leaves the store as it was."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from somnomotor.diary import import_diary_csv, read_diary_csv, validate_entry, write_diary_csv
from somnomotor.errors import DiaryError
from somnomotor.store import Store

HEADER = ("subject,date,bedtime,rise_time,alcohol_units,heating_pad,morning_stiffness,"
          "medications\n")


def _rows(n: int, first_day: int = 1, subject: str = "P1") -> str:
    return "".join(f"{subject},2024-03-{first_day + i:02d},23:00,07:00,{i % 3},"
                   f"{'yes' if i % 2 else 'no'},{i % 10},alprazolam 0.5 mg at 22:30\n"
                   for i in range(n))


def _snapshot(store: Store) -> tuple[int, int, int]:
    return (store.count_rows("subjects"), store.count_rows("diary_entries"),
            store.count_rows("medications"))


def test_import_adds_every_row(tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text(HEADER + _rows(5))
    with Store(tmp_path / "s.db") as st:
        assert import_diary_csv(st, csv, create_subject=True) == 5
        entries = st.diary("P1")
    assert [e.entry_date.day for e in entries] == [1, 2, 3, 4, 5]
    assert entries[1].heating_pad is True and entries[1].dose_mg("alprazolam") == 0.5


def test_export_then_import_gives_the_same_entries(tmp_path):
    entries = [validate_entry({"subject": "P1", "date": "2024-03-01", "bedtime": "23:10",
                               "rise_time": "06:55", "notes": "woke, legs jumping, cold",
                               "medications": "alprazolam 1 mg at 22:40; melatonin 2 mg",
                               "warm_clothing": "yes", "stretching_minutes": "15"})]
    write_diary_csv(entries, tmp_path / "out.csv")
    assert read_diary_csv(tmp_path / "out.csv") == entries


def test_one_bad_row_rejects_the_whole_file_naming_the_line(tmp_path):
    csv = tmp_path / "d.csv"
    bad = "P1,2024-03-04,23:00,07:00,1,no,3,alprazolam 500 µg\n"
    csv.write_text(HEADER + _rows(3) + bad + _rows(2, first_day=10))
    with Store(tmp_path / "s.db") as st:
        st.add_subject("P1")
        before = _snapshot(st)
        with pytest.raises(DiaryError, match="line 5: medications") as exc:
            import_diary_csv(st, csv)
        assert "d.csv" in str(exc.value)
        assert _snapshot(st) == before


def test_a_date_twice_in_the_file_rejects_it(tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text(HEADER + _rows(3) + _rows(1, first_day=2))
    with Store(tmp_path / "s.db") as st:
        st.add_subject("P1")
        with pytest.raises(DiaryError, match="2024-03-02 appears twice"):
            import_diary_csv(st, csv)
        assert _snapshot(st) == (1, 0, 0)


def test_a_date_already_in_the_store_rejects_the_file(tmp_path):
    (tmp_path / "a.csv").write_text(HEADER + _rows(3))
    (tmp_path / "b.csv").write_text(HEADER + _rows(3, first_day=3))
    with Store(tmp_path / "s.db") as st:
        import_diary_csv(st, tmp_path / "a.csv", create_subject=True)
        before = _snapshot(st)
        with pytest.raises(DiaryError, match="already has a diary entry for 2024-03-03"):
            import_diary_csv(st, tmp_path / "b.csv")
        assert _snapshot(st) == before


def test_unknown_subject_rejects_the_file(tmp_path):
    (tmp_path / "a.csv").write_text(HEADER + _rows(2, subject="NEW"))
    with Store(tmp_path / "s.db") as st:
        with pytest.raises(DiaryError, match="unknown subject 'NEW'"):
            import_diary_csv(st, tmp_path / "a.csv")
        assert _snapshot(st) == (0, 0, 0)


def test_empty_and_headerless_files_are_clear_errors(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text(HEADER)
    with pytest.raises(DiaryError, match="empty file"):
        read_diary_csv(tmp_path / "empty.csv")
    with pytest.raises(DiaryError, match="no diary rows"):
        read_diary_csv(tmp_path / "header.csv")
    with pytest.raises(DiaryError, match="file not found"):
        read_diary_csv(tmp_path / "nope.csv")


_CRASHING_IMPORT = textwrap.dedent("""
    import os, sys
    from somnomotor.store import Store
    from somnomotor.store.store import Store as S
    from somnomotor.diary import import_diary_csv
    original = S._insert_diary_entry
    done = []
    def crash_after_some(self, con, sid, entry):
        original(self, con, sid, entry)
        done.append(entry)
        if len(done) == 4:
            os._exit(9)  # the process dies mid-transaction: no rollback, no cleanup
    S._insert_diary_entry = crash_after_some
    import_diary_csv(Store(sys.argv[1]), sys.argv[2])
""")


def test_a_crash_mid_import_leaves_the_store_as_it_was(tmp_path):
    db, csv = tmp_path / "s.db", tmp_path / "d.csv"
    (tmp_path / "first.csv").write_text(HEADER + _rows(2))
    csv.write_text(HEADER + _rows(8, first_day=10))
    with Store(db) as st:
        import_diary_csv(st, tmp_path / "first.csv", create_subject=True)
        before = _snapshot(st)
    proc = subprocess.run([sys.executable, "-c", _CRASHING_IMPORT, str(db), str(csv)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 9, proc.stderr
    with Store(db) as st:
        assert _snapshot(st) == before
        assert [e.entry_date.day for e in st.diary("P1")] == [1, 2]
        # and the store still takes the same file afterwards
        assert import_diary_csv(st, csv) == 8
