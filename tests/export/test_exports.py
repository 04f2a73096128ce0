"""Each export, read back by another maintained reader, keeps every event.

Acceptance (issue 6): onset and duration within one sample and the kind.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from somnomotor.events import empty_events
from somnomotor.export import write_bids, write_luna_annot, write_nsrr_xml, write_scored_edf
from somnomotor.export._vocab import event_text, parse_event_text
from somnomotor.export.nsrr_xml import STAGE_CONCEPT, parse_event_concept
from somnomotor.kinds import leg_kinds

from ._builders import FS, every_kind_events, small_hypnogram

ONE_SAMPLE = 1.0 / FS
START = dt.datetime(2024, 3, 5, 22, 41, 7)


def _match(events: pd.DataFrame, onsets, durations, kinds, sides=None) -> None:
    """Every event appears once in the read-back rows (same kind and side, ≤ 1 sample)."""
    got = pd.DataFrame({"onset": np.asarray(onsets, float), "duration": np.asarray(durations, float),
                        "kind": list(kinds)})
    got["side"] = list(sides) if sides is not None else ""
    assert len(got) == len(events)
    a = events.sort_values(["onset", "kind", "side"]).reset_index(drop=True)
    b = got.sort_values(["onset", "kind", "side"]).reset_index(drop=True)
    np.testing.assert_allclose(b["onset"], a["onset"], atol=ONE_SAMPLE, rtol=0)
    np.testing.assert_allclose(b["duration"], a["duration"], atol=ONE_SAMPLE, rtol=0)
    assert list(b["kind"]) == list(a["kind"])
    if sides is not None:
        assert list(b["side"]) == list(a["side"])


def test_event_text_round_trips_for_every_kind_and_side():
    ev = every_kind_events()
    for kind, muscle, side in zip(ev["kind"], ev["muscle"], ev["side"], strict=True):
        parsed = parse_event_text(event_text(kind, muscle, side))
        assert parsed is not None and parsed[0] == kind and parsed[2] == side
        if kind not in leg_kinds():  # leg kinds always name tibialis anterior
            assert parsed[1] == muscle


def test_parse_event_text_rejects_foreign_text():
    assert parse_event_text("Obstructive apnea") is None
    assert parse_event_text("LM left knee") is None


def test_scored_edf_read_by_mne_keeps_every_event_and_stage(tmp_path):
    import mne as mne
    ev = every_kind_events()
    hyp = small_hypnogram()
    path = tmp_path / "scored.edf"
    write_scored_edf(ev, path, start=START, duration=3600.0, hypnogram=hyp)
    ann = mne.read_annotations(path)
    desc = list(ann.description)
    stage_mask = np.array([d.startswith("Sleep stage") for d in desc])
    assert stage_mask.sum() == len(hyp)
    np.testing.assert_allclose(np.sort(ann.onset[stage_mask]), hyp.epoch_onsets())
    assert [d.removeprefix("Sleep stage ") for d, m in zip(desc, stage_mask, strict=True) if m] \
        == list(hyp.stages)
    parsed = [parse_event_text(d) for d, m in zip(desc, stage_mask, strict=True) if not m]
    assert all(p is not None for p in parsed)
    _match(ev, ann.onset[~stage_mask], ann.duration[~stage_mask], [p[0] for p in parsed],
           [p[2] for p in parsed])


def test_scored_edf_read_by_edfio_has_the_start_and_no_signals(tmp_path):
    import edfio

    ev = every_kind_events(1)
    path = tmp_path / "scored.edf"
    write_scored_edf(ev, path, start=START, duration=3600.0)
    edf = edfio.read_edf(path)
    assert edf.num_signals == 0
    assert edf.startdate == START.date() and edf.starttime == START.time()
    assert len(edf.annotations) == len(ev)


def test_scored_edf_refuses_events_outside_the_recording(tmp_path):
    ev = every_kind_events(1)
    with pytest.raises(ValueError, match="outside the recording"):
        write_scored_edf(ev, tmp_path / "x.edf", start=None, duration=100.0)
    assert not (tmp_path / "x.edf").exists()


def test_scored_edf_of_an_empty_night_is_still_a_valid_file(tmp_path):
    import mne as mne
    path = tmp_path / "scored.edf"
    write_scored_edf(empty_events(), path, start=None, duration=600.0)
    ann = mne.read_annotations(path)
    assert [parse_event_text(d) for d in ann.description] == [None]


def test_nsrr_xml_uses_nsrr_names_and_keeps_every_event(tmp_path):
    ev = every_kind_events()
    hyp = small_hypnogram()
    scored = pd.DataFrame({"onset": [100.25, 200.5, 300.0], "duration": [3.0, 15.0, 12.0],
                           "kind": ["arousal", "apnea", "hypopnea"], "channel": ["", "", ""],
                           "label": ["Arousal", "Obstructive Apnea", "Hypopnea"]})
    path = tmp_path / "scored.xml"
    write_nsrr_xml(ev, path, hypnogram=hyp, duration=3600.0, scored_events=scored)
    root = ET.parse(path).getroot()
    assert root.tag == "PSGAnnotation"
    assert root.findtext("EpochLength") == "30"
    rows = [(e.findtext("EventType") or "", e.findtext("EventConcept") or "",
             float(e.findtext("Start")), float(e.findtext("Duration")),
             e.findtext("SignalLocation") or "")
            for e in root.iter("ScoredEvent")]
    assert rows[0][1] == "Recording Start Time" and rows[0][3] == 3600.0
    stages = [r for r in rows if r[0] == "Stages|Stages"]
    assert [r[1] for r in stages] == [STAGE_CONCEPT[s] for s in hyp.stages]
    assert "Stage 2 sleep|2" in {r[1] for r in stages}
    concepts = {r[1] for r in rows}
    assert {"Arousal|Arousal ()", "Obstructive apnea|Obstructive Apnea",
            "Hypopnea|Hypopnea"} <= concepts
    assert "Limb movement - left|Limb Movement (Left)" in concepts
    assert "Periodic leg movement - left|PLM (Left)" in concepts
    ours = [r for r in rows if r[0] in ("Limb Movement|Limb Movement", "Motor events|somnomotor")]
    parsed = [parse_event_concept(r[1]) for r in ours]
    assert all(p is not None for p in parsed)
    kinds, sides = [p[0] for p in parsed], [p[2] for p in parsed]
    _match(ev, [r[2] for r in ours], [r[3] for r in ours], kinds, sides)
    lat = [r for r in ours if r[4] == "LAT"]
    assert len(lat) == int((ev["channel"] == "LAT").sum())


def test_bids_events_and_channels_read_by_pandas(tmp_path):
    ev = every_kind_events()
    channels = pd.DataFrame({"label": ["LAT", "RAT", "EMG MFD-l", "C3-M2"],
                             "kind": ["emg", "emg", "emg", "eeg"],
                             "muscle": ["tibialis_anterior", "tibialis_anterior", "fds", ""],
                             "side": ["left", "right", "left", ""],
                             "fs": [256.0, 256.0, 512.0, 128.0], "unit": ["uV"] * 4})
    paths = write_bids(ev, tmp_path, subject="01", session="night3", channels=channels)
    assert paths["events"] == (tmp_path / "sub-01" / "ses-night3" / "emg"
                               / "sub-01_ses-night3_task-sleep_events.tsv")
    got = pd.read_csv(paths["events"], sep="\t", na_values="n/a", keep_default_na=False)
    assert list(got.columns[:3]) == ["onset", "duration", "trial_type"]
    _match(ev, got["onset"], got["duration"], got["kind"], got["side"].fillna(""))
    assert all(parse_event_text(t)[0] == k for t, k in zip(got["trial_type"], got["kind"],
                                                           strict=True))
    ch = pd.read_csv(paths["channels"], sep="\t", na_values="n/a", keep_default_na=False)
    assert list(ch.columns[:5]) == ["name", "type", "units", "sampling_frequency", "target_muscle"]
    assert ch.loc[ch["name"] == "LAT", "target_muscle"].item() == "tibialis anterior"
    assert ch.loc[ch["name"] == "EMG MFD-l", "target_muscle"].item() == \
        "flexor digitorum superficialis"
    assert ch.loc[ch["name"] == "C3-M2", "type"].item() == "EEG"
    assert pd.isna(ch.loc[ch["name"] == "C3-M2", "target_muscle"].item())
    assert ch.loc[ch["name"] == "EMG MFD-l", "sampling_frequency"].item() == 512.0


def test_bids_refuses_labels_bids_does_not_allow(tmp_path):
    with pytest.raises(ValueError, match="subject"):
        write_bids(empty_events(), tmp_path, subject="01_a", channels=[])


def test_luna_annot_read_by_pandas_keeps_every_event(tmp_path):
    ev = every_kind_events()
    path = tmp_path / "night.annot"
    write_luna_annot(ev, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [ln for ln in lines if ln.startswith("#")]
    assert len(header) == ev["kind"].nunique()
    got = pd.read_csv(path, sep="\t", comment="#", na_values=".", keep_default_na=False)
    assert list(got.columns) == ["class", "instance", "channel", "start", "stop", "meta"]
    _match(ev, got["start"], got["stop"] - got["start"], got["class"],
           got["instance"].fillna(""))
    metas = [dict(kv.split("=") for kv in m.split("|")) for m in got["meta"]]
    assert all({"stage", "arousal", "respiratory"} <= set(m) for m in metas)
    # a missing value is left out (Luna rejects '.' in a typed field), never written as '.'
    assert not any(v in (".", "", "nan") for m in metas for v in m.values())
    plm = got[got["class"] == "plm"].sort_values("start")
    want = ev[ev["kind"] == "plm"].sort_values("onset")
    assert [int(dict(kv.split("=") for kv in m.split("|"))["series"]) for m in plm["meta"]] \
        == want["series"].astype(int).tolist()
    # Luna's declared types
    assert all(re.search(r"\[(txt|num|int|yn)\]", h) for h in header)
    assert not any("[yesno]" in h for h in header)


def test_exports_write_atomically_and_leave_no_partial_file(tmp_path, monkeypatch):
    import edfio

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(edfio.Edf, "write", boom)
    with pytest.raises(OSError):
        write_scored_edf(every_kind_events(1), tmp_path / "s.edf", start=None, duration=3600.0)
    assert list(tmp_path.iterdir()) == []


def test_scored_edf_read_by_edflib_the_library_behind_edfbrowser(tmp_path):
    """pyEDFlib wraps EDFlib, written by EDFbrowser's author: if it reads the file, so does
    EDFbrowser (annotation-only EDF+, data-record duration 0)."""
    import pyedflib as pyedflib
    ev = every_kind_events()
    hyp = small_hypnogram()
    path = tmp_path / "scored.edf"
    write_scored_edf(ev, path, start=START, duration=3600.0, hypnogram=hyp)
    reader = pyedflib.EdfReader(str(path))
    try:
        onsets, durations, texts = reader.readAnnotations()
        assert reader.signals_in_file == 0
        assert reader.getStartdatetime() == START
    finally:
        reader.close()
    is_stage = np.array([t.startswith("Sleep stage") for t in texts])
    assert is_stage.sum() == len(hyp)
    parsed = [parse_event_text(t) for t in texts[~is_stage]]
    _match(ev, onsets[~is_stage], durations[~is_stage], [p[0] for p in parsed],
           [p[2] for p in parsed])


@pytest.mark.parametrize("name", ["scored.xml", "scored.edf"])
def test_our_own_scored_files_read_back_with_no_unknown_labels(tmp_path, name):
    """Issue 13: somnomotor's own scored.xml/scored.edf labels were read back as unknown
    (myoclonus, hypnic jerk, GRM, REM/morning tonic …, and 'CLM <side>' in scored.edf)."""
    from somnomotor.io import read_scorings

    ev = every_kind_events()
    hyp = small_hypnogram()
    path = tmp_path / name
    if name == "scored.xml":
        write_nsrr_xml(ev, path, hypnogram=hyp, duration=3600.0)
    else:
        write_scored_edf(ev, path, start=START, duration=3600.0, hypnogram=hyp)
    sc = read_scorings(path)
    assert sc.unknown_labels == {}
    # LMs and PLMs are read as such; somnomotor's other events are known, kept as 'other'
    assert (sc.events["kind"] == "plm").sum() == (ev["kind"] == "plm").sum()
    assert (sc.events["kind"] == "lm").sum() >= (ev["kind"] == "lm").sum()
    assert list(sc.hypnogram.stages) == list(hyp.stages)


def test_derived_events_name_their_channels_in_bids_and_luna(tmp_path):
    """interfaces.md: a derived event of several channels names them in ``channels``."""
    from somnomotor.events import make_events

    ev = make_events([{"onset": 10.0, "duration": 20.0, "kind": "grm", "stage": "N2",
                       "channels": "EMG MFD-l;Pectoral R;LAT"},
                      {"onset": 40.0, "duration": 0.2, "kind": "myoclonus", "stage": "N2",
                       "channel": "EMG MFD-l", "muscle": "fds", "side": "left"}])
    paths = write_bids(ev, tmp_path, subject="01", channels=[])
    got = pd.read_csv(paths["events"], sep="\t", na_values="n/a", keep_default_na=False)
    assert got["channels"].iloc[0] == "EMG MFD-l;Pectoral R;LAT"
    assert pd.isna(got["channels"].iloc[1]) and pd.isna(got["channel"].iloc[0])
    path = tmp_path / "night.annot"
    write_luna_annot(ev, path)
    rows = [ln for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.startswith("grm\t")]
    assert rows and rows[0].endswith("channels=EMG MFD-l,Pectoral R,LAT")
