"""``somnomotor score-events``: a technician's LM list → events.csv and summary.json."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from somnomotor.cli import main
from somnomotor.events import EVENT_COLUMNS, read_events_csv


def _lm_csv(path: Path, rows: list[tuple[float, float, str]]) -> Path:
    pd.DataFrame(rows, columns=["onset", "duration", "side"]).to_csv(path, index=False)
    return path


PERIODIC = [(100.0 + 20 * i, 1.0, "left") for i in range(6)] + [(500.0, 1.0, "right")]


@pytest.fixture()
def hyp(tmp_path: Path) -> Path:
    p = tmp_path / "hyp.txt"
    p.write_text("\n".join(["W"] * 2 + ["N2"] * 118) + "\n")
    return p


def test_writes_events_and_summary_with_provenance(tmp_path: Path, hyp: Path, capsys) -> None:
    lms = _lm_csv(tmp_path / "lms.csv", PERIODIC)
    out = tmp_path / "out"
    assert main(["score-events", str(lms), "--hypnogram", str(hyp), "--out", str(out)]) == 0
    events = read_events_csv(out / "events.csv")
    header = (out / "events.csv").read_text().splitlines()[0]
    assert header == ",".join(EVENT_COLUMNS)
    assert set(events["kind"]) == {"lm", "clm", "plm"}
    assert (events["kind"] == "plm").sum() == 6
    summary = json.loads((out / "summary.json").read_text())
    assert summary["plms_count"] == 6 and summary["plms_index"] == pytest.approx(6 / (59 / 60))
    assert summary["index_basis"] == "sleep"
    prov = summary["provenance"]
    assert prov["input_sha256"] == hashlib.sha256(lms.read_bytes()).hexdigest()
    assert prov["hypnogram_source"] == "file:hyp.txt"
    assert prov["parameters"]["legs"]["rule_set"] == "wasm2016"
    assert prov["software_version"]
    assert "PLMS index" in capsys.readouterr().out


def test_without_hypnogram_indices_per_hour_of_recording(tmp_path: Path) -> None:
    lms = _lm_csv(tmp_path / "lms.csv", PERIODIC)
    out = tmp_path / "out"
    assert main(["score-events", str(lms), "--duration", "3600", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["index_basis"] == "recording"
    assert summary["plms_index"] == pytest.approx(6.0)
    assert summary["provenance"]["hypnogram_source"] == "none"


def test_respiratory_and_arousal_events_are_used(tmp_path: Path, hyp: Path) -> None:
    lms = _lm_csv(tmp_path / "lms.csv", PERIODIC)
    ev = tmp_path / "ev.csv"
    ev.write_text("onset,duration,kind\n130,10,apnea\n99,1.2,arousal\n")
    out = tmp_path / "out"
    assert main(["score-events", str(lms), "--hypnogram", str(hyp), "--events", str(ev),
                 "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text())
    assert s["plm_count"] == 5 and s["plm_count_incl_resp"] == 6
    assert s["plms_arousal_count"] == 1


def test_params_file_switches_to_aasm(tmp_path: Path, hyp: Path) -> None:
    lms = _lm_csv(tmp_path / "lms.csv", [(100.0 + 6 * i, 1.0, "left") for i in range(5)])
    params = tmp_path / "p.toml"
    params.write_text('[legs]\nrule_set = "aasm"\n')
    out = tmp_path / "out"
    assert main(["score-events", str(lms), "--hypnogram", str(hyp), "--params", str(params),
                 "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text())
    assert s["plm_count"] == 5 and s["leg_rule_set"] == "aasm"


def test_reads_leg_movements_from_a_csv_events_file(tmp_path: Path, hyp: Path) -> None:
    f = tmp_path / "scored.csv"
    rows = ["onset,duration,kind,channel"] + [f"{100 + 20 * i},1.0,lm,LAT" for i in range(4)]
    f.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    assert main(["score-events", str(f), "--hypnogram", str(hyp), "--out", str(out)]) == 0
    ev = read_events_csv(out / "events.csv")
    assert (ev["kind"] == "plm").sum() == 4
    assert set(ev.loc[ev.kind == "lm", "side"]) == {"left"}


@pytest.mark.parametrize(("content", "message"), [
    ("onset,duration,side\n10,1,up\n", "side"),
    ("onset,duration,side\nten,1,left\n", "numeric"),
])
def test_bad_lm_list_is_one_line_and_exit_1(tmp_path: Path, capsys, content: str,
                                           message: str) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(content)
    assert main(["score-events", str(f), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.csv" in err[0] and message in err[0]
    assert not (tmp_path / "o" / "summary.json").exists()


def test_missing_file_and_bad_params_exit_1(tmp_path: Path, capsys) -> None:
    assert main(["score-events", str(tmp_path / "nope.csv")]) == 1
    lms = _lm_csv(tmp_path / "lms.csv", PERIODIC)
    p = tmp_path / "p.toml"
    p.write_text('[legs]\nrule_set = "luna"\n')
    assert main(["score-events", str(lms), "--params", str(p), "--out", str(tmp_path)]) == 1
    assert "rule_set" in capsys.readouterr().err


def test_help_exits_0(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["score-events", "--help"])
    assert exc.value.code == 0 and "--hypnogram" in capsys.readouterr().out


def test_reads_technician_lms_hypnogram_and_arousals_from_nsrr_xml(tmp_path: Path) -> None:
    from somnomotor.events import make_events
    from somnomotor.export import write_nsrr_xml
    from somnomotor.hypnogram import Hypnogram

    rows = [{"onset": 100.0 + 20 * i, "duration": 1.0, "kind": "lm",
             "side": ("right", "left")[i % 2], "channel": ("RAT", "LAT")[i % 2],
             "muscle": "tibialis_anterior"} for i in range(6)]
    rows += [{"onset": 100.0, "duration": 1.0, "kind": "plm", "side": "right", "series": 1}]
    scored = pd.DataFrame({"onset": [139.5], "duration": [3.0], "kind": ["arousal"],
                           "channel": [""], "label": ["Arousal"]})
    xml = tmp_path / "tech.xml"
    write_nsrr_xml(make_events(rows), xml, duration=960.0, scored_events=scored,
                   hypnogram=Hypnogram.from_labels(["W"] * 2 + ["N2"] * 30))
    out = tmp_path / "out"
    assert main(["score-events", str(xml), "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text())
    assert s["lm_count"] == 6 and s["plms_count"] == 6 and s["plms_arousal_count"] == 1
    assert s["provenance"]["hypnogram_source"] == "file:tech.xml"
    ev = read_events_csv(out / "events.csv")
    assert sorted(set(ev.loc[ev.kind == "lm", "side"])) == ["left", "right"]


REMLOGIC = (
    "Patient:\tX\nRecording Date:\t12.03.2024\n\n"
    "Sleep Stage\tPosition\tTime [hh:mm:ss.xxx]\tEvent\tDuration[s]\tLocation\n"
    + "".join(f"SLEEP-S2\tSupine\t22:0{i // 2}:{30 * (i % 2):02d}.000\tSLEEP-S2\t30\t\n"
              for i in range(8))
    + "".join(f"SLEEP-S2\tSupine\t22:0{(20 * k + 40) // 60}:{(20 * k + 40) % 60:02d}.000\tLM"
              f"\t1.0\tTib-{'LR'[k % 2]}\n" for k in range(5))
)


def test_reads_a_remlogic_export_aligned_to_the_recording(tmp_path: Path, capsys) -> None:
    import datetime as dt

    import edfio
    import numpy as np

    rl = tmp_path / "export.txt"
    rl.write_text(REMLOGIC)
    edf = tmp_path / "night.edf"
    sig = [edfio.EdfSignal(np.zeros(256 * 600), 256, label="LAT", physical_range=(-100, 100))]
    edfio.Edf(sig, starttime=dt.time(21, 59, 0),
              recording=edfio.Recording(startdate=dt.date(2024, 3, 12))).write(edf)
    out = tmp_path / "out"
    # Alone, the export's first epoch (22:00:00) is time 0 (issue 14) …
    assert main(["score-events", str(rl), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "clock origin 2024-03-12 22:00:00 from export.txt: first epoch of the export" in printed
    lm = read_events_csv(out / "events.csv").query("kind == 'lm'")
    assert lm["onset"].round(3).tolist() == [40.0, 60.0, 80.0, 100.0, 120.0]
    s = json.loads((out / "summary.json").read_text())
    assert s["provenance"]["clock_origin"] == "2024-03-12 22:00:00"
    # … with its recording, the recording's start (21:59:00) is.
    assert main(["score-events", str(rl), "--recording", str(edf), "--out", str(out)]) == 0
    ev = read_events_csv(out / "events.csv")
    lm = ev[ev.kind == "lm"]
    assert lm["onset"].round(3).tolist() == [100.0, 120.0, 140.0, 160.0, 180.0]  # 60 s offset
    assert lm["side"].tolist() == ["left", "right", "left", "right", "left"]
    s = json.loads((out / "summary.json").read_text())
    assert s["plms_count"] == 5 and s["recording_duration_h"] == pytest.approx(600 / 3600)
