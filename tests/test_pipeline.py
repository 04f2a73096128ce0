"""The main job end to end on a short simulated night (interfaces.md: analyze)."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

import somnomotor
import somnomotor.recording
from somnomotor.cli import main
from somnomotor.errors import ParameterError
from somnomotor.events import EVENT_COLUMNS, read_events_csv
from somnomotor.pipeline import AnalysisParams, analyze, read, write_outputs
from somnomotor.simulate import simulate_night, write_night


@pytest.fixture(scope="module")
def night_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("night")
    path = d / "night.edf"
    write_night(simulate_night("polio_mixed", hours=0.75, seed=5), path)
    return path


@pytest.fixture(scope="module")
def analysed(night_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    rec = read(night_file)
    result = analyze(rec)
    paths = write_outputs(result, out, recording=rec)
    return rec, result, paths


def test_public_api_is_read_and_analyze(night_file):
    assert somnomotor.read is read and somnomotor.analyze is analyze


def test_summary_counts_equal_the_events_table(analysed):
    _, result, _ = analysed
    ev, s = result.events, result.summary
    for kind, key in (("lm", "lm_count"), ("clm", "clm_count"), ("plm", "plm_count"),
                      ("grm", "grm_episode_count"), ("hypnic_jerk", "hypnic_jerk_count")):
        assert s[key] == int((ev["kind"] == kind).sum()), key
    assert s["plm_count"] > 0 and s["lm_count"] >= s["plm_count"]


def test_stages_come_from_the_recordings_own_annotations(analysed):
    rec, result, _ = analysed
    assert result.summary["provenance"]["hypnogram_source"] == "edf-annotations"
    assert result.summary["provenance"]["input_sha256"] == hashlib.sha256(
        rec.path.read_bytes()).hexdigest()
    staged = result.events[result.events["kind"] == "plm"]["stage"]
    assert set(staged) <= {"W", "N1", "N2", "N3", "R"}


def test_written_files_agree_with_the_result(analysed):
    _, result, paths = analysed
    summary = json.loads(paths["summary.json"].read_text())
    assert summary["plms_index"] == pytest.approx(result.summary["plms_index"])
    back = read_events_csv(paths["events.csv"])
    assert list(back.columns) == list(EVENT_COLUMNS)
    assert len(back) == len(result.events)
    pd.testing.assert_series_equal(back["kind"], result.events["kind"])
    assert "NaN" not in paths["summary.json"].read_text()


def test_parameters_change_the_result_and_are_recorded(night_file):
    rec = read(night_file)
    aasm = AnalysisParams.from_mapping({"legs": {"rule_set": "aasm"}})
    result = analyze(rec, params=aasm)
    prov = result.summary["provenance"]
    assert prov["parameters"]["legs"]["rule_set"] == "aasm"
    assert prov["parameters_digest"] != AnalysisParams.defaults().digest()


def test_unknown_parameter_section_is_refused():
    with pytest.raises(ParameterError, match="unknown parameter section"):
        AnalysisParams.from_mapping({"lesg": {}})


def test_params_file_with_unknown_key_is_one_line_exit_1(night_file, tmp_path, capsys):
    bad = tmp_path / "p.toml"
    bad.write_text("[legs]\nonset_treshold = 9\n")
    assert main(["analyze", str(night_file), "--params", str(bad), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "p.toml" in err[0] and "onset_treshold" in err[0]


def test_no_staging_without_stage_annotations_gives_indices_per_recording_hour(tmp_path):
    night = simulate_night("polio_plms", hours=0.5, seed=3)
    rec = night.recording
    rec.annotations = rec.annotations.iloc[0:0]  # a research export without any scoring
    result = analyze(rec, staging="none")
    s = result.summary
    assert s["provenance"]["hypnogram_source"] == "none"
    assert s["index_basis"] == "recording"
    assert s["plm_index"] == pytest.approx(s["plm_count"] / (rec.duration / 3600), rel=1e-6)


def test_analyze_never_writes_to_the_input(night_file, tmp_path):
    before = night_file.read_bytes()
    mtime = night_file.stat().st_mtime_ns
    assert main(["analyze", str(night_file), "--out", str(tmp_path / "o"), "--no-report"]) == 0
    assert night_file.read_bytes() == before and night_file.stat().st_mtime_ns == mtime


def test_scored_xml_carries_the_input_arousals_and_optional_exports(night_file, tmp_path):
    import xml.etree.ElementTree as ET

    assert main(["analyze", str(night_file), "--out", str(tmp_path), "--no-report",
                 "--export", "bids", "--export", "luna", "--bids-subject", "p01"]) == 0
    rec = read(night_file)
    n_arousals = int(rec.annotations["text"].str.contains("Arousal").sum())
    assert n_arousals > 0
    concepts = [e.findtext("EventConcept") or "" for e in
                ET.parse(tmp_path / "scored.xml").getroot().iter("ScoredEvent")]
    assert sum("Arousal" in c for c in concepts) == n_arousals
    assert (tmp_path / "scored.annot").exists()
    events_tsv = list((tmp_path / "bids").rglob("*_events.tsv"))
    channels_tsv = list((tmp_path / "bids").rglob("*_channels.tsv"))
    assert len(events_tsv) == 1 and "sub-p01" in str(events_tsv[0])
    assert "target_muscle" in pd.read_csv(channels_tsv[0], sep="\t").columns


def test_recording_without_emg_is_a_clear_error(tmp_path):
    import numpy as np

    from somnomotor.errors import MontageError

    rec = somnomotor.recording.Recording.from_arrays(
        {"C4-M1": np.zeros(3000, np.float32), "Thor": np.zeros(3000, np.float32)}, 100.0)
    with pytest.raises(MontageError, match="no EMG channel.*--montage"):
        analyze(rec, staging="none")


def test_recording_without_leg_channels_says_so(tmp_path):
    night = simulate_night("polio_grm", hours=0.5, seed=4)
    keep = [c for c in night.recording.labels if c not in ("LAT", "RAT")]
    rec = somnomotor.recording.Recording.from_arrays(
        {k: night.recording.read(k) for k in keep},
        {k: night.recording.channel(k).fs for k in keep},
        annotations=night.recording.annotations)
    result = analyze(rec, staging="none")
    assert result.summary["lm_count"] == 0 and result.summary["plm_count"] == 0
    assert any("no tibialis anterior" in w for w in result.warnings)


def test_missing_ecg_channel_is_said_in_the_warnings():
    night = simulate_night("polio_mixed", hours=0.5, seed=3)
    keep = [c for c in night.recording.labels if c != "ECG II"]
    rec = somnomotor.recording.Recording.from_arrays(
        {k: night.recording.read(k) for k in keep},
        {k: night.recording.channel(k).fs for k in keep},
        annotations=night.recording.annotations)
    result = analyze(rec)
    assert result.summary["provenance"]["ecg_channel"] is None
    assert any("no ECG channel" in w for w in result.summary["warnings"])
