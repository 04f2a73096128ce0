"""Batch pairs each night with its scorings the way cohorts lay them out (issue 14):
NSRR (also a parallel annotations folder), Sleep-EDF, BIDS, same-stem sidecars; a night
with two candidates is reported, not guessed; batch.csv names the files used."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import edfio
import numpy as np
import pandas as pd
import pytest

from somnomotor.batch import find_recordings
from somnomotor.batch.runner import find_scorings, run_batch
from somnomotor.cli import main

LABS = Path(__file__).parent.parent / "data" / "labs"
STAGES = ["W"] * 4 + ["N1"] * 4 + ["N2"] * 16 + ["N3"] * 6 + ["R"] * 6 + ["W"] * 4
START = dt.datetime(2016, 1, 15, 23, 50, 0)


def _edf(path: Path, annotations: tuple = ()) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    n = 100 * 30 * len(STAGES)
    sigs = [edfio.EdfSignal(rng.normal(0, 2, n), 100, label=lab, physical_dimension="uV",
                            physical_range=(-500, 500)) for lab in ("LAT", "RAT")]
    edfio.Edf(sigs, starttime=START.time(), annotations=annotations,
              recording=edfio.Recording(startdate=START.date())).write(path)
    return path


def _hypnogram_edf(path: Path) -> Path:
    """A Sleep-EDF-like annotation-only hypnogram (EDF+ 'Sleep stage W' …)."""
    text = {"W": "Sleep stage W", "N1": "Sleep stage 1", "N2": "Sleep stage 2",
            "N3": "Sleep stage 3", "R": "Sleep stage R"}
    anns = [edfio.EdfAnnotation(30.0 * i, 30.0, text[s]) for i, s in enumerate(STAGES)]
    edfio.Edf([edfio.EdfSignal(np.zeros(2), 1, label="x")], starttime=START.time(),
              annotations=anns, recording=edfio.Recording(startdate=START.date())).write(path)
    return path


def _nsrr_xml(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    concept = {"W": "Wake|0", "N1": "Stage 1 sleep|1", "N2": "Stage 2 sleep|2",
               "N3": "Stage 3 sleep|3", "R": "REM sleep|5"}
    events = "".join(f"<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>"
                     f"{concept[s]}</EventConcept><Start>{30 * i}</Start><Duration>30"
                     f"</Duration></ScoredEvent>" for i, s in enumerate(STAGES))
    events += ("<ScoredEvent><EventType>Arousals|Arousals</EventType><EventConcept>"
               "Arousal|Arousal ()</EventConcept><Start>291</Start><Duration>6</Duration>"
               "</ScoredEvent>")
    path.write_text(f"<?xml version='1.0'?><PSGAnnotation><EpochLength>30</EpochLength>"
                    f"<ScoredEvents>{events}</ScoredEvents></PSGAnnotation>")
    return path


def _run(folder: Path, out: Path) -> pd.DataFrame:
    return run_batch(find_recordings(folder), out, workers=1, staging="none", report=False)


def test_nsrr_layout_with_parallel_annotation_folders(tmp_path: Path) -> None:
    root = tmp_path / "polysomnography"
    rec = _edf(root / "edfs" / "shhs1" / "shhs1-200001.edf")
    nsrr = _nsrr_xml(root / "annotations-events-nsrr" / "shhs1" / "shhs1-200001-nsrr.xml")
    prof = root / "annotations-events-profusion" / "shhs1" / "shhs1-200001-profusion.xml"
    prof.parent.mkdir(parents=True)
    shutil.copy(LABS / "night-profusion.xml", prof)
    # a second night with only its Profusion XML, beside the signal
    rec2 = _edf(root / "edfs" / "shhs1" / "shhs1-200002.edf")
    prof2 = shutil.copy(LABS / "night-profusion.xml", rec2.parent / "shhs1-200002-profusion.xml")
    one, two = find_scorings(rec), find_scorings(rec2)
    assert (one.hypnogram, one.events, one.layout) == (nsrr, (nsrr,), "nsrr")
    assert (two.hypnogram, two.events) == (Path(prof2), (Path(prof2),))
    table = _run(tmp_path, tmp_path / "out")
    assert table["status"].tolist() == ["done", "done"]
    assert table["hypnogram_file"].tolist() == [str(nsrr), str(prof2)]
    assert table["events_files"].tolist() == [str(nsrr), str(prof2)]
    assert table["hypnogram_source"].tolist() == ["file:shhs1-200001-nsrr.xml",
                                                  "file:shhs1-200002-profusion.xml"]
    written = pd.read_csv(tmp_path / "out" / "batch.csv")
    assert {"hypnogram_file", "events_files"} <= set(written.columns)


def test_sleep_edf_layout(tmp_path: Path) -> None:
    rec = _edf(tmp_path / "sleep-cassette" / "SC4001E0-PSG.edf")
    hyp = _hypnogram_edf(tmp_path / "sleep-cassette" / "SC4001EC-Hypnogram.edf")
    assert find_recordings(tmp_path) == [rec]  # the hypnogram is not a night
    assert find_scorings(rec).hypnogram == hyp and find_scorings(rec).layout == "sleep-edf"
    table = _run(tmp_path, tmp_path / "out")
    assert table["status"].tolist() == ["done"]
    assert table["hypnogram_source"].tolist() == ["file:SC4001EC-Hypnogram.edf"]
    assert table["tst_h"].iloc[0] == pytest.approx(32 * 30 / 3600)


def test_bids_layout(tmp_path: Path) -> None:
    eeg = tmp_path / "sub-01" / "ses-01" / "eeg"
    rec = _edf(eeg / "sub-01_ses-01_task-sleep_eeg.edf")
    text = {"W": "Sleep stage W", "N1": "Sleep stage N1", "N2": "Sleep stage N2",
            "N3": "Sleep stage N3", "R": "Sleep stage R"}
    rows = [f"{30 * i}\t30\t{text[s]}" for i, s in enumerate(STAGES)]
    rows.append("291\t6\tArousal")
    rows.append("400\t0\tLights on")
    events = eeg / "sub-01_ses-01_task-sleep_events.tsv"
    events.write_text("onset\tduration\ttrial_type\n" + "\n".join(rows) + "\n")
    pairing = find_scorings(rec)
    assert (pairing.hypnogram, pairing.events, pairing.layout) == (events, (events,), "bids")
    table = _run(tmp_path, tmp_path / "out")
    assert table["status"].tolist() == ["done"], table["message"].tolist()
    assert table["hypnogram_source"].tolist() == [f"file:{events.name}"]


def test_same_stem_sidecar_and_an_ambiguous_night(tmp_path: Path, capsys) -> None:
    good = _edf(tmp_path / "a" / "night1.edf")
    hyp = good.parent / "night1.hypnogram.csv"
    hyp.write_text("\n".join(STAGES) + "\n")
    bad = _edf(tmp_path / "b" / "night2.edf")
    for name in ("night2.hypnogram.csv", "night2-hypnogram.csv"):
        (bad.parent / name).write_text("\n".join(STAGES) + "\n")
    assert find_scorings(good).hypnogram == hyp
    assert len(find_scorings(bad).ambiguous) == 2 and find_scorings(bad).hypnogram is None
    out = tmp_path / "out"
    code = main(["batch", str(tmp_path), "--workers", "1", "--no-staging", "--no-report",
                 "--out", str(out)])
    assert code == 1  # an ambiguous night needs the user
    printed = capsys.readouterr().out
    assert "1 with ambiguous scorings" in printed and "night2-hypnogram.csv" in printed
    table = pd.read_csv(out / "batch.csv", keep_default_na=False)
    assert table["status"].tolist() == ["done", "ambiguous"]
    assert table["hypnogram_file"].tolist() == [str(hyp), ""]
    assert not (out / "night2" / "summary.json").exists()  # not guessed, not analysed
