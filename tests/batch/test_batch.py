"""Many nights: resumable, a broken night does not stop the others, Dask on request."""

from __future__ import annotations

import json

import pytest

from somnomotor.batch import find_recordings, run_batch
from somnomotor.cli import main
from somnomotor.simulate import simulate_night, write_night


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    d = tmp_path_factory.mktemp("cohort")
    for i, scenario in enumerate(("polio_plms", "healthy")):
        sub = d / f"site{i}"
        sub.mkdir()
        write_night(simulate_night(scenario, hours=0.5, seed=20 + i), sub / f"night{i}.edf")
    (d / "broken.edf").write_bytes(b"0       this is not an EDF file")
    return d


def test_find_recordings_walks_folders_and_reads_lists(cohort, tmp_path):
    found = find_recordings(cohort)
    assert [p.name for p in found] == ["broken.edf", "night0.edf", "night1.edf"]
    listing = tmp_path / "list.txt"
    listing.write_text(f"# cohort\n{found[1]}\n{found[2]}\n")
    assert find_recordings(listing) == found[1:]


def test_batch_analyses_each_night_and_records_the_broken_one(cohort, tmp_path):
    table = run_batch(find_recordings(cohort), tmp_path, workers=2, staging="none", report=False)
    status = dict(zip(table["recording"].map(lambda p: p.split("/")[-1]), table["status"],
                      strict=True))
    assert status == {"broken.edf": "error", "night0.edf": "done", "night1.edf": "done"}
    broken = table[table["status"] == "error"].iloc[0]
    assert "broken.edf" in broken["message"]
    summary = json.loads((tmp_path / "night0" / "summary.json").read_text())
    row = table[table["recording"].str.endswith("night0.edf")].iloc[0]
    assert row["plms_index"] == pytest.approx(summary["plms_index"])
    assert (tmp_path / "batch.csv").exists()


def test_batch_resumes_by_skipping_finished_nights(cohort, tmp_path):
    nights = find_recordings(cohort)[1:]
    run_batch(nights, tmp_path, workers=1, staging="none", report=False)
    first = (tmp_path / "night0" / "summary.json").stat().st_mtime_ns
    again = run_batch(nights, tmp_path, workers=1, staging="none", report=False)
    assert set(again["status"]) == {"skipped"}
    assert (tmp_path / "night0" / "summary.json").stat().st_mtime_ns == first
    changed = run_batch(nights, tmp_path, workers=1, staging="none", report=False,
                        params={"legs": {"rule_set": "aasm"}})
    assert set(changed["status"]) == {"done"}


def test_batch_runs_on_a_dask_cluster(cohort, tmp_path):
    import distributed as distributed
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        table = run_batch(find_recordings(cohort)[1:], tmp_path,
                          scheduler=cluster.scheduler_address, staging="none", report=False)
    assert list(table["status"]) == ["done", "done"]


def test_batch_command_exits_1_when_a_night_failed(cohort, tmp_path, capsys):
    code = main(["batch", str(cohort), "--out", str(tmp_path), "--workers", "1",
                 "--no-staging", "--no-report"])
    assert code == 1
    out = capsys.readouterr().out
    assert "2 analysed" in out and "1 failed" in out
