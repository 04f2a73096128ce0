"""Vendor exports as labs hand them over (issue 14): Noxturnal CSV, Profusion XML, DOMINO
text, RemLogic — read alone, in their encodings and languages, across midnight, against a
recording that starts later, and refused in one line when broken.

The fixtures under tests/data/labs/ are synthetic, written after the structure of real
exports: one night of 40 epochs from 23:50:00 (W×4 N1×4 N2×16 N3×6 R×6 W×4), five leg
movements 20 s apart from 250 s (a PLM series in N2), an arousal at 291 s, an obstructive
apnea at 605 s and a hypopnea at 783 s (after midnight), a desaturation, a software notice
and one label no table knows.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
from pathlib import Path

import edfio
import numpy as np
import pytest

from somnomotor.cli import main
from somnomotor.errors import AnnotationError
from somnomotor.io import read_scorings

LABS = Path(__file__).parent.parent / "data" / "labs"
NOX_FR = LABS / "nox" / "noxturnal_fr_utf16.csv"
NOX_EN = LABS / "nox" / "noxturnal_en_utf8.csv"
PROFUSION = LABS / "night-profusion.xml"
DOMINO = LABS / "domino_night"
REMLOGIC = Path(__file__).parent.parent / "data" / "io" / "remlogic_export.txt"

STAGES = ["W"] * 4 + ["N1"] * 4 + ["N2"] * 16 + ["N3"] * 6 + ["R"] * 6 + ["W"] * 4
LM_ONSETS = [250.0, 270.0, 290.0, 310.0, 330.0]


def _recording(path: Path, start: dt.datetime, seconds: int) -> Path:
    sig = [edfio.EdfSignal(np.zeros(100 * seconds), 100, label="LAT",
                           physical_range=(-100, 100))]
    edfio.Edf(sig, starttime=start.time(),
              recording=edfio.Recording(startdate=start.date())).write(path)
    return path


@pytest.mark.parametrize("path, fmt, shift, origin", [
    (NOX_FR, "noxturnal", 7.0, dt.datetime(2016, 1, 15, 23, 49, 53)),  # 'Début de l'analyse'
    (NOX_EN, "noxturnal", 0.0, dt.datetime(2016, 1, 15, 23, 50, 0)),   # first epoch
    (PROFUSION, "profusion-xml", 0.0, None),                           # seconds, no clock
    (DOMINO, "domino", 0.0, dt.datetime(2016, 1, 15, 23, 50, 0)),      # Start Time header
])
def test_each_export_alone_gives_the_whole_night(path: Path, fmt: str, shift: float,
                                                origin: dt.datetime | None) -> None:
    sc = read_scorings(path)
    assert sc.format == fmt and sc.clock_origin == origin
    assert sc.hypnogram is not None
    assert sc.hypnogram.stages.tolist() == STAGES  # Profusion's R&K 4 → N3, German 'Wach' → W
    assert sc.hypnogram.offset == pytest.approx(shift)
    kinds = sc.events["kind"]
    lm = sc.events[kinds == "lm"]
    np.testing.assert_allclose(lm["onset"], np.array(LM_ONSETS) + shift)
    assert (kinds == "arousal").sum() == 1
    # the apnea lies after midnight: 605 s after 23:50:00, not a day earlier
    assert sc.events.loc[kinds == "apnea", "onset"].tolist() == [pytest.approx(605.0 + shift)]
    assert sc.events.loc[kinds == "hypopnea", "onset"].tolist() == [pytest.approx(783.0 + shift)]


def test_localised_labels_map_through_the_vendor_table_and_unknowns_are_counted() -> None:
    fr = read_scorings(NOX_FR)
    en = read_scorings(NOX_EN)
    assert fr.unknown_labels == {"Rapide": 1} and en.unknown_labels == {"Spindle": 1}
    assert fr.ignored_labels == {"Notification": 1}  # a software notice, not a scoring
    for sc in (fr, en):  # the desaturation is known, kept as 'other', not reported unknown
        assert sc.events.loc[sc.events["kind"] == "other", "label"].str.startswith(
            ("Désat", "Desat", "Rapide", "Spindle")).all()
    assert set(fr.events["label"]) >= {"MJ", "Micro-éveil", "A. Obstructive", "Hypopnée"}
    assert read_scorings(PROFUSION).unknown_labels == {"Unsure": 1}


@pytest.mark.parametrize("encoding, bom", [
    ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-le", b""), ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-8", codecs.BOM_UTF8), ("utf-8", b""),
])
def test_encodings_with_and_without_bom_read_alike(tmp_path: Path, encoding: str,
                                                   bom: bytes) -> None:
    text = NOX_FR.read_bytes()[2:].decode("utf-16-le")
    path = tmp_path / "export.csv"
    path.write_bytes(bom + text.encode(encoding))
    sc, ref = read_scorings(path), read_scorings(NOX_FR)
    assert sc.format == "noxturnal"
    assert sc.hypnogram.stages.tolist() == ref.hypnogram.stages.tolist()
    assert sc.events.equals(ref.events)


def test_an_export_that_starts_before_the_recording(tmp_path: Path) -> None:
    """The recording starts 70 s after the first epoch: the epochs wholly before it are left
    out with a note, the rest sit on the recording's timeline."""
    rec_path = _recording(tmp_path / "n.edf", dt.datetime(2016, 1, 15, 23, 51, 10), 1300)
    from somnomotor.io import read_recording

    sc = read_scorings(NOX_EN, read_recording(rec_path))
    assert sc.clock_origin is None  # the recording's start is the origin
    np.testing.assert_allclose(sc.events.loc[sc.events["kind"] == "lm", "onset"],
                               np.array(LM_ONSETS) - 70.0)
    assert any("end before the recording starts" in w for w in sc.warnings)
    hyp = sc.hypnogram
    assert hyp.offset == pytest.approx(20.0)  # epochs start at 23:51:30 = 20 s
    assert hyp.stages.tolist()[:2] == ["W", "N1"] and len(hyp) == 37


