"""Multi-night mode (issue 3): a series of nights for one person with a diary of each
evening, written as real recordings that the rest of somnomotor reads."""

from __future__ import annotations

import pandas as pd
import pytest

from somnomotor.apps.month import simulate_month, write_month
from somnomotor.cli import main
from somnomotor.events import read_events_csv
from somnomotor.store import Store


@pytest.fixture(scope="module")
def month_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("month")
    assert main(["simulate", "--nights", "1", "--seed", "4", "--subject", "P7",
                 "--out", str(out)]) == 0
    return out


def test_each_night_file_holds_the_truth_the_month_simulated(month_dir):
    month = simulate_month("P7", nights=1, seed=4, fast=False)
    (date, expected), = month.events.items()
    truth = read_events_csv(month_dir / f"night-{date}.truth.csv")
    assert len(truth) == len(expected) > 0
    pd.testing.assert_series_equal(truth["kind"], expected["kind"].reset_index(drop=True))
    assert (truth["onset"] - expected["onset"].to_numpy()).abs().max() < 1e-3


def test_diary_imports_and_the_night_files_under_its_evening(month_dir, tmp_path):
    db = tmp_path / "store.db"
    assert main(["diary", "import", str(month_dir / "diary.csv"), "--db", str(db),
                 "--create-subject"]) == 0
    night = next(month_dir.glob("night-*.edf"))
    date = night.stem.removeprefix("night-")
    assert main(["analyze", str(night), "--out", str(tmp_path / "out"), "--no-report",
                 "--subject", "P7", "--db", str(db)]) == 0
    with Store(db) as store:
        nights = store.nights("P7")
        assert [str(pd.Timestamp(d).date()) for d in nights["night_date"]] == [date]
        assert [e.entry_date.isoformat() for e in store.diary("P7")] == [date]


def test_fast_month_cannot_be_written_as_recordings(tmp_path):
    with pytest.raises(ValueError, match="full-mode"):
        write_month(simulate_month("P1", nights=2, seed=0, fast=True), tmp_path)


def test_nights_mode_refuses_single_night_settings(tmp_path, capsys):
    assert main(["simulate", "--nights", "2", "--evening", "alcohol_units=2",
                 "--out", str(tmp_path)]) == 1
    assert "--nights draws each evening" in capsys.readouterr().err
