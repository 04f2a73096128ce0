"""``somnomotor diary``: bad input is one line on stderr, exit 1, and the store unchanged."""

from __future__ import annotations

import pytest

from somnomotor.cli import main
from somnomotor.store import Store


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "s.db"
    assert main(["diary", "add", "--db", str(path), "--subject", "P1", "--date", "2024-03-01",
                 "--create-subject", "--bedtime", "23:00", "--rise-time", "07:00",
                 "--med", "alprazolam 0.5 mg at 22:30", "--heating-pad", "yes",
                 "--morning-stiffness", "4"]) == 0
    return path


def _counts(path):
    with Store(path) as st:
        return (st.count_rows("subjects"), st.count_rows("diary_entries"),
                st.count_rows("medications"))


@pytest.mark.parametrize("args, words", [
    (["--subject", "P1", "--date", "2024-03-02", "--med", "alprazolam 500"], "medications"),
    (["--subject", "P1", "--date", "2024-03-02", "--med", "alprazolam 0.5 ml"], "not 'ml'"),
    (["--subject", "P1", "--date", "2024-03-02", "--bedtime", "23:00", "--rise-time", "21:00"],
     "rise_time 21:00 is before bedtime"),
    (["--subject", "NOBODY", "--date", "2024-03-02"], "unknown subject 'NOBODY'"),
    (["--subject", "P1", "--date", "2024-03-01"], "already has a diary entry for 2024-03-01"),
])
def test_bad_entry_is_one_line_exit_1_and_changes_nothing(db, capsys, args, words):
    before = _counts(db)
    capsys.readouterr()
    assert main(["diary", "add", "--db", str(db), *args]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0] and "Traceback" not in err[0]
    assert _counts(db) == before


def test_list_and_export_show_the_entry(db, capsys, tmp_path):
    capsys.readouterr()
    assert main(["diary", "list", "--db", str(db)]) == 0
    assert "P1\t1 diary entries" in capsys.readouterr().out
    assert main(["diary", "list", "--db", str(db), "--subject", "P1"]) == 0
    assert "2024-03-01" in capsys.readouterr().out
    out = tmp_path / "export.csv"
    assert main(["diary", "export", "--db", str(db), "--subject", "P1", "--out", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("subject,date,bedtime")
    assert "alprazolam 0.5 mg at 22:30" in text and ",yes," in text


def test_list_shows_yes_no_and_whole_counts_not_floats(db, capsys):
    """Issue 13: 'diary list' printed 1.0 for yes and 4.0 for a rating."""
    assert main(["diary", "add", "--db", str(db), "--subject", "P1", "--date", "2024-03-02",
                 "--heating-pad", "no", "--morning-stiffness", "7", "--sleep-quality", "3",
                 "--alcohol-units", "1.5"]) == 0
    capsys.readouterr()
    assert main(["diary", "list", "--db", str(db), "--subject", "P1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0].split()
    first = dict(zip(header, lines[1].split(), strict=True))
    second = dict(zip(header, lines[2].split(), strict=True))
    assert first["heating_pad"] == "yes" and second["heating_pad"] == "no"
    assert first["morning_stiffness"] == "4" and second["morning_stiffness"] == "7"
    assert second["sleep_quality"] == "3" and first["sleep_quality"] == "-"
    assert second["alcohol_units"] == "1.5" and first["alprazolam_mg"] == "0.5"
    assert first["bedtime"] == "23:00"
    assert not any(c.endswith(".0") for line in lines[1:] for c in line.split())


def test_import_of_a_bad_file_is_one_line_and_changes_nothing(db, tmp_path, capsys):
    csv = tmp_path / "bad.csv"
    csv.write_text("date,morning_stiffness\n2024-03-05,3\n2024-03-06,12\n")
    before = _counts(db)
    capsys.readouterr()
    assert main(["diary", "import", str(csv), "--db", str(db), "--subject", "P1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.csv: line 3: morning_stiffness" in err[0]
    assert _counts(db) == before
    csv.write_text("date,morning_stiffness\n2024-03-05,3\n2024-03-06,2\n")
    assert main(["diary", "import", str(csv), "--db", str(db), "--subject", "P1"]) == 0
    assert _counts(db)[1] == before[1] + 2