def test_an_export_whose_times_fall_outside_the_recording_is_one_line(tmp_path: Path,
                                                                    capsys) -> None:
    rec_path = _recording(tmp_path / "n.edf", dt.datetime(2016, 1, 15, 23, 50, 0), 400)
    out = tmp_path / "out"
    assert main(["score-events", str(NOX_EN), "--recording", str(rec_path),
                 "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "noxturnal_en_utf8.csv" in err
    assert "lie outside the recording" in err and "Traceback" not in err
    assert not out.exists() or not (out / "events.csv").exists()


@pytest.mark.parametrize("name, damage, message", [
    ("cut.csv", lambda b: b[:len(b) // 2 + 1], "cut short"),
    ("cut.xml", lambda b: b[:len(b) // 2], "cut short"),
    ("dates.csv", lambda b: b.replace("15/01/2016".encode("utf-16-le"),
                                      "15 janv 2016".encode("utf-16-le")), "format this reader"),
    ("order.csv", lambda b: b.replace("15/01/2016".encode("utf-16-le"),
                                      "2016.15.01".encode("utf-16-le")), "no day/month order"),
])
def test_broken_exports_are_one_line_and_exit_1(tmp_path: Path, capsys, name: str, damage,
                                                message: str) -> None:
    src = PROFUSION if name.endswith(".xml") else NOX_FR
    data = src.read_bytes()
    if name == "cut.csv":  # cut in the middle of a row, on a character boundary
        data = data[:len(data) - (len(data) // 3) * 2 + 2 * 9]
    else:
        data = damage(data)
    bad = tmp_path / name
    bad.write_bytes(data)
    with pytest.raises(AnnotationError, match=message):
        read_scorings(bad)
    assert main(["score-events", str(bad), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and name in err and "Traceback" not in err


def test_a_truncated_domino_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "Flow Events.txt"
    text = (DOMINO / "Flow Events - demo.txt").read_text(encoding="utf-8")
    bad.write_text(text[:text.rindex(";")], encoding="utf-8")  # the last label is missing
    with pytest.raises(AnnotationError, match="cut short"):
        read_scorings(bad)


@pytest.mark.parametrize("path", [NOX_FR, NOX_EN, PROFUSION, DOMINO, REMLOGIC],
                         ids=["noxturnal-fr", "noxturnal-en", "profusion", "domino", "remlogic"])
def test_score_events_scores_a_full_export_alone(tmp_path: Path, capsys, path: Path) -> None:
    """Acceptance: ``score-events EXPORT`` alone, and it says what it took from it."""
    out = tmp_path / "out"
    assert main(["score-events", str(path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"took sleep stages from {path.name}" in printed
    assert f"took leg movements from {path.name}" in printed
    assert "took arousals and respiratory events" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["provenance"]["hypnogram_source"] == f"file:{path.name}"
    assert summary["index_basis"] == "sleep"
    if path != REMLOGIC:
        assert summary["lm_count"] == 5 and summary["plms_count"] == 5
        assert "1 arousal, 1 apnea, 1 hypopnea" in printed
    if path in (NOX_FR, NOX_EN, DOMINO, REMLOGIC):  # clock times: the origin is stated
        assert "took clock origin" in printed
        assert summary["provenance"]["clock_origin"]


def test_one_export_under_several_flags_counts_each_event_once(tmp_path: Path,
                                                               capsys) -> None:
    alone, again = tmp_path / "a", tmp_path / "b"
    assert main(["score-events", str(NOX_FR), "--out", str(alone)]) == 0
    first = capsys.readouterr().out
    assert main(["score-events", str(NOX_FR), "--hypnogram", str(NOX_FR), "--events",
                 str(NOX_FR), "--events", str(NOX_FR), "--out", str(again)]) == 0
    second = capsys.readouterr().out
    assert "1 arousal, 1 apnea, 1 hypopnea" in first and "1 arousal, 1 apnea, 1 hypopnea" in second
    a = json.loads((alone / "summary.json").read_text())
    b = json.loads((again / "summary.json").read_text())
    for key in ("lm_count", "plms_count", "plms_arousal_count", "tst_h"):
        assert a[key] == b[key]
    assert (alone / "events.csv").read_text() == (again / "events.csv").read_text()


def test_an_export_with_only_events_and_no_recording_asks_for_it(tmp_path: Path,
                                                               capsys) -> None:
    path = tmp_path / "lms.txt"
    path.write_text("Sleep Stage\tTime [hh:mm:ss]\tEvent\tDuration[s]\n"
                    "N2\t23:10:00\tPLM-LM\t1.5\n")
    assert main(["score-events", str(path), "--out", str(tmp_path / "o")]) == 1
    assert "--recording" in capsys.readouterr().err


def test_real_noxturnal_exports_score_alone(real_data: Path, tmp_path: Path, capsys) -> None:
    folder = real_data / "rsleep-nox"
    sc = read_scorings(folder / "noxturnal_events_example_unicode_3.csv")
    assert sc.clock_origin == dt.datetime(2018, 4, 27, 23, 0, 23)  # 'Début de l'analyse'
    counts = sc.events["kind"].value_counts()
    assert counts["arousal"] == 107 and counts["apnea"] == 64 + 24 + 3 and counts["hypopnea"] == 38
    assert sc.unknown_labels["Rapide"] == 551  # told, not guessed
    first = read_scorings(folder / "noxturnal_events_example_unicode.csv")
    assert first.clock_origin == dt.datetime(2016, 1, 15, 22, 30, 0)
    assert (first.hypnogram.stages != "?").sum() == 466 + 364 + 249 + 213 + 66
    assert main(["score-events", str(folder / "noxturnal_events_example_unicode.csv"),
                 "--out", str(tmp_path / "o")]) == 0


def test_analyze_takes_an_export_given_once_or_under_both_flags(tmp_path: Path,
                                                                capsys) -> None:
    """--events EXPORT alone gives its stages too; --hypnogram EXPORT alone gives its events
    too; both flags on one file count its events once."""
    rng = np.random.default_rng(1)
    rec = tmp_path / "night.edf"
    sigs = [edfio.EdfSignal(rng.normal(0, 2, 100 * 1200), 100, label=lab,
                            physical_dimension="uV", physical_range=(-500, 500))
            for lab in ("LAT", "RAT")]
    start = dt.datetime(2016, 1, 15, 23, 50, 0)
    edfio.Edf(sigs, starttime=start.time(),
              recording=edfio.Recording(startdate=start.date())).write(rec)
    runs = {}
    for name, flags in {"events": ["--events", str(NOX_EN)],
                        "hypnogram": ["--hypnogram", str(NOX_EN)],
                        "both": ["--hypnogram", str(NOX_EN), "--events", str(NOX_EN),
                                 "--events", str(NOX_EN)]}.items():
        out = tmp_path / name
        assert main(["analyze", str(rec), *flags, "--no-staging", "--no-report",
                     "--out", str(out)]) == 0
        printed = capsys.readouterr().out
        assert "(stages: file:noxturnal_en_utf8.csv)" in printed
        assert "scored events from noxturnal_en_utf8.csv" in printed
        runs[name] = json.loads((out / "summary.json").read_text())
        assert sum("'Spindle' ×1" in w for w in runs[name]["warnings"]) == 1  # reported once
        scored = (out / "scored.xml").read_text()
        assert scored.count("Obstructive Apnea") == 1  # carried on once, not twice
    assert runs["events"]["tst_h"] == runs["hypnogram"]["tst_h"] == runs["both"]["tst_h"]
    assert runs["events"]["tst_h"] == pytest.approx(32 * 30 / 3600)
    assert runs["both"]["provenance"]["events_files"] == ["noxturnal_en_utf8.csv"]


def test_a_german_remlogic_export_reads_like_the_english_one(tmp_path: Path) -> None:
    text = REMLOGIC.read_text(encoding="utf-8")
    german = text.replace("Recording Date:", "Aufnahmedatum:").replace(
        "Sleep Stage\tPosition\tTime [hh:mm:ss.xxx]\tEvent\tDuration[s]\tLocation",
        "Schlafstadium\tPosition\tZeit [hh:mm:ss.xxx]\tEreignis\tDauer[s]\tOrt")
    path = tmp_path / "export_de.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + german.encode("utf-16-le"))
    de, en = read_scorings(path), read_scorings(REMLOGIC)
    assert de.format == en.format == "remlogic"
    assert de.hypnogram.stages.tolist() == en.hypnogram.stages.tolist()
    assert de.events.equals(en.events) and de.clock_origin == en.clock_origin
    assert en.clock_origin == dt.datetime(2024, 3, 12, 23, 59, 0)  # dated by Recording Date


def test_the_first_file_with_a_clock_sets_time_0_for_the_others(tmp_path: Path,
                                                                 capsys) -> None:
    """A plain LM list (seconds), the stages of a DOMINO folder (Start Time 23:50:00) and the
    events of a Noxturnal export (its own marker is 23:49:53): the Noxturnal times are placed
    on the DOMINO clock, so the arousal at 23:54:51 meets the LM at 290 s."""
    lms = tmp_path / "lms.csv"
    lms.write_text("onset,duration,side\n" + "".join(
        f"{on:g},1.5,{'left' if k % 2 == 0 else 'right'}\n" for k, on in enumerate(LM_ONSETS)))
    out = tmp_path / "out"
    assert main(["score-events", str(lms), "--hypnogram", str(DOMINO), "--events", str(NOX_FR),
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "clock origin 2016-01-15 23:50:00 from domino_night" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["plms_count"] == 5 and summary["plms_arousal_count"] == 1
    assert summary["provenance"]["clock_origin"] == "2016-01-15 23:50:00"
    assert "domino_night" in summary["provenance"]["clock_origin_source"]


@pytest.mark.parametrize("encoding, bom, declared", [
    ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16"), ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-8"),
    ("utf-8", codecs.BOM_UTF8, "UTF-8"), ("utf-16-be", b"", None),
])
def test_xml_exports_in_any_encoding(tmp_path: Path, encoding: str, bom: bytes,
                                     declared: str | None) -> None:
    text = PROFUSION.read_text(encoding="utf-8")
    text = text.replace('encoding="UTF-8"', f'encoding="{declared}"') if declared else \
        text.split("?>", 1)[1]
    path = tmp_path / "night-profusion.xml"
    path.write_bytes(bom + text.encode(encoding))
    sc, ref = read_scorings(path), read_scorings(PROFUSION)
    assert sc.format == "profusion-xml"
    assert sc.hypnogram.stages.tolist() == STAGES and sc.events.equals(ref.events)
